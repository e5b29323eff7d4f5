/*
 * arch/x86_64/console.h - set-up of the PC's console devices beyond COM1
 * (arch/x86_64/console.c).
 */
#ifndef ARCH_X86_64_CONSOLE_H
#define ARCH_X86_64_CONSOLE_H

#include "kernel/multiboot.h"

/* Start the screen console (boot CPU, after the host page tables): it
 * shows the boot so far, then everything the console writes. */
void console_screen_start(const struct vmm_boot_info *bi);

#endif
