"""tests/system/test_x2apic_host.py - the host's local APICs in x2APIC mode
(issue 15, item 3: firmware that hands over in x2APIC mode). `x2apic` on
the command line switches the boot CPU's LAPIC to x2APIC mode as such
firmware leaves it (the APs follow after their SIPI); everything that uses
the LAPIC - the timer in TSC-deadline mode, IPIs (scheduler kicks, the
cross-CPU calls of `thread test` and the power-off), EOIs, COM1's
interrupt through the IO-APIC - then goes through the x2APIC MSRs. Bochs
with two CPUs, the demo guests running; and QEMU 7.2 TCG, whose CPUs have
no x2APIC, says so and stays in xAPIC mode.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_x2apic_host_bochs(make_iso, boot_bochs, guest_bin):
    dtb = REPO / "build" / "dtb" / "bochs.dtb"
    iso = make_iso('x2apic bootcmd="guest kick all; thread test; sleep 3000; host irq stats; poweroff"',
                   [dtb, guest_bin("counter"), guest_bin("echo")])
    r = boot_bochs(iso, timeout=120, cpus=2)
    r.expect(r"^lapic: x2APIC \(x2apic on the command line\) mode$",
             r"^timer: TSC \d+\.\d+ MHz .*APIC timer in TSC-deadline mode",
             r"^smp: 2 CPUs online \(APIC ids 0 1\)$",
             r"^thread test: PASS .* cpus 0x3 ",
             r"^counter: tick 2$",
             r"^bootcmd> host irq stats$")
    m = r.expect(r"^  0xf0   lapic_timer_irq +(\d+) +(\d+)$")[0]
    assert int(m.group(1)) > 0 and int(m.group(2)) > 0, m.group(0)
    m = r.expect(r"^  0xf3   smp_kick_irq +(\d+) +(\d+)$")[0]
    assert int(m.group(1)) + int(m.group(2)) > 0, m.group(0)
    r.expect(r"^powering off$", r"^smp: CPU1: left VMX operation, stopped$")
    r.refute(r"PANIC|EXCEPTION|does not answer|did not stop")


def test_x2apic_asked_without_x2apic_qemu(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append='x2apic bootcmd="poweroff"', extra=["-smp", "2"], timeout=30)
    r.expect(r"^lapic: xAPIC \(x2apic asked for: this CPU has no x2APIC\) mode$",
             r"^smp: 2 CPUs online", r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|unknown option 'x2apic'")


def test_xapic_by_default(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append='bootcmd="poweroff"', timeout=30)
    r.expect(r"^lapic: xAPIC mode$", r"^powering off$")


# GRUB as the firmware: before the menu entries it sets IA32_APIC_BASE.EXTD
# (bit 10) on the boot CPU, so the kernel starts in x2APIC mode the way
# firmware of a machine with APIC ids above 255 hands over. (GRUB reads
# grub.cfg twice under the BIOS: the second time the MSR already reads
# back with EXTD and is left alone.)
X2APIC_BY_FIRMWARE = [
    ("rdmsr", "rdmsr 0x1b -v apicbase"),
    ("wrmsr", 'if [ "$apicbase" = fee00900 ]; then wrmsr 0x1b 0xfee00d00; fi'),
]


def test_firmware_hands_over_in_x2apic_mode_bochs(make_iso, boot_bochs, guest_bin):
    dtb = REPO / "build" / "dtb" / "bochs.dtb"
    iso = make_iso('bootcmd="guest kick all; sleep 2000; poweroff"',
                   [dtb, guest_bin("counter"), guest_bin("echo")], grub_pre=X2APIC_BY_FIRMWARE)
    r = boot_bochs(iso, timeout=120, cpus=2)
    r.expect(r"^lapic: x2APIC \(the firmware handed over in it\) mode$",
             r"^timer: TSC \d+\.\d+ MHz .*APIC timer in TSC-deadline mode",
             r"^smp: 2 CPUs online \(APIC ids 0 1\)$",
             r"^counter: tick 1$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|does not answer|did not stop")
