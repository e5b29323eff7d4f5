/*
 * arch/x86_64/vmx/ept_check.h - the rules that make an EPT paging-structure
 * entry malformed (an EPT misconfiguration, SDM vol. 3C 29.3.3.1), as a pure
 * function, and the parser of the test-only testept= option. Pure
 * computation: unit-tested on the host (tests/unit/test_ept_check.c).
 */
#ifndef ARCH_X86_64_VMX_EPT_CHECK_H
#define ARCH_X86_64_VMX_EPT_CHECK_H

#include "kernel/types.h"

/* EPT levels: the entry read at each step of a walk */
#define EPT_LEVEL_PML4E 3
#define EPT_LEVEL_PDPTE 2
#define EPT_LEVEL_PDE 1
#define EPT_LEVEL_PTE 0

/* entry format: a large page (in a PDPTE or PDE), the address bits */
#define EPT_LARGE (1ULL << 7)
#define EPT_ADDR_MASK 0x000FFFFFFFFFF000ULL

/* "PML4E", "PDPTE", "PDE", "PTE" */
const char *ept_level_name(int level);

/*
 * Why 'entry', read at 'level' of an EPT walk, is malformed, or NULL when
 * it is not present (a violation, not a misconfiguration) or well formed.
 * 'ept_caps' is IA32_VMX_EPT_VPID_CAP (execute-only, 2 MiB and 1 GiB page
 * support), 'maxphyaddr' the CPU's physical-address width (CPUID
 * 0x80000008 EAX[7:0]); address bits from there to 51 are reserved.
 */
const char *ept_entry_check(u64 entry, int level, u64 ept_caps, unsigned maxphyaddr);

/* true when 'entry' at 'level' maps a page (a PTE, or bit 7 above it) */
bool ept_entry_is_leaf(u64 entry, int level);

/* How testept= makes the leaf entry malformed. */
enum ept_poison {
	EPT_POISON_WO,		/* "wo": write permission without read (bits 2:0 = 010b) */
	EPT_POISON_MEMTYPE,	/* "memtype": reserved memory type 2 */
	EPT_POISON_RSVD,	/* "rsvd": address bit 51 (reserved below 52-bit MAXPHYADDR) */
};

struct ept_testopt {
	char guest[64];
	u64 gpa;
	enum ept_poison kind;
};

/*
 * Parse the value of testept=, "<guest>:<gpa hex>[:wo|memtype|rsvd]" (the
 * GPA with or without 0x). Returns 0, or -VMM_EINVALID with a short
 * explanation in *why.
 */
int ept_testopt_parse(const char *val, struct ept_testopt *opt, const char **why);

/* The entry 'entry' made malformed the way 'kind' says. */
u64 ept_poison_entry(u64 entry, enum ept_poison kind);

#endif
