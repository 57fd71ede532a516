"""The registration form and "my registration" as a person uses them in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration, RegistrationStatus
from tests.browser.conftest import decode_qr, fill_registration_form, label
from tests.helpers import link_token, make_event, make_registration

pytestmark = pytest.mark.browser


def _field(page: Page, input_id: str):
    """The .field block around one input: its label, hint, input and error live together."""
    return page.locator(".field").filter(has=page.locator(f"#{input_id}"))


def test_double_click_on_submit_makes_one_registration(page: Page, live_server, session, release_db):
    slug = make_event(session).slug
    release_db()

    page.goto(f"{live_server}/events/{slug}/register")
    fill_registration_form(page)
    page.get_by_role("button", name="申し込む").dblclick()

    expect(page).to_have_url(re.compile(r"/register/done(#.*)?$"))
    expect(page.locator("[data-receipt-code]")).to_have_text(re.compile(r"^\d{6}$"))
    release_db()
    assert session.scalar(select(func.count(Registration.id))) == 1
    assert session.scalar(select(func.count(OutboxMessage.id))) == 1  # one confirmation mail


def test_errors_are_shown_next_to_the_fields_in_japanese_and_typed_values_are_kept(
        page: Page, live_server, session, release_db):
    slug = make_event(session).slug
    release_db()

    page.goto(f"{live_server}/events/{slug}/register")
    fill_registration_form(page, family_name="", family_kana="ﾀｶｻｷ", given_name="太郎", phone="０３－１２３４－５６７８")
    page.get_by_label(label("会社名・団体名")).fill("株式会社サンプル")
    page.get_by_label(label("メールアドレス（確認）")).fill("other@example.jp")
    page.get_by_role("button", name="申し込む").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("次の項目を修正してください")

    family = _field(page, "family_name")
    expect(family.locator(".error")).to_have_text("姓：入力してください。")
    expect(page.get_by_label(label("姓"))).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(label("姓"))).to_have_attribute("aria-describedby", re.compile("family_name-error"))
    expect(_field(page, "email_confirm").locator(".error")).to_contain_text("メールアドレス（確認）")

    # The summary's link takes you to the field.
    summary.get_by_role("link", name="姓：入力してください。").click()
    expect(page.get_by_label(label("姓"))).to_be_focused()

    # What was typed is still there (normalised: half-width kana became katakana).
    expect(page.get_by_label(label("名"))).to_have_value("太郎")
    expect(page.get_by_label(label("セイ"))).to_have_value("タカサキ")
    expect(page.get_by_label(label("会社名・団体名"))).to_have_value("株式会社サンプル")
    expect(page.get_by_label(label("メールアドレス"))).to_have_value("taro@example.jp")
    expect(page.get_by_role("radio", name="一般")).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("運営"))).to_be_checked()
    release_db()
    assert session.scalar(select(func.count(Registration.id))) == 0

    # Correcting the two fields is enough to register.
    page.get_by_label(label("姓")).fill("髙﨑")
    page.get_by_label(label("メールアドレス（確認）")).fill("taro@example.jp")
    page.get_by_role("button", name="申し込む").click()
    expect(page).to_have_url(re.compile(r"/register/done(#.*)?$"))


def test_english_switch_shows_the_form_and_errors_in_english(page: Page, live_server, session, release_db):
    event = make_event(session)
    slug, title_en = event.slug, event.title_en
    release_db()

    page.goto(f"{live_server}/events/{slug}/register")
    page.get_by_role("banner").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(rf"/events/{slug}/register$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(title_en)  # e.g. 31st Joint Exchange Meeting
    expect(page.get_by_label(label("Family name"))).to_be_visible()
    expect(page.get_by_role("radio", name="General public")).to_be_visible()
    page.get_by_role("button", name="Register").click()

    expect(page.locator("#error-summary")).to_be_focused()
    expect(_field(page, "family_name").locator(".error")).to_have_text("Family name: please fill this in.")
    expect(page.get_by_text("入力してください")).to_have_count(0)
    # The header offers the way back.
    expect(page.get_by_role("banner").get_by_role("link", name="日本語")).to_be_visible()


def test_a_full_event_takes_the_waiting_list_and_tells_the_position(page: Page, live_server, session, release_db):
    event = make_event(session, capacity=1)
    make_registration(session, event, 1)  # takes the only seat
    make_registration(session, event, 2)  # first on the waiting list
    slug = event.slug
    release_db()

    page.goto(f"{live_server}/events/{slug}")
    expect(page.get_by_text("定員に達しました。補欠として申し込むことができます。", exact=False)).to_be_visible()
    page.get_by_role("link", name="補欠として申し込む").click()

    expect(page.get_by_role("radio", name=re.compile("一般"))).to_be_visible()
    expect(page.get_by_text("満席・補欠受付").first).to_be_visible()
    fill_registration_form(page, email="third@example.jp")
    page.get_by_role("button", name="補欠として申し込む").click()

    expect(page.get_by_role("heading", name="ありがとうございます。補欠として登録しました。")).to_be_visible()
    expect(page.get_by_text("補欠の2番目です。", exact=False)).to_be_visible()
    expect(page.locator(".badge-waitlisted")).to_have_text("補欠")
    expect(page.locator("img[data-qr]")).to_have_count(0)  # no ticket until a seat is confirmed
    release_db()
    newest = session.scalars(select(Registration).where(Registration.email == "third@example.jp")).one()
    assert newest.status == RegistrationStatus.WAITLISTED


def test_my_registration_shows_the_qr_and_cancel_asks_first(app, page: Page, live_server, session, release_db, tmp_path):
    event = make_event(session)
    registration = make_registration(session, event, 1, family_name="髙﨑")
    link = f"{live_server}/my/{link_token(app, registration)}"
    token, registration_id = registration.token, registration.id
    release_db()

    page.goto(link)
    expect(page.get_by_role("heading", name="お申込み内容")).to_be_visible()
    expect(page.get_by_text("髙﨑 太郎1 様", exact=False)).to_be_visible()
    assert decode_qr(page.locator("img[data-qr]"), tmp_path / "my-qr.png") == token

    page.get_by_role("link", name="申込みをキャンセルする").click()
    expect(page.get_by_role("button", name="はい、キャンセルします")).to_be_visible()
    release_db()
    assert session.get(Registration, registration_id).status == RegistrationStatus.CONFIRMED  # only asked
    release_db()

    page.get_by_role("link", name="いいえ、キャンセルしない").click()
    expect(page.locator("img[data-qr]")).to_be_visible()
    page.get_by_role("link", name="申込みをキャンセルする").click()
    page.get_by_role("button", name="はい、キャンセルします").click()

    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".badge-cancelled")).to_have_text("キャンセル")
    expect(page.locator("img[data-qr]")).to_have_count(0)
    release_db()
    assert session.get(Registration, registration_id).status == RegistrationStatus.CANCELLED
