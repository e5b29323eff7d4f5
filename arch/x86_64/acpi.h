/*
 * arch/x86_64/acpi.h - the little of ACPI the hypervisor reads itself:
 * RSDP, RSDT/XSDT, FADT (PM1 control blocks) and \_S5 from the DSDT.
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include "kernel/types.h"

struct acpi_power_info {
	bool valid;
	u16 pm1a_cnt, pm1b_cnt;
	u8 s5_typa, s5_typb;
	u16 pm_timer;	/* PM timer port (3.579545 MHz, 24 bits), 0 = none */
};

/* Busy-wait about 'us' microseconds on the PM timer (a spin loop without it). */
void acpi_delay_us(u32 us);

/* Find the RSDP in the BIOS areas; must run while page 0 is still mapped. */
u64 acpi_find_rsdp_bios(void);
/* Read the FADT and \_S5 once at boot; rsdp may be 0 (then nothing is found). */
void acpi_init(u64 rsdp);
const struct acpi_power_info *acpi_power_info(void);

#endif
