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


def test_emulator_needs_matching_device_type(make_iso, boot_bochs, make_dtb, guest_bin):
    """Emulators are matched by compatible and device_type: a region that
    names the i8254 but calls itself "serial" gets no emulator, said with
    the guest and region; the guest still runs."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-devtype.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"', [dtb, guest_bin("hello")])
    r = boot_bochs(iso, timeout=90)
    r.expect(r'^guest hello: region pit: device_type "serial" does not match the "i8254" '
             r'emulator \(a timer\); no emulator attached$')
    r.refute(r'region port61: device_type')
    r.expect(r"^hello: PASS hello$")
    assert r.exited
