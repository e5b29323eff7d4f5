/*
 * kernel/cmd_version.c - the "version" command: name, version, build id.
 */
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/version.h"

/* Print the hypervisor's version line (extra words are ignored). */
static int cmd_version(int argc __unused, char **argv __unused)
{
	vmm_printk(VMM_LOG_EMERG, "%s %s (%s)\n", VMM_NAME, VMM_VERSION, VMM_BUILD_ID);
	return VMM_OK;
}

VMM_CMD(version, "version", "print the hypervisor version", cmd_version);
