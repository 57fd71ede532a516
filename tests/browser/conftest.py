"""Shared pieces of the real-browser tests: releasing the test's database session, filling the form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from eventapp import jobs


@pytest.fixture(scope="session")
def base_url() -> None:
    """Tests go to their live server's full address. This replaces pytest-playwright's fallback fixture,
    which pytest 9 warns about (a session fixture defined on a plugin class), and warnings are errors."""
    return None


@pytest.fixture
def job_queue():
    """Jobs go to a queue instead of running at once; the test starts the worker when it wants."""
    jobs.huey.immediate = False
    consumers = []

    def start_worker():
        consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False,
                                             check_worker_health=False)
        consumer.start()
        consumers.append(consumer)

    yield start_worker
    for consumer in consumers:
        consumer.stop(graceful=True)
    jobs.huey.immediate = True


@pytest.fixture
def release_db(session):
    """Call after setting data up: the test's own session must hold no transaction (no SQLite snapshot,
    no PostgreSQL locks) while the server thread writes; call again before reading what it wrote. (The
    test client does this before each of its requests; the browser's requests go to the server directly.)"""

    def release() -> None:
        session.rollback()

    return release


def label(text: str) -> re.Pattern:
    """A field's accessible name starts with its label; required ones end with 必須/required."""
    return re.compile(rf"^{re.escape(text)}(\s*(必須|required))?$")


def fill_registration_form(page: Page, *, category: str = "一般", family_name: str = "山田", given_name: str = "太郎",
                           family_kana: str = "ヤマダ", given_kana: str = "タロウ", email: str = "taro@example.jp",
                           phone: str = "03-1234-5678", postcode: str = "", party: str = "参加する",
                           consent: bool = True) -> None:
    """Fill the Japanese form by its labels, as a person would (only what is needed plus the given values)."""
    page.get_by_role("radio", name=category).check()
    page.get_by_label(label("姓")).fill(family_name)
    page.get_by_label(label("名")).fill(given_name)
    page.get_by_label(label("セイ")).fill(family_kana)
    page.get_by_label(label("メイ")).fill(given_kana)
    page.get_by_label(label("メールアドレス")).fill(email)
    page.get_by_label(label("メールアドレス（確認）")).fill(email)
    page.get_by_label(label("電話番号")).fill(phone)
    if postcode:
        page.get_by_label(label("郵便番号")).fill(postcode)
    page.get_by_role("radio", name=party).check()
    if consent:
        page.get_by_role("checkbox", name=re.compile("運営")).check()


def decode_qr(locator: Locator, path: Path) -> str:
    """Screenshot the QR image as shown on the page and decode it like a reception scanner would."""
    expect(locator).to_be_visible()
    locator.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=locator.element_handle())
    locator.screenshot(path=str(path))
    results = zxingcpp.read_barcodes(Image.open(path))
    assert len(results) == 1, f"expected one QR code in {path}, found {len(results)}"
    return results[0].text
