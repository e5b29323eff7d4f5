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
};

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

/* Run expired events; the arch timer interrupt calls this. */
void vmm_timer_process(void);
/* Expiry of the earliest pending event, or ~0 when none. */
u64 vmm_timer_next_expiry(void);

#endif
