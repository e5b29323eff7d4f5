"""tests/system/test_smp.py - the host's other CPUs and the physical signals
a guest can meet: SMP bring-up with VMX on every CPU, maxcpus=, power-off
and panic with two CPUs, host NMIs in root and non-root operation, and
physical INIT and SIPI while a guest runs (the INIT, SIPI and NMI VM-exit
handlers), driven by testsignal= (CPU1 sends the signals to CPU0).

Bochs (VMX) runs with two CPUs; QEMU TCG (-smp 2, no VMX) for what needs no
guest. Guests: tests/guests/nmispin.asm and initsipi.asm with
tests/system/dts/smp-*.dts.

Bochs 2.7 (the only VT-x machine here) keeps an INIT pending after the INIT
VM exit delivered it (fixed in Bochs 2.8): once CPU0 took one INIT exit,
every later VM entry in the active state on CPU0 exits with INIT again, so
a guest restarted by SIPI cannot run an instruction there. The hypervisor
says so ("delivers a taken INIT again"); the INIT+SIPI test then checks the
SIPI's start address from that second INIT exit, and the guest's own checks
of its INIT state (initsipi.asm) where the emulator is fixed.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
TROUBLE = r"PANIC|EXCEPTION|did not start|did not stop|does not answer|VM entry failed|rejected: "
STALE_INIT = r"^vmx: CPU0: \d+ INIT exits but 1 INIT sent to this CPU: it delivers a taken INIT again"


def bochs_run(make_dtb, make_iso, boot_bochs, guest_bin, config, images, cmdline,
              timeout=120):
    dtb = make_dtb(DTS_DIR / (config + ".dts"))
    iso = make_iso(cmdline, [dtb] + [guest_bin(g) for g in images])
    return boot_bochs(iso, timeout=timeout, cpus=2)


def line(guest, text):
    return r"^%s: %s$" % (re.escape(guest), text)


# --------------------------------------------------------------------------
# Part 1: bring-up, maxcpus, power-off, panic
# --------------------------------------------------------------------------
def test_bochs_two_cpus_vmx_guests_and_poweroff(make_iso, boot_bochs, guest_bin, build):
    """Bochs with 2 CPUs: each CPU enters VMX operation with a VMXON region
    of its own, the summary names both APIC ids, the default guests (the
    Bochs configuration: the counter and echo demo guests) run, and
    power-off has the other CPU (the boot commands run in a thread that may
    be on either) leave VMX operation before the machine goes."""
    dtb = REPO / "build" / "dtb" / "bochs.dtb"
    r = boot_bochs(make_iso('bootcmd="guest kick all; sleep 2500; poweroff"',
                            [dtb, guest_bin("counter"), guest_bin("echo")]),
                   timeout=90, cpus=2)
    m = r.expect(r"^vmx: verdict: VMX usable$",
                 r"^vmx: CPU0: VMX operation entered \(VMXON region (0x[0-9a-f]+),",
                 r"^vmx: CPU1: VMX operation entered \(VMXON region (0x[0-9a-f]+),",
                 r"^smp: 2 CPUs online \(APIC ids 0 1\)$",
                 r"^counter: tick 2$",
                 r"^powering off$",
                 r"^smp: CPU[01]: left VMX operation, stopped$")
    assert m[1].group(1) != m[2].group(1), "CPU0 and CPU1 share a VMXON region\n%s" % r
    r.expect(r"^echo: echo guest: every byte typed at uart0 comes back")
    r.refute(r"/vcpu0 halted|unexpected CPU exception")
    r.refute(TROUBLE)
    r.refute(r"cmdline: unknown option")
    assert r.exited, r


def test_bochs_maxcpus_1_leaves_cpu1_down(make_iso, boot_bochs):
    """maxcpus=1 on a 2-CPU Bochs: CPU1 is not started, never enters VMX,
    and power-off has no other CPU to stop."""
    r = boot_bochs(make_iso('maxcpus=1 bootcmd="poweroff"'), timeout=40, cpus=2)
    r.expect(r"^vmx: CPU0: VMX operation entered",
             r"^smp: maxcpus=1: 1 of the 2 CPUs are started$",
             r"^smp: 1 CPU online \(APIC ids 0\)$",
             r"^powering off$")
    r.refute(r"CPU1")
    r.refute(TROUBLE)
    assert r.exited, r


def host_block(out, path):
    """The text `devtree print PATH` printed (from its header to the next prompt)."""
    start = out.index("bootcmd> devtree print %s" % path)
    end = out.find("bootcmd>", start + 10)
    return out[start:end if end > 0 else len(out)]


def test_bochs_host_tree_two_cpus_and_scheduling_attributes(make_dtb, make_iso, boot_bochs):
    """Bochs with 2 CPUs: /host/cpus holds both CPUs as found (index, APIC
    id, status "okay"), the configuration's cpu0 is merged quietly and its
    cpu3 (no such CPU) is marked "absent" with a message naming the path;
    /host/memory is the boot memory map; the guest's affinity and start
    attributes reach the summary and a bad guest is rejected naming them."""
    dtb = make_dtb(DTS_DIR / "smp-hostcfg.dts")
    r = boot_bochs(make_iso('bootcmd="devtree print /host; poweroff"', [dtb]),
                   timeout=60, cpus=2)
    r.expect(r"^smp: 2 CPUs online \(APIC ids 0 1\)$",
             r"^host: /host/cpus/cpu3: no such CPU was found \(2 CPUs known\): "
             r"marked status = \"absent\"$",
             r"^host: /host/cpus: 2 CPUs, 2 online$",
             r"^guest pinned: 2 VCPUs, 1 regions, 1024 KiB RAM/ROM to allocate, all VCPUs start$",
             r"^  pinned/vcpu0: start_pc 0xffff0, time slice 10000 us, priority 0, host CPUs 0$",
             r"^  pinned/vcpu1: start_pc 0xffff0, time slice 10000 us, priority 7, host CPUs 0 1$")
    r.expect(r"^config: guest 'badaff' rejected, 3 problems:$",
             r"^config:   /guests/badaff/vcpus/vcpu0: affinity: host CPU 8 is out of range \(0\.\.7\)$",
             r"^config:   /guests/badaff/vcpus/vcpu0: affinity: host CPU 1 is listed twice$",
             r"^config:   /guests/badaff: start \"every\" is not \"boot\" or \"all\"$")
    r.refute(r"replaced by the value found")
    out = str(r)
    cpus = host_block(out, "/host")
    for i in (0, 1):
        m = re.search(r"cpu%d \{\s*(.*?)\s*\};" % i, cpus, re.S)
        assert m, "no cpu%d in:\n%s" % (i, cpus)
        body = m.group(1)
        for attr in ('device_type = "cpu";', "reg = <0x%x>;" % i,
                     "apic_id = <0x%x>;" % i, 'status = "okay";'):
            assert attr in body, "cpu%d lacks %s:\n%s" % (i, attr, body)
    assert re.search(r'cpu3 \{\s*\s*device_type = "cpu";\s*status = "absent";', cpus), cpus
    assert "serial0 {" in cpus and "io_port = <0x3f8>;" in cpus, cpus
    # the memory map: RAM at 0 and from 1 MiB (Bochs, 128 MiB), 'usable'
    ranges = re.findall(r"range\d+ \{\s*\s*base = /bits/ 64 <(0x[0-9a-f]+)>;\s*"
                        r"\s*size = /bits/ 64 <(0x[0-9a-f]+)>;\s*\s*type = \"([^\"]+)\";", cpus)
    assert ranges, cpus
    usable = [(int(b, 16), int(s, 16)) for b, s, t in ranges if t == "usable"]
    assert any(b == 0 for b, s in usable), ranges
    assert any(b == 0x100000 and s > 100 * 2**20 for b, s in usable), ranges
    m = re.search(r"usable_size = /bits/ 64 <(0x[0-9a-f]+)>;", cpus)
    assert m and int(m.group(1), 16) == sum(s for b, s in usable), cpus
    r.refute(TROUBLE)
    assert r.exited, r


def test_qemu_maxcpus_1_reports_cpu1_disabled(elf, boot_qemu):
    """QEMU -smp 2 with maxcpus=1: /host/cpus still lists CPU1 (from the
    MADT) with its APIC id, status "disabled"."""
    r = boot_qemu(kernel=elf, append='maxcpus=1 bootcmd="devtree print /host/cpus; poweroff"',
                  extra=("-smp", "2"), timeout=20)
    r.expect(r"^smp: 1 CPU online \(APIC ids 0\)$", r"^host: /host/cpus: 2 CPUs, 1 online$")
    cpus = host_block(str(r), "/host/cpus")
    assert re.search(r'cpu0 \{\s*\s*device_type = "cpu";\s*reg = <0x0>;\s*\s*apic_id = <0x0>;'
                     r'\s*status = "okay";', cpus), cpus
    assert re.search(r'cpu1 \{\s*\s*device_type = "cpu";\s*reg = <0x1>;\s*\s*apic_id = <0x1>;'
                     r'\s*status = "disabled";', cpus), cpus
    r.refute(TROUBLE)
    assert r.exited, r


def test_qemu_smp2_brings_up_cpu1_without_vmx(elf, boot_qemu):
    """QEMU TCG -smp 2: CPU1 is started through the trampoline although
    there is no VMX; the verdict is refused as on one CPU, and power-off
    stops CPU1 (no VMX operation to leave)."""
    r = boot_qemu(kernel=elf, append="bootcmd=poweroff", extra=("-smp", "2"), timeout=20)
    r.expect(r"^vmx: verdict: VMX not available: no VMX in CPUID$",
             r"^smp: 2 CPUs online \(APIC ids 0 1\)$",
             r"^powering off$",
             r"^smp: CPU[01]: stopped$")
    r.refute(r"VMX operation entered")
    r.refute(TROUBLE)
    assert r.exited, r


def test_qemu_one_cpu_and_maxcpus(elf, boot_qemu):
    """One CPU: the summary says so; maxcpus=0 is refused with a warning."""
    r = boot_qemu(kernel=elf, append="maxcpus=0 bootcmd=poweroff", timeout=20)
    r.expect(r"^cmdline: maxcpus=0 is not a number of CPUs \(1 or more\); starting all$",
             r"^smp: 1 CPU online \(APIC ids 0\)$",
             r"^powering off$")
    r.refute(TROUBLE)


def test_panic_stops_the_other_cpu_by_nmi(elf, boot_qemu):
    """A fatal exception on CPU0 with 2 CPUs: CPU1 is stopped by an NMI
    first (its NMI handler sees the stop request and halts quietly), so
    the power-off that follows finds it stopped already: no stop call, no
    'host NMI' report."""
    r = boot_qemu(kernel=elf, append="testfault=ud on_panic=poweroff",
                  extra=("-smp", "2"), timeout=20)
    r.expect(r"^smp: 2 CPUs online \(APIC ids 0 1\)$",
             r"^CPU0: EXCEPTION #UD invalid opcode",
             r"^CPU0: stopped \(on_panic=poweroff: powering off\)\.$")
    r.refute(r"^smp: CPU1: (left VMX operation, )?stopped$")
    r.refute(r"host NMI|did not stop|does not answer")
    assert r.exited, r


# --------------------------------------------------------------------------
# host NMIs
# --------------------------------------------------------------------------
def test_host_nmi_in_root_operation(elf, boot_qemu):
    """testsignal=rootnmi: an NMI while CPU0 is in root operation goes to the
    IDT's NMI handler (IST 4), which is not a stop request: reported with
    the RIP it interrupted, and CPU0 goes on to run bootcmd."""
    r = boot_qemu(kernel=elf, append='testsignal=rootnmi bootcmd="sleep 100; echo ALIVE; poweroff"',
                  extra=("-smp", "2"), timeout=20)
    r.expect(r"^testsignal: CPU1: NMI to CPU0 in root operation$",
             r"^host NMI on CPU0 at RIP 0x[0-9a-f]+ <\w+\+0x[0-9a-f]+>: not a stop request, ignored$",
             r"^ALIVE$",
             r"^powering off$")
    r.refute(TROUBLE)
    assert r.exited, r


def test_host_nmi_while_guest_runs(make_dtb, make_iso, boot_bochs, guest_bin):
    """testsignal=nmi: the NMI reaches CPU0 while nmispin runs and exits
    (NMI exiting): it is the host's, reported once with the guest and VCPU,
    counted as an exception/NMI exit, not reflected into the guest, which
    goes on printing progress and ends with PASS; hello, kicked after it,
    runs on."""
    r = bochs_run(make_dtb, make_iso, boot_bochs, guest_bin, "smp-nmi", ["nmispin", "hello"],
                  'testsignal=nmi bootcmd="guest kick nmispin; sleep 150; guest kick hello; '
                  'guest wait; vcpu stats nmispin/vcpu0; poweroff"')
    r.expect(line("nmispin", "spinning"),
             r"^testsignal: CPU1: NMI to CPU0$",
             r"^host NMI on CPU0 while guest nmispin vcpu0 ran \(RIP 0x[0-9a-f]+\): not a stop request, ignored$",
             line("nmispin", "progress"),
             line("nmispin", "PASS nmi-guest-kept-running"),
             r"^guest nmispin: nmispin/vcpu0 shut down with status 0$")
    # an NMI that lands while CPU0 is in root operation (handling one of
    # the guest's exits, or its idle VCPU running the bootcmd) is the
    # root-mode case, reported as such; the sender then tries again until
    # one exits from the guest: exactly one does
    assert len(re.findall(r"^host NMI on CPU0 while guest", r.output, re.M)) == 1, r
    m = r.expect(r"^nmispin/vcpu0: VM exits by reason", r"^  total +\d+")
    table = r.output[m[0].end():m[1].start()]
    assert re.search(r"^ +0 +exception or NMI +1 ", table, re.M), table
    r.expect(r"^guest hello: hello/vcpu0 shut down with status 0$", r"^powering off$")
    r.refute(TROUBLE)
    r.refute(r"INIT received|SIPI vector")


# --------------------------------------------------------------------------
# INIT and SIPI
# --------------------------------------------------------------------------
def test_init_then_sipi_restarts_the_vcpu(make_dtb, make_iso, boot_bochs, guest_bin):
    """testsignal=init,sipi:09 while initsipi spins: the INIT exit puts the
    VCPU in the INIT state waiting for SIPI (it spins no more: no FAIL),
    the announced SIPI exits with vector 0x09 and starts it at 0900:0000.
    With Bochs 2.7 the INIT taken stays pending, so the very next entry
    exits with INIT again before an instruction ran: that exit shows where
    the SIPI started the VCPU (0900:0000), and that VM entry with the
    SIPI's state succeeded. On an emulator without that bug the guest runs
    there and checks its INIT state itself (PASS lines, status 0)."""
    r = bochs_run(make_dtb, make_iso, boot_bochs, guest_bin, "smp-initsipi", ["initsipi"],
                  'testsignal=init,sipi:09 bootcmd="guest kick initsipi; sleep 300; guest wait; '
                  'vcpu stats initsipi/vcpu0; poweroff"')
    r.expect(line("initsipi", "first start"),
             r"^testsignal: CPU1: INIT to CPU0$",
             r"^guest initsipi: vcpu0: INIT received at f000:[0-9a-f]{4}: waiting for SIPI$",
             r"^testsignal: CPU1: SIPI vector 0x09 to CPU0$",
             r"^guest initsipi: vcpu0: SIPI vector 0x09: starting at 0x9000$")
    assert len(re.findall(r"first start", r.output)) == 1, r
    r.refute(r"FAIL")
    m = r.expect(r"^initsipi/vcpu0: VM exits by reason", r"^  total +\d+")
    table = r.output[m[0].end():m[1].start()]
    assert re.search(r"^ +4 +SIPI +1 ", table, re.M), table
    if r.search(STALE_INIT):
        r.expect(r"^guest initsipi: vcpu0: SIPI vector 0x09: starting at 0x9000$",
                 STALE_INIT,
                 r"^guest initsipi: vcpu0: INIT received at 0900:0000: waiting for SIPI$")
    else:
        r.expect(line("initsipi", "started by SIPI at 0900:0000"),
                 line("initsipi", "PASS init-cr0-60000010"),
                 line("initsipi", "PASS init-idt-base-zero"),
                 r"^guest initsipi: initsipi/vcpu0 shut down with status 0$")
    r.expect(r"^powering off$")
    r.refute(TROUBLE)


def test_init_alone_waits_for_sipi_and_the_host_runs_on(make_dtb, make_iso, boot_bochs, guest_bin):
    """testsignal=init with no SIPI: the VCPU is left PAUSED in the INIT
    state (a VCPU in wait-for-SIPI would hold CPU0 for good: neither the
    preemption timer nor interrupts end that state), so `guest wait`
    returns, timers and commands go on and power-off is clean. Its VMCS
    and registers hold the architectural INIT state: CS 0xf000 base
    0xffff0000 RIP 0xfff0, RFLAGS 2, CR0 0x60000010 as the guest sees it,
    CR4 0, EFER 0, EDX the CPU signature."""
    r = bochs_run(make_dtb, make_iso, boot_bochs, guest_bin, "smp-initsipi", ["initsipi"],
                  'testsignal=init bootcmd="guest kick initsipi; guest wait; vcpu list; '
                  'vcpu dumpreg initsipi/vcpu0; sleep 50; echo ALIVE; poweroff"')
    r.expect(line("initsipi", "first start"),
             r"^testsignal: CPU1: INIT to CPU0$",
             r"^guest initsipi: vcpu0: INIT received at f000:[0-9a-f]{4}: waiting for SIPI$",
             r"^guest wait: no VCPU can run; 1 paused",
             r"^ +\d+ +initsipi/vcpu0 +normal +PAUSED",
             r"^  initsipi/vcpu0: RIP 0xfff0 RSP 0x0 RFLAGS 0x2 CS 0xf000 \(base 0xffff0000\)$",
             r"^  initsipi/vcpu0: CR0 0x60000030 \(shadow 0x60000010\) CR3 0x0 CR4 0x2000 \(shadow 0x0\) EFER 0x0$",
             r"^  initsipi/vcpu0: RAX 0x0 RBX 0x0 RCX 0x0 RDX 0x[1-9a-f][0-9a-f]* ",
             r"^ALIVE$",
             r"^powering off$",
             r"^smp: CPU[01]: left VMX operation, stopped$")
    r.refute(r"FAIL|SIPI vector")
    r.refute(TROUBLE)


# --------------------------------------------------------------------------
# testsignal= itself
# --------------------------------------------------------------------------
def test_testsignal_unknown_kind_sends_nothing(elf, boot_qemu):
    """An unknown kind anywhere in the list is named with the option and
    nothing at all is sent."""
    r = boot_qemu(kernel=elf, append="testsignal=nmi,bogus bootcmd=poweroff",
                  extra=("-smp", "2"), timeout=20)
    r.expect(r"^testsignal: 'bogus' in testsignal=nmi,bogus is not nmi, init, "
             r"sipi:<hex vector> or rootnmi \(at most 8\): nothing sent$",
             r"^powering off$")
    r.refute(r"testsignal: CPU1")


def test_testsignal_needs_two_cpus(elf, boot_qemu):
    """With one CPU (maxcpus=1 of two) the option says it needs 2 CPUs."""
    r = boot_qemu(kernel=elf, append="maxcpus=1 testsignal=nmi bootcmd=poweroff",
                  extra=("-smp", "2"), timeout=20)
    r.expect(r"^smp: 1 CPU online \(APIC ids 0\)$",
             r"^testsignal: needs 2 CPUs \(CPU1 sends the signals to CPU0\); nothing sent$",
             r"^powering off$")
    r.refute(r"testsignal: CPU1")
