/*
 * kernel/threads.c - hypervisor threads on orphan VCPUs (threads.h).
 *
 * A thread's orphan VCPU starts in thread_entry() on its own stack (the
 * arch builds that frame from orphan_entry), which calls fn(arg) and ends
 * the thread when fn returns. Waiting is done in waitqueue.c: a thread
 * pauses its own VCPU (RUNNING -> PAUSED) and traps into the scheduler; a
 * waker resumes it (PAUSED -> READY).
 */
#include <string.h>
#include "kernel/threads.h"
#include "kernel/waitqueue.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_vcpu.h"

#define MAX_THREADS 32

static struct vmm_thread *threads[MAX_THREADS];
static vmm_spinlock_t threads_lock = VMM_SPINLOCK_INIT;

struct vmm_thread *vmm_thread_current(void)
{
	struct vmm_vcpu *v = vmm_scheduler_current();

	return v && !v->is_normal ? v->thread : NULL;
}

const char *vmm_thread_name(const struct vmm_thread *t)
{
	return t->vcpu->name;
}

struct vmm_thread *vmm_thread_by_index(u32 i)
{
	return i < MAX_THREADS ? threads[i] : NULL;
}

u32 vmm_thread_slots(void)
{
	return MAX_THREADS;
}

void vmm_thread_exit(int status)
{
	struct vmm_thread *t = vmm_thread_current();

	if (!t) {
		vmm_err("thread: exit called outside a thread\n");
		for (;;)
			vmm_scheduler_block();
	}
	t->exit_status = status;
	t->exited = true;
	vmm_snprintf(t->vcpu->halt_reason, sizeof(t->vcpu->halt_reason),
		     "thread exited (status %d)", status);
	vmm_scheduler_state_change(t->vcpu, VMM_VCPU_STATE_HALTED, "exit");
	/* never runs again: HALTED leads only to RESET, which restarts fn */
	for (;;)
		vmm_scheduler_block();
}

/* Where every thread starts (its orphan VCPU's entry). */
static void thread_entry(void)
{
	struct vmm_thread *t = vmm_thread_current();

	vmm_thread_exit(t->fn(t->arg));
}

struct vmm_thread *vmm_thread_create(const char *name, vmm_thread_fn_t fn, void *arg,
				     u32 prio, u64 slice_ns, u64 affinity)
{
	struct vmm_thread *t;
	unsigned long f;
	int slot = -1;

	if (!fn || prio > VMM_MAX_PRIORITY) {
		vmm_err("thread %s: bad arguments (priority %u, 0..%u)\n", name, prio,
			VMM_MAX_PRIORITY);
		return NULL;
	}
	t = vmm_zalloc(sizeof(*t));
	if (!t)
		return NULL;
	f = vmm_spin_lock_irqsave(&threads_lock);
	for (int i = 0; i < MAX_THREADS && slot < 0; i++)
		if (!threads[i])
			slot = i;
	if (slot >= 0)
		threads[slot] = t;
	vmm_spin_unlock_irqrestore(&threads_lock, f);
	if (slot < 0) {
		vmm_err("thread %s: more than %d threads\n", name, MAX_THREADS);
		vmm_free(t);
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	t->vcpu = vmm_manager_orphan_create(name, thread_entry, VMM_THREAD_STACK_SIZE,
					    slice_ns ? slice_ns : VMM_THREAD_DEF_SLICE_NS);
	if (!t->vcpu) {
		threads[slot] = NULL;
		vmm_free(t);
		return NULL;
	}
	t->vcpu->thread = t;
	t->vcpu->priority = prio;
	t->vcpu->affinity = affinity;
	return t;
}

int vmm_thread_start(struct vmm_thread *t)
{
	return vmm_scheduler_state_change(t->vcpu, VMM_VCPU_STATE_READY, "thread start");
}

int vmm_thread_stop(struct vmm_thread *t)
{
	int rc;

	if (t == vmm_thread_current()) {
		vmm_err("thread %s: a thread cannot stop itself (use exit)\n", vmm_thread_name(t));
		return -VMM_EINVALID;
	}
	if (t->vcpu->state == VMM_VCPU_STATE_RESET)
		return VMM_OK;
	rc = vmm_scheduler_state_change(t->vcpu, VMM_VCPU_STATE_RESET, "thread stop");
	if (rc)
		return rc;
	vmm_scheduler_wait_off_cpu(t->vcpu);
	/* it may have been asleep: it waits no more */
	{
		struct vmm_waitqueue *wq = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);

		if (wq) {
			unsigned long f = vmm_spin_lock_irqsave(&wq->lock);

			vmm_waitqueue_forget_locked(wq, t);
			vmm_spin_unlock_irqrestore(&wq->lock, f);
		}
	}
	vmm_timer_event_stop(&t->timeout_ev);
	t->exited = false;
	t->vcpu->halt_reason[0] = 0;
	/* started again, it begins at thread_entry on an empty stack */
	return arch_vcpu_init(t->vcpu);
}

int vmm_thread_destroy(struct vmm_thread *t)
{
	unsigned long f;
	int rc;

	if (t == vmm_thread_current())
		return -VMM_EINVALID;
	rc = vmm_thread_stop(t);
	if (rc)
		return rc;
	vmm_timer_event_stop(&t->timeout_ev);
	rc = vmm_manager_orphan_destroy(t->vcpu);
	if (rc)
		return rc;
	f = vmm_spin_lock_irqsave(&threads_lock);
	for (int i = 0; i < MAX_THREADS; i++)
		if (threads[i] == t)
			threads[i] = NULL;
	vmm_spin_unlock_irqrestore(&threads_lock, f);
	vmm_free(t);
	return VMM_OK;
}

void vmm_thread_sleep_ns(u64 ns)
{
	struct vmm_waitqueue wq = VMM_WAITQUEUE_INIT;

	/* nobody wakes this queue: only the timeout ends the sleep */
	vmm_waitqueue_sleep_timeout(&wq, ns ? ns : 1);
}

void vmm_thread_sleep_ms(u64 ms)
{
	vmm_thread_sleep_ns(ms * 1000000ULL);
}
