"""Text that wraps inside a box (the ticket's name, company and event texts), measured with the shipped
font: the lines and the size are decided here, and the template prints each line as it is (no wrapping
by the renderer), so what was measured is what is printed.

text_fit.fit_text() keeps a text on one line as long as it stays readable; past that it splits at spaces
only, which does not suit Japanese (a long company name has none). Here lines break at spaces first,
inside a word only when the word alone is wider than the line, never inside a Latin word that fits a
line, and never before 。、」ー and small kana or after 「（ (kinsoku)."""

from __future__ import annotations

import math

from eventapp.printing.text_fit import LINE_HEIGHT, FittedText, FontMetrics, fit_text, metrics

NO_LINE_START = set("、。，．・：；？！ー〜…‥）」』】〕〉》’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ,.)]}!?:;%")
NO_LINE_END = set("（「『【〔〈《‘“([{")
ELLIPSIS = "…"
SMALLEST_MM = 0.5  # a floor for the search; real texts stop far above it
WHOLE_WORDS_AT_MOST_SMALLER = 0.8  # breaking between words rather than inside one may cost this much size


def _is_latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-'&@_/.")


def _pieces(word: str, max_em: float, font: FontMetrics) -> list[str]:
    """A word as one piece if it fits a line, else the smallest pieces it may break into."""
    if font.width_em(word) <= max_em:
        return [word]
    pieces: list[str] = []
    for char in word:
        glue = pieces and (char in NO_LINE_START or pieces[-1][-1] in NO_LINE_END
                           or (_is_latin(char) and _is_latin(pieces[-1][-1])))
        if glue:
            pieces[-1] += char
        else:
            pieces.append(char)
    out: list[str] = []
    for piece in pieces:  # a glued run (a long Latin word) wider than the line still has to break
        out.extend(list(piece) if font.width_em(piece) > max_em else [piece])
    return out


def wrap(text: str, max_em: float, font: FontMetrics, *, split_words: bool = True) -> list[str] | None:
    """Greedy lines no wider than max_em ems; each paragraph (\\n) starts a new line. With
    split_words=False, None when a word is wider than a line."""
    lines: list[str] = []
    space = font.width_em(" ")
    for paragraph in text.split("\n"):
        current, width = "", 0.0
        for index, word in enumerate(w for w in paragraph.split(" ") if w):  # not at no-break spaces
            pieces = _pieces(word, max_em, font)
            if len(pieces) > 1 and not split_words:
                return None
            for number, piece in enumerate(pieces):
                joined = number == 0 and index > 0 and bool(current)
                piece_width = font.width_em(piece)
                if not current or width + (space if joined else 0) + piece_width <= max_em:
                    current += (" " if joined else "") + piece
                    width += (space if joined else 0) + piece_width
                else:
                    lines.append(current)
                    current, width = piece, piece_width
        if current:
            lines.append(current)
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
        if fits(whole_words, size):
            return FittedText(lines=tuple(whole_words), size_mm=size)
        if best is None:
            lines = wrap(text, width_mm / size, font)
            if fits(lines, size):
                best = FittedText(lines=tuple(lines), size_mm=size)
        if best is not None and size <= best.size_mm * WHOLE_WORDS_AT_MOST_SMALLER:
            return best
        if (truncate and size <= min_size_mm) or size <= SMALLEST_MM:
            break
        size = round(size - 0.1, 1)
    if best is not None:
        return best
    lines = wrap(text, width_mm / size, font)
    keep = max(1, math.floor(height_mm / (size * LINE_HEIGHT)))
    if max_lines is not None:
        keep = min(keep, max_lines)
    kept = lines[:keep]
    last = kept[-1]
    while last and font.width_em(last + ELLIPSIS) > width_mm / size:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return FittedText(lines=tuple(kept), size_mm=size)
