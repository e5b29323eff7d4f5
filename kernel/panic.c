/*
 * kernel/panic.c - vmm_panic() and the common end of every fatal error.
 */
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_console.h"
#include "kernel/arch_debug.h"

static bool panic_poweroff;

void vmm_panic_set_poweroff(bool poweroff)
{
	panic_poweroff = poweroff;
}

void vmm_fatal_stop(void)
{
	vmm_emerg("CPU%u: stopped%s.\n", arch_cpu_id(),
		  panic_poweroff ? " (on_panic=poweroff: powering off)" : "");
	arch_console_flush();
	if (panic_poweroff)
		arch_power_off();
	arch_cpu_stop();
}

void vmm_panic(const char *fmt, ...)
{
	va_list ap;

	arch_cpu_irq_save();
	arch_cpu_stop_others();
	vmm_printk_break_lock();
	vmm_emerg("\nPANIC on CPU%u: ", arch_cpu_id());
	va_start(ap, fmt);
	vmm_vprintk(VMM_LOG_EMERG, fmt, ap);
	va_end(ap);
	arch_dump_current();
	vmm_fatal_stop();
}
