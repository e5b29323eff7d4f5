/*
 * tests/unit/test_acpi_tables.c - the guest ACPI tables (kernel/acpi_tables.c),
 * parsed back the way a guest OS finds them: the RSDP by scanning a fake
 * 0xE0000-0xFFFFF image on 16-byte boundaries, then RSDT/XSDT to the FADT
 * and MADT, the FADT to the FACS and DSDT; signatures, lengths, checksums,
 * MADT entries for 1, 2 and 4 VCPUs, FADT fields (also without a reset
 * register), the DSDT's _S5_ AML;
 * invalid descriptions, misaligned or too high addresses and too small
 * buffers refused without a byte written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/acpi_tables.h"
#include "kernel/error.h"

#define BIOS_BASE 0xE0000ULL
#define BIOS_SIZE 0x20000ULL

static u8 bios[BIOS_SIZE];	/* guest-physical 0xE0000-0xFFFFF */

static u16 r16(const u8 *b, u64 off) { u16 v; memcpy(&v, b + off, 2); return v; }
static u32 r32(const u8 *b, u64 off) { u32 v; memcpy(&v, b + off, 4); return v; }
static u64 r64(const u8 *b, u64 off) { u64 v; memcpy(&v, b + off, 8); return v; }

static u8 sum(const u8 *b, u64 n)
{
	u8 s = 0;

	for (u64 i = 0; i < n; i++)
		s += b[i];
	return s;
}

/* The image offset of guest-physical address gpa (which must be in it). */
static u64 at(u64 gpa)
{
	assert_true(gpa >= BIOS_BASE && gpa < BIOS_BASE + BIOS_SIZE);
	return gpa - BIOS_BASE;
}

/* The legacy RSDP scan: 16-byte steps, signature and the 20-byte checksum. */
static long scan_rsdp(const u8 *img, u64 size)
{
	for (u64 off = 0; off + ACPI_RSDP_BYTES <= size; off += 16)
		if (!memcmp(img + off, "RSD PTR ", 8) && sum(img + off, 20) == 0)
			return (long)off;
	return -1;
}

/* A table at gpa: its signature, a length inside the image, checksum 0. */
static u64 table(u64 gpa, const char *sig)
{
	u64 off = at(gpa);
	u32 len = r32(bios, off + 4);

	assert_memory_equal(bios + off, sig, 4);
	assert_true(len >= ACPI_HEADER_BYTES && off + len <= BIOS_SIZE);
	assert_int_equal(sum(bios + off, len), 0);
	assert_memory_equal(bios + off + 10, "XVISOR", 6);
	return off;
}

/* Build for nr VCPUs at gpa in the image; returns the RSDP's image offset. */
static u64 build_at(const struct acpi_tables_in *in, u64 gpa, struct acpi_tables_out *out)
{
	long rsdp;

	memset(bios, 0, sizeof(bios));
	assert_int_equal(acpi_tables_build(in, gpa, bios + at(gpa), BIOS_SIZE - at(gpa), out), VMM_OK);
	assert_int_equal(out->size, acpi_tables_size(in));
	rsdp = scan_rsdp(bios, BIOS_SIZE);
	assert_int_equal(rsdp, at(gpa) + out->rsdp);
	return (u64)rsdp;
}

static void test_rsdp_found_and_checked(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	u64 r;

	(void)state;
	acpi_tables_pc_defaults(&in, 1);
	r = build_at(&in, 0xE5A30, &out);
	assert_int_equal(r % 16, 0);
	assert_int_equal(bios[r + 15], 2);			/* revision: ACPI 2.0+ */
	assert_int_equal(r32(bios, r + 20), ACPI_RSDP_BYTES);
	assert_int_equal(sum(bios + r, 20), 0);
	assert_int_equal(sum(bios + r, ACPI_RSDP_BYTES), 0);
	assert_memory_equal(bios + r + 9, "XVISOR", 6);
	assert_int_equal(r32(bios, r + 16), 0xE5A30 + out.rsdt);
	assert_int_equal(r64(bios, r + 24), 0xE5A30 + out.xsdt);
	/* no other 16-byte boundary looks like an RSDP */
	assert_int_equal(scan_rsdp(bios + r + 16, BIOS_SIZE - r - 16), -1);
}

static void test_rsdt_xsdt_entries(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	const u64 gpa = 0xF8000;
	u64 r, rsdt, xsdt;

	(void)state;
	acpi_tables_pc_defaults(&in, 2);
	r = build_at(&in, gpa, &out);
	rsdt = table(r32(bios, r + 16), "RSDT");
	xsdt = table(r64(bios, r + 24), "XSDT");
	assert_int_equal(r32(bios, rsdt + 4), 36 + 2 * 4);
	assert_int_equal(r32(bios, xsdt + 4), 36 + 2 * 8);
	assert_int_equal(r32(bios, rsdt + 36), gpa + out.fadt);
	assert_int_equal(r32(bios, rsdt + 40), gpa + out.madt);
	assert_int_equal(r64(bios, xsdt + 36), gpa + out.fadt);
	assert_int_equal(r64(bios, xsdt + 44), gpa + out.madt);
	table(r32(bios, rsdt + 36), "FACP");
	table(r64(bios, xsdt + 44), "APIC");
	/* every table inside the block, none overlapping the next */
	assert_true(out.rsdp < out.rsdt && out.rsdt < out.xsdt && out.xsdt < out.fadt &&
		    out.fadt < out.madt && out.madt < out.facs && out.facs < out.dsdt);
	assert_int_equal(out.facs % 64, 0);
	assert_int_equal(out.dsdt + r32(bios, at(gpa + out.dsdt) + 4), out.size);
}

/* Check the MADT of the PC defaults for nr VCPUs, with apic ids given. */
static void check_madt(u32 nr, const u8 *ids)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	const u64 gpa = 0xE0000;
	u64 r, m, e, end;
	u32 n_lapic = 0, n_ioapic = 0, n_iso = 0, n_nmi = 0;

	acpi_tables_pc_defaults(&in, nr);
	if (ids) {
		memcpy(in.apic_ids, ids, nr);
		in.ioapic_id = 0x20;
	}
	r = build_at(&in, gpa, &out);
	m = table(r64(bios, at(r64(bios, r + 24)) + 44), "APIC");
	assert_int_equal(m, at(gpa + out.madt));
	assert_int_equal(r32(bios, m + 4), 44 + 8 * nr + 12 + 2 * 10 + 6);
	assert_int_equal(r32(bios, m + 36), 0xFEE00000);
	assert_int_equal(r32(bios, m + 40), 1);			/* PCAT_COMPAT */
	end = m + r32(bios, m + 4);
	for (e = m + 44; e < end; e += bios[e + 1]) {
		assert_true(bios[e + 1] >= 2 && e + bios[e + 1] <= end);
		switch (bios[e]) {
		case ACPI_MADT_LAPIC:
			assert_int_equal(bios[e + 1], 8);
			assert_int_equal(bios[e + 2], n_lapic);		/* UID */
			assert_int_equal(bios[e + 3], ids ? ids[n_lapic] : n_lapic);
			assert_int_equal(r32(bios, e + 4), 1);		/* enabled */
			assert_int_equal(n_ioapic + n_iso + n_nmi, 0);	/* CPUs first */
			n_lapic++;
			break;
		case ACPI_MADT_IOAPIC:
			assert_int_equal(bios[e + 1], 12);
			assert_int_equal(bios[e + 2], ids ? 0x20 : nr);
			assert_int_equal(r32(bios, e + 4), 0xFEC00000);
			assert_int_equal(r32(bios, e + 8), 0);
			n_ioapic++;
			break;
		case ACPI_MADT_ISO:
			assert_int_equal(bios[e + 1], 10);
			assert_int_equal(bios[e + 2], 0);		/* ISA */
			if (bios[e + 3] == 0) {
				assert_int_equal(r32(bios, e + 4), 2);
				assert_int_equal(r16(bios, e + 8), 0);
			} else {
				assert_int_equal(bios[e + 3], 9);
				assert_int_equal(r32(bios, e + 4), 9);
				assert_int_equal(r16(bios, e + 8), 0xD);	/* level, high */
			}
			n_iso++;
			break;
		case ACPI_MADT_LAPIC_NMI:
			assert_int_equal(bios[e + 1], 6);
			assert_int_equal(bios[e + 2], 0xFF);
			assert_int_equal(r16(bios, e + 3), 5);
			assert_int_equal(bios[e + 5], 1);		/* LINT1 */
			n_nmi++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", bios[e]);
		}
	}
	assert_int_equal(e, end);
	assert_int_equal(n_lapic, nr);
	assert_int_equal(n_ioapic, 1);
	assert_int_equal(n_iso, 2);
	assert_int_equal(n_nmi, 1);
}

static void test_madt_1_2_4_vcpus(void **state)
{
	static const u8 sparse[4] = { 0, 2, 4, 6 };

	(void)state;
	check_madt(1, NULL);
	check_madt(2, NULL);
	check_madt(4, NULL);
	check_madt(4, sparse);
}

static void test_fadt_fields(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	const u64 gpa = 0xE0100;
	u64 r, f, facs, dsdt;

	(void)state;
	acpi_tables_pc_defaults(&in, 2);
	r = build_at(&in, gpa, &out);
	f = table(r32(bios, at(r32(bios, r + 16)) + 36), "FACP");
	assert_int_equal(r32(bios, f + 4), 276);
	assert_int_equal(bios[f + 8], 6);			/* revision */
	assert_int_equal(bios[f + ACPI_FADT_MINOR_VERSION], 0);
	assert_int_equal(r16(bios, f + ACPI_FADT_SCI_INT), 9);
	assert_int_equal(r32(bios, f + ACPI_FADT_SMI_CMD), 0);
	assert_int_equal(r32(bios, f + ACPI_FADT_PM1A_EVT_BLK), 0x600);
	assert_int_equal(r32(bios, f + ACPI_FADT_PM1A_CNT_BLK), 0x604);
	assert_int_equal(r32(bios, f + ACPI_FADT_PM_TMR_BLK), 0x608);
	assert_int_equal(bios[f + ACPI_FADT_PM1_EVT_LEN], 4);
	assert_int_equal(bios[f + ACPI_FADT_PM1_CNT_LEN], 2);
	assert_int_equal(bios[f + ACPI_FADT_PM_TMR_LEN], 4);
	assert_int_equal(r16(bios, f + ACPI_FADT_IAPC_BOOT_ARCH), 3);
	assert_int_equal(r32(bios, f + ACPI_FADT_FLAGS) & ACPI_FADT_RESET_REG_SUP, ACPI_FADT_RESET_REG_SUP);
	assert_int_equal(r32(bios, f + ACPI_FADT_FLAGS) & ACPI_FADT_TMR_VAL_EXT, 0);
	/* RESET_REG: I/O, 8 bits, offset 0, byte access, port 0xCF9; value 6 */
	assert_int_equal(bios[f + ACPI_FADT_RESET_REG], 1);
	assert_int_equal(bios[f + ACPI_FADT_RESET_REG + 1], 8);
	assert_int_equal(bios[f + ACPI_FADT_RESET_REG + 2], 0);
	assert_int_equal(bios[f + ACPI_FADT_RESET_REG + 3], 1);
	assert_int_equal(r64(bios, f + ACPI_FADT_RESET_REG + 4), 0xCF9);
	assert_int_equal(bios[f + ACPI_FADT_RESET_VALUE], 6);
	/* the X_ blocks: I/O GAS with the same ports, widths from the lengths */
	assert_int_equal(bios[f + ACPI_FADT_X_PM1A_EVT_BLK], 1);
	assert_int_equal(bios[f + ACPI_FADT_X_PM1A_EVT_BLK + 1], 32);
	assert_int_equal(r64(bios, f + ACPI_FADT_X_PM1A_EVT_BLK + 4), 0x600);
	assert_int_equal(bios[f + ACPI_FADT_X_PM1A_CNT_BLK], 1);
	assert_int_equal(bios[f + ACPI_FADT_X_PM1A_CNT_BLK + 1], 16);
	assert_int_equal(r64(bios, f + ACPI_FADT_X_PM1A_CNT_BLK + 4), 0x604);
	assert_int_equal(bios[f + ACPI_FADT_X_PM_TMR_BLK], 1);
	assert_int_equal(bios[f + ACPI_FADT_X_PM_TMR_BLK + 1], 32);
	assert_int_equal(r64(bios, f + ACPI_FADT_X_PM_TMR_BLK + 4), 0x608);
	/* FACS by the 32-bit pointer alone; DSDT by both, agreeing */
	assert_int_equal(r32(bios, f + ACPI_FADT_FIRMWARE_CTRL), gpa + out.facs);
	assert_int_equal(r64(bios, f + ACPI_FADT_X_FIRMWARE_CTRL), 0);
	assert_int_equal(r32(bios, f + ACPI_FADT_DSDT), gpa + out.dsdt);
	assert_int_equal(r64(bios, f + ACPI_FADT_X_DSDT), gpa + out.dsdt);
	facs = at(r32(bios, f + ACPI_FADT_FIRMWARE_CTRL));
	assert_memory_equal(bios + facs, "FACS", 4);
	assert_int_equal(r32(bios, facs + 4), 64);
	assert_int_equal(bios[facs + 32], 2);			/* version */
	assert_int_equal((gpa + out.facs) % 64, 0);
	dsdt = table(r64(bios, f + ACPI_FADT_X_DSDT), "DSDT");
	assert_int_equal(bios[dsdt + 8], 2);
}

static void test_fadt_32bit_timer(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	u64 f;

	(void)state;
	acpi_tables_pc_defaults(&in, 1);
	in.pm_tmr_32bit = true;
	build_at(&in, 0xE0000, &out);
	f = table(0xE0000 + out.fadt, "FACP");
	assert_int_equal(r32(bios, f + ACPI_FADT_FLAGS) & ACPI_FADT_TMR_VAL_EXT, ACPI_FADT_TMR_VAL_EXT);
}

/* No reset port: RESET_REG_SUP clear, the reset register and value all zeros. */
static void test_fadt_no_reset_register(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	u64 r, f;

	(void)state;
	acpi_tables_pc_defaults(&in, 1);
	in.reset_port = 0;
	r = build_at(&in, 0xE0000, &out);
	f = table(r32(bios, at(r32(bios, r + 16)) + 36), "FACP");
	assert_int_equal(r32(bios, f + ACPI_FADT_FLAGS) & ACPI_FADT_RESET_REG_SUP, 0);
	for (u32 i = 0; i < 12; i++)
		assert_int_equal(bios[f + ACPI_FADT_RESET_REG + i], 0);
	assert_int_equal(bios[f + ACPI_FADT_RESET_VALUE], 0);
}

static void test_dsdt_s5(void **state)
{
	static const u8 aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				  0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00 };
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	u64 d;

	(void)state;
	acpi_tables_pc_defaults(&in, 1);
	build_at(&in, 0xE0000, &out);
	d = table(0xE0000 + out.dsdt, "DSDT");
	assert_int_equal(r32(bios, d + 4), 36 + sizeof(aml));
	assert_memory_equal(bios + d + 36, aml, sizeof(aml));
	in.s5_slp_typ = 7;
	build_at(&in, 0xE0000, &out);
	d = table(0xE0000 + out.dsdt, "DSDT");
	assert_int_equal(bios[d + 36 + 9], 7);
	assert_int_equal(bios[d + 36 + 11], 7);
}

static void test_too_small_refused(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out = { 0 };
	u64 size;
	u8 *b;

	(void)state;
	acpi_tables_pc_defaults(&in, 4);
	size = acpi_tables_size(&in);
	assert_true(size > 0);
	b = malloc(size);
	for (u64 len = 0; len < size; len += (len < 64 ? 1 : 37)) {
		memset(b, 0xA5, size);
		assert_int_equal(acpi_tables_build(&in, 0xE0000, b, len, &out), -VMM_ENOSPC);
		for (u64 i = 0; i < size; i++)
			assert_int_equal(b[i], 0xA5);		/* nothing written */
		assert_int_equal(out.size, 0);
	}
	assert_int_equal(acpi_tables_build(&in, 0xE0000, b, size - 1, &out), -VMM_ENOSPC);
	assert_int_equal(acpi_tables_build(&in, 0xE0000, b, size, &out), VMM_OK);
	assert_int_equal(out.size, size);
	free(b);
}

static void test_invalid_refused(void **state)
{
	struct acpi_tables_in in;
	struct acpi_tables_out out;

	(void)state;
	acpi_tables_pc_defaults(&in, 2);
	assert_int_equal(acpi_tables_build(&in, 0xE0008, bios, BIOS_SIZE, &out), -VMM_EINVALID);
	assert_int_equal(acpi_tables_build(&in, 0xFFFFFFF0ULL, bios, BIOS_SIZE, &out), -VMM_EINVALID);
	assert_int_equal(acpi_tables_build(&in, 1ULL << 32, bios, BIOS_SIZE, &out), -VMM_EINVALID);
	assert_int_equal(acpi_tables_build(&in, 0xE0000, NULL, BIOS_SIZE, &out), -VMM_EINVALID);

	acpi_tables_pc_defaults(&in, 0);
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, ACPI_GUEST_MAX_CPUS + 1);
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, ACPI_GUEST_MAX_CPUS);
	assert_true(acpi_tables_size(&in) > 0);

	acpi_tables_pc_defaults(&in, 2);
	in.apic_ids[1] = 0;					/* duplicate APIC id */
	assert_int_equal(acpi_tables_build(&in, 0xE0000, bios, BIOS_SIZE, &out), -VMM_EINVALID);
	acpi_tables_pc_defaults(&in, 2);
	in.ioapic_id = 1;					/* IO-APIC id of a CPU */
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.apic_ids[0] = 0xFF;					/* broadcast id */
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.isos[1].irq = 0;					/* IRQ0 twice */
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.isos[1].irq = 16;					/* not ISA */
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.isos[1].flags = 0x2;					/* reserved polarity */
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.nr_isos = ACPI_GUEST_MAX_ISOS + 1;
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.sci_irq = 16;
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.s5_slp_typ = 8;
	assert_int_equal(acpi_tables_size(&in), 0);
	acpi_tables_pc_defaults(&in, 2);
	in.pm_tmr_port = 0;
	assert_int_equal(acpi_tables_size(&in), 0);
	assert_int_equal(acpi_tables_size(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_found_and_checked),
		cmocka_unit_test(test_rsdt_xsdt_entries),
		cmocka_unit_test(test_madt_1_2_4_vcpus),
		cmocka_unit_test(test_fadt_fields),
		cmocka_unit_test(test_fadt_32bit_timer),
		cmocka_unit_test(test_fadt_no_reset_register),
		cmocka_unit_test(test_dsdt_s5),
		cmocka_unit_test(test_too_small_refused),
		cmocka_unit_test(test_invalid_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
