"""tests/system/test_image.py - the one bootable image for legacy BIOS and
UEFI (scripts/mkiso.sh, iso/grub.cfg).

Every ISO the build makes (build/xvisor.iso and the per-DTS
build/xvisor-<dts>.iso) must carry GRUB for i386-pc and for x86_64-efi: its
El Torito catalogue has a BIOS and a UEFI boot image, its first sectors an
MBR and a GPT (a stick written raw boots on either firmware), the EFI image
holds EFI/BOOT/BOOTX64.EFI. Each boots in QEMU TCG under OVMF (UEFI) to the
"VMX not available" verdict and "ready" with the entry of its own DTS, from
a CD and as a USB stick, without a GRUB error or warning line on the way;
under SeaBIOS it boots from the stick too (the CD boots under the BIOS are in
test_boot.py and test_devtree.py). A test here fails if the image loses
either platform. mkiso.sh on a machine with one GRUB platform only
(XVISOR_GRUB_PLATFORMS) still builds, says which firmware the image will
not boot on, and boots on the other.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, REPO, SESSION_DIR, SNAP_ELF, MKISO

READY = r"^xvisor-x86: ready$"
VERDICT = r"^vmx: verdict: VMX not available: no VMX in CPUID$"
# GRUB reports problems as "error: ..." lines; "WARNING: no console will be
# available to OS" is its Multiboot loader's complaint on UEFI
GRUB_TROUBLE = r"error|WARNING|EXCEPTION|PANIC|not found|Nothing to boot"
DTS_IDS = sorted(p.stem for p in (REPO / "dts").glob("*.dts"))


def _make(target):
    r = subprocess.run(["make", "--no-print-directory", target], cwd=REPO,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, "make %s failed:\n%s%s" % (target, r.stdout, r.stderr)


@pytest.fixture(scope="session")
def images(build):
    """{id: session copy of the ISO}: 'xvisor' for build/xvisor.iso (the pc
    entry by default) and each DTS id for build/xvisor-<id>.iso."""
    out = {}
    d = SESSION_DIR / "image"
    for i in DTS_IDS:
        _make("build/xvisor-%s.iso" % i)
        out[i] = d / ("xvisor-%s.iso" % i)
        shutil.copy2(BUILD / ("xvisor-%s.iso" % i), out[i])
    out["xvisor"] = d / "xvisor.iso"        # the build fixture's copy
    return out


def default_entry(image_id):
    """The DTS whose GRUB entry an image starts by default."""
    return "pc" if image_id == "xvisor" else image_id


def el_torito(iso):
    """The platforms of the El Torito boot images: e.g. ['BIOS', 'UEFI']."""
    r = subprocess.run(["xorriso", "-indev", str(iso), "-report_el_torito", "plain"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    plats = []
    for line in r.stdout.splitlines():
        if line.startswith("El Torito boot img :"):
            plats.append(line.split(":", 1)[1].split()[1])
    return plats


def efi_files(iso, tmp_path):
    """The files in the EFI boot image's /efi/boot (lower case)."""
    img = tmp_path / "efi.img"
    r = subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(iso),
                        "-extract", "/efi.img", str(img)],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or not img.exists():
        return []
    r = subprocess.run(["mdir", "-b", "-i", str(img), "::/efi/boot"],
                       capture_output=True, text=True, timeout=60)
    return [Path(x).name.lower() for x in r.stdout.split()]


def check_both_platforms(iso, tmp_path):
    plats = el_torito(iso)
    assert sorted(plats) == ["BIOS", "UEFI"], \
        "%s: El Torito boot images %s, want one BIOS and one UEFI" % (iso, plats)
    head = Path(iso).read_bytes()[:1024]
    assert head[510:512] == b"\x55\xaa", "%s: no MBR boot signature (USB stick on BIOS)" % iso
    assert head[512:520] == b"EFI PART", "%s: no GPT header (USB stick on UEFI)" % iso
    assert "bootx64.efi" in efi_files(iso, tmp_path), \
        "%s: the EFI image has no /EFI/BOOT/BOOTX64.EFI" % iso


@pytest.mark.parametrize("image_id", ["xvisor"] + DTS_IDS)
def test_image_carries_bios_and_uefi(images, image_id, tmp_path):
    """BIOS and UEFI El Torito images, MBR and GPT, BOOTX64.EFI."""
    check_both_platforms(images[image_id], tmp_path)


def expect_uefi_boot(r, image_id):
    r.expect(
        r"Booting `xvisor-x86: %s configuration'" % default_entry(image_id),
        r'^boot: loader "GRUB [^"]+" \(Multiboot2\), firmware UEFI$',
        r"^boot: screen framebuffer \d+x\d+x\d+ at 0x[0-9a-f]+, pitch \d+$",
        r'^module: "%s\.dtb"' % default_entry(image_id),
        VERDICT,
        r"^config: module %s\.dtb DTB, 0 problems" % default_entry(image_id),
        READY,
    )
    r.refute(GRUB_TROUBLE)
    assert not r.exited, "QEMU ended although the hypervisor should idle\n%s" % r


@pytest.mark.parametrize("image_id", ["xvisor"] + DTS_IDS)
def test_uefi_cd_boots_to_ready(images, boot_qemu, image_id):
    """OVMF boots each ISO from the CD through GRUB for x86_64-efi."""
    r = boot_qemu(iso=images[image_id], uefi=True, timeout=60, until=READY, linger=0.3)
    expect_uefi_boot(r, image_id)


def test_uefi_usb_stick_boots_to_ready(images, boot_qemu):
    """OVMF boots build/xvisor.iso written raw to a USB stick (its GPT and
    EFI system partition)."""
    r = boot_qemu(iso=images["xvisor"], uefi=True, usb=True, timeout=60,
                  until=READY, linger=0.3)
    expect_uefi_boot(r, "xvisor")


def test_bios_usb_stick_boots_to_ready(images, boot_qemu):
    """SeaBIOS boots build/xvisor.iso written raw to a USB stick (its MBR);
    GRUB sets a VBE mode for the screen console."""
    r = boot_qemu(iso=images["xvisor"], usb=True, timeout=30, until=READY, linger=0.3)
    r.expect(
        r"Booting `xvisor-x86: pc configuration'",
        r'^boot: loader "GRUB [^"]+" \(Multiboot2\), firmware BIOS$',
        r"^boot: screen framebuffer 1024x768x32 at 0x[0-9a-f]+, pitch 4096$",
        VERDICT,
        READY,
    )
    r.refute(GRUB_TROUBLE)


@pytest.mark.parametrize("only,firmware,missing", [
    ("i386-pc", "BIOS", "UEFI"),
    ("x86_64-efi", "UEFI", "BIOS"),
])
def test_mkiso_with_one_grub_platform(tmp_path, boot_qemu, build, only, firmware, missing):
    """As on a machine with GRUB for one platform only: the image is built,
    mkiso.sh warns which firmware it will not boot on, the catalogue holds
    that one platform, and the image boots on it."""
    out = tmp_path / "one.iso"
    env = dict(os.environ, XVISOR_GRUB_PLATFORMS=only)
    r = subprocess.run([MKISO, out, SNAP_ELF, ""], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert el_torito(out) == [firmware], el_torito(out)
    rb = boot_qemu(iso=out, uefi=(firmware == "UEFI"), timeout=60, until=READY, linger=0.3)
    rb.expect(r"\(Multiboot2\), firmware %s$" % firmware, READY)
    rb.refute(GRUB_TROUBLE)


def test_mkiso_warns_when_a_grub_platform_is_missing(tmp_path, build):
    """A GRUB platform that is not installed is named, with its Debian
    package and the firmware the image then cannot boot on; the build goes
    on with the other one."""
    lib = tmp_path / "grub"
    lib.mkdir()
    (lib / "i386-pc").symlink_to("/usr/lib/grub/i386-pc")
    out = tmp_path / "bios-only.iso"
    env = dict(os.environ, XVISOR_GRUB_LIB=str(lib))
    r = subprocess.run([MKISO, out, SNAP_ELF, ""], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "GRUB for x86_64-efi" in r.stderr and "grub-efi-amd64-bin" in r.stderr \
        and "will not boot on UEFI" in r.stderr, r.stderr
    assert el_torito(out) == ["BIOS"], el_torito(out)


def test_mkiso_refuses_without_any_grub(tmp_path, build):
    """No GRUB platform at all: a clear error naming both packages."""
    lib = tmp_path / "grub"
    lib.mkdir()
    r = subprocess.run([MKISO, tmp_path / "none.iso", SNAP_ELF, ""], cwd=REPO,
                       env=dict(os.environ, XVISOR_GRUB_LIB=str(lib)),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "grub-pc-bin" in r.stderr and "grub-efi-amd64-bin" in r.stderr, r.stderr
    assert not (tmp_path / "none.iso").exists()
