/*
 * arch/x86_64/host_ioapic.c - the host IO-APIC redirection entries of the
 * hypervisor's own legacy devices (host_ioapic.h). Without interrupt
 * remapping (VT-d, not used here) a redirection entry in physical mode
 * names its CPU by an 8-bit APIC id: a CPU whose id is above 254 (x2APIC
 * mode) cannot be reached, and the entry is left masked.
 */
#include "arch/x86_64/host_ioapic.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic_id.h"
#include "arch/x86_64/lapic.h"
#include "kernel/error.h"
#include "kernel/printk.h"

#define IOAPIC_DEFAULT_BASE 0xFEC00000ULL
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))

static void ioapic_write(volatile u32 *base, u32 reg, u32 val)
{
	base[IOAPIC_REGSEL / 4] = reg;
	base[IOAPIC_WIN / 4] = val;
}

int host_ioapic_route_isa(u32 irq, u8 vector)
{
	const struct acpi_tables_info *ti = acpi_tables_info();
	u64 pa = ti && ti->nr_ioapics ? ti->ioapic_base[0] : IOAPIC_DEFAULT_BASE;
	volatile u32 *base = (volatile u32 *)(uintptr_t)pa;	/* identity-mapped, UC */
	u32 id = lapic_id();

	if (!apic_id_ioapic_reachable(id)) {
		vmm_warn("ioapic: IRQ %u not routed: this CPU's APIC id %u is above %u, which an IO-APIC cannot address without interrupt remapping (VT-d, not supported); the device stays polled\n",
			 irq, id, APIC_ID_XAPIC_MAX);
		return -VMM_ENOTAVAIL;
	}
	ioapic_write(base, IOAPIC_REDIR(irq) + 1, id << 24);
	ioapic_write(base, IOAPIC_REDIR(irq), vector);
	return VMM_OK;
}
