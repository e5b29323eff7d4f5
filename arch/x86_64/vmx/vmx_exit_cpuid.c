/*
 * arch/x86_64/vmx/vmx_exit_cpuid.c - the guest's curated CPUID view.
 *
 * The host's leaves, with what is not virtualised hidden: VMX and SMX,
 * MONITOR/MWAIT, the PMU (leaf 0xA, PDCM), the local APIC, x2APIC and the
 * TSC deadline timer (no APIC emulation yet), MCE/MCA, thermal and power
 * management (leaf 6), TSX, SGX, PT and PKU. The hypervisor bit is set and
 * leaf 0x40000000 carries our signature. Leaves 0x15/0x16 (TSC and core
 * frequency) give the TSC rate the hypervisor measured: the guest's TSC is
 * the host's, and a guest such as Linux trusts these leaves for it.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "arch/x86_64/timer.h"

#define HV_SIGNATURE "XvisorX86VMM"	/* 12 bytes: EBX, ECX, EDX of 0x40000000 */
#define HV_MAX_LEAF 0x40000001u

/* leaf 1 */
#define L1_ECX_HIDE ((1u << 3) | (1u << 5) | (1u << 6) | (1u << 15) | (1u << 21) | (1u << 24))
#define L1_EDX_HIDE ((1u << 7) | (1u << 9) | (1u << 14) | (1u << 22) | (1u << 29))
/* leaf 7.0 EBX bits shown: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS INVPCID RDSEED ADX SMAP CLFLUSHOPT CLWB SHA */
#define L7_EBX_SHOW ((1u << 0) | (1u << 3) | (1u << 5) | (1u << 7) | (1u << 8) | (1u << 9) | \
		     (1u << 10) | (1u << 18) | (1u << 19) | (1u << 20) | (1u << 23) | (1u << 24) | (1u << 29))

/* Host leaf limits, read once (vmx_exit_cpuid's first call). */
static u32 max_basic, max_ext;

/* Leaves whose host values need editing: the rarer path. */
static __attribute__((noinline)) void curate(struct vmm_vcpu *v, u32 leaf, u32 sub,
					     struct arch_regs *r)
{
	u32 a = (u32)r->rax, b = (u32)r->rbx, c = (u32)r->rcx, d = (u32)r->rdx;

	switch (leaf) {
	case 1:
		c &= ~L1_ECX_HIDE;
		c |= 1u << 31;	/* running under a hypervisor */
		/* OSXSAVE mirrors the guest's own CR4.OSXSAVE */
		c &= ~(1u << 27);
		if (vmx_guest_cr4() & X86_CR4_OSXSAVE)
			c |= 1u << 27;
		d &= ~L1_EDX_HIDE;
		/* initial APIC id = VCPU index, one logical CPU per package */
		b = (b & 0x0000FFFFu) | (1u << 16) | (v->subid << 24);
		d &= ~(1u << 28);	/* no HTT */
		break;
	case 4:
		a &= 0x3FF;	/* caches, one core per package */
		break;
	case 5: case 6: case 0xA: case 0xB: case 0x1F:
		a = b = c = d = 0;	/* MONITOR, power, PMU, topology: not virtualised */
		break;
	case 7:
		if (sub == 0) {
			a = 0;
			b &= L7_EBX_SHOW;
			c = 0;
			d = 0;
		} else {
			a = b = c = d = 0;
		}
		break;
	case 0x15: {	/* TSC = ECX * EBX / EAX */
		u64 hz = arch_timer_tsc_hz();

		a = 1;
		b = 1;
		while (hz > 0xFFFFFFFFULL) {
			hz >>= 1;
			b <<= 1;
		}
		c = (u32)hz;
		d = 0;
		break;
	}
	case 0x16:	/* base, maximum and bus frequency in MHz */
		a = b = (u32)(arch_timer_tsc_hz() / 1000000);
		c = 100;
		d = 0;
		break;
	case 0x80000001:
		c &= ~(1u << 2);	/* SVM */
		break;
	default:
		break;
	}
	r->rax = a;
	r->rbx = b;
	r->rcx = c;
	r->rdx = d;
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
#define LEAVES_AS_IS ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 8) | (1u << 9) | \
		      (1u << 0xD) | (1u << 0xE) | (1u << 0xF) | (1u << 0x10) | (1u << 0x11))

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
