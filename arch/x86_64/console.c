/*
 * arch/x86_64/console.c - the hypervisor console of a PC, behind the
 * kernel/arch_console.h contract: it joins the devices that carry it.
 * Output goes to every one of them (COM1, the screen); input is taken from
 * every one (COM1, the keyboard) into the same terminal.
 */
#include <string.h>
#include "kernel/arch_console.h"
#include "kernel/printk.h"
#include "arch/x86_64/console.h"
#include "arch/x86_64/uart.h"
#include "arch/x86_64/screen.h"

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
	char what[128];
	bool on = screen_init(bi);

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
	return uart_getc();
}

int arch_console_tx_start(void)
{
	return uart_tx_start();
}

int arch_console_rx_start(void (*notify)(void *data), void *data)
{
	return uart_rx_start(notify, data);
}

void arch_console_rx_stats(u64 *received, u64 *lost, bool *irq)
{
	uart_rx_stats(received, lost, irq);
}
