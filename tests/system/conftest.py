"""tests/system/conftest.py - fixtures for the system tests.

Owns: building the kernel once per session (`build`), ISOs with a given
command line and Multiboot2 modules (`make_iso`, cached by content under
build/test-isos/), DTBs from test DTS files (`make_dtb`), the test guests'
images (`guest_bin`), and boots in Bochs (`boot_bochs`, VMX with EPT) and QEMU
TCG (`boot_qemu`, no VMX) that return the serial transcript.

`qemu_terminal` boots QEMU TCG with COM1 on a unix socket
(boot_bochs_terminal(): Bochs with COM1 on a TCP socket) and returns a two-way link (SerialTerminal: send bytes, expect output) for the tests that
type at the hypervisor's terminal.

Every boot has a timeout, runs the emulator in its own session (so its own
process group) and kills that whole group when the run ends, whether the
emulator exited by itself, the awaited output appeared or time ran out: no
emulator outlives its test. Each run works in its own directory under
build/test-runs/session-PID/ (serial transcript, emulator output, Bochs
log), kept for inspection until a later session starts.
"""
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
ELF = BUILD / "xvisor.elf"
ISO = BUILD / "xvisor.iso"
ISO_CACHE = BUILD / "test-isos"
DTB_DIR = BUILD / "test-dtbs"
GUESTS = BUILD / "guests"         # tests/guests/NAME.asm -> NAME.bin (make all)
RUN_DIR = BUILD / "test-runs"
SESSION_DIR = RUN_DIR / ("session-%d" % os.getpid())
# The session's own copies of the kernel and ISO, taken right after the
# build: a `make` elsewhere in the tree during the session (another shell)
# cannot change what the tests boot, or pull an ISO from under Bochs.
SNAP_ELF = SESSION_DIR / "image" / "xvisor.elf"
SNAP_ISO = SESSION_DIR / "image" / "xvisor.iso"
RUN_BOCHS = REPO / "scripts" / "run-bochs.sh"
RUN_QEMU = REPO / "scripts" / "run-qemu.sh"
MKISO = REPO / "scripts" / "mkiso.sh"

# process groups of emulators started by this session and not yet reaped
_live_groups = set()


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------
@dataclass
class BootResult:
    """What one emulator run produced."""
    engine: str                 # "bochs" or "qemu"
    output: str                 # serial transcript, \r removed
    exited: bool                # the emulator ended by itself (power-off, crash)
    returncode: int | None      # its exit status when it exited by itself
    matched: bool | None        # `until` was seen (None: no `until` given)
    timed_out: bool             # the timeout ended the run
    elapsed: float              # seconds from start to end of the run
    log: str                    # emulator stdout+stderr (Bochs debugger output)
    workdir: Path               # serial.txt, emulator.log, bochs.log
    pgid: int                   # the process group the run used
    cmd: list = field(default_factory=list)

    def __str__(self):
        how = ("exited by itself (status %s)" % self.returncode if self.exited
               else "timed out" if self.timed_out else "stopped by the test")
        return ("%s run in %.1f s, %s; files in %s\n--- serial transcript ---\n%s"
                "--- end of transcript ---" % (self.engine, self.elapsed, how,
                                               self.workdir, self.output))

    def search(self, pattern, pos=0):
        """re.search(pattern) in the transcript (multi-line mode) from pos."""
        return re.compile(pattern, re.M).search(self.output, pos)

    def expect(self, *patterns):
        """Assert that the regexes occur in this order; return their matches."""
        pos, found = 0, []
        for pat in patterns:
            m = self.search(pat, pos)
            if not m:
                earlier = self.search(pat)
                where = (" (it occurs, but before %r)" % found[-1].group(0)
                         if earlier and found else "")
                raise AssertionError("expected /%s/ in the transcript%s\n%s"
                                     % (pat, where, self))
            found.append(m)
            pos = m.end()
        return found

    def refute(self, pattern):
        """Assert that the regex does not occur in the transcript."""
        m = self.search(pattern)
        if m:
            raise AssertionError("unexpected /%s/ in the transcript: %r\n%s"
                                 % (pattern, m.group(0), self))


# --------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------
def group_members(pgid):
    """[(pid, state, ppid)] of the processes in process group pgid,
    zombies included."""
    members = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces
        rest = stat[stat.rfind(")") + 2:].split()
        if int(rest[2]) == pgid:
            members.append((int(d), rest[0], int(rest[1])))
    return members


def _become_subreaper():
    """Have orphans of our emulator runs (bochs whose run-bochs.sh ended
    first) reparented to this process, so _kill_group can reap them at once
    instead of leaving zombies until init gets to them."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


_become_subreaper()


def _reap(pgid, leader):
    """Collect the exit status of the group's zombies that are ours."""
    me = os.getpid()
    for pid, state, ppid in group_members(pgid):
        if state == "Z" and ppid == me and pid != leader.pid:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
    leader.poll()


def _kill_group(proc):
    """End every process of proc's group: SIGHUP (QEMU and Bochs leave at
    once; run-bochs.sh runs its cleanup trap; Bochs lingers ~5 s on
    SIGTERM), SIGKILL after 3 s for whatever is left; reap them all."""
    pgid = proc.pid
    start = time.monotonic()
    sent = None
    while True:
        _reap(pgid, proc)
        members = group_members(pgid)
        if not members:
            break
        live = [m for m in members if m[1] != "Z"]
        waited = time.monotonic() - start
        if live:
            sig = signal.SIGHUP if waited < 3 else signal.SIGKILL
            if sig != sent:
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    pass
                sent = sig
            if waited > 10:
                raise RuntimeError("processes of group %d survive SIGKILL: %s"
                                   % (pgid, live))
        elif waited > 10:
            break       # only zombies of other parents: dead, init reaps them
        time.sleep(0.01)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    _live_groups.discard(pgid)


def _read(path):
    try:
        return path.read_bytes().decode("utf-8", "replace").replace("\r", "")
    except FileNotFoundError:
        return ""


def _new_workdir(engine):
    SESSION_DIR.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=engine + "-", dir=SESSION_DIR))


def _run(engine, cmd, workdir, timeout, until, linger):
    """Start cmd in its own session; poll the serial file until `until`
    matches (then `linger` seconds more), the emulator exits, or `timeout`
    seconds pass; kill the process group; return a BootResult."""
    serial = workdir / "serial.txt"
    env = dict(os.environ)
    env.setdefault("TERM", "dumb")       # Bochs' term display needs a terminfo entry
    if not env["TERM"]:
        env["TERM"] = "dumb"
    env["TMPDIR"] = str(workdir)         # run-bochs.sh's scratch dir lives here
    pattern = re.compile(until, re.M) if until else None
    start = time.monotonic()
    deadline = start + timeout
    matched = None if pattern is None else False
    timed_out = False
    with open(workdir / "emulator.log", "wb") as logf:
        proc = subprocess.Popen([str(c) for c in cmd], cwd=workdir, env=env,
                                stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
        _live_groups.add(proc.pid)
        rc = None
        try:
            while True:
                rc = proc.poll()
                if pattern is not None and not matched and pattern.search(_read(serial)):
                    matched = True
                    deadline = min(deadline, time.monotonic() + linger)
                if rc is not None:
                    break
                if time.monotonic() >= deadline:
                    timed_out = not matched
                    break
                time.sleep(0.02)
        finally:
            _kill_group(proc)
    elapsed = time.monotonic() - start
    output = _read(serial)
    if pattern is not None and not matched:
        matched = bool(pattern.search(output))
    return BootResult(engine=engine, output=output, exited=rc is not None,
                      returncode=rc, matched=matched, timed_out=timed_out,
                      elapsed=elapsed, log=_read(workdir / "emulator.log"),
                      workdir=workdir, pgid=proc.pid, cmd=list(map(str, cmd)))


def boot_bochs_run(iso, timeout=30, until=None, linger=0.3, rc=None, cpu=None,
                   megs=None, cpus=None, bios=None):
    """Boot iso in Bochs (scripts/run-bochs.sh) with COM1 into a file.
    rc: text of a Bochs debugger command file (default: continue at once);
    cpus: number of emulated CPUs (default 1); bios: run-bochs.sh --bios."""
    workdir = _new_workdir("bochs")
    cmd = [RUN_BOCHS, "--serial-file", workdir / "serial.txt",
           "--log", workdir / "bochs.log"]
    if rc is not None:
        (workdir / "debugger.rc").write_text(rc)
        cmd += ["--rc", workdir / "debugger.rc"]
    if cpu:
        cmd += ["--cpu", cpu]
    if megs:
        cmd += ["--megs", str(megs)]
    if cpus:
        cmd += ["--cpus", str(cpus)]
    if bios:
        cmd += ["--bios", bios]
    cmd.append(Path(iso).resolve())
    return _run("bochs", cmd, workdir, timeout, until, linger)


def boot_qemu_run(iso=None, kernel=None, append=None, initrd=(), extra=(),
                  timeout=20, until=None, linger=0.3, uefi=False, usb=False):
    """Boot in QEMU TCG (scripts/run-qemu.sh) with COM1 into a file: the
    ISO through GRUB, or kernel= with QEMU's own Multiboot(1) loader,
    append= as its command line and initrd= a list of module files.
    uefi: UEFI firmware (OVMF) instead of the BIOS; usb: the ISO as a USB
    stick instead of a CD."""
    if (iso is None) == (kernel is None):
        raise ValueError("boot_qemu wants iso= or kernel=")
    workdir = _new_workdir("qemu")
    cmd = [RUN_QEMU, "--serial-file", workdir / "serial.txt"]
    if uefi:
        cmd.append("--uefi")
    if usb:
        cmd.append("--usb")
    if kernel is not None:
        cmd.append("--kernel")
        if append is not None:
            cmd += ["-append", append]
        if initrd:
            cmd += ["-initrd", ",".join(str(Path(m).resolve()) for m in initrd)]
    elif append is not None or initrd:
        raise ValueError("append=/initrd= need kernel=; give an ISO its command line with make_iso")
    cmd += list(extra)
    cmd.append(Path(kernel if kernel is not None else iso).resolve())
    return _run("qemu", cmd, workdir, timeout, until, linger)


# --------------------------------------------------------------------------
# a two-way serial link (the management terminal)
# --------------------------------------------------------------------------
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x07|\r")
ERASE_LINE = "\r\x1b[K"      # the console takes the terminal's input line away
ESC_OPEN_RE = re.compile(r"(\x1b(\[[0-9;]*)?|\r(\x1b\[?)?)\Z")   # a sequence cut by recv()


class SerialTerminal:
    """COM1 of a running emulator on a unix socket: send() bytes, expect()
    a regular expression in what came back since the last match (escape
    sequences, BELs and CRs removed; "\\r ESC [K", with which the console
    takes the input line away before another line, erases the text's last
    line, as on the screen; `raw` keeps everything). Kept in serial.txt of
    the run's directory as well."""

    def __init__(self, sock, proc, workdir):
        self.sock, self.proc, self.workdir = sock, proc, workdir
        self.raw = b""
        self.cooked = ""        # text() so far
        self.tail = ""          # received, not cooked yet: an unfinished sequence
        self.pos = 0            # into text(): where the next expect() starts
        self.sock.settimeout(0.05)

    def _cook(self, data):
        """Add received text to cooked: erase-line applied, sequences gone.
        An erase takes only the last line, so expect()'s position moves back
        to that line's start at most."""
        s = self.tail + data
        m = ESC_OPEN_RE.search(s)
        self.tail = s[m.start():] if m else ""
        s = s[:m.start()] if m else s
        parts = s.split(ERASE_LINE)
        for i, part in enumerate(parts):
            if i:
                self.cooked = self.cooked[:self.cooked.rfind("\n") + 1]
                self.pos = min(self.pos, len(self.cooked))
            self.cooked += ANSI_RE.sub("", part)

    def _pump(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        except OSError:
            return False
        if not data:
            return False
        self.raw += data
        self._cook(data.decode("latin-1"))
        with open(self.workdir / "serial.txt", "ab") as f:
            f.write(data)
        return True

    def text(self):
        return self.cooked

    def bells(self):
        return self.raw.count(b"\x07")

    def expect(self, pattern, timeout=10):
        """Wait for `pattern` (re.M) after the last match; return the match."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text(), self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.monotonic() >= deadline or not self._pump():
                m = rx.search(self.text(), self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise AssertionError("no %r within %ss; got after the last match:\n%s"
                                     % (pattern, timeout, self.text()[self.pos:][-3000:]))

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def command(self, line, prompt="xvisor# ", timeout=10):
        """Type `line` and Enter; return what it printed before the next prompt."""
        self.send(line + "\r")
        self.expect(re.escape(line[-40:]) + r"\n" if line else r"\n", timeout)
        start = self.pos
        self.expect(r"^" + re.escape(prompt), timeout)
        return self.text()[start:self.pos - len(prompt)]

    def wait_exit(self, timeout=10):
        """Wait for the emulator to end; its exit status (None: still running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump()
            if self.proc.poll() is not None:
                return self.proc.returncode
            time.sleep(0.05)
        return None

    def close(self):
        try:
            self.sock.close()
            if getattr(self, "monitor", None):
                self.monitor.close()
        finally:
            _kill_group(self.proc)


def _connect(proc, workdir, family, address, what):
    """Connect to the emulator's serial socket as soon as it listens."""
    deadline = time.monotonic() + 30
    while True:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.connect(address)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if proc.poll() is not None or time.monotonic() > deadline:
                _kill_group(proc)
                raise RuntimeError("%s did not open its serial socket %s:\n%s"
                                   % (what, address, _read(workdir / "emulator.log")))
            time.sleep(0.1)


def _start(cmd, workdir):
    env = dict(os.environ)
    env["TERM"] = "dumb"                 # Bochs' term display needs a terminfo entry
    env["TMPDIR"] = str(workdir)
    with open(workdir / "emulator.log", "wb") as logf:
        proc = subprocess.Popen([str(c) for c in cmd], cwd=workdir, env=env,
                                stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
    _live_groups.add(proc.pid)
    return proc


def boot_bochs_terminal(iso, cpus=None, clock=None, megs=None, bios=None):
    """Boot `iso` in Bochs with COM1 on a TCP socket on localhost (Bochs
    listens, and waits for us before it starts); return the SerialTerminal.
    clock: run-bochs.sh --clock (make run on a terminal uses slowdown: a
    guest second takes a real second); bios: run-bochs.sh --bios."""
    workdir = _new_workdir("bochs")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    cmd = [RUN_BOCHS, "--serial-socket", "localhost:%d" % port, "--log", workdir / "bochs.log"]
    if cpus:
        cmd += ["--cpus", str(cpus)]
    if clock:
        cmd += ["--clock", clock]
    if megs:
        cmd += ["--megs", str(megs)]
    if bios:
        cmd += ["--bios", bios]
    cmd.append(Path(iso).resolve())
    proc = _start(cmd, workdir)
    sock = _connect(proc, workdir, socket.AF_INET, ("127.0.0.1", port), "Bochs")
    return SerialTerminal(sock, proc, workdir)


class QemuMonitor:
    """QEMU's human monitor (HMP) on a unix socket: hmp(cmd) runs one
    command and returns what it printed (e.g. hmp("sendkey shift-a"))."""

    PROMPT = b"(qemu) "

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(10)
        self._until_prompt()            # the greeting

    def _until_prompt(self):
        data = b""
        while not data.endswith(self.PROMPT):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("QEMU monitor closed; got %r" % data[-500:])
            data += chunk
        return data[:-len(self.PROMPT)]

    def hmp(self, cmd):
        self.sock.sendall(cmd.encode() + b"\n")
        out = self._until_prompt().decode("latin-1")
        out = ANSI_RE.sub("", out).replace("\r", "")
        # the monitor echoes the command line first
        return out.split("\n", 1)[1] if "\n" in out else ""

    def close(self):
        self.sock.close()


def boot_qemu_terminal(kernel, append=None, extra=(), monitor=False):
    """Boot `kernel` in QEMU TCG (run-qemu.sh --kernel; an .iso is booted
    through GRUB from CD instead, as a user does) with COM1 on a unix
    socket QEMU listens on (it waits for us before it starts); return the
    SerialTerminal. Close it to end the emulator. monitor=True: the
    terminal's .monitor is a QemuMonitor (QEMU's monitor on a second unix
    socket: sendkey types on the emulated PS/2 keyboard)."""
    workdir = _new_workdir("qemu")
    path = workdir / "serial.sock"
    mon_path = workdir / "monitor.sock"
    iso = str(kernel).endswith(".iso")
    cmd = [RUN_QEMU, "--serial-socket", path] + ([] if iso else ["--kernel"])
    if append is not None:
        cmd += ["-append", append]
    if monitor:
        cmd += ["-monitor", "unix:%s,server=on,wait=off" % mon_path]
    cmd += list(extra) + [Path(kernel).resolve()]
    proc = _start(cmd, workdir)
    sock = _connect(proc, workdir, socket.AF_UNIX, str(path), "QEMU")
    term = SerialTerminal(sock, proc, workdir)
    term.monitor = None
    if monitor:
        try:
            term.monitor = QemuMonitor(_connect(proc, workdir, socket.AF_UNIX,
                                                str(mon_path), "QEMU's monitor"))
        except Exception:
            term.close()
            raise
    return term


# --------------------------------------------------------------------------
# ISOs
# --------------------------------------------------------------------------
def make_iso_cached(cmdline, modules=(), grub_pre=()):
    """An ISO of the session's build/xvisor.elf with this command line and
    these module files (each loaded under its file name); built once per
    content. grub_pre: (GRUB module, command line) pairs GRUB runs before
    the menu entries (mkiso.sh --grub-pre)."""
    h = hashlib.sha256()
    for part in (SNAP_ELF, MKISO, REPO / "iso" / "grub.cfg"):
        h.update(Path(part).read_bytes())
    h.update(b"\0cmdline\0" + cmdline.encode())
    pre = []
    for mod, line in grub_pre:
        h.update(b"\0grub-pre\0" + mod.encode() + b"\0" + line.encode())
        pre += ["--grub-pre", mod, line]
    for m in modules:
        m = Path(m)
        h.update(b"\0module\0" + m.name.encode() + b"\0" + m.read_bytes())
    out = ISO_CACHE / (h.hexdigest()[:20] + ".iso")
    if out.exists():
        return out
    ISO_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".iso.tmp%d" % os.getpid())
    r = subprocess.run([MKISO] + pre + [tmp, SNAP_ELF, cmdline] + [str(m) for m in modules],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError("mkiso.sh failed (%d): %s%s" % (r.returncode, r.stdout, r.stderr))
    os.replace(tmp, out)
    (ISO_CACHE / (out.name + ".cmdline")).write_text(cmdline + "\n")
    return out


def compile_dts(src, name=None):
    """A DTS through cpp and dtc as the build does (dts/ and dts/include/ on
    the include path); returns build/test-dtbs/NAME.dtb, NAME the source's
    stem unless given. Raises with cpp's or dtc's message on an error."""
    src = Path(src)
    out = DTB_DIR / ((name or src.stem) + ".dtb")
    out.parent.mkdir(parents=True, exist_ok=True)
    pre = subprocess.run(["cpp", "-nostdinc", "-undef", "-x", "assembler-with-cpp",
                          "-I", str(REPO / "dts"), "-I", str(REPO / "dts" / "include"),
                          str(src)], capture_output=True, text=True)
    if pre.returncode != 0:
        raise RuntimeError("cpp %s failed: %s" % (src, pre.stderr))
    tmp = out.with_suffix(".dtb.tmp%d" % os.getpid())
    r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(tmp), "-"],
                       input=pre.stdout, capture_output=True, text=True)
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError("dtc %s failed: %s" % (src, r.stderr))
    os.replace(tmp, out)       # concurrent sessions never see half a file
    return out


def elf_symbols(elf=SNAP_ELF):
    """{name: address} of the symbols of the session's kernel (from nm)."""
    out = subprocess.run(["nm", str(elf)], capture_output=True, text=True,
                         check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms.setdefault(parts[2], int(parts[0], 16))
    return syms


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def build():
    """`make all` once per session, then copies of build/xvisor.elf and
    build/xvisor.iso for the session; returns the ELF's copy."""
    r = subprocess.run(["make", "all"], cwd=REPO, capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        pytest.fail("make all failed (%d):\n%s%s" % (r.returncode, r.stdout[-4000:],
                                                     r.stderr[-4000:]), pytrace=False)
    SNAP_ELF.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ELF, SNAP_ELF)
    shutil.copy2(ISO, SNAP_ISO)
    # ISOs built from an older kernel are stale
    if ISO_CACHE.is_dir():
        elf_mtime = ELF.stat().st_mtime
        for f in ISO_CACHE.iterdir():
            try:
                if f.stat().st_mtime < elf_mtime:
                    f.unlink()
            except FileNotFoundError:
                pass            # pruned by a concurrent session
    return SNAP_ELF


def _is_pytest(pid):
    """Whether process pid is alive and a pytest run."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"pytest" in f.read()
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _no_emulator_left_behind():
    """Remove the run directories of earlier sessions (not of sessions still
    running); at the end of this session fail if any process started by one
    of its runs (its command line names the session's directory) survived."""
    if RUN_DIR.is_dir():
        for d in RUN_DIR.iterdir():
            m = re.fullmatch(r"session-(\d+)", d.name)
            if m and int(m.group(1)) != os.getpid() and not _is_pytest(int(m.group(1))):
                shutil.rmtree(d, ignore_errors=True)
    yield
    for pgid in list(_live_groups):
        os.killpg(pgid, signal.SIGKILL)
    left = subprocess.run(["pgrep", "-af", str(SESSION_DIR) + "/"], capture_output=True,
                          text=True).stdout.strip()
    assert not left, "emulator processes survived the session:\n" + left


@pytest.fixture(scope="session")
def make_iso(build):
    """make_iso(cmdline, modules=[], grub_pre=[]) -> path of a cached ISO."""
    return make_iso_cached


@pytest.fixture(scope="session")
def make_dtb(build):
    """make_dtb(dts_path, name=None) -> path of the compiled .dtb."""
    return compile_dts


@pytest.fixture(scope="session")
def guest_bin(build):
    """guest_bin(name) -> build/guests/NAME.bin (a test guest from
    tests/guests/NAME.asm, built by make all)."""
    def path(name):
        p = GUESTS / (name + ".bin")
        if not p.is_file():
            raise FileNotFoundError("no test guest %s (is tests/guests/%s.asm there?)"
                                    % (p, name))
        return p
    return path


@pytest.fixture(scope="session")
def boot_bochs(build):
    """boot_bochs(iso, timeout=30, until=None, linger=0.3, rc=None, cpu=None,
    megs=None, cpus=None, bios=None) -> BootResult."""
    return boot_bochs_run


@pytest.fixture(scope="session")
def boot_qemu(build):
    """boot_qemu(iso=None, kernel=None, append=None, initrd=(), extra=(),
    timeout=20, until=None, linger=0.3, uefi=False, usb=False) -> BootResult."""
    return boot_qemu_run


@pytest.fixture(scope="module")
def qemu_terminal(build):
    """One QEMU TCG boot per test module with COM1 as a two-way link
    (SerialTerminal), ended after the module's last test."""
    term = boot_qemu_terminal(build)
    yield term
    term.close()


@pytest.fixture(scope="session")
def ksym(build):
    """ksym(name) -> address of a symbol of the session's kernel (nm)."""
    syms = elf_symbols()

    def lookup(name):
        if name not in syms:
            raise KeyError("no symbol %s in %s" % (name, SNAP_ELF))
        return syms[name]
    return lookup


@pytest.fixture(scope="session")
def elf(build):
    """The session's copy of build/xvisor.elf."""
    return SNAP_ELF


@pytest.fixture(scope="session")
def default_iso(build):
    """The session's copy of build/xvisor.iso (the Makefile's CMDLINE)."""
    return SNAP_ISO


# --------------------------------------------------------------------------
# what `make run` boots (tests/system/test_run_default.py)
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def run_bochs_iso(build):
    """A session copy of build/xvisor-bochs.iso, made by `make` as `make run`
    makes it (its default GRUB entry boots dts/bochs.dts)."""
    r = subprocess.run(["make", "--no-print-directory", "build/xvisor-bochs.iso"], cwd=REPO,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        pytest.fail("make build/xvisor-bochs.iso failed (%d):\n%s%s"
                    % (r.returncode, r.stdout[-4000:], r.stderr[-4000:]), pytrace=False)
    out = SESSION_DIR / "image" / "run-bochs.iso"
    shutil.copy2(BUILD / "xvisor-bochs.iso", out)
    return out
