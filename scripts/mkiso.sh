#!/usr/bin/env bash
# scripts/mkiso.sh [--dtb F]... [--default ID] OUT.iso KERNEL.elf "CMDLINE" [MODULE...]
#
# Build a bootable hybrid (CD and USB stick) GRUB ISO with the kernel, the
# given kernel command line and Multiboot2 modules (each loaded under its
# file name). Each --dtb F adds a GRUB menu entry with id = F's base name
# without .dtb that also loads F as a module (the kernel's configuration);
# with any --dtb, an entry "builtin" boots the built-in configuration.
# --default ID picks the entry GRUB starts (default: the first).
# Only the GRUB modules the image needs are installed: the ISO stays under
# 1 MB and boots fast in Bochs.
set -euo pipefail
dtbs=(); default=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dtb) dtbs+=("$2"); shift 2 ;;
    --default) default=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
out=$1; kernel=$2; cmdline=${3:-}; shift 2; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/xvisor-iso.XXXXXX")
trap 'rm -rf "$stage" "$stage.log"' EXIT
mkdir -p "$stage/boot/grub" "$stage/boot/dtb"
cp "$kernel" "$stage/boot/xvisor.elf"

modlines=""
for m in "$@"; do
  cp "$m" "$stage/boot/$(basename "$m")"
  modlines+="    module2 /boot/$(basename "$m") $(basename "$m")"$'\n'
done
entry() {  # id title extra-module-lines
  printf 'menuentry "%s" --id %s {\n    multiboot2 /boot/xvisor.elf %s\n%s%s    boot\n}\n' \
    "$2" "$1" "$cmdline" "$3" "$modlines"
}
entries=""
if [ ${#dtbs[@]} -eq 0 ]; then
  entries=$(entry default "xvisor-x86" "")
  [ -n "$default" ] || default=default
else
  for d in "${dtbs[@]}"; do
    id=$(basename "$d" .dtb)
    cp "$d" "$stage/boot/dtb/$id.dtb"
    entries+=$(entry "$id" "xvisor-x86: $id configuration" "    module2 /boot/dtb/$id.dtb $id.dtb"$'\n')$'\n'
    [ -n "$default" ] || default=$id
  done
  entries+=$(entry builtin "xvisor-x86: built-in configuration" "")
fi
awk -v def="$default" -v ents="$entries" '
  /@DEFAULT@/ { sub(/@DEFAULT@/, def) }
  /@ENTRIES@/ { print ents; next }
  { print }' "$here/iso/grub.cfg" > "$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$stage" \
  --install-modules="multiboot2 multiboot normal iso9660 biosdisk serial terminal configfile echo" \
  --locales= --fonts= --themes= >/dev/null 2>"$stage.log" || { cat "$stage.log" >&2; exit 1; }
