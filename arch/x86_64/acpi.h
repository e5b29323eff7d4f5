/*
 * arch/x86_64/acpi.h - the little of ACPI the hypervisor reads itself:
 * RSDP, RSDT/XSDT, FADT (PM1 control blocks), \_S5 from the DSDT, the
 * MADT's enabled local APICs, and the HPET table (for hpet.c).
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include "kernel/types.h"

struct acpi_power_info {
	bool valid;
	u16 pm1a_cnt, pm1b_cnt;
	u8 s5_typa, s5_typb;
	u16 pm_timer;	/* PM timer port (3.579545 MHz, 24 bits), 0 = none */
	/* the FADT's reset register (flag RESET_REG_SUP): address space
	 * (0 memory, 1 I/O port), address, value to write */
	bool reset_valid;
	u8 reset_space;
	u64 reset_addr;
	u8 reset_value;
};

#define ACPI_MAX_CPUS 64

struct acpi_madt_info {
	bool valid;		/* an MADT with at least one enabled processor */
	u64 lapic_base;
	u32 nr_cpus;		/* enabled processors, in MADT order */
	u32 apic_ids[ACPI_MAX_CPUS];
	u32 nr_skipped;		/* enabled but unusable (x2APIC id >= 255, too many) */
};

/* What of the firmware the hypervisor reads or may use, for the table of
 * host-owned resources (host_owned.c): the RSDP and every table it read
 * (physical ranges), and the IO-APICs the MADT names. */
#define ACPI_MAX_TABLES 8
#define ACPI_MAX_IOAPICS 8
struct acpi_tables_info {
	u32 nr;
	struct {
		u64 start, end;		/* [start, end) */
		char sig[5];
	} t[ACPI_MAX_TABLES];
	u32 nr_ioapics;
	u64 ioapic_base[ACPI_MAX_IOAPICS];
};
const struct acpi_tables_info *acpi_tables_info(void);
/* A table acpi_init() read and checked (signature, length, checksum) by
 * its signature ("HPET"), and its length; NULL when it read none. */
const void *acpi_table(const char *sig, u32 *len);

/* Busy-wait about 'us' microseconds on the PM timer (a spin loop without it). */
void acpi_delay_us(u32 us);

/* Find the RSDP in the BIOS areas; must run while page 0 is still mapped. */
u64 acpi_find_rsdp_bios(void);
/* Read the FADT and \_S5 once at boot; rsdp may be 0 (then nothing is found). */
void acpi_init(u64 rsdp);
const struct acpi_power_info *acpi_power_info(void);
/* The MADT as read by acpi_init(); valid == false without one. */
const struct acpi_madt_info *acpi_madt_info(void);

#endif
