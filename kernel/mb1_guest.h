/*
 * kernel/mb1_guest.h - loading a guest's Multiboot (v1) kernel
 * (multiboot_kernel, multiboot_modules, multiboot_cmdline of its DTS):
 * segments, modules, command line and boot information into its RAM, and
 * the start state of its boot VCPU (guest->mb1_start).
 */
#ifndef KERNEL_MB1_GUEST_H
#define KERNEL_MB1_GUEST_H

struct vmm_guest;

/*
 * Load the guest's Multiboot kernel, when its configuration names one,
 * into RAM that is already blank (guest creation, a cold reset); sets
 * guest->mb1_start. VMM_OK (also when there is no kernel), or an error
 * after a message naming the guest, the image and the problem.
 */
int vmm_mb1_guest_load(struct vmm_guest *guest);

#endif
