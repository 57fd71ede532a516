"""The registration import and large exports as jobs.

Import: the page refuses a file that cannot be imported at all (`importer.check_file`, no database) and
keeps the upload in the job's folder; the job checks every line without holding the write lock (with
progress), then registers everyone in one transaction, all or nothing, and leaves its report for the
job page. The upload is deleted when the job ends.

Export: the job reads the registrations, ends its transaction, then writes the file with progress.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventapp.db import read_transactions
from eventapp.events.models import Event
from eventapp.jobs import (
    JobContext,
    JobKind,
    JobOutcome,
    JobRecord,
    register_job_kind,
    save_job_file,
    start_job,
)
from eventapp.registration import importer
from eventapp.registration.exports import (
    EXPORT_FORMATS,
    count_for_export,
    export_filename,
    registration_rows,
    write_export,
)
from eventapp.registration.queries import RegistrationFilters, all_registrations

IMPORT_JOB, EXPORT_JOB = "import-registrations", "export-registrations"
UPLOAD_NAME = "upload"  # the upload's own name is only shown, never used as a path


class ImportRefused(Exception):
    """The file cannot be imported at all; the report's file_errors say why."""

    def __init__(self, report: importer.ImportReport) -> None:
        super().__init__("; ".join(report.file_errors))
        self.report = report


# --- import --------------------------------------------------------------------------------------


def start_registration_import(
    session: Session, event: Event, *, data: bytes, filename: str, files_dir: Path, created_by: str, actor: str,
    locale: str, notify: bool, assume_privacy_consent: bool,
) -> JobRecord:
    """Refuse a file that cannot be imported (ImportRefused), else record the job and keep the file (flushes;
    the caller commits, then enqueues)."""
    report = importer.check_file(data, filename=filename, assume_privacy_consent=assume_privacy_consent)
    if not report.ok:
        raise ImportRefused(report)
    job = start_job(session, kind=IMPORT_JOB, total=report.rows_read, created_by=created_by, params={
        "event_id": event.id, "filename": filename[:200], "locale": locale, "actor": actor,
        "notify": notify, "assume_privacy_consent": assume_privacy_consent,
    })
    save_job_file(files_dir, job, UPLOAD_NAME, data)
    return job


def run_registration_import(context: JobContext) -> JobOutcome:
    params, session = context.params, context.session
    upload = context.output_path(UPLOAD_NAME)
    try:
        data = upload.read_bytes()
        with force_locale(params.get("locale") or "ja"):  # the report in the uploader's language
            with read_transactions():  # checking holds no write lock, so progress can be written meanwhile
                event = session.get(Event, params["event_id"])
                if event is None:
                    raise LookupError("the event of this import no longer exists")
                checked = importer.check_registrations(
                    session, event, data, filename=params.get("filename", ""),
                    assume_privacy_consent=params["assume_privacy_consent"], progress=context.report_progress)
                session.commit()
            report = importer.register_checked(session, event, checked, now=context.now(), actor=params["actor"],
                                               notify=params["notify"])
            result = report.as_json() | {"event_slug": event.slug}
        if report.ok:
            session.commit()
        else:
            session.rollback()
    finally:
        upload.unlink(missing_ok=True)
    return JobOutcome(result=result, failed=not report.ok)


# --- export --------------------------------------------------------------------------------------


def start_registration_export(session: Session, event: Event, *, fmt: str, filters: RegistrationFilters,
                              created_by: str) -> JobRecord:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    total = count_for_export(session, event, filters=filters)
    return start_job(session, kind=EXPORT_JOB, total=total, created_by=created_by,
                     params={"event_id": event.id, "fmt": fmt, "filters": asdict(filters)})


def run_registration_export(context: JobContext) -> JobOutcome:
    params, session = context.params, context.session
    with read_transactions():  # reading thousands of rows must not hold the write lock
        event = session.get(Event, params["event_id"])
        if event is None:
            raise LookupError("the event of this export no longer exists")
        filters = RegistrationFilters.clean(**params["filters"])
        rows = registration_rows(all_registrations(session, event, filters=filters))
        out_path = context.output_path(export_filename(event, params["fmt"], now=context.now()))
        session.commit()  # nothing is held while the file is written
    data = write_export(rows, fmt=params["fmt"], progress=context.report_progress)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(data)
    return JobOutcome(path=out_path)


register_job_kind(JobKind(
    name=IMPORT_JOB, run=run_registration_import, back_endpoint="registration_admin.index",
    report_template="registration/_import_report.html",
    texts={"title": _l("Import registrations"), "back": _l("Registrations"), "unit": _l("lines checked"),
           "running": _l("Checking every line, then registering…"), "failed": _l("Nothing was imported."),
           "download": ""},
))
register_job_kind(JobKind(
    name=EXPORT_JOB, run=run_registration_export, back_endpoint="registration_admin.index",
    texts={"title": _l("Export registrations"), "back": _l("Registrations"), "unit": _l("registrations"),
           "running": _l("Writing the file…"), "failed": _l("The export failed. Please try again."),
           "download": _l("Download the file")},
))
