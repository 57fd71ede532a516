"""Creating and changing events."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.db import lock_for_update
from eventapp.events.models import CategoryCode, Event, EventCategory, EventStatus
from eventapp.events.signals import event_created, seats_changed

DEFAULT_CATEGORIES = (
    (CategoryCode.MEMBER, "会員", "Member", True),
    (CategoryCode.EXHIBITOR, "出展", "Exhibitor", True),
    (CategoryCode.SPEAKER, "発表", "Speaker", True),
    (CategoryCode.GENERAL, "一般", "General public", True),
    (CategoryCode.GUEST, "来賓", "Guest of honour", False),
    (CategoryCode.PRESS, "報道", "Press", True),
    (CategoryCode.STAFF, "スタッフ", "Staff", False),
)


class SlugTaken(Exception):
    pass


class NoPublicCategory(Exception):
    """The public form would offer no category: nobody could register, while the event looked open."""


@dataclass
class EventDetails:
    slug: str
    title_ja: str
    title_en: str
    edition: int
    fiscal_year: int
    event_date: date
    doors_time: time
    start_time: time
    end_time: time
    venue_name: str
    venue_address: str
    venue_access: str
    venue_map_url: str
    description_ja: str
    description_en: str
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    edit_deadline_at: datetime | None
    status: EventStatus
    contact_email: str = ""
    # English pages show these; where one is empty, the Japanese above.
    venue_name_en: str = ""
    venue_address_en: str = ""
    venue_access_en: str = ""

    @classmethod
    def of(cls, event: Event) -> EventDetails:
        return cls(**{f.name: getattr(event, f.name) for f in fields(cls)})


def fiscal_year_of(day: date) -> int:
    """年度 runs April to March: February 2027 belongs to 年度 2026 (令和8年度)."""
    return day.year if day.month >= 4 else day.year - 1


def create_event(session: Session, *, details: EventDetails,
                 category_capacities: dict[CategoryCode, int | None] | None = None) -> Event:
    if session.scalar(select(Event.id).where(Event.slug == details.slug)):
        raise SlugTaken(details.slug)
    event = Event(**vars(details))
    for order, (code, label_ja, label_en, is_open) in enumerate(DEFAULT_CATEGORIES):
        capacity = (category_capacities or {}).get(code)
        event.categories.append(EventCategory(code=code, label_ja=label_ja, label_en=label_en, is_open=is_open,
                                              capacity=capacity, sort_order=order))
    session.add(event)
    session.flush()
    event_created.send(event, session=session)
    return event


def lock_event(session: Session, event: Event) -> Event:
    """Lock the event row that guards its seats; every change that counts seats takes it first."""
    return session.execute(lock_for_update(select(Event).where(Event.id == event.id))).scalar_one()


def update_event(session: Session, event: Event, *, details: EventDetails, now: datetime) -> Event:
    """Change an event; more seats than before go to the waiting list at once (through `seats_changed`)."""
    lock_event(session, event)  # seats are counted below: no registration may take one meanwhile
    other = session.scalar(select(Event.id).where(Event.slug == details.slug, Event.id != event.id))
    if other:
        raise SlugTaken(details.slug)
    for name, value in vars(details).items():
        setattr(event, name, value)
    session.flush()
    seats_changed.send(event, session=session, now=now)
    return event


def set_category_capacities(session: Session, event: Event, *, capacities: dict[int, tuple[int | None, bool]],
                            now: datetime) -> None:
    """Capacities and "offered on the public form" per category (id → (capacity, offered)).
    At least one category must stay offered: NoPublicCategory otherwise, and nothing is changed."""
    offered = [capacities[c.id][1] if c.id in capacities else c.is_open for c in event.categories]
    if not any(offered):
        raise NoPublicCategory()
    lock_event(session, event)  # seats are counted below: no registration may take one meanwhile
    for category in event.categories:
        if category.id in capacities:
            category.capacity, category.is_open = capacities[category.id]
    session.flush()
    seats_changed.send(event, session=session, now=now)
