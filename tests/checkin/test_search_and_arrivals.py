"""Finding people without their code, checking them in by id; points of new events; the arrivals summary."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eventapp.checkin import services
from eventapp.checkin.models import PointKind
from eventapp.db import utcnow
from eventapp.registration.services import cancel
from tests.checkin.conftest import pair, scan, search
from tests.conftest import BACKENDS, TEST_DATABASE_URL
from tests.helpers import make_event, make_registration


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [hit["registration_id"] for hit in response.get_json()["results"]]


def test_search_by_name_furigana_company_and_receipt_number(client, session, event, device):
    yamada = make_registration(session, event, n=1, family_name="山田", given_name="花子", family_kana="ヤマダ",
                               given_kana="ハナコ", company_name="青海工業株式会社")
    suzuki = make_registration(session, event, n=2, family_name="鈴木", given_name="一郎", family_kana="スズキ",
                               given_kana="イチロウ", company_name="株式会社テレコム")
    assert _ids(search(client, device, "やまだ")) == [yamada.id]  # hiragana finds katakana
    assert _ids(search(client, device, "ｽｽﾞｷ")) == [suzuki.id]  # half-width too
    assert _ids(search(client, device, "山田 花子")) == [yamada.id]
    assert _ids(search(client, device, "テレコム")) == [suzuki.id]
    assert _ids(search(client, device, suzuki.receipt_code)) == [suzuki.id]
    assert _ids(search(client, device, "   ")) == []
    hit = search(client, device, "すずき").get_json()["results"][0]
    assert hit["attendee"]["name"] == "鈴木 一郎" and hit["attendee"]["furigana"] == "スズキ イチロウ"
    assert hit["registration_status"] == "confirmed" and hit["inside"] is False and hit["first_device"] is None


def test_a_search_result_is_checked_in_by_its_id_and_then_shows_inside(client, session, event, device):
    person = make_registration(session, event, n=1, family_kana="ヤマダ")
    hit = search(client, device, "やまだ").get_json()["results"][0]
    assert scan(client, device, registration_id=hit["registration_id"]).get_json()["status"] == "ok"
    after = search(client, device, "やまだ").get_json()["results"][0]
    assert after["inside"] is True and after["first_device"] == "受付-1" and after["first_checked_in_at"]
    assert after["registration_id"] == person.id


def test_search_shows_cancelled_people_with_their_status(client, session, now, event, device):
    person = make_registration(session, event, n=1)
    cancel(session, person, now=now, actor="attendee")
    session.commit()
    assert search(client, device, "ヤマダ").get_json()["results"][0]["registration_status"] == "cancelled"


def test_search_needs_a_query_of_sensible_length_and_a_device(client, event, device):
    assert search(client, device, None).status_code == 422
    assert search(client, device, "").status_code == 422
    assert search(client, device, "あ" * 101).status_code == 422
    assert search(client, None, "ヤマダ").status_code == 401
    assert search(client, "wrong", "ヤマダ").status_code == 401


def test_search_finds_only_this_events_people(client, session, now, event, device):
    other = make_event(session, slug="other", now=now)
    make_registration(session, other, n=1, family_kana="ヤマダ")
    assert _ids(search(client, device, "やまだ")) == []


def test_search_returns_at_most_the_limit(client, session, event, device):
    for n in range(services.SEARCH_LIMIT + 3):
        make_registration(session, event, n=n)
    body = search(client, device, "ヤマダ").get_json()
    assert len(body["results"]) == body["limit"] == services.SEARCH_LIMIT


def test_a_new_event_gets_its_reception_point(session, event):
    points = services.points_of(session, event)
    assert [(p.code, p.name_ja, p.kind, p.is_default) for p in points] == [
        ("reception", "受付", PointKind.DOOR, True)]
    assert services.default_point(session, event).id == points[0].id


def test_default_point_is_made_for_an_event_without_one(session, event):
    session.delete(services.default_point(session, event))
    session.commit()
    assert services.default_point(session, event).code == "reception"


def test_arrivals_summary(client, session, now, event, device):
    party = services.create_point(session, event, code="party", name_ja="懇親会", kind=PointKind.PARTY,
                                  party_only=True)
    session.commit()
    at_party = pair(session, event, name="懇親会", point=party)
    people = [make_registration(session, event, n=n) for n in range(5)]
    cancelled = make_registration(session, event, n=9)
    cancel(session, cancelled, now=now, actor="attendee")
    session.commit()

    empty = services.arrivals_summary(session, event)
    assert (empty.registered, empty.arrived, empty.inside) == (5, 0, 0)
    for person in people[:3]:
        scan(client, device, code=person.token)
    scan(client, device, code=people[0].token, direction="out")  # left
    scan(client, device, code=people[1].token)  # refused: already in — counts nothing
    scan(client, device, code=cancelled.token)  # refused
    scan(client, at_party, code=people[0].token)  # went from the door to the party
    scan(client, at_party, code=people[3].token)  # straight to the party

    session.rollback()
    summary = services.arrivals_summary(session, event)
    assert (summary.registered, summary.arrived, summary.inside) == (5, 4, 4)
    by_code = {p.code: (p.arrived, p.inside) for p in summary.points}
    assert by_code == {"reception": (3, 2), "party": (2, 2)}
    assert [p.code for p in summary.points] == ["reception", "party"]


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A database of the test's own, with no tables yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_checkin_migration_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_migration_gives_existing_events_a_reception_point(empty_database):
    from flask_migrate import upgrade

    from eventapp import create_app
    from eventapp.config import MIGRATIONS_DIR
    from eventapp.db import db
    from tests.conftest import _test_config

    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="f7cd3fe55603")  # before check-in
        with db.engine.begin() as conn:
            conn.execute(text("""
                INSERT INTO events (slug, title_ja, title_en, edition, fiscal_year, event_date, doors_time,
                    start_time, end_time, venue_name, venue_address, venue_access, venue_map_url, description_ja,
                    description_en, capacity, registration_opens_at, registration_closes_at, status, contact_email,
                    created_at, updated_at)
                VALUES ('godo-2026', '第30回', '', 30, 2025, '2026-02-19', '13:00:00', '13:30:00', '17:30:00', '会場',
                    '', '', '', '', '', 100, '2025-12-01 00:00:00', '2026-02-10 00:00:00', 'closed', '',
                    '2025-11-01 00:00:00', '2025-11-01 00:00:00')"""))
        upgrade(directory=str(MIGRATIONS_DIR))
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT code, name_ja, kind, is_default, created_at FROM checkin_points")).all()
        db.engine.dispose()
    assert [(r.code, r.name_ja, r.kind, bool(r.is_default)) for r in rows] == [("reception", "受付", "door", True)]
    created = rows[0].created_at
    created = datetime.fromisoformat(created) if isinstance(created, str) else created
    assert abs(created.replace(tzinfo=UTC) - utcnow()) < timedelta(minutes=5)  # UTC, as the app writes times
