"""The 受付票 PDF goes with the confirmation and promotion mails; the mail worker renders it just before
sending, so registering never waits for a PDF."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import Attachment, PendingAttachments, register_attachment_maker
from eventapp.registration.models import Registration
from eventapp.tickets.rendering import has_ticket, render_ticket, ticket_filename, ticket_view

MAILS_WITH_TICKET = ("registration_confirmed", "waitlist_promoted")


def _ticket_maker(session: Session, message: OutboxMessage) -> PendingAttachments | None:
    """The ticket of the message's registration, if the person still holds a seat when it is sent."""
    registration = session.get(Registration, message.registration_id) if message.registration_id else None
    if registration is None or not has_ticket(registration):
        return None
    view = ticket_view(registration, locale=message.locale)  # everything the PDF needs, read now
    name = ticket_filename(registration)
    return PendingAttachments(names=(name,), render=lambda: [Attachment(name, "application/pdf", render_ticket(view))])


def register_ticket_attachments() -> None:
    for kind in MAILS_WITH_TICKET:
        register_attachment_maker(kind, _ticket_maker)
