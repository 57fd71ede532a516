"""GET /api/v1/events: the public list of events for other sites (the groups' own pages)."""

from __future__ import annotations

from datetime import datetime, timedelta

from eventapp.events.models import EventStatus
from tests.helpers import make_event, make_registration


def _events(client) -> dict[str, dict]:
    response = client.get("/api/v1/events")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return {item["slug"]: item for item in response.get_json()}


def test_lists_only_published_events(client, session):
    make_event(session, slug="godo-2027")
    make_event(session, slug="draft-2028", status=EventStatus.DRAFT)
    make_event(session, slug="closed-2026", status=EventStatus.CLOSED)
    assert set(_events(client)) == {"godo-2027"}


def test_fields_and_tokyo_times(client, session):
    event = make_event(session, capacity=3)
    item = _events(client)[event.slug]
    assert item["title"] == {"ja": event.title_ja, "en": event.title_en}
    assert item["starts_at"] == f"{event.event_date.isoformat()}T13:30:00+09:00"
    assert item["ends_at"] == f"{event.event_date.isoformat()}T17:30:00+09:00"
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        moment = datetime.fromisoformat(item[key])
        assert moment.utcoffset() == timedelta(hours=9), key  # one time zone throughout: Tokyo's
    assert datetime.fromisoformat(item["registration_closes_at"]) == event.registration_closes_at
    assert item["registration_status"] == "open"
    assert item["capacity"] == 3 and item["seats_left"] == 3
    assert item["url"].endswith(f"/events/{event.slug}")


def test_seats_left_drop_after_registrations(client, session):
    event = make_event(session, capacity=2)
    assert _events(client)[event.slug]["seats_left"] == 2
    make_registration(session, event, n=1)
    assert _events(client)[event.slug]["seats_left"] == 1
    make_registration(session, event, n=2)
    item = _events(client)[event.slug]
    assert item["seats_left"] == 0 and item["registration_status"] == "full"
    make_registration(session, event, n=3)  # waiting list: no seat taken
    assert _events(client)[event.slug]["seats_left"] == 0


def test_registration_status_follows_the_window(client, session):
    make_event(session, slug="later", opens_in=timedelta(days=3))
    make_event(session, slug="past", opens_in=timedelta(days=-10), closes_in=timedelta(days=-1))
    events = _events(client)
    assert events["later"]["registration_status"] == "not_yet_open"
    assert events["past"]["registration_status"] == "closed"


def test_no_personal_data_and_no_cookie_needed(client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    body = client.get("/api/v1/events").get_data(as_text=True)
    for value in (registration.email, registration.family_name, registration.token, registration.receipt_code):
        assert value not in body
    assert "Set-Cookie" not in client.get("/api/v1/events").headers
