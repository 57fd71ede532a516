"""Text that wraps inside a box (the ticket's name, company and event texts), measured with the print
fonts as they will be shaped: the lines and the size are decided here, and the template prints each line as
it is (no wrapping by the renderer), so what was measured is what is printed.

text_fit.fit_text() keeps a text on one line as long as it stays readable; past that it splits it into
lines of similar width. Here lines are filled one after the other, breaking at spaces first, between
phrases when a word alone is wider than the line, and inside a phrase only when the phrase alone is
wider too (line_breaks)."""

from __future__ import annotations

import math

from eventapp.printing.line_breaks import pack, units
from eventapp.printing.text_fit import (
    LINE_HEIGHT,
    WHOLE_WORDS_AT_MOST_SMALLER,
    FittedText,
    FontMetrics,
    fit_text,
    metrics,
)

ELLIPSIS = "…"
SMALLEST_MM = 0.5  # a floor for the search; real texts stop far above it


def wrap(text: str, max_em: float, font: FontMetrics, *, split_words: bool = True) -> list[str] | None:
    """Greedy lines no wider than max_em ems; each paragraph (\\n) starts a new line. With
    split_words=False, None when a word is wider than a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        parts = units(paragraph, max_em, font, split_words=split_words)
        if not split_words and any(font.width_em(piece) > max_em for piece, _ in parts):
            return None
        lines += pack(parts, max_em, font)
    return lines


def _clean(text: str) -> str:
    """Paragraphs without empty ones; tabs and runs of spaces as one space (no-break spaces are kept)."""
    paragraphs = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    cleaned = (" ".join(w for w in p.split(" ") if w) for p in paragraphs)
    return "\n".join(p for p in cleaned if p)


def fit_box(text: str, *, width_mm: float, height_mm: float, max_size_mm: float, min_size_mm: float,
            max_lines: int | None = None, bold: bool = False, truncate: bool = False) -> FittedText:
    """The largest size (≤ max, 0.1 mm steps) at which the text fits the box.

    One line while that stays at or above min_size_mm; otherwise wrapped into lines, breaking only
    between words (a family and a given name) if that costs at most a fifth of the size. Below
    min_size_mm the text keeps shrinking until it fits (names: all of it must print), or with
    truncate=True it stays at min_size_mm and is cut with … (free texts such as directions)."""
    text = _clean(text)
    if not text:
        return FittedText(lines=(), size_mm=max_size_mm)
    font = metrics(bold)
    if "\n" not in text:
        one_line = fit_text(text, width_mm=width_mm, height_mm=height_mm, max_size_mm=max_size_mm,
                            min_size_mm=min_size_mm)
        if one_line.size_mm >= min_size_mm or (max_lines == 1 and not truncate):
            return FittedText(lines=(text,), size_mm=math.floor(one_line.size_mm * 100) / 100)

    def fits(lines: list[str] | None, size: float) -> bool:
        return lines is not None and (max_lines is None or len(lines) <= max_lines) \
            and len(lines) * size * LINE_HEIGHT <= height_mm

    size, best = max_size_mm, None
    while True:
        whole_words = wrap(text, width_mm / size, font, split_words=False)
        if whole_words is not None and fits(whole_words, size):
            return FittedText(lines=tuple(whole_words), size_mm=size)
        if best is None:
            lines = wrap(text, width_mm / size, font) or []
            if fits(lines, size):
                best = FittedText(lines=tuple(lines), size_mm=size)
        if best is not None and size <= best.size_mm * WHOLE_WORDS_AT_MOST_SMALLER:
            return best
        if (truncate and size <= min_size_mm) or size <= SMALLEST_MM:
            break
        size = round(size - 0.1, 1)
    if best is not None:
        return best
    lines = wrap(text, width_mm / size, font) or []
    keep = max(1, math.floor(height_mm / (size * LINE_HEIGHT)))
    if max_lines is not None:
        keep = min(keep, max_lines)
    kept = lines[:keep]
    last = kept[-1]
    while last and font.width_em(last + ELLIPSIS) > width_mm / size:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return FittedText(lines=tuple(kept), size_mm=size)
