/*
 * arch/x86_64/screen.h - the screen console (arch/x86_64/screen.c): the
 * framebuffer or VGA text buffer the loader left, one of the devices
 * arch/x86_64/console.c joins into the hypervisor's console.
 */
#ifndef ARCH_X86_64_SCREEN_H
#define ARCH_X86_64_SCREEN_H

#include "kernel/multiboot.h"

/* Take the screen the boot information describes (after the host page
 * tables, boot CPU); false when there is none to draw on. */
bool screen_init(const struct vmm_boot_info *bi);
/* Draw n bytes of console output. */
void screen_write(const char *s, size_t n);
/* A panic: draw without the screen's lock from now on. */
void screen_sync(void);
/* What the screen is, for the boot log ("none" without one). */
void screen_describe(char *buf, size_t len);
/* Character cells drawn and lines scrolled since boot. */
void screen_stats(u64 *cells_drawn, u64 *lines_scrolled);

#endif
