/*
 * kernel/linux_guest.c - a guest's Linux kernel (linux_guest.h). The
 * bzImage and the initramfs are Multiboot2 modules of the hypervisor's own
 * boot, like region images. kernel/linux_image.c checks the setup header
 * and says where things go; this file copies them into the guest's RAM:
 *   - the boot data, low (from 64 KiB, below 640 KiB where the guest has
 *     RAM there): the zero page, the boot GDT, the command line;
 *   - the protected-mode kernel at its preferred address (16 MiB for
 *     Debian's), or the lowest aligned free place when it is relocatable;
 *   - the initramfs as high as the kernel's initrd_addr_max allows;
 * avoiding the boot VCPU's long-mode page tables (page_table_addr, which
 * identity-map the first 4 GiB for the 64-bit entry). The e820 map says:
 * RAM regions usable, ROM and device or emulated memory regions reserved.
 */
#include <string.h>
#include "kernel/linux_guest.h"
#include "kernel/linux_image.h"
#include "kernel/acpi_guest.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/boot_info.h"
#include "kernel/guest_config.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define ERR_MAX 192
#define BOOT_DATA_LOW 0x10000ULL	/* above the IVT, BDA and the page tables' default */
#define LOW_RAM_END 0xA0000ULL
#define FOUR_GIB (1ULL << 32)

static int put(struct vmm_guest *g, u64 gpa, const void *src, u64 len)
{
	return vmm_guest_memory_write(g, gpa, src, len) == len ? VMM_OK : -VMM_EFAULT;
}

/* The e820 map of the guest's memory regions. */
static int build_e820(const struct vmm_guest_config *cfg, struct linux_e820 *map, u32 *nr)
{
	struct linux_e820 in[VMM_GUEST_MAX_REGIONS];
	u32 n = 0;

	for (u32 i = 0; i < cfg->nr_regions; i++) {
		const struct vmm_region_config *r = &cfg->regions[i];

		if (r->io)
			continue;
		in[n++] = (struct linux_e820){ r->gpa, r->size,
			r->kind == VMM_REGION_RAM ? LINUX_E820_RAM : LINUX_E820_RESERVED };
	}
	return linux_e820_build(in, n, map, LINUX_E820_MAX, nr);
}

/* Room for the zero page, the GDT and the command line (whole pages). */
static u64 boot_data_bytes(u64 cmdline_len)
{
	return 2 * PAGE_SIZE + ALIGN_UP(cmdline_len + 1, PAGE_SIZE);
}

int vmm_linux_guest_load(struct vmm_guest *g)
{
	const struct vmm_guest_config *cfg = g->config;
	const struct vmm_linux_config *lx = &cfg->linux_boot;
	const struct vmm_boot_module *km, *rm = NULL;
	struct linux_range ram[VMM_GUEST_MAX_REGIONS], avoid[4];
	struct linux_e820 *map = NULL;
	struct linux_image im;
	struct linux_boot_in in;
	struct acpi_guest_plan plan;
	char err[ERR_MAX];
	const u8 *img;
	u8 *zp = NULL, gdt[LINUX_GDT_BYTES];
	u32 nr_ram = 0, nr_avoid = 0, nr_map = 0;
	u64 boot, load, initrd = 0, initrd_size = 0, cmdline_len = strlen(lx->cmdline), pt, hi;
	int rc;

	if (!lx->kernel[0])
		return VMM_OK;
	g->boot_start.valid = false;
	km = vmm_boot_module_find(lx->kernel);
	if (!km) {
		vmm_err("guest %s: Linux kernel '%s': no such module (add it to the ISO with module2)\n",
			g->name, lx->kernel);
		return -VMM_ENOENT;
	}
	if (lx->initrd[0]) {
		rm = vmm_boot_module_find(lx->initrd);
		if (!rm) {
			vmm_err("guest %s: Linux initramfs '%s': no such module (add it to the ISO with module2)\n",
				g->name, lx->initrd);
			return -VMM_ENOENT;
		}
		initrd_size = rm->end - rm->start;
	}
	img = (const u8 *)(uintptr_t)km->start;
	rc = linux_image_parse(img, km->end - km->start, &im, err, sizeof(err));
	if (rc) {
		vmm_err("guest %s: Linux kernel '%s' refused: %s\n", g->name, lx->kernel, err);
		return rc;
	}
	if (cmdline_len > im.cmdline_size) {
		vmm_err("guest %s: Linux kernel '%s' refused: linux_cmdline has %llu characters, the kernel takes %u\n",
			g->name, lx->kernel, (unsigned long long)cmdline_len, im.cmdline_size);
		return -VMM_EINVALID;
	}
	for (u32 i = 0; i < cfg->nr_regions; i++) {
		const struct vmm_region_config *r = &cfg->regions[i];

		if (r->kind == VMM_REGION_RAM && !r->io)
			ram[nr_ram++] = (struct linux_range){ r->gpa, r->gpa + r->size };
	}
	/* the first page (IVT, BDA) and the boot VCPU's page tables stay as they are */
	pt = cfg->vcpus[0].page_table_addr;
	avoid[nr_avoid++] = (struct linux_range){ 0, PAGE_SIZE };
	avoid[nr_avoid++] = (struct linux_range){ pt, pt + VMM_LONG_MODE_PT_BYTES };
	if (linux_place(ram, nr_ram, avoid, nr_avoid, boot_data_bytes(cmdline_len), PAGE_SIZE,
			BOOT_DATA_LOW, LOW_RAM_END, false, &boot) &&
	    linux_place(ram, nr_ram, avoid, nr_avoid, boot_data_bytes(cmdline_len), PAGE_SIZE,
			PAGE_SIZE, FOUR_GIB, false, &boot)) {
		vmm_err("guest %s: Linux kernel '%s': no room in RAM below 4 GiB for the zero page and command line\n",
			g->name, lx->kernel);
		return -VMM_ENOSPC;
	}
	avoid[nr_avoid++] = (struct linux_range){ boot, boot + boot_data_bytes(cmdline_len) };
	rc = linux_image_place_kernel(&im, ram, nr_ram, avoid, nr_avoid, &load, err, sizeof(err));
	if (rc) {
		vmm_err("guest %s: Linux kernel '%s' refused: %s\n", g->name, lx->kernel, err);
		return rc;
	}
	avoid[nr_avoid++] = (struct linux_range){ load, load + im.init_size };
	if (rm) {
		hi = (u64)im.initrd_addr_max + 1;
		if (hi > FOUR_GIB)
			hi = FOUR_GIB;
		if (linux_place(ram, nr_ram, avoid, nr_avoid, initrd_size ? initrd_size : 1, PAGE_SIZE,
				MiB, hi, true, &initrd)) {
			vmm_err("guest %s: Linux initramfs '%s' (%llu KiB) does not fit in the guest's RAM "
				"below 0x%llx beside the kernel (0x%llx-0x%llx)\n", g->name, lx->initrd,
				(unsigned long long)(initrd_size / KiB), (unsigned long long)hi,
				(unsigned long long)load, (unsigned long long)(load + im.init_size - 1));
			return -VMM_ENOSPC;
		}
	}
	map = vmm_malloc(LINUX_E820_MAX * sizeof(*map));
	zp = vmm_malloc(LINUX_ZERO_PAGE_BYTES);
	if (!map || !zp) {
		rc = -VMM_ENOMEM;
		goto out;
	}
	rc = build_e820(cfg, map, &nr_map);
	if (rc) {
		vmm_err("guest %s: Linux kernel '%s': the guest's memory regions make no e820 map\n",
			g->name, lx->kernel);
		goto out;
	}
	in = (struct linux_boot_in){ .cmdline_gpa = boot + 2 * PAGE_SIZE, .initrd_gpa = initrd,
				     .initrd_size = initrd_size, .e820 = map, .nr_e820 = nr_map };
	if (!vmm_acpi_guest_plan(cfg, &plan, err, sizeof(err)) && plan.rom)
		in.rsdp_gpa = plan.rom->gpa;	/* the RSDP opens the tables block */
	rc = linux_zero_page_build(zp, img, &im, &in);
	if (rc) {
		vmm_err("guest %s: Linux kernel '%s': the zero page could not be built\n", g->name, lx->kernel);
		goto out;
	}
	linux_gdt_build(gdt);
	rc = put(g, load, img + im.setup_bytes, im.kernel_bytes);
	if (!rc && rm)
		rc = put(g, initrd, (const void *)(uintptr_t)rm->start, initrd_size);
	if (!rc)
		rc = put(g, boot, zp, LINUX_ZERO_PAGE_BYTES);
	if (!rc)
		rc = put(g, boot + PAGE_SIZE, gdt, sizeof(gdt));
	if (!rc)
		rc = put(g, in.cmdline_gpa, lx->cmdline, cmdline_len + 1);
	if (rc) {
		vmm_err("guest %s: Linux kernel '%s': could not be written to guest RAM\n", g->name, lx->kernel);
		goto out;
	}
	g->boot_start = (struct vmm_guest_boot_start){
		.valid = true, .entry = load + LINUX_ENTRY64_OFFSET, .rsi = boot,
		.gdt_base = boot + PAGE_SIZE, .gdt_limit = LINUX_GDT_BYTES - 1 };
	vmm_info("guest %s: Linux kernel '%s' (boot protocol %u.%02u, %llu KiB) at 0x%llx, entry 0x%llx; "
		 "initramfs %s%s(%llu KiB) at 0x%llx; zero page at 0x%llx, %u e820 entries; command line \"%s\"\n",
		 g->name, lx->kernel, im.version >> 8, im.version & 0xFF,
		 (unsigned long long)(im.kernel_bytes / KiB), (unsigned long long)load,
		 (unsigned long long)(load + LINUX_ENTRY64_OFFSET), rm ? "'" : "none", rm ? lx->initrd : "",
		 (unsigned long long)(initrd_size / KiB), (unsigned long long)initrd,
		 (unsigned long long)boot, nr_map, lx->cmdline);
out:
	vmm_free(map);
	vmm_free(zp);
	return rc;
}
