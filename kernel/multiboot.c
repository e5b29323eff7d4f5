/*
 * kernel/multiboot.c - validating parsers for the Multiboot2 and Multiboot(1)
 * boot information, producing struct vmm_boot_info.
 *
 * Nothing the loader hands us is trusted: every tag size, entry size, string
 * and module range is checked against the block it sits in before it is
 * used, and a bad item is refused with a message naming its type and offset.
 */
#include <string.h>
#include "kernel/multiboot.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* Multiboot2 tag types (Multiboot2 specification, section 3.6) */
enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEM = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
	u32 type;
	u32 size;
} __packed;

struct mb2_mmap_entry {
	u64 base;
	u64 length;
	u32 type;
	u32 reserved;
} __packed;

const char *vmm_mem_type_name(u32 type)
{
	switch (type) {
	case VMM_MEM_USABLE: return "usable";
	case VMM_MEM_ACPI_RECLAIM: return "ACPI reclaimable";
	case VMM_MEM_ACPI_NVS: return "ACPI NVS";
	case VMM_MEM_BAD: return "bad";
	default: return "reserved";
	}
}

/* Copy a string that must be NUL-terminated within 'len' bytes. */
static int copy_string(char *dst, size_t dst_size, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	if (n == len)
		return -VMM_EINVALID;
	strlcpy(dst, src, dst_size);
	return VMM_OK;
}

static void problem(struct vmm_boot_info *bi, const char *proto, u32 type,
		    size_t offset, const char *what)
{
	bi->nr_problems++;
	vmm_err("%s: tag type %u at offset 0x%zx: %s; tag ignored\n", proto,
		type, offset, what);
}

static void add_mem(struct vmm_boot_info *bi, u64 base, u64 length, u32 type,
		    const char *proto)
{
	if (length == 0)
		return;
	if (base + length < base) {
		bi->nr_problems++;
		vmm_err("%s: memory range 0x%llx+0x%llx wraps around; ignored\n",
			proto, (unsigned long long)base, (unsigned long long)length);
		return;
	}
	if (bi->nr_mem >= VMM_BOOT_MAX_MEM) {
		bi->nr_problems++;
		vmm_err("%s: more than %u memory ranges; range 0x%llx+0x%llx ignored\n",
			proto, VMM_BOOT_MAX_MEM, (unsigned long long)base,
			(unsigned long long)length);
		return;
	}
	if (type < VMM_MEM_USABLE || type > VMM_MEM_BAD)
		type = VMM_MEM_RESERVED;
	bi->mem[bi->nr_mem].base = base;
	bi->mem[bi->nr_mem].length = length;
	bi->mem[bi->nr_mem].type = type;
	bi->nr_mem++;
}

static int add_module(struct vmm_boot_info *bi, u64 start, u64 end,
		      const char *name, size_t name_len, const char *proto,
		      u32 type, size_t offset)
{
	struct vmm_boot_module *m;

	if (end < start) {
		problem(bi, proto, type, offset, "module ends before it starts");
		return -VMM_EINVALID;
	}
	if (bi->nr_modules >= VMM_BOOT_MAX_MODULES) {
		problem(bi, proto, type, offset, "too many modules");
		return -VMM_ENOSPC;
	}
	m = &bi->modules[bi->nr_modules];
	if (copy_string(m->name, sizeof(m->name), name, name_len)) {
		problem(bi, proto, type, offset, "module string not NUL-terminated");
		return -VMM_EINVALID;
	}
	m->start = start;
	m->end = end;
	bi->nr_modules++;
	return VMM_OK;
}

static void parse_mb2_mmap(struct vmm_boot_info *bi, const u8 *tag, u32 size,
			   size_t offset)
{
	u32 entry_size, entry_version;
	const u8 *p;

	if (size < 16) {
		problem(bi, "multiboot2", MB2_TAG_MMAP, offset, "memory map tag shorter than 16 bytes");
		return;
	}
	memcpy(&entry_size, tag + 8, 4);
	memcpy(&entry_version, tag + 12, 4);
	if (entry_size < sizeof(struct mb2_mmap_entry) || entry_size % 8) {
		problem(bi, "multiboot2", MB2_TAG_MMAP, offset,
			"memory map entry_size is not a multiple of 8 of at least 24");
		return;
	}
	if ((size - 16) % entry_size) {
		bi->nr_problems++;
		vmm_err("multiboot2: memory map at offset 0x%zx: %u trailing bytes ignored\n",
			offset, (size - 16) % entry_size);
	}
	for (p = tag + 16; p + entry_size <= tag + size; p += entry_size) {
		struct mb2_mmap_entry e;

		memcpy(&e, p, sizeof(e));
		add_mem(bi, e.base, e.length, e.type, "multiboot2");
	}
}

static void parse_mb2_acpi(struct vmm_boot_info *bi, const u8 *tag, u32 size,
			   u32 type, size_t offset)
{
	u32 need = type == MB2_TAG_ACPI_OLD ? 20 : 36;

	if (size - 8 < need) {
		problem(bi, "multiboot2", type, offset, "ACPI RSDP copy too short");
		return;
	}
	if (memcmp(tag + 8, "RSD PTR ", 8)) {
		problem(bi, "multiboot2", type, offset, "ACPI RSDP signature missing");
		return;
	}
	/* prefer the ACPI 2.0 copy when both are present */
	if (bi->rsdp_addr && bi->rsdp_version == 2 && type == MB2_TAG_ACPI_OLD)
		return;
	bi->rsdp_addr = (u64)(uintptr_t)(tag + 8);
	bi->rsdp_len = size - 8;
	bi->rsdp_version = type == MB2_TAG_ACPI_OLD ? 1 : 2;
}

/*
 * The colour layout of a direct-colour framebuffer tag: after the 32-byte
 * common part, position and size of red, green and blue. A tag that ends
 * before them (older loaders) gets the usual layout of its depth.
 */
static bool parse_mb2_fb_rgb(struct vmm_boot_info *bi, struct vmm_boot_fb *fb,
			     const u8 *tag, u32 size, size_t offset)
{
	const u8 *c = tag + 32;

	if (size < 38) {
		bool d16 = fb->bpp == 16;

		fb->red_pos = d16 ? 11 : 16;
		fb->green_pos = d16 ? 5 : 8;
		fb->blue_pos = 0;
		fb->red_size = fb->blue_size = d16 ? 5 : 8;
		fb->green_size = d16 ? 6 : 8;
		if (fb->bpp == 15) {
			fb->red_pos = 10;
			fb->green_size = 5;
		}
	} else {
		fb->red_pos = c[0];
		fb->red_size = c[1];
		fb->green_pos = c[2];
		fb->green_size = c[3];
		fb->blue_pos = c[4];
		fb->blue_size = c[5];
	}
	if (fb->red_size > 8 || fb->green_size > 8 || fb->blue_size > 8 ||
	    fb->red_pos + fb->red_size > fb->bpp || fb->green_pos + fb->green_size > fb->bpp ||
	    fb->blue_pos + fb->blue_size > fb->bpp) {
		problem(bi, "multiboot2", MB2_TAG_FRAMEBUFFER, offset,
			"framebuffer colour field outside the pixel");
		return false;
	}
	return true;
}

/* Framebuffer tag: u64 addr, u32 pitch, width, height, u8 bpp, type. */
static void parse_mb2_fb(struct vmm_boot_info *bi, const u8 *tag, u32 size,
			 size_t offset)
{
	struct vmm_boot_fb fb = { 0 };
	u8 bpp, type;

	if (size < 30) {
		problem(bi, "multiboot2", MB2_TAG_FRAMEBUFFER, offset, "framebuffer tag shorter than 30 bytes");
		return;
	}
	memcpy(&fb.addr, tag + 8, 8);
	memcpy(&fb.pitch, tag + 16, 4);
	memcpy(&fb.width, tag + 20, 4);
	memcpy(&fb.height, tag + 24, 4);
	bpp = tag[28];
	type = tag[29];
	fb.bpp = bpp;
	if (type > 2 || !fb.width || !fb.height || !bpp ||
	    (u64)fb.pitch * fb.height > 1ull << 32 ||
	    (u64)fb.pitch * 8 < (u64)fb.width * bpp) {
		problem(bi, "multiboot2", MB2_TAG_FRAMEBUFFER, offset,
			"framebuffer type, size or pitch out of range");
		return;
	}
	fb.kind = type == 0 ? VMM_FB_INDEXED : type == 1 ? VMM_FB_RGB : VMM_FB_EGA_TEXT;
	if (fb.kind == VMM_FB_RGB && !parse_mb2_fb_rgb(bi, &fb, tag, size, offset))
		return;
	if (fb.kind == VMM_FB_INDEXED && size >= 34) {
		u16 n;

		memcpy(&n, tag + 32, 2);
		if (34 + 3 * (u32)n > size) {
			problem(bi, "multiboot2", MB2_TAG_FRAMEBUFFER, offset,
				"framebuffer palette does not fit the tag");
			return;
		}
		fb.palette = (u64)(uintptr_t)(tag + 34);
		fb.palette_colors = n;
	}
	bi->fb = fb;
}

int vmm_multiboot2_parse(const void *info, size_t limit, struct vmm_boot_info *bi)
{
	const u8 *base = info;
	u32 total_size, reserved;
	size_t off;
	bool seen_end = false, seen_mmap = false;

	memset(bi, 0, sizeof(*bi));
	bi->protocol = 2;
	if (!info || limit < 16) {
		vmm_err("multiboot2: no information block\n");
		return -VMM_EINVALID;
	}
	memcpy(&total_size, base, 4);
	memcpy(&reserved, base + 4, 4);
	if (total_size < 16 || total_size > limit || total_size > VMM_BOOT_INFO_MAX) {
		vmm_err("multiboot2: information block total_size %u is out of range (16..%zu)\n",
			total_size, limit < VMM_BOOT_INFO_MAX ? limit : (size_t)VMM_BOOT_INFO_MAX);
		return -VMM_EINVALID;
	}
	bi->info_start = (u64)(uintptr_t)info;
	bi->info_end = bi->info_start + total_size;

	for (off = 8; off + 8 <= total_size; ) {
		struct mb2_tag t;
		const u8 *tag = base + off;

		memcpy(&t, tag, sizeof(t));
		if (t.size < 8 || t.size > total_size - off) {
			bi->nr_problems++;
			vmm_err("multiboot2: tag type %u at offset 0x%zx: size %u does not fit the %u-byte block; rest of the block ignored\n",
				t.type, off, t.size, total_size);
			break;
		}
		switch (t.type) {
		case MB2_TAG_END:
			if (t.size != 8)
				problem(bi, "multiboot2", t.type, off, "end tag size is not 8");
			seen_end = true;
			break;
		case MB2_TAG_CMDLINE:
			if (copy_string(bi->cmdline, sizeof(bi->cmdline),
					(const char *)tag + 8, t.size - 8))
				problem(bi, "multiboot2", t.type, off, "command line not NUL-terminated");
			else if (strlen((const char *)tag + 8) >= sizeof(bi->cmdline))
				problem(bi, "multiboot2", t.type, off, "command line too long, cut");
			break;
		case MB2_TAG_LOADER:
			if (copy_string(bi->loader, sizeof(bi->loader),
					(const char *)tag + 8, t.size - 8))
				problem(bi, "multiboot2", t.type, off, "boot loader name not NUL-terminated");
			break;
		case MB2_TAG_MODULE: {
			u32 start, end;

			if (t.size < 17) {
				problem(bi, "multiboot2", t.type, off, "module tag too short");
				break;
			}
			memcpy(&start, tag + 8, 4);
			memcpy(&end, tag + 12, 4);
			add_module(bi, start, end, (const char *)tag + 16,
				   t.size - 16, "multiboot2", t.type, off);
			break;
		}
		case MB2_TAG_MMAP:
			if (seen_mmap) {
				problem(bi, "multiboot2", t.type, off, "second memory map");
				break;
			}
			seen_mmap = true;
			parse_mb2_mmap(bi, tag, t.size, off);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			parse_mb2_acpi(bi, tag, t.size, t.type, off);
			break;
		case MB2_TAG_FRAMEBUFFER:
			parse_mb2_fb(bi, tag, t.size, off);
			break;
		case MB2_TAG_EFI32:
		case MB2_TAG_EFI64:
			bi->firmware_efi = true;
			break;
		default:
			break;	/* tags we do not use */
		}
		if (seen_end)
			break;
		off += ALIGN_UP((size_t)t.size, (size_t)8);
	}
	if (!seen_end) {
		bi->nr_problems++;
		vmm_err("multiboot2: information block has no end tag\n");
	}
	if (!seen_mmap || bi->nr_mem == 0) {
		vmm_err("multiboot2: the boot loader gave no memory map\n");
		return -VMM_EINVALID;
	}
	return VMM_OK;
}

/* Multiboot(1) information (Multiboot specification 0.6.96, section 3.3) */
struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
} __packed;

struct mb1_module {
	u32 start, end, string, reserved;
} __packed;

#define MB1_INFO_MEM (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_LOADER (1u << 9)

/* Copy a string from a physical address, at most dst_size - 1 characters. */
static int mb1_string(char *dst, size_t dst_size, u32 addr,
		      void *(*phys_to_ptr)(u64, size_t))
{
	const char *s = phys_to_ptr(addr, dst_size);

	if (!s)
		return -VMM_EFAULT;
	if (strnlen(s, dst_size) == dst_size)
		return -VMM_EINVALID;
	strlcpy(dst, s, dst_size);
	return VMM_OK;
}

int vmm_multiboot1_parse(const void *info, void *(*phys_to_ptr)(u64, size_t),
			 struct vmm_boot_info *bi)
{
	struct mb1_info mi;

	memset(bi, 0, sizeof(*bi));
	bi->protocol = 1;
	if (!info) {
		vmm_err("multiboot: no information block\n");
		return -VMM_EINVALID;
	}
	memcpy(&mi, info, sizeof(mi));
	bi->info_start = (u64)(uintptr_t)info;
	bi->info_end = bi->info_start + sizeof(mi);

	if (mi.flags & MB1_INFO_CMDLINE) {
		if (mb1_string(bi->cmdline, sizeof(bi->cmdline), mi.cmdline, phys_to_ptr)) {
			problem(bi, "multiboot", 2, 16, "command line unreadable or too long");
		} else {
			/* Multiboot(1) loaders put the image's path first: drop it */
			size_t skip = strcspn(bi->cmdline, " ");

			while (bi->cmdline[skip] == ' ')
				skip++;
			memmove(bi->cmdline, bi->cmdline + skip, strlen(bi->cmdline + skip) + 1);
		}
	}
	if ((mi.flags & MB1_INFO_LOADER) &&
	    mb1_string(bi->loader, sizeof(bi->loader), mi.boot_loader_name, phys_to_ptr))
		problem(bi, "multiboot", 9, 64, "boot loader name unreadable or too long");

	if (mi.flags & MB1_INFO_MMAP) {
		const u8 *p = phys_to_ptr(mi.mmap_addr, mi.mmap_length);
		u32 off = 0;

		if (!p || mi.mmap_length > VMM_BOOT_INFO_MAX) {
			problem(bi, "multiboot", 6, 44, "memory map unreadable");
		} else {
			/* each entry: u32 size (not counting itself), u64 base, u64 len, u32 type */
			while (off + 4 <= mi.mmap_length) {
				u32 size;
				u64 base, len;
				u32 type;

				memcpy(&size, p + off, 4);
				/* off + 4 <= mmap_length here; no 32-bit wrap-around */
				if (size < 20 || size > mi.mmap_length - off - 4) {
					bi->nr_problems++;
					vmm_err("multiboot: memory map entry at offset 0x%x has bad size %u; rest ignored\n",
						off, size);
					break;
				}
				memcpy(&base, p + off + 4, 8);
				memcpy(&len, p + off + 12, 8);
				memcpy(&type, p + off + 20, 4);
				add_mem(bi, base, len, type, "multiboot");
				off += 4 + size;
			}
		}
	} else if (mi.flags & MB1_INFO_MEM) {
		add_mem(bi, 0, (u64)mi.mem_lower * 1024, VMM_MEM_USABLE, "multiboot");
		add_mem(bi, 1 * MiB, (u64)mi.mem_upper * 1024, VMM_MEM_USABLE, "multiboot");
	}

	if (mi.flags & MB1_INFO_MODS) {
		const struct mb1_module *mods =
			phys_to_ptr(mi.mods_addr, (size_t)mi.mods_count * sizeof(*mods));

		if (!mods || mi.mods_count > 4096) {
			problem(bi, "multiboot", 3, 20, "module list unreadable");
		} else {
			for (u32 i = 0; i < mi.mods_count; i++) {
				struct mb1_module m;
				char name[VMM_BOOT_NAME_MAX] = "";

				memcpy(&m, &mods[i], sizeof(m));
				if (m.string && mb1_string(name, sizeof(name), m.string, phys_to_ptr))
					strlcpy(name, "?", sizeof(name));
				add_module(bi, m.start, m.end, name, sizeof(name),
					   "multiboot", 3, 20);
			}
		}
	}
	if (!bi->loader[0])
		strlcpy(bi->loader, "unnamed Multiboot loader", sizeof(bi->loader));
	if (bi->nr_mem == 0) {
		vmm_err("multiboot: the boot loader gave no memory map\n");
		return -VMM_EINVALID;
	}
	return VMM_OK;
}

const char *vmm_boot_firmware_name(const struct vmm_boot_info *bi)
{
	if (bi->protocol != 2)
		return "unknown";
	return bi->firmware_efi ? "UEFI" : "BIOS";
}

u64 vmm_boot_usable_bytes(const struct vmm_boot_info *bi)
{
	u64 sum = 0;

	for (u32 i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == VMM_MEM_USABLE)
			sum += bi->mem[i].length;
	return sum;
}
