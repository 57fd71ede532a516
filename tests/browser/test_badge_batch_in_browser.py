"""A badge batch in the browser: it runs in the background (a real job queue and worker thread),
the page shows its progress live, and the PDF downloads when it is done."""

from __future__ import annotations

import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from eventapp import jobs
from eventapp.badges import rendering
from tests.conftest import ORGANISER_PASSWORD
from tests.helpers import make_event, make_registration

pytestmark = pytest.mark.browser


def test_badge_batch_runs_in_background_with_live_progress(page: Page, live_server, session, organiser,
                                                            release_db, job_queue, monkeypatch, tmp_path):
    monkeypatch.setattr(rendering, "CHUNK_PAGES", 1)  # 23 badges in 3 chunks, so progress moves in steps
    event = make_event(session, capacity=50)
    jobs.huey.immediate = True  # their confirmation mails go out now, not ahead of the badges in the queue
    for n in range(23):
        make_registration(session, event, n=n, family_name="髙﨑" if n == 7 else "佐藤")
    jobs.huey.immediate = False
    organiser_email = organiser.email
    release_db()

    page.goto(f"{live_server}/login")
    page.get_by_label("メールアドレス").fill(organiser_email)
    page.get_by_label("パスワード").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("navigation", name="事務局").get_by_role("link", name="名札").click()
    page.get_by_role("button", name="PDFを作成").click()

    # Nothing has run yet: the page shows the job waiting, with an empty bar.
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("value", "0")
    expect(page.get_by_text("開始を待っています")).to_be_visible()

    job_queue()  # the worker starts; the page follows it without reloading
    expect(page.get_by_role("link", name="PDFをダウンロード")).to_be_visible(timeout=60_000)
    expect(progress).to_have_attribute("value", "23")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDFをダウンロード").click()
    pdf_path = tmp_path / "badges.pdf"
    download_info.value.save_as(pdf_path)
    document = pypdfium2.PdfDocument(str(pdf_path))
    assert len(document) == 3
    assert "髙﨑" in "".join(p.get_textpage().get_text_range() for p in document)
