"""Bad tokens and hostile bodies: a clear JSON answer (401/403/400/409/413/422), never a 500, never a wrong
"ok", and nothing recorded. Every answer is checked against the OpenAPI document by the helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.checkin import services
from eventapp.checkin.models import CheckinEntry
from eventapp.db import utcnow
from eventapp.events.models import TOKYO
from tests.checkin.conftest import pair, scan, search
from tests.helpers import make_event


def _nothing_recorded(session) -> None:
    session.rollback()
    assert session.scalar(select(func.count(CheckinEntry.id))) == 0


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 5000, "Bearer"])
def test_no_or_unknown_token_is_401_json(client, session, event, person, token):
    response = scan(client, token, code=person.token)
    assert response.status_code == 401
    assert response.get_json()["reason"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "ペアリング" in response.get_json()["explanation"]
    _nothing_recorded(session)


def test_another_scheme_is_not_a_token(client, session, event, person, device):
    response = client.post("/api/v1/events/godo-2027/checkins", json={"code": person.token},
                           headers={"Authorization": f"Basic {device.token}"})
    assert response.status_code == 401
    _nothing_recorded(session)


def test_a_revoked_device_is_401_revoked(client, session, event, person, device):
    from eventapp.checkin.models import CheckinDevice

    services.revoke_device(session, session.get(CheckinDevice, device.id), now=utcnow())
    session.commit()
    response = scan(client, device, code=person.token, language="en")
    assert response.status_code == 401
    assert response.get_json()["reason"] == "revoked"
    assert "switched off" in response.get_json()["explanation"]
    assert search(client, device, "ヤマダ").status_code == 401
    _nothing_recorded(session)


def test_a_device_of_another_event_is_403(client, session, now, event, person):
    other = make_event(session, slug="other-2027", now=now)
    elsewhere = pair(session, other, name="other")
    response = scan(client, elsewhere, "godo-2027", code=person.token)
    assert response.status_code == 403
    assert response.get_json()["reason"] == "forbidden_event"
    assert scan(client, elsewhere, "no-such-event", code=person.token).status_code == 403
    assert search(client, elsewhere, "ヤマダ", slug="godo-2027").status_code == 403
    _nothing_recorded(session)


def test_an_organisers_session_is_no_device(organiser_client, session, event, person):
    response = scan(organiser_client, None, code=person.token)
    assert response.status_code == 401
    _nothing_recorded(session)


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b"\xff\xfe\x00garbage", b"{\"code\": \"\xff\"}",
                                 b"[" * 2000 + b"]" * 2000])
def test_a_body_that_is_not_json_is_400(client, session, event, person, device, raw):
    response = scan(client, device, raw=raw)
    assert response.status_code == 400
    assert response.get_json()["reason"] == "malformed_json"
    _nothing_recorded(session)


def test_a_body_over_4_kb_is_413(client, session, event, person, device):
    response = scan(client, device, code=person.token, padding="x" * 5000)
    assert response.status_code == 413
    assert response.get_json()["reason"] == "too_large"
    _nothing_recorded(session)


def _problems(response) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "error" and body["reason"] == "invalid_request"
    return {(p["field"], p["problem"]) for p in body["errors"]}


@pytest.mark.parametrize("raw", [b"null", b"[]", b"\"code\"", b"42", b"true"])
def test_a_body_that_is_no_object_is_422(client, session, event, device, raw):
    assert _problems(scan(client, device, raw=raw)) == {("body", "not_an_object")}
    _nothing_recorded(session)


def test_missing_fields_are_all_named(client, session, event, device):
    response = scan(client, device, raw=b"{}")
    assert _problems(response) == {("code", "missing"), ("nonce", "missing"), ("direction", "missing"),
                                   ("scanned_at", "missing")}
    _nothing_recorded(session)


@pytest.mark.parametrize(("body", "problem"), [
    ({"code": 12345}, ("code", "wrong_type")),
    ({"code": ["a"]}, ("code", "wrong_type")),
    ({"code": "   "}, ("code", "missing")),
    ({"code": "a" * 65}, ("code", "too_long")),
    ({"code": "a" * 100_000}, None),  # over 4 KB: 413 instead
    ({"code": "abc\x00def"}, ("code", "unreadable")),
    ({"code": "\x1b[31mred"}, ("code", "unreadable")),
    ({"code": "やまだたろう"}, ("code", "unreadable")),
    ({"code": "ab cd"}, ("code", "unreadable")),
    ({"code": "\ud800"}, ("code", "unreadable")),  # a lone surrogate, \ud800 in the JSON
    ({"registration_id": "12"}, ("registration_id", "wrong_type")),
    ({"registration_id": True}, ("registration_id", "wrong_type")),
    ({"registration_id": 1.5}, ("registration_id", "wrong_type")),
    ({"registration_id": 1e300}, ("registration_id", "out_of_range")),
    ({"registration_id": 0}, ("registration_id", "out_of_range")),
    ({"registration_id": -3}, ("registration_id", "out_of_range")),
    ({"registration_id": 2**31}, ("registration_id", "out_of_range")),
    ({"registration_id": 10**30}, ("registration_id", "out_of_range")),
    ({"code": "abc", "registration_id": 1}, ("registration_id", "both_given")),
    ({"nonce": 123}, ("nonce", "wrong_type")),
    ({"nonce": "short"}, ("nonce", "malformed")),
    ({"nonce": "n" * 65}, ("nonce", "malformed")),
    ({"nonce": "has spaces in it"}, ("nonce", "malformed")),
    ({"direction": "sideways"}, ("direction", "unknown")),
    ({"direction": "IN"}, ("direction", "unknown")),
    ({"direction": 1}, ("direction", "wrong_type")),
    ({"queued": "yes"}, ("queued", "wrong_type")),
    ({"scanned_at": 1_700_000_000}, ("scanned_at", "wrong_type")),
    ({"scanned_at": "yesterday"}, ("scanned_at", "malformed")),
    ({"scanned_at": "2027-02-30T10:00:00+09:00"}, ("scanned_at", "malformed")),
    ({"scanned_at": "9" * 100}, ("scanned_at", "too_long")),
    ({"scanned_at": "1970-01-01T00:00:00Z"}, ("scanned_at", "before_registration")),
    ({"scanned_at": "0001-01-01T00:00:00+01:00"}, ("scanned_at", "before_registration")),
    ({"scanned_at": "9999-12-31T23:59:59-23:59"}, ("scanned_at", "in_the_future")),
])
def test_hostile_fields_are_422_with_the_field_named(client, session, event, person, device, body, problem):
    payload = {"code": person.token, **body}
    if "registration_id" in body and "code" not in body:
        payload.pop("code")
    response = scan(client, device, **payload)
    if problem is None:
        assert response.status_code == 413
    else:
        assert problem in _problems(response)
    _nothing_recorded(session)


def test_scanned_at_without_an_offset_far_ahead_or_before_registration(client, session, now, event, person, device):
    def at(moment):
        return moment.astimezone(TOKYO).isoformat()

    naive = utcnow().astimezone(TOKYO).replace(tzinfo=None).isoformat()
    assert ("scanned_at", "no_offset") in _problems(scan(client, device, code=person.token, scanned_at=naive))
    ahead = at(utcnow() + timedelta(minutes=10))
    assert ("scanned_at", "in_the_future") in _problems(scan(client, device, code=person.token, scanned_at=ahead))
    early = at(event.registration_opens_at - timedelta(seconds=1))
    assert ("scanned_at", "before_registration") in _problems(
        scan(client, device, code=person.token, scanned_at=early))
    _nothing_recorded(session)
    # a device clock a little ahead, or a scan queued an hour ago, is fine
    assert scan(client, device, code=person.token, scanned_at=at(utcnow() + timedelta(minutes=2))
                ).get_json()["status"] == "ok"
    an_hour_ago_utc = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert scan(client, device, code=person.token, scanned_at=an_hour_ago_utc, direction="out"
                ).get_json()["status"] == "ok"


def test_a_code_with_spaces_around_it_is_read(client, event, person, device):
    assert scan(client, device, code=f"  {person.token}\n").get_json()["status"] == "ok"


def test_unknown_fields_are_ignored(client, event, person, device):
    assert scan(client, device, code=person.token, colour="red").get_json()["status"] == "ok"


def test_other_methods_are_json_405(client, event, device):
    response = client.get("/api/v1/events/godo-2027/checkins", headers={"Authorization": f"Bearer {device.token}"})
    assert response.status_code == 405
    assert response.is_json
