"""render_pdf(): the one way to make a PDF. WeasyPrint, templates from pdf_templates/, the print fonts
(fonts.STACK, and no font of the machine), and a URL fetcher that allows only data: URLs and the print
assets (never the network, never instance/ or the code)."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup, escape
from weasyprint import CSS, HTML
from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from eventapp.config import PACKAGE_ROOT
from eventapp.printing.fonts import FALLBACK_CLASS, FONT_DIRS, FONTS, GENERIC_FAMILIES, STACK, font_face_css
from eventapp.printing.text_fit import metrics

PDF_TEMPLATES = PACKAGE_ROOT / "pdf_templates"
# What print templates may load: their own folder (stylesheets, images) and the print fonts' folders.
PRINT_ASSET_DIRS = (PDF_TEMPLATES, *FONT_DIRS)


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


def print_text(text: str) -> Markup:
    """A text for a print template (the `print_text` filter), escaped, with the runs that a fallback font
    of the stack prints (𠮷, emoji) in a span of fonts.FALLBACK_CLASS: those fonts' taller ascent and
    descent would otherwise move the line down (WeasyPrint sizes a line by the fonts on it)."""
    parts = [escape(run) if font == 0 else Markup('<span class="{}">{}</span>').format(FALLBACK_CLASS, run)
             for font, run in metrics().runs(text)]
    return Markup("").join(parts)


@cache
def _jinja() -> jinja2.Environment:
    from eventapp.i18n import format_date, format_datetime, format_number, format_time, wareki_year

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PDF_TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(jdate=format_date, jtime=format_time, jdatetime=format_datetime, number=format_number,
                       wareki=wareki_year, print_text=print_text)
    env.globals["font_dir"] = FONTS.as_uri()
    return env


# The names WeasyPrint tries for Fontconfig (weasyprint.text.ffi): the same library, already loaded.
_FONTCONFIG_NAMES = ("libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.so.1", "libfontconfig.1.dylib",
                     "libfontconfig-1.dll")


def _empty_fontconfig() -> Any:
    """A new Fontconfig configuration with no fonts and no rules: FcConfigCreate, which WeasyPrint's
    bindings leave out, called through ctypes on the library WeasyPrint uses."""
    for name in _FONTCONFIG_NAMES:
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.FcConfigCreate.restype = ctypes.c_void_p
        address = library.FcConfigCreate()
        if address:
            return ffi.cast("FcConfig *", address)
    raise RuntimeError("Fontconfig: cannot create a configuration")


class PrintFontConfiguration(FontConfiguration):  # type: ignore[misc]  # weasyprint ships no type hints
    """WeasyPrint's font configuration on a Fontconfig that knows the print fonts only: the @font-face
    rules of fonts.STACK add them, and the generic families (and "emoji", which Pango asks for emoji
    sequences) mean the stack. A font installed on the machine (say a colour emoji font) is never used,
    so a PDF prints the same everywhere and as text_fit measured it."""

    def __init__(self) -> None:
        super().__init__()
        config = _empty_fontconfig()
        aliases = "".join(f"<alias binding=\"same\"><family>{generic}</family><prefer>"
                          + "".join(f"<family>{font.family}</family>" for font in STACK) + "</prefer></alias>"
                          for generic in GENERIC_FAMILIES)
        xml = f'<?xml version="1.0"?><fontconfig>{aliases}</fontconfig>'.encode()
        if not fontconfig.FcConfigParseAndLoadFromMemory(config, xml, True):
            raise RuntimeError("Fontconfig refused the print font aliases")
        pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), config)
        fontconfig.FcConfigDestroy(config)  # the font map keeps a reference
        self._config = config  # where add_font_face registers the @font-face fonts


@cache
def _font_config() -> FontConfiguration:
    return PrintFontConfiguration()


@cache
def _font_stylesheet() -> CSS:
    """The print fonts' @font-face rules and the stack as the documents' font (fonts.font_face_css)."""
    return CSS(string=font_face_css(), url_fetcher=asset_only_url_fetcher, font_config=_font_config())


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
        pdf: bytes = html.write_pdf(stylesheets=[_font_stylesheet(), *(_stylesheet(s) for s in stylesheets)],
                                    font_config=_font_config())
    return pdf
