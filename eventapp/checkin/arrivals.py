"""Live arrivals for organisers: registered, arrived and inside now, per point and overall; arrivals per
10 minutes (Tokyo time); arrived out of registered by 参加区分 and by 交流グループ.

Only accepted entries count (result ``ok``): a refused scan, or an admission the device undid, is no
arrival. A person has arrived at a point at their first accepted "in" there (read as the earliest
accepted "in", so it holds whatever undo does to ``first_in``), and is inside while their last accepted
entry there is an "in". The numbers come from a fixed handful of GROUP BY queries however many people
there are; only the per-person first arrivals are read as rows, to bucket them by Tokyo time here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from eventapp.checkin.models import CheckinEntry, CheckinPoint, Direction, EntryResult
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import Event, EventCategory
from eventapp.i18n import to_tokyo
from eventapp.registration.models import Registration, RegistrationStatus

BUCKET_MINUTES = 10
MAX_BUCKETS = 6 * 24  # a day of 10-minute bars; arrivals before that are counted as "earlier"


@dataclass(frozen=True)
class PointFigures:
    id: int
    code: str
    name_ja: str
    name_en: str
    closed: bool
    eligible: int  # confirmed people this point admits (its category and 懇親会 limits)
    arrived: int
    inside: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja


@dataclass(frozen=True)
class Share:
    """One row of a breakdown: of those registered (confirmed) in it, how many have arrived."""

    key: str  # category code; group id, "" for people of no group
    name_ja: str
    name_en: str
    registered: int
    arrived: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja

    @property
    def percent(self) -> int:
        return round(100 * self.arrived / self.registered) if self.registered else 0


@dataclass(frozen=True)
class Bucket:
    start: datetime  # Asia/Tokyo
    counts: tuple[int, ...]  # first arrivals in these 10 minutes, one per point (in ArrivalsBoard.points' order)

    @property
    def label(self) -> str:
        return f"{self.start.hour}:{self.start.minute:02d}"

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ArrivalsBoard:
    generated_at: datetime
    registered: int  # confirmed registrations
    arrived: int  # people admitted at any point
    inside: int  # people inside at least one point now
    points: tuple[PointFigures, ...]
    buckets: tuple[Bucket, ...]
    earlier: int  # arrivals before the first bucket shown (a test scan the day before)
    categories: tuple[Share, ...]
    groups: tuple[Share, ...]
    open_flags: int

    @property
    def percent(self) -> int:
        return round(100 * self.arrived / self.registered) if self.registered else 0


def arrivals_board(session: Session, event: Event, *, now: datetime) -> ArrivalsBoard:
    points = list(session.scalars(select(CheckinPoint).where(CheckinPoint.event_id == event.id)
                                  .order_by(CheckinPoint.sort_order, CheckinPoint.id)))
    registered = _registered(session, event)
    firsts = _first_arrivals(session, event)
    inside = _inside(session, event)

    arrived_people = {person: min(at for at, _, _ in by_point.values()) for person, by_point in firsts.items()}
    arrived_at_point = Counter(point for by_point in firsts.values() for point in by_point)
    inside_at_point = Counter(point for point, _ in inside)
    figures = tuple(PointFigures(
        id=p.id, code=p.code, name_ja=p.name_ja, name_en=p.name_en, closed=p.closed_at is not None,
        eligible=sum(n for (category, party, _), n in registered.items() if _admits(p, category, party)),
        arrived=arrived_at_point[p.id], inside=inside_at_point[p.id]) for p in points)

    person_of = {person: next(iter(by_point.values()))[1:] for person, by_point in firsts.items()}
    buckets, earlier = _buckets(firsts, [p.id for p in points])
    return ArrivalsBoard(
        generated_at=now, registered=sum(registered.values()), arrived=len(arrived_people),
        inside=len({person for _, person in inside}), points=figures, buckets=buckets, earlier=earlier,
        categories=_by_category(session, event, registered, person_of),
        groups=_by_group(session, registered, person_of),
        open_flags=open_flag_count(session, event))


def open_flag_count(session: Session, event: Event) -> int:
    return session.scalar(select(func.count(CheckinEntry.id)).where(
        CheckinEntry.event_id == event.id, CheckinEntry.flagged.is_(True),
        CheckinEntry.flag_resolved_at.is_(None))) or 0


def _admits(point: CheckinPoint, category: str, attends_party: bool) -> bool:
    if point.party_only and not attends_party:
        return False
    return not point.allowed_category_codes or category in point.allowed_category_codes


_Key = tuple[str, bool, int | None]  # category code, attends the 懇親会, group id


def _registered(session: Session, event: Event) -> Counter[_Key]:
    rows = session.execute(
        select(EventCategory.code, Registration.attends_party, Registration.group_id, func.count(Registration.id))
        .join(EventCategory, EventCategory.id == Registration.category_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(EventCategory.code, Registration.attends_party, Registration.group_id)).all()
    return Counter({(code.value, bool(party), group): n for code, party, group, n in rows})


def _first_arrivals(session: Session, event: Event) -> dict[int, dict[int, tuple[datetime, str, int | None]]]:
    """Per person, per point: when they were first admitted there (the device's scanned_at, so that scans
    queued offline land in the minutes they happened), with the person's category code and group."""
    rows = session.execute(
        select(CheckinEntry.registration_id, CheckinEntry.point_id, func.min(CheckinEntry.scanned_at),
               EventCategory.code, Registration.group_id)
        .join(Registration, Registration.id == CheckinEntry.registration_id)
        .join(EventCategory, EventCategory.id == Registration.category_id)
        .where(CheckinEntry.event_id == event.id, CheckinEntry.result == EntryResult.OK,
               CheckinEntry.direction == Direction.IN)
        .group_by(CheckinEntry.registration_id, CheckinEntry.point_id, EventCategory.code,
                  Registration.group_id)).all()
    firsts: dict[int, dict[int, tuple[datetime, str, int | None]]] = {}
    for person, point, at, code, group in rows:
        assert person is not None  # joined to its registration
        firsts.setdefault(person, {})[point] = (_aware(at), code.value, group)
    return firsts


def _aware(value: datetime) -> datetime:
    """min() keeps the column's type (UTCDateTime), so this is aware already; naive would mean UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _inside(session: Session, event: Event) -> list[tuple[int, int]]:
    """(point id, person) for everyone whose last accepted entry at a point is an "in"."""
    accepted = and_(CheckinEntry.event_id == event.id, CheckinEntry.result == EntryResult.OK)
    last_ids = (select(func.max(CheckinEntry.id).label("id")).where(accepted)
                .group_by(CheckinEntry.registration_id, CheckinEntry.point_id).subquery())
    rows = session.execute(select(CheckinEntry.point_id, CheckinEntry.registration_id)
                           .join(last_ids, CheckinEntry.id == last_ids.c.id)
                           .where(CheckinEntry.direction == Direction.IN)).all()
    return [(point, person) for point, person in rows if person is not None]


def _bucket_start(value: datetime) -> datetime:
    local = to_tokyo(value)
    return local.replace(minute=local.minute - local.minute % BUCKET_MINUTES, second=0, microsecond=0)


def _buckets(firsts: dict[int, dict[int, tuple[datetime, str, int | None]]],
             point_ids: list[int]) -> tuple[tuple[Bucket, ...], int]:
    """Every 10 minutes from the first arrival to the last (at most MAX_BUCKETS, the latest kept)."""
    tally: dict[datetime, Counter[int]] = {}
    for by_point in firsts.values():
        for point, (at, _, _) in by_point.items():
            tally.setdefault(_bucket_start(at), Counter())[point] += 1
    if not tally:
        return (), 0
    step = timedelta(minutes=BUCKET_MINUTES)
    last = max(tally)
    first = max(min(tally), last - step * (MAX_BUCKETS - 1))
    earlier = sum(sum(counter.values()) for start, counter in tally.items() if start < first)
    buckets, start = [], first
    while start <= last:
        counter = tally.get(start, Counter())
        buckets.append(Bucket(start=start, counts=tuple(counter[p] for p in point_ids)))
        start += step  # Tokyo has no daylight saving: wall-clock and elapsed minutes agree
    return tuple(buckets), earlier


def _by_category(session: Session, event: Event, registered: Counter[_Key],
                 person_of: dict[int, tuple[str, int | None]]) -> tuple[Share, ...]:
    categories = session.scalars(select(EventCategory).where(EventCategory.event_id == event.id)
                                 .order_by(EventCategory.sort_order, EventCategory.id)).all()
    signed_up = Counter[str]()
    for (category, _, _), n in registered.items():
        signed_up[category] += n
    came = Counter(category for category, _ in person_of.values())
    return tuple(Share(key=c.code.value, name_ja=c.label_ja, name_en=c.label_en,
                       registered=signed_up[c.code.value], arrived=came[c.code.value])
                 for c in categories if signed_up[c.code.value] or came[c.code.value])  # no rows of zeros


def _by_group(session: Session, registered: Counter[_Key],
              person_of: dict[int, tuple[str, int | None]]) -> tuple[Share, ...]:
    """Every group with someone registered or arrived, in 五十音 order; then the people of no group."""
    signed_up = Counter[int | None]()
    for (_, _, group), n in registered.items():
        signed_up[group] += n
    came = Counter(group for _, group in person_of.values())
    ids = {g for g in (*signed_up, *came) if g is not None}
    groups = session.execute(select(ExchangeGroup.id, ExchangeGroup.name).where(ExchangeGroup.id.in_(ids))
                             .order_by(ExchangeGroup.sort_key, ExchangeGroup.id)).all() if ids else []
    shares = [Share(key=str(group_id), name_ja=name, name_en=name, registered=signed_up[group_id],
                    arrived=came[group_id]) for group_id, name in groups]
    if signed_up[None] or came[None]:
        shares.append(Share(key="", name_ja="", name_en="", registered=signed_up[None], arrived=came[None]))
    return tuple(shares)
