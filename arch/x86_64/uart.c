/*
 * arch/x86_64/uart.c - the host's 16550 UART on COM1 (115200 8N1), the
 * hypervisor console behind the kernel/arch_console.h contract.
 */
#include "kernel/arch_console.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/uart.h"

#define COM1 0x3F8
#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* bounded spin, so an absent or stuck UART cannot hang the hypervisor */
#define UART_SPIN_LIMIT 1000000

static u16 uart_base = COM1;

u16 arch_uart_port(void)
{
	return uart_base;
}
static bool uart_present;

bool arch_uart_init(void)
{
	/* scratch register round trip tells whether a UART answers at all */
	outb(uart_base + UART_SCR, 0x5A);
	uart_present = inb(uart_base + UART_SCR) == 0x5A;
	outb(uart_base + UART_IER, 0x00);
	outb(uart_base + UART_LCR, 0x80);	/* DLAB */
	outb(uart_base + UART_DLL, 1);		/* 115200 baud */
	outb(uart_base + UART_DLM, 0);
	outb(uart_base + UART_LCR, 0x03);	/* 8N1 */
	outb(uart_base + UART_FCR, 0xC7);	/* FIFOs on, cleared, 14-byte trigger */
	outb(uart_base + UART_MCR, 0x03);	/* DTR, RTS */
	return uart_present;
}

static void uart_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(uart_base + UART_LSR) & LSR_THRE)
			break;
	outb(uart_base + UART_THR, (u8)c);
}

void arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void arch_console_flush(void)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(uart_base + UART_LSR) & LSR_TEMT)
			break;
}

int arch_console_getc(void)
{
	if (!(inb(uart_base + UART_LSR) & LSR_DR))
		return -1;
	return inb(uart_base + UART_RBR);
}
