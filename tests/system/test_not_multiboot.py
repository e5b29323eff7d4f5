"""tests/system/test_not_multiboot.py - the 32-bit entry (boot/entry32.asm)
refuses to go on when it was not started by a Multiboot loader, or when the
CPU has no long mode, and says so on COM1.

A non-Multiboot start is made in Bochs: its debugger stops at _start32
(physical address from nm), where GRUB has just put the Multiboot2 magic
in EAX, replaces EAX with 0x12345678 and continues."""
import re


def test_not_started_by_multiboot_bochs(ksym, make_iso, boot_bochs):
    start32 = ksym("_start32")
    rc = "lb 0x%x\nc\nr\nset eax = 0x12345678\nr\nc\n" % start32
    r = boot_bochs(make_iso("loglevel=6"), timeout=30, rc=rc,
                   until=r"not started by a Multiboot2", linger=0.3)
    # the debugger stopped at _start32 with GRUB's magic, and EAX was replaced
    assert "Breakpoint 1, 0x%016x" % start32 in r.log, r.log[-3000:]
    # the two 'r' dumps: before 'set eax' GRUB's Multiboot2 magic, after it ours
    rax = re.findall(r"^rax: ([0-9a-f_]+)$", r.log, re.M)
    assert rax == ["00000000_36d76289", "00000000_12345678"], r.log[-3000:]
    assert r.matched, r
    r.expect(r"^xvisor-x86: not started by a Multiboot2 \(or Multiboot\) loader; "
             r"boot it with GRUB 'multiboot2'\. CPU stopped\.$")
    # GRUB ran, the kernel's C code never did
    r.expect(r"Booting `xvisor-x86")
    r.refute(r"type-1 hypervisor")
    r.refute(r"^boot: ")
    r.refute(r"xvisor-x86: ready")
    assert not r.exited, "Bochs ended although the CPU should only stop\n%s" % r


def test_no_long_mode_qemu(elf, boot_qemu):
    """A 32-bit-only CPU (QEMU -cpu qemu32) is refused with a message."""
    r = boot_qemu(kernel=elf, extra=["-cpu", "qemu32"], timeout=20,
                  until=r"no 64-bit long mode", linger=0.3)
    assert r.matched, r
    r.expect(r"^xvisor-x86: this CPU has no 64-bit long mode\. CPU stopped\.$")
    r.refute(r"type-1 hypervisor")
    assert not r.exited, r
