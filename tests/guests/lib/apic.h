/*
 * tests/guests/lib/apic.h - the local APIC for C test guests, in xAPIC
 * mode (MMIO at the base of IA32_APIC_BASE, 0xFEE00000 by default) or
 * x2APIC mode (MSR 0x800 + offset / 16): registers named by their xAPIC
 * offset either way, IPIs (ICR), EOI, enable, and the current CPU's ID.
 * The mode is global (t_x2apic): every CPU of a test uses the same one.
 */
#ifndef TESTS_GUESTS_LIB_APIC_H
#define TESTS_GUESTS_LIB_APIC_H

#include "tlib.h"

#define LAPIC_ID 0x020
#define LAPIC_VER 0x030
#define LAPIC_TPR 0x080
#define LAPIC_APR 0x090
#define LAPIC_PPR 0x0A0
#define LAPIC_EOI 0x0B0
#define LAPIC_LDR 0x0D0
#define LAPIC_DFR 0x0E0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR 0x100
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_ICR 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LAPIC_SELF_IPI 0x3F0	/* x2APIC only */

/* ICR low */
#define ICR_FIXED (0u << 8)
#define ICR_LOWEST (1u << 8)
#define ICR_SMI (2u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_SIPI (6u << 8)
#define ICR_LOGICAL (1u << 11)
#define ICR_BUSY (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18)
#define ICR_OTHERS (3u << 18)

/* LVT */
#define LVT_MASKED (1u << 16)
#define LVT_ONESHOT (0u << 17)
#define LVT_PERIODIC (1u << 17)
#define LVT_DEADLINE (2u << 17)

#define MSR_APIC_BASE 0x1B
#define MSR_TSC_DEADLINE 0x6E0
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_X2 (1u << 10)
#define APIC_BASE_EN (1u << 11)

#define T_SPURIOUS_VECTOR 0xFF

extern int t_x2apic;		/* the mode every CPU uses */
extern u32 t_lapic_base;	/* xAPIC MMIO base */

/* CPUID.1:ECX.x2APIC[bit 21] */
int t_cpu_has_x2apic(void);
/* CPUID.1:ECX.TSC_DEADLINE[bit 24] */
int t_cpu_has_tsc_deadline(void);
/* Enable this CPU's LAPIC in the global mode (x2APIC switched on when
 * t_x2apic), software-enabled with the spurious vector, TPR 0; installs the
 * spurious handler (counted in t_spurious). */
void t_lapic_init(void);
u32 t_lapic_read(u32 reg);
void t_lapic_write(u32 reg, u32 v);
void t_lapic_eoi(void);
/* this CPU's APIC ID (8 bits in xAPIC mode) */
u32 t_lapic_id(void);
/* Send an IPI: ICR low bits (vector, mode, shorthand...) to dest (APIC ID
 * or logical, ignored with a shorthand). Waits for the xAPIC's delivery
 * status to clear first and after (bounded); returns 0 or -1 on timeout. */
int t_lapic_ipi(u32 dest, u32 low);
/* Bit v of the ISR (LAPIC_ISR), TMR or IRR */
int t_lapic_bit(u32 base, u8 v);

extern volatile u32 t_spurious;

#endif
