"""Text that must fit a box on a badge: measured with the shipped font's own advance widths,
so the size is chosen before rendering and nothing overflows, wraps into the QR code or is cut."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from fontTools.ttLib import TTFont

from eventapp.printing.render import FONTS

REGULAR_FONT = FONTS / "BIZUDPGothic-Regular.ttf"
BOLD_FONT = FONTS / "BIZUDPGothic-Bold.ttf"
MISSING_GLYPH_MARK = "〓"  # the printer's geta mark: visibly "a character goes here"


@dataclass(frozen=True)
class FontMetrics:
    advances: dict[int, int]  # code point -> advance width in font units
    units_per_em: int

    def has_glyph(self, char: str) -> bool:
        return ord(char) in self.advances

    def width_em(self, text: str) -> float:
        fallback = self.advances.get(ord(MISSING_GLYPH_MARK), self.units_per_em)
        return sum(self.advances.get(ord(ch), fallback) for ch in text) / self.units_per_em


@cache
def metrics(bold: bool = False) -> FontMetrics:
    font = TTFont(BOLD_FONT if bold else REGULAR_FONT, lazy=True)
    hmtx = font["hmtx"]
    advances = {code: hmtx[glyph][0] for code, glyph in font.getBestCmap().items()}
    return FontMetrics(advances=advances, units_per_em=font["head"].unitsPerEm)


def printable(text: str, *, bold: bool = False) -> tuple[str, list[str]]:
    """The text with characters the font lacks replaced by 〓, and the list of those characters."""
    font = metrics(bold)
    missing = [ch for ch in text if not font.has_glyph(ch) and not ch.isspace()]
    if not missing:
        return text, []
    return "".join(MISSING_GLYPH_MARK if ch in missing else ch for ch in text), missing


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    size_mm: float

    @property
    def text(self) -> str:
        return "".join(self.lines)


LINE_HEIGHT = 1.15


def _size_down(size_mm: float) -> float:
    """Sizes go to 0.01 mm, rounded down: rounding up could make a long line wider than its box."""
    return math.floor(size_mm * 100 + 1e-9) / 100


def fit_text(text: str, *, width_mm: float, height_mm: float, max_size_mm: float, min_size_mm: float,
             max_lines: int = 1, bold: bool = False) -> FittedText:
    """The largest size (≤ max) at which the text fits the box on one line; below min_size it is
    split into up to max_lines lines (at spaces where possible) and shrunk further until it fits."""
    font = metrics(bold)
    if not text:
        return FittedText(lines=(), size_mm=max_size_mm)
    one_line = min(max_size_mm, width_mm / font.width_em(text), height_mm / LINE_HEIGHT)
    if one_line >= min_size_mm or max_lines == 1:
        return FittedText(lines=(text,), size_mm=_size_down(one_line))
    best = FittedText(lines=(text,), size_mm=_size_down(one_line))
    for count in range(2, max_lines + 1):
        lines = _split_evenly(text, count, font)
        widest = max(font.width_em(line) for line in lines)
        size = min(max_size_mm, width_mm / widest, height_mm / (LINE_HEIGHT * count))
        if size > best.size_mm:
            best = FittedText(lines=tuple(lines), size_mm=_size_down(size))
    return best


def _split_evenly(text: str, count: int, font: FontMetrics) -> list[str]:
    """Split into `count` lines of similar width, preferring breaks at spaces."""
    words = text.split(" ")
    if len(words) >= count:
        target = font.width_em(text) / count
        lines, current = [], ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if current and font.width_em(candidate) > target and len(lines) < count - 1:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
        return lines
    size = -(-len(text) // count)
    return [text[i:i + size] for i in range(0, len(text), size)]
