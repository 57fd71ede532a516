"""Check-in entries written straight to the database, for the organisers' pages: many people fast, at the
times a test needs (the API's own tests go through the API)."""

from __future__ import annotations

import uuid
from datetime import datetime

from eventapp.checkin.models import CheckinEntry, Direction, EntryResult


def entry(session, device_id: int, point_id: int, registration, at: datetime, *, direction: Direction = Direction.IN,
          result: EntryResult = EntryResult.OK, first_in: bool = False, reason: str | None = None,
          queued: bool = False, flagged: bool = False, first_entry: CheckinEntry | None = None,
          recorded_at: datetime | None = None) -> CheckinEntry:
    row = CheckinEntry(event_id=registration.event_id, point_id=point_id, device_id=device_id,
                       registration_id=registration.id, direction=direction, scanned_at=at,
                       recorded_at=recorded_at or at, nonce=uuid.uuid4().hex, request_digest="0" * 64, result=result,
                       reason=reason, first_in=first_in, queued=queued, flagged=flagged, first_entry=first_entry)
    session.add(row)
    session.flush()
    return row


def many_people(session, event, count: int, *, now: datetime, start: int = 0, **overrides_of):
    """`count` confirmed registrations, committed once (make_registration commits and mails each one).
    `overrides_of(n)`-style keyword callables give per-person answers: category_code=lambda n: ..."""
    from eventapp.registration.models import RegistrationSource
    from eventapp.registration.services import register
    from tests.helpers import answers

    people = []
    for n in range(start, start + count):
        values = {key: make(n) for key, make in overrides_of.items()}
        people.append(register(session, event, answers=answers(n, **values), now=now, notify=False,
                               source=RegistrationSource.IMPORT).registration)
    session.commit()
    return people
