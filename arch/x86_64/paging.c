/*
 * arch/x86_64/paging.c - host page tables.
 *
 * The hypervisor is identity-mapped (virtual == physical). Below 4 GiB the
 * map uses 2 MiB pages, write-back where the firmware map has RAM and
 * uncached (PCD|PWT = PAT entry 3, UC) everywhere else - that covers the
 * LAPIC (0xFEE00000), IO-APIC (0xFEC00000) and other device windows. The
 * first 2 MiB use 4 KiB pages so that page 0 can stay unmapped. Above 4 GiB
 * RAM is mapped with 1 GiB pages when the CPU has them, else 2 MiB pages.
 *
 * The screen's framebuffer is mapped write-combining (arch_paging_map_wc):
 * PAT entry 1 (PWT alone, write-through by default, not used otherwise) is
 * made WC on every CPU (arch_paging_init_cpu), so the console's glyph
 * stores reach video memory in bursts instead of one uncached write each.
 */
#include <string.h>
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_UC (PTE_PWT | PTE_PCD)
#define PTE_WC PTE_PWT			/* PAT entry 1, made WC below */

/* PAT: entry 1 write-combining (0x01) instead of write-through; the other
 * seven as at reset (WB, UC-, UC, and again) */
#define HOST_PAT 0x0007040600070106ULL

void arch_paging_init_cpu(void)
{
	wrmsr(MSR_IA32_PAT, HOST_PAT);
}

static u64 *new_table(void)
{
	physical_addr_t pa = vmm_host_page_alloc(0);

	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return (u64 *)(uintptr_t)pa;
}

/* Is any byte of [start, start+len) RAM (usable or ACPI) in the boot map? */
static bool overlaps_ram(const struct vmm_boot_info *bi, u64 start, u64 len)
{
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct vmm_mem_range *m = &bi->mem[i];

		if (m->type != VMM_MEM_USABLE && m->type != VMM_MEM_ACPI_RECLAIM &&
		    m->type != VMM_MEM_ACPI_NVS)
			continue;
		if (m->base < start + len && m->base + m->length > start)
			return true;
	}
	return false;
}

int arch_paging_init(const struct vmm_boot_info *bi)
{
	u64 top = ALIGN_UP(MAX(vmm_host_ram_top(bi), 4 * GiB), GiB);
	u32 a, b, c, d;
	bool gb_pages;
	u64 *pml4, *pt;
	u64 n2m = 0, n1g = 0, nuc = 0;

	cpuid(0x80000001, &a, &b, &c, &d);
	gb_pages = d & (1u << 26);
	if (top > 512 * GiB) {
		vmm_err("paging: RAM above 512 GiB is not mapped\n");
		top = 512 * GiB;
	}
	pml4 = new_table();
	if (!pml4)
		return -VMM_ENOMEM;
	u64 *pdpt = new_table();

	if (!pdpt)
		return -VMM_ENOMEM;
	pml4[0] = (u64)(uintptr_t)pdpt | PTE_P | PTE_W;

	for (u64 gb = 0; gb < top; gb += GiB) {
		u64 *pd;

		if (gb >= 4 * GiB && gb_pages) {
			pdpt[gb / GiB] = gb | PTE_P | PTE_W | PTE_PS | PTE_G;
			n1g++;
			continue;
		}
		pd = new_table();
		if (!pd)
			return -VMM_ENOMEM;
		pdpt[gb / GiB] = (u64)(uintptr_t)pd | PTE_P | PTE_W;
		for (u64 mb2 = 0; mb2 < GiB; mb2 += 2 * MiB) {
			u64 addr = gb + mb2;
			bool ram = overlaps_ram(bi, addr, 2 * MiB);

			if (gb >= 4 * GiB && !ram)
				continue;
			pd[mb2 / (2 * MiB)] = addr | PTE_P | PTE_W | PTE_PS | PTE_G |
					      (ram ? 0 : PTE_UC);
			n2m++;
			nuc += !ram;
		}
	}
	/* first 2 MiB in 4 KiB pages, page 0 not present */
	pt = new_table();
	if (!pt)
		return -VMM_ENOMEM;
	for (u64 i = 1; i < 512; i++)
		pt[i] = (i * PAGE_SIZE) | PTE_P | PTE_W | PTE_G |
			(overlaps_ram(bi, i * PAGE_SIZE, PAGE_SIZE) ? 0 : PTE_UC);
	((u64 *)(uintptr_t)(pdpt[0] & ~0xFFFULL))[0] = (u64)(uintptr_t)pt | PTE_P | PTE_W;

	arch_paging_init_cpu();
	write_cr4(read_cr4() | X86_CR4_PGE);
	write_cr3((u64)(uintptr_t)pml4);
	vmm_info("paging: identity map up to %llu GiB: %llu x 2 MiB (%llu uncached device windows), %llu x 1 GiB; page 0 unmapped\n",
		 (unsigned long long)(top / GiB), (unsigned long long)n2m,
		 (unsigned long long)nuc, (unsigned long long)n1g);
	return VMM_OK;
}

int arch_paging_map_wc(u64 base, u64 len)
{
	u64 *pml4 = (u64 *)(uintptr_t)(read_cr3() & ~0xFFFULL);
	u64 *pdpt = (u64 *)(uintptr_t)(pml4[0] & ~0xFFFULL);
	u64 start = ALIGN_DOWN(base, 2 * MiB), end;

	if (!len || base + len < base || base + len > 512 * GiB)
		return -VMM_EINVALID;
	end = ALIGN_UP(base + len, 2 * MiB);
	if (start < 2 * MiB)
		return -VMM_EINVALID;	/* the first 2 MiB keep their 4 KiB pages */
	for (u64 a = start; a < end; a += 2 * MiB) {
		u64 *pdpte = &pdpt[a / GiB], *pd;

		if (*pdpte & PTE_PS) {
			/* inside a 1 GiB page: split it into 2 MiB pages of the same kind */
			u64 big = *pdpte & ~(GiB - 1) & ~0xFFF0000000000000ULL;
			u64 flags = *pdpte & (PTE_P | PTE_W | PTE_PWT | PTE_PCD | PTE_G);

			pd = new_table();
			if (!pd)
				return -VMM_ENOMEM;
			for (u32 i = 0; i < 512; i++)
				pd[i] = (big + i * 2 * MiB) | flags | PTE_PS;
			*pdpte = (u64)(uintptr_t)pd | PTE_P | PTE_W;
		}
		if (!(*pdpte & PTE_P)) {
			pd = new_table();
			if (!pd)
				return -VMM_ENOMEM;
			*pdpte = (u64)(uintptr_t)pd | PTE_P | PTE_W;
		}
		pd = (u64 *)(uintptr_t)(*pdpte & ~0xFFFULL);
		pd[(a % GiB) / (2 * MiB)] = a | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_WC;
	}
	/* global pages: a CR4.PGE toggle flushes them */
	write_cr4(read_cr4() & ~X86_CR4_PGE);
	write_cr4(read_cr4() | X86_CR4_PGE);
	return VMM_OK;
}
