/*
 * arch/x86_64/vmx/cpuid_view.h - the guest's curated CPUID view as a pure
 * function: the host's values of a leaf in, the guest's out, given what
 * the hypervisor virtualises for this VCPU (cpuid_view_ctx). Every feature
 * bit the guest sees must work; the rest is hidden (see cpuid_view.c).
 * Pure computation: unit-tested on the host (tests/unit/test_cpuid_view.c);
 * vmx_exit_cpuid.c runs the host CPUID and fills the context.
 */
#ifndef ARCH_X86_64_VMX_CPUID_VIEW_H
#define ARCH_X86_64_VMX_CPUID_VIEW_H

#include "kernel/types.h"

struct cpuid_view_ctx {
	u64 xcr0_allowed;	/* XCR0 bits the guest may enable (vmx_xsave.c); 0: no XSAVE */
	u32 xsave_size_cur;	/* leaf 0xD.0 EBX: XSAVE area size for the VCPU's XCR0 */
	u32 xsave_size_max;	/* leaf 0xD.0 ECX: for every bit of xcr0_allowed */
	u32 xsave_size_compacted;	/* leaf 0xD.1 EBX: compacted size for the VCPU's XCR0 */
	u32 vcpu_index;		/* initial APIC ID */
	bool guest_osxsave;	/* the guest's CR4.OSXSAVE */
	bool rdtscp;		/* the "enable RDTSCP" control is on */
	bool invpcid;		/* the "enable INVPCID" control is on */
	u64 tsc_hz;		/* the TSC rate (leaves 0x15, 0x16) */
	bool lapic;		/* the guest has local APICs (devemu/lapic.c) */
	u32 nr_vcpus;		/* VCPUs of the guest: cores of one package (leaves 1, 4, 0xB) */
};

/* Leaves 0-0x3FFFFFFF and 0x80000000 up: r[0..3] = EAX EBX ECX EDX of the
 * host's leaf/subleaf on entry, the guest's on return. */
void cpuid_view_curate(const struct cpuid_view_ctx *ctx, u32 leaf, u32 sub, u32 r[4]);

#endif
