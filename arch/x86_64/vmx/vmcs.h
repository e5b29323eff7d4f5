/*
 * arch/x86_64/vmx/vmcs.h - VMCS field encodings (SDM Vol. 3 appendix B) and
 * small typed accessors for the VMX instructions. A failing VMREAD/VMWRITE
 * is a hypervisor bug: the accessors report it with the field's encoding.
 */
#ifndef ARCH_X86_64_VMX_VMCS_H
#define ARCH_X86_64_VMX_VMCS_H

#include "kernel/types.h"

enum vmcs_field {
	/* 16-bit */
	VMCS_VPID = 0x0000,
	VMCS_GUEST_ES_SEL = 0x0800, VMCS_GUEST_CS_SEL = 0x0802, VMCS_GUEST_SS_SEL = 0x0804,
	VMCS_GUEST_DS_SEL = 0x0806, VMCS_GUEST_FS_SEL = 0x0808, VMCS_GUEST_GS_SEL = 0x080A,
	VMCS_GUEST_LDTR_SEL = 0x080C, VMCS_GUEST_TR_SEL = 0x080E,
	VMCS_HOST_ES_SEL = 0x0C00, VMCS_HOST_CS_SEL = 0x0C02, VMCS_HOST_SS_SEL = 0x0C04,
	VMCS_HOST_DS_SEL = 0x0C06, VMCS_HOST_FS_SEL = 0x0C08, VMCS_HOST_GS_SEL = 0x0C0A,
	VMCS_HOST_TR_SEL = 0x0C0C,
	/* 64-bit */
	VMCS_IO_BITMAP_A = 0x2000, VMCS_IO_BITMAP_B = 0x2002, VMCS_MSR_BITMAP = 0x2004,
	VMCS_EXIT_MSR_STORE = 0x2006, VMCS_EXIT_MSR_LOAD = 0x2008, VMCS_ENTRY_MSR_LOAD = 0x200A,
	VMCS_TSC_OFFSET = 0x2010, VMCS_VIRTUAL_APIC = 0x2012, VMCS_APIC_ACCESS = 0x2014, VMCS_EPTP = 0x201A,
	VMCS_GUEST_PHYS_ADDR = 0x2400,
	VMCS_LINK_POINTER = 0x2800, VMCS_GUEST_DEBUGCTL = 0x2802, VMCS_GUEST_PAT = 0x2804,
	VMCS_GUEST_EFER = 0x2806,
	VMCS_HOST_PAT = 0x2C00, VMCS_HOST_EFER = 0x2C02,
	/* 32-bit control */
	VMCS_PIN_CTLS = 0x4000, VMCS_PROC_CTLS = 0x4002, VMCS_EXCEPTION_BITMAP = 0x4004,
	VMCS_PF_ERR_MASK = 0x4006, VMCS_PF_ERR_MATCH = 0x4008, VMCS_CR3_TARGET_COUNT = 0x400A,
	VMCS_EXIT_CTLS = 0x400C, VMCS_EXIT_MSR_STORE_COUNT = 0x400E,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010, VMCS_ENTRY_CTLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014, VMCS_ENTRY_INTR_INFO = 0x4016,
	VMCS_ENTRY_EXC_ERROR = 0x4018, VMCS_ENTRY_INSN_LEN = 0x401A,
	VMCS_TPR_THRESHOLD = 0x401C, VMCS_PROC_CTLS2 = 0x401E,
	VMCS_PLE_GAP = 0x4020, VMCS_PLE_WINDOW = 0x4022,
	/* 32-bit read-only */
	VMCS_INSN_ERROR = 0x4400, VMCS_EXIT_REASON = 0x4402, VMCS_EXIT_INTR_INFO = 0x4404,
	VMCS_EXIT_INTR_ERROR = 0x4406, VMCS_IDT_VECTORING_INFO = 0x4408,
	VMCS_IDT_VECTORING_ERROR = 0x440A, VMCS_EXIT_INSN_LEN = 0x440C,
	VMCS_EXIT_INSN_INFO = 0x440E,
	/* 32-bit guest */
	VMCS_GUEST_ES_LIMIT = 0x4800, VMCS_GUEST_CS_LIMIT = 0x4802, VMCS_GUEST_SS_LIMIT = 0x4804,
	VMCS_GUEST_DS_LIMIT = 0x4806, VMCS_GUEST_FS_LIMIT = 0x4808, VMCS_GUEST_GS_LIMIT = 0x480A,
	VMCS_GUEST_LDTR_LIMIT = 0x480C, VMCS_GUEST_TR_LIMIT = 0x480E,
	VMCS_GUEST_GDTR_LIMIT = 0x4810, VMCS_GUEST_IDTR_LIMIT = 0x4812,
	VMCS_GUEST_ES_AR = 0x4814, VMCS_GUEST_CS_AR = 0x4816, VMCS_GUEST_SS_AR = 0x4818,
	VMCS_GUEST_DS_AR = 0x481A, VMCS_GUEST_FS_AR = 0x481C, VMCS_GUEST_GS_AR = 0x481E,
	VMCS_GUEST_LDTR_AR = 0x4820, VMCS_GUEST_TR_AR = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824, VMCS_GUEST_ACTIVITY = 0x4826,
	VMCS_GUEST_SYSENTER_CS = 0x482A, VMCS_PREEMPTION_TIMER = 0x482E,
	VMCS_HOST_SYSENTER_CS = 0x4C00,
	/* natural width */
	VMCS_CR0_MASK = 0x6000, VMCS_CR4_MASK = 0x6002, VMCS_CR0_SHADOW = 0x6004,
	VMCS_CR4_SHADOW = 0x6006,
	VMCS_EXIT_QUALIFICATION = 0x6400, VMCS_GUEST_LINEAR_ADDR = 0x640A,
	VMCS_GUEST_CR0 = 0x6800, VMCS_GUEST_CR3 = 0x6802, VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806, VMCS_GUEST_CS_BASE = 0x6808, VMCS_GUEST_SS_BASE = 0x680A,
	VMCS_GUEST_DS_BASE = 0x680C, VMCS_GUEST_FS_BASE = 0x680E, VMCS_GUEST_GS_BASE = 0x6810,
	VMCS_GUEST_LDTR_BASE = 0x6812, VMCS_GUEST_TR_BASE = 0x6814,
	VMCS_GUEST_GDTR_BASE = 0x6816, VMCS_GUEST_IDTR_BASE = 0x6818,
	VMCS_GUEST_DR7 = 0x681A, VMCS_GUEST_RSP = 0x681C, VMCS_GUEST_RIP = 0x681E,
	VMCS_GUEST_RFLAGS = 0x6820, VMCS_GUEST_PENDING_DBG = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824, VMCS_GUEST_SYSENTER_EIP = 0x6826,
	VMCS_HOST_CR0 = 0x6C00, VMCS_HOST_CR3 = 0x6C02, VMCS_HOST_CR4 = 0x6C04,
	VMCS_HOST_FS_BASE = 0x6C06, VMCS_HOST_GS_BASE = 0x6C08, VMCS_HOST_TR_BASE = 0x6C0A,
	VMCS_HOST_GDTR_BASE = 0x6C0C, VMCS_HOST_IDTR_BASE = 0x6C0E,
	VMCS_HOST_SYSENTER_ESP = 0x6C10, VMCS_HOST_SYSENTER_EIP = 0x6C12,
	VMCS_HOST_RSP = 0x6C14, VMCS_HOST_RIP = 0x6C16,
};

/* pin-based controls (SDM 24.6.1) */
#define PIN_EXTINT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
/* primary processor-based controls (SDM 24.6.2) */
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_TSC_OFFSET (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_INVLPG_EXITING (1u << 9)
#define PROC_MWAIT_EXITING (1u << 10)
#define PROC_RDPMC_EXITING (1u << 11)
#define PROC_RDTSC_EXITING (1u << 12)
#define PROC_CR3_LOAD (1u << 15)
#define PROC_CR3_STORE (1u << 16)
#define PROC_CR8_LOAD (1u << 19)
#define PROC_CR8_STORE (1u << 20)
#define PROC_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW (1u << 22)
#define PROC_MOV_DR_EXITING (1u << 23)
#define PROC_UNCOND_IO (1u << 24)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_PAUSE_EXITING (1u << 30)
/* secondary (SDM 24.6.2): PROC2_EPT, PROC2_VPID, PROC2_UNRESTRICTED in vmx_caps.h */
#define PROC2_VIRT_APIC_ACCESS (1u << 0)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_WBINVD_EXITING (1u << 6)
#define PROC2_PAUSE_LOOP (1u << 10)
#define PROC2_INVPCID (1u << 12)
#define PROC2_XSAVES (1u << 20)
/* VM-exit controls (SDM 24.7.1) */
#define EXIT_HOST_64 (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define EXIT_SAVE_PREEMPT (1u << 22)
/* VM-entry controls (SDM 24.8.1) */
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* interruption information (SDM 24.8.3, 24.9.2) */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_ERROR_CODE (1u << 11)
#define INTR_TYPE_EXT_INTR (0u << 8)
#define INTR_TYPE_NMI (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define INTR_TYPE_SW_INTR (4u << 8)
#define INTR_TYPE_SW_EXCEPTION (6u << 8)

int vmcs_read_checked(u32 field, u64 *value);
int vmcs_write_checked(u32 field, u64 value);

/*
 * VMREAD/VMWRITE on the current VMCS, inline for the exit path. They fail
 * only for an unsupported field or without a current VMCS, both hypervisor
 * bugs: the failure branch (out of line) reports the field.
 */
void vmcs_access_failed(u32 field, bool write);

static inline u64 vmcs_read(u32 field)
{
	u64 v;
	bool fail;

	__asm__ volatile("vmread %[f], %[v]" : [v] "=r"(v), "=@ccbe"(fail) : [f] "r"((u64)field));
	if (unlikely(fail))
		vmcs_access_failed(field, false);
	return v;
}

static inline void vmcs_write(u32 field, u64 value)
{
	bool fail;

	__asm__ volatile("vmwrite %[v], %[f]" : "=@ccbe"(fail) : [f] "r"((u64)field), [v] "r"(value));
	if (unlikely(fail))
		vmcs_access_failed(field, true);
}

int vmx_vmclear(u64 pa);
int vmx_vmptrld(u64 pa);
int vmx_invept_context(u64 eptp);
int vmx_invvpid_context(u16 vpid);
const char *vmx_insn_error_text(u32 error);

#endif
