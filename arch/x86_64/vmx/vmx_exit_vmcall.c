/*
 * arch/x86_64/vmx/vmx_exit_vmcall.c - the hypercall ABI (VMCALL).
 *
 * From guest CPL 0 only. RAX = function, arguments in RBX, RCX, RDX; the
 * result comes back in RAX (negative = error: -1 unknown function, -2 not
 * allowed from this privilege level).
 *   0  VERSION       RAX = 1
 *   1  CONSOLE_PUTC  RBX = byte for the guest's hypervisor console, which the
 *                    host console shows prefixed with the guest's name
 *   2  VCPU_ID       RAX = index of the VCPU in its guest, RBX = guest id
 *   3  YIELD         give up the rest of the time slice
 *   4  SHUTDOWN      RBX = status; the VCPU halts ("shut down with status N")
 *   5  TSC          RAX = the guest's TSC (for benchmarks: no exit cost counted)
 *   6  CONSOLE_GETC  RAX = the next byte typed into the guest's hypervisor
 *                    console ("<guest>/hvc": vserial send or bind), or -3
 *                    when none waits (poll; YIELD in between)
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/vserial.h"
#include "devemu/devemu.h"
#include "kernel/printk.h"

enum {
	HC_VERSION = 0,
	HC_CONSOLE_PUTC = 1,
	HC_VCPU_ID = 2,
	HC_YIELD = 3,
	HC_SHUTDOWN = 4,
	HC_TSC = 5,
	HC_CONSOLE_GETC = 6,
};

#define HC_ENOSYS ((u64)-1)
#define HC_EPERM ((u64)-2)
#define HC_EAGAIN ((u64)-3)

/* The guest's hypercall console, made on first use; it belongs to the
 * guest's arch context and goes with it (arch_guest_deinit). */
static struct vmm_vserial *hvc_console(struct vmm_guest *g)
{
	struct vmx_guest *vg = g->arch_priv;
	struct vmm_vserial *vs = __atomic_load_n(&vg->hvc, __ATOMIC_ACQUIRE), *none = NULL;

	if (vs)
		return vs;
	vs = vmm_vserial_create(g->name, "hvc");
	if (vs)
		vmm_vserial_set_input_polled(vs);	/* CONSOLE_GETC takes the bytes */
	/* two VCPUs of the guest may get here at once: one console is kept */
	if (vs && !__atomic_compare_exchange_n(&vg->hvc, &none, vs, false, __ATOMIC_ACQ_REL,
					       __ATOMIC_ACQUIRE)) {
		vmm_vserial_unregister(vs);
		vs = none;
	}
	return vs;
}

/* The functions that reach devices, the console or the scheduler. */
static __attribute__((noinline)) int vmcall_slow(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmm_vserial *vs;

	switch (r->rax) {
	case HC_CONSOLE_PUTC:
		vs = hvc_console(v->guest);
		if (vs)
			vmm_vserial_putc(vs, (u8)r->rbx);
		r->rax = 0;
		break;
	case HC_YIELD:
		r->rax = 0;
		vmm_scheduler_preempt();
		break;
	case HC_SHUTDOWN:
		vs = hvc_console(v->guest);
		if (vs)
			vmm_vserial_flush(vs);
		vmm_devemu_guest_report(v->guest);
		vmm_printk(VMM_LOG_INFO, "guest %s: %s shut down with status %llu\n",
			   v->guest->name, v->name, (unsigned long long)r->rbx);
		/* a requested stop, not an error: halt without the error report */
		vmm_snprintf(v->halt_reason, sizeof(v->halt_reason),
			     "shut down by the guest (status %llu)", (unsigned long long)r->rbx);
		vmm_vcpu_set_state(v, VMM_VCPU_STATE_HALTED);
		break;
	case HC_CONSOLE_GETC: {
		int c;

		vs = hvc_console(v->guest);
		c = vs ? vmm_vserial_getc(vs) : -1;
		r->rax = c < 0 ? HC_EAGAIN : (u64)c;
		break;
	}
	default:
		r->rax = HC_ENOSYS;
		break;
	}
	return VMX_EXIT_NEXT_INSN;
}

/* Every hypercall completes: RIP moves past the VMCALL. */
int vmx_exit_vmcall(struct vmm_vcpu *v, struct arch_regs *r)
{
	/* CPL = SS.DPL; the VMCS is the exit's (vmcs_read_cur) */
	if (unlikely(vmcs_read_cur(VMCS_GUEST_SS_AR) & (3u << 5))) {
		r->rax = HC_EPERM;
		return VMX_EXIT_NEXT_INSN;
	}
	/* the ones that only read the VCPU answer here, without a frame */
	switch (r->rax) {
	case HC_VERSION:
		r->rax = 1;
		return VMX_EXIT_NEXT_INSN;
	case HC_VCPU_ID:
		r->rax = v->subid;
		r->rbx = v->guest->id;
		return VMX_EXIT_NEXT_INSN;
	case HC_TSC:
		r->rax = rdtsc64() + vmcs_read_cur(VMCS_TSC_OFFSET);
		return VMX_EXIT_NEXT_INSN;
	default:
		return vmcall_slow(v, r);
	}
}
