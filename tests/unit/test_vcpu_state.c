/*
 * tests/unit/test_vcpu_state.c - the VCPU life cycle (issue 11, items 1, 5
 * and 6): the transition table of kernel/vcpu_state.c (figure 3 of the
 * Xvisor design, chapter 4) and every public operation applied to a VCPU in
 * every state, through the real manager and scheduler on the fake arch with
 * one host CPU (tests/unit/sched_fixture.h); the guest-wide operations,
 * destroy with slot reuse, and orphan VCPUs.
 *
 * The operations and the arrows they take:
 *   create   UNKNOWN -> RESET          (vcpu_create_common)
 *   kick     RESET -> READY            vmm_manager_vcpu_kick (READY/RUNNING: no-op)
 *   resume   PAUSED -> READY           vmm_manager_vcpu_resume
 *   pause    READY/RUNNING -> PAUSED   vmm_manager_vcpu_pause
 *   halt     READY/RUNNING -> HALTED   vmm_manager_vcpu_halt
 *   reset    any -> RESET              vmm_manager_vcpu_reset (thread context only)
 *   destroy  RESET -> UNKNOWN          vmm_manager_guest_destroy / _orphan_destroy
 *   the scheduler's arrows READY <-> RUNNING: vmm_scheduler_resched only
 * vmm_vcpu_set_state(to) takes any arrow but the scheduler's. Every other
 * change is refused with -VMM_EILLEGAL, an error line naming the VCPU, both
 * states and the operation, and nothing changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"

/* Figure 3, drawn again by hand: arrow[from][to]. */
static const bool arrow[NSTATES][NSTATES] = {
	[UNKNOWN] = { [RESET] = true },					/* Create */
	[RESET] = { [UNKNOWN] = true, [READY] = true },			/* Destroy, Kick */
	[READY] = { [RUNNING] = true, [PAUSED] = true, [HALTED] = true,	/* Scheduler, Pause, Halt, */
		    [RESET] = true },						/* Reset */
	[RUNNING] = { [READY] = true, [PAUSED] = true, [HALTED] = true,	/* Scheduler, Pause, Halt, */
		      [RESET] = true },						/* Reset */
	[PAUSED] = { [READY] = true, [RESET] = true },			/* Resume, Reset */
	[HALTED] = { [RESET] = true },					/* Reset */
};

static bool sched_arrow(enum vmm_vcpu_state from, enum vmm_vcpu_state to)
{
	return (from == READY && to == RUNNING) || (from == RUNNING && to == READY);
}

static struct vmm_guest *g1;	/* one VCPU */
static struct vmm_guest *g2;	/* two VCPUs */
static struct vmm_vcpu *v, *w;

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	g1 = fx_guest("g1", 1, NULL, NULL);
	g2 = fx_guest("g2", 2, NULL, NULL);
	v = g1->vcpus[0];
	w = g2->vcpus[0];
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_quiesce();
	return 0;
}

/* ---- the table itself ---- */

static void test_table_is_figure_3(void **state)
{
	(void)state;
	for (int from = 0; from < NSTATES; from++)
		for (int to = 0; to < NSTATES; to++) {
			bool ok = vmm_vcpu_state_transition_ok(from, to);

			if (ok != arrow[from][to])
				fail_msg("%s -> %s: table says %d, figure 3 says %d",
					 vmm_vcpu_state_name(from), vmm_vcpu_state_name(to),
					 ok, arrow[from][to]);
		}
	for (int s = 0; s < NSTATES; s++)
		assert_false(vmm_vcpu_state_transition_ok(s, s));
	assert_false(vmm_vcpu_state_transition_ok(NSTATES, RESET));
	assert_false(vmm_vcpu_state_transition_ok(RESET, NSTATES));
	assert_false(vmm_vcpu_state_transition_ok((enum vmm_vcpu_state)-1, RESET));
}

static void test_state_names(void **state)
{
	static const char *const names[] = { "UNKNOWN", "RESET", "READY", "RUNNING", "PAUSED", "HALTED" };

	(void)state;
	for (int s = 0; s < NSTATES; s++)
		assert_string_equal(vmm_vcpu_state_name(s), names[s]);
	assert_string_equal(vmm_vcpu_state_name(NSTATES), "?");
}

/* ---- every state x every operation, through the public operations ---- */

enum op {
	OP_KICK, OP_RESUME, OP_PAUSE, OP_USER_PAUSE, OP_HALT,
	OP_SET_UNKNOWN, OP_SET_RESET, OP_SET_READY, OP_SET_RUNNING, OP_SET_PAUSED, OP_SET_HALTED,
	NOPS
};
static const char *const op_word[NOPS] = {
	"kick", "resume", "pause", "pause", "halt",
	"state change", "state change", "state change", "state change", "state change",
	"state change",
};
static const enum vmm_vcpu_state op_target[NOPS] = {
	READY, READY, PAUSED, PAUSED, HALTED, UNKNOWN, RESET, READY, RUNNING, PAUSED, HALTED
};

/* The one state an operation that means one arrow starts from (kick:
 * RESET -> READY, resume: PAUSED -> READY); others: any (-1). */
static const int op_from[NOPS] = {
	RESET, PAUSED, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int apply(struct vmm_vcpu *x, enum op op)
{
	switch (op) {
	case OP_KICK:
		return vmm_manager_vcpu_kick(x);
	case OP_RESUME:
		return vmm_manager_vcpu_resume(x);
	case OP_PAUSE:
		return vmm_manager_vcpu_pause(x);
	case OP_USER_PAUSE:
		return vmm_manager_vcpu_user_pause(x);
	case OP_HALT:
		return vmm_manager_vcpu_halt(x, "matrix");
	default:
		return vmm_vcpu_set_state(x, op_target[op]);
	}
}

static void check_cell(enum vmm_vcpu_state from, enum op op)
{
	enum vmm_vcpu_state to = op_target[op];
	char msg[160], line[160];
	bool was_queued, was_pending;
	int rc;

	fx_quiesce();
	fx_to_state(v, from);
	snprintf(v->halt_reason, sizeof(v->halt_reason), "before");
	was_queued = v->queued;
	was_pending = fx_resched_pending();
	fake_console_reset();
	rc = apply(v, op);
	snprintf(msg, sizeof(msg), "%s(%s) on a %s VCPU", op_word[op], vmm_vcpu_state_name(to),
		 vmm_vcpu_state_name(from));
	/* kick of a runnable VCPU, the terminal's pause of a paused one: a
	 * silent no-op (issue 11, item 5) */
	if ((op == OP_KICK && (from == READY || from == RUNNING)) ||
	    (op == OP_USER_PAUSE && from == PAUSED)) {
		if (rc != VMM_OK || v->state != from || fake_console_len())
			fail_msg("%s: rc %d, state %s, console '%s'; want a silent no-op", msg, rc,
				 vmm_vcpu_state_name(v->state), fake_console_text());
		assert_int_equal(v->queued, was_queued);
		assert_int_equal(fx_resched_pending(), was_pending);
		if (from == RUNNING)
			assert_ptr_equal(vmm_scheduler_current(), v);
		assert_int_equal(vmm_scheduler_ready_count(), from == READY);
		return;
	}
	if (!arrow[from][to] || sched_arrow(from, to) || (op_from[op] >= 0 && op_from[op] != (int)from)) {
		if (rc != -VMM_EILLEGAL)
			fail_msg("%s: rc %d, want -VMM_EILLEGAL", msg, rc);
		if (v->state != from)
			fail_msg("%s: refused but the state is now %s", msg,
				 vmm_vcpu_state_name(v->state));
		/* the error line names the VCPU, the operation and both states */
		snprintf(line, sizeof(line), "vcpu g1/vcpu0: %s refused: ", op_word[op]);
		if (!fake_console_contains(line))
			fail_msg("%s: no line '%s' (console: %s)", msg, line, fake_console_text());
		snprintf(line, sizeof(line), "%s -> %s", vmm_vcpu_state_name(from),
			 vmm_vcpu_state_name(to));
		if (!fake_console_contains(line))
			fail_msg("%s: the line does not name '%s' (console: %s)", msg, line,
				 fake_console_text());
		if (sched_arrow(from, to) && !fake_console_contains("only the scheduler"))
			fail_msg("%s: the refusal does not say it is the scheduler's arrow (%s)", msg,
				 fake_console_text());
		/* nothing else moved: queue, current VCPU, pending decision, reason */
		assert_int_equal(v->queued, was_queued);
		assert_int_equal(fx_resched_pending(), was_pending);
		if (from == RUNNING)
			assert_ptr_equal(vmm_scheduler_current(), v);
		assert_string_equal(v->halt_reason, "before");
		if (op == OP_HALT && fake_console_contains("halted"))
			fail_msg("%s: a refused halt printed 'halted' (%s)", msg, fake_console_text());
		return;
	}
	if (rc != VMM_OK)
		fail_msg("%s: rc %d, want VMM_OK", msg, rc);
	if (v->state != to)
		fail_msg("%s: state %s, want %s", msg, vmm_vcpu_state_name(v->state),
			 vmm_vcpu_state_name(to));
	if (fake_console_contains("refused"))
		fail_msg("%s: allowed but an error line was printed", msg);
	if (op == OP_HALT) {
		assert_string_equal(v->halt_reason, "matrix");
		assert_true(fake_console_contains("guest g1 g1/vcpu0 halted: matrix"));
	}
	/* the queue follows the state: queued exactly when READY */
	if (v->queued != (to == READY))
		fail_msg("%s: %s and %squeued", msg, vmm_vcpu_state_name(to), v->queued ? "" : "not ");
	/* a running VCPU that stops running is switched away at the end of the trap */
	if (from == RUNNING) {
		assert_true(fx_resched_pending());
		fx_trap_end();
		assert_ptr_equal(vmm_scheduler_current(), fx_idle);
		assert_false(v->on_cpu);
	}
	/* a VCPU made READY while the idle orphan runs is run at the end of the trap */
	if (to == READY) {
		assert_true(fx_resched_pending());
		fx_trap_end();
		assert_ptr_equal(vmm_scheduler_current(), v);
		assert_int_equal(v->state, RUNNING);
		assert_false(v->queued);
	}
}

static void check_row(enum vmm_vcpu_state from)
{
	for (int op = 0; op < NOPS; op++)
		check_cell(from, op);
}

static void test_from_unknown(void **state) { (void)state; check_row(UNKNOWN); }
static void test_from_reset(void **state) { (void)state; check_row(RESET); }
static void test_from_ready(void **state) { (void)state; check_row(READY); }
static void test_from_running(void **state) { (void)state; check_row(RUNNING); }
static void test_from_paused(void **state) { (void)state; check_row(PAUSED); }
static void test_from_halted(void **state) { (void)state; check_row(HALTED); }

/* ---- reset of one VCPU: a thread's operation ---- */

/* Outside a thread (a VM exit, the idle orphan) it is refused in every
 * state, with the VCPU and the operation named, and nothing changes. */
static void test_vcpu_reset_refused_outside_a_thread(void **state)
{
	(void)state;
	for (int s = 0; s < NSTATES; s++) {
		fx_quiesce();
		fx_to_state(v, s);
		fake_console_reset();
		assert_int_equal(vmm_manager_vcpu_reset(v), -VMM_EINVALID);
		assert_int_equal(v->state, s);
		assert_true(fake_console_contains("vcpu g1/vcpu0: reset refused"));
		assert_int_equal(fx_arch_resets, 0);
	}
}

/* From a thread: every state to RESET (the arch reset done, the halt
 * reason cleared, not queued); RESET itself is reset again in place. */
static void test_vcpu_reset_from_a_thread(void **state)
{
	static const enum vmm_vcpu_state from[] = { RESET, READY, PAUSED, HALTED, UNKNOWN };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(from); i++) {
		fx_quiesce();
		fx_to_state(v, from[i]);
		fx_thread_enter();
		fake_console_reset();
		assert_int_equal(vmm_manager_vcpu_reset(v), VMM_OK);
		assert_int_equal(v->state, RESET);
		assert_false(v->queued);
		assert_string_equal(v->halt_reason, "");
		assert_int_equal(fx_arch_resets, 1);
		assert_false(fake_console_contains("refused"));
		fx_thread_leave();
	}
}

/* ---- the scheduler's two arrows, taken by the scheduler ---- */

static void test_scheduler_arrows(void **state)
{
	(void)state;
	assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(w), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), v);
	assert_int_equal(v->state, RUNNING);
	assert_false(v->queued);
	assert_true(v->on_cpu);
	fx_preempt();
	assert_int_equal(v->state, READY);
	assert_true(v->queued);
	assert_false(v->on_cpu);
	assert_ptr_equal(vmm_scheduler_current(), w);
	assert_int_equal(w->state, RUNNING);
	assert_ptr_equal(fx_switch_from, v);
	assert_ptr_equal(fx_switch_to, w);
	assert_false(fake_console_contains("refused"));
}

/*
 * The former KNOWN_WRONG of issue 11: a RUNNING -> READY change asked from
 * outside the scheduler is refused (a kick of a RUNNING VCPU is a no-op),
 * so the VCPU is never lost: it keeps running and, preempted, runs again.
 */
static void test_running_vcpu_is_never_lost(void **state)
{
	(void)state;
	fx_to_state(v, RUNNING);
	assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	assert_int_equal(vmm_vcpu_set_state(v, READY), -VMM_EILLEGAL);
	assert_int_equal(vmm_manager_guest_kick(g1), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), v);
	assert_int_equal(v->state, RUNNING);
	assert_int_equal(vmm_manager_vcpu_kick(w), VMM_OK);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), w);
	assert_true(v->queued);
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), v);
}

/* The former KNOWN_WRONG: READY -> RUNNING from outside is refused; the
 * VCPU stays READY and queued once. */
static void test_set_running_refused_outside_scheduler(void **state)
{
	(void)state;
	fx_to_state(v, READY);
	fake_console_reset();
	assert_int_equal(vmm_vcpu_set_state(v, RUNNING), -VMM_EILLEGAL);
	assert_int_equal(v->state, READY);
	assert_true(v->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	assert_true(fake_console_contains(
		"vcpu g1/vcpu0: state change refused: READY -> RUNNING is an arrow only the scheduler takes"));
}

/* The former KNOWN_WRONG: a refused halt leaves the reason alone and does
 * not report the VCPU halted. */
static void test_refused_halt_leaves_reason_and_output(void **state)
{
	(void)state;
	fx_to_state(v, PAUSED);
	v->halt_reason[0] = 0;
	fake_console_reset();
	assert_int_equal(vmm_manager_vcpu_halt(v, "should not show"), -VMM_EILLEGAL);
	assert_int_equal(v->state, PAUSED);
	assert_string_equal(v->halt_reason, "");
	assert_false(fake_console_contains("should not show"));
	assert_true(fake_console_contains("vcpu g1/vcpu0: halt refused: figure 3 has no arrow PAUSED -> HALTED"));
}

/* ---- orphans and the idle orphan ---- */

static void test_orphan_create_and_destroy(void **state)
{
	struct vmm_vcpu *o;
	u32 count, id;
	long pages = fx_pages_live;

	(void)state;
	o = vmm_manager_orphan_create("orphan/test", fx_idle->orphan_entry, 8192, 5000000);
	assert_non_null(o);
	assert_false(o->is_normal);
	assert_null(o->guest);
	assert_int_equal(o->state, RESET);
	assert_int_equal(o->time_slice_ns, 5000000);
	assert_false(o->queued);
	assert_ptr_equal(vmm_manager_vcpu(o->id), o);
	assert_ptr_equal(vmm_manager_vcpu_find("orphan/test"), o);
	assert_int_equal(fx_pages_live, pages + 1);
	count = vmm_manager_vcpu_count();
	id = o->id;
	/* a guest VCPU is not an orphan */
	assert_int_equal(vmm_manager_orphan_destroy(v), -VMM_EINVALID);
	/* destroyed from READY: through RESET to UNKNOWN, stack freed, slot free */
	assert_int_equal(vmm_manager_vcpu_kick(o), VMM_OK);
	assert_true(o->queued);
	assert_int_equal(vmm_manager_orphan_destroy(o), VMM_OK);
	assert_int_equal(o->state, UNKNOWN);
	assert_false(o->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_int_equal(fx_pages_live, pages);
	assert_null(vmm_manager_vcpu(id));
	assert_null(vmm_manager_vcpu_find("orphan/test"));
	/* the slot is reused; the table does not grow */
	o = vmm_manager_orphan_create("orphan/again", NULL, 0, 1000000);
	assert_non_null(o);
	assert_int_equal(o->id, id);
	assert_int_equal(vmm_manager_vcpu_count(), count);
	/* a HALTED orphan is destroyed too */
	assert_int_equal(vmm_manager_vcpu_kick(o), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_halt(o, "done"), VMM_OK);
	assert_true(fake_console_contains("orphan orphan/again halted: done"));
	assert_int_equal(vmm_manager_orphan_destroy(o), VMM_OK);
	assert_null(vmm_manager_vcpu(id));
}

static void test_idle_orphan_running_and_unqueued(void **state)
{
	(void)state;
	assert_non_null(fx_idle);
	assert_false(fx_idle->is_normal);
	assert_string_equal(fx_idle->name, "idle/0");
	assert_int_equal(fx_idle->state, RUNNING);
	assert_false(fx_idle->queued);
	assert_int_equal(fx_idle->affinity, 1);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	/* preempted with nothing to run: it stays, no switch, no slice */
	fx_preempt();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(fx_switches, 0);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
}

/* ---- guest-wide operations ---- */

/* Kick: the boot VCPU READY, the others PAUSED waiting for a SIPI. */
static void test_guest_kick_boot_vcpu_only(void **state)
{
	struct vmm_vcpu *ap = g2->vcpus[1];

	(void)state;
	assert_int_equal(vmm_manager_guest_kick(g2), VMM_OK);
	assert_int_equal(w->state, READY);
	assert_int_equal(ap->state, PAUSED);
	assert_true(arch_vcpu_waits_for_sipi(ap));
	assert_false(arch_vcpu_waits_for_sipi(w));
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	/* again: nothing moves, nothing is reported */
	fake_console_reset();
	assert_int_equal(vmm_manager_guest_kick(g2), VMM_OK);
	assert_int_equal(ap->state, PAUSED);
	assert_int_equal(fake_console_len(), 0);
	/* guest resume leaves a VCPU that waits for its SIPI alone */
	assert_int_equal(vmm_manager_guest_resume(g2), VMM_OK);
	assert_int_equal(ap->state, PAUSED);
	/* and its own resume is refused: only a SIPI starts it */
	fake_console_reset();
	assert_int_equal(vmm_manager_vcpu_resume(ap), -VMM_EILLEGAL);
	assert_true(fake_console_contains("resume refused: it waits for a start-up IPI"));
	assert_int_equal(ap->state, PAUSED);
	/* pause and resume of the guest: the boot VCPU only */
	fake_console_reset();
	assert_int_equal(vmm_manager_guest_pause(g2), VMM_OK);
	assert_int_equal(w->state, PAUSED);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_int_equal(vmm_manager_guest_resume(g2), VMM_OK);
	assert_int_equal(w->state, READY);
	assert_int_equal(ap->state, PAUSED);
	assert_false(fake_console_contains("refused"));
}

/* start_all: every VCPU is kicked. */
static void test_guest_kick_start_all(void **state)
{
	static struct vmm_guest *gs;

	(void)state;
	if (!gs) {
		struct vmm_guest_config *cfg = fx_config("gall", 2, NULL, NULL);

		cfg->start_all = true;
		gs = fx_guest_cfg(cfg);
	}
	assert_int_equal(vmm_manager_guest_kick(gs), VMM_OK);
	assert_int_equal(gs->vcpus[0]->state, READY);
	assert_int_equal(gs->vcpus[1]->state, READY);
	assert_false(arch_vcpu_waits_for_sipi(gs->vcpus[1]));
	assert_int_equal(vmm_scheduler_ready_count(), 2);
}

/* A guest kick returns the error of a VCPU it could not kick. */
static void test_guest_kick_halted_boot_vcpu(void **state)
{
	(void)state;
	fx_to_state(w, HALTED);
	fake_console_reset();
	assert_int_equal(vmm_manager_guest_kick(g2), -VMM_EILLEGAL);
	assert_int_equal(w->state, HALTED);
	assert_true(fake_console_contains("vcpu g2/vcpu0: kick refused: figure 3 has no arrow HALTED -> READY"));
}

/* Guest pause: READY and RUNNING VCPUs pause, the running one is switched
 * away at the end of the trap. */
static void test_guest_pause_running(void **state)
{
	(void)state;
	fx_to_state(w, RUNNING);
	fx_to_state(g2->vcpus[1], READY);
	assert_int_equal(vmm_manager_guest_pause(g2), VMM_OK);
	assert_int_equal(w->state, PAUSED);
	assert_int_equal(g2->vcpus[1]->state, PAUSED);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(vmm_manager_guest_resume(g2), VMM_OK);
	assert_int_equal(w->state, READY);
	assert_int_equal(g2->vcpus[1]->state, READY);
}

/* Halt: READY and RUNNING VCPUs halt, PAUSED ones through READY at once,
 * RESET ones stay. */
static void test_guest_halt(void **state)
{
	(void)state;
	fx_to_state(g2->vcpus[0], RUNNING);
	fx_to_state(g2->vcpus[1], PAUSED);
	fake_console_reset();
	assert_int_equal(vmm_manager_guest_halt(g2, "from the test"), VMM_OK);
	assert_int_equal(g2->vcpus[0]->state, HALTED);
	assert_int_equal(g2->vcpus[1]->state, HALTED);
	assert_string_equal(g2->vcpus[0]->halt_reason, "from the test");
	assert_string_equal(g2->vcpus[1]->halt_reason, "from the test");
	assert_true(fake_console_contains("guest g2 g2/vcpu0 halted: from the test"));
	assert_true(fake_console_contains("guest g2 g2/vcpu1 halted: from the test"));
	assert_false(fake_console_contains("refused"));
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	fx_quiesce();
	assert_int_equal(vmm_manager_guest_halt(g2, "again"), VMM_OK);
	assert_int_equal(g2->vcpus[0]->state, RESET);
	assert_false(fake_console_contains("refused"));
}

/* Reset asked from outside a thread (a triple fault in a VM exit): the
 * VCPUs are stopped at once (RESET); the rest is the manager thread's. */
static void test_guest_reset_outside_a_thread_stops_now(void **state)
{
	(void)state;
	fx_to_state(w, RUNNING);
	fx_to_state(g2->vcpus[1], PAUSED);
	/* the terminal's (cold) reset needs a thread: refused, nothing moved */
	fake_console_reset();
	assert_int_equal(vmm_manager_guest_reset(g2), -VMM_EINVALID);
	assert_true(fake_console_contains("reset refused: only a thread"));
	assert_int_equal(w->state, RUNNING);
	/* the guest's own (warm) reset: VCPUs stop now, the rest is deferred */
	assert_int_equal(vmm_manager_guest_reboot(g2), VMM_OK);
	assert_int_equal(w->state, RESET);
	assert_int_equal(g2->vcpus[1]->state, RESET);
	assert_int_equal(fx_arch_resets, 0);	/* not here: in the manager thread */
	assert_true(fx_resched_pending());
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	/* the manager thread's turn: the guest starts again, RAM kept */
	fx_thread_enter();
	assert_int_equal(vmm_manager_do_pending_resets(), 1);
	fx_thread_leave();
	assert_int_equal(fx_arch_resets, g2->nr_vcpus);
	/* kicked again: the thread gave CPU0 away, so w runs */
	assert_int_equal(w->state, RUNNING);
	assert_int_equal(vmm_manager_do_pending_resets(), -VMM_EINVALID);	/* not a thread */
}

/* Reset from a thread: every VCPU through RESET (arch reset, reason
 * cleared) and the guest kicked again; a halted guest runs again. */
static void test_guest_reset_from_a_thread_runs_again(void **state)
{
	(void)state;
	fx_to_state(g2->vcpus[0], HALTED);
	fx_to_state(g2->vcpus[1], HALTED);
	assert_string_equal(g2->vcpus[0]->halt_reason, "fixture");
	fx_thread_enter();
	assert_int_equal(vmm_manager_guest_reset(g2), VMM_OK);
	assert_int_equal(fx_arch_resets, 2);
	assert_int_equal(g2->vcpus[0]->state, READY);
	assert_int_equal(g2->vcpus[1]->state, PAUSED);	/* waits for its SIPI */
	assert_true(arch_vcpu_waits_for_sipi(g2->vcpus[1]));
	for (int i = 0; i < 2; i++)
		assert_string_equal(g2->vcpus[i]->halt_reason, "");
	fx_thread_leave();
	assert_ptr_equal(vmm_scheduler_current(), g2->vcpus[0]);
}

/* Destroy needs a thread: refused from anywhere else, nothing changed. */
static void test_guest_destroy_refused_outside_a_thread(void **state)
{
	(void)state;
	fx_to_state(w, READY);
	fake_console_reset();
	assert_int_equal(vmm_manager_guest_destroy(g2), -VMM_EINVALID);
	assert_true(fake_console_contains("guest g2: destroy refused"));
	assert_int_equal(w->state, READY);
	assert_ptr_equal(vmm_manager_guest_find("g2"), g2);
}

/* Destroy from a thread, the guest's VCPUs in any mix of states: the
 * slots and the name are free, and a guest created again reuses them
 * with no table growth and no leak. */
static void test_guest_destroy_and_recreate_reuses_slots(void **state)
{
	struct vmm_guest *g;
	struct vmm_guest_config *cfg;
	u32 ids[3], gid, count, gcount;
	long live;

	(void)state;
	g = fx_guest("gd", 3, NULL, NULL);
	cfg = (struct vmm_guest_config *)g->config;
	for (int i = 0; i < 3; i++)
		ids[i] = g->vcpus[i]->id;
	gid = g->id;
	count = vmm_manager_vcpu_count();
	gcount = vmm_manager_guest_count();
	fx_to_state(g->vcpus[0], READY);
	fx_to_state(g->vcpus[1], PAUSED);
	fx_to_state(g->vcpus[2], HALTED);
	fx_thread_enter();
	live = fake_heap_live;
	assert_int_equal(vmm_manager_guest_destroy(g), VMM_OK);
	g = NULL;
	assert_true(fake_console_contains("guest gd: destroyed"));
	assert_null(vmm_manager_guest_find("gd"));
	assert_null(vmm_manager_guest(gid));
	assert_null(vmm_manager_vcpu_find("gd/vcpu0"));
	for (int i = 0; i < 3; i++)
		assert_null(vmm_manager_vcpu(ids[i]));
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_int_equal(fx_arch_deinits, 3);
	/* again with the same name: same slots */
	g = fx_guest_cfg(cfg);
	assert_int_equal(g->id, gid);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g->vcpus[i]->id, ids[i]);
		assert_int_equal(g->vcpus[i]->state, RESET);
		assert_false(g->vcpus[i]->queued);
		assert_string_equal(g->vcpus[i]->halt_reason, "");
	}
	assert_int_equal(vmm_manager_vcpu_count(), count);
	assert_int_equal(vmm_manager_guest_count(), gcount);
	live = fake_heap_live - live;
	assert_ptr_equal(vmm_manager_vcpu_find("gd/vcpu2"), g->vcpus[2]);
	/* and it runs */
	assert_int_equal(vmm_manager_guest_kick(g), VMM_OK);
	assert_int_equal(g->vcpus[0]->state, READY);
	assert_int_equal(vmm_manager_guest_destroy(g), VMM_OK);
	fx_thread_leave();
	if (live)
		fail_msg("destroy + create again: %ld objects more on the heap (on branch core "
			 "kernel/zz_tmp_stubs.c's vmm_aspace_deinit/vmm_devemu_guest_deinit free "
			 "nothing; the real ones must)", live);
}

/* An interrupt request (kernel/vcpu_irq.h) makes READY a VCPU PAUSED in its
 * HLT wait, and only that: a VCPU paused otherwise stays PAUSED. */
static void test_irq_request_ends_the_hlt_wait(void **state)
{
	struct vmm_vcpu *b = g2->vcpus[0], *ap = g2->vcpus[1];

	(void)state;
	fx_to_state(b, PAUSED);
	fx_to_state(ap, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(ap), 1);	/* HLT, nothing pending */
	assert_int_equal(ap->state, PAUSED);
	vmm_vcpu_irq_assert(b, VMM_VCPU_IRQ_EXTINT);	/* paused, not in HLT */
	assert_int_equal(b->state, PAUSED);
	vmm_vcpu_irq_post(ap, 0x40);
	assert_int_equal(ap->state, READY);
	assert_false(vmm_vcpu_irq_waiting(ap));
	assert_true(ap->queued);
	assert_int_equal(b->state, PAUSED);
	vmm_vcpu_irq_post(ap, 0x41);			/* READY already: nothing, no error */
	assert_int_equal(ap->state, READY);
	assert_false(fake_console_contains("refused"));
	vmm_vcpu_irq_deassert(b, VMM_VCPU_IRQ_EXTINT);
}

/*
 * A VCPU waiting in HLT (PAUSED by vmm_vcpu_irq_wait) when the operator
 * pauses its guest: the guest is paused, so an interrupt must not resume
 * it; guest resume leaves it waiting for its interrupt.
 */
static void test_guest_pause_holds_a_vcpu_waiting_in_hlt(void **state)
{
	(void)state;
	fx_to_state(w, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(w), 1);
	assert_true(vmm_vcpu_irq_waiting(w));
	assert_int_equal(vmm_manager_guest_pause(g2), VMM_OK);
	assert_false(vmm_vcpu_irq_waiting(w));
	vmm_vcpu_irq_post(w, 0x40);
	assert_int_equal(w->state, PAUSED);
	assert_int_equal(vmm_manager_guest_resume(g2), VMM_OK);
	assert_int_equal(w->state, READY);
}

/* A HLT wait from before a reset does not let an interrupt resume the VCPU
 * after it was started again and paused. */
static void test_no_hlt_wait_survives_a_reset(void **state)
{
	(void)state;
	fx_to_state(w, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(w), 1);
	fx_thread_enter();
	assert_int_equal(vmm_manager_vcpu_reset(w), VMM_OK);
	fx_thread_leave();
	assert_false(vmm_vcpu_irq_waiting(w));
	fx_to_state(w, READY);
	assert_int_equal(vmm_manager_vcpu_pause(w), VMM_OK);
	vmm_vcpu_irq_post(w, 0x40);
	assert_int_equal(w->state, PAUSED);
}

static void test_all_guests_idle(void **state)
{
	u32 paused = 99, waiting = 99;

	(void)state;
	assert_true(vmm_manager_all_guests_idle(&paused, &waiting));
	assert_int_equal(paused, 0);
	assert_int_equal(waiting, 0);
	fx_to_state(v, PAUSED);
	fx_to_state(w, RUNNING);
	assert_int_equal(vmm_vcpu_irq_wait(w), 1);	/* HLT: PAUSED, waiting */
	fx_to_state(g2->vcpus[1], HALTED);
	assert_true(vmm_manager_all_guests_idle(&paused, &waiting));
	assert_int_equal(paused, 2);
	assert_int_equal(waiting, 1);
	fx_to_state(g2->vcpus[1], READY);
	assert_false(vmm_manager_all_guests_idle(NULL, NULL));
	fx_to_state(g2->vcpus[1], RUNNING);
	assert_false(vmm_manager_all_guests_idle(NULL, NULL));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_table_is_figure_3),
		T(test_state_names),
		T(test_from_unknown),
		T(test_from_reset),
		T(test_from_ready),
		T(test_from_running),
		T(test_from_paused),
		T(test_from_halted),
		T(test_vcpu_reset_refused_outside_a_thread),
		T(test_vcpu_reset_from_a_thread),
		T(test_scheduler_arrows),
		T(test_running_vcpu_is_never_lost),
		T(test_set_running_refused_outside_scheduler),
		T(test_refused_halt_leaves_reason_and_output),
		T(test_orphan_create_and_destroy),
		T(test_idle_orphan_running_and_unqueued),
		T(test_guest_kick_boot_vcpu_only),
		T(test_guest_kick_start_all),
		T(test_guest_kick_halted_boot_vcpu),
		T(test_guest_pause_running),
		T(test_guest_halt),
		T(test_guest_reset_outside_a_thread_stops_now),
		T(test_guest_reset_from_a_thread_runs_again),
		T(test_guest_destroy_refused_outside_a_thread),
		T(test_guest_destroy_and_recreate_reuses_slots),
		T(test_irq_request_ends_the_hlt_wait),
		T(test_guest_pause_holds_a_vcpu_waiting_in_hlt),
		T(test_no_hlt_wait_survives_a_reset),
		T(test_all_guests_idle),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
