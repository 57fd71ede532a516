"""Outbox and delivery. Writing a message never talks to a mail server; delivery is background work
with retries, so a slow or dead server never fails a registration."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eventapp.mail.models import OutboxAttachment, OutboxMessage, OutboxStatus

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                timedelta(hours=3))
SMTP_TIMEOUT_SECONDS = 20
_NEW_MESSAGES_KEY = "eventapp.outbox.new"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""  # inline image referenced as cid:<content_id> from the HTML body


# kind -> maker. A maker reads what it needs and returns a function that renders the attachments
# without touching the database, so no transaction (and no SQLite write lock) is held while it works.
AttachmentMaker = Callable[[Session, OutboxMessage], Callable[[], list[Attachment]]]
_attachment_makers: dict[str, AttachmentMaker] = {}


def register_attachment_maker(kind: str, maker: AttachmentMaker) -> None:
    _attachment_makers[kind] = maker


def queue_message(
    session: Session, *, kind: str, to: str, subject: str, body_text: str, body_html: str = "",
    attachments: tuple[Attachment, ...] = (), registration_id: int | None = None, attachments_pending: bool = False,
) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind, to_address=to, subject=subject, body_text=body_text, body_html=body_html,
        registration_id=registration_id, status=OutboxStatus.PENDING,
        attachments_pending=attachments_pending and kind in _attachment_makers,
        attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type, content=a.content,
                                      content_id=a.content_id) for a in attachments],
    )
    session.add(message)
    session.flush()
    session.info.setdefault(_NEW_MESSAGES_KEY, []).append(message.id)
    return message


_hook_installed = False


def install_delivery_hook(schedule_delivery: Callable[[int], None]) -> None:
    """After any commit, hand the messages it wrote to background delivery (now the worker can see them).
    Installed once per process on every Session."""
    global _hook_installed
    if _hook_installed:
        return
    _hook_installed = True

    @sa_event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        for message_id in session.info.pop(_NEW_MESSAGES_KEY, []):
            schedule_delivery(message_id)

    @sa_event.listens_for(Session, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(_NEW_MESSAGES_KEY, None)


def build_email(message: OutboxMessage, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    email["Message-ID"] = make_msgid(domain="eventapp.local")
    # base64 keeps the message 7-bit clean: short Japanese lines would otherwise go out as raw 8-bit UTF-8,
    # which a relay that does not offer 8BITMIME may refuse or mangle.
    email.set_content(message.body_text, charset="utf-8", cte="base64")
    inline = [a for a in message.attachments if a.content_id]
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", charset="utf-8", cte="base64")
        html_part = email.get_payload()[-1]
        for attachment in inline:
            maintype, subtype = attachment.content_type.split("/", 1)
            html_part.add_related(attachment.content, maintype=maintype, subtype=subtype,
                                  cid=f"<{attachment.content_id}>", filename=attachment.filename)
    for attachment in message.attachments:
        if attachment.content_id and message.body_html:
            continue
        maintype, subtype = attachment.content_type.split("/", 1)
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return email


def send_over_smtp(email: EmailMessage, mail_url: str) -> None:
    """mail_url: smtp://[user:pass@]host[:port] (plain), smtp+starttls://..., smtps://... (TLS)."""
    parts = urlsplit(mail_url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(email)


def complete_attachments(session: Session, message_id: int) -> None:
    """Make the pending attachments of a message (read, let go of the database, render, write)."""
    message = session.get(OutboxMessage, message_id)
    if message is None or not message.attachments_pending:
        session.rollback()
        return
    render = _attachment_makers[message.kind](session, message)
    session.commit()
    made = render()
    message = session.get(OutboxMessage, message_id)
    if message is None or not message.attachments_pending:  # another worker finished first
        session.rollback()
        return
    for attachment in made:
        message.attachments.append(OutboxAttachment(filename=attachment.filename, content=attachment.content,
                                                    content_type=attachment.content_type,
                                                    content_id=attachment.content_id))
    message.attachments_pending = False
    session.commit()


def deliver(session: Session, message_id: int, *, mail_url: str | None, sender: str, now: datetime) -> OutboxStatus:
    """Send one message if it is due. Claims it first so two workers never send it twice."""
    complete_attachments(session, message_id)
    if not mail_url:
        session.execute(update(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
        ).values(status=OutboxStatus.HELD))
        session.commit()
        return OutboxStatus.HELD
    claimed = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
        (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
    ).values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + timedelta(minutes=10)))
    session.commit()
    if claimed.rowcount != 1:
        current = session.get(OutboxMessage, message_id)
        return current.status if current is not None else None
    message = session.get(OutboxMessage, message_id)
    email, attempts = build_email(message, sender=sender), message.attempts
    # End the transaction before talking to the server: on SQLite a write transaction holds the database's
    # one write lock, and a slow mail server must never make registrations wait. The claim above keeps
    # any other worker away meanwhile.
    session.commit()
    try:
        send_over_smtp(email, mail_url)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts > len(RETRY_DELAYS):
            message.status = OutboxStatus.FAILED
            message.next_attempt_at = None
        else:
            message.next_attempt_at = now + RETRY_DELAYS[attempts - 1]
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = ""
    session.commit()
    return message.status


def due_message_ids(session: Session, *, now: datetime) -> list[int]:
    return list(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.PENDING,
        (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
    ).order_by(OutboxMessage.id)))


def retry_now(session: Session, message: OutboxMessage) -> None:
    """An organiser asks for another attempt of a failed or held message."""
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = None
    session.info.setdefault(_NEW_MESSAGES_KEY, []).append(message.id)
