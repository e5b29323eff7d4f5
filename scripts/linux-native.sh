#!/usr/bin/env bash
# scripts/linux-native.sh [options] - boot the Linux demo guest's files
# (build/linux/bzImage and initrd.cpio.gz: make linux-files) natively, with
# no hypervisor, in Bochs or QEMU TCG, and print one line of measurements:
#   linux-native: engine=E cpus=N cmdline="..." markers=yes|no cpus_seen=N
#     tsc_marker=T tsc_entry=T|- wall_marker=S wall_total=S problems=N
# tsc_marker is what /init's XVX-LINUX-INIT line printed (the TSC counts from
# the machine's reset: firmware and GRUB included); tsc_entry (Bochs only) is
# the TSC when the CPU executes the kernel's 32-bit entry (Bochs debugger
# breakpoints at 0x100000 and at the image's pref_address, where GRUB puts a
# relocatable kernel, with 'ptime' at each hit; GRUB's own code runs at
# 0x100000: the hit taken is the one whose instruction is the kernel's
# first, 'cld', else the last), so
# tsc_marker - tsc_entry is the boot from kernel entry to the marker. wall_marker is the wall time from
# the emulator's start to the marker (polled every 0.2 s), wall_total to its
# end; wall_entry (Bochs only) is the wall time from the start to the
# debugger's ptime line of that hit (polled likewise), so
# wall_marker - wall_entry is the boot's wall time from kernel entry.
# problems counts the kernel's lines that look like trouble (warnings,
# errors, failures, Call Trace); they are listed after the line.
# A GRUB image (i386-pc, BIOS) is built for the command line; xvx.bench is
# always added, so /init powers off after its markers and the run ends.
# Options:
#   --engine bochs|qemu   default bochs (Bochs 2.7, CPU corei7_skylake_x,
#                         --clock none, 256 MiB, as the hypervisor's tests)
#   --cpus N              CPUs (default 1)
#   --minimal             command line "console=ttyS0 noapic nolapic acpi=off
#                         pci=off nosmp" instead of the default "console=ttyS0"
#   --cmdline "..."       any other command line
#   --timeout S           give up after S seconds (default 900 Bochs, 120 QEMU)
#   --megs N              machine RAM in MiB (default 256)
#   --dir D               the Linux files (default build/linux); the ISO,
#                         serial transcript and logs go to D/native/
#   --out D               put them in D instead
# Exit status 0 when the markers appeared, 1 when not (the transcript's tail
# is shown), 2 on bad usage or missing files.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
engine=bochs; cpus=1; cmdline="console=ttyS0"; timeout=""; dir=$here/build/linux; megs=256; out=""

usage() { sed -n '2,40p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=${2:-}; shift 2 ;;
    --cpus) cpus=${2:-}; shift 2 ;;
    --minimal) cmdline="console=ttyS0 noapic nolapic acpi=off pci=off nosmp"; shift ;;
    --cmdline) cmdline=${2:-}; shift 2 ;;
    --timeout) timeout=${2:-}; shift 2 ;;
    --dir) dir=${2:-}; shift 2 ;;
    --megs) megs=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "linux-native.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
die() { echo "linux-native.sh: $*" >&2; exit 2; }
case "$engine" in bochs|qemu) ;; *) die "--engine $engine: not bochs or qemu" ;; esac
[[ "$cpus" =~ ^[1-9][0-9]?$ ]] || die "--cpus '$cpus': not a number of CPUs"
[ -n "$timeout" ] || timeout=$([ $engine = bochs ] && echo 900 || echo 120)
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout '$timeout': not a number of seconds"
[[ "$megs" =~ ^[1-9][0-9]*$ ]] || die "--megs '$megs': not a number of MiB"
for f in bzImage initrd.cpio.gz; do
  [ -f "$dir/$f" ] || die "no $dir/$f (run 'make linux-files')"
done
grub_lib=/usr/lib/grub/i386-pc
for m in linux normal iso9660 serial terminal; do
  [ -f "$grub_lib/$m.mod" ] || die "GRUB module $m.mod missing in $grub_lib (grub-pc-bin: scripts/deps.sh)"
done
cmdline="$cmdline xvx.bench"
[ -n "$out" ] || out=$dir/native
mkdir -p "$out"

# --- the GRUB image: bzImage + initramfs + command line ------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/linux-native.XXXXXX")
epid=""
trap '[ -z "$epid" ] || kill "$epid" 2>/dev/null; rm -rf "$stage" "$stage.log"' EXIT
mkdir -p "$stage/boot/grub"
cp "$dir/bzImage" "$dir/initrd.cpio.gz" "$stage/boot/"
cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
menuentry "Linux (native)" {
    set gfxpayload=text
    linux /boot/bzImage $cmdline
    initrd /boot/initrd.cpio.gz
    boot
}
CFG
iso=$out/linux-native.iso
grub-mkrescue --directory="$grub_lib" -o "$iso" "$stage" --install-modules="linux normal iso9660 serial terminal" \
  --locales= --fonts= --themes= >/dev/null 2>"$stage.log" || { cat "$stage.log" >&2; die "grub-mkrescue failed"; }

# --- boot --------------------------------------------------------------------------
serial=$out/serial-$engine-$cpus.txt
dbg=$out/debugger-$engine-$cpus.txt
rm -f "$serial" "$dbg"
start=$(date +%s.%N)
since() { awk -v a="$1" -v b="$start" 'BEGIN { printf "%.1f", a - b }'; }
if [ $engine = bochs ]; then
  # the kernel's 32-bit entry: 0x100000, or pref_address (setup header
  # offset 0x258) where GRUB puts a relocatable kernel
  pref=$(od -An -tx8 -j $((0x258)) -N8 "$dir/bzImage" | tr -d ' ')
  { echo 'lb 0x100000'; echo "lb 0x$pref"
    for _ in 1 2 3 4 5 6 7 8; do printf 'c\nptime\n'; done; printf 'd 1\nd 2\nc\n'; } > "$stage/rc"
  "$here/scripts/run-bochs.sh" --serial-file "$serial" --megs "$megs" --cpus "$cpus" --clock none \
    --log "$out/bochs-$cpus.log" --rc "$stage/rc" "$iso" >"$dbg" 2>&1 &
else
  qemu-system-x86_64 -m "$megs" -smp "$cpus" -display none -no-reboot -serial "file:$serial" \
    -cdrom "$iso" -boot d >"$dbg" 2>&1 &
fi
epid=$!
wall_marker=""; ended=""; hits=0; hit_walls=()
while :; do
  now=$(date +%s.%N)
  if [ -z "$wall_marker" ] && [ -f "$serial" ] && grep -qa '^XVX-LINUX-CPUS' "$serial"; then
    wall_marker=$(since "$now")
  fi
  if [ $engine = bochs ] && [ -f "$dbg" ]; then
    n=$(grep -ac '^ptime' "$dbg" || true)
    while [ "$hits" -lt "${n:-0}" ]; do hit_walls+=("$(since "$now")"); hits=$((hits + 1)); done
  fi
  kill -0 "$epid" 2>/dev/null || { ended=exited; break; }
  # Without ACPI (acpi=off) power-off halts the CPU for good: end it here.
  if [ -f "$serial" ] && grep -qa 'reboot: Power down\|System halted' "$serial"; then
    sleep 1; kill -0 "$epid" 2>/dev/null || { ended=exited; break; }
    kill "$epid" 2>/dev/null; ended="stopped after power-off"; break
  fi
  if awk -v t="$(since "$now")" -v l="$timeout" 'BEGIN { exit !(t > l) }'; then
    kill "$epid" 2>/dev/null; ended="timed out after ${timeout}s"; break
  fi
  sleep 0.2
done
wait "$epid" 2>/dev/null || true
epid=""
wall_total=$(since "$(date +%s.%N)")

# --- results -------------------------------------------------------------------------
tr -d '\r' < "$serial" > "$serial.tmp" 2>/dev/null && mv "$serial.tmp" "$serial" || : > "$serial"
tsc_marker=$(sed -n 's/^XVX-LINUX-INIT tsc=\([0-9]*\)$/\1/p' "$serial" | head -n1)
cpus_seen=$(sed -n 's/^XVX-LINUX-CPUS \([0-9]*\)$/\1/p' "$serial" | head -n1)
# each hit: the disassembly line at 0x100000, then 'ptime: T'; pick the kernel's (cld)
entry_hit=$(awk '/^\(0\) \[0x[0-9a-f]*\]/ { insn = $0 } /^ptime/ { n++; if (insn ~ /: cld /) pick = n }
                 END { print (pick ? pick : n + 0) }' "$dbg" 2>/dev/null || echo 0)
tsc_entry=""; wall_entry=""
if [ "${entry_hit:-0}" -gt 0 ]; then
  tsc_entry=$(sed -n 's/^ptime: *\([0-9]*\).*/\1/p' "$dbg" | sed -n "${entry_hit}p")
  wall_entry=${hit_walls[$((entry_hit - 1))]:-}
fi
markers=no; [ -n "$tsc_marker" ] && [ -n "$cpus_seen" ] && markers=yes
problems=$(grep -aiE 'warn|error|fail|bug|call trace|panic|unable|timed? ?out|not found|unknown' "$serial" |
  grep -avE 'Unknown kernel command line parameters|^XVX-|if necessary, use "pci=nocrs" and report a bug' || true)
printf 'linux-native: engine=%s cpus=%s cmdline="%s" markers=%s cpus_seen=%s tsc_marker=%s tsc_entry=%s wall_entry=%s wall_marker=%s wall_total=%s problems=%s (%s)\n' \
  "$engine" "$cpus" "$cmdline" "$markers" "${cpus_seen:--}" "${tsc_marker:--}" "${tsc_entry:--}" \
  "${wall_entry:--}" "${wall_marker:--}" "$wall_total" "$(printf '%s' "$problems" | grep -c . || true)" "$ended"
[ -z "$problems" ] || printf '%s\n' "$problems" | sed 's/^/  problem: /'
if [ $markers = no ]; then
  echo "linux-native.sh: no markers; the transcript ($serial) ends:" >&2
  tail -20 "$serial" >&2
  exit 1
fi
