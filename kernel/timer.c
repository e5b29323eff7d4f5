/*
 * kernel/timer.c - timer events (timer.h): one list per host CPU, sorted
 * by expiry, each with its own lock and generation, processed on its CPU
 * from the one expiry path vmm_timer_expired(). The earliest expiry of a
 * list is handed to its CPU's one-shot timer after every change made on
 * that CPU; a change made from another CPU bumps the list's generation and,
 * when it brings the first expiry forward, kicks that CPU, whose expiry
 * path then reprograms. Processing is bounded (timer.h): a pass never runs
 * an event twice, nor one that fell due after the pass began, so a guest
 * device cannot keep the CPU in here.
 *
 * Locking: an event's 'cpu' names the list it is on and changes only with
 * that list's lock held (and the new list's, when it moves), so whoever
 * holds the lock of the list 'cpu' names after reading it owns the event.
 * Two lists are locked in CPU order.
 */
#include "kernel/timer.h"
#include "kernel/arch_timer.h"
#include "kernel/arch_cpu.h"
#include "kernel/spinlock.h"
#include "kernel/manager.h"

struct timer_cpu {
	vmm_spinlock_t lock;
	struct vmm_timer_event *pending;	/* by expiry */
	volatile u64 first_expiry;	/* pending's expiry, ~0: none (read unlocked) */
	u64 pass;			/* vmm_timer_process() passes on this CPU */
	u64 programmed_gen;		/* generation the one-shot timer was set for */
	struct vmm_timer_event *volatile running;	/* whose handler runs now */
} __attribute__((aligned(64)));

static struct timer_cpu timer_cpus[ARCH_CPU_MAX] = {
	[0 ... ARCH_CPU_MAX - 1] = { .first_expiry = ~0ULL },
};
struct vmm_timer_generation vmm_timer_generation_cpu[ARCH_CPU_MAX];
static u64 boot_wallclock;

static inline u32 this_timer_cpu(void)
{
	return arch_cpu_id() % ARCH_CPU_MAX;
}

u64 vmm_timer_now_ns(void)
{
	return arch_timer_now_ns();
}

u64 vmm_timer_wallclock_sec(void)
{
	if (!boot_wallclock)
		boot_wallclock = arch_timer_boot_wallclock_sec();
	return boot_wallclock ? boot_wallclock + vmm_timer_now_ns() / 1000000000ULL : 0;
}

void vmm_timer_event_init(struct vmm_timer_event *ev, vmm_timer_handler_t handler, void *priv)
{
	ev->next = NULL;
	ev->expiry_ns = 0;
	ev->active = false;
	ev->handler = handler;
	ev->priv = priv;
	ev->ran_pass = 0;
	ev->bound = NULL;
	ev->vcpu_slot = NULL;
	ev->cpu = this_timer_cpu();
}

/* Bump 'cpu's generation (its first expiry changed); lock held. */
static void gen_bump(u32 cpu)
{
	__atomic_store_n(&vmm_timer_generation_cpu[cpu].value,
			 vmm_timer_generation_cpu[cpu].value + 1, __ATOMIC_RELEASE);
}

/* Take the locks of lists a and b (the same or two), in CPU order. */
static void lock_two(u32 a, u32 b)
{
	if (a == b) {
		vmm_spin_lock(&timer_cpus[a].lock);
	} else {
		vmm_spin_lock(&timer_cpus[a < b ? a : b].lock);
		vmm_spin_lock(&timer_cpus[a < b ? b : a].lock);
	}
}

static void unlock_two(u32 a, u32 b)
{
	vmm_spin_unlock(&timer_cpus[a].lock);
	if (a != b)
		vmm_spin_unlock(&timer_cpus[b].lock);
}

/*
 * Interrupts off: lock the list ev is on and the list of 'target' (~0u:
 * ev's own); returns the list ev is on. The target is re-read after the
 * locks are held (a bound VCPU may be migrating): *target gets it.
 */
static inline __attribute__((always_inline)) u32 lock_event(struct vmm_timer_event *ev, u32 *target)
{
	for (;;) {
		u32 cpu = __atomic_load_n(&ev->cpu, __ATOMIC_ACQUIRE) % ARCH_CPU_MAX;
		u32 want = *target == ~0u ? cpu : *target;

		lock_two(cpu, want);
		if (ev->cpu == cpu) {
			struct vmm_vcpu *v = vmm_timer_event_vcpu(ev);

			/* the VCPU's host CPU may have changed meanwhile */
			if (v && *target != ~0u && v->host_cpu % ARCH_CPU_MAX != want) {
				unlock_two(cpu, want);
				*target = v->host_cpu % ARCH_CPU_MAX;
				continue;
			}
			*target = want;
			return cpu;
		}
		unlock_two(cpu, want);
	}
}

/* Take ev off list 'cpu' (its lock held); true when it was the first. */
static bool unlink_locked(struct timer_cpu *tc, struct vmm_timer_event *ev)
{
	struct vmm_timer_event **link = &tc->pending;
	bool first = tc->pending == ev;

	while (*link && *link != ev)
		link = &(*link)->next;
	if (*link)
		*link = ev->next;
	ev->next = NULL;
	ev->active = false;
	if (first)
		tc->first_expiry = tc->pending ? tc->pending->expiry_ns : ~0ULL;
	return first;
}

/* Insert ev (not in a list) into list 'cpu' by expiry; true when it
 * became the first. Both its old list's lock and this one held. */
static bool insert_locked(u32 cpu, struct vmm_timer_event *ev, u64 expiry_ns)
{
	struct timer_cpu *tc = &timer_cpus[cpu];
	struct vmm_timer_event **link;

	ev->expiry_ns = expiry_ns;
	for (link = &tc->pending; *link && (*link)->expiry_ns <= expiry_ns; link = &(*link)->next)
		;
	ev->next = *link;
	*link = ev;
	ev->active = true;
	__atomic_store_n(&ev->cpu, cpu, __ATOMIC_RELEASE);
	if (tc->pending != ev)
		return false;
	tc->first_expiry = expiry_ns;
	return true;
}

/* This CPU's list changed: program its one-shot timer (lock held, so the
 * generation recorded is the one of the expiry programmed). */
static void program_locked(u32 cpu)
{
	struct timer_cpu *tc = &timer_cpus[cpu];

	tc->programmed_gen = vmm_timer_generation_cpu[cpu].value;
	arch_timer_program(tc->first_expiry);
}

/*
 * Interrupts off: when ev is on (or was last on) list 'target' and stays
 * there, lock that list alone and return true; else false with nothing
 * held. The usual case of a start: a device re-arming its own event (its
 * handler during this CPU's pass, or a register write on its VCPU's CPU).
 */
static inline bool lock_same_list(struct vmm_timer_event *ev, struct vmm_vcpu *v, u32 target)
{
	if (__atomic_load_n(&ev->cpu, __ATOMIC_ACQUIRE) % ARCH_CPU_MAX != target)
		return false;
	vmm_spin_lock(&timer_cpus[target].lock);
	/* the same checks as lock_event(), under the lock */
	if (ev->cpu == target && (!v || v->host_cpu % ARCH_CPU_MAX == target))
		return true;
	vmm_spin_unlock(&timer_cpus[target].lock);
	return false;
}

void vmm_timer_event_start(struct vmm_timer_event *ev, u64 expiry_ns)
{
	unsigned long f = arch_cpu_irq_save();
	u32 self = this_timer_cpu();
	struct vmm_vcpu *v = vmm_timer_event_vcpu(ev);
	u32 target = v ? v->host_cpu % ARCH_CPU_MAX : self;
	u32 old = lock_same_list(ev, v, target) ? target : lock_event(ev, &target);
	bool kick = false;

	/* a first event that leaves, or moves later, only bumps the
	 * generation: the timer fires early and the expiry path reprograms */
	if (ev->active && unlink_locked(&timer_cpus[old], ev))
		gen_bump(old);
	if (insert_locked(target, ev, expiry_ns)) {
		gen_bump(target);
		/* a handler re-arming on its own CPU: the pass programs at its end */
		if (target != self)
			kick = true;
		else if (!timer_cpus[self].running)
			program_locked(self);
	}
	unlock_two(old, target);
	if (kick)
		arch_cpu_kick(target);
	arch_cpu_irq_restore(f);
}

void vmm_timer_event_stop(struct vmm_timer_event *ev)
{
	unsigned long f = arch_cpu_irq_save();
	u32 target = ~0u;
	u32 cpu = lock_event(ev, &target);

	/* the timer of the list's CPU then fires early: harmless, its expiry
	 * path reprograms from the new generation */
	if (ev->active && unlink_locked(&timer_cpus[cpu], ev))
		gen_bump(cpu);
	unlock_two(cpu, cpu);
	arch_cpu_irq_restore(f);
}

void vmm_timer_event_stop_sync(struct vmm_timer_event *ev)
{
	u32 self = this_timer_cpu();

	vmm_timer_event_stop(ev);
	for (u32 cpu = 0; cpu < ARCH_CPU_MAX; cpu++)
		while (cpu != self && __atomic_load_n(&timer_cpus[cpu].running, __ATOMIC_ACQUIRE) == ev)
			arch_cpu_relax();
}

u64 vmm_timer_next_expiry(void)
{
	return timer_cpus[this_timer_cpu()].first_expiry;
}

/*
 * One bounded pass over list 'cpu' (this CPU's, interrupts off: plain
 * locks) for the events due at 'start'.
 */
static void process_cpu(u32 cpu, u64 start)
{
	struct timer_cpu *tc = &timer_cpus[cpu];
	/* unique among all CPUs' passes: an event that moved keeps its mark
	 * (only this CPU's passes count here: no lock) */
	u64 pass = ++tc->pass * ARCH_CPU_MAX + cpu;
	struct vmm_timer_event *ev;

	vmm_spin_lock(&tc->lock);
	/* only what was due when the pass started */
	while ((ev = tc->pending) && ev->expiry_ns <= start) {
		unlink_locked(tc, ev);
		gen_bump(cpu);
		if (ev->ran_pass == pass) {
			/* re-armed in the past by its own handler: to the floor */
			insert_locked(cpu, ev, start + VMM_TIMER_MIN_PERIOD_NS);
			continue;
		}
		ev->ran_pass = pass;
		tc->running = ev;
		vmm_spin_unlock(&tc->lock);
		/* the handler may re-arm ev (periodic devices) */
		ev->handler(ev);
		__atomic_store_n(&tc->running, NULL, __ATOMIC_RELEASE);
		vmm_spin_lock(&tc->lock);
	}
	program_locked(cpu);
	vmm_spin_unlock(&tc->lock);
}

void vmm_timer_process(void)
{
	unsigned long f = arch_cpu_irq_save();

	process_cpu(this_timer_cpu(), vmm_timer_now_ns());
	arch_cpu_irq_restore(f);
}

void vmm_timer_expired(void)
{
	u32 cpu = this_timer_cpu();
	struct timer_cpu *tc = &timer_cpus[cpu];
	u64 now = vmm_timer_now_ns();

	/* unlocked: the pass checks every event again under the lock */
	if (tc->first_expiry <= now) {
		process_cpu(cpu, now);
		return;
	}
	if (tc->programmed_gen == vmm_timer_generation_cpu[cpu].value)
		return;
	vmm_spin_lock(&tc->lock);	/* interrupts are off on this path */
	program_locked(cpu);
	vmm_spin_unlock(&tc->lock);
}

void vmm_timer_vcpu_moved(struct vmm_vcpu *v, u32 old_cpu, u32 new_cpu)
{
	struct vmm_timer_event **link, *moved = NULL, **tail = &moved, *ev;
	unsigned long f = arch_cpu_irq_save();
	bool old_first = false, new_first = false;

	old_cpu %= ARCH_CPU_MAX;
	new_cpu %= ARCH_CPU_MAX;
	if (old_cpu == new_cpu) {
		arch_cpu_irq_restore(f);
		return;
	}
	lock_two(old_cpu, new_cpu);
	/* take v's events off the old list, in order */
	link = &timer_cpus[old_cpu].pending;
	while (*link) {
		ev = *link;
		if (vmm_timer_event_vcpu(ev) != v) {
			link = &ev->next;
			continue;
		}
		if (ev == timer_cpus[old_cpu].pending)
			old_first = true;
		*link = ev->next;
		ev->next = NULL;
		*tail = ev;	/* in list order: equal expiries keep theirs */
		tail = &ev->next;
	}
	if (old_first) {
		struct timer_cpu *oc = &timer_cpus[old_cpu];

		oc->first_expiry = oc->pending ? oc->pending->expiry_ns : ~0ULL;
	}
	while (moved) {
		ev = moved;
		moved = ev->next;
		ev->next = NULL;
		if (insert_locked(new_cpu, ev, ev->expiry_ns))
			new_first = true;
	}
	if (old_first)
		gen_bump(old_cpu);
	if (new_first) {
		gen_bump(new_cpu);
		if (new_cpu == this_timer_cpu())
			program_locked(new_cpu);
	}
	unlock_two(old_cpu, new_cpu);
	if (new_first && new_cpu != this_timer_cpu())
		arch_cpu_kick(new_cpu);
	arch_cpu_irq_restore(f);
}
