/*
 * tests/guests/lib/apic.c - local APIC access in xAPIC and x2APIC mode
 * for the C test guests (apic.h).
 */
#include "apic.h"
#include "cpu.h"

int t_x2apic;
u32 t_lapic_base = 0xFEE00000;
volatile u32 t_spurious;

int t_cpu_has_x2apic(void)
{
	u32 r[4];

	t_cpuid(1, 0, r);
	return !!(r[2] & (1u << 21));
}

int t_cpu_has_tsc_deadline(void)
{
	u32 r[4];

	t_cpuid(1, 0, r);
	return !!(r[2] & (1u << 24));
}

u32 t_lapic_read(u32 reg)
{
	if (t_x2apic)
		return (u32)rdmsr(0x800 + (reg >> 4));
	return mmio_read32(t_lapic_base + reg);
}

void t_lapic_write(u32 reg, u32 v)
{
	if (t_x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(t_lapic_base + reg, v);
}

void t_lapic_eoi(void)
{
	t_lapic_write(LAPIC_EOI, 0);
}

u32 t_lapic_id(void)
{
	u32 id = t_lapic_read(LAPIC_ID);

	return t_x2apic ? id : id >> 24;
}

int t_lapic_bit(u32 base, u8 v)
{
	return !!(t_lapic_read(base + 0x10 * (v / 32)) & (1u << (v % 32)));
}

/* Wait (bounded) until the xAPIC's ICR delivery status is idle. */
static int icr_idle(void)
{
	for (u32 i = 0; i < 10000000; i++) {
		if (!(t_lapic_read(LAPIC_ICR) & ICR_BUSY))
			return 0;
		t_pause();
	}
	return -1;
}

int t_lapic_ipi(u32 dest, u32 low)
{
	if (t_x2apic) {
		wrmsr(0x830, ((u64)dest << 32) | low);
		return 0;
	}
	if (icr_idle())
		return -1;
	t_lapic_write(LAPIC_ICR_HI, dest << 24);
	t_lapic_write(LAPIC_ICR, low);
	return icr_idle();
}

static void spurious(struct t_frame *f)
{
	(void)f;
	t_spurious++;	/* no EOI for the spurious vector */
}

void t_lapic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	t_lapic_base = (u32)base & 0xFFFFF000u;
	if (t_x2apic && !(base & APIC_BASE_X2)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_APIC_BASE, base);		/* xAPIC first: the legal order */
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2);
	} else if (!(base & APIC_BASE_EN)) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	}
	t_irq_set(T_SPURIOUS_VECTOR, spurious);
	t_lapic_write(LAPIC_SVR, 0x100 | T_SPURIOUS_VECTOR);
	t_lapic_write(LAPIC_TPR, 0);
}
