/*
 * arch/x86_64/regs.h - struct arch_regs: the one register frame that the
 * common trap stub (trap_entry.asm) builds on the per-CPU interrupt stack for
 * every exception, interrupt and (later) VM exit. Field order is the push
 * order of the stub, lowest address first; keep both in sync.
 */
#ifndef ARCH_X86_64_REGS_H
#define ARCH_X86_64_REGS_H

#include "kernel/types.h"

struct arch_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;	/* exception/interrupt vector */
	u64 error;	/* error code, 0 when the vector has none */
	/* pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};

#define ARCH_REGS_SIZE (22 * 8)
_Static_assert(sizeof(struct arch_regs) == ARCH_REGS_SIZE, "arch_regs layout");

#endif
