"""tests/system/test_lapic.py - the local APIC of each VCPU (devemu/lapic.c)
and the start of application processors through it, in Bochs on two host
CPUs, next to a guest that keeps running.

apicsmoke (tests/guests/apicsmoke.c, dts tests/system/dts/lapic-smoke.dts:
GUEST_APIC, two VCPUs) checks CPUID and IA32_APIC_BASE, the xAPIC
registers as firmware leaves them, periodic timer interrupts, a self-IPI,
INIT-SIPI-SIPI of vcpu1 to a real-mode trampoline, and x2APIC mode
(ID, LDR, SELF IPI through MSRs); it ends through isa-debug-exit.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
SMOKE_CHECKS = ["apic-selectors", "apic-cpuid-apic", "apic-cpuid-x2apic", "apic-cpuid-id", "apic-base-msr", "apic-id",
                "apic-version", "apic-lint0-virtual-wire", "apic-timer-periodic", "apic-self-ipi",
                "apic-init-sipi", "x2apic-id", "x2apic-ldr", "x2apic-self-ipi"]


def test_lapic_smoke(make_dtb, make_iso, boot_bochs, guest_bin):
    """Every apicsmoke check passes, vcpu1 is started by the guest's SIPI,
    the guest ends with status 1 (no failure), tick keeps running."""
    dtb = make_dtb(DTS_DIR / "lapic-smoke.dts")
    elf = guest_bin("tick").parent / "apicsmoke.elf"
    iso = make_iso('bootcmd="guest kick all; sleep 800; vcpu list; vcpu stats apicsmoke/vcpu0; poweroff"', [dtb, elf, guest_bin("tick")])
    r = boot_bochs(iso, timeout=180, cpus=2)
    r.expect(r"^guest apicsmoke: vcpu1: SIPI vector 0x08: starting at 0x8000$",
             r"^guest apicsmoke: isa-debug-exit: status 1$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |^apicsmoke: FAIL |^guest tick tick/vcpu0 halted|VMWRITE|VMREAD")
    # the xAPIC page is the APIC-access page: its accesses are APIC-access exits
    assert re.search(r"^  44   APIC access +\d+ ", r.output, re.M), "no APIC-access exits\n%s" % r
    m = re.search(r"^apicsmoke/vcpu0: local APIC: ID 0, x2APIC, enabled; (\d+) IPIs sent, (\d+) fixed "
                  r"interrupts accepted, (\d+) timer interrupts", r.output, re.M)
    assert m and int(m.group(1)) >= 5 and int(m.group(2)) >= 2 and int(m.group(3)) >= 10, \
        "vcpu stats: local APIC line missing or counts wrong\n%s" % r
    assert re.search(r"^apicsmoke/vcpu0: interrupts: \d+ requests, \d+ injected", r.output, re.M), r
    for name in SMOKE_CHECKS:
        assert re.search(r"^apicsmoke: PASS %s$" % re.escape(name), r.output, re.M), \
            "apicsmoke: PASS %s missing\n%s" % (name, r)
    pos = r.output.index("isa-debug-exit: status 1")
    assert len(re.findall(r"^tick: tick ", r.output[pos:], re.M)) >= 2, "tick stopped\n%s" % r
