/*
 * kernel/cmd_help.c - the "help" command: every command's usage and
 * summary in name order, or one command's.
 */
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* List the commands sorted by name, or show the usage of argv[1]. */
static int cmd_help(int argc, char **argv)
{
	const struct vmm_cmd *c;

	if (argc > 1) {
		c = vmm_cmd_find(argv[1]);
		if (!c) {
			vmm_printk(VMM_LOG_EMERG, "help: no command '%s'\n", argv[1]);
			return -VMM_ENOENT;
		}
		vmm_printk(VMM_LOG_EMERG, "usage: %s\n  %s\n", c->usage, c->summary);
		return VMM_OK;
	}
	for (u32 i = 0; (c = vmm_cmd_sorted(i)); i++)
		vmm_printk(VMM_LOG_EMERG, "  %-24s %s\n", c->usage, c->summary);
	return VMM_OK;
}

VMM_CMD(help, "help [command]", "list commands or show one command's usage", cmd_help);
