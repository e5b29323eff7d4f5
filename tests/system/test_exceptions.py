"""tests/system/test_exceptions.py - testfault= raises each CPU exception the
kernel knows; the dump must name it, symbolize RIP and the backtrace, show
every register, and the CPU must stop (or, with on_panic=poweroff, the
machine power off). QEMU TCG for speed, one kind in Bochs too."""
import re

import pytest

REGS = ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R8", "R9",
        "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "RFLAGS", "CS", "SS",
        "CR0", "CR2", "CR3", "CR4", "EFER"]
HEX = r"0x[0-9a-f]+"
SYM = r"<(\w[\w.]*)\+(0x[0-9a-f]+)>"

# kind: (exception line, CR2 the dump must show or None)
KINDS = {
    "pf":   ("#PF page fault (vector 14)", "0x0000007fdead0000"),
    "null": ("#PF page fault (vector 14)", "0x0000000000000000"),
    "ud":   ("#UD invalid opcode (vector 6)", None),
    "gp":   ("#GP general protection (vector 13)", None),
    "de":   ("#DE divide error (vector 0)", None),
    "bp":   ("#BP breakpoint (vector 3)", None),
}

def check_register_dump(r, dump_start):
    """Every register name with a hex value after dump_start; returns the
    dump as a dict."""
    dump = r.output[dump_start:]
    regs = {}
    for name in REGS:
        m = re.search(r"(?<![\w])%s +(%s)" % (name, HEX), dump)
        assert m, "register %s missing from the dump\n%s" % (name, r)
        regs[name] = m.group(1)
    return regs


def check_backtrace(r, dump_start, want_callers, ksym):
    """' Backtrace:' then frames '  #N  0x... <sym+0x..>'; at least one
    symbolized frame, and the symbols want_callers among them."""
    bt = r.search(r"^ Backtrace:$", dump_start)
    assert bt, "no backtrace\n%s" % r
    frames = re.findall(r"^  #(\d+) +(%s)(?: %s)?$" % (HEX, SYM),
                        r.output[bt.end():], re.M)
    symbolized = [f for f in frames if f[2]]
    assert symbolized, "no symbolized backtrace frame\n%s" % r
    names = [f[2] for f in symbolized]
    for want in want_callers:
        assert want in names, "no frame in %s (frames %s)\n%s" % (want, names, r)
    # each frame's symbol+offset is the frame address (checked against nm)
    for _, addr, name, off in symbolized:
        assert ksym(name) + int(off, 16) == int(addr, 16), \
            "frame %s <%s+%s> does not match nm\n%s" % (addr, name, off, r)
    return names


def check_fault_dump(r, kind, ksym):
    """The exception dump of testfault=kind (not 'stack')."""
    what, cr2 = KINDS[kind]
    m = r.expect(
        r"^testfault: raising '%s'$" % kind,
        r"^CPU0: EXCEPTION %s error code (%s)$" % (re.escape(what), HEX),
        r"^ at RIP (%s) %s$" % (HEX, SYM),
        r"^ Backtrace:$",
        r"^CPU0: stopped\b",
    )
    rip, sym, off = m[2].group(1), m[2].group(2), m[2].group(3)
    assert sym == "arch_test_fault", r
    assert ksym("arch_test_fault") + int(off, 16) == int(rip, 16), \
        "RIP %s is not <arch_test_fault+%s> by nm\n%s" % (rip, off, r)
    regs = check_register_dump(r, m[1].end())
    assert int(regs["RIP"], 16) == int(rip, 16), r
    assert regs["CS"] == "0x0008", r
    if cr2 is not None:
        assert regs["CR2"] == cr2, "CR2 %s, want %s\n%s" % (regs["CR2"], cr2, r)
    if kind in ("pf", "null"):
        r.expect(r"^ page fault: read access, page not present, supervisor mode$")
    check_backtrace(r, m[1].end(), ["arch_test_fault", "vmm_main"], ksym)
    r.refute(r"^xvisor-x86: ready$")


def check_stack_dump(r, ksym):
    """The stack-protector panic of testfault=stack."""
    m = r.expect(
        r"^testfault: raising 'stack'$",
        r"^PANIC on CPU0: stack protector: .*$",
        r"^ Backtrace:$",
        r"^CPU0: stopped\b",
    )
    check_register_dump(r, m[1].end())
    check_backtrace(r, m[1].end(), ["__stack_chk_fail", "arch_test_fault"], ksym)
    r.refute(r"^xvisor-x86: ready$")


@pytest.mark.parametrize("kind", [
    "pf", "null", "ud",
    "gp",
    "de",
    "bp", "stack",
])
def test_fault_dump_and_poweroff_qemu(kind, elf, boot_qemu, ksym):
    """on_panic=poweroff: full dump, 'CPU0: stopped', then QEMU powers off."""
    # 'ready' means no exception was raised: no need to wait for the timeout
    r = boot_qemu(kernel=elf, append="testfault=%s on_panic=poweroff" % kind,
                  timeout=20, until=r"^xvisor-x86: ready$")
    if kind == "stack":
        check_stack_dump(r, ksym)
    else:
        check_fault_dump(r, kind, ksym)
    r.expect(r"^CPU0: stopped \(on_panic=poweroff: powering off\)\.$")
    assert r.exited, "QEMU did not power off after the dump\n%s" % r


def test_page_fault_bochs(make_iso, boot_bochs, ksym):
    """The same #PF dump through GRUB in Bochs, then Bochs powers off."""
    r = boot_bochs(make_iso("testfault=pf on_panic=poweroff"), timeout=30,
                   until=r"^xvisor-x86: ready$")
    r.expect(r"^cpu: GenuineIntel")
    check_fault_dump(r, "pf", ksym)
    assert r.exited, "Bochs did not power off after the dump\n%s" % r
    # ACPI S5 through the FADT (power.c tries it before Bochs' shutdown port)
    log = (r.workdir / "bochs.log").read_text(errors="replace")
    assert "ACPI control: soft power off" in log, log[-2000:]


@pytest.mark.parametrize("on_panic", ["", "on_panic=halt"])
def test_fault_stops_cpu_without_poweroff(on_panic, elf, boot_qemu, ksym):
    """Without on_panic=poweroff the CPU stops after the dump and the
    machine stays on (the test ends QEMU a second later)."""
    r = boot_qemu(kernel=elf, append=("testfault=ud " + on_panic).strip(),
                  timeout=20, until=r"^CPU0: stopped\.$", linger=1.0)
    assert r.matched, r
    check_fault_dump(r, "ud", ksym)
    r.refute(r"powering off")
    assert not r.exited, "QEMU ended although the CPU should only stop\n%s" % r
