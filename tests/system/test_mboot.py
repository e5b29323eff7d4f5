"""tests/system/test_mboot.py - the isa-debug-exit test-exit device
(devemu/isa_debug_exit.c) in Bochs, next to a guest that keeps running.

dbgexit (tests/guests/dbgexit.asm) writes 0x2A to port 0xF4: the
hypervisor prints "guest dbgexit: isa-debug-exit: status 85" and halts it;
tick (tests/guests/tick.asm) must keep printing tick lines after that.
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
BOOTCMD = "guest kick all; sleep 400; poweroff"


def ticks_after(r, pos):
    """tick's 'tick N' counters printed after offset pos of the transcript."""
    return [int(n, 16) for n in re.findall(r"^tick: tick 0x([0-9A-F]+) ", r.output[pos:], re.M)]


def test_isa_debug_exit_ends_only_its_guest(make_dtb, make_iso, boot_bochs, guest_bin):
    """dbgexit ends with status (0x2A << 1) | 1 = 85 and its VCPU halted
    with that reason; nothing after its write ran; tick ticks on."""
    dtb = make_dtb(DTS_DIR / "mboot-dbgexit.dts")
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, guest_bin("dbgexit"), guest_bin("tick")])
    r = boot_bochs(iso, timeout=120)
    r.expect(r"config: module mboot-dbgexit\.dtb DTB, 0 problems in the tree",
             r"^dbgexit: PASS dbgexit-start$",
             r"^guest dbgexit: isa-debug-exit: status 85$",
             r"^guest dbgexit dbgexit/vcpu0 halted: isa-debug-exit: status 85$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |FAIL |^guest tick tick/vcpu0 halted")
    pos = r.output.index("isa-debug-exit: status 85")
    later = ticks_after(r, pos)
    assert len(later) >= 3, "tick did not keep running after dbgexit ended\n%s" % r
