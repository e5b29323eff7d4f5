/*
 * kernel/scheduler.h - the VCPU scheduler (chapter 3 of the design): per
 * host CPU, round-robin over READY VCPUs; an orphan idle VCPU runs when
 * nothing else can. It is entered at the end of every exception, interrupt
 * and VM exit through vmm_scheduler_irq_process().
 */
#ifndef KERNEL_SCHEDULER_H
#define KERNEL_SCHEDULER_H

#include "kernel/types.h"
#include "kernel/vcpu_state.h"

struct vmm_vcpu;
struct arch_regs;

/* Make the code running now on this CPU its idle orphan VCPU. */
int vmm_scheduler_init_cpu(void);
/* Called by the manager after every state change. */
void vmm_scheduler_state_changed(struct vmm_vcpu *vcpu, enum vmm_vcpu_state from,
				 enum vmm_vcpu_state to);
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
/* Host timer tick (time slices); called by the arch timer interrupt. */
void vmm_scheduler_tick(struct arch_regs *regs, u64 elapsed_ns);
/* Ask for a new scheduling decision at the end of the current trap. */
void vmm_scheduler_preempt(void);
/*
 * The idle orphan has work (a deadline of the command it runs passed):
 * switch to it at the end of the current trap even if guests are READY,
 * putting the running VCPU back in the queue.
 */
void vmm_scheduler_idle_wakeup(void);
/*
 * The idle orphan has nothing to do for now: let READY VCPUs run, or wait
 * for an interrupt. While it waits it stays out of the round-robin; when it
 * is interrupted while working (running commands) it takes its turn in the
 * queue like any VCPU, so a busy guest cannot starve it.
 */
void vmm_scheduler_idle_wait(void);
/* From an orphan VCPU: let READY VCPUs run, return when scheduled again. */
void vmm_scheduler_yield(void);
struct vmm_vcpu *vmm_scheduler_current(void);
/* Number of READY VCPUs queued on this CPU. */
u32 vmm_scheduler_ready_count(void);

#endif
