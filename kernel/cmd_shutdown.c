/*
 * kernel/cmd_shutdown.c - the "shutdown" command (power the machine off;
 * in Bochs and QEMU the emulator exits) and its older name "poweroff".
 */
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"

/* Power off; does not return. */
static int cmd_shutdown(int argc __unused, char **argv __unused)
{
	vmm_printk(VMM_LOG_EMERG, "powering off\n");
	arch_power_off();
}

VMM_CMD(shutdown, "shutdown", "power the machine off (the emulator exits)", cmd_shutdown);
VMM_CMD(poweroff, "poweroff", "the same as shutdown", cmd_shutdown);
