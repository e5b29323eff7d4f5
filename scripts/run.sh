#!/usr/bin/env bash
# scripts/run.sh [ISO] - boot xvisor-x86 in the best engine this host has
# for running guests (what `make run` does), serial console on the terminal.
#
# QEMU with KVM and nested VMX (scripts/run-qemu.sh --kvm) when the host
# offers it: an Intel CPU with the vmx flag, a usable /dev/kvm and kvm_intel
# loaded with nested=Y (or 1). Otherwise Bochs (scripts/run-bochs.sh), which
# emulates VMX with EPT in software: slower, but the hypervisor can run
# guests there. QEMU TCG has no VMX at all, so it is never chosen here
# (use scripts/run-qemu.sh for it). Prints which engine it chose and why.
# Without ISO it boots the engine's own image, build/xvisor-qemu.iso or
# build/xvisor-bochs.iso (its default GRUB entry loads dts/qemu.dts or
# dts/bochs.dts), falling back to build/xvisor.iso.
#   --why    only print the choice and the reason, do not boot
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
why_only=0; iso=""
while [ $# -gt 0 ]; do
  case "$1" in
    --why) why_only=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) iso=$1; shift ;;
  esac
done
# ISO for engine $1 (qemu or bochs): the one given, else the engine's own
pick_iso() {
  if [ -n "$iso" ]; then echo "$iso"
  elif [ -f "$here/build/xvisor-$1.iso" ]; then echo "$here/build/xvisor-$1.iso"
  else echo "$here/build/xvisor.iso"; fi
}

# Sets $reason; succeeds when QEMU+KVM can give the hypervisor nested VMX.
kvm_nested_vmx() {
  local nested=/sys/module/kvm_intel/parameters/nested
  if ! grep -q '^vendor_id[[:space:]]*: GenuineIntel' /proc/cpuinfo 2>/dev/null; then
    reason="the host CPU is not an Intel CPU ($(awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown))"
    return 1
  fi
  if ! grep -qw vmx /proc/cpuinfo; then
    reason="the host CPU shows no 'vmx' flag in /proc/cpuinfo (VT-x absent, disabled in firmware, or hidden by a hypervisor)"
    return 1
  fi
  if [ ! -e /dev/kvm ]; then
    reason="/dev/kvm does not exist (KVM not loaded)"
    return 1
  fi
  if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    reason="/dev/kvm is not read/writable by $(id -un) (join group 'kvm')"
    return 1
  fi
  if [ ! -f $nested ]; then
    reason="kvm_intel is not loaded ($nested missing)"
    return 1
  fi
  case "$(cat $nested)" in
    Y|y|1) reason="Intel CPU with vmx, /dev/kvm usable, kvm_intel nested=$(cat $nested)"; return 0 ;;
    *) reason="kvm_intel nested=$(cat $nested) (enable: modprobe -r kvm_intel && modprobe kvm_intel nested=1)"; return 1 ;;
  esac
}

reason=""
if kvm_nested_vmx; then
  echo "run.sh: engine QEMU+KVM with nested VMX: $reason" >&2
  [ $why_only = 1 ] && exit 0
  echo "run.sh: booting $(pick_iso qemu) (leave with 'poweroff' or Ctrl-A x)" >&2
  exec "$here/scripts/run-qemu.sh" --kvm "$(pick_iso qemu)"
else
  echo "run.sh: engine Bochs (software VMX with EPT): no nested VMX under KVM because $reason" >&2
  [ $why_only = 1 ] && exit 0
  echo "run.sh: booting $(pick_iso bochs) (COM1 owns the terminal: Ctrl-C goes to the hypervisor; leave with 'poweroff')" >&2
  exec "$here/scripts/run-bochs.sh" "$(pick_iso bochs)"
fi
