/*
 * arch/x86_64/vmx/vmx_timer.c - the VMX preemption timer (SDM 25.5.1): it
 * ends a guest's run at this CPU's next timer event, whatever the guest
 * does with its interrupt flag (the APIC timer alone does not: see
 * platform-notes, Bochs does not exit for a pending host interrupt when
 * both IFs are 0). It is set to end just after the APIC timer's TSC
 * deadline, so the APIC timer ends the run whenever it can and one event
 * costs one exit. The VMCS keeps counting down across exits (save-value
 * exit control), so the value is reprogrammed only when this CPU's timer
 * generation changed, a VCPU came in, or the timer ran out; its exit goes
 * to the one expiry path, vmm_timer_expired().
 */
#include "arch/x86_64/vmx/vmx_timer.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/cpu.h"
#include "kernel/error.h"

void vmx_timer_program(struct percpu *pc)
{
	u64 gen = *pc->timer_gen, next, deadline, now, ticks;
	u32 shift = vmx_preemption_shift;

	if (shift == 0xFF) {
		pc->preempt_generation = gen;	/* no preemption timer: nothing to do */
		return;
	}
	/* without the save-value control every entry reloads the full value */
	pc->preempt_generation = vmx_preemption_saved ? gen : gen - 1;
	next = vmm_timer_next_expiry();
	if (next == ~0ULL) {
		ticks = 0xFFFFFFFFULL;
	} else {
		/* the APIC timer's deadline when it is set for this expiry
		 * (the usual case), else the same conversion */
		deadline = next == pc->timer_next_ns ? pc->timer_next_tsc : arch_timer_tsc_at_ns(next);
		now = rdtsc();
		/*
		 * It counts down as bit 'shift' of the TSC changes: rounded
		 * up and one count more, it ends after the deadline, never
		 * before. Ending first it would win against the APIC timer's
		 * interrupt (the SDM ranks its VM exit above external
		 * interrupts), which, already pending, then costs a second
		 * exit that finds nothing due. So the APIC timer brings the
		 * guest out whenever it can, this one only when it cannot (a
		 * guest with interrupts off, platform notes). A deadline
		 * passed: the APIC interrupt is pending, 1 lets it exit first.
		 */
		ticks = deadline > now ? ((deadline - now + (1ULL << shift) - 1) >> shift) + 1 : 1;
		if (ticks > 0xFFFFFFFFULL)
			ticks = 0xFFFFFFFFULL;
	}
	vmcs_write(VMCS_PREEMPTION_TIMER, ticks);
}

int vmx_exit_preemption_timer(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	/* the VMCS value is 0 now (and it may have run out a little early):
	 * set it again before the next entry, whatever the list does */
	vmx_timer_vcpu_in(this_cpu());
	vmm_timer_expired();
	arch_smp_call_poll();	/* a call whose IPI made no exit (smp.h) */
	return VMM_OK;
}
