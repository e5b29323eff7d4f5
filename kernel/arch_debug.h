/*
 * kernel/arch_debug.h - arch contract: register dumps and backtraces of the
 * current CPU, used by vmm_panic().
 */
#ifndef KERNEL_ARCH_DEBUG_H
#define KERNEL_ARCH_DEBUG_H

/* Dump the caller's registers and a backtrace from the caller's frame. */
void arch_dump_current(void);
/* Name of the symbol containing 'addr' and the offset into it, or NULL. */
const char *arch_symbol_lookup(unsigned long addr, unsigned long *offset);

#endif
