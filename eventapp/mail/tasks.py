"""Mail delivery as background work: each message as soon as its transaction commits, and every minute
whatever is due (retries, and anything whose first hand-off was lost while the worker was down)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from huey import crontab

from eventapp.db import utcnow, write_transactions
from eventapp.jobs import huey, own_session
from eventapp.jobs.queue import bound_app
from eventapp.mail.services import SiteLinks, deliver, due_message_ids

# Where links in mails point when PUBLIC_BASE_URL is unset (development and tests only: production
# refuses to start without it). `make run` sets it to the port it serves.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000/"


def _delivery_settings(app: Flask) -> dict[str, Any]:
    return {"mail_url": app.config.get("MAIL_URL"), "sender": app.config["MAIL_FROM"],
            "links": SiteLinks(base_url=app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL,
                               secret_key=app.config["SECRET_KEY"])}


@huey.task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def deliver_outbox_message(message_id: int) -> str | None:
    app = bound_app()
    with app.app_context(), write_transactions(), own_session() as session:
        status = deliver(session, message_id, **_delivery_settings(app), now=utcnow())
        return status.value if status else None


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def deliver_due_outbox_messages() -> int:
    app = bound_app()
    with app.app_context(), write_transactions(), own_session() as session:
        ids = due_message_ids(session, now=utcnow())
        for message_id in ids:
            deliver(session, message_id, **_delivery_settings(app), now=utcnow())
        return len(ids)


def schedule_outbox_delivery(message_id: int) -> None:
    deliver_outbox_message(message_id)
