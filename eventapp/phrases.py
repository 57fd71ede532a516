"""Japanese lines on pages break between phrases (文節), as they do in the PDFs.

Japanese has no spaces, so a browser breaks its lines between any two characters: 「東京都異業種交流グルー／プ」.
The `phrases` filter puts <wbr> between the phrases BudouX finds (eventapp.printing.line_breaks, the same
phrases the ticket and the badges break at), and the CSS of `.phrases` (app.css: word-break: keep-all;
overflow-wrap: anywhere) lets a line break only there and at spaces, while a phrase too long for the line
still wraps rather than run off the screen. It works in every browser, with or without CSS's own
`word-break: auto-phrase` (Chromium only).

Inside a phrase longer than the narrowest lines of the pages (LONG_PHRASE: a heading on a phone holds about
14 characters), such as the compound 東京都異業種交流グループ合同交流会 that BudouX keeps whole, breaks go
where kanji meet katakana or Latin letters (東京都異業種交流|グループ|合同交流会), as the PDFs break such a
phrase first; never beside hiragana (送り仮名 and particles belong to their word), and never inside a
katakana word such as グループ.

    <h1 class="phrases">{{ event.title_in(locale)|phrases }}</h1>
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from eventapp.i18n import LocalText
from eventapp.printing.line_breaks import is_latin, may_break_between
from eventapp.printing.line_breaks import phrases as phrases_of

_SPACES = re.compile(r"(\s+)")
_TAG = re.compile(r"(<[^>]*>)")
WBR = Markup("<wbr>")
LONG_PHRASE = 12  # characters: a phrase longer than this may be wider than a line on a phone


def _script(char: str) -> str | None:
    if is_latin(char):
        return "latin"
    name = unicodedata.name(char, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "han"
    if name.startswith(("KATAKANA", "HALFWIDTH KATAKANA")) and unicodedata.category(char) != "Lm":  # not ー
        return "katakana"
    return None  # hiragana, marks, ー 々: they stay with their neighbours


def _word_parts(phrase: str) -> list[str]:
    """A long phrase cut where kanji, katakana and Latin letters meet (see above); a short one whole."""
    if len(phrase) <= LONG_PHRASE:
        return [phrase]
    parts = [phrase[0]]
    for before, after in zip(phrase, phrase[1:], strict=False):
        kinds = _script(before), _script(after)
        if None not in kinds and kinds[0] != kinds[1] and may_break_between(before, after):
            parts.append(after)
        else:
            parts[-1] += after
    return parts


def phrase_breaks(text: str) -> Markup:
    """The text, escaped, with <wbr> between the phrases of each word (spaces and line ends kept)."""
    out: list[Markup] = []
    for part in _SPACES.split(text):
        if part.isascii() or part.isspace():  # Latin words, numbers, spaces: the browser breaks them well
            out.append(escape(part))
        else:
            out.append(WBR.join(escape(piece) for phrase in phrases_of(part) for piece in _word_parts(phrase)))
    return Markup("").join(out)


def _markup_phrases(markup: Markup) -> Markup:
    """Markup (a translated text, a {% filter phrases %} block): phrase breaks in its texts, tags untouched."""
    return Markup("").join(Markup(part) if index % 2 else phrase_breaks(unescape(part))
                           for index, part in enumerate(_TAG.split(str(markup))))


def phrases(value: Any) -> Markup:
    """The `phrases` filter: a text (or a LocalText, a fallback keeping its lang) with <wbr> between phrases."""
    if isinstance(value, LocalText):
        inner = phrase_breaks(value.text)
        return Markup('<span lang="{}">{}</span>').format(value.lang, inner) if value.fell_back else inner
    if hasattr(value, "__html__"):
        return _markup_phrases(Markup(value))
    return phrase_breaks("" if value is None else str(value))


def init_phrases(app: Flask) -> None:
    app.jinja_env.filters["phrases"] = phrases
