/*
 * kernel/mb1_image.h - Multiboot (v1, specification 0.6.96) kernel images
 * for guests, the pure part: finding and checking the Multiboot header,
 * reading the load segments from ELF32/ELF64 program headers or from the
 * header's address fields (the a.out kludge, flag bit 16), checking them
 * against the guest's RAM and finding places for modules and the boot
 * information. No I/O and no allocation: host-testable
 * (tests/unit/test_mb1_image.c) and fuzzed (tests/fuzz/fuzz_mb1.c). Every
 * value the image controls is checked before it is used; a problem is
 * described in 'err' ("bad checksum of the Multiboot header at offset
 * 0x40", ...) for the caller to print with the guest and image names.
 */
#ifndef KERNEL_MB1_IMAGE_H
#define KERNEL_MB1_IMAGE_H

#include "kernel/types.h"

#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_BOOT_MAGIC 0x2BADB002u	/* EAX at the kernel's entry */
#define MB1_SEARCH_BYTES 8192u		/* the header lies within the first 8 KiB */
#define MB1_MAX_SEGMENTS 16

/* header flags */
#define MB1_FLAG_PAGE_ALIGN (1u << 0)	/* modules page-aligned */
#define MB1_FLAG_MEMINFO (1u << 1)	/* mem_* and mmap wanted */
#define MB1_FLAG_VIDEO (1u << 2)	/* a video mode wanted: not offered */
#define MB1_FLAG_AOUT_KLUDGE (1u << 16)	/* load by the header's address fields */
/* required bits (0..15) a loader here honours */
#define MB1_FLAGS_HONOURED (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO)

enum mb1_format { MB1_FORMAT_AOUT, MB1_FORMAT_ELF32, MB1_FORMAT_ELF64 };

/* One piece of the kernel in guest-physical memory: file bytes, then zeros. */
struct mb1_segment {
	u64 paddr;
	u64 file_off;		/* where its bytes start in the image */
	u64 file_size;		/* bytes copied from the image */
	u64 mem_size;		/* bytes in memory (>= file_size; the rest zeroed) */
};

struct mb1_image {
	u32 header_off;		/* offset of the Multiboot header in the image */
	u32 flags;
	enum mb1_format format;
	u32 entry;		/* guest-physical entry point */
	u32 nr_segs;
	struct mb1_segment segs[MB1_MAX_SEGMENTS];
	u64 load_start, load_end;	/* lowest paddr, end of the highest segment (exclusive) */
};

/* A guest-physical RAM range [start, end). */
struct mb1_range {
	u64 start, end;
};

/* Name of a format for messages ("ELF32", ...). */
const char *mb1_format_name(enum mb1_format f);
/*
 * Find and check the header and the segments of an image of 'size' bytes.
 * VMM_OK with *out filled, or -VMM_EINVALID with the problem in err.
 */
int mb1_image_parse(const u8 *img, u64 size, struct mb1_image *out, char *err, size_t errlen);
/*
 * Every segment (and the entry point) inside one of the 'nr' RAM ranges?
 * VMM_OK, or -VMM_ERANGE with the first segment outside in err.
 */
int mb1_image_check_ram(const struct mb1_image *im, const struct mb1_range *ram, u32 nr,
			char *err, size_t errlen);
/*
 * The lowest page-aligned guest-physical address >= 'from' where 'size'
 * bytes fit in one RAM range, below 4 GiB and clear of [avoid_start,
 * avoid_end) (the kernel): VMM_OK and *out, or -VMM_ENOSPC.
 */
int mb1_place(const struct mb1_range *ram, u32 nr, u64 from, u64 size, u64 avoid_start,
	      u64 avoid_end, u64 *out);

#endif
