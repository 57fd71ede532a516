"""The PDF engine may load data: URLs and the print assets (fonts, print templates), nothing else: not the
instance folder (secret key, database), not the code, not the network, not through `..` or a symlink."""

from __future__ import annotations

import dataclasses
import io
from urllib.parse import urljoin

import pypdfium2
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from eventapp.badges.design import build_badge
from eventapp.badges.layouts import LayoutSpec
from eventapp.badges.rendering import render_sheet_pdf
from eventapp.config import INSTANCE_DIR, PACKAGE_ROOT
from eventapp.printing.fonts import FONTS, STACK, font_face_css
from eventapp.printing.render import (
    PDF_TEMPLATES,
    AssetOnlyURLFetcher,
    ForbiddenResource,
    asset_only_url_fetcher,
)
from eventapp.printing.text_fit import FittedText, metrics
from eventapp.tickets.rendering import ticket_pdf
from tests.helpers import make_event, make_registration

TEMPLATES_URL = PDF_TEMPLATES.as_uri() + "/"


@pytest.mark.parametrize("url", [
    (INSTANCE_DIR / "secret_key").as_uri(),
    (INSTANCE_DIR / "eventapp.sqlite3").as_uri(),
    (PACKAGE_ROOT / "config.py").as_uri(),
    (PACKAGE_ROOT / "printing" / "render.py").as_uri(),
    (PACKAGE_ROOT / "static" / "js" / "app.js").as_uri(),
    urljoin(TEMPLATES_URL, "../config.py"),
    urljoin(TEMPLATES_URL, "../instance/secret_key"),
    TEMPLATES_URL + "../config.py",  # a `..` left in the URL itself
    FONTS.as_uri() + "/../../instance/secret_key",
    FONTS.as_uri() + "/%2e%2e/%2e%2e/config.py",
    "file://attacker.example" + str(FONTS / "BIZUDPGothic-Regular.ttf"),
    FONTS.as_uri(),  # a folder, not a file
    "file:///etc/passwd",
    "http://127.0.0.1:5000/admin/",
    "https://example.com/font.ttf",
    "ftp://example.com/x",
])
def test_everything_but_the_print_assets_is_refused(url):
    with pytest.raises(ForbiddenResource):
        asset_only_url_fetcher.fetch(url)


def test_the_print_assets_and_data_urls_load():
    for path in [FONTS / "BIZUDPGothic-Regular.ttf"] + [p for font in STACK for p in (font.regular, font.bold)]:
        font = asset_only_url_fetcher.fetch(path.as_uri())  # the shipped font and the fallbacks from npm
        assert font.read(4) in (b"\x00\x01\x00\x00", b"OTTO", b"true"), path
        font.close()
    css = asset_only_url_fetcher.fetch(urljoin(TEMPLATES_URL, "print.css"))
    assert b"box-sizing" in css.read()
    css.close()
    assert asset_only_url_fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert "@font-face" in font_face_css() and all(font.family in font_face_css() for font in STACK)


def test_a_symlink_out_of_the_assets_is_refused(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "real.css").write_text("p { color: red }")
    secret = tmp_path / "secret_key"
    secret.write_text("s3cret")
    (assets / "link.css").symlink_to(secret)
    (assets / "inside").symlink_to(assets / "real.css")
    fetcher = AssetOnlyURLFetcher(asset_dirs=(assets,))
    assert b"color" in fetcher.fetch((assets / "real.css").as_uri()).read()
    assert b"color" in fetcher.fetch((assets / "inside").as_uri()).read()  # a link that stays inside is fine
    with pytest.raises(ForbiddenResource):
        fetcher.fetch((assets / "link.css").as_uri())


class _RecordingFetcher(AssetOnlyURLFetcher):
    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        try:
            return super().fetch(url, headers)
        except ForbiddenResource:
            self.refused.append(url)
            raise


def test_a_print_template_cannot_pull_in_project_files():
    fetcher = _RecordingFetcher()
    html = HTML(string='<link rel="stylesheet" href="../config.py"><img src="../instance/secret_key">'
                       '<img src="file:///etc/passwd"><p>テスト</p>', base_url=TEMPLATES_URL, url_fetcher=fetcher)
    pdf = html.write_pdf()
    assert fetcher.refused == [(PACKAGE_ROOT / "config.py").as_uri(), (PACKAGE_ROOT / "instance/secret_key").as_uri(),
                               "file:///etc/passwd"]
    assert b"Configuration: defaults here" not in pdf


def test_a_ticket_still_prints_its_japanese_text_with_the_shipped_font(session):
    event = make_event(session)
    registration = make_registration(session, event, family_name="髙﨑", given_name="一郎")
    pdf = ticket_pdf(registration)
    document = pypdfium2.PdfDocument(pdf)
    text = "".join(document[0].get_textpage().get_text_range().split())
    document.close()
    assert "髙﨑一郎" in text and "受付" in text
    fonts = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages
             for font in page["/Resources"]["/Font"].values()}
    # print.css names the shipped font "EventApp Gothic": loaded through the fetcher, no system fallback.
    assert fonts and all("EventApp-Gothic" in name for name in fonts), fonts


def test_the_pdf_engine_knows_no_font_of_the_machine(tmp_path):
    """Only the print fonts, never one installed on the machine, even for a character none of them has
    (here Georgian ა, which DejaVu Sans has): it prints as the first font's empty box (the texts that vary
    replace it by 〓 before: text_fit.printable)."""
    georgian = "\u10d0"
    assert metrics().font_index(georgian) is None
    spec = LayoutSpec(name="card", design="card", page_width_mm=91, page_height_mm=55, label_width_mm=91,
                      label_height_mm=55, columns=1, rows=1, margin_left_mm=0, margin_top_mm=0, pitch_x_mm=91,
                      pitch_y_mm=55)
    badge = build_badge(registration_id=1, serial=1, role="member", group="", company="", kana="", name="山田 太郎",
                        romaji="", footer="", token="token0001", design="card")
    badge = dataclasses.replace(badge, texts=badge.texts | {"company": FittedText(lines=(f"{georgian} 株式会社",),
                                                                                  size_mm=4.0)})
    pdf = render_sheet_pdf([badge], spec)
    fonts = {str(font["/BaseFont"]).split("+", 1)[-1] for page in PdfReader(io.BytesIO(pdf)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"EventApp-Gothic", "EventApp-Gothic-Bold"}, fonts

