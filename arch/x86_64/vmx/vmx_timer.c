/*
 * arch/x86_64/vmx/vmx_timer.c - the VMX preemption timer (SDM 25.5.1): it
 * ends a guest's run at this CPU's next timer event, whatever the guest
 * does with its interrupt flag (the APIC timer alone does not: see
 * platform-notes, Bochs does not exit for a pending host interrupt when
 * both IFs are 0). The VMCS keeps counting down across exits (save-value
 * exit control), so the value is reprogrammed only when this CPU's timer
 * generation changed, a VCPU came in, or the timer ran out; its exit goes
 * to the one expiry path, vmm_timer_expired().
 */
#include "arch/x86_64/vmx/vmx_timer.h"
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/timer.h"
#include "kernel/error.h"

void vmx_timer_program(struct percpu *pc)
{
	u64 gen = vmm_timer_generation_cpu[pc->cpu_id].value, next, now, ticks;

	if (vmx_preemption_shift == 0xFF) {
		pc->preempt_generation = gen;	/* no preemption timer: nothing to do */
		return;
	}
	/* without the save-value control every entry reloads the full value */
	pc->preempt_generation = vmx_preemption_saved ? gen : gen - 1;
	next = vmm_timer_next_expiry();
	if (next == ~0ULL) {
		ticks = 0xFFFFFFFFULL;
	} else {
		now = vmm_timer_now_ns();
		ticks = next > now ? arch_timer_ns_to_tsc(next - now) >> vmx_preemption_shift : 0;
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
	return VMM_OK;
}
