/*
 * kernel/font.h - the screen console's built-in bitmap font
 * (kernel/font8x16.c): 8 pixels wide, 16 rows high.
 */
#ifndef KERNEL_FONT_H
#define KERNEL_FONT_H

#include "kernel/types.h"

#define VMM_FONT_W 8
#define VMM_FONT_H 16

/* the characters with a glyph of their own: printable ASCII */
#define VMM_FONT_FIRST 0x20
#define VMM_FONT_LAST 0x7E

/*
 * The glyph of byte @c: VMM_FONT_H bytes, one per row, top row first, bit 7
 * the leftmost pixel (set = ink). Any byte outside VMM_FONT_FIRST..
 * VMM_FONT_LAST gives the same hollow box. Never NULL; constant data.
 */
const u8 *vmm_font_glyph(u8 c);

#endif
