/*
 * kernel/aspace.h - a guest's address space: its regions, instantiated from
 * the validated configuration. Real RAM/ROM regions get host memory (from
 * the allocator, in naturally aligned chunks so that large second-level
 * pages fit, or the fixed host range); images named in the DTS are copied in
 * from Multiboot2 modules, a Multiboot kernel into RAM (kernel/mb1_guest.c)
 * and the ACPI tables into the ROM that asks for them (kernel/acpi_guest.c).
 * Virtual regions are routed to device emulation.
 */
#ifndef KERNEL_ASPACE_H
#define KERNEL_ASPACE_H

#include "kernel/types.h"
#include "kernel/guest_config.h"

struct vmm_guest;
struct vmm_emudev;

struct vmm_region_chunk {
	u64 gpa;	/* guest physical start */
	u64 hpa;	/* host physical start */
	u64 size;
	bool allocated;	/* from the allocator (else a fixed host range) */
};

struct vmm_region {
	const struct vmm_region_config *cfg;
	u32 nr_chunks;
	struct vmm_region_chunk *chunks;	/* real regions */
	struct vmm_emudev *emudev;		/* virtual regions */
};

struct vmm_aspace {
	u32 nr_regions;
	struct vmm_region *regions;
	/* lookup cache, two most recent hits: [0] memory, [1] io (an MMIO
	 * exit looks up both the code's region and the device's) */
	struct vmm_region *last_hit[2][2];
};

/* Build the aspace of a guest from guest->config; prints what fails. */
int vmm_aspace_init(struct vmm_guest *guest);
/*
 * Free what vmm_aspace_init() built, also when it stopped half-way: the
 * RAM/ROM chunks taken from the host page allocator (fixed host ranges
 * are not the allocator's and stay claimed), the chunk and region arrays
 * and the aspace; g->aspace is NULL afterwards. The guest's VCPUs must
 * not run and its devices must be removed (vmm_devemu_guest_deinit) and
 * its second-level tables freed (arch_guest_deinit) first. Returns
 * VMM_OK, or an error when the allocator refused a block (reported; the
 * rest is freed anyway).
 */
int vmm_aspace_deinit(struct vmm_guest *guest);
/*
 * A power cycle of the guest's memory: every chunk taken from the
 * allocator is zeroed (as at creation; fixed host ranges are left as
 * they are) and every RAM/ROM image is copied in again from its
 * Multiboot2 module, then the Multiboot kernel and the ACPI tables
 * or Linux kernel (kernel/mb1_guest.c, kernel/linux_guest.c) and the ACPI
 * tables (kernel/acpi_guest.c). VCPUs must not run. The first error is returned
 * (reported); the other regions are reloaded anyway.
 */
int vmm_aspace_reload(struct vmm_guest *guest);
/*
 * Load the kernel the guest's configuration names, Multiboot
 * (kernel/mb1_guest.c) or Linux (kernel/linux_guest.c), into its RAM: at
 * creation and cold reset after the region images, and alone at a CPU
 * reset the guest asks for, where a PC's firmware and boot loader would
 * load it again over what the guest left (the rest of RAM is kept).
 * VMM_OK when the guest has no such kernel.
 */
int vmm_aspace_load_kernel(struct vmm_guest *guest);
/* The region containing guest address (or port) 'addr', or NULL. */
struct vmm_region *vmm_aspace_find(struct vmm_guest *guest, u64 addr, bool io);
static inline bool vmm_region_contains(const struct vmm_region *r, u64 addr)
{
	return r && addr >= r->cfg->gpa && addr - r->cfg->gpa < r->cfg->size;
}

/* The region search behind the cache (vmm_aspace_lookup's miss path). */
struct vmm_region *vmm_aspace_search(struct vmm_aspace *as, u64 addr, bool io);

/*
 * The lookup cache: one of the two most recent hits of this kind (memory
 * or io) if it contains 'addr', else NULL. An MMIO exit alternates between
 * the code's region and the device's, so both are looked at.
 */
static inline struct vmm_region *vmm_aspace_cached(struct vmm_aspace *as, u64 addr, bool io)
{
	if (!as)
		return NULL;
	if (vmm_region_contains(as->last_hit[io][0], addr))
		return as->last_hit[io][0];
	if (vmm_region_contains(as->last_hit[io][1], addr))
		return as->last_hit[io][1];
	return NULL;
}

/* vmm_aspace_find for exit handlers: the cache hit inline, else the search. */
static inline struct vmm_region *vmm_aspace_lookup(struct vmm_aspace *as, u64 addr, bool io)
{
	struct vmm_region *r = vmm_aspace_cached(as, addr, io);

	return r || !as ? r : vmm_aspace_search(as, addr, io);
}
/*
 * Copy between guest physical memory (real RAM/ROM regions only) and a
 * buffer; returns bytes copied (less than len when a gap is reached).
 */
size_t vmm_guest_memory_read(struct vmm_guest *guest, u64 gpa, void *buf, size_t len);
size_t vmm_guest_memory_write(struct vmm_guest *guest, u64 gpa, const void *buf, size_t len);
/*
 * A write on behalf of the guest (string I/O, emulated instructions): bytes
 * that fall in ROM are dropped, as the hardware would, and counted in
 * *rom_bytes. Returns bytes handled (written or dropped).
 */
size_t vmm_guest_memory_write_as_guest(struct vmm_guest *guest, u64 gpa, const void *buf,
				       size_t len, size_t *rom_bytes);
/* Host physical address of a guest physical address in real memory, or 0. */
u64 vmm_guest_phys_to_host(struct vmm_guest *guest, u64 gpa, u64 *contiguous);

#endif
