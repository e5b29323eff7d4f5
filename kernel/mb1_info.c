/*
 * kernel/mb1_info.c - the Multiboot v1 boot information block (mb1_info.h).
 */
#include <string.h>
#include "kernel/mb1_info.h"
#include "kernel/error.h"

#define FOUR_GIB (1ULL << 32)
#define MB1_MAX_MEM 64

static void wr32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void wr64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static u64 str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

u64 mb1_info_size(const struct mb1_info_in *in)
{
	u64 n;

	if (in->nr_mem > MB1_MAX_MEM)
		return 0;
	n = MB1_INFO_BYTES + (u64)in->nr_mem * MB1_MMAP_ENTRY_BYTES +
	    (u64)in->nr_mods * MB1_MOD_BYTES + str_bytes(in->cmdline) + str_bytes(in->loader_name);
	for (u32 i = 0; i < in->nr_mods; i++)
		n += str_bytes(in->mods[i].string);
	return n < FOUR_GIB ? n : 0;
}

/* KiB of available memory contiguous from 'from' (merging touching ranges). */
static u64 contiguous_kib(const struct mb1_mem *sorted, u32 nr, u64 from)
{
	u64 end = from;
	bool grew = true;

	while (grew) {
		grew = false;
		for (u32 i = 0; i < nr; i++)
			if (sorted[i].type == MB1_MEM_AVAILABLE && sorted[i].base <= end &&
			    sorted[i].base + sorted[i].len > end) {
				end = sorted[i].base + sorted[i].len;
				grew = true;
			}
	}
	return (end - from) / 1024;
}

/* Copy a string to buf+*off and return its guest address. */
static u32 put_string(u8 *buf, u64 *off, u64 gpa, const char *s)
{
	u64 n = strlen(s) + 1;
	u32 at = (u32)(gpa + *off);

	memcpy(buf + *off, s, n);
	*off += n;
	return at;
}

int mb1_info_build(const struct mb1_info_in *in, u64 gpa, u8 *buf, u64 len)
{
	struct mb1_mem sorted[MB1_MAX_MEM];
	u64 size = mb1_info_size(in), off, lower, upper;
	u32 flags = MB1_INFO_MEMORY | MB1_INFO_MMAP;

	if (!size || size > len || gpa >= FOUR_GIB || size > FOUR_GIB - gpa)
		return -VMM_EINVALID;
	memset(buf, 0, size);
	/* insertion sort by base: the map in address order */
	for (u32 i = 0; i < in->nr_mem; i++) {
		u32 j = i;

		while (j && sorted[j - 1].base > in->mem[i].base) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = in->mem[i];
	}
	lower = contiguous_kib(sorted, in->nr_mem, 0);
	upper = contiguous_kib(sorted, in->nr_mem, MiB);
	wr32(buf + MB1_OFF_MEM_LOWER, (u32)(lower > 640 ? 640 : lower));
	wr32(buf + MB1_OFF_MEM_UPPER, (u32)(upper > 0xFFFFFFFFULL ? 0xFFFFFFFFULL : upper));
	off = MB1_INFO_BYTES;
	wr32(buf + MB1_OFF_MMAP_LENGTH, in->nr_mem * MB1_MMAP_ENTRY_BYTES);
	wr32(buf + MB1_OFF_MMAP_ADDR, (u32)(gpa + off));
	for (u32 i = 0; i < in->nr_mem; i++, off += MB1_MMAP_ENTRY_BYTES) {
		wr32(buf + off, MB1_MMAP_ENTRY_BYTES - 4);
		wr64(buf + off + 4, sorted[i].base);
		wr64(buf + off + 12, sorted[i].len);
		wr32(buf + off + 20, sorted[i].type);
	}
	{
		u64 mods = off, strings = off + (u64)in->nr_mods * MB1_MOD_BYTES;

		if (in->nr_mods) {
			flags |= MB1_INFO_MODS;
			wr32(buf + MB1_OFF_MODS_COUNT, in->nr_mods);
			wr32(buf + MB1_OFF_MODS_ADDR, (u32)(gpa + mods));
		}
		for (u32 i = 0; i < in->nr_mods; i++) {
			u8 *m = buf + mods + (u64)i * MB1_MOD_BYTES;

			wr32(m, in->mods[i].start);
			wr32(m + 4, in->mods[i].end);
			if (in->mods[i].string)
				wr32(m + 8, put_string(buf, &strings, gpa, in->mods[i].string));
		}
		off = strings;
	}
	if (in->cmdline) {
		flags |= MB1_INFO_CMDLINE;
		wr32(buf + MB1_OFF_CMDLINE, put_string(buf, &off, gpa, in->cmdline));
	}
	if (in->loader_name) {
		flags |= MB1_INFO_LOADER_NAME;
		wr32(buf + MB1_OFF_LOADER_NAME, put_string(buf, &off, gpa, in->loader_name));
	}
	wr32(buf + MB1_OFF_FLAGS, flags);
	return VMM_OK;
}
