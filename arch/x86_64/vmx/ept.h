/*
 * arch/x86_64/vmx/ept.h - looking into a guest's EPT (arch/x86_64/vmx/ept.c):
 * the walk for one guest physical address with every level's entry checked
 * against this CPU, and the test-only testept= fault injection. Building
 * the tables (ept_init, ept_map) is declared in vmx.h.
 */
#ifndef ARCH_X86_64_VMX_EPT_H
#define ARCH_X86_64_VMX_EPT_H

#include "kernel/types.h"
#include "arch/x86_64/vmx/ept_check.h"

struct vmx_guest;
struct vmm_guest;

/* One EPT walk, as the CPU would do it for one GPA (SDM 29.3.2). */
struct ept_walk {
	u64 entry[4];		/* by level: [3] PML4E .. [0] PTE */
	u64 *where[4];		/* the entries themselves (host pointers) */
	unsigned index[4];	/* each entry's index in its table */
	int last;		/* level of the last entry read */
	bool mapped;		/* entry[last] maps a page (present leaf) */
	const char *bad;	/* why entry[last] is malformed, or NULL */
};

/*
 * Walk vg's EPT for 'gpa' from the PML4 down. Stops at an entry that is
 * not present, malformed (its address is not followed), or maps a page.
 */
void ept_walk(const struct vmx_guest *vg, u64 gpa, struct ept_walk *w);

/* The CPU's physical-address width (CPUID 0x80000008 EAX[7:0]). */
unsigned ept_maxphyaddr(void);

/* ept_entry_check() with this CPU's EPT capabilities and MAXPHYADDR. */
const char *ept_entry_check_cpu(u64 entry, int level);

/*
 * Test only: apply testept=<guest>:<gpa>[:kind] from the kernel command
 * line to guest g, whose EPT has just been built: the leaf entry mapping
 * that GPA is made malformed (the caller's INVEPT follows). A bad value is
 * reported (once, naming the option) and changes nothing.
 */
void ept_testopt_apply(struct vmm_guest *g, struct vmx_guest *vg);

#endif
