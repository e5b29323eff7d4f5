/*
 * arch/x86_64/timer.h - x86 side of the host timer (arch/x86_64/timer.c).
 */
#ifndef ARCH_X86_64_TIMER_H
#define ARCH_X86_64_TIMER_H

#include "kernel/types.h"
#include "arch/x86_64/percpu.h"

#define ARCH_TIMER_VECTOR 0xF0

/* Calibrate the clock (tsc_calibrate= of the command line may force its
 * source) and the APIC timer, arm the bootstrap CPU's. */
int arch_timer_init(const char *cmdline);
/* Arm this CPU's APIC timer (each AP, once, after lapic_enable_cpu()). */
void arch_timer_init_cpu(void);
u64 arch_timer_tsc_hz(void);
u64 arch_timer_ns_to_tsc(u64 ns);
/* A TSC interval in ns. */
u64 arch_timer_tsc_to_ns(u64 ticks);
/* The first TSC value at which vmm_timer_now_ns() reaches 'ns'. */
u64 arch_timer_tsc_at_ns(u64 ns);
/* TSC value at which this CPU's earliest timer event is due (~0: none). */
static inline u64 arch_timer_next_tsc(void)
{
	return this_cpu()->timer_next_tsc;
}

#endif
