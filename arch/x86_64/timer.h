/*
 * arch/x86_64/timer.h - x86 side of the host timer (arch/x86_64/timer.c).
 */
#ifndef ARCH_X86_64_TIMER_H
#define ARCH_X86_64_TIMER_H

#include "kernel/types.h"

#define ARCH_TIMER_VECTOR 0xF0

int arch_timer_init(void);
u64 arch_timer_tsc_hz(void);
u64 arch_timer_ns_to_tsc(u64 ns);
/* TSC value at which the earliest timer event is due (~0: none). */
extern u64 arch_timer_next_tsc;

#endif
