"""Background work with huey: SQLite-backed queue by default, Redis when REDIS_URL is set,
run in the calling thread when JOBS_IMMEDIATE is set (tests).

Run a worker with ``flask --app eventapp worker`` (``make run`` starts one)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, crontab
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy.orm import Session

from eventapp.db import db, utcnow, write_transactions

huey = MemoryHuey("eventapp", immediate=True)
_bound_app: Flask | None = None


def init_app(app: Flask) -> None:
    global _bound_app
    _bound_app = app
    if app.config.get("JOBS_IMMEDIATE"):
        huey.immediate = True
        return
    huey.immediate = False
    if app.config.get("REDIS_URL"):
        huey.storage = RedisStorage("eventapp", url=app.config["REDIS_URL"])
    else:
        Path(app.config["JOBS_SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
        huey.storage = SqliteStorage("eventapp", filename=app.config["JOBS_SQLITE_PATH"])


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _bound_app is None:
        raise RuntimeError("jobs used before create_app()")
    return _bound_app


def _own_session() -> Session:
    return Session(db.engine, expire_on_commit=False)


@huey.task()
def deliver_outbox_message(message_id: int) -> str | None:
    from eventapp.mail.services import deliver

    app = _app()
    with app.app_context(), write_transactions(), _own_session() as session:
        status = deliver(session, message_id, mail_url=app.config.get("MAIL_URL"),
                         sender=app.config["MAIL_FROM"], now=utcnow())
        return status.value if status else None


@huey.periodic_task(crontab(minute="*"))
def deliver_due_outbox_messages() -> int:
    """Retries, and anything whose first hand-off was lost (a worker that was down)."""
    from eventapp.mail.services import deliver, due_message_ids

    app = _app()
    with app.app_context(), write_transactions(), _own_session() as session:
        ids = due_message_ids(session, now=utcnow())
        for message_id in ids:
            deliver(session, message_id, mail_url=app.config.get("MAIL_URL"),
                    sender=app.config["MAIL_FROM"], now=utcnow())
        return len(ids)


def schedule_outbox_delivery(message_id: int) -> None:
    deliver_outbox_message(message_id)


@huey.task()
def run_badge_batch_job(job_id: int) -> str | None:
    """Badges for a batch: progress is written in its own short transactions, so a page can poll it."""
    from eventapp.badges.batch import record_progress, run_badge_batch

    app = _app()

    def report(job: int, done: int) -> None:
        with write_transactions(), _own_session() as progress_session:
            record_progress(progress_session, job, done)

    with app.app_context(), write_transactions(), _own_session() as session:
        job = run_badge_batch(session, job_id, files_dir=Path(app.config["JOB_FILES_DIR"]), now=utcnow,
                              report_progress=report)
        return job.status.value if job else None
