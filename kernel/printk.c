/*
 * kernel/printk.c - vmm_printk(): level filtering and console output.
 *
 * A message is formatted into a bounded buffer and handed to the host
 * console writer (kernel/console.h), which writes whole lines under the
 * console lock: lines from different CPUs, and guest console lines, do not
 * interleave inside a line; a message without its final '\n' waits for
 * the rest of its line from the same CPU. An over-long message is cut and
 * marked with "...".
 */
#include "kernel/printk.h"
#include "kernel/console.h"

#define PRINTK_BUF 512

static int console_level = VMM_LOG_DEFAULT;
void vmm_printk_break_lock(void)
{
	vmm_console_break_lock();
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
	vmm_console_write(buf, (size_t)n);
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
