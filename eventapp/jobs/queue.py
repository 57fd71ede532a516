"""The queue: SQLite-backed by default, Redis when REDIS_URL is set, run in the calling thread when
JOBS_IMMEDIATE is set (tests). Tasks get the app the factory bound, and sessions of their own."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app, has_app_context, has_request_context
from huey import MemoryHuey
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


def bound_app() -> Flask:
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    if _bound_app is None:
        raise RuntimeError("jobs used before create_app()")
    return _bound_app


def own_session() -> Session:
    """A session of the task's own, outside Flask-SQLAlchemy's scoped one (tasks run in worker threads)."""
    return Session(db.engine, expire_on_commit=False)


@huey.task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_job_task(job_id: int) -> str | None:
    from eventapp.jobs.kinds import run_job

    app = bound_app()
    with app.app_context(), write_transactions(), own_session() as session:
        job = run_job(session, job_id, files_dir=Path(app.config["JOB_FILES_DIR"]), now=utcnow)
        return job.status.value if job else None


def enqueue_job(job_id: int) -> None:
    """Hand a committed job record to the worker (or run it now, when JOBS_IMMEDIATE is set).

    Run now from inside a request, the job still runs as a worker runs it: in a thread of its own, with the
    app but without the request (no request method, logged-in user or page language leaks into it)."""
    if not (huey.immediate and has_request_context()):
        run_job_task(job_id)
        return
    failures: list[BaseException] = []

    def run() -> None:
        try:
            run_job_task(job_id)
        except BaseException as exc:  # handed to the caller below
            failures.append(exc)

    thread = threading.Thread(target=run, name=f"job-{job_id}")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
