"""Database: declarative base, the shared Flask-SQLAlchemy object, and SQLite/PostgreSQL set-up.

Concurrency rule of the house: a write that guards an invariant locks the row first. On PostgreSQL
that is ``SELECT ... FOR UPDATE`` (see ``lock_for_update``). SQLite has no row locks, and a deferred
transaction that has read cannot safely upgrade to a write while another writer commits (SQLITE_BUSY
without waiting). So transactions that may write begin with ``BEGIN IMMEDIATE``: those of non-GET
requests, and any begun inside ``write_transactions()`` (threads, CLI commands, jobs). Everything else
begins a deferred transaction and never blocks writers under WAL.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, Select, String, event
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# True: write_transactions(); False: read_transactions(); None: by the request's method.
_write_intent: ContextVar[bool | None] = ContextVar("eventapp_sqlite_write_intent", default=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound=Select)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in Python, UTC in the database (SQLite keeps no zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StrEnumType(TypeDecorator):
    """A Python StrEnum stored as its string value in a VARCHAR."""

    impl = String(20)
    cache_ok = True

    def __init__(self, enum_class: type[enum.StrEnum], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> enum.StrEnum | None:
        return None if value is None else self.enum_class(value)


def current_session() -> Session:
    """The session of the current app context, as the plain Session that services take (``db.session`` is
    its scoped proxy, which type checkers do not accept as one)."""
    return db.session()


def is_sqlite(session_or_engine: Any) -> bool:
    bind = session_or_engine.get_bind() if hasattr(session_or_engine, "get_bind") else session_or_engine
    return bind.dialect.name == "sqlite"


def lock_for_update(stmt: SelectT) -> SelectT:
    """Row lock on PostgreSQL; on SQLite the BEGIN IMMEDIATE already holds the write lock."""
    return stmt.with_for_update()


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if not _is_sqlite_dbapi(dbapi_connection):
        return
    # Hand transaction control to SQLAlchemy so "begin" below decides DEFERRED or IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def write_transactions() -> Iterator[None]:
    """SQLite transactions begun inside take the write lock at once (no-op on PostgreSQL)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def read_transactions() -> Iterator[None]:
    """SQLite transactions begun inside are deferred reads, even in a POST or a job: for a long check
    that must not hold the one write lock (it writes nothing; end it before writing)."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Any) -> None:
    if conn.dialect.name != "sqlite":
        return
    intent = _write_intent.get()
    writing = intent if intent is not None else (has_request_context() and request.method not in READ_ONLY_METHODS)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _is_sqlite_dbapi(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")
