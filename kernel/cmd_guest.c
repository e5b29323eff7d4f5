/*
 * kernel/cmd_guest.c - the "guest" and "vcpu" commands: list guests and
 * VCPUs with their states, kick, halt and wait for guests.
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

static int for_guests(const char *name, int (*fn)(struct vmm_guest *g))
{
	int rc = VMM_OK;

	if (!strcmp(name, "all")) {
		for (u32 i = 0; i < vmm_manager_guest_count(); i++) {
			int r = fn(vmm_manager_guest(i));

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

static int kick(struct vmm_guest *g)
{
	return vmm_manager_guest_kick(g);
}

static int halt(struct vmm_guest *g)
{
	return vmm_manager_guest_halt(g, "halted from the terminal");
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

		if (idle && (!waiting || vmm_timer_next_expiry() == ~0ULL))
			break;
		vmm_scheduler_idle_wait();
	}
	if (paused)
		vmm_printk(VMM_LOG_EMERG, "guest wait: no VCPU can run; %u paused (%u in HLT with nothing to wake them)\n",
			   paused, waiting);
	return VMM_OK;
}

static void sleep_done(struct vmm_timer_event *ev)
{
	*(volatile bool *)ev->priv = true;
	/* the command runs in the idle orphan: get it the CPU back */
	vmm_scheduler_idle_wakeup();
}

/* Let the guests run for 'ms' milliseconds, then come back. */
static int cmd_sleep(int argc, char **argv)
{
	struct vmm_timer_event ev;
	volatile bool done = false;
	unsigned long ms;
	char *end;

	if (argc != 2 || !(ms = strtoul(argv[1], &end, 10)) || *end || ms > 600000) {
		vmm_printk(VMM_LOG_EMERG, "usage: sleep <milliseconds, 1..600000>\n");
		return -VMM_EINVALID;
	}
	vmm_timer_event_init(&ev, sleep_done, (void *)&done);
	vmm_timer_event_start(&ev, vmm_timer_now_ns() + ms * 1000000ULL);
	while (!done)
		vmm_scheduler_idle_wait();
	return VMM_OK;
}

static void list_guests(void)
{
	vmm_printk(VMM_LOG_EMERG, "  %-3s %-16s %-6s %s\n", "id", "guest", "vcpus", "states");
	for (u32 i = 0; i < vmm_manager_guest_count(); i++) {
		struct vmm_guest *g = vmm_manager_guest(i);
		char states[96] = "";
		size_t off = 0;

		for (u32 j = 0; j < g->nr_vcpus && off < sizeof(states); j++)
			off += vmm_snprintf(states + off, sizeof(states) - off, "%s%s", j ? " " : "",
					    vmm_vcpu_state_name(g->vcpus[j]->state));
		vmm_printk(VMM_LOG_EMERG, "  %-3u %-16s %-6u %s\n", g->id, g->name, g->nr_vcpus, states);
	}
}

static int cmd_guest(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list")) {
		list_guests();
		return VMM_OK;
	}
	if (argc == 3 && !strcmp(argv[1], "kick"))
		return for_guests(argv[2], kick);
	if (argc == 3 && !strcmp(argv[1], "halt"))
		return for_guests(argv[2], halt);
	if (argc == 2 && !strcmp(argv[1], "wait"))
		return wait_guests();
	vmm_printk(VMM_LOG_EMERG, "usage: guest list | kick <name|all> | halt <name|all> | wait\n");
	return -VMM_EINVALID;
}

static struct vmm_vcpu *vcpu_by_name(const char *name)
{
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++)
		if (!strcmp(vmm_manager_vcpu(i)->name, name))
			return vmm_manager_vcpu(i);
	vmm_printk(VMM_LOG_EMERG, "vcpu: no VCPU '%s' (see 'vcpu list')\n", name);
	return NULL;
}

static int cmd_vcpu(int argc, char **argv)
{
	if (argc == 3 && (!strcmp(argv[1], "stats") || !strcmp(argv[1], "dumpreg"))) {
		struct vmm_vcpu *v = vcpu_by_name(argv[2]);

		if (!v)
			return -VMM_ENOENT;
		if (argv[1][0] == 's')
			arch_vcpu_stats_print(v);
		else
			arch_vcpu_dump(v);
		return VMM_OK;
	}
	if (argc != 2 || strcmp(argv[1], "list")) {
		vmm_printk(VMM_LOG_EMERG, "usage: vcpu list | stats <vcpu> | dumpreg <vcpu>\n");
		return -VMM_EINVALID;
	}
	vmm_printk(VMM_LOG_EMERG, "  %-3s %-24s %-7s %-8s %s\n", "id", "vcpu", "kind", "state", "halt reason");
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		vmm_printk(VMM_LOG_EMERG, "  %-3u %-24s %-7s %-8s %s\n", v->id, v->name,
			   v->is_normal ? "normal" : "orphan", vmm_vcpu_state_name(v->state),
			   v->halt_reason);
	}
	return VMM_OK;
}

static const struct vmm_cmd guest_cmd = {
	"guest", "guest list|kick|halt|wait", "list, start, stop or wait for guests", cmd_guest,
};
static const struct vmm_cmd sleep_cmd = {
	"sleep", "sleep <ms>", "let the guests run for a while", cmd_sleep,
};
static const struct vmm_cmd vcpu_cmd = {
	"vcpu", "vcpu list|stats|dumpreg", "list VCPUs, show exit statistics or registers", cmd_vcpu,
};

void vmm_cmd_guest_init(void)
{
	vmm_cmd_register(&guest_cmd);
	vmm_cmd_register(&vcpu_cmd);
	vmm_cmd_register(&sleep_cmd);
}
