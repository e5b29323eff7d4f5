/*
 * kernel/sched_queue.h - the ready queue of one host CPU: a FIFO of READY
 * VCPUs per priority (0 .. VMM_MAX_PRIORITY, a higher number runs first).
 * Pure data structure: the scheduler holds its lock around every call.
 */
#ifndef KERNEL_SCHED_QUEUE_H
#define KERNEL_SCHED_QUEUE_H

#include "kernel/types.h"
#include "kernel/guest_config.h"

struct vmm_vcpu;

struct vmm_sched_queue {
	struct vmm_vcpu *head[VMM_MAX_PRIORITY + 1];
	struct vmm_vcpu *tail[VMM_MAX_PRIORITY + 1];
	u32 count;
};

/* Append v at the back of its priority's FIFO (no-op when queued). */
void vmm_sched_queue_add(struct vmm_sched_queue *q, struct vmm_vcpu *v);
/* Take v out of the queue (no-op when not queued in q). */
void vmm_sched_queue_del(struct vmm_sched_queue *q, struct vmm_vcpu *v);
/*
 * The first VCPU of the highest priority at or above 'min_prio' for which
 * ok(v, arg) holds (ok NULL: any), or NULL. It stays queued.
 */
struct vmm_vcpu *vmm_sched_queue_first(struct vmm_sched_queue *q, u32 min_prio,
				       bool (*ok)(struct vmm_vcpu *v, void *arg), void *arg);

#endif
