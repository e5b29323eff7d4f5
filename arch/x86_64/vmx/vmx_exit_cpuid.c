/*
 * arch/x86_64/vmx/vmx_exit_cpuid.c - the guest's curated CPUID view.
 *
 * The host's leaves, with what is not virtualised hidden: every feature
 * bit the guest sees works (its instructions run, its MSRs are handled by
 * vmx_exit_msr.c, its state is switched by vmx_xsave.c). Hidden: VMX and
 * SMX, MONITOR/MWAIT, the PMU (leaf 0xA, PDCM), debug store (DS, DTES64,
 * DS-CPL), the local APIC, x2APIC and the TSC deadline timer (no APIC
 * emulation yet), MCE/MCA, thermal and power management (ACPI, TM, TM2,
 * EST, leaf 6), PSN (leaf 3), PBE, SDBG, xTPR, DCA (leaf 9), TSX, SGX, PT
 * (leaf 0x14), RDT (leaves 0xF, 0x10), PKU, MPX, AMX, every leaf 7 EDX and
 * ECX bit and subleaf 1; XSAVES and supervisor state (leaf 0xD, see
 * vmx_xsave.c); AVX, FMA, F16C, AVX2 and AVX-512 unless XCR0 may enable
 * their state; RDTSCP and INVPCID unless their VM-execution control is on.
 * Basic leaves without an entry here read as zeros. The hypervisor bit is set and
 * leaf 0x40000000 carries our signature. Leaves 0x15/0x16 (TSC and core
 * frequency) give the TSC rate the hypervisor measured: the guest's TSC is
 * the host's, and a guest such as Linux trusts these leaves for it.
 */
#include "arch/x86_64/vmx/vmx_exits.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "arch/x86_64/vmx/cpustate_check.h"
#include "arch/x86_64/cpu.h"
#include "kernel/manager.h"
#include "arch/x86_64/timer.h"

#define HV_SIGNATURE "XvisorX86VMM"	/* 12 bytes: EBX, ECX, EDX of 0x40000000 */
#define HV_MAX_LEAF 0x40000001u

/* leaf 1 ECX: DTES64 MONITOR DS-CPL VMX SMX EST TM2 CNXT-ID SDBG xTPR PDCM
 * DCA x2APIC TSC-deadline */
#define L1_ECX_HIDE ((1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | \
		     (1u << 8) | (1u << 10) | (1u << 11) | (1u << 14) | (1u << 15) | (1u << 18) | \
		     (1u << 21) | (1u << 24))
#define L1_ECX_FMA (1u << 12)
#define L1_ECX_XSAVE (1u << 26)
#define L1_ECX_AVX (1u << 28)
#define L1_ECX_F16C (1u << 29)
/* leaf 1 EDX: MCE APIC MCA PSN DS ACPI TM PBE */
#define L1_EDX_HIDE ((1u << 7) | (1u << 9) | (1u << 14) | (1u << 18) | (1u << 21) | (1u << 22) | \
		     (1u << 29) | (1u << 31))
/* leaf 7.0 EBX bits shown: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS INVPCID RDSEED ADX SMAP CLFLUSHOPT CLWB SHA */
#define L7_EBX_SHOW ((1u << 0) | (1u << 3) | (1u << 5) | (1u << 7) | (1u << 8) | (1u << 9) | \
		     (1u << 10) | (1u << 18) | (1u << 19) | (1u << 20) | (1u << 23) | (1u << 24) | (1u << 29))
#define L7_EBX_AVX2 (1u << 5)
#define L7_EBX_INVPCID (1u << 10)
/* AVX-512 F DQ IFMA CD BW VL (not PF/ER: Xeon Phi) */
#define L7_EBX_AVX512 ((1u << 16) | (1u << 17) | (1u << 21) | (1u << 28) | (1u << 30) | (1u << 31))
/* 0x80000001 ECX: LAHF/SAHF, LZCNT, PREFETCHW; EDX: SYSCALL, NX, 1 GiB pages, RDTSCP, LM */
#define LX1_ECX_SHOW ((1u << 0) | (1u << 5) | (1u << 8))
#define LX1_EDX_SHOW ((1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29))
#define LX1_EDX_RDTSCP (1u << 27)

/*
 * Leaf 0xD: the XCR0 bits the guest may enable (vmx_xsave.c), the area
 * sizes for them, their components' subleaves; no XSAVES, no IA32_XSS
 * bits (XSAVES is #UD, IA32_XSS #GP), no XFD.
 */
static void xsave_leaf(struct vmm_vcpu *v, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	struct vmx_vcpu *vx = v->arch_priv;
	u64 allowed = vmx_xcr0_allowed();

	if (!allowed) {
		*a = *b = *c = *d = 0;
	} else if (sub == 0) {
		*a = (u32)allowed;
		*d = (u32)(allowed >> 32);
		*b = vmx_xsave_size(vx->xcr0);	/* for what XCR0 enables now */
		*c = vmx_xsave_size(allowed);	/* for every bit it may enable */
	} else if (sub == 1) {
		*a &= (1u << 0) | (1u << 1) | (1u << 2);	/* XSAVEOPT, XSAVEC, XGETBV 1 */
		/* EBX: the compacted size for XCR0 | IA32_XSS, as the CPU computes
		 * it (XCR0 is the guest's while it is loaded; the host's XSS is 0) */
		*c = *d = 0;	/* no IA32_XSS bits */
	} else if (sub >= 63 || !(allowed & (1ULL << sub))) {
		*a = *b = *c = *d = 0;
	}
	/* else a component the guest may enable: the host's offset and size */
}

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
		/* XSAVE and the AVX family only with the state switched (vmx_xsave.c) */
		if (!vmx_xcr0_allowed())
			c &= ~L1_ECX_XSAVE;
		if (!(vmx_xcr0_allowed() & XFEATURE_AVX))
			c &= ~(L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
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
	case 7:
		if (sub == 0) {
			u32 proc2 = (u32)vmcs_read(VMCS_PROC_CTLS2);
			u64 xcr0 = vmx_xcr0_allowed();
			u32 show = L7_EBX_SHOW;

			if (!(xcr0 & XFEATURE_AVX))
				show &= ~L7_EBX_AVX2;
			if ((xcr0 & XFEATURE_AVX512) == XFEATURE_AVX512)
				show |= L7_EBX_AVX512;
			if (!(proc2 & PROC2_INVPCID))
				show &= ~L7_EBX_INVPCID;	/* else INVPCID is #UD */
			a = 0;		/* no subleaf 1 */
			b &= show;
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
	case 0xD:
		xsave_leaf(v, sub, &a, &b, &c, &d);
		break;
	case 0x80000000: case 0x80000002: case 0x80000003: case 0x80000004:
	case 0x80000005: case 0x80000006:
		break;		/* limits, brand string, caches */
	case 0x80000001:
		c &= LX1_ECX_SHOW;
		d &= LX1_EDX_SHOW;
		if (!((u32)vmcs_read(VMCS_PROC_CTLS2) & PROC2_RDTSCP))
			d &= ~LX1_EDX_RDTSCP;	/* else RDTSCP is #UD */
		break;
	case 0x80000007:
		a = b = c = 0;
		d &= 1u << 8;	/* invariant TSC: the guest's TSC is the host's plus an offset */
		break;
	case 0x80000008:
		a &= 0xFFFF;	/* physical and linear address widths */
		b = c = d = 0;
		break;
	default:
		/* MONITOR, power, PMU, topology, DCA, PSN, RDT, SGX, PT, AMX ...:
		 * not virtualised, and any leaf not known here */
		a = b = c = d = 0;
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
