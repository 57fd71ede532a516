"""render_pdf(): the one way to make a PDF. WeasyPrint, templates from pdf_templates/, the shipped
font, and a URL fetcher that allows only data: URLs and the print assets (never the network, never
instance/ or the code)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
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
# What print templates may load: their own folder (stylesheets, images) and the shipped fonts.
PRINT_ASSET_DIRS = (PDF_TEMPLATES, FONTS)


class ForbiddenResource(ValueError):
    pass


class AssetOnlyURLFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no type hints
    """data: URLs, and files inside the asset folders once every `..` and symlink is resolved; anything
    else (the network, instance/ with the secret key and database, the code) is refused."""

    def __init__(self, asset_dirs: Iterable[Path] = PRINT_ASSET_DIRS) -> None:
        super().__init__(allowed_protocols={"data", "file"})
        self.asset_dirs = tuple(Path(d).resolve() for d in asset_dirs)

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "file":
            url = self._asset_file(url).as_uri()  # open what was checked, not the link again
        elif scheme != "data":
            raise ForbiddenResource(f"PDF may not load {url!r}")
        return super().fetch(url, headers)

    def _asset_file(self, url: str) -> Path:
        parts = urlsplit(url)
        raw_path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or ".." in Path(raw_path).parts:
            raise ForbiddenResource(f"PDF may not load {url!r}")
        path = Path(raw_path).resolve()
        if not path.is_file() or not any(path.is_relative_to(folder) for folder in self.asset_dirs):
            raise ForbiddenResource(f"PDF may not load {url!r}")
        return path


asset_only_url_fetcher = AssetOnlyURLFetcher()


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
    return CSS(filename=str(PDF_TEMPLATES / name), url_fetcher=asset_only_url_fetcher,
               font_config=_font_config())


def render_html(template: str, **context: Any) -> str:
    return _jinja().get_template(template).render(**context)


# One render at a time per process: the cached font configuration (Pango/fontconfig underneath) is shared,
# and WeasyPrint does not promise thread safety. Parallel batches use processes (badges.rendering).
_render_lock = threading.Lock()


def render_pdf(template: str, *, stylesheets: tuple[str, ...] = ("print.css",), **context: Any) -> bytes:
    """Render pdf_templates/<template> with the given context to PDF bytes."""
    html = HTML(string=render_html(template, **context), base_url=str(PDF_TEMPLATES) + "/",
                url_fetcher=asset_only_url_fetcher)
    with _render_lock:
        pdf: bytes = html.write_pdf(stylesheets=[_stylesheet(s) for s in stylesheets], font_config=_font_config())
    return pdf
