/*
 * arch/x86_64/vmx/vmx_exits.h - the VM-exit handlers of the dispatch table
 * (vmx_exit.c), one family per file, and helpers they share.
 */
#ifndef ARCH_X86_64_VMX_VMX_EXITS_H
#define ARCH_X86_64_VMX_VMX_EXITS_H

#include "arch/x86_64/vmx/vmx.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx/vmx_timer.h"

/* vmx_exit.c: reasons not enabled or not handled (the VCPU halts) */
int vmx_exit_unhandled(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_misc.c */
int vmx_exit_exception(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_external_interrupt(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_triple_fault(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_interrupt_window(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_initsipi.c */
int vmx_exit_init(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_sipi(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_hlt(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_invd(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_vmx_insn(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_rdpmc(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_task_switch(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_pause(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_ept_misconfig(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_irq.c: re-inject an event a VM exit interrupted (IDT-vectoring info) */
void vmx_reinject_vectoring(u32 idt_vectoring_info);
/* Interrupt-window exiting on or off (SDM 25.2). */
void vmx_set_window_exiting(bool on);
/* NMI-window exiting (only with virtual NMIs; false when the CPU lacks it) */
bool vmx_set_nmi_window_exiting(bool on);
int vmx_exit_nmi_window(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_cpuid.c */
int vmx_exit_cpuid(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_io.c */
int vmx_exit_io(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_vmcall.c */
int vmx_exit_vmcall(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_msr.c */
int vmx_exit_rdmsr(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_wrmsr(struct vmm_vcpu *v, struct arch_regs *r);
void vmx_msr_load_guest(struct vmm_vcpu *v);
/* Read back what the guest can change without exits (KERNEL_GS_BASE). */
void vmx_msr_save_guest(struct vmm_vcpu *v);
/* Debug registers of a VCPU into / out of the CPU. */
void vmx_dr_load_guest(struct vmm_vcpu *v);
void vmx_dr_save_guest(struct vmm_vcpu *v);
/* vmx_exit_cr.c */
int vmx_exit_cr_access(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_mov_dr(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_xsetbv(struct vmm_vcpu *v, struct arch_regs *r);
/* vmx_exit_ept.c */
int vmx_exit_ept_violation(struct vmm_vcpu *v, struct arch_regs *r);
int vmx_exit_apic_access(struct vmm_vcpu *v, struct arch_regs *r);

/* vmx_guest_mem.c: guest registers by SDM encoding and guest memory access */
u64 vmx_gpr_get(struct arch_regs *r, u32 index);
void vmx_gpr_set(struct arch_regs *r, u32 index, u64 value);
/* Guest CPU mode for instruction decoding: 16, 32 or 64. */
int vmx_guest_cpu_mode_cr0(u64 cr0);
/* The same, reading the guest's CR0 from the VMCS. */
static inline int vmx_guest_cpu_mode(void)
{
	return vmx_guest_cpu_mode_cr0(vmcs_read(VMCS_GUEST_CR0));
}
/* The walk of the guest's page tables, with paging on. */
int vmx_gva_walk(struct vmm_vcpu *v, u64 gva, bool write, u64 *gpa);
/*
 * Translate a guest linear address: without paging linear = physical
 * (inline: every MMIO exit of a guest in real mode comes this way), else
 * the walk.
 */
static inline int vmx_gva_to_gpa(struct vmm_vcpu *v, u64 gva, bool write, u64 *gpa)
{
	if (!(vmcs_read(VMCS_GUEST_CR0) & X86_CR0_PG)) {
		*gpa = gva & 0xFFFFFFFFULL;
		return 0;
	}
	return vmx_gva_walk(v, gva, write, gpa);
}

/* Copy from guest linear memory; returns bytes copied. */
size_t vmx_read_guest_linear(struct vmm_vcpu *v, u64 gva, void *buf, size_t len);
size_t vmx_write_guest_linear(struct vmm_vcpu *v, u64 gva, const void *buf, size_t len);
/* CR0/CR4 as the guest sees them: masked bits from the read shadow (SDM 25.3). */
u64 vmx_guest_cr0(void);
u64 vmx_guest_cr4(void);
/* Current privilege level of the guest (SS.DPL); inline: every VMCALL asks. */
static inline u32 vmx_guest_cpl(void)
{
	return (vmcs_read(VMCS_GUEST_SS_AR) >> 5) & 3;
}
/* The CR4 bits a guest may set (vmx_exit_cr.c); the others are in the CR4
 * guest/host mask, so that setting one exits and gets #GP(0). */
u64 vmx_cr4_allowed(void);
/*
 * VMREAD/VMWRITE without the failure check, for the dispatcher's end of an
 * exit only (vmx_exit.c): the exit's first VMREAD succeeded, so the VMCS
 * is current (a handler that reloads it, INIT, reloads the same one), and
 * the fields used are ones every VMX CPU has, so these cannot fail.
 */
static inline u64 vmcs_read_cur(u32 field)
{
	u64 v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((u64)field) : "cc");
	return v;
}

static inline void vmcs_write_cur(u32 field, u64 value)
{
	__asm__ volatile("vmwrite %1, %0" : : "r"((u64)field), "rm"(value) : "cc");
}

/* The TSC without the zero-extension a 32-bit split costs (RDTSC clears
 * bits 63:32 of RAX and RDX itself). */
static inline u64 rdtsc64(void)
{
	u64 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (hi << 32) | lo;
}

/* The host TPR (CR8) is 0 in root operation; put it back if it is not. */
void vmx_host_tpr_restore(struct vmm_vcpu *v);
static inline bool vmx_host_tpr_changed(void)
{
	u64 tpr;

	__asm__ volatile("mov %%cr8, %0" : "=r"(tpr));
	return tpr != 0;
}

#endif
