"""tests/system/test_linux_guest.py - issue 14's "done when": Debian's
unmodified cloud kernel as a guest, in Bochs.

- test_linux_default: 2 VCPUs with local APICs, an IO-APIC and ACPI tables,
  the default command line "console=ttyS0" (tests/system/dts/linux-guest.dts),
  beside counter on two host CPUs: /init's marker appears, /proc/cpuinfo
  shows 2 CPUs, the BusyBox shell answers commands typed through
  `vserial bind`, counter keeps printing the whole time, `guest reset`
  boots Linux again, so does `reboot` inside Linux (the FADT's reset
  register), and `poweroff` inside Linux (ACPI S5) ends that guest only.
- test_linux_minimal: 1 VCPU with the PICs and the PIT only, the minimal
  line "console=ttyS0 noapic nolapic acpi=off pci=off nosmp"
  (tests/system/dts/linux-minimal.dts): the marker, 1 CPU, the shell, and
  `reboot` inside Linux (the 8042's reset line) boots it again.

The kernel and the initramfs come from scripts/fetch-linux.sh (make
linux-files: Debian's mirrors, once). Where they cannot be fetched the
tests are skipped and say why (pytest -rs shows it; make test does).
"""
import re
import subprocess
from pathlib import Path

import pytest

from conftest import boot_bochs_terminal

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
LINUX_DIR = REPO / "build" / "linux"
BOOT_TIMEOUT = 420            # one boot to /init: about 90 s wall in Bochs here
TROUBLE = (r"PANIC|EXCEPTION|hypervisor bug|VM entry failed|Kernel panic|Oops|BUG:|"
           r"\[ cut here \]|Call Trace|Firmware Bug|rcu: INFO: .*detected stall")
MARK_INIT = r"^linux: XVX-LINUX-INIT tsc=\d+$"
PROMPT = r"~ # "


@pytest.fixture(scope="module")
def linux_files():
    """build/linux/bzImage and initrd.cpio.gz, fetched if missing."""
    files = [LINUX_DIR / "bzImage", LINUX_DIR / "initrd.cpio.gz"]
    if not all(f.exists() for f in files):
        r = subprocess.run(["make", "--no-print-directory", "linux-files"], cwd=REPO,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0 or not all(f.exists() for f in files):
            pytest.skip("Linux guest tests not run: Debian's kernel package could not be fetched "
                        "(make linux-files exited %d: %s)" % (r.returncode, (r.stdout + r.stderr)[-300:]))
    return files


def linux_iso(make_dtb, make_iso, guest_bin, files, dts, bootcmd):
    dtb = make_dtb(DTS_DIR / dts)
    return make_iso('bootcmd="%s"' % bootcmd, [dtb, guest_bin("counter")] + files)


def shell(t, line, want, timeout=60):
    """Type a line at the bound Linux shell; wait for `want` after it."""
    t.send(line + "\r")
    return t.expect(want, timeout)


def ticks(text):
    return [int(n) for n in re.findall(r"^counter: tick (\d+)$", text, re.M)]


def test_linux_default(make_dtb, make_iso, guest_bin, linux_files):
    iso = linux_iso(make_dtb, make_iso, guest_bin, linux_files, "linux-guest.dts", "guest kick all")
    t = boot_bochs_terminal(iso, cpus=2, megs=320)
    try:
        t.expect(r"guest linux: Linux kernel 'bzImage' \(boot protocol 2\.\d+", 120)
        t.expect(r"^linux: \[ +0\.000000\] Linux version 6\.", 120)
        boot_start = t.pos
        t.expect(r"^linux: \[ +[0-9.]+\] smp: Brought up 1 node, 2 CPUs$", BOOT_TIMEOUT)
        t.expect(MARK_INIT, BOOT_TIMEOUT)
        t.expect(r"^linux: XVX-LINUX-CPUS 2$", 60)
        boot = t.text()[boot_start:t.pos]
        # counter printed all along: its ticks count up by one, many of them
        # between Linux's first line and /init
        n = ticks(boot)
        assert len(n) >= 5 and n == list(range(n[0], n[0] + len(n))), \
            "counter did not keep printing while Linux booted: %r\n%s" % (n, t.text()[-3000:])

        # the shell through the terminal
        t.send("vserial bind linux/uart0\r")
        t.expect(r"vserial: bound to linux/uart0")
        shell(t, "", PROMPT)
        shell(t, "grep -c ^processor /proc/cpuinfo", r"^2\s*$")
        shell(t, "echo xvx-$((6 * 7)) $(uname -r)", r"^xvx-42 6\.1\.\S+-cloud-amd64")
        t.send("\x1bxq")
        t.expect(r"vserial: detached from linux/uart0")
        t.expect(r"^counter: tick \d+$", 30)

        # guest reset: Linux boots again from its kernel module
        t.send("guest reset linux\r")
        t.expect(r"guest linux: reset \(RAM cleared, images reloaded\)", 60)
        t.expect(r"^linux: \[ +0\.000000\] Linux version 6\.", 120)
        t.expect(MARK_INIT, BOOT_TIMEOUT)
        t.expect(r"^linux: XVX-LINUX-CPUS 2$", 60)

        # reboot inside Linux: the FADT's reset register (0xCF9) resets the
        # guest, its kernel is loaded again and boots
        t.send("vserial bind linux/uart0\r")
        t.expect(r"vserial: bound to linux/uart0")
        shell(t, "", PROMPT)
        t.send("reboot -f\r")
        t.expect(r"guest linux: reset through port 0xCF9", 120)
        t.expect(r"\[ +0\.000000\] Linux version 6\.", 120)
        t.expect(r"XVX-LINUX-INIT tsc=\d+", BOOT_TIMEOUT)
        t.expect(r"XVX-LINUX-CPUS 2", 60)

        # poweroff inside Linux: ACPI S5 ends that guest; counter goes on
        shell(t, "", PROMPT)
        t.send("poweroff -f\r")
        t.expect(r"guest linux: ACPI S5: powered off", 120)
        t.send("\x1bxq")
        t.expect(r"vserial: detached from linux/uart0")
        after = t.pos
        t.expect(r"^counter: tick \d+$", 30)
        t.expect(r"^counter: tick \d+$", 30)
        assert "linux: " not in t.text()[after:], "Linux printed after its power-off:\n%s" % t.text()[after:]
        assert not re.search(TROUBLE, t.text()), "trouble in the transcript:\n%s" % t.text()[-5000:]
    finally:
        t.close()


def test_linux_minimal(make_dtb, make_iso, guest_bin, linux_files):
    iso = linux_iso(make_dtb, make_iso, guest_bin, linux_files, "linux-minimal.dts", "guest kick all")
    t = boot_bochs_terminal(iso, cpus=1, megs=320)
    try:
        t.expect(r"guest linux: Linux kernel 'bzImage'", 120)
        t.expect(r"Command line: console=ttyS0 noapic nolapic acpi=off pci=off nosmp$", 120)
        t.expect(MARK_INIT, BOOT_TIMEOUT)
        t.expect(r"^linux: XVX-LINUX-CPUS 1$", 60)
        t.send("vserial bind linux/uart0\r")
        t.expect(r"vserial: bound to linux/uart0")
        shell(t, "", PROMPT)
        shell(t, "cat /proc/interrupts | grep -c XT-PIC", r"^[1-9]\d*\s*$")
        # reboot inside Linux (no ACPI: the 8042's reset line): the guest
        # resets, its kernel is loaded again and boots
        t.send("reboot -f\r")
        t.expect(r"guest linux: reset through the keyboard controller", 120)
        t.expect(r"Linux version 6\.", 120)
        t.expect(r"XVX-LINUX-INIT tsc=\d+", BOOT_TIMEOUT)
        assert not re.search(TROUBLE, t.text()), "trouble in the transcript:\n%s" % t.text()[-5000:]
    finally:
        t.close()


def test_linux_image_refused(make_dtb, make_iso, boot_bochs, guest_bin):
    """A linux_kernel that is no bzImage: refused with what is wrong, that
    guest is not created, counter runs (needs no fetched files)."""
    dtb = make_dtb(DTS_DIR / "linux-bad.dts")
    iso = make_iso('bootcmd="guest kick all; sleep 2500; poweroff"', [dtb, guest_bin("counter")])
    r = boot_bochs(iso, timeout=120)
    r.expect(r"^guest badlinux: Linux kernel 'counter\.bin' refused: not a bzImage: boot flag 0x[0-9a-f]{4} "
             r"at 0x1fe \(0xaa55 expected\)",
             r"^counter: tick 2$", r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|^guest counter: .*refused|manager: guest badlinux created")
