#!/usr/bin/env bash
# scripts/mkusb.sh [--force] ISO /dev/sdX - write the bootable hybrid ISO
# (build/xvisor.iso: BIOS and UEFI boot from CD or USB) to a USB stick, for real VT-x
# machines. ALL DATA ON THE DEVICE IS LOST.
#
# Refuses, before touching anything: a target that is not a block device; a
# partition (give the whole disk, /dev/sdX not /dev/sdX1); anything that is
# not a whole disk; a disk with any mounted partition (or swap in use); the
# disk holding / or /boot; a disk smaller than the ISO; a disk the kernel
# does not call removable or hot-pluggable (internal disks), unless --force
# (which also admits loop devices). Then it shows the device (lsblk: model,
# size, transport), asks you to type "yes", writes the ISO with dd and syncs.
#   --force    also accept non-removable disks and loop devices
#   -h         this help
set -euo pipefail
force=0; args=()
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "mkusb.sh: unknown option $a" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
[ ${#args[@]} -eq 2 ] || { echo "usage: scripts/mkusb.sh [--force] ISO /dev/sdX (whole USB disk)" >&2; exit 2; }
iso=${args[0]}; target=${args[1]}

die() { echo "mkusb.sh: refusing: $*" >&2; exit 1; }

# --- the image ---------------------------------------------------------------
[ -f "$iso" ] || die "$iso is not a file (build it with 'make')"
iso_size=$(stat -Lc %s "$iso")
# a hybrid ISO carries an MBR: boot signature 55 aa at offset 510
sig=$(od -An -tx1 -j510 -N2 "$iso" | tr -d ' \n')
[ "$sig" = 55aa ] || die "$iso has no MBR boot signature: not a hybrid ISO (build it with scripts/mkiso.sh)"

# --- the target --------------------------------------------------------------
[ -e "$target" ] || die "$target does not exist"
dev=$(readlink -f "$target")
[ -b "$dev" ] || die "$target is not a block device (want a whole USB disk such as /dev/sdb)"
name=$(basename "$dev")
command -v lsblk >/dev/null || die "lsblk missing (Debian package util-linux)"
type=$(lsblk -dno TYPE "$dev" 2>/dev/null | head -1 | tr -d ' ' || true)
case "$type" in
  disk) ;;
  part) parent=$(lsblk -dno PKNAME "$dev" 2>/dev/null | head -1 | tr -d ' ')
        die "$dev is a partition; give the whole disk${parent:+ (/dev/$parent)}" ;;
  loop) [ $force = 1 ] || die "$dev is a loop device, not a USB disk (--force to write it anyway)" ;;
  "")   die "lsblk does not know $dev (an unattached loop device, or no such disk)" ;;
  *)    die "$dev is of type '$type', not a whole disk" ;;
esac

# mounted anywhere: the disk itself, its partitions, or anything stacked on
# them (LVM, dm-crypt); lsblk shows the whole tree under the disk
mounted=$(lsblk -nrpo NAME,MOUNTPOINT "$dev" 2>/dev/null | awk 'NF >= 2 {print $1 " on " $2}')
if [ -z "$mounted" ]; then
  # fall back to /proc/mounts for the device and its partitions
  mounted=$(awk -v d="$dev" 'index($1, d) == 1 {print $1 " on " $2}' /proc/mounts)
fi
# the disks under / and /boot (through partitions, LVM, dm-crypt, md)
for mp in / /boot; do
  src=$(findmnt -nvo SOURCE --target "$mp" 2>/dev/null | head -1 || true)
  [ -n "$src" ] && [ -b "$src" ] || continue
  for disk in $(lsblk -nsrpo NAME,TYPE "$src" 2>/dev/null | awk '$2 == "disk" || $2 == "loop" {print $1}'); do
    [ "$(readlink -f "$disk")" = "$dev" ] && die "$dev holds $mp (the running system's disk)"
  done
done
[ -z "$mounted" ] || die "$dev has mounted file systems (unmount them first):
$mounted"
if grep -q "^$dev" /proc/swaps 2>/dev/null; then
  die "$dev (or a partition of it) is in use as swap"
fi

rm_flag=$(lsblk -dno RM "$dev" | tr -d ' ')
hotplug=$(lsblk -dno HOTPLUG "$dev" 2>/dev/null | tr -d ' ' || true)
tran=$(lsblk -dno TRAN "$dev" 2>/dev/null | tr -d ' ' || true)
if [ "$rm_flag" != 1 ] && [ "$hotplug" != 1 ] && [ "$tran" != usb ]; then
  [ $force = 1 ] || die "$dev is not a removable disk (RM=$rm_flag HOTPLUG=${hotplug:-?} TRAN=${tran:-?}); this looks like an internal disk (--force if you are sure)"
fi

dev_size=$(lsblk -bdno SIZE "$dev" | tr -d ' ')
[ "${dev_size:-0}" -ge "$iso_size" ] || die "$dev holds ${dev_size:-0} bytes, less than the ISO's $iso_size"
[ -w "$dev" ] || die "$dev is not writable by $(id -un) (run as root)"

# --- confirm and write -------------------------------------------------------
echo "mkusb.sh: about to write $iso ($iso_size bytes) to:"
lsblk -o NAME,VENDOR,MODEL,SIZE,TRAN,RM,TYPE,MOUNTPOINT "$dev" || true
printf 'ALL DATA on %s will be lost. Type "yes" to continue: ' "$dev"
answer=""
read -r answer || true
[ "$answer" = yes ] || { echo "mkusb.sh: not confirmed; nothing written" >&2; exit 1; }

dd if="$iso" of="$dev" bs=4M conv=fsync oflag=direct status=progress
sync
command -v blockdev >/dev/null && blockdev --rereadpt "$dev" 2>/dev/null || true
echo "mkusb.sh: wrote $iso to $dev; boot it on a VT-x machine in UEFI (Secure Boot off) or legacy BIOS/CSM mode"
