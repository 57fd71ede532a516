"""Badge sheets read back as a person would: pages rendered to images, QR codes decoded with zxing-cpp,
text and glyph positions taken from the PDF with pypdfium2.

Geometry is in millimetres from the page's top-left corner, like LayoutSpec.origin() and the design boxes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import budoux
import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from eventapp.badges import rendering
from eventapp.badges.design import DESIGNS, BadgeView, Box, build_badge
from eventapp.badges.layouts import LayoutError, LayoutSpec, UnknownSheet, check_fits, layout_named
from eventapp.badges.rendering import render_sheet_pdf, shutdown_pool, write_badge_sheets
from eventapp.badges.services import (
    BadgeOrder,
    BadgeSelection,
    badge_for,
    badge_warnings,
    mark_printed,
    registration_by_token,
    reissue_badge,
    select_for_badges,
)
from eventapp.db import utcnow
from eventapp.directory.models import ExchangeGroup
from eventapp.printing.fonts import CJK, EMOJI, GOTHIC, PrintFont
from eventapp.printing.text_fit import LINE_HEIGHT, MISSING_GLYPH_MARK, fit_text, metrics
from eventapp.registration.models import RegistrationChange, RegistrationStatus
from eventapp.registration.services import cancel
from eventapp.text import gojuon_sort_key, normalize_text
from tests.helpers import make_event, make_registration
from tests.pdf_reading import ink_share, likeness, page_chars, reading_lines, reading_text

PRESETS = ("card-a4-2x5", "a6-a4-2x2", "a6-single", "card-single")
DPI = 200
MM_PER_PT = 25.4 / 72
INK_TOLERANCE_MM = 0.3  # a glyph's ink against its label and the QR code
CELL_TOLERANCE_MM = 0.05  # a glyph's cell (advance × font height) against the box its text was fitted to
TEXT_KEYS = ("group", "company", "kana", "name", "romaji", "footer")
BAND_COLOURS = {"member": (0x1F, 0x5F, 0xBF), "exhibitor": (0x17, 0x80, 0x3D), "speaker": (0xC2, 0x41, 0x0C),
                "general": (0x0E, 0x74, 0x90), "guest": (0x9F, 0x12, 0x39), "press": (0x6B, 0x21, 0xA8)}


@pytest.fixture(scope="module", autouse=True)
def _stop_render_workers():
    yield
    shutdown_pool()


# --- reading a PDF ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of_box(cls, box: Box, origin: tuple[float, float]) -> Rect:
        return cls(origin[0] + box.x, origin[1] + box.y, origin[0] + box.right, origin[1] + box.bottom)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom

    def contains(self, other: Rect, tolerance: float) -> bool:
        return (other.left >= self.left - tolerance and other.right <= self.right + tolerance
                and other.top >= self.top - tolerance and other.bottom <= self.bottom + tolerance)

    def overlaps(self, other: Rect, tolerance: float) -> bool:
        return (other.right > self.left + tolerance and other.left < self.right - tolerance
                and other.bottom > self.top + tolerance and other.top < self.bottom - tolerance)

    def __str__(self) -> str:
        return f"[{self.left:.2f}, {self.top:.2f}] – [{self.right:.2f}, {self.bottom:.2f}] mm"


@dataclass(frozen=True)
class Glyph:
    char: str
    ink: Rect  # the glyph's outline
    cell: Rect  # advance width × the font's ascent + descent: what text_fit measures
    font: str  # the PDF font, e.g. "EventApp-Gothic-Bold" (BIZ UDPGothic) or "EventApp-CJK-Bold" (a fallback)


@dataclass(frozen=True)
class QRCode:
    text: str
    centre: tuple[float, float]


@dataclass
class PageReading:
    number: int
    size_mm: tuple[float, float]
    text: str  # the characters in reading order (tests/pdf_reading.py), with \r\n between lines
    glyphs: dict[int, Glyph]  # printed characters by index into text
    codes: list[QRCode]
    image: Image.Image

    def find(self, needle: str) -> list[list[Glyph]]:
        """Every place the string is printed, as its glyphs (spaces left out)."""
        found, start = [], self.text.find(needle)
        while start >= 0:
            found.append([self.glyphs[i] for i in range(start, start + len(needle)) if i in self.glyphs])
            start = self.text.find(needle, start + 1)
        return found

    def pixel(self, x_mm: float, y_mm: float) -> tuple[int, int, int]:
        return self.image.getpixel((round(x_mm / 25.4 * DPI), round(y_mm / 25.4 * DPI)))[:3]

    def _pixels(self, glyph: Glyph) -> tuple[int, int, int, int]:
        box = glyph.ink
        left, top, right, bottom = (round(v / 25.4 * DPI) for v in (box.left, box.top, box.right, box.bottom))
        return left, top, right, bottom

    def ink(self, glyph: Glyph) -> float:
        """The share of dark pixels inside the glyph's outline on the rendered page."""
        return ink_share(self.image, self._pixels(glyph))

    def likeness(self, glyph: Glyph, font_file: Path) -> float:
        """How much the printed glyph looks like its character drawn from font_file (pdf_reading.likeness)."""
        return likeness(self.image, self._pixels(glyph), glyph.char, font_file)


def _rect(box: tuple[float, float, float, float], page_height_pt: float) -> Rect:
    left, bottom, right, top = box
    return Rect(left * MM_PER_PT, (page_height_pt - top) * MM_PER_PT, right * MM_PER_PT,
                (page_height_pt - bottom) * MM_PER_PT)


def read_pages(path: Path) -> Iterator[PageReading]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        for number in range(len(pdf)):
            page = pdf[number]
            textpage = page.get_textpage()
            try:
                width_pt, height_pt = page.get_size()
                text, chars = reading_text(reading_lines(page_chars(textpage)))
                glyphs = {i: Glyph(c.char, _rect(c.box, height_pt), _rect(c.loose_box, height_pt), c.font)
                          for i, c in chars.items() if not c.char.isspace() and c.char.isprintable()}
                image = page.render(scale=DPI / 72).to_pil().convert("RGB")
            finally:
                textpage.close()
                page.close()
            codes = []
            for code in zxingcpp.read_barcodes(image):
                corners = [code.position.top_left, code.position.top_right, code.position.bottom_right,
                           code.position.bottom_left]
                codes.append(QRCode(code.text, (sum(c.x for c in corners) / 4 / DPI * 25.4,
                                                sum(c.y for c in corners) / 4 / DPI * 25.4)))
            yield PageReading(number, (width_pt * MM_PER_PT, height_pt * MM_PER_PT), text, glyphs, codes, image)
    finally:
        pdf.close()


def page_count(path: Path) -> int:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def label_rect(spec: LayoutSpec, slot: int) -> Rect:
    x, y = spec.origin(slot)
    return Rect(x, y, x + spec.label_width_mm, y + spec.label_height_mm)


def slot_at(spec: LayoutSpec, x: float, y: float) -> int | None:
    return next((slot for slot in range(spec.per_page) if label_rect(spec, slot).holds(x, y)), None)


def fitted_cell(glyph: Glyph) -> Rect:
    """What text_fit fitted to the box: the glyph's advance, and the line's height, which is the main font's
    ascent and descent. A fallback font's own are taller, but it does not size the line (render.print_text):
    of its glyphs the ink must stay in the box."""
    if glyph.font.startswith("EventApp-Gothic"):
        return glyph.cell
    return Rect(glyph.cell.left, glyph.ink.top, glyph.cell.right, glyph.ink.bottom)


def check_page(page: PageReading, spec: LayoutSpec, badges: list[BadgeView], tokens: list[str]) -> None:
    """What a person checks on a printed sheet: each label in use has its own person's QR code and texts,
    every text stays inside its label and its box and off the QR code, and unused labels are blank."""
    geometry = DESIGNS[spec.design]
    where = f"page {page.number + 1}"
    assert page.size_mm == pytest.approx((spec.page_width_mm, spec.page_height_mm), abs=0.1), where

    # QR codes: exactly one per label in use, the expected person's token, inside the design's QR box
    by_slot: dict[int | None, list[QRCode]] = {}
    for code in page.codes:
        by_slot.setdefault(slot_at(spec, *code.centre), []).append(code)
    assert set(by_slot) <= set(range(len(badges))), f"{where}: QR codes outside the labels in use: {by_slot}"
    for slot, token in enumerate(tokens):
        found = [code.text for code in by_slot.get(slot, [])]
        assert found == [token], f"{where}, label {slot}: QR codes {found}, expected [{token!r}]"
        qr_box = Rect.of_box(geometry.qr, spec.origin(slot))
        assert qr_box.holds(*by_slot[slot][0].centre), f"{where}, label {slot}: QR code not in its box {qr_box}"

    # every printed character: inside a label in use, inside that label, never on its QR code
    for glyph in page.glyphs.values():
        slot = slot_at(spec, *glyph.ink.centre)
        assert slot is not None and slot < len(badges), \
            f"{where}: {glyph.char!r} at {glyph.ink} is not on a label in use"
        label = label_rect(spec, slot)
        assert label.contains(glyph.ink, INK_TOLERANCE_MM), \
            f"{where}, label {slot}: {glyph.char!r} at {glyph.ink} leaves the label {label}"
        qr_box = Rect.of_box(geometry.qr, spec.origin(slot))
        assert not qr_box.overlaps(glyph.ink, INK_TOLERANCE_MM), \
            f"{where}, label {slot}: {glyph.char!r} at {glyph.ink} is on the QR code {qr_box}"

    # each line of each text is printed inside the box it was fitted to; the serial and role in the band
    for slot, badge in enumerate(badges):
        origin = spec.origin(slot)
        label = label_rect(spec, slot)
        band = Rect.of_box(geometry.band, origin)
        for key, lines in [("band", (badge.role_ja, f"No.{badge.serial}"))] + \
                [(key, badge.texts[key].lines) for key in TEXT_KEYS]:
            box = band if key == "band" else Rect.of_box(getattr(geometry, key), origin)
            for line in lines:
                places = [glyphs for glyphs in page.find(line) if label.holds(*glyphs[0].ink.centre)]
                assert places, f"{where}, label {slot}: {key} {line!r} is not printed ({page.text!r})"
                inside = [glyphs for glyphs in places
                          if all(box.contains(fitted_cell(g), CELL_TOLERANCE_MM) for g in glyphs)]
                worst = max((fitted_cell(g) for glyphs in places for g in glyphs), key=lambda c: max(
                    box.left - c.left, c.right - box.right, box.top - c.top, c.bottom - box.bottom))
                assert inside, f"{where}, label {slot}: {key} {line!r} leaves its box {box}, e.g. at {worst}"
        expected = BAND_COLOURS.get(badge.role)
        if expected:
            colour = page.pixel(origin[0] + 1, origin[1] + 1)
            assert all(abs(a - b) <= 8 for a, b in zip(colour, expected, strict=True)), \
                f"{where}, label {slot}: band colour {colour} for {badge.role}, expected {expected}"


def check_sheets(path: Path, spec: LayoutSpec, badges: list[BadgeView], tokens: list[str]) -> list[str]:
    """Check every page of a sheet file against the badges in order; returns the pages' texts."""
    texts = []
    for page in read_pages(path):
        start = page.number * spec.per_page
        check_page(page, spec, badges[start:start + spec.per_page], tokens[start:start + spec.per_page])
        texts.append(page.text)
    assert len(texts) == math.ceil(len(badges) / spec.per_page), f"{len(texts)} pages for {len(badges)} badges"
    return texts


def fonts_used(path: Path) -> set[str]:
    names = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]).split("+", 1)[-1] for font in fonts.values()}
    return names


def assert_fitted(badge: BadgeView, design: str, raw: dict[str, str]) -> None:
    """By the font's own metrics, every fitted text fits its box and nothing was dropped."""
    geometry = DESIGNS[design]
    for key in TEXT_KEYS:
        fitted, box, font = badge.texts[key], getattr(geometry, key), metrics(key == "name")
        assert fitted.text.replace(" ", "") == raw[key].replace(" ", ""), f"{key} lost characters"
        for line in fitted.lines:
            width = font.width_em(line) * fitted.size_mm
            assert width <= box.width + 1e-6, \
                f"{key} {line!r} at {fitted.size_mm} mm is {width:.3f} mm wide, its box {box.width} mm"
        assert len(fitted.lines) * fitted.size_mm * LINE_HEIGHT <= box.height + 1e-6, f"{key} is too tall"


# --- people ----------------------------------------------------------------------------------------


def make_group(session, name: str, reading: str) -> ExchangeGroup:
    group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading))
    session.add(group)
    session.commit()
    return group


FAMILIES = [("髙橋", "タカハシ", "TAKAHASHI"), ("山﨑", "ヤマザキ", "YAMAZAKI"), ("髙﨑", "タカサキ", "TAKASAKI"),
            ("佐藤", "サトウ", "SATO"), ("鈴木", "スズキ", "SUZUKI"), ("渡邉", "ワタナベ", "WATANABE"),
            ("齋藤", "サイトウ", "SAITO"), ("伊藤", "イトウ", "ITO"), ("中村", "ナカムラ", "NAKAMURA"),
            ("小林", "コバヤシ", "KOBAYASHI"), ("加藤", "カトウ", "KATO"), ("吉田", "ヨシダ", "YOSHIDA"),
            ("山田", "ヤマダ", "YAMADA"), ("佐々木", "ササキ", "SASAKI"), ("山口", "ヤマグチ", "YAMAGUCHI"),
            ("松本", "マツモト", "MATSUMOTO"), ("井上", "イノウエ", "INOUE"), ("木村", "キムラ", "KIMURA"),
            ("林", "ハヤシ", "HAYASHI"), ("清水", "シミズ", "SHIMIZU"), ("後藤", "ゴトウ", "GOTO"),
            ("馬場", "ババ", "BABA"), ("朴", "パク", "PARK")]
GIVEN = [("一郎", "イチロウ", "Ichiro"), ("花子", "ハナコ", "Hanako"), ("健太", "ケンタ", "Kenta"),
         ("美咲", "ミサキ", "Misaki"), ("翔", "ショウ", "Sho"), ("恵子", "ケイコ", "Keiko"), ("拓也", "タクヤ", "Takuya")]
CATEGORIES = ("member", "exhibitor", "speaker", "general", "press")
COMPANIES = [("株式会社髙橋製作所", "タカハシセイサクショ"), ("山﨑精機株式会社", "ヤマザキセイキ"), ("", ""),
             ("有限会社髙﨑工務店", "タカサキコウムテン"), ("Tokyo Precision Co., Ltd.", "")]


def make_people(session, event, count: int) -> list:
    groups = [make_group(session, "城南異業種交流会", "ジョウナンイギョウシュコウリュウカイ"),
              make_group(session, "髙﨑ものづくり会", "タカサキモノヅクリカイ")]
    people = []
    for n in range(count):
        family, family_kana, family_romaji = FAMILIES[n % len(FAMILIES)]
        given, given_kana, given_romaji = GIVEN[n % len(GIVEN)]
        company, company_kana = COMPANIES[n % len(COMPANIES)]
        group = (groups + [None])[n % 3]
        people.append(make_registration(
            session, event, n, family_name=family, given_name=given if n < len(FAMILIES) else f"{given}{n}",
            family_kana=family_kana, given_kana=given_kana, romaji=f"{family_romaji} {given_romaji}",
            company_name=company, company_kana=company_kana, category_code=CATEGORIES[n % len(CATEGORIES)],
            group_id=group.id if group else None))
    return people


def tokens_of(people) -> list[str]:
    return [p.token for p in people]


# --- the four preset sheets ------------------------------------------------------------------------


@pytest.mark.parametrize("sheet", PRESETS)
def test_23_people_on_each_preset_sheet(session, tmp_path, sheet):
    event = make_event(session)
    make_people(session, event, 23)
    layout = layout_named(session, sheet)
    spec = LayoutSpec.of(layout)
    people = select_for_badges(session, event, BadgeSelection())
    assert len(people) == 23
    badges = [badge_for(p, design=layout.design) for p in people]

    out = tmp_path / f"{sheet}.pdf"
    progress: list[int] = []
    pages = write_badge_sheets(badges, spec, out, progress=progress.append)

    expected_pages = math.ceil(23 / spec.per_page)
    assert pages == page_count(out) == expected_pages
    assert sum(progress) == 23
    texts = check_sheets(out, spec, badges, tokens_of(people))
    assert len(texts) == expected_pages
    assert fonts_used(out) <= {"EventApp-Gothic", "EventApp-Gothic-Bold"}
    for number, text in enumerate(texts):
        on_page = people[number * spec.per_page:(number + 1) * spec.per_page]
        for person in on_page:
            assert person.full_name in text, f"page {number + 1}: {person.full_name} missing"
            assert f"No.{person.badge_serial:04d}" in text
        others = [p for p in people if p not in on_page]
        assert not any(f"No.{p.badge_serial:04d}" in text for p in others)
    for name in ("髙橋 一郎", "山﨑 花子", "髙﨑 健太"):
        assert name in "".join(texts)


# --- no text leaves its box ------------------------------------------------------------------------


LONG_COMPANY = "株式会社" + "東京都異業種交流" * 9 + "ABCD"
LONG_ROMAJI = "TAKAHASHI-YAMAZAKI Alexandrina Maximiliana Kazuhik"
LONG_GROUP = "東京都墨田区異業種交流グループ髙﨑ものづくりネットワーク連絡協議会東京髙﨑本部会"


def hard_cases(session, event) -> list:
    group = make_group(session, LONG_GROUP, "ボクトウイギョウシュ")
    cases = [
        # a 60-character name split evenly at its space, an 80-character company, a 40-character group
        dict(family_name="髙橋" * 15, given_name="山﨑" * 14 + "﨑", company_name=LONG_COMPANY, group_id=group.id),
        # a 60-character name split unevenly, no company, a 50-letter romaji
        dict(family_name="髙橋﨑山" * 10, given_name="山﨑髙橋" * 4 + "髙﨑髙", company_name="", romaji=LONG_ROMAJI),
        # an 80-character company in Latin letters, a wide romaji, a long reading
        dict(company_name="Tokyo International Precision Manufacturing & Engineering Solutions Holdings Ltd",
             romaji="W" * 50, family_kana="タカハシヤマザキワタナベ" * 3, given_kana="イチロウ" * 4),
        # an ordinary neighbour
        dict(family_name="髙﨑", given_name="花子", romaji="TAKASAKI Hanako", group_id=group.id),
    ]
    people = [make_registration(session, event, n, **values) for n, values in enumerate(cases)]
    assert len(people[0].full_name) == len(people[1].full_name) == 60
    assert len(people[0].company_name) == len(people[2].company_name) == 80
    assert len(group.name) == 40 and len(people[1].romaji) == len(people[2].romaji) == 50
    return people


@pytest.mark.parametrize("sheet", PRESETS)
def test_no_text_leaves_its_box(session, tmp_path, sheet):
    event = make_event(session)
    people = hard_cases(session, event)
    layout = layout_named(session, sheet)
    spec = LayoutSpec.of(layout)
    badges = [badge_for(p, design=layout.design) for p in people]
    for person, badge in zip(people, badges, strict=True):
        assert_fitted(badge, spec.design, {
            "group": person.group.name if person.group else "", "company": person.company_name,
            "kana": person.full_kana, "name": person.full_name, "romaji": person.romaji, "footer": event.title_ja})
    out = tmp_path / f"{sheet}.pdf"
    write_badge_sheets(badges, spec, out)
    check_sheets(out, spec, badges, tokens_of(people))

    # the person without a company has nothing printed in the company box
    geometry = DESIGNS[spec.design]
    for page in read_pages(out):
        slot = 1 - page.number * spec.per_page
        if 0 <= slot < spec.per_page:
            company_box = Rect.of_box(geometry.company, spec.origin(slot))
            assert not [g.char for g in page.glyphs.values() if company_box.holds(*g.ink.centre)]


# --- measured as printed, broken between phrases ----------------------------------------------------


CARD_A4 = LayoutSpec(name="card-a4-2x5", design="card", page_width_mm=210, page_height_mm=297, label_width_mm=91,
                     label_height_mm=55, columns=2, rows=5, margin_left_mm=14, margin_top_mm=11, pitch_x_mm=91,
                     pitch_y_mm=55)  # the preset, without a database
NO_LINE_START = "。、ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
PHRASED_COMPANY = "東京都異業種交流グループ合同交流会の実行委員会事務局、ネットワーク推進室ジャパンショップ株式会社"


def plain_badge(n: int = 1, design: str = "card", **texts: str) -> BadgeView:
    values = dict(group="城南異業種交流会", company="株式会社サンプル", kana="ヤマダ タロウ", name="山田 太郎",
                  romaji="YAMADA Taro", footer="第31回 東京都異業種交流グループ合同交流会") | texts
    return build_badge(registration_id=n, serial=n, role="member", token=f"token{n:04d}", design=design, **values)


def test_long_company_breaks_between_phrases(tmp_path):
    phrases = budoux.load_default_japanese_parser().parse(PHRASED_COMPANY)
    assert phrases == ["東京都異業種交流グループ合同交流会の", "実行委員会事務局、", "ネットワーク推進室ジャパンショップ株式会社"]
    badge = plain_badge(company=PHRASED_COMPANY)

    company = badge.texts["company"]
    assert company.lines == (phrases[0] + phrases[1], phrases[2])
    assert not [line for line in company.lines if line[0] in NO_LINE_START]
    assert_fitted(badge, "card", {"group": "城南異業種交流会", "company": PHRASED_COMPANY, "kana": "ヤマダ タロウ",
                                  "name": "山田 太郎", "romaji": "YAMADA Taro",
                                  "footer": "第31回 東京都異業種交流グループ合同交流会"})
    out = tmp_path / "phrases.pdf"
    write_badge_sheets([badge], CARD_A4, out)
    check_sheets(out, CARD_A4, [badge], ["token0001"])


def test_a_phrase_wider_than_the_line_breaks_inside_it_and_latin_words_stay_whole():
    one_phrase = "東京都異業種交流グループ合同交流会実行委員会事務局株式会社"
    assert budoux.load_default_japanese_parser().parse(one_phrase) == [one_phrase]
    name_box = DESIGNS["card"].name
    fitted = fit_text(one_phrase, width_mm=name_box.width, height_mm=name_box.height, max_size_mm=10.5,
                      min_size_mm=3.5, max_lines=2, bold=True)
    assert fitted.lines == ("東京都異業種交流グループ", "合同交流会実行委員会事務局株式会社")  # where the script changes
    assert not [line for line in fitted.lines if line[0] in NO_LINE_START]

    latin = "Tokyo International Precision Manufacturing & Engineering Solutions Holdings Ltd"
    company = plain_badge(company=latin).texts["company"]
    assert len(company.lines) == 2 and " ".join(company.lines) == latin  # broken at a space, no word split


LIGATURES_AND_MARKS = dict(  # texts whose shaped width differs from the sum of their characters' advances
    company="Office Efficiency 株式会社", romaji="Griffin Officer", kana="セ\u309aカ\u3099 タロウ",
    group="ﾃﾞｻﾞｲﾝ Staff affairs", name="髙﨑 太郎")


@pytest.mark.parametrize("design", ["card", "large"])
def test_measured_widths_are_the_printed_widths(tmp_path, design):
    spec = dataclasses.replace(CARD_A4, design=design, label_width_mm=105, label_height_mm=148, columns=2, rows=2,
                               margin_left_mm=0, margin_top_mm=0, pitch_x_mm=105, pitch_y_mm=148) \
        if design == "large" else CARD_A4
    badges = [plain_badge(1, design, **LIGATURES_AND_MARKS), plain_badge(2, design, company=PHRASED_COMPANY)]
    out = tmp_path / "widths.pdf"
    out.write_bytes(render_sheet_pdf(badges, spec))  # one render_pdf call, as a chunk of a batch

    page = next(read_pages(out))
    checked = 0
    for slot, badge in enumerate(badges):
        label = label_rect(spec, slot)
        for key in TEXT_KEYS:
            fitted = badge.texts[key]
            for line in fitted.lines:
                [glyphs] = [found for found in page.find(line) if label.holds(*found[0].ink.centre)]
                printed = max(g.cell.right for g in glyphs) - min(g.cell.left for g in glyphs)
                measured = metrics(key == "name").width_em(line) * fitted.size_mm
                # the PDF gives each glyph's width in thousandths of an em, rounded
                tolerance = 0.0005 * len(line) * fitted.size_mm + 0.01
                assert printed == pytest.approx(measured, abs=tolerance), f"{key} {line!r} at {fitted.size_mm} mm"
                checked += 1
    assert checked >= 12


# --- chunks in parallel, joined in order -----------------------------------------------------------


def test_many_chunks_are_joined_in_order(session, tmp_path):
    event = make_event(session)
    make_people(session, event, 35)
    layout = layout_named(session, "card-a4-2x5")
    spec = LayoutSpec.of(layout)
    people = select_for_badges(session, event, BadgeSelection())
    badges = [badge_for(p, design=layout.design) for p in people]
    progress: list[int] = []

    pages = write_badge_sheets(badges, spec, tmp_path / "badges.pdf", progress=progress.append, chunk_pages=1)

    assert pages == page_count(tmp_path / "badges.pdf") == 4
    assert sum(progress) == 35 and len(progress) == 4 and max(progress) <= 10
    assert len(check_sheets(tmp_path / "badges.pdf", spec, badges, tokens_of(people))) == 4
    assert fonts_used(tmp_path / "badges.pdf") <= {"EventApp-Gothic", "EventApp-Gothic-Bold"}
    assert not list(tmp_path.glob("badges-*")), "chunk files left behind"


# --- every name prints: the fallback fonts, and 〓 only for what no print font has ------------------


PRINT_FONTS = {"EventApp-Gothic", "EventApp-Gothic-Bold", "EventApp-CJK", "EventApp-CJK-Bold", "EventApp-Emoji",
               "EventApp-Emoji-Bold"}
NO_PRINT_FONT = ("\U00030000", "\ue000")  # 𰀀 (CJK Extension G) and a private-use character


def assert_printed_as_itself(page: PageReading, char: str, font: PrintFont, count: int) -> None:
    """The character is printed `count` times, each from its font of the stack, and looks like it."""
    glyphs = [g for g in page.glyphs.values() if g.char == char]
    assert len(glyphs) == count, f"{char!r} printed {len(glyphs)} times, expected {count}"
    for glyph in glyphs:
        bold = glyph.font.endswith("-Bold")
        assert glyph.font.removesuffix("-Bold") == font.family.replace(" ", "-"), f"{char!r} from {glyph.font}"
        assert page.ink(glyph) > 0.1, f"{char!r} at {glyph.ink} is {page.ink(glyph):.0%} ink"
        itself = page.likeness(glyph, font.file(bold))
        geta = page.likeness(dataclasses.replace(glyph, char=MISSING_GLYPH_MARK), GOTHIC.bold)
        assert itself > 0.55 and itself > geta + 0.2, f"{char!r} at {glyph.ink} does not look like itself ({itself:.2f})"


def test_every_name_prints(session, tmp_path):
    event = make_event(session)
    # what the registration form keeps after normalisation (eventapp.text)
    assert normalize_text("𠮷野") == "𠮷野" and normalize_text("太郎🎉") == "太郎🎉"
    assert normalize_text("🎉企画 👨\u200d👩\u200d👧") == "🎉企画 👨\u200d👩\u200d👧"
    yoshino = make_registration(session, event, 1, family_name="𠮷野", given_name="太郎", company_name="株式会社𠮷野屋",
                                romaji="YOSHINO Taro")
    party = make_registration(session, event, 2, family_name="山田", given_name="太郎🎉",
                              company_name="🎉企画 👨\u200d👩\u200d👧", romaji="YAMADA Taro")
    # 辻󠄀: 辻 and an ideographic variation selector (U+E0100) asking for the one-dot form, which BIZ
    # UDPGothic has; the selector needs no glyph of its own, so it is no 〓
    assert normalize_text("辻\U000e0100本") == "辻\U000e0100本"
    plain = make_registration(session, event, 3, family_name="辻\U000e0100本", given_name="一郎")
    for bold in (False, True):  # BIZ UDPGothic lacks them; the fallbacks have them
        font = metrics(bold)
        assert not font.coverage[0] & {ord("𠮷"), ord("🎉")}
        assert font.font_of("𠮷") == CJK and font.font_of("🎉") == font.font_of("👨") == EMOJI
    layout = layout_named(session, "card-a4-2x5")
    spec = LayoutSpec.of(layout)
    people = [yoshino, party, plain]
    badges = [badge_for(p, design=layout.design) for p in people]

    assert badges[0].texts["name"].text == "𠮷野 太郎" and badges[0].texts["company"].text == "株式会社𠮷野屋"
    assert badges[1].texts["name"].text == "山田 太郎🎉"
    assert [b.warnings for b in badges] == [(), (), ()] and badge_warnings(badges, people) == []

    out = tmp_path / "names.pdf"
    write_badge_sheets(badges, spec, out)
    check_sheets(out, spec, badges, tokens_of(people))  # every line in its box, at its measured width
    page = next(read_pages(out))
    for line in ("𠮷野 太郎", "株式会社𠮷野屋", "山田 太郎🎉", "🎉企画 👨\u200d👩\u200d👧", "辻\U000e0100本 一郎"):
        assert line in page.text, line
    assert MISSING_GLYPH_MARK not in page.text and "\ufffd" not in page.text
    assert fonts_used(out) == PRINT_FONTS  # the stack's fonts, and nothing of the machine's
    assert_printed_as_itself(page, "𠮷", CJK, 2)
    assert_printed_as_itself(page, "🎉", EMOJI, 2)
    assert_printed_as_itself(page, "山", GOTHIC, 1)
    # 👨‍👩‍👧 is one picture (the font's ligature for the sequence): its three people share one glyph
    family = [g for g in page.glyphs.values() if g.char in "👨👩👧"]
    assert [g.char for g in family] == ["👨", "👩", "👧"] and len({(g.ink, g.cell, g.font) for g in family}) == 1
    assert family[0].font == "EventApp-Emoji" and page.ink(family[0]) > 0.1


def test_a_fallback_glyph_does_not_move_its_line(tmp_path):
    """A fallback font's taller ascent and descent must not push its line down (render.print_text)."""
    names = ["山田 太郎", "𠮷田 太郎", "山田 太郎🎉", "𠮷野 花子🎉"]
    badges = [plain_badge(n, name=name) for n, name in enumerate(names, 1)]
    assert len({b.texts["name"].size_mm for b in badges}) == 1  # the same size: the same place
    out = tmp_path / "baselines.pdf"
    out.write_bytes(render_sheet_pdf(badges, CARD_A4))
    page = next(read_pages(out))
    name_boxes = [Rect.of_box(DESIGNS["card"].name, CARD_A4.origin(slot)) for slot in range(len(names))]
    tops = []
    for box in name_boxes:
        [kanji] = [g for g in page.glyphs.values() if g.char == "田" and box.holds(*g.ink.centre)] or \
            [g for g in page.glyphs.values() if g.char == "野" and box.holds(*g.ink.centre)]
        tops.append(kanji.cell.top - box.top)
    assert max(tops) - min(tops) < 0.01, tops


def test_characters_no_print_font_has_print_as_geta(session, tmp_path):
    event = make_event(session)
    odd = make_registration(session, event, 1, family_name="𠮷野", given_name="花子" + NO_PRINT_FONT[0],
                            company_name=NO_PRINT_FONT[1] + "商事🎉", romaji="YOSHINO Hanako")
    plain = make_registration(session, event, 2, family_name="髙﨑", given_name="一郎")
    assert normalize_text("花子" + NO_PRINT_FONT[0]) == "花子" + NO_PRINT_FONT[0]  # the form keeps them
    assert normalize_text(NO_PRINT_FONT[1] + "商事") == NO_PRINT_FONT[1] + "商事"
    assert all(metrics(bold).font_index(ch) is None for ch in NO_PRINT_FONT for bold in (False, True))
    layout = layout_named(session, "card-a4-2x5")
    spec = LayoutSpec.of(layout)
    people = [odd, plain]
    badges = [badge_for(p, design=layout.design) for p in people]

    assert badges[0].texts["name"].text.replace(" ", "") == "𠮷野花子〓"
    assert badges[0].texts["company"].text == "〓商事🎉"
    # the organiser hears of what printed as 〓, and only of that: not of 𠮷 or 🎉, which printed
    assert badges[0].warnings == (f"company: {NO_PRINT_FONT[1]} printed as 〓", f"name: {NO_PRINT_FONT[0]} printed as 〓")
    assert badges[1].warnings == ()
    warnings = badge_warnings(badges, people)
    assert len(warnings) == 1
    assert odd.receipt_code in warnings[0] and odd.full_name in warnings[0] and "〓" in warnings[0]
    assert "𠮷" not in warnings[0].replace(odd.full_name, "") and "🎉" not in warnings[0].replace(odd.company_name, "")

    out = tmp_path / "geta.pdf"
    write_badge_sheets(badges, spec, out)
    check_sheets(out, spec, badges, tokens_of(people))
    page = next(read_pages(out))
    assert "𠮷野 花子〓" in page.text and "〓商事🎉" in page.text and "髙﨑 一郎" in page.text
    assert not {*NO_PRINT_FONT, "\ufffd"} & set(page.text)
    assert fonts_used(out) <= PRINT_FONTS  # no font of the machine, no empty box
    getas = [g for g in page.glyphs.values() if g.char == MISSING_GLYPH_MARK]
    assert len(getas) == 2 and all(g.font.startswith("EventApp-Gothic") for g in getas)
    for geta in getas:  # 〓 is two solid bars, not an empty box: plenty of ink inside its outline
        assert page.ink(geta) > 0.4, f"〓 at {geta.ink} is {page.ink(geta):.0%} ink"


# --- layouts that cannot be printed ----------------------------------------------------------------


def test_layout_that_does_not_fit_is_refused_before_rendering(app, session, tmp_path, monkeypatch):
    event = make_event(session)
    person = make_registration(session, event)
    card = LayoutSpec.of(layout_named(session, "card-a4-2x5"))
    too_wide = dataclasses.replace(card, name="card-a4-3x5", columns=3)
    too_long = dataclasses.replace(card, name="card-a4-2x6", rows=6)
    overlapping = dataclasses.replace(card, name="card-a4-tight", pitch_x_mm=80)

    # outside a request (the command line, the job worker: an app context): in Japanese, the default language
    with app.app_context():
        with pytest.raises(LayoutError, match=r"横287\s*mmまで.*幅は210\s*mm"):
            check_fits(too_wide)
        with pytest.raises(LayoutError, match=r"縦341\s*mmまで.*高さは297\s*mm"):
            check_fits(too_long)
        with pytest.raises(LayoutError, match=r"ピッチ80\s*mm.*幅91\s*mm"):
            check_fits(overlapping)
    with app.test_request_context("/?lang=en"):  # a page in English
        with pytest.raises(LayoutError, match=r"reach 287 mm across but the page is 210 mm wide"):
            check_fits(too_wide)
        with pytest.raises(LayoutError, match=r"reach 341 mm down but the page is 297 mm high"):
            check_fits(too_long)
        with pytest.raises(LayoutError, match=r"pitch 80 mm is less than the label width 91 mm"):
            check_fits(overlapping)

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendering started for a layout that does not fit")

    monkeypatch.setattr(rendering, "render_sheet_pdf", no_rendering)
    monkeypatch.setattr(rendering, "_process_pool", no_rendering)
    badges = [badge_for(person, design="card")] * 40
    for spec in (too_wide, too_long, overlapping):
        out = tmp_path / "out" / f"{spec.name}.pdf"
        with pytest.raises(LayoutError):
            write_badge_sheets(badges, spec, out, chunk_pages=1)
        assert not out.exists()
    assert not (tmp_path / "out").exists()


def test_unknown_sheet_names_the_known_ones(session):
    with pytest.raises(UnknownSheet) as raised:
        layout_named(session, "a5-2x1")
    assert sorted(raised.value.known) == sorted(PRESETS)
    assert "a5-2x1" in str(raised.value) and all(name in str(raised.value) for name in PRESETS)
    assert layout_named(session, None).name == "card-a4-2x5"  # the default when no name is given


# --- who gets a badge, in which order --------------------------------------------------------------


@pytest.fixture
def crowd(session):
    """Ten confirmed people (family names below), one cancelled and one on the waiting list."""
    event = make_event(session, capacity=10)
    asahi = make_group(session, "あさひ会", "アサヒカイ")
    jonan = make_group(session, "城南異業種交流会", "ジョウナンイギョウシュコウリュウカイ")
    wakaba = make_group(session, "わかば会", "ワカバカイ")
    aoi, kinoko, wakaba_co = ("株式会社あおい", "カブシキガイシャアオイ"), ("きのこ工業株式会社", "キノココウギョウカブシキガイシャ"), \
        ("株式会社わかば", "カブシキガイシャワカバ")
    rows = [  # family name, reading, category, group, company
        ("阿部", "アベ", "member", jonan, wakaba_co), ("後藤", "ゴトウ", "exhibitor", None, kinoko),
        ("小林", "コバヤシ", "speaker", wakaba, aoi), ("髙﨑", "タカサキ", "general", asahi, ("株式会社ZZZ", "")),
        ("髙橋", "タカハシ", "member", jonan, aoi), ("朴", "パク", "general", None, ("YYY株式会社", "")),
        ("馬場", "ババ", "press", wakaba, kinoko), ("浜田", "ハマダ", "member", asahi, wakaba_co),
        ("山﨑", "ヤマザキ", "exhibitor", jonan, aoi),
    ]
    people = {}
    start = utcnow() - timedelta(days=30)
    for n, (family, reading, category, group, (company, company_kana)) in enumerate(rows):
        people[reading] = make_registration(
            session, event, n, family_name=family, family_kana=reading, category_code=category,
            group_id=group.id if group else None, company_name=company, company_kana=company_kana)
    gone = make_registration(session, event, 20, family_name="取消", family_kana="アアア", category_code="member",
                             group_id=jonan.id)
    cancel(session, gone, now=utcnow(), actor="organiser:test", by_organiser=True)
    session.commit()
    people["ワダ"] = make_registration(session, event, 9, family_name="和田", family_kana="ワダ", category_code="general",
                                      company_name=kinoko[0], company_kana=kinoko[1])
    waiting = make_registration(session, event, 21, family_name="補欠", family_kana="アアア", category_code="member",
                                group_id=jonan.id)
    assert gone.status == RegistrationStatus.CANCELLED and waiting.status == RegistrationStatus.WAITLISTED
    for day, person in enumerate([*people.values(), gone, waiting]):
        person.created_at = start + timedelta(days=day)
    session.commit()
    return dict(event=event, people=people, gone=gone, waiting=waiting, start=start,
                groups=dict(asahi=asahi, jonan=jonan, wakaba=wakaba))


def readings(people) -> list[str]:
    return [p.family_kana for p in people]


@pytest.mark.parametrize(("order", "expected"), [
    (BadgeOrder.GOJUON, ["アベ", "ゴトウ", "コバヤシ", "タカサキ", "タカハシ", "パク", "ババ", "ハマダ", "ヤマザキ", "ワダ"]),
    # 株式会社 ignored: あおい, きのこ, わかば; companies without a reading last, by name without 株式会社
    (BadgeOrder.COMPANY, ["コバヤシ", "タカハシ", "ヤマザキ", "ゴトウ", "ババ", "ワダ", "アベ", "ハマダ", "パク", "タカサキ"]),
    # groups by reading (あさひ, 城南, わかば), people without a group last
    (BadgeOrder.GROUP, ["タカサキ", "ハマダ", "アベ", "タカハシ", "ヤマザキ", "コバヤシ", "ババ", "ゴトウ", "パク", "ワダ"]),
])
def test_badge_orders(session, crowd, order, expected):
    assert readings(select_for_badges(session, crowd["event"], BadgeSelection(order=order))) == expected


def test_receipt_order(session, crowd):
    people = select_for_badges(session, crowd["event"], BadgeSelection(order=BadgeOrder.RECEIPT))
    assert [p.receipt_code for p in people] == sorted(p.receipt_code for p in crowd["people"].values())


def test_badge_filters(session, crowd):
    event, people, groups = crowd["event"], crowd["people"], crowd["groups"]

    def chosen(**selection) -> list[str]:
        return readings(select_for_badges(session, event, BadgeSelection(**selection)))

    assert chosen(category_codes=["exhibitor"]) == ["ゴトウ", "ヤマザキ"]
    assert chosen(category_codes=["member", "press"]) == ["アベ", "タカハシ", "ババ", "ハマダ"]
    assert chosen(group_id=groups["jonan"].id) == ["アベ", "タカハシ", "ヤマザキ"]
    assert chosen(group_id=0) == ["ゴトウ", "パク", "ワダ"]
    assert chosen(category_codes=["member"], group_id=groups["jonan"].id) == ["アベ", "タカハシ"]

    mark_printed(session, [people["タカハシ"].id, people["ワダ"].id], now=utcnow())
    session.commit()
    assert chosen(not_printed_only=True) == ["アベ", "ゴトウ", "コバヤシ", "タカサキ", "パク", "ババ", "ハマダ", "ヤマザキ"]
    assert people["タカハシ"].badge_print_count == 1
    assert len(chosen()) == 10  # printed people can still be printed again on purpose

    since = crowd["start"] + timedelta(days=5)  # the sixth person registered on that day
    assert chosen(registered_since=since) == ["パク", "ババ", "ハマダ", "ヤマザキ", "ワダ"]


def test_waitlisted_and_cancelled_people_never_get_badges(session, crowd):
    outsiders = {crowd["gone"].id, crowd["waiting"].id}
    selections = [BadgeSelection(), BadgeSelection(category_codes=["member"]),
                  BadgeSelection(group_id=crowd["groups"]["jonan"].id), BadgeSelection(not_printed_only=True),
                  BadgeSelection(registered_since=crowd["start"]), BadgeSelection(order=BadgeOrder.RECEIPT)]
    for selection in selections:
        chosen = select_for_badges(session, crowd["event"], selection)
        assert not outsiders & {p.id for p in chosen}, selection
        assert all(p.status == RegistrationStatus.CONFIRMED for p in chosen)


# --- a lost badge ----------------------------------------------------------------------------------


def test_reissued_badge_carries_the_new_token(session, tmp_path):
    event = make_event(session)
    person = make_registration(session, event, family_name="山﨑", given_name="花子")
    layout = layout_named(session, "card-single")
    spec = LayoutSpec.of(layout)
    write_badge_sheets([badge_for(person, design=layout.design)], spec, tmp_path / "first.pdf")
    assert [c.text for c in next(read_pages(tmp_path / "first.pdf")).codes] == [person.token]
    mark_printed(session, [person.id], now=utcnow())
    session.commit()
    old = person.token

    reissue_badge(session, person, now=utcnow(), actor="organiser:test")
    session.commit()

    assert person.token != old and len(person.token) == len(old)
    assert registration_by_token(session, old) is None
    assert registration_by_token(session, person.token).id == person.id
    assert person.badge_printed_at is None and person.token_reissued_at is not None
    assert "badge reissued" in session.scalars(select(RegistrationChange.action).where(
        RegistrationChange.registration_id == person.id)).all()
    assert [p.id for p in select_for_badges(session, event, BadgeSelection(not_printed_only=True))] == [person.id]
    write_badge_sheets([badge_for(person, design=layout.design)], spec, tmp_path / "again.pdf")
    check_sheets(tmp_path / "again.pdf", spec, [badge_for(person, design=layout.design)], [person.token])
    assert [c.text for c in next(read_pages(tmp_path / "again.pdf")).codes] == [person.token]
