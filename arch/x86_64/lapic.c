/*
 * arch/x86_64/lapic.c - the local APIC accessors (lapic.h): xAPIC MMIO
 * registers at the base the MADT names, per-CPU software enable, EOI and
 * IPIs through the interrupt command register. Every CPU sees its own LAPIC
 * at the same address.
 */
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cpu.h"
#include "kernel/arch_cpu.h"

#define MSR_APIC_BASE 0x1B
#define APIC_BASE_ENABLE (1u << 11)
#define ICR_IDLE_SPINS 1000000

static u64 lapic_base = LAPIC_DEFAULT_BASE;
volatile u32 *lapic_eoi_reg = (volatile u32 *)(uintptr_t)(LAPIC_DEFAULT_BASE + LAPIC_EOI);

void lapic_set_base(u64 base)
{
	lapic_base = base;
	lapic_eoi_reg = (volatile u32 *)(uintptr_t)(base + LAPIC_EOI);
}

u64 lapic_get_base(void)
{
	return lapic_base;
}

u32 lapic_read(u32 reg)
{
	return *(volatile u32 *)(uintptr_t)(lapic_base + reg);
}

void lapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(uintptr_t)(lapic_base + reg) = v;
}

u32 lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_enable_cpu(bool bsp)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	lapic_write(LAPIC_SVR, 0x100 | LAPIC_SPURIOUS_VECTOR);
	lapic_write(LAPIC_TPR, 0);
	if (!bsp) {
		/* the BIOS wires LINT0/1 (ExtINT, NMI) on the BSP only */
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
		lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
		lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	}
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();
}

bool lapic_send_ipi(u32 apic_id, u32 icr_low)
{
	unsigned long flags = arch_cpu_irq_save();
	bool idle = false;

	for (int i = 0; i < ICR_IDLE_SPINS; i++) {
		if (!(lapic_read(LAPIC_ICR_LOW) & ICR_BUSY)) {
			idle = true;
			break;
		}
		arch_cpu_relax();
	}
	if (!(icr_low & ICR_SELF))
		lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	arch_cpu_irq_restore(flags);
	return idle;
}
