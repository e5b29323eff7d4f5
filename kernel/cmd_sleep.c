/*
 * kernel/cmd_sleep.c - the "sleep" command: the calling thread (bootcmd,
 * terminal) sleeps while the guests run; Ctrl-C at the terminal ends it.
 */
#include <stdlib.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/threads.h"

#define CMD_SLEEP_STEP_MS 50		/* how often a sleeping command looks for Ctrl-C */

int vmm_cmd_sleep_ms(u64 ms)
{
	while (ms) {
		u64 step = ms < CMD_SLEEP_STEP_MS ? ms : CMD_SLEEP_STEP_MS;

		if (vmm_cmd_interrupted())
			return -VMM_EINTR;
		vmm_thread_sleep_ms(step);
		ms -= step;
	}
	return vmm_cmd_interrupted() ? -VMM_EINTR : VMM_OK;
}

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
	if (vmm_cmd_sleep_ms(ms) == -VMM_EINTR) {
		vmm_printk(VMM_LOG_EMERG, "sleep: interrupted\n");
		return -VMM_EINTR;
	}
	return VMM_OK;
}

VMM_CMD(sleep, "sleep <ms>",
	"let the guests run for a while", cmd_sleep);
