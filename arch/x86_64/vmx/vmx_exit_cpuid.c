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
#include "devemu/lapic.h"
#include "arch/x86_64/timer.h"

#define HV_SIGNATURE "XvisorX86VMM"	/* 12 bytes: EBX, ECX, EDX of 0x40000000 */
#define HV_MAX_LEAF 0x40000001u

/* Host leaf limits, read once (vmx_exit_cpuid's first curated leaf). */
static u32 max_basic, max_ext;
/* Bit n: basic leaf n goes to the guest as the host has it (set with the
 * limits: 0 until then, so the first CPUID takes the curated path). */
static u32 leaves_as_is;

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
		.lapic = vmm_lapic_present(v),
		.nr_vcpus = v->guest->nr_vcpus,
	};
	u32 regs[4] = { (u32)r->rax, (u32)r->rbx, (u32)r->rcx, (u32)r->rdx };

	if (leaf == 0xD && sub == 0 && ctx.xcr0_allowed) {
		ctx.xsave_size_cur = vmx_xsave_size(vx->xcr0);
		ctx.xsave_size_max = vmx_xsave_size(ctx.xcr0_allowed);
	} else if (leaf == 0xD && sub == 1 && ctx.xcr0_allowed) {
		ctx.xsave_size_compacted = vmx_xsave_compacted_size(vx->xcr0);
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

/* The host's leaf into the guest's registers (CPUID clears bits 63:32). */
static inline void host_leaf(u32 leaf, u32 sub, struct arch_regs *r)
{
	u64 a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"((u64)leaf), "c"((u64)sub));
	r->rax = a;
	r->rbx = b;
	r->rcx = c;
	r->rdx = d;
}

/* Leaves the host passes on unchanged (bit n: basic leaf n): the limits
 * and vendor, the cache descriptors; neither has subleaves. */
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
		/* leaf 0 always exists; the others only up to the limit */
		leaves_as_is = LEAVES_AS_IS & (max_basic >= 31 ? ~0u : (2u << max_basic) - 1);
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

	/* a leaf the host passes on unchanged (no subleaves: ECX not read) */
	if (likely(leaf < 32 && ((leaves_as_is >> leaf) & 1))) {
		u64 a, b, c, d;

		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf));
		r->rax = a;
		r->rbx = b;
		r->rcx = c;
		r->rdx = d;
		return VMX_EXIT_NEXT_INSN;
	}
	return cpuid_curated(v, r);
}
