/*
 * tests/unit/test_vcpu_sipi.c - virtual INIT and SIPI (kernel/vcpu_sipi.c)
 * on real guests and VCPUs (tests/unit/sched_fixture.h: the real manager,
 * scheduler and state table over the fake arch, two host CPUs): INIT
 * stops a RUNNING, READY or PAUSED VCPU and marks it waiting for a SIPI,
 * RESET and HALTED ignore it; a SIPI starts only a waiting PAUSED VCPU,
 * once (the vector recorded through arch_vcpu_sipi), after its CPU has
 * let it go; a SIPI that finds it on its CPU for too long is lost and
 * counted; an application processor's wait at its guest's start.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"
#include "kernel/vcpu_irq.h"

static struct vmm_guest *g;	/* two VCPUs */

static int group_setup(void **state)
{
	(void)state;
	if (fx_init_cpus(2))
		return -1;
	g = fx_guest("g", 2, NULL, NULL);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	memset(fx_sipi_vector, 0, sizeof(fx_sipi_vector));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_relax_hook = NULL;
	for (u32 i = 0; i < g->nr_vcpus; i++)
		vmm_vcpu_irq_reset(g->vcpus[i]);
	fake_cpu_id = 0;
	return 0;
}

/* what the arch recorded for v: the SIPI vector + 1, 0 for none */
static u32 sipi_of(struct vmm_vcpu *v)
{
	return fx_sipi_vector[v->id];
}

/* ---- INIT ---- */

/* INIT of a RUNNING VCPU: PAUSED (its CPU lets it go at its next trap),
 * waiting for a SIPI, posted vectors, NMI and HLT wait dropped. */
static void test_init_running(void **state)
{
	struct vmm_vcpu *v = g->vcpus[0];
	u64 inits = v->irq.inits;

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_post(v, 0x40);
	vmm_vcpu_irq_nmi(v);
	vmm_vcpu_irq_init_signal(v);
	assert_int_equal(v->state, PAUSED);
	assert_true(vmm_vcpu_irq_awaits_sipi(v));
	assert_false(vmm_vcpu_irq_waiting(v));
	assert_int_equal(v->irq.inits, inits + 1);
	assert_int_equal(vmm_vcpu_irq_pending(&v->irq), 0);
	assert_int_equal(vmm_vcpu_irq_acknowledge(v), -VMM_ENOENT);
	/* a second INIT while it waits: nothing more */
	vmm_vcpu_irq_init_signal(v);
	assert_int_equal(v->irq.inits, inits + 1);
	assert_int_equal(v->state, PAUSED);
	/* an interrupt does not start it */
	vmm_vcpu_irq_post(v, 0x41);
	assert_int_equal(v->state, PAUSED);
	assert_int_equal(sipi_of(v), 0);
}

/* INIT of a READY VCPU, and of one PAUSED in its HLT wait: both wait for a
 * SIPI; an interrupt no longer ends the HLT wait. */
static void test_init_ready_and_hlt(void **state)
{
	struct vmm_vcpu *v = g->vcpus[1];

	(void)state;
	fx_to_state(v, READY);
	vmm_vcpu_irq_init_signal(v);
	assert_int_equal(v->state, PAUSED);
	assert_true(vmm_vcpu_irq_awaits_sipi(v));
	vmm_vcpu_irq_reset(v);

	fx_to_state(v, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(v), 1);
	assert_true(vmm_vcpu_irq_waiting(v));
	vmm_vcpu_irq_init_signal(v);
	assert_int_equal(v->state, PAUSED);
	assert_true(vmm_vcpu_irq_awaits_sipi(v));
	assert_false(vmm_vcpu_irq_waiting(v));
	vmm_vcpu_irq_post(v, 0x30);
	assert_int_equal(v->state, PAUSED);
}

/* A VCPU in RESET or HALTED ignores INIT. */
static void test_init_ignored_reset_halted(void **state)
{
	struct vmm_vcpu *v = g->vcpus[1];
	u64 inits = v->irq.inits;

	(void)state;
	fx_to_state(v, RESET);
	vmm_vcpu_irq_init_signal(v);
	assert_int_equal(v->state, RESET);
	assert_false(vmm_vcpu_irq_awaits_sipi(v));
	fx_to_state(v, HALTED);
	vmm_vcpu_irq_init_signal(v);
	assert_int_equal(v->state, HALTED);
	assert_false(vmm_vcpu_irq_awaits_sipi(v));
	assert_int_equal(v->irq.inits, inits);
	/* nor does a SIPI start either */
	assert_false(vmm_vcpu_irq_startup(v, 0x10));
	assert_int_equal(v->state, HALTED);
	fx_to_state(v, RESET);
	assert_false(vmm_vcpu_irq_startup(v, 0x10));
	assert_int_equal(v->state, RESET);
	assert_int_equal(sipi_of(v), 0);
}

/* ---- SIPI ---- */

/* After INIT (and the trap that takes it off its CPU), a SIPI records the
 * vector through the arch and resumes the VCPU; a second SIPI does nothing. */
static void test_sipi_starts_once(void **state)
{
	struct vmm_vcpu *v = g->vcpus[0];
	u64 sipis = v->irq.sipis;

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_init_signal(v);
	fx_trap_end_on(v->host_cpu);
	assert_false(v->on_cpu);
	assert_true(vmm_vcpu_irq_startup(v, 0x9A));
	assert_int_equal(sipi_of(v), 0x9A + 1);
	assert_int_equal(v->state, READY);
	assert_false(vmm_vcpu_irq_awaits_sipi(v));
	assert_int_equal(v->irq.sipis, sipis + 1);
	/* INIT-SIPI-SIPI: the second finds it started */
	fx_sipi_vector[v->id] = 0;
	assert_false(vmm_vcpu_irq_startup(v, 0x9B));
	assert_int_equal(sipi_of(v), 0);
	assert_int_equal(v->irq.sipis, sipis + 1);
	fx_run(v);
	assert_false(vmm_vcpu_irq_startup(v, 0x9B));
	assert_int_equal(v->state, RUNNING);
	assert_int_equal(sipi_of(v), 0);
}

/* A VCPU paused by the user, not by INIT, is not started by a SIPI. */
static void test_sipi_needs_wait(void **state)
{
	struct vmm_vcpu *v = g->vcpus[1];

	(void)state;
	fx_to_state(v, PAUSED);
	assert_false(vmm_vcpu_irq_startup(v, 0x08));
	assert_int_equal(v->state, PAUSED);
	assert_int_equal(sipi_of(v), 0);
	/* waiting but not PAUSED (a reset raced it): not started either */
	fx_to_state(v, READY);
	vmm_vcpu_irq_await_sipi(v);
	assert_false(vmm_vcpu_irq_startup(v, 0x08));
	assert_int_equal(v->state, READY);
	assert_int_equal(sipi_of(v), 0);
}

/* The SIPI comes from CPU1 while the INITed VCPU is still current on
 * CPU0: it waits until CPU0 ends its trap, then starts it. */
static u32 hook_cpu;
static int hook_calls;

static void end_trap_hook(void)
{
	if (++hook_calls == 3)
		fx_trap_end_on(hook_cpu);
}

static void test_sipi_waits_off_cpu(void **state)
{
	struct vmm_vcpu *v = g->vcpus[0];

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_init_signal(v);
	assert_true(v->on_cpu);
	hook_cpu = v->host_cpu;
	hook_calls = 0;
	fake_relax_hook = end_trap_hook;
	fx_on(hook_cpu ^ 1);
	assert_true(vmm_vcpu_irq_startup(v, 0x20));
	fx_on(0);
	fake_relax_hook = NULL;
	assert_true(hook_calls >= 3);
	assert_int_equal(sipi_of(v), 0x20 + 1);
	assert_int_equal(v->state, READY);
}

/* A VCPU that never leaves its CPU: the SIPI gives up after its bounded
 * wait, is counted lost, and the VCPU still waits for a SIPI. */
static void clock_hook(void)
{
	fx_clock_ns += 1000000;		/* 1 ms per relax: the bound comes */
}

static void test_sipi_lost(void **state)
{
	struct vmm_vcpu *v = g->vcpus[0];
	u64 lost = v->irq.sipis_lost, sipis = v->irq.sipis;

	(void)state;
	fx_to_state(v, RUNNING);
	vmm_vcpu_irq_init_signal(v);
	fake_relax_hook = clock_hook;
	fx_on(v->host_cpu ^ 1);
	assert_false(vmm_vcpu_irq_startup(v, 0x30));
	fx_on(0);
	fake_relax_hook = NULL;
	assert_int_equal(v->irq.sipis_lost, lost + 1);
	assert_int_equal(v->irq.sipis, sipis);
	assert_true(vmm_vcpu_irq_awaits_sipi(v));
	assert_int_equal(sipi_of(v), 0);
	assert_true(fake_console_contains("SIPI vector 0x30 lost"));
	/* once it is off its CPU, the next SIPI starts it */
	fx_trap_end_on(v->host_cpu);
	assert_true(vmm_vcpu_irq_startup(v, 0x31));
	assert_int_equal(sipi_of(v), 0x31 + 1);
}

/* An application processor at its guest's start waits for its SIPI. */
static void test_ap_awaits_sipi(void **state)
{
	struct vmm_vcpu *ap = g->vcpus[1];

	(void)state;
	assert_int_equal(ap->state, RESET);
	vmm_vcpu_irq_await_sipi(ap);
	assert_int_equal(vmm_scheduler_state_change2(ap, READY, PAUSED, "kick"), VMM_OK);
	assert_int_equal(ap->state, PAUSED);
	assert_true(vmm_vcpu_irq_awaits_sipi(ap));
	/* an interrupt does not start it; an INIT keeps it waiting */
	vmm_vcpu_irq_post(ap, 0x50);
	vmm_vcpu_irq_init_signal(ap);
	assert_int_equal(ap->state, PAUSED);
	assert_true(vmm_vcpu_irq_startup(ap, 0x08));
	assert_int_equal(sipi_of(ap), 0x08 + 1);
	assert_int_equal(ap->state, READY);
	/* a reset forgets the wait */
	vmm_vcpu_irq_init_signal(ap);
	assert_true(vmm_vcpu_irq_awaits_sipi(ap));
	vmm_vcpu_irq_reset(ap);
	assert_false(vmm_vcpu_irq_awaits_sipi(ap));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_running),
		T(test_init_ready_and_hlt),
		T(test_init_ignored_reset_halted),
		T(test_sipi_starts_once),
		T(test_sipi_needs_wait),
		T(test_sipi_waits_off_cpu),
		T(test_sipi_lost),
		T(test_ap_awaits_sipi),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
