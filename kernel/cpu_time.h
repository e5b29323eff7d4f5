/*
 * kernel/cpu_time.h - where each host CPU's time went since the scheduler
 * started on it: in guest mode (counted by the arch between VM entry and
 * exit, arch_cpu_guest_ns), idle (the scheduler's idle orphan had the CPU)
 * and in the hypervisor (the rest: exits, the scheduler, threads,
 * interrupts). What "host cpu stats" prints.
 */
#ifndef KERNEL_CPU_TIME_H
#define KERNEL_CPU_TIME_H

#include "kernel/types.h"

/* The scheduler, on CPU 'cpu', under its lock: */
/* the CPU starts (idle) at 'now' */
void vmm_cpu_time_start(u32 cpu, u64 now_ns);
/* its idle orphan gets / leaves the CPU at 'now' */
void vmm_cpu_time_idle_enter(u32 cpu, u64 now_ns);
void vmm_cpu_time_idle_leave(u32 cpu, u64 now_ns);

/* One CPU's split, each share in per mille (the three add up to 1000). */
struct vmm_cpu_time {
	bool up;
	u64 total_ns;		/* since the scheduler started on it */
	u64 guest_ns, hyp_ns, idle_ns;
	u32 guest_pm, hyp_pm, idle_pm;
};
/*
 * The split of 'total' given the idle and guest time measured: idle is
 * capped at the total and guest time at what idle leaves (the two clocks
 * are read at slightly different moments); hypervisor time is the rest.
 */
void vmm_cpu_time_split(u64 total, u64 idle, u64 guest, struct vmm_cpu_time *out);
/* Idle ns of 'cpu' up to 'now' (the current idle stretch included). */
u64 vmm_cpu_time_idle_ns(u32 cpu, u64 now_ns);
/* CPU 'cpu' at 'now' (any CPU may ask); out->up false if never started. */
void vmm_cpu_time_get(u32 cpu, u64 now_ns, struct vmm_cpu_time *out);
/* "host cpu stats": one line per started CPU. */
int vmm_cpu_time_print(u64 now_ns);

#endif
