/*
 * kernel/cpu_time.c - per host CPU time accounting (cpu_time.h): idle
 * stretches reported by the scheduler, guest time from the arch, and the
 * split into guest / hypervisor / idle that "host cpu stats" prints.
 */
#include "kernel/cpu_time.h"
#include "kernel/arch_cpu.h"
#include "kernel/printk.h"
#include "kernel/error.h"

/*
 * Written only by the CPU itself (under the scheduler lock); read by any
 * CPU. 'seq' is odd while a write is under way: a reader retries, so it
 * never adds an idle stretch twice or misses one.
 */
static struct {
	u32 seq;
	bool up, idle;
	u64 since_ns;		/* scheduler start */
	u64 idle_ns;		/* finished idle stretches */
	u64 idle_since_ns;	/* start of the current one (when idle) */
} cpus[ARCH_CPU_MAX];

static void write_begin(u32 cpu)
{
	__atomic_store_n(&cpus[cpu].seq, cpus[cpu].seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void write_end(u32 cpu)
{
	__atomic_store_n(&cpus[cpu].seq, cpus[cpu].seq + 1, __ATOMIC_RELEASE);
}

void vmm_cpu_time_start(u32 cpu, u64 now)
{
	if (cpu >= ARCH_CPU_MAX)
		return;
	write_begin(cpu);
	cpus[cpu].since_ns = now;
	cpus[cpu].idle_ns = 0;
	cpus[cpu].idle = true;
	cpus[cpu].idle_since_ns = now;
	cpus[cpu].up = true;
	write_end(cpu);
}

void vmm_cpu_time_idle_enter(u32 cpu, u64 now)
{
	if (cpu >= ARCH_CPU_MAX || cpus[cpu].idle)
		return;
	write_begin(cpu);
	cpus[cpu].idle = true;
	cpus[cpu].idle_since_ns = now;
	write_end(cpu);
}

void vmm_cpu_time_idle_leave(u32 cpu, u64 now)
{
	if (cpu >= ARCH_CPU_MAX || !cpus[cpu].idle)
		return;
	write_begin(cpu);
	cpus[cpu].idle_ns += now > cpus[cpu].idle_since_ns ? now - cpus[cpu].idle_since_ns : 0;
	cpus[cpu].idle = false;
	write_end(cpu);
}

/* A consistent copy of CPU 'cpu''s record. */
static void snapshot(u32 cpu, bool *up, u64 *since, u64 *idle, u64 now)
{
	u32 s;

	do {
		while ((s = __atomic_load_n(&cpus[cpu].seq, __ATOMIC_ACQUIRE)) & 1)
			arch_cpu_relax();
		*up = cpus[cpu].up;
		*since = cpus[cpu].since_ns;
		*idle = cpus[cpu].idle_ns;
		if (cpus[cpu].idle && now > cpus[cpu].idle_since_ns)
			*idle += now - cpus[cpu].idle_since_ns;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&cpus[cpu].seq, __ATOMIC_RELAXED) != s);
}

u64 vmm_cpu_time_idle_ns(u32 cpu, u64 now)
{
	bool up;
	u64 since, idle;

	if (cpu >= ARCH_CPU_MAX)
		return 0;
	snapshot(cpu, &up, &since, &idle, now);
	return idle;
}

/* part of total in per mille, rounded to nearest */
static u32 per_mille(u64 part, u64 total)
{
	if (!total)
		return 0;
	/* part <= total; keep part * 1000 within 64 bits (no 128-bit division
	 * in the kernel): halve both past 2^53 ns (104 days) */
	while (total >> 53) {
		part >>= 1;
		total >>= 1;
	}
	return (u32)((part * 1000 + total / 2) / total);
}

void vmm_cpu_time_split(u64 total, u64 idle, u64 guest, struct vmm_cpu_time *out)
{
	out->total_ns = total;
	out->idle_ns = idle < total ? idle : total;
	out->guest_ns = guest < total - out->idle_ns ? guest : total - out->idle_ns;
	out->hyp_ns = total - out->idle_ns - out->guest_ns;
	if (!total) {
		out->guest_pm = out->hyp_pm = out->idle_pm = 0;
		return;
	}
	out->guest_pm = per_mille(out->guest_ns, total);
	out->idle_pm = per_mille(out->idle_ns, total);
	if (out->guest_pm + out->idle_pm > 1000)	/* two roundings up */
		out->idle_pm = 1000 - out->guest_pm;
	out->hyp_pm = 1000 - out->guest_pm - out->idle_pm;
}

void vmm_cpu_time_get(u32 cpu, u64 now, struct vmm_cpu_time *out)
{
	bool up = false;
	u64 since = 0, idle = 0;

	*out = (struct vmm_cpu_time){ 0 };
	if (cpu >= ARCH_CPU_MAX)
		return;
	snapshot(cpu, &up, &since, &idle, now);
	if (!up)
		return;
	vmm_cpu_time_split(now > since ? now - since : 0, idle, arch_cpu_guest_ns(cpu), out);
	out->up = true;
}

int vmm_cpu_time_print(u64 now)
{
	vmm_printk(VMM_LOG_EMERG, "  %-5s %14s %20s %20s %20s\n", "cpu", "total-ns",
		   "guest-ns (%)", "hypervisor-ns (%)", "idle-ns (%)");
	for (u32 c = 0; c < ARCH_CPU_MAX; c++) {
		struct vmm_cpu_time t;

		vmm_cpu_time_get(c, now, &t);
		if (!t.up)
			continue;
		vmm_printk(VMM_LOG_EMERG, "  cpu%-2u %14llu %12llu (%3u.%u) %12llu (%3u.%u) %12llu (%3u.%u)\n",
			   c, (unsigned long long)t.total_ns,
			   (unsigned long long)t.guest_ns, t.guest_pm / 10, t.guest_pm % 10,
			   (unsigned long long)t.hyp_ns, t.hyp_pm / 10, t.hyp_pm % 10,
			   (unsigned long long)t.idle_ns, t.idle_pm / 10, t.idle_pm % 10);
	}
	return VMM_OK;
}
