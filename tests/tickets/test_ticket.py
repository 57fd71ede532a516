"""The 受付票 (reception ticket) read back as a person would: the page rendered to an image and its QR code
decoded with zxing-cpp, the text taken from the PDF with pypdfium2, on the download route, the phone
page and in the confirmation and promotion e-mails."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from eventapp.mail.models import OutboxMessage
from eventapp.printing.fonts import CJK, EMOJI, GOTHIC, PrintFont
from eventapp.printing.text_fit import MISSING_GLYPH_MARK, metrics
from eventapp.printing.text_wrap import fit_box
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.text import normalize_text
from eventapp.tickets.rendering import TRADEMARK, NoTicket, render_ticket, ticket_pdf, ticket_view
from tests.helpers import (
    csrf_token_from,
    form_data,
    make_event,
    make_registration,
    private_link,
    submission_id_from,
)
from tests.pdf_reading import ink_share, likeness, page_chars, reading_lines, reading_text

DPI = 150
MM_PER_PT = 25.4 / 72
PAGE_MM = (210, 297)
MARGIN_MM = 12  # ticket.css: the page's margins around the text area...
BOTTOM_MARGIN_MM = 16  # ...except at the bottom, where the trademark line is printed in the margin
TOLERANCE_MM = 0.5
KNOWN_DAY = date(2027, 2, 18)  # a Thursday of 令和8年度, the 31st meeting: printed as 2027年2月18日(木)


@pytest.fixture
def in_january_2027(time_machine) -> datetime:
    """For the tests that read printed dates: a fixed clock (left running) before KNOWN_DAY."""
    moment = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)
    time_machine.move_to(moment, tick=True)
    return moment


@dataclass(frozen=True)
class Glyph:
    char: str
    left: float  # mm from the page's left edge
    top: float  # mm from the page's top edge
    right: float
    bottom: float
    font: str  # the PDF font, e.g. "EventApp-Gothic-Bold" (BIZ UDPGothic) or "EventApp-CJK-Bold" (a fallback)

    def pixels(self, dpi: int = DPI) -> tuple[int, int, int, int]:
        """Where the glyph is on the page rendered at dpi."""
        left, top, right, bottom = (round(v / 25.4 * dpi) for v in (self.left, self.top, self.right, self.bottom))
        return left, top, right, bottom


@dataclass(frozen=True)
class ReadTicket:
    pages: int
    text: str  # in reading order (tests/pdf_reading.py), \r\n between lines
    qr_texts: list[str]
    glyphs: list[Glyph]
    image: Image.Image

    @property
    def flat(self) -> str:
        """The text without spaces and line breaks (a wrapped name is still the name)."""
        return "".join(self.text.split())


def read_ticket(pdf: bytes) -> ReadTicket:
    """What a person sees on page 1: the QR codes a scanner finds at 150 dpi, the text and where it is."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=DPI / 72).to_pil().convert("RGB")
        textpage = page.get_textpage()
        chars = page_chars(textpage)
        text, _ = reading_text(reading_lines(chars))
        page_height = page.get_height()
        glyphs = []
        for char in chars:
            left, bottom, right, top = char.box
            if right > left and not char.char.isspace():
                glyphs.append(Glyph(char.char, left * MM_PER_PT, (page_height - top) * MM_PER_PT, right * MM_PER_PT,
                                    (page_height - bottom) * MM_PER_PT, char.font))
        textpage.close()
        return ReadTicket(pages=len(document), text=text, glyphs=glyphs, image=image,
                          qr_texts=[code.text for code in zxingcpp.read_barcodes(image)])
    finally:
        document.close()


def _flat(text: str) -> str:
    return "".join(text.split())


def _outbox(session, kind: str) -> list[OutboxMessage]:
    session.rollback()  # see what was committed
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _ticket_attachment(message: OutboxMessage):
    [pdf] = [a for a in message.attachments if a.content_type == "application/pdf"]
    return pdf


# --- the PDF itself ------------------------------------------------------------------------------------


def test_ticket_reads_back_like_a_person_would(in_january_2027, session):
    event = make_event(session, now=in_january_2027, event_date=KNOWN_DAY)
    registration = make_registration(session, event, now=in_january_2027, family_name="髙﨑", given_name="太郎",
                                     company_name="株式会社サンプル", department="営業部")
    ticket = read_ticket(ticket_pdf(registration))

    assert ticket.pages == 1
    assert ticket.qr_texts == [registration.token]  # exactly one code, and it is this person's
    for expected in ("髙﨑", registration.receipt_code, "2027年2月18日(木)", event.venue_name, TRADEMARK,
                     event.venue_address, "受付票", "第31回", "令和8年度", "開場13:00", "開始13:30", "終了17:30",
                     "一般", "名刺"):
        assert _flat(expected) in ticket.flat, expected
    assert _flat(registration.addressee) in ticket.flat  # 株式会社サンプル 営業部 髙﨑 太郎 様, in that order
    assert "御中" not in ticket.text


@pytest.mark.parametrize(("company", "family", "given"), [
    (("株式会社" + "長い名前のサンプル精密機械製作所" * 5)[:80], "髙﨑" * 15, "太郎" * 15),  # 80 and 60 characters
    ("Villard International Consulting and Engineering Holdings Company Limited Tokyo Branch",
     "Wolfeschlegelsteinhausenbergerdorff", "Hubert Blaine Maximilian"),
], ids=["japanese", "latin"])
def test_long_company_and_name_fit_the_one_page(session, company, family, given):
    assert len(company) >= 80 and len(family) + len(given) >= 59
    event = make_event(session)
    registration = make_registration(session, event, company_name=company, family_name=family, given_name=given,
                                     department="")
    ticket = read_ticket(ticket_pdf(registration))

    assert ticket.pages == 1
    assert ticket.qr_texts == [registration.token]  # nothing ran over the code
    assert _flat(f"{company}{family}{given}様") in ticket.flat  # all of it printed, nothing cut
    assert registration.receipt_code in ticket.text and TRADEMARK in ticket.text

    width, height = PAGE_MM
    body = [g for g in ticket.glyphs if g.top < height - BOTTOM_MARGIN_MM]
    footer = [g for g in ticket.glyphs if g.top >= height - BOTTOM_MARGIN_MM]
    assert "".join(g.char for g in footer) == TRADEMARK  # alone in the bottom margin
    for glyph in ticket.glyphs:  # nothing off the page's sides
        assert glyph.left >= MARGIN_MM - TOLERANCE_MM and glyph.right <= width - MARGIN_MM + TOLERANCE_MM, glyph
    for glyph in body:  # and the ticket's body inside its text area, clear of the trademark line
        assert glyph.top >= MARGIN_MM - TOLERANCE_MM and glyph.bottom <= height - BOTTOM_MARGIN_MM, glyph
    assert max(g.bottom for g in footer) <= height - MARGIN_MM / 2


def test_long_company_breaks_between_phrases(session):
    company = "東京都異業種交流グループ合同交流会を支える実行委員会事務局とネットワークショップ株式会社"
    registration = make_registration(session, make_event(session), company_name=company, department="")
    view = ticket_view(registration)

    # BudouX's phrases: 東京都異業種交流グループ合同交流会を|支える|実行委員会事務局と|ネットワークショップ株式会社;
    # the first line has room for 事務 too, which a break between characters would take
    assert view.company.lines == ("東京都異業種交流グループ合同交流会を支える", "実行委員会事務局とネットワークショップ株式会社")
    printed = read_ticket(render_ticket(view)).text.split("\r\n")
    assert all(line in printed for line in view.company.lines)


def test_the_honorific_stays_with_the_name():
    name = "髙﨑" * 15 + "太郎" * 15 + "\u00a0様"  # one word: it breaks between characters, never at the no-break space
    for width_mm in range(20, 80, 3):
        lines = fit_box(name, width_mm=width_mm, height_mm=200, max_size_mm=5, min_size_mm=5, bold=True).lines
        assert "".join(lines) == name
        assert not [line for line in lines if line.startswith(("様", "\u00a0"))], (width_mm, lines)


# --- every name prints: the fallback fonts, and 〓 only for what no print font has ------------------------


LOOK_DPI = 300  # small glyphs are compared with their font's drawing on a finer rendering


def page_image(pdf: bytes, dpi: int) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def assert_printed_as_itself(pdf: bytes, ticket: ReadTicket, char: str, font: PrintFont) -> None:
    """Each time the character is printed it comes from its font of the stack and looks like it."""
    glyphs = [g for g in ticket.glyphs if g.char == char]
    assert glyphs, f"{char!r} is not printed"
    image = page_image(pdf, LOOK_DPI)
    for glyph in glyphs:
        bold = glyph.font.endswith("-Bold")
        assert glyph.font.removesuffix("-Bold") == font.family.replace(" ", "-"), f"{char!r} from {glyph.font}"
        assert ink_share(ticket.image, glyph.pixels()) > 0.1, f"{char!r} at {glyph} is hardly inked"
        itself = likeness(image, glyph.pixels(LOOK_DPI), char, font.file(bold))
        geta = likeness(image, glyph.pixels(LOOK_DPI), MISSING_GLYPH_MARK, GOTHIC.bold)
        assert itself > 0.55 and itself > geta + 0.2, f"{char!r} at {glyph} does not look like itself ({itself:.2f})"


@pytest.mark.parametrize(("family", "given", "company", "printed"), [
    ("𠮷野", "太郎", "株式会社𠮷野屋", {"𠮷": CJK}),
    ("山田", "太郎🎉", "🎉企画 👍", {"🎉": EMOJI, "👍": EMOJI}),
], ids=["yoshi", "emoji"])
def test_every_name_prints_on_the_ticket(session, family, given, company, printed):
    assert normalize_text(given) == given and normalize_text(company) == company  # the form keeps them
    registration = make_registration(session, make_event(session), family_name=family, given_name=given,
                                     company_name=company, department="")
    view = ticket_view(registration)
    assert view.name.text == f"{family} {given}\u00a0様" and view.company.text == company  # no 〓
    pdf = ticket_pdf(registration)
    ticket = read_ticket(pdf)

    assert ticket.pages == 1 and ticket.qr_texts == [registration.token]
    assert _flat(f"{company}{family}{given}様") in ticket.flat
    assert MISSING_GLYPH_MARK not in ticket.text and "\ufffd" not in ticket.text
    fonts = {g.font for g in ticket.glyphs}
    assert fonts == {"EventApp-Gothic", "EventApp-Gothic-Bold", *(f.family.replace(" ", "-") for f in printed.values()),
                     *(f.family.replace(" ", "-") + "-Bold" for c, f in printed.items() if c in family + given)}
    for char, font in printed.items():
        assert_printed_as_itself(pdf, ticket, char, font)


def test_a_character_no_print_font_has_prints_as_geta_on_the_ticket(session):
    odd = "\U00030000"  # 𰀀, CJK Extension G: none of the print fonts has it
    assert metrics(True).font_index(odd) is None and normalize_text(f"花子{odd}") == f"花子{odd}"
    registration = make_registration(session, make_event(session), family_name="𠮷野", given_name=f"花子{odd}")
    pdf = ticket_pdf(registration)
    ticket = read_ticket(pdf)
    assert ticket.pages == 1 and "𠮷野花子〓様" in ticket.flat and odd not in ticket.text
    [geta] = [g for g in ticket.glyphs if g.char == MISSING_GLYPH_MARK]
    assert geta.font == "EventApp-Gothic-Bold" and ink_share(ticket.image, geta.pixels()) > 0.4
    assert_printed_as_itself(pdf, ticket, "𠮷", CJK)


def test_only_confirmed_people_have_a_ticket(app, client, session):
    event = make_event(session, capacity=1)
    seated = make_registration(session, event, n=1)
    waiting = make_registration(session, event, n=2)
    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(NoTicket):
        ticket_pdf(waiting)
    for suffix in ("/ticket", "/ticket.pdf"):
        assert client.get(f"{private_link(app, waiting)}{suffix}").status_code == 404, suffix
        assert client.get(f"{private_link(app, seated)}{suffix}").status_code == 200, suffix

    link = private_link(app, seated)
    client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(client.get(f"{link}/cancel"))})
    session.rollback()
    assert session.get(Registration, seated.id).status == RegistrationStatus.CANCELLED
    for suffix in ("/ticket", "/ticket.pdf"):
        assert client.get(f"{link}{suffix}").status_code == 404, suffix


# --- from the private link --------------------------------------------------------------------------------


def test_download_route_gives_the_pdf(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event, family_name="髙﨑")
    response = client.get(f"{private_link(app, registration)}/ticket.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="ticket-{registration.receipt_code}.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    ticket = read_ticket(response.data)
    assert ticket.pages == 1 and ticket.qr_texts == [registration.token]
    assert "髙﨑" in ticket.text


def test_on_screen_ticket_shows_the_code_big_and_little_else(in_january_2027, app, client, session):
    event = make_event(session, now=in_january_2027, event_date=KNOWN_DAY)
    registration = make_registration(session, event, now=in_january_2027, family_name="髙﨑", given_name="太郎")
    link = private_link(app, registration)
    response = client.get(f"{link}/ticket?lang=en")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    assert re.search(rf"data-receipt-code>{registration.receipt_code}<", body)
    assert "髙﨑 太郎 様" in body and "Reception ticket" in body
    qr_src = re.search(r'<img class="ticket-qr" src="([^"]+)"', body).group(1)
    assert qr_src == f"{link}/qr.png"
    png = client.get(qr_src)
    assert [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))] == [registration.token]
    assert f'href="{link}/ticket.pdf"' in body
    assert "css/ticket.css" in body
    assert " style=" not in body and not re.search(r"<script(?![^>]*\bsrc=)", body)  # CSP: no inline code

    japanese = client.get(f"{link}/ticket?lang=ja").get_data(as_text=True)
    assert "受付票" in japanese and "2027年2月18日(木)" in japanese


def test_my_registration_and_the_confirmation_page_link_to_the_ticket(app, client, session):
    event = make_event(session, capacity=1)
    page = client.get(f"/events/{event.slug}/register")
    data = form_data() | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    done = client.post(f"/events/{event.slug}/register", data=data, follow_redirects=True)
    registration = session.scalar(select(Registration))
    link = private_link(app, registration)
    body = done.get_data(as_text=True)
    assert f'href="{link}/ticket"' in body and f'href="{link}/ticket.pdf"' in body
    mine = client.get(link).get_data(as_text=True)
    assert f'href="{link}/ticket"' in mine and f'href="{link}/ticket.pdf"' in mine

    waiting = make_registration(session, event, n=2)
    assert waiting.status == RegistrationStatus.WAITLISTED
    theirs = client.get(private_link(app, waiting)).get_data(as_text=True)
    assert "/ticket" not in theirs


# --- by e-mail ----------------------------------------------------------------------------------------------


def test_confirmation_and_promotion_mails_carry_the_ticket(app, client, session):
    event = make_event(session, capacity=1)
    seated = make_registration(session, event, n=1, family_name="髙﨑")
    waiting = make_registration(session, event, n=2)

    [confirmed] = _outbox(session, "registration_confirmed")
    attachment = _ticket_attachment(confirmed)
    assert attachment.filename == f"ticket-{seated.receipt_code}.pdf"
    ticket = read_ticket(attachment.content)
    assert ticket.pages == 1 and ticket.qr_texts == [seated.token] and "髙﨑" in ticket.text
    assert attachment.filename in confirmed.body_text and attachment.filename in confirmed.body_html

    [waitlisted] = _outbox(session, "registration_waitlisted")
    assert not [a for a in waitlisted.attachments if a.content_type == "application/pdf"]  # no seat, no ticket

    link = private_link(app, seated)
    client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(client.get(f"{link}/cancel"))})
    [promoted] = _outbox(session, "waitlist_promoted")
    assert promoted.registration_id == waiting.id
    attachment = _ticket_attachment(promoted)
    assert attachment.filename == f"ticket-{waiting.receipt_code}.pdf"
    assert read_ticket(attachment.content).qr_texts == [waiting.token]
    assert attachment.filename in promoted.body_text


def test_download_route_renders_with_no_transaction_open(app, client, session, monkeypatch):
    from eventapp.db import db
    from eventapp.tickets import views

    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    session.commit()
    seen = []
    original = views.render_ticket

    def render(view):
        seen.append(db.session().in_transaction())
        return original(view)

    monkeypatch.setattr(views, "render_ticket", render)
    assert client.get(f"{link}/ticket.pdf").status_code == 200
    assert seen == [False]
