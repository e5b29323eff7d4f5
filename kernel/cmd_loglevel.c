/*
 * kernel/cmd_loglevel.c - the "loglevel" command: show or set the console
 * log level (the boot-time loglevel= option, changed at run time).
 */
#include <stdlib.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* "loglevel" prints the level; "loglevel N" (0..7) sets it. */
static int cmd_loglevel(int argc, char **argv)
{
	unsigned long n;
	char *end;

	if (argc == 1) {
		vmm_printk(VMM_LOG_EMERG, "loglevel: %d\n", vmm_printk_get_level());
		return VMM_OK;
	}
	if (argc != 2 || !argv[1][0] || (n = strtoul(argv[1], &end, 10), *end) || n > 7) {
		vmm_printk(VMM_LOG_EMERG, "usage: loglevel [0..7]\n");
		return -VMM_EINVALID;
	}
	vmm_printk_set_level((int)n);
	vmm_printk(VMM_LOG_EMERG, "loglevel: %lu\n", n);
	return VMM_OK;
}

VMM_CMD(loglevel, "loglevel [0..7]", "show or set the console log level", cmd_loglevel);
