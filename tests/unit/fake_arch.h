/*
 * tests/unit/fake_arch.h - the host implementation of the kernel/arch_*.h
 * contracts used by the unit tests, and what tests can inspect of it:
 * everything written to the console, the interrupt flag, calls to
 * arch_power_off()/arch_cpu_stop() (which longjmp back to the test).
 */
#ifndef UNIT_FAKE_ARCH_H
#define UNIT_FAKE_ARCH_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- console capture ---- */
/* Everything arch_console_write() received since the last reset, NUL-terminated. */
const char *fake_console_text(void);
size_t fake_console_len(void);
void fake_console_reset(void);
/* true when 'needle' occurs in the captured console output */
bool fake_console_contains(const char *needle);
/* number of (non-overlapping) occurrences of 'needle' in the capture */
int fake_console_count(const char *needle);
/* Bytes returned by arch_console_getc() one by one, then -1. */
void fake_console_set_input(const char *s);

/* ---- CPU state ---- */
/* false between arch_cpu_irq_save() and the matching restore */
bool fake_irq_enabled(void);
/* arch_cpu_relax() aborts the test binary after this many calls in a row
 * (a spinlock that is never released would otherwise hang the run) */
#define FAKE_RELAX_LIMIT 10000000UL
/* called by every arch_cpu_relax() when set: a test plays the other CPUs
 * there (e.g. one that ends its trap, so a spin-wait for it ends) */
extern void (*fake_relax_hook)(void);

/* ---- host CPUs ----
 * arch_cpu_id() returns fake_cpu_id (a test "runs on" another CPU by
 * setting it; per host thread, as is the interrupt flag, so a test may
 * play two CPUs on two threads); CPUs below fake_cpus_online are online
 * (default 1);
 * arch_cpu_kick(n) counts in fake_kicks[n] (not for the calling CPU). */
extern __thread unsigned int fake_cpu_id;
extern unsigned int fake_cpus_online;
extern int fake_kicks[8];
/* arch_host_cpus(): CPU i has APIC id fake_host_cpu_ids[i] and is online
 * when fake_host_cpu_online[i], for i < fake_nr_host_cpus (default: one
 * CPU, APIC id 0, online) */
extern unsigned int fake_nr_host_cpus;
extern unsigned int fake_host_cpu_ids[64];
extern bool fake_host_cpu_online[64];

/* ---- stop / power off ----
 * arch_cpu_stop() and arch_power_off() never return. In the fake they count
 * the call and longjmp() to fake_stop_jmp when a test armed it (use
 * FAKE_CATCH_STOP); otherwise they print a message and abort(). */
extern jmp_buf *fake_stop_jmp;
extern int fake_power_off_calls;
/* arch_smp_init()'s argument (~0: not called), arch_cpu_stop_others() calls, arch_test_signal()'s list */
extern unsigned int fake_smp_maxcpus;
extern int fake_stop_others_calls;
extern char fake_test_signal_list[64];
extern int fake_cpu_stop_calls;
/* arch_reboot() calls (it stops like arch_power_off) */
extern int fake_reboot_calls;
/* arch_cpu_guest_ns(cpu) returns fake_guest_ns[cpu] */
extern unsigned long long fake_guest_ns[8];
/* arch_timer_now_ns(), where no test fixture defines its own clock (the
 * fake's definition is weak) */
extern unsigned long long fake_now_ns;
/* arch_cpu_wait_for_irq (STI;HLT): how often, and whether interrupts were
 * on just before it (a check made then could lose a wakeup) */
extern int fake_wait_for_irq_calls;
extern bool fake_wait_for_irq_irq_was_on;

/*
 * Run 'stmt'; evaluates to true when it ended in arch_cpu_stop() or
 * arch_power_off() (which longjmp back here), false when it returned.
 */
#define FAKE_CATCH_STOP(stmt) ({					\
	jmp_buf fake_jb_;						\
	jmp_buf *fake_saved_ = fake_stop_jmp;				\
	volatile bool fake_stopped_ = false;				\
	fake_stop_jmp = &fake_jb_;					\
	if (setjmp(fake_jb_) == 0) {					\
		stmt;							\
	} else {							\
		fake_stopped_ = true;					\
	}								\
	fake_stop_jmp = fake_saved_;					\
	fake_stopped_;							\
})

/* ---- other fakes ---- */
/* What arch_virt_probe() returns (default false) and how often it ran. */
extern bool fake_virt_supported;
extern int fake_virt_probe_calls;
/* The last kind passed to arch_test_fault() ("" if none). */
extern char fake_test_fault_kind[16];

/* Reset every fake to its initial state (console, counters, irq flag). */
void fake_arch_reset(void);

#endif
