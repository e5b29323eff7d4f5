/*
 * tests/unit/test_sched_queue.c - the ready queue, priorities and time
 * slices of kernel/scheduler.c and kernel/sched_queue.c (issue 11, items 1
 * and 4) on one host CPU with a fake clock (tests/unit/sched_fixture.h):
 *  - round robin within a priority: VCPUs run in the order they became
 *    READY; a preempted one goes to the back; a VCPU alone keeps the CPU;
 *  - strict priority between priorities: a higher one always runs first,
 *    a kick of a higher one preempts at once, an equal one waits for the
 *    end of the running VCPU's slice, a lower one never preempts;
 *  - the queue follows the state changes (kick, resume, pause, halt, reset);
 *  - slices: a one-shot timer event per CPU armed with the running VCPU's
 *    own time_slice; CPU-bound VCPUs with slices 1:2:4 get shares 1:2:4;
 *  - run-time accounting (run_ns, idle_ns, switches);
 *  - a VCPU paused and resumed before it was switched away is neither
 *    lost nor queued twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"

static struct vmm_guest *gq;	/* three VCPUs, 10 ms slices */
static struct vmm_guest *gs;	/* slices 1, 2, 4 ms */
static struct vmm_guest *gp;	/* priorities 0, 7, 7, 3 */
static struct vmm_vcpu *a, *b, *c;
static struct vmm_vcpu *lo, *hi, *hi2, *mid;

static const u64 slices[3] = { 1000000, 2000000, 4000000 };
static const u32 prios[4] = { 0, 7, 7, 3 };

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	gq = fx_guest("q", 3, NULL, NULL);
	gs = fx_guest("s", 3, slices, NULL);
	gp = fx_guest("p", 4, NULL, prios);
	a = gq->vcpus[0];
	b = gq->vcpus[1];
	c = gq->vcpus[2];
	lo = gp->vcpus[0];
	hi = gp->vcpus[1];
	hi2 = gp->vcpus[2];
	mid = gp->vcpus[3];
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	return 0;
}

/* Kick the VCPUs in order; the idle orphan gives way at the trap's end. */
static void kick_and_run(struct vmm_vcpu *const *v, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(vmm_manager_vcpu_kick(v[i]), VMM_OK);
	assert_true(fx_resched_pending());
	fx_trap_end();
}

/* ---- round robin ---- */

static void test_round_robin_order(void **state)
{
	struct vmm_vcpu *const v[3] = { a, b, c };

	(void)state;
	kick_and_run(v, 3);
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(vmm_scheduler_ready_count(), 2);
	for (int i = 1; i <= 7; i++) {
		fx_preempt();
		assert_ptr_equal(vmm_scheduler_current(), v[i % 3]);
		assert_int_equal(v[i % 3]->state, RUNNING);
		assert_false(v[i % 3]->queued);
		assert_ptr_equal(fx_switch_from, v[(i + 2) % 3]);
		assert_int_equal(v[(i + 2) % 3]->state, READY);
		assert_true(v[(i + 2) % 3]->queued);
		assert_int_equal(vmm_scheduler_ready_count(), 2);
	}
	assert_int_equal(fx_switches, 8);
	/* the idle orphan is never queued */
	assert_false(fx_idle->queued);
	assert_int_equal(fx_idle->state, READY);
}

static void test_alone_keeps_the_cpu(void **state)
{
	(void)state;
	kick_and_run(&a, 1);
	assert_int_equal(fx_switches, 1);
	fx_preempt();
	fx_preempt();
	assert_int_equal(fx_switches, 1);
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(a->state, RUNNING);
	assert_false(a->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_false(fx_resched_pending());
}

/* ---- the queue follows the state changes ---- */

static void test_kick_while_idle_asks_a_decision(void **state)
{
	(void)state;
	assert_false(fx_resched_pending());
	assert_int_equal(vmm_manager_vcpu_kick(a), VMM_OK);
	assert_true(a->queued);
	assert_true(fx_resched_pending());
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	/* on one CPU no IPI is sent */
	assert_int_equal(fake_kicks[0], 0);
}

static void test_kick_equal_priority_waits_for_the_slice_end(void **state)
{
	u64 t0 = fx_clock_ns;

	(void)state;
	kick_and_run(&a, 1);
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	assert_false(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(vmm_manager_vcpu_kick(c), VMM_OK);
	fx_clock_to(t0 + FX_SLICE_NS - 1);
	assert_false(fx_resched_pending());
	fx_clock_to(t0 + FX_SLICE_NS);
	assert_true(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), b);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), c);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), a);
}

static void test_pause_ready_dequeues_resume_enqueues_at_back(void **state)
{
	struct vmm_vcpu *const v[3] = { a, b, c };

	(void)state;
	kick_and_run(v, 3);			/* a runs; queue b, c */
	assert_int_equal(vmm_manager_vcpu_pause(b), VMM_OK);
	assert_false(b->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	assert_false(fx_resched_pending());	/* a keeps running */
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), c);	/* queue a */
	assert_int_equal(vmm_manager_vcpu_resume(b), VMM_OK);	/* queue a, b */
	assert_true(b->queued);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), a);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), b);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), c);
}

static void test_halt_and_reset_of_ready_dequeue(void **state)
{
	struct vmm_vcpu *const v[3] = { a, b, c };

	(void)state;
	kick_and_run(v, 3);
	assert_int_equal(vmm_manager_vcpu_halt(b, "test"), VMM_OK);
	assert_false(b->queued);
	assert_int_equal(vmm_vcpu_set_state(c, RESET), VMM_OK);
	assert_false(c->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(fx_switches, 1);
}

static void test_current_stopping_switches(void **state)
{
	struct vmm_vcpu *const v[3] = { a, b, c };

	(void)state;
	kick_and_run(v, 3);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_true(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), b);
	assert_false(a->queued);
	assert_int_equal(vmm_manager_vcpu_halt(b, "test"), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), c);
	assert_false(b->queued);
	assert_int_equal(vmm_vcpu_set_state(c, RESET), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(fx_idle->state, RUNNING);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
}

/* ---- a VCPU paused and resumed before it was switched away ---- */

/* Alone: it keeps the CPU (no switch), RUNNING again, not queued, with a
 * new slice. */
static void test_pause_resume_before_switch_keeps_running(void **state)
{
	(void)state;
	kick_and_run(&a, 1);
	fx_clock_to(fx_clock_ns + 3000000);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(a->state, READY);
	assert_true(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(a->state, RUNNING);
	assert_false(a->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_int_equal(fx_switches, 1);
	assert_int_equal(vmm_timer_next_expiry(), fx_clock_ns + FX_SLICE_NS);
}

/* With another VCPU waiting before it: that one runs, the resumed one is
 * queued once behind it and runs next. */
static void test_pause_resume_before_switch_queued_once(void **state)
{
	struct vmm_vcpu *const v[2] = { a, b };

	(void)state;
	kick_and_run(v, 2);			/* a runs; queue b */
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(vmm_scheduler_ready_count(), 2);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), b);
	assert_int_equal(a->state, READY);
	assert_true(a->queued);
	assert_false(a->on_cpu);
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), b);
	assert_int_equal(vmm_scheduler_ready_count(), 1);
}

/* Paused, resumed and halted before the switch: it does not run again. */
static void test_pause_resume_halt_before_switch(void **state)
{
	(void)state;
	kick_and_run(&a, 1);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_halt(a, "late"), VMM_OK);
	assert_false(a->queued);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(a->state, HALTED);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
}

/* ---- priorities ---- */

static void test_higher_priority_runs_first_and_keeps_the_cpu(void **state)
{
	u64 t0 = fx_clock_ns;

	(void)state;
	assert_int_equal(vmm_manager_vcpu_kick(lo), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(mid), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(hi), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), hi);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), hi);
	/* its slice ends with only lower priorities waiting: a new slice */
	fx_clock_to(t0 + FX_SLICE_NS);
	assert_false(fx_resched_pending());
	assert_ptr_equal(vmm_scheduler_current(), hi);
	assert_int_equal(vmm_timer_next_expiry(), t0 + 2 * FX_SLICE_NS);
	/* it stops: the next priority down runs, then the lowest */
	assert_int_equal(vmm_manager_vcpu_pause(hi), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), mid);
	assert_int_equal(vmm_manager_vcpu_pause(mid), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), lo);
}

static void test_round_robin_within_the_top_priority(void **state)
{
	(void)state;
	assert_int_equal(vmm_manager_vcpu_kick(lo), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(hi), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(hi2), VMM_OK);
	fx_trap_end();
	for (int i = 0; i < 6; i++) {
		assert_ptr_equal(vmm_scheduler_current(), i % 2 ? hi2 : hi);
		fx_clock_to(vmm_timer_next_expiry());
		assert_true(fx_resched_pending());
		fx_trap_end();
	}
	assert_true(lo->queued);
	assert_int_equal(lo->run_ns[0], 0);
}

static void test_higher_priority_kick_preempts_at_once(void **state)
{
	(void)state;
	kick_and_run(&lo, 1);
	assert_int_equal(vmm_manager_vcpu_kick(mid), VMM_OK);
	assert_true(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), mid);
	assert_int_equal(lo->state, READY);
	assert_true(lo->queued);
	/* a lower one kicked while mid runs: no decision */
	assert_int_equal(vmm_manager_vcpu_kick(a), VMM_OK);
	assert_false(fx_resched_pending());
	/* resume of a higher one preempts too */
	fx_to_state(hi, PAUSED);
	assert_ptr_equal(vmm_scheduler_current(), mid);
	assert_int_equal(vmm_manager_vcpu_resume(hi), VMM_OK);
	assert_true(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), hi);
	assert_ptr_equal(fx_switch_from, mid);
}

/* ---- time slices ---- */

static void test_slice_event_armed_at_switch(void **state)
{
	u64 t0 = fx_clock_ns;

	(void)state;
	kick_and_run(&a, 1);
	assert_int_equal(vmm_timer_next_expiry(), t0 + FX_SLICE_NS);
	assert_int_equal(fx_programmed, t0 + FX_SLICE_NS);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	fx_trap_end();
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
}

static void test_slice_end_alone_renews_the_slice(void **state)
{
	u64 t0 = fx_clock_ns;

	(void)state;
	kick_and_run(&a, 1);
	fx_clock_to(t0 + FX_SLICE_NS);
	assert_false(fx_resched_pending());
	assert_ptr_equal(vmm_scheduler_current(), a);
	assert_int_equal(vmm_timer_next_expiry(), t0 + 2 * FX_SLICE_NS);
	assert_int_equal(fx_switches, 1);
}

/* Each VCPU runs for its own slice. */
static void test_own_slice_per_vcpu(void **state)
{
	struct vmm_vcpu *const v[3] = { gs->vcpus[0], gs->vcpus[1], gs->vcpus[2] };

	(void)state;
	kick_and_run(v, 3);
	for (int i = 0; i < 6; i++) {
		struct vmm_vcpu *cur = vmm_scheduler_current();

		assert_ptr_equal(cur, v[i % 3]);
		assert_int_equal(vmm_timer_next_expiry() - fx_clock_ns, slices[i % 3]);
		fx_clock_to(vmm_timer_next_expiry());
		fx_trap_end();
	}
}

/* CPU-bound VCPUs with slices 1:2:4 over many slices: the run time the
 * scheduler accounts (run_ns) is within 5 % of shares 1/7, 2/7, 4/7. */
static void test_slices_1_2_4_give_shares_within_5_percent(void **state)
{
	struct vmm_vcpu *const v[3] = { gs->vcpus[0], gs->vcpus[1], gs->vcpus[2] };
	u64 before[3], ran[3], total = 0, t0;

	(void)state;
	kick_and_run(v, 3);
	for (int k = 0; k < 3; k++)
		before[k] = v[k]->run_ns[0];
	t0 = fx_clock_ns;
	for (int i = 0; i < 700; i++) {
		fx_clock_to(vmm_timer_next_expiry());
		assert_true(fx_resched_pending());
		fx_trap_end();
	}
	for (int k = 0; k < 3; k++) {
		ran[k] = v[k]->run_ns[0] - before[k];
		total += ran[k];
	}
	assert_int_equal(total, fx_clock_ns - t0);
	for (int k = 0; k < 3; k++) {
		double share = (double)ran[k] / (double)total, want = (double)(1u << k) / 7.0;

		if (share < want * 0.95 || share > want * 1.05)
			fail_msg("%s: share %.4f, want %.4f +-5%%", v[k]->name, share, want);
	}
}

/* ---- run-time accounting ---- */

static void test_run_time_accounting(void **state)
{
	struct vmm_sched_cpu_info i0, i1;
	u64 a0 = a->run_ns[0], b0 = b->run_ns[0];

	(void)state;
	vmm_scheduler_cpu_info(0, &i0);
	assert_true(i0.up);
	assert_ptr_equal(i0.current, fx_idle);
	fx_clock_to(fx_clock_ns + 5000);		/* idles 5 us */
	assert_int_equal(vmm_manager_vcpu_kick(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	fx_trap_end();
	vmm_scheduler_cpu_info(0, &i1);
	assert_int_equal(i1.idle_ns - i0.idle_ns, 5000);
	assert_int_equal(i1.switches - i0.switches, 1);
	assert_int_equal(i1.ready, 1);
	fx_clock_to(fx_clock_ns + 7000);		/* a runs 7 us */
	fx_preempt();
	fx_clock_to(fx_clock_ns + 3000);		/* b runs 3 us */
	assert_int_equal(vmm_manager_vcpu_pause(b), VMM_OK);
	fx_trap_end();
	assert_int_equal(a->run_ns[0] - a0, 7000);
	assert_int_equal(b->run_ns[0] - b0, 3000);
	assert_int_equal(a->migrations, 0);
	assert_int_equal(a->last_cpu, 0);
	vmm_scheduler_cpu_info(0, &i0);
	assert_int_equal(i0.switches - i1.switches, 2);
	assert_ptr_equal(i0.current, a);
	/* idle time is not counted while a VCPU runs */
	assert_int_equal(i0.idle_ns, i1.idle_ns);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_round_robin_order),
		T(test_alone_keeps_the_cpu),
		T(test_kick_while_idle_asks_a_decision),
		T(test_kick_equal_priority_waits_for_the_slice_end),
		T(test_pause_ready_dequeues_resume_enqueues_at_back),
		T(test_halt_and_reset_of_ready_dequeue),
		T(test_current_stopping_switches),
		T(test_pause_resume_before_switch_keeps_running),
		T(test_pause_resume_before_switch_queued_once),
		T(test_pause_resume_halt_before_switch),
		T(test_higher_priority_runs_first_and_keeps_the_cpu),
		T(test_round_robin_within_the_top_priority),
		T(test_higher_priority_kick_preempts_at_once),
		T(test_slice_event_armed_at_switch),
		T(test_slice_end_alone_renews_the_slice),
		T(test_own_slice_per_vcpu),
		T(test_slices_1_2_4_give_shares_within_5_percent),
		T(test_run_time_accounting),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
