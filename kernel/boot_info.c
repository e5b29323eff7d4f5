/*
 * kernel/boot_info.c - the boot information kept for the whole run.
 */
#include <string.h>
#include "kernel/boot_info.h"

static const struct vmm_boot_info *boot_info;

void vmm_boot_info_set(const struct vmm_boot_info *bi)
{
	boot_info = bi;
}

const struct vmm_boot_info *vmm_boot_info(void)
{
	return boot_info;
}

const struct vmm_boot_module *vmm_boot_module_find(const char *name)
{
	if (!boot_info)
		return NULL;
	for (u32 i = 0; i < boot_info->nr_modules; i++) {
		const char *full = boot_info->modules[i].name;
		const char *base = strrchr(full, '/');

		if (!strcmp(full, name) || (base && !strcmp(base + 1, name)))
			return &boot_info->modules[i];
	}
	return NULL;
}
