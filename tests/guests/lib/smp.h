/*
 * tests/guests/lib/smp.h - SMP for C test guests: the CPUs of the MADT
 * (index 0 the boot CPU), their start with INIT-SIPI-SIPI through the
 * trampoline of lib/trampoline.S (copied to T_TRAMP_ADDR below 1 MiB), a
 * stack each, and running a function on a CPU: an AP idles in "sti; hlt"
 * and takes work from its slot after the kick IPI (T_KICK_VECTOR).
 */
#ifndef TESTS_GUESTS_LIB_SMP_H
#define TESTS_GUESTS_LIB_SMP_H

#include "acpi.h"

#define T_TRAMP_ADDR 0x8000u	/* SIPI vector 0x08 */
#define T_KICK_VECTOR 0xF0
#define T_AP_STACK 8192

typedef void (*t_work_fn)(void *arg);

struct t_cpu {
	u32 apic_id;
	volatile int online;		/* the AP reported in */
	volatile u32 seen_id;		/* the LAPIC ID the AP read itself */
	t_work_fn volatile work;	/* the AP runs it, then clears it */
	void *volatile arg;
};

extern int t_ncpus;
extern struct t_cpu t_cpus[T_MAX_CPUS];

/* Fill t_cpus from the MADT's enabled processors, the current CPU (the
 * BSP, whose LAPIC must be initialized) first. Returns the count. */
int t_smp_init(void);
/* Start CPU i with INIT-SIPI-SIPI and wait up to 1 s for it to report in;
 * 0 or -1. The AP loads the GDT/IDT, runs t_lapic_init and then idles. */
int t_smp_start(int i);
/* Start every AP; the number that reported in. */
int t_smp_start_all(void);
/* this CPU's index in t_cpus (by LAPIC ID), -1 when unknown */
int t_cpu_index(void);
/* Run fn(arg) on CPU i (directly when i is this CPU); wait up to 2 s for it
 * to finish when wait. Returns 0 or -1 (timeout, CPU not online). */
int t_smp_call(int i, t_work_fn fn, void *arg, int wait);
/* Wait up to 2 s for CPU i's work to finish; 0 or -1. */
int t_smp_wait(int i);

#endif
