/*
 * tests/fuzz/fuzz_mb1.c - libFuzzer harness of the Multiboot v1 image
 * parser and information builder (kernel/mb1_image.c, kernel/mb1_info.c):
 * any bytes as a kernel image. Whatever is accepted must hold what the
 * loader (kernel/mb1_guest.c) relies on: every segment's file bytes inside
 * the image, file size <= memory size, all below 4 GiB, no two segments
 * overlapping, the entry inside one; RAM checks and placement never place
 * anything outside RAM or over the kernel; the information block built for
 * the placed address stays within its computed size. The sanitizers catch
 * any read outside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/mb1_image.h"
#include "kernel/mb1_info.h"
#include "kernel/error.h"

static const struct mb1_range ram[] = { { 0, 0xA0000 }, { 0x100000, 0x800000 } };
static const struct mb1_mem mem[] = {
	{ 0, 0xA0000, MB1_MEM_AVAILABLE },
	{ 0x100000, 0x700000, MB1_MEM_AVAILABLE },
	{ 0xF0000, 0x10000, MB1_MEM_RESERVED },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb1_image im;
	char err[192];
	u64 at, info_at, info_size;
	u8 *copy = malloc(size ? size : 1), *buf;
	struct mb1_mod mods[1];
	struct mb1_info_in in;

	memcpy(copy, data, size);	/* exactly 'size' bytes: ASan sees any overread */
	if (mb1_image_parse(copy, size, &im, err, sizeof(err))) {
		if (!err[0])
			abort();	/* a refusal always says why */
		free(copy);
		return 0;
	}
	if (!im.nr_segs || im.nr_segs > MB1_MAX_SEGMENTS)
		abort();
	{
		bool entry_in = false;

		for (u32 i = 0; i < im.nr_segs; i++) {
			const struct mb1_segment *s = &im.segs[i];

			if (s->file_off > size || s->file_size > size - s->file_off ||
			    s->file_size > s->mem_size || !s->mem_size ||
			    s->paddr + s->mem_size > (1ULL << 32) ||
			    s->paddr < im.load_start || s->paddr + s->mem_size > im.load_end)
				abort();
			for (u32 j = 0; j < i; j++)
				if (s->paddr < im.segs[j].paddr + im.segs[j].mem_size &&
				    im.segs[j].paddr < s->paddr + s->mem_size)
					abort();
			if (im.entry >= s->paddr && im.entry - s->paddr < s->mem_size)
				entry_in = true;
		}
		if (!entry_in)
			abort();
	}
	if (mb1_image_check_ram(&im, ram, 2, err, sizeof(err))) {
		free(copy);
		return 0;
	}
	/* one module of the first 64 bytes' worth of size, placed after the kernel */
	if (mb1_place(ram, 2, im.load_end, (size & 0xFFFF) + 1, im.load_start, im.load_end, &at) == VMM_OK) {
		if (at < im.load_end && at + (size & 0xFFFF) + 1 > im.load_start)
			abort();
		if (at & 0xFFF)
			abort();
		mods[0] = (struct mb1_mod){ (u32)at, (u32)(at + (size & 0xFFFF) + 1), "mod x" };
		in = (struct mb1_info_in){ mem, 3, mods, 1, "cmdline", "fuzz" };
		info_size = mb1_info_size(&in);
		if (info_size && mb1_place(ram, 2, mods[0].end, info_size, im.load_start, im.load_end,
					   &info_at) == VMM_OK) {
			buf = malloc(info_size);
			if (mb1_info_build(&in, info_at, buf, info_size))
				abort();
			free(buf);
		}
	}
	free(copy);
	return 0;
}
