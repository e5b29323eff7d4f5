"""tests/system/test_strict.py - unassigned ports: all-ones and a report
for a guest by default, a halt with the port and RIP for a strict guest
(unassigned_io = "halt"), while the other guest goes on."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_unassigned_port_strict_and_lenient(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-strict.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"', [dtb, guest_bin("strict")])
    r = boot_bochs(iso, timeout=90)
    r.expect(r"^guest strict: read of unassigned port 0x5a0: the guest is strict",
             r"^guest strict strict/vcpu0 halted: IN from port 0x5a0 at RIP 0x[0-9a-f]+: "
             r"unassigned, and the guest is strict \(unassigned_io = \"halt\"\)$")
    r.refute(r"^strict: strict: read all-ones")
    r.expect(r"^guest lenient: read of unassigned port 0x5a0 \(reads all-ones, writes ignored; reported once\)$")
    r.expect(r"^lenient: strict: read all-ones, not halted$",
             r"^guest lenient: lenient/vcpu0 shut down with status 0$")
    assert r.exited
