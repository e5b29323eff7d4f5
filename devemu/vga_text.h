/*
 * devemu/vga_text.h - what the VGA text-mode model (devemu/vga_text.c)
 * offers the rest of the hypervisor: the guest's screen as text.
 */
#ifndef DEVEMU_VGA_TEXT_H
#define DEVEMU_VGA_TEXT_H

#include "kernel/types.h"

struct vmm_guest;

#define VGA_TEXT_COLS 80
#define VGA_TEXT_ROWS 25
/* enough for any snapshot: 25 lines of 80 characters and '\n', and a NUL */
#define VGA_TEXT_SNAPSHOT_MAX (VGA_TEXT_ROWS * (VGA_TEXT_COLS + 1) + 1)

/*
 * The guest's 80x25 text screen as 25 lines, each ended by '\n' with its
 * trailing blanks removed, from the CRTC start address on; characters
 * outside printable ASCII are shown as '.', NUL as a blank. Written into
 * buf as a NUL-terminated string cut to size - 1 characters. Returns the
 * length of the whole text (like snprintf), or -VMM_ENOENT when the guest
 * has no "vga-text" region.
 */
int vmm_vga_text_snapshot(struct vmm_guest *guest, char *buf, size_t size);

#endif
