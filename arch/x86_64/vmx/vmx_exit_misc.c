/*
 * arch/x86_64/vmx/vmx_exit_misc.c - small exit handlers: exceptions and
 * NMIs, external interrupts, triple fault, interrupt window, HLT,
 * INVD/WBINVD, VMX and other hidden instructions (#UD), PAUSE and EPT
 * misconfiguration. (INIT and SIPI: vmx_exit_initsipi.c; the preemption
 * timer: vmx_timer.c.)
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/ept.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/host_irq.h"
#include "kernel/printk.h"
#include "devemu/lapic.h"
#include "devemu/devemu.h"
#include "kernel/timer.h"
#include "kernel/error.h"

/*
 * Exception or NMI in the guest (SDM 27.2.2): host NMIs to the host, the
 * rest reflected.
 *
 * NMI: with "NMI exiting" every NMI that arrives in non-root operation is
 * the host's (another CPU's stop request at a panic, or one nobody asked
 * for) and never reaches the guest. It goes to the same host NMI logic as
 * an NMI in root operation (smp_host_nmi): a stop request stops this CPU
 * here, anything else is reported and the guest continues. This runs as an
 * ordinary exit handler (not in NMI context), where printing is safe; the
 * NMI blocking the CPU sets after such an exit (SDM 27.1) is lifted there
 * with an IRET to itself, not by calling the IST handler (smp.c).
 */
volatile u64 vmx_nmi_exits;

int vmx_exit_exception(struct vmm_vcpu *v, struct arch_regs *r)
{
	u32 info = (u32)vmcs_read(VMCS_EXIT_INTR_INFO);
	u32 vector = info & 0xFF, type = info & (7u << 8);

	if (type == INTR_TYPE_NMI) {
		struct arch_regs at = *r;

		__atomic_fetch_add(&vmx_nmi_exits, 1, __ATOMIC_ACQ_REL);
		at.rip = vmcs_read(VMCS_GUEST_RIP);
		smp_host_nmi(&at, v);
		return VMM_OK;
	}
	if (vector == 18) {
		vmx_halt_vcpu(v, "machine check (#MC) while the guest ran");
		return VMM_OK;
	}
	/* reflect the exception back into the guest with its error code */
	vmx_inject_exception(vector, info & INTR_INFO_ERROR_CODE,
			     (u32)vmcs_read(VMCS_EXIT_INTR_ERROR));
	return VMM_OK;
}

/* External interrupt, acknowledged on exit (SDM 27.2.2): to the host handler. */
int vmx_exit_external_interrupt(struct vmm_vcpu *v, struct arch_regs *r)
{
	u32 info = (u32)vmcs_read(VMCS_EXIT_INTR_INFO);

	(void)v;
	if (info & INTR_INFO_VALID)
		vmm_host_irq_exec(info & 0xFF, r);
	return VMM_OK;
}

int vmx_exit_triple_fault(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)r;
	if (v->guest->config->reset_on_triple_fault) {
		vmm_warn("guest %s: %s: triple fault at RIP 0x%llx: resetting the guest (on_triple_fault = \"reset\")\n",
			 v->guest->name, v->name, (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
		return vmm_manager_guest_reboot(v->guest);
	}
	return vmx_halt_vcpu(v, "triple fault at RIP 0x%llx",
			     (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
}

int vmx_exit_interrupt_window(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	vmx_set_window_exiting(false);
	return VMM_OK;
}

int vmx_exit_nmi_window(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	vmx_set_nmi_window_exiting(false);	/* the NMI goes in at this entry */
	return VMM_OK;
}

/*
 * HLT: the VCPU waits for an interrupt (vmm_vcpu_irq_wait): with a request
 * already pending it goes straight back in to take it; otherwise it is
 * PAUSED until the next request of any kind. HLT with interrupts off can
 * only end by NMI or INIT: a guest without local APICs cannot receive
 * those, so it is said, and the VCPU paused for good; one with them (an
 * AP parked with CLI; HLT until its next INIT-SIPI) is paused quietly, and
 * its next INIT/SIPI starts it again (an NMI does not wake it: not emulated).
 */
int vmx_exit_hlt(struct vmm_vcpu *v, struct arch_regs *r)
{
	bool intr_on = vmcs_read(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF;
	int rc;

	(void)r;
	if (!intr_on && vmm_lapic_present(v)) {
		rc = vmm_manager_vcpu_pause(v);
	} else if (!intr_on) {
		vmm_warn("guest %s: %s executed HLT with interrupts off at RIP 0x%llx: paused for good (nothing can wake it)\n",
			 v->guest->name, v->name, (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
		rc = vmm_manager_vcpu_pause(v);
	} else {
		rc = vmm_vcpu_irq_wait(v);
	}
	/* HLT is done either way: the VCPU resumes after it (when it does) */
	return rc < 0 ? rc : VMX_EXIT_NEXT_INSN;
}

/* INVD/WBINVD: guest memory is write-back and coherent; nothing to flush. */
int vmx_exit_invd(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	return VMX_EXIT_NEXT_INSN;
}

/* VMX instructions and hidden features (MONITOR/MWAIT): #UD (SDM 25.1.3). */
int vmx_exit_vmx_insn(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	vmx_inject_exception(6, false, 0);
	return VMM_OK;
}

/*
 * RDPMC (SDM vol. 2 RDPMC): the guest's CPUID leaf 0xA is all zero (PMU
 * version 0: no general-purpose and no fixed counters, vmx_exit_cpuid.c),
 * so no ECX names a counter. RDPMC itself exists on every CPU this runs
 * on, so it is never #UD: #GP(0) with CPL > 0 and CR4.PCE = 0, and #GP(0)
 * for the invalid counter otherwise - #GP(0) in every case.
 */
int vmx_exit_rdpmc(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	vmx_inject_exception(13, true, 0);
	return VMM_OK;
}

/*
 * Task switch (SDM 27.2.1 table 27-2: bits 15:0 the new TSS selector, bits
 * 31:30 the source). Hardware task switching is not emulated: it saves
 * every register into the old TSS, loads every segment register, LDTR and
 * CR3 from the new one with their checks and faults, and changes busy
 * flags and the back link in the GDT - emulated wrong it corrupts the
 * guest silently; 64-bit mode has no task switching at all and operating
 * systems of this century use it at most for the #DF handler. The guest is
 * halted, saying what it tried.
 */
int vmx_exit_task_switch(struct vmm_vcpu *v, struct arch_regs *r)
{
	static const char *const source[4] = {
		"CALL to a TSS or task gate", "IRET with NT set (return to the previous task)",
		"JMP to a TSS or task gate", "an IDT task gate (interrupt or exception delivery)",
	};
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);

	(void)r;
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);	/* not re-injected: the VCPU stops */
	if ((q >> 30) == 3 && (idt & INTR_INFO_VALID))
		return vmx_halt_vcpu(v, "hardware task switch to TSS selector 0x%x by %s, vector %u, at RIP 0x%llx: "
				     "task switching is not emulated (not supported)", (u32)(q & 0xFFFF),
				     source[3], idt & 0xFF, (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	return vmx_halt_vcpu(v, "hardware task switch to TSS selector 0x%x by %s at RIP 0x%llx: "
			     "task switching is not emulated (not supported)", (u32)(q & 0xFFFF),
			     source[(q >> 30) & 3], (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
}

/* PAUSE (a spinning guest): let another VCPU run. */
int vmx_exit_pause(struct vmm_vcpu *v, struct arch_regs *r)
{
	(void)v;
	(void)r;
	vmm_scheduler_preempt();
	return VMX_EXIT_NEXT_INSN;
}

/*
 * EPT misconfiguration (SDM 29.3.3.1): an entry on the walk for this GPA is
 * malformed, a hypervisor bug (or testept=). Walk the guest's EPT the way
 * the CPU did, print every level's entry and what the malformed one
 * breaks, and halt the VCPU; the hypervisor and the other guests go on.
 */
int vmx_exit_ept_misconfig(struct vmm_vcpu *v, struct arch_regs *r)
{
	u64 gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	struct ept_walk w;

	(void)r;
	ept_walk(v->guest->arch_priv, gpa, &w);
	vmm_err("guest %s %s: EPT misconfiguration at GPA 0x%llx (EPTP 0x%llx, MAXPHYADDR %u); the EPT walk:\n",
		v->guest->name, v->name, (unsigned long long)gpa,
		(unsigned long long)vmcs_read(VMCS_EPTP), ept_maxphyaddr());
	for (int l = EPT_LEVEL_PML4E; l >= w.last; l--)
		vmm_err("  %s: EPT %s[%u] 0x%016llx: %s\n", v->name, ept_level_name(l), w.index[l],
			(unsigned long long)w.entry[l],
			l > w.last ? "ok" : w.bad ? w.bad : w.mapped ? "ok, maps the page" : "not present");
	if (!w.bad)
		return vmx_halt_vcpu(v, "EPT misconfiguration at GPA 0x%llx: no malformed entry on the walk "
				     "(hypervisor bug)", (unsigned long long)gpa);
	return vmx_halt_vcpu(v, "EPT misconfiguration at GPA 0x%llx: %s 0x%llx: %s",
			     (unsigned long long)gpa, ept_level_name(w.last),
			     (unsigned long long)w.entry[w.last], w.bad);
}
