/*
 * arch/x86_64/acpi_reg.h - writing one byte to a register the FADT names by
 * a Generic Address Structure (reset register, sleep control register):
 * I/O port, memory below 4 GiB (the identity map's reach for device
 * windows), or PCI configuration space of segment 0, bus 0 through the
 * ports 0xCF8/0xCFC (acpi_reg.c).
 */
#ifndef ARCH_X86_64_ACPI_REG_H
#define ARCH_X86_64_ACPI_REG_H

#include "kernel/types.h"

/* VMM_OK, or -VMM_ENOTAVAIL for an address space or address not reached. */
int acpi_reg_write8(u8 space, u64 addr, u8 value);

/* The register for messages: "I/O port 0xcf9", "PCI 00:1f.0 offset 0xac", ... */
void acpi_reg_describe(char *buf, size_t size, u8 space, u64 addr);

#endif
