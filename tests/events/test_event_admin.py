"""Organisers create and edit events; capacity changes refill seats from the waiting list."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventapp.db import utcnow
from eventapp.events.models import Event, EventStatus, RegistrationWindow
from eventapp.registration.models import RegistrationStatus
from tests.helpers import csrf_token_from, make_event, make_registration


def _event_form(**overrides) -> dict:
    data = {
        "slug": "godo-2028", "title_ja": "第32回 合同交流会", "title_en": "32nd Joint Exchange Meeting",
        "edition": "32", "fiscal_year": "2027", "event_date": "2028-02-17", "doors_time": "13:00",
        "start_time": "13:30", "end_time": "17:30", "venue_name": "産業技術研究センター",
        "venue_address": "東京都江東区青海2-4-10", "venue_access": "", "venue_map_url": "",
        "description_ja": "", "description_en": "", "capacity": "500",
        "registration_opens_at": "2027-12-01T10:00", "registration_closes_at": "2028-02-10T17:00",
        "edit_deadline_at": "", "contact_email": "", "status": "draft",
    }
    data.update(overrides)
    return data


def test_organiser_creates_event_with_default_categories(organiser_client, session):
    page = organiser_client.get("/admin/events/new")
    response = organiser_client.post("/admin/events/new", data=_event_form(csrf_token=csrf_token_from(page)))
    assert response.status_code == 302
    event = session.scalar(select(Event).where(Event.slug == "godo-2028"))
    assert [c.label_ja for c in event.categories] == ["会員", "出展", "発表", "一般", "来賓", "報道", "スタッフ"]
    assert event.registration_opens_at.isoformat() == "2027-12-01T01:00:00+00:00"  # 10:00 in Tokyo
    assert event.status == EventStatus.DRAFT


def test_new_event_form_starts_from_last_year(organiser_client, session):
    last = make_event(session)
    body = organiser_client.get("/admin/events/new").get_data(as_text=True)
    assert re.search(rf'name="edition"[^>]*value="{last.edition + 1}"', body)


def test_invalid_event_form_names_fields(organiser_client, session):
    page = organiser_client.get("/admin/events/new")
    response = organiser_client.post("/admin/events/new", data=_event_form(
        csrf_token=csrf_token_from(page), slug="Bad Slug", end_time="12:00", capacity="0"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "スラッグ（URL名）：半角小文字" in body
    assert "終了：開始より後にしてください。" in body
    assert "定員：1〜100,000" in body
    assert session.scalar(select(Event)) is None


def test_raising_capacity_promotes_waiting_list(organiser_client, session):
    event = make_event(session, capacity=1)
    make_registration(session, event, n=1)
    waiting = make_registration(session, event, n=2)
    assert waiting.status == RegistrationStatus.WAITLISTED
    page = organiser_client.get(f"/admin/events/{event.id}/edit")
    form = _event_form(csrf_token=csrf_token_from(page), slug=event.slug, capacity="2", status="published",
                       registration_opens_at="2026-01-01T10:00", registration_closes_at="2027-02-10T17:00")
    assert organiser_client.post(f"/admin/events/{event.id}/edit", data=form).status_code == 302
    session.rollback()
    assert session.get(type(waiting), waiting.id).status == RegistrationStatus.CONFIRMED


def test_drafts_are_hidden_from_the_public(client, session):
    make_event(session, slug="draft-one", status=EventStatus.DRAFT)
    assert client.get("/events/draft-one").status_code == 404
    assert client.get("/events/draft-one/register").status_code == 404


def test_a_crafted_status_names_the_field(organiser_client, session):
    page = organiser_client.get("/admin/events/new")
    response = organiser_client.post("/admin/events/new", data=_event_form(csrf_token=csrf_token_from(page),
                                                                         status="deleted"))
    assert response.status_code == 422
    assert "状態：表示されている選択肢から選んでください。" in response.get_data(as_text=True)
    assert session.scalar(select(Event)) is None


# --- the public form always offers a category (issue 6, 2j) ------------------------------------------


def _categories_form(event, page, *, open_codes: set[str]) -> dict:
    data = {"csrf_token": csrf_token_from(page)}
    for category in event.categories:
        data[f"capacity-{category.id}"] = ""
        if category.code.value in open_codes:
            data[f"open-{category.id}"] = "on"
    return data


def test_unticking_every_public_category_is_refused_naming_the_field(organiser_client, session):
    event = make_event(session)
    offered_before = {c.code.value for c in event.categories if c.is_open}
    page = organiser_client.get(f"/admin/events/{event.id}/edit")
    response = organiser_client.post(f"/admin/events/{event.id}/categories?lang=en",
                                     data=_categories_form(event, page, open_codes=set()), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Offered on the public form: tick at least one category" in body
    assert "The categories have been saved." not in body
    session.rollback()
    assert {c.code.value for c in session.get(Event, event.id).categories if c.is_open} == offered_before
    japanese = organiser_client.post(f"/admin/events/{event.id}/categories?lang=ja",
                                     data=_categories_form(event, page, open_codes=set()), follow_redirects=True)
    assert "公開フォームに表示：" in japanese.get_data(as_text=True)

    # One is enough.
    organiser_client.post(f"/admin/events/{event.id}/categories",
                          data=_categories_form(event, page, open_codes={"member"}))
    session.rollback()
    assert [c.code.value for c in session.get(Event, event.id).categories if c.is_open] == ["member"]


def test_an_event_that_offers_no_category_is_not_open_anywhere(client, session):
    from eventapp.registration.services import registration_window

    event = make_event(session)  # made before the editor refused it (or by hand in the database)
    for category in event.categories:
        category.is_open = False
    session.commit()
    assert registration_window(session, event, now=utcnow()) == RegistrationWindow.CLOSED
    [item] = [e for e in client.get("/api/v1/events").get_json() if e["slug"] == event.slug]
    assert item["registration_status"] == "closed"
    for path in ("/", f"/events/{event.slug}", f"/events/{event.slug}/register"):
        body = client.get(f"{path}?lang=en").get_data(as_text=True)
        assert "Registration is closed." in body or path == "/", path
        assert f'href="/events/{event.slug}/register"' not in body and 'name="family_name"' not in body, path
