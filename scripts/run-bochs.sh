#!/usr/bin/env bash
# scripts/run-bochs.sh [options] ISO - boot ISO in Bochs (VMX with EPT).
#
# Writes a bochsrc under build/bochs/ and starts Bochs headless
# (display_library: term) with its debugger continuing at once, so the run
# needs no input. Run from a terminal without --serial-file (make run), the
# terminal shows only COM1, the hypervisor's console and prompt: Bochs' own
# output and its display go to build/bochs/bochs.out, its log to
# build/bochs/bochs.log. Leave with the hypervisor's 'poweroff' command
# (Ctrl-C is a key for the hypervisor's prompt: it cancels the line). Options:
#   --serial-file F   serial port (COM1) into file F instead of the terminal
#   --serial-socket H:P  COM1 on a TCP socket Bochs listens on at H:P (it
#                     waits for one client before it starts): a two-way link
#                     for tests that type at the hypervisor's terminal
#   --debug           stop at the Bochs debugger prompt; symbols of
#                     build/xvisor.elf are loaded (ldsym) for 'lb', 'info symbols'
#   --rc F            use debugger command file F (default: one line "c")
#   --megs N          guest RAM in MiB (default 128)
#   --cpu MODEL       Bochs CPU model (default corei7_skylake_x)
#   --cpus N          number of CPUs (default 1)
#   --bios F          system BIOS image (default /usr/share/bochs/BIOS-bochs-latest,
#                     which locks IA32_FEATURE_CONTROL with VMX on and gives
#                     ACPI tables); the tests of a firmware that locked VT-x
#                     off use BIOS-bochs-legacy, which leaves the MSR
#                     unlocked (and has no ACPI)
#   --log F           Bochs log file (default build/bochs/bochs.log)
#   --clock SYNC      Bochs clock sync: none (emulated time follows the
#                     instruction count, idle time flies by: what the tests
#                     use), slowdown (never ahead of the host's clock: the
#                     guests' seconds are real seconds) or realtime; default
#                     slowdown on a terminal (make run), else none
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
serial_file=""; serial_socket=""; debug=0; rc=""; megs=128; cpu=corei7_skylake_x; cpus=1
log=""; iso=""; clock=""; bios=/usr/share/bochs/BIOS-bochs-latest
while [ $# -gt 0 ]; do
  case "$1" in
    --serial-file) serial_file=$2; shift 2 ;;
    --serial-socket) serial_socket=$2; shift 2 ;;
    --debug) debug=1; shift ;;
    --rc) rc=$2; shift 2 ;;
    --megs) megs=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --bios) bios=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --clock) clock=$2; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    -*) echo "run-bochs.sh: unknown option $1" >&2; exit 2 ;;
    *) iso=$1; shift ;;
  esac
done
[ -n "$iso" ] || iso=$here/build/xvisor.iso
[ -f "$iso" ] || { echo "run-bochs.sh: no ISO at $iso (run 'make')" >&2; exit 1; }
[ -f "$bios" ] || { echo "run-bochs.sh: --bios $bios: no such file" >&2; exit 1; }
command -v bochs >/dev/null || { echo "run-bochs.sh: bochs missing (run scripts/deps.sh)" >&2; exit 1; }
# the term display needs a terminfo entry; CI jobs often have no TERM
export TERM="${TERM:-dumb}"   # (bash sets TERM=dumb unexported when unset)

work=$(mktemp -d "${TMPDIR:-/tmp}/xvisor-bochs.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || { mkdir -p "$here/build/bochs"; log=$here/build/bochs/bochs.log; }

interactive=0
if [ -n "$serial_file" ] && [ -n "$serial_socket" ]; then
  echo "run-bochs.sh: --serial-file and --serial-socket exclude each other" >&2; exit 2
elif [ -n "$serial_socket" ]; then
  com1="com1: enabled=1, mode=socket-server, dev=$serial_socket"
elif [ -n "$serial_file" ]; then
  rm -f "$serial_file"            # Bochs creates it only at the first byte
  com1="com1: enabled=1, mode=file, dev=$serial_file"
elif [ $debug = 0 ] && tty -s && [ -t 1 ]; then
  # make run: COM1 on this terminal, everything else of Bochs in build/bochs/
  interactive=1
  ttydev=$(tty)
  com1="com1: enabled=1, mode=term, dev=$ttydev"
  mkdir -p "$here/build/bochs"
  out=$here/build/bochs/bochs.out
else
  # the terminal when there is one (interactive make run), else stdout
  if tty -s; then ttydev=$(tty); else ttydev=/dev/stdout; fi
  com1="com1: enabled=1, mode=term, dev=$ttydev"
fi
case "${clock:=$([ $interactive = 1 ] && echo slowdown || echo none)}" in
  none|slowdown|realtime) ;;
  *) echo "run-bochs.sh: --clock $clock: not none, slowdown or realtime" >&2; exit 2 ;;
esac
cat > "$work/bochsrc" <<RC
megs: $megs
cpu: model=$cpu, count=$cpus, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1
romimage: file=$bios, options=fastboot
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
$com1
port_e9_hack: enabled=1
display_library: term
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
clock: sync=$clock, time0=946684800
log: $log
panic: action=fatal, term=report
error: action=report
info: action=ignore
debug: action=ignore
RC
if [ -z "$rc" ]; then
  rc=$work/rc
  if [ $debug = 1 ]; then
    : > "$rc"
    [ -f "$here/build/xvisor.elf" ] && nm "$here/build/xvisor.elf" | awk '$2 ~ /[tTdDbB]/ {print $1, $3}' > "$work/syms" \
      && echo "ldsym global \"$work/syms\"" > "$rc"
    echo "Bochs debugger: 'c' continues, 'lb 0xADDR' breaks (nm build/xvisor.elf), 'info symbols \"prefix\"', 'r' registers, 's' steps" >&2
  else
    echo c > "$rc"
  fi
fi
if [ $debug = 1 ]; then
  exec 3>&1
  bochs -q -f "$work/bochsrc" -rc "$rc"
else
  # stdin from /dev/null would end Bochs at t=0; give it the terminal or a pipe that stays open
  if [ -t 0 ] && [ $interactive = 0 ]; then bochs -q -f "$work/bochsrc" -rc "$rc"
  else
    # an open, silent stdin: the writer side is a sleep killed on exit
    exec 4< <(exec sleep 86400)
    holder=$!
    # Bochs runs as a background job so that a signal to this script
    # (timeout(1), kill) ends Bochs too instead of orphaning it; Bochs
    # leaves at once on SIGHUP (it lingers ~5 s on SIGTERM)
    if [ $interactive = 1 ]; then
      saved_tty=$(stty -g)
      echo "run-bochs.sh: the hypervisor's console; type 'help', leave with 'poweroff' (Bochs output: $out)" >&2
      TERM=dumb bochs -q -f "$work/bochsrc" -rc "$rc" <&4 >"$out" 2>&1 &
    else
      saved_tty=""
      bochs -q -f "$work/bochsrc" -rc "$rc" <&4 &
    fi
    bpid=$!
    trap '[ -z "$bpid" ] || kill -HUP $bpid 2>/dev/null; kill $holder 2>/dev/null; [ -z "$saved_tty" ] || stty "$saved_tty" 2>/dev/null; rm -rf "$work"' EXIT
    trap 'exit 143' TERM HUP INT
    wait $bpid || status=$?
    bpid=""
    exit "${status:-0}"
  fi
fi
