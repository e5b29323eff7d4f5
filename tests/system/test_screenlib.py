"""tests/system/test_screenlib.py - self-test of screenlib.py (no emulator):
text rendered with the font reads back as the same text, a wrong pixel reads
as unknown ('\\x00') rather than as another character, PPM files with header
comments parse and damaged ones are refused with the file named, and reading
a full 1024x768 screen is fast.

Run: /usr/bin/python3 -m pytest -q tests/system/test_screenlib.py
"""
import time
import zlib

import pytest

import screenlib as sl
from screenlib import BOX, FONT_H, FONT_W, ScreenError

PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
CONSOLE = [
    "xvisor-x86 0.1 (abc) - type-1 hypervisor",
    "manager: guest counter created (1 VCPU, state RESET)",
    "xvisor# help",
]


@pytest.fixture(scope="module")
def font():
    return sl.load_font()


def test_font_loads_every_printable_and_the_box(font):
    assert sorted(font) == list(range(0x20, 0x7F)) + [BOX]
    assert all(len(rows) == FONT_H for rows in font.values())
    assert all(0 <= v <= 0xFF for rows in font.values() for v in rows)
    assert font[0x20] == [0] * FONT_H
    # 'A' has ink where a capital does (rows 2..11), none below
    assert any(font[ord("A")][2:12]) and not any(font[ord("A")][12:])


def test_round_trip_every_printable(font):
    lines = [PRINTABLE[:48], PRINTABLE[48:], "", *CONSOLE, "  indented  "]
    w, h = 640, 480
    rgb = sl.render(lines, font, w, h)
    got = sl.ocr((w, h, rgb), font)
    assert got[:len(lines)] == [l.rstrip(" ") for l in lines]
    assert got[len(lines):] == [""] * (h // FONT_H - len(lines))


def test_round_trip_offset_grid_and_colours(font):
    # a grid that starts inside the image, other colours, 1024x768
    w, h, x0, y0 = 1024, 768, 4, 8
    lines = [PRINTABLE, *CONSOLE]
    rgb = sl.render(lines, font, w, h, fg=(255, 255, 85), bg=(0, 0, 170),
                    x0=x0, y0=y0)
    assert sl.background((w, h, rgb)) == (0, 0, 170)
    got = sl.ocr((w, h, rgb), font, cols=127, rows=4, x0=x0, y0=y0)
    assert got == lines
    # read on the wrong grid, the same pixels are not text
    shifted = sl.ocr((w, h, rgb), font, cols=127, rows=4, x0=x0 + 1, y0=y0)
    assert shifted[0] != PRINTABLE and "\x00" in shifted[0]


def test_ink_is_any_colour_but_the_background(font):
    w, h = 160, 32
    red = sl.render(["red line", ""], font, w, h, fg=(200, 0, 0))
    green = sl.render(["", "green line"], font, w, h, fg=(0, 200, 0))
    half = w * FONT_H * 3
    mixed = red[:half] + green[half:]
    assert sl.ocr((w, h, mixed), font) == ["red line", "green line"]


def test_one_wrong_pixel_reads_as_unknown(font):
    w, h = 64, 16
    text = "xA Bq"
    rgb = bytearray(sl.render([text], font, w, h))
    # every pixel of every cell, flipped in turn: that cell, and only it,
    # reads '\x00' (no glyph is one pixel away from another)
    for col in range(len(text)):
        for y in range(FONT_H):
            for x in range(FONT_W):
                p = (y * w + col * FONT_W + x) * 3
                saved = bytes(rgb[p:p + 3])
                rgb[p:p + 3] = b"\xff\xff\xff" if saved == b"\0\0\0" \
                    else b"\0\0\0"
                want = text[:col] + "\x00" + text[col + 1:]
                got = sl.ocr((w, h, bytes(rgb)), font)
                rgb[p:p + 3] = saved
                assert got == [want], (col, x, y)


def test_box_and_unknown_characters(font):
    w, h = 64, 16
    rgb = sl.render(["a\x01\x7f\xffb"], font, w, h)
    assert sl.ocr((w, h, rgb), font) == ["a" + chr(BOX) * 3 + "b"]


def test_render_refuses_what_does_not_fit(font):
    with pytest.raises(ScreenError, match="wider than the 8 columns"):
        sl.render(["x" * 9], font, 64, 16)
    with pytest.raises(ScreenError, match="2 lines do not fit"):
        sl.render(["a", "b"], font, 64, 16)
    with pytest.raises(ScreenError, match="does not fit"):
        sl.ocr((64, 16, bytes(64 * 16 * 3)), font, cols=9)


def test_ppm_round_trip_with_header_comments(tmp_path, font):
    w, h = 24, 16
    rgb = sl.render(["ok!"], font, w, h)
    plain = tmp_path / "plain.ppm"
    sl.write_ppm(plain, w, h, rgb)
    assert sl.read_ppm(plain) == (w, h, rgb)
    commented = tmp_path / "commented.ppm"
    commented.write_bytes(b"P6\n# made by a test\n24 # width\n"
                          b"#height next\n 16\n255\n" + rgb)
    assert sl.read_ppm(commented) == (w, h, rgb)
    assert sl.ocr(sl.read_ppm(commented), font) == ["ok!"]


def test_ppm_truncated_names_the_file(tmp_path):
    bad = tmp_path / "cut.ppm"
    bad.write_bytes(b"P6\n4 4\n255\n" + bytes(4 * 4 * 3 - 1))
    with pytest.raises(ScreenError, match=r"cut\.ppm.*truncated: 47 bytes, "
                                          r"expected 48"):
        sl.read_ppm(bad)
    bad.write_bytes(b"P6\n4 4\n")
    with pytest.raises(ScreenError, match=r"cut\.ppm.*header truncated"):
        sl.read_ppm(bad)


def test_ppm_bad_headers_refused(tmp_path):
    p = tmp_path / "bad.ppm"
    for data, msg in [(b"P3\n1 1\n255\n0 0 0\n", "not a binary PPM"),
                      (b"P6\n1 1\n65535\n" + bytes(6), "maxval 65535"),
                      (b"P6\nx 1\n255\n" + bytes(3), "not all numbers"),
                      (b"P6\n1 1\n255\n" + bytes(4), "1 bytes after")]:
        p.write_bytes(data)
        with pytest.raises(ScreenError, match=r"bad\.ppm.*" + msg):
            sl.read_ppm(p)
    with pytest.raises(ScreenError, match=r"missing\.ppm: cannot read"):
        sl.read_ppm(tmp_path / "missing.ppm")


def test_font_source_errors_name_the_file(tmp_path):
    src = sl.FONT_C.read_text()
    short = tmp_path / "short.c"
    # drop one row value of the first glyph
    short.write_text(src.replace("0x00, /* ........ */", "", 1))
    with pytest.raises(ScreenError, match=r"short\.c: glyph 0x20 ' ' has 15"):
        sl.load_font(short)
    bad = tmp_path / "bad.c"
    bad.write_text(src.replace("0x00, /* ........ */", "0, /* ..... */", 1))
    with pytest.raises(ScreenError, match=r"bad\.c: glyph 0x20 ' ': '0' is "
                                          r"not a hex byte"):
        sl.load_font(bad)
    with pytest.raises(ScreenError, match=r"none\.c: no 'font_rows"):
        (tmp_path / "none.c").write_text("int x;\n")
        sl.load_font(tmp_path / "none.c")


def test_identical_glyphs_refused(font):
    twin = dict(font)
    twin[ord("O")] = list(font[ord("0")])
    with pytest.raises(ScreenError, match="identical"):
        sl.ocr((8, 16, bytes(8 * 16 * 3)), twin)


def test_png_writer(tmp_path, font):
    w, h = 16, 16
    rgb = sl.render(["Hi"], font, w, h)
    p = tmp_path / "x.png"
    sl.write_png(p, w, h, rgb)
    data = p.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    n = int.from_bytes(data[33:37], "big")
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41:41 + n])
    assert raw == b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3]
                           for y in range(h))


def test_full_screen_is_fast(font):
    w, h = 1024, 768
    cols, rows = w // FONT_W, h // FONT_H
    lines = [(PRINTABLE * 2)[r:r + cols] for r in range(rows)]
    rgb = sl.render(lines, font, w, h)
    t = time.perf_counter()
    got = sl.ocr((w, h, rgb), font)
    took = time.perf_counter() - t
    print(f"ocr of a full {w}x{h} screen: {took * 1000:.0f} ms")
    assert got == [l.rstrip(" ") for l in lines]
    assert took < 2.0, f"ocr took {took:.2f} s"
