/*
 * arch/x86_64/vmx/vmx_exit.c - the VM-exit dispatcher: one table indexed by
 * exit reason (SDM appendix C), per-VCPU exit statistics, failed VM entries,
 * the VMCS dump, and the helpers every handler uses.
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/smp.h"
#include "kernel/timer.h"
#include "kernel/arch_vcpu.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/printk.h"
#include "kernel/error.h"

static const char *const exit_names[VMX_EXIT_REASONS] = {
	[0] = "exception or NMI", [1] = "external interrupt", [2] = "triple fault",
	[3] = "INIT signal", [4] = "SIPI", [5] = "I/O SMI", [6] = "other SMI",
	[7] = "interrupt window", [8] = "NMI window", [9] = "task switch",
	[10] = "CPUID", [11] = "GETSEC", [12] = "HLT", [13] = "INVD", [14] = "INVLPG",
	[15] = "RDPMC", [16] = "RDTSC", [17] = "RSM", [18] = "VMCALL", [19] = "VMCLEAR",
	[20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST", [23] = "VMREAD",
	[24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF", [27] = "VMXON",
	[28] = "control-register access", [29] = "MOV DR", [30] = "I/O instruction",
	[31] = "RDMSR", [32] = "WRMSR", [33] = "VM entry failure: invalid guest state",
	[34] = "VM entry failure: MSR loading", [36] = "MWAIT", [37] = "monitor trap flag",
	[39] = "MONITOR", [40] = "PAUSE", [41] = "VM entry failure: machine check",
	[43] = "TPR below threshold", [44] = "APIC access", [45] = "virtualized EOI",
	[46] = "GDTR/IDTR access", [47] = "LDTR/TR access", [48] = "EPT violation",
	[49] = "EPT misconfiguration", [50] = "INVEPT", [51] = "RDTSCP",
	[52] = "VMX-preemption timer expired", [53] = "INVVPID", [54] = "WBINVD or WBNOINVD",
	[55] = "XSETBV", [56] = "APIC write", [57] = "RDRAND", [58] = "INVPCID",
	[59] = "VMFUNC", [60] = "ENCLS", [61] = "RDSEED", [62] = "page-modification log full",
	[63] = "XSAVES", [64] = "XRSTORS", [66] = "SPP-related event", [67] = "UMWAIT",
	[68] = "TPAUSE", [69] = "LOADIWKEY",
};

const char *vmx_exit_reason_name(u32 reason)
{
	if (reason < VMX_EXIT_REASONS && exit_names[reason])
		return exit_names[reason];
	return "unknown exit reason";
}

/* The dispatch table: exit reason -> handler. */
static const vmx_exit_handler_t exit_handlers[VMX_EXIT_REASONS] = {
	[0] = vmx_exit_exception,
	[1] = vmx_exit_external_interrupt,
	[2] = vmx_exit_triple_fault,
	[3] = vmx_exit_init,
	[4] = vmx_exit_sipi,
	[7] = vmx_exit_interrupt_window,
	[10] = vmx_exit_cpuid,
	[12] = vmx_exit_hlt,
	[13] = vmx_exit_invd,
	[9] = vmx_exit_task_switch,
	[15] = vmx_exit_rdpmc,
	[18] = vmx_exit_vmcall,
	[19] = vmx_exit_vmx_insn, [20] = vmx_exit_vmx_insn, [21] = vmx_exit_vmx_insn,
	[22] = vmx_exit_vmx_insn, [23] = vmx_exit_vmx_insn, [24] = vmx_exit_vmx_insn,
	[25] = vmx_exit_vmx_insn, [26] = vmx_exit_vmx_insn, [27] = vmx_exit_vmx_insn,
	[28] = vmx_exit_cr_access,
	[29] = vmx_exit_mov_dr,
	[30] = vmx_exit_io,
	[31] = vmx_exit_rdmsr,
	[32] = vmx_exit_wrmsr,
	[36] = vmx_exit_vmx_insn,	/* MWAIT: hidden in CPUID -> #UD */
	[39] = vmx_exit_vmx_insn,	/* MONITOR: likewise */
	[40] = vmx_exit_pause,
	[48] = vmx_exit_ept_violation,
	[49] = vmx_exit_ept_misconfig,
	[50] = vmx_exit_vmx_insn,
	[52] = vmx_exit_preemption_timer,
	[53] = vmx_exit_vmx_insn,
	[54] = vmx_exit_invd,
	[55] = vmx_exit_xsetbv,
	[59] = vmx_exit_vmx_insn,
};

bool vmx_vcpu_was_reset(void)
{
	struct vmm_vcpu *v = this_cpu()->guest_vcpu;

	return v && ((struct vmx_vcpu *)v->arch_priv)->fresh_regs;
}

/* Move RIP past the instruction that exited; STI/MOV SS blocking ends. */
static inline void advance_rip(struct vmx_vcpu *vx)
{
	u64 intr;

	/* the access reset the guest (8042 0xFE, port 0x92, ...): the VMCS
	 * holds the reset state, which must not be moved past "this" instruction */
	if (unlikely(vx->fresh_regs))
		return;
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSN_LEN));
	/* the instruction completed: STI/MOV SS blocking ends (SDM 26.3.1.5) */
	intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	if (unlikely(intr & 3))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~3ULL);
}

void vmx_advance_rip(void)
{
	struct vmm_vcpu *v = this_cpu()->guest_vcpu;

	if (v)
		advance_rip(v->arch_priv);
}

/*
 * Fault-class exceptions (SDM vol. 3 6.15 table 6-1): every vector but
 * #DB (1: a trap here, instruction breakpoints aside), #BP and #OF (3, 4:
 * traps), NMI (2), #DF and #MC (8, 18: aborts).
 */
#define RFLAGS_RF (1ULL << 16)
#define FAULT_VECTORS (~((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 8) | (1u << 18)))

void vmx_inject_exception(u32 vector, bool has_error, u32 error)
{
	u32 info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;
	u64 cr0 = vmcs_read(VMCS_GUEST_CR0);

	/*
	 * A fault's handler sees RF set in the RFLAGS it was given (SDM 6.4,
	 * 17.3.1.1), so that its IRET re-runs the instruction without an
	 * instruction breakpoint firing again. Event injection pushes the
	 * guest RFLAGS field as it is (SDM 27.6.1.2): set RF there. Real mode
	 * pushes 16-bit FLAGS, without RF: nothing to set.
	 */
	if ((cr0 & X86_CR0_PE) && vector < 32 && (FAULT_VECTORS & (1u << vector)))
		vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_RF);
	/* real-mode delivery pushes no error code, and VM entry insists */
	if (!(cr0 & X86_CR0_PE))
		has_error = false;
	if (has_error) {
		info |= INTR_INFO_ERROR_CODE;
		vmcs_write(VMCS_ENTRY_EXC_ERROR, error);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

int vmx_halt_vcpu(struct vmm_vcpu *vcpu, const char *fmt, ...)
{
	char what[VMM_HALT_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vmm_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	vmx_vmcs_dump(vcpu);
	return vmm_manager_vcpu_halt(vcpu, "%s", what);
}

void vmx_vmcs_dump(struct vmm_vcpu *v)
{
	struct percpu *pc = this_cpu();
	/* in an exit handler the guest's registers are in the trap frame */
	const struct arch_regs *r = (pc->guest_vcpu == v && pc->exit_regs) ? pc->exit_regs : v->regs;

	vmm_err("  %s: RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx CS 0x%llx (base 0x%llx)\n",
		v->name, (unsigned long long)vmcs_read(VMCS_GUEST_RIP),
		(unsigned long long)vmcs_read(VMCS_GUEST_RSP),
		(unsigned long long)vmcs_read(VMCS_GUEST_RFLAGS),
		(unsigned long long)vmcs_read(VMCS_GUEST_CS_SEL),
		(unsigned long long)vmcs_read(VMCS_GUEST_CS_BASE));
	vmm_err("  %s: CR0 0x%llx (shadow 0x%llx) CR3 0x%llx CR4 0x%llx (shadow 0x%llx) EFER 0x%llx\n",
		v->name, (unsigned long long)vmcs_read(VMCS_GUEST_CR0),
		(unsigned long long)vmcs_read(VMCS_CR0_SHADOW),
		(unsigned long long)vmcs_read(VMCS_GUEST_CR3),
		(unsigned long long)vmcs_read(VMCS_GUEST_CR4),
		(unsigned long long)vmcs_read(VMCS_CR4_SHADOW),
		(unsigned long long)vmcs_read(VMCS_GUEST_EFER));
	vmm_err("  %s: exit reason 0x%llx qualification 0x%llx GPA 0x%llx intr info 0x%llx IDT vectoring 0x%llx\n",
		v->name, (unsigned long long)vmcs_read(VMCS_EXIT_REASON),
		(unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION),
		(unsigned long long)vmcs_read(VMCS_GUEST_PHYS_ADDR),
		(unsigned long long)vmcs_read(VMCS_EXIT_INTR_INFO),
		(unsigned long long)vmcs_read(VMCS_IDT_VECTORING_INFO));
	if (r)
		vmm_err("  %s: RAX 0x%llx RBX 0x%llx RCX 0x%llx RDX 0x%llx RSI 0x%llx RDI 0x%llx RBP 0x%llx\n",
			v->name, (unsigned long long)r->rax, (unsigned long long)r->rbx,
			(unsigned long long)r->rcx, (unsigned long long)r->rdx,
			(unsigned long long)r->rsi, (unsigned long long)r->rdi,
			(unsigned long long)r->rbp);
}

/* With the scheduler lock held and v on no CPU: load, print, clear. */
static void dump_off_cpu(struct vmm_vcpu *v, void *arg)
{
	struct vmx_vcpu *vx = v->arch_priv;

	(void)arg;
	if (vmx_vmcs_load(vx->vmcs)) {
		vmm_printk(VMM_LOG_EMERG, "%s: cannot load its VMCS\n", v->name);
		return;
	}
	vmx_vmcs_dump(v);
	vmx_vmclear(vx->vmcs);	/* clear again: any CPU may run it next */
	this_cpu()->current_vmcs = 0;
}

/* On the CPU that runs v, in the cross-CPU call: its VMCS is current. */
static void dump_on_cpu(void *arg)
{
	struct vmm_vcpu *v = arg;

	if (this_cpu()->guest_vcpu == v)
		vmx_vmcs_dump(v);
	else
		vmm_printk(VMM_LOG_EMERG, "%s: left CPU%u before it could be read; try again\n",
			   v->name, this_cpu()->cpu_id);
}

void arch_vcpu_dump(struct vmm_vcpu *v)
{
	const struct arch_regs *r = v->regs;
	u32 cpu = 0;

	if (!v->is_normal) {
		vmm_printk(VMM_LOG_EMERG, "%s: orphan VCPU: RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx\n",
			   v->name, (unsigned long long)r->rip, (unsigned long long)r->rsp,
			   (unsigned long long)r->rflags);
		return;
	}
	if (vmm_scheduler_with_vcpu_off_cpu(v, dump_off_cpu, NULL, &cpu) == -VMM_EBUSY &&
	    arch_smp_call(cpu, dump_on_cpu, v, true))
		vmm_printk(VMM_LOG_EMERG, "%s: runs on CPU%u, which did not answer\n", v->name, cpu);
}

/*
 * Exits whose IDT-vectoring information the dispatcher does not read:
 * those caused by executing an instruction, which cannot happen while an
 * event is being delivered (its information is never valid, SDM 27.2.4),
 * and the EPT violation, whose handler reads it itself (an access made by
 * event delivery is never emulated: vmx_exit_ept.c).
 */
static const bool no_vectoring_read[VMX_EXIT_REASONS] = {
	[10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1, [15] = 1, [16] = 1, [17] = 1,
	[18] = 1, [19] = 1, [20] = 1, [21] = 1, [22] = 1, [23] = 1, [24] = 1, [25] = 1,
	[26] = 1, [27] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1, [32] = 1, [36] = 1,
	[39] = 1, [40] = 1, [48] = 1, [50] = 1, [51] = 1, [53] = 1, [54] = 1, [55] = 1,
	[57] = 1, [58] = 1, [59] = 1, [61] = 1,
};

/* The rare cases of an exit: a failed VM entry, an unknown reason, no VCPU. */
static __attribute__((noinline, cold)) void exit_unusual(struct vmm_vcpu *vcpu, u32 full)
{
	u32 reason = full & 0xFFFF;

	if (!vcpu || !vcpu->is_normal)
		vmm_emerg("vmx: VM exit (reason %u) with no guest VCPU current\n", reason);
	else if (full & (1u << 31))
		/* SDM 26.8: VM entry failed while checking or loading guest state */
		vmx_halt_vcpu(vcpu, "VM entry failed: %s (qualification 0x%llx); see the Bochs log for the failed check",
			      vmx_exit_reason_name(reason),
			      (unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION));
	else
		vmx_halt_vcpu(vcpu, "unhandled VM exit %u (%s) at RIP 0x%llx", reason,
			      vmx_exit_reason_name(reason),
			      (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
}

/*
 * Called by vmx_exit_entry with the guest's GPRs in 'regs'. This is the
 * path of every exit, so it is kept short (make bench counts it): the
 * handler comes from the table; one that returns VMX_EXIT_NEXT_INSN has
 * completed the guest's instruction and RIP moves past it here, where
 * the VCPU's state is at hand.
 */
void vmx_exit_handler(struct arch_regs *regs);
void vmx_exit_handler(struct arch_regs *regs)
{
	struct vmm_vcpu *vcpu = this_cpu_read(guest_vcpu);
	u64 start = rdtsc();
	u32 full = (u32)vmcs_read(VMCS_EXIT_REASON);
	u32 reason = full & 0xFFFF;
	vmx_exit_handler_t handler;
	struct vmx_vcpu *vx;
	int rc;

	/* defensive: no guest reaches the host TPR (CR8 is virtualised) */
	if (unlikely(vmx_host_tpr_changed()))
		vmx_host_tpr_restore(vcpu);
	/* this VMCS is launched now: the next entry into it is VMRESUME */
	this_cpu_write(vmx_launch, 0);
	this_cpu_write(exit_regs, regs);
	this_cpu_add(guest_ticks, start);	/* guest time ends (percpu.h) */
	if (unlikely((full & (1u << 31)) || reason >= VMX_EXIT_REASONS || !vcpu ||
		     !(handler = exit_handlers[reason]))) {
		exit_unusual(vcpu, full);
		this_cpu_write(exit_regs, NULL);
		if (!vcpu)
			return;
		if (reason >= VMX_EXIT_REASONS)
			goto counted;
		vx = vcpu->arch_priv;
	} else {
		/* an event cut short by this exit goes back in first (SDM 27.2.4) */
		if (!no_vectoring_read[reason]) {
			u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);

			if (unlikely(idt & INTR_INFO_VALID))
				vmx_reinject_vectoring(idt);
		}
		rc = handler(vcpu, regs);
		vx = vcpu->arch_priv;
		if (rc == VMX_EXIT_NEXT_INSN)
			advance_rip(vx);
		this_cpu_write(exit_regs, NULL);
	}
	vx->exit_count[reason]++;
	vx->exit_ticks[reason] += (u32)(rdtsc() - start);
counted:
	/*
	 * Timer events that fell due while the guest ran are run now: the
	 * APIC timer and the preemption timer usually bring them in time, but
	 * in Bochs a guest with interrupts off holds the APIC timer back and
	 * the preemption timer fires late (platform notes).
	 */
	if (unlikely(this_cpu_u64_le(timer_next_tsc, start)))
		vmm_timer_expired();
	vmm_scheduler_irq_process(regs);
}

/* Called by vmx_enter_from_frame when VMLAUNCH/VMRESUME itself failed. */
void vmx_entry_failed(struct arch_regs *regs);
void vmx_entry_failed(struct arch_regs *regs)
{
	struct vmm_vcpu *vcpu = vmm_scheduler_current();
	u64 err = 0;

	this_cpu_add(guest_ticks, rdtsc());	/* no guest time: the entry failed */
	if (vmcs_read_checked(VMCS_INSN_ERROR, &err))
		err = 0;
	if (vcpu && vcpu->is_normal) {
		memcpy(vcpu->regs, regs, 15 * 8);
		vmx_halt_vcpu(vcpu, "VM entry failed: VM-instruction error %llu (%s)",
			      (unsigned long long)err, err ? vmx_insn_error_text((u32)err)
							   : "VMfailInvalid: no current VMCS");
	} else {
		vmm_emerg("vmx: VM entry failed with no guest VCPU current\n");
	}
	this_cpu()->return_to_guest = 0;
	vmm_scheduler_preempt();
	vmm_scheduler_irq_process(regs);
}

void arch_vcpu_stats_get(struct vmm_vcpu *v, struct arch_vcpu_stats *out)
{
	struct vmx_vcpu *vx = v->is_normal ? v->arch_priv : NULL;
	u64 ticks = 0;

	*out = (struct arch_vcpu_stats){ 0 };
	if (!vx)
		return;
	for (u32 i = 0; i < VMX_EXIT_REASONS; i++) {
		out->exits += vx->exit_count[i];
		ticks += vx->exit_ticks[i];
	}
	out->handler_ns = arch_timer_tsc_to_ns(ticks);
	out->guest_ns = arch_timer_tsc_to_ns(vmx_vcpu_guest_ticks(v));
}

u64 arch_cpu_guest_ns(unsigned int cpu)
{
	return arch_timer_tsc_to_ns(vmx_cpu_guest_ticks(cpu));
}

void arch_vcpu_stats_print(struct vmm_vcpu *v)
{
	struct vmx_vcpu *vx;
	u64 total = 0, ticks = 0;

	if (!v->is_normal) {
		vmm_printk(VMM_LOG_EMERG, "%s: orphan VCPU, no VM exits\n", v->name);
		return;
	}
	vx = v->arch_priv;
	vmm_printk(VMM_LOG_EMERG, "%s: VM exits by reason (ticks: TSC in the handler; in Bochs, instructions)\n",
		   v->name);
	vmm_printk(VMM_LOG_EMERG, "  %-4s %-36s %12s %14s %10s\n", "nr", "reason", "count", "ticks", "ticks/exit");
	for (u32 i = 0; i < VMX_EXIT_REASONS; i++) {
		if (!vx->exit_count[i])
			continue;
		total += vx->exit_count[i];
		ticks += vx->exit_ticks[i];
		vmm_printk(VMM_LOG_EMERG, "  %-4u %-36s %12llu %14llu %10llu\n", i, vmx_exit_reason_name(i),
			   (unsigned long long)vx->exit_count[i], (unsigned long long)vx->exit_ticks[i],
			   (unsigned long long)(vx->exit_ticks[i] / vx->exit_count[i]));
	}
	vmm_printk(VMM_LOG_EMERG, "  %-41s %12llu %14llu\n", "total", (unsigned long long)total,
		   (unsigned long long)ticks);
	if (vx->msr_reported_n)
		vmm_printk(VMM_LOG_EMERG, "  unknown MSRs (#GP): %u reported one by one, %llu later accesses only counted\n",
			   vx->msr_reported_n, (unsigned long long)vx->msr_unreported);
}
