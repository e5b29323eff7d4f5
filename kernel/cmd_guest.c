/*
 * kernel/cmd_guest.c - the "guest" command: list guests, the operations of
 * figure 3 on a guest (or all), create and destroy guests, wait for them.
 * The inspection subcommands (dumpmem, region_list, stats) are in
 * kernel/guest_inspect.c. ("vcpu" and "sleep" are in kernel/cmd_vcpu.c and
 * kernel/cmd_sleep.c.)
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/timer.h"
#include "kernel/threads.h"
#include "kernel/config.h"
#include "kernel/vcpu_irq.h"
#include "kernel/guest_inspect.h"

static int for_guests(const char *name, int (*fn)(struct vmm_guest *g))
{
	int rc = VMM_OK;

	if (!strcmp(name, "all")) {
		for (u32 i = 0; i < vmm_manager_guest_count(); i++) {
			struct vmm_guest *g = vmm_manager_guest(i);
			int r = g ? fn(g) : VMM_OK;

			if (r)
				rc = r;
		}
		return rc;
	}
	struct vmm_guest *g = vmm_manager_guest_find(name);

	if (!g) {
		vmm_printk(VMM_LOG_EMERG, "guest: no guest '%s' (see 'guest list')\n", name);
		return -VMM_ENOENT;
	}
	return fn(g);
}

static int kick(struct vmm_guest *g) { return vmm_manager_guest_kick(g); }
static int pause(struct vmm_guest *g) { return vmm_manager_guest_pause(g); }
static int resume(struct vmm_guest *g) { return vmm_manager_guest_resume(g); }
static int reset(struct vmm_guest *g) { return vmm_manager_guest_reset(g); }
static int destroy(struct vmm_guest *g) { return vmm_manager_guest_destroy(g); }

static int halt(struct vmm_guest *g)
{
	return vmm_manager_guest_halt(g, "halted from the terminal");
}

/* Create guest 'name' again from its /guests node (after a destroy). */
static int create(const char *name)
{
	const struct vmm_config *cfg = vmm_config();
	struct vmm_guest *g;

	if (vmm_manager_guest_find(name)) {
		vmm_printk(VMM_LOG_EMERG, "guest create: guest '%s' exists (destroy it first)\n", name);
		return -VMM_EEXIST;
	}
	for (u32 i = 0; i < cfg->nr_guests; i++) {
		if (strcmp(cfg->guests[i].name, name))
			continue;
		if (vmm_manager_guest_create(&cfg->guests[i], &g))
			return -VMM_EFAIL;
		vmm_info("guest %s: created (%u VCPU%s, state RESET)\n", g->name, g->nr_vcpus,
			 g->nr_vcpus == 1 ? "" : "s");
		return VMM_OK;
	}
	vmm_printk(VMM_LOG_EMERG, "guest create: no valid /guests/%s node in the configuration\n", name);
	return -VMM_ENOENT;
}

/*
 * Let guests run until every one has ended: none READY or RUNNING, and none
 * waiting in HLT for an interrupt that a pending timer event could bring.
 */
static int wait_guests(void)
{
	u32 paused = 0, waiting = 0;

	for (;;) {
		bool idle = vmm_manager_all_guests_idle(&paused, &waiting);

		/* in HLT with interrupts on and no timer event left: for good */
		if (idle && (!waiting || vmm_timer_next_expiry() == ~0ULL))
			break;
		if (vmm_cmd_interrupted()) {
			vmm_printk(VMM_LOG_EMERG, "guest wait: interrupted; the guests go on\n");
			return -VMM_EINTR;
		}
		vmm_thread_sleep_ms(1);
	}
	if (paused)
		vmm_printk(VMM_LOG_EMERG, "guest wait: no VCPU can run; %u paused (%u in HLT with nothing to wake them)\n",
			   paused, waiting);
	return VMM_OK;
}

static void list_guests(void)
{
	vmm_printk(VMM_LOG_EMERG, "  %-3s %-16s %-6s %s\n", "id", "guest", "vcpus", "states");
	for (u32 i = 0; i < vmm_manager_guest_count(); i++) {
		struct vmm_guest *g = vmm_manager_guest(i);
		char states[96] = "";
		size_t off = 0;

		if (!g)
			continue;
		for (u32 j = 0; j < g->nr_vcpus && off < sizeof(states); j++)
			off += vmm_snprintf(states + off, sizeof(states) - off, "%s%s%s", j ? " " : "",
					    vmm_vcpu_state_name(g->vcpus[j]->state),
					    vmm_vcpu_irq_waiting(g->vcpus[j]) ? "/hlt" : "");
		vmm_printk(VMM_LOG_EMERG, "  %-3u %-16s %-6u %s\n", g->id, g->name, g->nr_vcpus, states);
	}
}

static const struct {
	const char *name;
	int (*fn)(struct vmm_guest *g);
} guest_ops[] = {
	{ "kick", kick }, { "pause", pause }, { "resume", resume }, { "halt", halt },
	{ "reset", reset }, { "destroy", destroy },
};

static int cmd_guest(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list")) {
		list_guests();
		return VMM_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "wait"))
		return wait_guests();
	if (argc == 3 && !strcmp(argv[1], "create"))
		return create(argv[2]);
	if (argc >= 3 && vmm_guest_inspect_is(argv[1])) {
		struct vmm_guest *g = vmm_manager_guest_find(argv[2]);

		if (!g) {
			vmm_printk(VMM_LOG_EMERG, "guest %s: no guest '%s' (see 'guest list')\n", argv[1], argv[2]);
			return -VMM_ENOENT;
		}
		return vmm_guest_inspect(g, argc, argv);
	}
	for (size_t i = 0; argc == 3 && i < ARRAY_SIZE(guest_ops); i++)
		if (!strcmp(argv[1], guest_ops[i].name))
			return for_guests(argv[2], guest_ops[i].fn);
	vmm_printk(VMM_LOG_EMERG, "usage: guest list | wait | create <name> | "
		   "kick|pause|resume|halt|reset|destroy <name|all> | "
		   "dumpmem <name> <guest-physical-addr> [len] | region_list|stats <name>\n");
	return -VMM_EINVALID;
}

VMM_CMD(guest, "guest list|wait|create|kick|pause|resume|halt|reset|destroy|dumpmem|region_list|stats",
	"list guests, change their state, create or destroy them", cmd_guest);
