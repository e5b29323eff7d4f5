/*
 * kernel/printk.c - vmm_printk(): level filtering and console output.
 *
 * A message is formatted into a bounded buffer and written in one piece, so
 * lines from different CPUs do not interleave mid-line; an over-long message
 * is cut and marked with "...".
 */
#include "kernel/printk.h"
#include "kernel/arch_console.h"
#include "kernel/spinlock.h"

#define PRINTK_BUF 512

static int console_level = VMM_LOG_DEFAULT;
static vmm_spinlock_t printk_lock = VMM_SPINLOCK_INIT;
static volatile bool printk_lockless;

void vmm_printk_break_lock(void)
{
	__atomic_store_n(&printk_lockless, true, __ATOMIC_RELEASE);
}

void vmm_printk_set_level(int level)
{
	if (level < VMM_LOG_EMERG)
		level = VMM_LOG_EMERG;
	if (level > VMM_LOG_DEBUG)
		level = VMM_LOG_DEBUG;
	console_level = level;
}

int vmm_printk_get_level(void)
{
	return console_level;
}

int vmm_vprintk(int level, const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	unsigned long flags;
	int n;

	if (level > console_level)
		return 0;
	n = vmm_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf)) {
		buf[sizeof(buf) - 5] = '.';
		buf[sizeof(buf) - 4] = '.';
		buf[sizeof(buf) - 3] = '.';
		buf[sizeof(buf) - 2] = '\n';
		n = sizeof(buf) - 1;
	}
	if (__atomic_load_n(&printk_lockless, __ATOMIC_ACQUIRE)) {
		/* the other CPUs are stopped, maybe holding the lock */
		arch_console_write(buf, n);
		return n;
	}
	flags = vmm_spin_lock_irqsave(&printk_lock);
	arch_console_write(buf, n);
	vmm_spin_unlock_irqrestore(&printk_lock, flags);
	return n;
}

int vmm_printk(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmm_vprintk(level, fmt, ap);
	va_end(ap);
	return n;
}
