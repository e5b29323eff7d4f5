/*
 * tests/fuzz/fuzz_linux.c - libFuzzer harness of the Linux boot protocol's
 * pure part (kernel/linux_image.c): any bytes as a bzImage, through
 * linux_image_parse -> linux_image_place_kernel (a fixed guest: RAM below
 * 640 KiB and 1-64 MiB, the loader's avoided ranges) -> the initramfs
 * placed as kernel/linux_guest.c does -> linux_zero_page_build, checked
 * against what the loader relies on: the kernel's bytes inside the file,
 * hdr_end in [0x264, 0x290], every checked field as the header says, the
 * kernel and initramfs inside RAM, aligned, clear of each other and of the
 * avoided ranges, at the place a brute-force search finds; the zero page
 * holding the header up to hdr_end, nothing past it and the loader's fields.
 * Inputs too small for a bzImage are also read as a placement problem
 * (small RAM / avoid ranges, size, alignment, limits) and an e820 map,
 * compared with brute force and with the map's rules. Any failed check
 * aborts (the input is kept by libFuzzer). Seeds: FUZZ_LINUX_SEEDS=dir
 * makes the binary write bzImage headers built here into dir and exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/linux_image.h"
#include "kernel/error.h"

#define KIB 1024ULL
#define MIB (1024ULL * 1024)

static const struct linux_range ram[] = { { 0, 0xA0000 }, { MIB, 64 * MIB } };
/* page 0, the boot VCPU's page tables (0x1000, 24 KiB), the boot data at 64 KiB */
static const struct linux_range boot_avoid[] = { { 0, 0x1000 }, { 0x1000, 0x7000 }, { 0x10000, 0x13000 } };
static const struct linux_e820 regions[] = {
	{ MIB, 63 * MIB, LINUX_E820_RAM },
	{ 0xF0000, 0x10000, LINUX_E820_RESERVED },
	{ 0, 0xA0000, LINUX_E820_RAM },
	{ 0xFEC00000, 0x1000, LINUX_E820_RESERVED },
};

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz_linux: %s:%d: check failed: %s\n", \
					   __FILE__, __LINE__, #c); abort(); } } while (0)

static u16 rd16(const u8 *p) { u16 v; memcpy(&v, p, 2); return v; }
static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 rd64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

static bool overlap(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

static bool in_ram(const struct linux_range *r, u32 nr, u64 a, u64 size)
{
	for (u32 i = 0; i < nr; i++)
		if (a >= r[i].start && a + size <= r[i].end && a + size >= a)
			return true;
	return false;
}

static bool clear(const struct linux_range *av, u32 nr, u64 a, u64 size)
{
	for (u32 i = 0; i < nr; i++)
		if (overlap(a, a + size, av[i].start, av[i].end))
			return false;
	return true;
}

/* The place linux_place() must find, by trying every aligned address in [0, top). */
static bool brute_place(const struct linux_range *r, u32 nr_r, const struct linux_range *av, u32 nr_av,
			u64 size, u64 align, u64 lo, u64 hi, bool highest, u64 top, u64 *at)
{
	bool found = false;

	for (u64 a = 0; a < top; a += align) {
		if (a < lo || a + size > hi || !in_ram(r, nr_r, a, size) || !clear(av, nr_av, a, size))
			continue;
		*at = a;
		found = true;
		if (!highest)
			break;
	}
	return found;
}

/* ---- small inputs: linux_place and linux_e820_build ---- */

static void fuzz_place_and_e820(const u8 *d, size_t n)
{
	struct linux_range r[4], av[4];
	struct linux_e820 in[8], out[8];
	u32 nr_r, nr_av, nr_in, nr_out, max;
	u64 size, align, lo, hi, at = 0, want = 0;
	bool highest, found;
	int rc;

	if (n < 8)
		return;
	/* addresses in 256-byte units below 64 KiB: brute force stays cheap */
	nr_r = d[0] % 5;
	nr_av = (d[0] >> 3) % 5;
	highest = d[0] >> 7;
	size = ((u64)d[1] << 4) | (d[2] & 0xF);		/* 0 .. 4095 units of 16 bytes */
	size *= 16;
	align = 1ULL << (d[2] >> 4);			/* 1 .. 32 KiB */
	if (d[3] == 0xFF)
		align = 0x1800;				/* not a power of two */
	lo = (u64)d[4] << 8;
	hi = d[5] == 0xFF ? ~0ULL : (u64)d[5] << 8;
	d += 6;
	n -= 6;
	for (u32 i = 0; i < nr_r; i++) {
		u64 s = n >= 2 ? (u64)d[0] << 8 : 0, e = n >= 2 ? s + ((u64)d[1] << 8) : 0;

		r[i] = (struct linux_range){ s, e };
		if (n >= 2) {
			d += 2;
			n -= 2;
		}
	}
	for (u32 i = 0; i < nr_av; i++) {
		u64 s = n >= 2 ? (u64)d[0] << 8 : 0, e = n >= 2 ? s + ((u64)d[1] << 4) + 1 : 1;

		av[i] = (struct linux_range){ s, e };	/* never empty */
		if (n >= 2) {
			d += 2;
			n -= 2;
		}
	}
	rc = linux_place(r, nr_r, av, nr_av, size, align, lo, hi, highest, &at);
	if (!size || !align || (align & (align - 1))) {
		CHECK(rc == -VMM_EINVALID);
	} else {
		found = brute_place(r, nr_r, av, nr_av, size, align, lo, hi, highest, 0x20000, &want);
		CHECK(found ? rc == VMM_OK : rc == -VMM_ENOSPC);
		if (found)
			CHECK(at == want);
	}

	/* e820: entries of 3 bytes each (start, size in units of 4 KiB, type) */
	max = n ? 1 + n % 8 : 8;
	nr_in = 0;
	while (n >= 3 && nr_in < 8) {
		in[nr_in++] = (struct linux_e820){ (u64)d[0] << 12, (u64)d[1] << 12, 1 + d[2] % 3 };
		d += 3;
		n -= 3;
	}
	rc = linux_e820_build(in, nr_in, out, max, &nr_out);
	{
		u32 nonempty = 0;
		bool overlaps = false;
		u64 total = 0, got = 0;

		for (u32 i = 0; i < nr_in; i++) {
			if (!in[i].size)
				continue;
			nonempty++;
			total += in[i].size;
			for (u32 j = 0; j < i; j++)
				if (in[j].size && overlap(in[i].addr, in[i].addr + in[i].size,
							  in[j].addr, in[j].addr + in[j].size))
					overlaps = true;
		}
		if (overlaps || nonempty > max) {
			CHECK(rc == -VMM_EINVALID);
			return;
		}
		CHECK(rc == VMM_OK);
		CHECK(nr_out <= nonempty);
		for (u32 i = 0; i < nr_out; i++) {
			CHECK(out[i].size);
			got += out[i].size;
			if (i) {
				CHECK(out[i - 1].addr + out[i - 1].size <= out[i].addr);
				CHECK(!(out[i - 1].addr + out[i - 1].size == out[i].addr &&
					out[i - 1].type == out[i].type));
			}
			/* every output byte is of the type some input gave it */
			for (u32 j = 0; j < nr_in; j++)
				if (in[j].size && overlap(out[i].addr, out[i].addr + out[i].size,
							  in[j].addr, in[j].addr + in[j].size))
					CHECK(in[j].type == out[i].type);
		}
		CHECK(got == total);
	}
}

/* ---- bzImages ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct linux_image im;
	static u8 zp[LINUX_ZERO_PAGE_BYTES];
	struct linux_range avoid[5];
	struct linux_e820 map[8];
	struct linux_boot_in in;
	char err[192];
	u8 *img = malloc(size ? size : 1);
	u64 load, want, initrd = 0, initrd_size, hi;
	u32 nr_map;
	int rc;

	memcpy(img, data, size);	/* exactly 'size' bytes: ASan sees any overread */
	err[0] = 0;
	rc = linux_image_parse(img, size, &im, err, sizeof(err));
	if (rc) {
		CHECK(rc == -VMM_EINVALID && err[0]);	/* a refusal always says why */
		if (size < 0x400)
			fuzz_place_and_e820(img, size);
		free(img);
		return 0;
	}
	/* what was accepted is what the header says, and sane */
	CHECK(size >= 0x400);
	CHECK(rd16(img + LINUX_OFF_BOOT_FLAG) == LINUX_BOOT_FLAG);
	CHECK(rd32(img + LINUX_OFF_HEADER) == LINUX_HDR_MAGIC);
	CHECK(im.version == rd16(img + LINUX_OFF_VERSION) && im.version >= LINUX_MIN_VERSION);
	CHECK(im.hdr_end >= LINUX_HDR_END_MIN && im.hdr_end <= LINUX_OFF_HDR_LIMIT);
	CHECK(im.hdr_end == (0x202u + img[LINUX_OFF_JUMP + 1] < LINUX_OFF_HDR_LIMIT ?
			     0x202u + img[LINUX_OFF_JUMP + 1] : LINUX_OFF_HDR_LIMIT));
	CHECK(im.setup_bytes == ((img[LINUX_OFF_SETUP_SECTS] ? img[LINUX_OFF_SETUP_SECTS] : 4) + 1u) * 512);
	CHECK(im.setup_bytes < size && im.kernel_bytes == size - im.setup_bytes && im.kernel_bytes);
	CHECK(im.xloadflags & LINUX_XLF_KERNEL_64);
	CHECK(im.loadflags & LINUX_LOADED_HIGH);
	CHECK(im.kernel_alignment >= 4096 && !(im.kernel_alignment & (im.kernel_alignment - 1)));
	CHECK(im.kernel_alignment == rd32(img + LINUX_OFF_KERNEL_ALIGNMENT));
	CHECK(im.pref_address == rd64(img + LINUX_OFF_PREF_ADDRESS));
	CHECK(im.init_size == rd32(img + LINUX_OFF_INIT_SIZE) && im.init_size >= im.kernel_bytes);
	CHECK(im.initrd_addr_max && im.cmdline_size);
	CHECK(im.relocatable == (img[LINUX_OFF_RELOCATABLE] != 0));

	/* the kernel */
	err[0] = 0;
	rc = linux_image_place_kernel(&im, ram, 2, boot_avoid, 3, &load, err, sizeof(err));
	{
		bool pref_ok = im.pref_address + im.init_size <= (1ULL << 32) &&
			       !(im.pref_address & (im.kernel_alignment - 1)) &&
			       in_ram(ram, 2, im.pref_address, im.init_size) &&
			       clear(boot_avoid, 3, im.pref_address, im.init_size);
		bool found = pref_ok;

		want = im.pref_address;
		/* KNOWN BUG until fixed: the kernel runs at max(load, pref_address) (head_64.S) */
		if (!pref_ok && im.relocatable)
			found = brute_place(ram, 2, boot_avoid, 3, im.init_size, im.kernel_alignment,
					    im.pref_address > MIB ? im.pref_address : MIB, 1ULL << 32, false,
					    64 * MIB, &want);
		if (!found) {
			CHECK(rc == -VMM_ENOSPC && err[0]);
			free(img);
			return 0;
		}
		CHECK(rc == VMM_OK);
		CHECK(load == want);
	}
	CHECK(!(load & (im.kernel_alignment - 1)));
	CHECK(in_ram(ram, 2, load, im.init_size) && clear(boot_avoid, 3, load, im.init_size));
	CHECK(load + im.init_size <= (1ULL << 32));

	/* the initramfs, as linux_guest.c places it: size from the image's last bytes */
	memcpy(avoid, boot_avoid, sizeof(boot_avoid));
	avoid[3] = (struct linux_range){ load, load + im.init_size };
	initrd_size = (rd16(img + size - 2) & 0x3FFF) * 4096ULL;	/* 0 .. 64 MiB: 0 = none */
	hi = (u64)im.initrd_addr_max + 1;
	if (hi > (1ULL << 32))
		hi = 1ULL << 32;
	if (initrd_size) {
		bool found = brute_place(ram, 2, avoid, 4, initrd_size, 4096, MIB, hi, true, 64 * MIB, &want);

		rc = linux_place(ram, 2, avoid, 4, initrd_size, 4096, MIB, hi, true, &initrd);
		CHECK(found ? rc == VMM_OK : rc == -VMM_ENOSPC);
		if (!found)
			initrd_size = 0;
		else {
			CHECK(initrd == want);
			CHECK(in_ram(ram, 2, initrd, initrd_size) && clear(avoid, 4, initrd, initrd_size));
			CHECK(initrd + initrd_size - 1 <= im.initrd_addr_max);
		}
	}

	/* the zero page */
	CHECK(linux_e820_build(regions, 4, map, 8, &nr_map) == VMM_OK && nr_map == 4);
	in = (struct linux_boot_in){ .cmdline_gpa = 0x12000, .initrd_gpa = initrd, .initrd_size = initrd_size,
				     .e820 = map, .nr_e820 = nr_map, .rsdp_gpa = size & 1 ? 0xE0000 : 0 };
	memset(zp, 0xA5, sizeof(zp));
	CHECK(linux_zero_page_build(zp, img, &im, &in) == VMM_OK);
	for (u32 off = 0; off < LINUX_OFF_SETUP_SECTS; off++) {
		bool field = (off >= LINUX_OFF_ACPI_RSDP && off < LINUX_OFF_ACPI_RSDP + 8) ||
			     (off >= LINUX_OFF_EXT_RAMDISK_IMAGE && off < LINUX_OFF_EXT_CMD_LINE_PTR + 4) ||
			     (off >= LINUX_OFF_ALT_MEM_K && off < LINUX_OFF_ALT_MEM_K + 4) ||
			     off == LINUX_OFF_E820_ENTRIES;

		CHECK(field || !zp[off]);
	}
	CHECK(zp[LINUX_OFF_SENTINEL] == 0);
	for (u32 off = LINUX_OFF_SETUP_SECTS; off < im.hdr_end; off++) {
		bool written = off == LINUX_OFF_TYPE_OF_LOADER || off == LINUX_OFF_LOADFLAGS ||
			       (off >= LINUX_OFF_RAMDISK_IMAGE && off < LINUX_OFF_RAMDISK_SIZE + 4) ||
			       (off >= LINUX_OFF_CMD_LINE_PTR && off < LINUX_OFF_CMD_LINE_PTR + 4) ||
			       (off >= LINUX_OFF_HARDWARE_SUBARCH && off < LINUX_OFF_HARDWARE_SUBARCH + 4) ||
			       (off >= LINUX_OFF_SETUP_DATA && off < LINUX_OFF_SETUP_DATA + 8);

		CHECK(written || zp[off] == img[off]);
	}
	for (u32 off = im.hdr_end; off < LINUX_OFF_E820_TABLE; off++)
		CHECK(!zp[off]);
	for (u32 off = LINUX_OFF_E820_TABLE + nr_map * LINUX_E820_ENTRY_BYTES; off < sizeof(zp); off++)
		CHECK(!zp[off]);
	CHECK(zp[LINUX_OFF_TYPE_OF_LOADER] == LINUX_LOADER_TYPE);
	CHECK(zp[LINUX_OFF_LOADFLAGS] == (im.loadflags & ~LINUX_CAN_USE_HEAP));
	CHECK(rd32(zp + LINUX_OFF_CMD_LINE_PTR) == 0x12000 && !rd32(zp + LINUX_OFF_EXT_CMD_LINE_PTR));
	/* KNOWN BUG until fixed: without an initramfs, 0 (not the image's header bytes) */
	CHECK(rd32(zp + LINUX_OFF_RAMDISK_IMAGE) == (initrd_size ? initrd : 0));
	CHECK(rd32(zp + LINUX_OFF_RAMDISK_SIZE) == initrd_size);
	CHECK(!rd32(zp + LINUX_OFF_EXT_RAMDISK_IMAGE) && !rd32(zp + LINUX_OFF_EXT_RAMDISK_SIZE));
	CHECK(!rd32(zp + LINUX_OFF_HARDWARE_SUBARCH) && !rd64(zp + LINUX_OFF_SETUP_DATA));
	CHECK(rd64(zp + LINUX_OFF_ACPI_RSDP) == in.rsdp_gpa);
	CHECK(zp[LINUX_OFF_E820_ENTRIES] == nr_map);
	for (u32 i = 0; i < nr_map; i++) {
		const u8 *e = zp + LINUX_OFF_E820_TABLE + i * LINUX_E820_ENTRY_BYTES;

		CHECK(rd64(e) == map[i].addr && rd64(e + 8) == map[i].size && rd32(e + 16) == map[i].type);
	}
	CHECK(rd32(zp + LINUX_OFF_ALT_MEM_K) == 63 * 1024);
	free(img);
	return 0;
}

/* ---- seeds ---- */

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

/* A protocol 2.15 header like a real bzImage's, in 'len' bytes. */
static void seed_header(u8 *b, size_t len, u8 sects, u8 jump, u8 reloc, u32 align, u64 pref, u32 init)
{
	memset(b, 0, len);
	b[LINUX_OFF_SETUP_SECTS] = sects;
	put16(b + LINUX_OFF_BOOT_FLAG, LINUX_BOOT_FLAG);
	b[LINUX_OFF_JUMP] = 0xEB;
	b[LINUX_OFF_JUMP + 1] = jump;
	put32(b + LINUX_OFF_HEADER, LINUX_HDR_MAGIC);
	put16(b + LINUX_OFF_VERSION, 0x020F);
	b[LINUX_OFF_LOADFLAGS] = LINUX_LOADED_HIGH | LINUX_CAN_USE_HEAP;
	put32(b + LINUX_OFF_INITRD_ADDR_MAX, 0x7FFFFFFF);
	put32(b + LINUX_OFF_KERNEL_ALIGNMENT, align);
	b[LINUX_OFF_RELOCATABLE] = reloc;
	put16(b + LINUX_OFF_XLOADFLAGS, LINUX_XLF_KERNEL_64 | 0x2);
	put32(b + LINUX_OFF_CMDLINE_SIZE, 2047);
	put64(b + LINUX_OFF_PREF_ADDRESS, pref);
	put32(b + LINUX_OFF_INIT_SIZE, init);
	put16(b + len - 2, 0x0100);	/* a 1 MiB initramfs */
}

static void write_seed(const char *dir, const char *name, const u8 *b, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len) {
		fprintf(stderr, "fuzz_linux: cannot write seed %s\n", path);
		exit(1);
	}
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static u8 b[0x1000];
	const char *dir = getenv("FUZZ_LINUX_SEEDS");
	static const u8 place[] = { 0x92, 0x20, 0x35, 0, 0x01, 0xFF, 0x00, 0x80, 0x40, 0x80,
				    0x10, 0x04, 0x30, 0x20, 0x00, 0x10, 0x01, 0x10, 0x02, 0x02 };

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	seed_header(b, 0x800, 1, 0x6A, 1, 2 * MIB, 16 * MIB, 4 * MIB);
	write_seed(dir, "debian-like", b, 0x800);
	seed_header(b, 0x1000, 0, 0x6A, 1, 2 * MIB, 16 * MIB, 50 * MIB);	/* pref does not fit */
	write_seed(dir, "relocated", b, 0x1000);
	seed_header(b, 0x800, 1, 0x62, 0, 4096, MIB, 0x20000);			/* low, fixed */
	write_seed(dir, "fixed-low", b, 0x800);
	seed_header(b, 0x800, 2, 0xFF, 1, 64 * KIB, 0x10000, MIB);		/* pref over the boot data */
	write_seed(dir, "long-header", b, 0x800);
	write_seed(dir, "place-e820", place, sizeof(place));
	exit(0);
}
