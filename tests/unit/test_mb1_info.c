/*
 * tests/unit/test_mb1_info.c - the Multiboot v1 boot information block
 * (kernel/mb1_info.c): flags, mem_lower/mem_upper from the RAM regions,
 * the memory map sorted with RAM available and the rest reserved, the
 * module list and strings, every pointer a guest address inside the block;
 * too small a buffer and blocks crossing 4 GiB refused.
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
#include "kernel/mb1_info.h"
#include "kernel/error.h"

static u32 r32(const u8 *b, u64 off) { u32 v; memcpy(&v, b + off, 4); return v; }
static u64 r64(const u8 *b, u64 off) { u64 v; memcpy(&v, b + off, 8); return v; }

/* the PC guest of dts/guests/pc-guest.dtsi with 4 MiB, regions in DTS order */
static const struct mb1_mem pc_mem[] = {
	{ 0x0, 0xA0000, MB1_MEM_AVAILABLE },
	{ 0x100000, 0x300000, MB1_MEM_AVAILABLE },
	{ 0xF0000, 0x10000, MB1_MEM_RESERVED },
	{ 0xB8000, 0x8000, MB1_MEM_RESERVED },
};

#define GPA 0x105000ULL

static void test_full_block(void **state)
{
	const struct mb1_mod mods[] = {
		{ 0x104000, 0x104010, "mod1.bin one" },
		{ 0x105000, 0x105003, "mod2.bin" },
	};
	struct mb1_info_in in = { pc_mem, 4, mods, 2, "mbtest.elf a=1 b", "xvisor-x86" };
	u64 size = mb1_info_size(&in);
	u8 *b = malloc(size);
	u64 mmap, mods_at;

	(void)state;
	assert_int_equal(size, 88 + 4 * 24 + 2 * 16 + 13 + 9 + 17 + 11);
	assert_int_equal(mb1_info_build(&in, GPA, b, size), VMM_OK);
	assert_int_equal(r32(b, MB1_OFF_FLAGS), MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
					       MB1_INFO_MMAP | MB1_INFO_LOADER_NAME);
	assert_int_equal(r32(b, MB1_OFF_MEM_LOWER), 640);
	assert_int_equal(r32(b, MB1_OFF_MEM_UPPER), 3 * 1024);
	assert_int_equal(r32(b, MB1_OFF_MMAP_LENGTH), 4 * 24);
	mmap = r32(b, MB1_OFF_MMAP_ADDR) - GPA;
	assert_int_equal(mmap, 88);
	/* sorted: 0 (RAM), 0xB8000 (VGA), 0xF0000 (ROM), 1 MiB (RAM) */
	assert_int_equal(r32(b, mmap), 20);
	assert_int_equal(r64(b, mmap + 4), 0);
	assert_int_equal(r64(b, mmap + 12), 0xA0000);
	assert_int_equal(r32(b, mmap + 20), 1);
	assert_int_equal(r64(b, mmap + 24 + 4), 0xB8000);
	assert_int_equal(r32(b, mmap + 24 + 20), 2);
	assert_int_equal(r64(b, mmap + 48 + 4), 0xF0000);
	assert_int_equal(r32(b, mmap + 48 + 20), 2);
	assert_int_equal(r64(b, mmap + 72 + 4), 0x100000);
	assert_int_equal(r64(b, mmap + 72 + 12), 0x300000);
	assert_int_equal(r32(b, mmap + 72 + 20), 1);
	assert_int_equal(r32(b, MB1_OFF_MODS_COUNT), 2);
	mods_at = r32(b, MB1_OFF_MODS_ADDR) - GPA;
	assert_int_equal(r32(b, mods_at), 0x104000);
	assert_int_equal(r32(b, mods_at + 4), 0x104010);
	assert_string_equal((char *)b + r32(b, mods_at + 8) - GPA, "mod1.bin one");
	assert_int_equal(r32(b, mods_at + 16 + 4), 0x105003);
	assert_string_equal((char *)b + r32(b, mods_at + 16 + 8) - GPA, "mod2.bin");
	assert_string_equal((char *)b + r32(b, MB1_OFF_CMDLINE) - GPA, "mbtest.elf a=1 b");
	assert_string_equal((char *)b + r32(b, MB1_OFF_LOADER_NAME) - GPA, "xvisor-x86");
	assert_int_equal(r32(b, 12), 0);	/* no boot_device */
	free(b);
}

/* No modules, no strings: only memory; RAM from 1 MiB split in two touching regions. */
static void test_minimal(void **state)
{
	const struct mb1_mem mem[] = {
		{ 0x200000, 0x100000, MB1_MEM_AVAILABLE },
		{ 0x100000, 0x100000, MB1_MEM_AVAILABLE },
		{ 0x0, 0x9F000, MB1_MEM_AVAILABLE },
	};
	struct mb1_info_in in = { mem, 3, NULL, 0, NULL, NULL };
	u8 b[88 + 3 * 24];

	(void)state;
	assert_int_equal(mb1_info_size(&in), sizeof(b));
	assert_int_equal(mb1_info_build(&in, 0x1000, b, sizeof(b)), VMM_OK);
	assert_int_equal(r32(b, MB1_OFF_FLAGS), MB1_INFO_MEMORY | MB1_INFO_MMAP);
	assert_int_equal(r32(b, MB1_OFF_MEM_LOWER), 0x9F000 / 1024);
	assert_int_equal(r32(b, MB1_OFF_MEM_UPPER), 2048);
	assert_int_equal(r32(b, MB1_OFF_MODS_COUNT), 0);
	assert_int_equal(r32(b, MB1_OFF_CMDLINE), 0);
}

/* No RAM at 0 or 1 MiB: zero KiB; and the refusals. */
static void test_refusals(void **state)
{
	const struct mb1_mem mem[] = { { 0x400000, 0x100000, MB1_MEM_AVAILABLE } };
	struct mb1_info_in in = { mem, 1, NULL, 0, "x", NULL };
	u8 b[256];

	(void)state;
	assert_int_equal(mb1_info_build(&in, 0x1000, b, sizeof(b)), VMM_OK);
	assert_int_equal(r32(b, MB1_OFF_MEM_LOWER), 0);
	assert_int_equal(r32(b, MB1_OFF_MEM_UPPER), 0);
	assert_int_equal(mb1_info_build(&in, 0x1000, b, mb1_info_size(&in) - 1), -VMM_EINVALID);
	assert_int_equal(mb1_info_build(&in, 0xFFFFFFC0ULL, b, sizeof(b)), -VMM_EINVALID);
	assert_int_equal(mb1_info_build(&in, 1ULL << 32, b, sizeof(b)), -VMM_EINVALID);
	in.nr_mem = 65;		/* more regions than the builder sorts */
	assert_int_equal(mb1_info_size(&in), 0);
	assert_int_equal(mb1_info_build(&in, 0x1000, b, sizeof(b)), -VMM_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_block),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
