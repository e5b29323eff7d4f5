"""tests/system/test_sched_smp.py - the scheduler on two host CPUs (issue
11, item 9): four guests on two CPUs, time-slice shares 1:2:4 on one CPU,
equal guests spread over both CPUs, affinity honoured, a VCPU that
migrates and keeps working, and a guest's PIT interrupts at the programmed
rate while it runs on CPU1.

Every boot is Bochs with two CPUs (clock: sync=none, so each CPU runs one
instruction per TSC tick and every figure repeats run to run). The guests
are tests/guests/tick.asm ("<guest>: tick N tsc T" per 500000 loop
instructions: its own measure of its CPU share) and tests/guests/pit.asm,
in the configurations tests/system/dts/smp-*.dts; what the hypervisor says
comes from its `sched` table (smp_lib.py has both readers). Each module
fixture is one boot shared by the tests that read it.
"""
import pytest

from smp_lib import (ALIVE, assert_alive, echo_pos, run_delta, sched_tables, smp_boot,
                     span_of, starts, tick_share, ticks)

TOL = 0.05           # shares 1:2:4 within +-5 % (relative) of 1/7, 2/7, 4/7


# --------------------------------------------------------------------------
# four equal guests, no affinity (smp-four.dts)
# --------------------------------------------------------------------------
FOUR = ["t1", "t2", "t3", "t4"]
FOUR_CMD = "guest kick all; sleep 500; sched; sleep 800; sched; echo %s; poweroff" % ALIVE


@pytest.fixture(scope="module")
def four(make_dtb, make_iso, boot_bochs, guest_bin):
    return smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, "smp-four", ["tick"], FOUR_CMD)


def test_four_guests_progress_on_two_cpus(four):
    """Four guests on two CPUs: each prints its start banner, ticks before
    the first `sched` and again between the two (guest-side progress, not
    the hypervisor's word), and the hypervisor stays alive."""
    r = four
    assert_alive(r)
    first, second = echo_pos(r, "sched", 0), echo_pos(r, "sched", 1)
    for g in FOUR:
        r.expect(r"^%s: start$" % g)
        assert len(ticks(r, g, 0, first)) >= 3, "%s: no progress before the first sched\n%s" % (g, r)
        assert len(ticks(r, g, first, second)) >= 5, "%s: no progress between the scheds\n%s" % (g, r)
    r.refute(r"^guest t\d \S+ halted")


def test_four_guests_each_get_a_fair_part(four):
    """Four equal CPU-bound guests on two CPUs should each get about half a
    CPU; each gets at least 0.3 of one over the 800 ms between the scheds
    by its own TSC measure (a 3+1 split gives 1/3: the bound catches a
    guest left behind, not the exact split)."""
    r = four
    first, second = echo_pos(r, "sched", 0), echo_pos(r, "sched", 1)
    for g in FOUR:
        s = tick_share(ticks(r, g, first, second)[1:])
        print("%s: share %.3f" % (g, s))
        assert s >= 0.3, "%s got %.3f of a CPU, want >= 0.3\n%s" % (g, s, r)


def test_equal_guests_spread_over_both_cpus(four):
    """`sched` (waits for the lead): both CPUs are listed, the four guests
    together ran on cpu0 and on cpu1 between the two tables, each guest's
    run-us grew, and the guests kept both CPUs busy (their run-us over the
    800 ms sum to at least 1.5 CPU-seconds per second)."""
    r = four
    a, b = sched_tables(r)
    assert sorted(b.cpus) == [0, 1], b.cpus
    per_cpu = [0, 0]
    for g in FOUR:
        d = run_delta(a, b, g + "/vcpu0")
        assert sum(d) > 0, "%s/vcpu0 did not run between the scheds: %s\n%s" % (g, d, r)
        per_cpu = [x + y for x, y in zip(per_cpu, d)]
        assert b.vcpu(g + "/vcpu0").affinity == "any"
    print("guest run-us per CPU between the scheds:", per_cpu)
    assert per_cpu[0] > 0 and per_cpu[1] > 0, "guests ran on one CPU only: %s\n%s" % (per_cpu, r)
    assert sum(per_cpu) >= 1.5 * 800000, "guests used %d us of 2 x 800 ms\n%s" % (sum(per_cpu), r)
    for c in (0, 1):
        assert b.cpus[c].switches > 0, "cpu%d never switched\n%s" % (c, r)


# --------------------------------------------------------------------------
# time slices 1:2:4 on CPU1 (smp-slices.dts)
# --------------------------------------------------------------------------
SLICES = {"s1": 1, "s2": 2, "s4": 4}
SLICES_CMD = "guest kick all; sleep 200; sched; sleep 1400; sched; echo %s; poweroff" % ALIVE


@pytest.fixture(scope="module")
def slices(make_dtb, make_iso, boot_bochs, guest_bin):
    return smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, "smp-slices", ["tick"], SLICES_CMD)


def check_shares(shares, how, r, tol=None):
    """shares {guest: share}: normalised over s1, s2, s4 they are within
    tol (default TOL) of slice/7."""
    tol = TOL if tol is None else tol
    total = sum(shares.values())
    for g, ms in SLICES.items():
        want = ms / 7.0
        got = shares[g] / total
        print("%s (%d ms slice): %s share %.4f of the three, want %.4f" % (g, ms, how, got, want))
        assert abs(got - want) <= tol * want, (
            "%s: %s share %.4f of the three, want %.4f +- %.0f %%\n%s"
            % (g, how, got, want, 100 * tol, r))


def test_slices_1_2_4_guest_measured(slices):
    """The three guests on one CPU with slices 1, 2, 4 ms get 1/7, 2/7, 4/7
    of it (+-5 %), measured by the guests themselves with the TSC over the
    1.4 s between the two scheds (normalised over the three, so the time
    the CPU gives anything else - another guest, an orphan - does not
    count). Passes today (all on CPU0, affinity not yet read)."""
    r = slices
    assert_alive(r)
    # the sleep between the two tables: the bootcmd thread prints nothing
    # then (printing to the host's serial console at 115200 baud takes the
    # printing CPU ~87 us a character)
    quiet = span_of(r, "sleep 1400")
    first, second = quiet.start, quiet.end
    shares = {}
    for g in SLICES:
        tks = ticks(r, g, first, second)[1:]
        assert len(tks) >= 5, "%s: %d ticks between the scheds\n%s" % (g, len(tks), r)
        shares[g] = tick_share(tks)
    # The guests' own view includes what the hypervisor spends for them:
    # each tick line is ~30 UART exits of ~3000 instructions (emulation and
    # the host's serial output), and every slice starts with a VCPU switch,
    # which a 1 ms slice pays four times as often per unit of work as a
    # 4 ms one. The hypervisor's statistics (test_slices_1_2_4_from_sched)
    # hold the +-5 %; this view is held to +-10 %.
    check_shares(shares, "TSC", r, tol=0.10)
    # w0 has CPU0 to itself once the others are pinned to CPU1
    assert ticks(r, "w0", first, second), r


def test_slices_1_2_4_from_sched(slices):
    """The same shares from the hypervisor's run-us between the two
    tables (waits for the lead): and the three ran on cpu1 only, with the
    slices and affinity of the DTS; w0 on cpu0 only, with CPU0 to itself
    (its TSC share at least 0.95)."""
    r = slices
    a, b = sched_tables(r)
    shares = {}
    for g, ms in SLICES.items():
        row = b.vcpu(g + "/vcpu0")
        assert row.slice_us == ms * 1000, row
        assert row.affinity == "1", row
        assert row.run_us[0] == 0, "%s ran on cpu0 although pinned to cpu1: %s\n%s" % (g, row, r)
        assert row.migrations == 0, row
        shares[g] = run_delta(a, b, g + "/vcpu0")[1]
    check_shares(shares, "run-us", r)
    w0 = b.vcpu("w0/vcpu0")
    assert w0.affinity == "0" and w0.run_us[1] == 0 and w0.migrations == 0, w0
    # during the sleep: the tables themselves are printed by the bootcmd
    # thread, which shares CPU0 with w0 while it prints
    quiet = span_of(r, "sleep 1400")
    s = tick_share(ticks(r, "w0", quiet.start, quiet.end)[1:])
    assert s >= 0.95, "w0 alone on CPU0 got %.3f of it\n%s" % (s, r)


# --------------------------------------------------------------------------
# migration and affinity (smp-migrate.dts)
# --------------------------------------------------------------------------
# p0, q pinned to CPU0, p1 to CPU1, u free. Phase 2: p1 paused, CPU1 idle;
# phase 3: p0 and q paused, CPU0 idle. Whichever CPU u starts on, in one of
# the two phases its CPU is busy and the other idle: it must move.
MIGRATE_CMD = ("guest kick all; sleep 300; sched; "
               "guest pause p1; sleep 300; sched; "
               "guest resume p1; guest pause p0; guest pause q; sleep 300; sched; "
               "guest resume p0; guest resume q; sleep 200; sched; "
               "echo %s; poweroff" % ALIVE)


@pytest.fixture(scope="module")
def migrate(make_dtb, make_iso, boot_bochs, guest_bin):
    return smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, "smp-migrate", ["tick"],
                    MIGRATE_CMD)


def test_paused_guest_stops_and_resumes(migrate):
    """`guest pause` stops a guest's ticks (at most one line in flight
    after the command), `guest resume` brings them back without a restart
    (no second start banner); the others tick on meanwhile."""
    r = migrate
    assert_alive(r)
    pause1 = span_of(r, "guest pause p1")
    resume1 = span_of(r, "guest resume p1")
    assert len(ticks(r, "p1", pause1.end, resume1.start)) <= 1, r
    assert ticks(r, "p1", resume1.end), "p1 did not tick after resume\n%s" % r
    pause0 = span_of(r, "guest pause p0")
    resume0 = span_of(r, "guest resume p0")
    assert len(ticks(r, "p0", pause0.end, resume0.start)) <= 1, r
    assert ticks(r, "p0", resume0.end), "p0 did not tick after resume\n%s" % r
    for g in ("p0", "p1", "u", "q"):
        assert starts(r, g) == 1, "%s started %d times\n%s" % (g, starts(r, g), r)
    assert len(ticks(r, "u", pause1.end, resume1.start)) >= 5, r
    assert len(ticks(r, "p1", pause0.end, resume0.start)) >= 3, r


def test_free_vcpu_moves_to_the_idle_cpu(migrate):
    """While one CPU is idle (its pinned guests paused) u has a CPU to
    itself: its own TSC share is at least 0.9 in both phases, which it can
    only get if it moved to the idle CPU in one of them (waits for the
    lead: today every VCPU runs on CPU0)."""
    r = migrate
    # the sleeps after the pauses (the 2nd and 3rd 'sleep 300'): nothing
    # but guests runs then - the bootcmd thread's printing of the tables
    # and commands would share u's CPU
    for pause, nth in (("guest pause p1", 1), ("guest pause q", 2)):
        quiet = span_of(r, "sleep 300", nth)
        tks = ticks(r, "u", quiet.start, quiet.end)[2:]
        assert len(tks) >= 5, "u ticked %d times while %s\n%s" % (len(tks), pause, r)
        s = tick_share(tks)
        print("u's share after '%s': %.3f" % (pause, s))
        assert s >= 0.9, "u got %.3f of a CPU after '%s' although one CPU was idle\n%s" % (
            s, pause, r)


def test_migrated_vcpu_counted_and_keeps_working(migrate):
    """`sched` (waits for the lead): u migrated at least once, ran on both
    CPUs, and still ticks after the last table; its affinity is 'any'."""
    r = migrate
    tables = sched_tables(r)
    assert len(tables) == 4, r
    u = tables[-1].vcpu("u/vcpu0")
    print("u:", u)
    assert u.affinity == "any", u
    assert u.migrations > 0, "u never migrated: %s\n%s" % (u, r)
    assert u.run_us[0] > 0 and u.run_us[1] > 0, "u ran on one CPU only: %s\n%s" % (u, r)
    assert ticks(r, "u", echo_pos(r, "sched", 2)), "u stopped ticking after migrating\n%s" % r


# `vcpu set_affinity` at run time (smp-migrate.dts: u is free)
SETAFF_CMD = ("guest kick all; sleep 200; vcpu set_affinity u/vcpu0 1; sleep 100; sched; "
              "sleep 300; sched; vcpu set_affinity u/vcpu0 0; sleep 100; sched; sleep 300; sched; "
              "vcpu set_affinity u/vcpu0 7; vcpu set_affinity u/vcpu0 x; "
              "vcpu set_affinity u/vcpu0 any; echo %s; poweroff" % ALIVE)


@pytest.fixture(scope="module")
def setaff(make_dtb, make_iso, boot_bochs, guest_bin):
    return smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, "smp-migrate", ["tick"],
                    SETAFF_CMD)


def test_set_affinity_moves_a_running_vcpu(setaff):
    """`vcpu set_affinity u/vcpu0 1` then `0`: between the tables of each
    phase u runs only on the CPU it was given (from `sched`), keeps ticking,
    and the table shows the affinity; a CPU that runs no scheduler and a
    word that is no CPU list are refused with one line each."""
    r = setaff
    assert_alive(r)
    t = sched_tables(r)
    assert len(t) == 4, r
    assert t[1].vcpu("u/vcpu0").affinity == "1", t[1].vcpu("u/vcpu0")
    on1 = run_delta(t[0], t[1], "u/vcpu0")
    assert on1[0] == 0 and on1[1] > 0, "pinned to CPU1, u ran %s\n%s" % (on1, r)
    assert t[3].vcpu("u/vcpu0").affinity == "0", t[3].vcpu("u/vcpu0")
    on0 = run_delta(t[2], t[3], "u/vcpu0")
    assert on0[1] == 0 and on0[0] > 0, "pinned to CPU0, u ran %s\n%s" % (on0, r)
    assert ticks(r, "u", echo_pos(r, "sched", 3)), "u stopped ticking\n%s" % r
    r.expect(r"^vcpu u/vcpu0: affinity 0x80 names no CPU that runs the scheduler \(0x3\)$",
             r"^vcpu set_affinity: 'x' is not 'any' or a list of host CPUs 0\.\.7 like 0,1$")


def test_affinity_honoured(migrate):
    """`sched` (waits for the lead): in every table p0 and q have run-us 0
    on cpu1, p1 run-us 0 on cpu0, none of them ever migrated, and each
    table shows the affinity of the DTS."""
    r = migrate
    for t in sched_tables(r):
        for g, cpu in (("p0", 0), ("q", 0), ("p1", 1)):
            row = t.vcpu(g + "/vcpu0")
            assert row.affinity == str(cpu), row
            assert row.run_us[1 - cpu] == 0, "%s ran on cpu%d although pinned to cpu%d: %s\n%s" % (
                g, 1 - cpu, cpu, row, r)
            assert row.migrations == 0, row
            if row.state in ("RUNNING", "READY"):
                assert row.cpu == cpu, row
        assert t.vcpu("p1/vcpu0").run_us[1] > 0 and t.vcpu("p0/vcpu0").run_us[0] > 0, t


# --------------------------------------------------------------------------
# the PIT on CPU1 (smp-pit.dts)
# --------------------------------------------------------------------------
PIT_CMD = "guest kick all; sleep 400; sched; echo %s; poweroff" % ALIVE


@pytest.fixture(scope="module")
def pit_cpu1(make_dtb, make_iso, boot_bochs, guest_bin):
    return smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, "smp-pit", ["pit", "tick"], PIT_CMD)


def test_pit_rate_on_cpu1(pit_cpu1):
    """pit.asm's own checks pass: 1 kHz IRQ0 gives 99..101 interrupts in
    100 ms of TSC, HLT is woken by the next tick, channel 2 ends after
    50 ms; it shuts down with status 0; a0 and b0 tick meanwhile. (Passes
    today with pit on CPU0; on CPU1 once affinity is read.)"""
    r = pit_cpu1
    assert_alive(r)
    r.expect(r"^pit: PASS pit-1khz-rate-within-1pct-low$",
             r"^pit: PASS pit-1khz-rate-within-1pct-high$",
             r"^pit: PASS hlt-woken-by-pit-irq$",
             r"^pit: PASS pit-ch2-calibration-50ms-high$",
             r"^guest pit: pit/vcpu0 shut down with status 0$")
    r.refute(r"^pit: FAIL")
    m = r.expect(r"^pit: ticks in 100 ms: 0x([0-9A-F]{8})$")[0]
    assert 99 <= int(m.group(1), 16) <= 101, r
    for g in ("a0", "b0"):
        assert len(ticks(r, g)) >= 5, r


def test_pit_guest_ran_on_cpu1_only(pit_cpu1):
    """`sched` (waits for the lead): pit/vcpu0 ran on cpu1 only (run-us 0
    on cpu0, some on cpu1), a0 and b0 on cpu0 only."""
    r = pit_cpu1
    (t,) = sched_tables(r)
    pit = t.vcpu("pit/vcpu0")
    assert pit.run_us[0] == 0 and pit.run_us[1] > 0, "pit/vcpu0: %s\n%s" % (pit, r)
    assert pit.affinity == "1" and pit.migrations == 0, pit
    for g in ("a0", "b0"):
        row = t.vcpu(g + "/vcpu0")
        assert row.run_us[1] == 0 and row.run_us[0] > 0, "%s: %s\n%s" % (g, row, r)
