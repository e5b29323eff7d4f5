/*
 * arch/x86_64/vmx/ept.c - extended page tables (SDM 28.2): 4-level tables
 * built from a guest's real regions with the largest pages that fit (1 GiB,
 * 2 MiB, 4 KiB), write-back for RAM and ROM, uncached for device windows.
 * Virtual regions stay unmapped, so their accesses exit as EPT violations.
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "kernel/host_mem.h"
#include "kernel/error.h"

#define EPT_LARGE (1ULL << 7)
#define EPT_ADDR_MASK 0x000FFFFFFFFFF000ULL

static u64 new_table(struct vmx_guest *vg)
{
	u64 pa = vmm_host_page_alloc(0);

	if (pa) {
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
		vg->ept_pages++;
	}
	return pa;
}

int ept_init(struct vmx_guest *vg)
{
	vg->ept_pml4 = new_table(vg);
	if (!vg->ept_pml4)
		return -VMM_ENOMEM;
	/* SDM 24.6.11: WB paging structures, 4-level walk (length - 1 = 3) */
	vg->eptp = vg->ept_pml4 | (3 << 3) | EPT_MT_WB;
	return VMM_OK;
}

/* Table entry for 'gpa' at 'level' (3 = PML4 .. 0 = PT), creating tables. */
static u64 *walk(struct vmx_guest *vg, u64 gpa, int level)
{
	u64 *table = (u64 *)(uintptr_t)vg->ept_pml4;

	for (int l = 3; l > level; l--) {
		u64 *e = &table[(gpa >> (12 + 9 * l)) & 511];

		if (!(*e & 7)) {
			u64 t = new_table(vg);

			if (!t)
				return NULL;
			*e = t | EPT_R | EPT_W | EPT_X;
		} else if (*e & EPT_LARGE) {
			return NULL;	/* already covered by a large page */
		}
		table = (u64 *)(uintptr_t)(*e & EPT_ADDR_MASK);
	}
	return &table[(gpa >> (12 + 9 * level)) & 511];
}

int ept_map(struct vmx_guest *vg, u64 gpa, u64 hpa, u64 size, u32 perms, u32 memtype)
{
	u64 caps = vmx_boot_caps()->ept_vpid;

	while (size) {
		int level = 0;
		u64 *e;

		if ((caps & EPT_CAP_1G) && IS_ALIGNED(gpa | hpa, GiB) && size >= GiB)
			level = 2;
		else if ((caps & EPT_CAP_2M) && IS_ALIGNED(gpa | hpa, 2 * MiB) && size >= 2 * MiB)
			level = 1;
		e = walk(vg, gpa, level);
		if (!e)
			return -VMM_ENOMEM;
		if (*e & 7)
			return -VMM_EEXIST;
		*e = hpa | perms | (memtype << 3) | (level ? EPT_LARGE : 0);
		vg->ept_maps[level]++;
		gpa += PAGE_SIZE << (9 * level);
		hpa += PAGE_SIZE << (9 * level);
		size -= PAGE_SIZE << (9 * level);
	}
	return VMM_OK;
}
