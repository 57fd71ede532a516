"""The last seats, fought over by many submissions in the same instant, on SQLite and PostgreSQL.

Each competitor is a real thread with its own session and connection; a barrier releases them together.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventapp.db import db, utcnow, write_transactions
from eventapp.events.models import CategoryCode, Event
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.registration.services import cancel, register
from tests.helpers import answers, make_event, make_registration

COMPETITORS = 12


def _race(app, event_id: int, people: range, category: str = "general") -> list[BaseException]:
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as session:
                barrier.wait(timeout=30)
                event = session.get(Event, event_id)
                register(session, event, answers=answers(n, category_code=category), now=utcnow())
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
    cancel(session, confirmed[0], now=utcnow(), actor="attendee")
    cancel(session, confirmed[1], now=utcnow(), actor="attendee")
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
                cancel(own, registration, now=utcnow(), actor="attendee")
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


def test_seats_opened_by_an_organiser_and_a_registration_never_overbook(app, session, monkeypatch):
    """Raising a category's capacity promotes from the waiting list; a registration for the event's last
    seat at the same moment must wait for it, not take the same seat (PostgreSQL has no BEGIN IMMEDIATE)."""
    from eventapp.events.models import EventCategory
    from eventapp.events.services import set_category_capacities
    from eventapp.registration import notifications

    event = make_event(session, capacity=5, category_capacities={CategoryCode.PRESS: 1})
    make_registration(session, event, n=1, category_code="press")
    for n in range(3):
        make_registration(session, event, n=10 + n)
    waiting = make_registration(session, event, n=2, category_code="press")
    assert waiting.status == RegistrationStatus.WAITLISTED  # press is full; the event has one seat left
    event_id = event.id
    press_id = session.scalar(select(EventCategory.id).where(EventCategory.event_id == event_id,
                                                              EventCategory.code == CategoryCode.PRESS))
    session.commit()

    promoting, release = threading.Event(), threading.Event()
    original = notifications.queue_promoted

    def slow_promotion(*args, **kwargs):
        promoting.set()
        release.wait(timeout=30)
        return original(*args, **kwargs)

    monkeypatch.setattr(notifications, "queue_promoted", slow_promotion)
    errors: list[BaseException] = []

    def organiser() -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as own:
                own_event = own.get(Event, event_id)
                capacities = {c.id: (c.capacity, c.is_open) for c in own_event.categories}
                capacities[press_id] = (2, capacities[press_id][1])
                set_category_capacities(own, own_event, capacities=capacities, now=utcnow())
                own.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def registrant() -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as own:
                register(own, own.get(Event, event_id), answers=answers(99), now=utcnow())
                own.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    organising = threading.Thread(target=organiser)
    organising.start()
    registering = threading.Thread(target=registrant)
    try:
        assert promoting.wait(timeout=30), "nobody was promoted"
        registering.start()
        registering.join(timeout=2)  # it may finish only if it does not wait for the organiser
    finally:
        release.set()
        organising.join(timeout=60)
        if registering.is_alive() or registering.ident is not None:
            registering.join(timeout=60)
    assert errors == []
    session.rollback()
    confirmed = session.scalar(select(func.count(Registration.id)).where(
        Registration.status == RegistrationStatus.CONFIRMED))
    assert confirmed == 5
    assert session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED


def test_restoring_twice_keeps_the_seat(app, session):
    """Two organisers (or a double click) restore the same cancellation: the second finds it done."""
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.models import RegistrationChange
    from eventapp.registration.services import restore

    event = make_event(session, capacity=2)
    person = make_registration(session, event, n=1)
    make_registration(session, event, n=2)
    cancel(session, person, now=utcnow(), actor="attendee")
    person_id = person.id
    session.commit()
    with write_transactions(), Session(session.get_bind(), expire_on_commit=False) as other:
        stale = other.get(Registration, person_id)  # the second page loaded it while it was cancelled
        other.commit()
        restore(session, session.get(Registration, person_id), now=utcnow(), actor="organiser:a")
        session.commit()
        assert stale.status == RegistrationStatus.CANCELLED
        restore(other, stale, now=utcnow(), actor="organiser:b")
        other.commit()
    session.rollback()
    assert session.get(Registration, person_id).status == RegistrationStatus.CONFIRMED
    assert session.scalar(select(func.count(RegistrationChange.id)).where(
        RegistrationChange.registration_id == person_id, RegistrationChange.action == "restored")) == 1
    assert session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.registration_id == person_id, OutboxMessage.kind == "registration_confirmed")) == 2  # 1st + restore


def test_organiser_moving_a_waiting_person_to_a_category_with_room_tells_them(app, session):
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.services import RegistrationAnswers, update_answers

    event = make_event(session, capacity=10, category_capacities={CategoryCode.PRESS: 1})
    make_registration(session, event, n=1, category_code="press")
    waiting = make_registration(session, event, n=2, category_code="press")
    assert waiting.status == RegistrationStatus.WAITLISTED
    moved = RegistrationAnswers.of(waiting)
    moved.category_code = "general"
    update_answers(session, waiting, answers=moved, now=utcnow(), actor="organiser:a",
                   by_organiser=True)
    session.commit()
    assert waiting.status == RegistrationStatus.CONFIRMED
    kinds = session.scalars(select(OutboxMessage.kind).where(OutboxMessage.registration_id == waiting.id)).all()
    assert "waitlist_promoted" in kinds
