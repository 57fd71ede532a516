"""Check-in points, the devices paired to them, and every scan they send (CheckinEntry).

Who is "inside now" at a point is the direction of the person's last accepted entry there; the first
accepted "in" at a point is marked ``first_in`` and a partial unique index allows one per person and point,
so a person is admitted once however many devices scan the same code at the same instant.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.db import Base, StrEnumType, UTCDateTime, utcnow
from eventapp.events.models import Event
from eventapp.registration.models import Registration

DEFAULT_POINT_CODE = "reception"  # every event's 受付


class PointKind(enum.StrEnum):
    DOOR = "door"  # 受付, the entrance of the hall
    PARTY = "party"  # 懇親会
    ROOM = "room"  # a session room, a booth area


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class EntryResult(enum.StrEnum):
    OK = "ok"
    REFUSED = "refused"
    UNDONE = "undone"  # admitted, then taken back by the device that scanned it (a scan of the wrong person)


class CheckinPoint(Base):
    __tablename__ = "checkin_points"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name_ja: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[PointKind] = mapped_column(StrEnumType(PointKind), default=PointKind.DOOR)
    # Limits: category codes allowed, comma-separated (empty: every category); only those who booked the 懇親会.
    allowed_categories: Mapped[str] = mapped_column(String(200), default="")
    party_only: Mapped[bool] = mapped_column(default=False)
    is_default: Mapped[bool] = mapped_column(default=False)
    # Print the badge (single-label sheet) when someone whose badge was never printed arrives, and for walk-ins.
    prints_badges: Mapped[bool] = mapped_column(default=False)
    # Check-in closed here (by an organiser): devices are refused and drop their roster at their next contact.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def allowed_category_codes(self) -> list[str]:
        return [code for code in self.allowed_categories.split(",") if code]

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja


class CheckinDevice(Base):
    """A phone or tablet paired to one point of one event. Only the SHA-256 of its token is kept."""

    __tablename__ = "checkin_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("checkin_points.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    point: Mapped[CheckinPoint] = relationship()


class CheckinEntry(Base):
    """One scan a device sent, accepted or refused: the answer it got can be given again for its nonce."""

    __tablename__ = "checkin_entries"
    __table_args__ = (
        UniqueConstraint("device_id", "nonce"),
        Index("ix_checkin_entries_person_point", "registration_id", "point_id", "id"),
        Index("ix_checkin_entries_point_result", "point_id", "result"),
        Index("ix_checkin_entries_event_flagged", "event_id", "flagged"),
        # Admitted once: one first accepted "in" per person and point (both databases support partial indexes).
        Index("uq_checkin_entries_first_in", "registration_id", "point_id", unique=True,
              sqlite_where=text("first_in"), postgresql_where=text("first_in")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("checkin_points.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("checkin_devices.id", ondelete="CASCADE"))
    # None: the code named nobody (an unknown or re-issued code, garbage).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(StrEnumType(Direction))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the device's clock, checked on arrival
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the server's clock
    nonce: Mapped[str] = mapped_column(String(64))
    request_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of what was asked (code or id, direction)
    result: Mapped[EntryResult] = mapped_column(StrEnumType(EntryResult))
    reason: Mapped[str | None] = mapped_column(String(30))
    first_in: Mapped[bool] = mapped_column(default=False)
    # The person's first admission at this point, for "already checked in at 13:02 on 受付-1".
    first_entry_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_entries.id", ondelete="SET NULL"))
    # Sent later from a queue (offline): if it broke a rule (a second entry, a cancelled person let in), an
    # organiser should look at it.
    queued: Mapped[bool] = mapped_column(default=False)
    flagged: Mapped[bool] = mapped_column(default=False)
    # The organiser who looked at a flagged entry, and when (the flag list shows the open ones first).
    flag_resolved_by: Mapped[str | None] = mapped_column(String(120))
    flag_resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    point: Mapped[CheckinPoint] = relationship()
    device: Mapped[CheckinDevice] = relationship()
    registration: Mapped[Registration | None] = relationship()
    first_entry: Mapped[CheckinEntry | None] = relationship(remote_side=[id])
