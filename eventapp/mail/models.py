"""The outbox: every message is written here first; sending is background work."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.db import Base, StrEnumType, UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent (or retried)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    HELD = "held"  # no MAIL_URL: kept in the outbox only


class FailureReason(enum.StrEnum):
    """Why the last attempt failed; the outbox pages explain each in the reader's language."""

    # permanent: the message fails at once
    RECIPIENT_REFUSED = "recipient_refused"  # 5xx to RCPT TO
    SENDER_REFUSED = "sender_refused"  # 5xx to MAIL FROM
    MESSAGE_REFUSED = "message_refused"  # 5xx to DATA
    SMTPUTF8_UNSUPPORTED = "smtputf8_unsupported"  # a non-ASCII local part, a relay without SMTPUTF8
    INVALID_ADDRESS = "invalid_address"  # kept before today's rules, unusable on the wire
    NOT_COMPOSED = "not_composed"  # what it was about is gone (its registration was deleted)
    # temporary: tried again later
    TEMPORARILY_REFUSED = "temporarily_refused"  # 4xx
    CONNECTION_FAILED = "connection_failed"
    TIMEOUT = "timeout"
    LOGIN_FAILED = "login_failed"
    SERVER_ERROR = "server_error"


MESSAGE_ID_DOMAIN = "eventapp.local"


def new_message_id() -> str:
    """An RFC 5322 Message-ID, made once when the message is queued and sent with every attempt."""
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # registration_confirmed, waitlist_promoted, ...
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OutboxStatus] = mapped_column(StrEnumType(OutboxStatus), default=OutboxStatus.PENDING)
    # Queued as an intent (what happened, to whom): the worker renders subject, body and attachments (a
    # ticket PDF) just before the first attempt, with the public address of the site and in `locale`.
    content_pending: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_reason: Mapped[FailureReason | None] = mapped_column(StrEnumType(FailureReason))
    last_error: Mapped[str] = mapped_column(Text, default="")  # the server's words (or the error's), as evidence
    # Stored, so a send repeated after a lost status write carries the same id and folds into one mail.
    message_id_header: Mapped[str] = mapped_column(String(200), unique=True, default=new_message_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


class OutboxAttachment(Base):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content_id: Mapped[str] = mapped_column(String(100), default="")  # set for inline images (cid:)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
