"""tests/system/screenlib.py - read the hypervisor's screen console back from a
screen dump, and draw what it should look like (pure Python 3, stdlib only).

Owns: loading the built-in font from its C source (load_font), reading and
writing binary PPM images (read_ppm, write_ppm; QEMU's `screendump` writes
P6 with maxval 255), writing PNG for a person to look at (write_png),
reading the character grid of an image back as text (ocr) and rendering text
with the font into an image (render).

Screen geometry (the same as kernel/fbcon.c's): character cell (col, row)
has its top-left pixel at (x0 + col*8, y0 + row*16); the background is one
colour; a pixel is ink when its colour differs from the background (ink
colours may differ per cell). The background is the most common colour of
the whole image.

An image is the tuple (width, height, rgb) where rgb is bytes of width*height
pixels, 3 bytes each (R, G, B), row by row from the top.

Font: dict from character code to its 16 row bytes (top first, bit 7 the
leftmost pixel): 0x20..0x7E, plus BOX (0x7F) for the hollow box the kernel
draws for any other byte. ocr() reads a cell showing the box as chr(BOX) and
a cell matching no glyph at all as '\\x00', never a guess.

From a shell: python3 tests/system/screenlib.py DUMP.ppm [x0 y0] prints the
text read from a dump, one line per character row.
"""
import re
import struct
import sys
import zlib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FONT_C = REPO / "kernel" / "font8x16.c"
FONT_W = 8
FONT_H = 16
FIRST = 0x20
LAST = 0x7E
BOX = 0x7F          # key of the glyph for any byte outside FIRST..LAST
GLYPHS = LAST - FIRST + 2

DEFAULT_FG = (170, 170, 170)
DEFAULT_BG = (0, 0, 0)


class ScreenError(ValueError):
    """Bad input: a font source, an image file or arguments that do not fit."""


# -------------------------------------------------------------------- font

def load_font(path=FONT_C):
    """Parse the font array of kernel/font8x16.c (its hex values; comments are
    ignored) into {code: [16 row bytes]} for FIRST..LAST and BOX."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise ScreenError(f"{path}: cannot read the font source: {e}") from None
    code = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    code = re.sub(r"//[^\n]*", " ", code)
    m = re.search(r"\bfont_rows\s*\[[^\]]*\]\s*\[[^\]]*\]\s*=\s*\{", code)
    if not m:
        raise ScreenError(f"{path}: no 'font_rows[..][..] = {{' array found")
    end = code.find("};", m.end())
    if end < 0:
        raise ScreenError(f"{path}: the font_rows array has no closing '}};'")
    body = code[m.end():end]
    blocks = re.findall(r"\{([^{}]*)\}", body)
    rest = re.sub(r"\{[^{}]*\}", "", body)
    if rest.replace(",", "").strip():
        raise ScreenError(f"{path}: unexpected text between the glyphs of "
                          f"font_rows: {rest.strip()[:40]!r}")
    if len(blocks) != GLYPHS:
        raise ScreenError(f"{path}: font_rows has {len(blocks)} glyphs, "
                          f"expected {GLYPHS} (0x{FIRST:02X}..0x{LAST:02X} "
                          f"and the box)")
    font = {}
    for i, block in enumerate(blocks):
        key = FIRST + i if i < GLYPHS - 1 else BOX
        items = [t.strip() for t in block.split(",")]
        if items and items[-1] == "":
            items.pop()
        rows = []
        for t in items:
            if not re.fullmatch(r"0[xX][0-9a-fA-F]{1,2}", t):
                raise ScreenError(f"{path}: glyph {_name(key)}: {t!r} is not "
                                  f"a hex byte like 0x3C")
            rows.append(int(t, 16))
        if len(rows) != FONT_H:
            raise ScreenError(f"{path}: glyph {_name(key)} has {len(rows)} "
                              f"rows, expected {FONT_H}")
        font[key] = rows
    return font


def _name(code):
    if code == BOX:
        return "box"
    return f"0x{code:02X} {chr(code)!r}"


def _glyph_key(rows):
    """The 16 rows of a glyph as 128 bytes of 0/1, one per pixel."""
    return b"".join(_BITS[r] for r in rows)


_BITS = [bytes((v >> (7 - i)) & 1 for i in range(8)) for v in range(256)]


def _font_index(font):
    index = {}
    for code, rows in font.items():
        key = _glyph_key(rows)
        if key in index:
            raise ScreenError(f"font: glyphs {_name(index[key])} and "
                              f"{_name(code)} are identical")
        index[key] = code
    return index


# -------------------------------------------------------------------- PPM

def read_ppm(path):
    """Read a binary (P6) PPM with maxval 255: (width, height, rgb bytes)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ScreenError(f"{path}: cannot read the image: {e}") from None
    pos = 0
    fields = []
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if pos >= len(data):
            raise ScreenError(f"{path}: PPM header truncated after "
                              f"{len(fields)} of its 4 fields")
        if data[pos:pos + 1] == b"#":
            nl = data.find(b"\n", pos)
            if nl < 0:
                raise ScreenError(f"{path}: PPM header truncated in a comment")
            pos = nl + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace() \
                and data[pos:pos + 1] != b"#":
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6":
        raise ScreenError(f"{path}: not a binary PPM (magic {fields[0][:8]!r},"
                          f" expected b'P6')")
    try:
        w, h, maxval = (int(f) for f in fields[1:])
    except ValueError:
        raise ScreenError(f"{path}: PPM header fields {fields[1:]!r} are not "
                          f"all numbers") from None
    if w <= 0 or h <= 0:
        raise ScreenError(f"{path}: PPM size {w}x{h} is empty")
    if maxval != 255:
        raise ScreenError(f"{path}: PPM maxval {maxval}: only 255 supported")
    if pos >= len(data) or not data[pos:pos + 1].isspace():
        raise ScreenError(f"{path}: PPM header not followed by a whitespace "
                          f"byte before the pixels")
    pos += 1
    need = w * h * 3
    have = len(data) - pos
    if have < need:
        raise ScreenError(f"{path}: PPM pixel data truncated: {have} bytes, "
                          f"expected {need} for {w}x{h}")
    if have > need:
        raise ScreenError(f"{path}: {have - need} bytes after the PPM's "
                          f"{w}x{h} pixels")
    return w, h, bytes(data[pos:])


def write_ppm(path, w, h, rgb):
    """Write a binary (P6, maxval 255) PPM."""
    _check_size(w, h, rgb)
    Path(path).write_bytes(b"P6\n%d %d\n255\n" % (w, h) + bytes(rgb))


def write_png(path, w, h, rgb):
    """Write an 8-bit RGB PNG (for a person to look at)."""
    _check_size(w, h, rgb)
    rgb = bytes(rgb)
    stride = w * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride]
                   for y in range(h))

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9))
           + chunk(b"IEND", b""))
    Path(path).write_bytes(png)


def _check_size(w, h, rgb):
    if w <= 0 or h <= 0 or len(rgb) != w * h * 3:
        raise ScreenError(f"image {w}x{h} needs {w * h * 3} bytes of RGB, "
                          f"got {len(rgb)}")


# -------------------------------------------------------------------- OCR

def background(image):
    """The most common colour of the image, as (r, g, b)."""
    w, h, rgb = image
    _check_size(w, h, rgb)
    n = w * h
    px = bytearray(4 * n)
    px[0::4] = rgb[0::3]
    px[1::4] = rgb[1::3]
    px[2::4] = rgb[2::3]
    value = Counter(memoryview(px).cast("I")).most_common(1)[0][0]
    return tuple(value.to_bytes(4, sys.byteorder)[:3])


def _ink_map(image, bg):
    """One byte per pixel: 1 where the pixel differs from bg, else 0."""
    w, h, rgb = image
    n = w * h
    acc = 0
    for ch in range(3):
        table = bytes(0 if v == bg[ch] else 1 for v in range(256))
        acc |= int.from_bytes(rgb[ch::3].translate(table), "little")
    return acc.to_bytes(n, "little")


def _grid(w, h, cols, rows, x0, y0):
    if x0 < 0 or y0 < 0:
        raise ScreenError(f"grid origin ({x0}, {y0}) is negative")
    if cols is None:
        cols = max(0, (w - x0) // FONT_W)
    if rows is None:
        rows = max(0, (h - y0) // FONT_H)
    if x0 + cols * FONT_W > w or y0 + rows * FONT_H > h:
        raise ScreenError(f"a grid of {cols}x{rows} cells at ({x0}, {y0}) "
                          f"does not fit in a {w}x{h} image")
    return cols, rows


def ocr(image, font, cols=None, rows=None, x0=0, y0=0):
    """Read the grid of cols x rows cells at pixel (x0, y0) (by default as
    many as fit) as text: one string per character row, trailing spaces
    stripped. A cell whose ink equals no glyph exactly reads as '\\x00'; one
    showing the box glyph as chr(BOX)."""
    w, h, rgb = image
    _check_size(w, h, rgb)
    cols, rows = _grid(w, h, cols, rows, x0, y0)
    index = _font_index(font)
    ink = _ink_map(image, background(image))
    lines = []
    for r in range(rows):
        base = (y0 + r * FONT_H) * w + x0
        starts = [base + y * w for y in range(FONT_H)]
        chars = []
        for c in range(cols):
            off = c * FONT_W
            key = b"".join([ink[s + off:s + off + FONT_W] for s in starts])
            code = index.get(key)
            chars.append("\x00" if code is None else chr(code))
        lines.append("".join(chars).rstrip(" "))
    return lines


# -------------------------------------------------------------------- render

def render(lines, font, width, height, fg=DEFAULT_FG, bg=DEFAULT_BG,
           x0=0, y0=0):
    """Draw text lines (line i in character row i, from column 0) into a new
    width x height RGB image with the background bg and ink fg; any character
    outside FIRST..LAST is drawn as the box. Returns the rgb bytes."""
    cols, rows = _grid(width, height, None, None, x0, y0)
    if len(lines) > rows:
        raise ScreenError(f"{len(lines)} lines do not fit in the {rows} "
                          f"character rows of a {width}x{height} image")
    fgb, bgb = bytes(fg), bytes(bg)
    if len(fgb) != 3 or len(bgb) != 3:
        raise ScreenError(f"colours must be (r, g, b): fg={fg!r} bg={bg!r}")
    img = bytearray(bgb * (width * height))
    row_px = [b"".join(fgb if v & (0x80 >> i) else bgb for i in range(8))
              for v in range(256)]
    stride = width * 3
    for r, line in enumerate(lines):
        if len(line) > cols:
            raise ScreenError(f"line {r} is {len(line)} characters long, "
                              f"wider than the {cols} columns of a "
                              f"{width}-pixel image: {line!r}")
        for c, ch in enumerate(line):
            code = ord(ch)
            glyph = font[code if FIRST <= code <= LAST else BOX]
            for y, v in enumerate(glyph):
                if v:
                    p = (y0 + r * FONT_H + y) * stride + (x0 + c * FONT_W) * 3
                    img[p:p + FONT_W * 3] = row_px[v]
    return bytes(img)


def _main(argv):
    if len(argv) not in (2, 4):
        print("usage: screenlib.py DUMP.ppm [x0 y0]", file=sys.stderr)
        return 2
    x0, y0 = (int(argv[2]), int(argv[3])) if len(argv) == 4 else (0, 0)
    for line in ocr(read_ppm(argv[1]), load_font(), x0=x0, y0=y0):
        print(line.replace("\x00", "?"))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
