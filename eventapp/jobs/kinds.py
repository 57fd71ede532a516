"""Kinds of job and their life: QUEUED → RUNNING → DONE with a result file, or FAILED with the reason.

A feature registers a JobKind with the function that does the work. The function gets a JobContext (its
own session, the job's parameters, a progress reporter and where to put its file) and returns a
JobOutcome; it may commit as it goes (rendering must not hold a transaction open). An outcome may carry a
result (JSON), which the kind's report template shows on the job page, and may say the job failed (an
import that found problems and wrote nothing)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eventapp.db import write_transactions
from eventapp.jobs.models import JobRecord, JobStatus


@dataclass(frozen=True)
class JobOutcome:
    path: Path | None = None  # the result file, inside the job's folder
    message: str = ""  # warnings for the organiser
    result: dict[str, Any] | None = None  # for the kind's report template (JSON)
    failed: bool = False  # the work was refused (e.g. problems in an imported file): shown as failed


def job_file(files_dir: Path, job_id: int, filename: str) -> Path:
    """A file in the job's own folder (its upload, or its result)."""
    if "/" in filename or "\\" in filename or filename in ("", ".", ".."):
        raise ValueError(f"not a plain file name: {filename!r}")
    return files_dir / str(job_id) / filename


def save_job_file(files_dir: Path, job: JobRecord, filename: str, data: bytes) -> Path:
    """Keep a file for a job that is about to run (an upload); the job's runner reads and removes it."""
    path = job_file(files_dir, job.id, filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@dataclass
class JobContext:
    session: Session
    job: JobRecord
    files_dir: Path
    now: Callable[[], datetime]
    report_progress: Callable[[int], None] = lambda done: None

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def output_path(self, filename: str) -> Path:
        return job_file(self.files_dir, self.job.id, filename)


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[JobContext], JobOutcome]
    texts: dict[str, Any] = field(default_factory=dict)  # lazy strings for the job page: title, unit, ...
    back_endpoint: str = ""  # where the job page links back to
    report_template: str = ""  # shows the job's result (JobRecord.result) on its page, when there is one


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _kinds[kind.name] = kind


def job_kind(name: str) -> JobKind | None:
    return _kinds.get(name)


def start_job(session: Session, *, kind: str, total: int, params: dict[str, Any], created_by: str) -> JobRecord:
    """Record a job (flushes; the caller commits, then calls enqueue_job)."""
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    job = JobRecord(kind=kind, total=total, created_by=created_by, params_json=json.dumps(params))
    session.add(job)
    session.flush()
    return job


def record_progress(session: Session, job_id: int, done: int) -> None:
    session.execute(update(JobRecord).where(JobRecord.id == job_id).values(done=done))
    session.commit()


def run_job(session: Session, job_id: int, *, files_dir: Path, now: Callable[[], datetime],
            report_progress: Callable[[int], None] | None = None) -> JobRecord | None:
    """Run a queued job once. Progress is written in short transactions of its own, so a page can poll it;
    `report_progress` (a CLI progress bar) is told too."""
    job = session.get(JobRecord, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return job
    kind = _kinds[job.kind]
    job.status, job.started_at = JobStatus.RUNNING, now()
    session.commit()
    engine = session.get_bind()

    def progress(done: int) -> None:
        with write_transactions(), Session(engine) as progress_session:
            record_progress(progress_session, job_id, done)
        if report_progress is not None:
            report_progress(done)

    try:
        outcome = kind.run(JobContext(session=session, job=job, files_dir=files_dir, now=now,
                                      report_progress=progress))
    except Exception as exc:  # the organiser sees why; the runner's own transaction is rolled back
        session.rollback()
        failed = session.get(JobRecord, job_id)
        assert failed is not None
        failed.status, failed.finished_at, failed.message = JobStatus.FAILED, now(), f"{type(exc).__name__}: {exc}"
        session.commit()
        return failed
    done = session.get(JobRecord, job_id)
    assert done is not None
    done.status, done.finished_at = (JobStatus.FAILED if outcome.failed else JobStatus.DONE), now()
    if not outcome.failed:
        done.done = done.total
    if outcome.path is not None:
        done.result_path, done.result_filename = str(outcome.path), outcome.path.name
    if outcome.result is not None:
        done.result_json = json.dumps(outcome.result, ensure_ascii=False)
    done.message = outcome.message
    session.commit()
    return done


def recent_jobs(session: Session, *, kind: str, limit: int = 10) -> list[JobRecord]:
    return list(session.scalars(select(JobRecord).where(JobRecord.kind == kind)
                                .order_by(JobRecord.id.desc()).limit(limit)))
