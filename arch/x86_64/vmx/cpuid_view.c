/*
 * arch/x86_64/vmx/cpuid_view.c - the guest's curated CPUID view (see
 * cpuid_view.h), leaf by leaf. Hidden because not virtualised: VMX and
 * SMX, MONITOR/MWAIT, the PMU (leaf 0xA, PDCM: RDPMC and the PMC MSRs are
 * not offered), debug store (DS, DTES64, DS-CPL: IA32_DS_AREA is #GP), the
 * local APIC, x2APIC and the TSC deadline timer for a guest without local
 * APICs (with them: shown, and the topology of leaves 1, 4 and 0xB says
 * one package of nr_vcpus cores, one thread each, APIC ID = VCPU index,
 * as the guest's MADT does),
 * MCE/MCA, thermal and power management (ACPI, TM, TM2, EST, leaf 6), PSN
 * (leaf 3), PBE, SDBG, xTPR, DCA (leaf 9), TSX, SGX, PT (leaf 0x14), RDT
 * (leaves 0xF, 0x10), PKU (PKRU is not switched, CR4.PKE is #GP), MPX,
 * AMX, every leaf 7 ECX/EDX bit (RDPID, WAITPKG, UMIP, speculation
 * controls: their MSRs are not handled) and subleaf 1; XSAVES and every
 * supervisor state component (leaf 0xD: the "enable XSAVES/XRSTORS"
 * control is off, IA32_XSS is #GP); XSAVE, AVX, FMA, F16C, AVX2 and
 * AVX-512 unless XCR0 may enable their state; RDTSCP and INVPCID unless
 * their VM-execution control is on (else #UD). Basic leaves not listed
 * here read as zeros. Pure computation.
 */
#include "arch/x86_64/vmx/cpuid_view.h"
#include "arch/x86_64/vmx/cpustate_check.h"

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
/* leaf 7.0 EBX bits shown: FSGSBASE TSC_ADJUST BMI1 AVX2 SMEP BMI2 ERMS INVPCID RDSEED ADX SMAP CLFLUSHOPT CLWB SHA */
#define L7_EBX_SHOW ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 5) | (1u << 7) | (1u << 8) | (1u << 9) | \
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
 * Leaf 0xD: the XCR0 bits the guest may enable, the area sizes for them,
 * their components' subleaves; no XSAVES, no IA32_XSS bits, no XFD.
 */
static void xsave_leaf(const struct cpuid_view_ctx *ctx, u32 sub, u32 r[4])
{
	u64 allowed = ctx->xcr0_allowed;

	if (!allowed) {
		r[0] = r[1] = r[2] = r[3] = 0;
	} else if (sub == 0) {
		r[0] = (u32)allowed;
		r[3] = (u32)(allowed >> 32);
		r[1] = ctx->xsave_size_cur;	/* for what XCR0 enables now */
		r[2] = ctx->xsave_size_max;	/* for every bit it may enable */
	} else if (sub == 1) {
		r[0] &= (1u << 0) | (1u << 1) | (1u << 2);	/* XSAVEOPT, XSAVEC, XGETBV 1 */
		/* EBX: the compacted (XSAVEC) size for XCR0 | IA32_XSS, the guest's
		 * XCR0 and no XSS bits, computed from the components' sizes and
		 * alignments (SDM 13.4.3; Bochs 2.7 gives the standard size here) */
		r[1] = ctx->xsave_size_compacted;
		r[2] = r[3] = 0;	/* no IA32_XSS bits */
	} else if (sub >= 63 || !(allowed & (1ULL << sub))) {
		r[0] = r[1] = r[2] = r[3] = 0;
	}
	/* else a component the guest may enable: the host's offset and size */
}

/* The smallest power of two >= n (n >= 1), and its log2. */
static u32 log2_up(u32 n)
{
	u32 k = 0;

	while ((1u << k) < n)
		k++;
	return k;
}

static u32 pow2_up(u32 n)
{
	return 1u << log2_up(n ? n : 1);
}

void cpuid_view_curate(const struct cpuid_view_ctx *ctx, u32 leaf, u32 sub, u32 r[4])
{
	u32 a = r[0], b = r[1], c = r[2], d = r[3];

	switch (leaf) {
	case 0: case 2:
		break;		/* limits and vendor, cache descriptors */
	case 1:
		c &= ~L1_ECX_HIDE;
		c |= 1u << 31;	/* running under a hypervisor */
		/* XSAVE and the AVX family only with the state switched (vmx_xsave.c) */
		if (!ctx->xcr0_allowed)
			c &= ~L1_ECX_XSAVE;
		if (!(ctx->xcr0_allowed & XFEATURE_AVX))
			c &= ~(L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
		/* OSXSAVE mirrors the guest's own CR4.OSXSAVE */
		c &= ~(1u << 27);
		if (ctx->guest_osxsave)
			c |= 1u << 27;
		d &= ~L1_EDX_HIDE;
		d &= ~(1u << 28);	/* no HTT */
		if (ctx->lapic) {
			/* APIC, x2APIC, TSC-deadline: emulated (devemu/lapic.c) */
			d |= 1u << 9;
			c |= (1u << 21) | (1u << 24);
			if (ctx->nr_vcpus > 1)
				d |= 1u << 28;	/* EBX[23:16] is valid */
		}
		/* initial APIC id = VCPU index; logical CPUs of the package */
		b = (b & 0x0000FFFFu) | (pow2_up(ctx->lapic ? ctx->nr_vcpus : 1) << 16) |
		    (ctx->vcpu_index << 24);
		break;
	case 4:
		a &= 0x3FF;	/* caches, one thread each */
		if (ctx->lapic && (a & 0x1F))
			a |= (pow2_up(ctx->nr_vcpus) - 1) << 26;	/* cores per package - 1 */
		break;
	case 0xB: {	/* extended topology: thread level, core level */
		u32 cores = ctx->lapic ? ctx->nr_vcpus : 1;

		if (!ctx->lapic) {
			a = b = c = d = 0;
		} else if (sub == 0) {
			a = 0;			/* no thread bits in the APIC ID */
			b = 1;
			c = (1u << 8) | sub;	/* level type 1: SMT */
			d = ctx->vcpu_index;
		} else if (sub == 1) {
			a = log2_up(cores);	/* core bits */
			b = cores;
			c = (2u << 8) | sub;	/* level type 2: core */
			d = ctx->vcpu_index;
		} else {
			a = b = 0;
			c = sub;		/* level type 0: no more levels */
			d = ctx->vcpu_index;
		}
		break;
	}
	case 7:
		if (sub == 0) {
			u32 show = L7_EBX_SHOW;

			if (!(ctx->xcr0_allowed & XFEATURE_AVX))
				show &= ~L7_EBX_AVX2;
			if ((ctx->xcr0_allowed & XFEATURE_AVX512) == XFEATURE_AVX512)
				show |= L7_EBX_AVX512;
			if (!ctx->invpcid)
				show &= ~L7_EBX_INVPCID;	/* else INVPCID is #UD */
			a = 0;		/* no subleaf 1 */
			b &= show;
			c = 0;
			d = 0;
		} else {
			a = b = c = d = 0;
		}
		break;
	case 0xD:
		r[0] = a; r[1] = b; r[2] = c; r[3] = d;
		xsave_leaf(ctx, sub, r);
		return;
	case 0x15: {	/* TSC = ECX * EBX / EAX */
		u64 hz = ctx->tsc_hz;

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
		a = b = (u32)(ctx->tsc_hz / 1000000);
		c = 100;
		d = 0;
		break;
	case 0x80000000: case 0x80000002: case 0x80000003: case 0x80000004:
	case 0x80000005: case 0x80000006:
		break;		/* limits, brand string, caches */
	case 0x80000001:
		c &= LX1_ECX_SHOW;
		d &= LX1_EDX_SHOW;
		if (!ctx->rdtscp)
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
	r[0] = a;
	r[1] = b;
	r[2] = c;
	r[3] = d;
}
