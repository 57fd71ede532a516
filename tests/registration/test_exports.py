"""Exports: CSV for Excel (BOM, CRLF, neutralised formulas) and .xlsx, from the page and the CLI."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from eventapp.registration.exports import export_registrations
from eventapp.registration.queries import RegistrationFilters
from eventapp.tabular import guard_formula
from tests.helpers import make_event
from tests.registration.admin_support import make_group, person

HYPERLINK = '=HYPERLINK("http://evil.example/","click")'
EXPECTED_HEADER = ["受付番号", "状態", "参加区分", "姓", "名", "セイ", "メイ", "氏名ローマ字", "会社名", "会社名フリガナ", "部署",
                   "役職", "業種", "従業員数", "所属グループ", "メール", "電話", "郵便番号", "住所", "懇親会", "通信欄",
                   "個人情報利用同意", "名簿提供同意", "プログラム掲載同意", "バッジ読取同意", "申込日時"]


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def event_with_people(session):
    event = make_event(session, capacity=2)
    group = make_group(session)
    person(session, event, 1, "髙﨑", "タカサキ", company_name=HYPERLINK, group_id=group.id, phone="0312345678",
           postcode="1350064", industry_code="E", employees_band="21-50", romaji="TAKASAKI Taro")
    person(session, event, 2, "青木", "アオキ", department="+81 営業部", job_title="@部長", message="-5℃でも\n参加します")
    person(session, event, 3, "加藤", "カトウ")  # the waiting list
    return event


def test_csv_for_excel(organiser_client, event_with_people):
    response = organiser_client.get(f"/admin/registrations/export.csv?event={event_with_people.slug}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n") + 1  # CRLF (one LF inside a message cell)
    rows = _rows(data)
    assert rows[0] == EXPECTED_HEADER
    assert [r[3] for r in rows[1:]] == ["青木", "加藤", "髙﨑"]  # 五十音: アオキ, カトウ, タカサキ
    aoki, kato, takasaki = rows[1:]
    assert takasaki[8] == "'" + HYPERLINK
    assert aoki[10] == "'+81 営業部" and aoki[11] == "'@部長" and aoki[20] == "'-5℃でも\n参加します"
    assert takasaki[16] == "03-1234-5678" and takasaki[17] == "135-0064"
    assert takasaki[12] == "E 製造業" and takasaki[13] == "21-50" and takasaki[14] == "城南異業種交流会"
    assert takasaki[1] == "参加" and kato[1] == "補欠" and takasaki[2] == "一般"
    assert takasaki[19] == "出席" and takasaki[21] == "はい" and takasaki[22] == "いいえ"
    assert len(takasaki[25]) == 16 and takasaki[25][4] == "-"  # 2027-01-10 13:45, Tokyo time


def test_csv_respects_filters(organiser_client, event_with_people):
    data = organiser_client.get(f"/admin/registrations/export.csv?event={event_with_people.slug}"
                                "&status=waitlisted").data
    assert [r[3] for r in _rows(data)[1:]] == ["加藤"]
    data = organiser_client.get(f"/admin/registrations/export.csv?event={event_with_people.slug}&q=たかさき").data
    assert [r[3] for r in _rows(data)[1:]] == ["髙﨑"]


def test_xlsx_has_plain_strings_and_a_frozen_bold_header(organiser_client, event_with_people):
    response = organiser_client.get(f"/admin/registrations/export.xlsx?event={event_with_people.slug}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header == EXPECTED_HEADER
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    names = [sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)]
    assert names == ["青木", "加藤", "髙﨑"]
    takasaki = 4
    assert sheet.cell(row=takasaki, column=4).data_type == "s"
    company = sheet.cell(row=takasaki, column=9)
    assert company.value == HYPERLINK and company.data_type == "s"  # text, never a formula
    assert sheet.cell(row=takasaki, column=1).data_type == "s"  # 受付番号 stays text
    assert sheet.column_dimensions["I"].width > sheet.column_dimensions["D"].width


def test_unknown_format_is_404(organiser_client, event_with_people):
    assert organiser_client.get(f"/admin/registrations/export.pdf?event={event_with_people.slug}").status_code == 404


def test_service_and_cli(app, session, event_with_people, tmp_path):
    data, count = export_registrations(session, event_with_people, fmt="csv",
                                       filters=RegistrationFilters(status="confirmed"))
    assert count == 2 and len(_rows(data)) == 3
    runner = app.test_cli_runner()
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"list.{suffix}"
        result = runner.invoke(args=["registrations", "export", "--event", event_with_people.slug, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "3" in result.output
        assert out.stat().st_size > 100
    assert (tmp_path / "list.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = runner.invoke(args=["registrations", "export", "--event", "nope", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+81", "'+81"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("山田", "山田"), ("a=b", "a=b"), ("", ""),
])
def test_guard_formula(value, expected):
    assert guard_formula(value) == expected


# --- large exports run as a job ------------------------------------------------------------------


def test_a_long_list_is_exported_by_a_job(app, organiser_client, session, event_with_people):
    from tests.helpers import csrf_token_from

    app.config["EXPORT_JOB_THRESHOLD"] = 2
    url = f"/admin/registrations/export.xlsx?event={event_with_people.slug}"
    offer = organiser_client.get(url + "&lang=en")
    page = offer.get_data(as_text=True)
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    assert "3 registrations are in this list." in page and "Make the Excel file" in page
    started = organiser_client.post(url, data={"csrf_token": csrf_token_from(offer)})
    assert started.status_code == 302 and "/admin/jobs/" in started.headers["Location"]
    status = organiser_client.get(started.headers["Location"] + ".json").get_json()
    assert status["status"] == "done" and status["done"] == status["total"] == 3
    download = organiser_client.get(status["download_url"], buffered=True)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=registrations-")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert [c.value for c in sheet[1]] == EXPECTED_HEADER
    assert [sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)] == ["青木", "加藤", "髙﨑"]
    assert sheet.cell(row=4, column=9).value == HYPERLINK and sheet.cell(row=4, column=9).data_type == "s"


def test_the_job_keeps_the_filters_and_writes_csv(app, organiser_client, event_with_people):
    from tests.helpers import csrf_token_from

    app.config["EXPORT_JOB_THRESHOLD"] = 0
    url = f"/admin/registrations/export.csv?event={event_with_people.slug}&status=confirmed"
    offer = organiser_client.get(url)
    started = organiser_client.post(url, data={"csrf_token": csrf_token_from(offer)})
    status = organiser_client.get(started.headers["Location"] + ".json").get_json()
    data = organiser_client.get(status["download_url"], buffered=True).data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data)
    assert [r[3] for r in rows[1:]] == ["青木", "髙﨑"] and rows[2][8] == "'" + HYPERLINK


def test_a_short_list_is_a_direct_download_and_a_post_needs_the_token(organiser_client, event_with_people):
    url = f"/admin/registrations/export.csv?event={event_with_people.slug}"
    assert organiser_client.get(url).mimetype == "text/csv"  # 3 people, far below EXPORT_JOB_THRESHOLD
    assert organiser_client.post(url).status_code == 400
