"""tests/system/test_hostile.py - hostile guests next to a benign one
(issue 10, "Must deliver" 2). Each boot runs guests from tests/guests/h*.asm
that attack the hypervisor - every port, string I/O with huge counts and
into emulated memory, MSR and CR scans, VMX instructions, INVD/WBINVD, HLT
with interrupts off, interrupt storms from the guest's timers and UART,
reset loops, self-modifying code, a scan of guest-physical memory for
another guest's data, register state left behind for the next guest, MSR,
XCR0 and CR8 values real CPUs refuse - next to tests/guests/hcount.asm, the
benign guest, which measures its share of the CPU in Bochs' instruction-
counting TSC. Every boot asserts that the hypervisor answered commands after
the guests (guest list, echo, power-off), that only the offender was halted
(with a precise message) and that the benign guest finished, with its share
where the offender competes for the CPU all along.

Each test failed on the tree before the issue-10 fixes (as strict xfails
naming the bug while the fixes were on other branches) and passes now.
"""
import re

import pytest

from hostile_lib import (ALIVE, assert_alive, assert_benign_ok, assert_only_halted,
                         boot, halted, line, shut_down)

WAIT = "guest kick all; guest wait; guest list; echo %s; poweroff" % ALIVE
# guests that never end: let them run, then look
SLEEP = "guest kick all; sleep 1500; guest list; echo %s; poweroff" % ALIVE

# configuration -> ([(guest name, image)], bootcmd, timeout in s)
BOOTS = {
    # at 115200 baud a message a port would take 8 minutes: the scan gets
    # 5 s of TSC time, then the hypervisor must answer and halt it
    "hostile-io": ([("hports", "hports"), ("count", "hcount")],
                   "guest kick all; sleep 5000; guest halt hports; guest list; echo %s; poweroff"
                   % ALIVE, 90),
    "hostile-cpu": ([("hcpu", "hcpu"), ("hsmc", "hsmc"), ("hsecret", "hsecret"),
                     ("hmemscan", "hmemscan"), ("hstrpf", "hstrpf"),
                     ("hmmioedge", "hmmioedge"), ("hmmioidt", "hmmioidt"), ("count", "hcount")],
                    WAIT, 120),
    "hostile-storm": ([("hstorm", "hstorm"), ("hreset", "hreset"), ("count", "hcount")],
                      SLEEP, 90),
    "hostile-pit": ([("hpit", "hpit"), ("count", "hcount")], WAIT, 30),
    "hostile-msr": ([("hbadmsr", "hbadmsr"), ("count", "hcount")], WAIT, 60),
    "hostile-xcr": ([("hbadxcr", "hbadxcr"), ("count", "hcount")],
                    "guest kick all; guest wait; sleep 200; guest list; echo %s; poweroff"
                    % ALIVE, 60),
    # first the leaker alone until it shuts down, then the reader; then a
    # second pair side by side: the leaker yields with its markers loaded
    "hostile-leak": ([("hleakset", "hleakset"), ("hleakcheck", "hleakcheck"),
                      ("hleakset2", "hleakset"), ("hleakcheck2", "hleakcheck"),
                      ("count", "hcount")],
                     "guest kick hleakset; guest wait; guest kick hleakcheck; guest wait; "
                     "guest kick hleakset2; guest kick hleakcheck2; guest kick count; guest wait; "
                     "guest list; echo %s; poweroff" % ALIVE, 90),
}
IMAGES = sorted({img for guests, _, _ in BOOTS.values() for _, img in guests})


@pytest.fixture(scope="module")
def run(make_dtb, make_iso, boot_bochs, guest_bin):
    """run(config) -> BootResult of one of BOOTS, booted once per module."""
    runs = {}
    images = {i: guest_bin(i) for i in IMAGES}

    def get(config):
        if config not in runs:
            guests, bootcmd, timeout = BOOTS[config]
            runs[config] = boot(make_dtb, make_iso, boot_bochs, images, config,
                                guests, bootcmd, timeout)
        return runs[config]
    return get


def passes(r, guest, names):
    for n in names:
        r.expect(line(guest, "PASS " + re.escape(n)))
    r.refute(line(guest, "FAIL .*"))


# --------------------------------------------------------------------------
# ports and string I/O
# --------------------------------------------------------------------------
def test_port_scan_survived(run):
    """hports does string I/O of 64 Ki iterations, then reads all 65,536
    ports (those below 0x1000 in every width, writing zeros too): the
    hypervisor answers afterwards (halts hports on command), only hports
    may be halted, count finishes."""
    r = run("hostile-io")
    assert_alive(r)
    passes(r, "hports", ["string-io-huge-counts", "string-io-into-rom-dropped"])
    r.expect(line("hports", "scanning ports"))
    assert_only_halted(r, {"hports"})
    assert_benign_ok(r)


def test_port_scan_completes(run):
    """With the reports rate-limited the whole scan ends within its 5 s."""
    r = run("hostile-io")
    passes(r, "hports", ["ports-all-scanned"])


def test_port_scan_reports_rate_limited(run):
    """Reports of unassigned ports are rate-limited per guest: at most a
    few dozen lines for the whole scan."""
    r = run("hostile-io")
    passes(r, "hports", ["ports-all-scanned"])
    n = len(re.findall(r"^guest hports: .*unassigned port", r.output, re.M))
    assert n <= 64, "%d lines about unassigned ports of hports" % n


def test_port_scan_fair_share(run):
    """While hports scans and does REP string I/O of 64 Ki iterations,
    count (its only competitor) gets at least 45 % of the CPU (50 % is
    fair; a REP INS/OUTS batch that ran to its end regardless of the time
    slice left it 18 %)."""
    r = run("hostile-io")
    assert_benign_ok(r, min_share=0.45)


def test_string_io_into_mmio_named_precisely(run):
    """REP INSB into the VGA window at 0xB8000 is emulated, or the guest is
    halted naming the emulated region - never 'unmapped'."""
    r = run("hostile-io")
    if r.search(line("hports", "PASS string-io-into-mmio-survived")):
        return
    m = r.expect(halted("hports", r"(.*)$"))[0]
    assert "unmapped" not in m.group(1) and re.search(r"0xb8000|vga", m.group(1)), m.group(0)


# --------------------------------------------------------------------------
# CPU state: MSRs, CRs, VMX instructions, INVD, HLT; SMC; memory scan
# --------------------------------------------------------------------------
HCPU_CHECKS = ["msr-scan-done", "cr-bits-done", "cr3-reserved-bit-gp", "vmxon-ud",
               "vmlaunch-ud", "vmresume-ud", "vmxoff-ud", "vmclear-ud", "vmptrld-ud",
               "vmptrst-ud", "vmread-ud", "vmwrite-ud", "invept-ud", "invvpid-ud",
               "vmfunc-ud", "getsec-ud", "invd-survives", "wbinvd-survives"]


def test_cpu_scans_survived(run):
    """hcpu's MSR scan (read, write back), CR0/CR4 bit flips, CR3 reserved
    bit, every VMX instruction, GETSEC, VMFUNC, INVD, WBINVD: each faults in
    the guest as the SDM says or takes; then HLT with IF=0 puts only hcpu
    to sleep; hsmc, hsecret and hmemscan run next to it; count finishes and
    the hypervisor answers."""
    r = run("hostile-cpu")
    assert_alive(r)
    passes(r, "hcpu", HCPU_CHECKS)
    r.expect(line("hcpu", "HLT with interrupts off"))
    r.refute(shut_down("hcpu", 0))
    assert_only_halted(r, {"hmemscan", "hmmioedge", "hmmioidt"})
    assert_benign_ok(r)


def test_msr_scan_reported_once(run):
    """Each unknown MSR is reported at most once, and those not reported
    are accounted for: today a 4096-bit hash set stops reporting at 512
    MSRs without a word about the others (4,000 of hcpu's scan)."""
    r = run("hostile-cpu")
    msrs = re.findall(r"^guest hcpu: .*unknown MSR (0x[0-9a-f]+)", r.output, re.M)
    assert len(msrs) == len(set(msrs)), "an MSR reported twice"
    assert r.search(r"^guest hcpu: .*(not reported|suppressed|more|dropped|further|omitted)"), (
        "%d MSRs reported, nothing said about the rest" % len(msrs))


def test_string_io_faults_injected(run):
    """hstrpf: OUTS/INS whose operand is not mapped, read-only (CR0.WP) or
    non-canonical get the #PF/#GP the CPU raises, with CR2, the error code
    and the REP registers of the iterations done; the guest goes on (it was
    halted for 'unmapped memory' before, and the rights were not checked)."""
    r = run("hostile-cpu")
    passes(r, "hstrpf", ["outs-not-present-pf", "outs-not-present-error-code",
                         "outs-not-present-cr2", "rep-ins-read-only-pf",
                         "rep-ins-read-only-error-code", "rep-ins-rcx-left",
                         "rep-ins-rdi-at-fault", "rep-ins-cr2", "outs-non-canonical-gp"])
    r.expect(shut_down("hstrpf", 0))


def test_mmio_region_edges(run):
    """hmmioedge: byte, word and dword round trips at the first and last
    bytes of the VGA window work; hmmioidt's IDT over MMIO stops only
    hmmioidt."""
    r = run("hostile-cpu")
    for n in ["mmio-first-byte-round-trip", "mmio-dword-round-trip",
              "mmio-last-byte-round-trip"]:
        r.expect(line("hmmioedge", "PASS " + n))
    r.expect(line("hmmioidt", r"IDT at 0xB8000 \(MMIO\), INT3"))
    r.refute(line("hmmioidt", "FAIL .*"))


def test_mmio_straddle_halts(run):
    """A dword write at 0xBFFFE, two bytes past the VGA window, halts
    hmmioedge with the address."""
    r = run("hostile-cpu")
    r.expect(halted("hmmioedge", r".*0xbfffe"))
    r.refute(line("hmmioedge", "FAIL .*"))


def test_mmio_from_event_delivery(run):
    """The gate read of an INT3 with the IDT over MMIO is not the
    instruction's access: the halt reason says event delivery/IDT."""
    r = run("hostile-cpu")
    r.expect(halted("hmmioidt", r".*(event delivery|IDT|vectoring)"))


def test_self_modifying_code(run):
    """hsmc: patched code runs with its new bytes, whether the guest or the
    hypervisor's string I/O emulation wrote them."""
    r = run("hostile-cpu")
    passes(r, "hsmc", ["smc-first-run", "smc-patched-immediate-runs",
                       "smc-store-to-next-instruction-seen", "smc-code-written-by-rep-insb-runs"])
    r.expect(shut_down("hsmc", 0))


def test_memory_scan_finds_nothing(run):
    """hmemscan reads all its RAM: zero wherever it did not write, never
    hsecret's secret; beyond its RAM it reads all-ones or is halted with the
    address (unassigned memory) - never anything else."""
    r = run("hostile-cpu")
    r.expect(line("hsecret", "secrets written"))
    r.refute(r"FOUND")
    passes(r, "hmemscan", ["memscan-own-ram-zero"])
    r.refute(line("hmemscan", "nonzero at .*"))
    if not r.search(line("hmemscan", "PASS memscan-beyond-ram-all-ones")):
        r.expect(halted("hmemscan", r"read at GPA 0xa0000 RIP 0x[0-9a-f]+: outside every region"))


def test_memory_scan_beyond_ram_all_ones(run):
    r = run("hostile-cpu")
    passes(r, "hmemscan", ["memscan-beyond-ram-all-ones"])
    r.expect(shut_down("hmemscan", 0))


# --------------------------------------------------------------------------
# interrupt storms and reset loops
# --------------------------------------------------------------------------
def test_rtc_uart_storm_and_reset_loop(run):
    """hstorm (RTC periodic at its fastest rate, UART THR-empty interrupt
    re-armed from its own handler) and hreset (resets itself forever through
    port 0x92 and the 8042) run for good: the hypervisor answers after
    'sleep', count finishes its loop with at least a quarter of the CPU (a
    third is fair), nobody is halted."""
    r = run("hostile-storm")
    assert_alive(r)
    r.expect(line("hstorm", "storming"))
    r.expect(line("hreset", "resetting forever"))
    r.refute(line("hreset", "FAIL .*"))
    assert_only_halted(r, set())
    assert_benign_ok(r, min_share=0.25)


def test_pit_storm_survived(run):
    """hpit: mode 2 at count 64, then every mode at counts 1, 2, 4, 16 with
    and without EOI: the hypervisor answers afterwards, hpit ends."""
    r = run("hostile-pit")
    assert_alive(r)
    passes(r, "hpit", ["pit-count-64-phase-done", "pit-all-modes-done"])
    assert_benign_ok(r)


def test_pit_storm_fair_share(run):
    """While hpit's PIT fires at count 64, count gets at least 40 % of the
    CPU (50 % is fair)."""
    r = run("hostile-pit")
    assert_benign_ok(r, min_share=0.40)


# --------------------------------------------------------------------------
# values real CPUs refuse: MSRs, XCR0, CR8
# --------------------------------------------------------------------------
def test_bad_msr_values_fault_in_guest(run):
    r = run("hostile-msr")
    assert_alive(r)
    passes(r, "hbadmsr", ["tsc-aux-reserved-bits-gp", "sfmask-reserved-bits-gp",
                          "rdpmc-invalid-counter-gp", "ds-area-works-when-advertised",
                          "efer-reserved-bit-gp"])
    r.expect(shut_down("hbadmsr", 0))
    assert_only_halted(r, set())
    assert_benign_ok(r)


def test_bad_xcr0_and_cr8(run):
    """hbadxcr: invalid XCR0 values raise #GP in the guest; CR8 = 15 is the
    guest's own; afterwards the hypervisor still wakes from idle for its
    timer (sleep 200 returns) and answers."""
    r = run("hostile-xcr")
    assert_alive(r)
    passes(r, "hbadxcr", ["xsetbv-opmask-alone-gp", "xsetbv-no-x87-gp",
                          "xsetbv-avx-without-sse-gp", "xsetbv-xcr1-gp", "xsetbv-bit63-gp",
                          "cr8-reads-back"])
    assert_only_halted(r, set())
    assert_benign_ok(r)


# --------------------------------------------------------------------------
# register state across a VCPU switch
# --------------------------------------------------------------------------
LEAK_PASS = {
    "gpr": ["leak-gpr-low-zero-at-reset", "leak-gpr-r8-r15-zero"],
    "x87-sse": ["leak-x87-registers-zero", "leak-xmm-registers-zero",
                "leak-x87-control-word-reset"],
    "avx": ["leak-ymm-upper-zero"],
    "avx512": ["leak-zmm-upper-zero", "leak-zmm16-31-zero", "leak-opmask-zero"],
    "debug": ["leak-dr0-3-zero", "leak-dr6-reset", "leak-dr7-reset"],
    "cr2": ["leak-cr2-zero"],
    "msr": ["leak-msr-kernel-gs-base-zero", "leak-msr-star-zero", "leak-msr-lstar-zero",
            "leak-msr-cstar-zero", "leak-msr-sfmask-zero", "leak-msr-sysenter-cs-zero",
            "leak-msr-sysenter-esp-zero", "leak-msr-sysenter-eip-zero",
            "leak-msr-tsc-aux-not-leaker", "leak-msr-pat-reset-low", "leak-msr-pat-reset-high"],
}
LEAK_KNOWN = {}


@pytest.mark.parametrize("leaker", ["hleakset", "hleakset2"])
def test_leaker_state_kept_across_switch(run, leaker):
    """hleakset loads its markers, yields, finds them still there (for
    hleakset2, after hleakcheck2 ran in between), and shuts down; the
    hypervisor goes on."""
    r = run("hostile-leak")
    assert_alive(r)
    passes(r, leaker, ["leakset-markers-loaded", "leakset-gpr-kept", "leakset-xmm-kept",
                           "leakset-cr2-kept", "leakset-dr3-kept",
                           "leakset-kernel-gs-base-kept"])
    r.expect(shut_down(leaker, 0))
    assert_only_halted(r, set())
    assert_benign_ok(r)


@pytest.mark.parametrize("pair", [("hleakset", "hleakcheck"), ("hleakset2", "hleakcheck2")],
                         ids=["after-shutdown", "while-alive"])
@pytest.mark.parametrize("cls", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=LEAK_KNOWN[c]))
    if c in LEAK_KNOWN else c for c in LEAK_PASS])
def test_no_register_leak(run, cls, pair):
    """hleakcheck, started on the CPU hleakset just left (after its
    shutdown, or its YIELD with the markers loaded), finds each register
    class at its reset value, never hleakset's markers."""
    leaker, reader = pair
    r = run("hostile-leak")
    r.expect(line(leaker, "PASS leakset-markers-loaded"),
             line(reader, "PASS leak-gpr-low-zero-at-reset"))
    for n in LEAK_PASS[cls]:
        r.expect(line(reader, "PASS " + re.escape(n)))
