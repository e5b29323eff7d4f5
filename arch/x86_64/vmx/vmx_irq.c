/*
 * arch/x86_64/vmx/vmx_irq.c - virtual interrupts into a VCPU (SDM 26.6
 * event injection, 25.3 IDT-vectoring information).
 *
 * Right before every VM entry, vmx_entry.asm reads the VCPU's
 * pending-request word (kernel/vcpu_irq.h): if a request is pending and the
 * guest can take it now (RFLAGS.IF set, no STI or MOV SS blocking, nothing
 * else being injected), the vector vmm_vcpu_irq_acknowledge() gives is
 * injected through the VM-entry interruption-information field; if the
 * guest cannot take it yet, interrupt-window exiting brings the VCPU back
 * as soon as it can. An event whose delivery a VM exit cut short is
 * re-injected on the way back in (vmx_reinject_vectoring(), called at
 * every exit).
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/manager.h"
#include "kernel/vcpu_irq.h"
#include "arch/x86_64/vmx/vmx_timer.h"

#define INTERRUPTIBILITY_STI_MOVSS 3u
#define INTERRUPTIBILITY_NMI 8u	/* blocking by NMI */

void vmx_reinject_vectoring(u32 idt)
{
	u32 type = idt & (7u << 8);

	/* bit 12 (NMI unblocking) has no meaning on entry; error code as it was */
	vmcs_write(VMCS_ENTRY_INTR_INFO, idt & ~(1u << 12));
	if (idt & INTR_INFO_ERROR_CODE)
		vmcs_write(VMCS_ENTRY_EXC_ERROR, vmcs_read(VMCS_IDT_VECTORING_ERROR));
	/* software interrupts and exceptions are re-executed with their length */
	if (type == INTR_TYPE_SW_INTR || type == (5u << 8) || type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
}

void vmx_set_window_exiting(bool on)
{
	u64 proc = vmcs_read(VMCS_PROC_CTLS);

	if (on && !(proc & PROC_INTR_WINDOW))
		vmcs_write(VMCS_PROC_CTLS, proc | PROC_INTR_WINDOW);
	else if (!on && (proc & PROC_INTR_WINDOW))
		vmcs_write(VMCS_PROC_CTLS, proc & ~(u64)PROC_INTR_WINDOW);
}

bool vmx_set_nmi_window_exiting(bool on)
{
	u64 proc = vmcs_read(VMCS_PROC_CTLS);

	if (!(vmcs_read(VMCS_PIN_CTLS) & PIN_VIRTUAL_NMIS))
		return false;
	if (on && !(proc & PROC_NMI_WINDOW))
		vmcs_write(VMCS_PROC_CTLS, proc | PROC_NMI_WINDOW);
	else if (!on && (proc & PROC_NMI_WINDOW))
		vmcs_write(VMCS_PROC_CTLS, proc & ~(u64)PROC_NMI_WINDOW);
	return true;
}

/*
 * An NMI request (a local APIC's NMI IPI or LINT1): injected as an NMI when
 * the guest does not block NMIs (blocking by NMI: its handler has not
 * IRETed yet; MOV SS / STI shadows), else the NMI window (or, without
 * virtual NMIs, the interrupt window) brings the VCPU back. True when the
 * entry now carries the NMI.
 */
static bool inject_nmi(struct vmm_vcpu *v)
{
	if (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI_MOVSS | INTERRUPTIBILITY_NMI)) {
		if (!vmx_set_nmi_window_exiting(true))
			vmx_set_window_exiting(true);
		return false;
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | 2);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmm_vcpu_irq_nmi_taken(v);
	return true;
}

/* The VCPU has an interrupt request: inject now or open the window. */
static __attribute__((noinline)) void inject_pending(struct vmm_vcpu *v)
{
	int vector;

	if (vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) {
		vmx_set_window_exiting(true);	/* after the event being injected */
		return;
	}
	if (unlikely(vmm_vcpu_irq_pending(&v->irq) & VMM_VCPU_IRQ_REQ_NMI)) {
		if (inject_nmi(v) || !(vmm_vcpu_irq_pending(&v->irq) & ~VMM_VCPU_IRQ_REQ_NMI))
			return;
	}
	if (!(vmcs_read(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF) ||
	    (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_STI_MOVSS)) {
		vmx_set_window_exiting(true);
		return;
	}
	vector = vmm_vcpu_irq_acknowledge(v);
	if (vector < 0)
		return;
	vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | (u32)vector);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
}

static __attribute__((noinline)) void prepare_entry_slow(struct vmm_vcpu *v)
{
	if (vmx_timer_stale())
		vmx_timer_program(this_cpu());
	if (vmm_vcpu_irq_pending(&v->irq))
		inject_pending(v);
}

/*
 * Before every VM entry vmx_enter_from_frame (vmx_entry.asm) makes the two
 * tests of the fast path itself - this CPU's timer generation against the
 * one the preemption timer was set for, and the VCPU's pending-request
 * word - and calls this only when one of them says there is work. The
 * offsets it uses are checked here.
 */
_Static_assert(__builtin_offsetof(struct percpu, guest_vcpu) == 0x108, "vmx_entry.asm PERCPU_GUEST_VCPU");
_Static_assert(__builtin_offsetof(struct percpu, preempt_generation) == 0x118,
	       "vmx_entry.asm PERCPU_PREEMPT_GEN");
_Static_assert(__builtin_offsetof(struct percpu, timer_gen) == 0x120, "vmx_entry.asm PERCPU_TIMER_GEN");
_Static_assert(__builtin_offsetof(struct vmm_vcpu, irq) + __builtin_offsetof(struct vmm_vcpu_irq, pending) ==
	       0x21c, "vmx_entry.asm VCPU_IRQ_PENDING");
_Static_assert(sizeof(((struct vmm_vcpu_irq *)0)->pending) == 4, "vmx_entry.asm: a 32-bit word");

void vmx_prepare_entry(void);
void vmx_prepare_entry(void)
{
	prepare_entry_slow(this_cpu_read(guest_vcpu));
}
