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

/*
 * The cursor's cell on the screen (CRTC registers 0x0E/0x0F counted from
 * the start address, 0x0C/0x0D): 1 when it shows, 0 when it is off
 * (register 0x0A bit 5) or outside the 80x25 screen (then *row, *col are
 * the row and column it would have, or VGA_TEXT_ROWS), -VMM_ENOENT when the
 * guest has no "vga-text" region.
 */
int vmm_vga_text_cursor(struct vmm_guest *guest, u32 *row, u32 *col);

/* enough for a rendering: 27 lines of 82 characters and '\n', and a NUL */
#define VGA_TEXT_RENDER_MAX ((VGA_TEXT_COLS + 3) * (VGA_TEXT_ROWS + 2) + 1)

/*
 * The screen in a frame, for 'vscreen show': a top border line "+---+",
 * 25 lines of "|" + 80 characters (blanks kept; the characters as in the
 * snapshot) + "|", a bottom border; the cursor, when it shows, is marked
 * by 'v' and '^' in the borders above and below its column and by '>' and
 * '<' instead of '|' on its row. Each line ends with '\n'. Written like
 * vmm_vga_text_snapshot() (cut to size - 1, NUL-terminated); returns the
 * whole length or -VMM_ENOENT.
 */
int vmm_vga_text_render(struct vmm_guest *guest, char *buf, size_t size);

#endif
