/*
 * arch/x86_64/host_ioapic.c - the host IO-APIC redirection entries of the
 * hypervisor's own legacy devices (host_ioapic.h).
 */
#include "arch/x86_64/host_ioapic.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/lapic.h"

#define IOAPIC_DEFAULT_BASE 0xFEC00000ULL
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))

static void ioapic_write(volatile u32 *base, u32 reg, u32 val)
{
	base[IOAPIC_REGSEL / 4] = reg;
	base[IOAPIC_WIN / 4] = val;
}

void host_ioapic_route_isa(u32 irq, u8 vector)
{
	const struct acpi_tables_info *ti = acpi_tables_info();
	u64 pa = ti && ti->nr_ioapics ? ti->ioapic_base[0] : IOAPIC_DEFAULT_BASE;
	volatile u32 *base = (volatile u32 *)(uintptr_t)pa;	/* identity-mapped, UC */

	ioapic_write(base, IOAPIC_REDIR(irq) + 1, lapic_id() << 24);
	ioapic_write(base, IOAPIC_REDIR(irq), vector);
}
