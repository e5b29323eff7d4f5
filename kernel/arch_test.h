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

#endif
