"""tests/system/test_devices.py - the PC devices beside the PIC, PIT and
UART in a guest (Bochs): the MC146818 RTC and CMOS RAM with the memory-size
bytes of a 20 MiB guest, the 8042 keyboard controller, port 0x92, the port
0x80 sink and the VGA text screen (tests/guests/rtc.asm), then a guest reset
through the 8042 (command 0xFE) and one through port 0x92.
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "tests" / "guests" / "rtc.asm"


def checks_of(text):
    """The check names of (part of) a test guest, in source order."""
    return re.findall(r"T_(?:EQ|CHECK) [^']*'([a-z0-9-]+)'", text)


# the guest's checks before its first reset, and those after the resets
BEFORE_RESET, AFTER_RESET = SRC.read_text().split("\nafter_kbc_reset:", 1)


@pytest.fixture(scope="module")
def run(make_iso, boot_bochs, make_dtb, guest_bin):
    """One boot of the device guest, shared by the tests below."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-devices.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"', [dtb, guest_bin("rtc")])
    return boot_bochs(iso, timeout=120)


def test_rtc_cmos_kbc_vga(run):
    names = checks_of(BEFORE_RESET)
    assert len(names) >= 50, names
    for name in names:
        run.expect(r"^rtc: PASS %s$" % re.escape(name))
    # no failure before the guest resets itself (the reset has its own test)
    reset = run.search(r"^guest rtc: reset through")
    before = run.output[:reset.start()] if reset else run.output
    assert not re.search(r"^rtc: FAIL", before, re.M), run
    # every region found its emulator, and no port went unanswered
    run.refute(r"guest rtc: region \w+: no emulator")
    run.refute(r"guest rtc: \w+ of unassigned port")
    run.refute(r"keyboard controller command 0x[0-9a-f]+ not emulated")


def test_guest_reset_by_8042_and_port92(run):
    assert len(checks_of(AFTER_RESET)) >= 4
    run.expect(r"^guest rtc: reset through the keyboard controller \(pulse of the reset line\)$",
               r"^rtc: PASS kbc-reset-restarts-guest$",
               r"^rtc: PASS kbc-config-after-reset$",
               r"^rtc: PASS cmos-ram-kept-over-reset$",
               r"^rtc: PASS vga-text-blank-after-guest-reset$",
               r"^rtc: PASS port92-after-reset$",
               r"^guest rtc: reset through port 0x92 \(fast reset\)$",
               r"^rtc: PASS port92-reset-restarts-guest$",
               r"^guest rtc: rtc/vcpu0 shut down with status 0$")
    run.refute(r"^rtc: FAIL")
    assert run.exited
