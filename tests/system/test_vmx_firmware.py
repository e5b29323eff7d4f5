"""tests/system/test_vmx_firmware.py - what the hypervisor says when the
firmware or the CPU keeps VT-x from it (issue 15, item 3), and that it
keeps running without guests (the terminal answers).

- Bochs, a firmware that locked VT-x off: GRUB writes IA32_FEATURE_CONTROL
  (MSR 0x3a) = 1 (lock bit, VMX off) before it boots the hypervisor, as a
  PC's firmware does when "Intel Virtualization Technology" is disabled in
  its setup. Bochs' default BIOS (BIOS-bochs-latest) locks the MSR at 5
  itself, after which any write faults; BIOS-bochs-legacy leaves it
  unlocked, so these boots use that one (it has no ACPI tables: one CPU,
  no MADT). GRUB i386-pc runs grub.cfg twice here (the first time nothing
  reaches COM1), and a second unconditional wrmsr of the locked MSR faults
  (#GP, GRUB has no handler: Bochs stops), so the write is guarded by a
  read.
- Bochs with that BIOS and no write: the MSR is unlocked and the
  hypervisor sets VMX and locks it (the path real firmware that leaves the
  MSR alone takes).
- QEMU TCG: no VMX in CPUID, with the CPU's vendor GenuineIntel (not an
  Intel CPU with VT-x, or hidden) and with QEMU's default qemu64 CPU,
  whose vendor is AuthenticAMD (SVM is not supported).
"""
import re

from conftest import boot_bochs_terminal

LEGACY_BIOS = "/usr/share/bochs/BIOS-bochs-legacy"
LOCK_VMX_OFF = [
    ("rdmsr", 'rdmsr 0x3a -v fc'),
    ("wrmsr", 'if [ "$fc" = 0 ]; then wrmsr 0x3a 0x1; fi'),
    ("rdmsr", 'rdmsr 0x3a -v fc'),
    ("echo", 'echo "grub: MSR 0x3a = $fc"'),
]
LOCKED_OFF_ADVICE = (r"^vmx: VT-x is disabled in the firmware \(IA32_FEATURE_CONTROL locked "
                     r"without VMX\): enter the firmware setup \(often F2, Del or F10 at "
                     r"power-on\) and enable 'Intel Virtualization Technology' \(VT-x\), then "
                     r"power the machine off and on$")
VERSION_RE = r"^xvisor-x86 \S+ \(.*\)$"


def test_firmware_locked_vmx_off_bochs(make_iso):
    iso = make_iso('bootcmd="echo boot commands run"', grub_pre=LOCK_VMX_OFF)
    t = boot_bochs_terminal(iso, bios=LEGACY_BIOS)
    try:
        t.expect(r"grub: MSR 0x3a = 1$", timeout=120)     # after GRUB's terminal escapes
        t.expect(r"^vmx: IA32_FEATURE_CONTROL 0x1 \(locked, VMX outside SMX disabled, "
                 r"inside SMX disabled\)$", timeout=60)
        t.expect(r"^vmx: verdict: VMX not available: VT-x disabled in the firmware "
                 r"\(IA32_FEATURE_CONTROL locked without VMX\)$", timeout=10)
        t.expect(LOCKED_OFF_ADVICE, timeout=10)
        t.expect(r"^manager: hardware virtualization is not available: 2 guests not created$",
                 timeout=30)
        t.expect(r"^boot commands run$", timeout=30)
        # repeated where the boot ends, right before "ready"
        t.expect(LOCKED_OFF_ADVICE + r"\n(?:.*\n)??xvisor-x86: ready$", timeout=30)
        out = t.command("version", timeout=30)
        assert re.search(VERSION_RE, out, re.M), out
        text = t.text()
        assert "VMX operation entered" not in text, text
        assert "PANIC" not in text and "EXCEPTION" not in text, text
        t.send("poweroff\r")
        t.expect(r"^powering off$", timeout=30)
    finally:
        t.close()


def test_firmware_left_msr_unlocked_bochs(make_iso, boot_bochs):
    iso = make_iso('bootcmd="poweroff"', grub_pre=LOCK_VMX_OFF[2:])
    r = boot_bochs(iso, timeout=120, bios=LEGACY_BIOS, until=r"^powering off$")
    r.expect(r"grub: MSR 0x3a = 0$",     # after GRUB's terminal escapes
             r"^vmx: IA32_FEATURE_CONTROL 0x0 \(unlocked, VMX outside SMX disabled, inside SMX "
             r"disabled\): the hypervisor enables VMX and locks it$",
             r"^vmx: verdict: VMX usable$",
             r"^vmx: CPU0: IA32_FEATURE_CONTROL was unlocked; set to 0x5 and locked$",
             r"^vmx: CPU0: VMX operation entered",
             r"^powering off$")
    r.refute(r"^vmx: VT-x is disabled|PANIC|EXCEPTION")


def test_no_vmx_in_cpuid_intel_vendor_qemu(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append='bootcmd="echo alive"', timeout=30,
                  extra=["-cpu", "qemu64,vendor=GenuineIntel"], until=r"^xvisor-x86: ready$")
    advice = (r"^vmx: the CPU does not show VT-x \(VMX\) in CPUID: either it is not an Intel "
              r"CPU with VT-x, or a hypervisor or the firmware hides it .*; no guests can run$")
    r.expect(r"^cpu: GenuineIntel ", r"^vmx: CPUID VMX no$",
             r"^vmx: verdict: VMX not available: no VMX in CPUID$", advice,
             r"^alive$", advice, r"^xvisor-x86: ready$")
    r.refute(r"AMD")


def test_amd_cpu_qemu(elf, boot_qemu):
    r = boot_qemu(kernel=elf, append='bootcmd="echo alive"', timeout=30,
                  until=r"^xvisor-x86: ready$")
    advice = (r"^vmx: this is an AMD CPU \(AuthenticAMD\): AMD-V \(SVM\) is not supported by "
              r"this hypervisor, which needs Intel VT-x; no guests can run$")
    r.expect(r"^cpu: AuthenticAMD ", r"^vmx: verdict: VMX not available: no VMX in CPUID$",
             advice, r"^alive$", advice, r"^xvisor-x86: ready$")
