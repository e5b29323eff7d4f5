/*
 * kernel/scheduler.c - priority round-robin VCPU scheduling on every host
 * CPU, and the one locked state change (scheduler.h).
 *
 * One lock (sched_lock) covers every VCPU's state, every ready queue and
 * every CPU's current VCPU, so a state change and its queue update are one
 * critical section wherever they come from. A switch copies user registers
 * between the interrupt-stack frame and the VCPUs (arch_vcpu_regs_switch),
 * as chapter 3 of the design describes; it runs after the lock is dropped,
 * and a VCPU stays "on_cpu" until its registers are saved, so no other CPU
 * picks it up before then.
 */
#include "kernel/scheduler.h"
#include "kernel/sched_queue.h"
#include "kernel/manager.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"
#include "kernel/arch_cpu.h"
#include "kernel/arch_vcpu.h"
#include "kernel/timer.h"
#include "kernel/cpu_time.h"

struct sched_cpu {
	bool up;			/* vmm_scheduler_init_cpu() ran here */
	struct vmm_vcpu *current;
	struct vmm_vcpu *idle;
	struct vmm_sched_queue rq;
	bool yield;			/* current gives way to its own priority */
	bool slice_over;		/* ... because its slice ended (else: it yielded) */
	u64 switches;
	u64 run_start;			/* when current got the CPU */
	/* changes made on another CPU to the VCPU running here: how many, and
	 * the time from the change to this CPU switching the VCPU out */
	u64 remote_stops, remote_stop_ns, remote_stop_max_ns;
	struct vmm_timer_event slice_ev;	/* end of current's time slice */
};

static struct sched_cpu sched[ARCH_CPU_MAX];
static u32 cpus_up;		/* highest index of a CPU with a scheduler, + 1 */
static vmm_spinlock_t sched_lock = VMM_SPINLOCK_INIT;

/* bit n: CPU n must make a scheduling decision at the end of its trap */
volatile u32 vmm_scheduler_resched_cpus;

static struct sched_cpu *this_sched(void)
{
	return &sched[arch_cpu_id() % ARCH_CPU_MAX];
}

static u32 cpu_of(const struct sched_cpu *s)
{
	return (u32)(s - sched);
}

static void set_need_resched(u32 cpu)
{
	__atomic_or_fetch(&vmm_scheduler_resched_cpus, 1u << cpu, __ATOMIC_SEQ_CST);
}

static void clear_need_resched(u32 cpu)
{
	__atomic_and_fetch(&vmm_scheduler_resched_cpus, ~(1u << cpu), __ATOMIC_SEQ_CST);
}

/* CPU 'cpu' must decide again: flag it, and kick it when it is another. */
static void request(u32 cpu)
{
	set_need_resched(cpu);
	if (cpu != arch_cpu_id())
		arch_cpu_kick(cpu);
}

static bool allowed(const struct vmm_vcpu *v, u32 cpu)
{
	return cpu < ARCH_CPU_MAX && sched[cpu].up && (!v->affinity || (v->affinity & (1ULL << cpu)));
}

static bool cpu_idle(u32 cpu)
{
	return sched[cpu].current == sched[cpu].idle && !sched[cpu].rq.count;
}

static u32 cpu_load(u32 cpu)
{
	return sched[cpu].rq.count + (sched[cpu].current != sched[cpu].idle);
}

/*
 * Where a VCPU that becomes READY waits: its own CPU when that one idles,
 * else an idle CPU it may run on, else the least loaded of them (its own
 * on a tie). A VCPU whose affinity names no CPU that runs the scheduler
 * stays where it is (the configuration check warned about it).
 */
static u32 place(struct vmm_vcpu *v)
{
	u32 home = v->host_cpu, best = ARCH_CPU_MAX;

	if (allowed(v, home) && cpu_idle(home))
		return home;
	for (u32 i = 1; i <= cpus_up; i++) {
		u32 c = (home + i) % cpus_up;

		if (allowed(v, c) && cpu_idle(c))
			return c;
	}
	if (allowed(v, home))
		best = home;
	for (u32 c = 0; c < cpus_up; c++)
		if (allowed(v, c) && (best == ARCH_CPU_MAX || cpu_load(c) < cpu_load(best)))
			best = c;
	if (best == ARCH_CPU_MAX)
		best = sched[home].up ? home : 0;
	return best;
}

/* Queue a VCPU that became READY (not by the scheduler) and tell its CPU. */
static void enqueue_ready(struct vmm_vcpu *v)
{
	u32 cpu;
	struct sched_cpu *s;

	if (!v->is_normal && v == sched[v->host_cpu].idle)
		return;		/* the idle orphan is never queued */
	cpu = place(v);
	s = &sched[cpu];
	v->host_cpu = cpu;
	vmm_sched_queue_add(&s->rq, v);
	/* an idle CPU runs it now; a busy one when it has a higher priority
	 * (equal: at the end of the running VCPU's slice) */
	if (s->current == s->idle || !s->current || v->priority > s->current->priority ||
	    s->current->state != VMM_VCPU_STATE_RUNNING)
		request(cpu);
}

static bool is_sched_arrow(enum vmm_vcpu_state from, enum vmm_vcpu_state to)
{
	return (from == VMM_VCPU_STATE_READY && to == VMM_VCPU_STATE_RUNNING) ||
	       (from == VMM_VCPU_STATE_RUNNING && to == VMM_VCPU_STATE_READY);
}

/*
 * The one state change, sched_lock held. 'by_scheduler': the scheduler's
 * own arrows, which only it takes and which leave the queues to it.
 */
static int change_locked(struct vmm_vcpu *v, enum vmm_vcpu_state to, bool by_scheduler)
{
	enum vmm_vcpu_state from = v->state;

	if (!vmm_vcpu_state_transition_ok(from, to) || is_sched_arrow(from, to) != by_scheduler)
		return -VMM_EILLEGAL;
	if (from == VMM_VCPU_STATE_READY)
		vmm_sched_queue_del(&sched[v->host_cpu].rq, v);
	v->state = to;
	if (by_scheduler)
		return VMM_OK;
	if (to == VMM_VCPU_STATE_READY)
		enqueue_ready(v);
	/* it runs on some CPU: that CPU stops it at the end of its trap */
	if (from == VMM_VCPU_STATE_RUNNING) {
		if (v->host_cpu != arch_cpu_id())
			v->stop_asked_ns = vmm_timer_now_ns();
		request(v->host_cpu);
	}
	return VMM_OK;
}

static void refused(struct vmm_vcpu *v, enum vmm_vcpu_state from, enum vmm_vcpu_state to,
		    const char *op)
{
	if (is_sched_arrow(from, to))
		vmm_err("vcpu %s: %s refused: %s -> %s is an arrow only the scheduler takes\n",
			v->name, op, vmm_vcpu_state_name(from), vmm_vcpu_state_name(to));
	else
		vmm_err("vcpu %s: %s refused: figure 3 has no arrow %s -> %s\n", v->name, op,
			vmm_vcpu_state_name(from), vmm_vcpu_state_name(to));
}

/*
 * A change made by a thread (outside a trap: interrupts on) that asks this
 * CPU for a decision: trap now, or it would wait for the next interrupt.
 * In a trap (an exit handler, a timer event) the trap's end decides; the
 * idle orphan looks before it halts (vmm_scheduler_idle_loop).
 */
static void decide_soon(void)
{
	struct vmm_vcpu *cur = this_sched()->current;

	if ((vmm_scheduler_resched_cpus & (1u << arch_cpu_id())) && cur && cur->thread &&
	    arch_cpu_irq_enabled())
		arch_vcpu_yield();
}

int vmm_scheduler_state_change_from(struct vmm_vcpu *v, u32 from_mask, enum vmm_vcpu_state to,
				    const char *op)
{
	unsigned long f = vmm_spin_lock_irqsave(&sched_lock);
	enum vmm_vcpu_state from = v->state;
	bool from_ok = from_mask & (1u << from);
	int rc = from_ok ? change_locked(v, to, false) : -VMM_EILLEGAL;

	vmm_spin_unlock_irqrestore(&sched_lock, f);
	if (rc && !from_ok && (!vmm_vcpu_state_transition_ok(from, to) || is_sched_arrow(from, to))) {
		if (!(from_mask & VMM_SCHED_QUIET))
			refused(v, from, to, op);
	} else if (rc && !from_ok && !(from_mask & VMM_SCHED_QUIET)) {
		u32 want = 0;

		while (want < VMM_VCPU_STATE_COUNT && !(from_mask & (1u << want)))
			want++;
		vmm_err("vcpu %s: %s refused: %s -> %s is not a %s (that is %s -> %s)\n", v->name, op,
			vmm_vcpu_state_name(from), vmm_vcpu_state_name(to), op,
			vmm_vcpu_state_name((enum vmm_vcpu_state)want), vmm_vcpu_state_name(to));
	}
	else if (rc && from_ok)
		refused(v, from, to, op);
	else if (!rc)
		decide_soon();
	return rc;
}

int vmm_scheduler_state_change(struct vmm_vcpu *v, enum vmm_vcpu_state to, const char *op)
{
	return vmm_scheduler_state_change_from(v, VMM_SCHED_ANY_STATE, to, op);
}

int vmm_scheduler_state_change2(struct vmm_vcpu *v, enum vmm_vcpu_state via,
				enum vmm_vcpu_state to, const char *op)
{
	unsigned long f = vmm_spin_lock_irqsave(&sched_lock);
	enum vmm_vcpu_state from = v->state;
	bool first_ok = vmm_vcpu_state_transition_ok(from, via) && !is_sched_arrow(from, via);
	int rc = -VMM_EILLEGAL;

	/* both arrows checked before either is taken; no CPU sees 'via' */
	if (first_ok && vmm_vcpu_state_transition_ok(via, to) && !is_sched_arrow(via, to)) {
		if (from == VMM_VCPU_STATE_READY)
			vmm_sched_queue_del(&sched[v->host_cpu].rq, v);
		v->state = via;
		rc = change_locked(v, to, false);
		if (from == VMM_VCPU_STATE_RUNNING)
			request(v->host_cpu);
	}
	vmm_spin_unlock_irqrestore(&sched_lock, f);
	if (rc)
		refused(v, first_ok ? via : from, first_ok ? to : via, op);
	else
		decide_soon();
	return rc;
}

int vmm_scheduler_set_affinity(struct vmm_vcpu *v, u64 mask)
{
	unsigned long f;
	u64 up = 0;

	for (u32 c = 0; c < cpus_up; c++)
		if (sched[c].up)
			up |= 1ULL << c;
	if (mask && !(mask & up)) {
		vmm_err("vcpu %s: affinity 0x%llx names no CPU that runs the scheduler (0x%llx)\n",
			v->name, (unsigned long long)mask, (unsigned long long)up);
		return -VMM_EINVALID;
	}
	if (!v->is_normal && v == sched[v->host_cpu % ARCH_CPU_MAX].idle) {
		vmm_err("vcpu %s: an idle orphan stays on its CPU\n", v->name);
		return -VMM_EINVALID;
	}
	f = vmm_spin_lock_irqsave(&sched_lock);
	v->affinity = mask & up;
	if (v->queued && !allowed(v, v->host_cpu)) {
		/* waiting on a CPU it may no longer use: queued again elsewhere */
		vmm_sched_queue_del(&sched[v->host_cpu].rq, v);
		enqueue_ready(v);
	} else if (v->state == VMM_VCPU_STATE_RUNNING && !allowed(v, v->host_cpu)) {
		/* its CPU lets it go at its next decision (pick) */
		request(v->host_cpu);
	}
	vmm_spin_unlock_irqrestore(&sched_lock, f);
	decide_soon();
	return VMM_OK;
}

void vmm_scheduler_wait_off_cpu(struct vmm_vcpu *v)
{
	while (__atomic_load_n(&v->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

int vmm_scheduler_with_vcpu_off_cpu(struct vmm_vcpu *v, void (*fn)(struct vmm_vcpu *v, void *arg),
				    void *arg, u32 *cpu)
{
	unsigned long f = vmm_spin_lock_irqsave(&sched_lock);
	int rc = VMM_OK;

	if (v->on_cpu) {
		if (cpu)
			*cpu = v->host_cpu;
		rc = -VMM_EBUSY;
	} else {
		fn(v, arg);
	}
	vmm_spin_unlock_irqrestore(&sched_lock, f);
	return rc;
}

/* ---- picking ---------------------------------------------------------- */

struct pick_arg {
	struct vmm_vcpu *cur;
	u32 cpu;
};

/* A queued VCPU this CPU may take: not running elsewhere, allowed here. */
static bool takeable(struct vmm_vcpu *v, void *p)
{
	struct pick_arg *a = p;

	return (v == a->cur || !v->on_cpu) && allowed(v, a->cpu);
}

/* A READY VCPU waiting on a busy CPU that this idle CPU may run ('cur':
 * this CPU's current VCPU, which may be waiting there too). */
static struct vmm_vcpu *steal(u32 cpu, struct vmm_vcpu *cur)
{
	struct pick_arg a = { cur, cpu };
	struct vmm_vcpu *best = NULL;

	for (u32 c = 0; c < cpus_up; c++) {
		struct vmm_vcpu *v;

		if (c == cpu || !sched[c].up || sched[c].current == sched[c].idle)
			continue;
		v = vmm_sched_queue_first(&sched[c].rq, 0, takeable, &a);
		if (v && (!best || v->priority > best->priority))
			best = v;
	}
	return best;
}

/* The VCPU this CPU runs next (may be the current one). */
static struct vmm_vcpu *pick(struct sched_cpu *s)
{
	struct vmm_vcpu *cur = s->current, *v;
	struct pick_arg a = { cur, cpu_of(s) };
	/* a VCPU whose affinity no longer has this CPU leaves it like a stopped one */
	bool cur_runs = cur->state == VMM_VCPU_STATE_RUNNING &&
			(cur == s->idle || allowed(cur, cpu_of(s)));

	if (cur_runs && cur != s->idle) {
		/* strictly higher priority preempts; equal only when cur gives way */
		u32 min = cur->priority + (s->yield ? 0 : 1);

		if (min > VMM_MAX_PRIORITY)
			return cur;
		v = vmm_sched_queue_first(&s->rq, min, takeable, &a);
		return v ? v : cur;
	}
	v = vmm_sched_queue_first(&s->rq, 0, takeable, &a);
	if (!v)
		v = steal(cpu_of(s), cur);
	if (v)
		return v;
	return cur_runs ? cur : s->idle;
}

/* Time slice over: give way to the same priority, or take another slice. */
static void slice_expired(struct vmm_timer_event *ev)
{
	struct sched_cpu *s = ev->priv;
	unsigned long f = vmm_spin_lock_irqsave(&sched_lock);
	struct pick_arg a = { s->current, cpu_of(s) };
	struct vmm_vcpu *cur = s->current;
	bool waiting = false;

	if (cur && cur != s->idle)
		waiting = vmm_sched_queue_first(&s->rq, cur->priority, takeable, &a) != NULL;
	if (waiting) {
		s->yield = true;
		s->slice_over = true;
		set_need_resched(cpu_of(s));
		/* a VCPU waits here while a CPU it may use idles: that one takes it */
		for (u32 c = 0; c < cpus_up; c++)
			if (c != cpu_of(s) && sched[c].up && cpu_idle(c))
				request(c);
	}
	vmm_spin_unlock_irqrestore(&sched_lock, f);
	if (!waiting && cur && cur != s->idle)
		vmm_timer_event_start(ev, vmm_timer_now_ns() + cur->time_slice_ns);
}

void vmm_scheduler_resched(struct arch_regs *regs)
{
	struct sched_cpu *s = this_sched();
	u32 cpu = cpu_of(s);
	struct vmm_vcpu *cur, *next;
	unsigned long f;
	u32 from_cpu;
	u64 now;

	if (!(vmm_scheduler_resched_cpus & (1u << cpu)))
		return;
	/* cleared even on a CPU with no scheduler yet: every other CPU's exit
	 * path tests the whole flag word (vmm_scheduler_irq_process) */
	clear_need_resched(cpu);
	if (!s->up)
		return;
	f = vmm_spin_lock_irqsave(&sched_lock);
	cur = s->current;
	next = pick(s);
	now = vmm_timer_now_ns();
	if (next == cur) {
		/* its slice ended with nobody to take over: a new one */
		bool renew = s->slice_over;

		/* resumed before it got away: it keeps the CPU (it may have
		 * been queued on another CPU meanwhile) */
		if (cur->state == VMM_VCPU_STATE_READY) {
			vmm_sched_queue_del(&sched[cur->host_cpu].rq, cur);
			cur->host_cpu = cpu;
			change_locked(cur, VMM_VCPU_STATE_RUNNING, true);
			renew = true;
		}
		s->yield = false;
		s->slice_over = false;
		vmm_spin_unlock_irqrestore(&sched_lock, f);
		if (renew && cur != s->idle)
			vmm_timer_event_start(&s->slice_ev, now + cur->time_slice_ns);
		return;
	}
	/* the current VCPU leaves: a preempted one waits READY at the back */
	if (cur->state == VMM_VCPU_STATE_RUNNING) {
		change_locked(cur, VMM_VCPU_STATE_READY, true);
		if (cur != s->idle)
			enqueue_ready(cur);
	}
	if (cur == s->idle)
		vmm_cpu_time_idle_leave(cpu, now);
	else
		cur->run_ns[cpu] += now - s->run_start;
	if (next == s->idle)
		vmm_cpu_time_idle_enter(cpu, now);
	if (cur->stop_asked_ns) {
		u64 d = now > cur->stop_asked_ns ? now - cur->stop_asked_ns : 0;

		s->remote_stops++;
		s->remote_stop_ns += d;
		if (d > s->remote_stop_max_ns)
			s->remote_stop_max_ns = d;
		cur->stop_asked_ns = 0;
	}
	/* the next one comes in */
	vmm_sched_queue_del(&sched[next->host_cpu].rq, next);
	if (next->state == VMM_VCPU_STATE_READY)
		change_locked(next, VMM_VCPU_STATE_RUNNING, true);
	next->host_cpu = cpu;
	next->on_cpu = true;
	from_cpu = next->last_cpu;
	next->last_cpu = cpu;
	s->current = next;
	s->run_start = now;
	s->switches++;
	next->switches++;
	s->yield = false;
	s->slice_over = false;
	/* requests to this CPU made under the lock (the changes above) are
	 * answered by this decision; later ones come after the unlock */
	clear_need_resched(cpu);
	vmm_spin_unlock_irqrestore(&sched_lock, f);

	if (from_cpu != cpu && from_cpu < ARCH_CPU_MAX) {
		next->migrations++;
		vmm_timer_vcpu_moved(next, from_cpu, cpu);
	}
	if (next != s->idle)
		vmm_timer_event_start(&s->slice_ev, now + next->time_slice_ns);
	else
		vmm_timer_event_stop(&s->slice_ev);
	arch_vcpu_regs_switch(cur, next, regs);
	/*
	 * cur's registers are saved: another CPU may run it now. If it waits
	 * on another CPU's queue, that CPU may have passed it over while it
	 * was on this one: ask it again. (An enqueue after this read sees
	 * on_cpu false and asks by itself.) The request is made under the
	 * lock: that CPU may be deciding right now, past the pick that passed
	 * cur over, and the end of a decision clears the requests it answers -
	 * made unlocked, this one would be cleared too, and that CPU would idle
	 * with cur on its queue until something else made it decide (no CPU
	 * steals from an idle one).
	 */
	__atomic_store_n(&cur->on_cpu, false, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	from_cpu = __atomic_load_n(&cur->host_cpu, __ATOMIC_RELAXED);
	if (__atomic_load_n(&cur->queued, __ATOMIC_RELAXED) && from_cpu != cpu) {
		f = vmm_spin_lock_irqsave(&sched_lock);
		if (cur->queued && cur->host_cpu != cpu)
			request(cur->host_cpu);
		vmm_spin_unlock_irqrestore(&sched_lock, f);
	}
}

int vmm_scheduler_init_cpu(void)
{
	struct sched_cpu *s = this_sched();
	u32 cpu = cpu_of(s);
	struct vmm_vcpu *idle;
	unsigned long f;
	char name[32];

	vmm_snprintf(name, sizeof(name), "idle/%u", cpu);
	/* the idle VCPU is the code running now: no entry, no stack of its own */
	idle = vmm_manager_orphan_create(name, NULL, 0, 0);
	if (!idle)
		return -VMM_ENOMEM;
	vmm_timer_event_init(&s->slice_ev, slice_expired, s);
	f = vmm_spin_lock_irqsave(&sched_lock);
	idle->host_cpu = cpu;
	idle->last_cpu = cpu;
	idle->affinity = 1ULL << cpu;
	s->idle = idle;
	/* RESET -> READY (not queued: the idle orphan never is) -> RUNNING */
	change_locked(idle, VMM_VCPU_STATE_READY, false);
	change_locked(idle, VMM_VCPU_STATE_RUNNING, true);
	idle->on_cpu = true;
	s->current = idle;
	s->run_start = vmm_timer_now_ns();
	vmm_cpu_time_start(cpu, s->run_start);
	s->up = true;
	if (cpu + 1 > cpus_up)
		cpus_up = cpu + 1;
	vmm_spin_unlock_irqrestore(&sched_lock, f);
	return VMM_OK;
}

void vmm_scheduler_idle_loop(void)
{
	u32 bit = 1u << arch_cpu_id();

	for (;;) {
		/* a decision asked for outside a trap, or STI;HLT with none
		 * missed in between (interrupts off while looking) */
		unsigned long f = arch_cpu_irq_save();

		if (vmm_scheduler_resched_cpus & bit) {
			arch_cpu_irq_restore(f);
			arch_vcpu_yield();
		} else {
			arch_cpu_wait_for_irq();
			arch_cpu_irq_restore(f);
		}
	}
}

void vmm_scheduler_preempt(void)
{
	struct sched_cpu *s = this_sched();

	s->yield = true;
	set_need_resched(cpu_of(s));
}

void vmm_scheduler_yield(void)
{
	vmm_scheduler_preempt();
	arch_vcpu_yield();
}

void vmm_scheduler_block(void)
{
	set_need_resched(cpu_of(this_sched()));
	arch_vcpu_yield();
}

struct vmm_vcpu *vmm_scheduler_current(void)
{
	return this_sched()->current;
}

u32 vmm_scheduler_ready_count(void)
{
	return this_sched()->rq.count;
}

void vmm_scheduler_cpu_info(u32 cpu, struct vmm_sched_cpu_info *out)
{
	unsigned long f = vmm_spin_lock_irqsave(&sched_lock);
	struct sched_cpu *s = &sched[cpu % ARCH_CPU_MAX];

	out->up = s->up;
	out->current = s->current;
	out->ready = s->rq.count;
	out->switches = s->switches;
	out->idle_ns = s->up ? vmm_cpu_time_idle_ns(cpu % ARCH_CPU_MAX, vmm_timer_now_ns()) : 0;
	out->remote_stops = s->remote_stops;
	out->remote_stop_ns = s->remote_stop_ns;
	out->remote_stop_max_ns = s->remote_stop_max_ns;
	vmm_spin_unlock_irqrestore(&sched_lock, f);
}
