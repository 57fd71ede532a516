"""The public pages of events: the list and each event's page, with its registration window and seats."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from eventapp.db import current_session, db, utcnow
from eventapp.events.lookup import with_public_event
from eventapp.events.models import Event, EventStatus, RegistrationWindow
from eventapp.registration.services import category_seats_left, registration_window, seats_left

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    events = db.session.scalars(select(Event).where(Event.status != EventStatus.DRAFT)
                                .order_by(Event.event_date.desc())).all()
    now = utcnow()
    windows = {e.id: registration_window(current_session(), e, now=now) for e in events}
    return render_template("events/index.html", events=events, windows=windows, Window=RegistrationWindow)


@bp.get("/events/<slug>")
@with_public_event
def show(event: Event):
    return render_template(
        "events/show.html", event=event, window=registration_window(current_session(), event, now=utcnow()),
        seats_left=seats_left(current_session(), event), Window=RegistrationWindow,
        category_seats={c.id: category_seats_left(current_session(), event, c) for c in event.categories},
    )
