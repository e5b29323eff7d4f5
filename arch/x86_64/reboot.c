/*
 * arch/x86_64/reboot.c - arch_reboot(): reset the machine.
 *
 * After the console is flushed, the other CPUs stopped and this one out of
 * VMX operation (as for a power-off), each reset the platform may offer is
 * tried in turn, announced on the console first: the ACPI FADT's reset
 * register (when the FADT sets RESET_REG_SUP; in I/O space, memory, or PCI
 * configuration space of bus 0, written through 0xCF8/0xCFC), the PCI
 * reset control register (port 0xCF9: 0x02 then 0x06, a hard reset), the
 * keyboard controller's reset line (command 0xFE to port 0x64), and last a
 * triple fault (an empty IDT and an exception), which every x86 turns into
 * a shutdown that the platform answers with a reset.
 */
#include "kernel/arch_cpu.h"
#include "kernel/arch_console.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/acpi_reg.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/vmx/vmx.h"

#define KBC_STATUS 0x64
#define KBC_INPUT_FULL 0x02
#define KBC_CMD_RESET 0xFE
#define PCI_RESET_CONTROL 0xCF9

/* Say what is tried next, make sure it is out, then give it time to act. */
static void announce(const char *what)
{
	vmm_emerg("reboot: %s\n", what);
	arch_console_flush();
}

static void settle(void)
{
	acpi_delay_us(100000);	/* a reset is asynchronous in emulators */
}

static void acpi_reset(const struct acpi_power_info *a)
{
	char reg[80], what[128];

	if (!a->valid) {
		announce("no ACPI FADT: no reset register to try");
		return;
	}
	if (!a->reset_sup) {
		announce("the ACPI FADT offers no reset register (RESET_REG_SUP clear)");
		return;
	}
	acpi_reg_describe(reg, sizeof(reg), a->reset_space, a->reset_addr);
	if (!a->reset_valid) {
		vmm_snprintf(what, sizeof(what), "the ACPI reset register (%s) is not usable", reg);
		announce(what);
		return;
	}
	vmm_snprintf(what, sizeof(what), "ACPI reset register (%s, value 0x%x)", reg, a->reset_value);
	announce(what);
	if (acpi_reg_write8(a->reset_space, a->reset_addr, a->reset_value)) {
		vmm_snprintf(what, sizeof(what), "the ACPI reset register (%s) is not reachable", reg);
		announce(what);
		return;
	}
	settle();
}

static void kbc_reset(void)
{
	announce("keyboard controller reset (0xFE to port 0x64)");
	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		;
	outb(KBC_STATUS, KBC_CMD_RESET);
	settle();
}

static void pci_reset(void)
{
	announce("PCI reset control (port 0xCF9: 0x02, 0x06)");
	outb(PCI_RESET_CONTROL, 0x02);
	acpi_delay_us(50);
	outb(PCI_RESET_CONTROL, 0x06);
	settle();
}

static void __attribute__((noreturn)) triple_fault(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed empty = { 0, 0 };

	announce("triple fault (empty IDT)");
	__asm__ volatile("lidt %0; int3" : : "m"(empty) : "memory");
	arch_cpu_stop();
}

void arch_reboot(void)
{
	const struct acpi_power_info *acpi = acpi_power_info();

	arch_console_flush();
	arch_cpu_irq_save();
	arch_smp_stop_others_call();
	/* a stopped CPU may hold the console's lock: polled from now on; what
	 * the others said goes out before VMXOFF (Bochs delivers an INIT it
	 * held back there, README "Bochs 2.7 limits") */
	arch_console_sync();
	arch_console_flush();
	vmx_cpu_disable();
	acpi_reset(acpi);
	pci_reset();
	kbc_reset();
	triple_fault();
}
