"""tests/system/test_keyboard.py - the terminal typed at from a PC keyboard
(arch/x86_64/i8042.c, kernel/kbd_decode.c), in QEMU TCG (no VMX needed):
the default ISO booted through GRUB as a user boots it, keys typed on
QEMU's emulated PS/2 keyboard with the monitor's `sendkey`, what the
terminal did read back on COM1. A command typed and run; Shift, Caps Lock,
every symbol of the US layout; Ctrl-C cancelling a line and interrupting a
running command; Backspace, the arrows, Home, End and Delete editing the
line; tab completion; the keypad; keys typed while a command prints;
keys from COM1 and the keyboard on the same line; the keyboard interrupt
(IRQ 1, vector 0x35) doing the work, measured; the same under UEFI (OVMF). Then machines without a
keyboard controller (QEMU's i8042=off): the boot line saying so (with the
FADT's word on q35), and, with no serial port either, the line that says
the terminal cannot take input (on the screen, and in the bytes the kernel
wrote to the absent COM1, traced by QEMU); the keyboard as the only input
of a machine without COM1. Ports 0x60/0x64 passed through to a guest are
refused."""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import time
from pathlib import Path

import pytest

from conftest import boot_qemu_terminal, ANSI_RE, QemuMonitor
import screenlib

DTS_DIR = Path(__file__).resolve().parent / "dts"
PROMPT = "xvisor# "
VERSION_RE = r"^xvisor-x86 \S+ \(.*\)$"
BOOT_LINE = (r"^console: keyboard: i8042 \(PS/2 or USB legacy emulation\), "
             r"configuration 0x[0-9a-f]{2}, US layout, IRQ 1 once the terminal starts$")

# QEMU key names of the US layout's characters: unshifted, shifted
PLAIN = {" ": "spc", "-": "minus", "=": "equal", "[": "bracket_left",
         "]": "bracket_right", "\\": "backslash", ";": "semicolon",
         "'": "apostrophe", "`": "grave_accent", ",": "comma", ".": "dot",
         "/": "slash", "\t": "tab", "\r": "ret"}
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7",
           "*": "8", "(": "9", ")": "0", "_": "minus", "+": "equal",
           "{": "bracket_left", "}": "bracket_right", "|": "backslash",
           ":": "semicolon", '"': "apostrophe", "~": "grave_accent",
           "<": "comma", ">": "dot", "?": "slash"}


def key_names(text):
    """The sendkey arguments that type `text` on a US keyboard."""
    keys = []
    for ch in text:
        if ch.islower() or ch.isdigit():
            keys.append(ch)
        elif ch.isupper():
            keys.append("shift-" + ch.lower())
        elif ch in PLAIN:
            keys.append(PLAIN[ch])
        elif ch in SHIFTED:
            keys.append("shift-" + SHIFTED[ch])
        else:
            raise ValueError("no US key types %r" % ch)
    return keys


def press(t, *keys):
    """sendkey each key (QEMU holds each 10 ms, then releases it)."""
    for k in keys:
        out = t.monitor.hmp("sendkey %s 10" % k)
        assert out.strip() == "", "sendkey %s: %s" % (k, out)


def type_text(t, text):
    press(t, *key_names(text))


def prompt(t, timeout=10):
    t.expect("^" + re.escape(PROMPT), timeout)


def irq_count(t, vector):
    """How often host vector `vector` was taken (host irq stats), 0 if never."""
    out = t.command("host irq stats")
    m = re.search(r"^\s*0x%02x\s+(\S+)(.*)$" % vector, out, re.M)
    if not m:
        return 0, out
    return sum(int(n) for n in re.findall(r"\d+", m.group(2))), out


@pytest.fixture(scope="module")
def kbd(default_iso):
    """The default ISO through GRUB, COM1 on a socket, QEMU's monitor."""
    t = boot_qemu_terminal(default_iso, monitor=True)
    yield t
    t.close()


def test_boot_line_names_the_keyboard(kbd):
    t = kbd
    t.expect(BOOT_LINE, timeout=60)
    t.expect(r"^xvisor-x86: ready$", timeout=60)
    prompt(t)
    assert "cannot take input" not in t.text()


def test_typed_command_runs(kbd):
    t = kbd
    type_text(t, "version\r")
    t.expect(r"version\n")
    t.expect(VERSION_RE)
    prompt(t)


def test_keys_arrive_by_interrupt(kbd):
    """Each key echoes at once: IRQ 1 wakes the terminal (without it the
    terminal would look only every 0.5 s); vector 0x35 counts the keys."""
    t = kbd
    before, _ = irq_count(t, 0x35)
    delays = []
    for ch in "abcdefghij":
        t0 = time.monotonic()
        press(t, ch)
        t.expect(re.escape(ch), timeout=5)
        delays.append(time.monotonic() - t0)
    press(t, "ctrl-c")
    prompt(t)
    after, out = irq_count(t, 0x35)
    print("keyboard echo delays (s): median %.4f max %.4f; IRQ 1 taken %d times for 11 keys"
          % (statistics.median(delays), max(delays), after - before))
    assert "i8042_irq" in out, out
    # a press and a release each: two interrupts a key at least
    assert after - before >= 2 * 11, (before, after, out)
    assert statistics.median(delays) < 0.2, delays


def test_shift_and_every_symbol(kbd):
    t = kbd
    text = "Hello World 0123456789 !@#$%^&*()_+{}|:\"<>?~ -=[]\\;',./`"
    type_text(t, "echo " + text + "\r")
    t.expect("^" + re.escape(text) + "$")
    prompt(t)
    # right Shift too, held across keys
    press(t, *key_names("echo "))
    press(t, "shift_r-a", "shift_r-b", "shift_r-1", "ret")
    t.expect(r"^AB!$")
    prompt(t)


def test_caps_lock(kbd):
    t = kbd
    press(t, "caps_lock")
    # letters upper case, digits not; Shift gives lower case letters
    press(t, *key_names("echo abc 12 "), "shift-x", "shift-1", "ret")
    t.expect(r"ECHO ABC 12 x!\n", timeout=5)       # the echoed line
    t.expect(r"error: unknown command 'ECHO'")
    prompt(t)
    press(t, "caps_lock")
    type_text(t, "echo abc\r")
    t.expect(r"^abc$")
    prompt(t)


def test_ctrl_c_cancels_the_line(kbd):
    t = kbd
    type_text(t, "poweroff")
    press(t, "ctrl-c")
    t.expect(r"poweroff\^C$")
    prompt(t)
    type_text(t, "version\r")
    t.expect(VERSION_RE)
    prompt(t)
    assert t.proc.poll() is None


def test_ctrl_c_interrupts_a_command(kbd):
    t = kbd
    type_text(t, "sleep 20000\r")
    t.expect(r"sleep 20000\n")
    t0 = time.monotonic()
    press(t, "ctrl-c")
    prompt(t, timeout=5)
    assert time.monotonic() - t0 < 5


def test_backspace_and_ctrl_letters(kbd):
    t = kbd
    type_text(t, "versx")
    press(t, "backspace")
    type_text(t, "ion\r")
    t.expect(VERSION_RE)
    prompt(t)
    # Ctrl-A (start of line), Ctrl-E (end), Ctrl-U (kill line)
    type_text(t, "ersion")
    press(t, "ctrl-a", "v", "ctrl-e", "ret")
    t.expect(VERSION_RE)
    prompt(t)
    type_text(t, "poweroff now")
    press(t, "ctrl-u")
    type_text(t, "echo killed\r")
    t.expect(r"^killed$")
    prompt(t)


def test_arrows_home_end_delete(kbd):
    t = kbd
    type_text(t, "vrsion")
    press(t, "left", "left", "left", "left", "left", "e", "right", "ret")
    t.expect(VERSION_RE)
    prompt(t)
    # Home, Delete, End
    type_text(t, "xversion")
    press(t, "home", "delete", "end", "ret")
    t.expect(VERSION_RE)
    prompt(t)
    # Up: the history
    type_text(t, "echo first\r")
    t.expect(r"^first$")
    prompt(t)
    press(t, "up", "ret")
    t.expect(r"^first$")
    prompt(t)


def test_tab_completion(kbd):
    t = kbd
    type_text(t, "vers\t\r")
    t.expect(r"version \n")
    t.expect(VERSION_RE)
    prompt(t)


def test_keypad(kbd):
    t = kbd
    type_text(t, "echo ")
    press(t, "kp_1", "kp_2", "kp_3", "kp_add", "kp_4", "kp_multiply", "kp_5",
          "kp_divide", "kp_6", "kp_subtract", "kp_7", "kp_decimal", "kp_8", "kp_9",
          "kp_0", "kp_enter")
    t.expect(r"^123\+4\*5/6-7\.890$")
    prompt(t)


def test_keys_typed_while_output_prints(kbd):
    """A hundred `help` lines sent at once over COM1 (500 bytes: they all
    fit in the UART's ring, so no COM1 byte arrives once they run) print
    140 KB; keys typed on the keyboard while that prints are kept, in
    order, and run after them (the terminal reads COM1 first)."""
    t = kbd
    n = 100
    mark = len(t.text())
    t0 = time.monotonic()
    t.send("help\r" * n)
    for _ in range(3):
        t.expect(r"^  version\b")        # three have run: COM1's bytes are in
    keys = key_names("echo typed-during-help\r")
    press(t, keys[0])
    t._pump()                           # what came back when the first key went in
    helps_then = t.text()[mark:].count("\n  version")
    press(t, *keys[1:])
    t.expect(r"^typed-during-help$", timeout=60)
    prompt(t)
    total = time.monotonic() - t0
    out = t.text()[mark:]
    print("%d helps: %d bytes in %.2f s; %d helps had printed when the first key was typed"
          % (n, len(out), total, helps_then))
    assert out.count("\n  version") == n, (out.count("\n  version"), out[-2000:])
    assert helps_then < n, "the helps had all ended before the first key was typed"
    # the typed line came after the last help, whole
    assert out.rfind("\n  version") < out.find("typed-during-help")
    assert "unknown command" not in out, out[-3000:]


def test_serial_and_keyboard_on_one_line(kbd):
    t = kbd
    t.send("ech")
    t.expect("ech")
    type_text(t, "o mixed")
    t.expect("o mixed")
    t.send(" input\r")
    t.expect(r"^mixed input$")
    prompt(t)


def test_garbage_from_com1_then_keyboard(kbd):
    """The keyboard still works after COM1 sent every byte value."""
    t = kbd
    t.send(bytes(range(256)) + b"\x03")
    # the line the garbage made (Ctrl-P recalls history, then the printable
    # bytes) ends at the Ctrl-C; only the prompt after that one means COM1's
    # bytes are all taken, else a key could land inside that line
    t.expect(r"~\^C$", timeout=20)
    prompt(t)
    type_text(t, "echo still-typing\r")
    t.expect(r"^still-typing$")
    prompt(t)


def test_keyboard_under_uefi(default_iso):
    """The same ISO under UEFI (OVMF, GRUB's x86_64-efi): OVMF's own PS/2
    driver leaves the controller set up differently (both interrupts on),
    translation still on: typed keys run a command."""
    t = boot_qemu_terminal(default_iso, extra=["--uefi"], monitor=True)
    try:
        t.expect(BOOT_LINE, timeout=120)
        t.expect(r"^xvisor-x86: ready$", timeout=60)
        prompt(t)
        type_text(t, "echo Typed-Under-UEFI\r")
        t.expect(r"^Typed-Under-UEFI$")
        prompt(t)
    finally:
        t.close()


def test_no_keyboard_controller_said(build):
    """q35 without its i8042: the FADT says so too; COM1 still serves."""
    t = boot_qemu_terminal(build, extra=["-machine", "q35,i8042=off"])
    try:
        t.expect(r"^console: keyboard: no i8042 keyboard controller: port 0x64 reads 0xff "
                 r"\(the FADT's IAPC_BOOT_ARCH says this machine has no 8042\)$", timeout=60)
        prompt(t, timeout=60)
        out = t.command("version")
        assert re.search(VERSION_RE, out, re.M), out
        assert "cannot take input" not in t.text()
        assert "no console receive interrupt" not in t.text()
    finally:
        t.close()
    # the pc machine's FADT (revision 1) has no IAPC_BOOT_ARCH: the probe alone
    t = boot_qemu_terminal(build, extra=["-machine", "pc,i8042=off"])
    try:
        t.expect(r"^console: keyboard: no i8042 keyboard controller: port 0x64 reads 0xff$",
                 timeout=60)
        prompt(t, timeout=60)
    finally:
        t.close()


NO_INPUT_LINE = ("console: no keyboard controller (i8042) and no serial port: the terminal "
                 "cannot take input; the boot commands (bootcmd=) still run")


def test_no_keyboard_and_no_serial_said(default_iso, tmp_path):
    """Neither an i8042 nor a UART (q35 with i8042=off, no serial port),
    the ISO through GRUB: the line that says the terminal cannot take input
    is on the screen at the end of the boot (QEMU's screen dump read back with the kernel's font),
    and on the absent COM1 too (QEMU traces every I/O write; the test reads
    the bytes the kernel wrote to port 0x3f8, where nothing listens)."""
    dump = tmp_path / "screen.ppm"
    proc, trace, mon, _ = start_traced_qemu(
        ["-cdrom", str(default_iso), "-boot", "d", "-machine", "q35,i8042=off"], tmp_path, 120)
    try:
        out = mon.hmp("screendump %s" % dump)
        assert out.strip() == "", out
        mon.close()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    text = ANSI_RE.sub("", com1_bytes_traced(trace).decode("latin-1"))
    assert "console: keyboard: no i8042 keyboard controller: port 0x64 reads 0xff (the FADT's " \
        "IAPC_BOOT_ARCH says this machine has no 8042)" in text, text[:3000]
    # at the probe, and again when the terminal starts (the screen's last lines)
    assert len(re.findall("^" + re.escape(NO_INPUT_LINE) + "$", text, re.M)) == 2, text[-3000:]
    image = screenlib.read_ppm(dump)
    cols = image[0] // screenlib.FONT_W
    rows = screenlib.ocr(image, screenlib.load_font())
    screen = "".join(r.ljust(cols) for r in rows)      # a long line wraps
    assert NO_INPUT_LINE in screen, "\n".join(rows)


def start_traced_qemu(args, tmp_path, timeout):
    """QEMU TCG without a serial port (-serial none), its I/O writes traced
    and its monitor on a unix socket; waits for the terminal's prompt in the
    bytes written to 0x3f8. Returns (process, trace file, QemuMonitor,
    deadline)."""
    qemu = shutil.which("qemu-system-x86_64")
    assert qemu, "qemu-system-x86_64 missing (run scripts/deps.sh)"
    trace = tmp_path / "io-trace.log"
    mon_path = tmp_path / "monitor.sock"
    cmd = [qemu, "-accel", "tcg", "-m", "256"] + args + [
           "-serial", "none", "-display", "none", "-no-reboot",
           "-monitor", "unix:%s,server=on,wait=off" % mon_path,
           "-trace", "memory_region_ops_write,file=%s" % trace]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not mon_path.exists() or not trace.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "QEMU did not start"
            time.sleep(0.1)
        while b"xvisor# " not in com1_bytes_traced(trace):
            assert proc.poll() is None and time.monotonic() < deadline, \
                "no prompt: %r" % com1_bytes_traced(trace)[-2000:]
            time.sleep(0.2)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(mon_path))
        return proc, trace, QemuMonitor(sock), deadline
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def com1_bytes_traced(trace):
    """What the kernel wrote to port 0x3f8 (the transmit register; the
    divisor latch is written there once too), from QEMU's I/O trace."""
    log = trace.read_text(errors="replace")
    return bytes(int(v, 16) for v in
                 re.findall(r"addr 0x3f8 value (0x[0-9a-f]+) size 1 name 'io'", log))


def test_keyboard_alone_without_serial_port(build, tmp_path):
    """A PC without a serial port: the keyboard is the terminal's only
    input (COM1 absent must not be read as a stream of 0xff bytes). Typed
    commands run; their output is read from the I/O trace as above."""
    proc, trace, mon, deadline = start_traced_qemu(
        ["-kernel", str(build), "-device", "isa-debug-exit,iobase=0x501,iosize=1"], tmp_path, 60)
    try:
        t = type("Typist", (), {})()
        t.monitor = mon
        type_text(t, "echo Only-The-Keyboard\r")
        while b"\nOnly-The-Keyboard\r\n" not in com1_bytes_traced(trace):
            assert proc.poll() is None and time.monotonic() < deadline, \
                "the typed command did not run: %r" % com1_bytes_traced(trace)[-2000:]
            time.sleep(0.2)
        type_text(t, "poweroff\r")
        assert proc.wait(timeout=30) == 0, "QEMU did not power off"
        mon.close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = ANSI_RE.sub("", com1_bytes_traced(trace).decode("latin-1"))
    assert "console: keyboard: i8042 (PS/2 or USB legacy emulation)" in text, text[:3000]
    assert "cannot take input" not in text
    assert "term: no console receive interrupt" not in text, text[:3000]


def test_keyboard_ports_refused_to_guests(build, make_dtb):
    """0x60 and 0x64 are the hypervisor's once it reads the keyboard: a
    guest asking for them as real ports is rejected, naming both."""
    dtb = make_dtb(DTS_DIR / "kbdowned.dts")
    t = boot_qemu_terminal(build, append='bootcmd="echo config-done"', extra=["-initrd", str(dtb)])
    try:
        t.expect(r"^config: guest 'kbd' rejected, 2 problems:$", timeout=60)
        t.expect(r"^config:   /guests/kbd/aspace/data: ports 0x60-0x60 include the hypervisor's "
                 r"own i8042 keyboard controller data port \(0x60-0x60\)")
        t.expect(r"^config:   /guests/kbd/aspace/ctl: ports 0x64-0x64 include the hypervisor's "
                 r"own i8042 keyboard controller command port \(0x64-0x64\)")
        t.expect(r"^config-done$", timeout=60)
    finally:
        t.close()
