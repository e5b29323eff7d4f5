/*
 * kernel/arch_console.h - arch contract: the hypervisor's own console.
 * Implemented by arch/x86_64/uart.c (COM1); the unit tests fake it.
 */
#ifndef KERNEL_ARCH_CONSOLE_H
#define KERNEL_ARCH_CONSOLE_H

#include "kernel/types.h"

/* Write n bytes to the console; "\n" is sent as "\r\n". */
void arch_console_write(const char *s, size_t n);
/* Wait until everything written has left the console hardware. */
void arch_console_flush(void);
/* Non-blocking read of one byte; returns -1 when nothing is waiting. */
int arch_console_getc(void);

#endif
