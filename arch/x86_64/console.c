/*
 * arch/x86_64/console.c - the hypervisor console of a PC, behind the
 * kernel/arch_console.h contract: it joins the devices that carry it.
 * Output goes to every one of them (COM1, the screen); input is taken from
 * every one (COM1, the keyboard) into the same terminal.
 */
#include <string.h>
#include "kernel/arch_console.h"
#include "kernel/printk.h"
#include "kernel/cmdline.h"
#include "arch/x86_64/console.h"
#include "arch/x86_64/uart.h"
#include "arch/x86_64/screen.h"
#include "arch/x86_64/i8042.h"
#include "kernel/error.h"

/*
 * What was written before the screen could be drawn on (the first lines of
 * the boot, before the host page tables): shown when it starts. Beyond
 * this much the screen starts with what came last.
 */
#define EARLY_MAX 8192
static struct {
	char buf[EARLY_MAX];
	size_t len;
	bool done;			/* the screen started (or never will) */
} early;

static void early_keep(const char *s, size_t n)
{
	if (n >= EARLY_MAX) {
		s += n - EARLY_MAX;
		n = EARLY_MAX;
	}
	if (early.len + n > EARLY_MAX) {
		size_t drop = early.len + n - EARLY_MAX;

		memmove(early.buf, early.buf + drop, early.len - drop);
		early.len -= drop;
	}
	memcpy(early.buf + early.len, s, n);
	early.len += n;
}

void console_screen_start(const struct vmm_boot_info *bi)
{
	char what[128], val[8];
	bool on;

	if (vmm_cmdline_get(bi->cmdline, "screen", val, sizeof(val)) >= 0) {
		if (!strcmp(val, "off")) {
			early.done = true;
			vmm_info("screen: off (screen=off): console on COM1 only\n");
			return;
		}
		vmm_warn("cmdline: screen=%s is not 'off'; the screen is used\n", val);
	}
	on = screen_init(bi);
	early.done = true;
	if (!on) {
		vmm_info("screen: none (no framebuffer, no VGA text mode): console on COM1 only\n");
		return;
	}
	screen_write(early.buf, early.len);
	screen_describe(what, sizeof(what));
	vmm_info("screen: %s\n", what);
}

void arch_console_write(const char *s, size_t n)
{
	uart_write(s, n);
	if (early.done)
		screen_write(s, n);
	else
		early_keep(s, n);
}

void arch_console_flush(void)
{
	uart_flush();
}

void arch_console_sync(void)
{
	screen_sync();
	uart_sync();
}

int arch_console_getc(void)
{
	int c = uart_getc();

	return c >= 0 ? c : i8042_getc();
}

int arch_console_tx_start(void)
{
	return uart_tx_start();
}

static bool no_input;		/* neither COM1 nor a keyboard */
static bool have_uart;		/* COM1 answered at boot */

static void no_input_say(void)
{
	vmm_warn("console: no keyboard controller (i8042) and no serial port: the terminal cannot take input; the boot commands (bootcmd=) still run\n");
}

void console_input_start(bool uart)
{
	have_uart = uart;
	no_input = !i8042_init() && !uart;
	if (no_input)
		no_input_say();
}

/* The terminal sleeps until notified if either device has its interrupt
 * (it looks anyway twice a second: the other one is polled then). */
int arch_console_rx_start(void (*notify)(void *data), void *data)
{
	int rc_uart = uart_rx_start(notify, data);
	int rc_kbd = i8042_rx_start(notify, data);

	if (no_input)
		no_input_say();
	return rc_uart == VMM_OK || rc_kbd == VMM_OK ? VMM_OK : rc_uart;
}

void arch_console_rx_stats(u64 *received, u64 *lost, bool *irq)
{
	u64 kbd_received, kbd_lost;
	bool kbd_irq;

	uart_rx_stats(received, lost, irq);
	i8042_rx_stats(&kbd_received, &kbd_lost, &kbd_irq);
	*received += kbd_received;
	*lost += kbd_lost;
	*irq = *irq || kbd_irq;
}

void arch_console_describe(char *buf, size_t size)
{
	char scr[128];
	u64 received, lost, cells, lines;
	bool uart_irq, kbd_irq;
	size_t off;

	uart_rx_stats(&received, &lost, &uart_irq);
	off = vmm_snprintf(buf, size, "COM1 %s",
			   !have_uart ? "absent" : uart_irq ? "(input by interrupt)" : "(input polled)");
	i8042_rx_stats(&received, &lost, &kbd_irq);
	if (off < size)
		off += vmm_snprintf(buf + off, size - off, ", keyboard %s",
				    !i8042_present() ? "none" : kbd_irq ? "i8042 (by interrupt)"
								 : "i8042 (polled)");
	screen_describe(scr, sizeof(scr));
	screen_stats(&cells, &lines);
	if (off < size)
		vmm_snprintf(buf + off, size - off, ", screen %s, %llu cells drawn, %llu lines scrolled",
			     scr, (unsigned long long)cells, (unsigned long long)lines);
}
