"""Text that must fit a box on a badge, measured as the PDF will print it: the print fonts (fonts.STACK)
shaped by HarfBuzz, as WeasyPrint shapes them through Pango (ligatures such as fi, kana composed with ゛゜,
kerning where the font has it, each character in the first font of the stack that has it), so the size
is chosen before rendering and nothing overflows, wraps into the QR code or is cut."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, lru_cache

import uharfbuzz as hb

from eventapp.printing.fonts import STACK, PrintFont, check_installed, selects_no_font
from eventapp.printing.line_breaks import balanced, units

MISSING_GLYPH_MARK = "〓"  # the printer's geta mark: visibly "a character goes here"


@cache
def _shaper(font: int, bold: bool) -> hb.Font:
    check_installed()
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(STACK[font].file(bold)))))


def _advance(text: str, font: int, bold: bool) -> int:
    """The text's advance width in units of STACK[font], shaped as one run of a lang="ja" document."""
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.language = "ja"
    hb.shape(_shaper(font, bold), buffer)
    return sum(position.x_advance for position in buffer.glyph_positions)


@lru_cache(maxsize=1 << 16)
def _width_em(text: str, bold: bool) -> float:
    font = metrics(bold)
    return sum(_advance(run, index, bold) / font.units_per_em[index] for index, run in font.runs(text))


@dataclass(frozen=True)
class FontMetrics:
    """The print font stack at one weight."""

    bold: bool
    coverage: tuple[frozenset[int], ...] = field(repr=False)  # per font of the stack: the code points it has
    units_per_em: tuple[int, ...]

    def font_index(self, char: str) -> int | None:
        """Which font of the stack prints the character: the first that has it (None: none has)."""
        code = ord(char)
        return next((index for index, chars in enumerate(self.coverage) if code in chars), None)

    def font_of(self, char: str) -> PrintFont | None:
        index = self.font_index(char)
        return None if index is None else STACK[index]

    def first_has_all(self, text: str) -> bool:
        """Whether the first font has every character of the text (nearly every text: checked first)."""
        return self.coverage[0].issuperset(map(ord, text))

    def has_glyph(self, char: str) -> bool:
        """Whether the character prints as itself: a font of the stack has it, or it needs no glyph of its
        own (a space, a joiner, a variation selector: fonts.selects_no_font)."""
        return selects_no_font(char) or self.font_index(char) is not None

    def runs(self, text: str) -> list[tuple[int, str]]:
        """The text cut where the font changes, as Pango itemizes it: each character in the first font of
        the stack that has it (with none, the first font, which would print its empty box); characters
        that choose no font go with the text before them, except that spaces between two fonts go with
        the one earlier in the stack, and leading ones with the first font that follows."""
        if self.first_has_all(text):
            return [(0, text)] if text else []
        runs: list[tuple[int, str]] = []
        pending = ""
        for char in text:
            if selects_no_font(char):
                pending += char
                continue
            index = self.font_index(char)
            index = 0 if index is None else index
            if runs and runs[-1][0] == index:
                runs[-1] = (index, runs[-1][1] + pending + char)
            elif runs and not (pending and index < runs[-1][0]):
                runs[-1] = (runs[-1][0], runs[-1][1] + pending)
                runs.append((index, char))
            else:
                runs.append((index, pending + char))
            pending = ""
        if pending:
            if runs:
                runs[-1] = (runs[-1][0], runs[-1][1] + pending)
            else:
                runs.append((0, pending))
        return runs

    def width_em(self, text: str) -> float:
        return _width_em(text, self.bold)


@cache
def metrics(bold: bool = False) -> FontMetrics:
    faces = [_shaper(index, bold).face for index in range(len(STACK))]
    return FontMetrics(bold=bold, coverage=tuple(frozenset(face.unicodes) for face in faces),
                       units_per_em=tuple(face.upem for face in faces))


def printable(text: str, *, bold: bool = False) -> tuple[str, list[str]]:
    """The text with characters no print font has replaced by 〓, and the list of those characters."""
    font = metrics(bold)
    if font.first_has_all(text):
        return text, []
    missing = [ch for ch in text if not font.has_glyph(ch)]
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
