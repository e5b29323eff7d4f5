"""tests/system/test_exits_hostile.py - the exit handlers against hostile
guests (issue 10), in Bochs: one boot of tests/system/dts/vmx-hostile.dts
with seven guests next to each other, then a command after them.

exitconf (tests/guests/exitconf.asm) must go on, corrected: WRMSR values
real CPUs refuse get #GP (they used to reach the hardware: a host #GP, or a
failed VM entry for EFER.LME with paging on), RDPMC gets #GP(0) rather than
#UD, injected faults push RF, unassigned memory reads all-ones, and its
port scan and unknown-MSR spray are reported one by one only up to a
bound, then counted. taskswitch, idtmmio, straddle, insmmio and ptmmio
must be halted with a message saying what they did; hello must run to its PASS;
and the hypervisor must answer `guest list` after all of them.
"""
import re

import pytest

from test_vmx import DTS_DIR, check_guest, halted, line, shut_down

GUESTS = ["exitconf", "taskswitch", "idtmmio", "straddle", "insmmio", "ptmmio", "hello"]
BOOTCMD = "guest kick all; guest wait; guest list; vcpu stats exitconf/vcpu0; poweroff"


@pytest.fixture(scope="module")
def run(make_dtb, make_iso, boot_bochs, guest_bin):
    dtb = make_dtb(DTS_DIR / "vmx-hostile.dts")
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb] + [guest_bin(g) for g in GUESTS])
    r = boot_bochs(iso, timeout=180)
    r.expect(r"config: module vmx-hostile\.dtb DTB, 0 problems in the tree",
             r"^bootcmd> +guest wait$", r"^bootcmd> +guest list$", r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |VM entry failed")
    return r


def test_hypervisor_answers_after_the_hostile_guests(run):
    """`guest list` after every guest ended lists all seven, and hello (the
    benign guest) ran to its PASS and a clean shutdown."""
    m = run.expect(r"^bootcmd> +guest list$")[0]
    for g in GUESTS:
        assert run.search(r"\b%s\b" % g, m.end()), "guest list lacks %s\n%s" % (g, run)
    run.expect(line("hello", "PASS hello"), shut_down("hello", 0))
    run.refute(halted("hello", ""))


def test_exitconf_corrected_not_halted(run):
    """Every check of exitconf.asm passed: #GP for TSC_AUX/SFMASK high bits,
    an invalid MTRR default type, EFER reserved bits and EFER.LME changed
    with paging on; RDPMC #GP(0); RF in the frames of injected #GP and #UD;
    unassigned memory all-ones, writes dropped."""
    check_guest(run, "exitconf")


def test_unassigned_memory_reported_once_with_count(run):
    """Reads of unassigned memory below 4 GiB come from the open-bus page
    without an exit (by MOV, CMP or LODS alike); the first write, which
    exits, is reported, the other only counted; the count comes at the
    guest's shutdown."""
    passes = ["exitconf-unassigned-read-dword-all-ones", "exitconf-unassigned-write-dropped",
              "exitconf-unassigned-read-word-all-ones", "exitconf-unassigned-read-byte-all-ones",
              "exitconf-unassigned-cmp-all-ones", "exitconf-unassigned-lods-all-ones"]
    for p in passes:
        run.expect(r"^exitconf: PASS %s$" % p)
    run.expect(r"^guest exitconf: write of unassigned memory at GPA 0xa0000 \(reads all-ones, "
               r"writes ignored; reported once, the count at guest halt\)$",
               r"^guest exitconf: 2 accesses to unassigned memory in all",
               shut_down("exitconf", 0))
    run.expect(r"^guest exitconf: EPT .* unassigned memory below 4 GiB reads the open bus")
    assert len(re.findall(r"^guest exitconf: \w+ of unassigned memory", run.output, re.M)) == 1


def test_port_scan_rate_limited(run):
    """100 unassigned ports: 16 reported one by one, the other 84 in a
    count (at the latest at shutdown), not 100 lines."""
    ports = re.findall(r"^guest exitconf: read of unassigned port 0x([0-9a-f]+) ", run.output, re.M)
    assert ports == ["%x" % p for p in range(0x1000, 0x1010)], ports
    counts = re.findall(r"^guest exitconf: (\d+) more unassigned ports accessed \((\d+) in all after "
                        r"the first 16;", run.output, re.M)
    assert counts and sum(int(n) for n, _ in counts) == 84 and counts[-1][1] == "84", counts


def test_unknown_msr_spray_bounded(run):
    """40 unknown MSRs (plus one more in the RF check): the first 16 reported
    once each, the rest counted, each count line every 16 more."""
    msrs = re.findall(r"^guest exitconf: exitconf/vcpu0 RDMSR of unknown MSR 0x(\w+): #GP injected",
                      run.output, re.M)
    assert msrs == ["%x" % m for m in range(0x40001000, 0x40001010)], msrs
    run.expect(r"^guest exitconf: exitconf/vcpu0: 16 more accesses of unknown MSRs beyond the first 16 ",
               r"^  unknown MSRs \(#GP\): 16 reported one by one, 24 later accesses only counted$")


def test_task_switch_halts_with_reason(run):
    """JMP to a TSS: halted as a hardware task switch, with the selector and
    the source, not as "unhandled VM exit 9"."""
    rip = int(run.expect(line("taskswitch", r"task switch at RIP 0x([0-9A-F]{8})"))[0].group(1), 16)
    run.expect(halted("taskswitch", r"hardware task switch to TSS selector 0x50 by JMP to a TSS or "
                      r"task gate at RIP 0x%x: task switching is not emulated" % rip))
    run.refute(r"unhandled VM exit 9")
    run.refute(line("taskswitch", "FAIL .*"))


def test_event_delivery_through_mmio_halts(run):
    """#GP delivered through an IVT over the VGA buffer: the EPT violation
    is the CPU's own access while delivering the exception, and the guest
    is halted saying so; the MOV at RIP is not emulated for it."""
    rip = int(run.expect(line("idtmmio", r"IVT at 0xB8000, #GP at RIP 0x([0-9A-F]{8})"))[0].group(1), 16)
    run.expect(halted("idtmmio", r"read at GPA 0xb8034 \(region vga_text\) by the CPU while delivering "
                      r"hardware exception vector 13 .*RIP 0x%x: event delivery through an emulated "
                      r"or unassigned region is not emulated" % rip))
    run.refute(line("idtmmio", "FAIL .*"))


def test_access_across_region_end_halts(run):
    """A 4-byte read at 0xBFFFE crosses the end of vga_text (0xB8000-
    0xBFFFF): halted, naming the region and the access, not truncated."""
    rip = int(run.expect(line("straddle", r"straddling read at RIP 0x([0-9A-F]{8})"))[0].group(1), 16)
    run.expect(halted("straddle", r"read of 4 bytes at GPA 0xbfffe RIP 0x%x crosses the end of region "
                      r"vga_text \(0xb8000-0xbffff\)" % rip))
    run.refute(line("straddle", "FAIL .*"))


def test_string_io_into_mmio_says_what_happened(run):
    """INSB into the VGA buffer: halted naming the emulated region the
    memory operand is in, not "unmapped memory"."""
    rip = int(run.expect(line("insmmio", r"INSB into the VGA buffer at RIP 0x([0-9A-F]{8})"))[0].group(1), 16)
    run.expect(halted("insmmio", r"INS from port 0x3fd at RIP 0x%x: memory operand at linear 0xb8000 "
                      r"\(GPA 0xb8000\) is in virtual region vga_text: string I/O with emulated memory "
                      r"is not emulated$" % rip))
    run.refute(r"unmapped memory")
    run.refute(line("insmmio", "FAIL .*"))


def test_page_walk_through_mmio_halts(run):
    """A page directory in the VGA buffer: the CPU's page walk reads it
    (qualification bit 7 set, bit 8 clear) and the guest is halted saying
    so; the instruction at RIP is not decoded for it."""
    rip = int(run.expect(line("ptmmio", r"paging on with the page directory at 0xB8000, next RIP "
                              r"0x([0-9A-F]{8})"))[0].group(1), 16)
    run.expect(halted("ptmmio", r"(read|write) at GPA 0xb8000 RIP 0x%x: made by the CPU walking the "
                      r"guest's page tables, which lie in an emulated region \(not emulated\)$" % rip))
    run.refute(line("ptmmio", "FAIL .*"))
