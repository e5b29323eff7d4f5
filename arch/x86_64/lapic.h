/*
 * arch/x86_64/lapic.h - the local APIC in xAPIC (MMIO) or x2APIC (MSR) mode: register
 * access, per-CPU enable, EOI and inter-processor interrupts through the
 * ICR. The timer that runs on it lives in timer.c, SMP start in smp.c.
 */
#ifndef ARCH_X86_64_LAPIC_H
#define ARCH_X86_64_LAPIC_H

#include "kernel/types.h"

#define LAPIC_DEFAULT_BASE 0xFEE00000ULL

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LAPIC_LVT_MASKED (1u << 16)

/* ICR low: delivery modes (SDM 10.6.1) and flags */
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_BUSY (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SELF (1u << 18)

#define LAPIC_SPURIOUS_VECTOR 0xFF

/* x2APIC mode (lapic_init_mode) */
extern bool lapic_x2apic;
/*
 * On the BSP, before any other LAPIC access: x2APIC mode when the firmware
 * left the LAPIC in it, or when want_x2apic and the CPU has it (the APs
 * follow in lapic_enable_cpu); returns the mode for the boot log.
 */
const char *lapic_init_mode(bool want_x2apic);
/* Use the LAPIC at 'base' (from the MADT; the default until then). */
void lapic_set_base(u64 base);
/* The LAPIC window's physical address (IA32_APIC_BASE / the MADT). */
u64 lapic_get_base(void);
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 value);
/* Software-enable this CPU's LAPIC: spurious vector 0xFF, TPR 0, LINTs masked on APs. */
void lapic_enable_cpu(bool bsp);
/* APIC id of the executing CPU (LAPIC ID register bits 31:24). */
u32 lapic_id(void);
static inline void lapic_eoi(void)
{
	extern volatile u32 *lapic_eoi_reg;

	if (lapic_x2apic)
		__asm__ volatile("wrmsr" : : "c"(0x80B), "a"(0), "d"(0) : "memory");
	else
		*lapic_eoi_reg = 0;
}
/*
 * Send an IPI: 'icr_low' is the delivery mode, vector and flags, 'apic_id'
 * the destination (ignored with ICR_SELF). Waits (bounded) for the previous
 * send to be accepted; false if the ICR never became idle, or (xAPIC mode)
 * if apic_id does not fit the 8-bit destination (nothing sent).
 */
bool lapic_send_ipi(u32 apic_id, u32 icr_low);

#endif
