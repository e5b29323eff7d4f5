"""tests/system/test_acpipm.py - the ACPI PM block (devemu/acpi_pm.c) in
Bochs, next to a guest that keeps running.

acpipm (tests/guests/acpipm.asm) checks SCI_EN, measures the PM timer
against 50 ms of PIT channel 2, then writes S5 to PM1a_CNT: the hypervisor
prints "guest acpipm: ACPI S5: powered off" and halts it; tick
(tests/guests/tick.asm) must keep printing tick lines after that.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
BOOTCMD = "guest kick all; sleep 400; poweroff"


def test_acpi_pm_timer_and_s5(make_dtb, make_iso, boot_bochs, guest_bin):
    """The PM timer runs at 3.579545 MHz against the PIT; S5 powers off
    only acpipm; nothing after its write ran; tick ticks on."""
    dtb = make_dtb(DTS_DIR / "acpipm.dts")
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, guest_bin("acpipm"), guest_bin("tick")])
    r = boot_bochs(iso, timeout=120)
    r.expect(r"config: module acpipm\.dtb DTB, 0 problems in the tree",
             r"^acpipm: PASS acpipm-sci-en$",
             r"^acpipm: PASS acpipm-timer-rate-low$",
             r"^acpipm: PASS acpipm-timer-rate-high$",
             r"^guest acpipm: ACPI S5: powered off$",
             r"^guest acpipm acpipm/vcpu0 halted: ACPI S5: powered off$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |FAIL |^guest tick tick/vcpu0 halted")
    pos = r.output.index("ACPI S5: powered off")
    later = [int(n, 16) for n in re.findall(r"^tick: tick 0x([0-9A-F]+) ", r.output[pos:], re.M)]
    assert len(later) >= 3, "tick did not keep running after acpipm powered off\n%s" % r
