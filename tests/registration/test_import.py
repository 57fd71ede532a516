"""Import (CSV or Excel, as a job): every line checked with the web form's rules, all or nothing, UTF-8 or
Shift_JIS. A file that cannot be imported at all is refused on the upload page (422); otherwise the POST
starts a job (run at once in tests) and redirects to its page, which shows the report."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from eventapp.db import utcnow
from eventapp.jobs.models import JobRecord, JobStatus
from eventapp.mail.models import OutboxMessage
from eventapp.registration.importer import MAX_IMPORT_BYTES, import_registrations
from eventapp.registration.models import (
    Registration,
    RegistrationChange,
    RegistrationSource,
    RegistrationStatus,
)
from tests.helpers import csrf_token_from, make_event
from tests.registration.admin_support import body, make_group, person

HEADER = "参加区分,姓,名,セイ,メイ,会社名,所属グループ,メール,電話,郵便番号,懇親会,個人情報利用同意,名簿提供同意"
GOOD_LINES = [
    "会員,山田,太郎,ﾔﾏﾀﾞ,たろう,株式会社サンプル,城南異業種交流会,taro@example.jp,０３－１２３４－５６７８,１３５ー００６４,出席,はい,はい",
    "来賓,髙﨑,花子,タカサキ,ハナコ,,,hanako@example.jp,090-1111-2222,,欠席,はい,",
]


def _csv(*lines: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *lines]) + "\r\n"


def _upload(client, event, data: bytes | str, *, notify: bool = False, assume_consent: bool = False,
            filename: str = "members.csv"):
    page = client.get(f"/admin/registrations/import?event={event.slug}")
    if isinstance(data, str):
        data = data.encode("utf-8")
    form = {"csrf_token": csrf_token_from(page), "file": (io.BytesIO(data), filename)}
    if notify:
        form["notify"] = "y"
    if assume_consent:
        form["assume_privacy_consent"] = "y"
    return client.post(f"/admin/registrations/import?event={event.slug}&lang=en", data=form,
                       content_type="multipart/form-data")


def _job_page(client, response):
    """The page of the job an upload started (the report of the import)."""
    assert response.status_code == 302, body(response)
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/jobs/\d+", location), location
    page = client.get(location + "?lang=en")
    assert page.status_code == 200
    return page


def _job_status(session) -> JobStatus:
    session.rollback()
    return session.scalars(select(JobRecord.status).order_by(JobRecord.id.desc())).first()


def _count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count(Registration.id)))


@pytest.fixture
def event(session):
    event = make_event(session)
    make_group(session)
    return event


def test_template_has_the_header_row(organiser_client, event):
    response = organiser_client.get("/admin/registrations/import/template.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    header = response.data.decode("utf-8-sig").strip()
    assert header.startswith("参加区分,姓,名,セイ,メイ,氏名ローマ字,会社名") and "受付番号" not in header


def test_page_shows_the_form(organiser_client, event):
    page = body(organiser_client.get(f"/admin/registrations/import?event={event.slug}"))
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "template.csv" in page


def test_good_file_is_imported_with_normalised_values(organiser_client, session, event):
    response = _upload(organiser_client, event, "\ufeff" + _csv(*GOOD_LINES))
    assert response.status_code == 302, body(response)
    assert _job_status(session) == JobStatus.DONE
    assert _count(session) == 2
    yamada = session.scalar(select(Registration).where(Registration.email_key == "taro@example.jp"))
    assert yamada.family_kana == "ヤマダ" and yamada.given_kana == "タロウ"
    assert yamada.phone == "0312345678" and yamada.postcode == "1350064"
    assert yamada.group.name == "城南異業種交流会" and yamada.category.code.value == "member"
    assert yamada.attends_party and yamada.consent_privacy and yamada.consent_share_with_exhibitors
    assert yamada.source == RegistrationSource.IMPORT and yamada.status == RegistrationStatus.CONFIRMED
    hanako = session.scalar(select(Registration).where(Registration.email_key == "hanako@example.jp"))
    assert hanako.family_name == "髙﨑" and hanako.category.code.value == "guest"  # 来賓: not on the public form
    assert not hanako.attends_party and not hanako.consent_share_with_exhibitors
    actors = set(session.scalars(select(RegistrationChange.actor)))
    assert actors == {"organiser:jimukyoku@example.jp"}
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0  # notify was off
    report = body(_job_page(organiser_client, response))
    assert "Imported 2 registrations: 2 confirmed, 0 on the waiting list." in report
    assert "The file was read as CSV (UTF-8 with BOM)." in report
    listing = body(organiser_client.get(re.search(r'href="(/admin/registrations\?[^"]*)"', report).group(1)
                                        .replace("&amp;", "&")))
    assert "髙﨑" in listing


def test_notify_queues_the_confirmation_mails(organiser_client, session, event):
    assert _upload(organiser_client, event, _csv(*GOOD_LINES), notify=True).status_code == 302
    session.rollback()
    addresses = set(session.scalars(select(OutboxMessage.to_address)))
    assert addresses == {"taro@example.jp", "hanako@example.jp"}


def test_one_bad_line_imports_nothing_and_names_line_and_field(organiser_client, session, event):
    bad = "一般,佐藤,次郎,佐藤,ジロウ,,,jiro@example.jp,03-1234-5678,,,はい,"  # セイ in kanji
    response = _upload(organiser_client, event, _csv(GOOD_LINES[0], bad, GOOD_LINES[1]))
    page = body(_job_page(organiser_client, response))
    assert _job_status(session) == JobStatus.FAILED
    assert _count(session) == 0
    row = page.split('<td class="reg-line">3</td>')[1].split("</tr>")[0]
    assert "<td>セイ</td>" in row
    assert "katakana" in row
    assert '<td class="reg-line">2</td>' not in page and '<td class="reg-line">4</td>' not in page


def test_every_problem_is_reported(organiser_client, session, event):
    lines = [
        "会員,,太郎,ヤマダ,タロウ,,,a@example.jp,,,,はい,",  # 姓 missing
        "幹事,鈴木,一郎,スズキ,イチロウ,,,b＠example.jp,12,,たぶん,はい,",  # category, e-mail, phone, 懇親会
        "一般,田中,三郎,タナカ,サブロウ,,無いグループ,c@example.jp,,,,はい,",  # unknown group
    ]
    page = body(_job_page(organiser_client, _upload(organiser_client, event, _csv(*lines))))
    assert _count(session) == 0
    for line, column in ((2, "姓"), (3, "参加区分"), (3, "メール"), (3, "電話"), (3, "懇親会"), (4, "所属グループ")):
        assert f'<td class="reg-line">{line}</td><td>{column}</td>' in page, (line, column)
    assert "幹事" in page and "無いグループ" in page  # the values are quoted back


def test_duplicates_in_the_file_and_in_the_event(organiser_client, session, event):
    person(session, event, 1, "既存", "キゾン", email="kizon@example.jp")
    lines = [
        "一般,山田,太郎,ヤマダ,タロウ,,,same@example.jp,,,,はい,",
        "一般,山田,次郎,ヤマダ,ジロウ,,,SAME@example.jp,,,,はい,",
        "一般,既存,太郎,キゾン,タロウ,,,Kizon@Example.jp,,,,はい,",
    ]
    page = body(_job_page(organiser_client, _upload(organiser_client, event, _csv(*lines))))
    assert _count(session) == 1
    assert '<td class="reg-line">3</td><td>メール</td>' in page
    assert '<td class="reg-line">4</td><td>メール</td>' in page
    assert '<td class="reg-line">2</td>' not in page


def test_shift_jis_file_from_excel(organiser_client, session, event):
    data = _csv(*GOOD_LINES).encode("cp932")
    response = _upload(organiser_client, event, data)
    assert response.status_code == 302, body(response)
    session.rollback()
    names = set(session.scalars(select(Registration.family_name)))
    assert names == {"山田", "髙﨑"}


def test_capacity_and_waiting_list_apply_in_file_order(organiser_client, session):
    event = make_event(session, capacity=1)
    lines = [f"一般,人{n},太郎,ヒト,タロウ,,,p{n}@example.jp,,,,はい," for n in range(3)]
    assert _upload(organiser_client, event, _csv(*lines)).status_code == 302
    session.rollback()
    statuses = dict(session.execute(select(Registration.family_name, Registration.status)).all())
    assert statuses == {"人0": RegistrationStatus.CONFIRMED, "人1": RegistrationStatus.WAITLISTED,
                        "人2": RegistrationStatus.WAITLISTED}


def test_consent_column_or_the_senders_confirmation(organiser_client, session, event):
    header = "参加区分,姓,名,セイ,メイ,メール"
    line = "一般,山田,太郎,ヤマダ,タロウ,taro@example.jp"
    refused = _upload(organiser_client, event, _csv(line, header=header))
    assert refused.status_code == 422 and "個人情報利用同意" in body(refused)
    assert _count(session) == 0
    assert _upload(organiser_client, event, _csv(line, header=header), assume_consent=True).status_code == 302
    session.rollback()
    assert session.scalar(select(Registration.consent_privacy))


@pytest.mark.parametrize(("data", "words"), [
    (b"", ["empty"]),
    ("姓,名,メール\r\n山田,太郎,a@example.jp\r\n".encode(), ["参加区分", "セイ", "メイ"]),
    (b"\x81\xff\xfe\x00\x80\x90" * 10, ["could not be read"]),
    (b"PK\x03\x04" + b"\x00" * 50, ["Excel"]),
    (HEADER.encode("utf-8"), ["no people"]),
    (b"\xef\xbb\xbf" + b"\xff\xfe", ["could not be read"]),
])
def test_unreadable_files_get_a_clear_message(organiser_client, session, event, data, words):
    response = _upload(organiser_client, event, data)
    assert response.status_code == 422
    page = body(response)
    assert all(word in page for word in words), page.split('id="report-heading"')[-1][:600]
    assert _count(session) == 0


def test_no_file_chosen(organiser_client, event):
    page = organiser_client.get(f"/admin/registrations/import?event={event.slug}")
    response = organiser_client.post(f"/admin/registrations/import?event={event.slug}",
                                     data={"csrf_token": csrf_token_from(page)}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="file-error"' in body(response)


def test_too_large_file(app, session, event):
    data = (_csv(GOOD_LINES[0]) + "#" * (MAX_IMPORT_BYTES + 10)).encode()
    with app.test_request_context():
        report = import_registrations(session, event, data, now=utcnow(), actor="t")
    assert not report.ok and "MB" in report.file_errors[0]


def test_export_can_be_imported_into_another_event(organiser_client, session, event):
    person(session, event, 1, "髙﨑", "タカサキ", company_name='=HYPERLINK("x")', industry_code="E",
           employees_band="301+", postcode="1350064", consent_lead_scanning=True)
    exported = organiser_client.get(f"/admin/registrations/export.csv?event={event.slug}").data
    other = make_event(session, slug="godo-2028")
    response = _upload(organiser_client, other, exported)
    assert response.status_code == 302, body(response)
    session.rollback()
    copy = session.scalar(select(Registration).where(Registration.event_id == other.id))
    assert copy.family_name == "髙﨑" and copy.company_name == '=HYPERLINK("x")'
    assert copy.industry_code == "E" and copy.employees_band == "301+" and copy.postcode == "1350064"
    assert copy.consent_lead_scanning and copy.phone == "0312345678"


def test_html_in_the_file_is_escaped_in_the_report(organiser_client, session, event):
    line = "<b>x</b>,山田,太郎,ヤマダ,タロウ,,,taro@example.jp,,,,はい,"
    page = body(_job_page(organiser_client, _upload(organiser_client, event, _csv(line))))
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_staff_cannot_import(staff_client, session, event):
    assert staff_client.post(f"/admin/registrations/import?event={event.slug}").status_code in (400, 403)
    assert _count(session) == 0


def test_success_message_counts_the_waiting_list(organiser_client, session):
    event = make_event(session, capacity=1)
    lines = [f"一般,人{n},太郎,ヒト,タロウ,,,p{n}@example.jp,,,,はい," for n in range(2)]
    response = _upload(organiser_client, event, _csv(*lines))
    page = body(_job_page(organiser_client, response))
    assert "Imported 2 registrations: 1 confirmed, 1 on the waiting list." in page


# --- Excel, and the import as a job --------------------------------------------------------------


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows(*lines: str, header: str = HEADER) -> list[list[str]]:
    return [header.split(","), *(line.split(",") for line in lines)]


def test_excel_workbook_is_imported(organiser_client, session, event):
    rows = _rows(*GOOD_LINES)
    rows[1][9] = 1350064  # a postcode typed as a number
    response = _upload(organiser_client, event, _xlsx(rows), filename="名簿.xlsx")
    report = body(_job_page(organiser_client, response))
    assert _job_status(session) == JobStatus.DONE
    assert "The file was read as Excel workbook (.xlsx), sheet “Sheet”. (名簿.xlsx)" in report
    yamada = session.scalar(select(Registration).where(Registration.email_key == "taro@example.jp"))
    assert yamada.postcode == "1350064" and yamada.family_kana == "ヤマダ" and yamada.attends_party
    assert _count(session) == 2


def test_excel_formula_cells_are_not_imported_as_formulas(organiser_client, session, event):
    rows = _rows(GOOD_LINES[0])
    rows[1][5] = '=HYPERLINK("http://evil.example/","株式会社サンプル")'  # 会社名: a formula (no value saved)
    response = _upload(organiser_client, event, _xlsx(rows), filename="members.xlsx")
    assert _job_status(session) == JobStatus.DONE, body(_job_page(organiser_client, response))
    assert session.scalar(select(Registration.company_name)) == ""  # the value it showed, never the formula


def test_old_excel_files_are_refused_on_the_upload_page(organiser_client, session, event):
    response = _upload(organiser_client, event, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
                       filename="members.xls")
    assert response.status_code == 422
    assert "Excel 97-2003 workbook (.xls)" in body(response) and "Excel workbook (.xlsx)" in body(response)
    assert session.scalar(select(func.count(JobRecord.id))) == 0 and _count(session) == 0


def test_the_job_reports_progress_and_removes_the_upload(organiser_client, session, event, app):
    response = _upload(organiser_client, event, _csv(*GOOD_LINES))
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    status = organiser_client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "done" and status["done"] == status["total"] == 2 and status["download_url"] is None
    job_folder = Path(app.config["JOB_FILES_DIR"]) / str(job_id)
    assert not any(job_folder.iterdir())  # the list of people is not kept once imported
    page = body(organiser_client.get(f"/admin/jobs/{job_id}"))
    assert "data-reload-when-finished" in page  # the page reloads to show the report when the job ends


def test_a_failed_import_changes_nothing_and_says_so(organiser_client, session, event):
    person(session, event, 1, "既存", "キゾン", email="kizon@example.jp")
    changes, mails = (session.scalar(select(func.count(model.id))) for model in (RegistrationChange, OutboxMessage))
    lines = [GOOD_LINES[0], "一般,既存,太郎,キゾン,タロウ,,,kizon@example.jp,,,,はい,"]
    page = body(_job_page(organiser_client, _upload(organiser_client, event, _csv(*lines), notify=True)))
    assert _job_status(session) == JobStatus.FAILED
    assert "Nothing was imported" in page and "Upload a corrected file" in page
    assert _count(session) == 1 and session.scalar(select(func.count(RegistrationChange.id))) == changes
    assert session.scalar(select(func.count(OutboxMessage.id))) == mails


def test_registering_fails_late_and_rolls_back_everything(organiser_client, session, event, monkeypatch):
    """A line that passes the checks but is refused while registering (someone registered the address
    meanwhile) undoes the lines registered before it."""
    from eventapp.registration import services
    from eventapp.registration.errors import AlreadyRegistered

    real, calls = services.register, []

    def register(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise AlreadyRegistered(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "register", register)
    page = body(_job_page(organiser_client, _upload(organiser_client, event, _csv(*GOOD_LINES))))
    assert _job_status(session) == JobStatus.FAILED and _count(session) == 0
    assert '<td class="reg-line">3</td><td>メール</td>' in page


def test_excel_template(organiser_client, event):
    response = organiser_client.get("/admin/registrations/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype.startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:5] == ["参加区分", "姓", "名", "セイ", "メイ"]
