/*
 * arch/x86_64/power.c - arch_power_off(): leave the machine or emulator.
 *
 * First every other CPU leaves VMX operation and stops (a cross-CPU call),
 * then this one leaves VMX operation. Then, each announced on the console
 * before it is tried (a user whose machine stays on reads which methods
 * failed):
 *   1. ACPI S5 as the FADT describes it: on full ACPI, SLP_TYP from \_S5
 *      (the DSDT, else an SSDT) into the PM1a and PM1b control blocks, then
 *      SLP_EN (ACPI mode entered first through SMI_CMD when SCI_EN is
 *      clear); on hardware-reduced ACPI (FADT flag HW_REDUCED_ACPI), SLP_TYP
 *      and SLP_EN into the sleep control register;
 *   2. Bochs' shutdown port (0x8900 "Shutdown");
 *   3. QEMU's isa-debug-exit (only when CPUID says we run under a
 *      hypervisor, so real hardware never sees a write to port 0x501);
 *   4. stop the CPU, saying so.
 */
#include "kernel/arch_cpu.h"
#include "kernel/arch_console.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/acpi_parse.h"
#include "arch/x86_64/acpi_reg.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/vmx/vmx.h"

#define BOCHS_SHUTDOWN_PORT 0x8900
#define ISA_DEBUG_EXIT_PORT 0x501
#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define SLEEP_CTL_SLP_TYP_SHIFT 2	/* hardware-reduced sleep control register */
#define SLEEP_CTL_SLP_EN (1u << 5)

/* Say what is tried next and make sure it is out before it acts. */
static void __printf(1, 2) announce(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vmm_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	vmm_emerg("power: %s\n", line);
	arch_console_flush();
}

/* Legacy mode -> ACPI mode (ACPI 6.x 4.8.2.5), waiting up to 1 s for SCI_EN. */
static void acpi_mode(const struct acpi_power_info *a)
{
	if (inw(a->pm1a_cnt) & PM1_SCI_EN)
		return;
	if (!a->smi_cmd || !a->acpi_enable) {
		announce("SCI_EN is clear and the FADT gives no SMI_CMD/ACPI_ENABLE: S5 tried as it is");
		return;
	}
	announce("entering ACPI mode: ACPI_ENABLE 0x%x to SMI_CMD port 0x%x", a->acpi_enable,
		 a->smi_cmd);
	outb((u16)a->smi_cmd, a->acpi_enable);
	for (int i = 0; i < 1000 && !(inw(a->pm1a_cnt) & PM1_SCI_EN); i++)
		acpi_delay_us(1000);
	if (!(inw(a->pm1a_cnt) & PM1_SCI_EN))
		announce("SCI_EN still clear after 1 s: S5 tried anyway");
}

static void pm1_sleep(u16 port, u8 typ)
{
	u16 v = (inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) | (u16)((typ & 7) << PM1_SLP_TYP_SHIFT);

	outw(port, v);
	outw(port, v | PM1_SLP_EN);
}

static void acpi_s5(const struct acpi_power_info *a)
{
	char reg[80];

	if (!a->valid) {
		announce("no ACPI FADT: ACPI S5 power-off not tried");
		return;
	}
	if (a->s5 != ACPI_S5_FOUND)
		announce("no usable \\_S5 in the DSDT or SSDTs: SLP_TYP 0 tried (may not power off)");
	if (a->hw_reduced) {
		u8 v = (u8)(((a->s5_typa & 7) << SLEEP_CTL_SLP_TYP_SHIFT) | SLEEP_CTL_SLP_EN);

		if (!a->sleep_control.addr) {
			announce("hardware-reduced ACPI without a sleep control register: ACPI S5 not tried");
			return;
		}
		acpi_reg_describe(reg, sizeof(reg), a->sleep_control.space, a->sleep_control.addr);
		announce("ACPI S5 (hardware-reduced): sleep control register, %s <- 0x%x (SLP_TYP %u, SLP_EN)",
			 reg, v, a->s5_typa);
		if (acpi_reg_write8(a->sleep_control.space, a->sleep_control.addr, v)) {
			announce("the sleep control register is not reachable (%s)", reg);
			return;
		}
		acpi_delay_us(200000);	/* emulators leave asynchronously */
		return;
	}
	if (!a->pm1a_cnt) {
		announce("the FADT has no PM1a control block: ACPI S5 not tried");
		return;
	}
	acpi_mode(a);
	if (a->pm1b_cnt)
		announce("ACPI S5: PM1a control port 0x%x SLP_TYP %u, PM1b control port 0x%x SLP_TYP %u, then SLP_EN",
			 a->pm1a_cnt, a->s5_typa, a->pm1b_cnt, a->s5_typb);
	else
		announce("ACPI S5: PM1a control port 0x%x SLP_TYP %u, then SLP_EN", a->pm1a_cnt, a->s5_typa);
	pm1_sleep(a->pm1a_cnt, a->s5_typa);
	if (a->pm1b_cnt)
		pm1_sleep(a->pm1b_cnt, a->s5_typb);
	acpi_delay_us(200000);	/* emulators leave asynchronously */
}

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
	acpi_s5(acpi);
	announce("Bochs shutdown port 0x%x", BOCHS_SHUTDOWN_PORT);
	for (const char *p = bochs; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, *p);
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 31)) {
		announce("QEMU isa-debug-exit port 0x%x (running under a hypervisor)", ISA_DEBUG_EXIT_PORT);
		outb(ISA_DEBUG_EXIT_PORT, 0);	/* QEMU exits with status 1 */
	}
	vmm_emerg("power: power-off failed; CPU%u stopped: switch the machine off with its power button\n",
		  arch_cpu_id());
	arch_console_flush();
	arch_cpu_stop();
}
