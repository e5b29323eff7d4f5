"""tests/system/test_mboot.py - the isa-debug-exit test-exit device
(devemu/isa_debug_exit.c) and Multiboot v1 guest kernels (kernel/mb1_*.c,
the C test guest tests/guests/mbtest.c) in Bochs, next to a guest that
keeps running.

dbgexit (tests/guests/dbgexit.asm) writes 0x2A to port 0xF4: the
hypervisor prints "guest dbgexit: isa-debug-exit: status 85" and halts it;
tick (tests/guests/tick.asm) must keep printing tick lines after that.
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DTS_DIR = REPO / "tests" / "system" / "dts"
BOOTCMD = "guest kick all; sleep 400; poweroff"


def ticks_after(r, pos):
    """tick's 'tick N' counters printed after offset pos of the transcript."""
    return [int(n, 16) for n in re.findall(r"^tick: tick 0x([0-9A-F]+) ", r.output[pos:], re.M)]


def test_isa_debug_exit_ends_only_its_guest(make_dtb, make_iso, boot_bochs, guest_bin):
    """dbgexit ends with status (0x2A << 1) | 1 = 85 and its VCPU halted
    with that reason; nothing after its write ran; tick ticks on."""
    dtb = make_dtb(DTS_DIR / "mboot-dbgexit.dts")
    iso = make_iso('bootcmd="%s"' % BOOTCMD, [dtb, guest_bin("dbgexit"), guest_bin("tick")])
    r = boot_bochs(iso, timeout=120)
    r.expect(r"config: module mboot-dbgexit\.dtb DTB, 0 problems in the tree",
             r"^dbgexit: PASS dbgexit-start$",
             r"^guest dbgexit: isa-debug-exit: status 85$",
             r"^guest dbgexit dbgexit/vcpu0 halted: isa-debug-exit: status 85$",
             r"^powering off$")
    r.refute(r"PANIC|EXCEPTION|rejected: |FAIL |^guest tick tick/vcpu0 halted")
    pos = r.output.index("isa-debug-exit: status 85")
    later = ticks_after(r, pos)
    assert len(later) >= 3, "tick did not keep running after dbgexit ended\n%s" % r


# --------------------------------------------------------------------------
# the Multiboot C test kernel (tests/guests/mbtest.c)
# --------------------------------------------------------------------------
MB_CHECKS = ["mb-magic", "mb-cpu-cr0", "mb-cpu-eflags", "mb-cpu-segments", "mb-bss", "mb-flags",
             "mb-mem", "mb-mmap", "mb-cmdline", "mb-loader-name", "mb-mods-count", "mb-mod1",
             "mb-mod2", "mb-mods-placed", "mb-info-place"]
MB_BOOTCMD = "guest kick all; sleep 600; guest reset mbtest; sleep 600; poweroff"
GUEST_SRC = REPO / "tests" / "guests"


def test_multiboot_kernel_with_modules_and_reset(make_dtb, make_iso, boot_bochs, guest_bin):
    """mbtest.elf, loaded by the hypervisor as a Multiboot kernel with a
    command line and two modules, passes every check, ends through
    isa-debug-exit with status (0 << 1) | 1 = 1; `guest reset` (cold)
    reloads it and rebuilds the information, so it passes all again; tick
    runs throughout. mbbad, whose multiboot_kernel is a text file, is
    refused with a message naming the guest, the image and the problem."""
    dtb = make_dtb(DTS_DIR / "mboot-mbtest.dts")
    elf = guest_bin("tick").parent / "mbtest.elf"
    assert elf.is_file(), "build/guests/mbtest.elf missing (make all)"
    iso = make_iso('bootcmd="%s"' % MB_BOOTCMD,
                   [dtb, elf, GUEST_SRC / "mbmod1.txt", GUEST_SRC / "mbmod2.txt", guest_bin("tick")])
    r = boot_bochs(iso, timeout=180)
    r.expect(r"config: module mboot-mbtest\.dtb DTB, 0 problems in the tree",
             r"^guest mbtest: Multiboot kernel 'mbtest\.elf' \(ELF32, 1 segments at 0x100000-0x[0-9a-f]+\) "
             r"loaded, entry 0x10000c, 2 modules, information at 0x[0-9a-f]+$",
             r"^powering off$")
    r.expect(r"^guest mbbad: Multiboot kernel 'mbmod2\.txt' refused: no Multiboot header "
             r"\(magic 0x1badb002, 4-byte aligned\) in its first 8192 bytes$")
    r.refute(r"PANIC|EXCEPTION|rejected: |^mbtest: FAIL |^guest tick tick/vcpu0 halted|^mbbad: ")
    for name in MB_CHECKS:
        n = len(re.findall(r"^mbtest: PASS %s$" % re.escape(name), r.output, re.M))
        assert n == 2, "mbtest: PASS %s seen %d times (want 2: boot and reset)\n%s" % (name, n, r)
    exits = [m.start() for m in re.finditer(r"^guest mbtest: isa-debug-exit: status 1$", r.output, re.M)]
    assert len(exits) == 2, "mbtest did not end twice with status 1\n%s" % r
    reset = r.output.index("guest mbtest: reset (RAM cleared, images reloaded)")
    assert exits[0] < reset < exits[1], r
    assert len(ticks_after(r, exits[1])) >= 2, "tick did not keep running\n%s" % r
