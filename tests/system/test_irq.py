"""tests/system/test_irq.py - interrupts into a guest (Bochs): the emulated
i8259A pair, the UART's interrupt line, injection at VM entry, interrupt-
window exits and HLT completing with an interrupt (tests/guests/irq.asm),
while a guest beside it runs undisturbed.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "tests" / "guests" / "irq.asm"


def checks_of(src):
    """The check names of a test guest, in source order."""
    return re.findall(r"T_EQ [^']*'([a-z0-9-]+)'", src.read_text())


def test_pic_uart_interrupts(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-irq.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; vcpu stats irq/vcpu0; poweroff"',
                   [dtb, guest_bin("irq"), guest_bin("hello")])
    r = boot_bochs(iso, timeout=90)
    names = checks_of(SRC)
    assert len(names) >= 10, names
    for name in names:
        r.expect(r"^irq: PASS %s$" % re.escape(name))
    r.refute(r"^irq: FAIL")
    # the two guests share the CPU in time slices: their lines interleave
    r.expect(r"^guest irq: irq/vcpu0 shut down with status 0$")
    r.expect(r"^hello: PASS hello$")
    # the window exits really happened (unmask with IF=0, then STI)
    stats = r.expect(r"^irq/vcpu0: VM exits by reason", r"^  total")
    table = r.output[stats[0].end():stats[1].start()]
    m = re.search(r"^ +7 +interrupt window +(\d+)", table, re.M)
    assert m and int(m.group(1)) >= 1, table
    assert r.exited


def test_pit_rate_hlt_wake_and_calibration(make_iso, boot_bochs, make_dtb, guest_bin):
    """tests/guests/pit.asm: 1 kHz from channel 0 within 1 % over 100 ms of
    TSC, HLT woken by the next tick, and the channel-2 calibration loop of
    Linux ending after 50 ms of TSC within 1 %."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-pit.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; vcpu stats pit/vcpu0; poweroff"',
                   [dtb, guest_bin("pit")])
    r = boot_bochs(iso, timeout=90)
    src = REPO / "tests" / "guests" / "pit.asm"
    names = re.findall(r"T_(?:EQ|CHECK) [^']*'([a-z0-9-]+)'", src.read_text())
    assert len(names) >= 8, names
    for name in names:
        r.expect(r"^pit: PASS %s$" % re.escape(name))
    r.refute(r"^pit: FAIL")
    ticks = int(r.expect(r"^pit: ticks in 100 ms: 0x([0-9A-F]+)$")[0].group(1), 16)
    assert 99 <= ticks <= 101, ticks
    r.expect(r"^guest pit: pit/vcpu0 shut down with status 0$")
    # host timer interrupts reached the hypervisor while the guest ran, as
    # external-interrupt exits (APIC timer). Whether a preemption-timer exit
    # also happens depends on how fast the exits are (due timers also run at
    # every exit): test_vmx.py's cli spinner tests that exit.
    stats = r.expect(r"^pit/vcpu0: VM exits by reason", r"^  total")
    table = r.output[stats[0].end():stats[1].start()]
    for reason in ("external interrupt",):
        m = re.search(r"^ +\d+ +%s +(\d+)" % re.escape(reason), table, re.M)
        assert m and int(m.group(1)) >= 1, "no %s exits\n%s" % (reason, table)
    assert r.exited


def test_pause_loop_exits(make_iso, boot_bochs, make_dtb, guest_bin):
    """A guest spinning on PAUSE causes PAUSE exits (PAUSE-loop exiting)."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-pause.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; vcpu stats pause/vcpu0; poweroff"',
                   [dtb, guest_bin("pause")])
    r = boot_bochs(iso, timeout=90)
    r.expect(r"^pause: PASS pause-spin-done$", r"^guest pause: pause/vcpu0 shut down with status 0$")
    stats = r.expect(r"^pause/vcpu0: VM exits by reason", r"^  total")
    table = r.output[stats[0].end():stats[1].start()]
    m = re.search(r"^ +40 +PAUSE +(\d+)", table, re.M)
    assert m and int(m.group(1)) >= 1, "no PAUSE exits\n%s" % table
    assert r.exited


def test_rtc_periodic_interrupt_through_cascade(make_iso, boot_bochs, make_dtb, guest_bin):
    """tests/guests/rtcirq.asm: the RTC at 1024 Hz on IRQ8 through the slave
    PIC cascaded on IRQ2: 100-105 interrupts in 100 ms of TSC, register C
    read in the handler, both ISRs empty after the EOIs."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-rtcirq.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"', [dtb, guest_bin("rtcirq")])
    r = boot_bochs(iso, timeout=90)
    src = REPO / "tests" / "guests" / "rtcirq.asm"
    names = re.findall(r"T_(?:EQ|CHECK) [^']*'([a-z0-9-]+)'", src.read_text())
    assert len(names) >= 5, names
    for name in names:
        r.expect(r"^rtcirq: PASS %s$" % re.escape(name))
    r.refute(r"^rtcirq: FAIL")
    r.expect(r"^guest rtcirq: rtcirq/vcpu0 shut down with status 0$")
    assert r.exited
