/*
 * kernel/cmd_sleep.c - the "sleep" command: the calling thread (bootcmd,
 * terminal) sleeps while the guests run.
 */
#include <stdlib.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/threads.h"

/* Let the guests run for 'ms' milliseconds, then come back. */
static int cmd_sleep(int argc, char **argv)
{
	unsigned long ms;
	char *end;

	if (argc != 2 || !(ms = strtoul(argv[1], &end, 10)) || *end || ms > 600000) {
		vmm_printk(VMM_LOG_EMERG, "usage: sleep <milliseconds, 1..600000>\n");
		return -VMM_EINVALID;
	}
	if (!vmm_thread_current()) {
		vmm_printk(VMM_LOG_EMERG, "sleep: only a thread can sleep\n");
		return -VMM_EINVALID;
	}
	vmm_thread_sleep_ms(ms);
	return VMM_OK;
}

VMM_CMD(sleep, "sleep <ms>",
	"let the guests run for a while", cmd_sleep);
