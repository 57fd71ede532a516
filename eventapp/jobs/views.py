"""The page of any job: a progress bar that polls, the messages, and the download when it is done."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file, url_for

from eventapp.accounts.auth import organiser_required
from eventapp.db import db
from eventapp.jobs.kinds import job_kind
from eventapp.jobs.models import JobRecord, JobStatus

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


def _job(job_id: int) -> JobRecord:
    record = db.session.get(JobRecord, job_id)
    if record is None or job_kind(record.kind) is None:
        abort(404)
    return record


@bp.get("/<id:job_id>")
@organiser_required
def show(job_id: int):
    record = _job(job_id)
    return render_template("jobs/job.html", job=record, kind=job_kind(record.kind), Status=JobStatus)


@bp.get("/<id:job_id>.json")
@organiser_required
def status(job_id: int):
    record = _job(job_id)
    return {"id": record.id, "status": record.status.value, "done": record.done, "total": record.total,
            "percent": record.percent, "message": record.message,
            "download_url": url_for("jobs.download", job_id=record.id)
            if record.status == JobStatus.DONE and record.result_path else None}


@bp.get("/<id:job_id>/download")
@organiser_required
def download(job_id: int):
    record = _job(job_id)
    path = Path(record.result_path) if record.result_path else None
    if record.status != JobStatus.DONE or path is None or not path.is_file():
        abort(404)
    if not path.resolve().is_relative_to(Path(current_app.config["JOB_FILES_DIR"]).resolve()):
        abort(404)
    mimetype = mimetypes.guess_type(record.result_filename)[0] or "application/octet-stream"
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=record.result_filename)
