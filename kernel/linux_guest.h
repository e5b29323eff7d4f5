/*
 * kernel/linux_guest.h - loading a guest's Linux kernel (linux_kernel,
 * linux_initrd, linux_cmdline of its DTS) with the 64-bit boot protocol:
 * the protected-mode kernel, the initramfs, the command line, the zero page
 * with its e820 map and a boot GDT into its RAM, and the start state of its
 * boot VCPU (guest->boot_start: 64-bit mode at the load address + 0x200,
 * RSI = the zero page).
 */
#ifndef KERNEL_LINUX_GUEST_H
#define KERNEL_LINUX_GUEST_H

struct vmm_guest;

/*
 * Load the guest's Linux kernel, when its configuration names one, into
 * RAM that is already blank (guest creation, a cold reset); sets
 * guest->boot_start. VMM_OK (also when there is no kernel), or an error
 * after a message naming the guest, the module and the problem.
 */
int vmm_linux_guest_load(struct vmm_guest *guest);

#endif
