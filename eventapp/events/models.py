"""An event is one year's 合同交流会; attendance categories (参加区分) belong to it."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.db import Base, StrEnumType, UTCDateTime, utcnow
from eventapp.i18n import LocalText, in_language

TOKYO = ZoneInfo("Asia/Tokyo")


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class RegistrationWindow(enum.StrEnum):
    NOT_PUBLISHED = "not_published"
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    FULL = "full"  # open, but new registrations go to the waiting list
    CLOSED = "closed"


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    edition: Mapped[int]  # 第N回
    fiscal_year: Mapped[int]  # 年度 (April–March), Western year of its April
    event_date: Mapped[date]
    doors_time: Mapped[time]
    start_time: Mapped[time]
    end_time: Mapped[time]
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_access: Mapped[str] = mapped_column(Text, default="")
    venue_map_url: Mapped[str] = mapped_column(String(500), default="")
    # English pages show these; empty, the Japanese above (marked lang="ja").
    venue_name_en: Mapped[str] = mapped_column(String(200), default="")
    venue_address_en: Mapped[str] = mapped_column(String(300), default="")
    venue_access_en: Mapped[str] = mapped_column(Text, default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int]
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Attendees may change their answers until this moment (defaults to the close of registration).
    edit_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[EventStatus] = mapped_column(StrEnumType(EventStatus), default=EventStatus.DRAFT)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    categories: Mapped[list[EventCategory]] = relationship(
        back_populates="event", order_by="EventCategory.sort_order", cascade="all, delete-orphan"
    )

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_ja

    # The texts in a language, or in the other where that one is empty (LocalText.fell_back): in HTML a
    # Japanese text on an English page comes marked lang="ja".
    def title_in(self, locale: str) -> LocalText:
        return in_language(locale, ja=self.title_ja, en=self.title_en)

    def venue_name_in(self, locale: str) -> LocalText:
        return in_language(locale, ja=self.venue_name, en=self.venue_name_en)

    def venue_address_in(self, locale: str) -> LocalText:
        return in_language(locale, ja=self.venue_address, en=self.venue_address_en)

    def venue_access_in(self, locale: str) -> LocalText:
        return in_language(locale, ja=self.venue_access, en=self.venue_access_en)

    def _local(self, at: time) -> datetime:
        return datetime.combine(self.event_date, at, tzinfo=TOKYO)

    @property
    def doors_at(self) -> datetime:
        return self._local(self.doors_time)

    @property
    def starts_at(self) -> datetime:
        return self._local(self.start_time)

    @property
    def ends_at(self) -> datetime:
        return self._local(self.end_time)

    @property
    def effective_edit_deadline(self) -> datetime:
        return self.edit_deadline_at or self.registration_closes_at


class CategoryCode(enum.StrEnum):
    MEMBER = "member"  # 会員
    EXHIBITOR = "exhibitor"  # 出展
    SPEAKER = "speaker"  # 発表
    GENERAL = "general"  # 一般
    GUEST = "guest"  # 来賓
    PRESS = "press"  # 報道
    STAFF = "staff"  # スタッフ: organisers register their helpers so they get (grey) badges too


class EventCategory(Base):
    """参加区分 of one event, optionally with a capacity of its own inside the event's."""

    __tablename__ = "event_categories"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    code: Mapped[CategoryCode] = mapped_column(StrEnumType(CategoryCode))
    label_ja: Mapped[str] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(String(40))
    capacity: Mapped[int | None]
    sort_order: Mapped[int] = mapped_column(default=0)
    is_open: Mapped[bool] = mapped_column(default=True)  # shown on the public form

    event: Mapped[Event] = relationship(back_populates="categories")

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_ja
