/*
 * tests/unit/test_aspace.c - a guest's address space torn down and power
 * cycled (kernel/aspace.c): vmm_aspace_deinit() gives every block taken
 * from the host page allocator back (the allocator's free count and the
 * heap's live objects return to their values before creation), also for an
 * aspace whose creation stopped half-way (out of host memory, a missing
 * image module), and leaves a fixed host range alone; vmm_aspace_reload()
 * zeroes the guest's RAM and copies every RAM and ROM image in again from
 * its Multiboot2 module.
 *
 * The real host page allocator and kernel heap over 16 MiB of test RAM;
 * the images are host buffers posing as boot modules (vmm_boot_info_set).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/aspace.h"
#include "kernel/manager.h"
#include "kernel/boot_info.h"
#include "kernel/devtree.h"
#include "kernel/host_mem.h"
#include "kernel/heap.h"
#include "kernel/error.h"

#define HOST_RAM (16 * MiB)

static u8 *ram;
static u8 boot_img[3000], bios_img[(64 * KiB) / 2];
static u8 fixed_ram[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct vmm_boot_info bi;
static struct vmm_devtree_node *root;

struct region_def {
	const char *name;
	enum vmm_region_kind kind;
	bool io, fixed;
	u64 gpa, size;
	const char *image;
	u64 load_offset;
};

static struct vmm_guest_config cfg;
static struct vmm_guest guest;

static int group_setup(void **state)
{
	static const struct vmm_phys_range resv[] = { { 0, 0, "none" } };

	(void)state;
	ram = aligned_alloc(2 * MiB, HOST_RAM);
	if (!ram)
		return -1;
	bi.nr_mem = 1;
	bi.mem[0] = (struct vmm_mem_range){ (uintptr_t)ram, HOST_RAM, VMM_MEM_USABLE };
	if (vmm_host_mem_init(&bi, resv, 0))
		return -1;
	vmm_heap_setup();
	for (size_t i = 0; i < sizeof(boot_img); i++)
		boot_img[i] = (u8)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(bios_img); i++)
		bios_img[i] = (u8)(0xEA ^ i);
	bi.nr_modules = 2;
	bi.modules[0] = (struct vmm_boot_module){ (uintptr_t)boot_img,
						  (uintptr_t)boot_img + sizeof(boot_img), "/boot/boot.bin" };
	bi.modules[1] = (struct vmm_boot_module){ (uintptr_t)bios_img,
						  (uintptr_t)bios_img + sizeof(bios_img), "/boot/bios.bin" };
	vmm_boot_info_set(&bi);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	vmm_boot_info_set(NULL);
	free(ram);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	bi.nr_modules = 2;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmm_aspace_deinit(&guest);
	vmm_devtree_node_free(root);
	root = NULL;
	return 0;
}

/* The configuration of guest "g" with these regions (devtree nodes for
 * the image attributes; made before the counters are read). */
static void make_config(const struct region_def *defs, u32 nr)
{
	struct vmm_devtree_node *aspace;

	memset(&cfg, 0, sizeof(cfg));
	memset(&guest, 0, sizeof(guest));
	root = vmm_devtree_node_new(NULL, "");
	aspace = vmm_devtree_node_new(vmm_devtree_node_new(root, "g"), "aspace");
	assert_non_null(aspace);
	snprintf(cfg.name, sizeof(cfg.name), "g");
	cfg.nr_regions = nr;
	for (u32 i = 0; i < nr; i++) {
		struct vmm_region_config *c = &cfg.regions[i];
		struct vmm_devtree_node *n = vmm_devtree_node_new(aspace, defs[i].name);

		assert_non_null(n);
		snprintf(c->name, sizeof(c->name), "%s", defs[i].name);
		c->node = n;
		c->kind = defs[i].kind;
		c->io = defs[i].io;
		c->gpa = defs[i].gpa;
		c->size = defs[i].size;
		c->fixed_hpa = defs[i].fixed;
		c->hpa = defs[i].fixed ? (uintptr_t)fixed_ram : 0;
		if (defs[i].kind == VMM_REGION_VIRTUAL)
			snprintf(c->compatible, sizeof(c->compatible), "ioport-sink");
		if (defs[i].image) {
			assert_int_equal(vmm_devtree_setattr(n, "image", VMM_DEVTREE_STRING, defs[i].image,
							     (u32)strlen(defs[i].image) + 1), VMM_OK);
			assert_int_equal(vmm_devtree_setattr(n, "load_offset", VMM_DEVTREE_U64,
							     &defs[i].load_offset, 8), VMM_OK);
		}
	}
	snprintf(guest.name, sizeof(guest.name), "g");
	guest.config = &cfg;
}

/* A PC-like guest: low RAM with a boot image, high RAM in many chunks (it
 * starts 4 KiB past a 2 MiB boundary), the BIOS ROM image, a device window
 * at a fixed host range and a port region that gets no memory. */
static const struct region_def pc[] = {
	{ "lowmem", VMM_REGION_RAM, false, false, 0, (640 * KiB), "boot.bin", 0x7C00 },
	{ "highmem", VMM_REGION_RAM, false, false, 2 * MiB + PAGE_SIZE, 2 * MiB - PAGE_SIZE, NULL, 0 },
	{ "bios", VMM_REGION_ROM, false, false, 0xF0000, (64 * KiB), "bios.bin", (32 * KiB) },
	{ "fixed", VMM_REGION_RAM, false, true, 8 * MiB, 2 * PAGE_SIZE, NULL, 0 },
	{ "port80", VMM_REGION_VIRTUAL, true, false, 0x80, 1, NULL, 0 },
};
#define NR_PC (u32)(sizeof(pc) / sizeof(pc[0]))

struct counters {
	u64 free_pages, heap_pages, objects, bytes;
};

static struct counters counters(void)
{
	struct vmm_heap *h = vmm_kernel_heap();

	return (struct counters){ vmm_host_buddy()->free_pages, h->pages_taken,
				  h->objects_in_use, h->bytes_in_use };
}

/* Nothing held any more: heap objects as before, and every page either
 * free again or kept by the heap for its small-object classes. */
static void assert_all_returned(struct counters before)
{
	struct counters now = counters();

	assert_int_equal(now.objects, before.objects);
	assert_int_equal(now.bytes, before.bytes);
	assert_int_equal(now.free_pages + now.heap_pages, before.free_pages + before.heap_pages);
}

static u8 guest_byte(u64 gpa)
{
	u8 b = 0x55;

	assert_int_equal(vmm_guest_memory_read(&guest, gpa, &b, 1), 1);
	return b;
}

static void test_deinit_returns_everything(void **state)
{
	struct counters before, after_first;

	(void)state;
	make_config(pc, NR_PC);
	before = counters();
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	assert_true(counters().free_pages + counters().heap_pages <
		    before.free_pages + before.heap_pages - ((640 * KiB) + 2 * MiB) / PAGE_SIZE);
	assert_true(guest.aspace->regions[1].nr_chunks > 8);	/* the chunk array grew */
	assert_int_equal(vmm_aspace_deinit(&guest), VMM_OK);
	assert_null(guest.aspace);
	assert_all_returned(before);
	/* a second round in the steady state: the very same free count */
	after_first = counters();
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	assert_int_equal(vmm_aspace_deinit(&guest), VMM_OK);
	assert_int_equal(counters().free_pages, after_first.free_pages);
	assert_int_equal(counters().objects, after_first.objects);
	/* deinit of nothing */
	assert_int_equal(vmm_aspace_deinit(&guest), VMM_OK);
}

/* The fixed host range is not the allocator's: left where it is, with its
 * contents (the allocator would refuse it, and the deinit report it). */
static void test_fixed_range_left_alone(void **state)
{
	u32 v = 0xC0FFEE;

	(void)state;
	make_config(pc, NR_PC);
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	assert_int_equal(vmm_guest_phys_to_host(&guest, 8 * MiB, NULL), (uintptr_t)fixed_ram);
	assert_int_equal(vmm_guest_memory_write(&guest, 8 * MiB + 16, &v, 4), 4);
	assert_int_equal(vmm_aspace_deinit(&guest), VMM_OK);
	assert_false(fake_console_contains("refused"));
	assert_memory_equal(fixed_ram + 16, &v, 4);
	memset(fixed_ram, 0, sizeof(fixed_ram));
}

/* Out of host memory in the middle of a region: the chunks it got and the
 * regions before it are freed by deinit. */
static void test_deinit_after_out_of_memory(void **state)
{
	static const struct region_def big[] = {
		{ "lowmem", VMM_REGION_RAM, false, false, 0, (640 * KiB), "boot.bin", 0x7C00 },
		{ "huge", VMM_REGION_RAM, false, false, 16 * MiB, 64 * MiB, NULL, 0 },
		{ "after", VMM_REGION_RAM, false, false, 128 * MiB, (1 * MiB), NULL, 0 },
	};
	struct counters before;

	(void)state;
	make_config(big, 3);
	before = counters();
	assert_int_equal(vmm_aspace_init(&guest), -VMM_ENOMEM);
	assert_true(fake_console_contains("guest g: region huge: out of host memory"));
	assert_true(guest.aspace->regions[1].nr_chunks > 0);	/* got part of it */
	assert_null(guest.aspace->regions[2].cfg);		/* never reached */
	assert_int_equal(vmm_host_buddy()->free_pages, 0);
	assert_int_equal(vmm_aspace_deinit(&guest), VMM_OK);
	assert_all_returned(before);
}

/* An image module that is not there: creation fails after the region's
 * memory was taken; deinit frees it. */
static void test_deinit_after_missing_image(void **state)
{
	static const struct region_def defs[] = {
		{ "lowmem", VMM_REGION_RAM, false, false, 0, (640 * KiB), "nothere.bin", 0 },
		{ "bios", VMM_REGION_ROM, false, false, 0xF0000, (64 * KiB), "bios.bin", 0 },
	};
	struct counters before;

	(void)state;
	make_config(defs, 2);
	before = counters();
	assert_int_equal(vmm_aspace_init(&guest), -VMM_ENOENT);
	assert_int_equal(vmm_aspace_deinit(&guest), VMM_OK);
	assert_all_returned(before);
}

/* A power cycle: what the guest wrote is gone, RAM reads zero, the boot
 * image and the BIOS image are back where the configuration puts them. */
static void test_reload(void **state)
{
	u8 junk[4096], buf[sizeof(bios_img)];
	struct counters loaded;

	(void)state;
	memset(junk, 0xCC, sizeof(junk));
	make_config(pc, NR_PC);
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	loaded = counters();
	assert_int_equal(guest_byte(0x7C00), boot_img[0]);
	/* the guest scribbles over its image, free RAM, high RAM; the host
	 * side (not the guest's ROM rule) over the BIOS too */
	assert_int_equal(vmm_guest_memory_write(&guest, 0x7C00, junk, sizeof(junk)), sizeof(junk));
	assert_int_equal(vmm_guest_memory_write(&guest, 0x1000, junk, 16), 16);
	assert_int_equal(vmm_guest_memory_write(&guest, 3 * MiB, junk, 16), 16);
	assert_int_equal(vmm_guest_memory_write(&guest, 4 * MiB - 16, junk, 16), 16);
	assert_int_equal(vmm_guest_memory_write(&guest, 0xF8000, junk, 16), 16);
	assert_int_equal(guest_byte(3 * MiB), 0xCC);

	assert_int_equal(vmm_aspace_reload(&guest), VMM_OK);
	assert_int_equal(guest_byte(0x1000), 0);
	assert_int_equal(guest_byte(3 * MiB), 0);
	assert_int_equal(guest_byte(4 * MiB - 1), 0);
	assert_int_equal(guest_byte(0x7C00 + sizeof(boot_img)), 0);	/* past the image */
	for (size_t i = 0; i < sizeof(boot_img); i++)
		if (guest_byte(0x7C00 + i) != boot_img[i])
			fail_msg("boot image byte %zu not reloaded", i);
	assert_int_equal(vmm_guest_memory_read(&guest, 0xF0000 + (32 * KiB), buf, sizeof(buf)),
			 sizeof(buf));
	assert_memory_equal(buf, bios_img, sizeof(bios_img));
	assert_int_equal(guest_byte(0xF0000), 0);	/* below the load offset */
	/* same memory, nothing allocated */
	assert_int_equal(counters().free_pages, loaded.free_pages);
	assert_int_equal(counters().objects, loaded.objects);
}

/* A module gone since creation: the other regions are still reloaded and
 * the error names the image. */
static void test_reload_missing_module(void **state)
{
	u8 junk[16];

	(void)state;
	memset(junk, 0xCC, sizeof(junk));
	make_config(pc, NR_PC);
	assert_int_equal(vmm_aspace_init(&guest), VMM_OK);
	assert_int_equal(vmm_guest_memory_write(&guest, 0x1000, junk, 16), 16);
	bi.nr_modules = 1;	/* bios.bin gone */
	assert_int_equal(vmm_aspace_reload(&guest), -VMM_ENOENT);
	assert_true(fake_console_contains("image module 'bios.bin' not found"));
	assert_int_equal(guest_byte(0x1000), 0);
	assert_int_equal(guest_byte(0x7C00), boot_img[0]);
	assert_int_equal(guest_byte(0xF0000 + (32 * KiB)), 0);	/* zeroed, not reloaded */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_deinit_returns_everything),
		T(test_fixed_range_left_alone),
		T(test_deinit_after_out_of_memory),
		T(test_deinit_after_missing_image),
		T(test_reload),
		T(test_reload_missing_module),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
