"""tests/system/test_terminal.py - the management terminal over a two-way
serial link (QEMU TCG, COM1 on a unix socket; no VMX needed): the prompt
after the boot, help, version, one clear line for an unknown command,
editing keys, history and tab completion as typed on a real terminal, a
line far longer than the editor holds, every control byte, random binary
garbage (the prompt comes back and `version` still answers each time),
keys echoed by the receive interrupt rather than a slow poll, and
`poweroff` ending the emulator. One boot for the whole module, in order.
Then in Bochs (VMX) with COM1 on a TCP socket: a guest that prints
forever keeps printing through the terminal's commands and garbage."""
import os
import random
import re
import statistics
import time
from pathlib import Path

import pytest

from conftest import boot_bochs_terminal

DTS_DIR = Path(__file__).resolve().parent / "dts"

PROMPT = "xvisor# "
VERSION_RE = r"^xvisor-x86 \S+ \(.*\)$"


def version_answers(t):
    out = t.command("version")
    assert re.search(VERSION_RE, out, re.M), out


def test_prompt_after_boot(qemu_terminal):
    t = qemu_terminal
    t.expect(r"^xvisor-x86: ready$", timeout=60)
    t.expect(r"^" + re.escape(PROMPT), timeout=10)
    assert "no console receive interrupt" not in t.text()


def test_keys_arrive_by_interrupt(qemu_terminal):
    """Each key is echoed at once: the receive interrupt wakes the terminal
    (without it, the terminal would look only every 0.5 s)."""
    t = qemu_terminal
    delays = []
    for ch in "abcdefgh":
        t0 = time.monotonic()
        t.send(ch)
        t.expect(re.escape(ch), timeout=5)
        delays.append(time.monotonic() - t0)
    t.send("\x03")
    t.expect("^" + re.escape(PROMPT))
    assert statistics.median(delays) < 0.2, delays


def test_help_lists_commands(qemu_terminal):
    out = qemu_terminal.command("help")
    for name in ("help", "version", "poweroff", "guest", "vcpu", "vserial"):
        assert re.search(r"^  %s\b" % name, out, re.M), out
    out = qemu_terminal.command("help version")
    assert "usage: version" in out, out


def test_unknown_command_one_line(qemu_terminal):
    out = qemu_terminal.command("frobnicate now")
    assert out == "error: unknown command 'frobnicate' (try 'help')\n", repr(out)
    version_answers(qemu_terminal)


def test_editing_keys(qemu_terminal):
    t = qemu_terminal
    # backspace, cursor left/right, Ctrl-A/E, Ctrl-U, Ctrl-W
    t.send("versx\x7fion\r")
    t.expect(VERSION_RE)
    t.expect("^" + re.escape(PROMPT))
    t.send("ersion\x01v\x05\r")
    t.expect(VERSION_RE)
    t.expect("^" + re.escape(PROMPT))
    t.send("vrsion\x1b[D\x1b[D\x1b[D\x1b[D\x1b[De\x1b[C\x1b[C\r")
    t.expect(VERSION_RE)
    t.expect("^" + re.escape(PROMPT))
    t.send("poweroff please\x15echo a b c\x17\x17d\r")
    t.expect(r"^a d$")
    t.expect("^" + re.escape(PROMPT))


def test_ctrl_c_cancels_the_line(qemu_terminal):
    t = qemu_terminal
    t.send("poweroff\x03")
    t.expect(r"poweroff\^C$")
    t.expect("^" + re.escape(PROMPT))
    version_answers(t)
    assert t.proc.poll() is None


def test_history_and_completion(qemu_terminal):
    t = qemu_terminal
    t.command("echo first")
    t.command("echo second")
    t.send("\x1b[A\x1b[A\r")             # two up: "echo first"
    t.expect(r"^first$")
    t.expect("^" + re.escape(PROMPT))
    t.send("vers\t\r")                  # unique: completed with a blank
    t.expect(r"version \n")
    t.expect(VERSION_RE)
    t.expect("^" + re.escape(PROMPT))
    t.send("v\t")                       # version vserial vcpu: listed
    m = t.expect(r"^(.*\bvcpu\b.*)\n")     # the whole line, not a part
    assert "version" in m.group(1) and "vserial" in m.group(1), m.group(1)
    t.send("\x15guest l\t\r")           # subcommand from the usage line
    t.expect(r"guest list \n")
    t.expect("^" + re.escape(PROMPT))


def test_very_long_line(qemu_terminal):
    t = qemu_terminal
    bells = t.bells()
    t.send("x" * 3000 + "\r")
    # the editor keeps 255 characters and rings the bell for the rest
    t.expect(r"^error: unknown command 'x{255}' \(try 'help'\)$", timeout=30)
    t.expect("^" + re.escape(PROMPT))
    assert t.bells() - bells >= 3000 - 255 - 50   # BELs may merge in no case; allow slack
    version_answers(t)


def test_control_bytes(qemu_terminal):
    t = qemu_terminal
    ctl = bytes(c for c in range(32) if c not in (3, 10, 13)) + b"\x7f"
    t.send(ctl * 8 + b"\x1b[" + b"9" * 100 + b"\x1b" + b"\x03")
    t.expect(r"\^C$", timeout=20)
    t.expect("^" + re.escape(PROMPT))
    version_answers(t)


def test_binary_garbage(qemu_terminal):
    t = qemu_terminal
    rnd = random.Random(20261206)
    # Enters inside the garbage run random words (unknown commands) or,
    # through history keys, lines typed above (help, version, echo, guest
    # list): nothing that stops the machine is in the history yet
    garbage = bytes(rnd.randrange(256) for _ in range(8192))
    for i in range(0, len(garbage), 512):
        t.send(garbage[i:i + 512])
        time.sleep(0.05)
    t.send(b"\x03")
    t.expect(r"\^C$", timeout=60)
    t.expect("^" + re.escape(PROMPT))
    version_answers(t)
    assert t.proc.poll() is None


def test_poweroff_from_the_terminal(qemu_terminal):
    t = qemu_terminal
    t.send("poweroff\r")
    t.expect(r"^powering off$")
    assert t.wait_exit(timeout=10) is not None


@pytest.fixture
def bochs_life(make_dtb, make_iso, guest_bin):
    """Bochs, 2 CPUs, tests/system/dts/smp-life.dts (four tick guests), only
    guest v kicked; COM1 on a TCP socket."""
    dtb = make_dtb(DTS_DIR / "smp-life.dts")
    iso = make_iso('bootcmd="guest kick v"', [dtb, guest_bin("tick")])
    term = boot_bochs_terminal(iso, cpus=int(os.environ.get("XVISOR_TERM_BOCHS_CPUS", "2")))
    yield term
    term.close()


# Once a terminal stopped answering here: input came faster than its echo
# could leave (the tick guest shares the UART), the driver's 512-byte ring
# filled and the bytes after it, the Ctrl-C and "version" among them, were
# dropped. Now a full ring stops reading the UART (flow control), so the
# sender waits and nothing is lost.
def test_bochs_terminal_with_a_running_guest(bochs_life):
    t = bochs_life
    t.expect(r"^xvisor-x86: ready$", timeout=120)
    t.expect(re.escape(PROMPT), timeout=20)
    t.expect(r"^v: tick ", timeout=30)
    t.send("guest list\r")
    t.expect(r"^  \d+ +a +1 +RESET$", timeout=20)
    t.expect(r"^  \d+ +v +1 +(RUNNING|READY)$", timeout=20)
    rnd = random.Random(12)
    garbage = bytes(rnd.randrange(256) for _ in range(4096))
    for i in range(0, len(garbage), 256):
        t.send(garbage[i:i + 256])
        time.sleep(0.05)
    t.send(b"\x03version\r")
    t.expect(VERSION_RE, timeout=30)
    # the guest still runs: new tick lines after the garbage
    t.expect(r"^v: tick ", timeout=30)
    t.expect(r"^v: tick ", timeout=30)
    t.send("poweroff\r")
    t.expect(r"^powering off$", timeout=30)
    assert t.wait_exit(timeout=20) is not None
    assert not re.search(r"PANIC|exception", t.text())
