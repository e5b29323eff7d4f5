/*
 * kernel/acpi_guest.h - a guest's ACPI tables in its ROM: the region of
 * its DTS that carries the flag acpi_tables; receives the block of
 * kernel/acpi_tables.c, built from the guest's configuration, at guest
 * creation and at every cold reset (next to the Multiboot kernel loader,
 * kernel/mb1_guest.c, called from kernel/aspace.c).
 *
 * What the configuration gives the tables: one local APIC per VCPU (APIC
 * id and ACPI processor UID = the VCPU's index), the IO-APIC of the
 * "x86,ioapic" memory region (id = number of VCPUs, GSI base 0), the
 * overrides ISA IRQ0 -> GSI 2 (edge, active high) and the SCI, IRQ 9 ->
 * GSI 9 (level, active high), the PM1 block and PM timer of the "acpi,pm1"
 * io region, the reset register of the "pc,reset-port" io region (none
 * without one), an 8042 in IAPC_BOOT_ARCH when an "i8042" region exists.
 */
#ifndef KERNEL_ACPI_GUEST_H
#define KERNEL_ACPI_GUEST_H

#include "kernel/types.h"
#include "kernel/acpi_tables.h"

struct vmm_guest;
struct vmm_guest_config;
struct vmm_region_config;

/* Where a guest OS looks for the RSDP (ACPI 6.0 section 5.2.5.1). */
#define ACPI_GUEST_ROM_LOW 0xE0000ULL
#define ACPI_GUEST_ROM_END 0x100000ULL	/* exclusive */

/* What the configuration asks for: the ROM, the description, the size. */
struct acpi_guest_plan {
	const struct vmm_region_config *rom;	/* NULL: no acpi_tables region */
	struct acpi_tables_in in;
	u64 size;				/* bytes of the block */
};

/*
 * Work out the tables of the guest configured by cfg (pure: no memory is
 * touched). VMM_OK with plan->rom NULL when no region asks for tables, or
 * with the ROM (the block goes at its start) and the description; else
 * -VMM_EINVALID with the reason in err (a ROM outside 0xE0000-0xFFFFF or
 * too small, two ROMs asking, a configuration the tables cannot describe).
 */
int vmm_acpi_guest_plan(const struct vmm_guest_config *cfg, struct acpi_guest_plan *plan,
			char *err, size_t err_len);

/*
 * Build the guest's tables into its acpi_tables ROM, whose memory is
 * already blank (guest creation, a cold reset). VMM_OK (also when there is
 * no such ROM), or an error after a message naming the guest, the region
 * and the problem.
 */
int vmm_acpi_guest_load(struct vmm_guest *guest);

#endif
