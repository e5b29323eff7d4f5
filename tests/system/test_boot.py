"""tests/system/test_boot.py - boot xvisor-x86 in Bochs (GRUB, Multiboot2,
VMX) and QEMU TCG (GRUB ISO and QEMU's own Multiboot(1) loader, no VMX) and
check the boot report, the command-line options and the bootcmd= hook."""
VERSION = r"^xvisor-x86 \d+\.\d+\.\d+ \([^)]*\) - type-1 hypervisor for x86-64"
READY = r"^xvisor-x86: ready$"
TROUBLE = r"EXCEPTION|PANIC|error|power-off failed|malformed"


def test_bochs_boot_report_and_poweroff(make_iso, boot_bochs):
    """GRUB/Multiboot2 in Bochs: the whole boot report in order, the VMX
    capabilities EPT, VPID and unrestricted guest, then bootcmd's poweroff
    (which comes before 'ready') ends Bochs."""
    r = boot_bochs(make_iso('bootcmd="poweroff"'), timeout=30, until=READY)
    m = r.expect(
        VERSION,
        r'^boot: loader "GRUB [^"]+" \(Multiboot2\), firmware BIOS$',
        r"^boot: screen framebuffer 1024x768x32 at 0x[0-9a-f]+, pitch 4096$",
        r'^boot: cmdline "bootcmd=poweroff"$',
        r"^cpu: GenuineIntel family \d+ model \d+",
        r"^mem: usable (\d+) KiB",
        r"^boot: no modules$",
        r"^vmx: CPUID VMX yes$",
        r"^vmx: EPT yes .*INVEPT yes.*VPID yes",
        r"^vmx: unrestricted guest yes",
        r"^vmx: verdict: VMX usable$",
        r"^bootcmd> poweroff$",
        r"^powering off$",
    )
    assert int(m[5].group(1)) > 0, r
    # bootcmd runs before the hypervisor reports ready: poweroff wins
    r.refute(READY)
    r.refute(TROUBLE)
    r.refute(r"cmdline: unknown option")
    assert r.exited, "Bochs did not power off by itself\n%s" % r
    # ACPI S5 through the FADT (power.c tries it before Bochs' shutdown port)
    log = (r.workdir / "bochs.log").read_text(errors="replace")
    assert "ACPI control: soft power off" in log, log[-2000:]


def test_bochs_grub_modules(tmp_path, make_iso, boot_bochs):
    """Two Multiboot2 modules through GRUB are listed by name with their
    exact sizes, at distinct, non-overlapping addresses."""
    a = tmp_path / "alpha.bin"
    a.write_bytes(bytes(range(256)) * 11 + b"xyz")          # 2819 bytes
    b = tmp_path / "beta.txt"
    b.write_bytes(b"beta module\n" * 5000)                  # 60000 bytes
    r = boot_bochs(make_iso('bootcmd="poweroff"', [a, b]), timeout=30, until=READY)
    m = r.expect(
        r'^boot: loader "GRUB [^"]+" \(Multiboot2\), firmware BIOS$',
        r'^module: "alpha\.bin" 2819 bytes at 0x([0-9a-f]+)$',
        r'^module: "beta\.txt" 60000 bytes at 0x([0-9a-f]+)$',
        r"^vmx: verdict: VMX usable$",
        r"^powering off$",
    )
    start_a, start_b = int(m[1].group(1), 16), int(m[2].group(1), 16)
    assert start_a >= 0x100000 and start_b >= 0x100000, r
    assert start_a + 2819 <= start_b or start_b + 60000 <= start_a, r
    r.refute(r"^boot: no modules$")
    r.refute(TROUBLE)
    assert r.exited, r


def test_qemu_iso_no_vmx_then_ready(default_iso, boot_qemu):
    """QEMU TCG through GRUB: no VMX in CPUID is reported cleanly, then the
    hypervisor is ready and keeps running (the test ends it)."""
    r = boot_qemu(iso=default_iso, timeout=20, until=READY, linger=0.3)
    assert r.matched, r
    r.expect(
        VERSION,
        r'^boot: loader "GRUB [^"]+" \(Multiboot2\), firmware BIOS$',
        r"^cpu: \w+ family \d+",
        r"^mem: usable [1-9]\d* KiB",
        r"^vmx: CPUID VMX no$",
        r"^vmx: verdict: VMX not available: no VMX in CPUID$",
        READY,
    )
    r.refute(r"VMX usable")
    r.refute(TROUBLE)
    assert not r.exited, "QEMU ended although the hypervisor should idle\n%s" % r


def test_qemu_multiboot1_kernel_and_modules(tmp_path, elf, boot_qemu):
    """QEMU -kernel (Multiboot(1)): the loader line says Multiboot, the
    -append command line is echoed verbatim, -initrd modules are listed
    with their sizes in order."""
    m1 = tmp_path / "first.img"
    m1.write_bytes(b"\x5a" * 12345)
    m2 = tmp_path / "second.img"
    m2.write_bytes(b"\xa5" * 777)
    r = boot_qemu(kernel=elf, append="loglevel=6 bootcmd=poweroff",
                  initrd=[m1, m2], timeout=20, until=READY)
    r.expect(
        VERSION,
        r'^boot: loader "[^"]*" \(Multiboot\), firmware unknown$',
        r'^boot: cmdline "loglevel=6 bootcmd=poweroff"$',
        r'^module: "[^"]*first\.img" 12345 bytes at 0x[0-9a-f]+$',
        r'^module: "[^"]*second\.img" 777 bytes at 0x[0-9a-f]+$',
        r"^vmx: verdict: VMX not available: no VMX in CPUID$",
        r"^powering off$",
    )
    r.refute(r"\(Multiboot2\)")
    r.refute(r"cmdline: unknown option")
    assert r.exited, r


def test_loglevel_3_hides_info_and_warnings(elf, boot_qemu):
    """loglevel=3: no info lines (loader, cpu, mem, vmx, ready) and no
    warnings (the unknown option), but command output still shows."""
    r = boot_qemu(kernel=elf, append='loglevel=3 no_such_option bootcmd="nosuchcmd; poweroff"',
                  timeout=20, until=READY)
    r.expect(
        r"^error: unknown command 'nosuchcmd'",
        r"^powering off$",
    )
    for info in (r"^boot: loader", r"^boot: cmdline", r"^cpu: ", r"^mem: ",
                 r"^vmx: ", r"^paging: ", r"^acpi: ", READY,
                 r"cmdline: unknown option"):
        r.refute(info)
    assert r.exited, r


def test_unknown_and_bad_options_warned(elf, boot_qemu):
    """An unknown option is named in a warning and ignored; known options
    with bad values are reported; valid known options are not warned about."""
    r = boot_qemu(kernel=elf,
                  append="frobnicate=1 loglevel=9 on_panic=explode testfault=zz bootcmd=poweroff",
                  timeout=20, until=READY)
    r.expect(r"^cmdline: loglevel=9 is not 0\.\.7; keeping \d$")
    r.expect(r"^cmdline: on_panic=explode is not 'halt' or 'poweroff'$")
    r.expect(r"^cmdline: unknown option 'frobnicate' ignored$")
    r.expect(r"^testfault: unknown kind 'zz'", r"^powering off$")
    for known in ("loglevel", "on_panic", "testfault", "bootcmd"):
        r.refute(r"unknown option '%s'" % known)
    assert r.exited, r


def test_bootcmd_commands(elf, boot_qemu):
    """bootcmd= runs its commands in order: echo, meminfo, an unknown
    command (an error, then the script goes on), version, help, poweroff."""
    r = boot_qemu(kernel=elf, timeout=20, until=READY, append=(
        'bootcmd="echo hello   world; meminfo; nosuchcmd; version; help; poweroff"'))
    m = r.expect(
        r"^bootcmd> echo hello   world$", r"^hello world$",
        r"^bootcmd> +meminfo$", r"^pages: (\d+) KiB managed, (\d+) KiB free",
        r"^heap: \d+ objects",
        r"^bootcmd> +nosuchcmd$", r"^error: unknown command 'nosuchcmd' \(try 'help'\)$",
        r"^bootcmd> +version$", r"^xvisor-x86 \d+\.\d+\.\d+ \(",
        r"^bootcmd> +help$",
        r"^bootcmd> +poweroff$", r"^powering off$",
    )
    managed, free = int(m[3].group(1)), int(m[3].group(2))
    assert 0 < free <= managed, r
    help_text = r.output[m[9].end():m[10].start()]
    for cmd in ("help", "echo", "version", "meminfo", "poweroff"):
        assert "\n  %s " % cmd in help_text, "help does not list %s\n%s" % (cmd, r)
    r.refute(READY)
    assert r.exited, r


def test_bootcmd_through_grub(make_iso, boot_qemu):
    """bootcmd= with several commands given on GRUB's multiboot2 line: GRUB
    passes a word holding spaces as "bootcmd=echo via grub; poweroff"."""
    r = boot_qemu(iso=make_iso('bootcmd="echo via grub; poweroff"'), timeout=20, until=READY)
    r.expect(r"^bootcmd> echo via grub$", r"^via grub$", r"^powering off$")
    r.refute(r"cmdline: unknown option")
    assert r.exited, r
