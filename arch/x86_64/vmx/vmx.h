/*
 * arch/x86_64/vmx/vmx.h - VMX internals shared inside arch/x86_64/vmx/:
 * per-CPU VMX operation, the arch context of guests and VCPUs, and the
 * VM-exit dispatcher.
 */
#ifndef ARCH_X86_64_VMX_VMX_H
#define ARCH_X86_64_VMX_VMX_H

#include "kernel/types.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/vmx/vmx_decode.h"
#include "arch/x86_64/vmx/vmx_exit_reasons.h"

struct vmm_vcpu;
struct vmm_guest;
struct vmm_vserial;

#define VMX_EXIT_VECTOR 0x100	/* arch_regs.vector of a VM-exit frame */
#define MSR_REPORT_MAX 16	/* unknown MSRs reported one by one per VCPU */

struct vmx_guest {
	u64 ept_pml4;		/* host physical address of the EPT root */
	u64 eptp;
	u64 io_bitmap;		/* two pages: ports 0-0x7fff, 0x8000-0xffff */
	u64 ept_pages;		/* paging-structure pages in use */
	u64 ept_maps[3];	/* leaf mappings by size: 4K, 2M, 1G */
	bool rom_write_reported;
	struct vmm_vserial *hvc;	/* hypercall console (vmx_exit_vmcall.c), made on first use */
	/* the APIC-access page: the guest's xAPIC page (0xFEE00000) maps to it
	 * and every access to it is an APIC-access exit (vmx_exit_ept.c);
	 * 0 when the guest has no local APICs or the CPU cannot do it (then
	 * the page is left unmapped: EPT violations, the same emulation) */
	u64 apic_access;
};

/* The last MMIO instruction decoded (vmx_exit_ept.c). */
struct vmx_decode_cache {
	const u8 *host;		/* its bytes in host memory; NULL: empty */
	u64 gpa;
	int mode;
	u64 words[2];		/* bytes 0-7 and 7-14 when it was decoded */
	struct x86_mmio_insn insn;
};

struct vmx_vcpu {
	u64 vmcs;		/* host physical address of the VMCS */
	bool launched;
	bool fresh_regs;	/* regs hold a reset state not yet loaded */
	bool fresh_xsave;	/* its XSAVE area holds a reset state not yet loaded */
	bool wait_sipi;		/* INIT taken: in the INIT state, waiting for a SIPI */
	bool enter_wait_sipi;	/* enter it in the wait-for-SIPI activity state (an AP) */
	bool sipi_start;	/* a virtual SIPI: INIT state and start at sipi_vector at switch-in */
	u8 sipi_vector;
	u64 tsc_offset;		/* the VMCS TSC offset (also read off the VCPU's CPU) */
	u32 host_state_cpu;	/* the CPU whose host state its VMCS holds */
	u16 vpid;
	u64 cr2;
	u64 dr[8];		/* virtual debug registers (MOV DR exits) */
	u64 xcr0;		/* the guest's XCR0 (in the CPU while the VCPU is loaded) */
	u64 xsave;		/* host physical = virtual address of its XSAVE area (a page) */
	u64 vapic;		/* its virtual-APIC page (TPR shadow); 0: CR8 exiting instead */
	u8 tpr;			/* CR8 under CR8 exiting (no TPR shadow) */
	u8 cr_reported;		/* refused XSETBV/CR0/CR4/CR8 kinds already reported */
	/* MSRs the guest owns in hardware while it runs */
	u64 msr_star, msr_lstar, msr_cstar, msr_sfmask, msr_kernel_gs_base, msr_tsc_aux;
	u64 msr_misc_enable, msr_mtrr_def_type;
	u64 msr_tsc_adjust;
	u64 first_entry_tsc;	/* host TSC at the first switch-in since reset (0: none yet) */	/* IA32_TSC_ADJUST: 0 after reset, kept by INIT */
	u64 exit_tsc;		/* TSC at the VM exit being handled (vmx_exit.c) */
	u32 exit_reason;	/* its basic reason */
	u64 exit_count[VMX_EXIT_REASONS];
	u64 exit_ticks[VMX_EXIT_REASONS];	/* TSC ticks in the handler (Bochs: instructions) */
	/* TSC ticks in guest mode up to its last switch-out, and its CPU's
	 * count (percpu guest_ticks) when it was switched in */
	u64 guest_ticks, guest_base;
	u32 msr_reported[MSR_REPORT_MAX];	/* unknown MSRs reported (vmx_exit_msr.c) */
	u32 msr_reported_n;
	u64 msr_unreported;	/* unknown-MSR accesses after the first MSR_REPORT_MAX MSRs */
	struct vmx_decode_cache decode_cache;
};

/* Right shift from TSC ticks to VMX preemption-timer ticks; 0xFF: no timer. */
extern u32 vmx_preemption_shift;
extern bool vmx_preemption_saved;

/* Enter VMX operation on this CPU (VMXON); -VMM_ENOTAVAIL with a message. */
int vmx_cpu_enable(void);
void vmx_cpu_disable(void);
bool vmx_cpu_enabled(void);
/*
 * A physical INIT reached the running VCPU: its VMCS and registers get the
 * architectural INIT state (SDM 9.1.1 table 9-1, INIT column), keeping
 * what INIT keeps (x87/SSE state, XCR0, MSRs but EFER, the TSC) and its
 * exit statistics. The VMCS is cleared and reloaded (next entry: VMLAUNCH).
 */
int vmx_vcpu_init_signal(struct vmm_vcpu *v);
/* vmx_exit_initsipi.c: a SIPI is about to be sent to this CPU; VCPUs here
 * waiting for one become READY (entered in wait-for-SIPI). Returns how many. */
u32 vmx_sipi_expect(void);
/* vmx_exit_initsipi.c: a virtual SIPI (arch_vcpu_sipi) applied at switch-in,
 * the VCPU's VMCS loaded on this CPU next: the INIT state, then the start. */
void vmx_vcpu_sipi_start(struct vmm_vcpu *v);
/* SIPI exits taken so far, all CPUs */
extern volatile u64 vmx_sipi_exits;
/* NMI exits taken on any CPU (vmx_exit_misc.c; testsignal= watches it). */
extern volatile u64 vmx_nmi_exits;
/* VMPTRLD unless already current on this CPU. */
int vmx_vmcs_load(u64 vmcs);

/* vmx_xsave.c: the guests' x87/SSE/AVX/AVX-512 state */
u64 vmx_xcr0_allowed(void);		/* XCR0 bits a guest may set */
u32 vmx_xsave_size(u64 mask);		/* standard XSAVE area size for 'mask' */
u32 vmx_xsave_compacted_size(u64 mask);	/* compacted (XSAVEC) area size for 'mask' */
int vmx_xsave_alloc(struct vmx_vcpu *vx);
void vmx_xsave_reset(struct vmx_vcpu *vx);	/* init state, XCR0 = 1 */
void vmx_xsave_save(struct vmx_vcpu *vx);
void vmx_xsave_load(struct vmx_vcpu *vx, bool after_save);

/* EPT of a guest */
int ept_init(struct vmx_guest *vg);
/*
 * Free every table page of vg's EPT (not the guest's memory, not the
 * open-bus tables all guests share); -VMM_EFAULT, reported, when the pages
 * freed are not the ept_pages allocated. The caller INVEPTs first.
 */
int ept_deinit(struct vmx_guest *vg);
/* perms: EPT_R | EPT_W | EPT_X; memtype: EPT_MT_WB or EPT_MT_UC */
int ept_map(struct vmx_guest *vg, u64 gpa, u64 hpa, u64 size, u32 perms, u32 memtype);
/*
 * Map every page below 4 GiB that no region of g covers to the shared
 * read-only all-ones page (the PC's open bus), unless g is strict; after
 * the regions are mapped. *holes: bytes so mapped.
 */
int ept_map_open_bus(struct vmx_guest *vg, const struct vmm_guest *g, u64 *holes);
#define EPT_R 1u
#define EPT_W 2u
#define EPT_X 4u
#define EPT_MT_UC 0u
#define EPT_MT_WB 6u


/* VM-exit handling */
typedef int (*vmx_exit_handler_t)(struct vmm_vcpu *vcpu, struct arch_regs *regs);
/*
 * A handler's return value. VMX_EXIT_NEXT_INSN: the guest's instruction is
 * done; the dispatcher moves RIP past it (by the VM-exit instruction
 * length) and ends STI/MOV SS blocking - the only place that does (the
 * rule of vmx_exit.c, finish_insn()). VMX_EXIT_NEXT_INSN_LEN(n): the same
 * for an instruction of n bytes the handler decoded itself (an exit with
 * no valid instruction length: the MMIO access of an EPT violation).
 * Anything else (0, a negative error, a halt): RIP stays as it is - the
 * instruction runs again, or an exception was injected, or the VCPU stops.
 */
#define VMX_EXIT_NEXT_INSN 1
#define VMX_EXIT_NEXT_INSN_LEN(n) (16 + (int)(n))	/* n: 1 to 15 */
/* Interruptibility state (SDM 25.4.2 table 25-3): blocking by STI, by MOV SS */
#define VMX_INTR_STI_MOVSS 3u
/* One descriptor per basic exit reason (vmx_exit_reasons.h). */
struct vmx_exit_desc {
	vmx_exit_handler_t handler;
	u32 flags;		/* VMX_EXIT_INSN, VMX_EXIT_OWNV */
	const char *name;
};
extern const struct vmx_exit_desc vmx_exit_table[VMX_EXIT_REASONS];
const char *vmx_exit_reason_name(u32 reason);
void vmx_vmcs_dump(struct vmm_vcpu *vcpu);
/* true when the exit being handled reset the VCPU (its VMCS is fresh). */
bool vmx_vcpu_was_reset(void);
/* TSC ticks in guest mode: of host CPU 'cpu' (the current stretch
 * included), of a normal VCPU (its current run on a CPU included). */
u64 vmx_cpu_guest_ticks(unsigned int cpu);
u64 vmx_vcpu_guest_ticks(struct vmm_vcpu *v);
/* Queue an exception for the next VM entry (SDM 26.6). */
void vmx_inject_exception(u32 vector, bool has_error, u32 error);
/* Halt the current guest VCPU with "<reason>: <what> at RIP 0x..." and a VMCS dump. */
int vmx_halt_vcpu(struct vmm_vcpu *vcpu, const char *fmt, ...) __printf(2, 3);

#endif
