/*
 * kernel/aspace.c - guest address spaces (aspace.h).
 */
#include <string.h>
#include "kernel/aspace.h"
#include "kernel/manager.h"
#include "kernel/boot_info.h"
#include "kernel/host_mem.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/mb1_guest.h"
#include "kernel/linux_guest.h"
#include "kernel/acpi_guest.h"

/* Largest order whose block is aligned at 'gpa' and fits in 'left'. */
static unsigned int chunk_order(u64 gpa, u64 left)
{
	unsigned int order = VMM_BUDDY_MAX_ORDER;

	while (order && (!IS_ALIGNED(gpa, PAGE_SIZE << order) || (PAGE_SIZE << order) > left))
		order--;
	return order;
}

static int region_alloc(struct vmm_guest *g, struct vmm_region *r)
{
	const struct vmm_region_config *c = r->cfg;
	u32 cap = 8;
	u64 gpa = c->gpa, left = c->size;

	if (c->fixed_hpa) {
		r->chunks = vmm_zalloc(sizeof(*r->chunks));
		if (!r->chunks)
			return -VMM_ENOMEM;
		r->chunks[0] = (struct vmm_region_chunk){ c->gpa, c->hpa, c->size, false };
		r->nr_chunks = 1;
		return VMM_OK;
	}
	r->chunks = vmm_zalloc(cap * sizeof(*r->chunks));
	if (!r->chunks)
		return -VMM_ENOMEM;
	while (left) {
		unsigned int order = chunk_order(gpa, left);
		u64 hpa = 0;

		/* fall back to smaller blocks when large ones are gone */
		for (;;) {
			hpa = vmm_host_page_alloc(order);
			if (hpa || !order)
				break;
			order--;
		}
		if (!hpa) {
			vmm_err("guest %s: region %s: out of host memory (%llu KiB still needed)\n",
				g->name, c->name, (unsigned long long)(left / KiB));
			return -VMM_ENOMEM;
		}
		if (r->nr_chunks == cap) {
			struct vmm_region_chunk *n = vmm_zalloc(2 * cap * sizeof(*n));

			if (!n) {
				vmm_host_page_free(hpa);
				return -VMM_ENOMEM;
			}
			memcpy(n, r->chunks, cap * sizeof(*n));
			vmm_free(r->chunks);
			r->chunks = n;
			cap *= 2;
		}
		memset((void *)(uintptr_t)hpa, 0, PAGE_SIZE << order);
		r->chunks[r->nr_chunks++] = (struct vmm_region_chunk){ gpa, hpa, PAGE_SIZE << order, true };
		gpa += PAGE_SIZE << order;
		left -= PAGE_SIZE << order;
	}
	return VMM_OK;
}

static int region_load_image(struct vmm_guest *g, struct vmm_region *r)
{
	const struct vmm_region_config *c = r->cfg;
	const struct vmm_boot_module *m;
	const char *image;
	u64 offset, size;

	image = vmm_devtree_string_default(c->node, "image", "");
	if (!*image)
		return VMM_OK;
	m = vmm_boot_module_find(image);
	if (!m) {
		vmm_err("guest %s: region %s: image module '%s' not found (add it to the ISO with module2)\n",
			g->name, c->name, image);
		return -VMM_ENOENT;
	}
	offset = vmm_devtree_u64_default(c->node, "load_offset", 0);
	size = m->end - m->start;
	if (offset > c->size || size > c->size - offset) {
		vmm_err("guest %s: region %s: image '%s' (%llu bytes at offset 0x%llx) does not fit in 0x%llx bytes\n",
			g->name, c->name, image, (unsigned long long)size,
			(unsigned long long)offset, (unsigned long long)c->size);
		return -VMM_ERANGE;
	}
	if (vmm_guest_memory_write(g, c->gpa + offset, (const void *)(uintptr_t)m->start, size) != size) {
		vmm_err("guest %s: region %s: image '%s' could not be copied\n", g->name, c->name, image);
		return -VMM_EFAULT;
	}
	vmm_info("guest %s: loaded '%s' (%llu bytes) at 0x%llx\n", g->name, image,
		 (unsigned long long)size, (unsigned long long)(c->gpa + offset));
	return VMM_OK;
}

int vmm_aspace_init(struct vmm_guest *g)
{
	const struct vmm_guest_config *cfg = g->config;
	struct vmm_aspace *as = vmm_zalloc(sizeof(*as));
	int rc;

	if (!as)
		return -VMM_ENOMEM;
	g->aspace = as;		/* from here on vmm_aspace_deinit() frees it */
	as->regions = vmm_zalloc(cfg->nr_regions * sizeof(*as->regions));
	if (!as->regions)
		return -VMM_ENOMEM;
	as->nr_regions = cfg->nr_regions;
	for (u32 i = 0; i < cfg->nr_regions; i++) {
		struct vmm_region *r = &as->regions[i];

		r->cfg = &cfg->regions[i];
		if (r->cfg->kind == VMM_REGION_VIRTUAL || r->cfg->io)
			continue;
		if (r->cfg->kind == VMM_REGION_DEVICE) {
			rc = region_alloc(g, r);	/* one fixed chunk */
		} else {
			rc = region_alloc(g, r);
			if (!rc)
				rc = region_load_image(g, r);
		}
		if (rc)
			return rc;
	}
	rc = vmm_aspace_load_kernel(g);	/* a Multiboot or Linux kernel, after the region images */
	return rc ? rc : vmm_acpi_guest_load(g);	/* the ACPI tables ROM */
}

/*
 * Give back the host memory of one region: the chunks taken from the
 * allocator (a fixed host range stays where it is: the configuration
 * claimed it once for the guest's whole lifetime) and the chunk array.
 */
static int region_free(struct vmm_guest *g, struct vmm_region *r)
{
	int rc = VMM_OK;

	for (u32 k = 0; r->chunks && k < r->nr_chunks; k++) {
		struct vmm_region_chunk *ch = &r->chunks[k];

		if (!ch->allocated)
			continue;
		if (vmm_host_page_free(ch->hpa)) {
			vmm_err("guest %s: region %s: host block 0x%llx (%llu KiB) was refused by the page allocator\n",
				g->name, r->cfg ? r->cfg->name : "?", (unsigned long long)ch->hpa,
				(unsigned long long)(ch->size / KiB));
			rc = -VMM_EFAULT;
		}
	}
	vmm_free(r->chunks);
	r->chunks = NULL;
	r->nr_chunks = 0;
	return rc;
}

int vmm_aspace_deinit(struct vmm_guest *g)
{
	struct vmm_aspace *as = g ? g->aspace : NULL;
	int rc = VMM_OK;

	if (!as)
		return VMM_OK;
	for (u32 i = 0; as->regions && i < as->nr_regions; i++) {
		int r = region_free(g, &as->regions[i]);

		if (r)
			rc = r;
	}
	vmm_free(as->regions);
	vmm_free(as);
	g->aspace = NULL;
	return rc;
}

int vmm_aspace_reload(struct vmm_guest *g)
{
	struct vmm_aspace *as = g->aspace;
	int rc = VMM_OK;

	if (!as)
		return -VMM_EINVALID;
	/* every allocated chunk blank first, then the images */
	for (u32 i = 0; i < as->nr_regions; i++) {
		struct vmm_region *r = &as->regions[i];

		for (u32 k = 0; r->chunks && k < r->nr_chunks; k++)
			if (r->chunks[k].allocated)
				memset((void *)(uintptr_t)r->chunks[k].hpa, 0, r->chunks[k].size);
	}
	for (u32 i = 0; i < as->nr_regions; i++) {
		struct vmm_region *r = &as->regions[i];
		int e;

		if (!r->cfg || r->cfg->io || !r->nr_chunks)
			continue;
		if (r->cfg->kind != VMM_REGION_RAM && r->cfg->kind != VMM_REGION_ROM)
			continue;
		e = region_load_image(g, r);
		if (e && !rc)
			rc = e;
	}
	if (!rc)
		rc = vmm_aspace_load_kernel(g);
	return rc ? rc : vmm_acpi_guest_load(g);
}

int vmm_aspace_load_kernel(struct vmm_guest *g)
{
	const struct vmm_guest_config *cfg = g->config;

	if (cfg->mb1.kernel[0])
		return vmm_mb1_guest_load(g);
	if (cfg->linux_boot.kernel[0])
		return vmm_linux_guest_load(g);
	return VMM_OK;
}

struct vmm_region *vmm_aspace_search(struct vmm_aspace *as, u64 addr, bool io)
{
	for (u32 i = 0; i < as->nr_regions; i++) {
		if (as->regions[i].cfg->io == io && vmm_region_contains(&as->regions[i], addr)) {
			as->last_hit[io][1] = as->last_hit[io][0];
			as->last_hit[io][0] = &as->regions[i];
			return &as->regions[i];
		}
	}
	return NULL;
}

struct vmm_region *vmm_aspace_find(struct vmm_guest *g, u64 addr, bool io)
{
	return vmm_aspace_lookup(g->aspace, addr, io);
}

u64 vmm_guest_phys_to_host(struct vmm_guest *g, u64 gpa, u64 *contiguous)
{
	struct vmm_region *r = vmm_aspace_lookup(g->aspace, gpa, false);

	if (!r || !r->nr_chunks)
		return 0;
	for (u32 i = 0; i < r->nr_chunks; i++) {
		const struct vmm_region_chunk *ch = &r->chunks[i];

		if (gpa >= ch->gpa && gpa - ch->gpa < ch->size) {
			if (contiguous)
				*contiguous = ch->size - (gpa - ch->gpa);
			return ch->hpa + (gpa - ch->gpa);
		}
	}
	return 0;
}

static size_t guest_copy(struct vmm_guest *g, u64 gpa, void *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		u64 avail, hpa = vmm_guest_phys_to_host(g, gpa + done, &avail);
		size_t n;

		if (!hpa)
			break;
		n = MIN((u64)(len - done), avail);
		if (write)
			memcpy((void *)(uintptr_t)hpa, (const u8 *)buf + done, n);
		else
			memcpy((u8 *)buf + done, (const void *)(uintptr_t)hpa, n);
		done += n;
	}
	return done;
}

size_t vmm_guest_memory_read(struct vmm_guest *g, u64 gpa, void *buf, size_t len)
{
	return guest_copy(g, gpa, buf, len, false);
}

size_t vmm_guest_memory_write(struct vmm_guest *g, u64 gpa, const void *buf, size_t len)
{
	return guest_copy(g, gpa, (void *)buf, len, true);
}

size_t vmm_guest_memory_write_as_guest(struct vmm_guest *g, u64 gpa, const void *buf,
				       size_t len, size_t *rom_bytes)
{
	size_t done = 0;

	while (done < len) {
		struct vmm_region *r = vmm_aspace_find(g, gpa + done, false);
		size_t n;

		if (!r || !r->nr_chunks)
			break;
		n = MIN((u64)(len - done), r->cfg->gpa + r->cfg->size - (gpa + done));
		if (r->cfg->kind == VMM_REGION_ROM) {
			if (rom_bytes)
				*rom_bytes += n;
		} else if (guest_copy(g, gpa + done, (u8 *)buf + done, n, true) != n) {
			break;
		}
		done += n;
	}
	return done;
}
