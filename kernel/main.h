/*
 * kernel/main.h - the generic init sequence, entered from the arch bring-up.
 */
#ifndef KERNEL_MAIN_H
#define KERNEL_MAIN_H

#include "kernel/multiboot.h"

/* The first line on the console: name, version, build. */
void vmm_print_version(void);
/* Options needed before memory exists (loglevel=, on_panic=). */
void vmm_main_early_cmdline(const struct vmm_boot_info *bi);
/* Generic initialisation; never returns (ends in the idle loop). */
void vmm_main(const struct vmm_boot_info *bi) __attribute__((noreturn));

#endif
