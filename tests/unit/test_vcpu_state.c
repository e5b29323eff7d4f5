/*
 * tests/unit/test_vcpu_state.c - characterisation of the VCPU life cycle
 * (issue 11, item 1): the transition table of kernel/vcpu_state.c (figure 3
 * of the Xvisor design, chapter 4) and every operation that exists today
 * applied to a VCPU in every state, through the real manager and scheduler
 * on the fake arch (tests/unit/sched_fixture.h).
 *
 * The operations and the arrows they are meant to take:
 *   create   UNKNOWN -> RESET          vmm_vcpu_set_state(RESET) (vcpu_create_common)
 *   reset    READY/RUNNING/PAUSED/HALTED -> RESET  vmm_vcpu_set_state(RESET),
 *            vmm_manager_guest_reset()
 *   destroy  RESET -> UNKNOWN          vmm_vcpu_set_state(UNKNOWN): no caller
 *   kick     RESET -> READY            vmm_manager_vcpu_kick(), _guest_kick()
 *   resume   PAUSED -> READY           vmm_vcpu_set_state(READY) (= kick)
 *   pause    READY/RUNNING -> PAUSED   vmm_vcpu_set_state(PAUSED)
 *   halt     READY/RUNNING -> HALTED   vmm_manager_vcpu_halt(), _guest_halt()
 *   the scheduler's arrows READY <-> RUNNING  vmm_scheduler_resched()
 * Every other change is refused with -VMM_EILLEGAL, an error line, and the
 * state left as it was.
 *
 * Where today's code is wrong per the design (DESIGN.md section 1, issue 11)
 * the test states the right behaviour under KNOWN_WRONG (sched_fixture.h):
 * skipped while wrong, failing once fixed so the mark gets removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/sched_fixture.h"

#define UNKNOWN VMM_VCPU_STATE_UNKNOWN
#define RESET VMM_VCPU_STATE_RESET
#define READY VMM_VCPU_STATE_READY
#define RUNNING VMM_VCPU_STATE_RUNNING
#define PAUSED VMM_VCPU_STATE_PAUSED
#define HALTED VMM_VCPU_STATE_HALTED
#define NSTATES VMM_VCPU_STATE_COUNT

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
	/* no state changes to itself; values out of range are refused */
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

/* ---- every state x every operation, through the manager ---- */

enum op { OP_RESET, OP_DESTROY, OP_KICK, OP_PAUSE, OP_HALT, OP_RUN, NOPS };
static const char *const op_name[NOPS] = {
	"create/reset", "destroy", "kick/resume", "pause", "halt", "set RUNNING"
};
static const enum vmm_vcpu_state op_target[NOPS] = {
	RESET, UNKNOWN, READY, PAUSED, HALTED, RUNNING
};

static int apply(struct vmm_vcpu *x, enum op op)
{
	switch (op) {
	case OP_KICK:
		return vmm_manager_vcpu_kick(x);
	case OP_HALT:
		return vmm_manager_vcpu_halt(x, "matrix");
	default:
		return vmm_vcpu_set_state(x, op_target[op]);
	}
}

/*
 * Cells characterised by the KNOWN_WRONG tests below instead, so that a fix
 * flips one test: the scheduler's arrows taken by someone else (kick of a
 * RUNNING VCPU, set RUNNING of a READY one), and the kick of a READY VCPU
 * (refused today, a no-op per issue 11).
 */
static bool known_wrong_cell(enum vmm_vcpu_state from, enum op op)
{
	return (from == RUNNING && op == OP_KICK) || (from == READY && op == OP_RUN) ||
	       (from == READY && op == OP_KICK);
}

static void check_cell(enum vmm_vcpu_state from, enum op op)
{
	enum vmm_vcpu_state to = op_target[op];
	char msg[160];
	int rc;

	if (known_wrong_cell(from, op))
		return;
	fx_quiesce();
	fx_to_state(v, from);
	fake_console_reset();
	rc = apply(v, op);
	snprintf(msg, sizeof(msg), "%s on a %s VCPU", op_name[op], vmm_vcpu_state_name(from));
	if (!arrow[from][to]) {
		if (rc != -VMM_EILLEGAL)
			fail_msg("%s: rc %d, want -VMM_EILLEGAL", msg, rc);
		if (v->state != from)
			fail_msg("%s: refused but the state is now %s", msg,
				 vmm_vcpu_state_name(v->state));
		/* the error line names the VCPU and both states */
		if (!fake_console_contains("g1/vcpu0") ||
		    !fake_console_contains(vmm_vcpu_state_name(from)) ||
		    !fake_console_contains(vmm_vcpu_state_name(to)) ||
		    !fake_console_contains("refused"))
			fail_msg("%s: refused without the error line (console: %s)", msg,
				 fake_console_text());
		/* the scheduler's view did not move either */
		assert_int_equal(v->queued, from == READY);
		if (from == RUNNING)
			assert_ptr_equal(vmm_scheduler_current(), v);
		return;
	}
	if (rc != VMM_OK)
		fail_msg("%s: rc %d, want VMM_OK", msg, rc);
	if (v->state != to)
		fail_msg("%s: state %s, want %s", msg, vmm_vcpu_state_name(v->state),
			 vmm_vcpu_state_name(to));
	if (fake_console_contains("refused"))
		fail_msg("%s: allowed but an error line was printed", msg);
	/* the queue follows the state: queued exactly when READY */
	if (v->queued != (to == READY))
		fail_msg("%s: %s and %squeued", msg, vmm_vcpu_state_name(to), v->queued ? "" : "not ");
	/* a running VCPU that stops running is switched away at the end of the trap */
	if (from == RUNNING) {
		assert_true(fx_resched_pending());
		fx_trap_end();
		assert_ptr_not_equal(vmm_scheduler_current(), v);
	}
	/* a VCPU made READY while the idle orphan runs is run at the end of the trap */
	if (to == READY) {
		assert_true(fx_resched_pending());
		fx_trap_end();
		assert_ptr_equal(vmm_scheduler_current(), v);
		assert_int_equal(v->state, RUNNING);
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

/* ---- the scheduler's two arrows, taken by the scheduler ---- */

static void test_scheduler_arrows(void **state)
{
	(void)state;
	assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
	assert_int_equal(vmm_manager_vcpu_kick(w), VMM_OK);
	/* READY -> RUNNING: the idle orphan was running, the head of the queue runs */
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), v);
	assert_int_equal(v->state, RUNNING);
	assert_false(v->queued);
	/* RUNNING -> READY: preempted, to the back of the queue, the next one runs */
	fx_preempt();
	assert_int_equal(v->state, READY);
	assert_true(v->queued);
	assert_ptr_equal(vmm_scheduler_current(), w);
	assert_int_equal(w->state, RUNNING);
	assert_ptr_equal(fx_switch_from, v);
	assert_ptr_equal(fx_switch_to, w);
	assert_false(fake_console_contains("refused"));
}

/* ---- orphans and the idle orphan ---- */

static void test_orphan_created_in_reset(void **state)
{
	static struct vmm_vcpu *o;

	(void)state;
	if (!o)
		o = vmm_manager_orphan_create("orphan/test", NULL, 0, 5000000);
	assert_non_null(o);
	assert_false(o->is_normal);
	assert_null(o->guest);
	assert_int_equal(o->state, RESET);
	assert_int_equal(o->time_slice_ns, 5000000);
	assert_false(o->queued);
	assert_ptr_equal(vmm_manager_vcpu(o->id), o);
}

static void test_idle_orphan_running_and_unqueued(void **state)
{
	(void)state;
	assert_non_null(fx_idle);
	assert_false(fx_idle->is_normal);
	assert_string_equal(fx_idle->name, "idle/0");
	assert_int_equal(fx_idle->state, RUNNING);
	assert_false(fx_idle->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
}

/* ---- guest-wide operations ---- */

static void test_guest_kick_from_reset(void **state)
{
	(void)state;
	assert_int_equal(vmm_manager_guest_kick(g2), VMM_OK);
	assert_int_equal(g2->vcpus[0]->state, READY);
	assert_int_equal(g2->vcpus[1]->state, READY);
	assert_int_equal(vmm_scheduler_ready_count(), 2);
}

/* A guest kick returns the error of a VCPU it could not kick, kicks the rest. */
static void test_guest_kick_mixed_states(void **state)
{
	(void)state;
	fx_to_state(g2->vcpus[0], HALTED);
	assert_int_equal(vmm_manager_guest_kick(g2), -VMM_EILLEGAL);
	assert_int_equal(g2->vcpus[0]->state, HALTED);
	assert_int_equal(g2->vcpus[1]->state, READY);
}

/* Halt: READY and RUNNING VCPUs halt, PAUSED ones through READY (figure 3
 * has no PAUSED -> HALTED arrow), RESET ones stay as they are. */
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
	assert_true(fake_console_contains("guest g2 g2/vcpu0 halted: from the test"));
	assert_false(fake_console_contains("refused"));
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	/* a guest in RESET: nothing to halt, nothing refused */
	fx_quiesce();
	assert_int_equal(vmm_manager_guest_halt(g2, "again"), VMM_OK);
	assert_int_equal(g2->vcpus[0]->state, RESET);
	assert_false(fake_console_contains("refused"));
}

/* Reset of a guest from any mix of states: every VCPU through RESET (arch
 * reset, reason cleared) and kicked again; a halted guest runs again. */
static void test_guest_reset_runs_again(void **state)
{
	(void)state;
	fx_to_state(g2->vcpus[0], HALTED);
	fx_to_state(g2->vcpus[1], PAUSED);
	assert_string_equal(g2->vcpus[0]->halt_reason, "fixture");
	assert_int_equal(vmm_manager_guest_reset(g2), VMM_OK);
	assert_int_equal(fx_arch_resets, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(g2->vcpus[i]->state, READY);
		assert_true(g2->vcpus[i]->queued);
		assert_string_equal(g2->vcpus[i]->halt_reason, "");
	}
	vmm_scheduler_idle_wait();	/* the idle orphan lets them run */
	assert_ptr_equal(vmm_scheduler_current(), g2->vcpus[0]);
	/* and from RUNNING (a triple fault with on_triple_fault = "reset"):
	 * the running VCPU goes through RESET and back to the queue */
	assert_int_equal(vmm_manager_guest_reset(g2), VMM_OK);
	assert_int_equal(g2->vcpus[0]->state, READY);
	assert_int_equal(vmm_scheduler_ready_count(), 2);
	fx_trap_end();
	assert_int_equal(vmm_scheduler_current()->state, RUNNING);
	assert_true(vmm_scheduler_current() == g2->vcpus[0] ||
		    vmm_scheduler_current() == g2->vcpus[1]);
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

/* ---- known wrong today (issue 11) ---- */

/*
 * Right: a RUNNING -> READY change made by anyone but the owning scheduler
 * (here a kick; also vmm_manager_guest_kick on a running guest) does not
 * lose the VCPU: after the trap it is either still running or queued, and
 * it runs again. Today the state becomes READY, the VCPU is switched away
 * and never queued: no scheduler decision will ever pick it again.
 */
static void test_known_wrong_kick_running_loses_vcpu(void **state)
{
	bool queued_or_running, runs_again = false;

	(void)state;
	fx_to_state(v, RUNNING);
	(void)vmm_manager_vcpu_kick(v);
	fx_trap_end();
	queued_or_running = v->queued || (vmm_scheduler_current() == v && v->state == RUNNING);
	for (int i = 0; i < 4 && !runs_again; i++) {
		runs_again = vmm_scheduler_current() == v && v->state == RUNNING;
		fx_preempt();
	}
	KNOWN_WRONG(queued_or_running && runs_again,
		    "a RUNNING->READY change made by anyone but the scheduler (kick of a running VCPU) "
		    "loses the VCPU: READY, switched away, never queued again");
}

/*
 * Right: only the scheduler takes the READY -> RUNNING arrow; anyone else
 * asking for it is refused (-VMM_EILLEGAL) and the VCPU stays READY and
 * queued. Today vmm_vcpu_set_state() accepts it: the VCPU is marked
 * RUNNING while it runs nowhere and stays in the ready queue.
 */
static void test_known_wrong_set_running_outside_scheduler(void **state)
{
	int rc;

	(void)state;
	fx_to_state(v, READY);
	rc = vmm_vcpu_set_state(v, RUNNING);
	KNOWN_WRONG(rc == -VMM_EILLEGAL && v->state == READY && v->queued,
		    "READY->RUNNING is accepted from outside the scheduler: the VCPU is RUNNING "
		    "on no CPU and still in the ready queue");
}

/*
 * Right (issue 11, item 5): kicking a READY VCPU is a harmless no-op - no
 * error, no error line, still READY and queued once. Today it is refused
 * as READY -> READY with -VMM_EILLEGAL and an error line.
 */
static void test_known_wrong_kick_ready_is_an_error(void **state)
{
	int rc;

	(void)state;
	fx_to_state(v, READY);
	fake_console_reset();
	rc = vmm_manager_vcpu_kick(v);
	assert_int_equal(v->state, READY);
	assert_true(v->queued);
	assert_int_equal(vmm_scheduler_ready_count(), 1);
	KNOWN_WRONG(rc == VMM_OK && !fake_console_contains("refused"),
		    "kick of a READY VCPU returns -VMM_EILLEGAL and prints "
		    "'state change READY -> READY refused' instead of being a no-op");
}

/*
 * Right: a refused halt leaves the VCPU as it was - its halt reason too -
 * and does not report it halted. Today vmm_manager_vcpu_halt() writes the
 * reason and prints "<vcpu> halted: <reason>" before the table refuses the
 * change (e.g. on a RESET or PAUSED VCPU).
 */
static void test_known_wrong_refused_halt_reports_halted(void **state)
{
	int rc;

	(void)state;
	fx_to_state(v, PAUSED);
	v->halt_reason[0] = 0;
	fake_console_reset();
	rc = vmm_manager_vcpu_halt(v, "should not show");
	assert_int_equal(rc, -VMM_EILLEGAL);
	assert_int_equal(v->state, PAUSED);
	KNOWN_WRONG(!fake_console_contains("halted: should not show") && v->halt_reason[0] == 0,
		    "a refused halt (PAUSED -> HALTED) still prints '<vcpu> halted: <reason>' "
		    "and overwrites the VCPU's halt reason");
}

/*
 * Right (issue 11, item 6): a refused change is reported with an error
 * naming the VCPU, the states and the operation. Today the line names the
 * VCPU and the states ("state change HALTED -> READY refused"), not the
 * operation (kick).
 */
static void test_known_wrong_refusal_names_no_operation(void **state)
{
	(void)state;
	fx_to_state(v, HALTED);
	fake_console_reset();
	assert_int_equal(vmm_manager_vcpu_kick(v), -VMM_EILLEGAL);
	assert_true(fake_console_contains("g1/vcpu0"));
	assert_true(fake_console_contains("HALTED -> READY"));
	KNOWN_WRONG(fake_console_contains("kick"),
		    "the refusal of a kick names the VCPU and the states but not the operation");
}

/* ---- what has no hook to test today ---- */

static void test_no_hook_destroy(void **state)
{
	(void)state;
	print_message("NO HOOK (issue 11): no destroy operation exists (VCPU or guest): "
		      "RESET -> UNKNOWN is only the table's arrow (tested above); freeing memory, "
		      "VMCS, EPT and device state and reusing the VCPU slot cannot be tested\n");
	skip();
}

static void test_no_hook_pause_resume_api(void **state)
{
	(void)state;
	print_message("NO HOOK (issue 11): no pause/resume operation of the manager exists "
		      "(Pause-from-READY has no caller); the arrows are tested through "
		      "vmm_vcpu_set_state() above\n");
	skip();
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
		T(test_scheduler_arrows),
		T(test_orphan_created_in_reset),
		T(test_idle_orphan_running_and_unqueued),
		T(test_guest_kick_from_reset),
		T(test_guest_kick_mixed_states),
		T(test_guest_halt),
		T(test_guest_reset_runs_again),
		T(test_irq_request_ends_the_hlt_wait),
		T(test_all_guests_idle),
		T(test_known_wrong_kick_running_loses_vcpu),
		T(test_known_wrong_set_running_outside_scheduler),
		T(test_known_wrong_kick_ready_is_an_error),
		T(test_known_wrong_refused_halt_reports_halted),
		T(test_known_wrong_refusal_names_no_operation),
		T(test_no_hook_destroy),
		T(test_no_hook_pause_resume_api),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
