"""The rules of check-in: devices and their tokens, what a scan may be, who is admitted, who is inside.

No Flask here: views hand in the session, the parsed JSON and the clock, and turn outcomes into answers.

Exactly once. A scan first locks the device's row (one device's requests, e.g. a retry of the same nonce,
are taken one after the other), then the registration's row (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the write request already holds the database's write lock from ``BEGIN IMMEDIATE``), and only then
reads the person's last accepted entry at the point and decides. Every scan of one person therefore sees
the one before it, on any number of devices or app processes. Behind the lock, a partial unique index
(``uq_checkin_entries_first_in``) allows one first admission per person and point: code that forgot the
lock would get an IntegrityError, which is answered as "already checked in", never a second admission.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from eventapp.checkin.models import (
    DEFAULT_POINT_CODE,
    CheckinDevice,
    CheckinEntry,
    CheckinPoint,
    Direction,
    EntryResult,
    PointKind,
)
from eventapp.db import lock_for_update
from eventapp.events.models import TOKYO, Event
from eventapp.events.signals import event_created
from eventapp.registration.models import Registration, RegistrationStatus, RetiredToken
from eventapp.registration.queries import RegistrationFilters, filtered_statement
from eventapp.text import normalize_text, to_katakana_reading

CODE_MAX_LENGTH = 64  # a QR token has 32 characters
_CODE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces: what our QR codes hold
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # a UUID, or token_urlsafe(16)
SCANNED_AT_MAX_LENGTH = 40
# How far ahead of the server's clock a device's may be before its scanned_at is refused.
CLOCK_SKEW = timedelta(minutes=5)
TOKEN_MAX_LENGTH = 200
DEVICE_NAME_MAX_LENGTH = 80
SEARCH_QUERY_MAX_LENGTH = 100
SEARCH_LIMIT = 20
MAX_REGISTRATION_ID = 2**31 - 1
OFFLINE_VERDICTS = ("ok", "already_checked_in", "error")  # green, yellow, red on the device
UNDO_WINDOW = timedelta(minutes=15)


class Reason(enum.StrEnum):
    """Why a scan was refused: the API's `reason`."""

    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"  # "out" before any "in"
    ALREADY_CHECKED_OUT = "already_checked_out"
    INVALID = "invalid"  # the code (or id) names nobody
    REISSUED = "reissued"  # a lost badge's old code: a new one was issued
    WRONG_EVENT = "wrong_event"  # someone registered for another event
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    NOT_ON_LIST = "not_on_list"  # the point admits only some categories, or only those who booked the 懇親会
    CANNOT_UNDO = "cannot_undo"


# --- points ---------------------------------------------------------------------------------------------


def create_default_point(session: Session, event: Event) -> CheckinPoint:
    point = CheckinPoint(event_id=event.id, code=DEFAULT_POINT_CODE, name_ja="受付", name_en="Reception",
                         kind=PointKind.DOOR, is_default=True, prints_badges=True, sort_order=0)
    session.add(point)
    session.flush()
    return point


def default_point(session: Session, event: Event) -> CheckinPoint:
    """The event's 受付. New events get it when created; one made before check-in existed got it from the
    migration, so this creates it only for an event that somehow lacks one."""
    point = session.scalar(select(CheckinPoint).where(CheckinPoint.event_id == event.id,
                                                      CheckinPoint.is_default.is_(True)))
    return point or create_default_point(session, event)


def points_of(session: Session, event: Event) -> list[CheckinPoint]:
    return list(session.scalars(select(CheckinPoint).where(CheckinPoint.event_id == event.id)
                                .order_by(CheckinPoint.sort_order, CheckinPoint.id)))


def point_named(session: Session, event: Event, code: str | None) -> CheckinPoint | None:
    """The event's point with this code; no code: its default point."""
    if not code:
        return default_point(session, event)
    return session.scalar(select(CheckinPoint).where(CheckinPoint.event_id == event.id, CheckinPoint.code == code))


class PointCodeTaken(Exception):
    pass


def create_point(session: Session, event: Event, *, code: str, name_ja: str, name_en: str = "",
                 kind: PointKind = PointKind.DOOR, allowed_categories: list[str] | None = None,
                 party_only: bool = False, prints_badges: bool = False) -> CheckinPoint:
    if session.scalar(select(CheckinPoint.id).where(CheckinPoint.event_id == event.id, CheckinPoint.code == code)):
        raise PointCodeTaken(code)
    order = session.scalar(select(func.coalesce(func.max(CheckinPoint.sort_order), 0))
                           .where(CheckinPoint.event_id == event.id)) or 0
    point = CheckinPoint(event_id=event.id, code=code, name_ja=name_ja, name_en=name_en, kind=kind,
                         allowed_categories=",".join(allowed_categories or []), party_only=party_only,
                         prints_badges=prints_badges, is_default=False, sort_order=order + 1)
    session.add(point)
    session.flush()
    return point


def _give_new_event_its_point(event: Event, *, session: Session, **_: Any) -> None:
    create_default_point(session, event)


def listen_to_event_changes() -> None:
    """Wired by create_app: every new event gets its 受付 point in the transaction that creates it."""
    event_created.connect(_give_new_event_its_point, weak=False)


# --- devices --------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def pairing_url(base_url: str, token: str) -> str:
    """What the pairing QR code holds: the scanner page, with the token in the fragment (never sent to a
    server, so it stays out of access logs)."""
    return f"{base_url.rstrip('/')}/scan/pair#{token}"


class DeviceNameInvalid(Exception):
    pass


def create_device(session: Session, event: Event, *, name: str, point: CheckinPoint | None, created_by: str,
                  now: datetime) -> tuple[CheckinDevice, str]:
    """A new device and its token, which is shown once: only its SHA-256 is kept."""
    name = name.strip()
    if not name or len(name) > DEVICE_NAME_MAX_LENGTH:
        raise DeviceNameInvalid(name)
    point = point or default_point(session, event)
    if point.event_id != event.id:
        raise ValueError("the point belongs to another event")
    token = secrets.token_urlsafe(32)
    device = CheckinDevice(event_id=event.id, point_id=point.id, name=name, token_hash=hash_token(token),
                           created_by=created_by[:120], created_at=now)
    session.add(device)
    session.flush()
    return device, token


def revoke_device(session: Session, device: CheckinDevice, *, now: datetime) -> None:
    if device.revoked_at is None:
        device.revoked_at = now
    session.flush()


def devices_of(session: Session, event: Event) -> list[CheckinDevice]:
    return list(session.scalars(select(CheckinDevice).where(CheckinDevice.event_id == event.id)
                                .options(joinedload(CheckinDevice.point)).order_by(CheckinDevice.id)))


class DeviceRefused(Exception):
    """No device has this token (`reason` "unauthorized"), or it was revoked ("revoked")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CheckinClosed(Exception):
    """Check-in at the device's point is closed: by an organiser, or because the event's day is over."""


def checkin_closed(point: CheckinPoint, event: Event, *, now: datetime) -> bool:
    """Closed by an organiser, or the day after the event (Tokyo) has begun: devices then drop their roster."""
    if point.closed_at is not None:
        return True
    return now >= datetime.combine(event.event_date + timedelta(days=1), time(0), TOKYO)


def device_for_token(session: Session, token: str | None) -> CheckinDevice:
    """The device behind a bearer token; DeviceRefused when there is none or it was revoked."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise DeviceRefused("unauthorized")
    device = session.scalar(select(CheckinDevice).where(CheckinDevice.token_hash == hash_token(token))
                            .options(joinedload(CheckinDevice.event), joinedload(CheckinDevice.point)))
    if device is None:
        raise DeviceRefused("unauthorized")
    if device.revoked_at is not None:
        raise DeviceRefused("revoked")
    return device


# --- what a scan may be ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    problem: str  # missing, wrong_type, too_long, unreadable, out_of_range, in_the_future, before_registration, …


class InvalidScan(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ScanRequest:
    nonce: str
    direction: Direction
    scanned_at: datetime
    code: str | None = None
    registration_id: int | None = None
    queued: bool = False
    # What the device told the staff when it decided offline from its roster (queued scans only).
    offline_verdict: str | None = None

    @property
    def digest(self) -> str:
        """What the nonce stands for: the same nonce with another code, id or direction is a reuse."""
        asked = f"code:{self.code}" if self.code is not None else f"id:{self.registration_id}"
        return hashlib.sha256(f"{asked}|{self.direction.value}".encode()).hexdigest()


def parse_scan(payload: object, *, event: Event, now: datetime) -> ScanRequest:
    """A scan from the device's JSON, every field checked; InvalidScan lists all that is wrong."""
    if not isinstance(payload, dict):
        raise InvalidScan([Problem("body", "not_an_object")])
    problems: list[Problem] = []
    code, registration_id = payload.get("code"), payload.get("registration_id")
    if code is None and registration_id is None:
        problems.append(Problem("code", "missing"))
    elif code is not None and registration_id is not None:
        problems.append(Problem("registration_id", "both_given"))
    elif code is not None:
        if not isinstance(code, str):
            problems.append(Problem("code", "wrong_type"))
        else:
            code = code.strip()
            if not code:
                problems.append(Problem("code", "missing"))
            elif len(code) > CODE_MAX_LENGTH:
                problems.append(Problem("code", "too_long"))
            elif not _CODE.match(code):
                problems.append(Problem("code", "unreadable"))
    else:
        if isinstance(registration_id, float) and registration_id.is_integer():
            registration_id = int(registration_id)  # 12.0 is an integer to JSON Schema (and to JavaScript)
        if isinstance(registration_id, bool) or not isinstance(registration_id, int):
            problems.append(Problem("registration_id", "wrong_type"))
        elif not 1 <= registration_id <= MAX_REGISTRATION_ID:
            problems.append(Problem("registration_id", "out_of_range"))

    nonce = payload.get("nonce")
    if nonce is None:
        problems.append(Problem("nonce", "missing"))
    elif not isinstance(nonce, str):
        problems.append(Problem("nonce", "wrong_type"))
    elif not NONCE_PATTERN.match(nonce):
        problems.append(Problem("nonce", "malformed"))

    direction = payload.get("direction")
    if direction is None:
        problems.append(Problem("direction", "missing"))
    elif not isinstance(direction, str):
        problems.append(Problem("direction", "wrong_type"))
    elif direction not in {d.value for d in Direction}:
        problems.append(Problem("direction", "unknown"))

    scanned_at = _scanned_at(payload.get("scanned_at"), event=event, now=now, problems=problems)

    queued = payload.get("queued", False)
    if not isinstance(queued, bool):
        problems.append(Problem("queued", "wrong_type"))
    offline_verdict = payload.get("offline_verdict")
    if offline_verdict is not None and offline_verdict not in OFFLINE_VERDICTS:
        problems.append(Problem("offline_verdict", "unknown" if isinstance(offline_verdict, str) else "wrong_type"))

    if problems:
        raise InvalidScan(problems)
    assert isinstance(nonce, str) and isinstance(direction, str) and scanned_at is not None
    return ScanRequest(nonce=nonce, direction=Direction(direction), scanned_at=scanned_at,
                       code=code if isinstance(code, str) else None,
                       registration_id=registration_id if isinstance(registration_id, int) else None,
                       queued=bool(queued), offline_verdict=offline_verdict if queued else None)


def _scanned_at(raw: object, *, event: Event, now: datetime, problems: list[Problem]) -> datetime | None:
    """ISO 8601 with an offset (a time without a zone could be anywhere), not ahead of the server by more
    than CLOCK_SKEW, not before the event's registration opened (a phone whose clock reset to 1970)."""
    if raw is None:
        problems.append(Problem("scanned_at", "missing"))
        return None
    if not isinstance(raw, str):
        problems.append(Problem("scanned_at", "wrong_type"))
        return None
    if len(raw) > SCANNED_AT_MAX_LENGTH:
        problems.append(Problem("scanned_at", "too_long"))
        return None
    try:
        value = datetime.fromisoformat(raw.upper())  # RFC 3339 allows a lower-case t and z
    except ValueError:
        problems.append(Problem("scanned_at", "malformed"))
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        problems.append(Problem("scanned_at", "no_offset"))
        return None
    if value > now + CLOCK_SKEW:
        problems.append(Problem("scanned_at", "in_the_future"))
        return None
    if value < event.registration_opens_at:
        problems.append(Problem("scanned_at", "before_registration"))
        return None
    return value


# --- scanning -------------------------------------------------------------------------------------------


class NonceReused(Exception):
    """The device sent this nonce before, for another code, id or direction."""

    def __init__(self, entry: CheckinEntry) -> None:
        super().__init__(entry.nonce)
        self.entry = entry


@dataclass
class ScanOutcome:
    entry: CheckinEntry
    replayed: bool = False  # the nonce was seen: this is the first answer again, nothing new was recorded

    @property
    def ok(self) -> bool:
        return self.entry.result == EntryResult.OK

    @property
    def reason(self) -> str | None:
        return self.entry.reason

    @property
    def registration(self) -> Registration | None:
        return self.entry.registration

    @property
    def first_entry(self) -> CheckinEntry | None:
        """The person's first admission at the point, if any (this entry, when it was that)."""
        return self.entry if self.entry.first_in else self.entry.first_entry


def record_scan(session: Session, device: CheckinDevice, scan: ScanRequest, *, now: datetime) -> ScanOutcome:
    """Decide and record one scan (see the module's docstring for why it is admitted exactly once).

    A nonce seen before from this device gives the first answer again and records nothing; the same nonce
    for something else raises NonceReused. The caller commits."""
    device = session.execute(lock_for_update(select(CheckinDevice).where(CheckinDevice.id == device.id))
                             .execution_options(populate_existing=True)).scalar_one()  # a revocation meanwhile
    if device.revoked_at is not None:
        raise DeviceRefused("revoked")
    earlier = _entry_for_nonce(session, device, scan.nonce)
    if earlier is not None:
        return _replay(earlier, scan)
    device.last_seen_at = now

    registration, reason = _who(session, device, scan)
    entry = CheckinEntry(event_id=device.event_id, point_id=device.point_id, device_id=device.id,
                         registration_id=registration.id if registration else None, direction=scan.direction,
                         scanned_at=scan.scanned_at, recorded_at=now, nonce=scan.nonce,
                         request_digest=scan.digest, queued=scan.queued)
    if registration is not None and reason is None:
        reason = _admit(session, device.point, registration, scan, entry)
    entry.result = EntryResult.REFUSED if reason else EntryResult.OK
    entry.reason = reason.value if reason else None
    entry.flagged = _offline_mistake(scan, reason)
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError as conflict:  # the savepoint is rolled back; the locks taken before it are kept
        outcome = _after_conflict(session, device, registration, scan, now=now)
        if outcome is None:
            raise conflict
        return outcome
    return ScanOutcome(entry)


def _offline_mistake(scan: ScanRequest, reason: Reason | None) -> bool:
    """A queued scan where the device and the server disagree on letting the person through: let in offline
    against the rules (a second admission on another offline device, a cancelled person), or turned away
    offline though the server would have admitted them. An organiser should look at it."""
    if not scan.queued:
        return False
    let_through_offline = (scan.offline_verdict or "ok") == "ok"  # a queue that does not say: it let them in
    return let_through_offline != (reason is None)


def _entry_for_nonce(session: Session, device: CheckinDevice, nonce: str) -> CheckinEntry | None:
    return session.scalar(select(CheckinEntry).where(CheckinEntry.device_id == device.id, CheckinEntry.nonce == nonce))


def _replay(earlier: CheckinEntry, scan: ScanRequest) -> ScanOutcome:
    if earlier.request_digest != scan.digest:
        raise NonceReused(earlier)
    return ScanOutcome(earlier, replayed=True)


def _who(session: Session, device: CheckinDevice, scan: ScanRequest) -> tuple[Registration | None, Reason | None]:
    """The registration the scan names, locked; or the reason there is none to admit."""
    if scan.code is not None:
        found_id = session.scalar(select(Registration.id).where(Registration.token == scan.code))
        if found_id is None:
            retired = session.scalar(select(RetiredToken.registration_id).where(RetiredToken.token == scan.code))
            if retired is None:
                return None, Reason.INVALID
            registration = session.get(Registration, retired)
            if registration is None or registration.event_id != device.event_id:
                return None, Reason.INVALID if registration is None else Reason.WRONG_EVENT
            return registration, Reason.REISSUED
    else:
        found_id = scan.registration_id
    registration = session.execute(lock_for_update(select(Registration).where(Registration.id == found_id))
                                   .execution_options(populate_existing=True)).scalar_one_or_none()
    if registration is None:
        return None, Reason.INVALID
    if registration.event_id != device.event_id:
        return None, Reason.WRONG_EVENT
    return registration, _refusal_at(device.point, registration)


def _admit(session: Session, point: CheckinPoint, registration: Registration, scan: ScanRequest,
           entry: CheckinEntry) -> Reason | None:
    """In after out (or first in), out after in; anything else is refused. The registration is locked."""
    last = _last_accepted(session, point.id, registration.id)
    first = session.scalar(select(CheckinEntry).where(CheckinEntry.registration_id == registration.id,
                                                      CheckinEntry.point_id == point.id,
                                                      CheckinEntry.first_in.is_(True)))
    entry.first_entry = first
    if scan.direction == Direction.IN:
        if last is None:
            entry.first_in = True
            return None
        return Reason.ALREADY_CHECKED_IN if last.direction == Direction.IN else None
    if last is None:
        return Reason.NOT_CHECKED_IN
    return Reason.ALREADY_CHECKED_OUT if last.direction == Direction.OUT else None


def _last_accepted(session: Session, point_id: int, registration_id: int) -> CheckinEntry | None:
    return session.scalar(select(CheckinEntry).where(
        CheckinEntry.registration_id == registration_id, CheckinEntry.point_id == point_id,
        CheckinEntry.result == EntryResult.OK).order_by(CheckinEntry.id.desc()).limit(1))


def _after_conflict(session: Session, device: CheckinDevice, registration: Registration | None, scan: ScanRequest,
                    *, now: datetime) -> ScanOutcome | None:
    """The insert broke a unique constraint: the nonce was recorded meanwhile (a retry that overtook), or —
    only if the lock was somehow bypassed — someone else's first admission won. Answer as if we had waited."""
    earlier = _entry_for_nonce(session, device, scan.nonce)
    if earlier is not None:
        return _replay(earlier, scan)
    if registration is None:
        return None
    first = session.scalar(select(CheckinEntry).where(CheckinEntry.registration_id == registration.id,
                                                      CheckinEntry.point_id == device.point_id,
                                                      CheckinEntry.first_in.is_(True)))
    if first is None:  # not the first admission's constraint: a real error
        return None
    entry = CheckinEntry(event_id=device.event_id, point_id=device.point_id, device_id=device.id,
                         registration_id=registration.id, direction=scan.direction, scanned_at=scan.scanned_at,
                         recorded_at=now, nonce=scan.nonce, request_digest=scan.digest, queued=scan.queued,
                         result=EntryResult.REFUSED, reason=Reason.ALREADY_CHECKED_IN.value, first_entry=first,
                         flagged=_offline_mistake(scan, Reason.ALREADY_CHECKED_IN))
    session.add(entry)
    session.flush()
    return ScanOutcome(entry)


# --- finding people without their code ------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    registration: Registration
    inside: bool  # at the device's point, now
    first_entry: CheckinEntry | None


def search_attendees(session: Session, event: Event, query: str, *, point: CheckinPoint,
                     limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Registrations of the event matching every word of the query in the name, furigana (ひらがな finds
    カタカナ), company or 受付番号, in 五十音 order; with where each stands at the point."""
    filters = RegistrationFilters.clean(q=query)
    if not filters.q:
        return []
    people = list(session.scalars(filtered_statement(event, filters)
                                  .options(joinedload(Registration.category), joinedload(Registration.group))
                                  .order_by(Registration.sort_key, Registration.id).limit(limit)))
    state = _standing_at(session, point, [person.id for person in people])
    return [SearchHit(person, inside=state.inside(person.id), first_entry=state.first.get(person.id))
            for person in people]


@dataclass(frozen=True)
class _Standing:
    """Where some people stand at a point: their last accepted entry and their first admission."""

    last: dict[int, CheckinEntry]
    first: dict[int, CheckinEntry]

    def inside(self, registration_id: int) -> bool:
        last = self.last.get(registration_id)
        return last is not None and last.direction == Direction.IN


def _standing_at(session: Session, point: CheckinPoint, registration_ids: list[int] | None) -> _Standing:
    """In three queries, however many people (None: everyone who has an entry at the point)."""
    accepted = [CheckinEntry.point_id == point.id, CheckinEntry.result == EntryResult.OK]
    if registration_ids is not None:
        if not registration_ids:
            return _Standing({}, {})
        accepted.append(CheckinEntry.registration_id.in_(registration_ids))
    last_ids = (select(func.max(CheckinEntry.id)).where(*accepted).group_by(CheckinEntry.registration_id))
    last = session.scalars(select(CheckinEntry).where(CheckinEntry.id.in_(last_ids)))
    first = session.scalars(select(CheckinEntry).where(*accepted, CheckinEntry.first_in.is_(True))
                            .options(joinedload(CheckinEntry.device)))
    return _Standing(last={e.registration_id: e for e in last if e.registration_id is not None},
                     first={e.registration_id: e for e in first if e.registration_id is not None})


# --- undoing the last scan -------------------------------------------------------------------------------


class UndoRefused(Exception):
    def __init__(self, entry: CheckinEntry) -> None:
        super().__init__(entry.id)
        self.entry = entry


def entry_of_device(session: Session, device: CheckinDevice, entry_id: int) -> CheckinEntry | None:
    entry = session.get(CheckinEntry, entry_id) if 1 <= entry_id <= MAX_REGISTRATION_ID else None
    return entry if entry is not None and entry.device_id == device.id else None


def undo_scan(session: Session, device: CheckinDevice, entry: CheckinEntry, *, now: datetime) -> CheckinEntry:
    """Take back an admission (or exit) the device made by mistake: the wrong person, a slip of the
    thumb. Only the device's own, within UNDO_WINDOW, and only the person's last entry at the point; undoing
    twice is the same as once. Locks like a scan, so it cannot interleave with another scan of the person."""
    device = session.execute(lock_for_update(select(CheckinDevice).where(CheckinDevice.id == device.id))
                             .execution_options(populate_existing=True)).scalar_one()
    if device.revoked_at is not None:
        raise DeviceRefused("revoked")
    if entry.result == EntryResult.UNDONE:
        return entry
    if entry.result != EntryResult.OK or entry.registration_id is None or now - entry.recorded_at > UNDO_WINDOW:
        raise UndoRefused(entry)
    session.execute(lock_for_update(select(Registration.id).where(Registration.id == entry.registration_id)))
    session.refresh(entry)
    last = _last_accepted(session, entry.point_id, entry.registration_id)
    if last is None or last.id != entry.id:
        raise UndoRefused(entry)
    entry.result, entry.first_in, entry.undone_at = EntryResult.UNDONE, False, now
    session.flush()
    return entry


# --- the roster a device keeps for offline verdicts --------------------------------------------------------

# Changes are sent again for this long before the cursor: a transaction that began before the last read
# may commit after it, with times (updated_at, recorded_at) just before the cursor.
ROSTER_OVERLAP = timedelta(minutes=2)


@dataclass(frozen=True)
class RosterPerson:
    registration: Registration
    code_hashes: list[str]
    retired_code_hashes: list[str]
    refusal: Reason | None  # why a scan would be refused whatever the entries say (None: admissible)
    inside: bool
    first_entry: CheckinEntry | None

    @property
    def search_text(self) -> str:
        """What the device matches typed words against: lower case, katakana readings (ひらがな typed is
        turned into katakana by the device), no spaces inside names."""
        r = self.registration
        parts = (r.family_name + r.given_name, r.family_kana + r.given_kana, r.company_name, r.company_kana,
                 r.receipt_code, r.romaji.replace(" ", ""))
        return to_katakana_reading(" ".join(normalize_text(part) for part in parts if part)).lower()


@dataclass(frozen=True)
class Roster:
    people: list[RosterPerson]
    cursor: str
    full: bool


def _point_terms(point: CheckinPoint) -> str:
    """Who the point admits: when it changes, every device needs the whole roster again."""
    return hashlib.sha256(f"{point.id}|{point.allowed_categories}|{point.party_only}".encode()).hexdigest()[:16]


def _roster_cursor(point: CheckinPoint, at: datetime) -> str:
    return f"{_point_terms(point)}.{int(at.timestamp() * 1000)}"


def _cursor_time(point: CheckinPoint, cursor: str | None, *, now: datetime) -> datetime | None:
    """The time a cursor stands for; None (send everything) for no cursor, a garbled or foreign one, one
    from before the point's terms changed, or one from the future."""
    terms, _, millis = (cursor or "").partition(".")
    if terms != _point_terms(point) or not millis.isdigit() or len(millis) > 15:
        return None
    at = datetime.fromtimestamp(int(millis) / 1000, tz=TOKYO)
    return at if at <= now + CLOCK_SKEW else None


def _refusal_at(point: CheckinPoint, registration: Registration) -> Reason | None:
    if registration.status == RegistrationStatus.CANCELLED:
        return Reason.CANCELLED
    if registration.status == RegistrationStatus.WAITLISTED:
        return Reason.WAITLISTED
    if point.party_only and not registration.attends_party:
        return Reason.NOT_ON_LIST
    if point.allowed_category_codes and registration.category.code.value not in point.allowed_category_codes:
        return Reason.NOT_ON_LIST
    return None


def roster(session: Session, device: CheckinDevice, *, since: str | None, now: datetime) -> Roster:
    """Everyone of the event (a full roster), or those who changed since the cursor: what the door needs to
    decide offline, and nothing more (no mail, phone or address; codes only as SHA-256)."""
    point = device.point
    since_at = _cursor_time(point, since, now=now)
    statement = (select(Registration).where(Registration.event_id == device.event_id)
                 .options(joinedload(Registration.category), joinedload(Registration.group))
                 .order_by(Registration.id))
    if since_at is not None:
        after = since_at - ROSTER_OVERLAP
        scanned = select(CheckinEntry.registration_id).where(
            CheckinEntry.point_id == point.id,
            or_(CheckinEntry.recorded_at >= after, CheckinEntry.undone_at >= after))
        reissued = select(RetiredToken.registration_id).where(RetiredToken.retired_at >= after)
        statement = statement.where(or_(Registration.updated_at >= after, Registration.id.in_(scanned),
                                        Registration.id.in_(reissued)))
    people = list(session.scalars(statement))
    ids = [person.id for person in people] if since_at is not None else None
    retired: dict[int, list[str]] = {}
    retired_rows = select(RetiredToken.registration_id, RetiredToken.token).join(
        Registration, Registration.id == RetiredToken.registration_id).where(Registration.event_id == device.event_id)
    if ids is not None:
        retired_rows = retired_rows.where(RetiredToken.registration_id.in_(ids or [0]))
    for registration_id, token in session.execute(retired_rows):
        retired.setdefault(registration_id, []).append(hash_token(token))
    state = _standing_at(session, point, ids)
    return Roster(people=[RosterPerson(person, code_hashes=[hash_token(person.token)],
                                       retired_code_hashes=retired.get(person.id, []),
                                       refusal=_refusal_at(point, person), inside=state.inside(person.id),
                                       first_entry=state.first.get(person.id))
                          for person in people],
                  cursor=_roster_cursor(point, now), full=since_at is None)


# --- arrivals ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointArrivals:
    point_id: int
    code: str
    name_ja: str
    name_en: str
    arrived: int  # people admitted at least once here
    inside: int  # people whose last accepted entry here is "in"


@dataclass(frozen=True)
class ArrivalsSummary:
    registered: int  # confirmed registrations
    arrived: int  # people admitted at any point
    inside: int  # people inside at least one point now
    points: list[PointArrivals] = field(default_factory=list)


def arrivals_summary(session: Session, event: Event) -> ArrivalsSummary:
    registered = session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)) or 0
    accepted = and_(CheckinEntry.event_id == event.id, CheckinEntry.result == EntryResult.OK)
    last_ids = (select(func.max(CheckinEntry.id).label("id")).where(accepted)
                .group_by(CheckinEntry.registration_id, CheckinEntry.point_id).subquery())
    inside_rows = session.execute(select(CheckinEntry.point_id, CheckinEntry.registration_id)
                                  .join(last_ids, CheckinEntry.id == last_ids.c.id)
                                  .where(CheckinEntry.direction == Direction.IN)).all()
    first_rows = session.execute(select(CheckinEntry.point_id, CheckinEntry.registration_id)
                                 .where(accepted, CheckinEntry.first_in.is_(True))).all()
    arrived_at, inside_at = Counter(row.point_id for row in first_rows), Counter(row.point_id for row in inside_rows)
    points = [PointArrivals(point_id=point.id, code=point.code, name_ja=point.name_ja, name_en=point.name_en,
                            arrived=arrived_at[point.id], inside=inside_at[point.id])
              for point in points_of(session, event)]
    return ArrivalsSummary(registered=registered, arrived=len({row.registration_id for row in first_rows}),
                           inside=len({row.registration_id for row in inside_rows}), points=points)
