"""Registrations (参加申込) and their history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.db import Base, StrEnumType, UTCDateTime, utcnow
from eventapp.directory.models import SORT_KEY, ExchangeGroup
from eventapp.events.models import Event, EventCategory
from eventapp.text import format_phone, format_postcode


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"  # 参加
    WAITLISTED = "waitlisted"  # 補欠
    CANCELLED = "cancelled"  # キャンセル


class RegistrationSource(enum.StrEnum):
    WEB = "web"
    IMPORT = "import"
    ORGANISER = "organiser"
    DEMO = "demo"
    WALK_IN = "walk_in"  # 当日受付: registered at the door by a scanner


EMPLOYEE_BANDS = ("1-5", "6-20", "21-50", "51-100", "101-300", "301+")


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "email_key"),
        UniqueConstraint("event_id", "receipt_code"),
        UniqueConstraint("event_id", "badge_serial"),
        Index("ix_registrations_event_status", "event_id", "status"),
        Index("ix_registrations_waitlist", "event_id", "status", "queue_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("event_categories.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_groups.id", ondelete="SET NULL"))
    status: Mapped[RegistrationStatus] = mapped_column(StrEnumType(RegistrationStatus))
    receipt_code: Mapped[str] = mapped_column(String(8))  # 受付番号, six digits
    token: Mapped[str] = mapped_column(String(64), unique=True)  # QR content, opaque
    manage_secret: Mapped[str] = mapped_column(String(64), unique=True)  # inside the signed private link
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # one form → one registration

    family_name: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(40))
    family_kana: Mapped[str] = mapped_column(String(60))
    given_kana: Mapped[str] = mapped_column(String(60))
    romaji: Mapped[str] = mapped_column(String(80), default="")
    sort_key: Mapped[str] = mapped_column(SORT_KEY, index=True)
    company_name: Mapped[str] = mapped_column(String(120), default="")
    company_kana: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    job_title: Mapped[str] = mapped_column(String(100), default="")
    industry_code: Mapped[str] = mapped_column(String(1), default="")
    employees_band: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(15), default="")  # digits only
    postcode: Mapped[str] = mapped_column(String(7), default="")  # digits only
    address: Mapped[str] = mapped_column(String(200), default="")
    attends_party: Mapped[bool] = mapped_column(default=False)  # 懇親会
    message: Mapped[str] = mapped_column(Text, default="")  # 通信欄
    locale: Mapped[str] = mapped_column(String(5), default="ja")  # language of pages and mail for this person

    consent_privacy: Mapped[bool] = mapped_column(default=False)
    consent_share_with_exhibitors: Mapped[bool] = mapped_column(default=False)
    consent_name_in_programme: Mapped[bool] = mapped_column(default=False)
    consent_lead_scanning: Mapped[bool] = mapped_column(default=False)

    source: Mapped[RegistrationSource] = mapped_column(
        StrEnumType(RegistrationSource), default=RegistrationSource.WEB
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Place in the waiting list: assigned under the event lock, so it is the true order of arrival.
    queue_number: Mapped[int | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Badge (名札): a serial number printed on it, when it was last printed, and re-issues after a loss.
    badge_serial: Mapped[int] = mapped_column(default=0)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    badge_print_count: Mapped[int] = mapped_column(default=0)
    token_reissued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    category: Mapped[EventCategory] = relationship()
    group: Mapped[ExchangeGroup | None] = relationship()
    changes: Mapped[list[RegistrationChange]] = relationship(
        back_populates="registration", order_by="RegistrationChange.id", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def full_kana(self) -> str:
        return f"{self.family_kana} {self.given_kana}"

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def postcode_display(self) -> str:
        return format_postcode(self.postcode)

    @property
    def addressee(self) -> str:
        """`株式会社サンプル 営業部 山田 太郎 様` (JAPANESE.md: Writing to people)."""
        parts = [self.company_name, self.department, self.full_name]
        return " ".join(p for p in parts if p) + " 様"


class RegistrationChange(Base):
    """Who changed what, and when: shown to organisers on the registration's page."""

    __tablename__ = "registration_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))  # "attendee", "organiser:someone@example.jp", "system"
    action: Mapped[str] = mapped_column(String(30))
    details: Mapped[str] = mapped_column(Text, default="")  # JSON: {"field": [old, new], ...}

    registration: Mapped[Registration] = relationship(back_populates="changes")


class RetiredToken(Base):
    """The QR token a registration had before its badge was re-issued: the door can say "an old badge"
    instead of "unknown code"."""

    __tablename__ = "registration_retired_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
