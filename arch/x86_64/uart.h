/*
 * arch/x86_64/uart.h - set-up of the host console UART (arch/x86_64/uart.c).
 */
#ifndef ARCH_X86_64_UART_H
#define ARCH_X86_64_UART_H
#include "kernel/types.h"

/* Program COM1 for 115200 8N1; returns whether a UART answered. */
bool arch_uart_init(void);
/* The console UART's first port (8 ports from there). */
u16 arch_uart_port(void);

#endif
