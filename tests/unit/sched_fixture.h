/*
 * tests/unit/sched_fixture.h - the VCPU life cycle on the host: the real
 * kernel/manager.c, scheduler.c, sched_queue.c, vcpu_state.c, threads.c,
 * waitqueue.c and timer.c over a fake arch VCPU layer, a fake clock and one
 * or more fake host CPUs (test_vcpu_state.c, test_sched_queue.c,
 * test_sched_smp.c, test_waitqueue.c).
 *
 * Include it in exactly one file of a binary, after cmocka.h: it defines
 *  - the arch VCPU contract (kernel/arch_vcpu.h): nothing runs; a switch
 *    counts and records (from, to); arch_vcpu_yield() does what the trap it
 *    makes on the real CPU ends in: vmm_scheduler_irq_process() - which
 *    switches "current" and RETURNS to the caller (no stacks are switched:
 *    code after a yield runs as whatever VCPU is current then, unless the
 *    test's fx_yield_hook played the world meanwhile and made the yielder
 *    current again); the
 *    wait-for-SIPI state is a flag per VCPU slot (cleared by a reset);
 *  - the arch timer contract: a clock the test moves (fx_clock_to runs the
 *    timer events due on every CPU's list), the last one-shot programmed
 *    (fx_programmed);
 *  - vmm_host_page_alloc/free (thread stacks): fake addresses, counted;
 *  - vmm_malloc/vmm_zalloc/vmm_free (fake_heap.h);
 *  - fx_init() / fx_init_cpus(n): one / n fake host CPUs, each with its scheduler and idle orphan
 *    (vmm_scheduler_init_cpu() run "on" it, fake_cpu_id); the test runs on
 *    CPU0 unless it says otherwise (fx_on); fx_trap_end_on(cpu) plays the
 *    end of a trap on another CPU (what the kick IPI causes);
 *  - fx_guest(): real guests from vmm_manager_guest_create() with no region;
 *    fx_to_state() moves a VCPU to any state along arrows of figure 3;
 *    fx_quiesce() brings every VCPU back to RESET with each CPU's idle
 *    orphan running and the ready queues empty;
 *  - fx_thread_enter()/fx_thread_leave(): a real thread (kernel/threads.h)
 *    made current on CPU0, for the operations that need a thread context
 *    (reset, destroy); while it is current, spin-waits (wait_off_cpu) end
 *    the other CPUs' traps (fake_relax_hook).
 * The scheduler's tables are static: a CPU once initialised stays up for
 * the whole binary, so SMP tests live in their own binary.
 */
#ifndef UNIT_SCHED_FIXTURE_H
#define UNIT_SCHED_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "kernel/manager.h"
#include "kernel/scheduler.h"
#include "kernel/threads.h"
#include "kernel/waitqueue.h"
#include "kernel/vcpu_state.h"
#include "kernel/timer.h"
#include "kernel/error.h"
#include "kernel/host_mem.h"
#include "kernel/arch_vcpu.h"
#include "kernel/arch_timer.h"

#define UNKNOWN VMM_VCPU_STATE_UNKNOWN
#define RESET VMM_VCPU_STATE_RESET
#define READY VMM_VCPU_STATE_READY
#define RUNNING VMM_VCPU_STATE_RUNNING
#define PAUSED VMM_VCPU_STATE_PAUSED
#define HALTED VMM_VCPU_STATE_HALTED
#define NSTATES VMM_VCPU_STATE_COUNT

/* ---- arch VCPU contract ---- */

static int fx_switches, fx_yields, fx_arch_resets, fx_arch_inits, fx_arch_deinits;
static struct vmm_vcpu *fx_switch_from, *fx_switch_to;
static bool fx_sipi[VMM_MAX_VCPUS];
/* never dereferenced by the kernel: only handed to arch_vcpu_regs_switch */
static struct arch_regs *const fx_regs = (struct arch_regs *)0x1000;

int arch_guest_init(struct vmm_guest *g) { (void)g; return 0; }
void arch_guest_deinit(struct vmm_guest *g) { (void)g; }
size_t arch_regs_size(void) { return 256; }
int arch_vcpu_init(struct vmm_vcpu *v) { fx_sipi[v->id] = false; fx_arch_inits++; return 0; }
void arch_vcpu_deinit(struct vmm_vcpu *v) { (void)v; fx_arch_deinits++; }
int arch_vcpu_reset(struct vmm_vcpu *v) { fx_sipi[v->id] = false; fx_arch_resets++; return 0; }
void arch_vcpu_dump(struct vmm_vcpu *v) { (void)v; }
void arch_vcpu_stats_print(struct vmm_vcpu *v) { (void)v; }
/* per VCPU slot id: what arch_vcpu_stats_get() reports (tests set it) */
struct arch_vcpu_stats fx_vcpu_stats[64];
void arch_vcpu_stats_get(struct vmm_vcpu *v, struct arch_vcpu_stats *out)
{
	*out = v->is_normal && v->id < 64 ? fx_vcpu_stats[v->id] : (struct arch_vcpu_stats){ 0 };
}
void arch_vcpu_wait_for_sipi(struct vmm_vcpu *v) { fx_sipi[v->id] = true; }
bool arch_vcpu_waits_for_sipi(struct vmm_vcpu *v) { return fx_sipi[v->id]; }
/* virtual SIPIs recorded: the vector + 1 (0: none) */
static u32 fx_sipi_vector[64];
void arch_vcpu_sipi(struct vmm_vcpu *v, u8 vector) { fx_sipi_vector[v->id] = vector + 1u; }
static u64 fx_tsc;
u64 arch_vcpu_tsc(struct vmm_vcpu *v) { (void)v; return fx_tsc; }
u64 arch_vcpu_tsc_hz(void) { return 1000000000ULL; }

/* called inside every switch when set (after the scheduler dropped its
 * lock, before the VCPU switched out is off its CPU): a test plays
 * another CPU there */
static void (*fx_switch_hook)(struct vmm_vcpu *from, struct vmm_vcpu *to);

void arch_vcpu_regs_switch(struct vmm_vcpu *from, struct vmm_vcpu *to, struct arch_regs *regs)
{
	(void)regs;
	fx_switches++;
	fx_switch_from = from;
	fx_switch_to = to;
	if (fx_switch_hook)
		fx_switch_hook(from, to);
}

/*
 * What happens on the CPU while the yielding VCPU is away, once: a test
 * sets it before a call that yields (a sleep) and makes the yielder
 * current again at its end, so that the yield returns as on the real CPU,
 * when the yielder is scheduled again. Cleared before it is called (a
 * yield inside it takes the next one).
 */
static void (*fx_yield_hook)(void);

void arch_vcpu_yield(void)
{
	void (*hook)(void) = fx_yield_hook;

	/* the real yield traps; every trap ends in the scheduler */
	fx_yields++;
	vmm_scheduler_irq_process(fx_regs);
	fx_yield_hook = NULL;
	if (hook)
		hook();
}

/* ---- host pages (thread stacks): addresses only, never touched ---- */

static long fx_pages_live;
static physical_addr_t fx_next_page = 0x10000000;

physical_addr_t vmm_host_page_alloc(unsigned int order)
{
	physical_addr_t pa = fx_next_page;

	fx_next_page += (physical_addr_t)PAGE_SIZE << order;
	fx_pages_live++;
	return pa;
}

int vmm_host_page_free(physical_addr_t pa)
{
	(void)pa;
	fx_pages_live--;
	return 0;
}

/* ---- arch timer contract: a clock the test moves ---- */

static u64 fx_clock_ns = 1000000;
static u64 fx_programmed;

/* called once, at the next reading of the clock on CPU fx_now_hook_cpu
 * (in a decision: right after its pick, with the scheduler's lock held) */
static void (*fx_now_hook)(void);
static u32 fx_now_hook_cpu;

u64 arch_timer_now_ns(void)
{
	void (*hook)(void) = fx_now_hook;

	if (hook && fake_cpu_id == fx_now_hook_cpu) {
		fx_now_hook = NULL;
		hook();
	}
	return fx_clock_ns;
}
u64 arch_timer_boot_wallclock_sec(void) { return 0; }
void arch_timer_program(u64 expiry_ns) { fx_programmed = expiry_ns; }

static u32 fx_ncpus;

/* Move the clock to 'ns' and run the timer events due on every CPU (each
 * CPU's timer interrupt; the lists are per CPU). */
static inline void fx_clock_to(u64 ns)
{
	u32 me = fake_cpu_id;

	fx_clock_ns = ns;
	for (u32 c = 0; c < (fx_ncpus ? fx_ncpus : 1); c++) {
		fake_cpu_id = c;
		vmm_timer_process();
	}
	fake_cpu_id = me;
}

/* The earliest timer event of CPU 'cpu' (~0: none). */
static inline u64 fx_next_expiry_on(u32 cpu)
{
	u32 me = fake_cpu_id;
	u64 t;

	fake_cpu_id = cpu;
	t = vmm_timer_next_expiry();
	fake_cpu_id = me;
	return t;
}

/* ---- host CPUs ---- */

static struct vmm_vcpu *fx_idle_of[ARCH_CPU_MAX];
/* CPU0's idle orphan */
static struct vmm_vcpu *fx_idle;

static inline void fx_on(u32 cpu)
{
	fake_cpu_id = cpu;
}

static inline struct vmm_vcpu *fx_current_on(u32 cpu)
{
	struct vmm_sched_cpu_info i;

	vmm_scheduler_cpu_info(cpu, &i);
	return i.current;
}

static inline u32 fx_ready_on(u32 cpu)
{
	struct vmm_sched_cpu_info i;

	vmm_scheduler_cpu_info(cpu, &i);
	return i.ready;
}

static inline bool fx_resched_pending_on(u32 cpu)
{
	return vmm_scheduler_resched_cpus & (1u << cpu);
}

static inline bool fx_resched_pending(void)
{
	return fx_resched_pending_on(fake_cpu_id);
}

/* The end of a trap on this CPU: the scheduler decides when asked to. */
static inline void fx_trap_end(void)
{
	vmm_scheduler_irq_process(fx_regs);
}

/* The end of a trap on CPU 'cpu' (what the kick IPI makes it pass). */
static inline void fx_trap_end_on(u32 cpu)
{
	u32 me = fake_cpu_id;

	fx_on(cpu);
	fx_trap_end();
	fx_on(me);
}

/* A trap that ends with a forced decision (what a slice end with a VCPU
 * of the same priority waiting asks). */
static inline void fx_preempt(void)
{
	vmm_scheduler_preempt();
	fx_trap_end();
}

static inline void fx_preempt_on(u32 cpu)
{
	u32 me = fake_cpu_id;

	fx_on(cpu);
	fx_preempt();
	fx_on(me);
}

/* While the test spins (wait_off_cpu): the other CPUs end their traps. */
static void fx_other_cpus_run(void)
{
	for (u32 c = 0; c < fx_ncpus; c++)
		if (c != fake_cpu_id)
			fx_trap_end_on(c);
}

/* Call once per binary, before any guest is made: 'n' host CPUs. */
static inline int fx_init_cpus(u32 n)
{
	fake_arch_reset();
	fake_cpus_online = n;
	fx_ncpus = n;
	for (u32 c = 0; c < n; c++) {
		fx_on(c);
		if (vmm_scheduler_init_cpu())
			return -1;
		fx_idle_of[c] = vmm_scheduler_current();
		if (!fx_idle_of[c])
			return -1;
	}
	fx_on(0);
	fx_idle = fx_idle_of[0];
	return 0;
}

/* The same with one host CPU. */
static inline int fx_init(void)
{
	return fx_init_cpus(1);
}

static inline bool fx_is_idle(const struct vmm_vcpu *v)
{
	for (u32 c = 0; c < fx_ncpus; c++)
		if (fx_idle_of[c] == v)
			return true;
	return false;
}

/* ---- guests ---- */

#define FX_SLICE_NS 10000000ULL		/* 10 ms, the default slice of dts/README */

static struct vmm_guest_config fx_cfgs[2 * VMM_MAX_GUESTS];
static u32 fx_nr_cfgs;

/* The configuration of a guest 'name' with 'n' VCPUs (time slices
 * slice_ns[i] or FX_SLICE_NS, priorities prio[i] or 0, affinity 0). */
static inline struct vmm_guest_config *fx_config(const char *name, u32 n, const u64 *slice_ns,
						 const u32 *prio)
{
	struct vmm_guest_config *cfg;

	assert_true(fx_nr_cfgs < ARRAY_SIZE(fx_cfgs));
	cfg = &fx_cfgs[fx_nr_cfgs++];
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->nr_vcpus = n;
	for (u32 i = 0; i < n; i++) {
		snprintf(cfg->vcpus[i].name, sizeof(cfg->vcpus[i].name), "vcpu%u", i);
		cfg->vcpus[i].time_slice_ns = slice_ns ? slice_ns[i] : FX_SLICE_NS;
		cfg->vcpus[i].priority = prio ? prio[i] : 0;
	}
	return cfg;
}

static inline struct vmm_guest *fx_guest_cfg(const struct vmm_guest_config *cfg)
{
	struct vmm_guest *g = NULL;

	assert_int_equal(vmm_manager_guest_create(cfg, &g), VMM_OK);
	assert_non_null(g);
	return g;
}

static inline struct vmm_guest *fx_guest(const char *name, u32 n, const u64 *slice_ns,
					 const u32 *prio)
{
	return fx_guest_cfg(fx_config(name, n, slice_ns, prio));
}

/* Let the scheduler run 'v' now: decisions on the CPU it waits on until
 * it is current there (everything ahead of it gets its turn first). */
static inline void fx_run(struct vmm_vcpu *v)
{
	for (int i = 0; i < 4 * VMM_MAX_VCPUS; i++) {
		u32 cpu = v->host_cpu;

		if (fx_current_on(cpu) == v && v->state == RUNNING)
			return;
		if (fx_resched_pending_on(cpu))
			fx_trap_end_on(cpu);
		else
			fx_preempt_on(cpu);
	}
	fail_msg("%s never ran (state %s)", v->name, vmm_vcpu_state_name(v->state));
}

/*
 * Bring 'v' to state 'to' along arrows of figure 3 (through RESET), with
 * the scheduler taking its arrows: RUNNING means 'v' is current on its CPU.
 * Asserts every step.
 */
static inline void fx_to_state(struct vmm_vcpu *v, enum vmm_vcpu_state to)
{
	if (v->state != RESET)
		assert_int_equal(vmm_vcpu_set_state(v, RESET), VMM_OK);
	for (u32 c = 0; c < fx_ncpus; c++)
		fx_trap_end_on(c);
	switch (to) {
	case UNKNOWN:
		assert_int_equal(vmm_vcpu_set_state(v, UNKNOWN), VMM_OK);
		break;
	case RESET:
		break;
	case READY:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		break;
	case RUNNING:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		fx_run(v);
		break;
	case PAUSED:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		assert_int_equal(vmm_manager_vcpu_pause(v), VMM_OK);
		break;
	case HALTED:
		assert_int_equal(vmm_manager_vcpu_kick(v), VMM_OK);
		assert_int_equal(vmm_manager_vcpu_halt(v, "fixture"), VMM_OK);
		break;
	default:
		fail_msg("no state %d", (int)to);
	}
	assert_int_equal(v->state, to);
}

/* ---- a thread context (reset and destroy need one) ---- */

static struct vmm_thread *fx_thr;

static int fx_thread_fn(void *arg)
{
	(void)arg;
	return 0;	/* never runs: the fake switches no stacks */
}

/* Make the fixture's thread (priority 7, CPU0 only) current on CPU0. */
static inline void fx_thread_enter(void)
{
	if (!fx_thr)
		fx_thr = vmm_thread_create("fx/thread", fx_thread_fn, NULL, VMM_MAX_PRIORITY, 0, 1);
	assert_non_null(fx_thr);
	fx_on(0);
	if (fx_thr->vcpu->state == RESET)
		assert_int_equal(vmm_thread_start(fx_thr), VMM_OK);
	else if (fx_thr->vcpu->state == PAUSED)
		assert_int_equal(vmm_manager_vcpu_resume(fx_thr->vcpu), VMM_OK);
	fx_trap_end();
	assert_ptr_equal(vmm_scheduler_current(), fx_thr->vcpu);
	assert_ptr_equal(vmm_thread_current(), fx_thr);
	fake_relax_hook = fx_other_cpus_run;
}

/* The fixture's thread pauses itself; CPU0 runs what comes next. */
static inline void fx_thread_leave(void)
{
	fake_relax_hook = NULL;
	fx_on(0);
	if (fx_thr->vcpu->state == RUNNING)
		assert_int_equal(vmm_manager_vcpu_pause(fx_thr->vcpu), VMM_OK);
	fx_trap_end();
	assert_null(vmm_thread_current());
}

/*
 * Every VCPU but the idle orphans back to RESET, each CPU's idle orphan
 * current and RUNNING, the ready queues empty, no decision pending, no
 * timer event pending, the counters zero.
 */
static inline void fx_quiesce(void)
{
	fake_relax_hook = NULL;
	fx_yield_hook = NULL;
	fx_on(0);
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (!v || fx_is_idle(v))
			continue;
		if (v->state != RESET)
			vmm_vcpu_set_state(v, RESET);
		vmm_vcpu_irq_reset(v);	/* no posted vector, no HLT wait */
	}
	for (int pass = 0; pass < 2; pass++)
		for (u32 c = 0; c < fx_ncpus; c++)
			fx_preempt_on(c);
	for (u32 c = 0; c < fx_ncpus; c++) {
		assert_ptr_equal(fx_current_on(c), fx_idle_of[c]);
		assert_int_equal(fx_idle_of[c]->state, RUNNING);
		assert_int_equal(fx_ready_on(c), 0);
		assert_int_equal(fx_next_expiry_on(c), ~0ULL);
	}
	assert_int_equal(vmm_scheduler_resched_cpus, 0);
	fake_arch_reset();
	fake_cpus_online = fx_ncpus;
	memset(fx_sipi, 0, sizeof(fx_sipi));
	fx_switches = fx_yields = fx_arch_resets = fx_arch_inits = fx_arch_deinits = 0;
	fx_switch_from = fx_switch_to = NULL;
}

#endif
