/*
 * kernel/host_tree.h - /host in the live device tree: what the hypervisor
 * found at boot (the host CPUs from the arch, the boot memory map), merged
 * with what the configuration wrote there (dts/README, section "/host").
 */
#ifndef KERNEL_HOST_TREE_H
#define KERNEL_HOST_TREE_H

#include "kernel/devtree.h"
#include "kernel/multiboot.h"

/*
 * Write into 'root' (creating /host, /host/cpus as needed):
 *   /host/cpus/cpuN   for each CPU arch_host_cpus() reports: device_type
 *                     "cpu", reg <N>, apic_id <id>, status "okay" (online)
 *                     or "disabled"; these four override the configuration's
 *                     values (a differing one is reported), its other
 *                     attributes stay. A configured child of /host/cpus
 *                     that names no CPU found gets status "absent" and a
 *                     warning naming its path.
 *   /host/memory      device_type "memory", usable_size; one child rangeN
 *                     per boot memory map entry (base, size, type); a
 *                     /host/memory of the configuration is replaced (warned).
 * Other nodes under /host are left as they are. Call once per tree, after
 * arch_smp_init(). Returns VMM_OK, -VMM_EINVALID (no root) or -VMM_ENOMEM.
 */
int vmm_host_tree_fill(struct vmm_devtree_node *root, const struct vmm_boot_info *bi);

#endif
