/*
 * kernel/linux_image.h - Linux x86 boot protocol (Documentation/arch/x86/
 * boot.rst), the pure part of the loader for guests: checking a bzImage's
 * setup header, choosing where the kernel, the initramfs and the boot data
 * go in guest RAM, the e820 map and the zero page (struct boot_params) the
 * kernel finds at RSI on its 64-bit entry. No I/O and no allocation:
 * host-testable (tests/unit/test_linux_image.c) and fuzzed
 * (tests/fuzz/fuzz_linux.c). Every value the image controls is checked
 * before it is used; a problem is described in 'err' ("boot protocol 2.06
 * is older than 2.12, ...") for the caller to print with the guest's and
 * the image's names. kernel/linux_guest.c does the copying.
 */
#ifndef KERNEL_LINUX_IMAGE_H
#define KERNEL_LINUX_IMAGE_H

#include "kernel/types.h"

#define LINUX_ZERO_PAGE_BYTES 4096u
#define LINUX_MIN_VERSION 0x020C	/* 2.12: xloadflags, XLF_KERNEL_64 */
#define LINUX_HDR_MAGIC 0x53726448u	/* "HdrS" at 0x202 */
#define LINUX_BOOT_FLAG 0xAA55
#define LINUX_ENTRY64_OFFSET 0x200	/* 64-bit entry: load address + 0x200 */
#define LINUX_LOADER_TYPE 0xFF		/* "undefined" boot loader id */
#define LINUX_E820_MAX 128		/* entries in the zero page */
#define LINUX_BOOT_CS 0x10		/* __BOOT_CS of the 64-bit protocol */
#define LINUX_BOOT_DS 0x18		/* __BOOT_DS */
#define LINUX_GDT_BYTES 32		/* null, null, CS 0x10, DS 0x18 */

/* setup header fields (offsets in the image and in the zero page) */
#define LINUX_OFF_SETUP_SECTS 0x1F1
#define LINUX_OFF_SYSSIZE 0x1F4
#define LINUX_OFF_VID_MODE 0x1FA
#define LINUX_OFF_BOOT_FLAG 0x1FE
#define LINUX_OFF_JUMP 0x200
#define LINUX_OFF_HEADER 0x202
#define LINUX_OFF_VERSION 0x206
#define LINUX_OFF_TYPE_OF_LOADER 0x210
#define LINUX_OFF_LOADFLAGS 0x211
#define LINUX_OFF_RAMDISK_IMAGE 0x218
#define LINUX_OFF_RAMDISK_SIZE 0x21C
#define LINUX_OFF_HEAP_END_PTR 0x224
#define LINUX_OFF_CMD_LINE_PTR 0x228
#define LINUX_OFF_INITRD_ADDR_MAX 0x22C
#define LINUX_OFF_KERNEL_ALIGNMENT 0x230
#define LINUX_OFF_RELOCATABLE 0x234
#define LINUX_OFF_MIN_ALIGNMENT 0x235
#define LINUX_OFF_XLOADFLAGS 0x236
#define LINUX_OFF_CMDLINE_SIZE 0x238
#define LINUX_OFF_HARDWARE_SUBARCH 0x23C
#define LINUX_OFF_SETUP_DATA 0x250
#define LINUX_OFF_PREF_ADDRESS 0x258
#define LINUX_OFF_INIT_SIZE 0x260
#define LINUX_HDR_END_MIN 0x264		/* init_size is the last field we use */
/* other zero page fields */
#define LINUX_OFF_ACPI_RSDP 0x070
#define LINUX_OFF_EXT_RAMDISK_IMAGE 0x0C0
#define LINUX_OFF_EXT_RAMDISK_SIZE 0x0C4
#define LINUX_OFF_EXT_CMD_LINE_PTR 0x0C8
#define LINUX_OFF_ALT_MEM_K 0x1E0
#define LINUX_OFF_E820_ENTRIES 0x1E8
#define LINUX_OFF_SENTINEL 0x1EF
#define LINUX_OFF_HDR_LIMIT 0x290	/* edd_mbr_sig_buffer: the header ends before */
#define LINUX_OFF_E820_TABLE 0x2D0
#define LINUX_E820_ENTRY_BYTES 20

/* loadflags and xloadflags bits */
#define LINUX_LOADED_HIGH (1u << 0)
#define LINUX_CAN_USE_HEAP (1u << 7)
#define LINUX_XLF_KERNEL_64 (1u << 0)

/* e820 types */
#define LINUX_E820_RAM 1
#define LINUX_E820_RESERVED 2
#define LINUX_E820_ACPI 3

/* What the setup header says, checked. */
struct linux_image {
	u16 version;
	u32 setup_bytes;	/* (setup_sects + 1) * 512: where the kernel starts in the file */
	u64 kernel_bytes;	/* the protected-mode kernel: the rest of the file */
	u32 hdr_end;		/* end of the setup header (0x202 + the jump's offset byte) */
	bool relocatable;
	u32 kernel_alignment;	/* a power of two, at least 4 KiB */
	u64 pref_address;
	u32 init_size;		/* bytes from the load address the kernel needs */
	u32 initrd_addr_max;	/* highest address an initramfs byte may have */
	u32 cmdline_size;	/* longest command line, without its NUL */
	u8 loadflags;
	u16 xloadflags;
};

/* A guest-physical range [start, end). */
struct linux_range {
	u64 start, end;
};

/* An e820 entry. */
struct linux_e820 {
	u64 addr, size;
	u32 type;
};

/*
 * Check the setup header of an image of 'size' bytes: the boot flag, the
 * "HdrS" magic, a protocol version from 2.12, a 64-bit entry
 * (XLF_KERNEL_64), the setup size inside the file, a non-empty kernel,
 * an alignment that is a power of two, an init_size that holds the
 * kernel. VMM_OK with *out filled, or -VMM_EINVALID with the problem in err.
 */
int linux_image_parse(const u8 *img, u64 size, struct linux_image *out, char *err, size_t err_len);

/*
 * The lowest 'align'-aligned address at or above 'lo' where 'size' bytes
 * fit inside one of the 'ram' ranges, end at or below 'hi' and overlap no
 * 'avoid' range; with 'highest', the highest such address instead.
 * VMM_OK with *at, or -VMM_ENOSPC.
 */
int linux_place(const struct linux_range *ram, u32 nr_ram, const struct linux_range *avoid,
		u32 nr_avoid, u64 size, u64 align, u64 lo, u64 hi, bool highest, u64 *at);

/*
 * Where the kernel goes: its preferred address when [pref, pref +
 * init_size) is RAM clear of 'avoid', else (a relocatable kernel) the
 * lowest kernel_alignment-aligned place from 1 MiB, below 4 GiB (the
 * identity map of the 64-bit entry). VMM_OK with *at, or -VMM_ENOSPC with
 * the reason in err.
 */
int linux_image_place_kernel(const struct linux_image *im, const struct linux_range *ram, u32 nr_ram,
			     const struct linux_range *avoid, u32 nr_avoid, u64 *at,
			     char *err, size_t err_len);

/*
 * The e820 map from the guest's memory regions (any order): sorted,
 * adjacent entries of one type merged. VMM_OK with *nr_out entries in out
 * (room for 'max'), or -VMM_EINVALID when regions overlap or there are
 * more than 'max' entries.
 */
int linux_e820_build(const struct linux_e820 *in, u32 nr_in, struct linux_e820 *out, u32 max,
		     u32 *nr_out);

/* What the zero page says besides the image's own header. */
struct linux_boot_in {
	u64 cmdline_gpa;		/* the NUL-terminated command line */
	u64 initrd_gpa, initrd_size;	/* size 0: no initramfs */
	const struct linux_e820 *e820;	/* sorted, from linux_e820_build() */
	u32 nr_e820;
	u64 rsdp_gpa;			/* the ACPI RSDP, 0: not given (found by the scan) */
};

/*
 * Build the zero page into zp (LINUX_ZERO_PAGE_BYTES): zeros, the image's
 * setup header copied to 0x1F1, and the loader's fields (type_of_loader,
 * command line, initramfs, e820 map, RSDP). VMM_OK or -VMM_EINVALID (more
 * than LINUX_E820_MAX entries, an address that does not fit its field).
 */
int linux_zero_page_build(u8 *zp, const u8 *img, const struct linux_image *im,
			  const struct linux_boot_in *in);

/* The boot GDT (LINUX_GDT_BYTES): flat 64-bit code at 0x10, data at 0x18. */
void linux_gdt_build(u8 *gdt);

#endif
