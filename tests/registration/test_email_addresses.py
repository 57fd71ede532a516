"""E-mail addresses on every form that takes one: the limits of RFC 5321, IDN domains, and Japanese local
parts only when the relay can carry them (MAIL_SMTPUTF8)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from eventapp.registration.models import Registration
from tests.helpers import csrf_token_from, form_data, make_event, submission_id_from
from tests.registration.admin_support import body, person

LONG_LOCAL = "a" * 240 + "@example.jp"  # the local part may have 64 characters at most
JAPANESE_LOCAL = "山田太郎@example.jp"
IMPORT_HEADER = "参加区分,姓,名,セイ,メイ,会社名,所属グループ,メール,電話,郵便番号,懇親会,個人情報利用同意,名簿提供同意"


def _register(client, slug: str, address: str, *, lang: str = "ja"):
    page = client.get(f"/events/{slug}/register")
    data = form_data(email=address, email_confirm=address) | {
        "csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    return client.post(f"/events/{slug}/register?lang={lang}", data=data)


def _stored_addresses(session) -> list[str]:
    session.rollback()
    return list(session.scalars(select(Registration.email).order_by(Registration.id)))


@pytest.mark.parametrize("address", [
    LONG_LOCAL,
    "a" * 60 + "@" + ".".join(["日本語ドメイン名例" * 2] * 4) + ".jp",  # 139 characters, 267 in punycode
])
def test_addresses_beyond_the_limits_are_refused(client, session, address):
    event = make_event(session)
    response = _register(client, event.slug, address)
    assert response.status_code == 422
    page = body(response)
    assert "メールアドレス：" in page  # the field is named
    assert "文字" in page  # and the limit is said in Japanese
    assert _stored_addresses(session) == []


def test_a_local_part_of_64_characters_is_fine(client, session):
    event = make_event(session)
    address = "a" * 64 + "@example.jp"
    assert _register(client, event.slug, address).status_code == 302
    assert _stored_addresses(session) == [address]


def test_japanese_local_part_is_refused_when_the_relay_cannot_carry_it(app, client, session):
    assert app.config["MAIL_SMTPUTF8"] is False
    event = make_event(session)
    response = _register(client, event.slug, JAPANESE_LOCAL)
    assert response.status_code == 422
    page = body(response)
    assert "メールアドレス：日本語を含むアドレスは使えません。半角英数字のアドレスを入力してください" in page
    assert _stored_addresses(session) == []

    english = body(_register(client, event.slug, JAPANESE_LOCAL, lang="en"))
    assert "E-mail: this address has Japanese (or other non-ASCII) characters before the @" in english


def test_japanese_local_part_is_accepted_when_the_relay_carries_it(app, client, session):
    app.config["MAIL_SMTPUTF8"] = True
    event = make_event(session)
    assert _register(client, event.slug, JAPANESE_LOCAL).status_code == 302
    assert _stored_addresses(session) == [JAPANESE_LOCAL]


def test_idn_domain_is_accepted_and_kept_readable(organiser_client, client, session):
    """Stored as typed (Unicode, normalised), sent as punycode: the organiser list stays readable, and the
    punycode spelling of the same address is the same address."""
    event = make_event(session)
    assert _register(client, event.slug, "Taro@例え.JP").status_code == 302
    assert _stored_addresses(session) == ["Taro@例え.jp"]
    registration_id = session.scalar(select(Registration.id))
    assert "Taro@例え.jp" in body(organiser_client.get(f"/admin/registrations/{registration_id}"))
    assert "Taro@例え.jp" in body(organiser_client.get("/admin/outbox/"))

    again = _register(client, event.slug, "taro@xn--r8jz45g.jp")  # the same mailbox, spelt in ASCII
    assert again.status_code in (200, 302, 409)
    assert _stored_addresses(session) == ["Taro@例え.jp"]


def test_the_resend_link_form_uses_the_same_rules(client, session):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/resend-link")
    response = client.post(f"/events/{event.slug}/resend-link",
                           data={"email": LONG_LOCAL, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 200
    assert "メールアドレス：" in body(response)


def test_the_organiser_edit_form_uses_the_same_rules(organiser_client, session):
    event = make_event(session)
    registration = person(session, event, 1, "山田", "ヤマダ", email="taro@example.jp")
    url = f"/admin/registrations/{registration.id}/edit"
    data = form_data(email=JAPANESE_LOCAL, email_confirm=JAPANESE_LOCAL)
    data["csrf_token"] = csrf_token_from(organiser_client.get(url))
    response = organiser_client.post(url, data=data)
    assert response.status_code in (200, 422)
    assert "日本語を含むアドレスは使えません" in body(response)
    assert _stored_addresses(session) == ["taro@example.jp"]


def test_the_csv_importer_uses_the_same_rules(organiser_client, session):
    event = make_event(session)
    lines = [
        "一般,佐藤,次郎,サトウ,ジロウ,,," + LONG_LOCAL + ",,,,はい,",
        "一般,鈴木,一郎,スズキ,イチロウ,,," + JAPANESE_LOCAL + ",,,,はい,",
        "一般,髙﨑,花子,タカサキ,ハナコ,,,hanako@example.jp,090-1111-2222,,欠席,はい,",
    ]
    csv = "\r\n".join([IMPORT_HEADER, *lines]) + "\r\n"
    page_for_token = organiser_client.get(f"/admin/registrations/import?event={event.slug}")
    response = organiser_client.post(
        f"/admin/registrations/import?event={event.slug}",
        data={"csrf_token": csrf_token_from(page_for_token), "file": (io.BytesIO(csv.encode()), "members.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302  # the import runs as a job; its page shows the report
    page = body(organiser_client.get(response.headers["Location"]))
    for line in (2, 3):
        row = page.split(f'<td class="reg-line">{line}</td>')[1].split("</tr>")[0]
        assert "<td>メール</td>" in row
    assert "日本語を含むアドレスは使えません" in page and "64" in page
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 0
