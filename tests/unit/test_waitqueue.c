/*
 * tests/unit/test_waitqueue.c - wait queues, mutexes, completions and
 * thread sleeps (kernel/waitqueue.c, kernel/threads.c; issue 11, item 7)
 * on the fake arch with one CPU (tests/unit/sched_fixture.h).
 *
 * How a sleep is played without stacks: a thread made current on CPU0
 * calls the real sleep; it links itself, pauses its VCPU and yields. The
 * fake yield makes the scheduler's decision (the thread leaves the CPU)
 * and then runs the test's fx_yield_hook: "the world while the thread
 * sleeps" - the checks of the sleeper's state, and the waker (another
 * thread, a timer event, the idle orphan). The hook ends by making the
 * sleeper current again (fx_run), so the sleep returns as on the real CPU
 * and its return value is checked. Several sleepers nest: the hook of the
 * first makes the second current and lets it sleep, and so on; wakeups are
 * then made in the innermost hook and the sleeps return innermost first.
 *
 * Not covered here (needs real stack switching, or a window the fake
 * cannot reach): a thread's entry running fn and exiting
 * (vmm_thread_exit never returns), a wakeup landing between the sleeper's
 * unlock and its trap (the scheduler side of that, a VCPU resumed before
 * it got away, is in test_sched_queue.c), sleepers on two CPUs at once,
 * the manager thread's deferred guest reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"

static struct vmm_thread *t1, *t2, *t3;
static struct vmm_waitqueue wq;
static struct vmm_mutex mx;
static struct vmm_completion done;

static int thread_fn(void *arg)
{
	(void)arg;
	return 0;	/* never runs: the fake switches no stacks */
}

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	t1 = vmm_thread_create("T1", thread_fn, NULL, 0, 0, 1);
	t2 = vmm_thread_create("T2", thread_fn, NULL, 0, 0, 1);
	t3 = vmm_thread_create("T3", thread_fn, NULL, 0, 0, 1);
	return t1 && t2 && t3 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	vmm_waitqueue_init(&wq);
	vmm_mutex_init(&mx);
	vmm_completion_init(&done);
	return 0;
}

/* Make thread t current on CPU0 (started when it is in RESET). */
static void become(struct vmm_thread *t)
{
	if (t->vcpu->state == RESET)
		assert_int_equal(vmm_thread_start(t), VMM_OK);
	fx_run(t->vcpu);
	assert_ptr_equal(vmm_thread_current(), t);
}

static void test_thread_created_in_reset(void **state)
{
	(void)state;
	assert_int_equal(t1->vcpu->state, RESET);
	assert_false(t1->vcpu->is_normal);
	assert_ptr_equal(t1->vcpu->thread, t1);
	assert_string_equal(vmm_thread_name(t1), "T1");
	assert_int_equal(t1->vcpu->time_slice_ns, VMM_THREAD_DEF_SLICE_NS);
	assert_int_equal(t1->vcpu->affinity, 1);
	assert_true(t1->vcpu->stack_base != 0);
	assert_null(vmm_thread_current());
	assert_null(vmm_thread_create("bad", thread_fn, NULL, VMM_MAX_PRIORITY + 1, 0, 0));
	assert_null(vmm_thread_create("bad", NULL, NULL, 0, 0, 0));
	become(t1);
	assert_int_equal(t1->vcpu->state, RUNNING);
}

static void test_sleep_outside_a_thread_refused(void **state)
{
	(void)state;
	fake_console_reset();
	assert_int_equal(vmm_waitqueue_sleep(&wq), -VMM_EINVALID);
	assert_true(fake_console_contains("waitqueue: sleep outside a thread refused"));
	assert_int_equal(vmm_waitqueue_count(&wq), 0);
	assert_int_equal(fx_yields, 0);
}

/* ---- sleep and wake one ---- */

static void hook_check_asleep_then_wake(void)
{
	/* t1 sleeps: PAUSED, off the CPU, in the queue */
	assert_int_equal(t1->vcpu->state, PAUSED);
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_false(t1->vcpu->on_cpu);
	assert_ptr_equal(t1->waiting_on, &wq);
	assert_int_equal(vmm_waitqueue_count(&wq), 1);
	/* the idle orphan has nothing to say; a timer interrupt passes */
	fx_clock_to(fx_clock_ns + 1000);
	assert_int_equal(t1->vcpu->state, PAUSED);
	/* woken (from interrupt context): READY, queued, out of the queue */
	assert_int_equal(vmm_waitqueue_wake_first(&wq), 1);
	assert_int_equal(t1->vcpu->state, READY);
	assert_true(t1->vcpu->queued);
	assert_null(t1->waiting_on);
	assert_int_equal(vmm_waitqueue_count(&wq), 0);
	assert_true(fx_resched_pending());
	fx_run(t1->vcpu);
}

static void test_sleep_until_woken(void **state)
{
	(void)state;
	become(t1);
	fx_yield_hook = hook_check_asleep_then_wake;
	assert_int_equal(vmm_waitqueue_sleep(&wq), VMM_OK);
	assert_ptr_equal(vmm_thread_current(), t1);
	assert_int_equal(t1->vcpu->state, RUNNING);
	assert_int_equal(fx_yields, 1);
	assert_false(fake_console_contains("refused"));
	/* nobody sleeps: a wakeup wakes nobody */
	assert_int_equal(vmm_waitqueue_wake_first(&wq), 0);
	assert_int_equal(vmm_waitqueue_wake_all(&wq), 0);
}

/* ---- three sleepers: FIFO and wake all ---- */

static struct vmm_thread *woken[3];
static int nwoken;
static bool wake_all_mode;

static void note_ready(void)
{
	struct vmm_thread *const t[3] = { t1, t2, t3 };

	for (int i = 0; i < 3; i++)
		if (t[i]->vcpu->state == READY) {
			bool seen = false;

			for (int k = 0; k < nwoken; k++)
				seen |= woken[k] == t[i];
			if (!seen)
				woken[nwoken++] = t[i];
		}
}

static void hook3(void)
{
	assert_int_equal(vmm_waitqueue_count(&wq), 3);
	if (wake_all_mode) {
		assert_int_equal(vmm_waitqueue_wake_all(&wq), 3);
		assert_int_equal(t1->vcpu->state, READY);
		assert_int_equal(t2->vcpu->state, READY);
		assert_int_equal(t3->vcpu->state, READY);
	} else {
		for (int i = 0; i < 3; i++) {
			assert_int_equal(vmm_waitqueue_wake_first(&wq), 1);
			note_ready();
			assert_int_equal(nwoken, i + 1);
		}
	}
	assert_int_equal(vmm_waitqueue_count(&wq), 0);
	fx_run(t3->vcpu);
}

static void hook2(void)
{
	become(t3);
	fx_yield_hook = hook3;
	assert_int_equal(vmm_waitqueue_sleep(&wq), VMM_OK);	/* t3 */
	fx_run(t2->vcpu);
}

static void hook1(void)
{
	become(t2);
	fx_yield_hook = hook2;
	assert_int_equal(vmm_waitqueue_sleep(&wq), VMM_OK);	/* t2 */
	fx_run(t1->vcpu);
}

static void test_wake_first_is_fifo(void **state)
{
	(void)state;
	nwoken = 0;
	wake_all_mode = false;
	become(t1);
	fx_yield_hook = hook1;
	assert_int_equal(vmm_waitqueue_sleep(&wq), VMM_OK);	/* t1 */
	assert_ptr_equal(vmm_thread_current(), t1);
	assert_int_equal(nwoken, 3);
	assert_ptr_equal(woken[0], t1);
	assert_ptr_equal(woken[1], t2);
	assert_ptr_equal(woken[2], t3);
}

static void test_wake_all(void **state)
{
	(void)state;
	wake_all_mode = true;
	become(t1);
	fx_yield_hook = hook1;
	assert_int_equal(vmm_waitqueue_sleep(&wq), VMM_OK);
	assert_ptr_equal(vmm_thread_current(), t1);
	assert_int_equal(fx_yields, 3);
}

/* ---- timeouts ---- */

static u64 slept_at;

static void hook_timeout(void)
{
	u64 due = slept_at + 5000000;

	assert_true(t1->timeout_ev.active);
	fx_clock_to(due - 1);
	assert_int_equal(t1->vcpu->state, PAUSED);
	fx_clock_to(due);
	assert_int_equal(t1->vcpu->state, READY);
	assert_true(t1->timed_out);
	assert_int_equal(vmm_waitqueue_count(&wq), 0);
	fx_run(t1->vcpu);
}

static void test_timeout_wakes_with_etimedout(void **state)
{
	(void)state;
	become(t1);
	slept_at = fx_clock_ns;
	fx_yield_hook = hook_timeout;
	assert_int_equal(vmm_waitqueue_sleep_timeout(&wq, 5000000), -VMM_ETIMEDOUT);
	assert_false(t1->timeout_ev.active);
	assert_int_equal(t1->vcpu->state, RUNNING);
}

static void hook_wake_before_timeout(void)
{
	assert_int_equal(vmm_waitqueue_wake_first(&wq), 1);
	fx_run(t1->vcpu);
}

/* Woken before its time: VMM_OK and the timeout event is stopped. */
static void test_wake_before_timeout(void **state)
{
	(void)state;
	become(t1);
	fx_yield_hook = hook_wake_before_timeout;
	assert_int_equal(vmm_waitqueue_sleep_timeout(&wq, 5000000), VMM_OK);
	assert_false(t1->timeout_ev.active);
	assert_false(t1->timed_out);
}

static void hook_stale_timeout(void)
{
	/* the first wait's timeout fires late, during the second wait (a
	 * race with its stop on another CPU): it must not end this wait */
	t1->timeout_ev.handler(&t1->timeout_ev);
	assert_int_equal(t1->vcpu->state, PAUSED);
	assert_ptr_equal(t1->waiting_on, &wq);
	assert_int_equal(vmm_waitqueue_count(&wq), 1);
	assert_false(t1->timed_out);
	assert_int_equal(vmm_waitqueue_wake_first(&wq), 1);
	fx_run(t1->vcpu);
}

static void test_stale_timeout_is_ignored(void **state)
{
	u64 seq;

	(void)state;
	become(t1);
	fx_yield_hook = hook_wake_before_timeout;
	assert_int_equal(vmm_waitqueue_sleep_timeout(&wq, 5000000), VMM_OK);
	seq = t1->wait_seq;
	fx_yield_hook = hook_stale_timeout;
	assert_int_equal(vmm_waitqueue_sleep(&wq), VMM_OK);
	assert_int_equal(t1->wait_seq, seq + 1);
}

static void hook_sleep_ns(void)
{
	assert_int_equal(t1->vcpu->state, PAUSED);
	fx_clock_to(slept_at + 2000000);
	assert_int_equal(t1->vcpu->state, READY);
	fx_run(t1->vcpu);
}

static void test_thread_sleep_ms(void **state)
{
	(void)state;
	become(t1);
	slept_at = fx_clock_ns;
	fx_yield_hook = hook_sleep_ns;
	vmm_thread_sleep_ms(2);
	assert_int_equal(fx_clock_ns, slept_at + 2000000);
	assert_ptr_equal(vmm_thread_current(), t1);
	assert_null(t1->waiting_on);
}

/* ---- thread stop of a sleeper ---- */

static void hook_stop_sleeper(void)
{
	assert_int_equal(vmm_thread_stop(t1), VMM_OK);	/* from the idle orphan */
	assert_int_equal(t1->vcpu->state, RESET);
	assert_null(t1->waiting_on);
	assert_int_equal(vmm_waitqueue_count(&wq), 0);
	assert_false(t1->timeout_ev.active);
	/* no fx_run: a stopped thread never returns from its sleep; the
	 * fake's sleep returns in the idle orphan's context */
}

static void test_stop_a_sleeping_thread(void **state)
{
	(void)state;
	become(t1);
	fx_yield_hook = hook_stop_sleeper;
	(void)vmm_waitqueue_sleep_timeout(&wq, 5000000);
	assert_int_equal(t1->vcpu->state, RESET);
	assert_false(t1->vcpu->queued);
	/* started again, it is a fresh thread */
	become(t1);
	fake_console_reset();
	assert_int_equal(vmm_thread_stop(t1), -VMM_EINVALID);	/* itself */
	assert_true(fake_console_contains("thread T1: a thread cannot stop itself"));
}

/*
 * vmm_thread_stop() on another CPU has made the sleeper RESET but not yet
 * taken it off the queue (it waits for it to be off its CPU first) when a
 * waker wakes the queue: the stopped thread must stay stopped - a wakeup
 * is PAUSED -> READY, not the Kick arrow RESET -> READY, which would start
 * it while stop still rebuilds its entry frame (arch_vcpu_init).
 */
static void hook_wake_in_stop_window(void)
{
	assert_int_equal(vmm_vcpu_set_state(t1->vcpu, RESET), VMM_OK);	/* stop, first half */
	(void)vmm_waitqueue_wake_first(&wq);
	if (t1->vcpu->state != RESET)
		fail_msg("a wakeup made the stopped thread T1 %s (waitqueue.c wake_locked takes "
			 "RESET -> READY)", vmm_vcpu_state_name(t1->vcpu->state));
}

static void test_wake_does_not_start_a_stopped_thread(void **state)
{
	(void)state;
	become(t1);
	fx_yield_hook = hook_wake_in_stop_window;
	(void)vmm_waitqueue_sleep(&wq);
}

/* ---- mutex ---- */

static void test_mutex_trylock_unlock_ownership(void **state)
{
	(void)state;
	become(t1);
	assert_int_equal(vmm_mutex_trylock(&mx), VMM_OK);
	assert_ptr_equal(mx.owner, t1);
	assert_int_equal(vmm_mutex_trylock(&mx), -VMM_EBUSY);
	become(t2);
	assert_int_equal(vmm_mutex_trylock(&mx), -VMM_EBUSY);
	fake_console_reset();
	assert_int_equal(vmm_mutex_unlock(&mx), -VMM_EINVALID);
	assert_true(fake_console_contains("mutex: unlock by T2, which does not hold it"));
	assert_ptr_equal(mx.owner, t1);
	/* from outside a thread */
	assert_int_equal(vmm_manager_vcpu_pause(t2->vcpu), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_pause(t1->vcpu), VMM_OK);
	fx_trap_end();
	assert_null(vmm_thread_current());
	fake_console_reset();
	assert_int_equal(vmm_mutex_unlock(&mx), -VMM_EINVALID);
	assert_true(fake_console_contains("mutex: unlock by a non-thread"));
	assert_int_equal(vmm_manager_vcpu_resume(t1->vcpu), VMM_OK);
	become(t1);
	assert_int_equal(vmm_mutex_unlock(&mx), VMM_OK);
	assert_null(mx.owner);
	assert_int_equal(mx.contended, 0);
	/* the pauses above were made by a thread on its own CPU: each traps
	 * into the scheduler at once (decide_soon), nothing else did */
	assert_int_equal(fx_yields, 2);
}

static void hook_owner_unlocks(void)
{
	/* t2 waits for the mutex; t1 (its owner) runs and lets go */
	assert_int_equal(t2->vcpu->state, PAUSED);
	assert_int_equal(vmm_waitqueue_count(&mx.wq), 1);
	become(t1);
	assert_int_equal(vmm_mutex_unlock(&mx), VMM_OK);
	assert_int_equal(t2->vcpu->state, READY);
	fx_run(t2->vcpu);
}

static void test_mutex_lock_sleeps_until_unlocked(void **state)
{
	(void)state;
	become(t1);
	vmm_mutex_lock(&mx);
	assert_ptr_equal(mx.owner, t1);
	become(t2);
	fx_yield_hook = hook_owner_unlocks;
	vmm_mutex_lock(&mx);
	assert_ptr_equal(mx.owner, t2);
	assert_int_equal(mx.contended, 1);
	assert_int_equal(vmm_mutex_unlock(&mx), VMM_OK);
	assert_null(mx.owner);
}

/* ---- completion ---- */

static void test_completion_counts(void **state)
{
	(void)state;
	become(t1);
	vmm_completion_complete(&done);
	vmm_completion_complete(&done);
	assert_int_equal(vmm_completion_wait(&done), VMM_OK);
	assert_int_equal(vmm_completion_wait(&done), VMM_OK);
	assert_int_equal(fx_yields, 0);
	assert_int_equal(done.done, 0);
	/* complete_all: every present and future waiter passes */
	vmm_completion_complete_all(&done);
	for (int i = 0; i < 5; i++)
		assert_int_equal(vmm_completion_wait(&done), VMM_OK);
	assert_int_equal(fx_yields, 0);
}

static void hook_complete(void)
{
	assert_int_equal(t1->vcpu->state, PAUSED);
	vmm_completion_complete(&done);
	assert_int_equal(t1->vcpu->state, READY);
	fx_run(t1->vcpu);
}

static void test_completion_wakes_a_waiter(void **state)
{
	(void)state;
	become(t1);
	fx_yield_hook = hook_complete;
	assert_int_equal(vmm_completion_wait(&done), VMM_OK);
	assert_int_equal(done.done, 0);		/* used up by the waiter */
	assert_int_equal(fx_yields, 1);
}

static void hook_completion_timeout(void)
{
	fx_clock_to(slept_at + 3000000);
	assert_int_equal(t1->vcpu->state, READY);
	fx_run(t1->vcpu);
}

static void test_completion_wait_times_out(void **state)
{
	(void)state;
	become(t1);
	slept_at = fx_clock_ns;
	fx_yield_hook = hook_completion_timeout;
	assert_int_equal(vmm_completion_wait_timeout(&done, 3000000), -VMM_ETIMEDOUT);
	assert_int_equal(done.done, 0);
	assert_int_equal(vmm_waitqueue_count(&done.wq), 0);
	assert_false(t1->timeout_ev.active);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_thread_created_in_reset),
		T(test_sleep_outside_a_thread_refused),
		T(test_sleep_until_woken),
		T(test_wake_first_is_fifo),
		T(test_wake_all),
		T(test_timeout_wakes_with_etimedout),
		T(test_wake_before_timeout),
		T(test_stale_timeout_is_ignored),
		T(test_thread_sleep_ms),
		T(test_stop_a_sleeping_thread),
		T(test_wake_does_not_start_a_stopped_thread),
		T(test_mutex_trylock_unlock_ownership),
		T(test_mutex_lock_sleeps_until_unlocked),
		T(test_completion_counts),
		T(test_completion_wakes_a_waiter),
		T(test_completion_wait_times_out),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
