/*
 * kernel/config.c - choosing, loading and validating the configuration DTB
 * (config.h). Order: the module named by dtb= on the command line; else the
 * first module whose name ends in ".dtb"; else the DTB built into the image.
 * A module that is not a usable DTB is reported and the built-in one is used.
 * Before the guests are checked, /host is filled with what was found at boot
 * (host_tree.c); with no usable DTB at all the tree holds only /host.
 */
#include <string.h>
#include "kernel/config.h"
#include "kernel/devtree_fdt.h"
#include "kernel/host_tree.h"
#include "kernel/cmdline.h"
#include "kernel/host_mem.h"
#include "kernel/printk.h"
#include "kernel/error.h"

extern const u8 _dtb_builtin_start[], _dtb_builtin_end[];

static struct vmm_config live_config;
static char source[VMM_BOOT_NAME_MAX + 16] = "none";

const struct vmm_config *vmm_config(void)
{
	return &live_config;
}

const char *vmm_config_source(void)
{
	return source;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static const struct vmm_boot_module *pick_module(const struct vmm_boot_info *bi)
{
	char want[VMM_BOOT_NAME_MAX];

	if (vmm_cmdline_get(bi->cmdline, "dtb", want, sizeof(want)) >= 0) {
		for (u32 i = 0; i < bi->nr_modules; i++)
			if (!strcmp(base_name(bi->modules[i].name), want))
				return &bi->modules[i];
		vmm_err("config: dtb=%s: no module of that name; looking for another DTB\n", want);
	}
	for (u32 i = 0; i < bi->nr_modules; i++)
		if (ends_with(bi->modules[i].name, ".dtb"))
			return &bi->modules[i];
	return NULL;
}

static struct vmm_devtree_node *load_blob(const void *blob, size_t size,
					  struct vmm_problems *problems)
{
	return vmm_devtree_unflatten(blob, size, problems);
}

/* the host resources the hypervisor uses, refused to guests (arch_info.h) */
static struct vmm_host_owned host_owned[VMM_HOST_OWNED_MAX];

int vmm_config_load(const struct vmm_boot_info *bi)
{
	const struct vmm_boot_module *m = pick_module(bi);
	struct vmm_devtree_node *root = NULL;
	struct vmm_problems problems;
	struct vmm_phys_range ram[VMM_BOOT_MAX_MEM];
	struct vmm_host_view host;
	u32 nr_ram = 0;
	int rc;

	vmm_problems_init(&problems);
	if (m) {
		root = load_blob((const void *)(uintptr_t)m->start, m->end - m->start, &problems);
		if (root) {
			vmm_snprintf(source, sizeof(source), "module %s", base_name(m->name));
		} else {
			vmm_err("config: module '%s' is not a usable DTB; using the built-in configuration\n",
				m->name);
			vmm_problems_free(&problems);
			vmm_problems_init(&problems);
		}
	}
	if (!root) {
		root = load_blob(_dtb_builtin_start, _dtb_builtin_end - _dtb_builtin_start, &problems);
		if (!root) {
			vmm_err("config: the built-in DTB is unusable too; running without guests\n");
			vmm_problems_free(&problems);
			root = vmm_devtree_node_new(NULL, "");
			vmm_devtree_set_root(root);
			if (root)
				vmm_host_tree_fill(root, bi);
			return -VMM_EINVALID;
		}
		vmm_snprintf(source, sizeof(source), "built-in");
	}
	vmm_devtree_set_root(root);
	vmm_host_tree_fill(root, bi);

	for (u32 i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == VMM_MEM_USABLE)
			ram[nr_ram++] = (struct vmm_phys_range){ bi->mem[i].base,
								 bi->mem[i].base + bi->mem[i].length,
								 "RAM" };
	host.ram = ram;
	host.nr_ram = nr_ram;
	host.used = vmm_host_mem_reserved(&host.nr_used);
	host.free_bytes = vmm_host_buddy()->free_pages * PAGE_SIZE;
	host.claim = vmm_host_mem_claim;
	host.nr_owned = arch_host_owned(host_owned, VMM_HOST_OWNED_MAX);
	host.owned = host_owned;
	for (u32 i = 0; i < host.nr_owned; i++)
		vmm_debug("config: host-owned %s 0x%llx-0x%llx: %s\n",
			  host_owned[i].io ? "ports" : "range",
			  (unsigned long long)host_owned[i].start,
			  (unsigned long long)(host_owned[i].end - 1), host_owned[i].what);

	vmm_info("config: %s DTB, %u problem%s in the tree\n", source, problems.count,
		 problems.count == 1 ? "" : "s");
	rc = vmm_config_validate(root, &problems, &host, &live_config);
	vmm_problems_free(&problems);
	if (rc) {
		vmm_err("config: validation failed (%s)\n", vmm_strerror(rc));
		return rc;
	}
	vmm_config_print_summary(&live_config, VMM_LOG_INFO);
	return VMM_OK;
}
