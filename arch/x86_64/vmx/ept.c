/*
 * arch/x86_64/vmx/ept.c - extended page tables (SDM 28.2): 4-level tables
 * built from a guest's real regions with the largest pages that fit (1 GiB,
 * 2 MiB, 4 KiB), write-back for RAM and ROM, uncached for device windows.
 * Virtual regions stay unmapped, so their accesses exit as EPT violations.
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
