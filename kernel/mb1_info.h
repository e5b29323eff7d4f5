/*
 * kernel/mb1_info.h - the Multiboot (v1, 0.6.96) boot information a guest
 * kernel finds at EBX, built into a buffer (pure: host-testable,
 * tests/unit/test_mb1_info.c). One block, in this order: the 88-byte
 * information structure, the memory map, the module list, then the
 * strings (command line, each module's string, the loader's name). Every
 * pointer in it is a guest-physical address (the block's own address plus
 * an offset).
 */
#ifndef KERNEL_MB1_INFO_H
#define KERNEL_MB1_INFO_H

#include "kernel/types.h"

#define MB1_INFO_BYTES 88		/* up to the VBE fields of 0.6.96 */
#define MB1_MMAP_ENTRY_BYTES 24		/* size field (20) + 20 bytes */
#define MB1_MOD_BYTES 16

/* info flags */
#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_LOADER_NAME (1u << 9)

/* field offsets in the structure */
#define MB1_OFF_FLAGS 0
#define MB1_OFF_MEM_LOWER 4
#define MB1_OFF_MEM_UPPER 8
#define MB1_OFF_CMDLINE 16
#define MB1_OFF_MODS_COUNT 20
#define MB1_OFF_MODS_ADDR 24
#define MB1_OFF_MMAP_LENGTH 44
#define MB1_OFF_MMAP_ADDR 48
#define MB1_OFF_LOADER_NAME 64

#define MB1_MEM_AVAILABLE 1
#define MB1_MEM_RESERVED 2

struct mb1_mem {
	u64 base, len;
	u32 type;		/* MB1_MEM_AVAILABLE or MB1_MEM_RESERVED */
};

struct mb1_mod {
	u32 start, end;		/* guest-physical, end exclusive */
	const char *string;
};

struct mb1_info_in {
	const struct mb1_mem *mem;	/* the guest's memory regions, any order */
	u32 nr_mem;
	const struct mb1_mod *mods;
	u32 nr_mods;
	const char *cmdline;
	const char *loader_name;
};

/* Bytes the block takes (0 if the inputs cannot fit in 4 GiB). */
u64 mb1_info_size(const struct mb1_info_in *in);
/*
 * Build the block for guest-physical address 'gpa' into buf (len bytes,
 * at least mb1_info_size()): VMM_OK, or -VMM_EINVALID (too small a buffer,
 * a block that would cross 4 GiB). mem_lower/mem_upper are the KiB of RAM
 * from 0 (at most 640) and contiguous RAM from 1 MiB; the memory map lists
 * the regions sorted by address.
 */
int mb1_info_build(const struct mb1_info_in *in, u64 gpa, u8 *buf, u64 len);

#endif
