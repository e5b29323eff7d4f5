/*
 * kernel/cmd_thread.c - the "thread" command: list the hypervisor threads;
 * "thread test" exercises sleeping, waking, waiting and a mutex across two
 * CPUs.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/threads.h"
#include "kernel/waitqueue.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"

/* ---- thread test ------------------------------------------------------ */

#define TT_ROUNDS 50

static struct {
	struct vmm_mutex lock;
	struct vmm_waitqueue ping;
	struct vmm_completion done;
	volatile u32 inside;		/* holders of the mutex at once (must stay <= 1) */
	volatile u32 overlaps;
	volatile u32 count;
	volatile u32 cpus_seen;		/* bit n: a worker ran on CPU n */
	volatile u32 woken;
	volatile u32 timeouts;
} tt;

/* A worker: take the mutex, count, sleep a little, from its own CPU. */
static int tt_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < TT_ROUNDS; i++) {
		vmm_mutex_lock(&tt.lock);
		if (__atomic_add_fetch(&tt.inside, 1, __ATOMIC_ACQ_REL) != 1)
			tt.overlaps++;
		__atomic_or_fetch(&tt.cpus_seen, 1u << arch_cpu_id(), __ATOMIC_ACQ_REL);
		tt.count++;
		/* hold it across a sleep: the other worker must wait */
		if (i % 10 == 0)
			vmm_thread_sleep_ns(200000);
		__atomic_sub_fetch(&tt.inside, 1, __ATOMIC_ACQ_REL);
		vmm_mutex_unlock(&tt.lock);
		vmm_thread_sleep_ns(100000);
	}
	vmm_completion_complete(&tt.done);
	return 0;
}

/* The sleeper: waits on a queue until woken; then one wait that times out. */
static int tt_sleeper(void *arg)
{
	(void)arg;
	if (vmm_waitqueue_sleep_timeout(&tt.ping, 5000000000ULL) == VMM_OK)
		tt.woken++;
	if (vmm_waitqueue_sleep_timeout(&tt.ping, 2000000) == -VMM_ETIMEDOUT)
		tt.timeouts++;
	vmm_completion_complete(&tt.done);
	return 0;
}

static int thread_test(void)
{
	u32 cpus = 0;
	struct vmm_thread *t[3];
	bool ok;

	for (u32 c = 0; c < ARCH_CPU_MAX; c++)
		cpus += arch_cpu_online(c);
	memset(&tt, 0, sizeof(tt));
	vmm_mutex_init(&tt.lock);
	vmm_waitqueue_init(&tt.ping);
	vmm_completion_init(&tt.done);
	/* one worker per CPU (both on CPU0 with one CPU) */
	t[0] = vmm_thread_create("tt-worker0", tt_worker, NULL, 0, 0, 1ULL << 0);
	t[1] = vmm_thread_create("tt-worker1", tt_worker, NULL, 0, 0, 1ULL << (cpus > 1));
	t[2] = vmm_thread_create("tt-sleeper", tt_sleeper, NULL, 0, 0, 0);
	if (!t[0] || !t[1] || !t[2]) {
		vmm_printk(VMM_LOG_EMERG, "thread test: FAIL cannot create the threads\n");
		return -VMM_ENOMEM;
	}
	for (int i = 0; i < 3; i++)
		vmm_thread_start(t[i]);
	/* let the sleeper get to its queue, then wake it */
	while (vmm_waitqueue_count(&tt.ping) == 0)
		vmm_thread_sleep_ns(100000);
	vmm_waitqueue_wake_all(&tt.ping);
	for (int i = 0; i < 3; i++)
		if (vmm_completion_wait_timeout(&tt.done, 10000000000ULL)) {
			vmm_printk(VMM_LOG_EMERG, "thread test: FAIL threads did not finish in 10 s\n");
			return -VMM_ETIMEDOUT;
		}
	for (int i = 0; i < 3; i++) {
		/* they exit on their own: HALTED, then freed */
		while (t[i]->vcpu->state != VMM_VCPU_STATE_HALTED)
			vmm_thread_sleep_ns(100000);
		vmm_thread_destroy(t[i]);
	}
	ok = tt.count == 2 * TT_ROUNDS && !tt.overlaps && tt.woken == 1 && tt.timeouts == 1 &&
	     tt.cpus_seen == (cpus > 1 ? 3u : 1u);
	vmm_printk(VMM_LOG_EMERG, "thread test: %s count %u (want %u) overlaps %u woken %u timeouts %u cpus 0x%x contended %llu\n",
		   ok ? "PASS" : "FAIL", tt.count, 2 * TT_ROUNDS, tt.overlaps, tt.woken, tt.timeouts,
		   tt.cpus_seen, (unsigned long long)tt.lock.contended);
	return ok ? VMM_OK : -VMM_EFAIL;
}

static int cmd_thread(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "test"))
		return thread_test();
	if (argc != 2 || strcmp(argv[1], "list")) {
		vmm_printk(VMM_LOG_EMERG, "usage: thread list | test\n");
		return -VMM_EINVALID;
	}
	vmm_printk(VMM_LOG_EMERG, "  %-16s %-8s %-4s %-4s %s\n", "thread", "state", "cpu", "prio", "note");
	for (u32 i = 0; i < vmm_thread_slots(); i++) {
		struct vmm_thread *t = vmm_thread_by_index(i);

		if (t)
			vmm_printk(VMM_LOG_EMERG, "  %-16s %-8s %-4u %-4u %s\n", vmm_thread_name(t),
				   vmm_vcpu_state_name(t->vcpu->state), t->vcpu->host_cpu,
				   t->vcpu->priority, t->vcpu->halt_reason);
	}
	return VMM_OK;
}

VMM_CMD(thread, "thread list|test",
	"list hypervisor threads, or test them across CPUs", cmd_thread);
