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

/*
 * The dispatch table: one descriptor per basic exit reason, made from the
 * list in vmx_exit_reasons.h (a reason listed twice does not compile:
 * -Woverride-init).
 */
#define VMX_EXIT_DESC(n, id, nm, fn, fl) [n] = { .handler = fn, .flags = VMX_EXIT_##fl, .name = nm },
const struct vmx_exit_desc vmx_exit_table[VMX_EXIT_REASONS] = {
	VMX_EXIT_REASON_LIST(VMX_EXIT_DESC)
};
#undef VMX_EXIT_DESC

const char *vmx_exit_reason_name(u32 reason)
{
	return reason < VMX_EXIT_REASONS ? vmx_exit_table[reason].name : "unknown exit reason";
}

/* Reasons the hypervisor does not enable or handle: the VCPU halts. */
int vmx_exit_unhandled(struct vmm_vcpu *v, struct arch_regs *r)
{
	u32 reason = (u32)vmcs_read(VMCS_EXIT_REASON) & 0xFFFF;

	(void)r;
	return vmx_halt_vcpu(v, "unhandled VM exit %u (%s) at RIP 0x%llx", reason,
			     vmx_exit_reason_name(reason), (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
}

bool vmx_vcpu_was_reset(void)
{
	struct vmm_vcpu *v = this_cpu()->guest_vcpu;

	return v && ((struct vmx_vcpu *)v->arch_priv)->fresh_regs;
}

/*
 * The one rule for finishing an instruction: a handler that completed the
 * guest's instruction returns VMX_EXIT_NEXT_INSN (the VM-exit instruction
 * length applies) or VMX_EXIT_NEXT_INSN_LEN(n) (an instruction it decoded
 * itself, the MMIO access of an EPT violation), and only this moves RIP
 * past it. Blocking by STI and by MOV SS ends with the instruction that
 * followed them (SDM 26.3.1.5, 25.4.2 table 25-3): cleared here, the same
 * way for every exit; blocking by NMI or SMI stays. Not after a reset
 * during the exit (8042 0xFE, port 0x92, ...): the VMCS then holds the
 * reset state, which must not be moved past "this" instruction.
 * Paths that set RIP on purpose instead (INIT, SIPI, the start and reset
 * state of vmx_vcpu.c) do not come here.
 */
static inline void finish_insn(struct vmx_vcpu *vx, u64 len)
{
	u64 intr;

	if (unlikely(vx->fresh_regs))
		return;
	vmcs_write_cur(VMCS_GUEST_RIP, vmcs_read_cur(VMCS_GUEST_RIP) + len);
	intr = vmcs_read_cur(VMCS_GUEST_INTERRUPTIBILITY);
	if (unlikely(intr & VMX_INTR_STI_MOVSS))
		vmcs_write_cur(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(u64)VMX_INTR_STI_MOVSS);
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

/* exit_unusual()'s answer: nothing to count or finish for this exit */
#define VMX_EXIT_UNCOUNTED (-0x7000)

/*
 * The rare cases of an exit: no VCPU, a failed VM entry, a reason beyond
 * the table, or bits set above the basic reason (SDM 25.9.1: SMM, enclave
 * and pending-MTF exits, none of which this hypervisor enables). The VCPU
 * halts with the reason; a failed entry is counted under its reason.
 */
static __attribute__((noinline, cold)) int exit_unusual(struct vmm_vcpu *vcpu, u64 start, u32 full)
{
	u32 reason = full & 0xFFFF;
	struct vmx_vcpu *vx;

	if (!vcpu || !vcpu->is_normal) {
		vmm_emerg("vmx: VM exit (reason %u) with no guest VCPU current\n", reason);
		return VMX_EXIT_UNCOUNTED;
	}
	if (full & EXIT_REASON_ENTRY_FAILED)
		/* SDM 27.8: VM entry failed while checking or loading guest state */
		vmx_halt_vcpu(vcpu, "VM entry failed: %s (qualification 0x%llx); see the Bochs log for the failed check",
			      vmx_exit_reason_name(reason),
			      (unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION));
	else
		vmx_halt_vcpu(vcpu, "unhandled VM exit %u (%s, exit-reason field 0x%x) at RIP 0x%llx", reason,
			      vmx_exit_reason_name(reason), full,
			      (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	if (reason >= VMX_EXIT_REASONS)
		return VMX_EXIT_UNCOUNTED;
	vx = vcpu->arch_priv;
	vx->exit_tsc = start;
	vx->exit_reason = reason;
	return 0;
}

/* An exit cut an event's delivery short: it goes back in first (SDM 27.2.4). */
static __attribute__((noinline)) int exit_reinject(struct vmm_vcpu *vcpu, struct arch_regs *regs,
						   u32 idt, u64 reason)
{
	vmx_reinject_vectoring(idt);
	return vmx_exit_table[reason].handler(vcpu, regs);
}

/*
 * The end of an exit that has work left: timer events that fell due while
 * the guest ran (the APIC timer and the preemption timer usually bring
 * them in time, but in Bochs a guest with interrupts off holds the APIC
 * timer back and the preemption timer fires late: platform notes), a
 * scheduling decision; and the host TPR, checked here as a defence against
 * a hypervisor bug. No guest reaches the host TPR (CR8 is virtualised: TPR
 * shadow or CR8 exiting), so it is not tested on every exit but on every
 * exit that has timer or scheduler work: at the latest at the next timer
 * event (the time slice, 10 ms by default), which the preemption timer
 * brings whatever the TPR is.
 */
static __attribute__((noinline)) void exit_finish_work(u64 start)
{
	if (this_cpu_u64_le(timer_next_tsc, start))
		vmm_timer_expired();
	/* the frame holds the running VCPU's registers until the entry (a
	 * switch puts the next one's there): exit_regs stays valid till here */
	vmm_scheduler_irq_process(this_cpu_read(exit_regs));
	this_cpu_write(exit_regs, NULL);
	if (unlikely(vmx_host_tpr_changed()))
		vmx_host_tpr_restore(this_cpu_read(guest_vcpu));
}

/*
 * The path of every exit, in two halves called one after the other by
 * vmx_exit_entry (make bench counts it). The first gets the VCPU (this
 * CPU's guest_vcpu) and the frame with the guest's GPRs as a handler does:
 *
 * vmx_exit_handler() takes the descriptor from the table by the basic exit
 * reason, re-injects an event the exit cut short unless it is an
 * instruction exit, and ends in the handler, whose answer it returns.
 *
 * vmx_exit_finish() gets that answer: VMX_EXIT_NEXT_INSN[_LEN] means the
 * guest's instruction is complete, which finish_insn() skips; then the
 * exit is counted, due timer events run and the scheduler decides.
 *
 * Nothing lives in registers between the halves (the exit's TSC and reason
 * wait in the VCPU, the VCPU and the frame in the per-CPU area), so both
 * end in tail calls or return without saving callee-saved registers. The
 * VMREADs need no failure check: a VM exit leaves current the VMCS it
 * exited from (vmcs_read_cur()).
 */
int vmx_exit_handler(struct vmm_vcpu *vcpu, struct arch_regs *regs);
int vmx_exit_handler(struct vmm_vcpu *vcpu, struct arch_regs *regs)
{
	u64 start = rdtsc64();
	u64 full = vmcs_read_cur(VMCS_EXIT_REASON);	/* 32 bits, zero-extended */
	struct vmx_vcpu *vx;

	this_cpu_write(exit_regs, regs);
	this_cpu_add(guest_ticks, start);	/* guest time ends (percpu.h) */
	/*
	 * One comparison: a reason beyond the table or any bit above it. The
	 * VCPU is not tested for NULL: this exit left a VMCS that
	 * vmx_enter_from_frame entered after reading guest_vcpu's pending
	 * word, and only this CPU, in root mode, changes guest_vcpu.
	 */
	if (unlikely(full >= VMX_EXIT_REASONS))
		return exit_unusual(vcpu, start, (u32)full);
	vx = vcpu->arch_priv;
	vx->exit_tsc = start;
	vx->exit_reason = (u32)full;
	if (!(vmx_exit_table[full].flags & (VMX_EXIT_INSN | VMX_EXIT_OWNV))) {
		u32 idt = (u32)vmcs_read_cur(VMCS_IDT_VECTORING_INFO);

		if (unlikely(idt & INTR_INFO_VALID))
			return exit_reinject(vcpu, regs, idt, full);
	}
	return vmx_exit_table[full].handler(vcpu, regs);
}

void vmx_exit_finish(int rc);
void vmx_exit_finish(int rc)
{
	struct vmx_vcpu *vx;
	u64 start;

	if (likely(rc == VMX_EXIT_NEXT_INSN)) {
		vx = this_cpu_read(guest_vcpu)->arch_priv;
		finish_insn(vx, vmcs_read_cur(VMCS_EXIT_INSN_LEN));
	} else if (rc > VMX_EXIT_NEXT_INSN) {
		vx = this_cpu_read(guest_vcpu)->arch_priv;
		finish_insn(vx, (u32)rc - VMX_EXIT_NEXT_INSN_LEN(0));
	} else if (unlikely(rc == VMX_EXIT_UNCOUNTED)) {
		/* exit_unusual() said: no VCPU (nothing more), or nothing to count */
		if (!this_cpu_read(guest_vcpu)) {
			this_cpu_write(exit_regs, NULL);
			return;
		}
		start = rdtsc64();
		goto timers;
	} else {
		vx = this_cpu_read(guest_vcpu)->arch_priv;
	}
	vx->exit_count[vx->exit_reason]++;
	start = vx->exit_tsc;
	vx->exit_ticks[vx->exit_reason] += (u32)(rdtsc64() - start);
timers:
	/* the end of the exit when nothing more is to be done: one test each */
	if (unlikely(this_cpu_u64_le(timer_next_tsc, start) || vmm_scheduler_resched_cpus))
		return exit_finish_work(start);
	this_cpu_write(exit_regs, NULL);
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
	vmm_printk(VMM_LOG_EMERG, "  first VM entry since reset at host TSC %llu, TSC offset %lld\n",
		   (unsigned long long)vx->first_entry_tsc, (long long)vx->tsc_offset);
	if (vx->msr_reported_n)
		vmm_printk(VMM_LOG_EMERG, "  unknown MSRs (#GP): %u reported one by one, %llu later accesses only counted\n",
			   vx->msr_reported_n, (unsigned long long)vx->msr_unreported);
}
