#!/usr/bin/env bash
# scripts/run-qemu.sh [options] [extra QEMU args] [ISO] - boot xvisor-x86 in QEMU.
#
# Default: QEMU TCG (software CPU, no VMX: the hypervisor reports "VMX not
# available" and idles), booting ISO (default build/xvisor.iso) from CD
# through GRUB (Multiboot2), with -m 256, -display none, -no-reboot and an
# isa-debug-exit device at 0x501. The serial console (COM1) is the terminal:
# keys go to the hypervisor's prompt (Ctrl-C too: it cancels the line); leave
# with the 'poweroff' command or Ctrl-A x (Ctrl-A c: QEMU's monitor). Options:
#   --kvm             hardware virtualization with nested VMX:
#                     -enable-kvm -cpu host,+vmx. Refused unless /dev/kvm is
#                     usable and kvm_intel has nested=Y/1 (Intel host).
#   --uefi            boot with UEFI firmware (Debian ovmf: OVMF_CODE_4M.fd,
#                     variables in a throw-away overlay) instead of
#                     the legacy BIOS (SeaBIOS)
#   --usb             attach the ISO as a USB stick (usb-storage on an xHCI
#                     controller, read-only) instead of a CD: the image as
#                     written raw to a stick by scripts/mkusb.sh
#   --serial-file F   serial port into file F instead of the terminal
#   --serial-socket S serial port on a unix socket S (QEMU listens and waits
#                     for one client before it starts: a two-way link for
#                     tests that type at the hypervisor's terminal)
#   --kernel          boot the ELF (default build/xvisor.elf, or a last
#                     argument ending in .elf) with -kernel (QEMU's Multiboot
#                     loader, no GRUB); pass the command line with -append
#                     "..." and modules with -initrd "a,b"
#   --dry-run         print the QEMU command instead of running it
# Every other argument is passed to QEMU unchanged (e.g. -append "...",
# -initrd F, -smp 2, -s -S). Exit status is QEMU's: 0 after an ACPI
# power-off, (v << 1) | 1 after a write of v to port 0x501.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
kvm=0; uefi=0; usb=0; serial_file=""; serial_socket=""; kernel_mode=0; dry=0; image=""; extra=()

die() { echo "run-qemu.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --kvm) kvm=1; shift ;;
    --uefi) uefi=1; shift ;;
    --usb) usb=1; shift ;;
    --serial-file) [ $# -ge 2 ] || die "--serial-file needs a file name"; serial_file=$2; shift 2 ;;
    --serial-socket) [ $# -ge 2 ] || die "--serial-socket needs a socket path"; serial_socket=$2; shift 2 ;;
    --kernel) kernel_mode=1; shift ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) extra+=("$1"); shift ;;
  esac
done

# The image is the last argument when it names an ISO (or, with --kernel, an
# ELF); every other argument belongs to QEMU.
if [ ${#extra[@]} -gt 0 ]; then
  last=${extra[${#extra[@]}-1]}
  case "$last" in
    *.iso) [ $kernel_mode = 0 ] || die "--kernel boots an ELF, not the ISO $last"
           image=$last; unset 'extra[${#extra[@]}-1]' ;;
    *.elf) [ $kernel_mode = 1 ] || die "$last is an ELF: add --kernel to boot it with -kernel"
           image=$last; unset 'extra[${#extra[@]}-1]' ;;
  esac
fi
if [ $kernel_mode = 1 ]; then
  [ -n "$image" ] || image=$here/build/xvisor.elf
  [ -f "$image" ] || die "no kernel at $image (run 'make')"
  boot=(-kernel "$image")
else
  [ -n "$image" ] || image=$here/build/xvisor.iso
  [ -f "$image" ] || die "no ISO at $image (run 'make')"
  if [ $usb = 1 ]; then
    boot=(-drive "if=none,id=stick,format=raw,readonly=on,file=$image"
          -device qemu-xhci -device usb-storage,drive=stick,bootindex=0)
  else
    boot=(-cdrom "$image" -boot d)
  fi
fi
[ $usb = 0 ] || [ $kernel_mode = 0 ] || die "--usb boots the ISO, not --kernel"

firmware=()
if [ $uefi = 1 ]; then
  ovmf=/usr/share/OVMF
  [ -f $ovmf/OVMF_CODE_4M.fd ] && [ -f $ovmf/OVMF_VARS_4M.fd ] ||
    die "--uefi: $ovmf/OVMF_CODE_4M.fd or OVMF_VARS_4M.fd missing (Debian package ovmf; run scripts/deps.sh)"
  [ $kernel_mode = 0 ] || die "--uefi boots the ISO through GRUB, not --kernel (QEMU's -kernel Multiboot loader is BIOS only)"
  # the firmware writes its variables (boot entries): into a temporary
  # overlay (snapshot=on), never into the installed file
  firmware=(-drive "if=pflash,format=raw,readonly=on,file=$ovmf/OVMF_CODE_4M.fd"
            -drive "if=pflash,format=raw,snapshot=on,file=$ovmf/OVMF_VARS_4M.fd")
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run scripts/deps.sh)"

if [ $kvm = 1 ]; then
  # Nested VMX needs an Intel host whose kvm_intel module allows nesting.
  [ -e /dev/kvm ] || die "--kvm: /dev/kvm does not exist (no KVM on this host; use TCG or scripts/run-bochs.sh)"
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || die "--kvm: /dev/kvm is not read/writable by $(id -un) (add yourself to group 'kvm')"
  nested=/sys/module/kvm_intel/parameters/nested
  [ -f $nested ] || die "--kvm: kvm_intel is not loaded ($nested missing): this host's KVM offers no nested VMX (AMD host or paravirtual KVM); use scripts/run-bochs.sh for VMX"
  case "$(cat $nested)" in
    Y|y|1) ;;
    *) die "--kvm: nested VMX is disabled (kvm_intel nested=$(cat $nested)); enable it with: modprobe -r kvm_intel && modprobe kvm_intel nested=1" ;;
  esac
  accel=(-enable-kvm -cpu host,+vmx)
else
  accel=(-accel tcg)
fi

if [ -n "$serial_file" ] && [ -n "$serial_socket" ]; then
  die "--serial-file and --serial-socket exclude each other"
elif [ -n "$serial_file" ]; then
  serial=(-serial "file:$serial_file")
elif [ -n "$serial_socket" ]; then
  serial=(-serial "unix:$serial_socket,server=on,wait=on")
else
  # stdio multiplexed with the monitor: Ctrl-A x quits, Ctrl-C is a key
  serial=(-chardev stdio,id=con0,mux=on,signal=off -serial chardev:con0
          -mon chardev=con0,mode=readline)
fi

cmd=(qemu-system-x86_64 "${accel[@]}" -m 256 "${firmware[@]}" "${boot[@]}" "${serial[@]}"
     -display none -monitor none -no-reboot
     -device isa-debug-exit,iobase=0x501,iosize=1 "${extra[@]}")
if [ $dry = 1 ]; then
  printf '%q ' "${cmd[@]}"; echo
  exit 0
fi
exec "${cmd[@]}"
