/*
 * kernel/guest_inspect.h - the inspection subcommands of "guest"
 * (kernel/cmd_guest.c resolves the guest, these print): dumpmem,
 * region_list, stats.
 */
#ifndef KERNEL_GUEST_INSPECT_H
#define KERNEL_GUEST_INSPECT_H

#include "kernel/types.h"

struct vmm_guest;

#define VMM_DUMPMEM_DEFAULT 256
#define VMM_DUMPMEM_MAX 4096

#define VMM_GUEST_INSPECT_USAGE \
	"guest dumpmem <guest> <guest-physical-addr> [len] | region_list <guest> | stats <guest>"

/* Is 'sub' one of the inspection subcommands? */
bool vmm_guest_inspect_is(const char *sub);
/*
 * Run "guest <sub> <guest> ..." (argv[0] "guest", argv[1] the subcommand,
 * argv[2] the guest's name, resolved to 'g'). Bad arguments: one line
 * naming what is wrong, the usage, a negative VMM_E* code.
 */
int vmm_guest_inspect(struct vmm_guest *g, int argc, char **argv);

/* The three, for callers that have their arguments already. */
int vmm_guest_dumpmem(struct vmm_guest *g, u64 gpa, u64 len);
int vmm_guest_region_list(struct vmm_guest *g);
int vmm_guest_stats(struct vmm_guest *g);

#endif
