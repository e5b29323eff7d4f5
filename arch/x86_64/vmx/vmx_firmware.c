/*
 * arch/x86_64/vmx/vmx_firmware.c - the firmware's say over VT-x
 * (vmx_firmware.h): vendor, CPUID and IA32_FEATURE_CONTROL decided as a
 * pure function, and the advice a PC user reads on the screen. Pure
 * computation: built into the kernel and into the unit tests.
 */
#include <string.h>
#include "arch/x86_64/vmx/vmx_firmware.h"

enum vmx_fw vmx_fw_decide(const char vendor[12], bool cpuid_vmx, u64 fc)
{
	if (!memcmp(vendor, "AuthenticAMD", 12))
		return VMX_FW_AMD;
	if (!cpuid_vmx)
		return VMX_FW_NO_CPUID;
	if (!(fc & FEATURE_CONTROL_LOCKED))
		return VMX_FW_UNLOCKED;
	if (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
		return VMX_FW_READY;
	if (fc & FEATURE_CONTROL_VMX_IN_SMX)
		return VMX_FW_SMX_ONLY;
	return VMX_FW_LOCKED_OFF;
}

#define FW_SETUP "enter the firmware setup (often F2, Del or F10 at power-on)"

const char *vmx_fw_advice(enum vmx_fw f)
{
	switch (f) {
	case VMX_FW_READY:
	case VMX_FW_UNLOCKED:
		return NULL;
	case VMX_FW_AMD:
		return "vmx: this is an AMD CPU (AuthenticAMD): AMD-V (SVM) is not supported by "
		       "this hypervisor, which needs Intel VT-x; no guests can run";
	case VMX_FW_NO_CPUID:
		return "vmx: the CPU does not show VT-x (VMX) in CPUID: either it is not an Intel "
		       "CPU with VT-x, or a hypervisor or the firmware hides it (under a hypervisor "
		       "enable nested virtualization, e.g. KVM: kvm_intel nested=1 and -cpu host); "
		       "no guests can run";
	case VMX_FW_LOCKED_OFF:
		return "vmx: VT-x is disabled in the firmware (IA32_FEATURE_CONTROL locked without "
		       "VMX): " FW_SETUP " and enable 'Intel Virtualization Technology' (VT-x), "
		       "then power the machine off and on";
	case VMX_FW_SMX_ONLY:
		return "vmx: the firmware enabled VT-x only inside SMX (Intel TXT measured launch; "
		       "IA32_FEATURE_CONTROL locked with VMX in SMX only), which this hypervisor "
		       "does not use: " FW_SETUP " and enable 'Intel Virtualization Technology' "
		       "(VT-x) outside TXT (or disable 'Intel TXT'), then power the machine off and on";
	}
	return "vmx: VT-x state unknown";
}
