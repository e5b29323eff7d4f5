"""tests/system/test_guests_native.py - the C test kernels of issue 13
(tests/guests/smp.c, lapic.c, ioapic.c and their library tests/guests/lib/)
run natively under QEMU TCG, without the hypervisor: QEMU's Multiboot
loader (-kernel), SeaBIOS' ACPI tables, QEMU's LAPIC and IO-APIC, 2 and 4
CPUs, an isa-debug-exit device at port 0xF4 as in the hypervisor. This keeps
the kernels themselves correct, so that a failure under the hypervisor is
the hypervisor's.

Each kernel prints PASS/FAIL lines and "SUMMARY name: N failures", then
ends through isa-debug-exit with N (QEMU's status (N << 1) | 1), or with
"poweroff" on its command line powers off through ACPI S5 (QEMU's status
0), or with "reset" resets through the FADT's reset register (q35 has one;
-no-reboot turns the reset into QEMU's exit with status 0).
"""
import re

import pytest

from conftest import GUESTS

DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
# fewest PASS lines per kernel on a 2-CPU machine (more with more CPUs)
MIN_PASSES = {"smp": 17, "lapic": 28, "ioapic": 18}


def boot(boot_qemu, name, cpus, append="", machine=None):
    extra = ["-smp", str(cpus)] + DEBUG_EXIT
    if machine:
        extra += ["-machine", machine]
    r = boot_qemu(kernel=GUESTS / ("%s.elf" % name), append=append, extra=extra, timeout=60)
    assert r.exited, "the kernel did not end by itself\n%s" % r
    return r


def check_clean(r, name):
    r.expect(r"^SUMMARY %s: 0 failures$" % name)
    r.refute(r"^FAIL ")
    passes = len(re.findall(r"^PASS ", r.output, re.M))
    assert passes >= MIN_PASSES[name], "only %d PASS lines\n%s" % (passes, r)


@pytest.mark.parametrize("cpus", [2, 4])
@pytest.mark.parametrize("name", ["smp", "lapic", "ioapic"])
def test_kernel_passes(boot_qemu, name, cpus):
    """Every check passes and the kernel reports 0 failures through
    isa-debug-exit (status 1)."""
    r = boot(boot_qemu, name, cpus, append="cpus=%d" % cpus)
    check_clean(r, name)
    assert r.returncode == 1, "isa-debug-exit status %s, want 1\n%s" % (r.returncode, r)
    if name == "smp":
        r.expect(r"^smp: %d CPUs online$" % cpus)
        for i in range(1, cpus):
            r.expect(r"^PASS smp-start-ap%d$" % i)
            r.expect(r"^PASS smp-timer-cpu%d$" % i)


@pytest.mark.parametrize("cpus", [2, 4])
def test_smp_powers_off_through_s5(boot_qemu, cpus):
    """The issue's "done when" kernel, ending with the ACPI S5 power-off:
    QEMU powers off (status 0) right after the PM1a_CNT write."""
    r = boot(boot_qemu, "smp", cpus, append="cpus=%d poweroff" % cpus)
    check_clean(r, "smp")
    r.expect(r"^SUMMARY smp: 0 failures$", r"^acpi: S5 power-off: PM1a_CNT 0x[0-9a-f]+ <- ")
    assert r.returncode == 0, "status %s: not an ACPI power-off\n%s" % (r.returncode, r)


def test_smp_on_q35_and_reset_register(boot_qemu):
    """On q35 (ICH9: another PM block, IO-APIC version 0x20, a FADT with a
    reset register) the kernel passes too and the reset register resets
    the machine (QEMU with -no-reboot exits, status 0)."""
    r = boot(boot_qemu, "smp", 2, append="cpus=2 reset", machine="q35")
    check_clean(r, "smp")
    r.expect(r"^acpi: reset: space 1 address 0xcf9 <- 0x[0-9a-f]+$")
    r.refute(r"FAIL acpi-reset")
    assert r.returncode == 0, "status %s: no reset\n%s" % (r.returncode, r)


def test_lapic_strict_checks_fail_on_qemu(boot_qemu):
    """The checks the word "strict" adds are real checks: QEMU 7.2 TCG does
    not implement them, and the kernel says so with FAIL lines and a
    non-zero count."""
    r = boot(boot_qemu, "lapic", 2, append="strict")
    r.expect(r"^FAIL lapic-svr-disabled-masks: ", r"^FAIL lapic-esr-illegal-vector: ",
             r"^SUMMARY lapic: 2 failures$")
    assert r.returncode == (2 << 1) | 1
