/*
 * arch/x86_64/acpi_reg.c - one-byte writes to FADT registers (acpi_reg.h).
 * A PCI configuration space address in a GAS is device (bits 47:32),
 * function (31:16) and offset (15:0) on bus 0 (ACPI 6.x 5.2.3.2).
 */
#include "arch/x86_64/acpi_reg.h"
#include "arch/x86_64/acpi_parse.h"
#include "arch/x86_64/cpu.h"
#include "kernel/error.h"
#include "kernel/printk.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC

static void pci_fields(u64 addr, u32 *dev, u32 *fn, u32 *off)
{
	*dev = (addr >> 32) & 0xFFFF;
	*fn = (addr >> 16) & 0xFFFF;
	*off = addr & 0xFFFF;
}

int acpi_reg_write8(u8 space, u64 addr, u8 value)
{
	u32 dev, fn, off;

	switch (space) {
	case ACPI_GAS_IO:
		if (addr > 0xFFFF)
			return -VMM_ENOTAVAIL;
		outb((u16)addr, value);
		return VMM_OK;
	case ACPI_GAS_MEMORY:
		if (!addr || addr >= 4 * GiB)
			return -VMM_ENOTAVAIL;	/* above 4 GiB only RAM is mapped */
		*(volatile u8 *)(uintptr_t)addr = value;
		return VMM_OK;
	case ACPI_GAS_PCI_CONFIG:
		pci_fields(addr, &dev, &fn, &off);
		if (dev > 31 || fn > 7 || off > 0xFF)
			return -VMM_ENOTAVAIL;
		outl(PCI_CONFIG_ADDRESS, 0x80000000u | (dev << 11) | (fn << 8) | (off & 0xFC));
		outb(PCI_CONFIG_DATA + (off & 3), value);
		return VMM_OK;
	}
	return -VMM_ENOTAVAIL;
}

void acpi_reg_describe(char *buf, size_t size, u8 space, u64 addr)
{
	u32 dev, fn, off;

	if (space == ACPI_GAS_PCI_CONFIG) {
		pci_fields(addr, &dev, &fn, &off);
		vmm_snprintf(buf, size, "PCI configuration space 00:%02x.%x offset 0x%x", dev, fn, off);
	} else {
		vmm_snprintf(buf, size, "%s 0x%llx", acpi_gas_space_name(space),
			     (unsigned long long)addr);
	}
}
