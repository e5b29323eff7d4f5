/*
 * kernel/linux_image.c - the Linux boot protocol, pure part
 * (linux_image.h): setup header checks, placement in guest RAM, the e820
 * map, the zero page and the boot GDT. Sizes are u64 and every sum is
 * checked against overflow before it is compared.
 */
#include <string.h>
#include "kernel/linux_image.h"
#include "kernel/unaligned.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define FOUR_GIB (1ULL << 32)
#define ONE_MIB (1ULL << 20)

int linux_image_parse(const u8 *img, u64 size, struct linux_image *out, char *err, size_t err_len)
{
	u32 sects, magic;
	u16 version;

	memset(out, 0, sizeof(*out));
	if (size < 0x400) {
		vmm_snprintf(err, err_len, "%llu bytes is too small for a bzImage (no setup header)",
			 (unsigned long long)size);
		return -VMM_EINVALID;
	}
	magic = get_le32(img + LINUX_OFF_HEADER);
	if (get_le16(img + LINUX_OFF_BOOT_FLAG) != LINUX_BOOT_FLAG || magic != LINUX_HDR_MAGIC) {
		vmm_snprintf(err, err_len, "not a bzImage: boot flag 0x%04x at 0x1fe (0xaa55 expected), "
			 "magic 0x%08x at 0x202 (\"HdrS\" expected)",
			 get_le16(img + LINUX_OFF_BOOT_FLAG), magic);
		return -VMM_EINVALID;
	}
	version = get_le16(img + LINUX_OFF_VERSION);
	out->version = version;
	if (version < LINUX_MIN_VERSION) {
		vmm_snprintf(err, err_len, "boot protocol %u.%02u is older than 2.12 (no 64-bit entry)",
			 version >> 8, version & 0xFF);
		return -VMM_EINVALID;
	}
	out->hdr_end = 0x202 + img[LINUX_OFF_JUMP + 1];
	if (img[LINUX_OFF_JUMP] != 0xEB || out->hdr_end < LINUX_HDR_END_MIN) {
		vmm_snprintf(err, err_len, "setup header ends at 0x%x (jump 0x%02x 0x%02x at 0x200), "
			 "before init_size at 0x260 that protocol 2.12 has",
			 out->hdr_end, img[LINUX_OFF_JUMP], img[LINUX_OFF_JUMP + 1]);
		return -VMM_EINVALID;
	}
	if (out->hdr_end > LINUX_OFF_HDR_LIMIT)
		out->hdr_end = LINUX_OFF_HDR_LIMIT;
	out->xloadflags = get_le16(img + LINUX_OFF_XLOADFLAGS);
	if (!(out->xloadflags & LINUX_XLF_KERNEL_64)) {
		vmm_snprintf(err, err_len, "xloadflags 0x%x: no 64-bit entry (XLF_KERNEL_64)", out->xloadflags);
		return -VMM_EINVALID;
	}
	out->loadflags = img[LINUX_OFF_LOADFLAGS];
	if (!(out->loadflags & LINUX_LOADED_HIGH)) {
		vmm_snprintf(err, err_len, "loadflags 0x%x: a zImage loaded at 0x10000, not a bzImage",
			 out->loadflags);
		return -VMM_EINVALID;
	}
	sects = img[LINUX_OFF_SETUP_SECTS];
	if (!sects)
		sects = 4;
	out->setup_bytes = (sects + 1) * 512;
	if (out->setup_bytes >= size) {
		vmm_snprintf(err, err_len, "setup_sects %u: the setup code (%u bytes) leaves no kernel in %llu bytes",
			 sects, out->setup_bytes, (unsigned long long)size);
		return -VMM_EINVALID;
	}
	out->kernel_bytes = size - out->setup_bytes;
	out->relocatable = img[LINUX_OFF_RELOCATABLE] != 0;
	out->kernel_alignment = get_le32(img + LINUX_OFF_KERNEL_ALIGNMENT);
	if (out->kernel_alignment < 4096 || (out->kernel_alignment & (out->kernel_alignment - 1))) {
		vmm_snprintf(err, err_len, "kernel_alignment 0x%x is not a power of two from 4 KiB",
			 out->kernel_alignment);
		return -VMM_EINVALID;
	}
	out->pref_address = get_le64(img + LINUX_OFF_PREF_ADDRESS);
	out->init_size = get_le32(img + LINUX_OFF_INIT_SIZE);
	if (out->init_size < out->kernel_bytes) {
		vmm_snprintf(err, err_len, "init_size 0x%x is smaller than the kernel (%llu bytes)",
			 out->init_size, (unsigned long long)out->kernel_bytes);
		return -VMM_EINVALID;
	}
	out->initrd_addr_max = get_le32(img + LINUX_OFF_INITRD_ADDR_MAX);
	out->cmdline_size = get_le32(img + LINUX_OFF_CMDLINE_SIZE);
	if (!out->initrd_addr_max || !out->cmdline_size) {
		vmm_snprintf(err, err_len, "initrd_addr_max 0x%x or cmdline_size %u is 0",
			 out->initrd_addr_max, out->cmdline_size);
		return -VMM_EINVALID;
	}
	return VMM_OK;
}

static bool overlaps(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

/* Is [at, at+size) clear of every avoid range? If not, *hit = the index of one it hits. */
static bool clear_of(const struct linux_range *avoid, u32 nr, u64 at, u64 size, u64 *hit)
{
	for (u32 i = 0; i < nr; i++) {
		if (overlaps(at, at + size, avoid[i].start, avoid[i].end)) {
			*hit = i;
			return false;
		}
	}
	return true;
}

int linux_place(const struct linux_range *ram, u32 nr_ram, const struct linux_range *avoid,
		u32 nr_avoid, u64 size, u64 align, u64 lo, u64 hi, bool highest, u64 *at)
{
	bool found = false;
	u64 best = 0;

	if (!size || !align || (align & (align - 1)))
		return -VMM_EINVALID;
	for (u32 i = 0; i < nr_ram; i++) {
		u64 start = ram[i].start > lo ? ram[i].start : lo;
		u64 end = ram[i].end < hi ? ram[i].end : hi;
		u64 a, hit;

		if (start >= end || end - start < size)
			continue;
		if (!highest) {
			/* walk upward past every avoided range that is in the way */
			a = (start + align - 1) & ~(align - 1);
			while (a >= start && a <= end - size) {
				if (clear_of(avoid, nr_avoid, a, size, &hit)) {
					if (!found || a < best)
						best = a;
					found = true;
					break;
				}
				a = (avoid[hit].end + align - 1) & ~(align - 1);
			}
		} else {
			a = (end - size) & ~(align - 1);
			while (a >= start) {
				if (clear_of(avoid, nr_avoid, a, size, &hit)) {
					if (!found || a > best)
						best = a;
					found = true;
					break;
				}
				if (avoid[hit].start < size)
					break;
				/* below the range it hit (size > 0: a < avoid[hit].start) */
				a = (avoid[hit].start - size) & ~(align - 1);
			}
		}
	}
	if (!found)
		return -VMM_ENOSPC;
	*at = best;
	return VMM_OK;
}

int linux_image_place_kernel(const struct linux_image *im, const struct linux_range *ram, u32 nr_ram,
			     const struct linux_range *avoid, u32 nr_avoid, u64 *at,
			     char *err, size_t err_len)
{
	u64 pref = im->pref_address, size = im->init_size, hit;

	if (pref <= FOUR_GIB - size && !(pref & (im->kernel_alignment - 1)) &&
	    clear_of(avoid, nr_avoid, pref, size, &hit)) {
		for (u32 i = 0; i < nr_ram; i++) {
			if (pref >= ram[i].start && pref + size <= ram[i].end) {
				*at = pref;
				return VMM_OK;
			}
		}
	}
	if (!im->relocatable) {
		vmm_snprintf(err, err_len, "the kernel is not relocatable and its place 0x%llx-0x%llx "
			 "(pref_address, init_size) is not free guest RAM below 4 GiB",
			 (unsigned long long)pref, (unsigned long long)(pref + size - 1));
		return -VMM_ENOSPC;
	}
	/* below pref_address it would run at pref_address anyway (boot.rst,
	 * the init_size algorithm; the decompressor moves itself up) */
	if (!linux_place(ram, nr_ram, avoid, nr_avoid, size, im->kernel_alignment,
			 pref > ONE_MIB ? pref : ONE_MIB, FOUR_GIB, false, at))
		return VMM_OK;
	vmm_snprintf(err, err_len, "no 0x%x-aligned place for its %u MiB (init_size 0x%x) in the guest's RAM below 4 GiB",
		 im->kernel_alignment, (u32)((size + ONE_MIB - 1) / ONE_MIB), im->init_size);
	return -VMM_ENOSPC;
}

int linux_e820_build(const struct linux_e820 *in, u32 nr_in, struct linux_e820 *out, u32 max,
		     u32 *nr_out)
{
	u32 n = 0, m = 0;

	/* insertion sort of the non-empty entries into out */
	for (u32 i = 0; i < nr_in; i++) {
		u32 j;

		if (!in[i].size)
			continue;
		if (in[i].addr + in[i].size < in[i].addr || n == max)
			return -VMM_EINVALID;
		for (j = n; j > 0 && out[j - 1].addr > in[i].addr; j--)
			out[j] = out[j - 1];
		out[j] = in[i];
		n++;
	}
	/* no overlaps; adjacent entries of one type become one */
	for (u32 i = 0; i < n; i++) {
		if (m && out[i].addr < out[m - 1].addr + out[m - 1].size)
			return -VMM_EINVALID;
		if (m && out[m - 1].type == out[i].type && out[m - 1].addr + out[m - 1].size == out[i].addr)
			out[m - 1].size += out[i].size;
		else
			out[m++] = out[i];
	}
	*nr_out = m;
	return VMM_OK;
}

int linux_zero_page_build(u8 *zp, const u8 *img, const struct linux_image *im,
			  const struct linux_boot_in *in)
{
	u64 high_k = 0;

	if (in->nr_e820 > LINUX_E820_MAX ||
	    (in->initrd_size && (in->initrd_size >> 32 || in->initrd_gpa + in->initrd_size < in->initrd_gpa)))
		return -VMM_EINVALID;
	memset(zp, 0, LINUX_ZERO_PAGE_BYTES);
	memcpy(zp + LINUX_OFF_SETUP_SECTS, img + LINUX_OFF_SETUP_SECTS, im->hdr_end - LINUX_OFF_SETUP_SECTS);
	zp[LINUX_OFF_TYPE_OF_LOADER] = LINUX_LOADER_TYPE;
	/* no heap: the 16-bit setup code does not run on the 64-bit entry */
	zp[LINUX_OFF_LOADFLAGS] = im->loadflags & ~LINUX_CAN_USE_HEAP;
	put_le32(zp + LINUX_OFF_CMD_LINE_PTR, (u32)in->cmdline_gpa);
	put_le32(zp + LINUX_OFF_EXT_CMD_LINE_PTR, (u32)(in->cmdline_gpa >> 32));
	put_le32(zp + LINUX_OFF_RAMDISK_IMAGE, 0);	/* "write (obligatory)": 0 without an initramfs */
	put_le32(zp + LINUX_OFF_RAMDISK_SIZE, 0);
	if (in->initrd_size) {
		put_le32(zp + LINUX_OFF_RAMDISK_IMAGE, (u32)in->initrd_gpa);
		put_le32(zp + LINUX_OFF_EXT_RAMDISK_IMAGE, (u32)(in->initrd_gpa >> 32));
		put_le32(zp + LINUX_OFF_RAMDISK_SIZE, (u32)in->initrd_size);
		put_le32(zp + LINUX_OFF_EXT_RAMDISK_SIZE, 0);
	}
	put_le32(zp + LINUX_OFF_HARDWARE_SUBARCH, 0);	/* a PC */
	put_le64(zp + LINUX_OFF_SETUP_DATA, 0);
	if (in->rsdp_gpa)
		put_le64(zp + LINUX_OFF_ACPI_RSDP, in->rsdp_gpa);
	zp[LINUX_OFF_E820_ENTRIES] = (u8)in->nr_e820;
	for (u32 i = 0; i < in->nr_e820; i++) {
		u8 *e = zp + LINUX_OFF_E820_TABLE + i * LINUX_E820_ENTRY_BYTES;

		put_le64(e, in->e820[i].addr);
		put_le64(e + 8, in->e820[i].size);
		put_le32(e + 16, in->e820[i].type);
		/* alt_mem_k: KiB of RAM contiguous from 1 MiB (the old field) */
		if (in->e820[i].type == LINUX_E820_RAM && in->e820[i].addr <= ONE_MIB &&
		    in->e820[i].addr + in->e820[i].size > ONE_MIB)
			high_k = (in->e820[i].addr + in->e820[i].size - ONE_MIB) >> 10;
	}
	put_le32(zp + LINUX_OFF_ALT_MEM_K, high_k > 0xFFFFFFFFULL ? 0xFFFFFFFFu : (u32)high_k);
	return VMM_OK;
}

void linux_gdt_build(u8 *gdt)
{
	memset(gdt, 0, LINUX_GDT_BYTES);
	put_le64(gdt + LINUX_BOOT_CS, 0x00AF9B000000FFFFULL);	/* code: L, P, DPL 0, accessed */
	put_le64(gdt + LINUX_BOOT_DS, 0x00CF93000000FFFFULL);	/* data: 4 GiB, writable, accessed */
}
