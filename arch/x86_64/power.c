/*
 * arch/x86_64/power.c - arch_power_off(): leave the machine or emulator.
 *
 * In order: Bochs' shutdown port (0x8900 "Shutdown"), ACPI S5 through the
 * FADT's PM1 control blocks (Bochs, QEMU, real hardware), QEMU's
 * isa-debug-exit (only when CPUID says we run under a hypervisor, so real
 * hardware never sees a write to port 0x501), then stop the CPU. First
 * every other CPU leaves VMX operation and stops (a cross-CPU call), then
 * this one leaves VMX operation.
 */
#include "kernel/arch_cpu.h"
#include "kernel/arch_console.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/vmx/vmx.h"

#define BOCHS_SHUTDOWN_PORT 0x8900
#define ISA_DEBUG_EXIT_PORT 0x501
#define ACPI_SLP_EN (1u << 13)

void arch_power_off(void)
{
	const struct acpi_power_info *acpi = acpi_power_info();
	const char *bochs = "Shutdown";
	u32 a, b, c, d;

	arch_console_flush();
	arch_cpu_irq_save();
	arch_smp_stop_others_call();
	/* a stopped CPU may hold the console's lock: polled from now on; what
	 * the others said goes out before VMXOFF (Bochs delivers an INIT it
	 * held back there, README "Bochs 2.7 limits") */
	arch_console_sync();
	arch_console_flush();
	vmx_cpu_disable();
	arch_console_flush();
	for (const char *p = bochs; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, *p);
	if (acpi->valid) {
		outw(acpi->pm1a_cnt, ACPI_SLP_EN | (acpi->s5_typa << 10));
		if (acpi->pm1b_cnt)
			outw(acpi->pm1b_cnt, ACPI_SLP_EN | (acpi->s5_typb << 10));
		acpi_delay_us(200000);	/* emulators leave asynchronously */
	}
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 31))
		outb(ISA_DEBUG_EXIT_PORT, 0);	/* QEMU exits with status 1 */
	vmm_emerg("power: power-off failed; CPU%u stopped\n", arch_cpu_id());
	arch_console_flush();
	arch_cpu_stop();
}
