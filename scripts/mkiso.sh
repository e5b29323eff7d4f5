#!/usr/bin/env bash
# scripts/mkiso.sh [--dtb F]... [--default ID] [--grub-pre MOD "LINE"]... OUT.iso KERNEL.elf "CMDLINE" [MODULE...]
#
# Build a bootable hybrid GRUB image with the kernel, the given kernel
# command line and Multiboot2 modules (each loaded under its file name). The
# one image boots on legacy BIOS (GRUB i386-pc, El Torito + MBR) and on UEFI
# (GRUB x86_64-efi, El Torito EFI image + GPT/EFI system partition), from a
# CD or written raw to a USB stick. Each --dtb F adds a GRUB menu entry with
# id = F's base name without .dtb that also loads F as a module (the
# kernel's configuration); with any --dtb, an entry "builtin" boots the
# built-in configuration. --default ID picks the entry GRUB starts (default:
# the first). Both platforms get the same menu (one grub.cfg).
# --grub-pre MOD "LINE" (for tests) puts the GRUB command LINE before the
# menu entries, so GRUB runs it before it boots any, and installs the GRUB
# module MOD that provides it (e.g. --grub-pre wrmsr "wrmsr 0x3a 0x1": the
# firmware's lock with VT-x off, as a PC whose setup disabled it). GRUB
# i386-pc runs grub.cfg twice (seen in Bochs and QEMU/SeaBIOS: variables
# set in the first run are still set in the second, and only the second
# one's output reaches COM1), so a LINE with side effects must be guarded.
#
# GRUB platforms: those of i386-pc and x86_64-efi that are installed
# (Debian grub-pc-bin, grub-efi-amd64-bin); a missing one is reported and the
# image boots on the other only. XVISOR_GRUB_PLATFORMS="i386-pc" (or
# "x86_64-efi") builds for that one platform alone, as on a machine without
# the other. XVISOR_GRUB_LIB (default /usr/lib/grub) names another GRUB
# library directory, with one platform: the tests use it to act as a machine
# where the other is missing (grub-mkrescue reads /usr/lib/grub itself when it
# builds for two). Only the GRUB modules the image needs are installed: the
# image stays small and boots fast in Bochs.
set -euo pipefail
dtbs=(); default=""; pre_lines=""; pre_mods=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dtb) dtbs+=("$2"); shift 2 ;;
    --default) default=$2; shift 2 ;;
    --grub-pre)
      [ $# -ge 3 ] && [ -n "$2" ] && [ -n "$3" ] ||
        { echo "mkiso.sh: --grub-pre needs a GRUB module name and a command line" >&2; exit 2; }
      case "$3" in *$'\n'*) echo "mkiso.sh: --grub-pre: the command must be one line: '$3'" >&2; exit 2 ;; esac
      pre_mods+=" $2"; pre_lines+="$3"$'\n'; shift 3 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '2,29p' "$0" >&2; exit 2; }
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
  printf 'menuentry "%s" --id %s {\n    multiboot2 /boot/xvisor.elf %s\n%s%s    set_payload\n    boot\n}\n' \
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
awk -v def="$default" -v ents="$entries" -v pre="$pre_lines" '
  /@DEFAULT@/ { sub(/@DEFAULT@/, def) }
  /@ENTRIES@/ { printf "%s", pre; print ents; next }
  { print }' "$here/iso/grub.cfg" > "$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"

# --- GRUB platforms ------------------------------------------------------------
grub_lib=${XVISOR_GRUB_LIB:-/usr/lib/grub}
wanted=(${XVISOR_GRUB_PLATFORMS:-i386-pc x86_64-efi})
declare -A pkg=([i386-pc]=grub-pc-bin [x86_64-efi]=grub-efi-amd64-bin)
have=()
for p in "${wanted[@]}"; do
  [ -n "${pkg[$p]:-}" ] || { echo "mkiso.sh: XVISOR_GRUB_PLATFORMS: unknown platform '$p' (i386-pc or x86_64-efi)" >&2; exit 2; }
  if [ -f "$grub_lib/$p/moddep.lst" ]; then have+=("$p"); else
    echo "mkiso.sh: warning: GRUB for $p ($grub_lib/$p, Debian ${pkg[$p]}) is not installed: $out will not boot on $([ "$p" = i386-pc ] && echo legacy BIOS || echo UEFI)" >&2
  fi
done
[ ${#have[@]} -gt 0 ] || { echo "mkiso.sh: no GRUB for i386-pc or x86_64-efi under $grub_lib (install grub-pc-bin and grub-efi-amd64-bin: scripts/deps.sh)" >&2; exit 1; }
# Modules loaded at run time (grub.cfg and what it calls); each must exist on
# every platform of the image. The disk and file-system modules a platform
# boots with are put into its core image by grub-mkrescue (biosdisk and
# iso9660 for i386-pc; part_gpt, part_msdos, fat, iso9660 for EFI).
# all_video: GRUB's Multiboot loader sets a video mode on EFI (there is no
# text mode there), which fails with "no suitable video mode found" unless a
# driver (efi_gop, efi_uga) is loaded.
# The partition maps of partmap.lst: the EFI image's search for its root
# probes every disk and loads each map listed there, printing "file not
# found" for any that is missing.
modules="multiboot2 multiboot normal iso9660 serial terminal configfile echo test all_video$pre_mods"
modules+=" $(cat "$grub_lib/${have[0]}/partmap.lst" 2>/dev/null | tr '\n' ' ')"
for p in "${have[@]}"; do
  for m in $modules; do
    [ -f "$grub_lib/$p/$m.mod" ] || { echo "mkiso.sh: GRUB module $m.mod missing for $p in $grub_lib/$p (reinstall ${pkg[$p]})" >&2; exit 1; }
  done
done
# grub-mkrescue builds for every platform under $grub_lib unless one
# directory is named: with one platform wanted, name it.
dir_opt=()
[ ${#have[@]} -eq 1 ] || [ "$grub_lib" = /usr/lib/grub ] ||
  { echo "mkiso.sh: XVISOR_GRUB_LIB=$grub_lib works for one platform only (XVISOR_GRUB_PLATFORMS)" >&2; exit 2; }
if [ ${#have[@]} -eq 1 ]; then
  dir_opt=(--directory="$grub_lib/${have[0]}")
else
  for d in "$grub_lib"/*/; do
    d=$(basename "$d")
    [ -f "$grub_lib/$d/moddep.lst" ] || continue
    case " ${have[*]} " in *" $d "*) ;; *)
      for m in $modules; do
        [ -f "$grub_lib/$d/$m.mod" ] || { echo "mkiso.sh: GRUB for $d is installed too and grub-mkrescue builds for it, but it has no $m.mod: set XVISOR_GRUB_PLATFORMS to one platform, or remove that GRUB platform" >&2; exit 1; }
      done ;;
    esac
  done
fi
grub-mkrescue "${dir_opt[@]}" -o "$out" "$stage" \
  --install-modules="$modules" \
  --locales= --fonts= --themes= >/dev/null 2>"$stage.log" || { cat "$stage.log" >&2; exit 1; }
