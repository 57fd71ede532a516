"""The ticket PDF is made by the mail worker, not inside the registration's transaction."""

from __future__ import annotations

import pypdfium2
import zxingcpp
from sqlalchemy import select

from eventapp import jobs
from eventapp.db import utcnow
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.services import deliver
from tests.helpers import BASE_URL, LINKS, make_event, make_registration


def test_registration_queues_the_ticket_and_the_worker_renders_it(app, session):
    jobs.huey.immediate = False  # nothing runs until a worker takes it
    try:
        event = make_event(session)
        registration = make_registration(session, event, family_name="髙﨑")
    finally:
        jobs.huey.immediate = True
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    assert message.content_pending is True
    assert message.attachments == [] and message.body_text == ""  # an intent: nothing rendered in the request

    with app.app_context():  # as the worker composes it
        status = deliver(session, message.id, links=LINKS, mail_url=None, sender="test@example.jp",
                         now=utcnow())
    assert status == OutboxStatus.HELD
    session.refresh(message)
    tickets = [a for a in message.attachments if a.content_type == "application/pdf"]
    assert message.content_pending is False and len(tickets) == 1
    assert f"ticket-{registration.receipt_code}.pdf" in message.body_text  # the mail names what goes with it
    assert f"{BASE_URL}my/" in message.body_text  # links point at the public address the worker was given
    page = pypdfium2.PdfDocument(tickets[0].content)[0]
    assert "髙﨑" in page.get_textpage().get_text_range()
    codes = zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())
    assert [c.text for c in codes] == [registration.token]


def test_no_ticket_if_the_seat_was_given_up_before_sending(app, session):
    from eventapp.registration.services import cancel

    jobs.huey.immediate = False
    try:
        event = make_event(session)
        registration = make_registration(session, event)
        cancel(session, registration, now=utcnow(), actor="attendee")
        session.commit()
    finally:
        jobs.huey.immediate = True
    confirmation = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "registration_confirmed"))
    with app.app_context():  # as the worker composes it
        deliver(session, confirmation.id, links=LINKS, mail_url=None, sender="test@example.jp", now=utcnow())
    session.refresh(confirmation)
    assert confirmation.content_pending is False
    assert not [a for a in confirmation.attachments if a.content_type == "application/pdf"]
