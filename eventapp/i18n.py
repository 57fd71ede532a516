"""Japanese first, English beside it: locale choice and the date/time formats of JAPANESE.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, has_request_context, redirect, request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

from eventapp.extensions import babel

TOKYO = ZoneInfo("Asia/Tokyo")
LANG_COOKIE = "lang"
WEEKDAYS_JA = "月火水木金土日"
ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"))

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():  # the CLI, job workers: the default language, not a crash
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages = current_app.config["LANGUAGES"]
    for chosen in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen is not None and chosen in languages:
            return chosen
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_locale() -> str:
    return str(get_locale() or "ja")


@bp.get("/lang/<code>")
def switch_language(code: str):
    target = request.args.get("next") or url_for("events.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for("events.index")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=60 * 60 * 24 * 365, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


@dataclass(frozen=True)
class LocalText:
    """A text in the language asked for, or in the other one when that is empty (`fell_back`). In a template
    it prints as itself; in HTML a fallback comes inside <span lang="…"> of its own language."""

    text: str
    lang: str
    fell_back: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __html__(self) -> Markup:
        if self.fell_back:
            return Markup('<span lang="{}">{}</span>').format(self.lang, self.text)
        return escape(self.text)


def in_language(locale: str, *, ja: str, en: str) -> LocalText:
    """The English text on English pages (`en`), the Japanese on Japanese ones; the other where it is empty."""
    wanted, other = (("en", en), ("ja", ja)) if locale == "en" else (("ja", ja), ("en", en))
    if wanted[1] or not other[1]:
        return LocalText(wanted[1], wanted[0])
    return LocalText(other[1], other[0], fell_back=True)


# --- Japanese inside English pages ---------------------------------------------------------------------

# Kana, kanji (with the compatibility ideographs of names such as 﨑), CJK punctuation (「」。、〒〓) and the
# full-width forms. A run holds the digits, spaces and line ends between them (第31回, 山田 太郎 様) and the
# numbers it begins or ends with (2027年2月18日, 3,000円, 〒135-0064, 太郎5), never a Latin word of its own
# (山田 Taro 様: two runs).
_JA = "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
_WBR = "\ue000"  # a <wbr> inside a text, while the text is looked at (a private-use character)
_NUMBER = "[0-9](?:[0-9,]*[0-9])?(?:-[0-9]+)*"
_INSIDE = f"(?:[{_JA}0-9\\s{_WBR}]|(?<=[{_JA}])[A-Za-z]+(?=[{_JA}]))"  # Latin letters only between kana/kanji: 第N回
_JAPANESE_RUN = re.compile(f"(?:{_NUMBER})?[{_JA}](?:{_INSIDE}*[{_JA}])?(?:{_NUMBER})?")
# Their text is not markup (script, style, title, textarea) or may hold no element (option).
_UNMARKED = frozenset({"script", "style", "title", "textarea", "option", "select"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})


class _JapaneseMarker(HTMLParser):
    """Writes the document back as it came, except that in text whose language (the nearest lang attribute)
    is not Japanese each run of Japanese is put in <span lang="ja">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.text: list[str] = []  # the text since the last tag, <wbr> included
        # The elements open around the text that have a lang attribute or are unmarked (language None), each
        # as [tag, language, how many elements of that tag are open inside it and itself].
        self.scopes: list[list] = []

    def _language(self) -> str | None:
        return self.scopes[-1][1] if self.scopes else None

    def _flush(self) -> None:
        raw = "".join(self.text)
        self.text = []
        language = self._language()
        if language is not None and not language.lower().startswith("ja"):
            raw = _JAPANESE_RUN.sub(lambda m: f'<span lang="ja">{m.group(0)}</span>', raw)
        self.out.append(raw.replace(_WBR, "<wbr>"))

    def _tag(self, raw: str) -> None:
        self._flush()
        self.out.append(raw)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if tag == "wbr":
            self.text.append(_WBR)
            return
        self._tag(raw)
        if tag in _VOID:
            return
        language = dict(attrs).get("lang")
        if tag in _UNMARKED:
            self.scopes.append([tag, None, 1])
        elif language is not None:
            self.scopes.append([tag, language, 1])
        elif self.scopes and self.scopes[-1][0] == tag:  # the same element inside it: its end is not the scope's
            self.scopes[-1][2] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "wbr":
            self.text.append(_WBR)
        else:
            self._tag(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self._tag(f"</{tag}>")
        if self.scopes and self.scopes[-1][0] == tag:
            self.scopes[-1][2] -= 1
            if self.scopes[-1][2] == 0:
                self.scopes.pop()

    def handle_data(self, data: str) -> None:
        if self.scopes and self.scopes[-1][1] is None:  # unmarked: as it is
            self._tag(data)
        else:
            self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._tag(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._tag(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._tag(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._tag(f"<![{data}]>")

    def result(self) -> str:
        self.close()
        self._flush()
        return "".join(self.out)


def mark_japanese(html: str) -> str:
    """An HTML document with each run of Japanese inside text of another language (an English page, an
    English paragraph) in <span lang="ja">, so that screen readers read it in Japanese and browsers pick
    Japanese glyphs: the glosses in English texts (Networking party (懇親会)), names, a venue given only in
    Japanese. Attributes, titles, options and scripts are left as they are."""
    marker = _JapaneseMarker()
    marker.feed(html)
    return marker.result()


def to_tokyo(value: datetime) -> datetime:
    return value.astimezone(TOKYO) if value.tzinfo else value.replace(tzinfo=TOKYO)


def format_date(value: date | datetime | None, locale: str | None = None) -> str:
    """2027年2月18日(木) / Thu 18 Feb 2027."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_tokyo(value).date()
    if (locale or current_locale()) == "en":
        return value.strftime("%a %-d %b %Y")
    return f"{value.year}年{value.month}月{value.day}日({WEEKDAYS_JA[value.weekday()]})"


def format_time(value: time | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_tokyo(value).time()
    return f"{value.hour}:{value.minute:02d}"


def format_datetime(value: datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return f"{format_date(value, locale)} {format_time(value)}"


def wareki_year(year: int, month: int = 4, day: int = 1) -> str:
    """令和9年 for 2027; 令和元年 for 2019 (from May)."""
    on = date(year, month, day)
    for start, era in ERAS:
        if on >= start:
            n = year - start.year + 1
            return f"{era}{'元' if n == 1 else n}年"
    return f"{year}年"


def fiscal_year_label(fiscal_year: int, locale: str | None = None) -> str:
    """令和8年度 (2026年度) / FY2026."""
    if (locale or current_locale()) == "en":
        return f"FY{fiscal_year}"
    return f"{wareki_year(fiscal_year)[:-1]}年度（{fiscal_year}年度）"


def format_number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)  # catalogs in eventapp/translations
    app.register_blueprint(bp)
    app.jinja_env.filters.update(
        jdate=format_date, jtime=format_time, jdatetime=format_datetime, number=format_number,
        wareki=wareki_year, fiscal_year=fiscal_year_label,
    )

    @app.context_processor
    def _locale_context() -> dict:
        locale = current_locale()
        return {"locale": locale, "other_locale": "en" if locale == "ja" else "ja"}

    @app.after_request
    def _japanese_marked_in_english(response: Response) -> Response:
        """On English pages, every run of Japanese text (glosses, names, fallbacks) in <span lang="ja">."""
        if (response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed
                and current_locale() == "en"):
            response.set_data(mark_japanese(response.get_data(as_text=True)))
        return response

    @app.after_request
    def _remember_language(response):
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(LANG_COOKIE, asked, max_age=60 * 60 * 24 * 365, samesite="Lax",
                                secure=app.config["SESSION_COOKIE_SECURE"], httponly=True)
        return response
