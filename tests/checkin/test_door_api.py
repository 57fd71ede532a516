"""What the scanner needs besides scanning: who it is, the roster it judges from offline, undo, closed points,
flags on queued scans, the badge printed on arrival, and the per-device rate limit.

Answers are checked against the OpenAPI document (tests/checkin/contract.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime, time, timedelta

import pypdfium2
import pytest
import time_machine
import zxingcpp
from sqlalchemy import select

from eventapp.badges.services import reissue_badge
from eventapp.checkin import services
from eventapp.checkin.models import CheckinEntry, CheckinPoint, EntryResult
from eventapp.db import utcnow
from eventapp.events.models import TOKYO
from eventapp.registration.models import Registration
from eventapp.registration.services import cancel
from tests.checkin.conftest import Device, pair, scan, search
from tests.checkin.contract import assert_conforms
from tests.helpers import make_event, make_registration


def _auth(device: Device | str, language: str | None = None) -> dict[str, str]:
    token = device.token if isinstance(device, Device) else device
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    return headers


def whoami(client, device, language=None):
    response = client.get("/api/v1/device", headers=_auth(device, language))
    assert_conforms(response, "/api/v1/device", "get")
    return response


def get_roster(client, device, since=None, slug="godo-2027"):
    response = client.get(f"/api/v1/events/{slug}/roster", query_string={"since": since} if since else {},
                          headers=_auth(device))
    assert_conforms(response, "/api/v1/events/{slug}/roster", "get")
    return response


def undo(client, device, entry_id, slug="godo-2027"):
    response = client.post(f"/api/v1/events/{slug}/checkins/{entry_id}/undo", json={}, headers=_auth(device))
    assert_conforms(response, "/api/v1/events/{slug}/checkins/{entry_id}/undo", "post")
    return response


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- who am I ------------------------------------------------------------------------------------------


def test_the_device_learns_its_name_event_point_and_categories(client, event, device):
    answer = whoami(client, device).get_json()
    assert answer["device"] == {"id": device.id, "name": "受付-1"}
    assert answer["event"]["slug"] == "godo-2027" and answer["event"]["event_date"] == event.event_date.isoformat()
    assert answer["point"] == {"code": "reception", "name": "受付", "kind": "door", "prints_badges": True,
                               "closed": False}
    assert {"code": "general", "label": "一般"} in answer["categories"]
    assert answer["undo_window_seconds"] == 900
    english = whoami(client, device, "en").get_json()
    assert english["point"]["name"] == "Reception" and {"code": "general", "label": "General public"} in english["categories"]


def test_an_unknown_or_switched_off_device_gets_401(client, session, event, device):
    assert whoami(client, "not-a-token").status_code == 401
    services.revoke_device(session, session.get(services.CheckinDevice, device.id), now=utcnow())
    session.commit()
    response = whoami(client, device)
    assert response.status_code == 401 and response.get_json()["reason"] == "revoked"


# --- the roster -----------------------------------------------------------------------------------------


def test_the_roster_holds_what_the_door_needs_and_codes_only_as_hashes(client, session, event, person, device):
    answer = get_roster(client, device).get_json()
    assert answer["full"] is True
    [entry] = answer["people"]
    assert entry["code_hashes"] == [sha(person.token)]
    assert entry["admissible"] is True and entry["reason"] is None and entry["inside"] is False
    assert entry["attendee"]["name"] == "山田 太郎1"
    text = str(answer)
    assert person.token not in text and person.email not in text and person.phone not in text
    assert "ヤマダタロウ" in entry["search"] and person.receipt_code in entry["search"]


def test_the_roster_sends_only_changes_after_its_cursor(client, session, now, event, person, device):
    # Changes are sent again for ROSTER_OVERLAP before the cursor: read well after the person registered.
    with time_machine.travel(now + services.ROSTER_OVERLAP + timedelta(minutes=1), tick=False):
        first = get_roster(client, device).get_json()
    later = now + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        quiet = get_roster(client, device, first["cursor"]).get_json()
        assert quiet["full"] is False and quiet["people"] == []
        other = make_registration(session, event, n=2, now=later)  # new since the cursor
        scan(client, device, code=person.token)  # admitted since the cursor
        changes = get_roster(client, device, quiet["cursor"]).get_json()
    assert changes["full"] is False
    by_id = {p["registration_id"]: p for p in changes["people"]}
    assert set(by_id) == {person.id, other.id}
    assert by_id[person.id]["inside"] is True and by_id[person.id]["first_device"] == "受付-1"


def test_a_big_roster_comes_gzipped_when_the_device_accepts_it(client, session, now, event, device):
    for n in range(1, 12):
        make_registration(session, event, n=n, now=now)
    plain = get_roster(client, device)
    packed = client.get("/api/v1/events/godo-2027/roster", headers={**_auth(device), "Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert json.loads(gzip.decompress(packed.data))["people"] == plain.get_json()["people"]


@pytest.mark.parametrize("cursor", ["garbage", "0" * 500, "abc.123", "\u3042.1"])
def test_a_garbled_cursor_gets_the_whole_roster(client, event, person, device, cursor):
    answer = get_roster(client, device, cursor).get_json()
    assert answer["full"] is True and len(answer["people"]) == 1


def test_changing_who_a_point_admits_sends_the_whole_roster_again(client, session, event, person, device):
    cursor = get_roster(client, device).get_json()["cursor"]
    point = session.scalar(select(CheckinPoint).where(CheckinPoint.event_id == event.id))
    point.allowed_categories = "member"
    session.commit()
    answer = get_roster(client, device, cursor).get_json()
    assert answer["full"] is True
    assert answer["people"][0]["admissible"] is False and answer["people"][0]["reason"] == "not_on_list"


def test_the_roster_marks_cancelled_people_and_reissued_codes(client, session, now, event, person, device):
    old_token = person.token
    reissue_badge(session, person, now=now, actor="test")
    gone = make_registration(session, event, n=2, now=now)
    cancel(session, gone, now=now, actor="test")
    session.commit()
    people = {p["registration_id"]: p for p in get_roster(client, device).get_json()["people"]}
    assert people[person.id]["retired_code_hashes"] == [sha(old_token)]
    assert people[person.id]["code_hashes"] == [sha(session.get(Registration, person.id).token)]
    assert people[gone.id]["admissible"] is False and people[gone.id]["reason"] == "cancelled"


def test_a_switched_off_device_gets_no_roster(client, session, event, person, device):
    services.revoke_device(session, session.get(services.CheckinDevice, device.id), now=utcnow())
    session.commit()
    response = get_roster(client, device)
    assert response.status_code == 401 and response.get_json()["reason"] == "revoked"
    assert "people" not in response.get_json()


# --- closing --------------------------------------------------------------------------------------------


def test_a_closed_point_refuses_scans_and_the_roster_with_410(client, session, event, person, device):
    point = session.scalar(select(CheckinPoint).where(CheckinPoint.event_id == event.id))
    point.closed_at = utcnow()
    session.commit()
    for response in (get_roster(client, device), scan(client, device, code=person.token),
                     search(client, device, "ヤマダ")):
        assert response.status_code == 410 and response.get_json()["reason"] == "checkin_closed"
    assert whoami(client, device).get_json()["point"]["closed"] is True
    session.rollback()
    assert session.scalar(select(CheckinEntry)) is None


def test_check_in_closes_by_itself_when_the_event_day_is_over(client, session, now, event, person, device):
    day_after = datetime.combine(event.event_date + timedelta(days=1), time(0), TOKYO)
    with time_machine.travel(day_after - timedelta(minutes=1), tick=False):
        assert get_roster(client, device).status_code == 200
    with time_machine.travel(day_after, tick=False):
        assert get_roster(client, device).status_code == 410


# --- undo -----------------------------------------------------------------------------------------------


def test_undo_takes_back_an_admission_so_the_person_can_be_admitted_again(client, session, event, person, device):
    first = scan(client, device, code=person.token).get_json()
    answer = undo(client, device, first["entry_id"]).get_json()
    assert answer["status"] == "ok" and answer["attendee"]["registration_id"] == person.id
    assert undo(client, device, first["entry_id"]).get_json()["status"] == "ok"  # twice is once
    again = scan(client, device, code=person.token).get_json()
    assert again["status"] == "ok"  # not 受付済み
    session.rollback()
    entries = session.scalars(select(CheckinEntry).order_by(CheckinEntry.id)).all()
    assert [e.result for e in entries] == [EntryResult.UNDONE, EntryResult.OK]
    assert [e.first_in for e in entries] == [False, True]
    assert services.arrivals_summary(session, event).arrived == 1


def test_undo_is_refused_for_a_refusal_an_older_entry_or_too_late(client, session, now, event, person, device):
    first = scan(client, device, code=person.token).get_json()
    repeat = scan(client, device, code=person.token).get_json()
    assert undo(client, device, repeat["entry_id"]).get_json()["reason"] == "cannot_undo"  # a refusal
    out = scan(client, device, code=person.token, direction="out").get_json()
    assert undo(client, device, first["entry_id"]).get_json()["reason"] == "cannot_undo"  # not the last
    with time_machine.travel(utcnow() + services.UNDO_WINDOW + timedelta(seconds=5), tick=False):
        assert undo(client, device, out["entry_id"]).get_json()["reason"] == "cannot_undo"


def test_undo_of_another_devices_entry_or_a_made_up_id_is_404(client, session, event, person, device):
    first = scan(client, device, code=person.token).get_json()
    other = pair(session, event, name="受付-2")
    assert undo(client, other, first["entry_id"]).status_code == 404
    assert undo(client, device, 2**40).status_code == 404
    assert scan(client, other, code=person.token).get_json()["reason"] == "already_checked_in"


# --- queued scans and their flags ----------------------------------------------------------------------


def test_two_offline_devices_admitting_one_badge_make_one_entry_and_one_flag(client, session, event, person, device):
    other = pair(session, event, name="受付-2")
    earlier = (utcnow() - timedelta(minutes=3)).isoformat()
    a = scan(client, device, code=person.token, queued=True, offline_verdict="ok", scanned_at=earlier).get_json()
    b = scan(client, other, code=person.token, queued=True, offline_verdict="ok").get_json()
    assert a["status"] == "ok" and a["flagged"] is False
    assert b["reason"] == "already_checked_in" and b["flagged"] is True
    session.rollback()
    entries = session.scalars(select(CheckinEntry)).all()
    assert sum(e.first_in for e in entries) == 1 and sum(e.flagged for e in entries) == 1


def test_a_queued_scan_the_device_already_showed_as_received_is_not_flagged(client, session, event, person, device):
    scan(client, device, code=person.token)
    answer = scan(client, device, code=person.token, queued=True, offline_verdict="already_checked_in").get_json()
    assert answer["reason"] == "already_checked_in" and answer["flagged"] is False


def test_a_person_turned_away_offline_whom_the_server_admits_is_flagged(client, event, person, device):
    answer = scan(client, device, code=person.token, queued=True, offline_verdict="error").get_json()
    assert answer["status"] == "ok" and answer["flagged"] is True


def test_an_unknown_offline_verdict_is_refused(client, event, person, device):
    response = scan(client, device, code=person.token, queued=True, offline_verdict="green")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": "offline_verdict", "problem": "unknown"}]


def test_a_queue_uploaded_from_a_device_switched_off_meanwhile_is_refused_and_recorded_nowhere(
        client, session, event, person, device):
    services.revoke_device(session, session.get(services.CheckinDevice, device.id), now=utcnow())
    session.commit()
    response = scan(client, device, code=person.token, queued=True, offline_verdict="ok")
    assert response.status_code == 401 and response.get_json()["reason"] == "revoked"
    session.rollback()
    assert session.scalar(select(CheckinEntry)) is None


# --- the badge on arrival ------------------------------------------------------------------------------


def test_a_badge_never_printed_is_printed_on_arrival_once(client, session, event, person, device):
    answer = scan(client, device, code=person.token).get_json()
    assert answer["print_badge"] is True
    url = answer["badge_url"]
    assert url == f"/api/v1/events/godo-2027/registrations/{person.id}/badge.pdf"
    response = client.get(url, headers=_auth(device))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.data)
    assert len(pdf) == 1
    image = pdf[0].render(scale=300 / 72).to_pil()
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [person.token]
    session.rollback()
    assert session.get(Registration, person.id).badge_printed_at is not None
    # Scanned again after an undo: the badge was printed, so no second print.
    undo(client, device, answer["entry_id"])
    again = scan(client, device, code=person.token).get_json()
    assert again["status"] == "ok" and again["print_badge"] is False and again["badge_url"] is None


def test_the_badge_is_refused_where_the_point_does_not_print_or_for_another_events_person(
        client, session, now, event, person, device):
    other_event = make_event(session, slug="godo-other", now=now)
    stranger = make_registration(session, other_event, n=5, now=now)
    assert client.get(f"/api/v1/events/godo-2027/registrations/{stranger.id}/badge.pdf",
                      headers=_auth(device)).status_code == 404
    assert client.get(f"/api/v1/events/godo-2027/registrations/{person.id}/badge.pdf").status_code == 401
    point = session.scalar(select(CheckinPoint).where(CheckinPoint.event_id == event.id))
    point.prints_badges = False
    session.commit()
    response = client.get(f"/api/v1/events/godo-2027/registrations/{person.id}/badge.pdf", headers=_auth(device))
    assert response.status_code == 403 and response.get_json()["reason"] == "no_printing"
    assert scan(client, device, code=person.token).get_json()["print_badge"] is False


# --- the rate limit --------------------------------------------------------------------------------------


def test_a_device_over_its_rate_limit_gets_429_with_retry_after_and_others_go_on(app, client, session, event,
                                                                                 person, device):
    app.config["CHECKIN_RATE_LIMIT"] = "3 per minute"
    other = pair(session, event, name="受付-2")
    codes = [whoami(client, device).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = whoami(client, device)
    assert refused.get_json()["reason"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
    assert whoami(client, other).status_code == 200


# --- search ----------------------------------------------------------------------------------------------


def test_search_takes_the_same_number_of_queries_for_many_results(client, app, session, now, event, device):
    from sqlalchemy import event as sa_event

    from eventapp.db import db

    def queries_for(q: str) -> int:
        count = 0

        def counter(*_args, **_kwargs):
            nonlocal count
            count += 1

        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", counter)
        try:
            assert search(client, device, q).status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", counter)
        return count

    make_registration(session, event, n=1, now=now, family_kana="スズキ")
    few = queries_for("スズキ")
    for n in range(2, 15):
        make_registration(session, event, n=n, now=now, family_kana="スズキ")
    for person in session.scalars(select(Registration)).all()[:5]:
        scan(client, device, code=person.token)
    assert queries_for("すずき") == few
