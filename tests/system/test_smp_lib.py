"""tests/system/test_smp_lib.py - the readers of smp_lib.py and the checks
of test_lifecycle.py on made-up transcripts (no emulator): a transcript in
the agreed formats where everything behaves as issue 11 asks must pass
every life-cycle check, and each kind of misbehaviour (a paused guest
that goes on, a restart on resume, a leak, a bystander that stops, a
malformed sched line) must fail the check that is about it. So the
Bochs tests that wait for the lead's commands are known to read his
output right before it exists. The same for the scheduler checks of
test_sched_smp.py, on the output of a small simulated two-CPU scheduler
(SimHost) that does what the issue asks - and, with a fault put in, does
not.
"""
import pytest

import test_lifecycle as life
import test_sched_smp as smp
from conftest import BootResult
from smp_lib import ALIVE, run_delta, sched_tables, spans, tick_share, ticks

SCHED_CPU = ("sched: cpu%d current %s ready %d switches %d idle-us %d"
             " remote-stops 0 avg-ns 0 max-ns 0")
SCHED_VCPU = ("sched: vcpu %s %s cpu%d prio 0 slice-us 10000 affinity any "
              "run-us %d,%d migrations %d")


def result(lines):
    return BootResult(engine="fake", output="\n".join(lines) + "\n", exited=True,
                      returncode=0, matched=True, timed_out=False, elapsed=0.0, log="",
                      workdir=None, pgid=0)


def tick(g, n, tsc=1000000):
    return "%s: tick 0x%08X tsc 0x%08X" % (g, n, tsc)


class FakeLife:
    """Plays LIFE_CMD the way the hypervisor should, printing what it
    would print; `faults` names misbehaviours to put in."""

    def __init__(self, faults=()):
        self.faults = set(faults)
        self.out = ["xvisor-x86 (fake)"]
        self.n = {g: 0 for g in "abcv"}
        self.v = "reset"
        self.cycle = 0
        self.run_us = {g: [0, 0] for g in "abcv"}

    def ticks(self, g, k):
        for _ in range(k):
            self.n[g] += 1
            self.out.append(tick(g, self.n[g]))
            self.run_us[g][self.n[g] % 2] += 10000

    def start(self, g):
        self.n[g] = 0
        self.out.append("%s: start" % g)

    def meminfo(self):
        free = 100000 + (1728 if self.v == "gone" else 0)
        objects = 500 + (7 if self.v != "gone" else 0)
        if "leak" in self.faults and self.cycle == 3 and self.v != "gone":
            objects += 1
        self.out += ["pages: 130000 KiB managed, %d KiB free, 1 zones" % free,
                     "heap: %d objects, 40000 bytes in use, 12 pages held" % objects]

    def play(self, bootcmd):
        for cmd in bootcmd.split("; "):
            self.out.append("bootcmd> " + cmd)
            self.do(cmd)
        return result(self.out)

    def do(self, cmd):
        v = self.v
        if cmd == "guest kick all":
            for g in "abcv":
                self.start(g)
            self.v = "running"
        elif cmd.startswith("sleep"):
            for _ in range(4):
                for g in "abc":
                    if not (g == "a" and "bystander-stops" in self.faults and self.cycle == 2):
                        self.ticks(g, 1)
                if v == "running" or (v == "paused" and "runs-paused" in self.faults):
                    self.ticks("v", 1)
        elif cmd in ("guest pause v", "vcpu pause v/vcpu0"):
            self.v = "paused"
        elif cmd in ("guest resume v", "vcpu resume v/vcpu0"):
            self.v = "running"
            if "restart-on-resume" in self.faults:
                self.start("v")
        elif cmd in ("guest halt v", "vcpu halt v/vcpu0"):
            self.v = "halted"
            self.out.append("guest v v/vcpu0 halted: halted from the terminal")
        elif cmd in ("guest reset v", "vcpu reset v/vcpu0"):
            self.v = "reset"
            self.out.append("guest v: reset")
        elif cmd in ("guest kick v", "vcpu kick v/vcpu0"):
            if v == "reset":
                self.start("v")
            self.v = "running"
        elif cmd == "guest destroy v":
            self.cycle += 1
            self.v = "gone"
            self.out.append("guest v: destroyed")
        elif cmd == "guest create v":
            self.v = "reset"
            self.run_us["v"] = [0, 0]
            self.out.append("guest v: created")
        elif cmd == "meminfo":
            self.meminfo()
        elif cmd == "guest list":
            self.out.append("  id  guest            vcpus  states")
            for i, g in enumerate("abcv"):
                self.out.append("  %-3d %-16s %-6d %s" % (i, g, 1, "RUNNING"))
        elif cmd == "sched":
            self.out += [SCHED_CPU % (0, "a/vcpu0", 1, 900, 10), SCHED_CPU % (1, "b/vcpu0", 1, 800, 20)]
            for i, g in enumerate("abcv"):
                self.out.append(SCHED_VCPU % ((g + "/vcpu0", "RUNNING" if i < 2 else "READY", i % 2)
                                              + tuple(self.run_us[g]) + (1,)))
            if "bad-sched-line" in self.faults:
                self.out.append("sched: vcpu v/vcpu0 READY cpu0 run-us 5")
        elif cmd == "echo " + ALIVE:
            self.out.append(ALIVE)
        elif cmd == "poweroff":
            self.out.append("powering off")
        else:
            raise AssertionError("FakeLife does not know %r" % cmd)


LIFE_TESTS = [life.test_bystanders_print_between_all_commands, life.test_pause_and_resume,
              life.test_halt_then_reset_runs_again, life.test_destroy_create_cycles,
              life.test_destroy_create_leaks_nothing, life.test_sched_table_after_the_cycles]


@pytest.mark.parametrize("check", LIFE_TESTS, ids=lambda f: f.__name__)
def test_lifecycle_checks_pass_on_right_behaviour(check):
    check(FakeLife().play(life.LIFE_CMD))


@pytest.mark.parametrize("fault, check", [
    ("runs-paused", life.test_pause_and_resume),
    ("restart-on-resume", life.test_pause_and_resume),
    ("leak", life.test_destroy_create_leaks_nothing),
    ("bystander-stops", life.test_bystanders_print_between_all_commands),
    ("bad-sched-line", life.test_sched_table_after_the_cycles),
])
def test_lifecycle_checks_catch_misbehaviour(fault, check):
    with pytest.raises(AssertionError):
        check(FakeLife([fault]).play(life.LIFE_CMD))


def test_sched_reader():
    """Two tables with guest lines between their rows: rows read, run-us
    differences, CPU rows first, one run-us figure per CPU."""
    r = result(["bootcmd> sched",
                SCHED_CPU % (0, "t1/vcpu0", 2, 10, 5),
                "t3: tick 0x00000001 tsc 0x0007A2F0",
                SCHED_CPU % (1, "idle/1", 0, 3, 700),
                "sched: vcpu t1/vcpu0 RUNNING cpu0 prio 0 slice-us 1000 affinity 0,1 run-us 10,0 migrations 0",
                "sched: vcpu idle/1 READY cpu1 prio 0 slice-us 10000 affinity 1 run-us 0,0 migrations 0",
                "bootcmd> sleep 10",
                "bootcmd> sched",
                SCHED_CPU % (0, "t1/vcpu0", 2, 20, 5),
                SCHED_CPU % (1, "idle/1", 0, 3, 900),
                "sched: vcpu t1/vcpu0 READY cpu1 prio 0 slice-us 1000 affinity 0,1 run-us 30,7 migrations 1",
                "sched: vcpu idle/1 READY cpu1 prio 0 slice-us 10000 affinity 1 run-us 0,0 migrations 0"])
    a, b = sched_tables(r)
    assert a.cpus[1].idle_us == 700 and b.cpus[0].switches == 20
    t1 = b.vcpu("t1/vcpu0")
    assert (t1.state, t1.cpu, t1.slice_us, t1.affinity, t1.migrations) == ("READY", 1, 1000, "0,1", 1)
    assert run_delta(a, b, "t1/vcpu0") == [20, 7]
    assert [s.cmd for s in spans(r)] == ["sched", "sleep 10", "sched"]
    assert len(ticks(r, "t3")) == 1 and abs(tick_share(ticks(r, "t3")) - 500000 / 0x7A2F0) < 1e-9


@pytest.mark.parametrize("bad", [
    "sched: vcpu t1/vcpu0 RUNNING cpu0 prio 0 slice-us 1000 affinity any run-us 10 migrations 0",
    "sched: vcpu t1/vcpu0 RUNNING cpu0 prio 0 slice-us 1000 run-us 10,0 migrations 0",
    "sched: cpu0 current t1/vcpu0 ready 2 switches 10",
])
def test_sched_reader_refuses_other_formats(bad):
    r = result(["bootcmd> sched", SCHED_CPU % (0, "x", 0, 0, 0), SCHED_CPU % (1, "y", 0, 0, 0),
                bad, "bootcmd> poweroff"])
    with pytest.raises(AssertionError):
        sched_tables(r)


# --------------------------------------------------------------------------
# the scheduler checks on a simulated two-CPU scheduler
# --------------------------------------------------------------------------
HZ = 50000000                     # Bochs: instructions (TSC ticks) per second
STEP = 5000                       # simulation step, TSC ticks (100 us)
LOOP = 500000                     # tick.asm: instructions per tick line


class SimVcpu:
    def __init__(self, name, slice_ms, affinity):
        self.name, self.slice = name, slice_ms * HZ // 1000
        self.affinity = affinity            # None: any CPU
        self.state, self.cpu, self.used = "RESET", 0, 0
        self.n, self.progress, self.window = 0, 0, 0
        self.run_us, self.migrations = [0, 0], 0


class SimHost:
    """Per-CPU round-robin queues with time slices and affinity; a free
    VCPU is placed on the least loaded CPU at kick and moves to an idle
    CPU; prints tick lines and sched tables as agreed. `faults`:
    'no-migration', 'ignore-affinity', 'equal-slices'."""

    def __init__(self, guests, faults=()):
        self.faults = set(faults)
        self.v = {g: SimVcpu(g, 10 if "equal-slices" in self.faults else ms,
                             None if "ignore-affinity" in self.faults else aff)
                  for g, ms, aff in guests}
        self.t, self.out = 0, ["xvisor-x86 (simulated)"]
        self.cur = [None, None]
        self.queue = [[], []]
        self.switches = [0, 0]

    def allowed(self, v, cpu):
        return v.affinity is None or v.affinity == cpu

    def load(self, cpu):
        return len(self.queue[cpu]) + (self.cur[cpu] is not None)

    def kick(self, g):
        v = self.v[g]
        v.cpu = min((c for c in (0, 1) if self.allowed(v, c)), key=self.load)
        v.state = "READY"
        self.queue[v.cpu].append(v)
        self.out.append("%s: start" % g)
        v.window = self.t

    def pause(self, g):
        v = self.v[g]
        if v in self.queue[v.cpu]:
            self.queue[v.cpu].remove(v)
        if self.cur[v.cpu] is v:
            self.cur[v.cpu] = None
        v.state = "PAUSED"

    def resume(self, g):
        v = self.v[g]
        v.state = "READY"
        self.queue[v.cpu].append(v)

    def balance(self):
        if "no-migration" in self.faults:
            return
        for c in (0, 1):
            if self.cur[c] is None and not self.queue[c]:
                for v in list(self.queue[1 - c]):
                    if self.allowed(v, c):
                        self.queue[1 - c].remove(v)
                        v.cpu = c
                        v.migrations += 1
                        self.queue[c].append(v)
                        break

    def step(self):
        self.balance()
        for c in (0, 1):
            v = self.cur[c]
            if v is None or v.used >= v.slice:
                if v is not None:
                    v.state = "READY"
                    self.queue[c].append(v)
                v = self.cur[c] = self.queue[c].pop(0) if self.queue[c] else None
                if v is None:
                    continue
                self.switches[c] += 1
                v.used, v.state = 0, "RUNNING"
            v.used += STEP
            v.progress += STEP
            v.run_us[c] += STEP * 1000000 // HZ
            if v.progress >= LOOP:
                v.progress -= LOOP
                v.n += 1
                end = self.t + STEP
                self.out.append(tick(v.name, v.n, end - v.window))
                v.window = end
        self.t += STEP

    def play(self, bootcmd):
        for cmd in bootcmd.split("; "):
            self.out.append("bootcmd> " + cmd)
            w = cmd.split()
            if cmd == "guest kick all":
                for g in self.v:
                    self.kick(g)
            elif w[0] == "sleep":
                for _ in range(int(w[1]) * HZ // 1000 // STEP):
                    self.step()
            elif w[:2] == ["guest", "pause"]:
                self.pause(w[2])
            elif w[:2] == ["guest", "resume"]:
                self.resume(w[2])
            elif cmd == "sched":
                for c in (0, 1):
                    cur = self.cur[c]
                    self.out.append(SCHED_CPU % (c, cur.name + "/vcpu0" if cur else "idle/%d" % c,
                                                 len(self.queue[c]), self.switches[c], 0))
                for v in self.v.values():
                    self.out.append(
                        "sched: vcpu %s/vcpu0 %s cpu%d prio 0 slice-us %d affinity %s run-us %d,%d "
                        "migrations %d" % (v.name, v.state, v.cpu, v.slice * 1000000 // HZ,
                                           "any" if v.affinity is None else v.affinity,
                                           v.run_us[0], v.run_us[1], v.migrations))
            elif cmd == "echo " + ALIVE:
                self.out.append(ALIVE)
            elif cmd == "poweroff":
                self.out.append("powering off")
            else:
                raise AssertionError("SimHost does not know %r" % cmd)
        return result(self.out)


FOUR = [(g, 10, None) for g in ("t1", "t2", "t3", "t4")]
SLICES = [("s1", 1, 1), ("s2", 2, 1), ("s4", 4, 1), ("w0", 10, 0)]
MIGRATE = [("p0", 10, 0), ("p1", 10, 1), ("u", 10, None), ("q", 10, 0)]
SIM_CASES = [
    (FOUR, smp.FOUR_CMD, [smp.test_four_guests_progress_on_two_cpus,
                          smp.test_four_guests_each_get_a_fair_part,
                          smp.test_equal_guests_spread_over_both_cpus]),
    (SLICES, smp.SLICES_CMD, [smp.test_slices_1_2_4_guest_measured,
                              smp.test_slices_1_2_4_from_sched]),
    (MIGRATE, smp.MIGRATE_CMD, [smp.test_paused_guest_stops_and_resumes,
                                smp.test_free_vcpu_moves_to_the_idle_cpu,
                                smp.test_migrated_vcpu_counted_and_keeps_working,
                                smp.test_affinity_honoured]),
]


@pytest.mark.parametrize("guests, cmd, check",
                         [pytest.param(g, c, f, id=f.__name__) for g, c, fs in SIM_CASES for f in fs])
def test_sched_checks_pass_on_right_behaviour(guests, cmd, check):
    check(SimHost(guests).play(cmd))


@pytest.mark.parametrize("guests, cmd, fault, check", [
    pytest.param(g, c, fault, f, id="%s-%s" % (fault, f.__name__)) for g, c, fault, f in [
        (SLICES, smp.SLICES_CMD, "equal-slices", smp.test_slices_1_2_4_guest_measured),
        (SLICES, smp.SLICES_CMD, "equal-slices", smp.test_slices_1_2_4_from_sched),
        (SLICES, smp.SLICES_CMD, "ignore-affinity", smp.test_slices_1_2_4_from_sched),
        (MIGRATE, smp.MIGRATE_CMD, "no-migration", smp.test_free_vcpu_moves_to_the_idle_cpu),
        (MIGRATE, smp.MIGRATE_CMD, "no-migration", smp.test_migrated_vcpu_counted_and_keeps_working),
        (MIGRATE, smp.MIGRATE_CMD, "ignore-affinity", smp.test_affinity_honoured)]])
def test_sched_checks_catch_misbehaviour(guests, cmd, fault, check):
    with pytest.raises(AssertionError):
        check(SimHost(guests, [fault]).play(cmd))
