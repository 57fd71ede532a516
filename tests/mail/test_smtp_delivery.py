"""Mail leaves the outbox over a real SMTP exchange on loopback (aiosmtpd), and survives a dead server."""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

import icalendar
import pypdfium2
import zxingcpp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.db import db, utcnow, write_transactions
from eventapp.events.models import TOKYO
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.services import RETRY_DELAYS, deliver, queue_message
from eventapp.registration.links import registration_for_link
from eventapp.registration.models import Registration
from tests.helpers import (
    LINKS,
    csrf_token_from,
    form_data,
    make_event,
    make_registration,
    submission_id_from,
)
from tests.mail.smtp_server import free_port as _free_port

NAME = "髙﨑"


def _register(client, slug: str, **overrides):
    page = client.get(f"/events/{slug}/register")
    data = form_data(**overrides) | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    return client.post(f"/events/{slug}/register", data=data)


def _message(session, **where) -> OutboxMessage:
    session.rollback()  # see what the request (and the delivery after its commit) wrote
    return session.scalar(select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id))


def _qr_texts(png: bytes) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _pdf_qr_texts(pdf: bytes) -> list[str]:
    """The QR codes on a one-page PDF, rendered at 150 dpi as a scanner would see the printout."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        image = document[0].render(scale=150 / 72).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


# --- a real delivery ---------------------------------------------------------------------------------


def test_registration_mail_arrives_complete(app, client, session, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    event = make_event(session)
    response = _register(client, event.slug, family_name=NAME, given_name="一郎",
                         email="takasaki@example.jp", email_confirm="takasaki@example.jp")
    assert response.status_code == 302, response.get_data(as_text=True)

    assert len(smtp_server.messages) == 1
    assert smtp_server.collector.recipients == [["takasaki@example.jp"]]
    raw = smtp_server.messages[0]
    head, _, _ = raw.partition(b"\r\n\r\n")
    head.decode("ascii")  # headers are RFC 2047-encoded on the wire
    raw.decode("ascii")  # 7-bit clean: no relay needs 8BITMIME to pass it on

    mail = smtp_server.parsed()[0]
    registration = session.scalar(select(Registration))
    assert mail["To"] == "takasaki@example.jp"
    subject = str(mail["Subject"])
    assert event.title_ja in subject and "【" in subject

    text_part = mail.get_body(preferencelist=("plain",))
    assert text_part.get_content_charset() == "utf-8"
    text = text_part.get_content()
    assert registration.receipt_code in text
    assert f"{NAME} 一郎" in text
    links = re.findall(r"https?://\S+/my/(\S+)", text)
    assert len(links) == 1
    opened = registration_for_link(session, links[0], secret_key=app.config["SECRET_KEY"], max_age_seconds=3600)
    assert opened is not None and opened.id == registration.id  # the private link opens this one

    html = mail.get_body(preferencelist=("html",)).get_content()
    assert NAME in html and registration.receipt_code in html
    cid = re.search(r'src="cid:([^"]+)"', html).group(1)

    pngs = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert len(pngs) == 1
    assert pngs[0]["Content-ID"] == f"<{cid}>"  # the HTML shows the very image that was attached
    assert _qr_texts(pngs[0].get_content()) == [registration.token]

    [ticket] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert ticket.get_filename() == f"ticket-{registration.receipt_code}.pdf"
    assert ticket.get_content_disposition() == "attachment"
    assert ticket.get_filename() in text  # the mail says what the PDF is
    assert _pdf_qr_texts(ticket.get_content()) == [registration.token]

    [ics] = [part for part in mail.iter_attachments() if part.get_filename() == "event.ics"]
    assert ics.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == event.starts_at.astimezone(TOKYO)

    message = _message(session)
    assert message.status == OutboxStatus.SENT and message.attempts == 1 and message.sent_at is not None


def test_short_japanese_mail_is_seven_bit_clean(app, session, smtp_server):
    """Short lines would go out as raw 8-bit UTF-8, which a relay without 8BITMIME may mangle or refuse."""
    message = queue_message(session, kind="test", to="yamada@example.jp", subject="【合同交流会】受付のお知らせ",
                            body_text="髙﨑 様\n受付番号: 123456\n", body_html="<p>髙﨑 様</p>")
    session.commit()  # HELD (no MAIL_URL yet)
    message.status = OutboxStatus.PENDING
    session.commit()
    assert deliver(session, message.id, links=LINKS, mail_url=smtp_server.url, sender="合同交流会事務局 <noreply@example.jp>",
                   now=utcnow()) == OutboxStatus.SENT
    raw = smtp_server.messages[0]
    raw.decode("ascii")
    mail = smtp_server.parsed()[0]
    assert str(mail["Subject"]) == "【合同交流会】受付のお知らせ"
    assert mail["From"].addresses[0].display_name == "合同交流会事務局"
    assert mail.get_body(preferencelist=("plain",)).get_content() == "髙﨑 様\n受付番号: 123456\n"
    assert "髙﨑 様" in mail.get_body(preferencelist=("html",)).get_content()


def test_dead_server_never_fails_registration_and_is_retried(app, client, session, smtp_server):
    closed_port = _free_port()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{closed_port}"
    event = make_event(session)
    before = utcnow()
    response = _register(client, event.slug)
    assert response.status_code == 302

    message = _message(session)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > before + RETRY_DELAYS[0] - timedelta(seconds=5)

    # Not due yet: nothing happens, not even an attempt.
    assert deliver(session, message.id, links=LINKS, mail_url=smtp_server.url, sender="a@example.jp",
                   now=utcnow()) == OutboxStatus.PENDING
    session.refresh(message)
    assert message.attempts == 1 and smtp_server.messages == []

    later = message.next_attempt_at + timedelta(seconds=1)
    assert deliver(session, message.id, links=LINKS, mail_url=smtp_server.url, sender="a@example.jp", now=later) == \
        OutboxStatus.SENT
    session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.attempts == 2 and message.last_error == ""
    assert len(smtp_server.messages) == 1
    # Sent is final.
    assert deliver(session, message.id, links=LINKS, mail_url=smtp_server.url, sender="a@example.jp",
                   now=later + timedelta(days=1)) == OutboxStatus.SENT
    assert len(smtp_server.messages) == 1


def test_gives_up_after_the_last_retry(app, session):
    app.config["MAIL_URL"] = None
    event = make_event(session)
    make_registration(session, event)
    message = _message(session)
    message.status = OutboxStatus.PENDING  # as if MAIL_URL had been set and the server was down
    session.commit()
    dead = f"smtp://127.0.0.1:{_free_port()}"
    now = utcnow()
    for attempt in range(1, len(RETRY_DELAYS) + 1):
        assert deliver(session, message.id, links=LINKS, mail_url=dead, sender="a@example.jp", now=now) == OutboxStatus.PENDING
        session.refresh(message)
        assert message.attempts == attempt
        assert message.next_attempt_at == now + RETRY_DELAYS[attempt - 1]
        now = message.next_attempt_at
    assert deliver(session, message.id, links=LINKS, mail_url=dead, sender="a@example.jp", now=now) == OutboxStatus.FAILED
    session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == len(RETRY_DELAYS) + 1
    assert message.next_attempt_at is None and message.last_error


def test_without_mail_url_messages_are_held(app, client, session):
    assert app.config["MAIL_URL"] is None
    event = make_event(session)
    assert _register(client, event.slug).status_code == 302
    message = _message(session)
    assert message.status == OutboxStatus.HELD
    assert message.attempts == 0 and message.sent_at is None


def test_a_slow_mail_server_never_holds_up_registrations(app, session, smtp_server):
    """While a worker waits on the mail server, registrations (writes) go through at once."""
    app.config["MAIL_URL"] = None
    event = make_event(session)
    make_registration(session, event)
    message = _message(session)
    message.status = OutboxStatus.PENDING
    session.commit()
    message_id, event_id = message.id, event.id  # threads must not touch this session's objects

    entered, release = threading.Event(), threading.Event()
    original = smtp_server.collector.handle_DATA

    async def slow_data(server, smtp_session, envelope):
        entered.set()
        release.wait(timeout=60)
        return await original(server, smtp_session, envelope)

    smtp_server.collector.handle_DATA = slow_data
    outcome: dict[str, object] = {}

    def worker() -> None:
        with app.app_context(), write_transactions(), Session(db.engine) as own:
            outcome["delivery"] = deliver(own, message_id, links=LINKS, mail_url=smtp_server.url, sender="a@example.jp",
                                          now=utcnow())

    def registrant() -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as own:
                make_registration(own, own.get(type(event), event_id), n=2)
            outcome["registered"] = True
        except BaseException as exc:  # noqa: BLE001
            outcome["registered"] = exc

    delivering = threading.Thread(target=worker)
    delivering.start()
    try:
        assert entered.wait(timeout=30), "the mail never reached the server"
        registering = threading.Thread(target=registrant)
        registering.start()
        registering.join(timeout=15)
        finished_while_mail_was_stuck = not registering.is_alive()
    finally:
        release.set()
        delivering.join(timeout=60)
    registering.join(timeout=60)
    assert finished_while_mail_was_stuck, "a registration waited for the mail server"
    assert outcome == {"delivery": OutboxStatus.SENT, "registered": True}


# --- never twice ---------------------------------------------------------------------------------------


def test_concurrent_deliveries_send_each_message_once(app, session, smtp_server):
    app.config["MAIL_URL"] = None
    event = make_event(session)
    ids = []
    for n in range(4):
        make_registration(session, event, n=n)
    for message in session.scalars(select(OutboxMessage)):
        message.status = OutboxStatus.PENDING
        ids.append(message.id)
    session.commit()
    assert len(ids) == 4

    workers = 4
    now = utcnow()
    for message_id in ids:
        barrier = threading.Barrier(workers)
        results: list[OutboxStatus] = []
        errors: list[BaseException] = []

        def send(message_id: int = message_id, barrier: threading.Barrier = barrier,
                 results: list = results, errors: list = errors) -> None:
            try:
                with app.app_context(), write_transactions(), Session(db.engine) as own:
                    barrier.wait(timeout=30)
                    results.append(deliver(own, message_id, links=LINKS, mail_url=smtp_server.url,
                                           sender="a@example.jp", now=now))
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        threads = [threading.Thread(target=send) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert len(results) == workers

    assert len(smtp_server.messages) == len(ids)  # one mail per message, never two
    session.rollback()
    for message in session.scalars(select(OutboxMessage)):
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 1
