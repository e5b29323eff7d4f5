#!/usr/bin/env bash
# scripts/deps.sh - install every Debian package that building, running and
# testing xvisor-x86 needs. Idempotent: when everything is present it only
# runs dpkg-query and exits. Needs root (or sudo) for apt-get.
set -euo pipefail

PKGS=(
  # build: kernel, ISO, device trees
  gcc make binutils nasm grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
  device-tree-compiler libfdt-dev
  # run
  bochs bochs-term bochsbios vgabios qemu-system-x86 ovmf
  # tests: unit (cmocka), fuzz (clang/libFuzzer), system (pytest, pexpect, pgrep)
  libcmocka-dev clang libclang-rt-14-dev python3-pytest python3-pexpect procps
  # tests: the guest ACPI tables checked by iasl (tests/system/test_acpi_iasl.py)
  acpica-tools
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps.sh: installing: ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: done" >&2
