"""Mail in the attendee's language (Registration.locale): an English registration gets English mail (title,
venue, dates, labels, greeting) with its ticket in English; a Japanese one gets the Japanese mail as before."""

from __future__ import annotations

import re

from icalendar import Calendar
from sqlalchemy import select

from eventapp.i18n import format_date
from eventapp.mail.models import OutboxMessage
from eventapp.registration.links import registration_for_link
from tests.helpers import make_event, make_registration
from tests.tickets.test_ticket import read_ticket

VENUE_EN = dict(venue_name_en="Tokyo Metropolitan Industrial Technology Research Institute, Headquarters",
                venue_address_en="2-4-10 Aomi, Koto-ku, Tokyo 135-0064",
                venue_access_en="Telecom Center Station (Yurikamome Line): 1 minute on foot")


def _message(session, registration, kind: str = "registration_confirmed") -> OutboxMessage:
    session.rollback()  # see what was committed
    return session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id,
                                                       OutboxMessage.kind == kind)).one()


def _attachment(message: OutboxMessage, content_type: str) -> bytes:
    [content] = [a.content for a in message.attachments if a.content_type == content_type]
    return content


def test_an_english_registration_gets_english_mail_and_an_english_ticket(app, client, session):
    event = make_event(session, **VENUE_EN)
    registration = make_registration(session, event, locale="en", romaji="YAMADA Taro")
    message = _message(session, registration)
    assert message.locale == "en"

    assert message.subject == f"[{event.title_en}] Registration confirmed"
    text = message.body_text
    assert text.startswith("Dear YAMADA Taro,\n")
    for expected in (f"Event: {event.title_en} (No. {event.edition})",
                     f"Date: {format_date(event.event_date, 'en')} 13:30–17:30 (doors open 13:00)",
                     f"Venue: {VENUE_EN['venue_name_en']} {VENUE_EN['venue_address_en']}",
                     f"Access: {VENUE_EN['venue_access_en']}", "Attendance category: General public",
                     f"Reception number: {registration.receipt_code}", "Thank you for registering."):
        assert expected in text, expected
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff（）【】]", text.split("\n", 1)[1]), text  # no Japanese left

    html = message.body_html
    assert '<html lang="en">' in html and "<p>Dear YAMADA Taro,</p>" in html
    assert VENUE_EN["venue_name_en"] in html and format_date(event.event_date, "en") in html

    # the private link opens the pages in English
    link = re.search(r"https?://\S+/my/(\S+)", text).group(1)
    assert link.endswith("?lang=en")
    token = link.removesuffix("?lang=en")
    opened = registration_for_link(session, token, secret_key=app.config["SECRET_KEY"], max_age_seconds=3600)
    assert opened is not None and opened.id == registration.id
    assert '<html lang="en">' in client.get(f"/my/{link}").get_data(as_text=True)

    ticket = read_ticket(_attachment(message, "application/pdf"))
    assert ticket.text.startswith("Reception ticket") and "".join(VENUE_EN["venue_name_en"].split()) in ticket.flat
    calendar = Calendar.from_ical(_attachment(message, "text/calendar"))
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == event.title_en
    assert str(entry["location"]) == f"{VENUE_EN['venue_name_en']} {VENUE_EN['venue_address_en']}"


def test_english_mail_shows_the_japanese_venue_when_there_is_no_english_marked_in_html(session):
    event = make_event(session)  # no English venue
    registration = make_registration(session, event, locale="en", family_name="髙﨑", given_name="太郎",
                                     romaji="")
    message = _message(session, registration)
    assert message.body_text.startswith("Dear 髙﨑 太郎,\n")  # no romaji given: the name as written
    assert f"Venue: {event.venue_name} {event.venue_address}" in message.body_text
    html = message.body_html
    assert '<p>Dear <span lang="ja">髙﨑 太郎</span>,</p>' in html
    assert f'<span lang="ja">{event.venue_name}</span> <span lang="ja">{event.venue_address}</span>' in html
    ticket = read_ticket(_attachment(message, "application/pdf"))
    assert ticket.text.startswith("Reception ticket") and "".join(event.venue_name.split()) in ticket.flat


def test_a_japanese_registration_gets_the_japanese_mail(session):
    event = make_event(session, **VENUE_EN)
    registration = make_registration(session, event, locale="ja")
    message = _message(session, registration)
    assert message.subject == f"【{event.title_ja}】参加申込み受付完了"
    text = message.body_text
    assert text.startswith(f"{registration.addressee}\n") and registration.addressee.endswith(" 様")
    for expected in (f"{event.title_ja}（第{event.edition}回）", "13:30–17:30（開場 13:00）",
                     f"{event.venue_name} {event.venue_address}", format_date(event.event_date, "ja")):
        assert expected in text, expected
    assert "Aomi" not in text and "?lang=en" not in text
    assert '<html lang="ja">' in message.body_html and '<span lang="ja">' not in message.body_html
    assert read_ticket(_attachment(message, "application/pdf")).text.startswith("受付票")


def test_other_english_mails_follow_the_language_too(session):
    from eventapp.db import utcnow
    from eventapp.registration.services import cancel

    event = make_event(session, capacity=1, **VENUE_EN)
    seated = make_registration(session, event, n=1, locale="ja")
    waiting = make_registration(session, event, n=2, locale="en")
    waitlisted = _message(session, waiting, "registration_waitlisted")
    assert waitlisted.subject == f"[{event.title_en}] You are on the waiting list"
    assert VENUE_EN["venue_name_en"] in waitlisted.body_text

    cancel(session, seated, now=utcnow(), actor="attendee")
    session.commit()
    promoted = _message(session, waiting, "waitlist_promoted")
    assert promoted.subject.startswith(f"[{event.title_en}] ") and "Good news" in promoted.body_text
    assert read_ticket(_attachment(promoted, "application/pdf")).text.startswith("Reception ticket")
