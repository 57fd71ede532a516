"""render_pdf(): the one way to make a PDF. WeasyPrint, templates from pdf_templates/, the shipped
font, and a URL fetcher that allows only data: URLs and files inside the project (never the network)."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from eventapp.config import PACKAGE_ROOT

PDF_TEMPLATES = PACKAGE_ROOT / "pdf_templates"
FONTS = PACKAGE_ROOT / "static" / "fonts"


class ForbiddenResource(ValueError):
    pass


class ProjectOnlyURLFetcher(URLFetcher):
    """data: URLs and files under the project; anything else (http, other files) is refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"})

    def fetch(self, url: str, headers: Any = None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(PACKAGE_ROOT):
                raise ForbiddenResource(f"PDF may not load {url!r}")
        elif not url.startswith("data:"):
            raise ForbiddenResource(f"PDF may not load {url!r}")
        return super().fetch(url, headers)


project_only_url_fetcher = ProjectOnlyURLFetcher()


@cache
def _jinja() -> jinja2.Environment:
    from eventapp.i18n import format_date, format_datetime, format_number, format_time, wareki_year

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PDF_TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(jdate=format_date, jtime=format_time, jdatetime=format_datetime, number=format_number,
                       wareki=wareki_year)
    env.globals["font_dir"] = FONTS.as_uri()
    return env


@cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet(name: str) -> CSS:
    return CSS(filename=str(PDF_TEMPLATES / name), url_fetcher=project_only_url_fetcher,
               font_config=_font_config())


def render_html(template: str, **context: Any) -> str:
    return _jinja().get_template(template).render(**context)


# One render at a time per process: the cached font configuration (Pango/fontconfig underneath) is shared,
# and WeasyPrint does not promise thread safety. Parallel batches use processes (badges.rendering).
_render_lock = threading.Lock()


def render_pdf(template: str, *, stylesheets: tuple[str, ...] = ("print.css",), **context: Any) -> bytes:
    """Render pdf_templates/<template> with the given context to PDF bytes."""
    html = HTML(string=render_html(template, **context), base_url=str(PDF_TEMPLATES) + "/",
                url_fetcher=project_only_url_fetcher)
    with _render_lock:
        return html.write_pdf(stylesheets=[_stylesheet(s) for s in stylesheets], font_config=_font_config())
