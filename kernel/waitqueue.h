/*
 * kernel/waitqueue.h - what hypervisor threads wait on: wait queues (sleep
 * until woken, with or without a timeout; wake one, wake all), mutexes
 * (sleeping locks with an owner) and completions (wait until an event was
 * signalled). Sleeping is for threads only (kernel/threads.h); waking is
 * allowed from anywhere: another thread, a timer event, a VM exit, any CPU.
 */
#ifndef KERNEL_WAITQUEUE_H
#define KERNEL_WAITQUEUE_H

#include "kernel/types.h"
#include "kernel/spinlock.h"

struct vmm_thread;

struct vmm_waitqueue {
	vmm_spinlock_t lock;
	struct vmm_thread *head, *tail;	/* sleepers, first come first woken */
	u32 count;
};

#define VMM_WAITQUEUE_INIT { VMM_SPINLOCK_INIT, NULL, NULL, 0 }

void vmm_waitqueue_init(struct vmm_waitqueue *wq);
/* Sleep until woken: VMM_OK; -VMM_EINVALID outside a thread. */
int vmm_waitqueue_sleep(struct vmm_waitqueue *wq);
/* The same, at most 'timeout_ns': -VMM_ETIMEDOUT when the time ran out. */
int vmm_waitqueue_sleep_timeout(struct vmm_waitqueue *wq, u64 timeout_ns);
/*
 * The same with wq->lock held by the caller (taken with
 * vmm_spin_lock_irqsave, flags in *flags): it is released while asleep and
 * held again on return - for conditions checked under the queue's lock.
 * timeout_ns 0: no timeout.
 */
int vmm_waitqueue_sleep_locked(struct vmm_waitqueue *wq, u64 timeout_ns, unsigned long *flags);
/* Wake the first sleeper / every sleeper; the number woken. */
u32 vmm_waitqueue_wake_first(struct vmm_waitqueue *wq);
u32 vmm_waitqueue_wake_all(struct vmm_waitqueue *wq);
/* The same with wq->lock held. */
u32 vmm_waitqueue_wake_first_locked(struct vmm_waitqueue *wq);
u32 vmm_waitqueue_wake_all_locked(struct vmm_waitqueue *wq);
u32 vmm_waitqueue_count(struct vmm_waitqueue *wq);
/* Take a stopped thread out of the queue without waking it (thread stop). */
void vmm_waitqueue_forget_locked(struct vmm_waitqueue *wq, struct vmm_thread *t);

/* A sleeping lock with an owner (threads only). */
struct vmm_mutex {
	struct vmm_waitqueue wq;	/* its lock guards owner */
	struct vmm_thread *owner;
	u64 contended;			/* times a locker had to sleep */
};
#define VMM_MUTEX_INIT { VMM_WAITQUEUE_INIT, NULL, 0 }
void vmm_mutex_init(struct vmm_mutex *m);
void vmm_mutex_lock(struct vmm_mutex *m);
/* -VMM_EBUSY when another thread holds it. */
int vmm_mutex_trylock(struct vmm_mutex *m);
/* -VMM_EINVALID (and a message) when the caller does not hold it. */
int vmm_mutex_unlock(struct vmm_mutex *m);

/* An event threads wait for; complete() lets one waiter through (or a
 * later one), complete_all() every present and future one. */
struct vmm_completion {
	struct vmm_waitqueue wq;
	u32 done;
};
void vmm_completion_init(struct vmm_completion *c);
int vmm_completion_wait(struct vmm_completion *c);
/* -VMM_ETIMEDOUT after timeout_ns without completion. */
int vmm_completion_wait_timeout(struct vmm_completion *c, u64 timeout_ns);
void vmm_completion_complete(struct vmm_completion *c);
void vmm_completion_complete_all(struct vmm_completion *c);

#endif
