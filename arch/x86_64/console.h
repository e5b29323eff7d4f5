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

/* Find the terminal's input devices besides COM1 (boot CPU, after ACPI):
 * the keyboard (i8042.c). uart: whether COM1 answered. With neither, says
 * so now and again when the terminal starts (the last lines on the
 * screen). */
void console_input_start(bool uart);

#endif
