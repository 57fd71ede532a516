"""The PDF engine may load data: URLs and the print assets (fonts, print templates), nothing else: not the
instance folder (secret key, database), not the code, not the network, not through `..` or a symlink."""

from __future__ import annotations

import io
from urllib.parse import urljoin

import pypdfium2
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from eventapp.config import INSTANCE_DIR, PACKAGE_ROOT
from eventapp.printing.render import (
    FONTS,
    PDF_TEMPLATES,
    AssetOnlyURLFetcher,
    ForbiddenResource,
    asset_only_url_fetcher,
)
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
    font = asset_only_url_fetcher.fetch((FONTS / "BIZUDPGothic-Regular.ttf").as_uri())
    assert font.read(4) in (b"\x00\x01\x00\x00", b"OTTO", b"true")
    font.close()
    css = asset_only_url_fetcher.fetch(urljoin(TEMPLATES_URL, "print.css"))
    assert b"@font-face" in css.read()
    css.close()
    assert asset_only_url_fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


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
