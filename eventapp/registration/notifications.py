"""Messages to attendees. Services queue what happened (an intent); the mail worker composes the message
when it sends it, in the attendee's language and with the site's public address (PUBLIC_BASE_URL).

In English: the event's English title and venue (the Japanese where the event has none, marked lang="ja"
in the HTML part like every Japanese text there), English dates and labels, "Dear …" with the romaji
name when given, and a private link that opens the pages in English."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from eventapp.events.calendar import event_ics
from eventapp.i18n import mark_japanese
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import (
    Attachment,
    ComposedMail,
    NotComposable,
    SiteLinks,
    queue_intent,
    register_composer,
)
from eventapp.qr import qr_png
from eventapp.registration.links import manage_url
from eventapp.registration.models import Registration, RegistrationStatus

QR_CONTENT_ID = "qr-code@eventapp"


@dataclass(frozen=True)
class _Kind:
    template: str
    subject: Callable[[], str]  # called inside the attendee's locale
    confirmed: bool  # the message tells a confirmed seat (QR code, ticket)


KINDS = {
    "registration_confirmed": _Kind("registration_received", lambda: _("Registration confirmed"), True),
    "registration_waitlisted": _Kind("registration_received", lambda: _("You are on the waiting list"), False),
    "waitlist_promoted": _Kind("promoted", lambda: _("A place has opened: your registration is confirmed"), True),
    "registration_cancelled": _Kind("cancelled", lambda: _("Your registration has been cancelled"), False),
    "link_resent": _Kind("link_resent", lambda: _("Your registration link"), False),
}


def _queue(session: Session, registration: Registration, kind: str) -> None:
    queue_intent(session, kind=kind, to=registration.email, locale=registration.locale,
                 registration_id=registration.id)


def queue_registration_received(session: Session, registration: Registration) -> None:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    _queue(session, registration, "registration_confirmed" if confirmed else "registration_waitlisted")


def queue_promoted(session: Session, registration: Registration) -> None:
    _queue(session, registration, "waitlist_promoted")


def queue_cancelled(session: Session, registration: Registration) -> None:
    _queue(session, registration, "registration_cancelled")


def queue_link_resent(session: Session, registration: Registration) -> None:
    _queue(session, registration, "link_resent")


def compose(session: Session, message: OutboxMessage, links: SiteLinks, attachment_names: tuple[str, ...]
            ) -> ComposedMail:
    """The message of an intent, as the registration stands now (a QR code only while it holds a seat)."""
    registration = session.get(Registration, message.registration_id) if message.registration_id else None
    if registration is None:
        raise NotComposable(f"registration {message.registration_id} no longer exists")
    kind = KINDS[message.kind]
    holds_seat = registration.status == RegistrationStatus.CONFIRMED
    with_qr = holds_seat and (kind.confirmed or message.kind == "link_resent")
    english = message.locale == "en"
    link = manage_url(registration, base_url=links.base_url, secret_key=links.secret_key)
    with force_locale(message.locale):
        context = {
            "registration": registration, "event": registration.event, "locale": message.locale,
            "confirmed": kind.confirmed, "manage_url": f"{link}?lang=en" if english else link,
            "qr_cid": QR_CONTENT_ID if with_qr else "", "ticket_name": ", ".join(attachment_names),
            "addressee": _("Dear %(name)s,", name=registration.romaji or registration.full_name) if english
            else registration.addressee,
        }
        body_text = render_template(f"mail/email/{kind.template}.txt", **context)
        body_html = mark_japanese(render_template(f"mail/email/{kind.template}.html", **context))
        subject = _("[%(event)s] %(subject)s", event=registration.event.title(message.locale), subject=kind.subject())
    attachments: list[Attachment] = []
    if with_qr:
        attachments.append(Attachment(f"qr-{registration.receipt_code}.png", "image/png",
                                      qr_png(registration.token, box_size=8), content_id=QR_CONTENT_ID))
        attachments.append(Attachment("event.ics", "text/calendar",
                                      event_ics(registration.event, locale=message.locale)))
    return ComposedMail(subject=subject, body_text=body_text, body_html=body_html, attachments=tuple(attachments))


def register_composers() -> None:
    for kind in KINDS:
        register_composer(kind, compose)
