"""Where a line may break: at spaces, and in Japanese (which has none) between BudouX's phrases.

Inside a phrase a line breaks only when the phrase alone is wider than the line: first where the script
changes (髙﨑|ものづくり|ネットワーク), then between characters. Breaks never split a run of Latin letters or
digits (a Latin word that fits a line stays whole) nor at a no-break space, never put a closing mark, 。、・,
ー, 々 or a small kana at the start of a line and never an opening bracket at its end; these come from the
characters' Unicode properties, not from a list kept by hand."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import budoux

if TYPE_CHECKING:
    from eventapp.printing.text_fit import FontMetrics

NO_LINE_START_CATEGORIES = {"Pe", "Pf", "Po", "Pd", "Lm", "Sk", "Mn", "Mc", "Me"}  # 」。、・‐ ー々 ゛ marks
NO_LINE_END_CATEGORIES = {"Ps", "Pi"}  # 「（“


def is_latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-'&@_/.")


def _small_kana(char: str) -> bool:
    name = unicodedata.name(char, "")
    return " SMALL " in name and name.startswith(("HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA"))


def _no_break(char: str) -> bool:
    """No-break spaces and hyphens (U+00A0, U+202F, U+2011) and the word joiner hold their neighbours."""
    return unicodedata.decomposition(char).startswith("<noBreak>") or char == "\u2060"


def may_break_between(before: str, after: str) -> bool:
    """Whether a line may end with `before` and the next begin with `after` (two characters)."""
    if (is_latin(before) and is_latin(after)) or _no_break(before) or _no_break(after):
        return False
    if unicodedata.category(before) in NO_LINE_END_CATEGORIES:
        return False
    return unicodedata.category(after) not in NO_LINE_START_CATEGORIES and not _small_kana(after)


def _glue(parts: Iterable[str]) -> list[str]:
    """Parts joined back where the boundary between them is not a place to break."""
    out: list[str] = []
    for part in parts:
        if out and part and not may_break_between(out[-1][-1], part[0]):
            out[-1] += part
        elif part:
            out.append(part)
    return out


@cache
def _parser() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=8192)
def phrases(word: str) -> tuple[str, ...]:
    """The phrases of a word (a text without spaces) by BudouX's Japanese model."""
    return tuple(_glue(_parser().parse(word))) if word else ()


def _script(char: str) -> str | None:
    if is_latin(char):
        return "latin"
    if unicodedata.category(char) == "Lm":  # ー 々 ゝ: whatever precedes them
        return None
    name = unicodedata.name(char, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "han"
    if name.startswith("HIRAGANA"):
        return "hiragana"
    if name.startswith(("KATAKANA", "HALFWIDTH KATAKANA")):
        return "katakana"
    return None


def _script_runs(phrase: str) -> list[str]:
    """A phrase cut where the script changes; an opening bracket starts a run, other marks join the one before."""
    runs: list[str] = []
    script: str | None = None
    for char in phrase:
        kind = _script(char)
        opening = unicodedata.category(char) in NO_LINE_END_CATEGORIES
        if runs and (opening or (kind and script and kind != script)):
            runs.append(char)
            script = kind
        elif runs:
            runs[-1] += char
            script = script or kind
        else:
            runs.append(char)
            script = kind
    return _glue(runs)


def _characters(run: str) -> list[str]:
    return _glue(run)


SPLITS: tuple[Callable[[str], Sequence[str]], ...] = (phrases, _script_runs, _characters, list)


def pieces(word: str, max_em: float, font: FontMetrics) -> list[str]:
    """A word (no spaces) as the fewest pieces that fit a line of max_em: the word itself if it fits, else
    its phrases, a phrase wider than the line cut at script changes, then between characters."""

    def split(text: str, level: int) -> list[str]:
        if level == len(SPLITS) or font.width_em(text) <= max_em:
            return [text]
        parts = SPLITS[level](text)
        if len(parts) == 1:
            return split(text, level + 1)
        return [piece for part in parts for piece in split(part, level + 1)]

    return split(word, 0) if word else []


Unit = tuple[str, bool]  # a piece of text, and whether a space stands before it


def units(text: str, max_em: float, font: FontMetrics, *, split_words: bool = True) -> list[Unit]:
    """The pieces lines are made of: words, or with split_words the pieces of words too wide for max_em."""
    return [(piece, index > 0 and number == 0)
            for index, word in enumerate(w for w in text.split(" ") if w)
            for number, piece in enumerate(pieces(word, max_em, font) if split_words else [word])]


def pack(parts: Sequence[Unit], max_em: float, font: FontMetrics) -> list[str]:
    """Greedy lines no wider than max_em (a piece wider than that alone gets a line of its own). Each line is
    measured as a whole, as it will be shaped."""
    lines: list[str] = []
    current = ""
    for piece, spaced in parts:
        candidate = f"{current} {piece}" if spaced and current else current + piece
        if not current or font.width_em(candidate) <= max_em:
            current = candidate
        else:
            lines.append(current)
            current = piece
    if current:
        lines.append(current)
    return lines


def balanced(parts: Sequence[Unit], count: int, font: FontMetrics) -> list[str]:
    """At most `count` lines with the widest as narrow as it can be (the width is found by bisection; greedy
    packing is the fewest lines for a given width)."""
    low = max(font.width_em(piece) for piece, _ in parts)
    high = font.width_em(" ".join(pack(parts, math.inf, font)))
    best = pack(parts, high, font)
    for _ in range(30):
        if high - low < 1e-3:
            break
        middle = (low + high) / 2
        lines = pack(parts, middle, font)
        if len(lines) <= count:
            high, best = middle, lines
        else:
            low = middle
    return best
