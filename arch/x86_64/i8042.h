/*
 * arch/x86_64/i8042.h - the host's keyboard controller, the i8042 at ports
 * 0x60/0x64 (arch/x86_64/i8042.c): a PS/2 keyboard, or a USB keyboard
 * through the firmware's legacy emulation of one. One of the devices
 * arch/x86_64/console.c joins into the hypervisor's console (input only).
 * The functions mirror the UART's (uart.h) for this device.
 */
#ifndef ARCH_X86_64_I8042_H
#define ARCH_X86_64_I8042_H
#include "kernel/types.h"

/* Find the controller without resetting it or the keyboard (after
 * acpi_init: the FADT may say there is none); says what it found on the
 * console. Returns whether a controller answered. */
bool i8042_init(void);
/* i8042_init() found one: its ports are the hypervisor's (host_owned.c). */
bool i8042_present(void);

/* Non-blocking: the next byte the keys gave (terminal bytes, as a serial
 * terminal would send them), -1 when none is waiting. */
int i8042_getc(void);
/* Keyboard interrupt (ISA IRQ 1) from now on, notify(data) when bytes came;
 * -VMM_ENOTAVAIL without a controller. */
int i8042_rx_start(void (*notify)(void *data), void *data);
/* Bytes given to the terminal, keys the keyboard itself lost (its overrun
 * answers), whether the interrupt is on. */
void i8042_rx_stats(u64 *received, u64 *lost, bool *irq);

#endif
