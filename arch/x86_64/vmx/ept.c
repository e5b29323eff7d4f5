/*
 * arch/x86_64/vmx/ept.c - extended page tables (SDM 28.2): 4-level tables
 * built from a guest's real regions with the largest pages that fit (1 GiB,
 * 2 MiB, 4 KiB), write-back for RAM and ROM, uncached for device windows.
 * Virtual regions stay unmapped, so their accesses exit as EPT violations.
 * Memory no region covers below 4 GiB reads as the PC's open bus: a shared
 * read-only page of all-ones (ept_map_open_bus).
 * Also the walk for one GPA that the EPT-misconfiguration exit uses to say
 * which entry is malformed (the rules are in ept_check.c), and the test-only
 * testept= option that makes one malformed on purpose.
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/ept.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/cpu.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/config.h"
#include "kernel/manager.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/aspace.h"
#include "kernel/guest_config.h"

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

/* ---- open bus: memory no region covers ------------------------------ */

/*
 * On a PC a read of a physical address nothing decodes returns all-ones
 * (the bus floats high) and a write goes nowhere; operating systems scan
 * such ranges for firmware tables and option ROMs with any instruction.
 * For a guest that is not strict (unassigned_io = "halt"), every page
 * below 4 GiB that no region covers is mapped read/execute to one page of
 * 0xFF bytes: reads give all-ones without an exit, and an instruction
 * fetched there is FF FF, an invalid opcode (#UD in the guest, as on the
 * real bus). Writes are not allowed: they exit, and the EPT-violation
 * handler drops and reports them. The page, one page table made only of
 * it and one page directory made only of that table are shared by every
 * guest and never written after they are made: whole 2 MiB and 1 GiB
 * holes point at them. Above 4 GiB unassigned memory exits as before.
 */
#define OPEN_BUS_LIMIT (4 * GiB)
static u64 open_bus_page, open_bus_pt, open_bus_pd;

static int open_bus_tables(void)
{
	u64 *pt, *pd;

	if (open_bus_pd)
		return VMM_OK;
	open_bus_page = vmm_host_page_alloc(0);
	open_bus_pt = vmm_host_page_alloc(0);
	open_bus_pd = vmm_host_page_alloc(0);
	if (!open_bus_page || !open_bus_pt || !open_bus_pd) {
		open_bus_pd = 0;	/* tried again by the next guest */
		return -VMM_ENOMEM;
	}
	memset((void *)(uintptr_t)open_bus_page, 0xFF, PAGE_SIZE);
	pt = (u64 *)(uintptr_t)open_bus_pt;
	pd = (u64 *)(uintptr_t)open_bus_pd;
	for (unsigned i = 0; i < 512; i++) {
		pt[i] = open_bus_page | EPT_R | EPT_X | (EPT_MT_WB << 3);
		pd[i] = open_bus_pt | EPT_R | EPT_X;	/* no memory type in a non-leaf */
	}
	return VMM_OK;
}

/* Whether any memory region of 'as' overlaps [gpa, gpa + size). */
static bool any_region(const struct vmm_aspace *as, u64 gpa, u64 size)
{
	for (u32 i = 0; i < as->nr_regions; i++) {
		const struct vmm_region_config *c = as->regions[i].cfg;

		if (!c->io && c->gpa < gpa + size && gpa < c->gpa + c->size)
			return true;
	}
	return false;
}

/*
 * Point the empty entries of 'table' (at 'level', its first entry at
 * 'base') whose whole range no region touches at the open bus; descend
 * into those a region touches only in part. Entries already present are
 * the guest's mappings; a page a virtual region covers stays not present.
 */
static int open_bus_fill(struct vmx_guest *vg, const struct vmm_aspace *as, u64 *table,
			 int level, u64 base, u64 *holes)
{
	u64 span = PAGE_SIZE << (9 * level);
	int rc;

	for (unsigned i = 0; i < 512 && base + i * span < OPEN_BUS_LIMIT; i++) {
		u64 gpa = base + i * span, *e = &table[i], t;

		if (*e & 7) {
			if (level == 0 || (*e & EPT_LARGE))
				continue;	/* mapped by a region */
		} else if (level < 3 && !any_region(as, gpa, span)) {
			*e = level == 0 ? open_bus_page | EPT_R | EPT_X | (EPT_MT_WB << 3)
					: (level == 1 ? open_bus_pt : open_bus_pd) | EPT_R | EPT_X;
			*holes += span;
			continue;
		} else if (level == 0) {
			continue;		/* a virtual region's page: its accesses exit */
		} else {
			t = new_table(vg);
			if (!t)
				return -VMM_ENOMEM;
			*e = t | EPT_R | EPT_W | EPT_X;
		}
		rc = open_bus_fill(vg, as, (u64 *)(uintptr_t)(*e & EPT_ADDR_MASK), level - 1,
				   gpa, holes);
		if (rc)
			return rc;
	}
	return VMM_OK;
}

int ept_map_open_bus(struct vmx_guest *vg, const struct vmm_guest *g, u64 *holes)
{
	int rc;

	*holes = 0;
	if (g->config && g->config->strict_io)
		return VMM_OK;	/* every unassigned access exits and halts the guest */
	rc = open_bus_tables();
	if (rc)
		return rc;
	return open_bus_fill(vg, g->aspace, (u64 *)(uintptr_t)vg->ept_pml4, 3, 0, holes);
}

/* ---- freeing an EPT -------------------------------------------------- */

/* Whether 'pa' is one of the open-bus tables every guest shares. */
static bool ept_shared_table(u64 pa)
{
	return open_bus_pd && (pa == open_bus_pd || pa == open_bus_pt);
}

/* Free the tables below 'table' (at 'level') and then 'table' itself;
 * returns the pages freed. Leaves (pages, large pages) are the guest's
 * memory or the open-bus page: not ours to free here. */
static u64 free_table(u64 table, int level)
{
	u64 *t = (u64 *)(uintptr_t)table, n = 0;

	for (unsigned i = 0; level > 0 && i < 512; i++) {
		u64 e = t[i], next = e & EPT_ADDR_MASK;

		if (!(e & 7) || (e & EPT_LARGE) || ept_shared_table(next))
			continue;
		n += free_table(next, level - 1);
	}
	if (vmm_host_page_free(table))
		vmm_err("ept: table 0x%llx refused by the page allocator\n", (unsigned long long)table);
	return n + 1;
}

int ept_deinit(struct vmx_guest *vg)
{
	u64 freed;

	if (!vg->ept_pml4)
		return VMM_OK;
	freed = free_table(vg->ept_pml4, 3);
	vg->ept_pml4 = 0;
	vg->eptp = 0;
	if (freed != vg->ept_pages) {
		vmm_err("ept: %llu table pages freed, %llu were allocated\n",
			(unsigned long long)freed, (unsigned long long)vg->ept_pages);
		vg->ept_pages = 0;
		return -VMM_EFAULT;
	}
	vg->ept_pages = 0;
	return VMM_OK;
}

/* ---- looking into an EPT -------------------------------------------- */

/* The CPU's physical-address width (CPUID 0x80000008 EAX[7:0], SDM 4.1.4). */
unsigned ept_maxphyaddr(void)
{
	static unsigned bits;
	u32 a, b, c, d;

	if (!bits) {
		cpuid(0x80000000, &a, &b, &c, &d);
		bits = 36;
		if (a >= 0x80000008) {
			cpuid(0x80000008, &a, &b, &c, &d);
			if ((a & 0xFF) >= 32 && (a & 0xFF) <= 52)
				bits = a & 0xFF;
		}
	}
	return bits;
}

const char *ept_entry_check_cpu(u64 entry, int level)
{
	return ept_entry_check(entry, level, vmx_boot_caps()->ept_vpid, ept_maxphyaddr());
}

void ept_walk(const struct vmx_guest *vg, u64 gpa, struct ept_walk *w)
{
	u64 *table = (u64 *)(uintptr_t)vg->ept_pml4;

	memset(w, 0, sizeof(*w));
	for (int l = EPT_LEVEL_PML4E; l >= EPT_LEVEL_PTE; l--) {
		unsigned i = (gpa >> (12 + 9 * l)) & 511;
		u64 e = table[i];

		w->last = l;
		w->index[l] = i;
		w->where[l] = &table[i];
		w->entry[l] = e;
		if (!(e & 7))
			return;		/* not present */
		w->bad = ept_entry_check_cpu(e, l);
		if (w->bad)
			return;		/* its address cannot be trusted */
		if (ept_entry_is_leaf(e, l)) {
			w->mapped = true;
			return;
		}
		table = (u64 *)(uintptr_t)(e & EPT_ADDR_MASK);
	}
}

/* ---- testept=: a malformed entry on purpose (test only) --------------- */

static const char *const poison_names[] = {
	[EPT_POISON_WO] = "wo", [EPT_POISON_MEMTYPE] = "memtype", [EPT_POISON_RSVD] = "rsvd",
};

/*
 * Read and check testept= once: its syntax, and that the guest it names is
 * in the configuration. NULL when absent or bad (reported here).
 */
static const struct ept_testopt *testopt(void)
{
	static struct ept_testopt opt;
	static bool parsed, valid;
	const struct vmm_boot_info *bi = vmm_boot_info();
	const struct vmm_config *cfg = vmm_config();
	char val[128];
	const char *why;
	int rc;

	if (parsed)
		return valid ? &opt : NULL;
	parsed = true;
	if (!bi)
		return NULL;
	rc = vmm_cmdline_get(bi->cmdline, "testept", val, sizeof(val));
	if (rc == -VMM_ENOENT)
		return NULL;
	if (rc < 0) {
		vmm_err("cmdline: testept=%s...: value too long; nothing changed\n", val);
		return NULL;
	}
	if (ept_testopt_parse(val, &opt, &why)) {
		vmm_err("cmdline: testept=%s: %s; nothing changed\n", val, why);
		return NULL;
	}
	for (u32 i = 0; cfg && i < cfg->nr_guests; i++)
		if (!strcmp(cfg->guests[i].name, opt.guest))
			valid = true;
	if (!valid)
		vmm_err("cmdline: testept=%s: no guest '%s' in the configuration; nothing changed\n",
			val, opt.guest);
	return valid ? &opt : NULL;
}

void ept_testopt_apply(struct vmm_guest *g, struct vmx_guest *vg)
{
	const struct ept_testopt *opt = testopt();
	struct ept_walk w;
	u64 old, new;

	if (!opt || strcmp(opt->guest, g->name))
		return;
	ept_walk(vg, opt->gpa, &w);
	if (!w.mapped) {
		vmm_err("cmdline: testept=%s:0x%llx: GPA 0x%llx is not mapped in the EPT of guest %s "
			"(outside its real regions); nothing changed\n", opt->guest,
			(unsigned long long)opt->gpa, (unsigned long long)opt->gpa, g->name);
		return;
	}
	old = w.entry[w.last];
	new = ept_poison_entry(old, opt->kind);
	if (!ept_entry_check_cpu(new, w.last)) {
		vmm_err("cmdline: testept=%s:0x%llx:%s: that entry would still be valid on this CPU; "
			"nothing changed\n", opt->guest, (unsigned long long)opt->gpa,
			poison_names[opt->kind]);
		return;
	}
	*w.where[w.last] = new;	/* arch_guest_init's INVEPT follows */
	vmm_warn("testept: guest %s: EPT %s[%u] for GPA 0x%llx made malformed (%s, test only): "
		 "0x%llx -> 0x%llx\n", g->name, ept_level_name(w.last), w.index[w.last],
		 (unsigned long long)opt->gpa, poison_names[opt->kind],
		 (unsigned long long)old, (unsigned long long)new);
}
