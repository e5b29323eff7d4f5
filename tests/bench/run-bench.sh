#!/usr/bin/env bash
# tests/bench/run-bench.sh - `make bench`: boot the benchmark guest in Bochs
# and print its table. Bochs' TSC counts instructions (clock: sync=none), so
# the figures are instruction counts and repeat exactly from run to run.
# Not a test: it prints numbers and fails only if the guest did not finish.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
out=$build/bench
mkdir -p "$out"
cpp -nostdinc -undef -x assembler-with-cpp -I"$here/dts" -I"$here/dts/include" \
    "$here/tests/bench/bench.dts" | dtc -q -I dts -O dtb -o "$out/bench.dtb" -
"$here/scripts/mkiso.sh" "$out/bench.iso" "$build/xvisor.elf" "loglevel=4" \
    "$out/bench.dtb" "$build/guests/bench.bin"
timeout 300 "$here/scripts/run-bochs.sh" --serial-file "$out/serial.txt" \
    --log "$out/bochs.log" "$out/bench.iso" >/dev/null 2>&1 || true
tr -d '\r' < "$out/serial.txt" > "$out/transcript.txt"
if ! grep -q "PASS bench" "$out/transcript.txt"; then
  echo "bench: the benchmark guest did not finish; transcript in $out/transcript.txt" >&2
  tail -20 "$out/transcript.txt" >&2
  exit 1
fi
echo "xvisor-x86 VM-exit benchmark (Bochs 2.7, corei7_skylake_x; instructions per round trip)"
printf '%-12s %8s %8s\n' "round trip" "instr" "target"
awk '/^bench: bench: (cpuid|vmcall|port_out|port_in|sink_out|sink_in|mmio_write|mmio_read) / {
       t = ($3 ~ /cpuid|vmcall/) ? 100 : ($3 ~ /port|sink/) ? 200 : 400
       printf "%-12s %8d %8d%s\n", $3, $4, t, ($4 > t ? "  (above target)" : "")
     }' "$out/transcript.txt"
echo
awk '/^bench: bench: pit_irq_latency / { printf "%-34s %8d instructions\n", "PIT expiry -> guest IRQ0 handler", $4 }
     /^bench: bench: timer_1khz_per_s / { printf "%-34s %8d instructions per second of guest time\n", "1 kHz guest timer, hypervisor cost", $4 }
     /^bench: bench: timer_1khz_per_s / { t = $4 }
     /^bench: bench: timer_1khz_irqs_per_100ms / { n = $4 * 10 }
     END { if (n) printf "%-34s %8d instructions per tick (issue 11: about 2070; must not grow)\n", "  per 1 kHz PIT tick", t / n }' "$out/transcript.txt"
echo
sed -n '/VM exits by reason/,/total/p' "$out/transcript.txt"

# --- second boot: the scheduler on two CPUs --------------------------------
# s1 spins on CPU1; the bootcmd thread on CPU0 pauses and resumes it: the
# hypervisor times each change to its effect on CPU1 (sched's remote-stops)
lat="sleep 20; vcpu pause s1/vcpu0; sleep 20; vcpu resume s1/vcpu0"
cmd="guest kick ylone; sleep 100; guest kick y1; guest kick y2; sleep 300"
cmd="$cmd; guest kick c1; sleep 300; guest kick c2; sleep 600; guest halt c1; guest halt c2"
cmd="$cmd; guest kick s0; guest kick s1; sleep 20; sched; $lat; $lat; $lat; $lat; sched; poweroff"
cpp -nostdinc -undef -x assembler-with-cpp -I"$here/dts" -I"$here/dts/include" \
    "$here/tests/bench/smp-bench.dts" | dtc -q -I dts -O dtb -o "$out/smp-bench.dtb" -
"$here/scripts/mkiso.sh" "$out/smp-bench.iso" "$build/xvisor.elf" "loglevel=4 bootcmd=\"$cmd\"" \
    "$out/smp-bench.dtb" "$build/guests/yieldpp.bin" "$build/guests/tick.bin" \
    "$build/guests/tscspin.bin"
timeout 300 "$here/scripts/run-bochs.sh" --cpus 2 --serial-file "$out/smp-serial.txt" \
    --log "$out/smp-bochs.log" "$out/smp-bench.iso" >/dev/null 2>&1 || true
tr -d '\r' < "$out/smp-serial.txt" > "$out/smp-transcript.txt"
echo
if ! grep -q "^powering off" "$out/smp-transcript.txt"; then
  echo "bench: the scheduler benchmark boot did not reach its power-off; transcript in $out/smp-transcript.txt" >&2
  tail -20 "$out/smp-transcript.txt" >&2
  exit 1
fi
python3 "$here/tests/bench/smp_report.py" "$out/smp-transcript.txt"

# --- third boot: the local APIC on two CPUs --------------------------------
# tests/guests/apicbench.c in one guest of three VCPUs (apic-bench.dts):
# vcpu0 and vcpu1 on CPU1, vcpu2 on CPU0. Each figure: the average (and the
# minimum) of 16 runs measured with RDTSC by vcpu0; "apic NAME AVG MIN".
cpp -nostdinc -undef -x assembler-with-cpp -I"$here/dts" -I"$here/dts/include" \
    "$here/tests/bench/apic-bench.dts" | dtc -q -I dts -O dtb -o "$out/apic-bench.dtb" -
"$here/scripts/mkiso.sh" "$out/apic-bench.iso" "$build/xvisor.elf" "loglevel=4" \
    "$out/apic-bench.dtb" "$build/guests/apicbench.elf"
timeout 300 "$here/scripts/run-bochs.sh" --cpus 2 --serial-file "$out/apic-serial.txt" \
    --log "$out/apic-bochs.log" "$out/apic-bench.iso" >/dev/null 2>&1 || true
tr -d '\r' < "$out/apic-serial.txt" > "$out/apic-transcript.txt"
echo
if ! grep -q "^apicbench: apic done" "$out/apic-transcript.txt"; then
  echo "bench: the local APIC benchmark guest did not finish; transcript in $out/apic-transcript.txt" >&2
  tail -20 "$out/apic-transcript.txt" >&2
  exit 1
fi
echo "xvisor-x86 local APIC benchmark (Bochs 2.7, 2 CPUs; instructions, average / minimum of 16)"
awk 'function row(what, name, per,   r) {
       if (!(name in avg)) { printf "%-48s %8s\n", what, "n/a"; return }
       printf "%-48s %8d %8d", what, avg[name], min[name]
       if (per) printf "   per IPI %d", avg[name] / 2
       printf "\n"
     }
     /^apicbench: apic [a-z_0-9]+ [0-9]+ [0-9]+$/ { avg[$3] = $4; min[$3] = $5 }
     /^apicbench: FAIL / { print "  " $0 }
     END {
       printf "%-48s %8s %8s\n", "round trip", "avg", "min"
       row("IPI same host CPU, both in HLT (xAPIC)", "ipi_same_hlt", 1)
       row("IPI same host CPU, both in HLT (x2APIC)", "ipi_same_hlt_x2", 1)
       row("IPI other host CPU, both polling (xAPIC)", "ipi_cross_spin", 1)
       row("IPI other host CPU, both polling (x2APIC)", "ipi_cross_spin_x2", 1)
       row("IPI other host CPU, both in HLT (xAPIC)", "ipi_cross_hlt", 1)
       row("IPI other host CPU, both in HLT (x2APIC)", "ipi_cross_hlt_x2", 1)
       row("timer one-shot, initial count 1 -> handler", "timer_oneshot", 0)
       row("timer TSC-deadline in the past -> handler", "timer_deadline", 0)
       row("EOI, xAPIC MMIO write 0xB0", "eoi_mmio", 0)
       row("EOI, x2APIC WRMSR 0x80B", "eoi_msr", 0)
       row("(RDTSC; RDTSC back to back: the resolution)", "rdtsc_pair", 0)
     }' "$out/apic-transcript.txt"
echo "(IPI rows: sender's ICR write -> receiver's handler -> reply IPI -> sender's handler; per IPI = half)"

# --- fourth: Linux from kernel entry to /init's marker, native vs. xvisor ---
# tests/bench/linux-bench.sh: four boots (native and under the hypervisor,
# 1 and 2 CPUs), several minutes; it says so and stops (exit 0) when the
# Linux files cannot be had (make linux-files).
echo
"$here/tests/bench/linux-bench.sh" ${LINUX_BENCH_CMDLINE:+--cmdline "$LINUX_BENCH_CMDLINE"}
