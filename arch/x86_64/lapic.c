/*
 * arch/x86_64/lapic.c - the local APIC accessors (lapic.h): xAPIC MMIO
 * registers at the base the MADT names, or the x2APIC MSRs (0x800 +
 * register / 16) when the firmware handed over in x2APIC mode or the
 * command line says x2apic; per-CPU software enable, EOI and IPIs through
 * the interrupt command register (one 64-bit MSR in x2APIC mode, with the
 * full 32-bit destination). Every CPU sees its own LAPIC at the same
 * address or MSRs.
 */
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/apic_id.h"
#include "kernel/arch_cpu.h"

#define MSR_APIC_BASE 0x1B
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_EXTD (1u << 10)	/* x2APIC mode */
#define MSR_X2APIC_BASE 0x800
#define MSR_X2APIC_ICR 0x830
#define CPUID_1_ECX_X2APIC (1u << 21)
#define ICR_IDLE_SPINS 1000000

static u64 lapic_base = LAPIC_DEFAULT_BASE;
volatile u32 *lapic_eoi_reg = (volatile u32 *)(uintptr_t)(LAPIC_DEFAULT_BASE + LAPIC_EOI);
bool lapic_x2apic;

const char *lapic_init_mode(bool want_x2apic)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 a, b, c, d;

	if (base & APIC_BASE_EXTD) {
		lapic_x2apic = true;
		return "x2APIC (the firmware handed over in it)";
	}
	cpuid(1, &a, &b, &c, &d);
	if (!want_x2apic)
		return "xAPIC";
	if (!(c & CPUID_1_ECX_X2APIC))
		return "xAPIC (x2apic asked for: this CPU has no x2APIC)";
	/* xAPIC -> x2APIC: enabled first, then EXTD (SDM 10.12.5) */
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
	lapic_x2apic = true;
	return "x2APIC (x2apic on the command line)";
}

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
	if (lapic_x2apic)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *(volatile u32 *)(uintptr_t)(lapic_base + reg);
}

void lapic_write(u32 reg, u32 v)
{
	if (lapic_x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		*(volatile u32 *)(uintptr_t)(lapic_base + reg) = v;
}

u32 lapic_id(void)
{
	/* x2APIC: the whole register is the (32-bit) id */
	return lapic_x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24;
}

void lapic_enable_cpu(bool bsp)
{
	u64 base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	wrmsr(MSR_APIC_BASE, base);
	if (lapic_x2apic && !(base & APIC_BASE_EXTD))	/* an AP after INIT-SIPI */
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
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
	unsigned long flags;
	bool idle = false;

	if (lapic_x2apic) {
		/* one write, no delivery-status bit (SDM 10.12.9) */
		wrmsr(MSR_X2APIC_ICR, ((u64)((icr_low & ICR_SELF) ? 0 : apic_id) << 32) | icr_low);
		return true;
	}
	/* an 8-bit destination: never send a truncated id to another CPU */
	if (!(icr_low & ICR_SELF) && !apic_id_addressable(apic_id, false))
		return false;
	flags = arch_cpu_irq_save();
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
