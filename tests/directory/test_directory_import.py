"""Import of groups and companies (CSV or Excel, as a job): all or nothing, re-runnable, UTF-8 or cp932.
A file that cannot be read is refused on the upload page (422); otherwise the POST starts a job (run at
once in tests) and redirects to its page, which shows the report."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from eventapp.directory import importer, services
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.jobs.models import JobRecord, JobStatus
from tests.helpers import csrf_token_from

GROUPS_CSV = (
    "グループ名,フリガナ,設立年,ウェブサイト,紹介,代表者\r\n"
    "プラザ62,ぷらざろくじゅうに,昭和62年,http://plaza62.net/,\"ソフトウェアや電子機器メーカーの経営者が中心。\n"
    "毎月の定例会\",日野 捷吉郎\r\n"
    "城南テクノ交流会,ジョウナンテクノコウリュウカイ,1995,,,\r\n"
    "多摩ものづくりネット,タマモノヅクリネット,,,,\r\n"
)

COMPANIES_CSV = (
    "会社名,フリガナ,業種,ウェブサイト,紹介,所属グループ\r\n"
    "株式会社エタニ電機,エタニデンキ,E,https://etani.example.jp/,監視カメラ,プラザ62\r\n"
    "(有)カトウ工業,かとうこうぎょう,製造業,,,城南テクノ交流会／プラザ62\r\n"
    "東都システム株式会社,トウトシステム,G 情報通信業,,,多摩ものづくりネット; 城南テクノ交流会\r\n"
)


def _upload(client, url, content: bytes, filename="list.csv"):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token_from(page), "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def _job_page(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/jobs/\d+", location), location
    page = client.get(location)
    assert page.status_code == 200
    return page


def _report(response) -> list[tuple[int, str]]:
    """(line, column) of each row of the problem table."""
    body = response.get_data(as_text=True)
    return [(int(line), column) for line, column in
            re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>', body)]


def _count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


@pytest.fixture
def groups(session):
    report = importer.import_groups(session, GROUPS_CSV.encode("utf-8-sig"))
    assert report.ok, report.problems
    session.commit()
    return {g.name: g for g in session.scalars(select(ExchangeGroup))}


# --- groups ------------------------------------------------------------------------------------


def test_group_import_with_bom_creates_and_converts(session, organiser_client):
    response = _upload(organiser_client, "/admin/groups/import", GROUPS_CSV.encode("utf-8-sig"))
    assert response.status_code == 302, response.get_data(as_text=True)
    plaza = session.scalar(select(ExchangeGroup).where(ExchangeGroup.name == "プラザ62"))
    assert plaza.reading == "プラザロクジュウニ" and plaza.founded_year == 1987
    assert plaza.description == "ソフトウェアや電子機器メーカーの経営者が中心。\n毎月の定例会"
    assert plaza.representative == "日野 捷吉郎"
    assert _count(session, ExchangeGroup) == 3
    flashed = organiser_client.get("/admin/groups").get_data(as_text=True)
    assert "3" in flashed and "多摩ものづくりネット" in flashed


def test_group_reimport_updates_and_counts_unchanged(session, groups):
    changed = GROUPS_CSV.replace("城南テクノ交流会,ジョウナンテクノコウリュウカイ,1995,,,",
                                 "城南テクノ交流会,ジョウナンテクノコウリュウカイ,1996,https://jonan.example.jp/,,代表 太郎")
    report = importer.import_groups(session, changed.encode("utf-8"))  # no BOM this time
    session.commit()
    assert report.ok and report.created == [] and report.updated == ["城南テクノ交流会"] and report.unchanged == 2
    jonan = session.scalar(select(ExchangeGroup).where(ExchangeGroup.name == "城南テクノ交流会"))
    assert (jonan.founded_year, jonan.website, jonan.representative) == (1996, "https://jonan.example.jp/", "代表 太郎")
    assert _count(session, ExchangeGroup) == 3


def test_columns_left_out_keep_their_values(session, groups):
    report = importer.import_groups(session, "グループ名,フリガナ\nプラザ62,プラザロクジュウニ\n".encode())
    session.commit()
    assert report.ok and report.unchanged == 1
    assert session.scalar(select(ExchangeGroup.founded_year).where(ExchangeGroup.name == "プラザ62")) == 1987


# --- companies ---------------------------------------------------------------------------------


def test_company_import_resolves_groups_and_industries(session, organiser_client, groups):
    response = _upload(organiser_client, "/admin/companies/import", COMPANIES_CSV.encode("utf-8-sig"))
    assert response.status_code == 302, response.get_data(as_text=True)
    companies = {c.name: c for c in session.scalars(select(Company))}
    assert set(companies) == {"株式会社エタニ電機", "(有)カトウ工業", "東都システム株式会社"}
    kato = companies["(有)カトウ工業"]
    assert kato.reading == "カトウコウギョウ" and kato.industry_code == "E"
    assert {g.name for g in kato.groups} == {"城南テクノ交流会", "プラザ62"}
    assert companies["東都システム株式会社"].industry_code == "G"
    assert {g.name for g in companies["東都システム株式会社"].groups} == {"多摩ものづくりネット", "城南テクノ交流会"}


def test_cp932_upload_works(session, organiser_client, groups):
    response = _upload(organiser_client, "/admin/companies/import", COMPANIES_CSV.encode("cp932"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _count(session, Company) == 3
    assert session.scalar(select(Company.reading).where(Company.name == "株式会社エタニ電機")) == "エタニデンキ"


def test_one_bad_row_imports_nothing_and_reports_each_problem(session, organiser_client, groups):
    bad = (
        "会社名,フリガナ,業種,ウェブサイト,紹介,所属グループ\r\n"
        "株式会社エタニ電機,エタニデンキ,E,,,プラザ62\r\n"  # line 2: fine
        "株式会社ミナト,港,Z,ftp://x,,プラザ62\r\n"  # line 3: reading, industry and website
        "東都システム株式会社,トウトシステム,G,,,存在しない会\r\n"  # line 4: unknown group
        ",ナナシ,E,,,プラザ62\r\n"  # line 5: no name
        "株式会社エタニ電機,エタニデンキ,E,,,プラザ62\r\n"  # line 6: same name as line 2
        "株式会社ヒトリ,ヒトリ,E,,,\r\n"  # line 7: no group
    )
    response = _job_page(organiser_client, _upload(organiser_client, "/admin/companies/import", bad.encode("utf-8")))
    assert _report(response) == [(3, "フリガナ"), (3, "業種"), (3, "ウェブサイト"), (4, "所属グループ"),
                                 (5, "会社名"), (6, "会社名"), (7, "所属グループ")]
    body = response.get_data(as_text=True)
    assert "存在しない会" in body  # the unknown group is named
    duplicate = re.search(r'<td class="num">6</td>(.*?)</tr>', body, re.S).group(1)
    assert re.search(r"\b2\b", duplicate.split('class="value"')[1])  # points at the first row with that name
    assert _count(session, Company) == 0


def test_reimport_of_companies_updates(session, groups):
    assert importer.import_companies(session, COMPANIES_CSV.encode("utf-8")).ok
    session.commit()
    again = COMPANIES_CSV.replace("株式会社エタニ電機,エタニデンキ,E,https://etani.example.jp/,監視カメラ,プラザ62",
                                  "株式会社エタニ電機,エタニデンキ,E,https://etani.example.jp/,医療機器,プラザ62|多摩ものづくりネット")
    report = importer.import_companies(session, again.encode("utf-8"))
    session.commit()
    assert report.ok and report.updated == ["株式会社エタニ電機"] and report.unchanged == 2 and not report.created
    etani = session.scalar(select(Company).where(Company.name == "株式会社エタニ電機"))
    assert etani.description == "医療機器" and len(etani.groups) == 2
    assert _count(session, Company) == 3


def test_service_refusal_during_writing_rolls_everything_back(session, groups, monkeypatch):
    real = services.create_company
    calls = []

    def flaky(session_, *, details):
        calls.append(details.name)
        if len(calls) == 2:
            raise services.CompanyNameTaken(details.name)
        return real(session_, details=details)

    monkeypatch.setattr(services, "create_company", flaky)
    report = importer.import_companies(session, COMPANIES_CSV.encode("utf-8"))
    assert not report.ok and report.problems[0].line == 3 and report.created == []
    session.commit()
    assert _count(session, Company) == 0


# --- whole-file problems -----------------------------------------------------------------------


@pytest.mark.parametrize("content, needle", [
    (b"", "空です"),
    ("\ufeff".encode(), "空です"),
    ("会社名,フリガナ,所属グループ\r\n".encode(), "データの行がありません"),
    ("社名?,読み方\r\nx,y\r\n".encode(), "会社名"),  # the missing column is named
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
    (bytes([0x82, 0xa0, 0xff, 0xfe, 0x80, 0x81]) * 3, "CSV UTF-8"),
])
def test_file_level_errors_are_clear(session, organiser_client, content, needle):
    response = _upload(organiser_client, "/admin/companies/import", content)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="file-error">([^<]*)</p>', response.get_data(as_text=True))
    assert error and needle in error.group(1)


def test_missing_file_is_reported_on_the_field(organiser_client):
    page = organiser_client.get("/admin/groups/import")
    response = organiser_client.post("/admin/groups/import", data={"csrf_token": csrf_token_from(page)},
                                     content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)


def test_header_aliases_tabs_and_unknown_columns(session):
    content = "ふりがな\tグループ名\t備考\nあおばかい\t青葉会\tメモ\n".encode("utf-16")
    report = importer.import_groups(session, content)
    assert report.ok and report.created == ["青葉会"] and report.ignored_columns == ["備考"]
    assert session.scalar(select(ExchangeGroup.reading)) == "アオバカイ"


def test_templates_and_exports_round_trip(session, organiser_client, groups):
    template = organiser_client.get("/admin/companies/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.data.startswith(b"\xef\xbb\xbf")
    assert template.data.decode("utf-8-sig").strip() == "会社名,フリガナ,業種,ウェブサイト,紹介,所属グループ"
    group_template = organiser_client.get("/admin/groups/template.csv").data.decode("utf-8-sig")
    assert group_template.strip() == "グループ名,フリガナ,設立年,ウェブサイト,紹介,代表者"

    services.create_company(session, details=services.CompanyDetails(
        name="株式会社マイナス", reading="マイナス", description="=HYPERLINK(\"http://x\")",
        group_ids=[groups["プラザ62"].id, groups["城南テクノ交流会"].id]))
    session.commit()
    exported = organiser_client.get("/admin/companies.csv").data
    assert "'=HYPERLINK" in exported.decode("utf-8-sig")  # neutralised for Excel
    report = importer.import_companies(session, exported)
    assert report.ok and report.unchanged == 1  # and read back as it was



# --- Excel, and the import as a job --------------------------------------------------------------


def _xlsx(text: str, *, formulas: dict[str, str] | None = None) -> bytes:
    """The CSV text above as an Excel workbook (one cell per value), with formulas put in some cells."""
    import csv

    workbook = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(text, newline="")):
        workbook.active.append([int(cell) if cell.isdigit() else cell for cell in row])
    for ref, formula in (formulas or {}).items():
        workbook.active[ref] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_group_import_from_excel(session, organiser_client):
    response = _upload(organiser_client, "/admin/groups/import", _xlsx(GROUPS_CSV), filename="groups.xlsx")
    page = _job_page(organiser_client, response).get_data(as_text=True)
    assert "Excel" in page and "groups.xlsx" in page
    plaza = session.scalar(select(ExchangeGroup).where(ExchangeGroup.name == "プラザ62"))
    assert plaza.founded_year == 1987 and plaza.description.endswith("\n毎月の定例会")
    assert session.scalar(select(ExchangeGroup.founded_year).where(ExchangeGroup.name == "城南テクノ交流会")) == 1995
    assert _count(session, ExchangeGroup) == 3


def test_company_import_from_excel_never_takes_a_formula(session, organiser_client, groups):
    content = _xlsx(COMPANIES_CSV, formulas={"E2": '=HYPERLINK("http://evil.example/","監視カメラ")'})
    response = _upload(organiser_client, "/admin/companies/import", content, filename="companies.xlsx")
    _job_page(organiser_client, response)
    assert _count(session, Company) == 3
    assert session.scalar(select(Company.description).where(Company.name == "株式会社エタニ電機")) == ""


def test_a_failed_job_changes_nothing(session, organiser_client, groups):
    bad = COMPANIES_CSV + "株式会社ミナト,ミナト,Z,,,プラザ62\r\n"
    page = _job_page(organiser_client, _upload(organiser_client, "/admin/companies/import", _xlsx(bad),
                                               filename="companies.xlsx"))
    assert _report(page) == [(5, "業種")]  # the sheet's row number
    session.rollback()
    assert session.scalar(select(JobRecord.status)) == JobStatus.FAILED
    assert _count(session, Company) == 0


def test_old_excel_and_libreoffice_files_are_refused_at_once(session, organiser_client):
    for content, needle in ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"), (_ods(), ".ods")):
        response = _upload(organiser_client, "/admin/groups/import", content, filename="list")
        assert response.status_code == 422
        error = re.search(r'<p class="error" id="file-error">([^<]*)</p>', response.get_data(as_text=True))
        assert error and needle in error.group(1)
    assert _count(session, JobRecord) == 0


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_excel_templates_can_be_filled_in_and_imported(session, organiser_client):
    template = organiser_client.get("/admin/groups/template.xlsx")
    assert template.status_code == 200 and template.mimetype.startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(template.data))
    assert [c.value for c in workbook.active[1]] == ["グループ名", "フリガナ", "設立年", "ウェブサイト", "紹介", "代表者"]
    workbook.active.append(["青葉会", "あおばかい", 2001])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _job_page(organiser_client, _upload(organiser_client, "/admin/groups/import", buffer.getvalue(), "t.xlsx"))
    assert session.scalar(select(ExchangeGroup.reading).where(ExchangeGroup.name == "青葉会")) == "アオバカイ"
