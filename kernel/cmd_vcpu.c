/*
 * kernel/cmd_vcpu.c - the "vcpu" command: list VCPUs, show a VCPU's exit
 * statistics or registers, and the operations of figure 3 on one VCPU.
 */
#include <string.h>
#include <stdlib.h>
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_vcpu.h"
#include "kernel/scheduler.h"
#include "kernel/arch_cpu.h"
#include "kernel/vcpu_irq.h"
#include "devemu/lapic.h"

static struct vmm_vcpu *vcpu_by_name(const char *name)
{
	struct vmm_vcpu *v = vmm_manager_vcpu_find(name);

	if (!v)
		vmm_printk(VMM_LOG_EMERG, "vcpu: no VCPU '%s' (see 'vcpu list')\n", name);
	return v;
}

static void list_vcpus(void)
{
	vmm_printk(VMM_LOG_EMERG, "  %-3s %-24s %-7s %-10s %-4s %-4s %s\n", "id", "vcpu", "kind",
		   "state", "cpu", "prio", "halt reason");
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (!v)
			continue;
		char state[16];

		vmm_snprintf(state, sizeof(state), "%s%s", vmm_vcpu_state_name(v->state),
			     v->is_normal && vmm_vcpu_irq_waiting(v) ? "/hlt" : "");
		vmm_printk(VMM_LOG_EMERG, "  %-3u %-24s %-7s %-10s %-4u %-4u %s\n", v->id, v->name,
			   v->is_normal ? "normal" : "orphan", state,
			   v->host_cpu, v->priority, v->halt_reason);
	}
}

/* "any", or host CPU indices separated by commas: the mask, or -1. */
static s64 parse_cpus(const char *text)
{
	const char *p = text;
	u64 mask = 0;

	if (!strcmp(text, "any"))
		return 0;
	while (*p) {
		char *end;
		unsigned long c = strtoul(p, &end, 10);

		if (end == p || c >= ARCH_CPU_MAX || (*end && *end != ','))
			return -1;
		mask |= 1ULL << c;
		p = *end ? end + 1 : end;
	}
	return mask ? (s64)mask : -1;
}

/* vcpu stats, the interrupt part: requests, injections, NMIs, INIT/SIPI
 * and the VCPU's local APIC when it has one. */
static void irq_stats_print(struct vmm_vcpu *v)
{
	const struct vmm_vcpu_irq *irq = &v->irq;
	struct vmm_lapic_stats ls;

	vmm_printk(VMM_LOG_EMERG, "%s: interrupts: %llu requests, %llu injected, %llu HLT wake-ups, %llu kicks, "
		   "%llu NMIs, %llu INITs, %llu SIPIs (%llu lost)\n", v->name,
		   (unsigned long long)irq->asserts, (unsigned long long)irq->injected,
		   (unsigned long long)irq->wakeups, (unsigned long long)irq->kicks,
		   (unsigned long long)irq->nmis, (unsigned long long)irq->inits,
		   (unsigned long long)irq->sipis, (unsigned long long)irq->sipis_lost);
	if (!v->is_normal)
		return;
	vmm_lapic_stats_get(v, &ls);
	if (ls.present)
		vmm_printk(VMM_LOG_EMERG, "%s: local APIC: ID %u, %s, %s; %llu IPIs sent, %llu fixed interrupts "
			   "accepted, %llu timer interrupts, %llu level EOIs broadcast, %llu bad accesses\n",
			   v->name, ls.id, ls.x2apic ? "x2APIC" : "xAPIC", ls.enabled ? "enabled" : "disabled",
			   (unsigned long long)ls.ipis_sent, (unsigned long long)ls.ipis_received,
			   (unsigned long long)ls.timer_irqs, (unsigned long long)ls.eois,
			   (unsigned long long)ls.bad_accesses);
}

static int set_affinity(const char *name, const char *cpus)
{
	struct vmm_vcpu *v = vcpu_by_name(name);
	s64 mask = parse_cpus(cpus);

	if (!v)
		return -VMM_ENOENT;
	if (mask < 0) {
		vmm_printk(VMM_LOG_EMERG, "vcpu set_affinity: '%s' is not 'any' or a list of host CPUs 0..%d like 0,1\n",
			   cpus, ARCH_CPU_MAX - 1);
		return -VMM_EINVALID;
	}
	return vmm_scheduler_set_affinity(v, (u64)mask);
}

static int cmd_vcpu(int argc, char **argv)
{
	struct vmm_vcpu *v;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		list_vcpus();
		return VMM_OK;
	}
	if (argc == 4 && !strcmp(argv[1], "set_affinity"))
		return set_affinity(argv[2], argv[3]);
	if (argc != 3) {
		vmm_printk(VMM_LOG_EMERG, "usage: vcpu list | stats|dumpreg|kick|pause|resume|halt|reset <vcpu> | "
			   "set_affinity <vcpu> <cpu,cpu...|any>\n");
		return -VMM_EINVALID;
	}
	v = vcpu_by_name(argv[2]);
	if (!v)
		return -VMM_ENOENT;
	if (!strcmp(argv[1], "stats")) {
		arch_vcpu_stats_print(v);
		irq_stats_print(v);
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

VMM_CMD(vcpu, "vcpu list|stats|dumpreg|kick|pause|resume|halt|reset|set_affinity",
	"list VCPUs, show their exits or registers, change their state", cmd_vcpu);
