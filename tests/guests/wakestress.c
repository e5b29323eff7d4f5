/*
 * tests/guests/wakestress.c - lost wake-ups of a 2-VCPU guest, the way a
 * Linux guest makes them: both CPUs run thousands of rounds of "arm the
 * LAPIC timer (TSC-deadline, else one-shot) and HLT until it fires", "IPI
 * the other CPU (often in HLT) and HLT until it answers", short stretches
 * with interrupts off, a spinlock shared by both taken with interrupts off
 * (pause-loop exits), and busy stretches of 12-25 ms (past a hypervisor
 * time slice), in a pseudo-random mix. Every wait
 * is timed on the ACPI PM timer; a wake-up later than LATE_MS, or a CPU
 * whose round counter stands still for STALL_MS while the other one runs
 * (the BSP watches the AP), is reported with what both CPUs were doing.
 *
 * Command line: "ms=N" runs the rounds for N ms of PM time (default 3000),
 * "poweroff" ends through ACPI S5 after the summary.
 * Platform: as tests/guests/smp.c (COM1, isa-debug-exit 0xF4, ACPI tables
 * with the PM timer, a LAPIC per CPU, RAM at 0x8000 for the trampoline).
 */
#include "lib/tlib.h"
#include "lib/cpu.h"
#include "lib/apic.h"
#include "lib/acpi.h"
#include "lib/ioapic.h"
#include "lib/smp.h"
#include "lib/time.h"

#define V_TIMER 0x50
#define V_PING 0x51
#define V_PONG 0x52
#define LATE_MS 50		/* a wake-up later than this is a failure */
#define STALL_MS 200		/* the AP's rounds standing still this long */
#define GUARD_MS 500		/* a wait given up after this long */
#define NREPORT 4		/* late wake-ups printed one by one */

enum { PH_IDLE, PH_TIMER, PH_PING, PH_PONGWAIT, PH_CLI, PH_PAUSE, PH_BUSY, PH_DONE };
static const char *const ph_name[] = { "idle", "timer-hlt", "ping-sent", "pong-hlt", "cli-busy",
				       "lock-spin", "busy", "done" };

struct percpu_state {
	volatile u32 rounds;
	volatile u32 phase;
	volatile u32 timer_fired;	/* set by the timer handler */
	volatile u32 pongs;		/* answers to this CPU's pings */
	volatile u32 pings_taken;
	u32 late, worst_pm, timer_waits, ping_waits;
	u32 seed;
};

static struct percpu_state st[2];
static volatile u32 stop, reports, spin;
static u32 tsc_per_us;		/* TSC ticks per microsecond (TSC-deadline) */
static u32 lapic_hz;		/* LAPIC timer counts per second at divide 1 (one-shot) */
static int use_deadline;

static int me(void)
{
	int i = t_cpu_index();

	return i == 1 ? 1 : 0;
}

static u32 rnd(struct percpu_state *s)
{
	s->seed = s->seed * 1103515245u + 12345u;
	return s->seed >> 8;
}

static void on_timer(struct t_frame *f)
{
	(void)f;
	st[me()].timer_fired = 1;
	t_lapic_eoi();
}

/* a ping from the other CPU: answered at once */
static void on_ping(struct t_frame *f)
{
	int i = me();

	(void)f;
	st[i].pings_taken++;
	t_lapic_eoi();
	t_lapic_ipi(t_cpus[1 - i].apic_id, ICR_FIXED | V_PONG);
}

static void on_pong(struct t_frame *f)
{
	(void)f;
	st[me()].pongs++;
	t_lapic_eoi();
}

static void calibrate(void)
{
	u32 start, elapsed, left;
	u64 t0, t1;

	t_lapic_write(LAPIC_TIMER_DIV, 0xB);			/* divide by 1 */
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	t0 = rdtsc();
	start = t_pm_read();
	t_pm_delay_us(20000);
	left = t_lapic_read(LAPIC_TIMER_CUR);
	elapsed = t_pm_since(start);
	t1 = rdtsc();
	t_lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_hz = t_muldiv(0xFFFFFFFFu - left, T_PM_HZ, elapsed);
	tsc_per_us = (u32)t_udiv64(t1 - t0, t_muldiv(elapsed, 1000000, T_PM_HZ), NULL);
	if (!tsc_per_us)
		tsc_per_us = 1;
}

/* this CPU's timer fires in us microseconds */
static void timer_arm(u32 us)
{
	if (use_deadline) {
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + (u64)us * tsc_per_us);
	} else {
		u32 count = t_muldiv(us, lapic_hz, 1000000);

		t_lapic_write(LAPIC_TIMER_INIT, count ? count : 1);
	}
}

static void timer_stop(void)
{
	if (use_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		t_lapic_write(LAPIC_TIMER_INIT, 0);
}

/* HLT with interrupts on until *flag reaches want (at most GUARD_MS, when
 * a timer wakes this CPU then); the PM ticks it took */
static u32 hlt_until(volatile u32 *flag, u32 want)
{
	u32 start = t_pm_read();

	for (;;) {
		t_cli();
		if (*flag >= want)
			break;
		t_sti_hlt();	/* STI's shadow: no interrupt is lost in between */
		if (t_pm_since(start) > t_pm_ticks(GUARD_MS * 1000))
			break;	/* not coming: reported as late */
	}
	t_sti();
	return t_pm_since(start);
}

static void late(int i, const char *what, u32 pm, u32 expect_pm)
{
	struct percpu_state *s = &st[i];

	if (pm > s->worst_pm)
		s->worst_pm = pm;
	if (pm <= expect_pm + t_pm_ticks(LATE_MS * 1000))
		return;
	s->late++;
	if (__atomic_fetch_add(&reports, 1, __ATOMIC_SEQ_CST) < NREPORT)
		t_printf("wakestress: cpu%d round %u: %s woke after %u us (expected %u us); other cpu in %s, round %u\n",
			 i, s->rounds, what, t_muldiv(pm, 1000000, T_PM_HZ),
			 t_muldiv(expect_pm, 1000000, T_PM_HZ), ph_name[st[1 - i].phase], st[1 - i].rounds);
}

static void one_round(int i)
{
	struct percpu_state *s = &st[i];
	u32 r = rnd(s) % 100, us, pm;

	if (r < 45) {
		/* the timer: 50 us .. 2 ms, then HLT until it fires */
		us = 50 + rnd(s) % 1950;
		s->phase = PH_TIMER;
		s->timer_fired = 0;
		timer_arm(us);
		pm = hlt_until(&s->timer_fired, 1);
		s->timer_waits++;
		late(i, "timer", pm, t_pm_ticks(us));
	} else if (r < 80) {
		/* a ping to the other CPU, HLT until its pong */
		u32 want = s->pongs + 1;

		s->phase = PH_PING;
		t_lapic_ipi(t_cpus[1 - i].apic_id, ICR_FIXED | V_PING);
		s->phase = PH_PONGWAIT;
		/* the timer as a guard: a pong that never comes ends the
		 * wait as a late one instead of halting this CPU for good */
		timer_arm(GUARD_MS * 1000);
		pm = hlt_until(&s->pongs, want);
		timer_stop();
		s->ping_waits++;
		late(i, "pong", pm, 0);
	} else if (r < 82) {
		/* busy with interrupts on for 12-25 ms, past a time slice: a
		 * hypervisor thread waiting on this host CPU preempts it, and
		 * the scheduler may queue it on the other host CPU */
		s->phase = PH_BUSY;
		t_pm_delay_us(12000 + rnd(s) % 13000);
	} else if (r < 87) {
		/* interrupts off for up to 300 us (a guest's critical section) */
		s->phase = PH_CLI;
		t_cli();
		t_pm_delay_us(rnd(s) % 300);
		t_sti();
	} else {
		/* a lock shared with the other CPU, taken with interrupts off
		 * and held up to 100 us: the waiter spins on PAUSE (pause-loop
		 * exits), as a guest's spin_lock_irqsave does */
		u32 hold = rnd(s) % 100;

		s->phase = PH_PAUSE;
		t_cli();
		while (__atomic_exchange_n(&spin, 1, __ATOMIC_ACQUIRE))
			while (__atomic_load_n(&spin, __ATOMIC_RELAXED))
				t_pause();
		t_pm_delay_us(hold);
		__atomic_store_n(&spin, 0, __ATOMIC_RELEASE);
		t_sti();
	}
	s->phase = PH_IDLE;
	s->rounds++;
}

static void timer_setup(void)
{
	if (use_deadline)
		t_lapic_write(LAPIC_LVT_TIMER, LVT_DEADLINE | V_TIMER);
	else {
		t_lapic_write(LAPIC_TIMER_DIV, 0xB);
		t_lapic_write(LAPIC_LVT_TIMER, LVT_ONESHOT | V_TIMER);
	}
}

/* the AP's part: rounds until the BSP says stop */
static void ap_work(void *arg)
{
	(void)arg;
	timer_setup();
	t_sti();
	while (!stop)
		one_round(1);
	st[1].phase = PH_DONE;
}

int t_main(u32 magic, const struct mb_info *mi)
{
	u32 ms = t_cmdline_uint(mi, "ms=", 3000), mark, secs = 0, last_ap = 0, ap_seen;
	u32 stalls = 0;

	t_printf("wakestress: magic 0x%08x\n", magic);
	t_cpu_setup();
	t_pic_mask_all();
	if (!t_check(!t_acpi_init(), "wakestress-acpi", "no RSDP") || !t_pm_present())
		t_end("wakestress", mi);
	t_lapic_init();
	t_smp_init();
	if (!t_check(t_ncpus >= 2 && !t_smp_start(1), "wakestress-ap", "%d CPUs, AP 1 did not start",
		     t_ncpus))
		t_end("wakestress", mi);
	t_irq_set(V_TIMER, on_timer);
	t_irq_set(V_PING, on_ping);
	t_irq_set(V_PONG, on_pong);
	use_deadline = t_cpu_has_tsc_deadline();
	calibrate();
	t_printf("wakestress: %s timer, %u TSC/us, LAPIC %u Hz, %u ms of rounds\n",
		 use_deadline ? "TSC-deadline" : "one-shot", tsc_per_us, lapic_hz, ms);
	st[0].seed = 1;
	st[1].seed = 7;
	timer_setup();
	t_smp_call(1, ap_work, NULL, 0);
	t_sti();
	mark = t_pm_read();
	ap_seen = mark;
	/* the BSP runs rounds too, and watches the AP's counter; time in whole
	 * seconds plus the PM ticks since 'mark' (the PM timer may wrap after
	 * 4.6 s) */
	while (secs * 1000 + t_muldiv(t_pm_since(mark), 1000, T_PM_HZ) < ms) {
		if (t_pm_since(mark) >= T_PM_HZ) {
			mark += T_PM_HZ;
			secs++;
		}
		one_round(0);
		if (st[1].rounds != last_ap) {
			last_ap = st[1].rounds;
			ap_seen = t_pm_read();
		} else if (t_pm_since(ap_seen) > t_pm_ticks(STALL_MS * 1000)) {
			if (stalls++ < NREPORT)
				t_printf("wakestress: cpu1 made no round for %u ms (in %s, round %u)\n",
					 t_muldiv(t_pm_since(ap_seen), 1000, T_PM_HZ), ph_name[st[1].phase],
					 st[1].rounds);
			ap_seen = t_pm_read();
		}
	}
	stop = 1;
	/* the AP may be in a wait: a ping ends it (and its answer is harmless) */
	for (int k = 0; k < 100 && st[1].phase != PH_DONE; k++) {
		t_lapic_ipi(t_cpus[1].apic_id, ICR_FIXED | V_PING);
		t_pm_delay_us(10000);
	}
	t_printf("wakestress: cpu0 %u rounds (%u timer, %u ping waits), cpu1 %u rounds (%u timer, %u ping waits)\n",
		 st[0].rounds, st[0].timer_waits, st[0].ping_waits, st[1].rounds, st[1].timer_waits,
		 st[1].ping_waits);
	t_printf("wakestress: worst wait cpu0 %u us, cpu1 %u us\n", t_muldiv(st[0].worst_pm, 1000000, T_PM_HZ),
		 t_muldiv(st[1].worst_pm, 1000000, T_PM_HZ));
	t_check(st[1].phase == PH_DONE, "wakestress-ap-done", "the AP did not finish (in %s)",
		ph_name[st[1].phase]);
	t_check(st[0].rounds >= 100 && st[1].rounds >= 100, "wakestress-rounds", "%u and %u rounds",
		st[0].rounds, st[1].rounds);
	t_check(!st[0].late && !st[1].late, "wakestress-no-late-wakeup",
		"%u and %u wake-ups later than %u ms", st[0].late, st[1].late, LATE_MS);
	t_check(!stalls, "wakestress-no-stall", "cpu1 stood still %u times for %u ms", stalls, STALL_MS);
	t_end("wakestress", mi);
}
