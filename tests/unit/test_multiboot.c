/*
 * tests/unit/test_multiboot.c - the Multiboot2 and Multiboot(1) parsers
 * (kernel/multiboot.c). Information blocks are built by hand in buffers;
 * each parse runs on an exactly-sized heap copy so that AddressSanitizer
 * catches any read past the block. Malformed items must be refused one by
 * one with a message that names the tag type and offset.
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
#include "kernel/multiboot.h"
#include "kernel/error.h"

/* ---- Multiboot2 block builder ---- */

#define MB2_CAP (64 * 1024)

static u8 *mb;			/* block under construction */
static size_t mb_len;
static u8 *parsed;		/* the exact-size copy handed to the parser */
static struct vmm_boot_info *bi;

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static void mb2_start(void)
{
	memset(mb, 0, MB2_CAP);
	mb_len = 8;
}

/* A tag whose size field says 'size' and whose payload is 'plen' bytes. */
static size_t mb2_raw_tag(u32 type, u32 size, const void *payload, size_t plen)
{
	size_t off = mb_len;

	assert_true(off + 8 + plen + 8 <= MB2_CAP);
	put32(mb + off, type);
	put32(mb + off + 4, size);
	if (plen)
		memcpy(mb + off + 8, payload, plen);
	mb_len = off + ALIGN_UP(8 + plen, (size_t)8);
	return off;
}

static size_t mb2_tag(u32 type, const void *payload, size_t plen)
{
	return mb2_raw_tag(type, (u32)(8 + plen), payload, plen);
}

/* A string tag (command line 1, loader name 2), NUL included. */
static size_t mb2_str(u32 type, const char *s)
{
	return mb2_tag(type, s, strlen(s) + 1);
}

static size_t mb2_module(u32 start, u32 end, const char *name)
{
	u8 p[512];
	size_t n = strlen(name) + 1;

	assert_true(8 + n <= sizeof(p));
	put32(p, start);
	put32(p + 4, end);
	memcpy(p + 8, name, n);
	return mb2_tag(3, p, 8 + n);
}

struct e820 {
	u64 base, length;
	u32 type;
};

/* Memory map tag with the given entry size and 'extra' trailing bytes. */
static size_t mb2_mmap_sized(u32 entry_size, const struct e820 *e, size_t n, size_t extra)
{
	static u8 p[16384];
	size_t len = 8 + n * entry_size + extra;

	assert_true(len <= sizeof(p));
	memset(p, 0, sizeof(p));
	put32(p, entry_size);
	put32(p + 4, 0);		/* entry_version */
	for (size_t i = 0; i < n; i++) {
		u8 *q = p + 8 + i * entry_size;

		put64(q, e[i].base);
		put64(q + 8, e[i].length);
		if (entry_size >= 20)
			put32(q + 16, e[i].type);
	}
	return mb2_tag(6, p, len);
}

static size_t mb2_mmap(const struct e820 *e, size_t n)
{
	return mb2_mmap_sized(24, e, n, 0);
}

/* An ACPI tag (14 old, 15 new) with an RSDP copy of 'len' bytes. */
static size_t mb2_rsdp(u32 type, const char *sig, size_t len, u8 fill)
{
	u8 p[64];

	assert_true(len <= sizeof(p));
	memset(p, fill, sizeof(p));
	memcpy(p, sig, MIN(strlen(sig), len));
	return mb2_tag(type, p, len);
}

static size_t mb2_end(void)
{
	return mb2_raw_tag(0, 8, NULL, 0);
}

/* Write total_size = the built length. */
static void mb2_finish(void)
{
	put32(mb, (u32)mb_len);
}

/* Parse a copy of exactly 'avail' bytes with the given limit. */
static int mb2_parse_limited(size_t avail, size_t limit)
{
	free(parsed);
	parsed = malloc(avail ? avail : 1);
	assert_non_null(parsed);
	memcpy(parsed, mb, MIN(avail, (size_t)MB2_CAP));
	fake_console_reset();
	return vmm_multiboot2_parse(parsed, limit, bi);
}

static int mb2_parse(void)
{
	return mb2_parse_limited(mb_len, mb_len);
}

static const struct e820 small_map[] = {
	{ 0, 0x9fc00, VMM_MEM_USABLE },
	{ 1 * MiB, 127 * MiB, VMM_MEM_USABLE },
};

/* A minimal valid block with a map, then whatever 'extra' adds, then end. */
#define MB2_WITH_MAP(extra) do { mb2_start(); mb2_mmap(small_map, 2); extra; mb2_end(); mb2_finish(); } while (0)

/* The console shows the per-tag problem message for (type, offset). */
static void assert_tag_problem(u32 type, size_t off, const char *what)
{
	char want[256];

	snprintf(want, sizeof(want), "multiboot2: tag type %u at offset 0x%zx: %s; tag ignored",
		 type, off, what);
	if (!fake_console_contains(want))
		fail_msg("expected \"%s\" on the console, got:\n%s", want, fake_console_text());
}

static void assert_console(const char *want)
{
	if (!fake_console_contains(want))
		fail_msg("expected \"%s\" on the console, got:\n%s", want, fake_console_text());
}

static int setup(void **state)
{
	(void)state;
	mb = aligned_alloc(8, MB2_CAP);
	bi = malloc(sizeof(*bi));
	if (!mb || !bi)
		return -1;
	memset(bi, 0xAB, sizeof(*bi));	/* the parser must clear it */
	parsed = NULL;
	fake_arch_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mb);
	free(bi);
	free(parsed);
	parsed = NULL;
	return 0;
}

/* ---- Multiboot2: a good block ---- */

static void test_mb2_good_block(void **state)
{
	static const struct e820 map[] = {
		{ 0, 0x9fc00, VMM_MEM_USABLE },
		{ 0x9fc00, 0x400, VMM_MEM_RESERVED },
		{ 0xf0000, 0x10000, VMM_MEM_RESERVED },
		{ 1 * MiB, 126 * MiB, VMM_MEM_USABLE },
		{ 127 * MiB, 512 * KiB, VMM_MEM_ACPI_RECLAIM },
		{ 127 * MiB + 512 * KiB, 512 * KiB, VMM_MEM_ACPI_NVS },
		{ 200 * MiB, 4 * KiB, VMM_MEM_BAD },
		{ 0xfffc0000, 0x40000, 7 },		/* unknown type: kept as reserved */
		{ 300 * MiB, 0, VMM_MEM_USABLE },	/* empty: dropped */
		{ 4 * GiB, 1 * GiB, VMM_MEM_USABLE },
	};
	u8 basic[16] = { 0 };
	size_t new_off;

	(void)state;
	mb2_start();
	mb2_str(1, "loglevel=7 bootcmd=\"echo hi\"");
	mb2_str(2, "GRUB 2.06-13+deb12u1");
	mb2_tag(4, basic, sizeof(basic));		/* basic meminfo: not used */
	mb2_tag(5, basic, 12);				/* boot device: not used */
	mb2_mmap(map, ARRAY_SIZE(map));
	mb2_module(0x200000, 0x201234, "guest0.dtb");
	mb2_module(0x300000, 0x700000, "bzImage console=ttyS0");
	mb2_rsdp(14, "RSD PTR ", 20, 0x11);
	new_off = mb2_rsdp(15, "RSD PTR ", 36, 0x22);
	mb2_tag(21, basic, 4);				/* load base address: not used */
	mb2_end();
	mb2_finish();

	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(fake_console_len(), 0);	/* not a single complaint */
	assert_int_equal(bi->nr_problems, 0);
	assert_int_equal(bi->protocol, 2);
	assert_int_equal(bi->info_start, (uintptr_t)parsed);
	assert_int_equal(bi->info_end, (uintptr_t)parsed + mb_len);
	assert_string_equal(bi->cmdline, "loglevel=7 bootcmd=\"echo hi\"");
	assert_string_equal(bi->loader, "GRUB 2.06-13+deb12u1");

	assert_int_equal(bi->nr_mem, ARRAY_SIZE(map) - 1);
	for (u32 i = 0, j = 0; i < ARRAY_SIZE(map); i++) {
		if (!map[i].length)
			continue;
		assert_int_equal(bi->mem[j].base, map[i].base);
		assert_int_equal(bi->mem[j].length, map[i].length);
		assert_int_equal(bi->mem[j].type, map[i].type == 7 ? VMM_MEM_RESERVED : map[i].type);
		j++;
	}
	assert_int_equal(vmm_boot_usable_bytes(bi), 0x9fc00 + 126 * MiB + 1 * GiB);

	assert_int_equal(bi->nr_modules, 2);
	assert_int_equal(bi->modules[0].start, 0x200000);
	assert_int_equal(bi->modules[0].end, 0x201234);
	assert_string_equal(bi->modules[0].name, "guest0.dtb");
	assert_int_equal(bi->modules[1].start, 0x300000);
	assert_int_equal(bi->modules[1].end, 0x700000);
	assert_string_equal(bi->modules[1].name, "bzImage console=ttyS0");

	/* the ACPI 2.0 copy wins, and points into the block */
	assert_int_equal(bi->rsdp_version, 2);
	assert_int_equal(bi->rsdp_len, 36);
	assert_int_equal(bi->rsdp_addr, (uintptr_t)parsed + new_off + 8);
	assert_memory_equal((void *)(uintptr_t)bi->rsdp_addr, "RSD PTR ", 8);
}

static void test_mb2_acpi_copies(void **state)
{
	size_t off;

	(void)state;
	/* only the old copy */
	MB2_WITH_MAP(off = mb2_rsdp(14, "RSD PTR ", 20, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_version, 1);
	assert_int_equal(bi->rsdp_len, 20);
	assert_int_equal(bi->rsdp_addr, (uintptr_t)parsed + off + 8);
	/* new before old: the new one is kept */
	MB2_WITH_MAP(off = mb2_rsdp(15, "RSD PTR ", 36, 0); mb2_rsdp(14, "RSD PTR ", 20, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_version, 2);
	assert_int_equal(bi->rsdp_addr, (uintptr_t)parsed + off + 8);
	/* none at all */
	MB2_WITH_MAP();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_addr, 0);
	assert_int_equal(bi->rsdp_len, 0);
}

static void test_mb2_acpi_malformed(void **state)
{
	size_t off, off2;

	(void)state;
	MB2_WITH_MAP(off = mb2_rsdp(14, "RSD PTX ", 20, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_addr, 0);
	assert_int_equal(bi->nr_problems, 1);
	assert_tag_problem(14, off, "ACPI RSDP signature missing");

	MB2_WITH_MAP(off = mb2_rsdp(14, "RSD PTR ", 19, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_addr, 0);
	assert_tag_problem(14, off, "ACPI RSDP copy too short");

	/* an ACPI 2.0 tag holding only a 1.0-sized copy */
	MB2_WITH_MAP(off = mb2_rsdp(15, "RSD PTR ", 20, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_addr, 0);
	assert_tag_problem(15, off, "ACPI RSDP copy too short");

	/* an empty ACPI tag */
	MB2_WITH_MAP(off = mb2_tag(15, NULL, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(15, off, "ACPI RSDP copy too short");

	/* a bad new copy does not hide a good old one */
	MB2_WITH_MAP(off = mb2_rsdp(14, "RSD PTR ", 20, 0); off2 = mb2_rsdp(15, "XSDT", 36, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->rsdp_version, 1);
	assert_int_equal(bi->rsdp_addr, (uintptr_t)parsed + off + 8);
	assert_tag_problem(15, off2, "ACPI RSDP signature missing");
}

/* ---- Multiboot2: the block header ---- */

static void test_mb2_total_size_out_of_range(void **state)
{
	(void)state;
	/* too small */
	MB2_WITH_MAP();
	put32(mb, 8);
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	assert_console("multiboot2: information block total_size 8 is out of range");
	put32(mb, 0);
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	assert_console("total_size 0 is out of range");
	/* larger than what may be read */
	MB2_WITH_MAP();
	put32(mb, (u32)mb_len + 8);
	assert_int_equal(mb2_parse_limited(mb_len, mb_len), -VMM_EINVALID);
	{
		char want[96];

		snprintf(want, sizeof(want), "total_size %zu is out of range (16..%zu)",
			 mb_len + 8, mb_len);
		assert_console(want);
	}
	put32(mb, 0xffffffffu);
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	assert_console("total_size 4294967295 is out of range");
	/* no block, or a limit too small for a header */
	fake_console_reset();
	assert_int_equal(vmm_multiboot2_parse(NULL, 4096, bi), -VMM_EINVALID);
	assert_console("multiboot2: no information block");
	MB2_WITH_MAP();
	assert_int_equal(mb2_parse_limited(mb_len, 15), -VMM_EINVALID);
	assert_console("multiboot2: no information block");
	assert_int_equal(bi->nr_mem, 0);
}

static void test_mb2_total_size_over_global_limit(void **state)
{
	size_t big = VMM_BOOT_INFO_MAX + 64;
	u8 *blk = calloc(1, big);
	char want[96];

	(void)state;
	assert_non_null(blk);
	MB2_WITH_MAP();
	memcpy(blk, mb, mb_len);
	put32(blk, VMM_BOOT_INFO_MAX + 8);
	fake_console_reset();
	assert_int_equal(vmm_multiboot2_parse(blk, big, bi), -VMM_EINVALID);
	snprintf(want, sizeof(want), "total_size %u is out of range (16..%u)",
		 VMM_BOOT_INFO_MAX + 8, VMM_BOOT_INFO_MAX);
	assert_console(want);
	/* exactly at the limit is fine (the rest is zero padding: an end tag) */
	put32(blk, VMM_BOOT_INFO_MAX);
	assert_int_equal(vmm_multiboot2_parse(blk, big, bi), VMM_OK);
	free(blk);
}

static void test_mb2_limit_larger_than_block(void **state)
{
	(void)state;
	/* the parser reads total_size bytes, not 'limit' (ASan checks the copy) */
	MB2_WITH_MAP(mb2_str(1, "a=b"));
	assert_int_equal(mb2_parse_limited(mb_len, VMM_BOOT_INFO_MAX), VMM_OK);
	assert_string_equal(bi->cmdline, "a=b");
	/* and stops at total_size even when more bytes follow */
	MB2_WITH_MAP(mb2_str(1, "a=b"));
	{
		u8 *blk = calloc(1, mb_len + 4096);

		assert_non_null(blk);
		memcpy(blk, mb, mb_len);
		assert_int_equal(vmm_multiboot2_parse(blk, mb_len + 4096, bi), VMM_OK);
		assert_string_equal(bi->cmdline, "a=b");
		assert_int_equal(bi->info_end - bi->info_start, mb_len);
		free(blk);
	}
}

/* ---- Multiboot2: tag framing ---- */

static void test_mb2_tag_size_too_small(void **state)
{
	size_t off;
	char want[160];

	(void)state;
	mb2_start();
	mb2_mmap(small_map, 2);
	off = mb2_raw_tag(1, 4, "x\0\0\0\0\0\0", 8);	/* size 4 < 8 */
	mb2_str(2, "never seen");
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);	/* the map came before */
	snprintf(want, sizeof(want),
		 "multiboot2: tag type 1 at offset 0x%zx: size 4 does not fit the %zu-byte block; rest of the block ignored",
		 off, mb_len);
	assert_console(want);
	assert_string_equal(bi->loader, "");		/* rest ignored */
	assert_console("information block has no end tag");
	assert_int_equal(bi->nr_problems, 2);
	assert_int_equal(bi->nr_mem, 2);

	/* size 0 would loop forever if it were accepted */
	mb2_start();
	mb2_mmap(small_map, 2);
	off = mb2_raw_tag(9, 0, "\0\0\0\0\0\0\0\0", 8);
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	snprintf(want, sizeof(want), "tag type 9 at offset 0x%zx: size 0 does not fit", off);
	assert_console(want);
}

static void test_mb2_tag_overruns_block(void **state)
{
	size_t off;
	char want[160];

	(void)state;
	mb2_start();
	mb2_mmap(small_map, 2);
	off = mb2_raw_tag(3, 4096, "\0\0\0\0\0\0\0\0name", 13);	/* module claiming 4 KiB */
	mb2_str(1, "never=seen");
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	snprintf(want, sizeof(want),
		 "multiboot2: tag type 3 at offset 0x%zx: size 4096 does not fit the %zu-byte block; rest of the block ignored",
		 off, mb_len);
	assert_console(want);
	assert_int_equal(bi->nr_modules, 0);
	assert_string_equal(bi->cmdline, "");
	/* a memory map overrunning the block: nothing usable at all */
	mb2_start();
	off = mb2_raw_tag(6, 1000, "\x18\0\0\0\0\0\0\0", 8);
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	snprintf(want, sizeof(want), "tag type 6 at offset 0x%zx: size 1000 does not fit", off);
	assert_console(want);
	assert_console("the boot loader gave no memory map");
	/* the last tag ending exactly at total_size is fine */
	mb2_start();
	mb2_mmap(small_map, 2);
	mb2_str(1, "12345");		/* 14 bytes -> padded to 16 */
	mb2_finish();
	put32(mb, (u32)(mb_len - 2));	/* block ends right after the string */
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_string_equal(bi->cmdline, "12345");
	assert_console("has no end tag");
}

static void test_mb2_missing_end_tag(void **state)
{
	(void)state;
	mb2_start();
	mb2_mmap(small_map, 2);
	mb2_str(1, "quiet");
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_console("multiboot2: information block has no end tag");
	assert_int_equal(bi->nr_problems, 1);
	assert_string_equal(bi->cmdline, "quiet");
	assert_int_equal(bi->nr_mem, 2);
}

static void test_mb2_end_tag_stops_parsing(void **state)
{
	size_t off;

	(void)state;
	/* tags after the end tag are not looked at; total_size covers them */
	mb2_start();
	mb2_mmap(small_map, 2);
	mb2_end();
	mb2_str(1, "after=end");
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_string_equal(bi->cmdline, "");
	assert_int_equal(bi->nr_problems, 0);
	/* an end tag with the wrong size still ends the block, with a complaint */
	mb2_start();
	mb2_mmap(small_map, 2);
	off = mb2_raw_tag(0, 16, "\0\0\0\0\0\0\0\0", 8);
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(0, off, "end tag size is not 8");
	assert_int_equal(bi->nr_problems, 1);
}

static void test_mb2_odd_tag_sizes_padded(void **state)
{
	(void)state;
	/* string tags of every length mod 8: the next tag is found each time */
	for (int len = 0; len < 17; len++) {
		char s[32];

		memset(s, 'c', (size_t)len);
		s[len] = 0;
		mb2_start();
		mb2_str(1, s);
		mb2_str(2, "loader");
		mb2_mmap(small_map, 2);
		mb2_end();
		mb2_finish();
		assert_int_equal(mb2_parse(), VMM_OK);
		assert_string_equal(bi->cmdline, s);
		assert_string_equal(bi->loader, "loader");
		assert_int_equal(bi->nr_problems, 0);
	}
}

/* ---- Multiboot2: strings ---- */

static void test_mb2_strings_not_terminated(void **state)
{
	size_t off;

	(void)state;
	/* payload "abc" without NUL: size 11, the padding byte after it is 0 */
	MB2_WITH_MAP(off = mb2_raw_tag(1, 11, "abc", 3));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(1, off, "command line not NUL-terminated");
	assert_string_equal(bi->cmdline, "");
	assert_int_equal(bi->nr_problems, 1);

	MB2_WITH_MAP(off = mb2_raw_tag(2, 12, "GRUB", 4));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(2, off, "boot loader name not NUL-terminated");
	assert_string_equal(bi->loader, "");

	/* an empty string tag (size 8) has no room for a NUL either */
	MB2_WITH_MAP(off = mb2_tag(1, NULL, 0));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(1, off, "command line not NUL-terminated");

	/* a module name without NUL */
	MB2_WITH_MAP(off = mb2_raw_tag(3, 16 + 5, "\0\0\x10\0\0\0\x20\0linux", 13));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(3, off, "module string not NUL-terminated");
	assert_int_equal(bi->nr_modules, 0);
}

static void test_mb2_cmdline_too_long(void **state)
{
	char *s = malloc(VMM_BOOT_CMDLINE_MAX + 100);
	size_t off;

	(void)state;
	assert_non_null(s);
	memset(s, 'x', VMM_BOOT_CMDLINE_MAX + 99);
	s[VMM_BOOT_CMDLINE_MAX + 99] = 0;
	MB2_WITH_MAP(off = mb2_str(1, s));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(1, off, "command line too long, cut");
	assert_int_equal(strlen(bi->cmdline), VMM_BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi->cmdline, s, VMM_BOOT_CMDLINE_MAX - 1);
	/* exactly the maximum fits */
	s[VMM_BOOT_CMDLINE_MAX - 1] = 0;
	MB2_WITH_MAP(mb2_str(1, s));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_problems, 0);
	assert_string_equal(bi->cmdline, s);
	free(s);
}

static void test_mb2_long_names_cut(void **state)
{
	char name[300];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	MB2_WITH_MAP(mb2_str(2, name); mb2_module(0x1000, 0x2000, name));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(strlen(bi->loader), VMM_BOOT_NAME_MAX - 1);
	assert_int_equal(bi->nr_modules, 1);
	assert_int_equal(strlen(bi->modules[0].name), VMM_BOOT_NAME_MAX - 1);
}

/* ---- Multiboot2: modules ---- */

static void test_mb2_module_problems(void **state)
{
	size_t bad, shrt;

	(void)state;
	MB2_WITH_MAP(mb2_module(0x100000, 0x100000, "empty");
		     bad = mb2_module(0x200000, 0x1fffff, "backwards");
		     shrt = mb2_raw_tag(3, 16, "\0\0\x10\0\0\0\x20\0", 8);
		     mb2_module(0x300000, 0x300001, ""));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(3, bad, "module ends before it starts");
	assert_tag_problem(3, shrt, "module tag too short");
	assert_int_equal(bi->nr_problems, 2);
	assert_int_equal(bi->nr_modules, 2);
	assert_string_equal(bi->modules[0].name, "empty");
	assert_int_equal(bi->modules[0].end, bi->modules[0].start);
	assert_string_equal(bi->modules[1].name, "");
	assert_int_equal(bi->modules[1].start, 0x300000);
}

static void test_mb2_too_many_modules(void **state)
{
	size_t off[VMM_BOOT_MAX_MODULES + 2];

	(void)state;
	mb2_start();
	mb2_mmap(small_map, 2);
	for (int i = 0; i < VMM_BOOT_MAX_MODULES + 2; i++) {
		char name[16];

		snprintf(name, sizeof(name), "mod%d", i);
		off[i] = mb2_module((u32)(i + 1) * 0x100000, (u32)(i + 1) * 0x100000 + 0x1000, name);
	}
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_modules, VMM_BOOT_MAX_MODULES);
	{
		char last[16];

		snprintf(last, sizeof(last), "mod%d", VMM_BOOT_MAX_MODULES - 1);
		assert_string_equal(bi->modules[VMM_BOOT_MAX_MODULES - 1].name, last);
	}
	assert_tag_problem(3, off[VMM_BOOT_MAX_MODULES], "too many modules");
	assert_tag_problem(3, off[VMM_BOOT_MAX_MODULES + 1], "too many modules");
	assert_int_equal(bi->nr_problems, 2);
}

/* ---- Multiboot2: memory map ---- */

static void test_mb2_mmap_bad_entry_size(void **state)
{
	static const u32 sizes[] = { 0, 8, 16, 20, 28, 30 };
	size_t off;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		mb2_start();
		off = mb2_mmap_sized(sizes[i], small_map, 2, 0);
		mb2_end();
		mb2_finish();
		assert_int_equal(mb2_parse(), -VMM_EINVALID);
		assert_tag_problem(6, off, "memory map entry_size is not a multiple of 8 of at least 24");
		assert_console("multiboot2: the boot loader gave no memory map");
		assert_int_equal(bi->nr_mem, 0);
	}
}

static void test_mb2_mmap_larger_entries(void **state)
{
	static const struct e820 map[] = {
		{ 0x1000, 0x2000, VMM_MEM_USABLE },
		{ 0x100000, 0x700000, VMM_MEM_USABLE },
		{ 0x800000, 0x1000, VMM_MEM_ACPI_NVS },
	};

	(void)state;
	/* a future, longer entry format: entries are stepped by entry_size */
	mb2_start();
	mb2_mmap_sized(40, map, 3, 0);
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_problems, 0);
	assert_int_equal(bi->nr_mem, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(bi->mem[i].base, map[i].base);
		assert_int_equal(bi->mem[i].length, map[i].length);
		assert_int_equal(bi->mem[i].type, map[i].type);
	}
}

static void test_mb2_mmap_trailing_bytes(void **state)
{
	size_t off;
	char want[128];

	(void)state;
	mb2_start();
	off = mb2_mmap_sized(24, small_map, 2, 16);
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	snprintf(want, sizeof(want), "multiboot2: memory map at offset 0x%zx: 16 trailing bytes ignored", off);
	assert_console(want);
	assert_int_equal(bi->nr_problems, 1);
	assert_int_equal(bi->nr_mem, 2);
	/* a partial entry is dropped too */
	mb2_start();
	mb2_mmap_sized(24, small_map, 2, 23);
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_console("23 trailing bytes ignored");
	assert_int_equal(bi->nr_mem, 2);
}

static void test_mb2_mmap_header_too_short(void **state)
{
	size_t off;

	(void)state;
	mb2_start();
	off = mb2_tag(6, "\x18\0\0\0", 4);	/* 12 bytes: no entry_version */
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	assert_tag_problem(6, off, "memory map tag shorter than 16 bytes");
}

static void test_mb2_no_mmap(void **state)
{
	(void)state;
	mb2_start();
	mb2_str(1, "no map here");
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	assert_console("multiboot2: the boot loader gave no memory map");
	/* a map with no entries, or only empty ones, is no better */
	mb2_start();
	mb2_mmap(NULL, 0);
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), -VMM_EINVALID);
	{
		static const struct e820 empty[] = { { 0x1000, 0, VMM_MEM_USABLE } };

		mb2_start();
		mb2_mmap(empty, 1);
		mb2_end();
		mb2_finish();
		assert_int_equal(mb2_parse(), -VMM_EINVALID);
	}
}

static void test_mb2_second_mmap(void **state)
{
	static const struct e820 other[] = { { 0x10000000, 0x1000, VMM_MEM_USABLE } };
	size_t off;

	(void)state;
	MB2_WITH_MAP(off = mb2_mmap(other, 1));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_tag_problem(6, off, "second memory map");
	assert_int_equal(bi->nr_mem, 2);
	assert_int_equal(bi->mem[1].base, 1 * MiB);
}

static void test_mb2_mmap_wrap_and_overflow(void **state)
{
	struct e820 map[VMM_BOOT_MAX_MEM + 3];

	(void)state;
	map[0] = (struct e820){ 0xfffffffffffff000ULL, 0x2000, VMM_MEM_USABLE };	/* wraps */
	map[1] = (struct e820){ 0xfffffffffffff000ULL, 0x1000, VMM_MEM_RESERVED };	/* ends at 2^64: wraps to 0 */
	for (int i = 2; i < VMM_BOOT_MAX_MEM + 3; i++)
		map[i] = (struct e820){ (u64)i * MiB, 0x1000, VMM_MEM_USABLE };
	mb2_start();
	mb2_mmap(map, ARRAY_SIZE(map));
	mb2_end();
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_console("multiboot2: memory range 0xfffffffffffff000+0x2000 wraps around; ignored");
	assert_console("multiboot2: memory range 0xfffffffffffff000+0x1000 wraps around; ignored");
	assert_int_equal(bi->nr_mem, VMM_BOOT_MAX_MEM);
	assert_console("multiboot2: more than 64 memory ranges; range 0x42");	/* i = 66 */
	assert_int_equal(bi->nr_problems, 2 + 1);
	for (u32 i = 0; i < bi->nr_mem; i++)
		assert_true(bi->mem[i].base + bi->mem[i].length > bi->mem[i].base);
}

static void test_mb2_problem_count_and_clean_state(void **state)
{
	(void)state;
	/* several independent problems in one block, all counted, nothing else lost */
	mb2_start();
	mb2_raw_tag(1, 11, "abc", 3);
	mb2_str(2, "GRUB");
	mb2_mmap(small_map, 2);
	mb2_module(5, 4, "bad");
	mb2_module(0x1000, 0x2000, "good");
	mb2_rsdp(14, "nope", 20, 0);
	mb2_raw_tag(0, 16, "\0\0\0\0\0\0\0\0", 8);
	mb2_finish();
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_problems, 4);
	assert_int_equal(fake_console_count("; tag ignored"), 4);
	assert_string_equal(bi->loader, "GRUB");
	assert_int_equal(bi->nr_modules, 1);
	assert_string_equal(bi->modules[0].name, "good");
	assert_int_equal(bi->rsdp_addr, 0);
}

/* ---- Multiboot(1) ---- */

#define MB1_MEM (1u << 0)
#define MB1_CMDLINE (1u << 2)
#define MB1_MODS (1u << 3)
#define MB1_MMAP (1u << 6)
#define MB1_LOADER (1u << 9)

/* the information structure, Multiboot 0.6.96 section 3.3 */
struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	u32 boot_loader_name;
	u32 apm_table;	/* not parsed: guards against reads past the fields used */
} __packed;

/* fake physical memory: PHYS_BASE.. maps to phys[] */
#define PHYS_BASE 0x10000u
#define PHYS_SIZE (64 * 1024u)
#define BAD_ADDR 0xdead0000u

static u8 *phys;
static int p2p_calls;

static void *phys_to_ptr(u64 addr, size_t len)
{
	p2p_calls++;
	if (addr < PHYS_BASE || addr + len < addr || addr + len > PHYS_BASE + PHYS_SIZE)
		return NULL;
	return phys + (addr - PHYS_BASE);
}

/* Put bytes at physical address 'pa' of the fake memory; returns pa. */
static u32 poke(u32 pa, const void *data, size_t len)
{
	assert_true(pa >= PHYS_BASE && pa + len <= PHYS_BASE + PHYS_SIZE);
	memcpy(phys + (pa - PHYS_BASE), data, len);
	return pa;
}

static u32 poke_str(u32 pa, const char *s)
{
	return poke(pa, s, strlen(s) + 1);
}

/* An MB1 mmap entry: size field (not counting itself), then base, length, type. */
static size_t mb1_entry(u8 *p, u32 size, u64 base, u64 len, u32 type)
{
	memset(p, 0, 4 + size);
	put32(p, size);
	put64(p + 4, base);
	put64(p + 12, len);
	put32(p + 20, type);
	return 4 + size;
}

static struct mb1_info *mi;

static int setup1(void **state)
{
	if (setup(state))
		return -1;
	phys = calloc(1, PHYS_SIZE);
	mi = calloc(1, sizeof(*mi));
	p2p_calls = 0;
	return phys && mi ? 0 : -1;
}

static int teardown1(void **state)
{
	free(phys);
	free(mi);
	return teardown(state);
}

static int mb1_parse(void)
{
	fake_console_reset();
	return vmm_multiboot1_parse(mi, phys_to_ptr, bi);
}

/* A two-entry map at 0x11000. */
static void mb1_simple_map(void)
{
	u8 e[64];
	size_t n = 0;

	n += mb1_entry(e + n, 20, 0, 0x9fc00, VMM_MEM_USABLE);
	n += mb1_entry(e + n, 20, 1 * MiB, 63 * MiB, VMM_MEM_USABLE);
	mi->flags |= MB1_MMAP;
	mi->mmap_addr = poke(0x11000, e, n);
	mi->mmap_length = (u32)n;
}

static void test_mb1_full_info(void **state)
{
	u8 e[256];
	size_t n = 0;
	u32 mods[3][4];

	(void)state;
	n += mb1_entry(e + n, 20, 0, 0x9fc00, VMM_MEM_USABLE);
	n += mb1_entry(e + n, 20, 0x9fc00, 0x400, VMM_MEM_RESERVED);
	n += mb1_entry(e + n, 24, 1 * MiB, 255 * MiB, VMM_MEM_USABLE);	/* padded entry */
	n += mb1_entry(e + n, 20, 256 * MiB, 64 * KiB, VMM_MEM_ACPI_RECLAIM);
	n += mb1_entry(e + n, 20, 0xfec00000, 0x1000, 9);		/* unknown type */
	mi->flags = MB1_MEM | MB1_CMDLINE | MB1_MODS | MB1_MMAP | MB1_LOADER;
	mi->mem_lower = 639;
	mi->mem_upper = 1;		/* ignored: the map wins */
	mi->mmap_addr = poke(0x11000, e, n);
	mi->mmap_length = (u32)n;
	mi->cmdline = poke_str(0x12000, "/boot/xvisor.elf loglevel=7 bootcmd=\"help\"");
	mi->boot_loader_name = poke_str(0x13000, "GRUB 0.97");
	mods[0][0] = 0x400000; mods[0][1] = 0x401000; mods[0][2] = poke_str(0x14000, "guest.dtb");
	mods[1][0] = 0x500000; mods[1][1] = 0x900000; mods[1][2] = poke_str(0x14100, "/boot/bzImage quiet");
	mods[2][0] = 0xa00000; mods[2][1] = 0xa00010; mods[2][2] = 0;	/* no name */
	for (int i = 0; i < 3; i++)
		mods[i][3] = 0;
	mi->mods_addr = poke(0x15000, mods, sizeof(mods));
	mi->mods_count = 3;

	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(fake_console_len(), 0);
	assert_int_equal(bi->nr_problems, 0);
	assert_int_equal(bi->protocol, 1);
	assert_int_equal(bi->info_start, (uintptr_t)mi);
	assert_true(bi->info_end > bi->info_start);
	assert_string_equal(bi->cmdline, "loglevel=7 bootcmd=\"help\"");	/* path dropped */
	assert_string_equal(bi->loader, "GRUB 0.97");
	assert_int_equal(bi->nr_mem, 5);
	assert_int_equal(bi->mem[2].base, 1 * MiB);
	assert_int_equal(bi->mem[2].length, 255 * MiB);
	assert_int_equal(bi->mem[2].type, VMM_MEM_USABLE);
	assert_int_equal(bi->mem[3].type, VMM_MEM_ACPI_RECLAIM);
	assert_int_equal(bi->mem[4].base, 0xfec00000);
	assert_int_equal(bi->mem[4].type, VMM_MEM_RESERVED);
	assert_int_equal(vmm_boot_usable_bytes(bi), 0x9fc00 + 255 * MiB);
	assert_int_equal(bi->nr_modules, 3);
	assert_string_equal(bi->modules[0].name, "guest.dtb");
	assert_int_equal(bi->modules[0].start, 0x400000);
	assert_int_equal(bi->modules[0].end, 0x401000);
	assert_string_equal(bi->modules[1].name, "/boot/bzImage quiet");
	assert_string_equal(bi->modules[2].name, "");
	assert_int_equal(bi->rsdp_addr, 0);
}

static void test_mb1_flags_none(void **state)
{
	(void)state;
	mi->flags = 0;
	mi->cmdline = BAD_ADDR;		/* not looked at without its flag */
	mi->mmap_addr = BAD_ADDR;
	assert_int_equal(mb1_parse(), -VMM_EINVALID);
	assert_console("multiboot: the boot loader gave no memory map");
	assert_string_equal(bi->loader, "unnamed Multiboot loader");
	assert_string_equal(bi->cmdline, "");
	assert_int_equal(p2p_calls, 0);
	assert_int_equal(bi->nr_problems, 0);
}

static void test_mb1_mem_fallback(void **state)
{
	(void)state;
	mi->flags = MB1_MEM;
	mi->mem_lower = 639;
	mi->mem_upper = 130048;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(bi->nr_mem, 2);
	assert_int_equal(bi->mem[0].base, 0);
	assert_int_equal(bi->mem[0].length, 639 * KiB);
	assert_int_equal(bi->mem[0].type, VMM_MEM_USABLE);
	assert_int_equal(bi->mem[1].base, 1 * MiB);
	assert_int_equal(bi->mem[1].length, 130048 * KiB);
	assert_int_equal(bi->mem[1].type, VMM_MEM_USABLE);
	assert_string_equal(bi->loader, "unnamed Multiboot loader");
	/* zero upper memory: only the low range */
	mi->mem_upper = 0;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(bi->nr_mem, 1);
	/* nothing at all */
	mi->mem_lower = 0;
	assert_int_equal(mb1_parse(), -VMM_EINVALID);
	/* with MMAP the fallback is not used */
	mi->mem_lower = 639;
	mi->mem_upper = 130048;
	mb1_simple_map();
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(bi->nr_mem, 2);
	assert_int_equal(bi->mem[1].length, 63 * MiB);
}

static void test_mb1_mmap_bad_entries(void **state)
{
	u8 e[128];
	size_t n = 0;

	(void)state;
	/* size field below 20 */
	n += mb1_entry(e + n, 20, 0, 0x9fc00, VMM_MEM_USABLE);
	put32(e + n, 12);
	n += 16;
	mb1_entry(e + n, 20, 1 * MiB, 1 * MiB, VMM_MEM_USABLE);
	n += 24;
	mi->flags = MB1_MMAP;
	mi->mmap_addr = poke(0x11000, e, n);
	mi->mmap_length = (u32)n;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_console("multiboot: memory map entry at offset 0x18 has bad size 12; rest ignored");
	assert_int_equal(bi->nr_mem, 1);
	assert_int_equal(bi->nr_problems, 1);

	/* an entry running past mmap_length */
	n = 0;
	n += mb1_entry(e + n, 20, 0, 0x9fc00, VMM_MEM_USABLE);
	n += mb1_entry(e + n, 40, 1 * MiB, 1 * MiB, VMM_MEM_USABLE);
	mi->mmap_addr = poke(0x11000, e, n);
	mi->mmap_length = (u32)n - 4;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_console("entry at offset 0x18 has bad size 40; rest ignored");
	assert_int_equal(bi->nr_mem, 1);

	/* trailing bytes shorter than a size field are ignored quietly */
	n = mb1_entry(e, 20, 0, 0x9fc00, VMM_MEM_USABLE);
	mi->mmap_addr = poke(0x11000, e, n + 3);
	mi->mmap_length = (u32)n + 3;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(bi->nr_mem, 1);
	assert_int_equal(bi->nr_problems, 0);
}

static void test_mb1_mmap_huge_entry_size(void **state)
{
	u8 e[64];
	size_t n = 0;

	(void)state;
	/* a size field so large that offset + 4 + size wraps around 32 bits */
	n += mb1_entry(e + n, 20, 0, 0x9fc00, VMM_MEM_USABLE);
	n += mb1_entry(e + n, 20, 1 * MiB, 1 * MiB, VMM_MEM_USABLE);
	put32(e + 24, 0xffffffe4u);	/* 24 + 4 + 0xffffffe4 == 2^32 */
	mi->flags = MB1_MMAP;
	mi->mmap_addr = poke(0x11000, e, n);
	mi->mmap_length = (u32)n;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_console("entry at offset 0x18 has bad size 4294967268; rest ignored");
	assert_int_equal(bi->nr_mem, 1);
	assert_int_equal(bi->nr_problems, 1);
	/* the same at offset 0 */
	put32(e, 0xfffffffcu);
	poke(0x11000, e, n);
	assert_int_equal(mb1_parse(), -VMM_EINVALID);
	assert_console("entry at offset 0x0 has bad size 4294967292; rest ignored");
	assert_int_equal(bi->nr_mem, 0);
}

static void test_mb1_cmdline_first_word(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/boot/xvisor.elf loglevel=7", "loglevel=7" },
		{ "/boot/xvisor.elf", "" },
		{ "/boot/xvisor.elf    a=1   b", "a=1   b" },
		{ "", "" },
		{ "kernel a=\"x y\"", "a=\"x y\"" },
	};

	(void)state;
	mb1_simple_map();
	mi->flags |= MB1_CMDLINE;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(phys + 0x2000, 0, 2048);
		mi->cmdline = poke_str(0x12000, cases[i].in);
		assert_int_equal(mb1_parse(), VMM_OK);
		assert_string_equal(bi->cmdline, cases[i].out);
		assert_int_equal(bi->nr_problems, 0);
	}
}

static void test_mb1_cmdline_too_long(void **state)
{
	(void)state;
	mb1_simple_map();
	mi->flags |= MB1_CMDLINE;
	memset(phys + 0x2000, 'a', VMM_BOOT_CMDLINE_MAX);	/* no NUL within 1024 bytes */
	mi->cmdline = 0x12000;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_console("multiboot: tag type 2 at offset 0x10: command line unreadable or too long; tag ignored");
	assert_string_equal(bi->cmdline, "");
	assert_int_equal(bi->nr_problems, 1);
	/* 1023 characters fit */
	phys[0x2000 + VMM_BOOT_CMDLINE_MAX - 1] = 0;
	phys[0x2000 + 5] = ' ';
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(strlen(bi->cmdline), VMM_BOOT_CMDLINE_MAX - 1 - 6);
}

static void test_mb1_unreadable_pointers(void **state)
{
	(void)state;
	mi->flags = MB1_CMDLINE | MB1_LOADER | MB1_MMAP | MB1_MODS | MB1_MEM;
	mi->mem_lower = 639;
	mi->mem_upper = 1024;
	mi->cmdline = BAD_ADDR;
	mi->boot_loader_name = 0;
	mi->mmap_addr = BAD_ADDR;
	mi->mmap_length = 48;
	mi->mods_addr = BAD_ADDR;
	mi->mods_count = 1;
	assert_int_equal(mb1_parse(), -VMM_EINVALID);
	assert_console("multiboot: tag type 2 at offset 0x10: command line unreadable or too long");
	assert_console("multiboot: tag type 9 at offset 0x40: boot loader name unreadable or too long");
	assert_console("multiboot: tag type 6 at offset 0x2c: memory map unreadable");
	assert_console("multiboot: tag type 3 at offset 0x14: module list unreadable");
	assert_console("multiboot: the boot loader gave no memory map");
	assert_int_equal(bi->nr_problems, 4);
	assert_string_equal(bi->loader, "unnamed Multiboot loader");
	assert_int_equal(bi->nr_modules, 0);
	/* an absurd mmap_length is refused even if the pointer maps */
	mb1_simple_map();
	mi->flags = MB1_MMAP;
	mi->mmap_length = VMM_BOOT_INFO_MAX + 4;
	assert_int_equal(mb1_parse(), -VMM_EINVALID);
	assert_console("memory map unreadable");
	/* NULL information block */
	fake_console_reset();
	assert_int_equal(vmm_multiboot1_parse(NULL, phys_to_ptr, bi), -VMM_EINVALID);
	assert_console("multiboot: no information block");
}

static void test_mb1_module_problems(void **state)
{
	u32 mods[5][4] = {
		{ 0x400000, 0x401000, BAD_ADDR, 0 },	/* unreadable name -> "?" */
		{ 0x500000, 0x4fffff, 0, 0 },		/* ends before it starts */
		{ 0x600000, 0x600000, 0, 0 },		/* empty is fine */
		{ 0x700000, 0x700100, 0x1f000, 0 },	/* name too long -> "?" */
		{ 0x800000, 0x800100, 0, 0 },
	};

	(void)state;
	memset(phys + 0xf000, 'm', 0x1000);		/* no NUL within 128 bytes */
	mb1_simple_map();
	mi->flags |= MB1_MODS;
	mi->mods_addr = poke(0x15000, mods, sizeof(mods));
	mi->mods_count = 5;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_console("multiboot: tag type 3 at offset 0x14: module ends before it starts");
	assert_int_equal(bi->nr_problems, 1);
	assert_int_equal(bi->nr_modules, 4);
	assert_string_equal(bi->modules[0].name, "?");
	assert_int_equal(bi->modules[1].start, 0x600000);
	assert_string_equal(bi->modules[2].name, "?");
	assert_int_equal(bi->modules[3].start, 0x800000);
	/* a module list that does not fit the readable memory */
	mi->mods_count = 0x10000;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_console("module list unreadable");
	assert_int_equal(bi->nr_modules, 0);
	/* zero modules is fine */
	mi->mods_count = 0;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(bi->nr_modules, 0);
	assert_int_equal(bi->nr_problems, 0);
}

static void test_mb1_too_many_modules(void **state)
{
	u32 mods[VMM_BOOT_MAX_MODULES + 3][4];

	(void)state;
	for (int i = 0; i < VMM_BOOT_MAX_MODULES + 3; i++) {
		mods[i][0] = (u32)(i + 1) * 0x100000;
		mods[i][1] = mods[i][0] + 0x1000;
		mods[i][2] = 0;
		mods[i][3] = 0;
	}
	mb1_simple_map();
	mi->flags |= MB1_MODS;
	mi->mods_addr = poke(0x15000, mods, sizeof(mods));
	mi->mods_count = VMM_BOOT_MAX_MODULES + 3;
	assert_int_equal(mb1_parse(), VMM_OK);
	assert_int_equal(bi->nr_modules, VMM_BOOT_MAX_MODULES);
	assert_int_equal(fake_console_count("too many modules"), 3);
	assert_int_equal(bi->nr_problems, 3);
}

static void test_mem_type_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_mem_type_name(VMM_MEM_USABLE), "usable");
	assert_string_equal(vmm_mem_type_name(VMM_MEM_RESERVED), "reserved");
	assert_string_equal(vmm_mem_type_name(VMM_MEM_ACPI_RECLAIM), "ACPI reclaimable");
	assert_string_equal(vmm_mem_type_name(VMM_MEM_ACPI_NVS), "ACPI NVS");
	assert_string_equal(vmm_mem_type_name(VMM_MEM_BAD), "bad");
	assert_string_equal(vmm_mem_type_name(0), "reserved");
	assert_string_equal(vmm_mem_type_name(12345), "reserved");
}

/* ---- Multiboot2: firmware and screen ---- */

/* A framebuffer tag with 'plen' bytes of payload (at most 32): addr, pitch,
 * width, height, bpp, type (22 bytes), then colour information. */
static size_t mb2_fb(u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u8 type, size_t plen)
{
	u8 p[32] = { 0 };

	memcpy(p, &addr, 8);
	memcpy(p + 8, &pitch, 4);
	memcpy(p + 12, &width, 4);
	memcpy(p + 16, &height, 4);
	p[20] = bpp;
	p[21] = type;
	return mb2_tag(8, p, plen);
}

static void test_mb2_firmware_and_screen(void **state)
{
	u8 systab[8] = { 0 };

	(void)state;
	/* BIOS: no EFI system table tag; GRUB's VGA text mode */
	MB2_WITH_MAP(mb2_fb(0xb8000, 160, 80, 25, 16, 2, 22));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_problems, 0);
	assert_false(bi->firmware_efi);
	assert_string_equal(vmm_boot_firmware_name(bi), "BIOS");
	assert_int_equal(bi->fb.kind, VMM_FB_EGA_TEXT);
	assert_int_equal(bi->fb.addr, 0xb8000);
	assert_int_equal(bi->fb.width, 80);
	assert_int_equal(bi->fb.height, 25);

	/* UEFI: a 64-bit (or 32-bit) EFI system table tag; a GOP framebuffer */
	MB2_WITH_MAP(mb2_tag(12, systab, 8); mb2_fb(0x80000000ull, 3200, 800, 600, 32, 1, 28));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_problems, 0);
	assert_true(bi->firmware_efi);
	assert_string_equal(vmm_boot_firmware_name(bi), "UEFI");
	assert_int_equal(bi->fb.kind, VMM_FB_RGB);
	assert_int_equal(bi->fb.addr, 0x80000000ull);
	assert_int_equal(bi->fb.pitch, 3200);
	assert_int_equal(bi->fb.bpp, 32);
	MB2_WITH_MAP(mb2_tag(11, systab, 4));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_string_equal(vmm_boot_firmware_name(bi), "UEFI");
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);	/* no framebuffer tag */
}

/* GRUB's RGB tag carries the colour layout; a palette tag its colours */
static void test_mb2_framebuffer_colours(void **state)
{
	u8 p[40] = { 0 };
	u64 addr = 0xfd000000ull;
	u32 pitch = 4096, w = 1024, h = 768;
	size_t off;

	(void)state;
	memcpy(p, &addr, 8);
	memcpy(p + 8, &pitch, 4);
	memcpy(p + 12, &w, 4);
	memcpy(p + 16, &h, 4);
	p[20] = 32;
	p[21] = 1;
	/* BGR order: red at 0, green at 8, blue at 16 */
	p[24] = 0; p[25] = 8; p[26] = 8; p[27] = 8; p[28] = 16; p[29] = 8;
	MB2_WITH_MAP(mb2_tag(8, p, 30));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->nr_problems, 0);
	assert_int_equal(bi->fb.kind, VMM_FB_RGB);
	assert_int_equal(bi->fb.red_pos, 0);
	assert_int_equal(bi->fb.blue_pos, 16);
	assert_int_equal(bi->fb.green_size, 8);

	/* a colour field outside the 16-bit pixel */
	p[20] = 16;
	MB2_WITH_MAP(off = mb2_tag(8, p, 30));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);
	assert_tag_problem(8, off, "framebuffer colour field outside the pixel");

	/* an 8-bit indexed mode with two palette colours */
	p[20] = 8;
	p[21] = 0;
	p[24] = 2; p[25] = 0;
	p[26] = 0; p[27] = 0; p[28] = 0; p[29] = 0xAA; p[30] = 0xAA; p[31] = 0xAA;
	MB2_WITH_MAP(mb2_tag(8, p, 32));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_INDEXED);
	assert_int_equal(bi->fb.palette_colors, 2);
	assert_int_equal(((const u8 *)(uintptr_t)bi->fb.palette)[3], 0xAA);
	/* ... a palette longer than the tag */
	p[24] = 200;
	MB2_WITH_MAP(off = mb2_tag(8, p, 32));
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);
	assert_tag_problem(8, off, "framebuffer palette does not fit the tag");
}

static void test_mb2_framebuffer_malformed(void **state)
{
	size_t off;

	(void)state;
	MB2_WITH_MAP(off = mb2_fb(0xb8000, 160, 80, 25, 16, 2, 21));	/* cut short */
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);
	assert_tag_problem(8, off, "framebuffer tag shorter than 30 bytes");

	MB2_WITH_MAP(off = mb2_fb(0x80000000ull, 3200, 800, 600, 32, 3, 22));	/* unknown type */
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);
	assert_tag_problem(8, off, "framebuffer type, size or pitch out of range");

	MB2_WITH_MAP(off = mb2_fb(0x80000000ull, 100, 800, 600, 32, 1, 22));	/* pitch < a line */
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);
	assert_int_equal(bi->nr_problems, 1);

	MB2_WITH_MAP(off = mb2_fb(0x80000000ull, 0x100000, 800, 0x10000, 32, 1, 22));	/* > 4 GiB */
	assert_int_equal(mb2_parse(), VMM_OK);
	assert_int_equal(bi->fb.kind, VMM_FB_NONE);
	assert_int_equal(bi->nr_problems, 1);
}

static void test_firmware_name_multiboot1(void **state)
{
	struct vmm_boot_info b = { .protocol = 1 };

	(void)state;
	assert_string_equal(vmm_boot_firmware_name(&b), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define T1(fn) cmocka_unit_test_setup_teardown(fn, setup1, teardown1)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mb2_good_block),
		T(test_mb2_acpi_copies),
		T(test_mb2_acpi_malformed),
		T(test_mb2_total_size_out_of_range),
		T(test_mb2_total_size_over_global_limit),
		T(test_mb2_limit_larger_than_block),
		T(test_mb2_tag_size_too_small),
		T(test_mb2_tag_overruns_block),
		T(test_mb2_missing_end_tag),
		T(test_mb2_end_tag_stops_parsing),
		T(test_mb2_odd_tag_sizes_padded),
		T(test_mb2_strings_not_terminated),
		T(test_mb2_cmdline_too_long),
		T(test_mb2_long_names_cut),
		T(test_mb2_module_problems),
		T(test_mb2_too_many_modules),
		T(test_mb2_mmap_bad_entry_size),
		T(test_mb2_mmap_larger_entries),
		T(test_mb2_mmap_trailing_bytes),
		T(test_mb2_mmap_header_too_short),
		T(test_mb2_no_mmap),
		T(test_mb2_second_mmap),
		T(test_mb2_mmap_wrap_and_overflow),
		T(test_mb2_problem_count_and_clean_state),
		T(test_mb2_firmware_and_screen),
		T(test_mb2_framebuffer_colours),
		T(test_mb2_framebuffer_malformed),
		cmocka_unit_test(test_firmware_name_multiboot1),
		T1(test_mb1_full_info),
		T1(test_mb1_flags_none),
		T1(test_mb1_mem_fallback),
		T1(test_mb1_mmap_bad_entries),
		T1(test_mb1_mmap_huge_entry_size),
		T1(test_mb1_cmdline_first_word),
		T1(test_mb1_cmdline_too_long),
		T1(test_mb1_unreadable_pointers),
		T1(test_mb1_module_problems),
		T1(test_mb1_too_many_modules),
		cmocka_unit_test(test_mem_type_names),
	};

	return cmocka_run_group_tests_name("multiboot", tests, NULL, NULL);
}
