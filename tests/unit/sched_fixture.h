/*
 * tests/unit/sched_fixture.h - the VCPU life cycle on the host: the real
 * kernel/manager.c, kernel/scheduler.c, kernel/vcpu_state.c and
 * kernel/timer.c over a fake arch VCPU layer and a fake clock, for the
 * characterisation tests of issue 11 (test_vcpu_state.c, test_sched_queue.c).
 *
 * Include it in exactly one file of a binary, after cmocka.h: it defines
 *  - the arch VCPU contract (kernel/arch_vcpu.h): nothing runs; a switch
 *    counts and records (from, to); arch_vcpu_yield() does what the trap it
 *    makes on the real CPU ends in: vmm_scheduler_irq_process();
 *  - the arch timer contract: a clock the test moves (fx_clock_ns), the last
 *    one-shot programmed (fx_programmed);
 *  - vmm_malloc/vmm_zalloc/vmm_free (fake_heap.h);
 *  - fx_guest(): real guests from vmm_manager_guest_create() with no region
 *    (the manager has no destroy, so a binary makes a few and reuses their
 *    VCPUs: fx_to_state() moves a VCPU to any state along arrows of figure 3
 *    and fx_quiesce() brings every one back to RESET with the idle orphan
 *    running and the ready queue empty);
 *  - KNOWN_WRONG(): how a test of the right behaviour that today's code
 *    does not have is recorded (see below).
 *
 * One host CPU (arch_cpu_id() is 0 in fake_arch.c); the manager's tables
 * hold at most VMM_MAX_GUESTS guests and VMM_MAX_VCPUS VCPUs per binary.
 */
#ifndef UNIT_SCHED_FIXTURE_H
#define UNIT_SCHED_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/vcpu_state.h"
#include "kernel/timer.h"
#include "kernel/error.h"
#include "kernel/arch_vcpu.h"
#include "kernel/arch_timer.h"

/*
 * KNOWN_WRONG(right, what): 'right' is the behaviour the design document
 * (and issue 11) asks for, 'what' says what today's code does instead.
 * While 'right' is false the test is reported SKIPPED with
 * "KNOWN WRONG (issue 11): <what>" (cmocka's skip(): the suite passes).
 * Once the rebuild makes 'right' true the test FAILS with "now right:
 * remove KNOWN_WRONG" - so every fix flips its test to a plain assertion
 * (strict expected-failure), and no mark outlives its bug.
 */
#define KNOWN_WRONG(right, what) do {						\
	if (!(right)) {								\
		print_message("KNOWN WRONG (issue 11): %s\n", (what));		\
		skip();								\
	}									\
	fail_msg("now right, remove KNOWN_WRONG at %s:%d: %s",			\
		 __FILE__, __LINE__, (what));					\
} while (0)

/* ---- arch VCPU contract ---- */

static int fx_switches, fx_yields;
static struct vmm_vcpu *fx_switch_from, *fx_switch_to;
/* never dereferenced by the kernel: only handed to arch_vcpu_regs_switch */
static struct arch_regs *const fx_regs = (struct arch_regs *)0x1000;

int arch_guest_init(struct vmm_guest *g) { (void)g; return 0; }
void arch_guest_deinit(struct vmm_guest *g) { (void)g; }
size_t arch_regs_size(void) { return 256; }
int arch_vcpu_init(struct vmm_vcpu *v) { (void)v; return 0; }
void arch_vcpu_deinit(struct vmm_vcpu *v) { (void)v; }
static int fx_arch_resets;
int arch_vcpu_reset(struct vmm_vcpu *v) { (void)v; fx_arch_resets++; return 0; }
void arch_vcpu_dump(struct vmm_vcpu *v) { (void)v; }
void arch_vcpu_stats_print(struct vmm_vcpu *v) { (void)v; }

void arch_vcpu_regs_switch(struct vmm_vcpu *from, struct vmm_vcpu *to, struct arch_regs *regs)
{
	(void)regs;
	fx_switches++;
	fx_switch_from = from;
	fx_switch_to = to;
}

void arch_vcpu_yield(void)
{
	/* the real yield traps; every trap ends in the scheduler */
	fx_yields++;
	vmm_scheduler_irq_process(fx_regs);
}

/* ---- arch timer contract: a clock the test moves ---- */

static u64 fx_clock_ns = 1000000;
static u64 fx_programmed;

u64 arch_timer_now_ns(void) { return fx_clock_ns; }
u64 arch_timer_boot_wallclock_sec(void) { return 0; }
void arch_timer_program(u64 expiry_ns) { fx_programmed = expiry_ns; }

/* Move the clock to 'ns' and run the timer events due (the timer interrupt). */
static inline void fx_clock_to(u64 ns)
{
	fx_clock_ns = ns;
	vmm_timer_process();
}

/* ---- guests ---- */

#define FX_SLICE_NS 10000000ULL		/* 10 ms, the default slice of dts/README */

/* A guest 'name' with 'n' VCPUs (time slices slice_ns[i], or FX_SLICE_NS
 * when slice_ns is NULL; priorities prio[i] or 0). */
static inline struct vmm_guest *fx_guest(const char *name, u32 n, const u64 *slice_ns,
					 const u32 *prio)
{
	static struct vmm_guest_config cfgs[VMM_MAX_GUESTS];
	static u32 nr_cfgs;
	struct vmm_guest_config *cfg;
	struct vmm_guest *g = NULL;

	assert_true(nr_cfgs < VMM_MAX_GUESTS);
	cfg = &cfgs[nr_cfgs++];
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->nr_vcpus = n;
	for (u32 i = 0; i < n; i++) {
		snprintf(cfg->vcpus[i].name, sizeof(cfg->vcpus[i].name), "vcpu%u", i);
		cfg->vcpus[i].time_slice_ns = slice_ns ? slice_ns[i] : FX_SLICE_NS;
		cfg->vcpus[i].priority = prio ? prio[i] : 0;
	}
	assert_int_equal(vmm_manager_guest_create(cfg, &g), VMM_OK);
	assert_non_null(g);
	return g;
}

/* ---- the scheduler as seen from outside ---- */

static inline bool fx_resched_pending(void)
{
	return vmm_scheduler_resched_cpus & 1u;
}

/* The end of a trap: the scheduler decides when a decision is pending. */
static inline void fx_trap_end(void)
{
	vmm_scheduler_irq_process(fx_regs);
}

/* A trap that ends with a forced decision (what the slice end asks). */
static inline void fx_preempt(void)
{
	vmm_scheduler_preempt();
	fx_trap_end();
}

/* The idle orphan: the first VCPU the manager made (vmm_scheduler_init_cpu). */
static struct vmm_vcpu *fx_idle;

/* Call once per binary, before any guest is made. */
static inline int fx_init(void)
{
	fake_arch_reset();
	if (vmm_scheduler_init_cpu())
		return -1;
	fx_idle = vmm_scheduler_current();
	return fx_idle ? 0 : -1;
}

/*
 * Bring 'v' to state 'to' along arrows of figure 3 (through RESET), with
 * the scheduler taking its arrows: RUNNING means 'v' is the current VCPU.
 * Asserts every step. Other VCPUs are left alone (a RUNNING one is
 * preempted).
 */
static inline void fx_to_state(struct vmm_vcpu *v, enum vmm_vcpu_state to)
{
	if (v->state == VMM_VCPU_STATE_UNKNOWN)
		assert_int_equal(vmm_vcpu_set_state(v, VMM_VCPU_STATE_RESET), VMM_OK);
	if (v->state != VMM_VCPU_STATE_RESET)
		assert_int_equal(vmm_vcpu_set_state(v, VMM_VCPU_STATE_RESET), VMM_OK);
	fx_trap_end();
	switch (to) {
	case VMM_VCPU_STATE_UNKNOWN:
		assert_int_equal(vmm_vcpu_set_state(v, VMM_VCPU_STATE_UNKNOWN), VMM_OK);
		break;
	case VMM_VCPU_STATE_RESET:
		break;
	case VMM_VCPU_STATE_READY:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		break;
	case VMM_VCPU_STATE_RUNNING:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		/* the idle orphan has nothing to do (as in `guest wait`): it
		 * yields and stays out of the queue */
		if (vmm_scheduler_current() == fx_idle)
			vmm_scheduler_idle_wait();
		/* run it now: everything queued before it gets its turn first */
		for (int i = 0; i < VMM_MAX_VCPUS && vmm_scheduler_current() != v; i++)
			fx_preempt();
		assert_ptr_equal(vmm_scheduler_current(), v);
		break;
	case VMM_VCPU_STATE_PAUSED:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		assert_int_equal(vmm_vcpu_set_state(v, VMM_VCPU_STATE_PAUSED), VMM_OK);
		break;
	case VMM_VCPU_STATE_HALTED:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		assert_int_equal(vmm_manager_vcpu_halt(v, "fixture"), VMM_OK);
		break;
	default:
		fail_msg("no state %d", (int)to);
	}
	assert_int_equal(v->state, to);
}

/*
 * Every normal VCPU back to RESET (also those a known-wrong behaviour
 * lost), the idle orphan current and RUNNING, the ready queue empty, no
 * decision pending, the slice event stopped, the counters zero.
 */
static inline void fx_quiesce(void)
{
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (!v->is_normal)
			continue;
		if (v->state == VMM_VCPU_STATE_UNKNOWN)
			vmm_vcpu_set_state(v, VMM_VCPU_STATE_RESET);
		else if (v->state != VMM_VCPU_STATE_RESET)
			vmm_vcpu_set_state(v, VMM_VCPU_STATE_RESET);
		vmm_vcpu_irq_reset(v);	/* no posted vector, no HLT wait */
	}
	vmm_scheduler_preempt();
	fx_trap_end();
	/* use up a wakeup left for the idle orphan (its wait does not halt then) */
	vmm_scheduler_idle_wait();
	assert_ptr_equal(vmm_scheduler_current(), fx_idle);
	assert_int_equal(fx_idle->state, VMM_VCPU_STATE_RUNNING);
	assert_int_equal(vmm_scheduler_ready_count(), 0);
	assert_false(fx_resched_pending());
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	fake_arch_reset();
	fx_switches = fx_yields = fx_arch_resets = 0;
	fx_switch_from = fx_switch_to = NULL;
}

#endif
