/*
 * devemu/vga_text.c - the text mode of a VGA (colour, mode 3, 80x25) as a
 * PC guest sees it after its BIOS set the mode: the text buffer (compatible
 * "vga-text", a memory region at 0xB8000 of 0x8000 bytes, two bytes per
 * character cell: character, attribute) and the CRT controller's index and
 * data ports (compatible "vga-crtc", 0x3D4-0x3D5). Both regions share one
 * state per guest (vmm_devemu_guest_shared, key "vga"), which
 * vmm_vga_text_snapshot() and vmm_vga_text_render() (vga_text.h) show as
 * text for the hypervisor, the latter with the cursor.
 *
 * What works: the text buffer as memory, read and written with any width
 * at any offset through the MMIO path (bytes past the region's end read
 * 0xFF and are dropped); CRTC registers 0x00-0x18 with the mode-3 values of
 * the VGA BIOS, among them cursor start/end (0x0A/0x0B), start address
 * (0x0C/0x0D) and cursor location (0x0E/0x0F); the write protection of
 * registers 0-7 by bit 7 of register 0x11 (but for bit 4 of register 7);
 * 16-bit writes to the index port (index in the low byte, data in the high
 * byte, as OUT DX, AX does). At reset the buffer holds blanks in light grey
 * on black (0x0720, as a mode set leaves it) and the CRTC the mode-3 table.
 *
 * Not modelled: everything that is not text mode 3 - the sequencer,
 * graphics and attribute controllers, the DAC, the other ports, graphics
 * modes, fonts, planes and the A0000-B7FFF windows; the CRTC's timing
 * registers are stored but mean nothing; the snapshot reads 80 columns a
 * row whatever the offset register (0x13) says. The cursor is only kept in
 * its registers (and marked in the rendering); it does not blink. Indexes above 0x18 read 0xFF and ignore writes.
 */
#include <string.h>
#include "devemu/devemu.h"
#include "devemu/vga_text.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/error.h"

#define VGA_TEXT_SIZE 0x8000
#define CRTC_REGS 0x19
#define CRTC_PROTECT 0x80	/* register 0x11 bit 7: registers 0-7 read-only */
#define CRTC_START_HI 0x0C
#define CRTC_START_LO 0x0D
#define CRTC_CURSOR_START 0x0A
#define CRTC_CURSOR_OFF 0x20	/* register 0x0A bit 5 */
#define CRTC_CURSOR_HI 0x0E
#define CRTC_CURSOR_LO 0x0F
#define VGA_TEXT_CELLS (VGA_TEXT_SIZE / 2)

struct vga {
	u8 mem[VGA_TEXT_SIZE];
	u8 crtc_index;
	u8 crtc[CRTC_REGS];
};

/* CRTC registers 0x00-0x18 of mode 3 (80x25 colour text) as the VGA BIOS
 * programs them. */
static const u8 mode3_crtc[CRTC_REGS] = {
	0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F,
	0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
	0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3,
	0xFF,
};

static int vga_probe(struct vmm_emudev *ed)
{
	ed->priv = vmm_devemu_guest_shared(ed->guest, "vga", sizeof(struct vga));
	return ed->priv ? VMM_OK : -VMM_ENOMEM;
}

/* ---- the text buffer ------------------------------------------------------ */

static int text_reset(struct vmm_emudev *ed)
{
	struct vga *v = ed->priv;

	for (u32 i = 0; i < VGA_TEXT_SIZE; i += 2) {
		v->mem[i] = ' ';
		v->mem[i + 1] = 0x07;
	}
	return VMM_OK;
}

static int text_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct vga *v = ed->priv;
	u64 val = 0;

	for (u32 i = 0; i < width; i++) {
		u64 a = off + i;

		val |= (u64)(a < VGA_TEXT_SIZE ? v->mem[a] : 0xFF) << (8 * i);
	}
	*value = val;
	return VMM_OK;
}

static int text_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct vga *v = ed->priv;

	for (u32 i = 0; i < width; i++)
		if (off + i < VGA_TEXT_SIZE)
			v->mem[off + i] = (u8)(value >> (8 * i));
	return VMM_OK;
}

static const char *const text_compatible[] = { "vga-text", NULL };

const struct vmm_emulator vga_text_emulator = {
	.name = "vga-text",
	.device_type = "display",
	.compatible = text_compatible,
	.probe = vga_probe,
	.reset = text_reset,
	.read = text_read,
	.write = text_write,
};
VMM_EMULATOR(vga_text_emulator);

/* ---- the CRT controller --------------------------------------------------- */

static int crtc_reset(struct vmm_emudev *ed)
{
	struct vga *v = ed->priv;

	memcpy(v->crtc, mode3_crtc, sizeof(v->crtc));
	v->crtc_index = 0;
	return VMM_OK;
}

static void crtc_data_write(struct vga *v, u8 val)
{
	u8 i = v->crtc_index;

	if (i >= CRTC_REGS)
		return;
	if (i <= 7 && (v->crtc[0x11] & CRTC_PROTECT)) {
		if (i == 7)	/* line compare bit 8 stays writable */
			v->crtc[7] = (v->crtc[7] & ~0x10) | (val & 0x10);
		return;
	}
	v->crtc[i] = val;
}

static int crtc_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct vga *v = ed->priv;
	u8 data = v->crtc_index < CRTC_REGS ? v->crtc[v->crtc_index] : 0xFF;

	if (off == 0)
		*value = width >= 2 ? (u64)v->crtc_index | (u64)data << 8 : v->crtc_index;
	else
		*value = data;
	return VMM_OK;
}

static int crtc_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct vga *v = ed->priv;

	if (off == 0) {
		v->crtc_index = (u8)value;
		if (width >= 2)
			crtc_data_write(v, (u8)(value >> 8));
	} else {
		crtc_data_write(v, (u8)value);
	}
	return VMM_OK;
}

static const char *const crtc_compatible[] = { "vga-crtc", NULL };

const struct vmm_emulator vga_crtc_emulator = {
	.name = "vga-crtc",
	.device_type = "display",
	.compatible = crtc_compatible,
	.probe = vga_probe,
	.reset = crtc_reset,
	.read = crtc_read,
	.write = crtc_write,
};
VMM_EMULATOR(vga_crtc_emulator);

/* ---- the screen as text --------------------------------------------------- */

/* The guest's VGA state, or NULL when it has no "vga-text" region. */
static struct vga *find_vga(struct vmm_guest *g)
{
	struct vmm_aspace *as = g->aspace;

	for (u32 i = 0; as && i < as->nr_regions; i++) {
		struct vmm_emudev *ed = as->regions[i].emudev;

		if (ed && ed->emu == &vga_text_emulator)
			return ed->priv;
	}
	return NULL;
}

/* The character cell 'cell' (counted from the start address) as shown. */
static char cell_char(const struct vga *v, u32 cell)
{
	u32 start = (u32)v->crtc[CRTC_START_HI] << 8 | v->crtc[CRTC_START_LO];
	u8 c = v->mem[(start + cell) % VGA_TEXT_CELLS * 2];

	return c == 0 ? ' ' : (c >= 0x20 && c < 0x7F) ? (char)c : '.';
}

/* Append n bytes to the output like snprintf (len counts them all). */
static void out(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, (*len)++)
		if (size && *len < size - 1)
			buf[*len] = s[i];
}

static void out_end(char *buf, size_t size, size_t len)
{
	if (size)
		buf[len < size ? len : size - 1] = 0;
}

/* Cursor position and whether it shows, from the registers of v. */
static int cursor_of(const struct vga *v, u32 *row, u32 *col)
{
	u32 start = (u32)v->crtc[CRTC_START_HI] << 8 | v->crtc[CRTC_START_LO];
	u32 loc = (u32)v->crtc[CRTC_CURSOR_HI] << 8 | v->crtc[CRTC_CURSOR_LO];
	u32 rel = (loc - start) % VGA_TEXT_CELLS;

	*row = rel / VGA_TEXT_COLS;
	*col = rel % VGA_TEXT_COLS;
	if (*row >= VGA_TEXT_ROWS)
		*row = VGA_TEXT_ROWS;
	return *row < VGA_TEXT_ROWS && !(v->crtc[CRTC_CURSOR_START] & CRTC_CURSOR_OFF);
}

int vmm_vga_text_cursor(struct vmm_guest *g, u32 *row, u32 *col)
{
	struct vga *v = find_vga(g);

	return v ? cursor_of(v, row, col) : -VMM_ENOENT;
}

int vmm_vga_text_render(struct vmm_guest *g, char *buf, size_t size)
{
	struct vga *v = find_vga(g);
	char line[VGA_TEXT_COLS + 3];
	size_t len = 0;
	u32 crow, ccol;
	int shown;

	if (!v)
		return -VMM_ENOENT;
	shown = cursor_of(v, &crow, &ccol);
	for (u32 row = 0; row < VGA_TEXT_ROWS + 2; row++) {
		bool border = row == 0 || row == VGA_TEXT_ROWS + 1;
		bool here = shown && !border && row - 1 == crow;

		line[0] = border ? '+' : here ? '>' : '|';
		for (u32 col = 0; col < VGA_TEXT_COLS; col++)
			line[col + 1] = border ? '-' : cell_char(v, (row - 1) * VGA_TEXT_COLS + col);
		if (border && shown)
			line[ccol + 1] = row == 0 ? 'v' : '^';
		line[VGA_TEXT_COLS + 1] = border ? '+' : here ? '<' : '|';
		line[VGA_TEXT_COLS + 2] = '\n';
		out(buf, size, &len, line, sizeof(line));
	}
	out_end(buf, size, len);
	return (int)len;
}

int vmm_vga_text_snapshot(struct vmm_guest *g, char *buf, size_t size)
{
	struct vga *v = find_vga(g);
	size_t len = 0;

	if (!v)
		return -VMM_ENOENT;
	for (u32 row = 0; row < VGA_TEXT_ROWS; row++) {
		char line[VGA_TEXT_COLS + 1];
		u32 n = 0;

		for (u32 col = 0; col < VGA_TEXT_COLS; col++) {
			line[col] = cell_char(v, row * VGA_TEXT_COLS + col);
			if (line[col] != ' ')
				n = col + 1;
		}
		line[n++] = '\n';
		out(buf, size, &len, line, n);
	}
	out_end(buf, size, len);
	return (int)len;
}
