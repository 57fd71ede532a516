"""Figures for the organiser dashboard: counts by status, 参加区分, exchange group and 業種, the latest
registrations, and registrations per day.

Counts come from GROUP BY queries, so the cost does not grow with rows loaded into Python. Only the
per-day series reads one column per registration (created_at) and buckets it by Asia/Tokyo date here,
which gives the same answer on SQLite and PostgreSQL without dialect-specific time-zone SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventapp.directory.industries import industry
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import Event, EventCategory, EventStatus
from eventapp.i18n import WEEKDAYS_JA, to_tokyo
from eventapp.registration.models import Registration, RegistrationStatus

TOP_GROUPS = 10  # groups shown by name; the rest are summed into one row
LATEST_COUNT = 10
MAX_DAYS = 400  # a longer series starts later; earlier registrations are carried in the cumulative count
ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


@dataclass(frozen=True)
class StatusCounts:
    confirmed: int  # 参加
    waitlisted: int  # 補欠
    cancelled: int  # キャンセル

    @property
    def active(self) -> int:
        return self.confirmed + self.waitlisted


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown (a category, a group, an industry): active registrations by status."""

    key: str  # category code, group id, JSIC code; "" for "no group" / "not given", "*" for "other groups"
    name: str
    confirmed: int
    waitlisted: int
    cancelled: int = 0
    capacity: int | None = None  # categories only, when the category has a capacity of its own

    @property
    def active(self) -> int:
        return self.confirmed + self.waitlisted


@dataclass(frozen=True)
class Day:
    day: date  # Asia/Tokyo
    label: str  # 1/10(日) · Sun 10 Jan
    count: int  # registrations received that day (those since cancelled are not counted)
    cumulative: int


@dataclass(frozen=True)
class RecentRegistration:
    id: int
    created_at: datetime
    name: str
    company: str
    category: str
    status: RegistrationStatus


@dataclass(frozen=True)
class DashboardFigures:
    event_slug: str
    capacity: int
    generated_at: datetime
    status: StatusCounts
    party: int  # confirmed and attending the 懇親会
    today: int
    last_7_days: int
    categories: tuple[Breakdown, ...]
    groups: tuple[Breakdown, ...]
    industries: tuple[Breakdown, ...]
    days: tuple[Day, ...]
    latest: tuple[RecentRegistration, ...]

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.status.confirmed, 0)

    @property
    def fill_percent(self) -> int:
        return min(round(100 * self.status.confirmed / self.capacity), 100) if self.capacity else 0

    def as_json(self) -> dict[str, Any]:
        """The same figures for the JSON endpoint and the page's data block."""
        generated = to_tokyo(self.generated_at)
        return {
            "event": self.event_slug,
            "generated_at": generated.isoformat(timespec="seconds"),  # a valid <time datetime>: no microseconds
            "generated_at_display": generated.strftime("%H:%M:%S"),
            "capacity": self.capacity,
            "seats_left": self.seats_left,
            "fill_percent": self.fill_percent,
            "status": {**asdict(self.status), "active": self.status.active},
            "party": self.party,
            "today": self.today,
            "last_7_days": self.last_7_days,
            "categories": [_breakdown_json(row) for row in self.categories],
            "groups": [_breakdown_json(row) for row in self.groups],
            "industries": [_breakdown_json(row) for row in self.industries],
            "days": [{"date": d.day.isoformat(), "label": d.label, "count": d.count, "cumulative": d.cumulative}
                     for d in self.days],
            "latest": [{
                "id": r.id, "created_at": to_tokyo(r.created_at).isoformat(timespec="seconds"),
                "time_display": _short_datetime(r.created_at), "name": r.name, "company": r.company,
                "category": r.category, "status": r.status.value,
            } for r in self.latest],
        }


def _breakdown_json(row: Breakdown) -> dict[str, Any]:
    return {**asdict(row), "active": row.active}


def _short_datetime(value: datetime) -> str:
    """1/10 23:30 (Tokyo): short enough for a phone's table cell."""
    local = to_tokyo(value)
    return f"{local.month}/{local.day} {local.hour}:{local.minute:02d}"


# --- which event --------------------------------------------------------------------------------


def dashboard_events(session: Session) -> list[Event]:
    """Every event, the latest first (the picker lists drafts too: organisers may import into them)."""
    return list(session.scalars(select(Event).order_by(Event.event_date.desc(), Event.id.desc())))


def default_event(events: Iterable[Event]) -> Event | None:
    """The latest event that is not a draft; the latest draft when there is nothing else."""
    events = list(events)
    return next((e for e in events if e.status != EventStatus.DRAFT), events[0] if events else None)


# --- figures ------------------------------------------------------------------------------------


def dashboard_figures(session: Session, event: Event, *, now: datetime, locale: str) -> DashboardFigures:
    today = to_tokyo(now).date()
    received = _received_days(session, event)
    # Up to today; for an event that is over, up to its day (or the last registration, if later).
    days = _day_series(received, last_day=max(min(today, event.event_date), max(received, default=today)),
                       locale=locale)
    return DashboardFigures(
        event_slug=event.slug,
        capacity=event.capacity,
        generated_at=now,
        status=status_counts(session, event),
        party=party_count(session, event),
        today=received.get(today, 0),
        last_7_days=sum(n for day, n in received.items() if today - timedelta(days=6) <= day <= today),
        categories=by_category(session, event, locale=locale),
        groups=by_group(session, event, locale=locale),
        industries=by_industry(session, event, locale=locale),
        days=days,
        latest=latest_registrations(session, event, locale=locale),
    )


def status_counts(session: Session, event: Event) -> StatusCounts:
    rows = session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    counts = {status: n for status, n in rows}
    return StatusCounts(*(counts.get(s, 0) for s in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                                      RegistrationStatus.CANCELLED)))


def party_count(session: Session, event: Event) -> int:
    return session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.attends_party.is_(True),
    )) or 0


def by_category(session: Session, event: Event, *, locale: str) -> tuple[Breakdown, ...]:
    """Every category of the event in its order, with all three statuses and its own capacity."""
    rows = session.execute(
        select(Registration.category_id, Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id, Registration.status)
    ).all()
    counts = {(category_id, status): n for category_id, status, n in rows}
    categories = session.scalars(
        select(EventCategory).where(EventCategory.event_id == event.id).order_by(EventCategory.sort_order)
    ).all()
    return tuple(Breakdown(
        key=c.code.value, name=c.label(locale), capacity=c.capacity,
        confirmed=counts.get((c.id, RegistrationStatus.CONFIRMED), 0),
        waitlisted=counts.get((c.id, RegistrationStatus.WAITLISTED), 0),
        cancelled=counts.get((c.id, RegistrationStatus.CANCELLED), 0),
    ) for c in categories)


def by_group(session: Session, event: Event, *, locale: str, top: int = TOP_GROUPS) -> tuple[Breakdown, ...]:
    """The groups with most active registrations, then "other groups" (summed), then "no group"."""
    rows = session.execute(
        select(ExchangeGroup.id, ExchangeGroup.name, ExchangeGroup.sort_key, Registration.status,
               func.count(Registration.id))
        .select_from(Registration)
        .outerjoin(ExchangeGroup, ExchangeGroup.id == Registration.group_id)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE))
        .group_by(ExchangeGroup.id, ExchangeGroup.name, ExchangeGroup.sort_key, Registration.status)
    ).all()
    tally: dict[int | None, Counter[RegistrationStatus]] = {}
    names: dict[int, tuple[str, str]] = {}
    for group_id, name, sort_key, status, n in rows:
        tally.setdefault(group_id, Counter())[status] += n
        if group_id is not None:
            names[group_id] = (name, sort_key)
    ranked = sorted(names, key=lambda g: (-sum(tally[g].values()), names[g][1], g))

    def row(key: str, name: str, counter: Counter[RegistrationStatus]) -> Breakdown:
        return Breakdown(key=key, name=name, confirmed=counter[RegistrationStatus.CONFIRMED],
                         waitlisted=counter[RegistrationStatus.WAITLISTED])

    result = [row(str(g), names[g][0], tally[g]) for g in ranked[:top]]
    with force_locale(locale):
        if len(ranked) > top:
            rest = sum((tally[g] for g in ranked[top:]), Counter[RegistrationStatus]())
            result.append(row("*", _("Other groups (%(n)s)", n=len(ranked) - top), rest))
        if None in tally:
            result.append(row("", _("No group"), tally[None]))
    return tuple(result)


def by_industry(session: Session, event: Event, *, locale: str) -> tuple[Breakdown, ...]:
    """業種 (JSIC 大分類) by active registrations, most first; "not given" last."""
    rows = session.execute(
        select(Registration.industry_code, Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE))
        .group_by(Registration.industry_code, Registration.status)
    ).all()
    tally: dict[str, Counter[RegistrationStatus]] = {}
    for code, status, n in rows:
        tally.setdefault(code or "", Counter())[status] += n
    with force_locale(locale):
        not_given = _("Not given")
    result = []
    for code in sorted(tally, key=lambda c: (c == "", -sum(tally[c].values()), c)):
        found = industry(code) if code else None
        name = found.name(locale) if found else (code or not_given)
        result.append(Breakdown(key=code, name=name, confirmed=tally[code][RegistrationStatus.CONFIRMED],
                                waitlisted=tally[code][RegistrationStatus.WAITLISTED]))
    return tuple(result)


def latest_registrations(session: Session, event: Event, *, locale: str,
                         limit: int = LATEST_COUNT) -> tuple[RecentRegistration, ...]:
    label = EventCategory.label_en if locale == "en" else EventCategory.label_ja
    rows = session.execute(
        select(Registration.id, Registration.created_at, Registration.family_name, Registration.given_name,
               Registration.company_name, label, Registration.status)
        .join(EventCategory, EventCategory.id == Registration.category_id)
        .where(Registration.event_id == event.id)
        .order_by(Registration.created_at.desc(), Registration.id.desc())
        .limit(limit)
    ).all()
    return tuple(RecentRegistration(id=r[0], created_at=r[1], name=f"{r[2]} {r[3]}", company=r[4], category=r[5],
                                    status=r[6]) for r in rows)


# --- per day --------------------------------------------------------------------------------------


def _received_days(session: Session, event: Event) -> Counter[date]:
    """Active registrations by the Asia/Tokyo date they were received."""
    stamps = session.scalars(select(Registration.created_at).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE)))
    return Counter(to_tokyo(stamp).date() for stamp in stamps)


def day_label(day: date, locale: str) -> str:
    if locale == "en":
        return day.strftime("%a %-d %b")
    return f"{day.month}/{day.day}({WEEKDAYS_JA[day.weekday()]})"


def _day_series(received: Counter[date], *, last_day: date, locale: str) -> tuple[Day, ...]:
    """Every day from the first registration to last_day, days without registrations as 0."""
    if not received:
        return ()
    first_day = max(min(received), last_day - timedelta(days=MAX_DAYS - 1))
    cumulative = sum(n for day, n in received.items() if day < first_day)
    series = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        cumulative += received.get(day, 0)
        series.append(Day(day=day, label=day_label(day, locale), count=received.get(day, 0), cumulative=cumulative))
    return tuple(series)
