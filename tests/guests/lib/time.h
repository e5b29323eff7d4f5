/*
 * tests/guests/lib/time.h - delays and clocks of C test guests: the ACPI
 * PM timer (3.579545 MHz, 24 or 32 bits, its port from the FADT through
 * lib/acpi.c), busy waits on PIT channel 2 (ports 0x42/0x43, gate and
 * output through port 0x61), and 64-by-32 division (no libgcc here).
 */
#ifndef TESTS_GUESTS_LIB_TIME_H
#define TESTS_GUESTS_LIB_TIME_H

#include "tlib.h"

#define T_PM_HZ 3579545u
#define T_PIT_HZ 1193182u

/* Use the PM timer at port with 32 (else 24) significant bits. */
void t_pm_init(u16 port, int bits32);
/* whether t_pm_init found a timer */
int t_pm_present(void);
u32 t_pm_read(void);
/* PM timer ticks from then to now, wrap-around handled (24-bit aware) */
u32 t_pm_since(u32 then);
/* Busy-wait us microseconds on the PM timer (max about 1 s per call is not
 * required: long waits are cut in steps). */
void t_pm_delay_us(u32 us);
/* PM ticks for us microseconds */
u32 t_pm_ticks(u32 us);
/* Busy-wait us microseconds on PIT channel 2 (mode 0, one shot per up to
 * 50 ms), leaving the speaker off. */
void t_pit_delay_us(u32 us);
/* The delay used by the library: PM timer when present, else PIT. */
void t_delay_us(u32 us);
/* a / b (b != 0) and the remainder in *rem when rem is not NULL */
u64 t_udiv64(u64 a, u32 b, u32 *rem);
/* a * b / c with a 64-bit intermediate (c != 0) */
u32 t_muldiv(u32 a, u32 b, u32 c);

#endif
