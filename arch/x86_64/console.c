/*
 * arch/x86_64/console.c - the hypervisor console of a PC, behind the
 * kernel/arch_console.h contract: it joins the devices that carry it.
 * Output goes to every one of them (COM1, the screen); input is taken from
 * every one (COM1, the keyboard) into the same terminal.
 */
#include "kernel/arch_console.h"
#include "arch/x86_64/uart.h"

void arch_console_write(const char *s, size_t n)
{
	uart_write(s, n);
}

void arch_console_flush(void)
{
	uart_flush();
}

void arch_console_sync(void)
{
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
