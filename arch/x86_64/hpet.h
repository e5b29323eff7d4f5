/*
 * arch/x86_64/hpet.h - the host's HPET (arch/x86_64/hpet.c), used only to
 * calibrate the TSC at boot when there is no ACPI PM timer.
 */
#ifndef ARCH_X86_64_HPET_H
#define ARCH_X86_64_HPET_H

#include "kernel/types.h"

/*
 * Read the ACPI HPET table (after acpi_init()) and the HPET's capabilities;
 * prints what it found or why the HPET cannot be used. Idempotent.
 */
void hpet_init(void);
/* The HPET register window the ACPI table names (0: none), usable or not:
 * the host owns it either way (host_owned.c). */
u64 hpet_window(void);
/* Why the HPET cannot be used ("no HPET (no ACPI HPET table)", ...), or
 * NULL when it can. */
const char *hpet_unusable(void);
/*
 * TSC ticks per second measured over 'ms' milliseconds of the HPET's main
 * counter (started for the measurement if the firmware left it stopped,
 * and stopped again after); 0 when the HPET is unusable or does not count.
 */
u64 hpet_measure_tsc_hz(u32 ms);

#endif
