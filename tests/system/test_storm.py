"""tests/system/test_storm.py - interrupt storms from a guest's emulated
timers (issue 10, finding 2) and the fairness they leave the other guests.

Each boot runs 'counter' (tests/guests/hcount.asm, the benign guest of the
hostile-guest tests: a fixed loop with interrupts off and no exits, timed
with the TSC, so its instructions over the ticks they took are its share of
the CPU) next to 'offender' (tests/system/dts/vmx-storm.dts), whose image
each test picks:
  hog            computes forever, interrupts off: the reference neighbour
                 that takes exactly its time slices;
  pitstorm1      PIT channel 0 mode 2 count 1, IRQ0 unmasked, STI, EOI;
  pitstorm1noeoi the same without EOI (IRQ0 stays in service);
  pitstorm64     count 64 (the 40 % loss of the issue);
  devstorm       PIT mode 3 count 2 plus the RTC at 8192 Hz plus the UART
                 timeout in loopback.
Bochs counts instructions (clock: sync=none), so every count is exact and
repeats run to run. The bootcmd lets the guests run 800 ms, then halts the
offender and must still be answered: before the fix the hypervisor never
left vmm_timer_process() with count 1 (no command ever ran again) and the
counter got 40 % less CPU next to count 64 than next to hog.
Asserted: the hypervisor answers after the storm, only the offender was
halted (from the terminal) and told once that its timer was held to the
200 us minimum, counter passed, and counter's share next to a storm is at
least FAIR_BOUND of its share next to hog.
"""
import re
import shutil
from pathlib import Path

import pytest

from hostile_lib import share

REPO = Path(__file__).resolve().parents[2]
DTS = REPO / "tests" / "system" / "dts" / "vmx-storm.dts"
BOOTCMD = ("guest kick all; sleep 800; guest halt offender; guest list; "
           "echo after-the-storm; poweroff")
# counter's share next to a storm / next to hog, at least
FAIR_BOUND = 0.98


@pytest.fixture(scope="module")
def storm_run(make_dtb, make_iso, boot_bochs, guest_bin, tmp_path_factory):
    runs = {}

    def run(offender):
        if offender not in runs:
            d = tmp_path_factory.mktemp("storm-" + offender)
            off = d / "offender.bin"
            shutil.copyfile(guest_bin(offender), off)
            dtb = make_dtb(DTS)
            iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, guest_bin("hcount"), off])
            runs[offender] = boot_bochs(iso, timeout=90, until=r"^powering off$")
        return runs[offender]
    return run


def check_survived(r):
    """The hypervisor answered after the storm; only the offender was
    stopped, by the command; counter passed."""
    r.expect(r"^bootcmd> +guest halt offender$", r"^after-the-storm$", r"^powering off$")
    r.expect(r"^counter: PASS count-done$",
             r"^guest counter: counter/vcpu0 shut down with status 0$")
    r.refute(r"PANIC|EXCEPTION|rejected: |^counter: FAIL|guest counter counter/vcpu0 halted")
    r.refute(r"guest offender offender/vcpu0 halted: (?!halted from the terminal)")


def test_reference_next_to_hog(storm_run):
    r = storm_run("hog")
    check_survived(r)
    # two guests that only compute split the CPU in half
    assert share(r, "counter") >= 0.48, r


@pytest.mark.parametrize("offender", ["pitstorm1", "pitstorm1noeoi", "pitstorm64", "devstorm"])
def test_storm_is_fair(storm_run, offender):
    ref = share(storm_run("hog"), "counter")
    r = storm_run(offender)
    check_survived(r)
    r.expect(r"^offender: storm: count 0x[0-9A-F]+, interrupts on$")
    # the correction is said once, naming the guest
    r.expect(r"^guest offender: PIT channel 0 period \d+ ns \(count \d+\) is below the 200 us "
             r"minimum: IRQ0 at most every 200 us, the edges between coalesced \(reported once\)$")
    assert len(r.output.split("PIT channel 0 period")) == 2, r
    if offender == "devstorm":
        r.expect(r"^guest offender: RTC periodic interrupt every 122070 ns is below the 200 us minimum")
    n = share(r, "counter")
    print("counter's share next to %s: %.4f, next to hog: %.4f (%.3f)" % (offender, n, ref, n / ref))
    assert n >= FAIR_BOUND * ref, (
        "counter got %.4f of the CPU next to %s, %.4f next to hog (%.1f %%, bound %.0f %%)\n%s"
        % (n, offender, ref, 100.0 * n / ref, 100 * FAIR_BOUND, r))
