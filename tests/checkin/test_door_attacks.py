"""Attacks on the door API: what a hostile or broken client can send, and races, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.checkin import services
from eventapp.checkin.models import CheckinEntry, CheckinPoint, PointKind
from eventapp.db import utcnow
from eventapp.registration.models import Registration
from tests.checkin.conftest import Device, nonce, pair, scan
from tests.checkin.contract import assert_conforms
from tests.checkin.test_door_api import _auth, get_roster, sha
from tests.checkin.test_walk_ins import WALK_IN

ROSTER = "/api/v1/events/{slug}/roster"


def _roster_raw(client, device, since):
    response = client.get("/api/v1/events/godo-2027/roster", query_string={"since": since}, headers=_auth(device))
    assert_conforms(response, ROSTER, "get")
    return response


@pytest.mark.parametrize("tail", ["\u00b2", "\u2460", "999999999999999", "\u0661\u0662"])
def test_a_forged_cursor_with_odd_digits_or_a_far_time_gets_the_whole_roster(client, event, person, device, tail):
    cursor = get_roster(client, device).get_json()["cursor"]
    terms = cursor.partition(".")[0]
    answer = _roster_raw(client, device, f"{terms}.{tail}").get_json()
    assert answer["full"] is True and len(answer["people"]) == 1


def test_a_nonce_with_a_line_break_after_it_is_malformed(client, event, person, device):
    for value in ("a" * 64 + "\n", "abcdefgh\n"):
        response = scan(client, device, code=person.token, nonce=value)
        assert response.status_code == 422
        assert response.get_json()["errors"] == [{"field": "nonce", "problem": "malformed"}]


def _walk_in(client, device: Device, **body):
    payload = {"nonce": nonce(), **WALK_IN, **body}
    response = client.post("/api/v1/events/godo-2027/walkins", json=payload, headers=_auth(device))
    assert_conforms(response, "/api/v1/events/{slug}/walkins", "post")
    return response


def test_a_walk_in_nonce_with_a_line_break_is_malformed(client, event, device):
    response = _walk_in(client, device, nonce="a" * 64 + "\n")
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "nonce"


@pytest.mark.parametrize(("field", "value"), [
    ("family_name", "\ud800"), ("given_name", "花\udfff子"), ("company_name", "\udc00"), ("family_kana", "\ud83d"),
    ("email", "a\ud800@example.jp"), ("family_name", "\u200b\u2060\ufeff"), ("family_name", "\x00"),
    ("family_name", "㍿" * 11), ("company_name", "㍿" * 40), ("category_code", "\ud800"),
])
def test_odd_unicode_in_a_walk_in_is_named_at_its_field(client, session, event, device, field, value):
    response = _walk_in(client, device, **{field: value})
    assert response.status_code == 422, response.get_json()
    assert field in {e["field"] for e in response.get_json()["errors"]}
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_unreadable_characters_are_explained_in_the_staffs_language(client, event, device):
    payload = {"nonce": nonce(), **WALK_IN, "family_name": "\ud800"}
    for language, words in (("ja", "姓"), ("en", "Family name")):
        response = client.post("/api/v1/events/godo-2027/walkins", json=payload,
                               headers={**_auth(device), "Accept-Language": language})
        [error] = [e for e in response.get_json()["errors"] if e["field"] == "family_name"]
        assert error["problem"] == "unreadable" and error["message"].startswith(words)


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
                                   "0001-01-01T00:00:00-23:59", "9999-12-31T23:59:59+23:59"])
def test_a_scanned_at_at_the_ends_of_time_is_refused(client, event, person, device, value):
    response = scan(client, device, code=person.token, scanned_at=value)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "scanned_at"


def test_made_up_tokens_do_not_each_get_a_budget_of_their_own(app, client, event):
    app.config["CHECKIN_RATE_LIMIT"] = "3 per minute"
    codes = [client.get("/api/v1/device", headers={"Authorization": f"Bearer guess-{i}"}).status_code
             for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    refused = client.get("/api/v1/device", headers={"Authorization": "Bearer guess-9"})
    assert refused.get_json()["reason"] == "rate_limited" and "Retry-After" in refused.headers


def test_a_real_device_keeps_its_own_budget_when_others_guess_tokens(app, client, session, event, device):
    app.config["CHECKIN_RATE_LIMIT"] = "3 per minute"
    for i in range(4):
        client.get("/api/v1/device", headers={"Authorization": f"Bearer guess-{i}"})
    assert client.get("/api/v1/device", headers=_auth(device)).status_code == 200


def _closed_while_on_its_way(app, session, device, act):
    """The request has found its device (and the point open); then an organiser closes the point; then the
    request goes on to `act(request_session, paired)`."""
    from eventapp.db import db, write_transactions

    with app.app_context():
        request_session = db.session()
        paired = services.device_for_token(request_session, device.token)
        assert not services.checkin_closed(paired.point, paired.event, now=utcnow())
        point_id = paired.point_id
        request_session.commit()  # SQLite: end the read, so that the organiser may write
        point = session.get(CheckinPoint, point_id)
        point.closed_at = utcnow()
        session.commit()
        with write_transactions(), pytest.raises(services.CheckinClosed):
            act(request_session, paired)
        request_session.rollback()


def test_a_point_closed_while_a_scan_was_on_its_way_admits_nobody(app, session, event, person, device):
    request = services.ScanRequest(nonce=nonce(), direction=services.Direction.IN, scanned_at=utcnow(), code=person.token)
    _closed_while_on_its_way(app, session, device,
                             lambda s, paired: services.record_scan(s, paired, request, now=utcnow()))
    session.rollback()
    assert session.scalar(select(CheckinEntry)) is None


def test_the_badge_on_arrival_counts_against_the_devices_rate_limit(app, client, event, person, device):
    app.config["CHECKIN_RATE_LIMIT"] = "3 per minute"
    url = f"/api/v1/events/godo-2027/registrations/{person.id}/badge.pdf"
    codes = [client.get(url, headers=_auth(device)).status_code for _ in range(2)]
    codes += [client.get("/api/v1/device", headers=_auth(device)).status_code]
    refused = client.get(url, headers=_auth(device))
    assert codes == [200, 200, 200] and refused.status_code == 429
    assert_conforms(refused, "/api/v1/events/{slug}/registrations/{registration_id}/badge.pdf", "get")
    assert refused.get_json()["reason"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1


def test_a_walk_in_at_a_point_for_some_categories_offers_and_takes_only_those(client, session, event):
    press_room = services.create_point(session, event, code="press", name_ja="記者室", allowed_categories=["press"])
    session.commit()
    at_press = pair(session, event, name="press", point=press_room)
    offered = client.get("/api/v1/device", headers=_auth(at_press)).get_json()["categories"]
    assert [c["code"] for c in offered] == ["press"]
    refused = _walk_in(client, at_press, category_code="general")
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "category_code"
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 0  # nobody registered whom the point turns away
    assert _walk_in(client, at_press, category_code="press").get_json()["status"] == "ok"


def test_a_walk_in_at_the_party_desk_books_the_party_and_is_admitted(client, session, event):
    party = services.create_point(session, event, code="party", name_ja="懇親会", kind=PointKind.PARTY,
                                  party_only=True)
    session.commit()
    at_party = pair(session, event, name="懇親会-1", point=party)
    answer = _walk_in(client, at_party).get_json()
    assert answer["status"] == "ok" and answer["attendee"]["attends_party"] is True


def test_a_badge_reissued_while_the_roster_is_read_never_leaves_the_old_code_admissible(
        app, client, session, now, event, person, device):
    """The roster is read in several queries; a re-issue committed between them must not give the device the
    old code as admissible (code_hashes) and as retired at once: one snapshot for the whole roster."""
    from sqlalchemy import event as sa_event

    from eventapp.badges.services import reissue_badge
    from eventapp.db import db
    from tests.conftest import session_for

    with app.app_context():
        engine = db.engine
    old = person.token
    done: list[bool] = []

    def reissue_meanwhile(conn, cursor, statement, *_args):
        if "registration_retired_tokens" in statement and not done:
            done.append(True)
            with session_for(app) as other:
                reissue_badge(other, other.get(Registration, person.id), now=utcnow(), actor="test")
                other.commit()

    session.rollback()
    sa_event.listen(engine, "before_cursor_execute", reissue_meanwhile)
    try:
        [entry] = get_roster(client, device).get_json()["people"]
    finally:
        sa_event.remove(engine, "before_cursor_execute", reissue_meanwhile)
    assert done
    assert not set(entry["code_hashes"]) & set(entry["retired_code_hashes"])
    assert sha(old) in entry["code_hashes"] or sha(old) in entry["retired_code_hashes"]


def test_a_badge_reissued_while_its_old_code_is_being_scanned_is_not_admitted(app, client, session, event, person,
                                                                               device):
    """Between finding whom the code names and locking that row, the badge is re-issued: the old code must
    not be admitted. (On SQLite the scan holds the database's write lock from its first statement, so
    nothing can come in between; the hook would wait for it.)"""
    from sqlalchemy import event as sa_event

    from eventapp.badges.services import reissue_badge
    from eventapp.db import db
    from tests.conftest import session_for

    if session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite serialises the whole scan")
    with app.app_context():
        engine = db.engine
    done: list[bool] = []

    def reissue_meanwhile(conn, cursor, statement, *_args):
        if "FOR UPDATE" in statement and "FROM registrations" in statement and not done:
            done.append(True)
            with session_for(app) as other:
                reissue_badge(other, other.get(Registration, person.id), now=utcnow(), actor="test")
                other.commit()

    old = person.token
    session.rollback()
    sa_event.listen(engine, "before_cursor_execute", reissue_meanwhile)
    try:
        answer = scan(client, device, code=old).get_json()
    finally:
        sa_event.remove(engine, "before_cursor_execute", reissue_meanwhile)
    assert done and answer["status"] == "error" and answer["reason"] == "reissued"
