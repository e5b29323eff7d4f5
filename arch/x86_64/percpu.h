/*
 * arch/x86_64/percpu.h - per-CPU data, reached through the FS segment base.
 *
 * The FS base of every CPU points at its struct percpu. Offset 0x28 holds the
 * stack-protector canary that gcc's -fstack-protector code (ours and
 * Debian's libfdt.a) reads as %fs:0x28; the VMCS host FS base must hold the
 * same pointer, since every VM exit reloads FS base from it.
 */
#ifndef ARCH_X86_64_PERCPU_H
#define ARCH_X86_64_PERCPU_H

#include "kernel/types.h"
#include "kernel/arch_cpu.h"

struct vmm_vcpu;
struct arch_regs;

#define ARCH_MAX_CPUS ARCH_CPU_MAX
#define IST_STACK_SIZE (16 * 1024)

enum ist_index {		/* TSS IST slots (1-based in the TSS) */
	IST_IRQ = 1,		/* per-CPU interrupt stack: interrupts, VM exits */
	IST_EXCEPTION = 2,	/* CPU exceptions */
	IST_DOUBLE_FAULT = 3,
	IST_NMI = 4,
	IST_MACHINE_CHECK = 5,
	IST_COUNT = 5,
};

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct percpu {
	struct percpu *self;		/* 0x00 */
	u32 cpu_id;			/* 0x08 */
	u32 apic_id;			/* 0x0c */
	u64 return_to_guest;		/* 0x10: trap stub returns by VM entry */
	u64 vmx_launch;			/* 0x18: that VM entry is VMLAUNCH (else VMRESUME) */
	u64 current_vmcs;		/* 0x20: VMCS loaded with VMPTRLD, 0 = none */
	u64 stack_canary;		/* 0x28: fixed by the gcc ABI */
	u64 gdt[8] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	u8 *ist_stack[IST_COUNT + 1];	/* base of each IST stack */
	struct vmm_vcpu *guest_vcpu;	/* normal VCPU whose VMCS runs here, or NULL */
	struct arch_regs *exit_regs;	/* trap frame of the VM exit being handled */
	u64 preempt_generation;		/* this CPU's timer generation the preemption timer was set for (vmx_timer.c) */
	const volatile u64 *timer_gen;	/* this CPU's timer generation (kernel/timer.h), set by timer.c */
	/* SMP (smp.c) */
	volatile u32 stop_requested;	/* the next NMI stops this CPU (panic elsewhere) */
	volatile u32 nmi_unreported;	/* root-mode NMIs not yet reported (self-IPI pending) */
	volatile u64 nmi_rip;		/* RIP of the last of them */
	volatile u32 sipi_expected;	/* a SIPI is announced for a VCPU waiting here */
	volatile u32 init_sent;		/* INIT IPIs the hypervisor sent to this CPU */
	u32 init_taken;			/* INIT VM exits taken on this CPU */
	bool init_stale_reported;
	/* host timer (timer.c) */
	u64 timer_next_tsc;		/* TSC of this CPU's earliest timer event (~0: none) */
	u64 timer_next_ns;		/* ... and its expiry in ns, as programmed */
	/*
	 * TSC ticks in guest mode: each VM entry subtracts the TSC
	 * (vmx_entry.asm), each exit adds it (vmx_exit_handler): one
	 * memory operation per side. In guest mode the value, as s64, is
	 * negative (the sum so far minus the entry's TSC): add the TSC now.
	 */
	u64 guest_ticks;
};

_Static_assert(__builtin_offsetof(struct percpu, return_to_guest) == 0x10, "trap_entry.asm");
_Static_assert(__builtin_offsetof(struct percpu, vmx_launch) == 0x18, "vmx_entry.asm");
_Static_assert(__builtin_offsetof(struct percpu, guest_ticks) == 0x158, "vmx_entry.asm");
_Static_assert(__builtin_offsetof(struct percpu, stack_canary) == 0x28,
	       "the stack-protector canary must sit at %fs:0x28");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(p));
	return p;
}

/* One field of this CPU's struct percpu, in one FS-relative load (for the
 * exit and entry fast paths: no this_cpu() pointer kept live). */
#define this_cpu_read(field) ({							\
	__typeof__(((struct percpu *)0)->field) v_;				\
	__asm__ volatile("mov %%fs:%c1, %0" : "=r"(v_)				\
			 : "i"(__builtin_offsetof(struct percpu, field)));	\
	v_;									\
})
/* Set a 64-bit field of this CPU's percpu with one FS-relative store. */
#define this_cpu_write(field, x) do {						\
	_Static_assert(sizeof(((struct percpu *)0)->field) == 8, "64-bit field");	\
	__asm__ volatile("movq %0, %%fs:%c1" : : "er"((u64)(x)),		\
			 "i"(__builtin_offsetof(struct percpu, field)) : "memory");	\
} while (0)
/* Add 'x' to a 64-bit field of this CPU's percpu (one FS-relative add). */
#define this_cpu_add(field, x) do {						\
	_Static_assert(sizeof(((struct percpu *)0)->field) == 8, "64-bit field");	\
	__asm__ volatile("addq %0, %%fs:%c1" : : "er"((u64)(x)),		\
			 "i"(__builtin_offsetof(struct percpu, field)) : "memory", "cc");	\
} while (0)
/* 'x' (u64) >= / != a u64 field of this CPU's percpu: one FS-relative
 * compare, the flags straight into the branch. */
#define this_cpu_u64_le(field, x) ({						\
	bool r_;								\
	_Static_assert(sizeof(((struct percpu *)0)->field) == 8, "u64 field");	\
	__asm__ volatile("cmp %%fs:%c2, %1" : "=@ccae"(r_)			\
			 : "r"((u64)(x)), "i"(__builtin_offsetof(struct percpu, field)));	\
	r_;									\
})
#define this_cpu_u64_ne(field, x) ({						\
	bool r_;								\
	_Static_assert(sizeof(((struct percpu *)0)->field) == 8, "u64 field");	\
	__asm__ volatile("cmp %%fs:%c2, %1" : "=@ccne"(r_)			\
			 : "r"((u64)(x)), "i"(__builtin_offsetof(struct percpu, field)));	\
	r_;									\
})

extern struct percpu percpu_bsp_area;
/* Every started CPU's per-CPU area by CPU index (NULL: not started). */
extern struct percpu *arch_percpu[ARCH_MAX_CPUS];

/* Load this CPU's GDT (with its TSS) and the shared IDT. */
void arch_desc_init_cpu(struct percpu *pc);
/* Build the shared IDT (once, on the bootstrap CPU). */
void arch_idt_init(void);

#endif
