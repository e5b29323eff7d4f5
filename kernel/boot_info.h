/*
 * kernel/boot_info.h - access to what the boot loader gave us (modules),
 * kept by kernel/main.c for the rest of the hypervisor.
 */
#ifndef KERNEL_BOOT_INFO_H
#define KERNEL_BOOT_INFO_H

#include "kernel/multiboot.h"

const struct vmm_boot_info *vmm_boot_info(void);
void vmm_boot_info_set(const struct vmm_boot_info *bi);
/* The module whose name (or base name) is 'name', or NULL. */
const struct vmm_boot_module *vmm_boot_module_find(const char *name);

#endif
