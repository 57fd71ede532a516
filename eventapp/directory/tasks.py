"""Imports of groups and companies as jobs: the page checks that the file can be read at all and keeps it
in the job's folder; the job checks every row (reading only, with progress), then writes all or nothing
in one transaction, and leaves its report for the job page. The upload is deleted when the job ends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventapp.db import read_transactions
from eventapp.directory import importer
from eventapp.jobs import (
    JobContext,
    JobKind,
    JobOutcome,
    JobRecord,
    register_job_kind,
    save_job_file,
    start_job,
)

GROUPS_IMPORT, COMPANIES_IMPORT = "import-groups", "import-companies"
JOB_KINDS = {"groups": GROUPS_IMPORT, "companies": COMPANIES_IMPORT}
_COLUMNS = {GROUPS_IMPORT: importer.GROUP_COLUMNS, COMPANIES_IMPORT: importer.COMPANY_COLUMNS}
UPLOAD_NAME = "upload"  # the upload's own name is only shown, never used as a path


def start_directory_import(session: Session, *, kind: str, data: bytes, filename: str, files_dir: Path,
                           created_by: str, locale: str) -> JobRecord:
    """Refuse a file that cannot be read (ImportFileError), else record the job and keep the file (flushes;
    the caller commits, then enqueues)."""
    job_kind = JOB_KINDS[kind]
    rows = importer.count_rows(data, _COLUMNS[job_kind], filename=filename)
    job = start_job(session, kind=job_kind, total=rows, created_by=created_by,
                    params={"filename": filename[:200], "locale": locale})
    save_job_file(files_dir, job, UPLOAD_NAME, data)
    return job


def _run_import(context: JobContext, check: Callable[..., importer.CheckedImport]) -> JobOutcome:
    upload = context.output_path(UPLOAD_NAME)
    session = context.session
    try:
        data = upload.read_bytes()
        with force_locale(context.params.get("locale") or "ja"):  # the report in the uploader's language
            try:
                with read_transactions():  # checking holds no write lock, so progress can be written meanwhile
                    checked = check(session, data, filename=context.params.get("filename", ""),
                                    progress=context.report_progress)
                    session.commit()
            except importer.ImportFileError as exc:
                session.rollback()
                report = importer.ImportReport(problems=[importer.RowProblem(0, "", exc.message)])
            else:
                report = importer.write_checked(session, checked)
            result = report.as_json()
        if report.ok:
            session.commit()
        else:
            session.rollback()
    finally:
        upload.unlink(missing_ok=True)
    return JobOutcome(result=result, failed=not report.ok)


def run_groups_import(context: JobContext) -> JobOutcome:
    return _run_import(context, importer.check_groups)


def run_companies_import(context: JobContext) -> JobOutcome:
    return _run_import(context, importer.check_companies)


_TEXTS = {
    "unit": _l("rows checked"), "running": _l("Checking every row, then importing…"),
    "failed": _l("Nothing was imported."), "download": "",
}
register_job_kind(JobKind(
    name=GROUPS_IMPORT, run=run_groups_import, back_endpoint="directory.groups",
    report_template="directory/_import_report.html",
    texts={**_TEXTS, "title": _l("Import exchange groups"), "back": _l("Exchange groups")},
))
register_job_kind(JobKind(
    name=COMPANIES_IMPORT, run=run_companies_import, back_endpoint="directory.companies",
    report_template="directory/_import_report.html",
    texts={**_TEXTS, "title": _l("Import companies"), "back": _l("Companies")},
))
