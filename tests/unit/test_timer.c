/*
 * tests/unit/test_timer.c - the timer event list of kernel/timer.c with a
 * fake host clock (arch_timer_now_ns() is a variable the test moves;
 * arch_timer_program() records what the host one-shot timer was given):
 * order of expiry, stop, re-arm, and that vmm_timer_process() is bounded
 * (issue 10, finding 2): one pass runs only the events due when it began,
 * each at most once; a handler re-arming its event in the past, or at an
 * instant the clock has already passed, does not keep the pass going - the
 * event is pushed to VMM_TIMER_MIN_PERIOD_NS after the pass start.
 *
 * Per-CPU lists (issue 11): the test "runs on" CPU n by setting
 * fake_cpu_id; every list is separate (arming, processing, next expiry,
 * generation), an event bound to a VCPU goes to that VCPU's host CPU and
 * kicks it when it becomes its first, a stop from another CPU takes the
 * event off the right list, vmm_timer_vcpu_moved() moves only that VCPU's
 * events, and the one expiry path vmm_timer_expired() either processes or
 * reprograms. After every test, every list is empty.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/timer.h"
#include "kernel/arch_timer.h"
#include "kernel/manager.h"

static u64 clock_ns;		/* the host clock */
static u64 clock_step;		/* added at every read: time a handler takes */
static u64 programmed;		/* last arch_timer_program() argument */
static u64 programmed_cpu[ARCH_CPU_MAX];	/* the same, by the CPU programmed */
static int program_calls[ARCH_CPU_MAX];

u64 arch_timer_now_ns(void)
{
	u64 t = clock_ns;

	clock_ns += clock_step;
	return t;
}

void arch_timer_program(u64 expiry_ns)
{
	programmed = expiry_ns;
	programmed_cpu[fake_cpu_id] = expiry_ns;
	program_calls[fake_cpu_id]++;
}

u64 arch_timer_boot_wallclock_sec(void)
{
	return 0;
}

static int order[16], nr_order;
static long runs;

static void record(struct vmm_timer_event *ev)
{
	if (nr_order < 16)
		order[nr_order++] = (int)(uintptr_t)ev->priv;
	runs++;
}

/* A device that wants its next edge 1 ns after now (or in the past). */
static u64 rearm_delta;
static bool rearm_past;
static void greedy(struct vmm_timer_event *ev)
{
	u64 now = vmm_timer_now_ns();

	/* the old vmm_timer_process() looped here for good: give up after
	 * 100000 runs so the assertions below can fail instead of hanging */
	if (++runs > 100000)
		return;
	vmm_timer_event_start(ev, rearm_past ? (now > 1000 ? now - 1000 : 0) : now + rearm_delta);
}

static int setup(void **state)
{
	(void)state;
	clock_ns = 1000000;
	clock_step = 0;
	programmed = 0;
	nr_order = 0;
	runs = 0;
	rearm_delta = 1;
	rearm_past = false;
	fake_arch_reset();
	fake_cpus_online = 2;
	memset(programmed_cpu, 0, sizeof(programmed_cpu));
	memset(program_calls, 0, sizeof(program_calls));
	return 0;
}

/* No test leaves an event armed on any CPU (they live on its stack). */
static int teardown(void **state)
{
	(void)state;
	for (unsigned int cpu = 0; cpu < ARCH_CPU_MAX; cpu++) {
		fake_cpu_id = cpu;
		assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	}
	fake_cpu_id = 0;
	return 0;
}

static void test_order_and_stop(void **state)
{
	struct vmm_timer_event a, b, c;

	(void)state;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_init(&c, record, (void *)3);
	vmm_timer_event_start(&c, 1000300);
	vmm_timer_event_start(&a, 1000100);
	vmm_timer_event_start(&b, 1000200);
	assert_int_equal(vmm_timer_next_expiry(), 1000100);
	assert_int_equal(programmed, 1000100);
	vmm_timer_event_stop(&b);
	clock_ns = 1000300;
	vmm_timer_process();
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 3);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	assert_int_equal(programmed, ~0ULL);
}

/* Old code: a handler re-arming 1 ns ahead while each handler takes 10 ns
 * never let vmm_timer_process() return (here: the guard fails it). */
static void test_rearm_ahead_bounded(void **state)
{
	struct vmm_timer_event g;

	(void)state;
	vmm_timer_event_init(&g, greedy, NULL);
	vmm_timer_event_start(&g, clock_ns);
	clock_step = 10;
	vmm_timer_process();
	assert_int_equal(runs, 1);
	/* re-armed for after the pass start: left for the next interrupt */
	assert_true(g.active);
	assert_int_equal(programmed, g.expiry_ns);
	vmm_timer_event_stop(&g);
}

/* A handler re-arming in the past is pushed to the floor, once per pass. */
static void test_rearm_past_pushed_to_floor(void **state)
{
	struct vmm_timer_event g, other;
	u64 start = clock_ns;

	(void)state;
	vmm_timer_event_init(&g, greedy, NULL);
	vmm_timer_event_init(&other, record, (void *)7);
	rearm_past = true;
	vmm_timer_event_start(&g, start - 5);
	vmm_timer_event_start(&other, start);
	vmm_timer_process();
	assert_int_equal(runs, 2);		/* greedy once, other once */
	assert_int_equal(nr_order, 1);
	assert_true(g.active);
	assert_int_equal(g.expiry_ns, start + VMM_TIMER_MIN_PERIOD_NS);
	assert_int_equal(programmed, start + VMM_TIMER_MIN_PERIOD_NS);
	vmm_timer_event_stop(&g);
}

/* Events that fall due during a pass wait for the next one. */
static void test_only_due_at_start(void **state)
{
	struct vmm_timer_event a, b;

	(void)state;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_start(&a, clock_ns);
	vmm_timer_event_start(&b, clock_ns + 5);
	clock_step = 100;		/* b is due by the time a has run */
	vmm_timer_process();
	assert_int_equal(nr_order, 1);
	assert_int_equal(programmed, b.expiry_ns);
	vmm_timer_process();
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[1], 2);
}

/* Many greedy device timers: every pass runs each at most once. */
static void test_many_greedy_bounded(void **state)
{
	struct vmm_timer_event g[8];

	(void)state;
	clock_step = 3;
	for (int i = 0; i < 8; i++) {
		vmm_timer_event_init(&g[i], greedy, NULL);
		vmm_timer_event_start(&g[i], clock_ns);
	}
	for (int pass = 1; pass <= 100; pass++) {
		vmm_timer_process();
		assert_true(runs <= 8L * pass);
	}
	for (int i = 0; i < 8; i++)
		vmm_timer_event_stop(&g[i]);
}

static void test_guest_expiry_floor(void **state)
{
	(void)state;
	assert_int_equal(vmm_timer_guest_expiry(5, 0), 5);
	assert_int_equal(vmm_timer_guest_expiry(1000, 1000), 1000 + VMM_TIMER_MIN_PERIOD_NS);
	assert_int_equal(vmm_timer_guest_expiry(1000 + VMM_TIMER_MIN_PERIOD_NS + 1, 1000),
			 1000 + VMM_TIMER_MIN_PERIOD_NS + 1);
	assert_int_equal(vmm_timer_guest_expiry(~0ULL, 1000), ~0ULL);
}

/* Re-arming an armed event moves it (earlier or later); it stays in the
 * list once and runs once. (issue 11 characterisation) */
static void test_restart_moves_the_event(void **state)
{
	struct vmm_timer_event a, b;

	(void)state;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_start(&a, 1000100);
	vmm_timer_event_start(&b, 1000200);
	vmm_timer_event_start(&a, 1000300);	/* later: b is first now */
	assert_int_equal(vmm_timer_next_expiry(), 1000200);
	assert_int_equal(programmed, 1000100);	/* only a new first is programmed */
	vmm_timer_event_start(&a, 1000050);	/* earlier again: first, programmed */
	assert_int_equal(vmm_timer_next_expiry(), 1000050);
	assert_int_equal(programmed, 1000050);
	clock_ns = 1000400;
	vmm_timer_process();
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_false(a.active);
	assert_false(b.active);
	/* restart after it ran (a periodic device's next edge) */
	vmm_timer_event_start(&a, 1000500);
	assert_true(a.active);
	assert_int_equal(vmm_timer_next_expiry(), 1000500);
	clock_ns = 1000500;
	vmm_timer_process();
	assert_int_equal(nr_order, 3);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
}

/* Events with the same expiry run in the order they were armed. */
static void test_equal_expiry_in_arming_order(void **state)
{
	struct vmm_timer_event e[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		vmm_timer_event_init(&e[i], record, (void *)(uintptr_t)(i + 1));
		vmm_timer_event_start(&e[i], 1000100);
	}
	clock_ns = 1000100;	/* due exactly now: runs */
	vmm_timer_process();
	assert_int_equal(nr_order, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(order[i], i + 1);
}

/* Stop: of the first event the next expiry moves on and the generation
 * changes; of an event never armed, or stopped twice, nothing happens;
 * a stopped event never runs. */
static void test_stop_and_next_expiry(void **state)
{
	struct vmm_timer_event a, b, never;
	u64 gen;

	(void)state;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_init(&never, record, (void *)3);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	vmm_timer_event_stop(&never);
	vmm_timer_event_start(&a, 1000100);
	vmm_timer_event_start(&b, 1000200);
	gen = vmm_timer_generation();
	vmm_timer_event_stop(&b);		/* not the first: no change */
	assert_int_equal(vmm_timer_generation(), gen);
	vmm_timer_event_stop(&b);
	vmm_timer_event_start(&b, 1000200);
	vmm_timer_event_stop(&a);		/* the first */
	assert_int_equal(vmm_timer_generation(), gen + 1);
	assert_int_equal(vmm_timer_next_expiry(), 1000200);
	assert_false(a.active);
	clock_ns = 1001000;
	vmm_timer_process();
	assert_int_equal(nr_order, 1);
	assert_int_equal(order[0], 2);
	/* the one-shot is told there is nothing left */
	assert_int_equal(programmed, ~0ULL);
}

/* Nothing due: a pass runs nothing and programs the first expiry. */
static void test_process_nothing_due(void **state)
{
	struct vmm_timer_event a;

	(void)state;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_start(&a, clock_ns + 1);
	programmed = 0;
	vmm_timer_process();
	assert_int_equal(nr_order, 0);
	assert_true(a.active);
	assert_int_equal(programmed, clock_ns + 1);
	vmm_timer_event_stop(&a);
}


/* ---- per-CPU lists ---- */

/* Each CPU has its own list: arming, next expiry, processing. */
static void test_two_cpus_own_lists(void **state)
{
	struct vmm_timer_event a, b;

	(void)state;
	fake_cpu_id = 0;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_start(&a, 1000100);
	fake_cpu_id = 1;
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_start(&b, 1000050);
	assert_int_equal(vmm_timer_next_expiry(), 1000050);
	assert_int_equal(programmed_cpu[1], 1000050);
	assert_int_equal(b.cpu, 1);
	fake_cpu_id = 0;
	assert_int_equal(vmm_timer_next_expiry(), 1000100);
	assert_int_equal(programmed_cpu[0], 1000100);
	assert_int_equal(a.cpu, 0);
	/* arming on its own CPU kicks nobody */
	assert_int_equal(fake_kicks[0] + fake_kicks[1], 0);
	clock_ns = 1000200;
	vmm_timer_process();		/* CPU0: only a, though b is due too */
	assert_int_equal(nr_order, 1);
	assert_int_equal(order[0], 1);
	assert_int_equal(programmed_cpu[0], ~0ULL);
	assert_true(b.active);
	fake_cpu_id = 1;
	vmm_timer_process();
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[1], 2);
	assert_int_equal(programmed_cpu[1], ~0ULL);
}

/* An event bound to a VCPU goes to that VCPU's host CPU, whoever arms it;
 * becoming the first there kicks that CPU (once per new first), and the
 * one expiry path there reprograms its timer once. */
static void test_bound_arm_cross_cpu_kicks(void **state)
{
	struct vmm_vcpu v;
	struct vmm_timer_event a, b;
	u64 gen1;
	int calls;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.host_cpu = 1;
	fake_cpu_id = 1;
	gen1 = vmm_timer_generation();
	fake_cpu_id = 0;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_bind_vcpu(&a, &v);
	vmm_timer_event_bind_vcpu(&b, &v);
	vmm_timer_event_start(&a, 1000200);
	assert_int_equal(a.cpu, 1);
	assert_int_equal(fake_kicks[1], 1);
	assert_int_equal(program_calls[0], 0);	/* CPU0's timer untouched */
	assert_int_equal(program_calls[1], 0);	/* CPU1's is programmed by CPU1 */
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);	/* not on CPU0 */
	vmm_timer_event_start(&b, 1000300);		/* not the first: no kick */
	assert_int_equal(fake_kicks[1], 1);
	vmm_timer_event_start(&b, 1000100);		/* the new first: kick */
	assert_int_equal(fake_kicks[1], 2);
	/* CPU1 takes the kick: nothing due, its list changed: reprogram */
	fake_cpu_id = 1;
	assert_true(vmm_timer_generation() != gen1);
	assert_int_equal(vmm_timer_next_expiry(), 1000100);
	vmm_timer_expired();
	assert_int_equal(nr_order, 0);
	assert_int_equal(programmed_cpu[1], 1000100);
	calls = program_calls[1];
	vmm_timer_expired();			/* nothing changed: no write */
	assert_int_equal(program_calls[1], calls);
	/* when due, the same path runs them, on CPU1 */
	clock_ns = 1000250;
	vmm_timer_expired();
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 1);
	assert_int_equal(programmed_cpu[1], ~0ULL);
	assert_int_equal(fake_kicks[0], 0);
}

/* Stop and restart from another CPU than the list's: the event leaves the
 * right list; an unbound restart goes to the calling CPU's list. */
static void test_stop_restart_from_other_cpu(void **state)
{
	struct vmm_timer_event a, b;
	u64 gen1;

	(void)state;
	fake_cpu_id = 1;
	vmm_timer_event_init(&a, record, (void *)1);
	vmm_timer_event_init(&b, record, (void *)2);
	vmm_timer_event_start(&a, 1000100);
	vmm_timer_event_start(&b, 1000200);
	gen1 = vmm_timer_generation();
	fake_cpu_id = 0;
	vmm_timer_event_stop(&a);		/* CPU1's first, stopped from CPU0 */
	assert_false(a.active);
	vmm_timer_event_stop(&a);		/* twice: nothing */
	fake_cpu_id = 1;
	assert_int_equal(vmm_timer_generation(), gen1 + 1);
	assert_int_equal(vmm_timer_next_expiry(), 1000200);
	/* restart of CPU1's b from CPU0: b moves to CPU0's list */
	fake_cpu_id = 0;
	vmm_timer_event_start(&b, 1000150);
	assert_int_equal(b.cpu, 0);
	assert_int_equal(vmm_timer_next_expiry(), 1000150);
	assert_int_equal(programmed_cpu[0], 1000150);
	fake_cpu_id = 1;
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	assert_int_equal(vmm_timer_generation(), gen1 + 2);
	/* CPU1's timer fires early: nothing runs, nothing is left to program */
	clock_ns = 1000300;
	vmm_timer_expired();
	assert_int_equal(nr_order, 0);
	assert_int_equal(programmed_cpu[1], ~0ULL);
	fake_cpu_id = 0;
	vmm_timer_expired();
	assert_int_equal(nr_order, 1);
	assert_int_equal(order[0], 2);
}

/* A migrated VCPU takes its own events along, in order, and nothing else. */
static void test_vcpu_moved_moves_only_its_events(void **state)
{
	struct vmm_vcpu v1, v2;
	struct vmm_timer_event e1, e2, e3, e4;

	(void)state;
	memset(&v1, 0, sizeof(v1));
	memset(&v2, 0, sizeof(v2));
	fake_cpu_id = 0;
	vmm_timer_event_init(&e1, record, (void *)1);
	vmm_timer_event_init(&e2, record, (void *)2);
	vmm_timer_event_init(&e3, record, (void *)3);
	vmm_timer_event_init(&e4, record, (void *)4);
	vmm_timer_event_bind_vcpu(&e1, &v1);
	vmm_timer_event_bind_vcpu(&e2, &v1);
	vmm_timer_event_bind_vcpu(&e3, &v2);
	vmm_timer_event_start(&e2, 1000100);
	vmm_timer_event_start(&e3, 1000100);
	vmm_timer_event_start(&e1, 1000100);	/* same expiry as e2, armed later */
	vmm_timer_event_start(&e4, 1000050);
	/* the scheduler moves v1 to CPU1, then calls this there */
	v1.host_cpu = 1;
	fake_cpu_id = 1;
	vmm_timer_vcpu_moved(&v1, 0, 1);
	assert_int_equal(e1.cpu, 1);
	assert_int_equal(e2.cpu, 1);
	assert_int_equal(e3.cpu, 0);
	assert_int_equal(e4.cpu, 0);
	assert_int_equal(vmm_timer_next_expiry(), 1000100);
	assert_int_equal(programmed_cpu[1], 1000100);	/* programmed on the new CPU */
	assert_int_equal(fake_kicks[0] + fake_kicks[1], 0);
	clock_ns = 1000200;
	vmm_timer_process();
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[0], 2);		/* arming order kept */
	assert_int_equal(order[1], 1);
	/* a re-arm from any CPU now follows the VCPU */
	fake_cpu_id = 0;
	vmm_timer_event_start(&e1, 1000300);
	assert_int_equal(e1.cpu, 1);
	assert_int_equal(fake_kicks[1], 1);
	vmm_timer_event_stop(&e1);
	vmm_timer_process();
	assert_int_equal(nr_order, 4);
	assert_int_equal(order[2], 4);
	assert_int_equal(order[3], 3);
	/* moving a VCPU with no armed events, or to where it is: nothing */
	vmm_timer_vcpu_moved(&v2, 0, 1);
	vmm_timer_vcpu_moved(&v1, 1, 1);
	assert_int_equal(fake_kicks[1], 1);
}

/* Bounded processing per CPU: greedy devices on two CPUs; a pass on one
 * runs only its own, each at most once, and pushes a re-arm in the past to
 * the floor on its own list. */
static void test_bounded_per_cpu(void **state)
{
	struct vmm_timer_event g0[3], g1[3];
	u64 start;

	(void)state;
	clock_step = 3;
	for (int i = 0; i < 3; i++) {
		fake_cpu_id = 0;
		vmm_timer_event_init(&g0[i], greedy, NULL);
		vmm_timer_event_start(&g0[i], clock_ns);
		fake_cpu_id = 1;
		vmm_timer_event_init(&g1[i], greedy, NULL);
		vmm_timer_event_start(&g1[i], clock_ns);
	}
	for (int pass = 1; pass <= 20; pass++) {
		fake_cpu_id = 0;
		vmm_timer_process();
		assert_true(runs <= 3L * pass);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(g1[i].ran_pass, 0);	/* CPU1's untouched */
	fake_cpu_id = 1;
	rearm_past = true;
	clock_step = 0;
	start = clock_ns;
	runs = 0;
	vmm_timer_process();
	assert_int_equal(runs, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g1[i].cpu, 1);
		assert_int_equal(g1[i].expiry_ns, start + VMM_TIMER_MIN_PERIOD_NS);
	}
	assert_int_equal(programmed_cpu[1], start + VMM_TIMER_MIN_PERIOD_NS);
	for (int i = 0; i < 3; i++) {
		vmm_timer_event_stop(&g0[i]);
		vmm_timer_event_stop(&g1[i]);
	}
}

/* stop_sync: a handler that stops its own event synchronously does not
 * wait for itself; after a pass nothing is marked running (a stop_sync
 * from another CPU returns at once). */
static void stop_self_sync(struct vmm_timer_event *ev)
{
	runs++;
	vmm_timer_event_start(ev, clock_ns + 1000);
	vmm_timer_event_stop_sync(ev);
}

static void test_stop_sync(void **state)
{
	struct vmm_timer_event a;

	(void)state;
	fake_cpu_id = 1;
	vmm_timer_event_init(&a, stop_self_sync, NULL);
	vmm_timer_event_start(&a, clock_ns);
	vmm_timer_process();
	assert_int_equal(runs, 1);
	assert_false(a.active);
	vmm_timer_event_start(&a, clock_ns + 5);
	fake_cpu_id = 0;
	vmm_timer_event_stop_sync(&a);	/* CPU1 runs no handler: no wait */
	assert_false(a.active);
	fake_cpu_id = 1;
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_order_and_stop),
		T(test_rearm_ahead_bounded),
		T(test_rearm_past_pushed_to_floor),
		T(test_only_due_at_start),
		T(test_many_greedy_bounded),
		T(test_guest_expiry_floor),
		T(test_restart_moves_the_event),
		T(test_equal_expiry_in_arming_order),
		T(test_stop_and_next_expiry),
		T(test_process_nothing_due),
		T(test_two_cpus_own_lists),
		T(test_bound_arm_cross_cpu_kicks),
		T(test_stop_restart_from_other_cpu),
		T(test_vcpu_moved_moves_only_its_events),
		T(test_bounded_per_cpu),
		T(test_stop_sync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
