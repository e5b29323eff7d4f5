"""tests/system/test_acpi_guest.py - a guest's ACPI tables (kernel/
acpi_guest.c, built by kernel/acpi_tables.c into the ROM at 0xE0000 that
pc-guest.dtsi's GUEST_APIC adds) in Bochs, next to a guest that keeps
running.

acpitab (tests/guests/acpitab.c, a Multiboot kernel, 2 VCPUs) finds the
RSDP by the legacy scan, checks every checksum, walks the RSDT and XSDT,
finds 2 local APICs and the IO-APIC in the MADT, checks that the FADT's PM
timer counts and powers itself off with S5 (SLP_TYP from the DSDT's \\_S5)
through PM1a_CNT. A cold `guest reset` rebuilds the tables (the reset
blanks the ROM) and it passes again. tick (tests/guests/tick.asm) keeps
running; acpibad (tables, no IO-APIC) is refused with the reason.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
BOOTCMD = "guest kick all; sleep 600; guest reset acpitab; sleep 600; poweroff"
CHECKS = ["acpi-multiboot", "acpi-mmap-reserved", "acpi-rsdp-found", "acpi-rsdp", "acpi-madt-header",
          "acpi-madt-ioapic", "acpi-madt-lapics", "acpi-madt-ioapic-count", "acpi-madt-overrides",
          "acpi-madt-nmi", "acpi-rsdt", "acpi-xsdt", "acpi-fadt-pointers", "acpi-facs", "acpi-dsdt-s5",
          "acpi-fadt-pm", "acpi-fadt-reset", "acpi-sci-en", "acpi-pm-timer"]


def test_acpi_tables_walked_and_s5(make_dtb, make_iso, boot_bochs, guest_bin):
    """Every check passes at boot and again after a cold reset; the guest
    ends twice through ACPI S5; tick ticks on after both; acpibad is
    refused with the reason and never runs."""
    dtb = make_dtb(DTS_DIR / "acpi-tables.dts")
    elf = guest_bin("tick").parent / "acpitab.elf"
    assert elf.is_file(), "build/guests/acpitab.elf missing (make all)"
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, elf, guest_bin("tick")])
    r = boot_bochs(iso, timeout=180)
    r.expect(r"config: module acpi-tables\.dtb DTB, 0 problems in the tree",
             r"^guest acpitab: ACPI tables in acpi_rom, RSDP at 0xe0000 \(\d+ bytes\): 2 CPUs, "
             r"IO-APIC at 0xfec00000, PM1 at port 0x600, reset port 0xcf9$",
             r"^acpitab: MADT: CPU uid 0 APIC id 0 flags 0x1$",
             r"^acpitab: MADT: CPU uid 1 APIC id 1 flags 0x1$",
             r"^acpitab: MADT: IO-APIC id 2 at 0xfec00000 GSI base 0$",
             r"^acpitab: 0 failures; S5 through PM1a_CNT 0x604, SLP_TYP 5$",
             r"^powering off$")
    r.expect(r"^guest acpibad: ACPI tables refused: no \"x86,ioapic\" memory region: "
             r"the MADT describes an IO-APIC$")
    r.refute(r"PANIC|EXCEPTION|rejected: |^acpitab: FAIL |^guest tick tick/vcpu0 halted|^acpibad: ")
    for name in CHECKS:
        n = len(re.findall(r"^acpitab: PASS %s$" % re.escape(name), r.output, re.M))
        assert n == 2, "acpitab: PASS %s seen %d times (want 2: boot and reset)\n%s" % (name, n, r)
    offs = [m.start() for m in re.finditer(r"^guest acpitab: ACPI S5: powered off$", r.output, re.M)]
    assert len(offs) == 2, "acpitab did not power off twice through S5\n%s" % r
    reset = r.output.index("bootcmd> guest reset acpitab")
    assert offs[0] < reset < offs[1], r
    tables = [m.start() for m in re.finditer(r"^guest acpitab: ACPI tables in acpi_rom", r.output, re.M)]
    assert len(tables) == 2 and tables[0] < reset < tables[1], "tables not rebuilt by the reset\n%s" % r
    later = [int(n, 16) for n in re.findall(r"^tick: tick 0x([0-9A-F]+) ", r.output[offs[1]:], re.M)]
    assert len(later) >= 2, "tick did not keep running after acpitab powered off\n%s" % r
