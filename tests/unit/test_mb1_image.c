/*
 * tests/unit/test_mb1_image.c - Multiboot v1 kernel images (kernel/
 * mb1_image.c): the header search (alignment, the 8 KiB window, checksum,
 * flags that cannot be honoured), ELF32 and ELF64 program headers, the
 * a.out kludge, and malformed images of every kind: truncated headers and
 * program headers, segments beyond the file, beyond 4 GiB, overlapping,
 * outside the guest's RAM, overflowing sizes; then placement of modules
 * and information in RAM clear of the kernel.
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
#include "kernel/mb1_image.h"
#include "kernel/error.h"

#define IMG_MAX 16384
static u8 img[IMG_MAX];
static struct mb1_image im;
static char err[192];

static void w16(u64 off, u16 v) { memcpy(img + off, &v, 2); }
static void w32(u64 off, u32 v) { memcpy(img + off, &v, 4); }
static void w64(u64 off, u64 v) { memcpy(img + off, &v, 8); }

/* A Multiboot header at 'off' with 'flags' and a correct checksum. */
static void header(u64 off, u32 flags)
{
	w32(off, MB1_HEADER_MAGIC);
	w32(off + 4, flags);
	w32(off + 8, (u32)-(MB1_HEADER_MAGIC + flags));
}

/* ELF32 executable for i386, 'n' program headers at 0x34. */
static void elf32(u32 entry, u16 n)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = 1;
	img[5] = 1;
	img[6] = 1;
	w16(16, 2);
	w16(18, 3);
	w32(24, entry);
	w32(28, 0x34);
	w16(42, 32);
	w16(44, n);
}

static void phdr32(u32 i, u32 type, u32 off, u32 vaddr, u32 paddr, u32 filesz, u32 memsz)
{
	u64 p = 0x34 + i * 32;

	w32(p, type);
	w32(p + 4, off);
	w32(p + 8, vaddr);
	w32(p + 12, paddr);
	w32(p + 16, filesz);
	w32(p + 20, memsz);
}

/* A two-segment ELF32 kernel: text at 1 MiB, data+bss after it; header at 0x1000. */
static void good_elf32(void)
{
	elf32(0x100010, 2);
	phdr32(0, 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800);
	phdr32(1, 1, 0x1800, 0x101000, 0x101000, 0x100, 0x3000);
	header(0x1000, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO);
}

static int parse(u64 size)
{
	return mb1_image_parse(img, size, &im, err, sizeof(err));
}

static void test_elf32_ok(void **state)
{
	(void)state;
	good_elf32();
	assert_int_equal(parse(0x2000), VMM_OK);
	assert_int_equal(im.format, MB1_FORMAT_ELF32);
	assert_int_equal(im.header_off, 0x1000);
	assert_int_equal(im.entry, 0x100010);
	assert_int_equal(im.nr_segs, 2);
	assert_int_equal(im.segs[1].paddr, 0x101000);
	assert_int_equal(im.segs[1].file_off, 0x1800);
	assert_int_equal(im.segs[1].file_size, 0x100);
	assert_int_equal(im.segs[1].mem_size, 0x3000);
	assert_int_equal(im.load_start, 0x100000);
	assert_int_equal(im.load_end, 0x104000);
}

/* Non-PT_LOAD entries are skipped; empty PT_LOADs too. */
static void test_elf32_skips_other_headers(void **state)
{
	(void)state;
	elf32(0x100000, 3);
	phdr32(0, 4, 0, 0, 0, 0x100000, 0x100000);	/* PT_NOTE, nonsense sizes */
	phdr32(1, 1, 0x1000, 0x100000, 0x100000, 0x10, 0x10);
	phdr32(2, 1, 0, 0, 0, 0, 0);
	header(0x1000, 0);
	assert_int_equal(parse(0x1010), VMM_OK);
	assert_int_equal(im.nr_segs, 1);
}

/* A higher-half entry (virtual) is translated through its segment. */
static void test_elf32_virtual_entry(void **state)
{
	(void)state;
	elf32(0xC0100020, 1);
	phdr32(0, 1, 0x1000, 0xC0100000, 0x100000, 0x100, 0x100);
	header(0x1000, 0);
	assert_int_equal(parse(0x1100), VMM_OK);
	assert_int_equal(im.entry, 0x100020);
}

static void test_elf64_ok(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = 2;
	img[5] = 1;
	w16(16, 2);
	w16(18, 62);
	w64(24, 0x200000);
	w64(32, 0x40);
	w16(54, 56);
	w16(56, 1);
	w32(0x40, 1);
	w64(0x40 + 8, 0x1000);
	w64(0x40 + 16, 0xFFFFFFFF80200000ULL);
	w64(0x40 + 24, 0x200000);
	w64(0x40 + 32, 0x200);
	w64(0x40 + 40, 0x1000);
	header(0x1000, MB1_FLAG_MEMINFO);
	assert_int_equal(parse(0x1200), VMM_OK);
	assert_int_equal(im.format, MB1_FORMAT_ELF64);
	assert_int_equal(im.entry, 0x200000);
	assert_int_equal(im.segs[0].mem_size, 0x1000);
	/* a segment above 4 GiB cannot be reached from 32-bit protected mode */
	w64(0x40 + 24, 0x100000000ULL);
	assert_int_equal(parse(0x1200), -VMM_EINVALID);
	assert_non_null(strstr(err, "below 4 GiB"));
	/* paddr + memsz wrapping around 2^64 */
	w64(0x40 + 24, 0x200000);
	w64(0x40 + 40, ~0ULL - 0x100);
	w64(0x40 + 32, 0x10);
	assert_int_equal(parse(0x1200), -VMM_EINVALID);
	/* filesz wrapping with the offset */
	w64(0x40 + 40, 0x1000);
	w64(0x40 + 32, ~0ULL);
	assert_int_equal(parse(0x1200), -VMM_EINVALID);
}

/* The a.out kludge: load from the header's address fields. */
static void aout(u32 header_off, u32 header_addr, u32 load_addr, u32 load_end, u32 bss_end, u32 entry)
{
	memset(img, 0, sizeof(img));
	header(header_off, MB1_FLAG_AOUT_KLUDGE | MB1_FLAG_PAGE_ALIGN);
	w32(header_off + 12, header_addr);
	w32(header_off + 16, load_addr);
	w32(header_off + 20, load_end);
	w32(header_off + 24, bss_end);
	w32(header_off + 28, entry);
}

static void test_aout_ok(void **state)
{
	(void)state;
	aout(0x40, 0x100040, 0x100000, 0x100800, 0x102000, 0x100060);
	assert_int_equal(parse(0x1000), VMM_OK);
	assert_int_equal(im.format, MB1_FORMAT_AOUT);
	assert_int_equal(im.nr_segs, 1);
	assert_int_equal(im.segs[0].file_off, 0);
	assert_int_equal(im.segs[0].file_size, 0x800);
	assert_int_equal(im.segs[0].mem_size, 0x2000);
	assert_int_equal(im.entry, 0x100060);
	/* load_end 0: to the end of the file; bss_end 0: no BSS */
	aout(0x40, 0x100040, 0x100000, 0, 0, 0x100060);
	assert_int_equal(parse(0x900), VMM_OK);
	assert_int_equal(im.segs[0].file_size, 0x900);
	assert_int_equal(im.segs[0].mem_size, 0x900);
	/* load_addr after the start of the file: offset in the image */
	aout(0x1040, 0x100040, 0x100000, 0x100100, 0, 0x100000);
	assert_int_equal(parse(0x2000), VMM_OK);
	assert_int_equal(im.segs[0].file_off, 0x1000);
}

static void test_aout_bad(void **state)
{
	(void)state;
	/* load_addr before the file's first byte */
	aout(0x40, 0x100040, 0x0FF000, 0x100800, 0, 0x100000);
	assert_int_equal(parse(0x1000), -VMM_EINVALID);
	assert_non_null(strstr(err, "before the image's first byte"));
	/* header_addr below load_addr */
	aout(0x40, 0x100000, 0x100040, 0x100800, 0, 0x100040);
	assert_int_equal(parse(0x1000), -VMM_EINVALID);
	/* load_end not above load_addr */
	aout(0x40, 0x100040, 0x100000, 0x100000, 0, 0x100000);
	assert_int_equal(parse(0x1000), -VMM_EINVALID);
	assert_non_null(strstr(err, "load_end_addr"));
	/* more to load than the file has */
	aout(0x40, 0x100040, 0x100000, 0x200000, 0, 0x100000);
	assert_int_equal(parse(0x1000), -VMM_EINVALID);
	assert_non_null(strstr(err, "beyond the end of the image"));
	/* bss_end below load_end */
	aout(0x40, 0x100040, 0x100000, 0x100800, 0x100400, 0x100000);
	assert_int_equal(parse(0x1000), -VMM_EINVALID);
	assert_non_null(strstr(err, "bss_end_addr"));
	/* across 4 GiB */
	aout(0x40, 0xFFFFF040, 0xFFFFF000, 0, 0, 0xFFFFF000);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "below 4 GiB"));
	/* entry outside */
	aout(0x40, 0x100040, 0x100000, 0x100800, 0, 0x200000);
	assert_int_equal(parse(0x1000), -VMM_EINVALID);
	assert_non_null(strstr(err, "entry point 0x200000 lies in none"));
	/* header cut off before the address fields */
	aout(0x40, 0x100040, 0x100000, 0, 0, 0x100040);
	assert_int_equal(parse(0x40 + 20), -VMM_EINVALID);
	assert_non_null(strstr(err, "cut off"));
}

static void test_header_search(void **state)
{
	(void)state;
	good_elf32();
	/* not 4-byte aligned: not found */
	memset(img + 0x1000, 0, 12);
	header(0x1002, 0);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "no Multiboot header"));
	/* beyond the first 8 KiB: not found */
	memset(img + 0x1002, 0, 12);
	header(8192, 0);
	assert_int_equal(parse(0x3000), -VMM_EINVALID);
	/* straddling the 8 KiB limit: not found */
	header(8188, 0);
	assert_int_equal(parse(0x3000), -VMM_EINVALID);
	/* bad checksum, named with its offset */
	good_elf32();
	w32(0x1008, 0);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "bad checksum of the Multiboot header at offset 0x1000"));
	/* a bad one first, a good one later: the good one counts */
	header(0x1100, 0);
	assert_int_equal(parse(0x2000), VMM_OK);
	assert_int_equal(im.header_off, 0x1100);
	/* images shorter than a header */
	assert_int_equal(parse(0), -VMM_EINVALID);
	assert_int_equal(parse(11), -VMM_EINVALID);
}

static void test_required_flags(void **state)
{
	(void)state;
	good_elf32();
	header(0x1000, MB1_FLAG_VIDEO);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "0x0004 cannot be honoured (bit 2: no video mode"));
	header(0x1000, 1u << 9);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	/* optional bits above 16 (other than 16) are ignored */
	header(0x1000, 1u << 20 | MB1_FLAG_MEMINFO);
	assert_int_equal(parse(0x2000), VMM_OK);
}

static void test_elf_malformed(void **state)
{
	(void)state;
	/* truncated ELF header */
	good_elf32();
	memmove(img + 0x20, img + 0x1000, 12);		/* header early so it is found */
	assert_int_equal(parse(0x30), -VMM_EINVALID);
	assert_non_null(strstr(err, "ELF header cut off"));
	/* program headers beyond the end */
	good_elf32();
	w32(28, 0x1FF0);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "program headers"));
	/* phoff huge (wraps with phnum * phentsize) */
	w32(28, 0xFFFFFFF0);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	/* phentsize too small */
	good_elf32();
	w16(42, 16);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	/* no program headers */
	good_elf32();
	w16(44, 0);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	/* only non-loadable ones */
	good_elf32();
	w32(0x34, 4);
	w32(0x54, 4);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "PT_LOAD"));
	/* segment bytes beyond the file */
	good_elf32();
	phdr32(1, 1, 0x1800, 0x101000, 0x101000, 0x900, 0x3000);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "segment 1: bytes 0x1800+0x900 lie beyond the end"));
	/* filesz > memsz */
	good_elf32();
	phdr32(1, 1, 0x1800, 0x101000, 0x101000, 0x100, 0x10);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	/* across 4 GiB */
	good_elf32();
	phdr32(1, 1, 0x1800, 0xFFFFF000, 0xFFFFF000, 0x100, 0x2000);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	/* overlapping segments */
	good_elf32();
	phdr32(1, 1, 0x1800, 0x100400, 0x100400, 0x100, 0x3000);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "overlaps"));
	/* wrong machine, class, type, endianness, not ELF */
	good_elf32();
	w16(18, 62);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	good_elf32();
	img[4] = 3;
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	good_elf32();
	w16(16, 3);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	good_elf32();
	img[5] = 2;
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	good_elf32();
	img[0] = 0;
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "neither ELF nor flag bit 16"));
	/* too many segments */
	elf32(0x100000, MB1_MAX_SEGMENTS + 1);
	for (u32 i = 0; i <= MB1_MAX_SEGMENTS; i++)
		phdr32(i, 1, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10);
	header(0x1000, 0);
	assert_int_equal(parse(0x2000), -VMM_EINVALID);
	assert_non_null(strstr(err, "more than 16"));
}

static const struct mb1_range pc_ram[] = { { 0, 0xA0000 }, { 0x100000, 0x200000 } };

static void test_check_ram(void **state)
{
	(void)state;
	good_elf32();
	assert_int_equal(parse(0x2000), VMM_OK);
	assert_int_equal(mb1_image_check_ram(&im, pc_ram, 2, err, sizeof(err)), VMM_OK);
	/* RAM ends before the BSS does */
	{
		const struct mb1_range small[] = { { 0x100000, 0x103000 } };

		assert_int_equal(mb1_image_check_ram(&im, small, 1, err, sizeof(err)), -VMM_ERANGE);
		assert_non_null(strstr(err, "segment at 0x101000-0x103fff (ELF32) is not inside the guest's RAM"));
	}
	/* a segment straddling the hole between two RAM ranges */
	phdr32(1, 1, 0x1800, 0x9F000, 0x9F000, 0x100, 0x2000);
	assert_int_equal(parse(0x2000), VMM_OK);
	assert_int_equal(mb1_image_check_ram(&im, pc_ram, 2, err, sizeof(err)), -VMM_ERANGE);
	/* in the ROM */
	phdr32(1, 1, 0x1800, 0xF0000, 0xF0000, 0x100, 0x100);
	assert_int_equal(parse(0x2000), VMM_OK);
	assert_int_equal(mb1_image_check_ram(&im, pc_ram, 2, err, sizeof(err)), -VMM_ERANGE);
}

static void test_place(void **state)
{
	u64 at;

	(void)state;
	/* page-aligned after the kernel */
	assert_int_equal(mb1_place(pc_ram, 2, 0x104001, 0x100, 0x100000, 0x104001, &at), VMM_OK);
	assert_int_equal(at, 0x105000);
	/* from below the kernel: moved past it when it would overlap */
	assert_int_equal(mb1_place(pc_ram, 2, 0x100000, 0x2000, 0x101000, 0x104000, &at), VMM_OK);
	assert_int_equal(at, 0x104000);
	/* too big for what is left */
	assert_int_equal(mb1_place(pc_ram, 2, 0x1F0000, 0x20000, 0x100000, 0x104000, &at), -VMM_ENOSPC);
	/* a range above 'from' is taken */
	assert_int_equal(mb1_place(pc_ram, 2, 0x9F800, 0x2000, 0, 0, &at), VMM_OK);
	assert_int_equal(at, 0x100000);
	/* huge values never wrap */
	assert_int_equal(mb1_place(pc_ram, 2, ~0ULL - 5, 0x10, 0, 0, &at), -VMM_ENOSPC);
	assert_int_equal(mb1_place(pc_ram, 2, 0, ~0ULL, 0, 0, &at), -VMM_ENOSPC);
	assert_int_equal(mb1_place(pc_ram, 2, 0, 0x10, 0, ~0ULL, &at), -VMM_ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32_ok),
		cmocka_unit_test(test_elf32_skips_other_headers),
		cmocka_unit_test(test_elf32_virtual_entry),
		cmocka_unit_test(test_elf64_ok),
		cmocka_unit_test(test_aout_ok),
		cmocka_unit_test(test_aout_bad),
		cmocka_unit_test(test_header_search),
		cmocka_unit_test(test_required_flags),
		cmocka_unit_test(test_elf_malformed),
		cmocka_unit_test(test_check_ram),
		cmocka_unit_test(test_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
