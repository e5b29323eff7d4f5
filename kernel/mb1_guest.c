/*
 * kernel/mb1_guest.c - a guest's Multiboot (v1) kernel (mb1_guest.h): the
 * image and modules are Multiboot2 modules of the hypervisor's own boot
 * (like region images). The image is checked by kernel/mb1_image.c, its
 * segments are copied into the guest's RAM regions and their BSS zeroed;
 * then, from the first page after the kernel's highest byte, each module
 * page-aligned, and the information block of kernel/mb1_info.c (memory
 * map: RAM regions available, every other memory region reserved).
 */
#include <string.h>
#include "kernel/mb1_guest.h"
#include "kernel/mb1_image.h"
#include "kernel/mb1_info.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/boot_info.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define MB1_LOADER_NAME "xvisor-x86"
#define ERR_MAX 192

/* Copy 'len' bytes (or zeros when src is NULL) into guest RAM. */
static int put(struct vmm_guest *g, u64 gpa, const void *src, u64 len)
{
	static const u8 zeros[512];

	if (src)
		return vmm_guest_memory_write(g, gpa, src, len) == len ? VMM_OK : -VMM_EFAULT;
	while (len) {
		u64 n = len < sizeof(zeros) ? len : sizeof(zeros);

		if (vmm_guest_memory_write(g, gpa, zeros, n) != n)
			return -VMM_EFAULT;
		gpa += n;
		len -= n;
	}
	return VMM_OK;
}

/* A module's name: the first word of its string. */
static const struct vmm_boot_module *module_of(const char *string)
{
	char name[VMM_BOOT_MODULE_NAME_MAX];
	size_t n = strcspn(string, " ");

	if (n >= sizeof(name))
		return NULL;
	memcpy(name, string, n);
	name[n] = 0;
	return vmm_boot_module_find(name);
}

int vmm_mb1_guest_load(struct vmm_guest *g)
{
	const struct vmm_guest_config *cfg = g->config;
	const struct vmm_mb1_config *mb = &cfg->mb1;
	const struct vmm_boot_module *km;
	struct mb1_range ram[VMM_GUEST_MAX_REGIONS];
	struct mb1_mem mem[VMM_GUEST_MAX_REGIONS];
	struct mb1_mod mods[VMM_MB1_MAX_MODULES];
	struct mb1_info_in in;
	struct mb1_image *im;
	char err[ERR_MAX];
	u32 nr_ram = 0, nr_mem = 0;
	u64 next, info_size, info_gpa;
	u8 *buf;
	int rc;

	g->boot_start.valid = false;
	if (!mb->kernel[0])
		return VMM_OK;
	km = vmm_boot_module_find(mb->kernel);
	if (!km) {
		vmm_err("guest %s: Multiboot kernel '%s': no such module (add it to the ISO with module2)\n",
			g->name, mb->kernel);
		return -VMM_ENOENT;
	}
	for (u32 i = 0; i < cfg->nr_regions; i++) {
		const struct vmm_region_config *r = &cfg->regions[i];

		if (r->io)
			continue;
		mem[nr_mem++] = (struct mb1_mem){ r->gpa, r->size,
			r->kind == VMM_REGION_RAM ? MB1_MEM_AVAILABLE : MB1_MEM_RESERVED };
		if (r->kind == VMM_REGION_RAM)
			ram[nr_ram++] = (struct mb1_range){ r->gpa, r->gpa + r->size };
	}
	im = vmm_malloc(sizeof(*im));
	if (!im)
		return -VMM_ENOMEM;
	rc = mb1_image_parse((const u8 *)(uintptr_t)km->start, km->end - km->start, im, err, sizeof(err));
	if (!rc)
		rc = mb1_image_check_ram(im, ram, nr_ram, err, sizeof(err));
	if (rc) {
		vmm_err("guest %s: Multiboot kernel '%s' refused: %s\n", g->name, mb->kernel, err);
		goto out;
	}
	for (u32 i = 0; !rc && i < im->nr_segs; i++) {
		const struct mb1_segment *s = &im->segs[i];

		rc = put(g, s->paddr, (const u8 *)(uintptr_t)km->start + s->file_off, s->file_size);
		if (!rc)
			rc = put(g, s->paddr + s->file_size, NULL, s->mem_size - s->file_size);
	}
	if (rc) {
		vmm_err("guest %s: Multiboot kernel '%s': its segments could not be written to guest RAM\n",
			g->name, mb->kernel);
		goto out;
	}
	next = im->load_end;
	for (u32 i = 0; i < mb->nr_modules; i++) {
		const struct vmm_boot_module *m = module_of(mb->modules[i]);
		u64 size, at;

		if (!m) {
			vmm_err("guest %s: Multiboot module '%s': no such module (add it to the ISO with module2)\n",
				g->name, mb->modules[i]);
			rc = -VMM_ENOENT;
			goto out;
		}
		size = m->end - m->start;
		if (mb1_place(ram, nr_ram, next, size ? size : 1, im->load_start, im->load_end, &at) ||
		    put(g, at, (const void *)(uintptr_t)m->start, size)) {
			vmm_err("guest %s: Multiboot module '%s' (%llu bytes) does not fit in the guest's RAM after 0x%llx\n",
				g->name, mb->modules[i], (unsigned long long)size, (unsigned long long)next);
			rc = -VMM_ENOSPC;
			goto out;
		}
		mods[i] = (struct mb1_mod){ (u32)at, (u32)(at + size), mb->modules[i] };
		next = at + size;
	}
	in = (struct mb1_info_in){ mem, nr_mem, mods, mb->nr_modules, mb->cmdline, MB1_LOADER_NAME };
	info_size = mb1_info_size(&in);
	if (!info_size || mb1_place(ram, nr_ram, next, info_size, im->load_start, im->load_end, &info_gpa)) {
		vmm_err("guest %s: Multiboot kernel '%s': no room in RAM after 0x%llx for the boot information (%llu bytes)\n",
			g->name, mb->kernel, (unsigned long long)next, (unsigned long long)info_size);
		rc = -VMM_ENOSPC;
		goto out;
	}
	buf = vmm_malloc(info_size);
	if (!buf) {
		rc = -VMM_ENOMEM;
		goto out;
	}
	rc = mb1_info_build(&in, info_gpa, buf, info_size);
	if (!rc)
		rc = put(g, info_gpa, buf, info_size);
	vmm_free(buf);
	if (rc) {
		vmm_err("guest %s: Multiboot kernel '%s': the boot information could not be written\n",
			g->name, mb->kernel);
		goto out;
	}
	g->boot_start = (struct vmm_guest_boot_start){ .valid = true, .entry = im->entry,
						       .rax = MB1_BOOT_MAGIC, .rbx = info_gpa };
	vmm_info("guest %s: Multiboot kernel '%s' (%s, %u segments at 0x%llx-0x%llx) loaded, entry 0x%x, "
		 "%u modules, information at 0x%llx\n", g->name, mb->kernel, mb1_format_name(im->format),
		 im->nr_segs, (unsigned long long)im->load_start, (unsigned long long)(im->load_end - 1),
		 im->entry, mb->nr_modules, (unsigned long long)info_gpa);
out:
	vmm_free(im);
	return rc;
}
