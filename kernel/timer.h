/*
 * kernel/timer.h - time and timer events of the hypervisor.
 *
 * vmm_timer_now_ns() is a monotonic clock (the TSC, calibrated at boot
 * against the ACPI PM timer); in Bochs it advances with the instructions
 * executed, like everything else there. Timer events fire once at an
 * absolute time, with interrupts off: handlers must be short and may raise
 * guest interrupt lines. Device models count their guest's time with these
 * (virtual time = host time while the hypervisor runs).
 *
 * Every host CPU has its own list of pending events (its own lock,
 * generation and bounded processing). An event is armed on the CPU of the
 * VCPU it is bound to (vmm_timer_event_bind_vcpu(): a device model's timer
 * fires where its guest's VCPU runs, and moves with it,
 * vmm_timer_vcpu_moved()), else on the CPU that arms it. Start and stop
 * work from any CPU. Whatever brings a CPU back into the hypervisor (its
 * host timer interrupt, the VMX preemption timer, a VM exit, a kick) ends
 * in the one expiry path vmm_timer_expired().
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include "kernel/types.h"
#include "kernel/arch_cpu.h"

struct vmm_vcpu;

struct vmm_timer_event;
typedef void (*vmm_timer_handler_t)(struct vmm_timer_event *ev);

struct vmm_timer_event {
	struct vmm_timer_event *next;	/* in the pending list, by expiry */
	u64 expiry_ns;
	bool active;
	vmm_timer_handler_t handler;
	void *priv;
	u64 ran_pass;		/* the vmm_timer_process() pass that last ran it */
	struct vmm_vcpu *bound;	/* the VCPU of vmm_timer_event_bind_vcpu() */
	/* armed on the host CPU of the VCPU in this slot (NULL, or NULL in
	 * it: the caller's CPU) */
	struct vmm_vcpu *const *vcpu_slot;
	volatile u32 cpu;	/* the CPU whose list it is (or was last) on */
};

/*
 * The shortest period of a timer a guest programs (PIT channel 0, RTC
 * periodic interrupt, UART character timeout): 200 us, the same floor as
 * KVM's min_timer_period_us for the guest LAPIC timer. A device model never
 * arms its event closer than this to its previous firing; edges that fall
 * due in between are coalesced into the next one, as an edge-triggered PIC
 * input that is still pending does not queue another. So one guest device
 * costs the hypervisor at most 5000 timer events per second, whatever the
 * guest programs (see README, "What a guest cannot do").
 */
#define VMM_TIMER_MIN_PERIOD_NS 200000ULL

/* When a guest device timer that last fired at 'last_ns' (0: never) may
 * fire next, for an expiry it wants at 'expiry_ns'. */
static inline u64 vmm_timer_guest_expiry(u64 expiry_ns, u64 last_ns)
{
	u64 floor = last_ns ? last_ns + VMM_TIMER_MIN_PERIOD_NS : 0;

	return expiry_ns == ~0ULL || expiry_ns >= floor ? expiry_ns : floor;
}

/* Nanoseconds since boot (monotonic). */
u64 vmm_timer_now_ns(void);
/* Wall-clock time read from the host's RTC at boot plus the time since,
 * in seconds since 1970-01-01 UTC; 0 when the host has no RTC. */
u64 vmm_timer_wallclock_sec(void);

void vmm_timer_event_init(struct vmm_timer_event *ev, vmm_timer_handler_t handler, void *priv);
/*
 * Bind ev to a VCPU (NULL: unbind): from its next start on, it is armed
 * on the host CPU that VCPU runs on, and vmm_timer_vcpu_moved() carries it
 * along when the VCPU migrates. Set it before arming.
 */
static inline void vmm_timer_event_bind_vcpu(struct vmm_timer_event *ev, struct vmm_vcpu *vcpu)
{
	ev->bound = vcpu;
	ev->vcpu_slot = &ev->bound;
}
/* The same for whatever VCPU a slot holds when the event is armed (a
 * guest's device timers, made before the guest's VCPUs: &guest->vcpus[0]). */
static inline void vmm_timer_event_bind_vcpu_slot(struct vmm_timer_event *ev,
						  struct vmm_vcpu *const *slot)
{
	ev->vcpu_slot = slot;
}
/* The VCPU ev is bound to now, or NULL. */
static inline struct vmm_vcpu *vmm_timer_event_vcpu(const struct vmm_timer_event *ev)
{
	return ev->vcpu_slot ? *ev->vcpu_slot : NULL;
}
/*
 * (Re)arm to fire at absolute time expiry_ns (now or in the past: soon), on
 * the bound VCPU's host CPU or else this CPU; from any CPU. When it becomes
 * the first event of another CPU's list, that CPU is kicked to reprogram
 * its timer.
 */
void vmm_timer_event_start(struct vmm_timer_event *ev, u64 expiry_ns);
/* Disarm, from any CPU. It does not wait for a handler already running on
 * another CPU. */
void vmm_timer_event_stop(struct vmm_timer_event *ev);
/*
 * Disarm and wait until no other CPU runs its handler any more: before
 * the memory of ev (a device being destroyed) is freed. Not from a
 * handler of another CPU's event, nor with a lock its handler takes.
 */
void vmm_timer_event_stop_sync(struct vmm_timer_event *ev);

/*
 * Generation of each CPU's list: changes whenever the earliest pending
 * expiry of that list changes (for the arch side's one-shot timers that
 * need reprogramming only then). One cache line each: the arch's VM-entry
 * fast path compares this CPU's with the value it last programmed for.
 */
struct vmm_timer_generation {
	volatile u64 value;
} __attribute__((aligned(64)));
extern struct vmm_timer_generation vmm_timer_generation_cpu[ARCH_CPU_MAX];
/* This CPU's generation. */
static inline u64 vmm_timer_generation(void)
{
	return vmm_timer_generation_cpu[arch_cpu_id()].value;
}

/*
 * Run this CPU's expired events. Bounded: one pass runs only the events
 * due when it started, each at most once; an event its own handler
 * re-armed at or before that time (a device wanting more than the CPU can
 * give) is moved to VMM_TIMER_MIN_PERIOD_NS after it. Events that fall due
 * during the pass wait for the next one, so the caller always gets the CPU
 * back. Ends by programming this CPU's one-shot timer.
 */
void vmm_timer_process(void);
/*
 * The one expiry path, on this CPU with interrupts off: whatever brought
 * the CPU back into the hypervisor (its timer interrupt, the preemption
 * timer, the catch-up at a VM exit, a kick), run the events that are due
 * (vmm_timer_process()), or, when nothing is due but another CPU changed
 * this CPU's list since the one-shot timer was programmed, reprogram it.
 */
void vmm_timer_expired(void);
/* Expiry of the earliest pending event of this CPU, or ~0 when none. */
u64 vmm_timer_next_expiry(void);
/*
 * VCPU 'v' migrated from old_cpu to new_cpu: every armed event bound to it
 * moves from old_cpu's list to new_cpu's. Called on new_cpu, interrupts
 * off, scheduler lock not held, after v->host_cpu was changed.
 */
void vmm_timer_vcpu_moved(struct vmm_vcpu *v, u32 old_cpu, u32 new_cpu);

#endif
