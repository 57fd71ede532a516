"""The last seats, fought over by many submissions in the same instant, on SQLite and PostgreSQL.

Each competitor is a real thread with its own session and connection; a barrier releases them together.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.db import db, utcnow, write_transactions
from eventapp.events.models import CategoryCode, Event
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.registration.services import cancel, register
from tests.helpers import BASE_URL, answers, make_event, make_registration

COMPETITORS = 12


def _race(app, event_id: int, people: range, category: str = "general") -> list[BaseException]:
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as session:
                barrier.wait(timeout=30)
                event = session.get(Event, event_id)
                register(session, event, answers=answers(n, category_code=category), now=utcnow(),
                         base_url=BASE_URL)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_last_seats_never_overbooked_and_waitlist_keeps_order(app, session):
    event = make_event(session, capacity=5)
    for n in range(3):  # 2 seats left
        make_registration(session, event, n=100 + n)
    errors = _race(app, event.id, range(COMPETITORS))
    assert errors == []
    session.rollback()  # end the snapshot this session read before the race
    confirmed = session.scalars(select(Registration).where(Registration.status == RegistrationStatus.CONFIRMED)).all()
    waiting = session.scalars(select(Registration).where(Registration.status == RegistrationStatus.WAITLISTED)
                              .order_by(Registration.queue_number)).all()
    assert len(confirmed) == 5
    assert len(waiting) == COMPETITORS - 2
    # Everyone got a seat or a place in line, and the line is in order of arrival (id = commit order).
    assert [r.id for r in waiting] == sorted(r.id for r in waiting)
    assert [r.queue_number for r in waiting] == list(range(1, len(waiting) + 1))
    # Cancelling frees seats for the first in line, in order.
    first, second = waiting[0], waiting[1]
    cancel(session, confirmed[0], now=utcnow(), actor="attendee", base_url=BASE_URL)
    cancel(session, confirmed[1], now=utcnow(), actor="attendee", base_url=BASE_URL)
    session.commit()
    session.refresh(first)
    session.refresh(second)
    assert first.status == second.status == RegistrationStatus.CONFIRMED
    assert session.scalar(select(Registration).where(Registration.id == waiting[2].id)).status == \
        RegistrationStatus.WAITLISTED


def test_category_capacity_holds_under_race(app, session):
    event = make_event(session, capacity=100, category_capacities={CategoryCode.PRESS: 3})
    errors = _race(app, event.id, range(COMPETITORS), category="press")
    assert errors == []
    session.rollback()
    statuses = session.scalars(select(Registration.status)).all()
    assert statuses.count(RegistrationStatus.CONFIRMED) == 3
    assert statuses.count(RegistrationStatus.WAITLISTED) == COMPETITORS - 3


def test_concurrent_cancellations_promote_each_waiting_person_once(app, session):
    event = make_event(session, capacity=4)
    seated = [make_registration(session, event, n=n) for n in range(4)]
    waiting = [make_registration(session, event, n=10 + n) for n in range(6)]
    assert all(r.status == RegistrationStatus.WAITLISTED for r in waiting)
    barrier = threading.Barrier(len(seated))
    errors: list[BaseException] = []

    def cancel_one(registration_id: int) -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as own:
                barrier.wait(timeout=30)
                registration = own.get(Registration, registration_id)
                cancel(own, registration, now=utcnow(), actor="attendee", base_url=BASE_URL)
                own.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=cancel_one, args=(r.id,)) for r in seated]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    session.rollback()  # end the snapshot this session read before the race
    now_confirmed = session.scalars(select(Registration.id).where(
        Registration.status == RegistrationStatus.CONFIRMED).order_by(Registration.id)).all()
    assert now_confirmed == [r.id for r in waiting[:4]]
