/*
 * kernel/multiboot.h - what the boot loader told us, in one loader-neutral
 * structure (struct vmm_boot_info), filled from Multiboot2 or Multiboot(1)
 * information by kernel/multiboot.c with every length checked.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include "kernel/types.h"

#define MB2_BOOTLOADER_MAGIC 0x36D76289u
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u

#define VMM_BOOT_MAX_MEM 64
#define VMM_BOOT_MAX_MODULES 64
#define VMM_BOOT_CMDLINE_MAX 1024
#define VMM_BOOT_NAME_MAX 128
/* largest information block we accept (GRUB's is a few KiB) */
#define VMM_BOOT_INFO_MAX (1u << 20)

enum vmm_mem_type {
	VMM_MEM_USABLE = 1,
	VMM_MEM_RESERVED = 2,
	VMM_MEM_ACPI_RECLAIM = 3,
	VMM_MEM_ACPI_NVS = 4,
	VMM_MEM_BAD = 5,
};

struct vmm_mem_range {
	u64 base;
	u64 length;
	u32 type;	/* enum vmm_mem_type, other values kept as reserved */
};

struct vmm_boot_module {
	u64 start;
	u64 end;	/* exclusive */
	char name[VMM_BOOT_NAME_MAX];
};

/* the display the loader left set up (Multiboot2 framebuffer tag) */
enum vmm_fb_kind {
	VMM_FB_NONE = 0,	/* no framebuffer tag */
	VMM_FB_INDEXED,		/* graphics with a palette */
	VMM_FB_RGB,		/* direct-colour graphics (GOP, VBE) */
	VMM_FB_EGA_TEXT,	/* VGA text mode: width x height characters */
};

struct vmm_boot_fb {
	u32 kind;	/* enum vmm_fb_kind */
	u64 addr;	/* physical address of the framebuffer */
	u32 pitch;	/* bytes per line */
	u32 width, height;	/* pixels, or characters in text mode */
	u32 bpp;	/* bits per pixel (16 per character in text mode) */
	/* VMM_FB_RGB: where each colour's bits are in a pixel (GRUB's tag gives
	 * them; a tag without them: the usual layout for the depth) */
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
	/* VMM_FB_INDEXED: the palette, 3 bytes (R, G, B) per colour, inside
	 * the boot information block */
	u64 palette;
	u32 palette_colors;
};

struct vmm_boot_info {
	int protocol;	/* 2 = Multiboot2, 1 = Multiboot */
	u64 info_start, info_end;	/* the loader's information block */
	char cmdline[VMM_BOOT_CMDLINE_MAX];
	char loader[VMM_BOOT_NAME_MAX];
	u32 nr_mem;
	struct vmm_mem_range mem[VMM_BOOT_MAX_MEM];
	u32 nr_modules;
	struct vmm_boot_module modules[VMM_BOOT_MAX_MODULES];
	u64 rsdp_addr;	/* copy of the ACPI RSDP inside the info block, or 0 */
	u32 rsdp_len;
	u32 rsdp_version;	/* 1 or 2 */
	bool firmware_efi;	/* the loader passed an EFI system table: UEFI */
	struct vmm_boot_fb fb;
	u32 nr_problems;	/* malformed tags or entries refused */
};

/*
 * Parse a Multiboot2 information block at 'info'. 'limit' bounds how many
 * bytes may be read at all. Malformed tags are refused one by one with a
 * message naming the tag and offset; a malformed block header or a missing
 * memory map fails the whole parse with -VMM_EINVALID.
 */
int vmm_multiboot2_parse(const void *info, size_t limit, struct vmm_boot_info *bi);

/*
 * Parse a Multiboot(1) information block. 'phys_to_ptr' maps physical
 * addresses found in it to readable pointers (identity in the kernel).
 */
int vmm_multiboot1_parse(const void *info, void *(*phys_to_ptr)(u64 addr, size_t len),
			 struct vmm_boot_info *bi);

/* Sum of lengths of the usable ranges. */
u64 vmm_boot_usable_bytes(const struct vmm_boot_info *bi);

const char *vmm_mem_type_name(u32 type);
/* "UEFI" or "BIOS" ("unknown" for Multiboot(1), which does not say). */
const char *vmm_boot_firmware_name(const struct vmm_boot_info *bi);

#endif
