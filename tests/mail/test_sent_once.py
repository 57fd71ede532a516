"""A mail goes out once: a lost status write is retried, not the send; a worker that died mid-send leaves a
claim that keeps others away for a while; and every attempt carries the Message-ID stored at queue time,
so a duplicate that still happens folds into one at the recipient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from eventapp.db import db, write_transactions
from eventapp.mail import services
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.services import CLAIM_WINDOW, deliver, due_message_ids, queue_message
from tests.helpers import LINKS
from tests.mail.smtp_server import parse

NOW = datetime(2027, 2, 1, 1, 0, tzinfo=UTC)
SENDER = "合同交流会事務局 <noreply@example.jp>"


class WorkerDied(BaseException):
    """What the worker's process sees of a kill: nothing after this line runs."""


def _pending(session) -> int:
    message = queue_message(session, kind="test", to="taro@example.jp", subject="受付のお知らせ", body_text="本文\n")
    session.commit()  # held: the test app has no MAIL_URL
    message.status = OutboxStatus.PENDING
    session.commit()
    return message.id


def _fresh(app, message_id: int) -> OutboxMessage:
    with app.app_context(), Session(db.engine, expire_on_commit=False) as fresh:
        return fresh.get(OutboxMessage, message_id)


def _deliver(app, message_id: int, server, *, now: datetime, session: Session | None = None) -> OutboxStatus:
    """As the worker delivers: inside an app context, in a session of its own unless given one."""
    with app.app_context(), write_transactions():
        if session is not None:
            return deliver(session, message_id, links=LINKS, mail_url=server.url, sender=SENDER, now=now)
        with Session(db.engine) as own:
            return deliver(own, message_id, links=LINKS, mail_url=server.url, sender=SENDER, now=now)


def _sent_and_then(monkeypatch, after_send) -> list[bool]:
    """Wrap the real SMTP exchange; `after_send` runs once it has succeeded."""
    sent: list[bool] = []
    real_send = services.send_over_smtp

    def send(*args, **kwargs):
        real_send(*args, **kwargs)
        sent.append(True)
        after_send()

    monkeypatch.setattr(services, "send_over_smtp", send)
    return sent


def test_the_message_id_is_stored_when_queued_and_sent_on_every_attempt(app, session, smtp_server):
    message_id = _pending(session)
    stored = session.get(OutboxMessage, message_id).message_id_header
    assert stored.startswith("<") and stored.endswith(">") and "@" in stored

    smtp_server.collector.data_replies = ["451 4.3.0 Temporary local problem"]
    assert _deliver(app, message_id, smtp_server, now=NOW) == OutboxStatus.PENDING
    retry_at = _fresh(app, message_id).next_attempt_at
    assert _deliver(app, message_id, smtp_server, now=retry_at) == OutboxStatus.SENT
    offered = [parse(raw)["Message-ID"] for raw in smtp_server.collector.offered]
    assert offered == [stored, stored]


def test_message_ids_differ_between_messages(app, session):
    first, second = _pending(session), _pending(session)
    assert session.get(OutboxMessage, first).message_id_header != session.get(OutboxMessage, second).message_id_header


def test_a_status_write_lost_after_the_send_is_retried_and_the_mail_is_not_sent_again(
        app, session, smtp_server, monkeypatch):
    message_id = _pending(session)
    sent = _sent_and_then(monkeypatch, lambda: None)
    failures: list[str] = []

    with Session(session.get_bind()) as worker_session:
        real_commit = worker_session.commit

        def commit() -> None:
            if sent and not failures:  # the first commit after the send: the database has gone away
                failures.append("dropped")
                raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
            real_commit()

        monkeypatch.setattr(worker_session, "commit", commit)
        assert _deliver(app, message_id, smtp_server, now=NOW, session=worker_session) == OutboxStatus.SENT

    assert failures == ["dropped"]
    message = _fresh(app, message_id)
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    # The periodic retry finds nothing to do, today or later.
    for later in (NOW + timedelta(minutes=1), NOW + CLAIM_WINDOW + timedelta(minutes=1), NOW + timedelta(days=1)):
        with Session(session.get_bind()) as check:
            assert message_id not in due_message_ids(check, now=later)
        assert _deliver(app, message_id, smtp_server, now=later) == OutboxStatus.SENT
    assert len(smtp_server.messages) == 1


def test_a_database_restart_after_the_send_does_not_send_twice(app, session, smtp_server, monkeypatch):
    """PostgreSQL only: every connection the app holds is terminated right after the SMTP exchange."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("terminating backends needs PostgreSQL")
    message_id = _pending(session)
    session.close()  # the test's own session holds no connection the restart could break
    admin = create_engine(session.get_bind().url)

    def terminate_every_other_backend() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            conn.commit()

    _sent_and_then(monkeypatch, terminate_every_other_backend)
    try:
        assert _deliver(app, message_id, smtp_server, now=NOW) == OutboxStatus.SENT
    finally:
        admin.dispose()
    assert _fresh(app, message_id).status == OutboxStatus.SENT
    assert _deliver(app, message_id, smtp_server, now=NOW + timedelta(days=1)) == OutboxStatus.SENT
    assert len(smtp_server.messages) == 1


def test_a_worker_that_died_mid_send_leaves_a_claim_and_a_resend_keeps_the_message_id(
        app, session, smtp_server, monkeypatch):
    message_id = _pending(session)

    def die() -> None:
        raise WorkerDied

    _sent_and_then(monkeypatch, die)
    with pytest.raises(WorkerDied):
        _deliver(app, message_id, smtp_server, now=NOW)
    monkeypatch.undo()

    claimed = _fresh(app, message_id)
    assert claimed.status == OutboxStatus.PENDING and claimed.attempts == 1
    assert claimed.next_attempt_at == NOW + CLAIM_WINDOW
    # Within the claim window nobody sends it again: neither the periodic retry nor a second hand-off.
    soon = NOW + timedelta(minutes=1)
    with Session(session.get_bind()) as check:
        assert message_id not in due_message_ids(check, now=soon)
    assert _deliver(app, message_id, smtp_server, now=soon) == OutboxStatus.PENDING
    assert len(smtp_server.messages) == 1
    # After it, the message is sent again (the first copy may never have left): same Message-ID.
    assert _deliver(app, message_id, smtp_server, now=NOW + CLAIM_WINDOW) == OutboxStatus.SENT
    first, second = smtp_server.parsed()
    assert first["Message-ID"] == second["Message-ID"] == claimed.message_id_header
