/*
 * kernel/sched_queue.c - per-priority FIFOs of READY VCPUs (sched_queue.h).
 */
#include "kernel/sched_queue.h"
#include "kernel/manager.h"

static u32 prio_of(const struct vmm_vcpu *v)
{
	return v->priority > VMM_MAX_PRIORITY ? VMM_MAX_PRIORITY : v->priority;
}

void vmm_sched_queue_add(struct vmm_sched_queue *q, struct vmm_vcpu *v)
{
	u32 p = prio_of(v);

	if (v->queued)
		return;
	v->next_ready = NULL;
	if (q->tail[p])
		q->tail[p]->next_ready = v;
	else
		q->head[p] = v;
	q->tail[p] = v;
	v->queued = true;
	q->count++;
}

void vmm_sched_queue_del(struct vmm_sched_queue *q, struct vmm_vcpu *v)
{
	u32 p = prio_of(v);
	struct vmm_vcpu **link = &q->head[p], *prev = NULL;

	if (!v->queued)
		return;
	while (*link && *link != v) {
		prev = *link;
		link = &(*link)->next_ready;
	}
	if (!*link)
		return;		/* queued elsewhere: not ours to take */
	*link = v->next_ready;
	if (q->tail[p] == v)
		q->tail[p] = prev;
	q->count--;
	v->queued = false;
	v->next_ready = NULL;
}

struct vmm_vcpu *vmm_sched_queue_first(struct vmm_sched_queue *q, u32 min_prio,
				       bool (*ok)(struct vmm_vcpu *v, void *arg), void *arg)
{
	for (int p = VMM_MAX_PRIORITY; p >= (int)min_prio; p--)
		for (struct vmm_vcpu *v = q->head[p]; v; v = v->next_ready)
			if (!ok || ok(v, arg))
				return v;
	return NULL;
}
