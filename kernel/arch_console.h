/*
 * kernel/arch_console.h - arch contract: the hypervisor's own console.
 * Implemented by arch/x86_64/console.c (COM1, the screen, the keyboard);
 * the unit tests fake it.
 */
#ifndef KERNEL_ARCH_CONSOLE_H
#define KERNEL_ARCH_CONSOLE_H

#include "kernel/types.h"

/* Write n bytes to the console; "\n" is sent as "\r\n". */
void arch_console_write(const char *s, size_t n);
/* Wait until everything written has left the console hardware. */
void arch_console_flush(void);
/* From now on every write waits for the hardware, after what is queued
 * (a panic: no interrupt will come, no lock is trusted). */
void arch_console_sync(void);
/* Non-blocking read of one byte; returns -1 when nothing is waiting. */
int arch_console_getc(void);
/*
 * Output by interrupt from now on: arch_console_write() may queue the
 * bytes and return before they left (nothing is dropped: a full queue
 * waits). A negative VMM_E* code when there is no such interrupt: output
 * stays polled.
 */
int arch_console_tx_start(void);
/*
 * Receive by interrupt from now on: the bytes go into a ring that
 * arch_console_getc() reads, and notify(data) is called (interrupt context,
 * any CPU; it may only wake someone) when bytes arrived. A negative VMM_E*
 * code when there is no receive interrupt: arch_console_getc() keeps
 * polling the hardware.
 */
int arch_console_rx_start(void (*notify)(void *data), void *data);
/*
 * Bytes received, bytes the hardware lost (the sender went on while the
 * receiver was full: a full receive ring stops the sender where the line
 * has flow control, it never drops bytes itself), and whether the receive
 * interrupt is on.
 */
void arch_console_rx_stats(u64 *received, u64 *lost, bool *irq);
/* One line (no newline) saying what carries the console: its output and
 * input devices as found at boot, and what the screen has drawn. */
void arch_console_describe(char *buf, size_t size);

#endif
