/*
 * kernel/arch_test.h - arch contract for test-only hooks.
 */
#ifndef KERNEL_ARCH_TEST_H
#define KERNEL_ARCH_TEST_H

/*
 * Raise a CPU exception of the given kind ("pf", "null", "ud", "gp", "de",
 * "bp", "stack"); returns -VMM_EINVALID for an unknown kind.
 */
int arch_test_fault(const char *kind);

/*
 * testsignal=<list>: have another host CPU send physical signals to CPU0
 * while it runs a guest ("nmi", "init", "sipi:<hex vector>", comma-separated).
 * Checks the whole list first: an unknown kind is reported and nothing is
 * sent (-VMM_EINVALID); -VMM_ENOTAVAIL without a second CPU.
 */
int arch_test_signal(const char *list);

#endif
