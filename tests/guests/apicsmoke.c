/*
 * tests/guests/apicsmoke.c - the local APIC's first checks under the
 * hypervisor (tests/system/test_lapic.py, dts tests/system/dts/
 * lapic-smoke.dts: two VCPUs, a local APIC each): CPUID and IA32_APIC_BASE
 * announce it, the xAPIC registers read as after firmware (ID 0, version,
 * virtual wire on LINT0), the timer interrupts periodically, a self-IPI
 * through the ICR arrives, INIT-SIPI-SIPI starts vcpu1 at a real-mode
 * trampoline, which reports itself, and in x2APIC mode the ID and a
 * self-IPI work through MSRs. Self-contained (its own IDT); ends through
 * isa-debug-exit with the number of failures.
 */
#include "lib/tlib.h"

#define LAPIC 0xFEE00000u
#define TRAMPOLINE 0x8000u	/* SIPI vector 0x08 */
#define AP_FLAG 0x7000u

static inline u32 lapic_rd(u32 off) { return *(volatile u32 *)(LAPIC + off); }
static inline void lapic_wr(u32 off, u32 v) { *(volatile u32 *)(LAPIC + off) = v; }
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}
static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

volatile u32 timer_ticks, ipi_count;
static int x2apic_mode;

/* EOI in the current mode */
void apic_eoi(void)
{
	if (x2apic_mode)
		wrmsr(0x80B, 0);
	else
		lapic_wr(0xB0, 0);
}

void timer_isr_c(void) { timer_ticks++; apic_eoi(); }
void ipi_isr_c(void) { ipi_count++; apic_eoi(); }

__asm__(".globl timer_isr\n timer_isr: pusha; cld; call timer_isr_c; popa; iret\n"
	".globl ipi_isr\n ipi_isr: pusha; cld; call ipi_isr_c; popa; iret\n");
void timer_isr(void);
void ipi_isr(void);

static u64 idt[256];

static void idt_set(u8 vec, void (*fn)(void))
{
	u32 a = (u32)(uintptr_t)fn;
	u16 cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	idt[vec] = (a & 0xFFFF) | ((u64)cs << 16) | ((u64)0x8E00 << 32) | ((u64)(a >> 16) << 48);
}

/* The Multiboot GDTR is not the kernel's to use: a flat GDT with the
 * selectors the loader's segments have (code 0x10, data 0x18). */
static const u64 gdt[4] = { 0, 0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull };

static void gdt_load(void)
{
	struct { u16 limit; u32 base; } __attribute__((packed)) d = { sizeof(gdt) - 1, (u32)(uintptr_t)gdt };
	u16 cs, ds;

	__asm__ volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
	t_check(cs == 0x10 && ds == 0x18, "apic-selectors", "cs 0x%x ds 0x%x", cs, ds);
	__asm__ volatile("lgdt %0" : : "m"(d));
}

static void idt_load(void)
{
	struct { u16 limit; u32 base; } __attribute__((packed)) d = { sizeof(idt) - 1, (u32)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(d));
}

static void spin(u32 n)
{
	for (volatile u32 i = 0; i < n; i++)
		;
}

/* real mode: DS = 0, byte [AP_FLAG] = 0xA5, then CLI; HLT forever */
static const u8 trampoline[] = {
	0x31, 0xC0,			/* xor ax, ax */
	0x8E, 0xD8,			/* mov ds, ax */
	0xC6, 0x06, 0x00, 0x70, 0xA5,	/* mov byte [0x7000], 0xA5 */
	0xFA,				/* cli */
	0xF4,				/* hlt */
	0xEB, 0xFC,			/* jmp (to cli) */
};

int t_main(u32 magic, const struct mb_info *info)
{
	u32 a, b, c, d, v;
	u64 base;

	(void)magic;
	(void)info;
	cpuid(1, &a, &b, &c, &d);
	t_check(d & (1u << 9), "apic-cpuid-apic", "leaf 1 EDX 0x%08x", d);
	t_check(c & (1u << 21), "apic-cpuid-x2apic", "leaf 1 ECX 0x%08x", c);
	t_check((b >> 24) == 0, "apic-cpuid-id", "leaf 1 EBX 0x%08x", b);
	base = rdmsr(0x1B);
	t_check((base & ~0xFFFull) == LAPIC && (base & (1u << 11)) && (base & (1u << 8)),
		"apic-base-msr", "IA32_APIC_BASE 0x%llx", (unsigned long long)base);
	t_check(lapic_rd(0x20) == 0, "apic-id", "ID 0x%08x", lapic_rd(0x20));
	t_check(lapic_rd(0x30) == 0x00050014u, "apic-version", "0x%08x", lapic_rd(0x30));
	v = lapic_rd(0x350);
	t_check(v == 0x700, "apic-lint0-virtual-wire", "LVT LINT0 0x%08x", v);

	gdt_load();
	idt_set(0x40, timer_isr);
	idt_set(0x41, ipi_isr);
	idt_load();
	lapic_wr(0xF0, 0x1FF);			/* SVR: enabled, spurious 0xFF */
	lapic_wr(0x3E0, 0xB);			/* divide by 1 */
	lapic_wr(0x320, 0x40 | (1u << 17));	/* periodic, vector 0x40 */
	lapic_wr(0x380, 1000000);		/* 1 ms at 1 GHz */
	__asm__ volatile("sti");
	for (u32 i = 0; i < 2000 && timer_ticks < 10; i++)
		spin(100000);
	t_check(timer_ticks >= 10, "apic-timer-periodic", "%u ticks", timer_ticks);
	lapic_wr(0x320, 0x10000);		/* masked */
	lapic_wr(0x380, 0);

	lapic_wr(0x300, 0x41 | (1u << 18));	/* self-IPI, fixed */
	spin(10000);
	t_check(ipi_count == 1, "apic-self-ipi", "%u IPIs", ipi_count);

	/* start vcpu1 */
	for (u32 i = 0; i < sizeof(trampoline); i++)
		((volatile u8 *)TRAMPOLINE)[i] = trampoline[i];
	*(volatile u8 *)AP_FLAG = 0;
	lapic_wr(0x310, 1u << 24);
	lapic_wr(0x300, 0x4500);		/* INIT, assert */
	spin(100000);
	lapic_wr(0x300, 0x4600 | (TRAMPOLINE >> 12));	/* SIPI */
	spin(10000);
	lapic_wr(0x300, 0x4600 | (TRAMPOLINE >> 12));	/* SIPI again */
	for (u32 i = 0; i < 1000 && *(volatile u8 *)AP_FLAG != 0xA5; i++)
		spin(100000);
	t_check(*(volatile u8 *)AP_FLAG == 0xA5, "apic-init-sipi", "flag 0x%02x", *(volatile u8 *)AP_FLAG);

	/* x2APIC */
	wrmsr(0x1B, rdmsr(0x1B) | (1u << 10));
	x2apic_mode = 1;
	t_check(rdmsr(0x802) == 0, "x2apic-id", "ID 0x%llx", (unsigned long long)rdmsr(0x802));
	t_check((rdmsr(0x80D) & 0xFFFF) == 1, "x2apic-ldr", "LDR 0x%llx", (unsigned long long)rdmsr(0x80D));
	wrmsr(0x83F, 0x41);			/* SELF IPI */
	spin(10000);
	t_check(ipi_count == 2, "x2apic-self-ipi", "%u IPIs", ipi_count);
	t_printf("%d failures\n", t_failures);
	return t_failures;
}
