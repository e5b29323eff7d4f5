/*
 * kernel/config.h - loading the configuration at boot: pick the DTB (a
 * Multiboot2 module or the one built into the image), unflatten it, validate
 * it and keep the result as the live tree and the accepted guests.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include "kernel/guest_config.h"
#include "kernel/multiboot.h"

/*
 * Load, fill /host (host_tree.h), validate and summarise; never fails the
 * boot (falls back to built-in). Call after arch_smp_init(): /host/cpus
 * reports which CPUs are online.
 */
int vmm_config_load(const struct vmm_boot_info *bi);
/* The accepted configuration (valid after vmm_config_load). */
const struct vmm_config *vmm_config(void);
/* Where the live tree came from, e.g. "module bochs.dtb". */
const char *vmm_config_source(void);

#endif
