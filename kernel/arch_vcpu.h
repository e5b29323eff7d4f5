/*
 * kernel/arch_vcpu.h - arch contract for guests and VCPUs: creating their
 * arch context, switching user registers (chapter 3 of the design) and
 * entering the scheduler from an orphan VCPU.
 */
#ifndef KERNEL_ARCH_VCPU_H
#define KERNEL_ARCH_VCPU_H

#include "kernel/types.h"

struct vmm_vcpu;
struct vmm_guest;
struct arch_regs;

/* Set up a guest's arch context (second-level page tables from its aspace). */
int arch_guest_init(struct vmm_guest *guest);
/* Free it, also when arch_guest_init() stopped half-way (guest->arch_priv
 * NULL afterwards); the guest's VCPUs are already deinitialised. */
void arch_guest_deinit(struct vmm_guest *guest);
/* Set up a VCPU (normal: VMCS at its reset state; orphan: entry frame). */
int arch_vcpu_init(struct vmm_vcpu *vcpu);
/* Free a stopped VCPU's arch state, also a half-built one (vcpu->arch_priv
 * NULL afterwards); any CPU. Orphans: nothing (their stack is the manager's). */
void arch_vcpu_deinit(struct vmm_vcpu *vcpu);
/*
 * Save the interrupted context in 'regs' (the frame on the interrupt stack)
 * into 'cur' (may be NULL), and put 'next''s context in its place, so that
 * the trap stub returns into 'next'.
 */
void arch_vcpu_regs_switch(struct vmm_vcpu *cur, struct vmm_vcpu *next, struct arch_regs *regs);
/* From an orphan VCPU: trap into the scheduler now. */
void arch_vcpu_yield(void);
/* Print a VCPU's registers (and VMCS state for a normal one). */
void arch_vcpu_dump(struct vmm_vcpu *vcpu);
/* Print a normal VCPU's exit statistics (counts and handler ticks by reason). */
void arch_vcpu_stats_print(struct vmm_vcpu *vcpu);
/* A VCPU's totals for "guest stats": VM exits, ns in their handlers, ns
 * in guest mode (VM entry to exit). Zero for an orphan. */
struct arch_vcpu_stats {
	u64 exits;
	u64 handler_ns;
	u64 guest_ns;
};
void arch_vcpu_stats_get(struct vmm_vcpu *vcpu, struct arch_vcpu_stats *out);
/* Put a normal VCPU back to its architectural reset state (for a guest reset). */
int arch_vcpu_reset(struct vmm_vcpu *vcpu);
/*
 * A normal VCPU that is not its guest's boot VCPU waits, when its guest is
 * started, for a start-up IPI (the x86 application processor's
 * wait-for-SIPI state); the manager keeps it PAUSED meanwhile.
 */
void arch_vcpu_wait_for_sipi(struct vmm_vcpu *vcpu);
bool arch_vcpu_waits_for_sipi(struct vmm_vcpu *vcpu);
/*
 * A virtual SIPI (kernel/vcpu_irq.c) for a VCPU that is off every CPU and
 * PAUSED after a virtual INIT: when it is next switched in it gets the INIT
 * state (as arch_vcpu_wait_for_sipi's VCPU would) and starts at
 * vector << 12 in real mode. Called with the scheduler lock held.
 */
void arch_vcpu_sipi(struct vmm_vcpu *vcpu, u8 vector);
/* The VCPU's time-stamp counter now (any CPU) and its frequency in Hz. */
u64 arch_vcpu_tsc(struct vmm_vcpu *vcpu);
u64 arch_vcpu_tsc_hz(void);
/* Size of struct arch_regs, for generic allocation. */
size_t arch_regs_size(void);

#endif
