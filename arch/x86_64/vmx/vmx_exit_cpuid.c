/*
 * arch/x86_64/vmx/vmx_exit_cpuid.c - CPUID exits: the host's leaf, curated
 * by cpuid_view.c into the guest's view (what is hidden and why is listed
 * there), and our hypervisor leaves. The hypervisor bit is set and leaf
 * 0x40000000 carries our signature. Leaves 0x15/0x16 (TSC and core
 * frequency) give the TSC rate the hypervisor measured: the guest's TSC is
 * the host's, and a guest such as Linux trusts these leaves for it.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/vmx/cpuid_view.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "arch/x86_64/timer.h"

#define HV_SIGNATURE "XvisorX86VMM"	/* 12 bytes: EBX, ECX, EDX of 0x40000000 */
#define HV_MAX_LEAF 0x40000001u

/* Host leaf limits, read once (vmx_exit_cpuid's first call). */
static u32 max_basic, max_ext;

/* Leaves whose host values need editing: the rarer path (cpuid_view.c). */
static __attribute__((noinline)) void curate(struct vmm_vcpu *v, u32 leaf, u32 sub,
					     struct arch_regs *r)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u32 proc2 = (u32)vmcs_read(VMCS_PROC_CTLS2);
	struct cpuid_view_ctx ctx = {
		.xcr0_allowed = vmx_xcr0_allowed(),
		.vcpu_index = v->subid,
		.guest_osxsave = vmx_guest_cr4() & X86_CR4_OSXSAVE,
		.rdtscp = proc2 & PROC2_RDTSCP,
		.invpcid = proc2 & PROC2_INVPCID,
		.tsc_hz = arch_timer_tsc_hz(),
	};
	u32 regs[4] = { (u32)r->rax, (u32)r->rbx, (u32)r->rcx, (u32)r->rdx };

	if (leaf == 0xD && sub == 0 && ctx.xcr0_allowed) {
		ctx.xsave_size_cur = vmx_xsave_size(vx->xcr0);
		ctx.xsave_size_max = vmx_xsave_size(ctx.xcr0_allowed);
	}
	cpuid_view_curate(&ctx, leaf, sub, regs);
	r->rax = regs[0];
	r->rbx = regs[1];
	r->rcx = regs[2];
	r->rdx = regs[3];
}

/* Leaves 0x40000000-0x4FFFFFFF: ours. */
static __attribute__((noinline)) void hypervisor_leaf(u32 leaf, struct arch_regs *r)
{
	r->rax = r->rbx = r->rcx = r->rdx = 0;
	if (leaf == 0x40000000) {
		const u32 *sig = (const u32 *)HV_SIGNATURE;

		r->rax = HV_MAX_LEAF;
		r->rbx = sig[0];
		r->rcx = sig[1];
		r->rdx = sig[2];
	} else if (leaf == 0x40000001) {
		r->rax = 1;	/* hypercall ABI version (see vmx_exit_vmcall.c) */
	}
}

/* The host's leaf into the guest's registers. */
static inline void host_leaf(u32 leaf, u32 sub, struct arch_regs *r)
{
	u32 a, b, c, d;

	cpuid_count(leaf, sub, &a, &b, &c, &d);
	r->rax = a;
	r->rbx = b;
	r->rcx = c;
	r->rdx = d;
}

/* Leaves the host passes on unchanged (bit n: basic leaf n). */
#define LEAVES_AS_IS ((1u << 0) | (1u << 2))

static inline bool passed_as_is(u32 leaf)
{
	return leaf < 32 && (LEAVES_AS_IS & (1u << leaf));
}

/* Every leaf but the few the host passes on unchanged. */
static __attribute__((noinline)) int cpuid_curated(struct vmm_vcpu *v, struct arch_regs *r)
{
	u32 leaf = (u32)r->rax, sub = (u32)r->rcx;

	if (unlikely(!max_basic)) {
		u32 b, c, d;

		cpuid(0, &max_basic, &b, &c, &d);
		cpuid(0x80000000, &max_ext, &b, &c, &d);
	}
	if (leaf <= max_basic) {
		host_leaf(leaf, sub, r);
		if (!passed_as_is(leaf))
			curate(v, leaf, sub, r);
	} else if (leaf >= 0x80000000 && leaf <= max_ext) {
		host_leaf(leaf, sub, r);
		curate(v, leaf, sub, r);
	} else if (leaf >= 0x40000000 && leaf <= 0x4FFFFFFF) {
		hypervisor_leaf(leaf, r);
	} else {
		r->rax = r->rbx = r->rcx = r->rdx = 0;
	}
	return VMX_EXIT_NEXT_INSN;
}

int vmx_exit_cpuid(struct vmm_vcpu *v, struct arch_regs *r)
{
	u32 leaf = (u32)r->rax;

	/* a leaf the host passes on unchanged (leaf 0 always exists) */
	if (likely(passed_as_is(leaf) && (leaf == 0 || leaf <= max_basic))) {
		host_leaf(leaf, (u32)r->rcx, r);
		return VMX_EXIT_NEXT_INSN;
	}
	return cpuid_curated(v, r);
}
