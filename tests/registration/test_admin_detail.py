"""A registration's page for organisers: answers, history, mail; edit, cancel and restore."""

from __future__ import annotations

from sqlalchemy import select

from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration, RegistrationChange, RegistrationStatus
from tests.helpers import csrf_token_from, form_data, make_event
from tests.registration.admin_support import body, make_group, person

ORGANISER = "organiser:jimukyoku@example.jp"


def _url(registration, action: str = "") -> str:
    return f"/admin/registrations/{registration.id}" + (f"/{action}" if action else "")


def test_detail_shows_answers_history_and_mail(organiser_client, session):
    event = make_event(session)
    group = make_group(session)
    registration = person(session, event, 1, "髙﨑", "タカサキ", phone="0312345678", postcode="1350064",
                          group_id=group.id, message="よろしく\nお願いします", industry_code="E")
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    page = body(organiser_client.get(_url(registration) + "?lang=en"))
    assert "髙﨑 太郎1" in page and registration.receipt_code in page
    assert "03-1234-5678" in page and "〒135-0064" in page
    assert group.name in page and "E Manufacturing" in page
    assert f'href="/admin/outbox/{message.id}"' in page
    history = page.split('id="history-heading"')[1].split('id="mail-heading"')[0]
    assert "The attendee" in history  # who registered
    assert "よろしく\nお願いします" in page


def test_unknown_registration_is_404(organiser_client, session):
    assert organiser_client.get("/admin/registrations/999").status_code == 404
    assert organiser_client.get("/admin/registrations/" + "9" * 30).status_code == 404
    assert organiser_client.get("/admin/registrations/" + "9" * 30 + "/edit").status_code == 404


def test_staff_and_anonymous_cannot_see_or_change(staff_client, client, session):
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ")
    for path in (_url(registration), _url(registration, "edit"), _url(registration, "cancel")):
        assert staff_client.get(path).status_code == 403
        assert "/login" in client.get(path).headers["Location"]
    assert staff_client.post(_url(registration, "restore")).status_code in (400, 403)
    session.rollback()
    assert session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


def test_waitlist_position_is_shown(organiser_client, session):
    event = make_event(session, capacity=1)
    person(session, event, 1, "山田", "ヤマダ")
    person(session, event, 2, "鈴木", "スズキ")
    third = person(session, event, 3, "佐藤", "サトウ")
    page = body(organiser_client.get(_url(third)))
    assert 'data-waitlist-position="2"' in page


def _edit(client, registration, **overrides):
    page = client.get(_url(registration, "edit"))
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token_from(page)
    data.pop("submission_id", None)
    return client.post(_url(registration, "edit"), data=data)


def test_edit_prefills_and_saves_normalised_values_with_history(organiser_client, session):
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ", email="taro@example.jp")
    page = body(organiser_client.get(_url(registration, "edit")))
    assert 'value="山田"' in page and 'value="taro@example.jp"' in page
    response = _edit(organiser_client, registration, company_name="株式会社　ミナト", phone="０９０ー１２３４ー５６７８",
                     given_kana="ﾀﾛｳ", category="guest")  # 来賓 is not on the public form; organisers may use it
    assert response.status_code == 302, body(response)
    session.rollback()
    registration = session.get(Registration, registration.id)
    assert registration.company_name == "株式会社 ミナト"
    assert registration.phone == "09012345678"
    assert registration.category.code.value == "guest"
    change = session.scalars(select(RegistrationChange).where(
        RegistrationChange.registration_id == registration.id, RegistrationChange.action == "updated")).one()
    assert change.actor == ORGANISER
    page = body(organiser_client.get(_url(registration)))
    assert "jimukyoku@example.jp" in page.split('id="history-heading"')[1] and "090-1234-5678" in page
    assert "<del>株式会社サンプル</del>" in page and "<ins>株式会社 ミナト</ins>" in page


def test_edit_reports_errors_per_field(organiser_client, session):
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ")
    response = _edit(organiser_client, registration, family_kana="山田", phone="12")
    assert response.status_code == 422
    page = body(response)
    assert 'id="family_kana-error"' in page and 'id="phone-error"' in page
    session.rollback()
    assert session.get(Registration, registration.id).family_kana == "ヤマダ"


def test_edit_refuses_another_registrations_address(organiser_client, session):
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ")
    person(session, event, 2, "鈴木", "スズキ", email="suzuki@example.jp")
    response = _edit(organiser_client, registration, email="Suzuki@example.jp", email_confirm="Suzuki@example.jp")
    assert response.status_code == 409
    assert 'id="email-error"' in body(response)


def test_cancel_asks_first_then_cancels_and_promotes(organiser_client, session):
    event = make_event(session, capacity=1)
    first = person(session, event, 1, "山田", "ヤマダ")
    waiting = person(session, event, 2, "鈴木", "スズキ")
    confirm_page = organiser_client.get(_url(first, "cancel"))
    assert confirm_page.status_code == 200
    session.rollback()
    assert session.get(Registration, first.id).status == RegistrationStatus.CONFIRMED  # asking changes nothing
    response = organiser_client.post(_url(first, "cancel"), data={"csrf_token": csrf_token_from(confirm_page)})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Registration, first.id).status == RegistrationStatus.CANCELLED
    assert session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    kinds = set(session.scalars(select(OutboxMessage.kind)))
    assert {"registration_cancelled", "waitlist_promoted"} <= kinds
    change = session.scalars(select(RegistrationChange).where(RegistrationChange.registration_id == first.id,
                                                              RegistrationChange.action == "cancelled")).one()
    assert change.actor == ORGANISER


def test_cancel_without_csrf_token_changes_nothing(organiser_client, session, app):
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ")
    assert organiser_client.post(_url(registration, "cancel")).status_code == 400
    session.rollback()
    assert session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


def test_restore_gives_the_place_back(organiser_client, session):
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ")
    page = organiser_client.get(_url(registration, "cancel"))
    organiser_client.post(_url(registration, "cancel"), data={"csrf_token": csrf_token_from(page)})
    detail = organiser_client.get(_url(registration))
    assert "/restore" in body(detail)
    response = organiser_client.post(_url(registration, "restore"), data={"csrf_token": csrf_token_from(detail)})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


def test_html_in_answers_is_escaped(organiser_client, session):
    event = make_event(session)
    registration = person(session, event, 1, "<b>x</b>", "ヤマダ", message="<img src=x onerror=alert(1)>")
    page = body(organiser_client.get(_url(registration)))
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "<img src=x" not in page
    page = body(organiser_client.get(_url(registration, "edit")))
    assert "<b>x</b>" not in page


def test_expired_form_keeps_what_was_typed(organiser_client, session, app):
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ")
    response = organiser_client.post(_url(registration, "edit"), data=form_data(company_name="新しい会社"))
    assert response.status_code == 400
    assert 'value="新しい会社"' in body(response)
    session.rollback()
    assert session.get(Registration, registration.id).company_name == "株式会社サンプル"
