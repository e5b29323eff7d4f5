#!/usr/bin/env python3
"""tests/bench/smp_report.py TRANSCRIPT PAD - the scheduler figures of
`make bench` from the serial transcript of the two-CPU boot of
tests/bench/smp-bench.dts (run-bench.sh gives the boot commands; PAD is
the number of extra spaces in the padded `vcpu pause` command). Bochs'
TSC counts instructions (clock: sync=none; one tick per instruction on
each CPU), so every figure is a number of instructions. Prints
"n/a: <why>" for a figure the transcript does not hold (a command or
attribute the hypervisor does not have yet).
"""
import re
import sys

TICK_ITERS = 250000          # tests/guests/tick.asm: 2 instructions per iteration


def main(path, pad):
    out = open(path, errors="replace").read().replace("\r", "")
    m = re.search(r"^timer: TSC ([\d.]+) MHz", out, re.M)
    hz = float(m.group(1)) * 1e6 if m else 50e6
    echoes = [(x.start(), x.group(1)) for x in re.finditer(r"^bootcmd> (.*)$", out, re.M)]

    def pos(cmd, nth=0):
        found = [p for p, c in echoes if c == cmd]
        return found[nth] if len(found) > nth else None

    def yields(guest):
        x = re.search(r"^%s: yields 0x([0-9A-F]+) tsc 0x([0-9A-F]+)$" % guest, out, re.M)
        return int(x.group(2), 16) / int(x.group(1), 16) if x else None

    def share(guest, start, end, skip):
        if start is None or end is None:
            return None
        t = [int(x.group(1), 16) for x in
             re.compile(r"^%s: tick 0x[0-9A-F]{8} tsc 0x([0-9A-F]{8})$" % guest, re.M)
             .finditer(out, start, end)][skip:]
        return 2.0 * TICK_ITERS * len(t) / sum(t) if t else None

    print("xvisor-x86 scheduler benchmark (Bochs 2.7, 2 CPUs; instructions)")
    row = "%-46s %12s  %s"
    lone, pair = yields("ylone"), [y for y in (yields("y1"), yields("y2")) if y]
    print(row % ("YIELD with nothing else to run", "%.0f" % lone if lone else "n/a", "per hypercall"))
    if pair and lone:
        rt = min(pair)
        print(row % ("YIELD round trip between two guests", "%.0f" % rt, "two switches"))
        print(row % ("VCPU switch (one YIELD handing over)", "%.0f" % (rt / 2), ""))
        print(row % ("  of which the switch beyond a lone YIELD", "%.0f" % (rt / 2 - lone), ""))
    else:
        print(row % ("VCPU switch", "n/a", "yieldpp guests did not report"))

    alone = share("c1", pos("guest kick c1"), pos("guest kick c2"), 1)
    s1 = share("c1", pos("guest kick c2"), pos("guest halt c1"), 2)
    s2 = share("c2", pos("guest kick c2"), pos("guest halt c1"), 2)
    if alone and s1 and s2:
        print(row % ("one CPU-bound guest alone: hypervisor cost", "%.0f" % ((1 - alone) * hz),
                     "per second of guest time (share %.5f)" % alone))
        print(row % ("two at the 10 ms slice: scheduler cost", "%.0f" % ((alone - s1 - s2) * hz),
                     "per second beyond one alone (shares %.4f + %.4f)" % (s1, s2)))
        print(row % ("  per slice switch (100 per second)", "%.0f" % ((alone - s1 - s2) * hz / 100), ""))
    else:
        print(row % ("scheduler cost at 10 ms slices", "n/a", "tick lines missing"))

    regs = re.compile(r"^  (s[01])/vcpu0: RAX 0x([0-9a-f]+) .*RDX 0x([0-9a-f]+)", re.M)
    lat = []
    for nth in range(4):
        p = [i for i, (q, c) in enumerate(echoes) if re.fullmatch(r"vcpu pause +s1/vcpu0", c)]
        if len(p) <= nth:
            break
        start = echoes[p[nth]][0]
        end = echoes[p[nth] + 3][0] if p[nth] + 3 < len(echoes) else len(out)
        t = {g: (int(d, 16) << 32) | int(a, 16) for g, a, d in regs.findall(out, start, end)}
        if "s0" in t and "s1" in t:
            lat.append((len(echoes[p[nth]][1]), t["s1"] - t["s0"]))
    short = [l for n, l in lat if n < 30]
    long_ = [l for n, l in lat if n >= 30]
    if short and long_ and all(l > 0 for _, l in lat):
        ls, ll = sum(short) / len(short), sum(long_) / len(long_)
        per_char = (ll - ls) / pad
        echo = len("bootcmd> vcpu pause s1/vcpu0\n")
        print(row % ("vcpu pause on CPU0 -> guest stops on CPU1", "%.0f" % ls,
                     "from CPU0 leaving s0 to s1's last instruction"))
        print(row % ("  of which the command echo", "%.0f" % (per_char * echo),
                     "%.1f per echoed character" % per_char))
        print(row % ("  the rest (wake-up, parse, pause, IPI, exit)", "%.0f" % (ls - per_char * echo), ""))
        print("  samples (echo length, instructions): %s" % lat)
    else:
        print(row % ("vcpu pause on CPU0 -> guest stops on CPU1", "n/a",
                     "no pause/dumpreg pairs with s1 stopping after s0: %s" % lat))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
