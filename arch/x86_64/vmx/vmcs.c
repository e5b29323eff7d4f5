/*
 * arch/x86_64/vmx/vmcs.c - VMX instruction wrappers that check VMfail
 * (SDM 30.2 conventions) and the names of VM-instruction errors (SDM 30.4).
 */
#include "arch/x86_64/vmx/vmcs.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* CF=1: VMfailInvalid; ZF=1: VMfailValid (error in VMCS_INSN_ERROR) */
#define VMX_FAIL_CHECK "setbe %[fail]\n"

static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_text(u32 error)
{
	if (error < ARRAY_SIZE(insn_errors) && insn_errors[error])
		return insn_errors[error];
	return "unknown VM-instruction error";
}

void vmcs_access_failed(u32 field, bool write)
{
	u64 err = 0;

	if (write)
		vmcs_read_checked(VMCS_INSN_ERROR, &err);
	vmm_err("vmx: %s of VMCS field 0x%x failed%s%s\n", write ? "VMWRITE" : "VMREAD", field,
		err ? ": " : "", err ? vmx_insn_error_text((u32)err) : "");
}

int vmcs_read_checked(u32 field, u64 *value)
{
	u8 fail;

	__asm__ volatile("vmread %[field], %[value]\n" VMX_FAIL_CHECK
			 : [value] "=rm"(*value), [fail] "=rm"(fail)
			 : [field] "r"((u64)field) : "cc");
	if (unlikely(fail)) {
		vmm_err("vmx: VMREAD of field 0x%x failed\n", field);
		return -VMM_EFAIL;
	}
	return VMM_OK;
}

int vmcs_write_checked(u32 field, u64 value)
{
	u8 fail;

	__asm__ volatile("vmwrite %[value], %[field]\n" VMX_FAIL_CHECK
			 : [fail] "=rm"(fail)
			 : [field] "r"((u64)field), [value] "rm"(value) : "cc");
	if (unlikely(fail)) {
		u64 err = 0;

		__asm__ volatile("vmread %1, %0" : "=r"(err) : "r"((u64)VMCS_INSN_ERROR) : "cc");
		vmm_err("vmx: VMWRITE of 0x%llx to field 0x%x failed: %s\n",
			(unsigned long long)value, field, vmx_insn_error_text((u32)err));
		return -VMM_EFAIL;
	}
	return VMM_OK;
}

int vmx_vmclear(u64 pa)
{
	u8 fail;

	__asm__ volatile("vmclear %[pa]\n" VMX_FAIL_CHECK
			 : [fail] "=rm"(fail) : [pa] "m"(pa) : "cc", "memory");
	return fail ? -VMM_EFAIL : VMM_OK;
}

int vmx_vmptrld(u64 pa)
{
	u8 fail;

	__asm__ volatile("vmptrld %[pa]\n" VMX_FAIL_CHECK
			 : [fail] "=rm"(fail) : [pa] "m"(pa) : "cc", "memory");
	return fail ? -VMM_EFAIL : VMM_OK;
}

int vmx_invept_context(u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };
	u8 fail;

	/* type 1: single-context invalidation (SDM 30.3 INVEPT) */
	__asm__ volatile("invept %[desc], %[type]\n" VMX_FAIL_CHECK
			 : [fail] "=rm"(fail) : [desc] "m"(desc), [type] "r"(1UL) : "cc", "memory");
	return fail ? -VMM_EFAIL : VMM_OK;
}

int vmx_invvpid_context(u16 vpid)
{
	struct { u64 vpid, addr; } desc = { vpid, 0 };
	u8 fail;

	/* type 1: single-context invalidation (SDM 30.3 INVVPID) */
	__asm__ volatile("invvpid %[desc], %[type]\n" VMX_FAIL_CHECK
			 : [fail] "=rm"(fail) : [desc] "m"(desc), [type] "r"(1UL) : "cc", "memory");
	return fail ? -VMM_EFAIL : VMM_OK;
}
