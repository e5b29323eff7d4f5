"""tests/system/test_vmx.py - the VM-exit handler families, driven by the
test guests of tests/guests/ in Bochs (VMX with EPT).

Each guest checks one family from inside (CPUID, MSRs, CR/DR, string I/O,
MMIO decode, hypercalls, CPU modes, VMX instructions, ROM writes) and
prints "PASS <check>" or "FAIL <check>: <detail>" on its UART, which the
host console shows as "<guest>: ..."; it ends with VMCALL SHUTDOWN, status =
number of failed checks. Other guests must be stopped by the hypervisor
(unmapped read, triple fault, MMIO that is not emulated) while the guests
next to them go on; two guests share the CPU. Four boots (tests/system/
dts/vmx-*.dts), each run once per module with bootcmd "guest kick all;
guest wait; ... poweroff", plus one for a bug that needs its own, plus
one per testept= value for the EPT misconfiguration (vmx-ept*.dts).

The checks a guest must pass are the names in its source (macros T_EQ,
T_CHECK, T_FAULT, ... of tests/guests/include/rom16.inc), so a check that
is skipped fails here as well as one that fails. Hypervisor bugs found by
these guests are xfail(strict=True) tests below naming the bug: remove the
mark when the bug is fixed.
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUEST_SRC = REPO / "tests" / "guests"
DTS_DIR = REPO / "tests" / "system" / "dts"
BOOTCMD = "guest kick all; guest wait; poweroff"

# configuration -> (guest images loaded as modules, bootcmd)
CONFIGS = {
    "vmx-handlers": (["cpuid", "msr", "cr", "stringio", "vmcall", "vmxinsn", "modes"],
                     "guest kick all; guest wait; vcpu stats vmxinsn/vcpu0; poweroff"),
    "vmx-faults": (["unmapped", "hello", "triplefault", "mmio", "romwrite"], BOOTCMD),
    "vmx-two": (["vmcall", "hello"], BOOTCMD),
    "vmx-sched": (["yield", "spin"], BOOTCMD),
    "vmx-preempt": (["nointr", "hello"],
                    "guest kick all; guest wait; vcpu stats nointr/vcpu0; poweroff"),
}

# Known hypervisor bugs, each with the checks it breaks.
# Checks that a known, not yet fixed hypervisor bug breaks: guest ->
# {check name: reason}. test_known_bug turns each into a strict xfail, so a
# fix shows up as XPASS and the entry must go. All found so far are fixed
# (CR4 guest view, real-mode #GP error code, INS into ROM, SWAPGS).
KNOWN = {}


def config_of(guest):
    """The first configuration that runs the guest."""
    return next(c for c, (images, _) in CONFIGS.items() if guest in images)


CHECK_MACROS = r"T_EQ|T_EQ64|T_CHECK|T_FAULT|T_NOFAULT|T_PASS|UD|BIT_SET|BIT_CLEAR|DR_RW"


def check_names(guest):
    """The names of the checks in tests/guests/GUEST.asm, in source order:
    quoted names given to the check macros, and PASS lines written out
    whole (PUTS, or data printed by OUTS, through MMIO or the hvc console)."""
    src = (GUEST_SRC / (guest + ".asm")).read_text()
    names = []
    for line in src.splitlines():
        if re.match(r"\s*(%s)\b" % CHECK_MACROS, line):
            names += re.findall(r"'([a-z0-9]+(?:-[a-z0-9]+)+)'", line)
        names += re.findall(r"`PASS ([a-z0-9-]+)\\n`", line)
        m = re.search(r"db\s+`\\n([a-z0-9-]+) SSAP`", line)     # written backwards
        if m:
            names.append(m.group(1)[::-1])
    assert names, "no checks found in %s.asm" % guest
    return list(dict.fromkeys(names))


@pytest.fixture(scope="module")
def vmx_run(make_dtb, make_iso, boot_bochs, guest_bin):
    """vmx_run(config) -> BootResult of the configuration's one boot."""
    runs = {}

    def run(config):
        if config not in runs:
            images, bootcmd = CONFIGS[config]
            dtb = make_dtb(DTS_DIR / (config + ".dts"))
            iso = make_iso('bootcmd="%s"' % bootcmd, [dtb] + [guest_bin(g) for g in images])
            r = boot_bochs(iso, timeout=120)
            runs[config] = r
        r = runs[config]
        # the boot itself: configuration taken, bootcmd ran to its poweroff
        r.expect(r"config: module %s\.dtb DTB, 0 problems in the tree" % config,
                 r"^bootcmd> +guest wait$", r"^powering off$")
        r.refute(r"PANIC|EXCEPTION|rejected: ")
        return r
    return run


def line(guest, text):
    """Regex of one line the guest printed (host console prefix)."""
    return r"^%s: %s$" % (re.escape(guest), text)


def shut_down(guest, status=0):
    return r"^guest %s: %s/vcpu0 shut down with status %d$" % (guest, guest, status)


def halted(guest, reason):
    return r"^guest %s %s/vcpu0 halted: %s" % (guest, guest, reason)


def guest_lines(r, guest):
    return re.findall(r"^%s: (.*)$" % re.escape(guest), r.output, re.M)


def check_guest(r, guest, known=(), image=None):
    """Every check of the guest's source (tests/guests/IMAGE.asm, IMAGE the
    guest's name unless given) passed except the known-bug ones, none
    failed, and the guest ended."""
    printed = guest_lines(r, guest)
    missing = [n for n in check_names(image or guest)
               if n not in known and "PASS " + n not in printed]
    failed = [l for l in printed if l.startswith("FAIL ") and
              l[5:].split(":")[0] not in known]
    assert not missing and not failed, (
        "guest %s: checks without PASS %s, failed: %s\n%s" % (guest, missing, failed, r))
    assert r.search(r"^guest %s: %s/vcpu0 shut down with status \d+$|^guest %s %s/vcpu0 halted: "
                    % (guest, guest, guest, guest)), "guest %s did not end\n%s" % (guest, r)
    if not known:
        r.expect(shut_down(guest, 0))
        r.refute(halted(guest, ""))


# --------------------------------------------------------------------------
# handler families whose guests shut down by themselves
# --------------------------------------------------------------------------
@pytest.mark.parametrize("guest", ["cpuid", "msr", "cr", "stringio", "vmcall", "vmxinsn", "modes"])
def test_handler_guest(vmx_run, guest):
    """cpuid: curated view (hypervisor bit, VMX/SMX/MONITOR/x2APIC/APIC
    hidden, signature leaf, PMU leaf zero); msr: allow-list round trips,
    TSC moved by WRMSR, #GP for unknown MSRs; cr: CR0/CR4 shadows, CLTS,
    LMSW, MOV DR, XSETBV; stringio: REP INS/OUTS in every address size and
    direction; vmcall: the hypercall ABI; vmxinsn: #UD for VMX
    instructions; modes: real -> protected -> long mode and back."""
    check_guest(vmx_run("vmx-handlers"), guest, KNOWN.get(guest, {}))


def test_string_io_prints_through_uart(vmx_run):
    """REP OUTSB of whole lines to port 0x3F8 arrive as lines, in every
    address size, direction and CPU mode."""
    r = vmx_run("vmx-handlers")
    for name in ["outsb-rep-a16-df0", "outsb-df1", "outsb-rep-a32", "outsb-es-override",
                 "outsb-rep-pm32", "outsb-rep-long-mode"]:
        r.expect(line("stringio", "PASS " + name))


def test_vmcall_console_putc_and_ids(vmx_run):
    """CONSOLE_PUTC output appears as a line of its own with the guest's
    name as prefix; the guest shut down through the ABI."""
    r = vmx_run("vmx-handlers")
    r.expect(line("vmcall", "PASS vmcall-version"),
             line("vmcall", "PASS vmcall-console-putc"),
             line("vmcall", "PASS vmcall-cpl3-shutdown-refused-minus-2"),
             shut_down("vmcall"))


def test_vmx_instructions_exit_and_get_ud(vmx_run):
    """In protected and long mode each VMX instruction exits (the VCPU's
    exit statistics count them) and the guest gets #UD; in real mode the
    CPU refuses them itself, so they add no exits."""
    r = vmx_run("vmx-handlers")
    m = r.expect(r"^vmxinsn/vcpu0: VM exits by reason", r"^  total +\d+")
    table = r.output[m[0].end():m[1].start()]
    want = {"VMXON": 2, "VMCLEAR": 1, "VMPTRLD": 1, "VMPTRST": 1, "VMREAD": 2,
            "VMWRITE": 2, "VMLAUNCH": 1, "VMRESUME": 1, "VMXOFF": 1, "INVEPT": 2,
            "INVVPID": 1, "RDPMC": 1, "MONITOR": 1, "MWAIT": 1, "VMCALL": 2}
    got = {name: int(n) for name, n in re.findall(r"^ +\d+ +(\w+) +(\d+) ", table, re.M)}
    for name, n in want.items():
        assert got.get(name) == n, "%s exits: %s, want %d\n%s" % (name, got.get(name), n, table)


def test_modes_shutdown_from_long_mode(vmx_run):
    """The guest reports from 32-bit and 64-bit code in order and shuts
    down with VMCALL from 64-bit mode."""
    r = vmx_run("vmx-handlers")
    r.expect(line("modes", "PASS modes-real-mode"),
             line("modes", "PASS modes-protected-mode-32"),
             line("modes", "PASS modes-long-mode-64"),
             line("modes", "PASS modes-long-mode-cpuid-signature-ebx"),
             line("modes", "PASS modes-long-mode-again"),
             shut_down("modes", 0))


@pytest.mark.parametrize("guest,bug", [
    pytest.param(g, b, id="%s-%s" % (g, re.sub(r"\W+", "-", b[:30])),
                 marks=pytest.mark.xfail(strict=True, reason=b))
    for g, bug_of in KNOWN.items() for b in dict.fromkeys(bug_of.values())])
def test_known_bug(vmx_run, guest, bug):
    """The checks a known hypervisor bug breaks (see KNOWN), and, when it is
    the guest's only known bug, the clean shutdown it stands in the way of."""
    r = vmx_run(config_of(guest))
    names = [n for n, b in KNOWN[guest].items() if b is bug]
    printed = guest_lines(r, guest)
    missing = [n for n in names if "PASS " + n not in printed]
    assert not missing, "guest %s: no PASS for %s\n%s" % (guest, missing, r)
    if len(names) == len(KNOWN[guest]):
        r.expect(shut_down(guest, 0))


# --------------------------------------------------------------------------
# guests the hypervisor stops or corrects, and the guests next to them
# --------------------------------------------------------------------------
def test_unmapped_read_halts_guest_others_go_on(vmx_run):
    """A read of GPA 0x40000000 (outside every region) by a strict guest
    (unassigned_io = "halt"; a lenient one reads all-ones, see
    test_exits_hostile.py) halts the guest with the access, the address,
    the guest's RIP and a VMCS dump; hello, in the
    same boot, runs afterwards and passes."""
    r = vmx_run("vmx-faults")
    rip = r.expect(line("unmapped", r"reading GPA 0x40000000 at RIP 0x([0-9A-F]{8})"))[0]
    rip = int(rip.group(1), 16)
    r.expect(r"^  unmapped/vcpu0: RIP 0x%x .* CS 0xf000 \(base 0xf0000\)$" % rip,
             r"^  unmapped/vcpu0: exit reason 0x30 .*GPA 0x40000000 ",
             halted("unmapped", r"read at GPA 0x40000000 RIP 0x%x: outside every region, "
                    r"and the guest is strict \(unassigned_io = \"halt\"\)$" % rip),
             line("hello", "PASS hello"),
             shut_down("hello", 0))
    r.refute(line("unmapped", "FAIL .*"))


def test_unmapped_halt_dumps_guest_registers(vmx_run):
    """The dump shows the registers the guest set just before the read."""
    r = vmx_run("vmx-faults")
    r.expect(r"^  unmapped/vcpu0: RAX 0xa1a1a1a1 RBX 0x40000000 RCX 0xc1c1c1c1 RDX 0xd1d1d1d1 "
             r"RSI 0x51515151 RDI 0xd2d2d2d2 RBP 0xb2b2b2b2$")


def test_triple_fault_halts_guest(vmx_run):
    """An exception with an IDT of limit 0 is a triple fault: the guest is
    halted, naming it, at the faulting instruction."""
    r = vmx_run("vmx-faults")
    rip = int(r.expect(line("triplefault", r".* UD2 at RIP 0x([0-9A-F]{8})"))[0].group(1), 16)
    r.expect(r"^  triplefault/vcpu0: exit reason 0x2 ",
             halted("triplefault", r"triple fault at RIP 0x%x$" % rip))
    r.refute(line("triplefault", "FAIL .*"))
    r.refute(shut_down("triplefault", 0))


def test_mmio_decode_forms(vmx_run):
    """Every MOV/MOVZX/MOVSX form of vmx_decode.h against the 16550 mapped
    as memory, in 16-, 32- and 64-bit code; THR output through MMIO."""
    r = vmx_run("vmx-faults")
    check_guest(r, "mmio", known={"mmio64-add-not-emulated"})
    r.expect(line("mmio", "PASS mmio16-uart-thr-store"))


def test_mmio_unsupported_instruction_halts_guest(vmx_run):
    """ADD to MMIO is not emulated: the guest is halted with that reason,
    the GPA and the RIP of the ADD, and does not go on."""
    r = vmx_run("vmx-faults")
    rip = int(r.expect(line("mmio", r"ADD to MMIO at RIP 0x([0-9A-F]{8}) next.*"))[0].group(1), 16)
    r.expect(halted("mmio", r"(read|write) at GPA 0xfed00007 RIP 0x%x: instruction not emulated"
                    % rip))
    r.refute(line("mmio", "FAIL .*"))
    r.refute(shut_down("mmio", 0))


def test_mmio_halt_reason_not_truncated(vmx_run):
    r = vmx_run("vmx-faults")
    r.expect(halted("mmio", r".*instruction not emulated \(unsupported; see the supported "
                            r"MOV forms in vmx_decode\.h\)$"))


def test_rom_write_dropped_reported_once(vmx_run):
    """MOV writes into the guest's ROM are dropped (old bytes read back),
    reported once with region, GPA and RIP, and the guest goes on."""
    r = vmx_run("vmx-faults")
    check_guest(r, "romwrite", KNOWN.get("romwrite", {}))
    reports = re.findall(r"^guest romwrite: write to ROM region bios at GPA 0x(f[0-9a-f]{4}) "
                         r"RIP 0x[0-9a-f]+ ignored", r.output, re.M)
    assert len(reports) == 1, "want one ROM-write report, got %d\n%s" % (len(reports), r)
    r.expect(r"^guest romwrite: write to ROM region",
             line("romwrite", "PASS romwrite-byte-imm-dropped"),
             line("romwrite", "PASS romwrite-guest-continues"))


def test_rom_write_reported_for_each_guest(vmx_run):
    """romwrite2 runs the same image after romwrite: it gets its own report."""
    r = vmx_run("vmx-faults")
    check_guest(r, "romwrite2", KNOWN.get("romwrite", {}), image="romwrite")
    for g in ["romwrite", "romwrite2"]:
        r.expect(r"^guest %s: write to ROM region bios at GPA 0x[0-9a-f]+ RIP 0x[0-9a-f]+ ignored" % g)


# --------------------------------------------------------------------------
# two guests in one boot
# --------------------------------------------------------------------------
def test_two_guests_both_pass(vmx_run):
    """vmcall and hello in one boot (vmcall yields once in the middle):
    both pass every check and shut down with status 0."""
    r = vmx_run("vmx-two")
    check_guest(r, "vmcall")
    check_guest(r, "hello")
    r.expect(line("hello", "hello from a real-mode guest"), line("hello", "PASS hello"))


def stamps(r, guest):
    """{n: TSC} of the guest's 'STAMP n 0x...' lines."""
    return {int(n): int(v, 16) for n, v in
            re.findall(r"^%s: STAMP (\d) 0x([0-9A-F]{8})$" % guest, r.output, re.M)}


def test_sched_guests_pass(vmx_run):
    """yield and spin (the scheduler pair) pass and print their stamps."""
    r = vmx_run("vmx-sched")
    check_guest(r, "yield")
    check_guest(r, "spin")
    assert sorted(stamps(r, "yield")) == list(range(9)), r
    assert sorted(stamps(r, "spin")) == list(range(8)), r


def test_yield_gives_other_guest_the_cpu(vmx_run):
    """After yield's YIELD, spin (which never yields) takes its eight
    back-to-back stamps without yield running in between."""
    r = vmx_run("vmx-sched")
    y, s = stamps(r, "yield"), stamps(r, "spin")
    if not (y[0] < s[0]):
        pytest.skip("spin ran before yield's YIELD: nothing to see")
    inside = [n for n in range(1, 9) if s[0] < y[n] < s[7]]
    assert not inside, ("yield ran between spin's stamps (yield stamps %s): %s"
                        % (inside, sorted([("yield", n, v) for n, v in y.items()] +
                                          [("spin", n, v) for n, v in s.items()],
                                          key=lambda t: t[2])))


def test_preemption_timer_takes_cpu_from_cli_spinner(vmx_run):
    """nointr spins with interrupts off for about 40 M instructions without
    a single exit; the VMX preemption timer ends its time slices, so hello
    runs to its end in the middle of the spin, and the exits are counted."""
    r = vmx_run("vmx-preempt")
    check_guest(r, "nointr")
    check_guest(r, "hello")
    start = r.expect(r"^nointr: spinning with interrupts off$")[0]
    hello = r.expect(r"^hello: PASS hello$")[0]
    done = r.expect(r"^nointr: PASS nointr$")[0]
    assert start.start() < hello.start() < done.start(), r
    stats = r.expect(r"^nointr/vcpu0: VM exits by reason", r"^  total")
    table = r.output[stats[0].end():stats[1].start()]
    m = re.search(r"^ +52 +VMX-preemption timer expired +(\d+)", table, re.M)
    assert m and int(m.group(1)) >= 1, table


# --------------------------------------------------------------------------
# EPT misconfiguration (exit 49): our EPT builder never makes a malformed
# entry, so the test-only option testept=<guest>:<gpa>[:kind] makes one
# --------------------------------------------------------------------------
EPT_GPA = 0x180000          # POISON in tests/guests/eptmisconfig.asm
EPT_BOOTCMD = "guest kick all; guest wait; guest list; poweroff"
EPT_WHY = {
    "wo": r"write permission without read permission \(bits 2:0 = 010b\)",
    "memtype": r"reserved memory type 2 \(bits 5:3\)",
    "rsvd": r"reserved bits set: physical-address bits 51:MAXPHYADDR",
}


@pytest.fixture(scope="module")
def ept_run(make_dtb, make_iso, boot_bochs, guest_bin):
    """ept_run(value, dts="vmx-eptmisconfig", image="eptmisconfig") ->
    BootResult of tests/system/dts/DTS.dts (the guest running IMAGE, and
    hello) booted with testept=VALUE, once per value."""
    runs = {}

    def run(value, dts="vmx-eptmisconfig", image="eptmisconfig"):
        key = (value, dts)
        if key not in runs:
            dtb = make_dtb(DTS_DIR / (dts + ".dts"))
            iso = make_iso('testept=%s bootcmd="%s"' % (value, EPT_BOOTCMD),
                           [dtb, guest_bin(image), guest_bin("hello")])
            runs[key] = boot_bochs(iso, timeout=120)
        r = runs[key]
        # the hypervisor went on to the end: guest list after the halt, power-off
        r.expect(r"config: module %s\.dtb DTB, 0 problems in the tree" % dts,
                 r"^bootcmd> +guest list$", r"^  \d+ +hello +1 +HALTED$", r"^powering off$")
        r.refute(r"PANIC|EXCEPTION|rejected: |unknown option")
        check_guest(r, "hello")
        return r
    return run


def ept_walk_head(guest, gpa):
    return (r"^guest %s %s/vcpu0: EPT misconfiguration at GPA 0x%x \(EPTP 0x[0-9a-f]+, "
            r"MAXPHYADDR \d+\); the EPT walk:$" % (guest, guest, gpa))


@pytest.mark.parametrize("kind", ["wo", "memtype", "rsvd"])
def test_ept_misconfig_halts_guest_with_diagnosis(ept_run, kind):
    """testept=eptbad:0x180000[:kind] makes the PTE of that RAM page
    malformed (write without read / memory type 2 / a reserved address
    bit); the guest's read of it is an EPT misconfiguration: the VCPU is
    halted, the walk printed level by level with the malformed entry and
    the rule it breaks; the page next to it still works, hello passes and
    the hypervisor goes on (guest list, power-off)."""
    r = ept_run("eptbad:0x%x" % EPT_GPA + ("" if kind == "wo" else ":" + kind))
    m = r.expect(r"^testept: guest eptbad: EPT PTE\[384\] for GPA 0x180000 made malformed "
                 r"\(%s, test only\): 0x([0-9a-f]+) -> 0x([0-9a-f]+)$" % kind)[0]
    old, new = int(m.group(1), 16), int(m.group(2), 16)
    assert old & 0xbf == 0x37, "RAM is a RWX write-back 4K page: %#x" % old
    want = {"wo": (old & ~7) | 2, "memtype": (old & ~0x38) | 0x10, "rsvd": old | 1 << 51}
    assert new == want[kind], "poisoned %#x -> %#x" % (old, new)
    rip = int(r.expect(line("eptbad", "PASS ept-neighbour-page-works"),
                       line("eptbad", r"reading GPA 0x00180000 at RIP 0x([0-9A-F]{8})"))[1]
              .group(1), 16)
    ok = r"0x[0-9a-f]{16}: ok"
    r.expect(ept_walk_head("eptbad", EPT_GPA),
             r"^  eptbad/vcpu0: EPT PML4E\[0\] %s$" % ok,
             r"^  eptbad/vcpu0: EPT PDPTE\[0\] %s$" % ok,
             r"^  eptbad/vcpu0: EPT PDE\[0\] %s$" % ok,
             r"^  eptbad/vcpu0: EPT PTE\[384\] 0x%016x: %s$" % (new, EPT_WHY[kind]),
             r"^  eptbad/vcpu0: RIP 0x%x .* CS 0xf000 \(base 0xf0000\)$" % rip,
             r"^  eptbad/vcpu0: exit reason 0x31 ",
             halted("eptbad", r"EPT misconfiguration at GPA 0x180000: PTE 0x%x: %s$"
                    % (new, EPT_WHY[kind])),
             r"^  \d+ +eptbad +1 +HALTED$")
    r.refute(line("eptbad", "FAIL .*"))
    r.refute(r"hypervisor bug")


def test_ept_misconfig_on_2m_page(ept_run):
    """testept=eptlarge:0x200000 corrupts the 2 MiB page entry (a PDE with
    bit 7) that maps 2-4 MiB of a 4 MiB guest: the walk ends at that PDE
    and names it; the 4 KiB page below still works."""
    r = ept_run("eptlarge:0x200000", dts="vmx-eptlarge", image="eptlarge")
    m = r.expect(r"^testept: guest eptlarge: EPT PDE\[1\] for GPA 0x200000 made malformed "
                 r"\(wo, test only\): 0x([0-9a-f]+) -> 0x([0-9a-f]+)$")[0]
    old, new = int(m.group(1), 16), int(m.group(2), 16)
    assert old & 0xbf == 0xb7 and new == (old & ~7) | 2, "%#x -> %#x" % (old, new)
    ok = r"0x[0-9a-f]{16}: ok"
    r.expect(line("eptlarge", "PASS ept-neighbour-page-works"),
             line("eptlarge", r"reading GPA 0x00200000 at RIP 0x[0-9A-F]{8}"),
             ept_walk_head("eptlarge", 0x200000),
             r"^  eptlarge/vcpu0: EPT PML4E\[0\] %s$" % ok,
             r"^  eptlarge/vcpu0: EPT PDPTE\[0\] %s$" % ok,
             r"^  eptlarge/vcpu0: EPT PDE\[1\] 0x%016x: %s$" % (new, EPT_WHY["wo"]),
             r"^  eptlarge/vcpu0: exit reason 0x31 ",
             halted("eptlarge", r"EPT misconfiguration at GPA 0x200000: PDE 0x%x: %s$"
                    % (new, EPT_WHY["wo"])))
    r.refute(r"EPT PTE\[")
    r.refute(line("eptlarge", "FAIL .*"))


@pytest.mark.parametrize("value,error", [
    ("nosuch:0x180000", r"no guest 'nosuch' in the configuration"),
    ("eptbad:0x40000000", r"GPA 0x40000000 is not mapped in the EPT of guest eptbad "
                          r"\(outside its real regions\)"),
    ("eptbad:0x18000g", r"the GPA is not a hexadecimal number"),
    ("eptbad:0x180000:bogus", r"unknown kind \(wo memtype rsvd\)"),
])
def test_testept_bad_value_changes_nothing(ept_run, value, error):
    """A testept= value naming no configured guest, a GPA the guest's EPT
    does not map, or a malformed one is one error naming the option, and
    nothing changes: eptbad reads 0x180000 without an exit, reports that
    as its FAIL and shuts down with status 1."""
    r = ept_run(value)
    r.expect(r"^cmdline: testept=%s: %s; nothing changed$" % (re.escape(value), error),
             line("eptbad", "PASS ept-neighbour-page-works"),
             line("eptbad", "FAIL ept-misconfig-halts: the guest went on after reading "
                            "the poisoned GPA"),
             shut_down("eptbad", 1))
    r.refute(r"EPT misconfiguration|^testept: ")
    assert len(re.findall(r"^cmdline: testept=", r.output, re.M)) == 1, str(r)
