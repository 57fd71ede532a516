"""Mail delivery as background work: each message as soon as its transaction commits, and every minute
whatever is due (retries, and anything whose first hand-off was lost while the worker was down)."""

from __future__ import annotations

from huey import crontab

from eventapp.db import utcnow, write_transactions
from eventapp.jobs import huey, own_session
from eventapp.jobs.queue import bound_app
from eventapp.mail.services import deliver, due_message_ids


@huey.task()
def deliver_outbox_message(message_id: int) -> str | None:
    app = bound_app()
    with app.app_context(), write_transactions(), own_session() as session:
        status = deliver(session, message_id, mail_url=app.config.get("MAIL_URL"),
                         sender=app.config["MAIL_FROM"], now=utcnow())
        return status.value if status else None


@huey.periodic_task(crontab(minute="*"))
def deliver_due_outbox_messages() -> int:
    app = bound_app()
    with app.app_context(), write_transactions(), own_session() as session:
        ids = due_message_ids(session, now=utcnow())
        for message_id in ids:
            deliver(session, message_id, mail_url=app.config.get("MAIL_URL"),
                    sender=app.config["MAIL_FROM"], now=utcnow())
        return len(ids)


def schedule_outbox_delivery(message_id: int) -> None:
    deliver_outbox_message(message_id)
