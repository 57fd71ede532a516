"""Messages to attendees, written to the outbox in the attendee's language."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from eventapp.events.calendar import event_ics
from eventapp.mail.services import Attachment, queue_message
from eventapp.qr import qr_png
from eventapp.registration.links import manage_url
from eventapp.registration.models import Registration, RegistrationStatus

QR_CONTENT_ID = "qr-code@eventapp"


def _queue(session: Session, registration: Registration, *, kind: str, subject: str, template: str,
           base_url: str, with_qr: bool, with_ticket: bool = False) -> None:
    """with_ticket: the 受付票 PDF goes with the message; the worker renders it before sending (see
    `_ticket_maker`), so registering never waits for a PDF."""
    ticket_name = f"ticket-{registration.receipt_code}.pdf" if with_ticket else ""
    with force_locale(registration.locale):
        context = {
            "registration": registration,
            "event": registration.event,
            "locale": registration.locale,
            "manage_url": manage_url(registration, base_url),
            "qr_cid": QR_CONTENT_ID if with_qr else "",
            "ticket_name": ticket_name,
        }
        body_text = render_template(f"mail/email/{template}.txt", **context)
        body_html = render_template(f"mail/email/{template}.html", **context)
        full_subject = f"【{registration.event.title(registration.locale)}】{subject}"
    attachments: list[Attachment] = []
    if with_qr:
        attachments.append(Attachment(f"qr-{registration.receipt_code}.png", "image/png",
                                      qr_png(registration.token, box_size=8), content_id=QR_CONTENT_ID))
        attachments.append(Attachment("event.ics", "text/calendar",
                                      event_ics(registration.event, locale=registration.locale)))
    queue_message(session, kind=kind, to=registration.email, subject=full_subject, body_text=body_text,
                  body_html=body_html, attachments=tuple(attachments), registration_id=registration.id,
                  attachments_pending=with_ticket)


def queue_registration_received(session: Session, registration: Registration, *, base_url: str) -> None:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    with force_locale(registration.locale):
        subject = _("Registration confirmed") if confirmed else _("You are on the waiting list")
    _queue(session, registration, kind="registration_confirmed" if confirmed else "registration_waitlisted",
           subject=subject, template="registration_received", base_url=base_url, with_qr=confirmed,
           with_ticket=confirmed)


def queue_promoted(session: Session, registration: Registration, *, base_url: str) -> None:
    with force_locale(registration.locale):
        subject = _("A place has opened: your registration is confirmed")
    _queue(session, registration, kind="waitlist_promoted", subject=subject, template="promoted",
           base_url=base_url, with_qr=True, with_ticket=True)


def queue_cancelled(session: Session, registration: Registration, *, base_url: str) -> None:
    with force_locale(registration.locale):
        subject = _("Your registration has been cancelled")
    _queue(session, registration, kind="registration_cancelled", subject=subject, template="cancelled",
           base_url=base_url, with_qr=False)


def queue_link_resent(session: Session, registration: Registration, *, base_url: str) -> None:
    with force_locale(registration.locale):
        subject = _("Your registration link")
    _queue(session, registration, kind="link_resent", subject=subject, template="link_resent",
           base_url=base_url, with_qr=registration.status == RegistrationStatus.CONFIRMED)
