"""Registration rules: capacity, the waiting list (補欠), cancellation, promotion and edits.

Capacity is guarded by locking the event row (see eventapp.db) before counting, so two requests
racing for the last seat are served one after the other and the second sees the first's seat.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventapp.events.models import Event, EventCategory, EventStatus, RegistrationWindow
from eventapp.events.services import lock_event
from eventapp.events.signals import seats_changed
from eventapp.registration import notifications
from eventapp.registration.errors import (
    AlreadyRegistered,
    CategoryNotOffered,
    EditingClosed,
    EmailTaken,
    NotCancellable,
    RegistrationCancelled,
    RegistrationNotOpen,
)
from eventapp.registration.models import (
    Registration,
    RegistrationChange,
    RegistrationSource,
    RegistrationStatus,
)
from eventapp.text import email_key, gojuon_sort_key

TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)
TOKEN_LENGTH = 32  # 32 × log2(31) ≈ 158 bits


@dataclass
class RegistrationAnswers:
    """What a person tells us; already normalised by the form or the importer."""

    category_code: str
    family_name: str
    given_name: str
    family_kana: str
    given_kana: str
    email: str
    romaji: str = ""
    company_name: str = ""
    company_kana: str = ""
    department: str = ""
    job_title: str = ""
    industry_code: str = ""
    employees_band: str = ""
    group_id: int | None = None
    phone: str = ""
    postcode: str = ""
    address: str = ""
    attends_party: bool = False
    message: str = ""
    consent_privacy: bool = False
    consent_share_with_exhibitors: bool = False
    consent_name_in_programme: bool = False
    consent_lead_scanning: bool = False
    locale: str = "ja"

    @classmethod
    def of(cls, registration: Registration) -> RegistrationAnswers:
        values = {f.name: getattr(registration, f.name) for f in fields(cls) if f.name != "category_code"}
        return cls(category_code=registration.category.code.value, **values)


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool  # False when the same form was submitted twice


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


# --- counting ----------------------------------------------------------------------------------


def confirmed_count(session: Session, event: Event, category: EventCategory | None = None) -> int:
    stmt = select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    if category is not None:
        stmt = stmt.where(Registration.category_id == category.id)
    return session.scalar(stmt) or 0


def seats_left(session: Session, event: Event) -> int:
    return max(event.capacity - confirmed_count(session, event), 0)


def category_seats_left(session: Session, event: Event, category: EventCategory) -> int:
    left = seats_left(session, event)
    if category.capacity is None:
        return left
    return min(left, max(category.capacity - confirmed_count(session, event, category), 0))


def registration_window(session: Session, event: Event, *, now: datetime) -> RegistrationWindow:
    if event.status == EventStatus.DRAFT:
        return RegistrationWindow.NOT_PUBLISHED
    if event.status == EventStatus.CLOSED or now >= event.registration_closes_at:
        return RegistrationWindow.CLOSED
    if now < event.registration_opens_at:
        return RegistrationWindow.NOT_YET_OPEN
    if not any(category.is_open for category in event.categories):
        return RegistrationWindow.CLOSED  # the public form would offer nothing to choose
    if seats_left(session, event) == 0:
        return RegistrationWindow.FULL
    return RegistrationWindow.OPEN


# --- registering -------------------------------------------------------------------------------


def register(
    session: Session,
    event: Event,
    *,
    answers: RegistrationAnswers,
    now: datetime,
    submission_id: str | None = None,
    source: RegistrationSource = RegistrationSource.WEB,
    actor: str = "attendee",
    notify: bool = True,
) -> RegistrationOutcome:
    """Register one person: a seat if there is one, else the waiting list, in arrival order."""
    if source == RegistrationSource.WEB:
        window = registration_window(session, event, now=now)
        if window not in (RegistrationWindow.OPEN, RegistrationWindow.FULL):
            raise RegistrationNotOpen(window)
    event = lock_event(session, event)
    if submission_id:
        earlier = session.scalar(select(Registration).where(Registration.submission_id == submission_id))
        if earlier is not None:
            return RegistrationOutcome(earlier, created=False)

    category = _category(session, event, answers.category_code, public_only=source == RegistrationSource.WEB)
    existing = session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email_key == email_key(answers.email))
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered(existing)

    registration = existing or Registration(
        event=event,
        token=new_token(),
        manage_secret=secrets.token_urlsafe(24),
        receipt_code=_unused_receipt_code(session, event),
        badge_serial=_next_badge_serial(session, event),
        source=source,
        created_at=now,
    )
    registration.submission_id = submission_id
    registration.category = category
    _apply_answers(registration, answers)
    if source == RegistrationSource.WALK_IN:  # at the door, in front of the staff: the hall decides, not the count
        _confirm(registration, now=now)
    else:
        _take_seat_or_queue(session, registration, now=now)
    session.add(registration)
    session.flush()
    _log(session, registration, actor=actor, action="re-registered" if existing else "registered", at=now,
         details={"status": registration.status.value, "source": source.value})
    if notify:
        notifications.queue_registration_received(session, registration)
    return RegistrationOutcome(registration, created=True)


def _category(session: Session, event: Event, code: str, *, public_only: bool) -> EventCategory:
    category = session.scalar(
        select(EventCategory).where(EventCategory.event_id == event.id, EventCategory.code == code)
    )
    if category is None or (public_only and not category.is_open):
        raise CategoryNotOffered(code)
    return category


def _unused_receipt_code(session: Session, event: Event) -> str:
    while True:
        code = f"{secrets.randbelow(900_000) + 100_000}"
        taken = session.scalar(
            select(Registration.id).where(Registration.event_id == event.id, Registration.receipt_code == code)
        )
        if taken is None:
            return code


def _next_badge_serial(session: Session, event: Event) -> int:
    """Numbers badges 1, 2, 3 … per event; the caller holds the event lock."""
    last = session.scalar(select(func.max(Registration.badge_serial)).where(Registration.event_id == event.id))
    return (last or 0) + 1


def _confirm(registration: Registration, *, now: datetime) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.waitlisted_at = None
    registration.cancelled_at = None


def _take_seat_or_queue(session: Session, registration: Registration, *, now: datetime) -> None:
    session.flush()  # so counts below do not include this registration as it was
    if category_seats_left(session, registration.event, registration.category) > 0:
        _confirm(registration, now=now)
        return
    last = session.scalar(select(func.max(Registration.queue_number))
                          .where(Registration.event_id == registration.event.id))
    registration.status = RegistrationStatus.WAITLISTED
    registration.waitlisted_at = now
    registration.queue_number = (last or 0) + 1
    registration.confirmed_at = None
    registration.cancelled_at = None


def _apply_answers(registration: Registration, answers: RegistrationAnswers) -> dict[str, list[Any]]:
    changed: dict[str, list[Any]] = {}
    for name, value in asdict(answers).items():
        if name == "category_code":
            continue
        old = getattr(registration, name, None)
        if old != value:
            changed[name] = [old, value]
            setattr(registration, name, value)
    # A walk-in may give no address: a key no address can have keeps them apart (one per person).
    registration.email_key = email_key(answers.email) or f"no-email:{registration.token}"
    registration.sort_key = gojuon_sort_key(f"{answers.family_kana}{answers.given_kana}")
    return changed


def _log(session: Session, registration: Registration, *, actor: str, action: str, at: datetime,
         details: dict[str, Any] | None = None) -> None:
    session.add(RegistrationChange(
        registration=registration, actor=actor, action=action, at=at,
        details=json.dumps(details or {}, ensure_ascii=False, default=str),
    ))


# --- changing, cancelling, promoting ------------------------------------------------------------


def update_answers(
    session: Session, registration: Registration, *, answers: RegistrationAnswers, now: datetime, actor: str,
    by_organiser: bool = False,
) -> dict[str, list[Any]]:
    """Change answers. Attendees may do so until the event's edit deadline; organisers any time.
    A change of 参加区分 by an organiser goes through capacity again."""
    if not by_organiser and registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationCancelled()
    if not by_organiser and now >= registration.event.effective_edit_deadline:
        raise EditingClosed()
    event = lock_event(session, registration.event)
    other = session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.email_key == email_key(answers.email),
        Registration.id != registration.id,
    ))
    if other is not None:
        raise EmailTaken()
    changed = _apply_answers(registration, answers)
    if by_organiser and answers.category_code != registration.category.code.value:
        new_category = _category(session, event, answers.category_code, public_only=False)
        changed["category"] = [registration.category.code.value, new_category.code.value]
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        was_waitlisted = registration.status == RegistrationStatus.WAITLISTED
        registration.category = new_category
        if registration.status != RegistrationStatus.CANCELLED:
            registration.status = RegistrationStatus.WAITLISTED  # gives up its seat before re-taking one
            _take_seat_or_queue(session, registration, now=now)
        if was_waitlisted and registration.status == RegistrationStatus.CONFIRMED:
            # A seat in the new category: the person needs their QR code and ticket, as on any promotion.
            session.flush()
            notifications.queue_promoted(session, registration)
        if was_confirmed:
            promote_waitlisted(session, event, now=now)
    if changed:
        _log(session, registration, actor=actor, action="updated", at=now, details=changed)
    session.flush()
    return changed


def cancel(
    session: Session, registration: Registration, *, now: datetime, actor: str,
    by_organiser: bool = False,
) -> list[Registration]:
    """Cancel; a freed seat goes to the first in line, who is told by e-mail. Returns those promoted."""
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    if not by_organiser and now >= registration.event.ends_at:
        raise NotCancellable()
    event = lock_event(session, registration.event)
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:  # type: ignore[comparison-overlap]  # refreshed
        return []
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    _log(session, registration, actor=actor, action="cancelled", at=now)
    session.flush()
    notifications.queue_cancelled(session, registration)
    return promote_waitlisted(session, event, now=now)


def restore(session: Session, registration: Registration, *, now: datetime, actor: str) -> None:
    """Undo a cancellation (organisers): a seat if one is free, else the end of the waiting list."""
    if registration.status != RegistrationStatus.CANCELLED:
        return
    lock_event(session, registration.event)
    session.refresh(registration)  # another request may have restored it while we waited for the lock
    if registration.status != RegistrationStatus.CANCELLED:
        return
    _take_seat_or_queue(session, registration, now=now)
    _log(session, registration, actor=actor, action="restored", at=now,
         details={"status": registration.status.value})
    session.flush()
    notifications.queue_registration_received(session, registration)


def promote_waitlisted(session: Session, event: Event, *, now: datetime) -> list[Registration]:
    """Fill free seats from the waiting list in the order people joined it. Call with the event locked."""
    promoted: list[Registration] = []
    waiting = session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queue_number)
    ).all()
    for candidate in waiting:
        if seats_left(session, event) == 0:
            break
        if category_seats_left(session, event, candidate.category) == 0:
            continue
        candidate.status = RegistrationStatus.CONFIRMED
        candidate.confirmed_at = now
        session.flush()
        _log(session, candidate, actor="system", action="promoted", at=now)
        notifications.queue_promoted(session, candidate)
        promoted.append(candidate)
    return promoted


def waitlist_position(session: Session, registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == registration.event_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.queue_number < registration.queue_number,
    ))
    return (ahead or 0) + 1


def _fill_seats_from_waiting_list(event: Event, *, session: Session, now: datetime) -> None:
    promote_waitlisted(session, event, now=now)


def listen_to_event_changes() -> None:
    """More seats in an event (an organiser raised a capacity) go to the waiting list at once."""
    seats_changed.connect(_fill_seats_from_waiting_list, weak=False)
