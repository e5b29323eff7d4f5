"""tests/system/test_tsc_calibration.py - the TSC rate without the ACPI PM
timer (issue 15, item 3: hardware-reduced ACPI has none): QEMU with ACPI
off and a CPU model without CPUID leaf 0x15 - the hypervisor measures the
TSC on the 8254's channel 2 and says so, its clock keeps time against the
host (a `sleep` of 2 s takes about 2 s of wall time under QEMU TCG, whose
virtual clock follows the host's), and it powers off cleanly. With the PM
timer (the default machine) the source stays the PM timer.
"""
import re
import time


def test_tsc_measured_on_the_pit_without_acpi(elf, boot_qemu):
    t0 = time.monotonic()
    r = boot_qemu(kernel=elf, append='bootcmd="echo S; sleep 2000; echo E; poweroff"',
                  extra=["-machine", "pc,acpi=off", "-cpu", "qemu64"], timeout=60)
    r.expect(r"^acpi: no RSDP found$")
    m = r.expect(r"^timer: TSC (\d+)\.\d{3} MHz \(measured on the PIT\), APIC timer")[0]
    assert 50 <= int(m.group(1)) <= 20000, m.group(0)
    r.expect(r"^S$", r"^E$", r"^powering off$")
    r.refute(r"assuming 1 GHz|PANIC|EXCEPTION")
    assert time.monotonic() - t0 >= 2.0


def test_tsc_measured_on_the_pm_timer_by_default(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append='bootcmd="poweroff"', timeout=30)
    r.expect(r"^timer: TSC \d+\.\d{3} MHz \(measured on the ACPI PM timer\)", r"^powering off$")
