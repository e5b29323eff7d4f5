/*
 * kernel/timer.c - timer events (timer.h): one list per host, sorted by
 * expiry, processed from the arch timer interrupt (and from the VM-exit
 * path when a guest's preemption timer expires). The earliest expiry is
 * handed to the arch one-shot timer after every change. Processing is
 * bounded (timer.h): a pass never runs an event twice, nor one that fell
 * due after the pass began, so a guest device cannot keep the CPU in here.
 */
#include "kernel/timer.h"
#include "kernel/arch_timer.h"
#include "kernel/arch_cpu.h"
#include "kernel/spinlock.h"

static struct vmm_timer_event *pending;
static vmm_spinlock_t timer_lock = VMM_SPINLOCK_INIT;
static u64 boot_wallclock;
volatile u64 vmm_timer_generation;
static u64 process_pass;	/* counts vmm_timer_process() passes */
u64 vmm_timer_pushed;

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
}

static void unlink_locked(struct vmm_timer_event *ev)
{
	struct vmm_timer_event **link = &pending;

	while (*link && *link != ev)
		link = &(*link)->next;
	if (*link)
		*link = ev->next;
	ev->next = NULL;
	ev->active = false;
}

/* Insert ev (not in the list) by expiry; true when it became the first. */
static bool insert_locked(struct vmm_timer_event *ev, u64 expiry_ns)
{
	struct vmm_timer_event **link;

	ev->expiry_ns = expiry_ns;
	for (link = &pending; *link && (*link)->expiry_ns <= expiry_ns; link = &(*link)->next)
		;
	ev->next = *link;
	*link = ev;
	ev->active = true;
	return pending == ev;
}

void vmm_timer_event_start(struct vmm_timer_event *ev, u64 expiry_ns)
{
	unsigned long f = vmm_spin_lock_irqsave(&timer_lock);
	bool first;

	if (ev->active)
		unlink_locked(ev);
	first = insert_locked(ev, expiry_ns);
	if (first)
		vmm_timer_generation++;
	vmm_spin_unlock_irqrestore(&timer_lock, f);
	if (first)
		arch_timer_program(expiry_ns);
}

void vmm_timer_event_stop(struct vmm_timer_event *ev)
{
	unsigned long f = vmm_spin_lock_irqsave(&timer_lock);

	if (ev->active) {
		if (pending == ev)
			vmm_timer_generation++;
		unlink_locked(ev);
	}
	vmm_spin_unlock_irqrestore(&timer_lock, f);
}

u64 vmm_timer_next_expiry(void)
{
	struct vmm_timer_event *first = pending;

	return first ? first->expiry_ns : ~0ULL;
}

void vmm_timer_process(void)
{
	unsigned long f = vmm_spin_lock_irqsave(&timer_lock);
	u64 start = vmm_timer_now_ns(), pass = ++process_pass;

	vmm_spin_unlock_irqrestore(&timer_lock, f);
	for (;;) {
		struct vmm_timer_event *ev;

		f = vmm_spin_lock_irqsave(&timer_lock);
		ev = pending;
		/* only what was due when the pass started */
		if (!ev || ev->expiry_ns > start) {
			vmm_spin_unlock_irqrestore(&timer_lock, f);
			break;
		}
		unlink_locked(ev);
		vmm_timer_generation++;
		if (ev->ran_pass == pass) {
			/* re-armed in the past by its own handler: to the floor */
			insert_locked(ev, start + VMM_TIMER_MIN_PERIOD_NS);
			vmm_timer_pushed++;
			vmm_spin_unlock_irqrestore(&timer_lock, f);
			continue;
		}
		ev->ran_pass = pass;
		vmm_spin_unlock_irqrestore(&timer_lock, f);
		/* the handler may re-arm ev (periodic devices) */
		ev->handler(ev);
	}
	arch_timer_program(vmm_timer_next_expiry());
}
