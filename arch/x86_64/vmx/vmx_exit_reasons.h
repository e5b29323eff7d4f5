/*
 * arch/x86_64/vmx/vmx_exit_reasons.h - the basic VM-exit reasons (SDM vol. 3
 * appendix C, table C-1), one list with everything the dispatcher knows of
 * each: its number, the SDM's name as a constant (EXIT_REASON_<NAME>), the
 * name the hypervisor prints, its handler and its kind. Pure data: the
 * enum below and the dispatch table of vmx_exit.c are made from this one
 * list, and tests/unit/test_exit_table.c checks it on the host.
 *
 * X(number, NAME, "printed name", handler, flags)
 *
 * flags:
 *   INSN  an instruction exit (SDM 27.2.4: such an exit cannot happen
 *         while an event is being delivered, so the IDT-vectoring field is
 *         never valid and is not read; the VM-exit instruction-length field
 *         is valid, so VMX_EXIT_NEXT_INSN may skip the instruction)
 *   OWNV  not an instruction exit, but its handler reads the IDT-vectoring
 *         field itself (the EPT violation: an access made by event delivery
 *         is never emulated)
 *   EVT   may end the delivery of an event: the dispatcher re-injects an
 *         event this exit cut short (IDT-vectoring information valid)
 *         before the handler runs
 *
 * Reasons without a handler of their own go to vmx_exit_unhandled (the
 * VCPU halts, saying which exit it was). The numbers are dense from 0 to
 * VMX_EXIT_REASONS - 1; reserved numbers are listed as such.
 */
#ifndef ARCH_X86_64_VMX_VMX_EXIT_REASONS_H
#define ARCH_X86_64_VMX_VMX_EXIT_REASONS_H

#define VMX_EXIT_REASON_LIST(X) \
	X(0,  EXCEPTION_NMI,      "exception or NMI",                      vmx_exit_exception,          EVT)  \
	X(1,  EXTERNAL_INTERRUPT, "external interrupt",                    vmx_exit_external_interrupt, EVT)  \
	X(2,  TRIPLE_FAULT,       "triple fault",                          vmx_exit_triple_fault,       EVT)  \
	X(3,  INIT_SIGNAL,        "INIT signal",                           vmx_exit_init,               EVT)  \
	X(4,  SIPI,               "SIPI",                                  vmx_exit_sipi,               EVT)  \
	X(5,  IO_SMI,             "I/O SMI",                               vmx_exit_unhandled,          EVT)  \
	X(6,  OTHER_SMI,          "other SMI",                             vmx_exit_unhandled,          EVT)  \
	X(7,  INTERRUPT_WINDOW,   "interrupt window",                      vmx_exit_interrupt_window,   EVT)  \
	X(8,  NMI_WINDOW,         "NMI window",                            vmx_exit_nmi_window,         EVT)  \
	X(9,  TASK_SWITCH,        "task switch",                           vmx_exit_task_switch,        EVT)  \
	X(10, CPUID,              "CPUID",                                 vmx_exit_cpuid,              INSN) \
	X(11, GETSEC,             "GETSEC",                                vmx_exit_unhandled,          INSN) \
	X(12, HLT,                "HLT",                                   vmx_exit_hlt,                INSN) \
	X(13, INVD,               "INVD",                                  vmx_exit_invd,               INSN) \
	X(14, INVLPG,             "INVLPG",                                vmx_exit_unhandled,          INSN) \
	X(15, RDPMC,              "RDPMC",                                 vmx_exit_rdpmc,              INSN) \
	X(16, RDTSC,              "RDTSC",                                 vmx_exit_unhandled,          INSN) \
	X(17, RSM,                "RSM",                                   vmx_exit_unhandled,          INSN) \
	X(18, VMCALL,             "VMCALL",                                vmx_exit_vmcall,             INSN) \
	X(19, VMCLEAR,            "VMCLEAR",                               vmx_exit_vmx_insn,           INSN) \
	X(20, VMLAUNCH,           "VMLAUNCH",                              vmx_exit_vmx_insn,           INSN) \
	X(21, VMPTRLD,            "VMPTRLD",                               vmx_exit_vmx_insn,           INSN) \
	X(22, VMPTRST,            "VMPTRST",                               vmx_exit_vmx_insn,           INSN) \
	X(23, VMREAD,             "VMREAD",                                vmx_exit_vmx_insn,           INSN) \
	X(24, VMRESUME,           "VMRESUME",                              vmx_exit_vmx_insn,           INSN) \
	X(25, VMWRITE,            "VMWRITE",                               vmx_exit_vmx_insn,           INSN) \
	X(26, VMXOFF,             "VMXOFF",                                vmx_exit_vmx_insn,           INSN) \
	X(27, VMXON,              "VMXON",                                 vmx_exit_vmx_insn,           INSN) \
	X(28, CR_ACCESS,          "control-register access",               vmx_exit_cr_access,          INSN) \
	X(29, MOV_DR,             "MOV DR",                                vmx_exit_mov_dr,             INSN) \
	X(30, IO_INSTRUCTION,     "I/O instruction",                       vmx_exit_io,                 INSN) \
	X(31, RDMSR,              "RDMSR",                                 vmx_exit_rdmsr,              INSN) \
	X(32, WRMSR,              "WRMSR",                                 vmx_exit_wrmsr,              INSN) \
	X(33, INVALID_GUEST_STATE, "VM entry failure: invalid guest state", vmx_exit_unhandled,         EVT)  \
	X(34, MSR_LOADING,        "VM entry failure: MSR loading",         vmx_exit_unhandled,          EVT)  \
	X(35, RESERVED_35,        "reserved (35)",                         vmx_exit_unhandled,          EVT)  \
	X(36, MWAIT,              "MWAIT",                                 vmx_exit_vmx_insn,           INSN) \
	X(37, MONITOR_TRAP_FLAG,  "monitor trap flag",                     vmx_exit_unhandled,          EVT)  \
	X(38, RESERVED_38,        "reserved (38)",                         vmx_exit_unhandled,          EVT)  \
	X(39, MONITOR,            "MONITOR",                               vmx_exit_vmx_insn,           INSN) \
	X(40, PAUSE,              "PAUSE",                                 vmx_exit_pause,              INSN) \
	X(41, MACHINE_CHECK,      "VM entry failure: machine check",       vmx_exit_unhandled,          EVT)  \
	X(42, RESERVED_42,        "reserved (42)",                         vmx_exit_unhandled,          EVT)  \
	X(43, TPR_BELOW_THRESHOLD, "TPR below threshold",                  vmx_exit_unhandled,          EVT)  \
	X(44, APIC_ACCESS,        "APIC access",                           vmx_exit_apic_access,        OWNV)  \
	X(45, VIRTUALIZED_EOI,    "virtualized EOI",                       vmx_exit_unhandled,          EVT)  \
	X(46, GDTR_IDTR,          "GDTR/IDTR access",                      vmx_exit_unhandled,          INSN) \
	X(47, LDTR_TR,            "LDTR/TR access",                        vmx_exit_unhandled,          INSN) \
	X(48, EPT_VIOLATION,      "EPT violation",                         vmx_exit_ept_violation,      OWNV) \
	X(49, EPT_MISCONFIG,      "EPT misconfiguration",                  vmx_exit_ept_misconfig,      EVT)  \
	X(50, INVEPT,             "INVEPT",                                vmx_exit_vmx_insn,           INSN) \
	X(51, RDTSCP,             "RDTSCP",                                vmx_exit_unhandled,          INSN) \
	X(52, PREEMPTION_TIMER,   "VMX-preemption timer expired",          vmx_exit_preemption_timer,   EVT)  \
	X(53, INVVPID,            "INVVPID",                               vmx_exit_vmx_insn,           INSN) \
	X(54, WBINVD,             "WBINVD or WBNOINVD",                    vmx_exit_invd,               INSN) \
	X(55, XSETBV,             "XSETBV",                                vmx_exit_xsetbv,             INSN) \
	X(56, APIC_WRITE,         "APIC write",                            vmx_exit_unhandled,          EVT)  \
	X(57, RDRAND,             "RDRAND",                                vmx_exit_unhandled,          INSN) \
	X(58, INVPCID,            "INVPCID",                               vmx_exit_unhandled,          INSN) \
	X(59, VMFUNC,             "VMFUNC",                                vmx_exit_vmx_insn,           INSN) \
	X(60, ENCLS,              "ENCLS",                                 vmx_exit_unhandled,          INSN) \
	X(61, RDSEED,             "RDSEED",                                vmx_exit_unhandled,          INSN) \
	X(62, PML_FULL,           "page-modification log full",            vmx_exit_unhandled,          EVT)  \
	X(63, XSAVES,             "XSAVES",                                vmx_exit_unhandled,          INSN) \
	X(64, XRSTORS,            "XRSTORS",                               vmx_exit_unhandled,          INSN) \
	X(65, PCONFIG,            "PCONFIG",                               vmx_exit_unhandled,          INSN) \
	X(66, SPP_EVENT,          "SPP-related event",                     vmx_exit_unhandled,          EVT)  \
	X(67, UMWAIT,             "UMWAIT",                                vmx_exit_unhandled,          INSN) \
	X(68, TPAUSE,             "TPAUSE",                                vmx_exit_unhandled,          INSN) \
	X(69, LOADIWKEY,          "LOADIWKEY",                             vmx_exit_unhandled,          INSN)

/* EXIT_REASON_CPUID, ...: the basic exit reason (bits 15:0 of the exit-reason field) */
enum vmx_exit_reason {
#define VMX_EXIT_REASON_ENUM(n, id, name, handler, flags) EXIT_REASON_##id = n,
	VMX_EXIT_REASON_LIST(VMX_EXIT_REASON_ENUM)
#undef VMX_EXIT_REASON_ENUM
	VMX_EXIT_REASONS	/* one past the last; the list is dense */
};

/* Bits of the exit-reason field above the basic reason (SDM 25.9.1). */
#define EXIT_REASON_ENTRY_FAILED (1u << 31)	/* VM-entry failure (SDM 27.8) */

/* Descriptor flags (see above). */
#define VMX_EXIT_EVT 0u
#define VMX_EXIT_INSN 1u
#define VMX_EXIT_OWNV 2u

#endif
