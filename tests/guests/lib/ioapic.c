/*
 * tests/guests/lib/ioapic.c - IO-APIC register access and routing for the
 * C test guests (ioapic.h).
 */
#include "ioapic.h"
#include "acpi.h"
#include "cpu.h"

u32 t_ioapic_read(u32 base, u32 reg)
{
	mmio_write32(base, reg);
	return mmio_read32(base + 0x10);
}

void t_ioapic_write(u32 base, u32 reg, u32 v)
{
	mmio_write32(base, reg);
	mmio_write32(base + 0x10, v);
}

int t_ioapic_pins(u32 base)
{
	return (int)((t_ioapic_read(base, IOAPIC_REG_VER) >> 16) & 0xFF) + 1;
}

u32 t_ioapic_rte_lo(u32 base, int pin)
{
	return t_ioapic_read(base, IOAPIC_REG_RTE(pin));
}

u32 t_ioapic_rte_hi(u32 base, int pin)
{
	return t_ioapic_read(base, IOAPIC_REG_RTE(pin) + 1);
}

void t_ioapic_route(u32 base, int pin, u32 lo, u8 dest)
{
	t_ioapic_write(base, IOAPIC_REG_RTE(pin), RTE_MASKED);
	t_ioapic_write(base, IOAPIC_REG_RTE(pin) + 1, (u32)dest << 24);
	t_ioapic_write(base, IOAPIC_REG_RTE(pin), lo);
}

void t_ioapic_mask(u32 base, int pin, int masked)
{
	u32 lo = t_ioapic_rte_lo(base, pin);

	lo = masked ? lo | RTE_MASKED : lo & ~RTE_MASKED;
	t_ioapic_write(base, IOAPIC_REG_RTE(pin), lo);
}

int t_ioapic_for_gsi(u32 gsi, u32 *base)
{
	for (int i = 0; i < t_acpi.nioapics; i++) {
		struct t_madt_ioapic *io = &t_acpi.ioapics[i];
		int pins = t_ioapic_pins(io->addr);

		if (gsi >= io->gsi_base && gsi < io->gsi_base + (u32)pins) {
			*base = io->addr;
			return (int)(gsi - io->gsi_base);
		}
	}
	return -1;
}

void t_pic_mask_all(void)
{
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
}
