#!/usr/bin/env python3
"""tests/bench/smp_report.py TRANSCRIPT - the scheduler figures of
`make bench` from the serial transcript of the two-CPU boot of
tests/bench/smp-bench.dts (run-bench.sh gives the boot commands). Bochs'
TSC counts instructions (clock: sync=none; one tick per instruction on
each CPU), so every figure is a number of instructions. Prints
"n/a: <why>" for a figure the transcript does not hold (a command or
attribute the hypervisor does not have yet).
"""
import re
import sys

TICK_ITERS = 250000          # tests/guests/tick.asm: 2 instructions per iteration


def main(path):
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
    switch = None
    if pair and lone:
        rt = min(pair)
        switch = rt / 2
        print(row % ("YIELD round trip between two guests", "%.0f" % rt, "two switches"))
        print(row % ("VCPU switch (one YIELD handing over)", "%.0f" % (rt / 2), ""))
        print(row % ("  of which the switch beyond a lone YIELD", "%.0f" % (rt / 2 - lone), ""))
        print(row % ("scheduler cost at the 10 ms slice", "%.0f" % (100 * switch),
                     "per second of guest time: 100 switches (%.2f %% of the CPU)"
                     % (100 * switch / hz * 100)))
    else:
        print(row % ("VCPU switch", "n/a", "yieldpp guests did not report"))

    alone = share("c1", pos("guest kick c1"), pos("guest kick c2"), 1)
    s1 = share("c1", pos("guest kick c2"), pos("guest halt c1"), 2)
    s2 = share("c2", pos("guest kick c2"), pos("guest halt c1"), 2)
    if alone and s1 and s2:
        print(row % ("one CPU-bound guest alone: hypervisor cost", "%.0f" % ((1 - alone) * hz),
                     "per second of guest time (share %.5f)" % alone))
        # both tick guests print a line per tick: what one loses next to the
        # other is mostly the other's serial output, not the scheduler
        print(row % ("two tick guests on one CPU: the pair loses", "%.0f" % ((alone - s1 - s2) * hz),
                     "per second (shares %.4f + %.4f; their UART output included)" % (s1, s2)))
    else:
        print(row % ("scheduler cost at 10 ms slices", "n/a", "tick lines missing"))

    # the hypervisor's own measure: from the change on CPU0 to CPU1
    # switching the VCPU out (sched: "remote-stops N avg-ns A max-ns M")
    rows = re.findall(r"^sched: cpu1 current \S+ ready \d+ switches \d+ idle-us \d+ "
                      r"remote-stops (\d+) avg-ns (\d+) max-ns (\d+)$", out, re.M)
    if len(rows) >= 2 and int(rows[-1][0]) > int(rows[-2][0]):
        # between the last two tables: the `vcpu pause` commands only
        (n0, a0, _), (n1, a1, _) = ([int(x) for x in r] for r in rows[-2:])
        n, total = n1 - n0, n1 * a1 - n0 * a0
        print(row % ("state change on CPU0 -> VCPU off CPU1", "%.0f" % (total / n * hz / 1e9),
                     "average of %d `vcpu pause`: change, kick IPI, exit, switch" % n))
    else:
        print(row % ("state change on CPU0 -> VCPU off CPU1", "n/a", "no remote-stops in sched"))


if __name__ == "__main__":
    main(sys.argv[1])
