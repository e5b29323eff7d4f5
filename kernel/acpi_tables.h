/*
 * kernel/acpi_tables.h - the ACPI tables a PC guest finds in its firmware
 * area, built into a caller-given buffer (pure: host-testable,
 * tests/unit/test_acpi_tables.c; checked against iasl by
 * tests/system/test_acpi_iasl.py). One block, in this order, every table
 * 8-byte aligned and the FACS 64-byte aligned:
 *
 *   RSDP (ACPI 2.0+, 36 bytes, at offset 0: the block's address must be
 *         16-byte aligned, and inside 0xE0000-0xFFFFF for the legacy scan)
 *   RSDT, XSDT (each listing the FADT, then the MADT)
 *   FADT (revision 6, ACPI 6.0 layout, 276 bytes)
 *   MADT (revision 4: local APICs, the IO-APIC, overrides, LINT1 NMI)
 *   FACS (version 2, 64 bytes; the one table without a checksum)
 *   DSDT (revision 2, AML: only Name(_S5_, Package(){t, t, 0, 0}))
 *
 * Every pointer inside is a guest-physical address (the block's address
 * plus an offset); the whole block lies below 4 GiB (the RSDT and the
 * FADT's legacy fields hold 32-bit addresses).
 *
 * kernel/acpi_guest.c places the block into a guest's ROM (the region with
 * acpi_tables; in its DTS).
 */
#ifndef KERNEL_ACPI_TABLES_H
#define KERNEL_ACPI_TABLES_H

#include "kernel/types.h"

#define ACPI_GUEST_MAX_CPUS 64		/* Processor Local APIC entries */
#define ACPI_GUEST_MAX_ISOS 16		/* one per ISA IRQ at most */

#define ACPI_RSDP_BYTES 36
#define ACPI_HEADER_BYTES 36
#define ACPI_FADT_BYTES 276
#define ACPI_FACS_BYTES 64

#define ACPI_LAPIC_ADDR 0xFEE00000u

/* MPS INTI flags of an interrupt source override (MADT type 2) */
#define ACPI_MPS_POLARITY_BUS 0x0
#define ACPI_MPS_ACTIVE_HIGH 0x1
#define ACPI_MPS_ACTIVE_LOW 0x3
#define ACPI_MPS_TRIGGER_BUS (0x0 << 2)
#define ACPI_MPS_EDGE (0x1 << 2)
#define ACPI_MPS_LEVEL (0x3 << 2)

/* FADT IAPC_BOOT_ARCH */
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042 (1u << 1)

/* FADT Flags this generator sets */
#define ACPI_FADT_WBINVD (1u << 0)
#define ACPI_FADT_PROC_C1 (1u << 2)
#define ACPI_FADT_PWR_BUTTON (1u << 4)	/* no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON (1u << 5)	/* no fixed-feature sleep button */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)	/* 32-bit PM timer */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)

/* Field offsets in the FADT (ACPI 6.0, table 5-34) */
#define ACPI_FADT_FIRMWARE_CTRL 36
#define ACPI_FADT_DSDT 40
#define ACPI_FADT_SCI_INT 46
#define ACPI_FADT_SMI_CMD 48
#define ACPI_FADT_PM1A_EVT_BLK 56
#define ACPI_FADT_PM1A_CNT_BLK 64
#define ACPI_FADT_PM_TMR_BLK 76
#define ACPI_FADT_PM1_EVT_LEN 88
#define ACPI_FADT_PM1_CNT_LEN 89
#define ACPI_FADT_PM_TMR_LEN 91
#define ACPI_FADT_P_LVL2_LAT 96
#define ACPI_FADT_P_LVL3_LAT 98
#define ACPI_FADT_IAPC_BOOT_ARCH 109
#define ACPI_FADT_FLAGS 112
#define ACPI_FADT_RESET_REG 116
#define ACPI_FADT_RESET_VALUE 128
#define ACPI_FADT_MINOR_VERSION 131
#define ACPI_FADT_X_FIRMWARE_CTRL 132
#define ACPI_FADT_X_DSDT 140
#define ACPI_FADT_X_PM1A_EVT_BLK 148
#define ACPI_FADT_X_PM1A_CNT_BLK 172
#define ACPI_FADT_X_PM_TMR_BLK 208

/* Generic Address Structure (12 bytes) */
#define ACPI_GAS_SPACE_IO 1
#define ACPI_GAS_ACCESS_BYTE 1
#define ACPI_GAS_ACCESS_WORD 2
#define ACPI_GAS_ACCESS_DWORD 3

/* MADT entry types */
#define ACPI_MADT_LAPIC 0
#define ACPI_MADT_IOAPIC 1
#define ACPI_MADT_ISO 2
#define ACPI_MADT_LAPIC_NMI 4

/* An interrupt source override: ISA IRQ 'irq' arrives at 'gsi'. */
struct acpi_iso {
	u8 irq;			/* 0..15 */
	u32 gsi;
	u16 flags;		/* ACPI_MPS_* polarity | trigger */
};

struct acpi_tables_in {
	u32 nr_cpus;			/* 1..ACPI_GUEST_MAX_CPUS */
	u8 apic_ids[ACPI_GUEST_MAX_CPUS];	/* VCPU i's local APIC id, distinct */
	u8 ioapic_id;			/* distinct from every local APIC id */
	u32 ioapic_addr;
	u32 ioapic_gsi_base;
	struct acpi_iso isos[ACPI_GUEST_MAX_ISOS];
	u32 nr_isos;			/* 0..ACPI_GUEST_MAX_ISOS, distinct irqs */
	u16 pm1a_evt_port;		/* 4 bytes: PM1_STS, PM1_EN */
	u16 pm1a_cnt_port;		/* 2 bytes: PM1_CNT */
	u16 pm_tmr_port;		/* 4 bytes: PM_TMR */
	bool pm_tmr_32bit;		/* FADT TMR_VAL_EXT */
	u16 sci_irq;			/* SCI_INT (an ISA IRQ, 0..15) */
	u16 reset_port;			/* RESET_REG, I/O space, 8 bits; 0: none */
	u8 reset_value;
	u8 s5_slp_typ;			/* PM1_CNT.SLP_TYP for S5, 0..7 */
	u16 iapc_boot_arch;		/* ACPI_BOOT_* */
};

/* Offsets (from the block's start) of each table, and the block's size. */
struct acpi_tables_out {
	u64 size;
	u32 rsdp, rsdt, xsdt, fadt, madt, facs, dsdt;
};

/*
 * Fill 'in' with a PC's description for nr_cpus VCPUs (APIC ids 0..n-1):
 * IO-APIC id nr_cpus at 0xFEC00000, GSI base 0; IRQ0 -> GSI 2 (edge, as the
 * bus) and IRQ9 (the SCI) level, active high; PM1a event block 0x600,
 * control 0x604, PM timer 0x608 (24 bits); reset register 0xCF9 value 0x06;
 * S5 SLP_TYP 5; legacy devices and an 8042.
 */
void acpi_tables_pc_defaults(struct acpi_tables_in *in, u32 nr_cpus);

/* Bytes the block takes (0 if 'in' is invalid). */
u64 acpi_tables_size(const struct acpi_tables_in *in);

/*
 * Build the block for guest-physical address 'gpa' into buf (len bytes):
 * VMM_OK and the offsets in *out, or -VMM_EINVALID (an invalid
 * description, gpa not 16-byte aligned, a block that would cross 4 GiB) or
 * -VMM_ENOSPC (len smaller than acpi_tables_size()); nothing is written to
 * buf on error.
 */
int acpi_tables_build(const struct acpi_tables_in *in, u64 gpa, u8 *buf, u64 len,
		      struct acpi_tables_out *out);

#endif
