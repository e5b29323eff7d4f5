/*
 * arch/x86_64/vmx/vmx_exit_io.c - IN/OUT of 1, 2 or 4 bytes, and the string
 * forms INS/OUTS with or without REP (SDM 28.2.1 table 28-5 for the
 * qualification, decoded by vmx_exit_qual.h; 27.2.5 for the instruction
 * information), routed to device emulation.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmx_exit_qual.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/manager.h"
#include "arch/x86_64/timer.h"
#include "kernel/aspace.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "devemu/devemu.h"

/*
 * Iterations of a REP INS/OUTS done in one exit at most; the rest
 * re-executes. The batch also ends as soon as a timer event is due (the
 * end of the time slice among them): a guest's string I/O is preempted
 * like its other work, whatever the count in RCX.
 */
#define IO_STRING_BATCH 4096

static u64 mask_of(u32 bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* A port access device emulation refused: halt the VCPU saying why. */
static __attribute__((noinline, cold)) int io_failed(struct vmm_vcpu *v, const char *what, u16 port, int rc)
{
	return vmx_halt_vcpu(v, "%s port 0x%x at RIP 0x%llx: %s", what, port,
			     (unsigned long long)vmcs_read(VMCS_GUEST_RIP),
			     rc == -VMM_EACCESS ? "unassigned, and the guest is strict (unassigned_io = \"halt\")"
						: "device emulation stopped the guest");
}

/*
 * The memory operand of INS/OUTS is not guest RAM or ROM: say what it is.
 * String I/O moves data between a port and memory the hypervisor copies
 * directly; to or from an emulated MMIO region or unassigned memory it is
 * not emulated.
 */
static __attribute__((noinline, cold)) int io_string_memory_failed(struct vmm_vcpu *v, bool in, u16 port, u64 gva)
{
	const char *insn = in ? "INS from" : "OUTS to";
	u64 rip = vmcs_read(VMCS_GUEST_RIP), gpa;
	struct vmm_region *reg;

	if (vmx_gva_to_gpa(v, gva, in, &gpa))
		return vmx_halt_vcpu(v, "%s port 0x%x at RIP 0x%llx: linear address 0x%llx is not mapped by the "
				     "guest's page tables", insn, port, (unsigned long long)rip,
				     (unsigned long long)gva);
	reg = vmm_aspace_lookup(v->guest->aspace, gpa, false);
	if (!reg)
		return vmx_halt_vcpu(v, "%s port 0x%x at RIP 0x%llx: memory operand at linear 0x%llx (GPA 0x%llx) "
				     "is outside every region: string I/O with unassigned memory is not emulated",
				     insn, port, (unsigned long long)rip, (unsigned long long)gva,
				     (unsigned long long)gpa);
	return vmx_halt_vcpu(v, "%s port 0x%x at RIP 0x%llx: memory operand at linear 0x%llx (GPA 0x%llx) is in "
			     "%s region %s: string I/O with emulated memory is not emulated", insn, port,
			     (unsigned long long)rip, (unsigned long long)gva, (unsigned long long)gpa,
			     vmm_region_kind_name(reg->cfg->kind), reg->cfg->name);
}

/*
 * The memory operand of one INS/OUTS iteration as the CPU checks it before
 * the access (SDM INS/OUTS "Protected Mode Exceptions" and "64-Bit Mode
 * Exceptions", 4.7): a non-canonical address in 64-bit mode is #GP(0)
 * (#SS(0) through SS), a translation that is not present or not allowed
 * is #PF with CR2 = the address. Such an iteration is the guest's fault,
 * not the hypervisor's: the fault is injected with RIP at the instruction
 * and the registers of the iterations done, as the CPU leaves them. A GPA
 * outside the guest's memory is not the guest's fault: the caller halts.
 */
static int string_io_fault(struct vmm_vcpu *v, u64 gva, u32 size, u32 seg, bool write)
{
	u64 gpa;
	int rc;

	if (vmx_guest_cpu_mode() == 64 && ((s64)(gva << 16) >> 16 != (s64)gva ||
	    (s64)((gva + size - 1) << 16) >> 16 != (s64)(gva + size - 1))) {
		vmx_inject_exception(seg == 2 ? 12 : 13, true, 0);
		return -VMM_EFAULT;
	}
	for (u64 a = gva; ; a = (a | 0xFFF) + 1) {	/* each page the access touches */
		rc = vmx_gva_to_gpa(v, a, write, &gpa);
		if (rc) {
			/* #PF error code: P (rights, not presence), W, U (SDM 4.7) */
			write_cr2(a);
			vmx_inject_exception(14, true, (rc == -VMM_EACCESS ? 1 : 0) | (write ? 2 : 0) |
					     (vmx_guest_cpl() == 3 ? 4 : 0));
			return rc;
		}
		if (((a ^ (gva + size - 1)) & ~0xFFFULL) == 0)
			return VMM_OK;
	}
}

static __attribute__((noinline)) int io_string(struct vmm_vcpu *v, struct arch_regs *r, u16 port, u32 size,
		     bool in, bool rep)
{
	u32 info = (u32)vmcs_read(VMCS_EXIT_INSN_INFO);
	u32 asize = 2u << ((info >> 7) & 7);	/* 0:16 1:32 2:64 bits, in bytes */
	u64 amask = mask_of(asize);
	u32 seg = in ? 0 : (info >> 15) & 7;	/* INS always uses ES */
	u64 base = vmcs_read(VMCS_GUEST_ES_BASE + seg * 2);
	s64 step = (vmcs_read(VMCS_GUEST_RFLAGS) & (1u << 10)) ? -(s64)size : (s64)size;
	u64 count = rep ? (r->rcx & amask) : 1;
	u64 *idx = in ? &r->rdi : &r->rsi;
	u64 done = 0;
	bool faulted = false;

	if (vmx_guest_cpu_mode() == 64)
		base = (seg == 4 || seg == 5) ? base : 0;	/* only FS/GS bases in 64-bit mode */
	while (done < count && done < IO_STRING_BATCH &&
	       (!done || rdtsc() < arch_timer_next_tsc())) {
		u64 gva = base + (*idx & amask);
		u32 val = 0;
		int rc;

		if (string_io_fault(v, gva, size, seg, in)) {
			faulted = true;	/* the guest's own fault: #GP/#SS/#PF injected */
			break;
		}
		if (in) {
			rc = vmm_devemu_io_read(v->guest, port, size, &val);
			if (!rc && vmx_write_guest_linear(v, gva, &val, size) != size)
				rc = -VMM_EFAULT;
		} else {
			rc = vmx_read_guest_linear(v, gva, &val, size) == size ? VMM_OK : -VMM_EFAULT;
			if (!rc)
				rc = vmm_devemu_io_write(v->guest, port, size, val);
		}
		if (rc == -VMM_EFAULT)
			return io_string_memory_failed(v, in, port, gva);
		if (rc)
			return io_failed(v, in ? "INS from" : "OUTS to", port, rc);
		*idx = (*idx & ~amask) | ((*idx + step) & amask);
		done++;
		if (vmx_vcpu_was_reset())
			return VMM_OK;	/* a device reset the guest: nothing more of this */
	}
	if (rep)
		r->rcx = (r->rcx & ~amask) | ((r->rcx - done) & amask);
	if (!faulted && (!rep || done == count))
		return VMX_EXIT_NEXT_INSN;
	return VMM_OK;	/* the rest of a REP runs again, or the fault is delivered */
}

/* The port access of the current exit failed: its port from the VMCS. */
static __attribute__((noinline, cold)) int io_failed_now(bool in, int rc)
{
	u16 port = vmx_io_qual_decode(vmcs_read(VMCS_EXIT_QUALIFICATION)).port;

	return io_failed(this_cpu()->guest_vcpu, in ? "IN from" : "OUT to", port, rc);
}

/* by access size in bytes (1, 2 or 4; the CPU reports no other) */
static const u32 io_masks[8] = { 0, 0xFF, 0xFFFF, 0, 0xFFFFFFFFu, 0, 0, 0 };

/*
 * Every port exit: IN and OUT of 1, 2 or 4 bytes (AL, AX, EAX) here, the
 * string forms in io_string(). 'val' is a scalar device emulation writes
 * once, hence no stack-protector canary here.
 */
__attribute__((no_stack_protector))
int vmx_exit_io(struct vmm_vcpu *v, struct arch_regs *r)
{
	struct vmx_io_qual q = vmx_io_qual_decode(vmcs_read(VMCS_EXIT_QUALIFICATION));
	u32 val, mask = io_masks[q.size & 7];
	int rc;

	if (unlikely(q.string))	/* INS/OUTS, REP or not */
		return io_string(v, r, q.port, q.size, q.in, q.rep);
	if (q.in) {
		rc = vmm_devemu_io_read(v->guest, q.port, q.size, &val);
		if (unlikely(rc))
			return io_failed_now(true, rc);	/* RAX keeps its value */
		/* a 32-bit destination zero-extends */
		r->rax = q.size == 4 ? val : (r->rax & ~(u64)mask) | (val & mask);
		return VMX_EXIT_NEXT_INSN;
	}
	rc = vmm_devemu_io_write(v->guest, q.port, q.size, (u32)r->rax & mask);
	if (unlikely(rc))
		return io_failed_now(false, rc);
	return VMX_EXIT_NEXT_INSN;
}
