/*
 * tests/unit/test_acpi_parse.c - the host's ACPI table reading
 * (arch/x86_64/acpi_parse.c) on fake tables, and the APIC id reach
 * (arch/x86_64/apic_id.h):
 *  - MADT: LAPIC and x2APIC entries (ids above 255 kept with their full 32
 *    bits, an id listed in both kinds counted once, disabled ones and the
 *    x2APIC broadcast id left out, more than ACPI_MAX_CPUS counted as
 *    skipped), IO-APICs, the 64-bit LAPIC override, a truncated entry;
 *  - FADT: ACPI 1.0 length (no reset register, no X_ fields), the X_ PM1
 *    blocks when the 32-bit ones are 0, the reset register in I/O, memory
 *    and PCI configuration space, RESET_REG_SUP clear, HW_REDUCED_ACPI with
 *    the sleep control register, X_DSDT over DSDT;
 *  - \_S5 in AML: the encodings of its values, PkgLength of 1 and 2 bytes,
 *    the root prefix, a \_S5 method, none at all, a table cut short;
 *  - the guest ACPI builder's own tables (kernel/acpi_tables.c) read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/acpi_parse.h"
#include "arch/x86_64/apic_id.h"
#include "kernel/acpi_tables.h"
#include "kernel/error.h"

/* ---- a table under construction ---------------------------------------- */

struct tb {
	u8 b[2048];
	u32 len;
};

static void put(struct tb *t, u32 off, u64 v, u32 bytes)
{
	for (u32 i = 0; i < bytes; i++)
		t->b[off + i] = (u8)(v >> (8 * i));
	if (off + bytes > t->len)
		t->len = off + bytes;
}

static void add(struct tb *t, const u8 *bytes, u32 n)
{
	memcpy(t->b + t->len, bytes, n);
	t->len += n;
}

static void header(struct tb *t, const char *sig)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, sig, 4);
	t->len = ACPI_SDT_HEADER_BYTES;
}

/* ---- MADT ---------------------------------------------------------------- */

static void madt_start(struct tb *t, u32 lapic_base)
{
	header(t, "APIC");
	put(t, 36, lapic_base, 4);
	put(t, 40, 1, 4);	/* PCAT_COMPAT */
}

static void lapic(struct tb *t, u8 uid, u8 id, u32 flags)
{
	u8 e[8] = { 0, 8, uid, id };

	memcpy(e + 4, &flags, 4);
	add(t, e, 8);
}

static void x2apic(struct tb *t, u32 id, u32 flags, u32 uid)
{
	u8 e[16] = { 9, 16 };

	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &uid, 4);
	add(t, e, 16);
}

static void ioapic(struct tb *t, u8 id, u32 addr)
{
	u8 e[12] = { 1, 12, id, 0 };

	memcpy(e + 4, &addr, 4);
	add(t, e, 12);
}

static void test_madt_x2apic_ids(void **state)
{
	struct acpi_madt_info m = { 0 };
	struct acpi_tables_info ti = { 0 };
	struct tb t;

	(void)state;
	madt_start(&t, 0xFEE00000);
	lapic(&t, 0, 0, 1);
	lapic(&t, 1, 2, 1);
	lapic(&t, 2, 4, 0);		/* disabled */
	ioapic(&t, 8, 0xFEC00000);
	x2apic(&t, 2, 1, 1);		/* the same CPU as LAPIC id 2 */
	x2apic(&t, 255, 1, 3);
	x2apic(&t, 256, 1, 4);
	x2apic(&t, 0x12345, 1, 5);
	x2apic(&t, 0xFFFFFFFFu, 1, 6);	/* the broadcast id: never a CPU */
	x2apic(&t, 300, 0, 7);		/* disabled */
	ioapic(&t, 9, 0xFEC01000);
	acpi_parse_madt(t.b, t.len, &m, &ti);

	assert_true(m.valid);
	assert_int_equal(m.lapic_base, 0xFEE00000);
	assert_int_equal(m.nr_cpus, 5);
	assert_int_equal(m.apic_ids[0], 0);
	assert_int_equal(m.apic_ids[1], 2);
	assert_int_equal(m.apic_ids[2], 255);
	assert_int_equal(m.apic_ids[3], 256);
	assert_int_equal(m.apic_ids[4], 0x12345);
	assert_int_equal(m.nr_x2apic, 3);
	assert_int_equal(m.nr_skipped, 1);
	assert_int_equal(ti.nr_ioapics, 2);
	assert_int_equal(ti.ioapic_base[0], 0xFEC00000);
	assert_int_equal(ti.ioapic_base[1], 0xFEC01000);
}

static void test_madt_too_many_and_override(void **state)
{
	struct acpi_madt_info m = { 0 };
	struct tb t;
	u8 ovr[12] = { 5, 12, 0, 0 };
	u64 base = 0x1FEE00000ULL;

	(void)state;
	madt_start(&t, 0xFEE00000);
	for (u32 i = 0; i < ACPI_MAX_CPUS + 3; i++)
		x2apic(&t, 1000 + i, 1, i);
	memcpy(ovr + 4, &base, 8);
	add(&t, ovr, 12);
	acpi_parse_madt(t.b, t.len, &m, NULL);
	assert_int_equal(m.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(m.nr_skipped, 3);
	assert_int_equal(m.lapic_base, base);
}

static void test_madt_truncated(void **state)
{
	struct acpi_madt_info m = { 0 };
	struct tb t;

	(void)state;
	madt_start(&t, 0xFEE00000);
	lapic(&t, 0, 1, 1);
	x2apic(&t, 400, 1, 1);
	/* the x2APIC entry runs past the table's end: not read */
	acpi_parse_madt(t.b, t.len - 1, &m, NULL);
	assert_int_equal(m.nr_cpus, 1);
	assert_int_equal(m.apic_ids[0], 1);
	/* an entry of length 0 stops the walk instead of looping */
	madt_start(&t, 0xFEE00000);
	add(&t, (const u8[]){ 0, 0, 0, 0, 0, 0, 0, 0 }, 8);
	lapic(&t, 0, 3, 1);
	memset(&m, 0, sizeof(m));
	acpi_parse_madt(t.b, t.len, &m, NULL);
	assert_int_equal(m.nr_cpus, 0);
	assert_false(m.valid);
	/* no room even for the LAPIC address */
	memset(&m, 0, sizeof(m));
	acpi_parse_madt(t.b, 40, &m, NULL);
	assert_false(m.valid);
}

/* ---- APIC id reach -------------------------------------------------------- */

static void test_apic_id_reach(void **state)
{
	(void)state;
	assert_true(apic_id_addressable(0, false));
	assert_true(apic_id_addressable(254, false));
	assert_false(apic_id_addressable(255, false));	/* xAPIC broadcast */
	assert_false(apic_id_addressable(256, false));
	assert_true(apic_id_addressable(255, true));
	assert_true(apic_id_addressable(0x12345, true));
	assert_false(apic_id_addressable(0xFFFFFFFFu, true));
	assert_true(apic_id_ioapic_reachable(0));
	assert_true(apic_id_ioapic_reachable(254));
	assert_false(apic_id_ioapic_reachable(255));
	assert_false(apic_id_ioapic_reachable(256));
	assert_false(apic_id_ioapic_reachable(0x100));	/* not truncated to 0 */
}

/* ---- FADT ------------------------------------------------------------------ */

static void gas(struct tb *t, u32 off, u8 space, u8 width, u64 addr)
{
	put(t, off, space, 1);
	put(t, off + 1, width, 1);
	put(t, off + 4, addr, 8);
}

static void test_fadt_acpi1(void **state)
{
	struct acpi_power_info p = { 0 };
	struct tb t;

	(void)state;
	header(&t, "FACP");
	put(&t, 40, 0x7FE0000, 4);	/* DSDT */
	put(&t, 48, 0xB2, 4);		/* SMI_CMD */
	put(&t, 52, 0xF1, 1);		/* ACPI_ENABLE */
	put(&t, 64, 0x404, 4);		/* PM1a_CNT */
	put(&t, 76, 0x408, 4);		/* PM_TMR */
	put(&t, 112, ACPI_FADT_F_RESET_REG_SUP, 4);	/* set, but the table ends first */
	t.len = 116;
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &p), 0x7FE0000);
	assert_true(p.valid);
	assert_int_equal(p.pm1a_cnt, 0x404);
	assert_int_equal(p.pm1b_cnt, 0);
	assert_int_equal(p.pm_timer, 0x408);
	assert_int_equal(p.smi_cmd, 0xB2);
	assert_int_equal(p.acpi_enable, 0xF1);
	assert_false(p.hw_reduced);
	assert_false(p.reset_sup);
	assert_false(p.reset_valid);
}

static void fadt6(struct tb *t)
{
	header(t, "FACP");
	put(t, 8, 6, 1);
	t->len = 276;
	put(t, 40, 0x7FE0000, 4);
	put(t, 140, 0x17FE0000ULL, 8);	/* X_DSDT wins */
}

/* IAPC_BOOT_ARCH bit 1 ("8042"): read from FADT revision 3 on (i8042.c) */
static void test_fadt_boot_arch(void **state)
{
	struct acpi_power_info p = { 0 };
	struct tb t;

	(void)state;
	fadt6(&t);
	put(&t, 109, 0x0003, 2);	/* LEGACY_DEVICES | 8042 */
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.boot_arch_valid);
	assert_int_equal(p.boot_arch, 0x0003);

	put(&t, 109, 0x0001, 2);	/* no 8042 */
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.boot_arch_valid);
	assert_int_equal(p.boot_arch & 0x0002, 0);

	/* revision 1/2 (ACPI 1.0): the field is reserved, not read */
	put(&t, 8, 2, 1);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_false(p.boot_arch_valid);

	/* a revision-3 table cut before the field */
	put(&t, 8, 3, 1);
	t.len = 110;
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_false(p.boot_arch_valid);
}

static void test_fadt_x_blocks_and_reset(void **state)
{
	struct acpi_power_info p = { 0 };
	struct tb t;

	(void)state;
	fadt6(&t);
	gas(&t, 172, ACPI_GAS_IO, 16, 0x1804);	/* X_PM1a_CNT only */
	gas(&t, 184, ACPI_GAS_IO, 16, 0x1904);	/* X_PM1b_CNT only */
	put(&t, 112, ACPI_FADT_F_RESET_REG_SUP, 4);
	gas(&t, 116, ACPI_GAS_IO, 8, 0xCF9);
	put(&t, 128, 0x06, 1);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &p), 0x17FE0000ULL);
	assert_int_equal(p.pm1a_cnt, 0x1804);
	assert_int_equal(p.pm1b_cnt, 0x1904);
	assert_true(p.reset_sup);
	assert_true(p.reset_valid);
	assert_int_equal(p.reset_space, ACPI_GAS_IO);
	assert_int_equal(p.reset_addr, 0xCF9);
	assert_int_equal(p.reset_value, 0x06);

	/* the 32-bit field wins over X_ when both are given */
	put(&t, 64, 0x404, 4);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_int_equal(p.pm1a_cnt, 0x404);

	/* a memory X_PM1a block is not a port */
	put(&t, 64, 0, 4);
	gas(&t, 172, ACPI_GAS_MEMORY, 16, 0xFED01004);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_int_equal(p.pm1a_cnt, 0);

	/* reset register in PCI configuration space: device 0x1f, function 0, offset 0xac */
	gas(&t, 116, ACPI_GAS_PCI_CONFIG, 8, (0x1FULL << 32) | (0ULL << 16) | 0xAC);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.reset_valid);
	assert_int_equal(p.reset_space, ACPI_GAS_PCI_CONFIG);
	assert_int_equal(p.reset_addr >> 32, 0x1F);
	assert_int_equal(p.reset_addr & 0xFFFF, 0xAC);

	/* in memory */
	gas(&t, 116, ACPI_GAS_MEMORY, 8, 0xFED00080);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.reset_valid);
	assert_int_equal(p.reset_space, ACPI_GAS_MEMORY);

	/* an address space the hypervisor cannot write (SMBus = 4), or address 0 */
	gas(&t, 116, 4, 8, 0x10);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.reset_sup);
	assert_false(p.reset_valid);
	gas(&t, 116, ACPI_GAS_IO, 8, 0);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_false(p.reset_valid);

	/* RESET_REG_SUP clear: the register is ignored */
	gas(&t, 116, ACPI_GAS_IO, 8, 0xCF9);
	put(&t, 112, 0, 4);
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_false(p.reset_sup);
	assert_false(p.reset_valid);
}

static void test_fadt_hw_reduced(void **state)
{
	struct acpi_power_info p = { 0 };
	struct tb t;

	(void)state;
	fadt6(&t);
	put(&t, 112, ACPI_FADT_F_HW_REDUCED | ACPI_FADT_F_RESET_REG_SUP, 4);
	gas(&t, 116, ACPI_GAS_MEMORY, 8, 0xFED00100);
	put(&t, 128, 0x0E, 1);
	gas(&t, 244, ACPI_GAS_MEMORY, 8, 0xFED00104);	/* SLEEP_CONTROL_REG */
	gas(&t, 256, ACPI_GAS_MEMORY, 8, 0xFED00105);	/* SLEEP_STATUS_REG */
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.hw_reduced);
	assert_int_equal(p.pm1a_cnt, 0);
	assert_int_equal(p.pm_timer, 0);
	assert_int_equal(p.sleep_control.space, ACPI_GAS_MEMORY);
	assert_int_equal(p.sleep_control.addr, 0xFED00104);
	assert_int_equal(p.sleep_control.bit_width, 8);
	assert_true(p.reset_valid);
	assert_int_equal(p.reset_value, 0x0E);

	/* an ACPI 5.0 table shorter than the sleep registers: none */
	t.len = 244;
	memset(&p, 0, sizeof(p));
	acpi_parse_fadt(t.b, t.len, &p);
	assert_true(p.hw_reduced);
	assert_int_equal(p.sleep_control.addr, 0);
}

/* ---- \_S5 ---------------------------------------------------------------- */

static int s5(const u8 *aml, u32 len, u8 *a, u8 *b)
{
	*a = *b = 0xEE;
	return acpi_find_s5(aml, len, a, b);
}

static void test_s5_encodings(void **state)
{
	u8 a, b;
	/* Name(\_S5_, Package(){0x07, 0x07, Zero, Zero}) inside some other AML */
	static const u8 byte_prefix[] = { 0x10, 0x05, '\\', 0x08, 0x5C, '_', 'S', '5', '_',
					  0x12, 0x08, 0x04, 0x0A, 0x07, 0x0A, 0x07, 0x00, 0x00 };
	/* Name(_S5_, Package(){Zero, Zero}) */
	static const u8 zeros[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00 };
	/* Name(_S5_, Package(){One, Ones}), the values' low three bits */
	static const u8 one_ones[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0xFF };
	/* a two-byte PkgLength, WordPrefix and DWordPrefix values */
	static const u8 word[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x4B, 0x00, 0x02,
				   0x0B, 0x05, 0x00, 0x0C, 0x06, 0x00, 0x00, 0x00 };
	/* one element only: SLP_TYPb 0 */
	static const u8 one_elem[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0A, 0x05 };

	(void)state;
	assert_int_equal(s5(byte_prefix, sizeof(byte_prefix), &a, &b), ACPI_S5_FOUND);
	assert_int_equal(a, 7);
	assert_int_equal(b, 7);
	assert_int_equal(s5(zeros, sizeof(zeros), &a, &b), ACPI_S5_FOUND);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_int_equal(s5(one_ones, sizeof(one_ones), &a, &b), ACPI_S5_FOUND);
	assert_int_equal(a, 1);
	assert_int_equal(b, 7);
	assert_int_equal(s5(word, sizeof(word), &a, &b), ACPI_S5_FOUND);
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);
	assert_int_equal(s5(one_elem, sizeof(one_elem), &a, &b), ACPI_S5_FOUND);
	assert_int_equal(a, 5);
	assert_int_equal(b, 0);
}

static void test_s5_absent_or_odd(void **state)
{
	u8 a, b;
	/* Method(_S5_, 0) { ... }: not a package */
	static const u8 method[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xA4, 0x00 };
	/* Name(_S3_, ...) only */
	static const u8 s3[] = { 0x08, '_', 'S', '3', '_', 0x12, 0x04, 0x02, 0x0A, 0x05 };
	/* cut short inside the package */
	static const u8 cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A };
	/* Name(_S5_, "string") */
	static const u8 str[] = { 0x08, '_', 'S', '5', '_', 0x0D, 'x', 0x00 };

	(void)state;
	assert_int_equal(s5(method, sizeof(method), &a, &b), ACPI_S5_NOT_PACKAGE);
	assert_int_equal(s5(s3, sizeof(s3), &a, &b), ACPI_S5_ABSENT);
	assert_int_equal(s5(cut, sizeof(cut), &a, &b), ACPI_S5_NOT_PACKAGE);
	assert_int_equal(s5(str, sizeof(str), &a, &b), ACPI_S5_NOT_PACKAGE);
	assert_int_equal(a, 0xEE);	/* nothing written unless found */
	assert_int_equal(s5(s3, 0, &a, &b), ACPI_S5_ABSENT);
	/* the name at the very end: no room for the package */
	assert_int_equal(s5(method + 1, 5, &a, &b), ACPI_S5_NOT_PACKAGE);
}

/* ---- the guest builder's tables read back --------------------------------- */

static void test_guest_tables_read_back(void **state)
{
	static u8 block[4096];
	struct acpi_tables_in in;
	struct acpi_tables_out out;
	struct acpi_power_info p = { 0 };
	struct acpi_madt_info m = { 0 };
	struct acpi_tables_info ti = { 0 };
	u32 len;
	u64 dsdt;
	u8 a, b;

	(void)state;
	acpi_tables_pc_defaults(&in, 3);
	assert_int_equal(acpi_tables_build(&in, 0xE0000, block, sizeof(block), &out), VMM_OK);

	memcpy(&len, block + out.madt + 4, 4);
	acpi_parse_madt(block + out.madt, len, &m, &ti);
	assert_int_equal(m.nr_cpus, 3);
	assert_int_equal(m.apic_ids[2], 2);
	assert_int_equal(ti.nr_ioapics, 1);
	assert_int_equal(ti.ioapic_base[0], 0xFEC00000);

	memcpy(&len, block + out.fadt + 4, 4);
	dsdt = acpi_parse_fadt(block + out.fadt, len, &p);
	assert_int_equal(dsdt, 0xE0000 + out.dsdt);
	assert_int_equal(p.pm1a_cnt, 0x604);
	assert_int_equal(p.pm_timer, 0x608);
	assert_true(p.reset_valid);
	assert_int_equal(p.reset_addr, 0xCF9);
	assert_int_equal(p.reset_value, 0x06);

	memcpy(&len, block + out.dsdt + 4, 4);
	assert_int_equal(acpi_find_s5(block + out.dsdt + 36, len - 36, &a, &b), ACPI_S5_FOUND);
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
}

static void test_gas_names(void **state)
{
	(void)state;
	assert_string_equal(acpi_gas_space_name(ACPI_GAS_IO), "I/O port");
	assert_string_equal(acpi_gas_space_name(ACPI_GAS_MEMORY), "memory");
	assert_string_equal(acpi_gas_space_name(ACPI_GAS_PCI_CONFIG), "PCI configuration space");
	assert_string_equal(acpi_gas_space_name(0x7F), "unsupported address space");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madt_x2apic_ids),
		cmocka_unit_test(test_madt_too_many_and_override),
		cmocka_unit_test(test_madt_truncated),
		cmocka_unit_test(test_apic_id_reach),
		cmocka_unit_test(test_fadt_acpi1),
		cmocka_unit_test(test_fadt_x_blocks_and_reset),
		cmocka_unit_test(test_fadt_boot_arch),
		cmocka_unit_test(test_fadt_hw_reduced),
		cmocka_unit_test(test_s5_encodings),
		cmocka_unit_test(test_s5_absent_or_odd),
		cmocka_unit_test(test_guest_tables_read_back),
		cmocka_unit_test(test_gas_names),
	};

	return cmocka_run_group_tests_name("acpi_parse", tests, NULL, NULL);
}
