"""The public registration form, end to end through Flask."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from eventapp.db import utcnow
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration, RegistrationStatus
from tests.helpers import csrf_token_from, form_data, make_event, submission_id_from, without_lang_marks
from tests.registration.admin_support import make_group


def _post(client, slug, **overrides):
    page = client.get(f"/events/{slug}/register")
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token_from(page)
    data.setdefault("submission_id", submission_id_from(page))
    return client.post(f"/events/{slug}/register", data=data)


def test_register_normalises_and_confirms(client, session):
    event = make_event(session)
    response = _post(client, event.slug, family_kana="ﾔﾏﾀﾞ", given_kana="たろう", phone="０３ー１２３４ー５６７８",
                     postcode="１３５−００６４", family_name="髙﨑", email="Taro@Example.JP", email_confirm="taro@example.jp")
    assert response.status_code == 302, response.get_data(as_text=True)
    registration = session.scalar(select(Registration))
    assert registration.family_name == "髙﨑"
    assert registration.family_kana == "ヤマダ" and registration.given_kana == "タロウ"
    assert registration.phone == "0312345678" and registration.phone_display == "03-1234-5678"
    assert registration.postcode == "1350064"
    assert registration.status == RegistrationStatus.CONFIRMED
    assert len(registration.token) >= 22 and registration.receipt_code.isdigit()
    done = client.get(response.headers["Location"])
    body = done.get_data(as_text=True)
    assert registration.receipt_code in body and "qr.png" in body
    message = session.scalar(select(OutboxMessage))
    assert message.to_address == registration.email and registration.receipt_code in message.body_text


def test_bad_input_is_reported_per_field_and_kept(client, session):
    event = make_event(session)
    response = _post(client, event.slug, family_name="", family_kana="山田", email="taro＠example.jp",
                     email_confirm="other@example.jp", given_name="<script>alert(1)</script>", company_name="株" * 200)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "姓：入力してください。" in body or "Family name: please fill this in." in body
    assert "全角" in body  # the full-width ＠ is named
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_double_submit_makes_one_registration(client, session):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")
    data = form_data() | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    first = client.post(f"/events/{event.slug}/register", data=data)
    second = client.post(f"/events/{event.slug}/register", data=data)
    assert first.status_code == second.status_code == 302
    assert session.scalar(select(func.count(Registration.id))) == 1


def test_same_email_twice_offers_the_link(client, session):
    event = make_event(session)
    assert _post(client, event.slug).status_code == 302
    again = _post(client, event.slug, email="TARO@example.jp", email_confirm="TARO@example.jp")
    assert again.status_code == 409
    assert session.scalar(select(func.count(Registration.id))) == 1


def test_submitting_after_registration_closed_refuses_and_saves_nothing(client, session):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")  # opened while still open...
    event.registration_closes_at = utcnow() - timedelta(minutes=1)  # ...sent after the close
    session.commit()
    data = form_data() | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 409
    assert 'value="山田"' in response.get_data(as_text=True)  # what was typed is still there
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_pages_say_when_registration_is_not_open(client, session):
    make_event(session, slug="later", opens_in=timedelta(days=3))
    make_event(session, slug="past", opens_in=timedelta(days=-10), closes_in=timedelta(days=-1))
    assert 'name="family_name"' not in client.get("/events/later/register").get_data(as_text=True)
    assert 'name="family_name"' not in client.get("/events/past/register").get_data(as_text=True)


def test_missing_csrf_keeps_answers(client, session, app):
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event(session)
    data = form_data(family_name="佐藤")
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 400
    assert 'value="佐藤"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Registration.id))) == 0


# --- submission ids belong to the browser that was given the form (issue 6, 2a) --------------------


def test_a_planted_submission_id_never_hands_over_a_registration(app, client, session):
    event = make_event(session)
    url = f"/events/{event.slug}/register"
    planted = "planted-by-another-site"
    # Another site makes the victim's browser post the form with an id of its choosing (and no CSRF token).
    reshown = client.post(url, data=form_data(submission_id=planted))
    assert reshown.status_code == 400
    assert submission_id_from(reshown) != planted  # the re-shown form carries an id of our own
    # The victim sends the form as it was shown to them.
    sent = client.post(url, data=form_data() | {"csrf_token": csrf_token_from(reshown),
                                                "submission_id": submission_id_from(reshown)})
    assert sent.status_code == 302
    victim = session.scalar(select(Registration))
    assert victim.submission_id != planted
    # Another browser posts the planted id, and even the victim's real one: never the victim's confirmation.
    attacker = app.test_client()
    for replayed in (planted, victim.submission_id):
        page = attacker.get(url)
        response = attacker.post(url, data=form_data(email="mallory@example.jp", email_confirm="mallory@example.jp")
                                 | {"csrf_token": csrf_token_from(page), "submission_id": replayed},
                                 follow_redirects=True)
        body = response.get_data(as_text=True)
        assert victim.receipt_code not in body and "/my/" not in body  # no private link on the page
        assert submission_id_from(response) not in (planted, victim.submission_id)  # a fresh form
    done = attacker.get(f"{url}/done", follow_redirects=True).get_data(as_text=True)
    assert victim.receipt_code not in done and "/my/" not in done
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 1


def test_a_double_click_shows_the_same_confirmation_to_the_same_browser(client, session):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")
    data = form_data() | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    first = client.post(f"/events/{event.slug}/register", data=data, follow_redirects=True)
    second = client.post(f"/events/{event.slug}/register", data=data, follow_redirects=True)
    registration = session.scalar(select(Registration))
    for response in (first, second):
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and registration.receipt_code in body
        assert 'href="/my/' in body  # the private link, to this browser
    assert session.scalar(select(func.count(Registration.id))) == 1


# --- what is stored is what can be seen (issue 6, 2h) ---------------------------------------------------


def test_invisible_characters_are_not_stored(client, session):
    event = make_event(session)
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # 👨‍👩‍👧 keeps its joiners
    response = _post(client, event.slug, family_name="山田\u202egnp.exe", given_name="太\u200b郎\u2060",
                     family_kana="ヤマ\u200bダ", company_name="\ufeff株式会社\u2066サンプル\u2069",
                     department="営業部\u200e\u061c", message=f"よろしく\u202d{family}")
    assert response.status_code == 302, response.get_data(as_text=True)
    registration = session.scalar(select(Registration))
    assert registration.family_name == "山田gnp.exe" and registration.given_name == "太郎"
    assert registration.family_kana == "ヤマダ" and registration.company_name == "株式会社サンプル"
    assert registration.department == "営業部" and registration.message == f"よろしく{family}"


def _urlencoded(data: dict, **raw: bytes) -> bytes:
    """The form as a client sends it, with some values given as raw (percent-encoded) bytes."""
    pairs = [urlencode({k: v}).encode() for k, v in data.items() if k not in raw]
    return b"&".join([*pairs, *(k.encode() + b"=" + v for k, v in raw.items())])


@pytest.mark.parametrize("raw", [b"%FF", b"%E5%B1", b"\xff"])  # not UTF-8: a lone byte, a cut character
def test_form_values_that_are_not_utf8_are_refused_by_name(client, session, raw):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")
    data = form_data() | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    response = client.post(f"/events/{event.slug}/register?lang=en", data=_urlencoded(data, family_name=raw),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "family_name" in body and "UTF-8" in body
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_a_query_that_is_not_utf8_is_refused_by_name(client, session):
    event = make_event(session)
    response = client.get(f"/events/{event.slug}?lang=ja&ref=%FF")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "ref" in body and "UTF-8" in body
    assert client.get(f"/events/{event.slug}?ref=%E5%B1%B1").status_code == 200  # 山: fine
    assert client.get(f"/events/{event.slug}?ref=%25FF").status_code == 200  # "%FF" typed as text: fine


# --- crafted choices (issue 6, 2i) -------------------------------------------------------------------

CRAFTED_CHOICES = [
    ("category", "staff", "Attendance category", "参加区分"),  # exists, but not on the public form
    ("category", "guest", "Attendance category", "参加区分"),
    ("category", "'; DROP TABLE registrations; --", "Attendance category", "参加区分"),
    ("group_id", "1 OR 1=1", "Exchange group", "所属グループ"),
    ("group_id", "999999", "Exchange group", "所属グループ"),  # no such group
    ("group_id", str(2**70), "Exchange group", "所属グループ"),
    ("group_id", "abc", "Exchange group", "所属グループ"),
    ("industry_code", "ZZ", "Industry (JSIC)", "業種"),
    ("employees_band", "lots", "Number of employees", "従業員数"),
    ("attends_party", "maybe", "Networking party", "懇親会"),
]


@pytest.mark.parametrize("name, value, english, japanese", CRAFTED_CHOICES)
def test_a_crafted_choice_gets_an_error_naming_the_field(client, session, name, value, english, japanese):
    event = make_event(session)
    make_group(session)
    for lang, label, advice in (("en", english, "please choose one of the options shown"),
                                ("ja", japanese, "表示されている選択肢から選んでください")):
        page = client.get(f"/events/{event.slug}/register")
        data = form_data(**{name: value}) | {"csrf_token": csrf_token_from(page),
                                             "submission_id": submission_id_from(page)}
        response = client.post(f"/events/{event.slug}/register?lang={lang}", data=data)
        assert response.status_code == 422, (lang, response.status_code)
        errors = re.findall(r'<p class="error"[^>]*>([^<]*)</p>', without_lang_marks(response.get_data(as_text=True)))
        assert any(label in error and advice in error for error in errors), (lang, errors)
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_a_category_closed_while_the_form_was_sent_is_an_error_not_a_500(client, session, monkeypatch):
    from eventapp.registration import services
    from eventapp.registration.errors import CategoryNotOffered

    def closed_meanwhile(*args, **kwargs):  # the organiser unticked it between the form check and the lock
        raise CategoryNotOffered("general")

    event = make_event(session)
    monkeypatch.setattr(services, "register", closed_meanwhile)
    response = _post(client, event.slug)
    assert response.status_code == 422
    assert "参加区分：表示されている選択肢から選んでください。" in response.get_data(as_text=True)
