"""tests/system/test_acpi_iasl.py - the guest ACPI tables of
kernel/acpi_tables.c checked by ACPICA's own disassembler (iasl, Debian
acpica-tools), on the host: no emulator, no kernel build.

tests/tools/acpi_dump.c (built here with the host gcc) writes each table of
the PC defaults for 1, 2 and 4 VCPUs to a file; `iasl -d` must decode every
one (RSDT, XSDT, FACP, APIC, FACS, DSDT) with no error, warning or
"Incorrect checksum", and show the fields the generator was given. The
DSDT's disassembly is compiled back with iasl and must give the same AML
body as the hand-written bytes. A table with a broken checksum must be
flagged (the check itself can fail). iasl 20200925 does not decode a raw
RSDP file, so the RSDP is covered by tests/unit/test_acpi_tables.c only.
Skipped when iasl or gcc is missing.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TABLES = ["rsdt", "xsdt", "facp", "apic", "facs", "dsdt"]

pytestmark = pytest.mark.skipif(not shutil.which("iasl") or not shutil.which("gcc"),
                                reason="needs iasl (acpica-tools) and gcc")


@pytest.fixture(scope="module")
def acpi_dump(tmp_path_factory):
    """Path of the host acpi_dump program, built once."""
    exe = tmp_path_factory.mktemp("acpi_tool") / "acpi_dump"
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I", str(REPO),
                    "-o", str(exe), str(REPO / "tests/tools/acpi_dump.c"),
                    str(REPO / "kernel/acpi_tables.c")], check=True)
    return exe


def disassemble(dat):
    """Run iasl -d on one table file; return (exit status, console output, .dsl text)."""
    dsl = dat.with_suffix(".dsl")
    if dsl.exists():
        dsl.unlink()
    r = subprocess.run(["iasl", "-d", dat.name], cwd=dat.parent, capture_output=True,
                       text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr, dsl.read_text() if dsl.exists() else ""


def problems(rc, out, dsl):
    """What iasl complained about (empty when the table is clean)."""
    found = [] if rc == 0 else ["exit status %d" % rc]
    if not dsl:
        found.append("no .dsl written")
    for text in (out, dsl):
        for line in text.splitlines():
            low = line.lower()
            if "error" in low or "warning" in low or "incorrect" in low or "invalid" in low:
                found.append(line.strip())
    return found


@pytest.mark.parametrize("nr_cpus", [1, 2, 4])
def test_iasl_decodes_every_table(acpi_dump, tmp_path, nr_cpus):
    subprocess.run([str(acpi_dump), str(tmp_path), str(nr_cpus)], check=True)
    dsl = {}
    for t in TABLES:
        rc, out, text = disassemble(tmp_path / (t + ".dat"))
        assert not problems(rc, out, text), (t, problems(rc, out, text), out)
        dsl[t] = text
    facp, apic = dsl["facp"], dsl["apic"]
    assert "Revision : 06" in facp
    assert "SCI Interrupt : 0009" in facp
    assert "PM1A Event Block Address : 00000600" in facp
    assert "PM1A Control Block Address : 00000604" in facp
    assert "PM Timer Block Address : 00000608" in facp
    assert "PM Timer Block Length : 04" in facp
    assert "Reset Register Supported (V2) : 1" in facp
    assert "Address : 0000000000000CF9" in facp
    assert "Value to cause reset : 06" in facp
    assert "Local Apic Address : FEE00000" in apic
    assert apic.count("[Processor Local APIC]") == nr_cpus
    assert apic.count("[I/O APIC]") == 1
    assert apic.count("[Interrupt Source Override]") == 2
    assert apic.count("[Local APIC NMI]") == 1
    assert "Interrupt Input LINT : 01" in apic
    assert "Name (_S5, Package (0x04)" in dsl["dsdt"]


def test_dsdt_recompiles_to_the_same_aml(acpi_dump, tmp_path):
    subprocess.run([str(acpi_dump), str(tmp_path), "2"], check=True)
    rc, out, text = disassemble(tmp_path / "dsdt.dat")
    assert not problems(rc, out, text), out
    (tmp_path / "again.dsl").write_text(text)
    r = subprocess.run(["iasl", "-p", "again", "again.dsl"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    ours = (tmp_path / "dsdt.dat").read_bytes()
    theirs = (tmp_path / "again.aml").read_bytes()
    assert len(theirs) == len(ours)
    assert theirs[36:] == ours[36:]       # the AML after the header


def test_broken_checksum_is_flagged(acpi_dump, tmp_path):
    subprocess.run([str(acpi_dump), str(tmp_path), "1"], check=True)
    dat = tmp_path / "apic.dat"
    b = bytearray(dat.read_bytes())
    b[9] ^= 0x5A
    dat.write_bytes(bytes(b))
    assert any("checksum" in p.lower() for p in problems(*disassemble(dat)))
