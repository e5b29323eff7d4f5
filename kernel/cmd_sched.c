/*
 * kernel/cmd_sched.c - the "sched" command: what every host CPU runs, and
 * where and how long every VCPU ran.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"

static void affinity_text(u64 mask, char *buf, size_t len)
{
	size_t off = 0;

	if (!mask) {
		strlcpy(buf, "any", len);
		return;
	}
	buf[0] = 0;
	for (u32 c = 0; c < 64 && off < len; c++)
		if (mask & (1ULL << c))
			off += vmm_snprintf(buf + off, len - off, "%s%u", off ? "," : "", c);
}

static int cmd_sched(int argc, char **argv __unused)
{
	u32 ncpu = 0;

	if (argc != 1) {
		vmm_printk(VMM_LOG_EMERG, "usage: sched\n");
		return -VMM_EINVALID;
	}
	for (u32 c = 0; c < ARCH_CPU_MAX; c++) {
		struct vmm_sched_cpu_info ci;

		vmm_scheduler_cpu_info(c, &ci);
		if (!ci.up)
			continue;
		ncpu = c + 1;
		vmm_printk(VMM_LOG_EMERG, "sched: cpu%u current %s ready %u switches %llu idle-us %llu "
			   "remote-stops %llu avg-ns %llu max-ns %llu\n",
			   c, ci.current ? ci.current->name : "-", ci.ready,
			   (unsigned long long)ci.switches, (unsigned long long)(ci.idle_ns / 1000),
			   (unsigned long long)ci.remote_stops,
			   (unsigned long long)(ci.remote_stops ? ci.remote_stop_ns / ci.remote_stops : 0),
			   (unsigned long long)ci.remote_stop_max_ns);
	}
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);
		char aff[64], run[128];
		size_t off = 0;

		if (!v)
			continue;
		affinity_text(v->affinity, aff, sizeof(aff));
		run[0] = 0;
		for (u32 c = 0; c < ncpu; c++)
			off += vmm_snprintf(run + off, sizeof(run) - off, "%s%llu", c ? "," : "",
					    (unsigned long long)(v->run_ns[c] / 1000));
		vmm_printk(VMM_LOG_EMERG, "sched: vcpu %s %s cpu%u prio %u slice-us %llu affinity %s run-us %s migrations %llu\n",
			   v->name, vmm_vcpu_state_name(v->state), v->host_cpu, v->priority,
			   (unsigned long long)(v->time_slice_ns / 1000), aff, run,
			   (unsigned long long)v->migrations);
	}
	return VMM_OK;
}

VMM_CMD(sched, "sched",
	"what each host CPU runs; where and how long each VCPU ran", cmd_sched);
