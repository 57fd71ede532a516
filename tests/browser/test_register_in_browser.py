"""The acceptance test: a person registers in Chromium, the QR code on the page reads back as the server's
token, and an organiser finds the normalised answers in the list and the CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from eventapp.registration.models import Registration, RegistrationStatus
from tests.browser.conftest import decode_qr, label
from tests.conftest import ORGANISER_PASSWORD
from tests.helpers import make_event

pytestmark = pytest.mark.browser


def _register_takasaki(page: Page, live_server: str, slug: str) -> None:
    page.goto(f"{live_server}/events/{slug}/register")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_role("radio", name="一般").check()
    page.get_by_label(label("姓")).fill("髙﨑")
    page.get_by_label(label("名")).fill("太郎")
    page.get_by_label(label("セイ")).fill("ﾀｶｻｷ")  # half-width kana
    page.get_by_label(label("メイ")).fill("たろう")  # hiragana
    page.get_by_label(label("会社名・団体名")).fill("株式会社サンプル")
    page.get_by_label(label("業種（日本標準産業分類）")).select_option(label="E 製造業")
    page.get_by_label(label("従業員数")).select_option(label="21-50人")
    page.get_by_label(label("メールアドレス")).fill("takasaki@example.jp")
    page.get_by_label(label("メールアドレス（確認）")).fill("takasaki@example.jp")
    page.get_by_label(label("電話番号")).fill("０３－１２３４－５６７８")  # full-width digits and minus
    page.get_by_label(label("郵便番号")).fill("１３５－００６４")
    page.get_by_role("radio", name="参加する").check()
    page.get_by_role("checkbox", name=re.compile("運営")).check()
    page.get_by_role("button", name="申し込む").click()


def test_registering_in_the_browser_gives_a_readable_qr_and_the_organiser_sees_it(
        page: Page, live_server, session, organiser, release_db, tmp_path):
    slug = make_event(session).slug
    organiser_email = organiser.email
    release_db()

    _register_takasaki(page, live_server, slug)

    expect(page).to_have_url(re.compile(rf"/events/{slug}/register/done$"))
    expect(page.get_by_role("heading", name="ありがとうございます。参加が確定しました。")).to_be_visible()
    qr_text = decode_qr(page.locator("img[data-qr]"), tmp_path / "qr.png")

    release_db()
    registration = session.scalars(select(Registration)).one()
    assert qr_text == registration.token
    expect(page.locator("[data-receipt-code]")).to_have_text(registration.receipt_code)
    expect(page.get_by_text("受付番号")).to_be_visible()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.family_name, registration.given_name) == ("髙﨑", "太郎")
    assert (registration.family_kana, registration.given_kana) == ("タカサキ", "タロウ")
    assert registration.phone == "0312345678"
    assert registration.postcode == "1350064"
    assert registration.category.code.value == "general" and registration.attends_party is True
    assert registration.consent_privacy is True and registration.consent_share_with_exhibitors is False
    assert registration.locale == "ja"
    receipt_code = registration.receipt_code
    release_db()

    _organiser_finds_and_exports(page, live_server, organiser_email=organiser_email, receipt_code=receipt_code,
                                 tmp_path=tmp_path)


def _organiser_finds_and_exports(page: Page, live_server: str, *, organiser_email: str, receipt_code: str,
                                 tmp_path) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label(label("メールアドレス")).fill(organiser_email)
    page.get_by_label(label("パスワード")).fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()

    page.get_by_role("navigation", name="事務局").get_by_role("link", name="申込者").click()
    expect(page).to_have_url(re.compile(r"/admin/registrations"))
    row = page.locator("table tbody tr").filter(has_text="髙﨑")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("髙﨑 太郎")
    expect(row).to_contain_text("タカサキ タロウ")  # the half-width ﾀｶｻｷ and the hiragana, as stored

    # The CSV export of the same list.
    with page.expect_download() as download_info:
        page.locator("a[href*='/admin/registrations/export.csv']").click()

    # The phone number is on the registration's page, hyphenated from the stored digits.
    row.get_by_role("link", name="髙﨑 太郎").click()
    expect(page.get_by_text("03-1234-5678", exact=True)).to_be_visible()
    expect(page.get_by_text("〒135-0064", exact=True)).to_be_visible()

    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a BOM"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["受付番号"] == receipt_code
    assert (row["姓"], row["名"], row["セイ"], row["メイ"]) == ("髙﨑", "太郎", "タカサキ", "タロウ")
    assert row["電話"] == "03-1234-5678"
    assert row["郵便番号"] == "135-0064"
