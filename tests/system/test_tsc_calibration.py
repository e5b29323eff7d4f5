"""tests/system/test_tsc_calibration.py - the TSC's calibration sources
(issue 15, item 3: hardware-reduced ACPI has no PM timer). QEMU TCG only:
its TSC follows the host's, and its PM timer, HPET and PIT follow the
host's clock, so every measured source must give the same rate and a
`sleep` of 2 s must take about 2 s of wall time.

- without ACPI (no PM timer, no HPET table) and with a CPU model without
  CPUID leaf 0x15, the TSC is measured on the 8254's channel 2; with the
  default machine it is measured on the PM timer;
- tsc_calibrate=pmtimer|hpet|pit forces each measured source; the boot line
  names it and the terminal's `sleep 2000` takes 2 s (the calibration is
  right to a few percent: 5 % off would be 0.1 s);
- a guest given the HPET's page is refused (host-owned), and accepted
  without an HPET;
- the three sources agree within 1 % in the same QEMU configuration
  (measured 0.05 % apart over 24 boots, each the least of five 10 ms
  windows; single 20 ms windows were up to 20 % high on a loaded host);
- a forced source that is absent is reported with the fallback used: the
  HPET with `-machine pc,hpet=off` (no ACPI HPET table), with ACPI off
  (falls to the PIT), CPUID (QEMU TCG gives no leaf 0x15/0x16, even with
  level=0x16 - the CPUID path can only be reached in Bochs);
- an unknown value is reported and the usual order is used.
"""
import re
import time

import pytest

from conftest import REPO, boot_qemu_terminal

PROMPT = "xvisor# "
LABELS = {
    "pmtimer": "measured on the ACPI PM timer",
    "hpet": "measured on the HPET",
    "pit": "measured on the PIT",
}
BOOT_LINE = r"^timer: TSC (\d+\.\d{3}) MHz \((%s)\), APIC timer"


def boot_mhz(boot_qemu, elf, append, extra=(), label=".*?"):
    """Boot to power-off; the calibrated TSC rate (MHz), the source's label
    and the run."""
    r = boot_qemu(kernel=elf, append=append + ' bootcmd="poweroff"', extra=list(extra),
                  timeout=30)
    m = r.expect(BOOT_LINE % label, r"^powering off$")[0]
    r.refute(r"assuming 1 GHz|PANIC|EXCEPTION|cmdline: unknown option")
    return float(m.group(1)), m.group(2), r


def test_tsc_measured_on_the_pit_without_acpi(elf, boot_qemu):
    t0 = time.monotonic()
    r = boot_qemu(kernel=elf, append='bootcmd="echo S; sleep 2000; echo E; poweroff"',
                  extra=["-machine", "pc,acpi=off", "-cpu", "qemu64"], timeout=60)
    r.expect(r"^acpi: no RSDP found$")
    m = r.expect(r"^timer: TSC (\d+)\.\d{3} MHz \(measured on the PIT\), APIC timer")[0]
    assert 50 <= int(m.group(1)) <= 20000, m.group(0)
    r.expect(r"^S$", r"^E$", r"^powering off$")
    r.refute(r"assuming 1 GHz|PANIC|EXCEPTION|^hpet:")
    assert time.monotonic() - t0 >= 2.0


def test_tsc_measured_on_the_pm_timer_by_default(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append='bootcmd="poweroff"', timeout=30)
    r.expect(r"^hpet: 0xfed00000, 64-bit main counter at 100\.000 MHz \(period 10000000 fs\), "
             r"3 timers, counter stopped \(started only to calibrate the TSC\)$",
             r"^timer: TSC \d+\.\d{3} MHz \(measured on the ACPI PM timer\)", r"^powering off$")
    r.refute(r"^tsc: ")


@pytest.mark.parametrize("source", ["pmtimer", "hpet", "pit"])
def test_forced_source_keeps_time(elf, source):
    """The forced source calibrates, and `sleep 2000` at the terminal takes
    2 s of wall time: at least 1.95 s, at most 2.5 s on this shared machine
    (test_sources_agree checks the rate closer)."""
    t = boot_qemu_terminal(elf, append="tsc_calibrate=%s" % source)
    try:
        m = t.expect(BOOT_LINE % re.escape(LABELS[source]), timeout=60)
        mhz = float(m.group(1))
        assert 50 <= mhz <= 20000, m.group(0)
        t.expect(r"^" + re.escape(PROMPT), timeout=60)
        assert "tsc: " not in t.text(), t.text()
        assert "cmdline: unknown option" not in t.text(), t.text()
        t0 = time.monotonic()
        t.command("sleep 2000", timeout=15)
        dt = time.monotonic() - t0
        print("tsc_calibrate=%s: TSC %.3f MHz, sleep 2000 took %.3f s" % (source, mhz, dt))
        assert 1.95 <= dt <= 2.5, "sleep 2000 took %.3f s with the TSC at %.3f MHz (%s)" % (
            dt, mhz, source)
    finally:
        t.close()


def test_sources_agree(elf, boot_qemu):
    """PM timer, HPET and PIT give the same TSC rate within 1 % (QEMU TCG:
    the TSC and the three clocks all follow the host)."""
    got = {}
    for source, label in LABELS.items():
        mhz, _, _ = boot_mhz(boot_qemu, elf, "tsc_calibrate=" + source, label=re.escape(label))
        got[source] = mhz
    print("TSC MHz per source: %s" % got)
    lo, hi = min(got.values()), max(got.values())
    assert hi <= lo * 1.01, "sources disagree by more than 1 %%: %s" % got


def test_forced_hpet_without_hpet_falls_back(elf, boot_qemu):
    _, _, r = boot_mhz(boot_qemu, elf, "tsc_calibrate=hpet", extra=["-machine", "pc,hpet=off"],
                       label=re.escape(LABELS["pmtimer"]))
    r.expect(r"^tsc: tsc_calibrate=hpet: no HPET \(no ACPI HPET table\); "
             r"using the ACPI PM timer$")
    r.refute(r"^hpet:")


def test_forced_hpet_without_acpi_falls_back_to_the_pit(elf, boot_qemu):
    _, _, r = boot_mhz(boot_qemu, elf, "tsc_calibrate=hpet",
                       extra=["-machine", "pc,acpi=off", "-cpu", "qemu64"],
                       label=re.escape(LABELS["pit"]))
    r.expect(r"^tsc: tsc_calibrate=hpet: no HPET \(no ACPI HPET table\); using the PIT$")


def test_forced_pmtimer_without_acpi_falls_back(elf, boot_qemu):
    _, _, r = boot_mhz(boot_qemu, elf, "tsc_calibrate=pmtimer",
                       extra=["-machine", "pc,acpi=off", "-cpu", "qemu64"],
                       label=re.escape(LABELS["pit"]))
    r.expect(r"^tsc: tsc_calibrate=pmtimer: no ACPI PM timer \(none in the FADT\); "
             r"using the PIT$")


def test_forced_cpuid_absent_in_qemu_is_reported(elf, boot_qemu):
    _, _, r = boot_mhz(boot_qemu, elf, "tsc_calibrate=cpuid", extra=["-cpu", "qemu64"],
                       label=re.escape(LABELS["pmtimer"]))
    r.expect(r"^tsc: tsc_calibrate=cpuid: CPUID names neither the crystal \(leaf 0x15\) "
             r"nor a base frequency \(leaf 0x16\); using the ACPI PM timer$")


def test_unknown_value_is_reported(elf, boot_qemu):
    _, _, r = boot_mhz(boot_qemu, elf, "tsc_calibrate=tsc", label=re.escape(LABELS["pmtimer"]))
    r.expect(r"^tsc: tsc_calibrate=tsc is not pmtimer, cpuid, hpet or pit; "
             r"trying them in the usual order$")


def test_hpet_page_is_host_owned(elf, boot_qemu, make_dtb):
    """A guest given the HPET's page is refused (the hypervisor calibrates
    on it); without an HPET the same guest is accepted."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "hpet-owned.dts")
    r = boot_qemu(kernel=elf, append='bootcmd="poweroff"', initrd=[dtb], timeout=30)
    r.expect(r"^config: guest 'hpetgrab' rejected, 1 problem:$",
             r"^config:   /guests/hpetgrab/aspace/hpet: host range 0xfed00000-0xfed00fff "
             r"overlaps the hypervisor's own HPET window \(clock calibration\) "
             r"\(0xfed00000-0xfed00fff\), no guest may have it$",
             r"^config: 0 guests accepted, 1 rejected", r"^powering off$")
    r = boot_qemu(kernel=elf, append='bootcmd="poweroff"', initrd=[dtb],
                  extra=["-machine", "pc,hpet=off"], timeout=30)
    r.expect(r"^config: 1 guest accepted, 0 rejected", r"^powering off$")
    r.refute(r"HPET window")


def bochs_mhz(make_iso, boot_bochs, option, label):
    r = boot_bochs(make_iso(option + ' bootcmd="poweroff"'), timeout=120)
    m = r.expect(BOOT_LINE % label, r"^powering off$")[0]
    r.refute(r"^tsc: |assuming 1 GHz|PANIC|EXCEPTION")
    print(m.group(0))
    return float(m.group(1)), r


def test_forced_sources_in_bochs(make_iso, boot_bochs):
    """Bochs has an HPET too (its page at 0xfed00000, 100 MHz) and reaches
    the CPUID path, which QEMU TCG cannot: its CPU model has no leaf 0x15
    and names 3500 MHz in 0x16, while its TSC runs at the 50 MHz of its IPS
    setting, which the PM timer, HPET and PIT all measure."""
    mhz, _ = bochs_mhz(make_iso, boot_bochs, "tsc_calibrate=cpuid",
                       re.escape("CPUID 0x16 base frequency"))
    assert mhz == 3500.0
    got = {}
    for source, label in LABELS.items():
        got[source], r = bochs_mhz(make_iso, boot_bochs, "tsc_calibrate=" + source,
                                   re.escape(label))
        if source == "hpet":
            r.expect(r"^hpet: 0xfed00000, 64-bit main counter at 100\.000 MHz")
    print("Bochs TSC MHz per source: %s" % got)
    lo, hi = min(got.values()), max(got.values())
    assert hi <= lo * 1.01, "sources disagree by more than 1 %%: %s" % got
