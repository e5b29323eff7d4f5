/*
 * kernel/cmd_guest.c - the "guest", "vcpu" and "sleep" commands: list
 * guests and VCPUs, the operations of figure 3 on either, create and
 * destroy guests, wait for them or let them run a while.
 */
#include <string.h>
#include <stdlib.h>
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_vcpu.h"
#include "kernel/timer.h"
#include "kernel/threads.h"
#include "kernel/config.h"

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
		vmm_thread_sleep_ms(1);
	}
	if (paused)
		vmm_printk(VMM_LOG_EMERG, "guest wait: no VCPU can run; %u paused (%u in HLT with nothing to wake them)\n",
			   paused, waiting);
	return VMM_OK;
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
	vmm_thread_sleep_ms(ms);
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
			off += vmm_snprintf(states + off, sizeof(states) - off, "%s%s", j ? " " : "",
					    vmm_vcpu_state_name(g->vcpus[j]->state));
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
	for (size_t i = 0; argc == 3 && i < ARRAY_SIZE(guest_ops); i++)
		if (!strcmp(argv[1], guest_ops[i].name))
			return for_guests(argv[2], guest_ops[i].fn);
	vmm_printk(VMM_LOG_EMERG, "usage: guest list | wait | create <name> | "
		   "kick|pause|resume|halt|reset|destroy <name|all>\n");
	return -VMM_EINVALID;
}

static struct vmm_vcpu *vcpu_by_name(const char *name)
{
	struct vmm_vcpu *v = vmm_manager_vcpu_find(name);

	if (!v)
		vmm_printk(VMM_LOG_EMERG, "vcpu: no VCPU '%s' (see 'vcpu list')\n", name);
	return v;
}

static void list_vcpus(void)
{
	vmm_printk(VMM_LOG_EMERG, "  %-3s %-24s %-7s %-8s %-4s %-4s %s\n", "id", "vcpu", "kind",
		   "state", "cpu", "prio", "halt reason");
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (!v)
			continue;
		vmm_printk(VMM_LOG_EMERG, "  %-3u %-24s %-7s %-8s %-4u %-4u %s\n", v->id, v->name,
			   v->is_normal ? "normal" : "orphan", vmm_vcpu_state_name(v->state),
			   v->host_cpu, v->priority, v->halt_reason);
	}
}

static int cmd_vcpu(int argc, char **argv)
{
	struct vmm_vcpu *v;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		list_vcpus();
		return VMM_OK;
	}
	if (argc != 3) {
		vmm_printk(VMM_LOG_EMERG, "usage: vcpu list | stats|dumpreg|kick|pause|resume|halt|reset <vcpu>\n");
		return -VMM_EINVALID;
	}
	v = vcpu_by_name(argv[2]);
	if (!v)
		return -VMM_ENOENT;
	if (!strcmp(argv[1], "stats")) {
		arch_vcpu_stats_print(v);
		return VMM_OK;
	}
	if (!strcmp(argv[1], "dumpreg")) {
		arch_vcpu_dump(v);
		return VMM_OK;
	}
	if (!strcmp(argv[1], "kick"))
		return vmm_manager_vcpu_kick(v);
	if (!strcmp(argv[1], "pause"))
		return vmm_manager_vcpu_user_pause(v);
	if (!strcmp(argv[1], "resume"))
		return vmm_manager_vcpu_resume(v);
	if (!strcmp(argv[1], "halt"))
		return vmm_manager_vcpu_halt(v, "halted from the terminal");
	if (!strcmp(argv[1], "reset"))
		return vmm_manager_vcpu_reset(v);
	vmm_printk(VMM_LOG_EMERG, "vcpu: unknown operation '%s'\n", argv[1]);
	return -VMM_EINVALID;
}

static const struct vmm_cmd guest_cmd = {
	"guest", "guest list|wait|create|kick|pause|resume|halt|reset|destroy", "list guests, change their state, create or destroy them", cmd_guest,
};
static const struct vmm_cmd sleep_cmd = {
	"sleep", "sleep <ms>", "let the guests run for a while", cmd_sleep,
};
static const struct vmm_cmd vcpu_cmd = {
	"vcpu", "vcpu list|stats|dumpreg|kick|pause|resume|halt|reset", "list VCPUs, show their exits or registers, change their state", cmd_vcpu,
};

void vmm_cmd_guest_init(void)
{
	vmm_cmd_register(&guest_cmd);
	vmm_cmd_register(&vcpu_cmd);
	vmm_cmd_register(&sleep_cmd);
}
