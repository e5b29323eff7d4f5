/*
 * kernel/mb1_image.c - Multiboot v1 kernel images, the pure part
 * (mb1_image.h): header search, ELF32/ELF64 and a.out-kludge segments,
 * RAM checks and placement. All sizes are u64 and every sum is checked
 * against overflow before it is compared.
 */
#include <string.h>
#include "kernel/mb1_image.h"
#include "kernel/unaligned.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define FOUR_GIB (1ULL << 32)

/* ELF constants (System V ABI, i386 and x86-64 supplements) */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define ELF32_EHDR 52
#define ELF64_EHDR 64
#define ELF32_PHDR 32
#define ELF64_PHDR 56
#define MB1_HEADER_BYTES 12	/* magic, flags, checksum */
#define MB1_AOUT_BYTES 32	/* ... plus the five address fields */

const char *mb1_format_name(enum mb1_format f)
{
	switch (f) {
	case MB1_FORMAT_AOUT: return "a.out kludge";
	case MB1_FORMAT_ELF32: return "ELF32";
	case MB1_FORMAT_ELF64: return "ELF64";
	}
	return "?";
}

/* The first 4-byte aligned header in the first 8 KiB whose checksum holds. */
static int find_header(const u8 *img, u64 size, struct mb1_image *out, char *err, size_t errlen)
{
	u64 limit = size < MB1_SEARCH_BYTES ? size : MB1_SEARCH_BYTES;
	s64 bad = -1;

	for (u64 off = 0; off + MB1_HEADER_BYTES <= limit; off += 4) {
		u32 magic = get_le32(img + off), flags, sum;

		if (magic != MB1_HEADER_MAGIC)
			continue;
		flags = get_le32(img + off + 4);
		sum = get_le32(img + off + 8);
		if ((u32)(magic + flags + sum) != 0) {
			if (bad < 0)
				bad = (s64)off;
			continue;
		}
		out->header_off = (u32)off;
		out->flags = flags;
		return VMM_OK;
	}
	if (bad >= 0)
		vmm_snprintf(err, errlen, "bad checksum of the Multiboot header at offset 0x%llx "
			     "(magic + flags + checksum must be 0 mod 2^32)", (unsigned long long)bad);
	else
		vmm_snprintf(err, errlen, "no Multiboot header (magic 0x%08x, 4-byte aligned) in its "
			     "first %u bytes", MB1_HEADER_MAGIC, MB1_SEARCH_BYTES);
	return -VMM_EINVALID;
}

/* Add a segment after checking it against the image and 4 GiB. */
static int add_segment(struct mb1_image *im, u64 size, u64 paddr, u64 off, u64 filesz,
		       u64 memsz, u32 index, char *err, size_t errlen)
{
	struct mb1_segment *s;

	if (filesz > memsz) {
		vmm_snprintf(err, errlen, "segment %u: file size 0x%llx is larger than its memory size 0x%llx",
			     index, (unsigned long long)filesz, (unsigned long long)memsz);
		return -VMM_EINVALID;
	}
	if (off > size || filesz > size - off) {
		vmm_snprintf(err, errlen, "segment %u: bytes 0x%llx+0x%llx lie beyond the end of the image (0x%llx bytes)",
			     index, (unsigned long long)off, (unsigned long long)filesz,
			     (unsigned long long)size);
		return -VMM_EINVALID;
	}
	if (paddr >= FOUR_GIB || memsz > FOUR_GIB - paddr) {
		vmm_snprintf(err, errlen, "segment %u: 0x%llx+0x%llx does not lie below 4 GiB",
			     index, (unsigned long long)paddr, (unsigned long long)memsz);
		return -VMM_EINVALID;
	}
	if (!memsz)
		return VMM_OK;
	for (u32 i = 0; i < im->nr_segs; i++) {
		const struct mb1_segment *o = &im->segs[i];

		if (paddr < o->paddr + o->mem_size && o->paddr < paddr + memsz) {
			vmm_snprintf(err, errlen, "segment %u (0x%llx+0x%llx) overlaps another one (0x%llx+0x%llx)",
				     index, (unsigned long long)paddr, (unsigned long long)memsz,
				     (unsigned long long)o->paddr, (unsigned long long)o->mem_size);
			return -VMM_EINVALID;
		}
	}
	if (im->nr_segs >= MB1_MAX_SEGMENTS) {
		vmm_snprintf(err, errlen, "more than %d loadable segments", MB1_MAX_SEGMENTS);
		return -VMM_EINVALID;
	}
	s = &im->segs[im->nr_segs++];
	*s = (struct mb1_segment){ paddr, off, filesz, memsz };
	if (im->nr_segs == 1 || paddr < im->load_start)
		im->load_start = paddr;
	if (paddr + memsz > im->load_end)
		im->load_end = paddr + memsz;
	return VMM_OK;
}

/* The a.out kludge: one segment from the header's address fields. */
static int parse_aout(const u8 *img, u64 size, struct mb1_image *im, char *err, size_t errlen)
{
	const u8 *h = img + im->header_off;
	u32 header_addr, load_addr, load_end, bss_end;
	u64 off, filesz, memsz;

	if ((u64)im->header_off + MB1_AOUT_BYTES > size) {
		vmm_snprintf(err, errlen, "flag bit 16 (address fields) is set but the header at 0x%x "
			     "is cut off by the end of the image", im->header_off);
		return -VMM_EINVALID;
	}
	header_addr = get_le32(h + 12);
	load_addr = get_le32(h + 16);
	load_end = get_le32(h + 20);
	bss_end = get_le32(h + 24);
	im->entry = get_le32(h + 28);
	im->format = MB1_FORMAT_AOUT;
	if (header_addr < load_addr || header_addr - load_addr > im->header_off) {
		vmm_snprintf(err, errlen, "address fields: header_addr 0x%x and load_addr 0x%x put the "
			     "load start before the image's first byte", header_addr, load_addr);
		return -VMM_EINVALID;
	}
	off = im->header_off - (header_addr - load_addr);
	if (load_end == 0) {
		filesz = size - off;
	} else if (load_end <= load_addr) {
		vmm_snprintf(err, errlen, "address fields: load_end_addr 0x%x is not above load_addr 0x%x",
			     load_end, load_addr);
		return -VMM_EINVALID;
	} else {
		filesz = (u64)load_end - load_addr;
	}
	if (bss_end == 0) {
		memsz = filesz;
	} else if ((u64)bss_end < (u64)load_addr + filesz) {
		vmm_snprintf(err, errlen, "address fields: bss_end_addr 0x%x is below the end of the "
			     "loaded text and data (0x%llx)", bss_end,
			     (unsigned long long)((u64)load_addr + filesz));
		return -VMM_EINVALID;
	} else {
		memsz = (u64)bss_end - load_addr;
	}
	return add_segment(im, size, load_addr, off, filesz, memsz, 0, err, errlen);
}

/* PT_LOAD entries of an ELF32 or ELF64 executable for x86. */
static int parse_elf(const u8 *img, u64 size, struct mb1_image *im, char *err, size_t errlen)
{
	bool is64;
	u64 phoff, entry;
	u32 phentsize, phnum, want_phent;

	if (size < 16 || memcmp(img, "\177ELF", 4)) {
		vmm_snprintf(err, errlen, "neither ELF nor flag bit 16 (address fields) set: "
			     "no way to know where to load it");
		return -VMM_EINVALID;
	}
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64) {
		vmm_snprintf(err, errlen, "ELF class %u is neither ELF32 nor ELF64", img[EI_CLASS]);
		return -VMM_EINVALID;
	}
	is64 = img[EI_CLASS] == ELFCLASS64;
	im->format = is64 ? MB1_FORMAT_ELF64 : MB1_FORMAT_ELF32;
	if (size < (is64 ? ELF64_EHDR : ELF32_EHDR)) {
		vmm_snprintf(err, errlen, "ELF header cut off (%llu bytes)", (unsigned long long)size);
		return -VMM_EINVALID;
	}
	if (img[EI_DATA] != ELFDATA2LSB) {
		vmm_snprintf(err, errlen, "ELF data encoding %u is not little-endian", img[EI_DATA]);
		return -VMM_EINVALID;
	}
	if (get_le16(img + 16) != ET_EXEC) {
		vmm_snprintf(err, errlen, "ELF type %u is not an executable (ET_EXEC)", get_le16(img + 16));
		return -VMM_EINVALID;
	}
	if (get_le16(img + 18) != (is64 ? EM_X86_64 : EM_386)) {
		vmm_snprintf(err, errlen, "ELF machine %u is not %s", get_le16(img + 18),
			     is64 ? "x86-64 (62)" : "i386 (3)");
		return -VMM_EINVALID;
	}
	if (is64) {
		entry = get_le64(img + 24);
		phoff = get_le64(img + 32);
		phentsize = get_le16(img + 54);
		phnum = get_le16(img + 56);
		want_phent = ELF64_PHDR;
	} else {
		entry = get_le32(img + 24);
		phoff = get_le32(img + 28);
		phentsize = get_le16(img + 42);
		phnum = get_le16(img + 44);
		want_phent = ELF32_PHDR;
	}
	if (phentsize < want_phent) {
		vmm_snprintf(err, errlen, "ELF program header entries of %u bytes (at least %u needed)",
			     phentsize, want_phent);
		return -VMM_EINVALID;
	}
	if (!phnum) {
		vmm_snprintf(err, errlen, "ELF image without program headers");
		return -VMM_EINVALID;
	}
	if (phoff > size || (u64)phnum * phentsize > size - phoff) {
		vmm_snprintf(err, errlen, "ELF program headers (%u x %u bytes at 0x%llx) lie beyond the "
			     "end of the image", phnum, phentsize, (unsigned long long)phoff);
		return -VMM_EINVALID;
	}
	for (u32 i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + (u64)i * phentsize;
		u64 off, vaddr, paddr, filesz, memsz;
		int rc;

		if (get_le32(ph) != PT_LOAD)
			continue;
		if (is64) {
			off = get_le64(ph + 8);
			vaddr = get_le64(ph + 16);
			paddr = get_le64(ph + 24);
			filesz = get_le64(ph + 32);
			memsz = get_le64(ph + 40);
		} else {
			off = get_le32(ph + 4);
			vaddr = get_le32(ph + 8);
			paddr = get_le32(ph + 12);
			filesz = get_le32(ph + 16);
			memsz = get_le32(ph + 20);
		}
		rc = add_segment(im, size, paddr, off, filesz, memsz, i, err, errlen);
		if (rc)
			return rc;
		/* an entry given as a virtual address (higher-half kernels): its physical one */
		if (memsz && entry >= vaddr && entry - vaddr < memsz &&
		    !(entry >= paddr && entry - paddr < memsz))
			entry = paddr + (entry - vaddr);
	}
	if (!im->nr_segs) {
		vmm_snprintf(err, errlen, "ELF image without a loadable (PT_LOAD) segment");
		return -VMM_EINVALID;
	}
	if (entry >= FOUR_GIB) {
		vmm_snprintf(err, errlen, "entry point 0x%llx is above 4 GiB", (unsigned long long)entry);
		return -VMM_EINVALID;
	}
	im->entry = (u32)entry;
	return VMM_OK;
}

int mb1_image_parse(const u8 *img, u64 size, struct mb1_image *out, char *err, size_t errlen)
{
	int rc;
	u32 unknown;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = 0;
	rc = find_header(img, size, out, err, errlen);
	if (rc)
		return rc;
	unknown = out->flags & 0xFFFFu & ~MB1_FLAGS_HONOURED;
	if (unknown) {
		vmm_snprintf(err, errlen, "required flag bits 0x%04x cannot be honoured%s (flags 0x%08x; "
			     "only bits 0 and 1 are)", unknown,
			     unknown & MB1_FLAG_VIDEO ? " (bit 2: no video mode is offered)" : "",
			     out->flags);
		return -VMM_EINVALID;
	}
	rc = out->flags & MB1_FLAG_AOUT_KLUDGE ? parse_aout(img, size, out, err, errlen)
					       : parse_elf(img, size, out, err, errlen);
	if (rc)
		return rc;
	for (u32 i = 0; i < out->nr_segs; i++)
		if (out->entry >= out->segs[i].paddr &&
		    out->entry - out->segs[i].paddr < out->segs[i].mem_size)
			return VMM_OK;
	vmm_snprintf(err, errlen, "entry point 0x%x lies in none of its segments", out->entry);
	return -VMM_EINVALID;
}

/* Is [s, s + len) inside one range? */
static bool in_ram(const struct mb1_range *ram, u32 nr, u64 s, u64 len)
{
	for (u32 i = 0; i < nr; i++)
		if (s >= ram[i].start && s <= ram[i].end && len <= ram[i].end - s)
			return true;
	return false;
}

int mb1_image_check_ram(const struct mb1_image *im, const struct mb1_range *ram, u32 nr,
			char *err, size_t errlen)
{
	for (u32 i = 0; i < im->nr_segs; i++) {
		const struct mb1_segment *s = &im->segs[i];

		if (!in_ram(ram, nr, s->paddr, s->mem_size)) {
			vmm_snprintf(err, errlen, "segment at 0x%llx-0x%llx (%s) is not inside the guest's RAM",
				     (unsigned long long)s->paddr,
				     (unsigned long long)(s->paddr + s->mem_size - 1),
				     mb1_format_name(im->format));
			return -VMM_ERANGE;
		}
	}
	return VMM_OK;
}

int mb1_place(const struct mb1_range *ram, u32 nr, u64 from, u64 size, u64 avoid_start,
	      u64 avoid_end, u64 *out)
{
	u64 best = ~0ULL;

	for (u32 i = 0; i < nr; i++) {
		u64 a = ram[i].start > from ? ram[i].start : from;

		if (a > ~0ULL - PAGE_SIZE)
			continue;
		a = ALIGN_UP(a, PAGE_SIZE);
		/* past the kernel when it would overlap it */
		if (a < avoid_end && avoid_start < a + size) {
			if (avoid_end > ~0ULL - PAGE_SIZE)
				continue;
			a = ALIGN_UP(avoid_end, PAGE_SIZE);
		}
		if (a >= ram[i].end || size > ram[i].end - a || a + size > FOUR_GIB)
			continue;
		if (a < best)
			best = a;
	}
	if (best == ~0ULL)
		return -VMM_ENOSPC;
	*out = best;
	return VMM_OK;
}
