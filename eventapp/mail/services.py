"""Outbox and delivery. Writing a message never talks to a mail server; delivery is background work
with retries, so a slow or dead server never fails a registration."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Select, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from eventapp.emails import InvalidAddress, address_for_smtp, needs_smtputf8
from eventapp.mail.models import FailureReason, OutboxAttachment, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                timedelta(hours=3))
SMTP_TIMEOUT_SECONDS = 20
# A claimed message is left alone this long: a worker that died mid-send is not doubled at once. Far
# longer than one SMTP exchange can take (each command times out after SMTP_TIMEOUT_SECONDS).
CLAIM_WINDOW = timedelta(minutes=10)
# After a send, writing "sent" is retried after these pauses (seconds) rather than sending again.
STATUS_WRITE_PAUSES = (0.2, 1.0, 3.0)
_pause = threading.Event()  # never set: wait() is a sleep on the monotonic clock
_NEW_MESSAGES_KEY = "eventapp.outbox.new"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""  # inline image referenced as cid:<content_id> from the HTML body


class NotComposable(LookupError):
    """A composer cannot write its message: what it is about no longer exists."""


@dataclass(frozen=True)
class PendingAttachments:
    """Attachments a feature adds to a kind of message: their names now (the body mentions them), their
    content later, made with no transaction open (a PDF takes a while; SQLite has one write lock)."""

    names: tuple[str, ...]
    render: Callable[[], list[Attachment]]


@dataclass(frozen=True)
class ComposedMail:
    subject: str
    body_text: str
    body_html: str = ""
    attachments: tuple[Attachment, ...] = ()  # made while composing (a QR image, an .ics)


@dataclass(frozen=True)
class SiteLinks:
    """What a composer needs to write links into a mail: the site's public address and the key that signs
    private links. The worker takes both from the app's config at send time."""
    base_url: str
    secret_key: str


# Features register, per kind of message, how it is composed and what goes with it. Both read the
# database; neither writes. A composer gets the message, the site's links and the names of the
# attachments that will go with it.
Composer = Callable[[Session, OutboxMessage, SiteLinks, tuple[str, ...]], ComposedMail]
AttachmentMaker = Callable[[Session, OutboxMessage], PendingAttachments | None]
_composers: dict[str, Composer] = {}
_attachment_makers: dict[str, list[AttachmentMaker]] = {}


def register_composer(kind: str, composer: Composer) -> None:
    _composers[kind] = composer


def register_attachment_maker(kind: str, maker: AttachmentMaker) -> None:
    makers = _attachment_makers.setdefault(kind, [])
    if maker not in makers:
        makers.append(maker)


def queue_intent(session: Session, *, kind: str, to: str, locale: str, registration_id: int | None = None
                 ) -> OutboxMessage:
    """Say that someone must be told something; the worker composes the message when it sends it."""
    if kind not in _composers:
        raise ValueError(f"no composer for messages of kind {kind!r}")
    message = OutboxMessage(kind=kind, to_address=to, locale=locale, registration_id=registration_id,
                            subject="", body_text="", status=OutboxStatus.PENDING, content_pending=True)
    session.add(message)
    session.flush()
    session.info.setdefault(_NEW_MESSAGES_KEY, []).append(message.id)
    return message


def queue_message(
    session: Session, *, kind: str, to: str, subject: str, body_text: str, body_html: str = "",
    attachments: tuple[Attachment, ...] = (), registration_id: int | None = None,
) -> OutboxMessage:
    """A message written in full now (no composer needed)."""
    message = OutboxMessage(
        kind=kind, to_address=to, subject=subject, body_text=body_text, body_html=body_html,
        registration_id=registration_id, status=OutboxStatus.PENDING,
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


class RelayCannotCarryAddress(smtplib.SMTPException):
    """The address needs SMTPUTF8 (a non-ASCII local part) and the relay does not offer it."""


def build_email(message: OutboxMessage, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = address_for_smtp(message.to_address)  # IDN domains in punycode: any relay takes them
    email["Message-ID"] = message.message_id_header
    # base64 keeps the message 7-bit clean: short Japanese lines would otherwise go out as raw 8-bit UTF-8,
    # which a relay that does not offer 8BITMIME may refuse or mangle.
    email.set_content(message.body_text, charset="utf-8", cte="base64")
    inline = [a for a in message.attachments if a.content_id]
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", charset="utf-8", cte="base64")
        html_part = next(part for part in email.iter_parts() if part.get_content_type() == "text/html")
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
    """mail_url: smtp://[user:pass@]host[:port] (plain), smtp+starttls://..., smtps://... (TLS).
    An address that needs SMTPUTF8 goes over it when the server offers it, and raises
    RelayCannotCarryAddress (before any envelope is sent) when it does not."""
    parts = urlsplit(mail_url)
    host = parts.hostname or "localhost"
    client: smtplib.SMTP
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
        client.ehlo_or_helo_if_needed()
        addresses = [address.addr_spec for header in ("From", "To") for address in email[header].addresses]
        if any(needs_smtputf8(address) for address in addresses) and not client.has_extn("smtputf8"):
            raise RelayCannotCarryAddress("the server does not offer SMTPUTF8, which the address needs")
        client.send_message(email)


@dataclass(frozen=True)
class FailedAttempt:
    reason: FailureReason
    permanent: bool
    detail: str  # the server's reply or the error, shown to organisers as it is


DELIVERY_ERRORS = (OSError, smtplib.SMTPException, InvalidAddress)


def classify_failure(error: BaseException) -> FailedAttempt:
    """Permanent: a 5xx refusal of this message (recipient, sender, content), or an address no relay here
    can carry. Everything else (4xx, connection, timeout, login) is tried again later."""
    if isinstance(error, InvalidAddress):
        return FailedAttempt(FailureReason.INVALID_ADDRESS, True, str(error))
    if isinstance(error, RelayCannotCarryAddress):
        return FailedAttempt(FailureReason.SMTPUTF8_UNSUPPORTED, True, str(error))
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        detail = "; ".join(_reply_text(code, text) for code, text in replies)
        if replies and all(code >= 500 for code, _ in replies):
            return FailedAttempt(FailureReason.RECIPIENT_REFUSED, True, detail)
        return FailedAttempt(FailureReason.TEMPORARILY_REFUSED, False, detail)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return FailedAttempt(FailureReason.LOGIN_FAILED, False, _reply_text(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPResponseException):
        detail = _reply_text(error.smtp_code, error.smtp_error)
        if 400 <= error.smtp_code < 500:
            return FailedAttempt(FailureReason.TEMPORARILY_REFUSED, False, detail)
        if isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code >= 500:
            return FailedAttempt(FailureReason.SENDER_REFUSED, True, detail)
        if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
            return FailedAttempt(FailureReason.MESSAGE_REFUSED, True, detail)
        return FailedAttempt(FailureReason.SERVER_ERROR, False, detail)
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, TimeoutError):
        return FailedAttempt(FailureReason.TIMEOUT, False, detail)
    if isinstance(error, OSError | smtplib.SMTPServerDisconnected):
        return FailedAttempt(FailureReason.CONNECTION_FAILED, False, detail)
    return FailedAttempt(FailureReason.SERVER_ERROR, False, detail)


def _reply_text(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def compose_pending(session: Session, message_id: int, *, links: SiteLinks) -> None:
    """Compose a message queued as an intent: read and compose, let go of the database while the slow
    attachments render, then write it all at once (a message is never half-composed)."""
    message = session.get(OutboxMessage, message_id)
    if message is None or not message.content_pending:
        session.rollback()
        return
    pending = [made for maker in _attachment_makers.get(message.kind, ())
               if (made := maker(session, message)) is not None]
    names = tuple(name for made in pending for name in made.names)
    composed = _composers[message.kind](session, message, links, names)
    session.commit()
    attachments = [*composed.attachments, *(a for made in pending for a in made.render())]
    message = session.get(OutboxMessage, message_id)
    if message is None or not message.content_pending:  # another worker finished first
        session.rollback()
        return
    message.subject, message.body_text, message.body_html = composed.subject, composed.body_text, composed.body_html
    message.attachments = [OutboxAttachment(filename=a.filename, content=a.content, content_type=a.content_type,
                                            content_id=a.content_id) for a in attachments]
    message.content_pending = False
    session.commit()


def deliver(session: Session, message_id: int, *, mail_url: str | None, sender: str, links: SiteLinks,
            now: datetime) -> OutboxStatus | None:
    """Send one message if it is due. Claims it first so two workers never send it twice; once the server
    has taken it, only the status write is retried, never the send."""
    try:
        compose_pending(session, message_id, links=links)
    except NotComposable as exc:
        session.rollback()
        _record_outcome(session, message_id, {"status": OutboxStatus.FAILED, "next_attempt_at": None,
                                              "failure_reason": FailureReason.NOT_COMPOSED, "last_error": str(exc)})
        return OutboxStatus.FAILED
    if not mail_url:
        session.execute(update(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
        ).values(status=OutboxStatus.HELD))
        session.commit()
        return OutboxStatus.HELD
    claimed = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
        (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
    ).values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM_WINDOW))
    session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        current = session.get(OutboxMessage, message_id)
        return current.status if current is not None else None
    message = session.get_one(OutboxMessage, message_id)
    attempts = message.attempts
    try:
        email = build_email(message, sender=sender)
        # End the transaction before talking to the server: on SQLite a write transaction holds the
        # database's one write lock, and a slow mail server must never make registrations wait. The claim
        # above keeps any other worker away meanwhile.
        session.commit()
        send_over_smtp(email, mail_url)
    except DELIVERY_ERRORS as exc:
        outcome = _after_failure(classify_failure(exc), attempts=attempts, now=now)
    else:
        outcome = {"status": OutboxStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": "",
                   "failure_reason": None}
    _record_outcome(session, message_id, outcome)
    status: OutboxStatus = outcome["status"]
    return status


def _after_failure(failure: FailedAttempt, *, attempts: int, now: datetime) -> dict[str, Any]:
    outcome: dict[str, Any] = {"last_error": failure.detail[:2000], "failure_reason": failure.reason}
    if failure.permanent or attempts > len(RETRY_DELAYS):
        return outcome | {"status": OutboxStatus.FAILED, "next_attempt_at": None}
    return outcome | {"status": OutboxStatus.PENDING, "next_attempt_at": now + RETRY_DELAYS[attempts - 1]}


def _record_outcome(session: Session, message_id: int, outcome: dict[str, Any]) -> None:
    """Record what the attempt did. A database that drops the connection now (a restart, a failover) must
    not leave a sent message pending, or it would be sent again once the claim runs out: retry the write,
    each time on a new connection (SQLAlchemy replaces one it found dead on the next use)."""
    for pause in (*STATUS_WRITE_PAUSES, None):
        try:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**outcome))
            session.commit()
            return
        except (OperationalError, InterfaceError) as exc:
            session.rollback()
            if pause is None:
                log.error("outbox message %s: could not record %s: %s", message_id, outcome["status"], exc)
                raise
            log.warning("outbox message %s: recording %s failed, retrying: %s", message_id, outcome["status"], exc)
            _pause.wait(pause)  # not time.sleep(): it fails with EINVAL under libfaketime (CI's shifted clocks)


def due_message_ids(session: Session, *, now: datetime) -> list[int]:
    return list(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.PENDING,
        (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
    ).order_by(OutboxMessage.id)))


def outbox_statement(status: OutboxStatus | None = None) -> Select[OutboxMessage]:
    """SELECT of the outbox, newest first (the id: unique, so pages never overlap), of one status or all."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    return stmt if status is None else stmt.where(OutboxMessage.status == status)


def retry_now(session: Session, message: OutboxMessage) -> None:
    """An organiser asks for another attempt of a failed or held message."""
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = None
    session.info.setdefault(_NEW_MESSAGES_KEY, []).append(message.id)
