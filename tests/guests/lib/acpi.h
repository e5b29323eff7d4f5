/*
 * tests/guests/lib/acpi.h - the ACPI walker of C test guests: the RSDP by
 * the standard scan (the first KiB of the EBDA, then 0xE0000-0xFFFFF on 16-
 * byte boundaries), checksums of every table, RSDT and XSDT, the MADT
 * (local APICs, x2APICs, IO-APICs, interrupt source overrides, LAPIC NMIs),
 * the FADT (PM timer, PM1 blocks, reset register, DSDT), \_S5 from the
 * DSDT's bytes, S5 power-off through PM1a_CNT and reset through the FADT's
 * reset register. Tables above 4 GiB are refused (no paging here).
 */
#ifndef TESTS_GUESTS_LIB_ACPI_H
#define TESTS_GUESTS_LIB_ACPI_H

#include "tlib.h"

#define T_MAX_CPUS 16
#define T_MAX_IOAPICS 4
#define T_MAX_ISOS 16

struct acpi_sdt {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem_id[6], oem_table_id[8];
	u32 oem_revision, creator_id, creator_revision;
} __attribute__((packed));

struct t_madt_cpu { u32 apic_id, uid; u8 enabled; };
struct t_madt_ioapic { u8 id; u32 addr, gsi_base; };
struct t_madt_iso { u8 bus, source; u32 gsi; u16 flags; };

/* what t_acpi_init found */
struct t_acpi {
	u32 rsdp, rsdt, xsdt, madt, fadt, dsdt;	/* table addresses, 0: absent */
	u8 rsdp_revision;
	int bad_checksums;			/* tables whose checksum failed */
	int ntables;				/* entries of the RSDT (or XSDT) */
	/* MADT */
	u32 lapic_addr, madt_flags;
	int ncpus, nioapics, nisos, nlapic_nmis;
	struct t_madt_cpu cpus[T_MAX_CPUS];
	struct t_madt_ioapic ioapics[T_MAX_IOAPICS];
	struct t_madt_iso isos[T_MAX_ISOS];
	u8 lapic_nmi_lint, lapic_nmi_uid;	/* the last LAPIC NMI entry */
	/* FADT */
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u32 pm1a_evt, pm1a_cnt, pm_tmr;
	u32 fadt_flags;
	u8 reset_space, reset_width, reset_value;	/* reset register (GAS) */
	u64 reset_addr;
	int s5_found;
	u8 s5_typ_a, s5_typ_b;
};

extern struct t_acpi t_acpi;

/* Sum of n bytes (0 for a correct ACPI checksum) */
u8 t_acpi_sum(const void *p, u32 n);
/* Find and parse everything; prints one line per table found. Sets the
 * PM timer of lib/time.c when the FADT has one. Returns 0 or -1 (no RSDP). */
int t_acpi_init(void);
/* The table with signature sig (4 chars) through the XSDT (else RSDT), or 0 */
u32 t_acpi_find(const char *sig);
/* The GSI of ISA IRQ irq (the overrides), and its flags (0 when none) */
u32 t_acpi_isa_gsi(u8 irq, u16 *flags);
/* Enable ACPI mode (SMI_CMD <- ACPI_ENABLE when SCI_EN is clear). */
void t_acpi_enable(void);
/* S5 power-off: SLP_TYP from \_S5 and SLP_EN into PM1a_CNT. Returns only if
 * the machine kept running (after 200 ms). */
void t_acpi_poweroff(void);
/* Reset through the FADT's reset register; returns if that did nothing. */
void t_acpi_reset(void);

/* End a test kernel: the summary line "SUMMARY name: N failures", then,
 * when the command line holds the word "poweroff", the S5 power-off, with
 * the word "reset" a reset through the FADT's reset register (each a FAIL
 * when the machine kept running); finally isa-debug-exit with the count. */
void t_end(const char *name, const struct mb_info *info) __attribute__((noreturn));

#endif
