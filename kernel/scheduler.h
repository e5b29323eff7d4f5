/*
 * kernel/scheduler.h - the VCPU scheduler (chapter 3 of the design) on every
 * host CPU.
 *
 * Each host CPU has a ready queue (kernel/sched_queue.h: a FIFO per
 * priority) and an idle orphan VCPU that only idles. The rule: strict
 * priority between priorities (a READY VCPU of a higher priority preempts
 * at once), round robin within one (the running VCPU gives way to an equal
 * priority at the end of its own time slice, or when it yields). The end
 * of a slice is a one-shot timer event on that CPU (kernel/timer.h); it is
 * chapter 3's vmm_scheduler_tick(), with no periodic tick when nothing is
 * due. A VCPU without `affinity` is placed on an idle CPU when it becomes
 * READY (else on the least loaded one), and a CPU that would idle takes a
 * READY VCPU waiting on a busy CPU; a VCPU with `affinity` runs only on
 * the CPUs it lists.
 *
 * Every state change goes through vmm_scheduler_state_change(): the check
 * against figure 3 (kernel/vcpu_state.c) and the run-queue update are one
 * critical section under one lock; only the scheduler takes the two
 * "Scheduler" arrows (READY -> RUNNING, RUNNING -> READY); a change to a
 * VCPU running on another CPU is carried out by that CPU at the end of
 * the trap the kick (arch_cpu_kick) causes.
 */
#ifndef KERNEL_SCHEDULER_H
#define KERNEL_SCHEDULER_H

#include "kernel/types.h"
#include "kernel/vcpu_state.h"

struct vmm_vcpu;
struct arch_regs;

/* Make the code running now on this CPU its idle orphan VCPU. */
int vmm_scheduler_init_cpu(void);
/* The idle orphan's loop: wait for interrupts; every trap ends in a decision. */
void vmm_scheduler_idle_loop(void) __attribute__((noreturn));

/*
 * Change v's state along an arrow of figure 3 (never a "Scheduler" arrow),
 * with the run-queue update in the same critical section. 'op' names the
 * operation in the refusal message ("kick", "pause", ...). Returns
 * -VMM_EILLEGAL, with a message naming the VCPU, the states and the
 * operation, when figure 3 has no such arrow.
 */
int vmm_scheduler_state_change(struct vmm_vcpu *v, enum vmm_vcpu_state to, const char *op);
/*
 * The same, only when v is in one of the states of 'from_mask' (bit n:
 * state n) at the moment of the change: an operation that means one arrow
 * (resume: PAUSED -> READY; kick: RESET -> READY) does not take another
 * one to the same state when the VCPU changed meanwhile (a wakeup racing a
 * reset). Otherwise -VMM_EILLEGAL, with "<op> refused: it is <state>"
 * unless VMM_SCHED_QUIET is in the mask.
 */
#define VMM_SCHED_ANY_STATE ((1u << VMM_VCPU_STATE_COUNT) - 1)
#define VMM_SCHED_QUIET (1u << 31)
int vmm_scheduler_state_change_from(struct vmm_vcpu *v, u32 from_mask, enum vmm_vcpu_state to,
				    const char *op);
/*
 * The same for a sequence of arrows taken at once (e.g. PAUSED -> READY ->
 * HALTED for halting a paused VCPU): no CPU sees the states in between.
 * Stops at the first refused arrow (nothing of it is applied).
 */
int vmm_scheduler_state_change2(struct vmm_vcpu *v, enum vmm_vcpu_state via,
				enum vmm_vcpu_state to, const char *op);
/*
 * Change where v may run (bit n: host CPU n; 0: any) from any CPU: queued
 * on a CPU it may no longer use, it is queued again elsewhere; running on
 * one, that CPU lets it go at once. -VMM_EINVALID when the mask names no
 * CPU that runs the scheduler (or v is an idle orphan).
 */
int vmm_scheduler_set_affinity(struct vmm_vcpu *v, u64 mask);
/* Wait (interrupts on, thread context) until v runs on no CPU. */
void vmm_scheduler_wait_off_cpu(struct vmm_vcpu *v);
/*
 * Run fn(v, arg) with the scheduler lock held when v runs on no CPU (so it
 * cannot start running meanwhile); -VMM_EBUSY, and *cpu = where it runs,
 * when it is on a CPU.
 */
int vmm_scheduler_with_vcpu_off_cpu(struct vmm_vcpu *v, void (*fn)(struct vmm_vcpu *v, void *arg),
				    void *arg, u32 *cpu);

/*
 * The end of every trap: pick the VCPU to return to and switch to it. Every
 * exception, interrupt and VM exit ends here, so the common case (no
 * decision pending on any CPU) is one test of a flag word, inline.
 */
extern volatile u32 vmm_scheduler_resched_cpus;
void vmm_scheduler_resched(struct arch_regs *regs);
static inline void vmm_scheduler_irq_process(struct arch_regs *regs)
{
	if (__builtin_expect(vmm_scheduler_resched_cpus != 0, 0))
		vmm_scheduler_resched(regs);
}
/* The current VCPU gives way to READY VCPUs of its priority at the end of
 * this trap (a PAUSE-loop exit, a yield). */
void vmm_scheduler_preempt(void);
/* From an orphan VCPU: let READY VCPUs of its priority run; returns when
 * it is scheduled again (at once when nobody waits). */
void vmm_scheduler_yield(void);
/* From an orphan VCPU that changed its own state (paused itself): trap
 * into the scheduler now; returns when it runs again. */
void vmm_scheduler_block(void);
struct vmm_vcpu *vmm_scheduler_current(void);
/* Number of READY VCPUs queued on this CPU. */
u32 vmm_scheduler_ready_count(void);

/* What `sched` shows of a host CPU. */
struct vmm_sched_cpu_info {
	bool up;
	struct vmm_vcpu *current;
	u32 ready;
	u64 switches;
	u64 idle_ns;
	/* a VCPU running here stopped (paused, halted, reset) from another
	 * CPU: how often, and from the change to its switch-out here */
	u64 remote_stops, remote_stop_ns, remote_stop_max_ns;
};
void vmm_scheduler_cpu_info(u32 cpu, struct vmm_sched_cpu_info *out);

#endif
