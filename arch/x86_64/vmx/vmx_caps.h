/*
 * arch/x86_64/vmx/vmx_caps.h - what the CPU's VMX offers, read from CPUID and
 * the VMX capability MSRs (SDM Vol. 3 appendix A) without entering VMX.
 */
#ifndef ARCH_X86_64_VMX_CAPS_H
#define ARCH_X86_64_VMX_CAPS_H

#include "kernel/types.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx/vmx_firmware.h"

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48C
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48D
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48E
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48F
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

/* IA32_FEATURE_CONTROL's bits: vmx_firmware.h */

/* EPT/VPID capability bits (SDM A.10) */
#define EPT_CAP_XONLY (1ULL << 0)	/* execute-only translations */
#define EPT_CAP_WALK4 (1ULL << 6)
#define EPT_CAP_UC (1ULL << 8)
#define EPT_CAP_WB (1ULL << 14)
#define EPT_CAP_2M (1ULL << 16)
#define EPT_CAP_1G (1ULL << 17)
#define EPT_CAP_INVEPT (1ULL << 20)
#define EPT_CAP_AD (1ULL << 21)
#define EPT_CAP_INVVPID (1ULL << 32)

/* secondary processor-based controls (SDM 24.6.2, table 24-7) */
#define PROC2_EPT (1u << 1)
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC_SECONDARY (1u << 31)
#define PIN_PREEMPTION_TIMER (1u << 6)

enum vmx_verdict {
	VMX_USABLE = 0,
	VMX_NO_CPUID,		/* CPUID.1:ECX.VMX = 0 (an AMD CPU too: vmx_fw says which) */
	VMX_LOCKED_OFF,		/* IA32_FEATURE_CONTROL locked with VMX disabled */
	VMX_SMX_ONLY,		/* locked with VMX enabled only inside SMX (TXT) */
	VMX_NO_SECONDARY,	/* no secondary controls: no EPT */
	VMX_NO_EPT,
	VMX_NO_EPT_WB_4LEVEL,	/* EPT without 4-level walks or WB memory type */
	VMX_NO_UNRESTRICTED,
	VMX_NO_VPID,
};

struct vmx_caps {
	bool cpuid_vmx;
	u64 feature_control;
	enum vmx_fw firmware;	/* vendor, CPUID and the firmware's lock */
	u64 basic;
	u32 revision;
	bool true_ctls;
	u64 pinbased, procbased, procbased2, exit_ctls, entry_ctls;
	u64 misc, ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	enum vmx_verdict verdict;
};

/* Read all capabilities and decide; never faults on CPUs without VMX. */
void vmx_caps_read(struct vmx_caps *caps);
/* The reason text for a verdict, e.g. "no VMX in CPUID". */
const char *vmx_verdict_text(enum vmx_verdict v);
/* The firmware advice line of the boot CPU (vmx_fw_advice), NULL when VT-x
 * is usable as far as the firmware goes. */
const char *vmx_boot_advice(void);
/* Capabilities read at boot by arch_virt_probe(). */
const struct vmx_caps *vmx_boot_caps(void);

/*
 * The CR0 the CPU runs a guest with for the CR0 it asked for: the bits VMX
 * operation fixes (IA32_VMX_CR0_FIXED0/1, SDM A.7) forced, except PE and
 * PG, which unrestricted guest leaves to the guest (SDM 26.3.1.1).
 */
static inline u64 vmx_cr0_for_hw(const struct vmx_caps *c, u64 cr0)
{
	const u64 guest_owned = X86_CR0_PE | X86_CR0_PG;

	return ((cr0 | c->cr0_fixed0) & c->cr0_fixed1 & ~guest_owned) | (cr0 & guest_owned);
}

#endif
