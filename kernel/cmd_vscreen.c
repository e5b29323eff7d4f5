/*
 * kernel/cmd_vscreen.c - the "vscreen" command: show a guest's VGA text
 * screen (devemu/vga_text.c) on the console, framed, with its cursor.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "kernel/heap.h"
#include "kernel/error.h"
#include "devemu/vga_text.h"

#define VSCREEN_USAGE "usage: vscreen show <guest>\n"

/* 'vscreen show <guest>': a header line, then the framed screen line by line. */
static int show(const char *name)
{
	struct vmm_guest *g = vmm_manager_guest_find(name);
	char *buf, *line, *nl;
	u32 row = 0, col = 0;
	int shown, n;

	if (!g) {
		vmm_printk(VMM_LOG_EMERG, "vscreen: no guest '%s' (see 'guest list')\n", name);
		return -VMM_ENOENT;
	}
	buf = vmm_malloc(VGA_TEXT_RENDER_MAX);
	if (!buf) {
		vmm_printk(VMM_LOG_EMERG, "vscreen: guest %s: out of memory\n", name);
		return -VMM_ENOMEM;
	}
	shown = vmm_vga_text_cursor(g, &row, &col);
	n = vmm_vga_text_render(g, buf, VGA_TEXT_RENDER_MAX);
	if (n < 0) {
		vmm_printk(VMM_LOG_EMERG, "vscreen: guest %s has no VGA text screen (no \"vga-text\" region)\n",
			   name);
		vmm_free(buf);
		return n;
	}
	if (shown > 0)
		vmm_printk(VMM_LOG_EMERG, "vscreen %s: %ux%u, cursor at row %u column %u\n", name,
			   VGA_TEXT_COLS, VGA_TEXT_ROWS, row, col);
	else
		vmm_printk(VMM_LOG_EMERG, "vscreen %s: %ux%u, cursor hidden\n", name,
			   VGA_TEXT_COLS, VGA_TEXT_ROWS);
	/* one printk per line: each leaves whole (kernel/console.h) */
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1)
		vmm_printk(VMM_LOG_EMERG, "%.*s\n", (int)(nl - line), line);
	vmm_free(buf);
	return VMM_OK;
}

static int cmd_vscreen(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "show"))
		return show(argv[2]);
	vmm_printk(VMM_LOG_EMERG, VSCREEN_USAGE);
	return -VMM_EINVALID;
}

VMM_CMD(vscreen, "vscreen show <guest>", "show a guest's VGA text screen with its cursor",
	cmd_vscreen);
