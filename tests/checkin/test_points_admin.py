"""Organisers set up check-in points: list, add (limits, printing), edit, close and reopen; errors name the
field and say what to do."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventapp.checkin import organising, services
from eventapp.checkin.models import CheckinPoint, PointKind
from tests.helpers import csrf_token_from, make_event


def _page(client, event):
    response = client.get(f"/admin/checkin/events/{event.id}/points")
    assert response.status_code == 200
    return response


def _add(client, event, **fields):
    page = _page(client, event)
    data = {"code": "party", "name_ja": "懇親会", "name_en": "Party", "kind": "party", "csrf_token": csrf_token_from(page),
            **fields}
    return client.post(f"/admin/checkin/events/{event.id}/points", data={k: v for k, v in data.items() if v is not None})


def _point(session, event, code):
    session.rollback()
    return session.scalar(select(CheckinPoint).where(CheckinPoint.event_id == event.id, CheckinPoint.code == code))


def test_the_list_shows_the_reception_point(organiser_client, event):
    html = _page(organiser_client, event).get_data(as_text=True)
    assert "受付" in html and "<code>reception</code>" in html and "すべての参加区分" in html
    assert 'value="member"' in html and "会員" in html  # the event's categories as checkboxes


def test_adding_a_point_with_limits(organiser_client, session, event):
    response = _add(organiser_client, event, categories=["exhibitor", "member"], party_only="y", prints_badges="y")
    assert response.status_code == 302
    point = _point(session, event, "party")
    assert (point.name_ja, point.name_en, point.kind) == ("懇親会", "Party", PointKind.PARTY)
    assert point.allowed_category_codes == ["member", "exhibitor"]  # in the event's order
    assert point.party_only and point.prints_badges and point.closed_at is None
    html = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "受付ポイント「懇親会」を追加しました。" in html and "会員・出展" in html and "懇親会の申込者のみ" in html


def test_codes_are_unique_per_event_and_say_so(organiser_client, session, now, event):
    assert _add(organiser_client, event).status_code == 302
    again = _add(organiser_client, event, code="Party")  # the same, once lower-cased
    assert again.status_code == 422
    assert "コード：このイベントには既にコード party の受付ポイントがあります。別のコードにしてください。" in again.get_data(as_text=True)
    other = make_event(session, slug="other", now=now)
    assert _add(organiser_client, other).status_code == 302  # another event may use it


def test_each_error_names_its_field(organiser_client, session, event):
    response = _add(organiser_client, event, code="懇親 会", name_ja="", name_en="x" * 61, kind="tent",
                    categories=["nobody"])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "コード：半角の英小文字・数字・「-」「_」だけで、英字か数字から始めてください（例：party）。" in html
    assert "名前（日本語）：入力してください。" in html
    assert "名前（英語）：60文字以内で入力してください" in html
    assert "受付ポイントの種類：" in html and "対象の参加区分：" in html
    assert _point(session, event, "懇親 会") is None
    english = organiser_client.post(f"/admin/checkin/events/{event.id}/points?lang=en",
                                    data={"code": "", "name_ja": "", "csrf_token": csrf_token_from(_page(organiser_client, event))})
    text = english.get_data(as_text=True)
    assert english.status_code == 422 and "Point code: please fill this in." in text and "Name (Japanese): please fill this in." in text


def test_editing_a_point_keeps_its_code(organiser_client, session, event):
    reception = services.default_point(session, event)
    session.commit()
    page = organiser_client.get(f"/admin/checkin/points/{reception.id}/edit")
    assert page.status_code == 200 and 'name="code"' not in page.get_data(as_text=True)
    assert 'value="受付"' in page.get_data(as_text=True)
    response = organiser_client.post(f"/admin/checkin/points/{reception.id}/edit", data={
        "code": "hacked", "name_ja": "正面受付", "name_en": "Main entrance", "kind": "door", "categories": ["member"],
        "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    point = _point(session, event, "reception")
    assert (point.name_ja, point.name_en, point.allowed_category_codes, point.prints_badges) == (
        "正面受付", "Main entrance", ["member"], False)
    bad = organiser_client.post(f"/admin/checkin/points/{reception.id}/edit",
                                data={"name_ja": "", "kind": "door", "csrf_token": csrf_token_from(page)})
    assert bad.status_code == 422 and "名前（日本語）：入力してください。" in bad.get_data(as_text=True)


def test_closing_asks_first_then_reopening(organiser_client, session, now, event, device):
    reception = services.default_point(session, event)
    session.commit()
    listing = _page(organiser_client, event).get_data(as_text=True)
    assert f'href="/admin/checkin/points/{reception.id}/close"' in listing
    ask = organiser_client.get(f"/admin/checkin/points/{reception.id}/close")
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "「受付」の受付を締め切りますか？" in html and "受付-1" in html
    assert _point(session, event, "reception").closed_at is None  # asking closes nothing
    assert organiser_client.post(f"/admin/checkin/points/{reception.id}/close").status_code == 400  # no CSRF
    closed = organiser_client.post(f"/admin/checkin/points/{reception.id}/close",
                                   data={"csrf_token": csrf_token_from(ask)})
    assert closed.status_code == 302
    assert _point(session, event, "reception").closed_at is not None
    html = organiser_client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "「受付」の受付を締め切りました" in html and "受付を再開する" in html and "締切" in html
    assert organiser_client.get(f"/admin/checkin/points/{reception.id}/close").status_code == 302  # closed already
    token = csrf_token_from(_page(organiser_client, event))
    assert organiser_client.post(f"/admin/checkin/points/{reception.id}/reopen").status_code == 400  # no CSRF
    organiser_client.post(f"/admin/checkin/points/{reception.id}/reopen", data={"csrf_token": token})
    assert _point(session, event, "reception").closed_at is None


def test_close_twice_keeps_the_first_time(session, now, event):
    from datetime import timedelta

    point = services.default_point(session, event)
    organising.close_point(session, point, now=now)
    organising.close_point(session, point, now=now + timedelta(hours=1))
    assert point.closed_at == now
    organising.reopen_point(session, point)
    assert point.closed_at is None


def test_a_limit_to_an_unknown_category_is_refused_by_the_service(session, event):
    point = services.default_point(session, event)
    settings = organising.PointSettings(name_ja="受付", name_en="", kind=PointKind.DOOR, allowed_categories=("vip",),
                                        party_only=False, prints_badges=False)
    try:
        organising.update_point(session, point, settings)
    except organising.UnknownCategory as problem:
        assert "vip" in str(problem)
    else:
        raise AssertionError("an unknown category was accepted")


def test_only_organisers_and_no_such_point(staff_client, organiser_client, event):
    assert staff_client.get(f"/admin/checkin/events/{event.id}/points").status_code == 403
    assert organiser_client.get("/admin/checkin/points/999999/edit").status_code == 404
    page = _page(organiser_client, event)
    assert organiser_client.post("/admin/checkin/points/999999/close",
                                 data={"csrf_token": csrf_token_from(page)}).status_code == 404
    assert re.search(r'href="/admin/checkin/events/\d+/points"', page.get_data(as_text=True))
