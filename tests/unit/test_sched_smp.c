/*
 * tests/unit/test_sched_smp.c - the scheduler on two host CPUs (issue 11,
 * items 4 and 5), played on the fake arch (tests/unit/sched_fixture.h):
 * the test runs on CPU0 and plays CPU1's end of trap with fx_trap_end_on(1)
 * where the real CPU1 would take the kick IPI (counted in fake_kicks[]).
 *  - placement: a VCPU made READY goes to an idle CPU it may run on;
 *  - affinity: a VCPU pinned to CPU1 is never current on CPU0;
 *  - stealing: a CPU that would idle takes a READY VCPU waiting on a busy
 *    CPU, only one allowed there and not on a CPU (on_cpu);
 *  - a change to a VCPU RUNNING on the other CPU flags that CPU, kicks it,
 *    and takes effect at its next decision;
 *  - paused and resumed before it got away: never lost, never queued twice;
 *  - a VCPU queued on a CPU that passed it over while another CPU still
 *    switched it out: that CPU is asked again, and the request survives its
 *    decision (two host threads play the two CPUs at once);
 *  - accounting per CPU (run_ns[cpu], migrations);
 *  - reset and destroy from a thread on CPU0 of VCPUs running on CPU1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <semaphore.h>
#include <sched.h>

#include "tests/unit/sched_fixture.h"

static struct vmm_guest *gq;	/* four VCPUs, priority 0 */
static struct vmm_guest *gpin;	/* vcpu0 pinned to CPU1, vcpu1 to CPU0 */
static struct vmm_guest *ghi;	/* one VCPU of priority 5 */
static struct vmm_vcpu *a, *b, *c, *d, *p1, *p0, *hi;

static int group_setup(void **state)
{
	struct vmm_guest_config *cfg;
	static const u32 five = 5;

	(void)state;
	if (fx_init_cpus(2))
		return -1;
	gq = fx_guest("q", 4, NULL, NULL);
	cfg = fx_config("pin", 2, NULL, NULL);
	cfg->vcpus[0].affinity = 1u << 1;
	cfg->vcpus[1].affinity = 1u << 0;
	gpin = fx_guest_cfg(cfg);
	ghi = fx_guest("hi", 1, NULL, &five);
	a = gq->vcpus[0];
	b = gq->vcpus[1];
	c = gq->vcpus[2];
	d = gq->vcpus[3];
	p1 = gpin->vcpus[0];
	p0 = gpin->vcpus[1];
	hi = ghi->vcpus[0];
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	return 0;
}

/* Make v RUNNING on 'cpu' (pinned there while it is put there). */
static void run_on(struct vmm_vcpu *v, u32 cpu)
{
	u64 aff = v->affinity;

	v->affinity = 1ULL << cpu;
	assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	fx_run(v);
	v->affinity = aff;
	assert_ptr_equal(fx_current_on(cpu), v);
}

/* Make 'cpu' v's home (the CPU it last ran on), v back in PAUSED->RESET. */
static void home_on(struct vmm_vcpu *v, u32 cpu)
{
	run_on(v, cpu);
	assert_int_equal(vmm_vcpu_set_state(v, RESET), VMM_OK);
	fx_trap_end_on(cpu);
	assert_int_equal(v->host_cpu, cpu);
}

static void test_two_cpus_up_each_with_its_idle_orphan(void **state)
{
	struct vmm_sched_cpu_info i;

	(void)state;
	for (u32 cpu = 0; cpu < 2; cpu++) {
		vmm_scheduler_cpu_info(cpu, &i);
		assert_true(i.up);
		assert_ptr_equal(i.current, fx_idle_of[cpu]);
		assert_int_equal(fx_idle_of[cpu]->affinity, 1u << cpu);
		assert_int_equal(fx_idle_of[cpu]->host_cpu, cpu);
	}
	assert_string_equal(fx_idle_of[1]->name, "idle/1");
	vmm_scheduler_cpu_info(2, &i);
	assert_false(i.up);
}

/* ---- placement ---- */

/* Its own CPU idles: it waits there, no IPI. */
static void test_kick_on_idle_home_cpu(void **state)
{
	(void)state;
	assert_int_equal(a->host_cpu, 0);
	assert_int_equal(vmm_manager_vcpu_kick(a), VMM_OK);
	assert_int_equal(a->host_cpu, 0);
	assert_int_equal(fx_ready_on(0), 1);
	assert_true(fx_resched_pending_on(0));
	assert_int_equal(fake_kicks[1], 0);
	fx_trap_end();
	assert_ptr_equal(fx_current_on(0), a);
}

/* Its own CPU is busy, the other idles: placed there, that CPU kicked. */
static void test_kick_placed_on_the_idle_cpu(void **state)
{
	(void)state;
	run_on(a, 0);
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	assert_int_equal(b->host_cpu, 1);
	assert_int_equal(fx_ready_on(1), 1);
	assert_int_equal(fx_ready_on(0), 0);
	assert_true(fx_resched_pending_on(1));
	assert_int_equal(fake_kicks[1], 1);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), b);
	assert_ptr_equal(fx_current_on(0), a);
	assert_int_equal(b->state, RUNNING);
	assert_int_equal(b->last_cpu, 1);
}

/* Both busy: the less loaded CPU (its own on a tie); an equal priority
 * asks no decision and sends no IPI, a higher one preempts at once there. */
static void test_kick_both_busy(void **state)
{
	(void)state;
	home_on(b, 0);
	home_on(hi, 1);
	run_on(a, 0);
	run_on(c, 1);
	fake_kicks[1] = 0;
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	assert_int_equal(b->host_cpu, 0);	/* tie: home */
	assert_int_equal(vmm_manager_vcpu_kick(d), VMM_OK);
	assert_int_equal(d->host_cpu, 1);	/* CPU1 less loaded now */
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
	assert_int_equal(fake_kicks[1], 0);
	/* a higher priority (loads tie: its home, CPU1) preempts at once */
	assert_int_equal(vmm_manager_vcpu_kick(hi), VMM_OK);
	assert_int_equal(hi->host_cpu, 1);
	assert_true(fx_resched_pending_on(1));
	assert_int_equal(fake_kicks[1], 1);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), hi);
	assert_int_equal(c->state, READY);
}

/* ---- affinity ---- */

static void test_pinned_vcpu_waits_for_its_cpu(void **state)
{
	(void)state;
	run_on(a, 1);				/* CPU1 busy, CPU0 idle */
	assert_int_equal(vmm_manager_vcpu_kick(p1), VMM_OK);
	assert_int_equal(p1->host_cpu, 1);	/* not the idle CPU0 */
	assert_false(fx_resched_pending_on(0));
	fx_trap_end_on(0);
	fx_preempt_on(0);			/* CPU0 would idle: it does not steal p1 */
	assert_ptr_equal(fx_current_on(0), fx_idle_of[0]);
	assert_true(p1->queued);
	/* but a stops on CPU1: p1 runs there */
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), p1);
}

/* Many slices, five VCPUs on two CPUs: the one pinned to CPU1 never runs
 * on CPU0, the one pinned to CPU0 never on CPU1. */
static void test_affinity_honoured_over_many_slices(void **state)
{
	struct vmm_vcpu *const v[5] = { a, b, c, p1, p0 };

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(vmm_manager_vcpu_kick(v[i]), VMM_OK);
	for (int i = 0; i < 400; i++) {
		fx_clock_to(fx_clock_ns + 1000000);
		fx_trap_end_on(0);
		fx_trap_end_on(1);
		assert_ptr_not_equal(fx_current_on(0), p1);
		assert_ptr_not_equal(fx_current_on(1), p0);
		if (i % 37 == 5) {		/* now and then one stops and comes back */
			struct vmm_vcpu *x = v[i % 5];

			if (x->state == RUNNING || x->state == READY)
				assert_int_equal(vmm_manager_vcpu_pause(x), VMM_OK);
			else
				assert_int_equal(vmm_manager_vcpu_resume(x), VMM_OK);
		}
	}
	assert_int_equal(p1->run_ns[0], 0);
	assert_int_equal(p0->run_ns[1], 0);
	assert_true(p1->run_ns[1] > 0);
	assert_true(p0->run_ns[0] > 0);
	/* every VCPU made progress */
	for (int i = 0; i < 5; i++)
		assert_true(v[i]->run_ns[0] + v[i]->run_ns[1] > 0);
}

/* ---- stealing ---- */

/* CPU1 would idle while b waits on busy CPU0: CPU1 takes it. */
static void test_idle_cpu_steals(void **state)
{
	(void)state;
	home_on(b, 0);
	run_on(a, 0);
	run_on(c, 1);
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	assert_int_equal(b->host_cpu, 0);
	assert_int_equal(vmm_manager_vcpu_pause(c), VMM_OK);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), b);
	assert_int_equal(b->host_cpu, 1);
	assert_int_equal(fx_ready_on(0), 0);
	assert_false(b->queued);
}

/* Only VCPUs allowed there: p0 (pinned to CPU0) is not stolen. */
static void test_steal_respects_affinity(void **state)
{
	(void)state;
	run_on(a, 0);
	run_on(c, 1);
	assert_int_equal(vmm_manager_vcpu_kick(p0), VMM_OK);
	assert_int_equal(p0->host_cpu, 0);
	assert_int_equal(vmm_manager_vcpu_pause(c), VMM_OK);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	assert_true(p0->queued);
	assert_int_equal(p0->host_cpu, 0);
}

/* A VCPU still on a CPU (registers not saved) is not taken by another:
 * a paused-and-resumed b, still current on CPU0 and queued there while
 * CPU1 is busy too, is not stolen by CPU1; CPU0 keeps it. */
static void test_steal_skips_a_vcpu_on_cpu(void **state)
{
	u64 m;

	(void)state;
	run_on(b, 0);
	m = b->migrations;
	run_on(c, 1);
	assert_int_equal(vmm_manager_vcpu_pause(b), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(b), VMM_OK);
	assert_int_equal(b->host_cpu, 0);	/* no idle CPU: home */
	assert_true(b->on_cpu);
	assert_int_equal(vmm_manager_vcpu_pause(c), VMM_OK);
	fx_trap_end_on(1);			/* CPU1 would idle */
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	assert_true(b->queued);
	fx_trap_end_on(0);
	assert_ptr_equal(fx_current_on(0), b);
	assert_int_equal(b->state, RUNNING);
	assert_false(b->queued);
	assert_int_equal(b->migrations, m);
}

/* ---- a change to a VCPU running on the other CPU ---- */

static void test_remote_pause_takes_effect_at_the_next_decision(void **state)
{
	(void)state;
	run_on(a, 1);
	fake_kicks[1] = 0;
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);	/* from CPU0 */
	assert_int_equal(a->state, PAUSED);
	assert_true(fx_resched_pending_on(1));
	assert_false(fx_resched_pending_on(0));
	assert_int_equal(fake_kicks[1], 1);
	/* until CPU1 passes the end of a trap, a is still on it */
	assert_ptr_equal(fx_current_on(1), a);
	assert_true(a->on_cpu);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	assert_false(a->on_cpu);
	assert_false(a->queued);
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
}

static void test_remote_halt_and_reset(void **state)
{
	(void)state;
	run_on(a, 1);
	fake_kicks[1] = 0;
	assert_int_equal(vmm_manager_vcpu_halt(a, "from cpu0"), VMM_OK);
	assert_int_equal(fake_kicks[1], 1);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	run_on(c, 1);
	fake_kicks[1] = 0;
	assert_int_equal(vmm_vcpu_set_state(c, RESET), VMM_OK);
	assert_int_equal(fake_kicks[1], 1);
	assert_true(fx_resched_pending_on(1));
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	assert_false(c->on_cpu);
}

/* Paused and resumed from CPU0 before CPU1 switched it away, CPU0 busy:
 * it stays where it is and keeps running (no switch on CPU1). */
static void test_remote_pause_resume_keeps_running(void **state)
{
	int sw;

	(void)state;
	run_on(b, 0);
	run_on(a, 1);
	sw = fx_switches;
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(a->host_cpu, 1);
	fx_trap_end_on(0);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), a);
	assert_int_equal(a->state, RUNNING);
	assert_false(a->queued);
	assert_int_equal(fx_switches, sw);
	assert_int_equal(fx_ready_on(0) + fx_ready_on(1), 0);
}

/* The same with CPU0 idle: the resumed VCPU is placed on CPU0 while CPU1
 * still holds it; CPU0 may not take it before CPU1 saved it; then it runs
 * on exactly one CPU, queued once, never lost. */
static void test_remote_pause_resume_with_idle_cpu_never_lost(void **state)
{
	(void)state;
	run_on(a, 1);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(fx_ready_on(0) + fx_ready_on(1), 1);
	/* CPU0 first: a is still on CPU1, not takeable */
	fx_trap_end_on(0);
	assert_ptr_not_equal(fx_current_on(0), a);
	assert_true(a->on_cpu);
	fx_trap_end_on(1);
	/* whatever CPU1 decided, a is on one CPU or queued once */
	for (int i = 0; i < 4 && !(a->state == RUNNING); i++) {
		fx_trap_end_on(0);
		fx_trap_end_on(1);
	}
	assert_int_equal(a->state, RUNNING);
	assert_true((fx_current_on(0) == a) != (fx_current_on(1) == a));
	assert_false(a->queued);
	assert_int_equal(fx_ready_on(0) + fx_ready_on(1), 0);
	assert_true(a->on_cpu);
}

/*
 * Paused and resumed from CPU0 while a runs on CPU1 and CPU0 idles: a is
 * queued on CPU0 while CPU1 still holds it. CPU0 then gets busy with b (an
 * equal priority) before either CPU decided. Both CPUs decide: b keeps
 * CPU0, and a must not sit READY behind b while CPU1 idles (a VCPU whose
 * CPU is busy moves to an idle one). At the latest b's slice end hands it
 * to CPU1 (slice_expired kicks an idle CPU when a VCPU waits).
 */
static void test_resumed_vcpu_does_not_wait_while_a_cpu_idles(void **state)
{
	bool waits_while_idle;

	(void)state;
	home_on(b, 0);
	run_on(a, 1);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_resume(a), VMM_OK);
	assert_int_equal(a->host_cpu, 0);	/* placed on the idle CPU0 */
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	assert_int_equal(b->host_cpu, 0);
	fx_trap_end_on(0);			/* CPU0 runs b (a is on CPU1) */
	assert_ptr_equal(fx_current_on(0), b);
	fx_trap_end_on(1);			/* CPU1 lets a go */
	fx_trap_end_on(0);			/* CPU0 answers CPU1's request */
	fx_trap_end_on(1);
	/* never lost, queued once */
	assert_true(a->state == RUNNING || (a->state == READY && a->queued));
	assert_int_equal(fx_ready_on(0) + fx_ready_on(1), a->state == READY);
	waits_while_idle = a->state == READY && fx_current_on(1) == fx_idle_of[1];
	/* the slice end of b rescues it */
	fx_clock_to(vmm_timer_next_expiry());
	fx_trap_end_on(0);
	fx_trap_end_on(1);
	assert_int_equal(a->state, RUNNING);
	assert_false(a->queued);
	if (waits_while_idle)
		fail_msg("a waited READY on busy CPU0 while CPU1 idled until b's slice end "
			 "(steal() does not take back the VCPU the stealing CPU itself is "
			 "switching out: on_cpu, and pick_arg.cur is NULL there)");
}

/*
 * The interleaving of the Linux guest's RCU stall (a VCPU READY for 21 s):
 * CPU0 preempts b for c and queues b on CPU1, whose a has just paused (HLT;
 * CPU1 is asked to decide). CPU1 decides while CPU0 is still switching b
 * out (b on_cpu): its pick passes b over and chooses its idle orphan. CPU0
 * then finishes the switch and asks CPU1 again - inside CPU1's decision,
 * between its pick and its end, which cleared the flag with the requests
 * it answered: CPU1 idled with b queued, nobody asked it again, and CPU0
 * never steals from an idle CPU. Two host threads play the CPUs, the
 * fixture's hooks choose the order: CPU0's thread stops in its switch
 * (fx_switch_hook) until CPU1 has picked (fx_now_hook), then goes on while
 * CPU1 finishes (or spins on the scheduler's lock meanwhile).
 */
static sem_t cpu0_in_switch, cpu0_go, cpu0_done;
static volatile int cpu0_spinning;

static void stop_in_switch(struct vmm_vcpu *from, struct vmm_vcpu *to)
{
	(void)to;
	if (from != b)
		return;
	fx_switch_hook = NULL;
	sem_post(&cpu0_in_switch);
	sem_wait(&cpu0_go);
}

/* CPU0 waits for a lock CPU1 holds: CPU1 may go on */
static void cpu0_spins(void)
{
	if (fake_cpu_id == 0 && !cpu0_spinning) {
		cpu0_spinning = 1;
		sem_post(&cpu0_done);
	}
	sched_yield();
}

static void *cpu0_thread(void *arg)
{
	(void)arg;
	fx_on(0);
	fx_preempt();		/* b gives way to c; CPU0 queues b on CPU1 */
	if (!cpu0_spinning)
		sem_post(&cpu0_done);
	return NULL;
}

/* CPU1 has picked: CPU0 finishes its switch now */
static void cpu1_picked(void)
{
	sem_post(&cpu0_go);
	sem_wait(&cpu0_done);
}

static void test_request_from_a_switch_survives_the_decision_it_meets(void **state)
{
	pthread_t t;
	u64 c_aff;

	(void)state;
	sem_init(&cpu0_in_switch, 0, 0);
	sem_init(&cpu0_go, 0, 0);
	sem_init(&cpu0_done, 0, 0);
	cpu0_spinning = 0;
	run_on(a, 1);
	run_on(b, 0);
	/* c waits READY on busy CPU0 (pinned there while it is queued) */
	c_aff = c->affinity;
	c->affinity = 1ULL << 0;
	assert_int_equal(vmm_manager_vcpu_kick(c), VMM_OK);
	c->affinity = c_aff;
	assert_true(c->queued);
	assert_int_equal(c->host_cpu, 0);
	/* a executes HLT on CPU1: paused there, CPU1 asked to decide */
	fx_on(1);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	fx_on(0);
	assert_true(fx_resched_pending_on(1));

	fx_switch_hook = stop_in_switch;
	fake_relax_hook = cpu0_spins;
	assert_int_equal(pthread_create(&t, NULL, cpu0_thread, NULL), 0);
	sem_wait(&cpu0_in_switch);
	/* CPU0 is switching b out: b waits on CPU1's queue, still on_cpu */
	assert_int_equal(b->state, READY);
	assert_int_equal(b->host_cpu, 1);
	assert_true(b->on_cpu);
	/* CPU1 decides; right after its pick CPU0 finishes the switch */
	fx_now_hook_cpu = 1;
	fx_now_hook = cpu1_picked;
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);	/* b passed over */
	assert_int_equal(pthread_join(t, NULL), 0);
	fake_relax_hook = NULL;
	fx_now_hook = NULL;
	assert_ptr_equal(fx_current_on(0), c);
	assert_false(b->on_cpu);
	assert_true(b->queued);
	/* CPU1 idles with b queued: it must have been asked to decide again
	 * (its idle loop looks at the flag before it halts) */
	if (!fx_resched_pending_on(1))
		fail_msg("CPU1 idles with b READY on its queue and no request: CPU0's request "
			 "after b left it was cleared by CPU1's decision (b stays there until "
			 "something else makes CPU1 decide; CPU0 does not steal from an idle CPU)");
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), b);
	assert_int_equal(b->state, RUNNING);
	sem_destroy(&cpu0_in_switch);
	sem_destroy(&cpu0_go);
	sem_destroy(&cpu0_done);
}

/* ---- accounting per CPU ---- */

static void test_run_ns_per_cpu_and_migrations(void **state)
{
	u64 r0, r1, m;

	(void)state;
	home_on(b, 0);
	r0 = b->run_ns[0];
	r1 = b->run_ns[1];
	m = b->migrations;
	run_on(a, 0);
	run_on(c, 1);
	assert_int_equal(vmm_manager_vcpu_pause(a), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);
	assert_int_equal(b->host_cpu, 0);	/* CPU0 is still "busy" until its trap end */
	fx_trap_end_on(0);
	assert_ptr_equal(fx_current_on(0), b);
	fx_clock_to(fx_clock_ns + 3000);
	/* preempted on CPU0 by a higher priority, stolen by CPU1 */
	hi->affinity = 1;
	assert_int_equal(vmm_manager_vcpu_kick(hi), VMM_OK);
	fx_trap_end_on(0);
	assert_ptr_equal(fx_current_on(0), hi);
	assert_int_equal(vmm_manager_vcpu_pause(c), VMM_OK);
	fx_trap_end_on(1);
	assert_ptr_equal(fx_current_on(1), b);
	fx_clock_to(fx_clock_ns + 4000);
	assert_int_equal(vmm_manager_vcpu_pause(b), VMM_OK);
	fx_trap_end_on(1);
	hi->affinity = 0;
	assert_int_equal(b->run_ns[0] - r0, 3000);
	assert_int_equal(b->run_ns[1] - r1, 4000);
	assert_int_equal(b->migrations - m, 1);
	assert_int_equal(b->last_cpu, 1);
}

/* ---- reset and destroy from a thread of VCPUs running on CPU1 ---- */

static void test_thread_resets_a_vcpu_running_on_cpu1(void **state)
{
	(void)state;
	run_on(a, 1);
	fx_thread_enter();
	assert_int_equal(vmm_manager_vcpu_reset(a), VMM_OK);	/* waits for CPU1 */
	assert_int_equal(a->state, RESET);
	assert_false(a->on_cpu);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	assert_int_equal(fx_arch_resets, 1);
	fx_thread_leave();
}

static void test_thread_resets_a_guest_running_on_cpu1(void **state)
{
	(void)state;
	run_on(a, 1);
	run_on(b, 0);
	assert_int_equal(vmm_manager_vcpu_pause(b), VMM_OK);
	fx_trap_end_on(0);
	fx_thread_enter();
	assert_int_equal(vmm_manager_guest_reset(gq), VMM_OK);	/* waits for CPU1 */
	assert_int_equal(fx_arch_resets, 4);
	assert_false(a->on_cpu);
	/* kicked again: the boot VCPU READY, the others wait for their SIPI */
	assert_int_equal(a->state, READY);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(gq->vcpus[i]->state, PAUSED);
		assert_true(arch_vcpu_waits_for_sipi(gq->vcpus[i]));
	}
	fx_thread_leave();
	fx_trap_end_on(1);
	assert_true(fx_current_on(0) == a || fx_current_on(1) == a);
}

static void test_thread_destroys_a_guest_running_on_cpu1(void **state)
{
	struct vmm_guest *g = fx_guest("gone", 2, NULL, NULL);
	u32 id0 = g->vcpus[0]->id;

	(void)state;
	run_on(g->vcpus[0], 1);
	assert_int_equal(vmm_manager_vcpu_kick(g->vcpus[1]), VMM_OK);
	fx_thread_enter();
	assert_int_equal(vmm_manager_guest_destroy(g), VMM_OK);
	assert_ptr_equal(fx_current_on(1), fx_idle_of[1]);
	assert_null(vmm_manager_vcpu(id0));
	assert_null(vmm_manager_guest_find("gone"));
	assert_int_equal(fx_ready_on(0) + fx_ready_on(1), 0);
	fx_thread_leave();
}

/* ---- changing affinity ---- */

/* A running VCPU whose new affinity leaves out its CPU goes at once; a
 * queued one is queued again on a CPU it may use. */
static void test_set_affinity_moves_running_and_queued(void **state)
{
	(void)state;
	run_on(a, 0);
	run_on(c, 1);
	home_on(b, 0);
	assert_int_equal(vmm_manager_vcpu_kick(b), VMM_OK);	/* queued behind a */
	fx_trap_end_on(0);
	assert_int_equal(b->host_cpu, 0);
	assert_true(b->queued);
	/* b may only use CPU1: it is queued there */
	assert_int_equal(vmm_scheduler_set_affinity(b, 1ULL << 1), VMM_OK);
	assert_int_equal(b->host_cpu, 1);
	assert_true(b->queued);
	/* a may only use CPU1: CPU0 lets it go at its next decision */
	fake_kicks[0] = 0;
	assert_int_equal(vmm_scheduler_set_affinity(a, 1ULL << 1), VMM_OK);
	assert_true(fx_resched_pending_on(0));
	fx_trap_end_on(0);
	assert_ptr_equal(fx_current_on(0), fx_idle_of[0]);
	assert_int_equal(a->state, READY);
	assert_int_equal(a->host_cpu, 1);
	/* and it never runs on CPU0 again */
	for (int i = 0; i < 6; i++) {
		fx_clock_to(fx_clock_ns + FX_SLICE_NS);
		fx_trap_end_on(1);
		fx_trap_end_on(0);
		assert_true(fx_current_on(0) != a);
	}
	/* a mask of CPUs that run no scheduler is refused, nothing changes */
	fake_console_reset();
	assert_int_equal(vmm_scheduler_set_affinity(a, 1ULL << 5), -VMM_EINVALID);
	assert_true(fake_console_contains("names no CPU that runs the scheduler"));
	assert_int_equal(a->affinity, 1ULL << 1);
	/* back to any CPU, for the tests that follow */
	assert_int_equal(vmm_scheduler_set_affinity(a, 0), VMM_OK);
	assert_int_equal(vmm_scheduler_set_affinity(b, 0), VMM_OK);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_two_cpus_up_each_with_its_idle_orphan),
		T(test_kick_on_idle_home_cpu),
		T(test_kick_placed_on_the_idle_cpu),
		T(test_kick_both_busy),
		T(test_pinned_vcpu_waits_for_its_cpu),
		T(test_set_affinity_moves_running_and_queued),
		T(test_affinity_honoured_over_many_slices),
		T(test_idle_cpu_steals),
		T(test_steal_respects_affinity),
		T(test_steal_skips_a_vcpu_on_cpu),
		T(test_remote_pause_takes_effect_at_the_next_decision),
		T(test_remote_halt_and_reset),
		T(test_remote_pause_resume_keeps_running),
		T(test_remote_pause_resume_with_idle_cpu_never_lost),
		T(test_resumed_vcpu_does_not_wait_while_a_cpu_idles),
		T(test_request_from_a_switch_survives_the_decision_it_meets),
		T(test_run_ns_per_cpu_and_migrations),
		T(test_thread_resets_a_vcpu_running_on_cpu1),
		T(test_thread_resets_a_guest_running_on_cpu1),
		T(test_thread_destroys_a_guest_running_on_cpu1),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
