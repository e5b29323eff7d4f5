#!/usr/bin/env bash
# scripts/fetch-linux.sh [DIR] - the Linux demo guest's files in DIR
# (default build/linux/; make linux-files passes $(BUILD)/linux):
#   bzImage          Debian's cloud kernel, the unmodified vmlinuz of the
#                    package linux-image-cloud-amd64 depends on
#   VERSION          that package's name and version, and busybox-static's
#   initrd.cpio.gz   newc initramfs: static BusyBox, tscmark
#                    (tests/guests/linux/tscmark.c) and /init
#                    (tests/guests/linux/init), /dev/console
# The packages are fetched with 'apt-get download' into DIR/debs/ and
# unpacked with 'dpkg-deb -x' into DIR/root/ (DIR/initramfs/ is the
# initramfs' tree before it is archived): nothing is
# installed on this machine. Idempotent: a package already downloaded at the
# version apt offers is not fetched again; rerunning rebuilds only the files
# from what is there. Works as root and as a user (a user whose apt lists
# are missing is told to run 'apt-get update' as root). Network access to
# Debian's mirrors is needed once. Exits nonzero with a message naming what
# failed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -le 1 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
mkdir -p "${1:-$here/build/linux}"
out=$(cd "${1:-$here/build/linux}" && pwd)
debs=$out/debs
root=$out/root
stage=$out/initramfs
meta=linux-image-cloud-amd64
fail() { echo "fetch-linux.sh: $*" >&2; exit 1; }

for tool in apt-cache apt-get dpkg-deb gcc gzip; do
  command -v $tool >/dev/null || fail "$tool missing (a Debian system with apt and gcc is needed: scripts/deps.sh)"
done
[ -x /usr/bin/python3 ] || fail "/usr/bin/python3 missing (it writes the cpio archive; scripts/deps.sh)"

# --- which packages ------------------------------------------------------------
# The concrete kernel package is the one the meta package depends on today.
resolve_kernel() {
  apt-cache depends "$meta" 2>/dev/null | awk '/^ *Depends: linux-image-/ { print $2; exit }'
}
kpkg=$(resolve_kernel || true)
if [ -z "$kpkg" ] && [ "$(id -u)" -eq 0 ]; then
  echo "fetch-linux.sh: apt does not know $meta; running apt-get update" >&2
  apt-get update -qq || fail "apt-get update failed (no network access to Debian's mirrors?)"
  kpkg=$(resolve_kernel || true)
fi
[ -n "$kpkg" ] || fail "apt-cache depends $meta names no linux-image package: run 'apt-get update' as root (Debian bookworm main and security sources needed)"
pkgs=("$kpkg" busybox-static)

candidate() {  # the version apt would download
  apt-cache policy "$1" 2>/dev/null | awk '/^ *Candidate:/ { print $2; exit }'
}

# --- download (only what is missing) ---------------------------------------------
mkdir -p "$debs"
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)   # root: no _apt sandbox warning
declare -A deb
for p in "${pkgs[@]}"; do
  v=$(candidate "$p")
  [ -n "$v" ] && [ "$v" != "(none)" ] || fail "apt has no candidate version of $p (apt-get update as root?)"
  have=""
  for f in "$debs/${p}_"*.deb; do
    [ -f "$f" ] || continue
    if [ "$(dpkg-deb -f "$f" Package Version 2>/dev/null | tr '\n' ' ')" = "Package: $p Version: $v " ]; then
      have=$f
    else
      rm -f "$f"        # another version: replaced below
    fi
  done
  if [ -z "$have" ]; then
    echo "fetch-linux.sh: downloading $p $v" >&2
    (cd "$debs" && apt-get download -q "${sandbox[@]}" "$p=$v" >/dev/null) ||
      fail "apt-get download $p=$v failed (no network access to Debian's mirrors?)"
    have=$(ls "$debs/${p}_"*.deb 2>/dev/null | head -n1)
    [ -n "$have" ] || fail "apt-get download $p=$v left no .deb in $debs"
  fi
  deb[$p]=$have
done

# --- unpack -----------------------------------------------------------------------
rm -rf "$root"
mkdir -p "$root"
for p in "${pkgs[@]}"; do
  dpkg-deb -x "${deb[$p]}" "$root" || fail "dpkg-deb -x ${deb[$p]} failed"
done
kver=${kpkg#linux-image-}
vmlinuz=$root/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || fail "$kpkg has no boot/vmlinuz-$kver"
[ -x "$root/bin/busybox" ] || fail "busybox-static has no bin/busybox"
cp "$vmlinuz" "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
for p in "${pkgs[@]}"; do dpkg-deb -W --showformat='${Package} ${Version}\n' "${deb[$p]}"; done > "$out/VERSION"

# --- initramfs ----------------------------------------------------------------------
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys"
cp "$root/bin/busybox" "$stage/bin/busybox"
gcc -static -nostdlib -no-pie -O2 -fno-stack-protector -fno-asynchronous-unwind-tables \
  -fcf-protection=none -mgeneral-regs-only -Wall -Wextra -Werror \
  "$here/tests/guests/linux/tscmark.c" -o "$stage/bin/tscmark" || fail "building tests/guests/linux/tscmark.c failed"
cp "$here/tests/guests/linux/init" "$stage/init"
chmod 755 "$stage/init" "$stage/bin/busybox" "$stage/bin/tscmark"
/usr/bin/python3 "$here/scripts/mkcpio.py" "$out/initrd.cpio.gz" "$stage" --node dev/console:c:5:1:600 ||
  fail "writing $out/initrd.cpio.gz failed"
echo "fetch-linux.sh: $out/bzImage ($kpkg), $out/initrd.cpio.gz ($(stat -c %s "$out/initrd.cpio.gz") bytes)" >&2
