/*
 * tests/guests/lib/cpu.h - CPU access for C test guests (32-bit protected
 * mode, no paging): CPUID, MSRs, the TSC, 32-bit MMIO, interrupt flag, and
 * the descriptor tables of lib/desc.c (a flat GDT with 16-bit segments for
 * the SMP trampoline, an IDT whose 256 vectors all enter t_irq_dispatch;
 * vectors without a handler are reported as FAIL and end the test).
 */
#ifndef TESTS_GUESTS_LIB_CPU_H
#define TESTS_GUESTS_LIB_CPU_H

#include "tlib.h"

#define T_SEL_CODE32 0x08
#define T_SEL_DATA32 0x10
#define T_SEL_CODE16 0x18
#define T_SEL_DATA16 0x20

static inline void t_cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u32 mmio_read32(u32 addr) { return *(volatile u32 *)(uintptr_t)addr; }
static inline void mmio_write32(u32 addr, u32 v) { *(volatile u32 *)(uintptr_t)addr = v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void t_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void t_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void t_pause(void) { __asm__ volatile("pause" ::: "memory"); }
/* sti; hlt: interrupts enabled and the CPU halted with no window between */
static inline void t_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void t_barrier(void) { __asm__ volatile("" ::: "memory"); }

/* the register frame lib/isr.S builds for t_irq_dispatch */
struct t_frame {
	u32 edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

typedef void (*t_irq_fn)(struct t_frame *f);

/* Load the library's GDT (reloading every segment register) and IDT on
 * this CPU; the first call builds the tables. */
void t_cpu_setup(void);
/* Handle vector v with fn (NULL: back to "unexpected") */
void t_irq_set(u8 v, t_irq_fn fn);
/* the GDT descriptor (limit, base) the SMP trampoline loads */
extern u8 t_gdt_desc[6];

#endif
