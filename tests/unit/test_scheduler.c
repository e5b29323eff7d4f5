/*
 * tests/unit/test_scheduler.c - the scheduler's small entry points
 * (kernel/scheduler.h) on one fake CPU (tests/unit/sched_fixture.h): the
 * flag word every trap end tests, a CPU without a scheduler, yield and
 * block from an orphan VCPU, the two-arrow state change, and running code
 * while a VCPU is off every CPU. (The idle orphan's loop never returns and
 * is not run here: it only waits for interrupts.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"

static struct vmm_guest *g;
static struct vmm_vcpu *v, *w;
static struct vmm_thread *t;

static int thread_fn(void *arg)
{
	(void)arg;
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	g = fx_guest("g", 2, NULL, NULL);
	v = g->vcpus[0];
	w = g->vcpus[1];
	t = vmm_thread_create("worker", thread_fn, NULL, 0, 0, 0);
	return t ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	return 0;
}

static void test_flag_word_set_and_cleared(void **state)
{
	(void)state;
	vmm_scheduler_preempt();
	assert_int_equal(vmm_scheduler_resched_cpus, 1u << 0);
	fx_trap_end();
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
	assert_int_equal(fx_switches, 0);
	/* no flag: the end of a trap does nothing, even with a VCPU queued */
	assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	vmm_scheduler_resched_cpus = 0;
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(fx_switches, 0);
}

/* A CPU where vmm_scheduler_init_cpu() did not run: its bit is cleared
 * (other CPUs' exits test the whole word) and nothing else happens. */
static void test_cpu_without_scheduler(void **state)
{
	struct vmm_sched_cpu_info i;

	(void)state;
	fx_on(3);
	vmm_scheduler_preempt();
	assert_int_equal(vmm_scheduler_resched_cpus, 1u << 3);
	fx_trap_end();
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
	assert_int_equal(fx_switches, 0);
	fx_on(0);
	vmm_scheduler_cpu_info(3, &i);
	assert_false(i.up);
	assert_null(i.current);
}

/* An orphan yields: an equal priority waiting runs, it goes to the back. */
static void test_yield_from_an_orphan(void **state)
{
	(void)state;
	assert_int_equal(vmm_thread_start(t), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), t->vcpu);
	/* nobody waits: the yield comes back at once */
	vmm_scheduler_yield();
	assert_int_equal(fx_yields, 1);
	assert_ptr_equal(vmm_scheduler_current(), t->vcpu);
	assert_int_equal(fx_switches, 1);
	assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	vmm_scheduler_yield();
	assert_ptr_equal(vmm_scheduler_current(), v);
	assert_int_equal(t->vcpu->state, READY);
	assert_true(t->vcpu->queued);
}

/* An orphan that paused itself blocks: it leaves the CPU. */
static void test_block_after_pausing_itself(void **state)
{
	(void)state;
	assert_int_equal(vmm_thread_start(t), VMM_OK);
	fx_trap_end();
	assert_int_equal(vmm_manager_vcpu_pause(t->vcpu), VMM_OK);
	vmm_scheduler_block();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(t->vcpu->state, PAUSED);
	assert_false(t->vcpu->on_cpu);
}

/* Two arrows at once: nobody sees the state in between; a refused arrow
 * (either one) changes nothing and names the refused arrow. */
static void test_state_change2(void **state)
{
	(void)state;
	fx_to_state(v, PAUSED);
	assert_int_equal(vmm_scheduler_state_change2(v, READY, HALTED, "halt"), VMM_OK);
	assert_int_equal(v->state, HALTED);
	assert_false(v->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	/* RESET -> READY -> PAUSED (an AP waiting for its SIPI): never queued */
	fx_to_state(v, RESET);
	assert_int_equal(vmm_scheduler_state_change2(v, READY, PAUSED, "kick"), VMM_OK);
	assert_int_equal(v->state, PAUSED);
	assert_false(v->queued);
	/* second arrow is the scheduler's: refused, nothing applied */
	fake_console_reset();
	assert_int_equal(vmm_scheduler_state_change2(v, READY, RUNNING, "test"), -VMM_EILLEGAL);
	assert_int_equal(v->state, PAUSED);
	assert_false(v->queued);
	assert_true(fake_console_contains("vcpu g/vcpu0: test refused: READY -> RUNNING is an arrow only the scheduler takes"));
	/* first arrow missing */
	fx_to_state(v, HALTED);
	fake_console_reset();
	assert_int_equal(vmm_scheduler_state_change2(v, READY, HALTED, "halt"), -VMM_EILLEGAL);
	assert_int_equal(v->state, HALTED);
	assert_true(fake_console_contains("vcpu g/vcpu0: halt refused: figure 3 has no arrow HALTED -> READY"));
}

static void count_call(struct vmm_vcpu *x, void *arg)
{
	(void)x;
	(*(int *)arg)++;
}

static void test_with_vcpu_off_cpu(void **state)
{
	int calls = 0;
	u32 cpu = 99;

	(void)state;
	fx_to_state(v, READY);
	assert_int_equal(vmm_scheduler_with_vcpu_off_cpu(v, count_call, &calls, &cpu), VMM_OK);
	assert_int_equal(calls, 1);
	assert_int_equal(cpu, 99);
	fx_run(v);
	assert_int_equal(vmm_scheduler_with_vcpu_off_cpu(v, count_call, &calls, &cpu), -VMM_EBUSY);
	assert_int_equal(calls, 1);
	assert_int_equal(cpu, 0);
	/* paused, still on the CPU until the trap ends */
	assert_int_equal(vmm_manager_vcpu_pause(v), VMM_OK);
	assert_int_equal(vmm_scheduler_with_vcpu_off_cpu(v, count_call, &calls, NULL), -VMM_EBUSY);
	fx_trap_end();
	assert_int_equal(vmm_scheduler_with_vcpu_off_cpu(v, count_call, &calls, NULL), VMM_OK);
	assert_int_equal(calls, 2);
	vmm_scheduler_wait_off_cpu(v);	/* off: returns at once */
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_flag_word_set_and_cleared),
		T(test_cpu_without_scheduler),
		T(test_yield_from_an_orphan),
		T(test_block_after_pausing_itself),
		T(test_state_change2),
		T(test_with_vcpu_off_cpu),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
