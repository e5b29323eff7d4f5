/*
 * kernel/arch_timer.h - arch contract: the host's clock and one-shot timer.
 */
#ifndef KERNEL_ARCH_TIMER_H
#define KERNEL_ARCH_TIMER_H

#include "kernel/types.h"

/* Nanoseconds since boot. */
u64 arch_timer_now_ns(void);
/* Interrupt this CPU at (or soon after) absolute time 'expiry_ns'; ~0 stops. */
void arch_timer_program(u64 expiry_ns);
/* Seconds since 1970 from the host RTC at boot, 0 when unknown. */
u64 arch_timer_boot_wallclock_sec(void);

#endif
