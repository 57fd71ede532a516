""""My registration" behind the private link: see, change, cancel, re-send, calendar, register again."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import icalendar
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from eventapp.db import utcnow
from eventapp.events.models import TOKYO
from eventapp.mail.models import OutboxMessage
from eventapp.registration.errors import EditingClosed
from eventapp.registration.models import Registration, RegistrationChange, RegistrationStatus
from eventapp.registration.services import RegistrationAnswers, update_answers
from tests.helpers import (
    csrf_token_from,
    form_data,
    make_event,
    make_registration,
    private_link,
    submission_id_from,
)


def _register(client, slug: str, **overrides):
    page = client.get(f"/events/{slug}/register")
    data = form_data(**overrides) | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    return client.post(f"/events/{slug}/register", data=data)


def _edit_data(registration: Registration, page, **overrides) -> dict:
    """What the edit form posts when the person changes only `overrides`."""
    answers = RegistrationAnswers.of(registration)
    data = form_data(
        family_name=answers.family_name, given_name=answers.given_name, family_kana=answers.family_kana,
        given_kana=answers.given_kana, romaji=answers.romaji, company_name=answers.company_name,
        company_kana=answers.company_kana, department=answers.department, job_title=answers.job_title,
        industry_code=answers.industry_code, employees_band=answers.employees_band, group_id="",
        email=answers.email, email_confirm=answers.email, phone=answers.phone, postcode=answers.postcode,
        address=answers.address, attends_party="yes" if answers.attends_party else "no", message=answers.message,
        category=None,
    )
    data |= overrides
    data["csrf_token"] = csrf_token_from(page)
    return {k: v for k, v in data.items() if v is not None}


def _messages(session, kind: str) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _qr_texts(png: bytes) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


# --- seeing it ------------------------------------------------------------------------------------------


def test_page_shows_status_receipt_number_and_qr(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event, family_name="髙﨑")
    link = private_link(app, registration)
    page = client.get(f"{link}?lang=en")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Reception number" in body and registration.receipt_code in body
    assert 'class="badge badge-confirmed"' in body
    assert "髙﨑" in body
    qr_src = re.search(r'<img src="([^"]+/qr\.png)"', body).group(1)
    assert qr_src == f"{link}/qr.png"

    png = client.get(qr_src)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert "no-store" in png.headers["Cache-Control"]
    assert _qr_texts(png.data) == [registration.token]

    japanese = client.get(f"{link}?lang=ja").get_data(as_text=True)
    assert registration.receipt_code in japanese and 'lang="ja"' in japanese


def test_waitlisted_page_shows_place_and_no_qr(app, client, session):
    event = make_event(session, capacity=1)
    make_registration(session, event, n=1)
    make_registration(session, event, n=2)
    third = make_registration(session, event, n=3)
    assert third.status == RegistrationStatus.WAITLISTED
    body = client.get(f"{private_link(app, third)}?lang=en").get_data(as_text=True)
    assert 'class="badge badge-waitlisted"' in body
    assert "number 2 on the waiting list" in body
    assert "qr.png" not in body
    assert client.get(f"{private_link(app, third)}/qr.png").status_code == 404  # no ticket without a seat


# --- changing answers -----------------------------------------------------------------------------------


def test_edit_answers_normalises_and_logs_the_change(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    page = client.get(f"{link}/edit")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'value="山田"' in body and f'value="{registration.email}"' in body  # filled in with the answers

    response = client.post(f"{link}/edit?lang=en", data=_edit_data(
        registration, page, family_name="髙﨑", given_kana="はなこ", phone="０９０ー１２３４ー５６７８",
        company_name="ＡＢＣ　株式会社", postcode="１３５ー００６４"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == link

    session.rollback()
    session.refresh(registration)
    assert registration.family_name == "髙﨑"
    assert registration.given_kana == "ハナコ"
    assert registration.phone == "09012345678"
    assert registration.company_name == "ABC 株式会社"
    assert registration.postcode == "1350064"
    assert registration.category.code.value == "general"  # the attendee cannot change the 参加区分
    assert registration.status == RegistrationStatus.CONFIRMED

    change = session.scalar(select(RegistrationChange).where(RegistrationChange.registration_id == registration.id,
                                                             RegistrationChange.action == "updated"))
    details = json.loads(change.details)
    assert change.actor == "attendee"
    assert details["family_name"] == ["山田", "髙﨑"]
    assert details["given_kana"] == ["タロウ", "ハナコ"]
    assert details["phone"] == ["0312345678", "09012345678"]
    assert "email" not in details  # unchanged fields are not logged

    # Saving without changes logs nothing.
    page = client.get(f"{link}/edit")
    assert client.post(f"{link}/edit", data=_edit_data(registration, page)).status_code == 302
    assert session.scalar(select(func.count(RegistrationChange.id)).where(
        RegistrationChange.action == "updated")) == 1

    shown = client.get(f"{link}?lang=en").get_data(as_text=True)
    assert "Your changes have been saved." in shown and "髙﨑" in shown


def test_edit_with_bad_input_is_refused_per_field(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    page = client.get(f"{link}/edit")
    response = client.post(f"{link}/edit?lang=en", data=_edit_data(registration, page, family_kana="山田",
                                                                     email_confirm="other@example.jp"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="family_kana-error"' in body and 'id="email_confirm-error"' in body
    session.rollback()
    session.refresh(registration)
    assert registration.family_kana == "ヤマダ"


def test_edit_is_refused_after_the_deadline(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    page = client.get(f"{link}/edit")
    event.edit_deadline_at = utcnow() - timedelta(minutes=1)
    session.commit()

    response = client.post(f"{link}/edit?lang=en", data=_edit_data(registration, page, family_name="佐藤"))
    assert response.status_code == 302 and response.headers["Location"] == link
    session.rollback()
    session.refresh(registration)
    assert registration.family_name == "山田"
    shown = client.get(f"{link}?lang=en").get_data(as_text=True)
    assert "Changes are no longer possible" in shown
    assert f"{link}/edit" not in shown  # no button that leads nowhere

    late = client.get(f"{link}/edit?lang=en", follow_redirects=True)
    assert late.request.path == link  # the form is not even shown
    assert "Changes are no longer possible" in late.get_data(as_text=True)


def test_edit_to_another_registrations_email_is_refused(app, client, session):
    event = make_event(session)
    mine = make_registration(session, event, n=1)
    theirs = make_registration(session, event, n=2)
    link = private_link(app, mine)
    page = client.get(f"{link}/edit")
    taken = theirs.email.upper()  # the same address, however it is typed
    response = client.post(f"{link}/edit?lang=en", data=_edit_data(mine, page, email=taken, email_confirm=taken))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="email-error">([^<]*)</p>', body)
    assert error and "another registration uses this address" in error.group(1)
    assert f'value="{taken}"' in body  # what was typed stays in the form
    session.rollback()
    session.refresh(mine)
    assert mine.email == "taro1@example.jp"


# --- cancelling -----------------------------------------------------------------------------------------


def test_cancel_needs_confirmation_then_promotes_the_first_in_line(app, client, session):
    event = make_event(session, capacity=1)
    seated = make_registration(session, event, n=1)
    first = make_registration(session, event, n=2)
    second = make_registration(session, event, n=3)
    assert first.status == second.status == RegistrationStatus.WAITLISTED
    link = private_link(app, seated)

    page = client.get(f"{link}/cancel?lang=en")  # asking is not cancelling
    assert page.status_code == 200 and "Yes, cancel my registration" in page.get_data(as_text=True)
    assert client.post(f"{link}/cancel", data={}).status_code == 400  # no CSRF token: not a confirmation
    session.rollback()
    assert session.get(Registration, seated.id).status == RegistrationStatus.CONFIRMED
    assert _messages(session, "waitlist_promoted") == []

    response = client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and response.headers["Location"] == link
    session.rollback()
    assert session.get(Registration, seated.id).status == RegistrationStatus.CANCELLED
    assert session.get(Registration, first.id).status == RegistrationStatus.CONFIRMED
    assert session.get(Registration, second.id).status == RegistrationStatus.WAITLISTED
    [promoted] = _messages(session, "waitlist_promoted")
    assert promoted.to_address == first.email and promoted.registration_id == first.id
    assert any(a.content_type == "image/png" for a in promoted.attachments)  # the new ticket comes with it
    [cancelled] = _messages(session, "registration_cancelled")
    assert cancelled.to_address == seated.email

    # Cancelling again changes nothing and promotes nobody else.
    client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(page)})
    session.rollback()
    assert session.get(Registration, second.id).status == RegistrationStatus.WAITLISTED
    assert len(_messages(session, "waitlist_promoted")) == 1
    body = client.get(f"{link}?lang=en").get_data(as_text=True)
    assert 'class="badge badge-cancelled"' in body and "qr.png" not in body
    assert client.get(f"{link}/qr.png").status_code == 404


def test_a_cancelled_registration_can_no_longer_be_edited(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    page = client.get(f"{link}/edit")  # opened before cancelling, sent after
    cancel_page = client.get(f"{link}/cancel")
    assert client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(cancel_page)}).status_code == 302

    shown = client.get(f"{link}/edit?lang=en", follow_redirects=True)
    assert shown.request.path == link  # no form
    assert "This registration has been cancelled" in shown.get_data(as_text=True)
    response = client.post(f"{link}/edit?lang=en", data=_edit_data(registration, page, family_name="佐藤"),
                           follow_redirects=True)
    assert response.request.path == link
    assert "This registration has been cancelled" in response.get_data(as_text=True)
    session.rollback()
    registration = session.get(Registration, registration.id)
    assert registration.family_name == "山田" and registration.status == RegistrationStatus.CANCELLED
    actions = list(session.scalars(select(RegistrationChange.action)
                                   .where(RegistrationChange.registration_id == registration.id)))
    assert actions == ["registered", "cancelled"]
    with pytest.raises(EditingClosed):  # the rule is the service's, whoever calls it
        update_answers(session, registration, answers=RegistrationAnswers.of(registration), now=utcnow(),
                       actor="attendee")
    assert f"{link}/edit" not in client.get(link).get_data(as_text=True)


def test_cancelling_twice_says_so_and_mails_nothing_more(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    page = client.get(f"{link}/cancel")
    client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(page)})
    again = client.post(f"{link}/cancel?lang=en", data={"csrf_token": csrf_token_from(page)},
                        follow_redirects=True)
    body = again.get_data(as_text=True)
    assert "already cancelled" in body and "We have sent you a confirmation" not in body
    assert len(_messages(session, "registration_cancelled")) == 1


# --- the link again, the calendar -------------------------------------------------------------------------


def test_resend_link_queues_a_message(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    link = private_link(app, registration)
    page = client.get(link)
    response = client.post(f"{link}/resend", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    [message] = _messages(session, "link_resent")
    assert message.to_address == registration.email and message.registration_id == registration.id
    assert "/my/" in message.body_text
    assert client.post(f"{link}/resend", data={}).status_code == 400  # a button, not a link anyone can fire
    assert len(_messages(session, "link_resent")) == 1


def test_resend_by_email_does_not_tell_who_is_registered(client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    page = client.get(f"/events/{event.slug}/resend-link")
    token = csrf_token_from(page)
    known = client.post(f"/events/{event.slug}/resend-link", data={"email": registration.email.upper(),
                                                                   "csrf_token": token})
    unknown = client.post(f"/events/{event.slug}/resend-link", data={"email": "nobody@example.jp",
                                                                     "csrf_token": token})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    [message] = _messages(session, "link_resent")
    assert message.to_address == registration.email


def test_calendar_file_has_the_start_in_tokyo(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    response = client.get(f"{private_link(app, registration)}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    [entry] = calendar.walk("VEVENT")
    start = entry.decoded("dtstart")
    assert start == event.starts_at
    assert start.utcoffset() == timedelta(hours=9)
    assert entry["dtstart"].params.get("TZID") == "Asia/Tokyo"
    assert start.astimezone(TOKYO).hour == 13 and start.astimezone(TOKYO).minute == 30
    assert entry.decoded("dtend") == event.ends_at
    assert str(entry["summary"]) == event.title_ja


# --- registering again ------------------------------------------------------------------------------------


def test_registering_again_after_cancelling_reactivates_the_registration(app, client, session):
    event = make_event(session)
    assert _register(client, event.slug, email="hanako@example.jp", email_confirm="hanako@example.jp",
                     given_name="花子").status_code == 302
    registration = session.scalar(select(Registration))
    old_token, old_id = registration.token, registration.id
    link = private_link(app, registration)
    client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(client.get(f"{link}/cancel"))})
    session.rollback()
    assert session.get(Registration, old_id).status == RegistrationStatus.CANCELLED

    again = _register(client, event.slug, email="Hanako@Example.jp", email_confirm="hanako@example.jp",
                      given_name="華子")
    assert again.status_code == 302, again.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 1
    registration = session.get(Registration, old_id)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.given_name == "華子" and registration.cancelled_at is None
    assert registration.token == old_token  # the same ticket
    actions = [c.action for c in registration.changes]
    assert actions == ["registered", "cancelled", "re-registered"]
    assert client.get(link).status_code == 200
