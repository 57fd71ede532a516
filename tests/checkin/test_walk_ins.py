"""当日受付: registering at the door and checking in at once, once per nonce, with errors staff can act on."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from eventapp.checkin.models import CheckinEntry
from eventapp.events.models import CategoryCode
from eventapp.registration.models import Registration, RegistrationSource, RegistrationStatus
from tests.checkin.conftest import Device, nonce
from tests.checkin.contract import assert_conforms
from tests.helpers import make_event, make_registration

WALK_IN = {"family_name": "髙橋", "given_name": "花子", "family_kana": "たかはし", "given_kana": "ハナコ",
           "company_name": "株式会社山﨑製作所", "category_code": "general"}


def walk_in(client, device: Device, language: str | None = None, **body):
    headers = {"Authorization": f"Bearer {device.token}"}
    if language:
        headers["Accept-Language"] = language
    payload = {"nonce": nonce(), **WALK_IN, **body}
    payload = {key: value for key, value in payload.items() if value is not None}
    response = client.post("/api/v1/events/godo-2027/walkins", json=payload, headers=headers)
    assert_conforms(response, "/api/v1/events/{slug}/walkins", "post")
    return response


def _registrations(session) -> list[Registration]:
    session.rollback()
    return session.scalars(select(Registration).order_by(Registration.id)).all()


def test_a_walk_in_is_registered_and_checked_in_at_once(client, session, event, device):
    answer = walk_in(client, device).get_json()
    assert answer["status"] == "ok" and answer["attendee"]["name"] == "髙橋 花子"
    assert answer["attendee"]["furigana"] == "タカハシ ハナコ"  # ひらがな typed, カタカナ kept
    assert answer["print_badge"] is True and answer["badge_url"].endswith("/badge.pdf")
    [person] = _registrations(session)
    assert person.source == RegistrationSource.WALK_IN and person.status == RegistrationStatus.CONFIRMED
    assert person.email == "" and person.company_name == "株式会社山﨑製作所"
    entry = session.scalar(select(CheckinEntry))
    assert entry.first_in and entry.registration_id == person.id


def test_the_same_walk_in_sent_twice_registers_once(client, session, event, device):
    same = nonce()
    first = walk_in(client, device, nonce=same).get_json()
    second = walk_in(client, device, nonce=same).get_json()
    assert second["entry_id"] == first["entry_id"] and second["replayed"] is True
    assert len(_registrations(session)) == 1
    assert session.scalar(select(func.count(CheckinEntry.id))) == 1


def test_two_walk_ins_without_an_address_are_two_people(client, session, event, device):
    walk_in(client, device)
    walk_in(client, device, given_name="次郎", given_kana="ジロウ")
    assert len(_registrations(session)) == 2


@pytest.fixture
def full_event(session, now):
    event = make_event(session, now=now, capacity=1)
    make_registration(session, event, n=1, now=now)
    return event


def test_the_door_decides_a_full_event_still_takes_a_walk_in(client, session, full_event):
    from tests.checkin.conftest import pair
    device = pair(session, full_event)
    answer = walk_in(client, device).get_json()
    assert answer["status"] == "ok"
    walker = _registrations(session)[-1]
    assert walker.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(("language", "field", "body", "words"), [
    ("ja", "family_name", {"family_name": ""}, "姓：入力してください。"),
    ("en", "family_name", {"family_name": "  "}, "Family name: please fill this in."),
    ("ja", "given_kana", {"given_kana": "hanako"}, "カタカナ"),
    ("en", "family_name", {"family_name": "髙" * 41}, "at most 40 characters"),
    ("en", "category_code", {"category_code": "vip"}, "Attendance category: please choose one"),
    ("en", "email", {"email": "hanako@@example"}, "E-mail"),
    ("en", "company_name", {"company_name": 12}, "please send text"),
    ("en", "given_name", {"given_name": "\ud800花子"}, "cannot be read"),
])
def test_each_mistake_is_named_at_its_field_in_the_staffs_language(client, session, event, device, language, field,
                                                                   body, words):
    response = walk_in(client, device, language=language, **body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert words in errors[0]["message"]
    assert _registrations(session) == []


def test_an_address_already_registered_says_to_search_instead(client, session, now, event, device):
    known = make_registration(session, event, n=1, now=now)
    response = walk_in(client, device, language="en", email=known.email)
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == "email" and known.receipt_code in error["message"] and "search" in error["message"]
    assert len(_registrations(session)) == 1


@pytest.mark.parametrize("body", [b"[]", b'{"nonce": 5}', b'{"nonce": "short"}', b"\xff\xfe", b"{" * 5000])
def test_garbage_gets_an_answer_not_a_500(client, event, device, body):
    response = client.post("/api/v1/events/godo-2027/walkins", data=body,
                           headers={"Authorization": f"Bearer {device.token}", "Content-Type": "application/json"})
    assert response.status_code in (400, 413, 422)
    assert response.get_json()["status"] == "error"


def test_walk_ins_sent_at_once_from_threads_register_each_once(app, session, event):
    """A scanner retrying a walk-in while the first request is still running: one person, one admission."""
    from tests.checkin.conftest import pair
    device = pair(session, event)
    session.rollback()
    same = nonce()
    answers: list[int] = []
    start = threading.Barrier(4)

    def send() -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/events/godo-2027/walkins", json={"nonce": same, **WALK_IN},
                               headers={"Authorization": f"Bearer {device.token}"})
        answers.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert len(_registrations(session)) == 1
    assert session.scalar(select(func.count(CheckinEntry.id))) == 1


def test_a_category_of_the_event_that_is_not_on_the_public_form_can_be_chosen_at_the_door(
        client, session, event, device):
    press = next(c for c in event.categories if c.code == CategoryCode.PRESS)
    press.is_open = False
    session.commit()
    assert walk_in(client, device, category_code="press").get_json()["status"] == "ok"
