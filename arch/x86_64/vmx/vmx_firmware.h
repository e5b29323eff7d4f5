/*
 * arch/x86_64/vmx/vmx_firmware.h - what the CPU's vendor, CPUID and the
 * firmware's IA32_FEATURE_CONTROL (MSR 0x3A) allow for VT-x, decided
 * without touching the hardware (vmx_firmware.c, unit-tested), and the
 * console line that tells a PC user what to change in the firmware setup.
 */
#ifndef ARCH_X86_64_VMX_FIRMWARE_H
#define ARCH_X86_64_VMX_FIRMWARE_H

#include "kernel/types.h"

/* IA32_FEATURE_CONTROL bits (SDM Vol. 3 23.7) */
#define FEATURE_CONTROL_LOCKED (1ULL << 0)
#define FEATURE_CONTROL_VMX_IN_SMX (1ULL << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ULL << 2)

enum vmx_fw {
	VMX_FW_READY,		/* locked with VMX outside SMX: VMXON allowed */
	VMX_FW_UNLOCKED,	/* not locked: the hypervisor sets VMX and locks it */
	VMX_FW_AMD,		/* AuthenticAMD: AMD-V (SVM), not supported here */
	VMX_FW_NO_CPUID,	/* CPUID.1:ECX.VMX clear: no VT-x, or hidden */
	VMX_FW_LOCKED_OFF,	/* locked with VMX off (the firmware setting) */
	VMX_FW_SMX_ONLY,	/* locked with VMX only inside SMX (Intel TXT) */
};

/*
 * The decision: 'vendor' is CPUID leaf 0's 12-byte vendor string (EBX, EDX,
 * ECX; not NUL-terminated), 'cpuid_vmx' CPUID.1:ECX bit 5, 'feature_control'
 * the MSR's value (read only when cpuid_vmx; 0 when it could not be read).
 */
enum vmx_fw vmx_fw_decide(const char vendor[12], bool cpuid_vmx, u64 feature_control);

/* True when VMXON can be reached (READY or UNLOCKED). */
static inline bool vmx_fw_ok(enum vmx_fw f)
{
	return f == VMX_FW_READY || f == VMX_FW_UNLOCKED;
}

/*
 * The console line for a PC user (starting "vmx: ", no newline) naming
 * what to change, or NULL when VT-x can be used.
 */
const char *vmx_fw_advice(enum vmx_fw f);

#endif
