"""Japanese first, English beside it: locale choice and the date/time formats of JAPANESE.md."""

from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import get_locale

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
    def _remember_language(response):
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(LANG_COOKIE, asked, max_age=60 * 60 * 24 * 365, samesite="Lax",
                                secure=app.config["SESSION_COOKIE_SECURE"], httponly=True)
        return response
