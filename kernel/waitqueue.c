/*
 * kernel/waitqueue.c - wait queues, mutexes and completions for hypervisor
 * threads (waitqueue.h).
 *
 * A sleeper links itself into the queue and pauses its own VCPU under the
 * queue's lock, then traps into the scheduler with the lock dropped; a
 * waker unlinks it and resumes it under the same lock. A wakeup that comes
 * between the unlock and the trap finds the VCPU PAUSED and makes it READY
 * again, which the scheduler handles (it keeps running or runs again), so
 * no wakeup is lost. A timeout is a timer event of the thread that does
 * what a waker does, if the same wait is still on.
 */
#include "kernel/waitqueue.h"
#include "kernel/threads.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/printk.h"
#include "kernel/error.h"

void vmm_waitqueue_init(struct vmm_waitqueue *wq)
{
	struct vmm_waitqueue z = VMM_WAITQUEUE_INIT;

	*wq = z;
}

static void unlink_locked(struct vmm_waitqueue *wq, struct vmm_thread *t)
{
	struct vmm_thread **link = &wq->head, *prev = NULL;

	while (*link && *link != t) {
		prev = *link;
		link = &(*link)->wq_next;
	}
	if (!*link)
		return;
	*link = t->wq_next;
	if (wq->tail == t)
		wq->tail = prev;
	wq->count--;
	t->wq_next = NULL;
	t->waiting_on = NULL;
}

void vmm_waitqueue_forget_locked(struct vmm_waitqueue *wq, struct vmm_thread *t)
{
	unlink_locked(wq, t);
}

/* Take t out of the queue and let it run. */
static void wake_locked(struct vmm_waitqueue *wq, struct vmm_thread *t)
{
	unlink_locked(wq, t);
	/* only a sleeper: a thread stopped meanwhile stays stopped */
	vmm_scheduler_state_change_from(t->vcpu, (1u << VMM_VCPU_STATE_PAUSED) | VMM_SCHED_QUIET,
					VMM_VCPU_STATE_READY, "wake");
}

static void timeout_fired(struct vmm_timer_event *ev)
{
	struct vmm_thread *t = ev->priv;
	struct vmm_waitqueue *wq = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);
	unsigned long f;

	if (!wq)
		return;
	f = vmm_spin_lock_irqsave(&wq->lock);
	if (t->waiting_on == wq && t->wait_seq == t->timeout_seq) {
		t->timed_out = true;
		wake_locked(wq, t);
	}
	vmm_spin_unlock_irqrestore(&wq->lock, f);
}

int vmm_waitqueue_sleep_locked(struct vmm_waitqueue *wq, u64 timeout_ns, unsigned long *flags)
{
	struct vmm_thread *t = vmm_thread_current();
	int rc;

	if (!t) {
		vmm_err("waitqueue: sleep outside a thread refused\n");
		return -VMM_EINVALID;
	}
	t->wait_seq++;
	t->timed_out = false;
	t->wq_next = NULL;
	if (wq->tail)
		wq->tail->wq_next = t;
	else
		wq->head = t;
	wq->tail = t;
	wq->count++;
	__atomic_store_n(&t->waiting_on, wq, __ATOMIC_RELEASE);
	if (timeout_ns) {
		t->timeout_seq = t->wait_seq;
		vmm_timer_event_init(&t->timeout_ev, timeout_fired, t);
		vmm_timer_event_start(&t->timeout_ev, vmm_timer_now_ns() + timeout_ns);
	}
	rc = vmm_scheduler_state_change(t->vcpu, VMM_VCPU_STATE_PAUSED, "sleep");
	vmm_spin_unlock_irqrestore(&wq->lock, *flags);
	if (!rc)
		vmm_scheduler_block();
	*flags = vmm_spin_lock_irqsave(&wq->lock);
	if (t->waiting_on == wq)	/* the pause was refused: not asleep */
		unlink_locked(wq, t);
	if (timeout_ns && !t->timed_out)
		vmm_timer_event_stop(&t->timeout_ev);
	return rc ? rc : t->timed_out ? -VMM_ETIMEDOUT : VMM_OK;
}

int vmm_waitqueue_sleep_timeout(struct vmm_waitqueue *wq, u64 timeout_ns)
{
	unsigned long f = vmm_spin_lock_irqsave(&wq->lock);
	int rc = vmm_waitqueue_sleep_locked(wq, timeout_ns, &f);

	vmm_spin_unlock_irqrestore(&wq->lock, f);
	return rc;
}

int vmm_waitqueue_sleep(struct vmm_waitqueue *wq)
{
	return vmm_waitqueue_sleep_timeout(wq, 0);
}

u32 vmm_waitqueue_wake_first_locked(struct vmm_waitqueue *wq)
{
	if (!wq->head)
		return 0;
	wake_locked(wq, wq->head);
	return 1;
}

u32 vmm_waitqueue_wake_all_locked(struct vmm_waitqueue *wq)
{
	u32 n = 0;

	while (wq->head) {
		wake_locked(wq, wq->head);
		n++;
	}
	return n;
}

u32 vmm_waitqueue_wake_first(struct vmm_waitqueue *wq)
{
	unsigned long f = vmm_spin_lock_irqsave(&wq->lock);
	u32 n = vmm_waitqueue_wake_first_locked(wq);

	vmm_spin_unlock_irqrestore(&wq->lock, f);
	return n;
}

u32 vmm_waitqueue_wake_all(struct vmm_waitqueue *wq)
{
	unsigned long f = vmm_spin_lock_irqsave(&wq->lock);
	u32 n = vmm_waitqueue_wake_all_locked(wq);

	vmm_spin_unlock_irqrestore(&wq->lock, f);
	return n;
}

u32 vmm_waitqueue_count(struct vmm_waitqueue *wq)
{
	return __atomic_load_n(&wq->count, __ATOMIC_ACQUIRE);
}

/* ---- mutex ------------------------------------------------------------ */

void vmm_mutex_init(struct vmm_mutex *m)
{
	vmm_waitqueue_init(&m->wq);
	m->owner = NULL;
	m->contended = 0;
}

void vmm_mutex_lock(struct vmm_mutex *m)
{
	struct vmm_thread *me = vmm_thread_current();
	unsigned long f = vmm_spin_lock_irqsave(&m->wq.lock);

	while (m->owner) {
		m->contended++;
		if (!me) {
			/* not a thread (reported once by the sleep): spin */
			vmm_spin_unlock_irqrestore(&m->wq.lock, f);
			arch_cpu_relax();
			f = vmm_spin_lock_irqsave(&m->wq.lock);
			continue;
		}
		vmm_waitqueue_sleep_locked(&m->wq, 0, &f);
	}
	m->owner = me;
	vmm_spin_unlock_irqrestore(&m->wq.lock, f);
}

int vmm_mutex_trylock(struct vmm_mutex *m)
{
	unsigned long f = vmm_spin_lock_irqsave(&m->wq.lock);
	int rc = m->owner ? -VMM_EBUSY : VMM_OK;

	if (!rc)
		m->owner = vmm_thread_current();
	vmm_spin_unlock_irqrestore(&m->wq.lock, f);
	return rc;
}

int vmm_mutex_unlock(struct vmm_mutex *m)
{
	struct vmm_thread *me = vmm_thread_current();
	unsigned long f = vmm_spin_lock_irqsave(&m->wq.lock);

	if (m->owner != me) {
		vmm_spin_unlock_irqrestore(&m->wq.lock, f);
		vmm_err("mutex: unlock by %s, which does not hold it\n",
			me ? vmm_thread_name(me) : "a non-thread");
		return -VMM_EINVALID;
	}
	m->owner = NULL;
	vmm_waitqueue_wake_first_locked(&m->wq);
	vmm_spin_unlock_irqrestore(&m->wq.lock, f);
	return VMM_OK;
}

/* ---- completion ------------------------------------------------------- */

#define COMPLETE_ALL 0x40000000u

void vmm_completion_init(struct vmm_completion *c)
{
	vmm_waitqueue_init(&c->wq);
	c->done = 0;
}

int vmm_completion_wait_timeout(struct vmm_completion *c, u64 timeout_ns)
{
	unsigned long f = vmm_spin_lock_irqsave(&c->wq.lock);
	u64 end = timeout_ns ? vmm_timer_now_ns() + timeout_ns : 0;
	int rc = VMM_OK;

	while (!c->done) {
		u64 now = vmm_timer_now_ns();

		if (end && now >= end) {
			rc = -VMM_ETIMEDOUT;
			break;
		}
		rc = vmm_waitqueue_sleep_locked(&c->wq, end ? end - now : 0, &f);
		if (rc == -VMM_EINVALID)
			break;
		rc = VMM_OK;
	}
	if (!rc && c->done < COMPLETE_ALL)
		c->done--;
	vmm_spin_unlock_irqrestore(&c->wq.lock, f);
	return rc;
}

int vmm_completion_wait(struct vmm_completion *c)
{
	return vmm_completion_wait_timeout(c, 0);
}

void vmm_completion_complete(struct vmm_completion *c)
{
	unsigned long f = vmm_spin_lock_irqsave(&c->wq.lock);

	if (c->done < COMPLETE_ALL)
		c->done++;
	vmm_waitqueue_wake_first_locked(&c->wq);
	vmm_spin_unlock_irqrestore(&c->wq.lock, f);
}

void vmm_completion_complete_all(struct vmm_completion *c)
{
	unsigned long f = vmm_spin_lock_irqsave(&c->wq.lock);

	c->done = COMPLETE_ALL;
	vmm_waitqueue_wake_all_locked(&c->wq);
	vmm_spin_unlock_irqrestore(&c->wq.lock, f);
}
