"""tests/system/test_guestfuzz.py - the guest-side fuzzer (issue 10, "Must
deliver" 3): tests/guests/guestfuzz.asm runs seeded random instruction
bytes (and random port, MSR and MMIO accesses of its own) in real mode,
32-bit protected mode and 64-bit mode - three guests of one boot, one per
mode, next to the benign hcount guest. The hypervisor must survive every
seed: no exception or panic, it answers commands afterwards, the benign
guest finishes, and a fuzzer guest either finishes its tries or is stopped
by the hypervisor with a precise reason (a triple fault, HLT with nothing
to wake it, ...), never an "unhandled exit".

Seeds and tries: GUEST_FUZZ_SEEDS is a comma-separated list of seeds
(decimal or 0x hex) or "random:N" for N random ones (printed); default one
fixed seed. GUEST_FUZZ_TRIES is the tries per mode and seed (default 3000).
`make fuzz` runs GUEST_FUZZ_SEEDS=random:$(GUEST_FUZZ_RUNS). A failing seed
is in the test's id and its failure message; replay it with
  GUEST_FUZZ_SEEDS=0x1234abcd /usr/bin/python3 -m pytest -v tests/system -k guestfuzz
"""
import os
import re
import struct

import pytest

from hostile_lib import (ALIVE, REPO, assert_alive, assert_benign_ok, boot, halted, line,
                         shut_down)

CFG_OFFSET = 0xFF00             # "GFUZ", seed, tries, mode in guestfuzz.asm
MODES = {"real": 0, "pm32": 1, "long": 2}
OUT = REPO / "build" / "test-guests"


def seeds():
    spec = os.environ.get("GUEST_FUZZ_SEEDS", "0x5eed0001")
    if spec.startswith("random:"):
        return [struct.unpack("<I", os.urandom(4))[0] | 1 for _ in range(int(spec[7:]))]
    return [int(s, 0) for s in spec.split(",") if s.strip()]


TRIES = int(os.environ.get("GUEST_FUZZ_TRIES", "3000"), 0)


def fuzz_image(base, seed, mode):
    """A copy of guestfuzz.bin configured for seed and mode, named
    fz<mode>.bin in a directory of its own (modules load by file name)."""
    img = bytearray(base.read_bytes())
    assert img[CFG_OFFSET:CFG_OFFSET + 4] == b"GFUZ", "no configuration block in guestfuzz.bin"
    img[CFG_OFFSET + 4:CFG_OFFSET + 13] = struct.pack("<IIB", seed, TRIES, MODES[mode])
    d = OUT / ("%08x-%d" % (seed, TRIES))
    d.mkdir(parents=True, exist_ok=True)
    p = d / ("fz%s.bin" % mode)
    p.write_bytes(bytes(img))
    return p


@pytest.mark.parametrize("seed", seeds(), ids=lambda s: "seed-0x%08x" % s)
def test_guestfuzz_seed(make_dtb, make_iso, boot_bochs, guest_bin, seed):
    images = {"fz%s" % m: fuzz_image(guest_bin("guestfuzz"), seed, m) for m in MODES}
    images["hcount"] = guest_bin("hcount")
    guests = [("fz%s" % m, "fz%s" % m) for m in MODES] + [("count", "hcount")]
    # the fuzzers get their time; what is left running is stopped
    ms = max(3000, TRIES * 3)
    bootcmd = ("guest kick all; sleep %d; guest list; guest halt all; echo %s; poweroff"
               % (ms, ALIVE))
    r = boot(make_dtb, make_iso, boot_bochs, images, "guestfuzz", guests, bootcmd,
             timeout=60 + ms // 100)
    why = "guest fuzzer seed 0x%08x (replay: GUEST_FUZZ_SEEDS=0x%08x GUEST_FUZZ_TRIES=%d)" % (
        seed, seed, TRIES)
    try:
        assert_alive(r)
        assert_benign_ok(r)
        for m in MODES:
            g = "fz%s" % m
            r.expect(line(g, r"seed 0x%08X mode 0000000%d tries 0x%08X" % (seed, MODES[m], TRIES)))
            done = r.search(line(g, r"PASS guestfuzz-done exceptions 0x[0-9A-F]+"))
            stop = r.search(halted(g, r"(.*)$"))
            if stop:
                assert not re.search(r"unhandled|unknown|bug", stop.group(1)), stop.group(0)
            if done:
                r.expect(shut_down(g, 0))
            # report how far each got
            tries = re.findall(r"^%s: try 0x([0-9A-F]+)$" % g, r.output, re.M)
            print("%s: %s" % (g, "done" if done else
                              "stopped: " + stop.group(1) if stop else
                              "still running after try 0x%s" % (tries[-1] if tries else "0")))
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (why, e)) from None
