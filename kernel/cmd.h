/*
 * kernel/cmd.h - the hypervisor's command table. Commands run from the
 * bootcmd= hook now and from the management terminal later; each is one
 * table entry with a name, a usage line and an exec function.
 */
#ifndef KERNEL_CMD_H
#define KERNEL_CMD_H

#include "kernel/types.h"

#define VMM_CMD_MAX_ARGS 16
#define VMM_CMD_LINE_MAX 256

struct vmm_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	int (*exec)(int argc, char **argv);
};

/* Split 'line' (modified in place) into words and run the command. */
int vmm_cmd_exec_line(char *line);
/* Run each ';'-separated command of 'script' in order, echoing it first. */
int vmm_cmd_exec_script(const char *origin, const char *script);
const struct vmm_cmd *vmm_cmd_find(const char *name);
/* Every command by index 0, 1, ... (NULL past the last): completion. */
const struct vmm_cmd *vmm_cmd_by_index(u32 i);
/* Add a command defined elsewhere (kernel/cmd_*.c); -VMM_ENOSPC when full. */
int vmm_cmd_register(const struct vmm_cmd *cmd);
/* Register the devtree and config commands (kernel/cmd_devtree.c). */
void vmm_cmd_devtree_init(void);
/* Register the guest and vcpu commands (kernel/cmd_guest.c). */
void vmm_cmd_guest_init(void);
/* Register the vserial command (kernel/cmd_vserial.c). */
void vmm_cmd_vserial_init(void);
/* Register the sched and thread commands (kernel/cmd_sched.c). */
void vmm_cmd_sched_init(void);

#endif
