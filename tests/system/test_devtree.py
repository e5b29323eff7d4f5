"""tests/system/test_devtree.py - the device-tree configuration at boot.

Every dts/*.dts boots (QEMU, and Bochs where guests are really created) and
prints its summary; a configuration with broken guests is reported guest by
guest with every problem and node path while the good guests are accepted
and the hypervisor goes on; an unusable DTB module falls back to the
built-in tree; dtb= picks the module; the devtree commands work on the live
tree and refuse what would pull it from under an accepted guest.
"""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
HELLO = BUILD / "guests" / "hello.bin"
# the demo guests of the shipped configurations (dts/*.dts)
DEMO = [BUILD / "guests" / "counter.bin", BUILD / "guests" / "echo.bin"]


@pytest.mark.parametrize("config", ["bochs", "qemu", "pc"])
def test_each_dts_boots_in_qemu(build, boot_qemu, config):
    dtb = BUILD / "dtb" / (config + ".dtb")
    r = boot_qemu(kernel=build, append="bootcmd=poweroff", initrd=[dtb] + DEMO, timeout=30)
    r.expect(r"config: module %s\.dtb DTB, 0 problems in the tree" % config,
             r"config: 2 guests accepted, 0 rejected",
             r"guest counter: 1 VCPU, \d+ regions",
             r"  counter/vcpu0: start_pc 0xffff0",
             r"  counter/uart0: virtual io 0x3f8-0x3ff \"ns16550a\"",
             r"guest echo: 1 VCPU")
    # no VMX under TCG: the accepted guests are not created, and that is said
    r.expect(r"hardware virtualization is not available: 2 guests not created")
    assert r.exited, "the hypervisor did not power off:\n%s" % r


@pytest.mark.parametrize("config", ["bochs", "pc"])
def test_each_dts_runs_its_guests_in_bochs(make_iso, boot_bochs, config):
    """The demo guests run and keep running: counter ticks, echo answers."""
    # a line feed (\\n, as test_uart_rx sends it): mkiso.sh's awk would turn
    # \\r into a CR byte, which GRUB drops from its config
    iso = make_iso('bootcmd="guest kick all; sleep 2500; vserial send echo/uart0 hi\\n; '
                   'sleep 500; poweroff"', [BUILD / "dtb" / (config + ".dtb")] + DEMO)
    r = boot_bochs(iso, timeout=90)
    r.expect(r"config: 2 guests accepted, 0 rejected",
             r"manager: guest counter created", r"manager: guest echo created",
             r"counter: tick 2$", r"echo: hi$", r"^powering off$")
    r.refute(r"/vcpu0 halted|unexpected CPU exception")
    assert r.exited


def test_builtin_configuration_without_module(build, boot_qemu):
    r = boot_qemu(kernel=build, append="bootcmd=poweroff", timeout=30)
    r.expect(r"config: built-in DTB, 0 problems", r"config: 2 guests accepted, 0 rejected")
    assert r.exited


def test_broken_guests_rejected_with_every_problem_in_bochs(make_iso, boot_bochs, make_dtb):
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "broken.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; poweroff"', [dtb, HELLO])
    r = boot_bochs(iso, timeout=90)
    r.expect(r"config: guest 'bad0' rejected, 8 problems:",
             r"/guests/bad0/aspace/uart@3f8: node name 'uart@3f8' breaks chapter 2 rules",
             r"/guests/bad0/aspace/pit: attribute 'guest_physical_addr' must be one 64-bit value .*it has 4 bytes",
             r"/guests/bad0/vcpus/vcpu0: required attribute 'start_pc' is missing",
             r"/guests/bad0/vcpus/vcpu0: priority 9 is above 7",
             r"/guests/bad0/aspace/mem0: guest_physical_addr 0x1234 is not page-aligned",
             r"/guests/bad0/aspace/mem1: guest physical range 0x80000-0x17ffff overlaps region 'mem0'",
             r"/guests/bad0/aspace/weird: manifest_type \"imaginary\" is not \"real\" or \"virtual\"",
             r"config: guest 'bad1' rejected",
             r"/guests/bad1/aspace/stolen: host range 0x100000-0x1fffff overlaps the hypervisor's kernel image",
             r"config: 2 guests accepted, 2 rejected")
    # the good guests are created and run; the broken ones do not exist
    r.expect(r"good0: PASS hello", r"good1: PASS hello")
    r.refute(r"manager: guest bad0 created")
    r.refute(r"manager: guest bad1 created")
    assert r.exited


# hostowned.dts: guest, region, the resource named in the refusal
HOST_OWNED = [
    ("lapic", "apic", r"host range 0xfee00000-0xfee00fff overlaps the hypervisor's own "
                      r"local APIC window \(0xfee00000-0xfee00fff\)"),
    ("ioapic", "apic", r"host range 0xfec00000-0xfec00fff overlaps the hypervisor's own "
                       r"IO-APIC window"),
    ("console", "com1", r"ports 0x3f8-0x3ff include the hypervisor's own console UART "
                        r"\(0x3f8-0x3ff\)"),
    ("shutdown", "bochs", r"ports 0x8900-0x8900 include the hypervisor's own emulator "
                          r"shutdown port"),
    ("debugexit", "qemu", r"ports 0x501-0x501 include the hypervisor's own QEMU debug exit port"),
    ("pci", "cfg", r"ports 0xcf8-0xcff include the hypervisor's own PCI configuration ports"),
    ("pm1a", "pm", r"ports 0xb004-0xb005 include the hypervisor's own ACPI PM1a control block"),
    ("pmtimer", "pm", r"ports 0xb008-0xb00b include the hypervisor's own ACPI PM timer"),
    ("pic", "master", r"ports 0x20-0x21 include the hypervisor's own master 8259A PIC"),
    ("cmos", "rtc", r"ports 0x70-0x71 include the hypervisor's own CMOS/RTC ports"),
    ("acpi", "tables", r"host range 0x7ff0000-0x7ff0fff overlaps the hypervisor's own ACPI table RSDT"),
]


def test_host_owned_resources_refused_in_bochs(make_iso, boot_bochs, make_dtb):
    """Issue 10, finding 5: a guest given the host LAPIC page set the host
    TPR and hung the hypervisor, one given port 0x8900 powered the machine
    off, one given the console ports printed forged hypervisor lines. Every
    host resource the hypervisor uses is now refused, naming guest, region
    and resource; the good guests run and the hypervisor answers after."""
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "hostowned.dts")
    iso = make_iso('bootcmd="guest kick all; guest wait; guest list; echo still-here; poweroff"',
                   [dtb, HELLO])
    r = boot_bochs(iso, timeout=90)
    for guest, region, words in HOST_OWNED:
        # (the ACPI page holds several tables: one problem each)
        r.expect(r"^config: guest '%s' rejected, \d+ problems?:$" % guest,
                 r"^config:   /guests/%s/aspace/%s: %s" % (guest, region, words))
        r.refute(r"manager: guest %s created" % guest)
    r.expect(r"config: 2 guests accepted, %d rejected" % len(HOST_OWNED),
             r"good0: PASS hello", r"good1: PASS hello", r"^still-here$")
    r.refute(r"PANIC|EXCEPTION")
    assert r.exited


def test_unusable_dtb_module_falls_back_to_builtin(build, boot_qemu, tmp_path):
    good = (BUILD / "dtb" / "qemu.dtb").read_bytes()
    truncated = tmp_path / "cut.dtb"
    truncated.write_bytes(good[: len(good) // 2])
    r = boot_qemu(kernel=build, append="bootcmd=poweroff", initrd=[truncated], timeout=30)
    r.expect(r"devtree: DTB says it has \d+ bytes but only \d+ are there \(truncated\)",
             r"config: module '.*cut\.dtb' is not a usable DTB; using the built-in configuration",
             r"config: built-in DTB")
    assert r.exited

    garbage = tmp_path / "junk.dtb"
    garbage.write_bytes(b"this is not a device tree at all" * 4)
    r = boot_qemu(kernel=build, append="bootcmd=poweroff", initrd=[garbage], timeout=30)
    r.expect(r"devtree: not a valid DTB", r"config: built-in DTB")
    assert r.exited


def test_dtb_option_picks_the_module(build, boot_qemu):
    dtbs = [BUILD / "dtb" / "bochs.dtb", BUILD / "dtb" / "pc.dtb"]
    r = boot_qemu(kernel=build, append="dtb=pc.dtb bootcmd=poweroff", initrd=dtbs, timeout=30)
    r.expect(r"config: module pc\.dtb DTB", r"max 16 guests, 64 VCPUs")
    r = boot_qemu(kernel=build, append="dtb=none.dtb bootcmd=poweroff", initrd=dtbs, timeout=30)
    r.expect(r"config: dtb=none\.dtb: no module of that name", r"config: module bochs\.dtb DTB")


def test_devtree_commands(build, boot_qemu):
    script = ("devtree get /guests/counter/aspace/uart0 compatible; "
              "devtree set /vmm test_value u64 0x1234; devtree get /vmm test_value; "
              "devtree set /vmm bad@name u32 1; devtree set /vmm n u32 0x100000000; "
              "devtree del /vmm test_value; devtree get /vmm test_value; "
              "devtree del /guests/counter; devtree del /host/cpus/cpu1; devtree print /host/cpus; "
              "devtree get /nowhere x; devtree frobnicate; config; poweroff")
    r = boot_qemu(kernel=build, append='loglevel=4 bootcmd="%s"' % script,
                  initrd=[BUILD / "dtb" / "pc.dtb"], timeout=30)
    r.expect(r"compatible \(string list, 9 bytes\):",
             r"compatible = \"ns16550a\";",
             r"test_value \(u64, 8 bytes\):",
             r"test_value = /bits/ 64 <0x1234>;",
             r"devtree set: attribute name breaks chapter 2 rules",
             r"devtree set: 0x100000000 does not fit in u32",
             r"devtree: /vmm has no attribute 'test_value'",
             r"devtree: /guests/counter is \(or holds\) the configuration of an accepted guest; not deleted",
             r"devtree: no node '/nowhere'",
             r"usage: devtree node show",
             r"configuration: module pc\.dtb DTB",
             r"guest counter: 1 VCPU")
    # cpu1 is gone from the printed tree, cpu0 is still there
    out = str(r)
    printed = out[out.index("bootcmd> devtree print /host/cpus"):]
    printed = printed[: printed.index("bootcmd>", 10)]
    assert "cpu0 {" in printed and "cpu1 {" not in printed, printed
