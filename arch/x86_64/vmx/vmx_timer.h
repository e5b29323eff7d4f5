/*
 * arch/x86_64/vmx/vmx_timer.h - the VMX preemption timer of this CPU
 * (vmx_timer.c): set before VM entry from this CPU's earliest timer
 * event, and its VM exit.
 */
#ifndef ARCH_X86_64_VMX_VMX_TIMER_H
#define ARCH_X86_64_VMX_VMX_TIMER_H

#include "kernel/timer.h"
#include "arch/x86_64/percpu.h"

struct vmm_vcpu;
struct arch_regs;

/* The VM-entry fast-path test: this CPU's timer list changed since the
 * preemption timer was programmed (or it must be programmed anyway). */
static inline bool vmx_timer_stale(void)
{
	return this_cpu_u64_ne(preempt_generation, *this_cpu_read(timer_gen));
}

/* A VCPU came in on this CPU (its VMCS holds a value counted elsewhere),
 * or its preemption timer ran out: program it before the next VM entry. */
static inline void vmx_timer_vcpu_in(struct percpu *pc)
{
	pc->preempt_generation = vmm_timer_generation_cpu[pc->cpu_id].value - 1;
}

/* Before VM entry, when vmx_timer_stale(): program the preemption timer
 * of the current VMCS for this CPU's next timer event, to end just after
 * the APIC timer's deadline (one exit per event, not two). */
void vmx_timer_program(struct percpu *pc);

/* VM exit 52: the preemption timer ran out (a timer event is due). */
int vmx_exit_preemption_timer(struct vmm_vcpu *v, struct arch_regs *r);

#endif
