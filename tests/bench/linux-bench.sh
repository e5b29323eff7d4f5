#!/usr/bin/env bash
# tests/bench/linux-bench.sh [--cmdline "..."] [--cpus "1 2"] [--side S] - the Linux
# boot benchmark of `make bench` (run-bench.sh calls it last): Debian's
# kernel and the initramfs of `make linux-files` booted from kernel entry to
# /init's marker (XVX-LINUX-INIT tsc=...), natively in Bochs
# (scripts/linux-native.sh, a machine of 160 MiB) and under the hypervisor
# in Bochs (tests/bench/linux-bench<N>.dts: the guest alone, 160 MiB, N
# VCPUs on an N-CPU Bochs of 320 MiB), with the same kernel command line on
# both sides (default "console=ttyS0,115200 tsc_early_khz=50000": Linux
# natively takes 3500 MHz for Bochs' 50 MHz TSC without tsc_early_khz, and
# its console runs at 9600 baud without ,115200, while the hypervisor's
# UART has no line speed - README "Benchmark"; xvx.bench is added: /init
# powers off after its markers). Boots run one after another;
# --side native or hyper runs only that side's boots (default both).
#
# Figures (tests/bench/linux_report.py prints the table):
#   ticks  TSC from kernel entry to the marker. Bochs' TSC counts
#          instructions (clock: sync=none). Natively: the marker's TSC minus
#          the TSC at the kernel's entry (a Bochs breakpoint at 0x100000);
#          under the hypervisor: the marker's TSC minus vcpu0's guest TSC at
#          its first VM entry (`vcpu stats`: host TSC + TSC offset).
#   wall   seconds from kernel entry to the marker: natively from the
#          debugger's line at that breakpoint; under the hypervisor from the
#          `bootcmd> guest kick all` line (the VCPU enters right after) -
#          both polled every 0.2 s, so +-0.2 s.
# With `vcpu stats` after the guest's power-off: VM exits of each VCPU by
# reason (count and handler ticks) and their share of the boot's ticks;
# `guest stats` and `host cpu stats` (guest, hypervisor and idle time per
# host CPU) follow in the transcript and the table.
# Everything goes to $BUILD/bench/linux/ (build/bench/linux/). When the
# Linux files are missing `make linux-files` is tried; if that fails one
# line "bench: Linux boot skipped: <why>" is printed and the exit status is
# 0 (the other benchmarks stand). Exit status 1 when a boot gave no marker.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
out=$build/bench/linux
lin=$build/linux
cmdline="console=ttyS0,115200 tsc_early_khz=50000"   # LINUX_BENCH_CMDLINE in run-bench.sh
cpus_list="1 2"
side=both
while [ $# -gt 0 ]; do
  case "$1" in
    --cmdline) cmdline=${2:-}; shift 2 ;;
    --cpus) cpus_list=${2:-}; shift 2 ;;
    --side) side=${2:-}; shift 2 ;;
    *) echo "linux-bench.sh: unknown argument '$1' (--cmdline \"...\", --cpus \"1 2\", --side native|hyper|both)" >&2; exit 2 ;;
  esac
done
case "$side" in native|hyper|both) ;; *) echo "linux-bench.sh: --side '$side': not native, hyper or both" >&2; exit 2 ;; esac
for n in $cpus_list; do
  case "$n" in 1|2) ;; *) echo "linux-bench.sh: --cpus: '$n' is not 1 or 2" >&2; exit 2 ;; esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd); build=$(cd "$build" && pwd); lin=$build/linux   # absolute: the report reads the paths

# --- the Linux files -------------------------------------------------------------
if [ ! -f "$lin/bzImage" ] || [ ! -f "$lin/initrd.cpio.gz" ]; then
  echo "bench: $lin/bzImage or initrd.cpio.gz missing: trying 'make linux-files'"
  if ! make -C "$here" --no-print-directory BUILD="$build" linux-files >"$out/linux-files.log" 2>&1; then
    why=$(grep -av '^make.*\*\*\*\|^make\[' "$out/linux-files.log" | grep -av '^scripts/fetch-linux.sh ' | grep -a . | tail -n1)
    echo "bench: Linux boot skipped: 'make linux-files' failed (${why:-see $out/linux-files.log})"
    exit 0
  fi
fi
for tool in bochs grub-mkrescue dtc cpp; do
  command -v $tool >/dev/null || { echo "bench: Linux boot skipped: $tool missing (scripts/deps.sh)"; exit 0; }
done

tag=$(printf '%s' "$cmdline" | tr -c 'A-Za-z0-9=\n' '_' | tr '=' '-')
results=$out/results-$tag.txt
: > "$results"
failed=0

# Wall time from the start of a run (the caller sets $start).
since() { awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.1f", a - b }'; }

# --- natively ---------------------------------------------------------------------
native() {  # N
  local n=$1 dir=$out/native-$tag-$n line
  "$here/scripts/linux-native.sh" --cpus "$n" --megs 160 --cmdline "$cmdline" --out "$dir" \
    >"$dir.txt" 2>&1
  line=$(grep -a '^linux-native:' "$dir.txt" | head -n1)
  if [ -z "$line" ] || ! printf '%s' "$line" | grep -q 'markers=yes'; then
    echo "bench: native Linux boot on $n CPU(s) gave no marker; see $dir.txt" >&2
    tail -5 "$dir.txt" >&2
    failed=1
  fi
  echo "native $n ${line:-none}" >> "$results"
  echo "native $n detected $(grep -aoE 'tsc: Detected [0-9.]+ MHz [a-zA-Z]+' "$dir/serial-bochs-$n.txt" |
    sed 's/^tsc: Detected //' | paste -sd, | sed 's/,/, /g')" >> "$results"
}

# --- under the hypervisor -----------------------------------------------------------
hyper() {  # N
  local n=$1 base=$out/hv-$tag-$n stats="" pid wall_kick="" wall_marker="" ended="" i
  for ((i = 0; i < n; i++)); do stats="$stats vcpu stats linux/vcpu$i;"; done
  cpp -nostdinc -undef -x assembler-with-cpp -I"$here/dts" -I"$here/dts/include" \
    "-DLINUX_BENCH_CMDLINE=\"$cmdline xvx.bench\"" "$here/tests/bench/linux-bench$n.dts" |
    dtc -q -I dts -O dtb -o "$base.dtb" - || { echo "bench: linux-bench$n.dts did not compile" >&2; failed=1; return; }
  cp "$base.dtb" "$out/linux-bench.dtb"
  "$here/scripts/mkiso.sh" "$base.iso" "$build/xvisor.elf" \
    "loglevel=4 bootcmd=\"guest kick all; guest wait;$stats guest stats linux; host cpu stats; host irq stats; poweroff\"" \
    "$out/linux-bench.dtb" "$lin/bzImage" "$lin/initrd.cpio.gz" >/dev/null
  rm -f "$base.serial"
  start=$(date +%s.%N)
  "$here/scripts/run-bochs.sh" --cpus "$n" --megs 320 --clock none --serial-file "$base.serial" \
    --log "$base.bochs.log" "$base.iso" >"$base.bochs.out" 2>&1 &
  pid=$!
  while :; do
    if [ -z "$wall_kick" ] && grep -qa '^bootcmd> guest kick all' "$base.serial" 2>/dev/null; then
      wall_kick=$(since)
    fi
    if [ -z "$wall_marker" ] && grep -qaE '^(linux: )?XVX-LINUX-CPUS' "$base.serial" 2>/dev/null; then
      wall_marker=$(since)
    fi
    kill -0 "$pid" 2>/dev/null || { ended=exited; break; }
    if awk -v t="$(since)" 'BEGIN { exit !(t > 1200) }'; then
      kill "$pid" 2>/dev/null; ended="timed out after 1200 s"; break
    fi
    sleep 0.2
  done
  wait "$pid" 2>/dev/null
  tr -d '\r' < "$base.serial" > "$base.txt" 2>/dev/null || : > "$base.txt"
  if ! grep -qaE '^(linux: )?XVX-LINUX-INIT tsc=' "$base.txt" || ! grep -qa 'first VM entry since reset' "$base.txt"; then
    echo "bench: Linux under the hypervisor on $n CPU(s) gave no marker or no vcpu stats ($ended); transcript $base.txt" >&2
    tail -8 "$base.txt" >&2
    failed=1
  fi
  echo "hyper $n wall_kick=${wall_kick:--} wall_marker=${wall_marker:--} wall_total=$(since) ($ended) transcript=$base.txt" >> "$results"
}

for n in $cpus_list; do
  [ $side = hyper ] || native "$n"
  [ $side = native ] || hyper "$n"
done
python3 "$here/tests/bench/linux_report.py" "$cmdline" "$results"
exit $failed
