/*
 * kernel/cmd_echo.c - the "echo" command: print its words on one line.
 */
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* Print the arguments separated by one blank, in one printk. */
static int cmd_echo(int argc, char **argv)
{
	char line[VMM_CMD_LINE_MAX + 1];
	size_t off = 0;

	/* one printk: other CPUs' output never lands inside the line */
	line[0] = 0;
	for (int i = 1; i < argc && off < sizeof(line); i++)
		off += vmm_snprintf(line + off, sizeof(line) - off, "%s%s", argv[i],
				    i + 1 < argc ? " " : "");
	vmm_printk(VMM_LOG_EMERG, "%s\n", line);
	return VMM_OK;
}

VMM_CMD(echo, "echo [text...]", "print the text", cmd_echo);
