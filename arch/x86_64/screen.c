/*
 * arch/x86_64/screen.c - the screen console of a PC: the display the boot
 * loader left set up, one of the console's devices (console.c). The text
 * is kept by kernel/fbcon.c; this file draws its cells:
 *
 *  - on a linear framebuffer (GRUB's VBE mode under BIOS, the firmware's
 *    GOP framebuffer under UEFI: the Multiboot2 framebuffer tag) with the
 *    built-in 8x16 font (kernel/font8x16.c), doubled on screens 2560 pixels
 *    wide or more so it stays readable; 32, 24, 16 and 15 bits per pixel
 *    in any colour layout the tag gives, or 8-bit with the loader's palette.
 *    The framebuffer is mapped write-combining; the console never reads it.
 *  - in VGA text mode: the tag's EGA text buffer, or - under BIOS with no
 *    framebuffer tag (a Multiboot loader that left the screen as it was) -
 *    the PC's 80x25 buffer at 0xB8000.
 *
 * Writes come from arch_console_write() with the console lock held; the
 * screen has its own lock as well (a panic's writes go without it,
 * screen_sync()).
 */
#include <string.h>
#include "arch/x86_64/screen.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "kernel/fbcon.h"
#include "kernel/font.h"
#include "kernel/spinlock.h"
#include "kernel/printk.h"
#include "kernel/error.h"

#define VGA_TEXT_BASE 0xB8000ULL
#define VGA_CRTC_INDEX 0x3D4
#define VGA_CRTC_DATA 0x3D5
#define VGA_CRTC_CURSOR_START 0x0A
#define VGA_CURSOR_OFF 0x20
#define VGA_CH_BOX 0xFE			/* code page 437's small square */
/* On a framebuffer the console scrolls by half the screen: one
 * redraw of the moved text serves that many lines (see README, "The screen
 * console", for what it costs); VGA text cells are cheap, one line. */
#define SCROLL_JUMP_DIV 2

/* The 16 colours of the PC text palette, as 8-bit R, G, B. */
static const u8 pc_palette[16][3] = {
	{ 0, 0, 0 }, { 0, 0, 170 }, { 0, 170, 0 }, { 0, 170, 170 },
	{ 170, 0, 0 }, { 170, 0, 170 }, { 170, 85, 0 }, { 170, 170, 170 },
	{ 85, 85, 85 }, { 85, 85, 255 }, { 85, 255, 85 }, { 85, 255, 255 },
	{ 255, 85, 85 }, { 255, 85, 255 }, { 255, 255, 85 }, { 255, 255, 255 },
};

static struct {
	bool on;
	bool text;			/* VGA text cells, not pixels */
	volatile bool sync;		/* panic: no lock */
	vmm_spinlock_t lock;
	u8 *base;
	u32 pitch, width, height;
	u32 bytes;			/* per pixel */
	u32 scale;			/* font pixels are scale x scale */
	u32 colour[16];			/* the palette as pixel values */
	struct fbcon con;
} scr = { .lock = VMM_SPINLOCK_INIT };

static fbcon_cell_t cells[FBCON_MAX_COLS * FBCON_MAX_ROWS];
static fbcon_cell_t shown[FBCON_MAX_COLS * FBCON_MAX_ROWS];

/* An 8-bit R, G, B as a pixel of the framebuffer's layout. */
static u32 rgb_pixel(const struct vmm_boot_fb *fb, const u8 c[3])
{
	u32 v = 0;

	v |= (u32)(c[0] >> (8 - fb->red_size)) << fb->red_pos;
	v |= (u32)(c[1] >> (8 - fb->green_size)) << fb->green_pos;
	v |= (u32)(c[2] >> (8 - fb->blue_size)) << fb->blue_pos;
	return v;
}

/* The palette index nearest to c (an 8-bit indexed mode). */
static u32 nearest_index(const struct vmm_boot_fb *fb, const u8 c[3])
{
	const u8 *pal = (const u8 *)(uintptr_t)fb->palette;
	u32 best = 0, best_d = ~0u;

	for (u32 i = 0; i < fb->palette_colors && i < 256; i++) {
		int dr = pal[3 * i] - c[0], dg = pal[3 * i + 1] - c[1], db = pal[3 * i + 2] - c[2];
		u32 d = (u32)(dr * dr + dg * dg + db * db);

		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

static inline void put_pixel(u8 *p, u32 v)
{
	switch (scr.bytes) {
	case 4: *(volatile u32 *)p = v; break;
	case 3:
		((volatile u8 *)p)[0] = (u8)v;
		((volatile u8 *)p)[1] = (u8)(v >> 8);
		((volatile u8 *)p)[2] = (u8)(v >> 16);
		break;
	case 2: *(volatile u16 *)p = (u16)v; break;
	default: *(volatile u8 *)p = (u8)v; break;
	}
}

/*
 * 32-bit pixels: the 8 pixels of every glyph row pattern in one colour pair,
 * 32 bytes each, built the first time the pair is drawn. Four pairs are
 * kept (the console's default, the cursor, and two others), so a row of a
 * glyph is four 64-bit stores instead of eight tests and stores.
 */
#define SPANS_CACHED 4
static struct spans {
	bool valid;
	u8 attr;
	u64 row[256][4];
} spans[SPANS_CACHED];
static u32 spans_next;

static const struct spans *spans_for(u8 attr)
{
	struct spans *sp;
	u32 fg = scr.colour[attr & 0xF], bg = scr.colour[attr >> 4];

	for (u32 i = 0; i < SPANS_CACHED; i++)
		if (spans[i].valid && spans[i].attr == attr)
			return &spans[i];
	sp = &spans[spans_next++ % SPANS_CACHED];
	for (u32 bits = 0; bits < 256; bits++)
		for (u32 x = 0; x < 8; x += 2) {
			u64 lo = bits & (0x80 >> x) ? fg : bg;
			u64 hi = bits & (0x40 >> x) ? fg : bg;

			sp->row[bits][x / 2] = lo | hi << 32;
		}
	sp->attr = attr;
	sp->valid = true;
	return sp;
}

/* fbcon's back end on a framebuffer: one glyph. */
static void draw_pixels(void *ctx, u32 col, u32 row, fbcon_cell_t cell)
{
	const u8 *glyph = vmm_font_glyph(FBCON_CELL_CH(cell));
	u32 s = scr.scale, cw = VMM_FONT_W * s;
	u8 *line = scr.base + (u64)row * VMM_FONT_H * s * scr.pitch + (u64)col * cw * scr.bytes;
	u32 fg, bg;

	(void)ctx;
	if (scr.bytes == 4 && s == 1) {		/* the common case */
		const struct spans *sp = spans_for(FBCON_CELL_ATTR(cell));

		for (u32 y = 0; y < VMM_FONT_H; y++, line += scr.pitch) {
			volatile u64 *p = (volatile u64 *)line;
			const u64 *v = sp->row[glyph[y]];

			p[0] = v[0];
			p[1] = v[1];
			p[2] = v[2];
			p[3] = v[3];
		}
		return;
	}
	fg = scr.colour[FBCON_CELL_ATTR(cell) & 0xF];
	bg = scr.colour[FBCON_CELL_ATTR(cell) >> 4];
	for (u32 y = 0; y < VMM_FONT_H * s; y++, line += scr.pitch) {
		u8 bits = glyph[y / s];

		for (u32 x = 0; x < cw; x++)
			put_pixel(line + x * scr.bytes, bits & (0x80 >> (x / s)) ? fg : bg);
	}
}

/* fbcon's back end in VGA text mode: one character cell. */
static void draw_text(void *ctx, u32 col, u32 row, fbcon_cell_t cell)
{
	u8 ch = FBCON_CELL_CH(cell);
	volatile u16 *p = (volatile u16 *)(scr.base + (u64)row * scr.pitch) + col;

	(void)ctx;
	if (ch < 0x20 || ch > 0x7E)
		ch = VGA_CH_BOX;
	*p = (u16)(ch | (FBCON_CELL_ATTR(cell) << 8));
}

static void clear_framebuffer(void)
{
	for (u32 y = 0; y < scr.height; y++) {
		u8 *line = scr.base + (u64)y * scr.pitch;

		if (scr.bytes == 4 && !(scr.width & 1)) {
			u64 v = scr.colour[0] | (u64)scr.colour[0] << 32, n = scr.width / 2;
			void *d = line;

			__asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(v) : "memory");
			continue;
		}
		for (u32 x = 0; x < scr.width; x++)
			put_pixel(line + x * scr.bytes, scr.colour[0]);
	}
}

static bool setup_pixels(const struct vmm_boot_fb *fb)
{
	u64 len = (u64)fb->pitch * fb->height;
	int rc;

	if (fb->bpp != 32 && fb->bpp != 24 && fb->bpp != 16 && fb->bpp != 15 && fb->bpp != 8) {
		vmm_warn("screen: %u bits per pixel: not drawn (32, 24, 16, 15 or 8 are)\n", fb->bpp);
		return false;
	}
	if (fb->kind == VMM_FB_INDEXED && (fb->bpp != 8 || !fb->palette_colors)) {
		vmm_warn("screen: indexed framebuffer of %u bits without a palette: not drawn\n", fb->bpp);
		return false;
	}
	rc = arch_paging_map_wc(fb->addr, len);
	if (rc) {
		vmm_warn("screen: cannot map the framebuffer at 0x%llx (%llu bytes): %s\n",
			 (unsigned long long)fb->addr, (unsigned long long)len, vmm_strerror(rc));
		return false;
	}
	scr.base = (u8 *)(uintptr_t)fb->addr;
	scr.pitch = fb->pitch;
	scr.width = fb->width;
	scr.height = fb->height;
	scr.bytes = (fb->bpp + 7) / 8;
	scr.scale = fb->width >= 2560 && fb->height >= 1400 ? 2 : 1;
	for (u32 i = 0; i < 16; i++)
		scr.colour[i] = fb->kind == VMM_FB_INDEXED ? nearest_index(fb, pc_palette[i])
							   : rgb_pixel(fb, pc_palette[i]);
	clear_framebuffer();
	fbcon_init(&scr.con, fb->width / (VMM_FONT_W * scr.scale),
		   fb->height / (VMM_FONT_H * scr.scale), cells, shown,
		   FBCON_CELL(' ', FBCON_ATTR_DEFAULT), draw_pixels, NULL);
	/* a scroll redraws what moved: half the screen at once */
	fbcon_set_jump(&scr.con, scr.con.rows / SCROLL_JUMP_DIV);
	return true;
}

static bool setup_text(u64 addr, u32 cols, u32 rows, u32 pitch)
{
	scr.text = true;
	scr.base = (u8 *)(uintptr_t)addr;	/* below 1 MiB: identity-mapped, uncached */
	scr.pitch = pitch;
	/* the cursor is drawn as a cell; the hardware's blinking one goes */
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_START);
	outb(VGA_CRTC_DATA, VGA_CURSOR_OFF);
	fbcon_init(&scr.con, cols, rows, cells, shown, 0, draw_text, NULL);
	return true;
}

/* Is the PC's text buffer there to be written (BIOS, not RAM)? */
static bool vga_text_plausible(const struct vmm_boot_info *bi)
{
	if (bi->firmware_efi)
		return false;
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct vmm_mem_range *m = &bi->mem[i];

		if (m->type == VMM_MEM_USABLE && m->base < VGA_TEXT_BASE + 4000 &&
		    VGA_TEXT_BASE < m->base + m->length)
			return false;
	}
	return true;
}

bool screen_init(const struct vmm_boot_info *bi)
{
	const struct vmm_boot_fb *fb = &bi->fb;

	switch (fb->kind) {
	case VMM_FB_RGB:
	case VMM_FB_INDEXED:
		scr.on = setup_pixels(fb);
		break;
	case VMM_FB_EGA_TEXT:
		if (fb->addr + (u64)fb->pitch * fb->height > 1 * MiB)
			vmm_warn("screen: text buffer at 0x%llx is outside the first MiB: not drawn\n",
				 (unsigned long long)fb->addr);
		else
			scr.on = setup_text(fb->addr, fb->width, fb->height, fb->pitch);
		break;
	default:
		if (vga_text_plausible(bi))
			scr.on = setup_text(VGA_TEXT_BASE, 80, 25, 160);
		break;
	}
	if (scr.on)
		fbcon_update(&scr.con);
	return scr.on;
}

void screen_describe(char *buf, size_t len)
{
	if (!scr.on)
		vmm_snprintf(buf, len, "none");
	else if (scr.text)
		vmm_snprintf(buf, len, "VGA text %ux%u at 0x%llx", scr.con.cols, scr.con.rows,
			     (unsigned long long)(uintptr_t)scr.base);
	else
		vmm_snprintf(buf, len, "framebuffer %ux%u, %u bits, %ux%u characters (font %ux%u%s)",
			     scr.width, scr.height, scr.bytes * 8, scr.con.cols, scr.con.rows,
			     VMM_FONT_W, VMM_FONT_H, scr.scale > 1 ? ", doubled" : "");
}

void screen_write(const char *s, size_t n)
{
	unsigned long f = 0;
	bool locked;

	if (!scr.on)
		return;
	locked = !scr.sync;
	if (locked)
		f = vmm_spin_lock_irqsave(&scr.lock);
	fbcon_write(&scr.con, s, n);
	fbcon_update(&scr.con);
	if (locked)
		vmm_spin_unlock_irqrestore(&scr.lock, f);
}

void screen_sync(void)
{
	scr.sync = true;
}

void screen_stats(u64 *cells_drawn, u64 *lines_scrolled)
{
	*cells_drawn = scr.con.drawn;
	*lines_scrolled = scr.con.scrolls;
}
