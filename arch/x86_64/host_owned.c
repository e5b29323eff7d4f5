/*
 * arch/x86_64/host_owned.c - arch_host_owned() (kernel/arch_info.h): the
 * one table of host resources the hypervisor itself uses on a PC, which
 * the configuration check refuses to pass through to a guest (issue 10,
 * finding 5). Built from what the arch code actually touches, as found at
 * boot; keep it in step when a new port or window is used:
 *
 *   ports  the console UART (uart.c, COM1, 8 ports); the legacy PIC pair
 *          (setup.c remaps and masks it; a guest could unmask host
 *          interrupts); the CMOS/RTC index and data ports (timer.c reads
 *          the host clock; bit 7 of port 0x70 masks the host's NMIs, which
 *          stop the CPUs on a panic); port 0x80 (io_delay()); the i8042
 *          keyboard controller's 0x60 and 0x64 when i8042.c found one (the
 *          terminal's keyboard); the PCI
 *          configuration ports 0xCF8-0xCFF (every host device's
 *          configuration, BARs included); the ACPI PM1a/PM1b control
 *          blocks and the PM timer from the FADT (power.c powers off with
 *          them, timer.c calibrates the TSC on the PM timer); Bochs'
 *          shutdown port 0x8900 and QEMU's isa-debug-exit 0x501-0x502
 *          (power.c);
 *   memory the local APIC window (IA32_APIC_BASE or the MADT's, 4 KiB); each
 *          IO-APIC of the MADT (0xFEC00000 when there is none, 4 KiB); the
 *          RSDP and every ACPI table acpi.c read (RSDT/XSDT, FACP, APIC,
 *          DSDT, HPET); the HPET's register page that table names (hpet.c
 *          may calibrate the TSC on it; owned even when it is not used). The hypervisor's own RAM (kernel image, Multiboot
 *          modules and information, heap and page allocator) is host RAM,
 *          which the region checks refuse already (host_mem.h).
 */
#include <string.h>
#include "kernel/arch_info.h"
#include "kernel/printk.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/hpet.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/uart.h"
#include "arch/x86_64/i8042.h"

#define BOCHS_SHUTDOWN_PORT 0x8900
#define ISA_DEBUG_EXIT_PORT 0x501
#define IOAPIC_DEFAULT_BASE 0xFEC00000ULL

struct owned_table {
	struct vmm_host_owned *out;
	u32 max, n;
};

static void add(struct owned_table *t, bool io, u64 start, u64 len, const char *what)
{
	if (!len || t->n >= t->max)
		return;
	t->out[t->n].io = io;
	t->out[t->n].start = start;
	t->out[t->n].end = start + len;
	vmm_snprintf(t->out[t->n].what, sizeof(t->out[t->n].what), "%s", what);
	t->n++;
}

u32 arch_host_owned(struct vmm_host_owned *out, u32 max)
{
	const struct acpi_power_info *pm = acpi_power_info();
	const struct acpi_tables_info *ti = acpi_tables_info();
	struct owned_table t = { out, max, 0 };
	char what[48];

	add(&t, true, arch_uart_port(), 8, "console UART");
	add(&t, true, 0x20, 2, "master 8259A PIC (masked by it)");
	add(&t, true, 0xA0, 2, "slave 8259A PIC (masked by it)");
	add(&t, true, 0x70, 2, "CMOS/RTC ports (host clock, NMI mask)");
	add(&t, true, 0x80, 1, "I/O delay port");
	if (i8042_present()) {
		add(&t, true, 0x60, 1, "i8042 keyboard controller data port");
		add(&t, true, 0x64, 1, "i8042 keyboard controller command port");
	}
	add(&t, true, 0xCF8, 8, "PCI configuration ports");
	if (pm->pm1a_cnt)
		add(&t, true, pm->pm1a_cnt, 2, "ACPI PM1a control block (power-off)");
	if (pm->pm1b_cnt)
		add(&t, true, pm->pm1b_cnt, 2, "ACPI PM1b control block (power-off)");
	if (pm->pm_timer)
		add(&t, true, pm->pm_timer, 4, "ACPI PM timer (clock calibration)");
	add(&t, true, BOCHS_SHUTDOWN_PORT, 1, "emulator shutdown port (power-off)");
	add(&t, true, ISA_DEBUG_EXIT_PORT, 2, "QEMU debug exit port (power-off)");

	add(&t, false, lapic_get_base() & ~0xFFFULL, 0x1000, "local APIC window");
	for (u32 i = 0; i < ti->nr_ioapics; i++)
		add(&t, false, ti->ioapic_base[i] & ~0xFFFULL, 0x1000, "IO-APIC window");
	if (!ti->nr_ioapics)
		add(&t, false, IOAPIC_DEFAULT_BASE, 0x1000, "IO-APIC window");
	if (hpet_window())
		add(&t, false, hpet_window(), 0x1000, "HPET window (clock calibration)");
	for (u32 i = 0; i < ti->nr; i++) {
		vmm_snprintf(what, sizeof(what), "ACPI table %s", ti->t[i].sig);
		add(&t, false, ti->t[i].start, ti->t[i].end - ti->t[i].start, what);
	}
	return t.n;
}
