#!/usr/bin/python3
"""Renders a terminal capture with SGR colours (tmux capture-pane -e -p) to a
PNG, cell by cell, with a monospace font:
    ansi2png.py IN.ansi OUT.png COLS ROWS [light]
"light" draws the terminal's default colours dark on white (for light themes).

Understands the SGR codes tmux emits: reset, bold, dim, italic, underline,
reverse, 8/16 colours, 256 colours (38;5;N / 48;5;N) and truecolour
(38;2;R;G;B). Wide characters (East Asian W/F) take two cells."""
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 15
DEFAULT_FG = (0xd0, 0xd0, 0xd0)
DEFAULT_BG = (0x1c, 0x1c, 0x1c)
BASE16 = [
    (0x00, 0x00, 0x00), (0xcd, 0x31, 0x31), (0x0d, 0xbc, 0x79), (0xe5, 0xe5, 0x10),
    (0x24, 0x72, 0xc8), (0xbc, 0x3f, 0xbc), (0x11, 0xa8, 0xcd), (0xe5, 0xe5, 0xe5),
    (0x66, 0x66, 0x66), (0xf1, 0x4c, 0x4c), (0x23, 0xd1, 0x8b), (0xf5, 0xf5, 0x43),
    (0x3b, 0x8e, 0xea), (0xd6, 0x70, 0xd6), (0x29, 0xb8, 0xdb), (0xff, 0xff, 0xff),
]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.underline = self.reverse = False

    def colours(self):
        fg = self.fg if self.fg is not None else DEFAULT_FG
        bg = self.bg if self.bg is not None else DEFAULT_BG
        if isinstance(self.fg, int):
            fg = BASE16[self.fg + (8 if self.bold and self.fg < 8 else 0)]
        if isinstance(self.bg, int):
            bg = BASE16[self.bg]
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


def sgr(pen, params):
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            pen.reset()
        elif c == 1:
            pen.bold = True
        elif c == 2:
            pen.dim = True
        elif c == 4:
            pen.underline = True
        elif c == 7:
            pen.reverse = True
        elif c == 22:
            pen.bold = pen.dim = False
        elif c == 24:
            pen.underline = False
        elif c == 27:
            pen.reverse = False
        elif 30 <= c <= 37:
            pen.fg = c - 30
        elif 90 <= c <= 97:
            pen.fg = c - 90 + 8
        elif 40 <= c <= 47:
            pen.bg = c - 40
        elif 100 <= c <= 107:
            pen.bg = c - 100 + 8
        elif c == 39:
            pen.fg = None
        elif c == 49:
            pen.bg = None
        elif c in (38, 48) and i + 1 < len(codes):
            if codes[i + 1] == 5 and i + 2 < len(codes):
                col = xterm256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                col = tuple(codes[i + 2:i + 5])
                i += 4
            else:
                col = None
            if c == 38:
                pen.fg = col
            else:
                pen.bg = col
        i += 1


def cells(text, cols, rows):
    """Yields (row, col, char, width, fg, bg, bold, underline)."""
    pen = Pen()
    token = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])|\x1b[()][A-Za-z0-9]|(.)", re.S)
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        for m in token.finditer(line):
            if m.group(2):
                if m.group(2) == "m":
                    sgr(pen, m.group(1))
                continue
            ch = m.group(3)
            if ch is None or ch == "\r" or x >= cols:
                continue
            w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
            fg, bg = pen.colours()
            yield y, x, ch, w, fg, bg, pen.bold, pen.underline
            x += w


def render(text, out, cols, rows):
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    cw = round(regular.getlength("M"))
    ch = round(SIZE * 1.3)
    pad = 10
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    for y, x, c, w, fg, bg, is_bold, underline in cells(text, cols, rows):
        left, top = pad + x * cw, pad + y * ch
        draw.rectangle([left, top, left + w * cw - 1, top + ch - 1], fill=bg)
        if c in "\u2580\u2584\u2588\u258c\u2590\u2591\u2592\u2593":
            block(draw, c, left, top, w * cw, ch, fg, bg)
        elif c != " ":
            draw.text((left, top + 1), c, font=bold if is_bold else regular, fill=fg)
        if underline:
            draw.line([left, top + ch - 2, left + w * cw - 1, top + ch - 2], fill=fg)
    img.save(out)


def block(draw, c, left, top, w, h, fg, bg):
    """Block elements drawn as shapes so bars join without gaps."""
    if c == "\u2588":
        draw.rectangle([left, top, left + w - 1, top + h - 1], fill=fg)
    elif c == "\u258c":
        draw.rectangle([left, top, left + w // 2 - 1, top + h - 1], fill=fg)
    elif c == "\u2590":
        draw.rectangle([left + w // 2, top, left + w - 1, top + h - 1], fill=fg)
    elif c == "\u2580":
        draw.rectangle([left, top, left + w - 1, top + h // 2 - 1], fill=fg)
    elif c == "\u2584":
        draw.rectangle([left, top + h // 2, left + w - 1, top + h - 1], fill=fg)
    else:  # light, medium, dark shade: a blend
        k = {"\u2591": 0.25, "\u2592": 0.5, "\u2593": 0.75}[c]
        mix = tuple(int(b + (f - b) * k) for f, b in zip(fg, bg))
        draw.rectangle([left, top, left + w - 1, top + h - 1], fill=mix)


def main():
    global DEFAULT_FG, DEFAULT_BG
    src, out, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if len(sys.argv) > 5 and sys.argv[5] == "light":
        DEFAULT_FG, DEFAULT_BG = (0x20, 0x20, 0x20), (0xfa, 0xfa, 0xf5)
    with open(src, encoding="utf-8", errors="replace") as f:
        render(f.read(), out, cols, rows)


if __name__ == "__main__":
    main()
