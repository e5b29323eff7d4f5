/*
 * kernel/panic.h - fatal errors of the hypervisor itself (broken invariants).
 * A guest's error never panics: the guest is halted with a reason instead.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/types.h"

/* Print the message, a register dump and a backtrace, then stop. */
void vmm_panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* What a fatal error does once reported: stop the CPU (default) or power off. */
void vmm_panic_set_poweroff(bool poweroff);
/* Report that this CPU is stopping, then stop it (or power off). */
void vmm_fatal_stop(void) __noreturn;

#define BUG_ON(cond) \
	do { if (unlikely(cond)) vmm_panic("BUG: %s at %s:%d\n", #cond, __FILE__, __LINE__); } while (0)

#endif
