"""The screen console (issue 15, item 1): what the hypervisor draws on the
screen is read back and compared with what it sent to COM1.

- QEMU with the BIOS (SeaBIOS): GRUB sets a VBE mode (1024x768x32) and the
  kernel draws with its 8x16 font; a QEMU screen dump is read back cell by
  cell with tests/system/screenlib.py (each cell must be exactly one glyph
  of kernel/font8x16.c) and must show the last lines of the serial log, the
  terminal's echo and a command's output included.
- QEMU with UEFI (OVMF): the same on the firmware's GOP framebuffer.
- QEMU's own Multiboot loader (no framebuffer tag, BIOS), and GRUB in text
  mode (an EGA text tag, as on firmware that offers no graphics): VGA text
  cells at 0xB8000, read from guest-physical memory (pmemsave).
- A CPU exception's report: drawn down to its last line.
- Bochs (VBE): the BIOS boot with the framebuffer request keeps working and
  the screen is taken.
- screen=off: COM1 alone.
"""
import re
import time

import pytest

import conftest
import screenlib

READY = r"xvisor-x86: ready"
PROMPT = "xvisor# "


def boot_qemu_screen(image, uefi=False, append=None, extra=()):
    """QEMU TCG with COM1 on a unix socket (a SerialTerminal) and the
    monitor on another (conftest.boot_qemu_terminal); returns (terminal,
    monitor). An .iso boots through GRUB, an ELF with QEMU's own Multiboot
    loader."""
    term = conftest.boot_qemu_terminal(image, append=append, monitor=True,
                                       extra=(["--uefi"] if uefi else []) + list(extra))
    return term, term.monitor


def serial_lines(term, cols):
    """The serial transcript as the screen would hold it: lines wrapped at
    `cols` characters."""
    out = []
    for line in term.text().split("\n"):
        line = line.rstrip(" ")
        while len(line) > cols:
            out.append(line[:cols].rstrip(" "))
            line = line[cols:]
        out.append(line)
    return out


def monitor_writes(monitor, cmd, path, size=None):
    """Run a monitor command that writes `path` (screendump, pmemsave) and
    wait until the file is there (with `size` bytes, when given)."""
    said = monitor.hmp(cmd)
    for _ in range(50):
        if path.exists() and (path.stat().st_size == size if size else path.stat().st_size > 0):
            return
        time.sleep(0.1)
    pytest.fail("QEMU's monitor wrote no %s: %r" % (path.name, said[-300:]), pytrace=False)


def halved(image):
    """Every other pixel of every other row: a screen drawn with the font
    doubled, as the font's own size."""
    w, h, rgb = image
    half = bytearray()
    for y in range(0, h, 2):
        row = rgb[y * w * 3:(y + 1) * w * 3]
        for x in range(0, w, 2):
            half += row[3 * x:3 * x + 3]
    return w // 2, h // 2, bytes(half)


def screen_text(term, monitor, name, doubled=False):
    """Dump the screen and read it back as lines (doubled: a screen whose
    font pixels are 2x2); the cursor (a reversed cell) at the end of the
    last line is dropped. Returns the image as read and the lines."""
    path = term.workdir / ("%s.ppm" % name)
    monitor_writes(monitor, "screendump \"%s\"" % path, path)
    image = screenlib.read_ppm(path)
    if doubled:
        image = halved(image)
    lines = screenlib.ocr(image, FONT)
    while lines and not lines[-1]:
        lines.pop()
    if lines and lines[-1].endswith("\x00"):
        lines[-1] = lines[-1][:-1].rstrip(" ")
    while lines and not lines[-1]:
        lines.pop()         # the cursor alone on the line below the last
    return image, lines


FONT = screenlib.load_font()


def assert_screen_shows_serial_tail(term, monitor, name, want_rows, doubled=False):
    """Every screen line is a glyph of the font, and the screen shows the
    serial log's last lines, in order. On failure the picture as read is
    written beside the dump as PNG."""
    image, lines = screen_text(term, monitor, name, doubled)
    w, h, _ = image
    cols, rows = w // 8, h // 16
    assert (cols, rows) == want_rows, "screen %dx%d pixels, %dx%d characters" % (w, h, cols, rows)
    bad = [(i, l) for i, l in enumerate(lines) if "\x00" in l]
    assert not bad, "cells that are no glyph of the font (row, text): %r" % bad[:5]
    assert len(lines) >= 5, "the screen shows almost nothing: %r" % lines
    serial = serial_lines(term, cols)
    while serial and not serial[-1]:
        serial.pop()
    # the serial log's last line is the prompt the cursor sits after
    tail = serial[-len(lines):]
    if tail != lines:
        screenlib.write_png(term.workdir / (name + "-dump.png"), *image)
        first = next(i for i in range(len(lines)) if i >= len(tail) or tail[i] != lines[i])
        pytest.fail("the screen does not show the serial log's last %d lines: from screen row %d\n"
                    "screen:\n%s\nserial:\n%s\n(dump in %s)"
                    % (len(lines), first, "\n".join(map(repr, lines[first:first + 6])),
                       "\n".join(map(repr, tail[first:first + 6])), term.workdir),
                    pytrace=False)
    return lines


@pytest.mark.parametrize("uefi", [False, True], ids=["bios-vbe", "uefi-gop"])
def test_screen_shows_the_console(default_iso, uefi):
    term, monitor = boot_qemu_screen(default_iso, uefi=uefi)
    try:
        term.expect(READY, timeout=60)
        term.expect(PROMPT, timeout=10)
        text = term.text()
        assert re.search(r"screen: framebuffer 1024x768, 32 bits, 128x48 characters \(font 8x16\)", text), \
            "no 1024x768 framebuffer taken:\n" + text[:3000]
        assert re.search(r"boot: loader .*firmware %s" % ("UEFI" if uefi else "BIOS"), text)
        time.sleep(0.5)
        lines = assert_screen_shows_serial_tail(term, monitor, "boot", (128, 48))
        assert lines[-1] == PROMPT.rstrip(), lines[-3:]
        # the terminal on the screen: a command typed at COM1, its echo and output
        term.command("version")
        out = term.command("host info")
        m = re.search(r"^host: console COM1 \(input by interrupt\), keyboard i8042 \(by interrupt\), "
                      r"screen framebuffer 1024x768, 32 bits, 128x48 characters \(font 8x16\), "
                      r"(\d+) cells drawn, (\d+) lines scrolled$", out, re.M)
        assert m and int(m.group(1)) > 1000 and int(m.group(2)) > 0, out
        term.command("help")
        time.sleep(0.5)
        lines = assert_screen_shows_serial_tail(term, monitor, "after-help", (128, 48))
        assert any(l.startswith("xvisor# help") for l in lines), lines
    finally:
        monitor.close()
        term.close()


def test_screen_scrolls_a_long_output(default_iso):
    """Well over a screen of output (jump scrolling by half a screen):
    the screen still shows the serial log's tail, line for line."""
    term, monitor = boot_qemu_screen(default_iso)
    try:
        term.expect(READY, timeout=60)
        term.expect(PROMPT, timeout=10)
        for i in range(6):
            term.command("devtree print /")
        time.sleep(0.5)
        assert_screen_shows_serial_tail(term, monitor, "scrolled", (128, 48))
    finally:
        monitor.close()
        term.close()


def assert_vga_text_console(term, monitor, *boot_lines):
    """After the boot (its lines boot_lines present) and a typed command,
    the 80x25 text buffer at 0xB8000 (read from guest memory) holds the
    serial log's last lines, light grey on black, the cursor reversed."""
    term.expect(READY, timeout=60)
    term.expect(PROMPT, timeout=10)
    text = term.text()
    for pattern in boot_lines:
        assert re.search(pattern, text), "no /%s/:\n%s" % (pattern, text[:2000])
    term.command("version")
    time.sleep(0.3)
    path = term.workdir / "vga.bin"
    monitor_writes(monitor, "pmemsave 0xb8000 4000 \"%s\"" % path, path, 4000)
    cells = path.read_bytes()
    rows = []
    for r in range(25):
        row = cells[r * 160:(r + 1) * 160]
        rows.append("".join(chr(row[2 * c]) for c in range(80)).rstrip(" "))
    while rows and not rows[-1]:
        rows.pop()
    attrs = {cells[2 * i + 1] for i in range(2000)}
    assert attrs <= {0x07, 0x70}, "attributes %r" % sorted(attrs)
    serial = serial_lines(term, 80)
    while serial and not serial[-1]:
        serial.pop()
    assert rows[-1] == PROMPT.rstrip(), rows[-3:]
    assert serial[-len(rows):] == rows, "VGA text:\n%s\nserial:\n%s" % (
        "\n".join(rows[-10:]), "\n".join(serial[-10:]))


def test_vga_text_without_a_framebuffer(elf):
    """QEMU's Multiboot loader sets no video mode and passes no framebuffer:
    under the BIOS the console is drawn as VGA text cells at 0xB8000."""
    term, monitor = boot_qemu_screen(elf, append="")
    try:
        assert_vga_text_console(term, monitor, r"screen: VGA text 80x25 at 0xb8000")
    finally:
        monitor.close()
        term.close()


def test_grub_text_mode(make_iso):
    """Firmware that offers only text mode: GRUB passes VGA text as an EGA
    text framebuffer tag (forced here by gfxpayload=text), and the console
    is drawn in its cells."""
    iso = make_iso("", grub_pre=[("echo", "function set_payload { set gfxpayload=text; }")])
    term, monitor = boot_qemu_screen(iso)
    try:
        assert_vga_text_console(term, monitor, r"boot: screen VGA text 80x25 at 0xb8000",
                                r"screen: VGA text 80x25 at 0xb8000")
    finally:
        monitor.close()
        term.close()


def test_screen_off(make_iso):
    iso = make_iso("screen=off")
    term, monitor = boot_qemu_screen(iso)
    try:
        term.expect(READY, timeout=60)
        assert "screen: off (screen=off): console on COM1 only" in term.text()
        term.expect(PROMPT, timeout=10)
        out = term.command("host info")
        assert re.search(r"^host: console COM1 .*, screen none, 0 cells drawn, 0 lines scrolled$",
                         out, re.M), out
        _, lines = screen_text(term, monitor, "off")
        assert not any("xvisor-x86: ready" in l for l in lines), lines
    finally:
        monitor.close()
        term.close()


def test_bochs_bios_boot_with_vbe(run_bochs_iso, boot_bochs):
    """Bochs' BIOS with the framebuffer request: GRUB sets a VBE mode, the
    kernel takes it and boots to the guests as before."""
    r = boot_bochs(run_bochs_iso, timeout=60, until=r"counter: tick 2")
    r.expect(r"screen: framebuffer 1024x768, 32 bits, 128x48 characters \(font 8x16\)",
             r"boot: screen framebuffer 1024x768x32 at 0x[0-9a-f]+, pitch 4096",
             READY, r"counter: tick 2")


def test_screen_shows_a_fault_report(make_iso):
    """A CPU exception in the hypervisor: the report is drawn on the screen
    too (without the screen's lock, as after any panic), down to the last
    line, the same as on COM1."""
    term, monitor = boot_qemu_screen(make_iso("testfault=ud"))
    try:
        term.expect(r"CPU0: stopped\.", timeout=60)
        time.sleep(0.5)
        lines = assert_screen_shows_serial_tail(term, monitor, "fault", (128, 48))
        assert any("#UD invalid opcode (vector 6)" in l for l in lines), lines
        assert lines[-1] == "CPU0: stopped.", lines[-3:]
    finally:
        monitor.close()
        term.close()


def test_large_screen_doubles_the_font(make_iso):
    """A screen 2560 pixels wide: each font pixel is drawn as 2x2, the
    console has 160x50 characters of 16x32 pixels. Read back by taking
    every other pixel of every other row (halved)."""
    iso = make_iso("", grub_pre=[("echo", "function set_payload { set gfxpayload=2560x1600x32; }")])
    # QEMU's standard VGA with room for 2560x1600x32 (its default 16 MiB has not)
    term, monitor = boot_qemu_screen(iso, extra=["-vga", "none", "-device", "VGA,vgamem_mb=64"])
    try:
        term.expect(READY, timeout=60)
        term.expect(PROMPT, timeout=10)
        text = term.text()
        assert re.search(r"screen: framebuffer 2560x1600, 32 bits, 160x50 characters "
                         r"\(font 8x16, doubled\)", text), text[:2000]
        term.command("version")
        time.sleep(0.5)
        assert_screen_shows_serial_tail(term, monitor, "large", (160, 50), doubled=True)
    finally:
        monitor.close()
        term.close()
