/*
 * arch/x86_64/acpi_parse.h - reading the host firmware's ACPI tables from
 * bytes already checked for signature, length and checksum (acpi.c does
 * that): the MADT's processors and IO-APICs, the FADT's power-off and reset
 * registers, \_S5 in AML. Pure computation, unit-tested on fake tables
 * (tests/unit/test_acpi_parse.c).
 */
#ifndef ARCH_X86_64_ACPI_PARSE_H
#define ARCH_X86_64_ACPI_PARSE_H

#include "kernel/types.h"
#include "arch/x86_64/acpi.h"

#define ACPI_SDT_HEADER_BYTES 36

/* Generic Address Structure address spaces (ACPI 6.x 5.2.3.2) */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CONFIG 2

/* FADT flags */
#define ACPI_FADT_F_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_F_HW_REDUCED (1u << 20)

/*
 * The MADT (whole table, header included): LAPIC base, enabled processors
 * (Processor Local APIC entries, ids 0..254, and Processor Local x2APIC
 * entries, any 32-bit id; listed once even when in both), IO-APIC bases.
 * Which ids the LAPIC mode can address is the caller's business (apic_id.h).
 * An entry that runs past the table's end stops the walk; so does a
 * length below 2.
 */
void acpi_parse_madt(const u8 *table, u32 len, struct acpi_madt_info *madt,
		     struct acpi_tables_info *tables);

/*
 * The FADT (whole table): PM1a/PM1b control ports (the 32-bit fields, else
 * the X_ fields when they are I/O), PM timer port, SMI_CMD/ACPI_ENABLE,
 * the reset register when RESET_REG_SUP is set, HW_REDUCED_ACPI and the
 * sleep control register, the DSDT address (X_DSDT preferred). Fields past
 * the table's length read as zero. Fills *p (s5 values untouched) and
 * returns the DSDT's physical address.
 */
u64 acpi_parse_fadt(const u8 *table, u32 len, struct acpi_power_info *p);

/* acpi_find_s5() results */
#define ACPI_S5_FOUND 0
#define ACPI_S5_ABSENT (-1)	/* no \_S5 object in this AML */
#define ACPI_S5_NOT_PACKAGE (-2)	/* \_S5 is there but not Name(_S5_, Package) */

/*
 * Find Name(\_S5_, Package(){SLP_TYPa, SLP_TYPb, ...}) in the AML of a
 * DSDT or SSDT (the bytes after the 36-byte header): the two values
 * (ZeroOp, OneOp, OnesOp, BytePrefix, WordPrefix or DWordPrefix; the low
 * three bits are SLP_TYP) into *typa and *typb.
 */
int acpi_find_s5(const u8 *aml, u32 len, u8 *typa, u8 *typb);

/* The GAS address space's name for messages ("I/O port", "memory", ...). */
const char *acpi_gas_space_name(u8 space);

#endif
