/*
 * arch/x86_64/uart.h - the host console UART, COM1 (arch/x86_64/uart.c):
 * one of the devices arch/x86_64/console.c joins into the hypervisor's
 * console. The functions mirror kernel/arch_console.h for this device.
 */
#ifndef ARCH_X86_64_UART_H
#define ARCH_X86_64_UART_H
#include "kernel/types.h"

/* Program COM1 for 115200 8N1; returns whether a UART answered. */
bool arch_uart_init(void);
/* The console UART's first port (8 ports from there). */
u16 arch_uart_port(void);

void uart_write(const char *s, size_t n);
void uart_flush(void);
void uart_sync(void);
int uart_getc(void);
int uart_tx_start(void);
int uart_rx_start(void (*notify)(void *data), void *data);
void uart_rx_stats(u64 *received, u64 *lost, bool *irq);

#endif
