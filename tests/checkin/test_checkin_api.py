"""POST /api/v1/events/<slug>/checkins: who is admitted, what the door staff read, what is recorded.

Every answer is checked against the OpenAPI document (tests/checkin/contract.py) by the helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.checkin import services
from eventapp.checkin.models import CheckinEntry, Direction, EntryResult, PointKind
from eventapp.db import utcnow
from eventapp.events.models import TOKYO
from eventapp.registration.models import RegistrationStatus
from eventapp.registration.services import cancel
from tests.checkin.conftest import nonce, pair, scan
from tests.helpers import make_event, make_registration


def _entries(session) -> int:
    session.rollback()
    return session.scalar(select(func.count(CheckinEntry.id)))


def test_first_scan_admits_and_names_the_person(client, session, event, person, device):
    response = scan(client, device, code=person.token)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["status"] == "ok" and answer["reason"] is None and answer["replayed"] is False
    assert answer["explanation"] == "受付しました。ようこそ！"
    assert answer["attendee"] == {
        "registration_id": person.id, "name": "山田 太郎1", "furigana": "ヤマダ タロウ", "company": "株式会社サンプル",
        "category": "一般", "category_code": "general", "group": None, "receipt_code": person.receipt_code,
        "attends_party": True}
    assert answer["first_device"] == "受付-1"
    assert answer["point"] == {"code": "reception", "name": "受付"}
    session.rollback()
    entry = session.scalar(select(CheckinEntry))
    assert entry.result == EntryResult.OK and entry.first_in and entry.registration_id == person.id
    assert answer["first_checked_in_at"] == entry.scanned_at.astimezone(TOKYO).isoformat()
    assert abs(entry.recorded_at - utcnow()) < timedelta(minutes=1)


def test_english_when_the_device_asks_for_it(client, event, person, device):
    answer = scan(client, device, code=person.token, language="en-US,en;q=0.9").get_json()
    assert answer["explanation"] == "Checked in. Welcome!"
    assert answer["attendee"]["category"] == "General public"
    assert answer["point"]["name"] == "Reception"


def test_second_scan_on_another_device_is_already_checked_in_with_the_first_time_and_device(
        client, session, event, person, device):
    first = scan(client, device, code=person.token).get_json()
    other = pair(session, event, name="受付-2")
    second = scan(client, other, code=person.token).get_json()
    assert second["status"] == "error" and second["reason"] == "already_checked_in"
    assert second["first_checked_in_at"] == first["first_checked_in_at"]
    assert second["first_device"] == "受付-1"
    assert second["attendee"]["receipt_code"] == person.receipt_code
    assert "既に受付済み" in second["explanation"]
    assert _entries(session) == 2  # the refusal is recorded too


def test_a_repeated_nonce_gets_the_first_answer_and_records_nothing(client, session, event, person, device):
    same = nonce()
    first = scan(client, device, code=person.token, nonce=same).get_json()
    again = scan(client, device, code=person.token, nonce=same).get_json()
    assert again == {**first, "replayed": True}
    assert _entries(session) == 1
    refused_once = scan(client, device, code="nobody-has-this-code", nonce="n" * 20).get_json()
    assert scan(client, device, code="nobody-has-this-code", nonce="n" * 20).get_json() == {
        **refused_once, "replayed": True}
    assert _entries(session) == 2


def test_a_nonce_reused_for_another_code_is_refused_with_409(client, session, event, person, device):
    other_person = make_registration(session, event, n=2)
    same = nonce()
    scan(client, device, code=person.token, nonce=same)
    response = scan(client, device, code=other_person.token, nonce=same)
    assert response.status_code == 409
    assert response.get_json()["reason"] == "nonce_reused"
    assert scan(client, device, code=person.token, nonce=same, direction="out").status_code == 409
    assert _entries(session) == 1


def test_the_same_nonce_on_two_devices_is_two_scans(client, session, event, person, device):
    other = pair(session, event, name="受付-2")
    same = nonce()
    assert scan(client, device, code=person.token, nonce=same).get_json()["status"] == "ok"
    assert scan(client, other, code=person.token, nonce=same).get_json()["reason"] == "already_checked_in"


def test_out_and_in_again(client, session, event, person, device):
    assert scan(client, device, code=person.token, direction="out").get_json()["reason"] == "not_checked_in"
    first = scan(client, device, code=person.token).get_json()
    out = scan(client, device, code=person.token, direction="out").get_json()
    assert out["status"] == "ok" and out["direction"] == "out" and out["explanation"] == "退場を記録しました。"
    assert scan(client, device, code=person.token, direction="out").get_json()["reason"] == "already_checked_out"
    back = scan(client, device, code=person.token).get_json()
    assert back["status"] == "ok"  # re-entry after going out
    assert back["first_checked_in_at"] == first["first_checked_in_at"]
    assert scan(client, device, code=person.token).get_json()["reason"] == "already_checked_in"
    session.rollback()
    assert session.scalar(select(func.count(CheckinEntry.id)).where(CheckinEntry.first_in.is_(True))) == 1


def test_who_is_refused_and_why(client, session, now, event, device):
    cancelled = make_registration(session, event, n=2)
    cancel(session, cancelled, now=now, actor="attendee")
    session.commit()
    full = make_event(session, slug="full", capacity=1, now=now)
    make_registration(session, full, n=3)
    waiting = make_registration(session, full, n=4)
    assert waiting.status == RegistrationStatus.WAITLISTED
    full_device = pair(session, full, name="full")
    elsewhere = make_registration(session, full, n=5)  # on the waiting list of another event

    answer = scan(client, device, code=cancelled.token).get_json()
    assert (answer["status"], answer["reason"]) == ("error", "cancelled")
    assert answer["attendee"]["registration_id"] == cancelled.id
    assert scan(client, full_device, "full", code=waiting.token).get_json()["reason"] == "waitlisted"
    unknown = scan(client, device, code="x" * 32).get_json()
    assert unknown["reason"] == "invalid" and unknown["attendee"] is None and unknown["first_device"] is None
    wrong = scan(client, device, code=elsewhere.token).get_json()
    assert wrong["reason"] == "wrong_event" and wrong["attendee"] is None  # nothing of another event is shown


def test_an_old_code_of_a_reissued_badge(client, session, now, event, person, device):
    from eventapp.badges.services import reissue_badge

    old = person.token
    reissue_badge(session, person, now=now, actor="organiser:test")
    session.commit()
    answer = scan(client, device, code=old).get_json()
    assert answer["reason"] == "reissued" and answer["attendee"]["registration_id"] == person.id
    assert scan(client, device, code=person.token).get_json()["status"] == "ok"


def test_a_party_point_admits_only_those_who_booked_it(client, session, event, device):
    party = services.create_point(session, event, code="party", name_ja="懇親会", name_en="Party",
                                  kind=PointKind.PARTY, party_only=True)
    session.commit()
    at_party = pair(session, event, name="懇親会-1", point=party)
    booked = make_registration(session, event, n=2, attends_party=True)
    not_booked = make_registration(session, event, n=3, attends_party=False)
    assert scan(client, at_party, code=booked.token).get_json()["status"] == "ok"
    assert scan(client, at_party, code=not_booked.token).get_json()["reason"] == "not_on_list"
    # the door is another point: admitted there, and separately at the party
    assert scan(client, device, code=booked.token).get_json()["status"] == "ok"


def test_a_point_for_some_categories(client, session, event):
    press_room = services.create_point(session, event, code="press", name_ja="記者室", allowed_categories=["press"])
    session.commit()
    at_press = pair(session, event, name="press", point=press_room)
    journalist = make_registration(session, event, n=2, category_code="press")
    general = make_registration(session, event, n=3)
    assert scan(client, at_press, code=journalist.token).get_json()["status"] == "ok"
    assert scan(client, at_press, code=general.token).get_json()["reason"] == "not_on_list"


def test_check_in_by_registration_id(client, session, now, event, person, device):
    answer = scan(client, device, registration_id=person.id).get_json()
    assert answer["status"] == "ok" and answer["attendee"]["registration_id"] == person.id
    assert scan(client, device, code=person.token).get_json()["reason"] == "already_checked_in"
    assert scan(client, device, registration_id=999_999).get_json()["reason"] == "invalid"
    other = make_event(session, slug="other", now=now)
    stranger = make_registration(session, other, n=9)
    assert scan(client, device, registration_id=stranger.id).get_json()["reason"] == "wrong_event"


def test_a_queued_scan_that_broke_a_rule_is_flagged(client, session, event, person, device):
    scan(client, device, code=person.token)
    other = pair(session, event, name="受付-2")
    answer = scan(client, other, code=person.token, queued=True).get_json()
    assert answer["reason"] == "already_checked_in"
    session.rollback()
    flagged = session.scalars(select(CheckinEntry).where(CheckinEntry.flagged.is_(True))).all()
    assert [(e.device_id, e.queued, e.direction) for e in flagged] == [(other.id, True, Direction.IN)]


def test_the_device_is_seen(client, session, event, person, device):
    from eventapp.checkin.models import CheckinDevice

    scan(client, device, code=person.token)
    session.rollback()
    assert session.get(CheckinDevice, device.id).last_seen_at is not None


def test_a_device_revoked_after_it_was_looked_up_records_nothing(app, session, event, person, device):
    """The scan re-reads the device under its lock: a revocation committed in between wins."""
    from sqlalchemy.orm import Session

    from eventapp.checkin.models import CheckinDevice
    from eventapp.db import db, write_transactions

    with app.app_context(), write_transactions(), Session(db.engine, expire_on_commit=False) as own:
        looked_up = services.device_for_token(own, device.token)
        own.commit()
        with Session(db.engine) as organiser:
            services.revoke_device(organiser, organiser.get(CheckinDevice, device.id), now=utcnow())
            organiser.commit()
        request = services.ScanRequest(nonce=nonce(), direction=Direction.IN, scanned_at=utcnow(), code=person.token)
        with pytest.raises(services.DeviceRefused):
            services.record_scan(own, looked_up, request, now=utcnow())
        own.rollback()
    assert _entries(session) == 0
