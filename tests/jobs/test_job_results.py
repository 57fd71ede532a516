"""The job framework's additions for imports: a result shown by the kind's report template, outcomes that
fail without an exception, files kept in the job's folder, and inline jobs that run as a worker runs them
(without the request). And an import run by a worker, outside any request."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import has_request_context
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from eventapp.db import is_sqlite, utcnow, write_transactions
from eventapp.jobs import (
    JobKind,
    JobOutcome,
    JobRecord,
    JobStatus,
    enqueue_job,
    job_file,
    own_session,
    run_job,
)
from eventapp.jobs import kinds as job_kinds
from eventapp.registration.models import Registration
from eventapp.registration.tasks import IMPORT_JOB, start_registration_import
from tests.helpers import make_event, without_lang_marks

CSV = ("参加区分,姓,名,セイ,メイ,メール,個人情報利用同意\r\n"
       "一般,山田,太郎,ヤマダ,タロウ,taro@example.jp,はい\r\n"
       "一般,佐藤,花子,サトウ,ハナコ,hanako@example.jp,はい\r\n").encode()


@pytest.fixture
def report_kind(monkeypatch):
    """A kind of job whose outcome is whatever the test puts in `outcomes`, shown by the import report."""
    seen: dict = {}
    outcomes: list[JobOutcome] = []

    def run(context):
        seen["request"] = has_request_context()
        return outcomes.pop(0)

    monkeypatch.setitem(job_kinds._kinds, "test-report", JobKind(
        name="test-report", run=run, report_template="registration/_import_report.html",
        texts={"title": "Test", "failed": "Nothing was imported.", "running": "", "unit": "", "download": ""}))
    return seen, outcomes


def _record(session, kind: str = "test-report") -> int:
    job = job_kinds.start_job(session, kind=kind, total=2, params={}, created_by="test")
    session.commit()
    return job.id


def _result(**fields) -> dict:
    return {"file_errors": [], "row_errors": [], "rows_read": 2, "source": "CSV (UTF-8)", "ignored_columns": [],
            "imported": 2, "confirmed": 2, "waitlisted": 0, "event_slug": "godo-2027"} | fields


def test_a_result_is_kept_and_shown_by_the_kinds_template(app, organiser_client, session, report_kind):
    _, outcomes = report_kind
    outcomes.append(JobOutcome(result=_result()))
    job_id = _record(session)
    enqueue_job(job_id)
    session.rollback()
    job = session.get(JobRecord, job_id)
    assert job.status == JobStatus.DONE and job.result["imported"] == 2 and job.done == 2
    page = organiser_client.get(f"/admin/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "Imported 2 registrations: 2 confirmed, 0 on the waiting list." in page


def test_an_outcome_can_fail_and_still_carry_its_report(app, organiser_client, session, report_kind):
    _, outcomes = report_kind
    problem = {"line": 3, "column": "セイ", "message": "<b>katakana</b> please"}
    outcomes.append(JobOutcome(result=_result(row_errors=[problem]), failed=True))
    job_id = _record(session)
    enqueue_job(job_id)
    session.rollback()
    job = session.get(JobRecord, job_id)
    assert job.status == JobStatus.FAILED and job.done == 0  # not shown as complete
    page = organiser_client.get(f"/admin/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert '<td class="reg-line">3</td><td>セイ</td><td>&lt;b&gt;katakana&lt;/b&gt; please</td>' in without_lang_marks(page)
    assert organiser_client.get(f"/admin/jobs/{job_id}.json").get_json()["status"] == "failed"


def test_a_job_without_a_result_shows_no_report(app, organiser_client, session, report_kind):
    _, outcomes = report_kind
    outcomes.append(JobOutcome())
    job_id = _record(session)
    enqueue_job(job_id)
    page = organiser_client.get(f"/admin/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "reg-report" not in page and "import-result" not in page


def test_an_inline_job_runs_without_the_request(app, session, report_kind):
    seen, outcomes = report_kind
    outcomes.append(JobOutcome())
    job_id = _record(session)
    with app.test_request_context("/admin/registrations/import", method="POST"):
        enqueue_job(job_id)
    assert seen["request"] is False


def test_job_files_stay_in_the_jobs_folder(tmp_path):
    assert job_file(tmp_path, 7, "upload") == tmp_path / "7" / "upload"
    for name in ("../secret", "a/b", "..", ""):
        with pytest.raises(ValueError):
            job_file(tmp_path, 7, name)


def test_a_worker_runs_the_import_outside_any_request(app, session):
    """As `flask worker` runs it: an app context, a session of its own, no request; the report in the
    uploader's language, the upload gone afterwards."""
    event = make_event(session)
    files_dir = Path(app.config["JOB_FILES_DIR"])
    job = start_registration_import(session, event, data=CSV, filename="members.csv", files_dir=files_dir,
                                    created_by="organiser:a@example.jp", actor="organiser:a@example.jp",
                                    locale="en", notify=False,
                                    assume_privacy_consent=False)
    job_id = job.id
    session.commit()
    upload = job_file(files_dir, job_id, "upload")
    assert upload.read_bytes() == CSV
    progress: list[int] = []
    with app.app_context(), write_transactions(), own_session() as worker_session:
        done = run_job(worker_session, job_id, files_dir=files_dir, now=utcnow, report_progress=progress.append)
    assert done.status == JobStatus.DONE, done.message
    assert done.result["imported"] == 2 and done.result["source"] == "CSV (UTF-8)"
    assert progress[-1] == 2 and not upload.exists()
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 2


def test_checking_the_lines_holds_no_write_lock(app, session):
    """While the job checks (a long read), others can still write: the progress of the job itself, and
    on SQLite anyone else (SQLite has one write lock; a job must not hold it for its whole check)."""
    event = make_event(session)
    files_dir = Path(app.config["JOB_FILES_DIR"])
    job = start_registration_import(session, event, data=CSV, filename="m.csv", files_dir=files_dir,
                                    created_by="t", actor="t", locale="ja",
                                    notify=False, assume_privacy_consent=False)
    job_id = job.id
    session.commit()
    writes: list[str] = []

    def someone_else_writes(done: int) -> None:
        with write_transactions(), Session(session.get_bind()) as other:
            if is_sqlite(other):
                other.execute(text("PRAGMA busy_timeout=200"))  # fail fast instead of waiting 30 s
            other.execute(text("UPDATE job_records SET done = :done WHERE id = :id"), {"done": done, "id": job_id})
            other.commit()
        writes.append("ok")

    with app.app_context(), write_transactions(), own_session() as worker_session:
        done = run_job(worker_session, job_id, files_dir=files_dir, now=utcnow, report_progress=someone_else_writes)
    assert done.status == JobStatus.DONE, done.message
    assert writes and set(writes) == {"ok"}


def test_the_import_job_is_registered():
    assert job_kinds.job_kind(IMPORT_JOB).report_template == "registration/_import_report.html"
