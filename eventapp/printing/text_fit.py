"""Text that must fit a box on a badge, measured as the PDF will print it: the shipped font shaped by
HarfBuzz, as WeasyPrint shapes it through Pango (ligatures such as fi, kana composed with ゛゜, kerning
where the font has it), so the size is chosen before rendering and nothing overflows, wraps into the
QR code or is cut."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

import uharfbuzz as hb

from eventapp.printing.line_breaks import balanced, units
from eventapp.printing.render import FONTS

REGULAR_FONT = FONTS / "BIZUDPGothic-Regular.ttf"
BOLD_FONT = FONTS / "BIZUDPGothic-Bold.ttf"
MISSING_GLYPH_MARK = "〓"  # the printer's geta mark: visibly "a character goes here"


@cache
def _shaper(bold: bool) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(BOLD_FONT if bold else REGULAR_FONT))))


@lru_cache(maxsize=1 << 16)
def _advance(text: str, bold: bool) -> int:
    """The text's advance width in font units, shaped as one line of a lang="ja" document."""
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.language = "ja"
    hb.shape(_shaper(bold), buffer)
    return sum(position.x_advance for position in buffer.glyph_positions)


@dataclass(frozen=True)
class FontMetrics:
    bold: bool
    characters: frozenset[int]  # the code points the font has a glyph for
    units_per_em: int

    def has_glyph(self, char: str) -> bool:
        return ord(char) in self.characters

    def width_em(self, text: str) -> float:
        return _advance(text, self.bold) / self.units_per_em


@cache
def metrics(bold: bool = False) -> FontMetrics:
    face = _shaper(bold).face
    return FontMetrics(bold=bold, characters=frozenset(face.unicodes), units_per_em=face.upem)


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
WHOLE_WORDS_AT_MOST_SMALLER = 0.8  # breaking between words rather than inside one may cost this much size


def _size_down(size_mm: float) -> float:
    """Sizes go to 0.01 mm, rounded down: rounding up could make a long line wider than its box."""
    return math.floor(size_mm * 100 + 1e-9) / 100


def fit_text(text: str, *, width_mm: float, height_mm: float, max_size_mm: float, min_size_mm: float,
             max_lines: int = 1, bold: bool = False) -> FittedText:
    """The largest size (≤ max) at which the text fits the box on one line; below min_size it is
    split into up to max_lines lines of similar width and shrunk further until it fits.

    Lines break between words (a family and a given name) if that costs at most a fifth of the size,
    else also between phrases, and inside a phrase only where one is wider than a line at min_size."""
    font = metrics(bold)
    if not text:
        return FittedText(lines=(), size_mm=max_size_mm)

    def size_for(lines: list[str]) -> float:
        widest = max(font.width_em(line) for line in lines)
        return min(max_size_mm, width_mm / widest, height_mm / (LINE_HEIGHT * len(lines)))

    one_line = size_for([text])
    if one_line >= min_size_mm or max_lines == 1:
        return FittedText(lines=(text,), size_mm=_size_down(one_line))
    best = [text]
    words = units(text, math.inf, font, split_words=False)
    parts = units(text, width_mm / min_size_mm, font)
    for count in range(2, max_lines + 1):
        by_phrase = balanced(parts, count, font)
        by_word = balanced(words, count, font)
        between_words = len(by_word) > 1 and size_for(by_word) >= WHOLE_WORDS_AT_MOST_SMALLER * size_for(by_phrase)
        lines = by_word if between_words else by_phrase
        if size_for(lines) > size_for(best):
            best = lines
    return FittedText(lines=tuple(best), size_mm=_size_down(size_for(best)))
