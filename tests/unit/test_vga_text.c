/*
 * tests/unit/test_vga_text.c - the VGA text-mode model (devemu/vga_text.c):
 * the text buffer at 0xB8000 with accesses of every width at any offset and
 * across its end, the CRT controller's registers (mode-3 values after reset,
 * cursor and start address, write protection of registers 0-7, 16-bit index
 * writes, indexes past 0x18), the state shared by the two regions, guest
 * reset, and vmm_vga_text_snapshot() (trimmed lines, start address, wrap,
 * character mapping, truncation, guests without the device).
 *
 * The models are driven through their ops tables; the shared-state service
 * of devemu is a fake in this file (devemu/devemu.o is not linked).
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
#include "tests/unit/fake_heap.h"
#include "devemu/devemu.h"
#include "devemu/vga_text.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/error.h"

extern const struct vmm_emulator vga_text_emulator;
extern const struct vmm_emulator vga_crtc_emulator;

/* ---- fake devemu shared state ---- */

static struct vmm_guest guest;
static struct { const char *key; void *data; } shared[2];

void *vmm_devemu_guest_shared(struct vmm_guest *g, const char *key, size_t size)
{
	assert_ptr_equal(g, &guest);
	for (size_t i = 0; i < ARRAY_SIZE(shared); i++) {
		if (shared[i].key && !strcmp(shared[i].key, key))
			return shared[i].data;
		if (!shared[i].key) {
			shared[i].data = vmm_zalloc(size);
			if (shared[i].data)
				shared[i].key = key;
			return shared[i].data;
		}
	}
	return NULL;
}

/* ---- the guest: RAM, the text buffer and the CRTC ---- */

enum { RAM, TEXT, CRTC, NR_REGIONS };
static struct vmm_aspace aspace;
static struct vmm_region_config cfgs[NR_REGIONS];
static struct vmm_region regions[NR_REGIONS];
static struct vmm_emudev devs[NR_REGIONS];

static void region(int i, const char *name, bool io, u64 gpa, u64 size,
		   const struct vmm_emulator *emu)
{
	snprintf(cfgs[i].name, sizeof(cfgs[i].name), "%s", name);
	cfgs[i].kind = emu ? VMM_REGION_VIRTUAL : VMM_REGION_RAM;
	cfgs[i].io = io;
	cfgs[i].gpa = gpa;
	cfgs[i].size = size;
	regions[i].cfg = &cfgs[i];
	if (emu) {
		devs[i].guest = &guest;
		devs[i].region = &regions[i];
		devs[i].emu = emu;
		regions[i].emudev = &devs[i];
	}
}

static void start(void)
{
	for (int i = 0; i < NR_REGIONS; i++) {
		struct vmm_emudev *ed = regions[i].emudev;

		if (!ed)
			continue;
		assert_int_equal(ed->emu->probe(ed), VMM_OK);
		assert_int_equal(ed->emu->reset(ed), VMM_OK);
	}
}

static u64 mem_rd(u64 off, u32 width)
{
	u64 v = 0x5555;

	assert_int_equal(vga_text_emulator.read(&devs[TEXT], off, width, &v), VMM_OK);
	return v;
}

static void mem_wr(u64 off, u32 width, u64 v)
{
	assert_int_equal(vga_text_emulator.write(&devs[TEXT], off, width, v), VMM_OK);
}

static u8 crtc_rd(u8 index)
{
	u64 v = 0x5555;

	assert_int_equal(vga_crtc_emulator.write(&devs[CRTC], 0, 1, index), VMM_OK);
	assert_int_equal(vga_crtc_emulator.read(&devs[CRTC], 1, 1, &v), VMM_OK);
	assert_true(v <= 0xFF);
	return (u8)v;
}

static void crtc_wr(u8 index, u8 v)
{
	assert_int_equal(vga_crtc_emulator.write(&devs[CRTC], 0, 1, index), VMM_OK);
	assert_int_equal(vga_crtc_emulator.write(&devs[CRTC], 1, 1, v), VMM_OK);
}

/* Put a string at row, col (attribute 0x1F), one byte write per character. */
static void put(u32 row, u32 col, const char *s)
{
	for (u32 i = 0; s[i]; i++) {
		mem_wr((row * 80 + col + i) * 2, 1, (u8)s[i]);
		mem_wr((row * 80 + col + i) * 2 + 1, 1, 0x1F);
	}
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	memset(&guest, 0, sizeof(guest));
	memset(&aspace, 0, sizeof(aspace));
	memset(cfgs, 0, sizeof(cfgs));
	memset(regions, 0, sizeof(regions));
	memset(devs, 0, sizeof(devs));
	memset(shared, 0, sizeof(shared));
	snprintf(guest.name, sizeof(guest.name), "g0");
	guest.aspace = &aspace;
	aspace.regions = regions;
	aspace.nr_regions = NR_REGIONS;
	region(RAM, "lowmem", false, 0, 640 * KiB, NULL);
	region(TEXT, "vga_text", false, 0xB8000, 0x8000, &vga_text_emulator);
	region(CRTC, "vga_crtc", true, 0x3D4, 2, &vga_crtc_emulator);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(shared); i++)
		vmm_free(shared[i].data);
	assert_int_equal(fake_heap_live, 0);
	return 0;
}

/* ---- text buffer ---- */

static void test_reset_blank_screen(void **state)
{
	(void)state;
	start();
	/* light grey blanks everywhere, as after a mode set */
	for (u64 off = 0; off < 0x8000; off += 2)
		assert_int_equal(mem_rd(off, 2), 0x0720);
	assert_int_equal(mem_rd(0, 8), 0x0720072007200720ULL);
	assert_int_equal(mem_rd(0x7FFF, 1), 0x07);
}

static void test_access_widths(void **state)
{
	(void)state;
	start();
	mem_wr(0, 1, 0x41);
	mem_wr(1, 1, 0x1E);
	assert_int_equal(mem_rd(0, 2), 0x1E41);
	mem_wr(2, 2, 0x2F42);
	assert_int_equal(mem_rd(2, 1), 0x42);
	assert_int_equal(mem_rd(3, 1), 0x2F);
	mem_wr(4, 4, 0x4F444F43);
	assert_int_equal(mem_rd(0, 8), 0x4F444F432F421E41ULL);
	mem_wr(8, 8, 0x0123456789ABCDEFULL);
	assert_int_equal(mem_rd(8, 8), 0x0123456789ABCDEFULL);
	/* unaligned */
	mem_wr(0x101, 4, 0xAABBCCDD);
	assert_int_equal(mem_rd(0x100, 1), 0x20);
	assert_int_equal(mem_rd(0x101, 4), 0xAABBCCDD);
	assert_int_equal(mem_rd(0x102, 2), 0xBBCC);
	assert_int_equal(mem_rd(0x105, 1), 0x07);
	/* the last page of the buffer is memory too */
	mem_wr(0x7FF8, 8, 0x1122334455667788ULL);
	assert_int_equal(mem_rd(0x7FF8, 8), 0x1122334455667788ULL);
}

static void test_access_across_the_end(void **state)
{
	(void)state;
	start();
	mem_wr(0x7FFE, 4, 0x44332211);
	assert_int_equal(mem_rd(0x7FFE, 2), 0x2211);
	/* bytes past the end read 0xFF */
	assert_int_equal(mem_rd(0x7FFE, 4), 0xFFFF2211);
	assert_int_equal(mem_rd(0x8000, 1), 0xFF);
	mem_wr(0x8000, 2, 0);			/* dropped */
	assert_int_equal(mem_rd(0x7FFE, 2), 0x2211);
}

/* ---- CRT controller ---- */

static void test_crtc_mode3_values(void **state)
{
	static const u8 mode3[25] = {
		0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00,
		0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
	};
	u64 v;

	(void)state;
	start();
	assert_int_equal(vga_crtc_emulator.read(&devs[CRTC], 0, 1, &v), VMM_OK);
	assert_int_equal(v, 0);
	for (u8 i = 0; i < 25; i++)
		assert_int_equal(crtc_rd(i), mode3[i]);
	/* cursor: scan lines 13-14, at the top left; start address 0 */
	assert_int_equal(crtc_rd(0x0A), 0x0D);
	assert_int_equal(crtc_rd(0x0B), 0x0E);
}

static void test_crtc_cursor_and_start(void **state)
{
	(void)state;
	start();
	crtc_wr(0x0E, 0x07);
	crtc_wr(0x0F, 0xCF);			/* cursor at 1999: row 24, col 79 */
	crtc_wr(0x0C, 0x01);
	crtc_wr(0x0D, 0x40);
	crtc_wr(0x0A, 0x20);			/* cursor off */
	crtc_wr(0x0B, 0x0F);
	assert_int_equal(crtc_rd(0x0E), 0x07);
	assert_int_equal(crtc_rd(0x0F), 0xCF);
	assert_int_equal(crtc_rd(0x0C), 0x01);
	assert_int_equal(crtc_rd(0x0D), 0x40);
	assert_int_equal(crtc_rd(0x0A), 0x20);
	assert_int_equal(crtc_rd(0x0B), 0x0F);
}

static void test_crtc_write_protect(void **state)
{
	(void)state;
	start();
	/* register 0x11 bit 7 is set in mode 3: 0-6 read-only, 7 but bit 4 */
	crtc_wr(0x00, 0x12);
	crtc_wr(0x06, 0x34);
	crtc_wr(0x07, 0x00);
	assert_int_equal(crtc_rd(0x00), 0x5F);
	assert_int_equal(crtc_rd(0x06), 0xBF);
	assert_int_equal(crtc_rd(0x07), 0x0F);
	crtc_wr(0x07, 0xFF);
	assert_int_equal(crtc_rd(0x07), 0x1F);
	crtc_wr(0x08, 0x05);			/* 8 and up are never protected */
	assert_int_equal(crtc_rd(0x08), 0x05);
	crtc_wr(0x11, 0x0E);			/* unprotect */
	crtc_wr(0x00, 0x12);
	crtc_wr(0x07, 0x00);
	assert_int_equal(crtc_rd(0x00), 0x12);
	assert_int_equal(crtc_rd(0x07), 0x00);
}

static void test_crtc_word_writes(void **state)
{
	u64 v;

	(void)state;
	start();
	/* OUT DX, AX with DX = 0x3D4: index in AL, data in AH */
	assert_int_equal(vga_crtc_emulator.write(&devs[CRTC], 0, 2, 0x340E), VMM_OK);
	assert_int_equal(crtc_rd(0x0E), 0x34);
	assert_int_equal(vga_crtc_emulator.write(&devs[CRTC], 0, 2, 0x560F), VMM_OK);
	assert_int_equal(vga_crtc_emulator.read(&devs[CRTC], 0, 2, &v), VMM_OK);
	assert_int_equal(v, 0x560F);
	assert_int_equal(vga_crtc_emulator.read(&devs[CRTC], 1, 1, &v), VMM_OK);
	assert_int_equal(v, 0x56);
}

static void test_crtc_index_out_of_range(void **state)
{
	u64 v;

	(void)state;
	start();
	crtc_wr(0x19, 0x12);
	assert_int_equal(crtc_rd(0x19), 0xFF);
	assert_int_equal(crtc_rd(0xFF), 0xFF);
	assert_int_equal(vga_crtc_emulator.read(&devs[CRTC], 0, 1, &v), VMM_OK);
	assert_int_equal(v, 0xFF);		/* the index reads back */
	/* nothing below was touched */
	assert_int_equal(crtc_rd(0x18), 0xFF);
	assert_int_equal(crtc_rd(0x17), 0xA3);
}

static void test_guest_reset(void **state)
{
	(void)state;
	start();
	put(3, 3, "text");
	crtc_wr(0x0E, 0x01);
	crtc_wr(0x11, 0x00);
	start();			/* probe again finds the same state */
	assert_int_equal(mem_rd((3 * 80 + 3) * 2, 2), 0x0720);
	assert_int_equal(crtc_rd(0x0E), 0x00);
	assert_int_equal(crtc_rd(0x11), 0x8E);
	assert_ptr_equal(devs[TEXT].priv, devs[CRTC].priv);
}

static void test_probe_out_of_memory(void **state)
{
	(void)state;
	fake_heap_fail_nth(1);
	assert_int_equal(vga_text_emulator.probe(&devs[TEXT]), -VMM_ENOMEM);
	fake_heap_fail_nth(1);
	assert_int_equal(vga_crtc_emulator.probe(&devs[CRTC]), -VMM_ENOMEM);
}

/* ---- snapshot ---- */

static void test_snapshot_blank(void **state)
{
	char buf[VGA_TEXT_SNAPSHOT_MAX];
	char want[26];

	(void)state;
	start();
	memset(want, '\n', 25);
	want[25] = 0;
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, sizeof(buf)), 25);
	assert_string_equal(buf, want);
}

static void test_snapshot_text(void **state)
{
	char buf[VGA_TEXT_SNAPSHOT_MAX], want[VGA_TEXT_SNAPSHOT_MAX], full[81];
	int n;

	(void)state;
	start();
	put(0, 0, "Hello, guest");
	put(1, 10, "indented   ");		/* trailing blanks trimmed */
	put(24, 75, "World");			/* last cell of the screen */
	memset(full, 'x', 80);
	full[80] = 0;
	put(12, 0, full);
	/* NUL shows as a blank, other non-ASCII as '.' */
	mem_wr((5 * 80 + 0) * 2, 1, 0x00);
	mem_wr((5 * 80 + 1) * 2, 1, 0xB3);
	mem_wr((5 * 80 + 2) * 2, 1, 0x0A);
	mem_wr((5 * 80 + 3) * 2, 1, 0x7F);
	mem_wr((5 * 80 + 4) * 2, 1, '~');
	n = snprintf(want, sizeof(want),
		     "Hello, guest\n          indented\n\n\n\n ...~\n\n\n\n\n\n\n%s\n"
		     "\n\n\n\n\n\n\n\n\n\n\n%75sWorld\n", full, "");
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, sizeof(buf)), n);
	assert_string_equal(buf, want);
	/* a full screen fits VGA_TEXT_SNAPSHOT_MAX */
	for (u32 r = 0; r < 25; r++)
		put(r, 0, full);
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, sizeof(buf)), 25 * 81);
	assert_int_equal(strlen(buf), 25 * 81);
	assert_int_equal(VGA_TEXT_SNAPSHOT_MAX, 25 * 81 + 1);
}

static void test_snapshot_start_address(void **state)
{
	char buf[VGA_TEXT_SNAPSHOT_MAX];

	(void)state;
	start();
	put(0, 0, "row0");
	put(1, 0, "row1");
	put(25, 0, "row25");			/* below the visible screen */
	crtc_wr(0x0C, 0x00);
	crtc_wr(0x0D, 80);			/* scrolled by one row */
	vmm_vga_text_snapshot(&guest, buf, sizeof(buf));
	assert_memory_equal(buf, "row1\n", 5);
	assert_non_null(strstr(buf, "\nrow25\n"));
	assert_null(strstr(buf, "row0"));
	/* the start address wraps at the end of the 32 KiB window */
	crtc_wr(0x0C, 0x3F);
	crtc_wr(0x0D, 0xF8);			/* cell 0x3FF8 = 8 cells before the end */
	mem_wr(0x7FF0, 1, 'E');
	put(0, 2, "WRAP");
	vmm_vga_text_snapshot(&guest, buf, sizeof(buf));
	assert_memory_equal(buf, "E       roWRAP\n", 15);
}

static void test_snapshot_truncated(void **state)
{
	char buf[10];
	char big[VGA_TEXT_SNAPSHOT_MAX];
	int n;

	(void)state;
	start();
	put(0, 0, "0123456789abcdef");
	n = vmm_vga_text_snapshot(&guest, big, sizeof(big));
	assert_int_equal(n, 16 + 25);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, sizeof(buf)), n);
	assert_string_equal(buf, "012345678");
	/* size 0: only the length, nothing written */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, 0), n);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, 1), n);
	assert_int_equal(buf[0], 0);
}

static void test_snapshot_without_device(void **state)
{
	char buf[64] = "unchanged";

	(void)state;
	/* only the CRTC */
	regions[TEXT].emudev = NULL;
	start();
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, sizeof(buf)), -VMM_ENOENT);
	assert_string_equal(buf, "unchanged");
	/* no address space at all */
	guest.aspace = NULL;
	assert_int_equal(vmm_vga_text_snapshot(&guest, buf, sizeof(buf)), -VMM_ENOENT);
}

/* ---- cursor and rendering ---- */

static void test_cursor(void **state)
{
	u32 row = 99, col = 99;

	(void)state;
	start();
	/* mode 3 at reset: cursor at cell 0, shown (0x0A = 0x0D) */
	assert_int_equal(vmm_vga_text_cursor(&guest, &row, &col), 1);
	assert_int_equal(row, 0);
	assert_int_equal(col, 0);
	crtc_wr(0x0E, (3 * 80 + 7) >> 8);
	crtc_wr(0x0F, (3 * 80 + 7) & 0xFF);
	assert_int_equal(vmm_vga_text_cursor(&guest, &row, &col), 1);
	assert_int_equal(row, 3);
	assert_int_equal(col, 7);
	/* counted from the start address */
	crtc_wr(0x0D, 80);
	assert_int_equal(vmm_vga_text_cursor(&guest, &row, &col), 1);
	assert_int_equal(row, 2);
	assert_int_equal(col, 7);
	/* above the start: off the screen */
	crtc_wr(0x0D, 250);
	assert_int_equal(vmm_vga_text_cursor(&guest, &row, &col), 0);
	assert_int_equal(row, VGA_TEXT_ROWS);
	/* cursor disable bit */
	crtc_wr(0x0D, 0);
	crtc_wr(0x0A, 0x2D);
	assert_int_equal(vmm_vga_text_cursor(&guest, &row, &col), 0);
	assert_int_equal(row, 3);
}

static void test_render(void **state)
{
	char buf[VGA_TEXT_RENDER_MAX];
	char want[83];
	const char *line;
	int n;

	(void)state;
	start();
	put(0, 0, "Hello");
	put(24, 78, "Z!");
	mem_wr((1 * 80) * 2, 1, 0x1B);	/* ESC shows as '.' */
	crtc_wr(0x0E, 0);
	crtc_wr(0x0F, 1 * 80 + 5);
	n = vmm_vga_text_render(&guest, buf, sizeof(buf));
	assert_int_equal(n, 27 * 83);
	assert_int_equal(n, VGA_TEXT_RENDER_MAX - 1);
	assert_int_equal(strlen(buf), (size_t)n);
	/* top border: 'v' above column 5 */
	memset(want, '-', sizeof(want));
	want[0] = '+';
	want[6] = 'v';
	want[81] = '+';
	want[82] = '\n';
	assert_memory_equal(buf, want, 83);
	line = buf + 83;
	assert_memory_equal(line, "|Hello     ", 11);
	assert_memory_equal(line + 80, " |\n", 3);
	line += 83;	/* the cursor's row */
	assert_memory_equal(line, ">.    ", 6);
	assert_memory_equal(line + 80, " <\n", 3);
	line = buf + 25 * 83;
	assert_memory_equal(line + 79, "Z!|\n", 4);
	want[6] = '^';
	assert_memory_equal(buf + 26 * 83, want, 83);
	/* cursor off: no markers */
	crtc_wr(0x0A, 0x2D);
	vmm_vga_text_render(&guest, buf, sizeof(buf));
	assert_null(strchr(buf, 'v'));
	assert_null(strchr(buf, '>'));
	assert_null(strchr(buf, '^'));
	/* cut to size, and no device */
	assert_int_equal(vmm_vga_text_render(&guest, buf, 4), n);
	assert_string_equal(buf, "+--");
	regions[TEXT].emudev = NULL;
	start();
	assert_int_equal(vmm_vga_text_render(&guest, buf, sizeof(buf)), -VMM_ENOENT);
	assert_int_equal(vmm_vga_text_cursor(&guest, (u32 *)&n, (u32 *)&n), -VMM_ENOENT);
}

static void test_emulator_table_entries(void **state)
{
	(void)state;
	assert_string_equal(vga_text_emulator.compatible[0], "vga-text");
	assert_string_equal(vga_crtc_emulator.compatible[0], "vga-crtc");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_blank_screen),
		T(test_access_widths),
		T(test_access_across_the_end),
		T(test_crtc_mode3_values),
		T(test_crtc_cursor_and_start),
		T(test_crtc_write_protect),
		T(test_crtc_word_writes),
		T(test_crtc_index_out_of_range),
		T(test_guest_reset),
		T(test_probe_out_of_memory),
		T(test_snapshot_blank),
		T(test_snapshot_text),
		T(test_snapshot_start_address),
		T(test_snapshot_truncated),
		T(test_snapshot_without_device),
		T(test_cursor),
		T(test_render),
		T(test_emulator_table_entries),
	};

	return cmocka_run_group_tests_name("vga_text", tests, NULL, NULL);
}
