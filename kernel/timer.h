/*
 * kernel/timer.h - time and timer events of the hypervisor.
 *
 * vmm_timer_now_ns() is a monotonic clock (the TSC, calibrated at boot
 * against the ACPI PM timer); in Bochs it advances with the instructions
 * executed, like everything else there. Timer events fire once at an
 * absolute time, from the host timer interrupt (or the VMX preemption timer
 * while a guest runs), with interrupts off: handlers must be short and may
 * raise guest interrupt lines. Device models count their guest's time with
 * these (virtual time = host time while the hypervisor runs).
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include "kernel/types.h"

struct vmm_timer_event;
typedef void (*vmm_timer_handler_t)(struct vmm_timer_event *ev);

struct vmm_timer_event {
	struct vmm_timer_event *next;	/* in the pending list, by expiry */
	u64 expiry_ns;
	bool active;
	vmm_timer_handler_t handler;
	void *priv;
	u64 ran_pass;		/* the vmm_timer_process() pass that last ran it */
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
/* (Re)arm to fire at absolute time expiry_ns (now or in the past: soon). */
void vmm_timer_event_start(struct vmm_timer_event *ev, u64 expiry_ns);
void vmm_timer_event_stop(struct vmm_timer_event *ev);

/* Changes whenever the earliest pending expiry changes (for the arch side's
 * one-shot timers that need reprogramming only then). */
extern volatile u64 vmm_timer_generation;

/*
 * Run expired events; the arch timer interrupt calls this. Bounded: one
 * pass runs only the events due when it started, each at most once; an
 * event its own handler re-armed at or before that time (a device wanting
 * more than the CPU can give) is moved to VMM_TIMER_MIN_PERIOD_NS after it
 * and counted in vmm_timer_pushed. Events that fall due during the pass
 * wait for the next timer interrupt, so the caller always gets the CPU back.
 */
void vmm_timer_process(void);
/* Re-arms in the past that vmm_timer_process() pushed to the floor. */
extern u64 vmm_timer_pushed;
/* Expiry of the earliest pending event, or ~0 when none. */
u64 vmm_timer_next_expiry(void);

/* TMPDECL */
struct vmm_vcpu;
void vmm_timer_vcpu_moved(struct vmm_vcpu *v, u32 old_cpu, u32 new_cpu);
#endif
