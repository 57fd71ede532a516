"""The 受付票 in the attendee's language (Registration.locale), and its Japanese lines broken between phrases:
the text read back from the PDF with pypdfium2, line by line."""

from __future__ import annotations

import pytest

from eventapp.i18n import format_date
from eventapp.printing.line_breaks import phrases
from eventapp.tickets.rendering import TRADEMARK, TRADEMARK_EN, ticket_pdf, ticket_view
from tests.helpers import make_event, make_registration, private_link
from tests.tickets.test_ticket import read_ticket

VENUE_EN = dict(venue_name_en="Tokyo Metropolitan Industrial Technology Research Institute, Headquarters",
                venue_address_en="2-4-10 Aomi, Koto-ku, Tokyo 135-0064",
                venue_access_en="Telecom Center Station (Yurikamome Line): 1 minute on foot")
LONG_COMPANY = "東京都異業種交流グループ合同交流会を支える実行委員会事務局とネットワークショップ株式会社"


def _flat(text: str) -> str:
    return "".join(text.split())


def test_an_english_registration_gets_an_english_ticket(session):
    event = make_event(session, **VENUE_EN)
    registration = make_registration(session, event, locale="en", family_name="Villard", given_name="Jean")
    ticket = read_ticket(ticket_pdf(registration))
    assert ticket.pages == 1 and ticket.qr_texts == [registration.token]

    lines = ticket.text.split("\r\n")
    assert lines[0].startswith("Reception ticket")  # English first, 受付票 beside it for the reception
    header = " ".join(lines[:2])  # the edition sits on the header's rule, a baseline of its own
    assert f"No. {event.edition} · FY{event.fiscal_year}" in header
    for expected in (event.title_en, event.title_ja, VENUE_EN["venue_name_en"], VENUE_EN["venue_address_en"],
                     VENUE_EN["venue_access_en"], format_date(event.event_date, "en"), "Doors open 13:00",
                     "Starts 13:30", "Ends 17:30", "General public", "What to bring", "Notes", "Name", "Venue",
                     TRADEMARK_EN, "受付票", "お名前", "Villard Jean"):
        assert _flat(expected) in ticket.flat, expected
    assert lines.index(event.title_en) < lines.index(event.title_ja)  # the English title is the big one
    assert "東京都立産業技術研究センター" not in ticket.text and "江東区" not in ticket.text  # the venue in English
    assert TRADEMARK not in ticket.text and "様" not in ticket.text


def test_an_english_ticket_prints_the_japanese_venue_when_there_is_no_english(session):
    event = make_event(session, title_en="")  # nothing in English but the labels and dates
    registration = make_registration(session, event, locale="en")
    ticket = read_ticket(ticket_pdf(registration))
    assert ticket.text.split("\r\n")[0].startswith("Reception ticket")
    for expected in (event.title_ja, event.venue_name, event.venue_address, event.venue_access,
                     format_date(event.event_date, "en")):
        assert _flat(expected) in ticket.flat, expected


def test_a_japanese_registration_keeps_the_japanese_ticket(session):
    event = make_event(session, **VENUE_EN)
    registration = make_registration(session, event, locale="ja")
    ticket = read_ticket(ticket_pdf(registration))
    lines = ticket.text.split("\r\n")
    assert lines[0].startswith("受付票") and f"第{event.edition}回" in " ".join(lines[:2])
    assert lines.index(event.title_ja) < lines.index(event.title_en)
    assert _flat(event.venue_name) in ticket.flat and "Aomi" not in ticket.text
    assert TRADEMARK in ticket.text and _flat(registration.addressee) in ticket.flat


def test_the_download_is_the_ticket_in_the_attendees_language(app, client, session):
    event = make_event(session, **VENUE_EN)
    registration = make_registration(session, event, locale="en")
    response = client.get(f"{private_link(app, registration)}/ticket.pdf?lang=ja")  # the page's language aside
    assert read_ticket(response.data).text.startswith("Reception ticket")


# --- lines break between phrases --------------------------------------------------------------------------


def _allowed_starts(text: str) -> set[int]:
    """Where a line may begin in the text without its spaces: at each word and at each BudouX phrase."""
    starts, offset = set(), 0
    for word in text.split():
        for phrase in phrases(word):
            starts.add(offset)
            offset += len(phrase)
    return starts


def _printed_lines(pdf_text: str, text: str) -> list[str]:
    """The lines of the PDF that together print `text` (spaces aside), in order."""
    lines = [line.strip() for line in pdf_text.split("\r\n")]
    wanted = _flat(text)
    for first in range(len(lines)):
        joined = ""
        for last in range(first, len(lines)):
            joined += _flat(lines[last])
            if joined == wanted:
                return lines[first:last + 1]
            if not wanted.startswith(joined):
                break
    raise AssertionError(f"{text!r} is not printed on whole lines of its own")


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(_flat(line))
    return starts


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_event_title_and_company_break_only_between_phrases_in_the_pdf(session, locale):
    title = "第31回 東京都の異業種交流グループとものづくり企業と新しい取引先が出会う年に一度の一日をお届けします"
    event = make_event(session, title_ja=title, title_en="")
    registration = make_registration(session, event, locale=locale, company_name=LONG_COMPANY, department="")
    text = read_ticket(ticket_pdf(registration)).text

    for printed in (title, LONG_COMPANY):
        lines = _printed_lines(text, printed)
        assert len(lines) >= 2, lines  # long enough to need a break
        assert set(_line_starts(lines)) <= _allowed_starts(printed), lines
    # BudouX: 東京都異業種交流グループ合同交流会を|支える|実行委員会事務局と|ネットワークショップ株式会社
    assert _printed_lines(text, LONG_COMPANY) == ["東京都異業種交流グループ合同交流会を支える",
                                                  "実行委員会事務局とネットワークショップ株式会社"]
    assert ticket_view(registration).title.lines == tuple(_printed_lines(text, title))
