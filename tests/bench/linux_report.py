#!/usr/bin/env python3
"""tests/bench/linux_report.py CMDLINE RESULTS - the Linux boot table of
`make bench` from tests/bench/linux-bench.sh's results file (one line per
boot: "native N linux-native: ..." from scripts/linux-native.sh, "native N
detected ...", "hyper N wall_kick=... transcript=PATH") and the hypervisor
boots' serial transcripts (XVX-LINUX-INIT tsc=..., `vcpu stats`).
Ticks are Bochs TSC ticks (instructions, clock: sync=none); wall times
seconds. Prints "n/a" (and why, below the table) for what a boot lacks.
"""
import re
import sys

TOP = 8   # exit reasons listed per VCPU


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def vcpu_stats(text):
    """{vcpu name: {"rows": [(nr, reason, count, ticks)], "entry": tsc, "offset": o}}"""
    stats, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^(\S+): VM exits by reason", line)
        if m:
            cur = stats.setdefault(m.group(1), {"rows": []})
            continue
        if cur is None:
            continue
        m = re.match(r"^\s+(\d+)\s+(.+?)\s+(\d+)\s+(\d+)\s+(\d+)$", line)
        if m:
            cur["rows"].append((int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))))
            continue
        m = re.match(r"^\s+first VM entry since reset at host TSC (\d+), TSC offset (-?\d+)", line)
        if m:
            cur["entry"], cur["offset"] = int(m.group(1)), int(m.group(2))
            cur = None
    return stats


def main(cmdline, path):
    native, hyper, notes = {}, {}, []
    for line in open(path, errors="replace"):
        f = line.split()
        if len(f) < 3:
            continue
        n = int(f[1])
        if f[0] == "native" and f[2] == "detected":
            native.setdefault(n, {})["mhz"] = ("tsc: Detected " + " ".join(f[3:]).replace("tsc: Detected ", "")) if f[3:] else "?"
        elif f[0] == "native":
            d = kv(line)
            e, m = num(d.get("tsc_entry")), num(d.get("tsc_marker"))
            we, wm = num(d.get("wall_entry")), num(d.get("wall_marker"))
            native.setdefault(n, {}).update(
                ticks=m - e if e is not None and m is not None else None,
                wall=wm - we if we is not None and wm is not None else None,
                start_wall=wm, cpus_seen=d.get("cpus_seen"))
        elif f[0] == "hyper":
            d = kv(line)
            h = {"wall": None, "ticks": None}
            text = open(d["transcript"], errors="replace").read()
            st = vcpu_stats(text)
            h["stats"] = st
            m = re.search(r"^(?:linux: )?XVX-LINUX-INIT tsc=(\d+)", text, re.M)
            v0 = st.get("linux/vcpu0") or next(iter(st.values()), None)
            if m and v0 and "entry" in v0:
                h["ticks"] = int(m.group(1)) - (v0["entry"] + v0["offset"])
            else:
                notes.append("hypervisor %d CPU(s): no marker or no vcpu stats in %s" % (n, d["transcript"]))
            wk, wm = num(d.get("wall_kick")), num(d.get("wall_marker"))
            if wk is not None and wm is not None:
                h["wall"] = wm - wk
            h["start_wall"] = wm
            c = re.search(r"^(?:linux: )?XVX-LINUX-CPUS (\d+)", text, re.M)
            h["cpus_seen"] = c.group(1) if c else None
            x = re.findall(r"tsc: Detected ([0-9.]+ MHz \w+)", text)
            h["mhz"] = "tsc: Detected " + ", ".join(x) if x else "?"
            x = re.search(r"^bootcmd> host cpu stats\n(.*?)^bootcmd>", text, re.M | re.S)
            h["cpu_stats"] = x.group(1).rstrip("\n").splitlines() if x else []
            hyper[n] = h

    def fmt(v, scale=1.0, f="%.1f"):
        return f % (v / scale) if v is not None else "n/a"

    def ratio(a, b):
        return "%.2f" % (a / b) if a is not None and b else "n/a"

    print("Linux boot, kernel entry -> /init marker (Bochs 2.7, 160 MiB guest; command line \"%s xvx.bench\")"
          % cmdline)
    print("%-5s %12s %8s %12s %8s %8s %8s  %s" % ("CPUs", "native Mtck", "wall s", "xvisor Mtck", "wall s",
                                               "ratio", "wall r.", "(emulator start -> marker s: native / xvisor)"))
    for n in sorted(set(native) | set(hyper)):
        a, b = native.get(n, {}), hyper.get(n, {})
        target = "  (target <= 1.10)" if n == 1 else ""
        print("%-5d %12s %8s %12s %8s %8s %8s  %s / %s%s" % (
            n, fmt(a.get("ticks"), 1e6), fmt(a.get("wall")), fmt(b.get("ticks"), 1e6), fmt(b.get("wall")),
            ratio(b.get("ticks"), a.get("ticks")), ratio(b.get("wall"), a.get("wall")),
            fmt(a.get("start_wall")), fmt(b.get("start_wall")), target))
    for n in sorted(set(native) | set(hyper)):
        print("  %d CPU(s): native %s, CPUs seen %s; xvisor %s, CPUs seen %s" % (
            n, native.get(n, {}).get("mhz", "?"), native.get(n, {}).get("cpus_seen"),
            hyper.get(n, {}).get("mhz", "?"), hyper.get(n, {}).get("cpus_seen")))
    for n in sorted(hyper):
        h = hyper[n]
        for name in sorted(h["stats"]):
            rows = sorted(h["stats"][name]["rows"], key=lambda r: -r[3])
            total_c = sum(r[2] for r in rows)
            total_t = sum(r[3] for r in rows)
            span = h["ticks"]
            print("\nVM exits of %s (%d CPU(s)), up to its power-off; share: of the entry -> marker ticks" % (name, n))
            print("  %-34s %10s %14s %10s %7s" % ("reason", "count", "handler tck", "tck/exit", "share"))
            for _, reason, count, ticks in rows[:TOP]:
                print("  %-34s %10d %14d %10d %6s%%" % (reason, count, ticks, ticks // count,
                                                       fmt(100.0 * ticks / span if span else None)))
            if len(rows) > TOP:
                rest = rows[TOP:]
                print("  %-34s %10d %14d %10s %6s%%" % ("(%d other reasons)" % len(rest), sum(r[2] for r in rest),
                                                       sum(r[3] for r in rest), "",
                                                       fmt(100.0 * sum(r[3] for r in rest) / span if span else None)))
            print("  %-34s %10d %14d %10s %6s%%" % ("total", total_c, total_t, "",
                                                   fmt(100.0 * total_t / span if span else None)))
    for n in sorted(hyper):
        if hyper[n]["cpu_stats"]:
            print("\nhost cpu stats after the %d-CPU boot (from the hypervisor's start):" % n)
            for line in hyper[n]["cpu_stats"]:
                print("  " + line)
    for note in notes:
        print("note: " + note)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: linux_report.py CMDLINE RESULTS")
    main(sys.argv[1], sys.argv[2])
