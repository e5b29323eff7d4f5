#!/usr/bin/env bash
# scripts/mkiso.sh OUT.iso KERNEL.elf "CMDLINE" [MODULE...]
# Build a bootable hybrid (CD and USB) GRUB ISO holding the kernel (and
# Multiboot2 modules, each loaded under its file name) with the given kernel
# command line. Only the GRUB modules the image needs are installed, which
# keeps it under 1 MB and boots it fast in Bochs.
set -euo pipefail
out=$1; kernel=$2; cmdline=${3:-}; shift 3 || shift $#
here=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/xvisor-iso.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/xvisor.elf"
modlines=""
for m in "$@"; do
  cp "$m" "$stage/boot/$(basename "$m")"
  modlines+="    module2 /boot/$(basename "$m") $(basename "$m")"$'\n'
done
# the cmdline goes into a GRUB string; escape what GRUB would interpret
esc=${cmdline//\\/\\\\}
python_sub() { awk -v cmd="$esc" -v mods="$modlines" '
  /@CMDLINE@/ { sub(/@CMDLINE@/, cmd); print; if (mods != "") printf "%s", mods; next }
  { print }'; }
python_sub < "$here/iso/grub.cfg" > "$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$stage" \
  --install-modules="multiboot2 multiboot normal iso9660 biosdisk serial terminal configfile echo" \
  --locales= --fonts= --themes= >/dev/null 2>"$stage.log" || { cat "$stage.log" >&2; rm -f "$stage.log"; exit 1; }
rm -f "$stage.log"
