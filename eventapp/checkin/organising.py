"""What organisers do to check-in: set up its points (limits, printing on arrival), close and reopen
check-in at one, and look at the scans flagged when they were uploaded from an offline queue.

A point's code is what devices and the CLI know it by: it is chosen when the point is made and not
changed after. No Flask here; views hand in the session and the clock, and commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from eventapp.checkin.models import CheckinEntry, CheckinPoint, PointKind
from eventapp.events.models import Event, EventCategory
from eventapp.registration.models import Registration

POINT_CODE_MAX_LENGTH = 30
POINT_NAME_MAX_LENGTH = 60
POINT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # latin lower case, digits, - and _: it goes in URLs and the CLI


@dataclass(frozen=True)
class PointSettings:
    """What an organiser sets for a point (its code aside)."""

    name_ja: str
    name_en: str
    kind: PointKind
    allowed_categories: tuple[str, ...]  # category codes; empty: everyone
    party_only: bool
    prints_badges: bool


class UnknownCategory(ValueError):
    """A limit names a category the event does not have."""


def category_codes(session: Session, event: Event) -> list[str]:
    return [code.value for code in session.scalars(
        select(EventCategory.code).where(EventCategory.event_id == event.id)
        .order_by(EventCategory.sort_order, EventCategory.id))]


def _check_categories(session: Session, event: Event, settings: PointSettings) -> str:
    known = category_codes(session, event)
    unknown = [code for code in settings.allowed_categories if code not in known]
    if unknown:
        raise UnknownCategory(", ".join(unknown))
    return ",".join(code for code in known if code in settings.allowed_categories)  # the event's order


def update_point(session: Session, point: CheckinPoint, settings: PointSettings) -> CheckinPoint:
    point.allowed_categories = _check_categories(session, point.event, settings)
    point.name_ja, point.name_en, point.kind = settings.name_ja, settings.name_en, settings.kind
    point.party_only, point.prints_badges = settings.party_only, settings.prints_badges
    session.flush()
    return point


def close_point(session: Session, point: CheckinPoint, *, now: datetime) -> None:
    """Check-in closed here: devices of the point are refused (410) and drop their roster."""
    if point.closed_at is None:
        point.closed_at = now
    session.flush()


def reopen_point(session: Session, point: CheckinPoint) -> None:
    point.closed_at = None
    session.flush()


# --- flagged scans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    entry: CheckinEntry  # with its device, point and person loaded
    clashes_with: CheckinEntry | None  # the person's first admission at the point, with its device

    @property
    def open(self) -> bool:
        return self.entry.flag_resolved_at is None


def flags_of(session: Session, event: Event) -> list[Flag]:
    """The event's flagged scans: the open ones first, newest first within each."""
    first = aliased(CheckinEntry)
    rows = session.execute(
        select(CheckinEntry, first)
        .outerjoin(first, first.id == CheckinEntry.first_entry_id)
        .where(CheckinEntry.event_id == event.id, CheckinEntry.flagged.is_(True))
        .options(joinedload(CheckinEntry.device), joinedload(CheckinEntry.point),
                 joinedload(CheckinEntry.registration).joinedload(Registration.category),
                 joinedload(first.device))
        .order_by(CheckinEntry.flag_resolved_at.is_not(None), CheckinEntry.recorded_at.desc(),
                  CheckinEntry.id.desc())).all()
    return [Flag(entry, clash if clash is not None and clash.id != entry.id else None) for entry, clash in rows]


class NotAFlag(ValueError):
    """The entry is not a flagged one of this event."""


def resolve_flag(session: Session, entry: CheckinEntry, *, by: str, now: datetime) -> None:
    """An organiser has looked at it (resolving twice keeps the first who did)."""
    if not entry.flagged:
        raise NotAFlag(entry.id)
    if entry.flag_resolved_at is None:
        entry.flag_resolved_by, entry.flag_resolved_at = by[:120], now
    session.flush()
