"""tests/system/test_wakestress.py - lost wake-ups of a 2-VCPU guest, in
Bochs on two host CPUs: tests/guests/wakestress.c (dts
tests/system/dts/wakestress.dts) runs 10 s of rounds on both VCPUs - LAPIC
timer then HLT, IPI the other VCPU and HLT until it answers, interrupts
off, a shared spinlock (pause-loop exits), and busy stretches past a time
slice while the boot commands' `guest wait` polls on CPU0 - and times every
wait on the PM timer.

The bug it was written for (the Linux guest's RCU stall): a VCPU preempted
on CPU0 and queued on CPU1 while CPU1 decided; CPU1's pick passed it over
(still on CPU0), CPU0's request after the switch landed inside CPU1's
decision and was cleared by its end, and CPU1 idled with the VCPU READY on
its queue - the guest's ping waited until the 500 ms guard (three times in
10 s before the fix in kernel/scheduler.c; the unit test is
test_sched_smp.c's test_request_from_a_switch_survives_the_decision_it_meets).
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"


def test_wakestress_no_late_wakeup(make_dtb, make_iso, boot_bochs, guest_bin):
    """wakestress.elf with 2 VCPUs: every wait ends within 50 ms, the AP
    never stands still for 200 ms, 0 failures, ACPI S5."""
    dtb = make_dtb(DTS_DIR / "wakestress.dts")
    elf = guest_bin("tick").parent / "wakestress.elf"
    iso = make_iso('bootcmd="guest kick all; guest wait; vcpu stats wakestress/vcpu1; '
                   'guest stats wakestress; poweroff"', [dtb, elf])
    r = boot_bochs(iso, timeout=600, cpus=2)
    r.expect(r"^wakestress: wakestress: (TSC-deadline|one-shot) timer",
             r"^wakestress: SUMMARY wakestress: 0 failures$",
             r"^guest wakestress wakestress/vcpu0 halted: ACPI S5: powered off$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|^wakestress: FAIL |woke after|made no round")
    for name in ["wakestress-ap", "wakestress-ap-done", "wakestress-rounds",
                 "wakestress-no-late-wakeup", "wakestress-no-stall"]:
        assert re.search(r"^wakestress: PASS %s$" % re.escape(name), r.output, re.M), \
            "wakestress: PASS %s missing\n%s" % (name, r)
