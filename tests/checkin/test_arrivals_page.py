"""Live arrivals for organisers: the numbers (only accepted entries count), per 10 minutes in Tokyo time,
by category and group; the page, its JSON feed and script; a constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event

from eventapp.checkin import arrivals, services
from eventapp.checkin.models import Direction, EntryResult, PointKind
from eventapp.db import db
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import TOKYO
from eventapp.registration.services import cancel
from eventapp.text import gojuon_sort_key
from tests.checkin.conftest import pair
from tests.checkin.entries import entry, many_people
from tests.helpers import make_registration


def _ten_minutes_before(now):
    """A 10-minute boundary (Tokyo) an hour before now: scans after it fall in known bars."""
    local = now.astimezone(TOKYO) - timedelta(hours=1)
    return local.replace(minute=local.minute - local.minute % 10, second=0, microsecond=0)


@pytest.fixture
def groups(session):
    found = []
    for name, reading in (("城東異業種交流会", "ジョウトウ"), ("多摩テクノフォーラム", "タマテクノ")):
        group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading))
        session.add(group)
        found.append(group)
    session.commit()
    return found


@pytest.fixture
def party(session, event):
    point = services.create_point(session, event, code="party", name_ja="懇親会", name_en="Party",
                                  kind=PointKind.PARTY, party_only=True)
    session.commit()
    return point


def test_numbers_count_accepted_entries_only(session, now, event, party, groups, device):
    reception = services.default_point(session, event)
    base = _ten_minutes_before(now)
    members = [make_registration(session, event, n=n, category_code="member", group_id=groups[0].id,
                                 attends_party=n < 2) for n in range(3)]
    general = [make_registration(session, event, n=10 + n, category_code="general", attends_party=False)
               for n in range(2)]
    gone = make_registration(session, event, n=20, category_code="member", group_id=groups[1].id)
    cancel(session, gone, now=now, actor="attendee")
    session.commit()
    at_party = pair(session, event, name="懇親会-1", point=party)

    entry(session, device.id, reception.id, members[0], base + timedelta(minutes=1), first_in=True)
    entry(session, device.id, reception.id, members[0], base + timedelta(minutes=40), direction=Direction.OUT)
    entry(session, device.id, reception.id, members[1], base + timedelta(minutes=3), first_in=True)
    entry(session, device.id, reception.id, members[1], base + timedelta(minutes=4), result=EntryResult.REFUSED,
          reason="already_checked_in")
    entry(session, device.id, reception.id, general[0], base + timedelta(minutes=12), first_in=True)
    # a scan of the wrong person, undone by the device: no arrival
    entry(session, device.id, reception.id, general[1], base + timedelta(minutes=13), result=EntryResult.UNDONE)
    entry(session, device.id, reception.id, gone, base + timedelta(minutes=14), result=EntryResult.REFUSED,
          reason="cancelled")
    entry(session, at_party.id, party.id, members[0], base + timedelta(minutes=41), first_in=True)
    session.commit()

    board = arrivals.arrivals_board(session, event, now=now)
    assert (board.registered, board.arrived, board.inside, board.percent) == (5, 3, 3, 60)
    by_code = {p.code: (p.eligible, p.arrived, p.inside) for p in board.points}
    assert by_code == {"reception": (5, 3, 2), "party": (2, 1, 1)}  # the party admits those who booked it
    assert [(b.label, b.counts) for b in board.buckets] == [
        (f"{(base + timedelta(minutes=m)).hour}:{(base + timedelta(minutes=m)).minute:02d}", counts)
        for m, counts in ((0, (2, 0)), (10, (1, 0)), (20, (0, 0)), (30, (0, 0)), (40, (0, 1)))]
    assert board.buckets[0].start == base and board.earlier == 0
    assert {c.key: (c.registered, c.arrived) for c in board.categories} == {
        "member": (3, 2), "general": (2, 1)}
    assert [(g.name_ja, g.registered, g.arrived) for g in board.groups] == [
        ("城東異業種交流会", 3, 2), ("", 2, 1)]  # the cancelled member's group has nobody left; "" = no group
    assert board.open_flags == 0


def test_an_empty_event(session, now, event):
    board = arrivals.arrivals_board(session, event, now=now)
    assert (board.registered, board.arrived, board.inside, board.buckets, board.groups) == (0, 0, 0, (), ())
    assert [p.code for p in board.points] == ["reception"]


def test_the_page_shows_the_numbers_and_loads_its_script(organiser_client, session, now, event, device, party):
    people = [make_registration(session, event, n=n) for n in range(4)]
    reception = services.default_point(session, event)
    entry(session, device.id, reception.id, people[0], now - timedelta(minutes=5), first_in=True)
    entry(session, device.id, reception.id, people[1], now - timedelta(minutes=4), first_in=True, flagged=True,
          queued=True)
    session.commit()
    response = organiser_client.get(f"/admin/checkin/events/{event.id}/arrivals")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'data-stat="registered">4<', html) and re.search(r'data-stat="arrived">2<', html)
    assert re.search(r'data-stat="inside">2<', html) and re.search(r'data-stat="open_flags">1<', html)
    assert "10分ごとの到着数" in html and "懇親会" in html
    # Chart.js and the page's script from static/, the numbers as data blocks: no inline script
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert any("js/arrivals.js" in attrs for attrs in scripts) and any("chart.umd.min.js" in a for a in scripts)
    assert organiser_client.get("/static/js/arrivals.js").status_code == 200
    # linked from the devices page and the event's page
    for page in (f"/admin/checkin/events/{event.id}/devices", f"/admin/events/{event.id}/edit"):
        assert f"/admin/checkin/events/{event.id}/arrivals" in organiser_client.get(page).get_data(as_text=True)


def test_the_feed_has_the_same_numbers(organiser_client, session, now, event, device):
    person = make_registration(session, event, n=1)
    entry(session, device.id, services.default_point(session, event).id, person, now - timedelta(minutes=3),
          first_in=True)
    session.commit()
    response = organiser_client.get(f"/admin/checkin/events/{event.id}/arrivals.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert (body["registered"], body["arrived"], body["inside"], body["percent"]) == (1, 1, 1, 100)
    assert body["points"] == [{"code": "reception", "name": "受付", "closed": False, "eligible": 1, "arrived": 1,
                               "inside": 1}]
    assert sum(b["total"] for b in body["buckets"]) == 1
    assert body["groups"] == [{"key": "", "name": "グループなし", "registered": 1, "arrived": 1, "percent": 100}]
    english = organiser_client.get(f"/admin/checkin/events/{event.id}/arrivals.json?lang=en").get_json()
    assert english["points"][0]["name"] == "Reception" and english["groups"][0]["name"] == "No group"


def test_only_organisers(client, staff_client, event):
    for path in (f"/admin/checkin/events/{event.id}/arrivals", f"/admin/checkin/events/{event.id}/arrivals.json"):
        assert staff_client.get(path).status_code == 403
        assert client.get(path).status_code in (302, 401)
    assert staff_client.get("/admin/checkin/events/999999/arrivals").status_code in (403, 404)


def test_an_unknown_event_is_404(organiser_client):
    assert organiser_client.get("/admin/checkin/events/999999/arrivals").status_code == 404
    assert organiser_client.get("/admin/checkin/events/999999/arrivals.json").status_code == 404


def _queries(app, client, path: str) -> int:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _crowd(session, event, device, groups, now, start: int, count: int):
    reception = services.default_point(session, event)
    people = many_people(session, event, count, now=now, start=start, group_id=lambda n: groups[n % 2].id,
                         category_code=lambda n: ("member", "general", "exhibitor")[n % 3])
    for n, person in enumerate(people, start):
        entry(session, device.id, reception.id, person, now - timedelta(minutes=n % 50), first_in=True)
    session.commit()


def test_the_number_of_queries_does_not_grow_with_the_people(app, organiser_client, session, now, event, device,
                                                             groups, party):
    path = f"/admin/checkin/events/{event.id}/arrivals"
    _crowd(session, event, device, groups, now, 0, 10)
    page_10, feed_10 = _queries(app, organiser_client, path), _queries(app, organiser_client, path + ".json")
    _crowd(session, event, device, groups, now, 10, 90)
    page_100, feed_100 = _queries(app, organiser_client, path), _queries(app, organiser_client, path + ".json")
    assert (page_100, feed_100) == (page_10, feed_10), (page_10, feed_10, page_100, feed_100)
    assert feed_100 <= 12
    assert organiser_client.get(path + ".json").get_json()["arrived"] == 100


def test_a_test_scan_the_day_before_does_not_stretch_the_chart(session, now, event, device):
    reception = services.default_point(session, event)
    early, late = make_registration(session, event, n=1), make_registration(session, event, n=2)
    entry(session, device.id, reception.id, early, now - timedelta(hours=30), first_in=True)
    entry(session, device.id, reception.id, late, now - timedelta(minutes=1), first_in=True)
    session.commit()
    board = arrivals.arrivals_board(session, event, now=now)
    assert len(board.buckets) == arrivals.MAX_BUCKETS and board.earlier == 1
    assert board.buckets[-1].total == 1 and sum(b.total for b in board.buckets) == 1
    assert board.arrived == 2
