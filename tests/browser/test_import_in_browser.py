"""An import in the browser: an Excel file is uploaded, the job runs in the background (a real queue and
worker thread), and the job page shows the report when it ends, without the organiser reloading."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from eventapp.directory.models import ExchangeGroup
from tests.conftest import ORGANISER_PASSWORD

pytestmark = pytest.mark.browser


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def test_an_excel_import_runs_as_a_job_and_its_page_shows_the_report(page: Page, live_server, session, organiser,
                                                                      release_db, job_queue, tmp_path):
    organiser_email = organiser.email
    release_db()
    workbook = openpyxl.Workbook()
    for row in (["グループ名", "フリガナ", "設立年"], ["プラザ62", "ぷらざろくじゅうに", 1987], ["青葉会", "アオバカイ", None],
                ["城南テクノ交流会", "城南", 1995]):  # the last reading is not kana: the import must refuse it
        workbook.active.append(row)
    bad = tmp_path / "グループ.xlsx"
    workbook.save(bad)

    _login(page, live_server, organiser_email)
    page.goto(f"{live_server}/admin/groups/import")
    page.get_by_label("ファイル（ExcelまたはCSV）").set_input_files(bad)
    page.get_by_role("button", name="チェックして取り込む").click()

    expect(page).to_have_url(f"{live_server}/admin/jobs/1")
    expect(page.get_by_text("開始を待っています")).to_be_visible()
    job_queue()  # the worker starts; the page reloads itself when the job ends and shows the report
    report = page.locator("#error-summary")
    expect(report).to_be_visible(timeout=60_000)
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr td").first).to_have_text("4")
    expect(page.get_by_text("何も取り込まれませんでした。")).to_be_visible()
    release_db()
    assert session.scalar(select(func.count(ExchangeGroup.id))) == 0

    workbook.active["B4"] = "ジョウナンテクノコウリュウカイ"
    good = tmp_path / "groups.xlsx"
    workbook.save(good)
    page.get_by_role("link", name="修正したファイルをアップロード").click()
    page.get_by_label("ファイル（ExcelまたはCSV）").set_input_files(good)
    page.get_by_role("button", name="チェックして取り込む").click()
    expect(page.locator("#import-result")).to_contain_text("3行を取り込みました", timeout=60_000)
    release_db()
    assert session.scalar(select(func.count(ExchangeGroup.id))) == 3
