/*
 * tests/unit/test_ept_check.c - the EPT entry checker and the testept=
 * parser (arch/x86_64/vmx/ept_check.c): every EPT-misconfiguration rule of
 * SDM vol. 3C 29.3.3.1 at every level it applies to, the entries our EPT
 * builder makes (which must pass), bits the SDM leaves ignored, and the
 * option's syntax with its refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/vmx/ept_check.h"
#include "arch/x86_64/vmx/vmx_caps.h"
#include "kernel/error.h"

#define CAPS (EPT_CAP_2M | EPT_CAP_1G)	/* Bochs' Skylake-X: no execute-only */
#define PHYS 40				/* its MAXPHYADDR */
#define RWX 7ULL
#define WB (6ULL << 3)
#define UC 0ULL
#define PS (1ULL << 7)
#define ADDR 0x7E00000ULL		/* a 2 MiB-aligned host address */

static const char *chk(u64 e, int level)
{
	return ept_entry_check(e, level, CAPS, PHYS);
}

#define BAD(e, level, text) do { \
	const char *why_ = chk(e, level); \
	assert_non_null(why_); \
	assert_non_null(strstr(why_, text)); \
} while (0)

/* What ept.c builds: tables RWX, RAM RWX WB, ROM RX WB, devices RW UC. */
static void test_builder_entries_are_valid(void **state)
{
	(void)state;
	for (int l = EPT_LEVEL_PTE; l <= EPT_LEVEL_PML4E; l++)
		assert_null(chk(0, l));				/* not present */
	assert_null(chk(0x1E3000 | RWX, EPT_LEVEL_PML4E));
	assert_null(chk(0x1E6000 | RWX, EPT_LEVEL_PDPTE));
	assert_null(chk(0x1E7000 | RWX, EPT_LEVEL_PDE));
	assert_null(chk(ADDR | RWX | WB, EPT_LEVEL_PTE));
	assert_null(chk(ADDR | 5 | WB, EPT_LEVEL_PTE));	/* ROM */
	assert_null(chk(0xFEC00000 | 3 | UC, EPT_LEVEL_PTE));	/* device */
	assert_null(chk(ADDR | RWX | WB | PS, EPT_LEVEL_PDE));	/* 2 MiB */
	assert_null(chk(0x40000000 | RWX | WB | PS, EPT_LEVEL_PDPTE));	/* 1 GiB */
	assert_null(chk(ADDR | 1, EPT_LEVEL_PTE));		/* read-only UC */
}

/* Bits the SDM calls ignored, and valid memory types. */
static void test_ignored_bits_and_memtypes(void **state)
{
	static const u64 good_mt[] = { 0, 1, 4, 5, 6 };

	(void)state;
	assert_null(chk(ADDR | RWX | WB | (1ULL << 6), EPT_LEVEL_PTE));	/* ignore PAT */
	assert_null(chk(ADDR | RWX | WB | (0xFULL << 8), EPT_LEVEL_PTE));	/* A, D, 10, 11 */
	assert_null(chk(ADDR | RWX | WB | (0xFFFULL << 52), EPT_LEVEL_PTE));	/* 63:52 */
	assert_null(chk(0x1E3000 | RWX | (0xFFFULL << 52) | (7ULL << 8), EPT_LEVEL_PML4E));
	assert_null(chk(ADDR | RWX | WB | PS, EPT_LEVEL_PTE));		/* bit 7 of a PTE */
	for (size_t i = 0; i < sizeof(good_mt) / sizeof(good_mt[0]); i++) {
		assert_null(chk(ADDR | RWX | (good_mt[i] << 3), EPT_LEVEL_PTE));
		assert_null(chk(ADDR | RWX | (good_mt[i] << 3) | PS, EPT_LEVEL_PDE));
		assert_null(chk(0x40000000 | RWX | (good_mt[i] << 3) | PS, EPT_LEVEL_PDPTE));
	}
}

/* SDM 29.3.3.1: bits 2:0 = 010b or 110b, at every level. */
static void test_write_without_read(void **state)
{
	(void)state;
	for (int l = EPT_LEVEL_PTE; l <= EPT_LEVEL_PML4E; l++) {
		assert_string_equal(chk(ADDR | 2, l),
				    "write permission without read permission (bits 2:0 = 010b)");
		assert_string_equal(chk(ADDR | 6, l),
				    "write and execute permission without read permission (bits 2:0 = 110b)");
		/* checked before reserved bits: the first rule broken is named */
		BAD(ADDR | 2 | (1ULL << 45), l, "write permission without read");
	}
	BAD(ADDR | 2 | WB | PS, EPT_LEVEL_PDE, "without read permission");
}

/* bits 2:0 = 100b are fine only with IA32_VMX_EPT_VPID_CAP bit 0. */
static void test_execute_only(void **state)
{
	(void)state;
	for (int l = EPT_LEVEL_PTE; l <= EPT_LEVEL_PML4E; l++) {
		BAD(0x1E3000 | 4, l, "execute-only (bits 2:0 = 100b)");
		assert_null(ept_entry_check(0x1E3000 | 4 | (l == EPT_LEVEL_PTE ? WB : 0), l,
					    CAPS | EPT_CAP_XONLY, PHYS));
	}
}

/* Address bits from MAXPHYADDR up to 51 are reserved in every present entry. */
static void test_reserved_address_bits(void **state)
{
	(void)state;
	for (int l = EPT_LEVEL_PTE; l <= EPT_LEVEL_PML4E; l++) {
		u64 e = 0x1E3000 | RWX | (l == EPT_LEVEL_PTE ? WB : 0);

		BAD(e | (1ULL << PHYS), l, "physical-address bits 51:MAXPHYADDR");
		BAD(e | (1ULL << 51), l, "physical-address bits 51:MAXPHYADDR");
		assert_null(chk(e | (1ULL << (PHYS - 1)), l));
		assert_null(ept_entry_check(e | (1ULL << 51), l, CAPS, 52));
		assert_null(chk((e | (1ULL << 51)) & ~RWX, l));	/* not present */
	}
	assert_null(ept_entry_check(ADDR | RWX | WB | (1ULL << 45), EPT_LEVEL_PTE, CAPS, 46));
	BAD(ADDR | RWX | WB | (1ULL << 46), EPT_LEVEL_PTE, "51:MAXPHYADDR");
}

/* PML4E bits 7:3 and bits 6:3 of table-referencing PDPTE/PDE are reserved. */
static void test_reserved_bits_of_table_entries(void **state)
{
	(void)state;
	for (int b = 3; b <= 7; b++)
		BAD(0x1E3000 | RWX | (1ULL << b), EPT_LEVEL_PML4E, "reserved bits 7:3");
	for (int b = 3; b <= 6; b++) {
		BAD(0x1E6000 | RWX | (1ULL << b), EPT_LEVEL_PDPTE, "reserved bits 6:3");
		BAD(0x1E7000 | RWX | (1ULL << b), EPT_LEVEL_PDE, "reserved bits 6:3");
	}
	/* a memory type in a table entry is a reserved-bit error, not a type error */
	BAD(0x1E7000 | RWX | WB, EPT_LEVEL_PDE, "reserved bits 6:3");
}

/* Large pages: support from the capability MSR, the offset bits reserved. */
static void test_large_pages(void **state)
{
	(void)state;
	BAD(ADDR | RWX | WB | PS, EPT_LEVEL_PML4E, "reserved bits 7:3");
	assert_string_equal(ept_entry_check(0x40000000 | RWX | WB | PS, EPT_LEVEL_PDPTE, EPT_CAP_2M, PHYS),
			    "1 GiB page (bit 7) but this CPU has no 1 GiB EPT pages (reserved bit 7)");
	BAD(ADDR | RWX | WB | PS, EPT_LEVEL_PDPTE, "reserved bits 29:12");	/* 2M-aligned only */
	BAD(0x40000000 | RWX | WB | PS | (1ULL << 12), EPT_LEVEL_PDPTE, "reserved bits 29:12");
	assert_null(chk(0x40000000 | RWX | WB | PS | (1ULL << 30), EPT_LEVEL_PDPTE));
	assert_string_equal(ept_entry_check(ADDR | RWX | WB | PS, EPT_LEVEL_PDE, EPT_CAP_1G, PHYS),
			    "2 MiB page (bit 7) but this CPU has no 2 MiB EPT pages (reserved bit 7)");
	BAD(ADDR | RWX | WB | PS | 0x1000, EPT_LEVEL_PDE, "reserved bits 20:12");
	BAD(ADDR | RWX | WB | PS | (1ULL << 20), EPT_LEVEL_PDE, "reserved bits 20:12");
	assert_null(chk(ADDR | RWX | WB | PS | (1ULL << 21), EPT_LEVEL_PDE));
	assert_null(chk(ADDR | RWX | WB | 0x1000, EPT_LEVEL_PTE));	/* 4K: any frame */
}

/* Memory types 2, 3 and 7 are reserved in every entry that maps a page. */
static void test_reserved_memtypes(void **state)
{
	static const char *const want[8] = {
		[2] = "reserved memory type 2 (bits 5:3)",
		[3] = "reserved memory type 3 (bits 5:3)",
		[7] = "reserved memory type 7 (bits 5:3)",
	};

	(void)state;
	for (u64 mt = 2; mt < 8; mt++) {
		if (!want[mt])
			continue;
		assert_string_equal(chk(ADDR | RWX | (mt << 3), EPT_LEVEL_PTE), want[mt]);
		assert_string_equal(chk(ADDR | 5 | (mt << 3) | PS, EPT_LEVEL_PDE), want[mt]);
		assert_string_equal(chk(0x40000000 | 1 | (mt << 3) | PS, EPT_LEVEL_PDPTE), want[mt]);
	}
}

static void test_levels(void **state)
{
	(void)state;
	assert_string_equal(ept_level_name(EPT_LEVEL_PML4E), "PML4E");
	assert_string_equal(ept_level_name(EPT_LEVEL_PDPTE), "PDPTE");
	assert_string_equal(ept_level_name(EPT_LEVEL_PDE), "PDE");
	assert_string_equal(ept_level_name(EPT_LEVEL_PTE), "PTE");
	assert_string_equal(ept_level_name(4), "?");
	assert_string_equal(chk(ADDR | RWX, 4), "no such EPT level");
	assert_string_equal(chk(ADDR | RWX, -1), "no such EPT level");
	assert_true(ept_entry_is_leaf(ADDR | RWX, EPT_LEVEL_PTE));
	assert_true(ept_entry_is_leaf(ADDR | RWX | PS, EPT_LEVEL_PDE));
	assert_true(ept_entry_is_leaf(ADDR | RWX | PS, EPT_LEVEL_PDPTE));
	assert_false(ept_entry_is_leaf(ADDR | RWX, EPT_LEVEL_PDE));
	assert_false(ept_entry_is_leaf(ADDR | RWX | PS, EPT_LEVEL_PML4E));
}

/* testept= poisons: each kind breaks the rule it names, and only that. */
static void test_poison(void **state)
{
	u64 ram = ADDR | RWX | WB, big = ADDR | RWX | WB | PS;

	(void)state;
	assert_int_equal(ept_poison_entry(ram, EPT_POISON_WO), ADDR | 2 | WB);
	assert_int_equal(ept_poison_entry(ram, EPT_POISON_MEMTYPE), ADDR | RWX | (2ULL << 3));
	assert_int_equal(ept_poison_entry(ram, EPT_POISON_RSVD), ram | (1ULL << 51));
	assert_int_equal(ept_poison_entry(big, EPT_POISON_WO), ADDR | 2 | WB | PS);
	BAD(ept_poison_entry(ram, EPT_POISON_WO), EPT_LEVEL_PTE, "write permission without read");
	BAD(ept_poison_entry(ram, EPT_POISON_MEMTYPE), EPT_LEVEL_PTE, "reserved memory type 2");
	BAD(ept_poison_entry(ram, EPT_POISON_RSVD), EPT_LEVEL_PTE, "51:MAXPHYADDR");
	BAD(ept_poison_entry(big, EPT_POISON_MEMTYPE), EPT_LEVEL_PDE, "reserved memory type 2");
	/* with a 52-bit MAXPHYADDR there is no reserved address bit to set */
	assert_null(ept_entry_check(ept_poison_entry(ram, EPT_POISON_RSVD), EPT_LEVEL_PTE, CAPS, 52));
}

static void test_testopt_parse(void **state)
{
	struct ept_testopt o;
	const char *why;
	char name[80];

	(void)state;
	assert_int_equal(ept_testopt_parse("eptbad:0x180000", &o, &why), 0);
	assert_string_equal(o.guest, "eptbad");
	assert_int_equal(o.gpa, 0x180000);
	assert_int_equal(o.kind, EPT_POISON_WO);
	assert_null(why);
	assert_int_equal(ept_testopt_parse("g:180000", &o, &why), 0);
	assert_int_equal(o.gpa, 0x180000);
	assert_int_equal(ept_testopt_parse("g:0XaBc:memtype", &o, &why), 0);
	assert_int_equal(o.gpa, 0xABC);
	assert_int_equal(o.kind, EPT_POISON_MEMTYPE);
	assert_int_equal(ept_testopt_parse("g:1:rsvd", &o, &why), 0);
	assert_int_equal(o.kind, EPT_POISON_RSVD);
	assert_int_equal(ept_testopt_parse("g:1:wo", &o, &why), 0);
	assert_int_equal(o.kind, EPT_POISON_WO);
	assert_int_equal(ept_testopt_parse("g:ffffffffffffffff", &o, &why), 0);
	assert_int_equal(o.gpa, ~0ULL);

	memset(name, 'a', 63);
	strcpy(name + 63, ":1");
	assert_int_equal(ept_testopt_parse(name, &o, &why), 0);
	assert_int_equal(strlen(o.guest), 63);
}

static void test_testopt_refusals(void **state)
{
	static const struct { const char *val, *why; } bad[] = {
		{ "", "expected <guest>:<gpa hex>[:wo|memtype|rsvd]" },
		{ "eptbad", "expected <guest>:<gpa hex>[:wo|memtype|rsvd]" },
		{ ":0x1000", "no guest name before ':'" },
		{ "g:", "no GPA after the guest name" },
		{ "g:0x", "no GPA after the guest name" },
		{ "g::wo", "no GPA after the guest name" },
		{ "g:0x18000g", "the GPA is not a hexadecimal number" },
		{ "g:-1", "the GPA is not a hexadecimal number" },
		{ "g:0x1 ", "the GPA is not a hexadecimal number" },
		{ "g:10000000000000000", "the GPA does not fit in 64 bits" },
		{ "g:1:bogus", "unknown kind (wo memtype rsvd)" },
		{ "g:1:", "unknown kind (wo memtype rsvd)" },
		{ "g:1:wo:x", "unknown kind (wo memtype rsvd)" },
	};
	struct ept_testopt o;
	const char *why;
	char name[80];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&o, 0x5A, sizeof(o));
		assert_int_equal(ept_testopt_parse(bad[i].val, &o, &why), -VMM_EINVALID);
		assert_non_null(why);
		assert_string_equal(why, bad[i].why);
		assert_int_equal((u8)o.guest[0], 0x5A);		/* nothing written */
	}
	memset(name, 'a', 64);
	strcpy(name + 64, ":1");
	assert_int_equal(ept_testopt_parse(name, &o, &why), -VMM_EINVALID);
	assert_string_equal(why, "guest name too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_entries_are_valid),
		cmocka_unit_test(test_ignored_bits_and_memtypes),
		cmocka_unit_test(test_write_without_read),
		cmocka_unit_test(test_execute_only),
		cmocka_unit_test(test_reserved_address_bits),
		cmocka_unit_test(test_reserved_bits_of_table_entries),
		cmocka_unit_test(test_large_pages),
		cmocka_unit_test(test_reserved_memtypes),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_poison),
		cmocka_unit_test(test_testopt_parse),
		cmocka_unit_test(test_testopt_refusals),
	};

	return cmocka_run_group_tests_name("ept_check", tests, NULL, NULL);
}
