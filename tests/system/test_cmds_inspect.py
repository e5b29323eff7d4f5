"""tests/system/test_cmds_inspect.py - the inspection and host commands of
issue 12 item 3, driven by bootcmd=:

- Bochs (VMX), the vscreen guest (tests/guests/vscreen.asm, ROM at 0xF0000
  holding its image): `guest region_list`, `guest dumpmem` of the ROM
  (bytes equal to the image file's) and its refusals (an emulated device,
  a gap, past 2^64, bad numbers, an unknown guest), `guest stats`,
  `host cpu stats` (guest time counted on CPU0) and `host irq stats` (the
  APIC timer vector's count);
- QEMU TCG (no VMX needed): `devtree node show|dump|add|del` and
  `devtree attr show|get|set|del` with their refusals, `host cpu stats` /
  `host irq stats` there, and `host reboot`: the hypervisor boots a second
  time (QEMU told to reset instead of exiting on a reboot).
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"

INSPECT = ("guest kick all; guest wait; guest region_list vscreen; "
           "guest dumpmem vscreen 0xf0000 40; guest dumpmem vscreen 0xb8000 16; "
           "guest dumpmem vscreen 0xa0000; guest dumpmem vscreen 0xfffffffffffffff0 32; "
           "guest dumpmem vscreen 0xf0000 5000; guest dumpmem vscreen zz; "
           "guest dumpmem nosuch 0; guest stats vscreen; guest stats vscreen x; "
           "host cpu stats; host irq stats; host cpu; poweroff")


def test_guest_inspect_bochs(make_iso, boot_bochs, make_dtb, guest_bin):
    dtb = make_dtb(REPO / "tests" / "system" / "dts" / "vmx-vscreen.dts")
    iso = make_iso('bootcmd="%s"' % INSPECT, [dtb, guest_bin("vscreen")])
    r = boot_bochs(iso, timeout=150)
    r.expect(r"^guest vscreen: vscreen/vcpu0 shut down with status 0$",
             r"^bootcmd> guest region_list vscreen$",
             r"^  lowmem +ram +memory 0x0000000000000000 0x000000000009ffff 0x[0-9a-f]{16}(\+\d+)? +0xa0000$",
             r"^  bios +rom +memory 0x00000000000f0000 0x00000000000fffff 0x[0-9a-f]{16} +0x10000$",
             r"^  pic_master +virtual io +0x0000000000000020 0x0000000000000021 emulated i8259a",
             r"^  vga_text +virtual memory 0x00000000000b8000 0x00000000000bffff emulated vga-text +0x8000$")
    # the ROM's first 40 bytes are the image's
    image = guest_bin("vscreen").read_bytes()[:40]
    m = r.expect(r"^guest vscreen: 40 bytes at guest-physical 0xf0000 \(region bios, rom\)$")[0]
    lines = r.output[m.end():].splitlines()[1:4]
    got = b""
    for i, line in enumerate(lines):
        lm = re.match(r"^  ([0-9a-f]{16}) ((?: [0-9a-f]{2}| {3}){8} (?: [0-9a-f]{2}| {3}){8})  \|(.{16})\|$", line)
        assert lm, line
        assert int(lm.group(1), 16) == 0xf0000 + 16 * i
        got += bytes(int(b, 16) for b in lm.group(2).split())
        text = "".join(chr(c) if 0x20 <= c < 0x7f else "." for c in image[16 * i:16 * i + 16])
        assert lm.group(3) == text.ljust(16), line
    assert got == image
    r.expect(r"^guest dumpmem: guest vscreen: guest-physical 0xb8000 is in virtual region '\w+', not RAM or ROM$",
             r"^guest dumpmem: guest vscreen has nothing mapped at guest-physical 0xa0000$",
             r"^guest dumpmem: 0xfffffffffffffff0 \+ 32 bytes goes past the end of the address space$",
             r"^guest dumpmem: length not 1\.\.4096: '5000'$", r"^usage: guest dumpmem <guest>",
             r"^guest dumpmem: not a guest-physical address \(decimal or 0x hex\): 'zz'$",
             r"^guest dumpmem: no guest 'nosuch' \(see 'guest list'\)$")
    m = r.expect(r"^  vscreen/vcpu0 +HALTED +0 +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +0$")[0]
    exits, guest_us, handler_us, run_us, switches = map(int, m.groups())
    assert exits > 300 and switches >= 1, m.group(0)     # 300 lines of UART output at least
    assert 0 < guest_us < run_us and 0 < handler_us < run_us, m.group(0)
    r.expect(r"^guest stats: unexpected argument 'x'$")
    m = r.expect(r"^  cpu0 +(\d+) +(\d+) \( *([\d.]+)\) +(\d+) \( *([\d.]+)\) +(\d+) \( *([\d.]+)\)$")[0]
    total, guest, gp, hyp, hp, idle, ip = m.groups()
    assert int(total) == int(guest) + int(hyp) + int(idle), m.group(0)
    assert int(guest) > 0 and int(hyp) > 0, m.group(0)
    assert abs(float(gp) + float(hp) + float(ip) - 100.0) < 0.01, m.group(0)
    m = r.expect(r"^  0xf0   lapic_timer_irq +(\d+)$")[0]
    assert int(m.group(1)) > 0, m.group(0)
    r.expect(r"^host cpu: expected 'stats', got 'nothing'$",
             r"^usage: host info \| cpu stats \| irq stats \| reboot$")
    assert r.exited


DEVTREE = ("devtree node show /host/cpus; devtree node add /vmm/extra; devtree node add /vmm/extra; "
           "devtree node add /vmm/bad@name; devtree node add /nowhere/x; "
           "devtree attr set /vmm/extra speed u32 42; devtree attr set /vmm/extra label string a b; "
           "devtree attr show /vmm/extra; devtree attr get /vmm/extra speed; "
           "devtree node dump /vmm/extra; devtree attr del /vmm/extra speed; "
           "devtree attr get /vmm/extra speed; devtree node del /vmm/extra; devtree node show /vmm/extra; "
           "devtree node del /; devtree node del /guests/counter; devtree node frob /vmm; devtree attr get /vmm; "
           "devtree node; host cpu stats; host irq stats; poweroff")


def test_devtree_node_attr_qemu(build, boot_qemu):
    r = boot_qemu(kernel=build, append='loglevel=4 bootcmd="%s"' % DEVTREE,
                  initrd=[BUILD / "dtb" / "pc.dtb"], timeout=30)
    r.expect(r"^bootcmd> devtree node show /host/cpus$", r"^cpus \{$", r"^children \(\d+\): cpu0",
             r"^devtree: added /vmm/extra$",
             r"^devtree: /vmm/extra exists$",
             r"^devtree: node name breaks chapter 2 rules: 'bad@name'$", r"^usage: devtree node show",
             r"^devtree: no node '/nowhere'$",
             r"^  speed +u32 +4 bytes$", r"^  label +string +4 bytes$",
             r"^devtree: /vmm/extra has 2 attributes$",
             r"^speed \(u32, 4 bytes\):$", r"^    speed = <0x2a>;$",
             r"^extra \{$", r"^    speed = <0x2a>;$", r"^    label = \"a b\";$", r"^\};$",
             r"^devtree: /vmm/extra has no attribute 'speed'$",
             r"^bootcmd> devtree node show /vmm/extra$", r"^devtree: no node '/vmm/extra'$",
             r"^devtree: the root node cannot be deleted$",
             r"^devtree: /guests/counter is \(or holds\) the configuration of an accepted guest; not deleted$",
             r"^devtree: unknown node operation 'frob'$", r"^usage: devtree node show",
             r"^devtree: attr needs an attribute name after '/vmm'$", r"^usage: devtree node show",
             r"^devtree: node needs show, dump, add or del; got 'nothing'$",
             r"^bootcmd> host cpu stats$",
             r"^  cpu0 +(\d+) +0 \(  0\.0\) +\d+ \( *[\d.]+\) +\d+ \( *[\d.]+\)$",
             r"^  0xf0   lapic_timer_irq +\d+$")
    assert r.exited


def test_host_reboot_qemu(build, boot_qemu):
    r = boot_qemu(kernel=build, append='loglevel=4 bootcmd="host reboot"', timeout=40,
                  extra=["-action", "reboot=reset"],
                  until=r"(?s)bootcmd> host reboot.*bootcmd> host reboot")
    r.expect(r"^bootcmd> host reboot$", r"^host: rebooting$", r"^reboot: ",
             r"^bootcmd> host reboot$")
    assert r.matched
