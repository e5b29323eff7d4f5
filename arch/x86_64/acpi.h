/*
 * arch/x86_64/acpi.h - the little of ACPI the hypervisor reads itself:
 * RSDP, RSDT/XSDT, FADT (PM1 control blocks, reset and sleep registers),
 * \_S5 from the DSDT or an SSDT, the MADT's enabled local APICs (the
 * parsing itself: acpi_parse.c), and the HPET table (for hpet.c).
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include "kernel/types.h"

/* A Generic Address Structure (ACPI 6.x 5.2.3.2) */
struct acpi_gas_reg {
	u8 space;		/* 0 memory, 1 I/O port, 2 PCI configuration space */
	u8 bit_width, bit_offset, access_size;
	u64 addr;
};

struct acpi_power_info {
	bool valid;		/* a FADT was read */
	u32 flags;		/* the FADT's flags */
	u16 pm1a_cnt, pm1b_cnt;	/* PM1 control ports, 0 = none */
	u8 s5_typa, s5_typb;
	int s5;			/* ACPI_S5_FOUND, _ABSENT or _NOT_PACKAGE (acpi_parse.h) */
	char s5_table[5];	/* where \_S5 was found: "DSDT" or "SSDT" */
	u16 pm_timer;	/* PM timer port (3.579545 MHz, 24 bits), 0 = none */
	u32 smi_cmd;		/* SMI command port, ACPI_ENABLE written there */
	u8 acpi_enable;		/* enters ACPI mode (SCI_EN) from legacy mode */
	bool hw_reduced;	/* HW_REDUCED_ACPI: no PM1 blocks */
	struct acpi_gas_reg sleep_control;	/* hardware-reduced S5, addr 0 = none */
	/* the FADT's reset register (flag RESET_REG_SUP): address space
	 * (0 memory, 1 I/O port, 2 PCI configuration space of bus 0),
	 * address, value to write */
	bool reset_sup;		/* RESET_REG_SUP set (reset_valid: and usable) */
	bool reset_valid;
	u8 reset_space;
	u64 reset_addr;
	u8 reset_value;
	/* the FADT's IAPC_BOOT_ARCH (ACPI 2.0+, FADT revision 3 and up): bit 1
	 * says the machine has an 8042 keyboard controller (i8042.c) */
	bool boot_arch_valid;
	u16 boot_arch;
};

#define ACPI_MAX_CPUS 64

struct acpi_madt_info {
	bool valid;		/* an MADT with at least one enabled processor */
	u64 lapic_base;
	u32 nr_cpus;		/* enabled processors, in MADT order */
	u32 apic_ids[ACPI_MAX_CPUS];
	u32 nr_skipped;		/* enabled but not kept: more than ACPI_MAX_CPUS, or id 0xFFFFFFFF */
	u32 nr_x2apic;		/* of the kept ones, ids above 254 (x2APIC mode only) */
};

/* What of the firmware the hypervisor reads or may use, for the table of
 * host-owned resources (host_owned.c): the RSDP and every table it read
 * (physical ranges), and the IO-APICs the MADT names. */
#define ACPI_MAX_TABLES 32
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
