"""tests/system/test_terminal_ops.py - operating guests from the management
terminal in Bochs (VMX, two CPUs), typed over a two-way COM1 link (TCP
socket) as a person would: list the guests; pause a guest and see its
output stop, resume it and see it go on; reset a guest that has shut down
and see it run again; destroy and re-create a guest; bind the terminal to
the echoing guest's console, type into it, detach with ESC x q; vcpu
dumpreg and stats; Ctrl-C ending a long sleep and a guest wait; the line
being typed drawn again under guest output; and bad input of every kind -
with the printing guest running throughout. One boot for the module, the
tests in order (tests/system/dts/term-ops.dts: v ticks, echo echoes, hello
prints and shuts down)."""
import re
import time
from pathlib import Path

import pytest

from conftest import boot_bochs_terminal

DTS = Path(__file__).resolve().parent / "dts" / "term-ops.dts"
PROMPT = "xvisor# "
TICK = r"^v: tick 0x([0-9A-F]{8})"


@pytest.fixture(scope="module")
def term(make_dtb, make_iso, guest_bin):
    dtb = make_dtb(DTS)
    iso = make_iso('bootcmd="guest kick all"',
                   [dtb, guest_bin("tick"), guest_bin("echo"), guest_bin("hello")])
    t = boot_bochs_terminal(iso, cpus=2)
    t.expect(r"^xvisor-x86: ready$", timeout=120)
    t.expect(re.escape(PROMPT), timeout=20)
    yield t
    t.close()


def pump(t, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t._pump()


def last_tick(t):
    ticks = re.findall(TICK, t.text(), re.M)
    return int(ticks[-1], 16) if ticks else -1


def v_ticks_on(t):
    """v prints new ticks (wait up to 20 s for one after the current text)."""
    before = last_tick(t)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        pump(t, 0.2)
        if last_tick(t) > before:
            return True
    return False


def wait_for(t, pattern, start, timeout=30):
    """Wait until `pattern` (re.M) shows in the text after index `start`
    (a position taken before a command: its prompt may come after the
    awaited line, which a plain expect() would then skip)."""
    rx = re.compile(pattern, re.M)
    end = time.monotonic() + timeout
    while not rx.search(t.text(), start):
        if time.monotonic() > end:
            raise AssertionError("no %r within %ss:\n%s" % (pattern, timeout, t.text()[start:][-2000:]))
        pump(t, 0.2)
    return rx.search(t.text(), start)


def guest_states(t):
    out = t.command("guest list", timeout=20)
    return dict(re.findall(r"^\s+\d+\s+(\S+)\s+\d+\s+(\S+)", out, re.M))


def test_list_guests(term):
    states = guest_states(term)
    assert set(states) == {"v", "echo", "hello"}, states
    assert states["v"] in ("RUNNING", "READY"), states
    assert re.search(r"^hello: PASS hello$", term.text(), re.M)   # at boot
    assert v_ticks_on(term)


def test_pause_stops_output_resume_starts_it(term):
    term.command("guest pause v", timeout=20)
    pump(term, 1)                       # what was on its way
    stopped = last_tick(term)
    pump(term, 3)
    assert last_tick(term) == stopped, "v printed while paused"
    assert guest_states(term)["v"] == "PAUSED"
    term.command("guest resume v", timeout=20)
    assert v_ticks_on(term)
    assert last_tick(term) > stopped


def test_reset_a_shut_down_guest_runs_again(term):
    states = guest_states(term)
    assert states["hello"] == "HALTED", states
    before = term.text().count("hello: PASS hello")
    term.command("guest reset hello", timeout=20)     # a power cycle: it runs again
    end = time.monotonic() + 30
    while term.text().count("hello: PASS hello") == before and time.monotonic() < end:
        pump(term, 0.2)
    assert term.text().count("hello: PASS hello") == before + 1


def test_destroy_and_create(term):
    term.command("guest destroy v", timeout=20)
    states = guest_states(term)
    assert "v" not in states, states
    out = term.command("vserial list", timeout=20)
    assert "v/uart0" not in out, out
    out = term.command("guest pause v", timeout=20)
    assert "no guest 'v'" in out, out
    term.command("guest create v", timeout=20)
    start = len(term.text())
    term.command("guest kick v", timeout=20)
    wait_for(term, r"^v: start$", start)
    assert v_ticks_on(term)


def test_bind_type_detach(term):
    t = term
    t.send("vserial bind echo/uart0\r")
    t.expect(r"^vserial: bound to echo/uart0: keys go to the guest, ESC x q comes back$", timeout=20)
    pump(t, 1)
    t.send("hello guest\r")
    t.expect(r"hello guest", timeout=20)
    # while bound, v's lines do not reach the terminal
    pump(t, 2)
    start = t.pos
    pump(t, 2)
    assert not re.search(TICK, t.text()[start:], re.M), t.text()[start:][-500:]
    t.send("more")
    t.expect(r"more", timeout=20)
    t.send("\x1bxq")
    t.expect(r"^vserial: detached from echo/uart0$", timeout=20)
    t.expect(r"^vserial: meanwhile v/uart0 wrote \d+ lines? \(see 'vserial dump v/uart0'\)$",
             timeout=20)
    t.expect(re.escape(PROMPT), timeout=20)
    assert v_ticks_on(t)
    out = t.command("vserial list", timeout=20)
    m = re.search(r"^\s+echo/uart0\s+(\d+)\s+(\d+)$", out, re.M)
    assert m and int(m.group(2)) == len("hello guest\r") + len("more"), out
    out = t.command("vserial dump v/uart0", timeout=20)
    assert re.search(r"^v/uart0\| tick 0x", out, re.M), out


def test_bind_refusals(term):
    out = term.command("vserial bind nosuch/uart0", timeout=20)
    assert re.search(r"^vserial: no endpoint 'nosuch/uart0' \(see 'vserial list'\)$", out, re.M), out
    out = term.command("vserial bind v/hvc", timeout=20)
    assert "takes no input" in out or "no endpoint" in out, out


def test_dumpreg_and_stats(term):
    out = term.command("vcpu dumpreg v/vcpu0", timeout=20)
    assert re.search(r"RIP", out) and re.search(r"CR0", out), out
    out = term.command("vcpu stats v/vcpu0", timeout=20)
    assert re.search(r"^\s+total\s+\d+", out, re.M), out
    out = term.command("guest stats v", timeout=20)
    assert "v/vcpu0" in out, out


def test_info_commands(term):
    """The inspection commands answer at the prompt while guests run."""
    t = term
    out = t.command("thread list", timeout=20)
    assert re.search(r"^\s+term\s+\S+\s+0\s", out, re.M), out      # the terminal, on CPU0
    out = t.command("heap info", timeout=20)
    assert re.search(r"^heap: \d+ objects, \d+ bytes in use, \d+ pages held", out, re.M), out
    out = t.command("loglevel", timeout=20)
    level = re.search(r"^loglevel: (\d)$", out, re.M)
    assert level, out
    out = t.command("loglevel 9", timeout=20)
    assert re.search(r"^usage: loglevel", out, re.M), out
    out = t.command("loglevel " + level.group(1), timeout=20)
    assert re.search(r"^loglevel: " + level.group(1) + "$", out, re.M), out
    out = t.command("host info", timeout=20)
    assert re.search(r"^host: 2 CPUs, 2 online", out, re.M), out
    out = t.command("help vserial", timeout=20)
    assert re.search(r"usage: vserial list\|bind\|dump\|send", out), out
    out = t.command("vcpu list", timeout=20)
    assert re.search(r"^\s+\d+\s+v/vcpu0\s+normal", out, re.M), out


def test_ctrl_c_interrupts_commands(term):
    t = term
    t.send("sleep 600000\r")
    t.expect(r"sleep 600000\n", timeout=20)
    pump(t, 1)
    t.send("\x03")
    t.expect(r"^sleep: interrupted$", timeout=20)
    t.expect(re.escape(PROMPT), timeout=20)
    t.send("guest wait\r")
    t.expect(r"guest wait\n", timeout=20)
    pump(t, 1)
    t.send("\x03")
    t.expect(r"^guest wait: interrupted; the guests go on$", timeout=20)
    t.expect(re.escape(PROMPT), timeout=20)
    assert v_ticks_on(t)


def test_line_redrawn_under_guest_output(term):
    t = term
    start = len(t.raw)
    t.send("vers")
    pump(t, 2)                          # v prints meanwhile
    # after each of v's lines the console drew the prompt and "vers" again
    redraws = re.findall(rb"v: tick [^\n]*\n" + re.escape(PROMPT.encode()) + rb"vers", t.raw[start:])
    assert len(redraws) >= 2, t.raw[start:][-600:]
    t.send("ion\r")
    t.expect(r"^xvisor-x86 \S+ \(.*\)$", timeout=20)
    t.expect(re.escape(PROMPT), timeout=20)


def test_bad_input(term):
    t = term
    cases = [
        ("frobnicate", r"^error: unknown command 'frobnicate' \(try 'help'\)$"),
        ("guest pause nosuch", r"^guest: no guest 'nosuch' \(see 'guest list'\)$"),
        ("guest", r"^usage: guest "),
        ("vcpu dumpreg nosuch/vcpu0", r"^vcpu: no VCPU 'nosuch/vcpu0'"),
        ("guest kick hello", r"^vcpu hello/vcpu0: kick refused: .*HALTED"),   # the state table
        ("guest dumpmem v 0xFFFFFFFFFFFFFFF0 64", r"dumpmem"),
        ("devtree node del /", r"devtree"),
        ("sleep -5", r"^usage: sleep"),
        ("vserial send nosuch/uart0 x", r"^vserial: no endpoint"),
    ]
    for line, pattern in cases:
        out = t.command(line, timeout=20)
        assert re.search(pattern, out, re.M), (line, out)
        assert "PANIC" not in out
    t.send(bytes(range(256)) * 4 + b"\x03")
    t.expect(r"\^C$", timeout=30)
    t.expect(re.escape(PROMPT), timeout=20)
    assert v_ticks_on(t)
    out = t.command("version", timeout=20)
    assert re.search(r"^xvisor-x86 ", out, re.M), out


def test_poweroff(term):
    term.send("poweroff\r")
    term.expect(r"^powering off$", timeout=30)
    assert term.wait_exit(timeout=30) is not None
    assert not re.search(r"PANIC|exception", term.text())
