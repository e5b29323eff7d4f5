/*
 * kernel/cmd_config.c - the "config" command: where the configuration came
 * from and the validated guests.
 */
#include "kernel/cmd.h"
#include "kernel/config.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/* Print the configuration's source and its summary. */
static int cmd_config(int argc, char **argv)
{
	vmm_printk(VMM_LOG_EMERG, "configuration: %s DTB\n", vmm_config_source());
	vmm_config_print_summary(vmm_config(), VMM_LOG_EMERG);
	return VMM_OK;
}

VMM_CMD(config, "config",
	"show the validated guest configuration", cmd_config);
