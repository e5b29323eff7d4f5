/*
 * arch/x86_64/vmx/vmx_guest_mem.c - guest registers by their SDM encoding
 * (0 = RAX .. 15 = R15, RSP from the VMCS) and guest linear memory: a walk
 * of the guest's own page tables (none, 32-bit, PAE, 4-level; SDM 4.3-4.5)
 * to reach guest physical memory through the aspace.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/error.h"

static u64 *gpr_slot(struct arch_regs *r, u32 index)
{
	switch (index & 15) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 4: return NULL;	/* RSP lives in the VMCS */
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	default: return &r->r15;
	}
}

u64 vmx_gpr_get(struct arch_regs *r, u32 index)
{
	u64 *p = gpr_slot(r, index);

	return p ? *p : vmcs_read(VMCS_GUEST_RSP);
}

void vmx_gpr_set(struct arch_regs *r, u32 index, u64 value)
{
	u64 *p = gpr_slot(r, index);

	if (p)
		*p = value;
	else
		vmcs_write(VMCS_GUEST_RSP, value);
}

int vmx_guest_cpu_mode_cr0(u64 cr0)
{
	u64 ar;

	if (!(cr0 & X86_CR0_PE))
		return 16;	/* real mode: CS's attributes do not matter */
	ar = vmcs_read(VMCS_GUEST_CS_AR);
	if ((vmcs_read(VMCS_GUEST_EFER) & (1ULL << 10)) && (ar & (1u << 13)))
		return 64;	/* EFER.LMA and CS.L */
	return (ar & (1u << 14)) ? 32 : 16;	/* CS.D */
}

u64 vmx_guest_cr0(void)
{
	u64 mask = vmcs_read(VMCS_CR0_MASK);

	return (vmcs_read(VMCS_GUEST_CR0) & ~mask) | (vmcs_read(VMCS_CR0_SHADOW) & mask);
}

u64 vmx_guest_cr4(void)
{
	u64 mask = vmcs_read(VMCS_CR4_MASK);

	return (vmcs_read(VMCS_GUEST_CR4) & ~mask) | (vmcs_read(VMCS_CR4_SHADOW) & mask);
}

static bool read_gpa64(struct vmm_guest *g, u64 gpa, u64 *v)
{
	return vmm_guest_memory_read(g, gpa, v, 8) == 8;
}

/*
 * The access rights of a translation (SDM 4.6): with CPL 3 every level must
 * allow user access; a write needs every level writable at CPL 3, or with
 * CR0.WP set at CPL 0-2. 'rights' is the AND of the entries' bits 2:1.
 * SMEP/SMAP and protection keys are not applied here.
 */
static int gva_rights(u64 rights, bool write)
{
	bool user = vmx_guest_cpl() == 3;

	if (user && !(rights & 4))
		return -VMM_EACCESS;
	if (write && !(rights & 2) && (user || (vmcs_read(VMCS_GUEST_CR0) & X86_CR0_WP)))
		return -VMM_EACCESS;
	return VMM_OK;
}

/*
 * Returns VMM_OK with *gpa, -VMM_EFAULT when an entry is not present (or
 * cannot be read) and -VMM_EACCESS when the rights forbid the access: the
 * guest gets the #PF the CPU would raise (vmx_inject_page_fault()).
 */
int vmx_gva_walk(struct vmm_vcpu *v, u64 gva, bool write, u64 *gpa)
{
	struct vmm_guest *g = v->guest;
	u64 cr4 = vmcs_read(VMCS_GUEST_CR4), cr3 = vmcs_read(VMCS_GUEST_CR3);
	u64 efer = vmcs_read(VMCS_GUEST_EFER);
	u64 e, rights = 6;

	if (efer & (1ULL << 10)) {	/* 4-level paging */
		u64 table = cr3 & 0x000FFFFFFFFFF000ULL;

		for (int level = 3; level >= 0; level--) {
			if (!read_gpa64(g, table + ((gva >> (12 + 9 * level)) & 511) * 8, &e) || !(e & 1))
				return -VMM_EFAULT;
			rights &= e;
			if (level && level <= 2 && (e & (1ULL << 7))) {
				u64 size = 1ULL << (12 + 9 * level);

				*gpa = (e & 0x000FFFFFFFFFF000ULL & ~(size - 1)) | (gva & (size - 1));
				return gva_rights(rights, write);
			}
			table = e & 0x000FFFFFFFFFF000ULL;
		}
		*gpa = table | (gva & 0xFFF);
		return gva_rights(rights, write);
	}
	if (cr4 & X86_CR4_PAE) {	/* PAE: PDPTEs, then 2-level 64-bit entries */
		u64 table = (cr3 & 0xFFFFFFE0ULL);

		if (!read_gpa64(g, table + ((gva >> 30) & 3) * 8, &e) || !(e & 1))
			return -VMM_EFAULT;
		table = e & 0x000FFFFFFFFFF000ULL;	/* PDPTEs carry no rights */
		if (!read_gpa64(g, table + ((gva >> 21) & 511) * 8, &e) || !(e & 1))
			return -VMM_EFAULT;
		rights &= e;
		if (e & (1ULL << 7)) {
			*gpa = (e & 0x000FFFFFFFE00000ULL) | (gva & 0x1FFFFF);
			return gva_rights(rights, write);
		}
		table = e & 0x000FFFFFFFFFF000ULL;
		if (!read_gpa64(g, table + ((gva >> 12) & 511) * 8, &e) || !(e & 1))
			return -VMM_EFAULT;
		*gpa = (e & 0x000FFFFFFFFFF000ULL) | (gva & 0xFFF);
		return gva_rights(rights & e, write);
	}
	/* 32-bit paging */
	{
		u32 pde, pte;

		if (vmm_guest_memory_read(g, (cr3 & 0xFFFFF000) + ((gva >> 22) & 1023) * 4, &pde, 4) != 4 ||
		    !(pde & 1))
			return -VMM_EFAULT;
		if ((pde & (1u << 7)) && (cr4 & (1u << 4))) {	/* 4 MiB page with CR4.PSE */
			*gpa = (pde & 0xFFC00000u) | (gva & 0x3FFFFF);
			return gva_rights(pde, write);
		}
		if (vmm_guest_memory_read(g, (pde & 0xFFFFF000u) + ((gva >> 12) & 1023) * 4, &pte, 4) != 4 ||
		    !(pte & 1))
			return -VMM_EFAULT;
		*gpa = (pte & 0xFFFFF000u) | (gva & 0xFFF);
		return gva_rights(pde & pte, write);
	}
}

static size_t copy_linear(struct vmm_vcpu *v, u64 gva, void *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		u64 gpa, n = MIN((u64)(len - done), PAGE_SIZE - ((gva + done) & 0xFFF));

		if (vmx_gva_to_gpa(v, gva + done, write, &gpa))
			break;
		if (write)
			n = vmm_guest_memory_write_as_guest(v->guest, gpa, (const u8 *)buf + done, n, NULL);
		else
			n = vmm_guest_memory_read(v->guest, gpa, (u8 *)buf + done, n);
		if (!n)
			break;
		done += n;
	}
	return done;
}

size_t vmx_read_guest_linear(struct vmm_vcpu *v, u64 gva, void *buf, size_t len)
{
	return copy_linear(v, gva, buf, len, false);
}

size_t vmx_write_guest_linear(struct vmm_vcpu *v, u64 gva, const void *buf, size_t len)
{
	return copy_linear(v, gva, (void *)buf, len, true);
}
