/*
 * kernel/scheduler.c - round-robin VCPU scheduler (scheduler.h).
 *
 * Each host CPU has a FIFO of READY VCPUs and an idle orphan VCPU, which is
 * never queued: it runs whenever the queue is empty. A switch copies user
 * registers between the interrupt-stack frame and the VCPUs
 * (arch_vcpu_regs_switch), as chapter 3 of the design describes.
 */
#include "kernel/scheduler.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_vcpu.h"
#include "kernel/timer.h"

#define SCHED_MAX_CPUS 8

struct sched_cpu {
	struct vmm_vcpu *current;
	struct vmm_vcpu *idle;
	struct vmm_vcpu *head, *tail;	/* READY queue */
	u32 nr_ready;
	bool idle_wanted;	/* the idle orphan must run next */
	bool idle_waiting;	/* the idle orphan has nothing to do (idle_wait) */
	bool idle_kick;		/* idle_wakeup since the idle orphan last waited */
	u64 slice_used_ns;
	struct vmm_timer_event slice_ev;	/* end of the current VCPU's time slice */
};

static struct sched_cpu sched[SCHED_MAX_CPUS];

/* bit n: CPU n must make a scheduling decision at the end of its trap */
volatile u32 vmm_scheduler_resched_cpus;

static struct sched_cpu *this_sched(void)
{
	return &sched[arch_cpu_id() % SCHED_MAX_CPUS];
}

static u32 sched_bit(struct sched_cpu *s)
{
	return 1u << (u32)(s - sched);
}

static void set_need_resched(struct sched_cpu *s)
{
	__atomic_or_fetch(&vmm_scheduler_resched_cpus, sched_bit(s), __ATOMIC_SEQ_CST);
}

static void clear_need_resched(struct sched_cpu *s)
{
	__atomic_and_fetch(&vmm_scheduler_resched_cpus, ~sched_bit(s), __ATOMIC_SEQ_CST);
}

static bool need_resched(struct sched_cpu *s)
{
	return vmm_scheduler_resched_cpus & sched_bit(s);
}

static void enqueue(struct sched_cpu *s, struct vmm_vcpu *v)
{
	if (v->queued)
		return;
	v->next_ready = NULL;
	if (s->tail)
		s->tail->next_ready = v;
	else
		s->head = v;
	s->tail = v;
	v->queued = true;
	s->nr_ready++;
}

static void dequeue(struct sched_cpu *s, struct vmm_vcpu *v)
{
	struct vmm_vcpu **link = &s->head, *prev = NULL;

	if (!v->queued)
		return;
	while (*link && *link != v) {
		prev = *link;
		link = &(*link)->next_ready;
	}
	if (*link) {
		*link = v->next_ready;
		if (s->tail == v)
			s->tail = prev;
		s->nr_ready--;
	}
	v->queued = false;
	v->next_ready = NULL;
}

/* Time slice over: let the next READY VCPU run, or give another slice. */
static void slice_expired(struct vmm_timer_event *ev)
{
	struct sched_cpu *s = ev->priv;

	if (s->head)
		set_need_resched(s);
	else if (s->current && s->current != s->idle)
		vmm_timer_event_start(ev, vmm_timer_now_ns() + s->current->time_slice_ns);
}

int vmm_scheduler_init_cpu(void)
{
	struct sched_cpu *s = this_sched();
	struct vmm_vcpu *idle;
	char name[32];

	vmm_snprintf(name, sizeof(name), "idle/%u", arch_cpu_id());
	/* the idle VCPU is the code running now: no entry, no stack of its own */
	idle = vmm_manager_orphan_create(name, NULL, 0, 0);
	if (!idle)
		return -VMM_ENOMEM;
	s->idle = idle;
	vmm_timer_event_init(&s->slice_ev, slice_expired, s);
	vmm_vcpu_set_state(idle, VMM_VCPU_STATE_READY);
	dequeue(s, idle);
	vmm_vcpu_set_state(idle, VMM_VCPU_STATE_RUNNING);
	s->current = idle;
	return VMM_OK;
}

void vmm_scheduler_state_changed(struct vmm_vcpu *vcpu, enum vmm_vcpu_state from,
				 enum vmm_vcpu_state to)
{
	struct sched_cpu *s = &sched[vcpu->host_cpu % SCHED_MAX_CPUS];
	unsigned long flags = arch_cpu_irq_save();

	if (to == VMM_VCPU_STATE_READY && from != VMM_VCPU_STATE_RUNNING && vcpu != s->idle) {
		enqueue(s, vcpu);
		if (s->current == s->idle)
			set_need_resched(s);
	} else if (from == VMM_VCPU_STATE_READY && to != VMM_VCPU_STATE_RUNNING) {
		dequeue(s, vcpu);
	}
	if (vcpu == s->current && to != VMM_VCPU_STATE_RUNNING)
		set_need_resched(s);
	arch_cpu_irq_restore(flags);
}

void vmm_scheduler_preempt(void)
{
	set_need_resched(this_sched());
}

void vmm_scheduler_resched(struct arch_regs *regs)
{
	struct sched_cpu *s = this_sched();
	struct vmm_vcpu *cur = s->current, *next;

	if (!need_resched(s))
		return;
	/* cleared even on a CPU with no scheduler yet: every other CPU's exit
	 * path tests the whole flag word (vmm_scheduler_irq_process) */
	clear_need_resched(s);
	if (!cur)
		return;
	/* a RUNNING VCPU that is preempted goes to the back of the queue */
	if (cur->state == VMM_VCPU_STATE_RUNNING && cur != s->idle) {
		if (!s->head && !s->idle_wanted)
			return;	/* nobody else wants the CPU */
		vmm_vcpu_set_state(cur, VMM_VCPU_STATE_READY);
		enqueue(s, cur);
	}
	/* the idle orphan interrupted while working takes its turn in the queue */
	if (cur == s->idle && cur->state == VMM_VCPU_STATE_RUNNING && !s->idle_waiting &&
	    s->head) {
		cur->state = VMM_VCPU_STATE_READY;
		enqueue(s, cur);
	}
	next = (s->head && !s->idle_wanted) ? s->head : s->idle;
	s->idle_wanted = false;
	if (next == cur && cur->state == VMM_VCPU_STATE_RUNNING)
		return;
	dequeue(s, next);
	if (cur == s->idle && cur->state == VMM_VCPU_STATE_RUNNING)
		cur->state = VMM_VCPU_STATE_READY;	/* waiting: not queued */
	if (next == s->idle)
		next->state = VMM_VCPU_STATE_RUNNING;
	else
		vmm_vcpu_set_state(next, VMM_VCPU_STATE_RUNNING);
	s->current = next;
	s->slice_used_ns = 0;
	/* the state changes above were this switch's own: nothing more to do */
	clear_need_resched(s);
	if (next != s->idle && next->time_slice_ns)
		vmm_timer_event_start(&s->slice_ev, vmm_timer_now_ns() + next->time_slice_ns);
	else
		vmm_timer_event_stop(&s->slice_ev);
	arch_vcpu_regs_switch(cur, next, regs);
}

void vmm_scheduler_tick(struct arch_regs *regs, u64 elapsed_ns)
{
	struct sched_cpu *s = this_sched();

	if (!s->current)
		return;
	s->slice_used_ns += elapsed_ns;
	if (s->current == s->idle ? s->head != NULL
				  : s->slice_used_ns >= s->current->time_slice_ns)
		set_need_resched(s);
}

void vmm_scheduler_idle_wakeup(void)
{
	struct sched_cpu *s = this_sched();

	/* also when the idle orphan is current: it may be just about to wait */
	s->idle_kick = true;
	if (s->current != s->idle) {
		s->idle_wanted = true;
		set_need_resched(s);
	}
}

void vmm_scheduler_idle_wait(void)
{
	struct sched_cpu *s = this_sched();

	unsigned long f;

	s->idle_waiting = true;
	if (s->nr_ready) {
		vmm_scheduler_yield();
	} else {
		/*
		 * The caller checked its condition (a sleep's deadline, ...)
		 * with interrupts on; a wakeup that came since then left
		 * idle_kick. Checked with interrupts off, then STI;HLT, so no
		 * interrupt falls between the check and the wait (a lost
		 * wakeup would wait for good when no timer is pending).
		 */
		f = arch_cpu_irq_save();
		if (!s->idle_kick)
			arch_cpu_wait_for_irq();
		arch_cpu_irq_restore(f);
	}
	s->idle_kick = false;
	s->idle_waiting = false;
}

void vmm_scheduler_yield(void)
{
	set_need_resched(this_sched());
	arch_vcpu_yield();
}

struct vmm_vcpu *vmm_scheduler_current(void)
{
	return this_sched()->current;
}

u32 vmm_scheduler_ready_count(void)
{
	return this_sched()->nr_ready;
}
