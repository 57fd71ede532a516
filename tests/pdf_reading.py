"""A PDF page's characters as a person reads them, from pypdfium2.

pdfium's own text (get_text_range) is not enough for printed names: it counts UTF-16 units, so a
character outside the BMP (𠮷, emoji) takes two of its indices, and it orders text by heuristics that
move a wide glyph at the end of a line (an emoji after a large name) behind the next line. Here every
character is one Python character, with the box pdfium gives its first unit, and lines are rebuilt from
where the characters sit: those on one baseline that follow each other closely, top to bottom, left to
right (where they are drawn at the same place, in the order they are drawn)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium
from PIL import Image, ImageDraw, ImageFont

LINE_GAP_PT = 12.0  # 4.2 mm: characters on one baseline further apart are on different lines (columns, labels)


@dataclass(frozen=True)
class Char:
    char: str
    index: int  # pdfium's index of its first UTF-16 unit
    x: float  # origin on the baseline, PDF points from the bottom-left corner
    y: float
    box: tuple[float, float, float, float]  # left, bottom, right, top: the glyph's ink
    loose_box: tuple[float, float, float, float]  # its advance × the font's ascent and descent
    font: str  # the PDF font's name without the subset prefix, e.g. "EventApp-CJK-Bold"


def _font_name(textpage: pypdfium2.PdfTextPage, index: int) -> str:
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    length = pdfium.FPDFText_GetFontInfo(textpage.raw, index, buffer, len(buffer), ctypes.byref(flags))
    return buffer.raw[:max(0, length - 1)].decode("utf-8", "replace").split("+", 1)[-1]


def page_chars(textpage: pypdfium2.PdfTextPage) -> list[Char]:
    """The characters the page draws, in drawing order (none of those pdfium adds: spaces and line breaks
    it guesses)."""
    count = textpage.count_chars()
    units = [pdfium.FPDFText_GetUnicode(textpage.raw, i) for i in range(count)]
    chars: list[Char] = []
    index = 0
    while index < count:
        unit, width = units[index], 1
        if 0xD800 <= unit < 0xDC00 and index + 1 < count and 0xDC00 <= units[index + 1] < 0xE000:
            unit, width = 0x10000 + ((unit - 0xD800) << 10) + (units[index + 1] - 0xDC00), 2
        if not pdfium.FPDFText_IsGenerated(textpage.raw, index):
            x, y = ctypes.c_double(), ctypes.c_double()
            pdfium.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
            chars.append(Char(chr(unit), index, x.value, y.value, textpage.get_charbox(index),
                              textpage.get_charbox(index, loose=True), _font_name(textpage, index)))
        index += width
    return chars


def reading_lines(chars: list[Char]) -> list[list[Char]]:
    """The characters as lines: one baseline, no wide gap; top to bottom, then left to right."""
    by_baseline: dict[float, list[Char]] = {}
    for char in chars:
        by_baseline.setdefault(round(char.y, 1), []).append(char)
    lines: list[list[Char]] = []
    for _, on_baseline in sorted(by_baseline.items(), key=lambda item: -item[0]):
        on_baseline.sort(key=lambda c: c.x)  # stable: characters drawn at one place keep their order
        line = [on_baseline[0]]
        for char in on_baseline[1:]:
            if char.x - max(c.loose_box[2] for c in line) > LINE_GAP_PT:
                lines.append(line)
                line = []
            line.append(char)
        lines.append(line)
    return lines


def reading_text(lines: list[list[Char]]) -> tuple[str, dict[int, Char]]:
    """The lines as one text (\\r\\n between lines, as pdfium writes it) and the character at each index."""
    text, at = "", {}
    for number, line in enumerate(lines):
        if number:
            text += "\r\n"
        for char in line:
            at[len(text)] = char
            text += char.char
    return text, at


def ink_share(image: Image.Image, box_px: tuple[int, int, int, int]) -> float:
    """The share of dark pixels in a region of a rendered page (left, top, right, bottom in pixels)."""
    crop = image.convert("L").crop(box_px)
    return sum(1 for value in crop.get_flattened_data() if value < 128) / max(1, crop.width * crop.height)


def _shape(image: Image.Image) -> Image.Image:
    """Dark pixels as a 32 × 32 mask, cut to where the ink is."""
    mask = image.convert("L").point(lambda value: 255 if value < 128 else 0)
    bbox = mask.getbbox()
    return (mask.crop(bbox) if bbox else mask).resize((32, 32))


def likeness(image: Image.Image, box_px: tuple[int, int, int, int], char: str, font_file: Path) -> float:
    """How much the ink in a region of a rendered page looks like `char` drawn from font_file by FreeType
    (Pillow): the overlap (intersection over union) of the two shapes, each cut to its ink and scaled to
    32 × 32. At 200 dpi the same glyph scores 0.6 (4 mm high) to 0.95 (10 mm); 〓, an empty box or an
    unlike character under 0.45 (a like one, 吉 for 𠮷, about as much as the glyph itself)."""
    size = max(8, box_px[3] - box_px[1])
    font = ImageFont.truetype(str(font_file), size=size)
    drawn = Image.new("L", (size * 3, size * 3), 255)
    ImageDraw.Draw(drawn).text((size, size), char, font=font, fill=0)
    pairs = list(zip(_shape(image.crop(box_px)).get_flattened_data(), _shape(drawn).get_flattened_data(),
                     strict=True))
    return sum(1 for a, b in pairs if a > 127 and b > 127) / max(1, sum(1 for a, b in pairs if a > 127 or b > 127))
