/*
 * arch/x86_64/vmx/vmx_exit_initsipi.c - physical INIT and SIPI while a
 * guest VCPU runs (exit reasons 3 and 4), and the announcement that lets
 * a SIPI reach a VCPU at all.
 *
 * INIT: a physical INIT that reaches a CPU in VMX non-root operation always
 * exits (SDM 25.2); in root operation it is held pending and exits at the
 * next VM entry. It is the running VCPU's INIT: the VCPU gets the
 * architectural INIT state (vmx_vcpu_init_signal: CS 0xF000 base
 * 0xFFFF0000 IP 0xFFF0, EDX the CPU signature, CR0 0x60000010 as the guest
 * reads it, RFLAGS 2, DR7 0x400, real-mode segments, EFER 0; x87/SSE,
 * XCR0, other MSRs and the TSC kept) and the VMCS guest activity state
 * wait-for-SIPI (3), which IA32_VMX_MISC bit 8 must allow (else the VCPU
 * is halted with the reason).
 *
 * Where it waits: a VCPU entered in wait-for-SIPI holds its CPU until a
 * SIPI comes. External interrupts and the VMX-preemption timer do not end
 * that state (SDM 25.5.1: the timer causes no exit in wait-for-SIPI; seen
 * in Bochs 2.7 too, see README), so with nothing coming CPU0's timers, its
 * other guests and the terminal would stop for good. So after INIT the
 * VCPU is PAUSED and marked wait_sipi; it is entered in wait-for-SIPI only
 * when a SIPI is announced (vmx_sipi_expect, called on this CPU by the
 * sender through a cross-CPU call), and the sender repeats the SIPI until
 * the exit happened, since a SIPI that arrives while the CPU is in root
 * operation is lost. An INIT alone therefore leaves the VCPU PAUSED
 * waiting for SIPI while everything else runs on.
 *
 * SIPI: exits only in wait-for-SIPI (SDM 25.2); vector V starts the VCPU
 * in real mode at CS V << 8, base V << 12, IP 0, activity state active.
 *
 * Virtual INIT and SIPI (a guest's local APIC, devemu/lapic.c, through
 * kernel/vcpu_irq.c) use none of this: INIT pauses the VCPU, and the SIPI
 * that follows marks it (arch_vcpu_sipi) so that its next switch-in gives
 * it the INIT state and the start (vmx_vcpu_sipi_start) - the INIT state
 * cannot be seen before the SIPI, so applying both then is the same.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/percpu.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define ACTIVITY_ACTIVE 0
#define ACTIVITY_WAIT_SIPI 3
#define VMX_MISC_WAIT_SIPI (1ULL << 8)	/* IA32_VMX_MISC: activity state 3 supported */

volatile u64 vmx_sipi_exits;

int vmx_exit_init(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	struct percpu *pc = this_cpu();
	u64 cs = vmcs_read(VMCS_GUEST_CS_SEL), rip = vmcs_read(VMCS_GUEST_RIP);
	int rc;

	(void)r;
	/* every INIT in this system is one the hypervisor sent (guests have no
	 * LAPIC); more INIT exits than that is the emulator bug described above */
	if (++pc->init_taken > __atomic_load_n(&pc->init_sent, __ATOMIC_ACQUIRE) &&
	    !pc->init_stale_reported) {
		pc->init_stale_reported = true;
		vmm_warn("vmx: CPU%u: %u INIT exits but %u INIT%s sent to this CPU: it delivers a taken INIT again (Bochs 2.7 does; fixed in Bochs 2.8): every VCPU entered here in the active state is INIT again\n",
			 pc->cpu_id, pc->init_taken, pc->init_sent, pc->init_sent == 1 ? "" : "s");
	}
	if (!(vmx_boot_caps()->misc & VMX_MISC_WAIT_SIPI))
		return vmx_halt_vcpu(v, "INIT received, but this CPU has no wait-for-SIPI activity state (IA32_VMX_MISC bit 8 clear)");
	rc = vmx_vcpu_init_signal(v);
	if (rc)
		return vmm_manager_vcpu_halt(v, "INIT received, but the VCPU could not be put in the INIT state (%s)",
					     vmm_strerror(rc));
	vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_WAIT_SIPI);
	vx->wait_sipi = true;
	vmm_vcpu_irq_wait_cancel(v);	/* an interrupt does not end wait-for-SIPI */
	vmm_info("guest %s: vcpu%u: INIT received at %04llx:%04llx: waiting for SIPI\n", v->guest->name,
		 v->subid, (unsigned long long)cs, (unsigned long long)rip);
	return vmm_vcpu_set_state(v, VMM_VCPU_STATE_PAUSED);
}

u32 vmx_sipi_expect(void)
{
	u32 cpu = this_cpu()->cpu_id, n = 0;

	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);
		struct vmx_vcpu *vx;

		if (!v || !v->is_normal || v->host_cpu != cpu)
			continue;
		vx = v->arch_priv;
		if (vx && vx->wait_sipi && v->state == VMM_VCPU_STATE_PAUSED &&
		    vmm_vcpu_set_state(v, VMM_VCPU_STATE_READY) == VMM_OK)
			n++;
	}
	this_cpu()->sipi_expected += n;
	return n;
}

int vmx_exit_sipi(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 vec = vmcs_read(VMCS_EXIT_QUALIFICATION) & 0xFF;
	struct percpu *pc = this_cpu();

	(void)r;
	__atomic_fetch_add(&vmx_sipi_exits, 1, __ATOMIC_ACQ_REL);
	if (pc->sipi_expected)
		pc->sipi_expected--;
	/* a start, not a finished instruction: RIP is set here on purpose and
	 * the handler returns VMM_OK, outside the dispatcher's rule (vmx_exit.c) */
	vmcs_write(VMCS_GUEST_CS_SEL, vec << 8);
	vmcs_write(VMCS_GUEST_CS_BASE, vec << 12);
	vmcs_write(VMCS_GUEST_RIP, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	/* no blocking after a start-up; Bochs 2.7 reports "blocking by SMI"
	 * here (it masks SMIs in wait-for-SIPI), which VM entry outside SMM
	 * refuses (SDM 26.3.1.5) */
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vx->wait_sipi = false;
	vmm_info("guest %s: vcpu%u: SIPI vector 0x%02llx: starting at 0x%llx\n", v->guest->name,
		 v->subid, (unsigned long long)vec, (unsigned long long)(vec << 12));
	return VMM_OK;
}

void vmx_vcpu_sipi_start(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 vec = vx->sipi_vector;

	vx->sipi_start = false;
	/* the INIT state is built in its VMCS, loaded here; vmx_vcpu_init_signal
	 * leaves it loaded (also for a VCPU not yet this CPU's guest_vcpu) */
	if (vmx_vmcs_load(vx->vmcs) || vmx_vcpu_init_signal(v)) {
		vmm_manager_vcpu_halt(v, "SIPI vector 0x%02llx: the VCPU could not be put in the INIT state",
				      (unsigned long long)vec);
		return;
	}
	vmcs_write(VMCS_GUEST_CS_SEL, vec << 8);
	vmcs_write(VMCS_GUEST_CS_BASE, vec << 12);
	vmcs_write(VMCS_GUEST_RIP, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vx->wait_sipi = false;
	vx->enter_wait_sipi = false;
	vmm_info("guest %s: vcpu%u: SIPI vector 0x%02llx: starting at 0x%llx\n", v->guest->name,
		 v->subid, (unsigned long long)vec, (unsigned long long)(vec << 12));
}
