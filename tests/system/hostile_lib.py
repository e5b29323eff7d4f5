"""tests/system/hostile_lib.py - helpers of the hostile-guest tests
(test_hostile.py, test_guestfuzz.py): a device tree of PC guests generated
for one boot, the boot itself, and what every hostile boot must show - the
hypervisor alive at the end, nothing but the offender stopped, the benign
guest's share of the CPU.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DTS_OUT = REPO / "build" / "test-dtbs" / "src"

DTS_HEAD = """/dts-v1/;
#include "xvisor.h"
/ {
    model = "hostile-tests";
    vmm {
        max_guest_count = <16>;
        max_vcpu_count = <16>;
        default_time_slice = U64(MS(10));
        console = "/host/serial0";
    };
    host {
        cpus { cpu0 { device_type = "cpu"; reg = <0>; }; };
        serial0 {
            device_type = "serial";
            compatible = "ns16550a";
            io_port = <0x3F8>;
            baudrate = <115200>;
        };
    };
    guests {
"""

GUEST = """#define GUEST_RAM MiB(%(ram_mib)d)
#define GUEST_START 0xFFFF0
#define GUEST_NAME %(name)s
#define GUEST_IMAGE "%(image)s.bin"
#include "guests/pc-guest.dtsi"
#undef GUEST_NAME
#undef GUEST_IMAGE
#undef GUEST_RAM
#undef GUEST_START
"""


def write_dts(config, guests, extra=""):
    """build/test-dtbs/src/CONFIG.dts with one PC guest per (name, image)
    (2 MiB of RAM each), and `extra` appended (more nodes)."""
    DTS_OUT.mkdir(parents=True, exist_ok=True)
    text = DTS_HEAD
    for name, image in guests:
        text += GUEST % dict(name=name, image=image, ram_mib=2)
    text += "    };\n};\n" + extra
    path = DTS_OUT / (config + ".dts")
    path.write_text(text)
    return path


def boot(make_dtb, make_iso, boot_bochs, images, config, guests, bootcmd,
         timeout=120, extra=""):
    """Boot the generated configuration with these guests (name, image)
    and bootcmd; images: {image name: path of its .bin}."""
    dtb = make_dtb(write_dts(config, guests, extra))
    mods = [dtb] + [images[i] for i in dict.fromkeys(img for _, img in guests)]
    iso = make_iso('bootcmd="%s"' % bootcmd, mods)
    return boot_bochs(iso, timeout=timeout, until=r"^powering off$|CPU\d+: stopped|PANIC")


ALIVE = "hypervisor-alive"


def line(guest, text):
    return r"^%s: %s$" % (re.escape(guest), text)


def halted(guest, reason=""):
    return r"^guest %s %s/vcpu0 halted: %s" % (guest, guest, reason)


def shut_down(guest, status=0):
    return r"^guest %s: %s/vcpu0 shut down with status %d$" % (guest, guest, status)


def assert_alive(r):
    """No hypervisor exception or panic, and it ran the commands after the
    guests: 'echo hypervisor-alive' printed, then the power-off."""
    r.refute(r"PANIC|EXCEPTION|CPU\d+: stopped|hypervisor bug")
    r.expect(r"^%s$" % ALIVE, r"^powering off$")


def assert_only_halted(r, allowed):
    """Only the guests named in `allowed` were halted by the hypervisor."""
    for g in re.findall(r"^guest (\S+) \S+/vcpu\d+ halted: ", r.output, re.M):
        assert g in allowed, "guest %s was halted, only %s may be\n%s" % (g, allowed, r)


def share(r, guest="count"):
    """The CPU share the benign counting guest (hcount.asm) measured: its
    instructions over the TSC ticks they took (Bochs: one tick per
    instruction)."""
    m = r.expect(line(guest, r"iterations 0x([0-9A-F]{8}) elapsed 0x([0-9A-F]{16})"))[0]
    return 2 * int(m.group(1), 16) / int(m.group(2), 16)


def assert_benign_ok(r, guest="count", min_share=None):
    """The benign guest finished its loop and shut down cleanly, with at
    least min_share of the CPU if given."""
    r.expect(line(guest, "PASS count-done"), shut_down(guest, 0))
    if min_share is not None:
        s = share(r, guest)
        assert s >= min_share, ("benign guest %s got %.2f of the CPU, want >= %.2f\n%s"
                                % (guest, s, min_share, r))
