"""tests/system/smp_lib.py - helpers of the SMP scheduler and life-cycle
tests (test_sched_smp.py, test_lifecycle.py, test_threads.py): a boot of a
tests/system/dts/smp-*.dts configuration on two Bochs CPUs, and readers of
what such a boot prints:

  `sched` tables - one line per online host CPU, then one per VCPU:
    sched: cpu<N> current <vcpu> ready <n> switches <n> idle-us <us>
    sched: vcpu <vcpu> <STATE> cpu<N> prio <P> slice-us <S> affinity <any|0,1,..>
           run-us <us on cpu0>,<us on cpu1>,... migrations <M>
  tick lines of tests/guests/tick.asm - "<guest>: tick 0x<N> tsc 0x<T>":
    the guest ran 2 * TICK_ITERS instructions of a fixed loop in T TSC
    ticks (Bochs: one TSC tick per instruction of a CPU), so
    2 * TICK_ITERS / T is its share of the CPU it ran on.

Bootcmd strings are ';'-separated and each is echoed as "bootcmd> <cmd>";
`spans` cuts the transcript at those echoes, so a test can say what
happened between two commands.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
TICK_ITERS = 250000           # ITERS of tests/guests/tick.asm (2 instructions each)
TROUBLE = (r"PANIC|EXCEPTION|CPU\d+: stopped|hypervisor bug|VM entry failed|"
           r"did not start|did not stop|does not answer")
ALIVE = "hypervisor-alive"


def smp_boot(make_dtb, make_iso, boot_bochs, guest_bin, config, images, bootcmd,
             timeout=120, cpus=2):
    """Boot tests/system/dts/CONFIG.dts with the test guests `images`
    (names of tests/guests/*.asm) as modules, on `cpus` Bochs CPUs, until
    the power-off (or a panic, or the timeout)."""
    dtb = make_dtb(DTS_DIR / (config + ".dts"))
    # screen=off: these boots hold the scheduler's figures to +-5 % with
    # slices of 1 ms, and in Bochs drawing a guest's console line on the
    # screen inside its exit costs ~30,000 instructions, 0.6 ms of emulated
    # time; the screen's cost is measured by make bench (README, "The
    # screen console") and its drawing by test_screen.py
    iso = make_iso('screen=off bootcmd="%s"' % bootcmd, [dtb] + [guest_bin(g) for g in images])
    return boot_bochs(iso, timeout=timeout, cpus=cpus,
                      until=r"^powering off$|CPU\d+: stopped|PANIC")


def assert_alive(r):
    """No hypervisor exception or panic; the commands after the guests ran
    ('echo hypervisor-alive', then the power-off)."""
    r.refute(TROUBLE)
    r.expect(r"^%s$" % ALIVE, r"^powering off$")


# --------------------------------------------------------------------------
# the transcript between commands
# --------------------------------------------------------------------------
@dataclass
class Span:
    """The transcript from one bootcmd echo to the next."""
    cmd: str
    start: int
    end: int
    text: str


def spans(r):
    """[Span] for every "bootcmd> CMD" echo, in order; each runs to the
    next echo (the last to the end of the transcript)."""
    ms = list(re.finditer(r"^bootcmd> +(.*?) *$", r.output, re.M))
    out = []
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(r.output)
        out.append(Span(m.group(1), m.start(), end, r.output[m.start():end]))
    return out


def span_of(r, cmd, nth=0):
    """The nth Span whose command is exactly cmd."""
    found = [s for s in spans(r) if s.cmd == cmd]
    assert len(found) > nth, "command %r echoed %d times, want at least %d\n%s" % (
        cmd, len(found), nth + 1, r)
    return found[nth]


def echo_pos(r, cmd, nth=0):
    """Offset of the nth echo of cmd in the transcript."""
    return span_of(r, cmd, nth).start


# --------------------------------------------------------------------------
# tick lines
# --------------------------------------------------------------------------
@dataclass
class Tick:
    n: int          # loops done since the guest's start
    tsc: int        # TSC ticks the loop took
    pos: int        # offset of the line in the transcript


def ticks(r, guest, start=0, end=None):
    """The tick lines of guest between transcript offsets start and end."""
    end = len(r.output) if end is None else end
    pat = re.compile(r"^%s: tick 0x([0-9A-F]{8}) tsc 0x([0-9A-F]{8})$" % re.escape(guest), re.M)
    return [Tick(int(m.group(1), 16), int(m.group(2), 16), m.start())
            for m in pat.finditer(r.output, start, end)]


def tick_share(tks):
    """The CPU share the guest measured over these tick lines: its loop
    instructions over the TSC ticks the loops took."""
    assert tks, "no tick lines"
    return 2.0 * TICK_ITERS * len(tks) / sum(t.tsc for t in tks)


def starts(r, guest, start=0, end=None):
    """How often guest printed its start banner in [start, end)."""
    end = len(r.output) if end is None else end
    return len(re.compile(r"^%s: start$" % re.escape(guest), re.M).findall(r.output, start, end))


# --------------------------------------------------------------------------
# sched tables
# --------------------------------------------------------------------------
CPU_LINE = re.compile(r"^sched: cpu(\d+) current (\S+) ready (\d+) switches (\d+) idle-us (\d+) "
                      r"remote-stops (\d+) avg-ns (\d+) max-ns (\d+)$")
VCPU_LINE = re.compile(r"^sched: vcpu (\S+) ([A-Z]+) cpu(\d+) prio (\d+) slice-us (\d+) "
                       r"affinity (any|\d+(?:,\d+)*) run-us (\d+(?:,\d+)*) migrations (\d+)$")


@dataclass
class CpuRow:
    cpu: int
    current: str
    ready: int
    switches: int
    idle_us: int


@dataclass
class VcpuRow:
    name: str
    state: str
    cpu: int
    prio: int
    slice_us: int
    affinity: str
    run_us: list
    migrations: int

    @property
    def total_us(self):
        return sum(self.run_us)


@dataclass
class Sched:
    """One `sched` table: CPU rows by number, VCPU rows by name."""
    pos: int
    cpus: dict = field(default_factory=dict)
    vcpus: dict = field(default_factory=dict)

    def vcpu(self, name):
        assert name in self.vcpus, "no VCPU %s in the sched table: %s" % (name, sorted(self.vcpus))
        return self.vcpus[name]


def sched_tables(r):
    """Every `sched` table of the boot, in order. Lines of guests running
    meanwhile on the other CPU may come between a table's lines: only
    "sched: " lines count, up to the next bootcmd echo. Every line starting
    "sched: " must have the agreed format, the CPU rows must come first and
    name each online CPU once, and each run-us list must have one figure
    per CPU row."""
    tables = []
    for s in spans(r):
        if s.cmd != "sched":
            continue
        t = Sched(pos=s.start)
        for line in s.text.splitlines()[1:]:
            if not line.startswith("sched: "):
                continue
            m = CPU_LINE.match(line)
            if m:
                assert not t.vcpus, "CPU row after the VCPU rows: %r\n%s" % (line, r)
                c = CpuRow(*(int(m.group(1)), m.group(2), int(m.group(3)),
                             int(m.group(4)), int(m.group(5))))
                assert c.cpu not in t.cpus, "cpu%d listed twice\n%s" % (c.cpu, r)
                t.cpus[c.cpu] = c
                continue
            m = VCPU_LINE.match(line)
            assert m, "sched line in no agreed format: %r\n%s" % (line, r)
            v = VcpuRow(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)),
                        int(m.group(5)), m.group(6), [int(x) for x in m.group(7).split(",")],
                        int(m.group(8)))
            assert len(v.run_us) == len(t.cpus), (
                "%s: %d run-us figures for %d CPUs\n%s" % (v.name, len(v.run_us), len(t.cpus), r))
            t.vcpus[v.name] = v
        assert t.cpus and t.vcpus, "sched printed no table\n%s" % r
        assert sorted(t.cpus) == list(range(len(t.cpus))), "CPU rows %s\n%s" % (sorted(t.cpus), r)
        tables.append(t)
    return tables


def run_delta(a, b, name):
    """[us on each CPU] that VCPU name ran between tables a and b."""
    ra, rb = a.vcpu(name).run_us, b.vcpu(name).run_us
    d = [y - x for x, y in zip(ra, rb)]
    assert all(x >= 0 for x in d), "run-us of %s went down: %s -> %s" % (name, ra, rb)
    return d
