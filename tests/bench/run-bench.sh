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
     /^bench: bench: timer_1khz_per_s / { printf "%-34s %8d instructions per second of guest time\n", "1 kHz guest timer, hypervisor cost", $4 }' "$out/transcript.txt"
echo
sed -n '/VM exits by reason/,/total/p' "$out/transcript.txt"
