"""tests/system/test_ioapic.py - a guest with an IO-APIC region
("x86,ioapic", devemu/ioapic.c) in Bochs: the emulator is attached (no
"no emulator" warning, no failed probe) and, with its pins masked as after
reset, the 8259A on the same ISA lines works exactly as without it - the
interrupt guest's PIC/UART checks (tests/guests/irq.asm) and the PIT's
1 kHz through IRQ0 (tests/guests/pit.asm: the PIC's taken reports still
drive the PIT's coalescing with a second controller on line 0). Delivery
through the IO-APIC needs the local APIC (devemu/lapic.c) and is covered
by tests/unit/test_ioapic*.c until then.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS = REPO / "tests" / "system" / "dts"


def guest_checks(name):
    src = REPO / "tests" / "guests" / (name + ".asm")
    return re.findall(r"T_(?:EQ|CHECK) [^']*'([a-z0-9-]+)'", src.read_text())


def attached(r, guest):
    r.refute(r"guest %s: region ioapic: no emulator" % guest)
    r.refute(r"guest %s: region ioapic: .*(failed|refused|already)" % guest)
    r.refute(r"ioapic: .*ignored")


def test_ioapic_pic_still_works(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(DTS / "vmx-ioapic-irq.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"',
                   [dtb, guest_bin("irq"), guest_bin("hello")])
    r = boot_bochs(iso, timeout=90)
    names = guest_checks("irq")
    assert len(names) >= 10, names
    for name in names:
        r.expect(r"^irq: PASS %s$" % re.escape(name))
    r.refute(r"^irq: FAIL")
    r.expect(r"^guest irq: irq/vcpu0 shut down with status 0$")
    r.expect(r"^hello: PASS hello$")
    attached(r, "irq")
    assert r.exited


def test_ioapic_pit_rate_through_pic(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(DTS / "vmx-ioapic-pit.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"',
                   [dtb, guest_bin("pit")])
    r = boot_bochs(iso, timeout=90)
    names = guest_checks("pit")
    assert len(names) >= 8, names
    for name in names:
        r.expect(r"^pit: PASS %s$" % re.escape(name))
    r.refute(r"^pit: FAIL")
    ticks = int(r.expect(r"^pit: ticks in 100 ms: 0x([0-9A-F]+)$")[0].group(1), 16)
    assert 99 <= ticks <= 101, ticks
    r.expect(r"^guest pit: pit/vcpu0 shut down with status 0$")
    attached(r, "pit")
    assert r.exited
