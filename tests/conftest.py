"""Fixtures: every test that takes `app` runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.

The schema comes from the Alembic migrations (never create_all), built once per database per worker:
SQLite copies a migrated template file per test; PostgreSQL truncates every table between tests and puts
back the rows the migrations seeded (the preset sheet layouts), so both start from the same data.

As in Flask's tutorial (flaskr), no app context is pushed around the test: each request of the test client
gets its own, with its own `g`, as in production; a request made inside one fails the test (see
RequestsInTheirOwnContext). The test's `session` is a plain SQLAlchemy session on the app's engine. Code that
needs an app context outside requests (url_for, current_app, db.session, translated texts, what the worker
does) runs inside `with app.app_context():` or `app.test_request_context()`, ended before the next request.
"""

from __future__ import annotations

import os
import shutil
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import MetaData, column, create_engine, insert, table, text
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from eventapp import create_app
from eventapp.config import MIGRATIONS_DIR, TestConfig
from eventapp.db import db, utcnow
from eventapp.i18n import TOKYO, to_tokyo

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def _worker() -> str:
    """Separate databases for xdist workers and for runs that happen at the same time."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getppid() if os.environ.get('PYTEST_XDIST_WORKER') else os.getpid()}"


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        db.engine.dispose()


def _test_config() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this worker's own, created fresh and migrated. Unreachable → the run fails."""
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_eventapp_{_worker()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    _SEEDED[url] = _seeded_rows(url)
    yield url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_SEEDED: dict[str, list[tuple[str, list[dict]]]] = {}


def _seeded_rows(url: str) -> list[tuple[str, list[dict]]]:
    """The rows the migrations inserted (as on a fresh SQLite template), table by table in dependency order."""
    engine = create_engine(url)
    metadata = MetaData()
    with engine.connect() as conn:
        metadata.reflect(conn)
        seeded = [(t.name, [dict(row) for row in conn.execute(t.select()).mappings()])
                  for t in metadata.sorted_tables if t.name != "alembic_version"]
    engine.dispose()
    return [(name, rows) for name, rows in seeded if rows]


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [row[0] for row in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        for name, rows in _SEEDED.get(url, []):
            conn.execute(insert(table(name, *(column(key) for key in rows[0]))), rows)
            if "id" in rows[0]:  # the next new row must not take a seeded id
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence(:name, 'id'), MAX(id)) FROM \"{name}\""),
                             {"name": name})
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    return {**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url, "JOBS_SQLITE_PATH": str(tmp_path / "jobs.db"),
            "JOB_FILES_DIR": str(tmp_path / "job-files")}


class RequestsInTheirOwnContext(FlaskClient):
    """The test client of every app a test makes: each request gets an app context (and `g`) of its own, as
    in production. A request made while the test holds an app context (`with app.app_context()`,
    `app.test_request_context()`) fails the test: Flask would run it inside that context, sharing its `g` (the
    logged-in user, the CSRF check, the language) with the test and with the other requests.

    Before each request the test's database sessions end their transaction (so the test reads, afterwards,
    what the request wrote); one holding writes it has not committed fails the test instead, since the
    request could not see them."""

    def open(self, *args, **kwargs):
        self._context_stack.close()  # what FlaskClient.open does first: contexts kept by `with client:` end
        if has_app_context():
            pytest.fail("a test client request made inside an app context: requests must get their own "
                        "(leave the `with app.app_context()` / `app.test_request_context()` block first)")
        for own in _SESSIONS.get(self.application, ()):
            _end_transaction_before_request(own)
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _requests_in_their_own_context(monkeypatch) -> None:
    monkeypatch.setattr(Flask, "test_client_class", RequestsInTheirOwnContext)


_SESSIONS: weakref.WeakKeyDictionary[Flask, list[Session]] = weakref.WeakKeyDictionary()
_WROTE = "tests.wrote_uncommitted"


def _end_transaction_before_request(own: Session) -> None:
    if own.new or own.dirty or own.deleted or own.info.get(_WROTE):
        pytest.fail("the test's session holds changes it has not committed while the test makes a request: "
                    "commit them first (the request has a session of its own and cannot see them)")
    own.rollback()


@contextmanager
def session_for(app: Flask) -> Iterator[Session]:
    """A database session of the test's own on the app's engine, used without an app context. A request of
    the app's test client first ends its transaction (see RequestsInTheirOwnContext)."""
    with app.app_context():
        engine = db.engine
    own = Session(engine)
    sa_event.listen(own, "after_flush", lambda s, _context: s.info.__setitem__(_WROTE, True))
    for ended in ("after_commit", "after_rollback"):
        sa_event.listen(own, ended, lambda s: s.info.pop(_WROTE, None))
    _SESSIONS.setdefault(app, []).append(own)
    try:
        yield own
    finally:
        _SESSIONS[app].remove(own)
        own.close()


def dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(app_config) -> Iterator[Flask]:
    """The app, with no context pushed: each request of its client gets its own, as in production."""
    app = create_app(app_config)
    yield app
    dispose(app)


@pytest.fixture
def session(app) -> Iterator[Session]:
    with session_for(app) as own:
        yield own


@pytest.fixture
def client(app):
    return app.test_client()


# --- the clock -----------------------------------------------------------------------------------------


@pytest.fixture
def now() -> datetime:
    """The moment the test starts (the real clock, or a shifted one under faketime). Builders and services
    take it, and test data lies relative to it, so a test passes on any date."""
    return utcnow()


@pytest.fixture
def noon_in_tokyo(time_machine) -> datetime:
    """For tests that count "today" through views: the clock moved to 12:00 in Tokyo of the current day and
    left running, so that no Tokyo midnight falls inside the test. Ask for it first, before the clients:
    a session signed before a jump back in time would look as if it came from the future."""
    noon = datetime.combine(to_tokyo(utcnow()).date(), time(12, 0), tzinfo=TOKYO)
    time_machine.move_to(noon, tick=True)
    return noon


# --- accounts ------------------------------------------------------------------------------------

ORGANISER_PASSWORD = "organiser-password-123"
STAFF_PASSWORD = "staff-password-1234"


@pytest.fixture
def organiser(session):
    from eventapp.accounts.models import Role
    from eventapp.accounts.services import create_user

    user = create_user(session, email="jimukyoku@example.jp", display_name="事務局 太郎",
                       password=ORGANISER_PASSWORD, role=Role.ORGANISER)
    session.commit()
    return user


@pytest.fixture
def staff(session):
    from eventapp.accounts.models import Role
    from eventapp.accounts.services import create_user

    user = create_user(session, email="uketsuke@example.jp", display_name="受付 花子",
                       password=STAFF_PASSWORD, role=Role.STAFF)
    session.commit()
    return user


def login(client, email: str, password: str):
    from tests.helpers import csrf_token_from

    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token_from(page)})


@pytest.fixture
def organiser_client(app, organiser):
    client = app.test_client()
    response = login(client, organiser.email, ORGANISER_PASSWORD)
    assert response.status_code == 302
    return client


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    response = login(client, staff.email, STAFF_PASSWORD)
    assert response.status_code == 302
    return client


# --- a live server and a real browser -------------------------------------------------------------


class _RequestsInFlight:
    """The live server's app, counting the requests it is answering. At the test's end the server waits for
    them and refuses new ones (a page left open keeps polling): a request still running when the app is
    disposed would keep its database connection, which is then collected in some later test."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.running = 0
        self.closing = False
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            if self.closing:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the test is over"]
            self.running += 1
        try:
            return self.app(environ, start_response)  # Flask ends the request's context before returning
        finally:
            with self.changed:
                self.running -= 1
                self.changed.notify_all()

    def close(self, timeout: float = 10) -> None:
        with self.changed:
            self.closing = True
            self.changed.wait_for(lambda: self.running == 0, timeout=timeout)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    answering = _RequestsInFlight(app)
    server = make_server("127.0.0.1", 0, answering, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    answering.close()
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("EVENTAPP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required (EVENTAPP_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
