"""tests/system/test_smp_guest.py - issue 13's "done when", in Bochs on two
host CPUs: the Multiboot test kernel tests/guests/smp.c as a guest of 2 and
of 4 VCPUs (dts tests/system/dts/smp-guest2.dts, smp-guest4.dts:
GUEST_APIC) finds its CPUs through the ACPI MADT, starts them with
INIT-SIPI-SIPI, exchanges IPIs between VCPUs on different host CPUs, takes
LAPIC-timer interrupts on every CPU and the PIT's IRQ0 through the IO-APIC,
and powers itself off through ACPI S5 - next to counter
(tests/guests/counter.asm), which keeps printing.

The same kernel runs natively under QEMU in test_guests_native.py, so a
failure here is the hypervisor's.
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"


@pytest.mark.parametrize("cpus", [2, 4])
def test_smp_guest_done_when(make_dtb, make_iso, boot_bochs, guest_bin, cpus):
    """smp.elf with N VCPUs: every check passes, every AP started by the
    guest's SIPI, 0 failures, then ACPI S5 ends that guest only; counter
    prints on after it."""
    dtb = make_dtb(DTS_DIR / ("smp-guest%d.dts" % cpus))
    elf = guest_bin("tick").parent / "smp.elf"
    iso = make_iso('bootcmd="guest kick all; guest wait smp; sleep 2000; vcpu list; '
                   'vcpu stats smp/vcpu1; poweroff"', [dtb, elf, guest_bin("counter")])
    r = boot_bochs(iso, timeout=400, cpus=2)
    for i in range(1, cpus):
        r.expect(r"^guest smp: vcpu%d: SIPI vector 0x[0-9a-f]{2}: starting at 0x[0-9a-f]+$" % i)
    r.expect(r"^smp: SUMMARY smp: 0 failures$",
             r"^guest smp: ACPI S5: powered off$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |^smp: FAIL |^guest counter counter/vcpu0 halted|"
             r"VMWRITE|VMREAD|SIPI .* lost")
    for name in ["smp-acpi-rsdp", "smp-acpi-checksums", "smp-acpi-pmtimer", "smp-madt-count",
                 "smp-madt-ioapic", "smp-ipi-fixed", "smp-ipi-targets", "smp-ipi-all-but-self",
                 "smp-timer-cpu0", "smp-ioapic-irq0-to-ap", "smp-no-strays"] + \
            ["smp-start-ap%d" % i for i in range(1, cpus)] + ["smp-timer-cpu%d" % i for i in range(1, cpus)]:
        assert re.search(r"^smp: PASS %s$" % re.escape(name), r.output, re.M), \
            "smp: PASS %s missing\n%s" % (name, r)
    r.expect(r"^smp: smp: %d CPUs online$" % cpus)
    off = r.output.index("guest smp: ACPI S5: powered off")
    assert re.search(r"^counter: tick \d+$", r.output[off:], re.M), \
        "counter did not print after smp powered off\n%s" % r


# the register-level kernels of the guest library, 2 VCPUs each: every
# check passes under the hypervisor ("strict" adds the LAPIC checks QEMU
# 7.2 fails: the illegal-vector error and LVT masking while disabled)
@pytest.mark.parametrize("name", ["lapic", "ioapic"])
def test_apic_kernel(make_dtb, make_iso, boot_bochs, guest_bin, name):
    """lapic.elf strict / ioapic.elf with 2 VCPUs: 0 failures, ended through
    isa-debug-exit with status 1; counter prints on."""
    dtb = make_dtb(DTS_DIR / ("apic-%s.dts" % name))
    elf = guest_bin("tick").parent / ("%s.elf" % name)
    iso = make_iso('bootcmd="guest kick all; guest wait %s; sleep 2000; poweroff"' % name,
                   [dtb, elf, guest_bin("counter")])
    r = boot_bochs(iso, timeout=400, cpus=2)
    r.expect(r"^%s: SUMMARY %s: 0 failures$" % (name, name),
             r"^guest %s: isa-debug-exit: status 1$" % name,
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |^%s: FAIL |^guest counter counter/vcpu0 halted|"
             r"VMWRITE|VMREAD" % name)
    passes = len(re.findall(r"^%s: PASS " % name, r.output, re.M))
    assert passes >= {"lapic": 28, "ioapic": 18}[name], "only %d PASS lines\n%s" % (passes, r)
    off = r.output.index("isa-debug-exit: status 1")
    assert re.search(r"^counter: tick \d+$", r.output[off:], re.M), "counter stopped\n%s" % r
