"""Delivery of the addresses people have: IDN domains go out as punycode, Japanese local parts only over
SMTPUTF8; a permanent refusal fails the message at once, with the reason shown in the page's language."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest

from eventapp.mail.models import FailureReason, OutboxMessage, OutboxStatus
from eventapp.mail.services import RETRY_DELAYS, classify_failure, deliver, queue_message
from tests.helpers import LINKS

NOW = datetime(2027, 2, 1, 1, 0, tzinfo=UTC)
SENDER = "合同交流会事務局 <noreply@example.jp>"


def _pending(session, to: str) -> OutboxMessage:
    message = queue_message(session, kind="test", to=to, subject="【合同交流会】受付のお知らせ",
                            body_text="髙﨑 様\n", body_html="")
    session.commit()  # held: the test app has no MAIL_URL
    message.status = OutboxStatus.PENDING
    session.commit()
    return message


def _deliver(session, message: OutboxMessage, server, *, now: datetime = NOW) -> OutboxStatus:
    status = deliver(session, message.id, links=LINKS, mail_url=server.url, sender=SENDER, now=now)
    session.refresh(message)
    return status


def test_an_idn_domain_goes_out_as_punycode_to_a_relay_without_smtputf8(app, session, smtp_server):
    message = _pending(session, "taro@例え.jp")
    assert _deliver(session, message, smtp_server) == OutboxStatus.SENT
    assert smtp_server.collector.recipients == [["taro@xn--r8jz45g.jp"]]
    raw = smtp_server.messages[0]
    raw.decode("ascii")
    assert smtp_server.parsed()[0]["To"] == "taro@xn--r8jz45g.jp"
    assert message.to_address == "taro@例え.jp"  # the outbox keeps the readable form


def test_a_japanese_local_part_goes_out_over_smtputf8_when_the_relay_offers_it(app, session, smtputf8_server):
    message = _pending(session, "山田@例え.jp")
    assert _deliver(session, message, smtputf8_server) == OutboxStatus.SENT
    assert smtputf8_server.collector.recipients == [["山田@xn--r8jz45g.jp"]]
    assert "SMTPUTF8" in smtputf8_server.collector.mail_options[0]
    assert smtputf8_server.parsed()[0]["To"] == "山田@xn--r8jz45g.jp"


def test_a_japanese_local_part_fails_at_once_when_the_relay_cannot_take_it(app, session, smtp_server):
    message = _pending(session, "山田@example.jp")
    assert _deliver(session, message, smtp_server) == OutboxStatus.FAILED
    assert smtp_server.collector.offered == []
    assert message.attempts == 1 and message.next_attempt_at is None
    assert message.failure_reason == FailureReason.SMTPUTF8_UNSUPPORTED


@pytest.mark.parametrize(("step", "reply", "reason"), [
    ("rcpt_reply", "550 5.1.1 <nobody@example.jp>: Recipient address rejected: User unknown",
     FailureReason.RECIPIENT_REFUSED),
    ("mail_reply", "553 5.7.1 <noreply@example.jp>: Sender address rejected: not owned by user",
     FailureReason.SENDER_REFUSED),
    ("data_replies", "554 5.7.1 Message rejected as spam", FailureReason.MESSAGE_REFUSED),
])
def test_a_permanent_refusal_fails_at_once(app, session, smtp_server, step, reply, reason):
    setattr(smtp_server.collector, step, [reply] if step == "data_replies" else reply)
    message = _pending(session, "nobody@example.jp")
    assert _deliver(session, message, smtp_server) == OutboxStatus.FAILED
    assert message.attempts == 1 and message.next_attempt_at is None and message.sent_at is None
    assert message.failure_reason == reason
    assert reply.split(" ", 1)[1] in message.last_error  # the server's own words are kept
    # Failed is final: the periodic retry leaves it alone.
    assert _deliver(session, message, smtp_server, now=NOW + timedelta(days=1)) == OutboxStatus.FAILED
    assert message.attempts == 1


@pytest.mark.parametrize(("step", "reply"), [
    ("rcpt_reply", "450 4.2.1 Mailbox busy, try again later"),
    ("data_replies", "451 4.3.0 Temporary local problem"),
])
def test_a_temporary_refusal_is_retried(app, session, smtp_server, step, reply):
    setattr(smtp_server.collector, step, [reply] if step == "data_replies" else reply)
    message = _pending(session, "taro@example.jp")
    assert _deliver(session, message, smtp_server) == OutboxStatus.PENDING
    assert message.next_attempt_at == NOW + RETRY_DELAYS[0]
    assert message.failure_reason == FailureReason.TEMPORARILY_REFUSED
    smtp_server.collector.rcpt_reply = None
    assert _deliver(session, message, smtp_server, now=message.next_attempt_at) == OutboxStatus.SENT
    assert message.failure_reason is None and message.last_error == ""


def test_an_address_stored_before_the_rules_fails_at_once(app, session, smtp_server):
    message = _pending(session, "a" * 240 + "@example.jp")
    assert _deliver(session, message, smtp_server) == OutboxStatus.FAILED
    assert message.failure_reason == FailureReason.INVALID_ADDRESS
    assert smtp_server.collector.offered == []


def test_organisers_read_the_reason_in_the_page_language(app, organiser_client, session, smtp_server):
    smtp_server.collector.rcpt_reply = "550 5.1.1 <nobody@example.jp>: Recipient address rejected: User unknown"
    message = _pending(session, "nobody@example.jp")
    _deliver(session, message, smtp_server)

    japanese = organiser_client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "受信側のメールサーバーがこの宛先を拒否しました" in japanese
    assert "User unknown" in japanese  # the server's text, as evidence
    assert "refused this address" not in japanese
    english = organiser_client.get(f"/admin/outbox/{message.id}?lang=en").get_data(as_text=True)
    assert "mail server refused this address" in english
    listing = organiser_client.get("/admin/outbox/?status=failed&lang=ja").get_data(as_text=True)
    assert "宛先を拒否" in listing


def test_a_dead_server_is_explained_in_japanese_too(app, organiser_client, session):
    from tests.mail.smtp_server import free_port

    message = _pending(session, "taro@example.jp")
    deliver(session, message.id, links=LINKS, mail_url=f"smtp://127.0.0.1:{free_port()}", sender=SENDER, now=NOW)
    session.refresh(message)
    assert message.status == OutboxStatus.PENDING
    assert message.failure_reason == FailureReason.CONNECTION_FAILED
    page = organiser_client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "接続できませんでした" in page
    assert "次の送信" in page  # when it will be tried again


@pytest.mark.parametrize(("error", "reason", "permanent"), [
    (smtplib.SMTPRecipientsRefused({"a@example.jp": (550, b"5.1.1 User unknown")}), FailureReason.RECIPIENT_REFUSED,
     True),
    (smtplib.SMTPRecipientsRefused({"a@example.jp": (452, b"4.2.2 Mailbox full")}),
     FailureReason.TEMPORARILY_REFUSED, False),
    (smtplib.SMTPSenderRefused(550, b"5.7.1 Not allowed", "noreply@example.jp"), FailureReason.SENDER_REFUSED, True),
    (smtplib.SMTPSenderRefused(451, b"4.3.0 Try later", "noreply@example.jp"), FailureReason.TEMPORARILY_REFUSED,
     False),
    (smtplib.SMTPDataError(552, b"5.3.4 Message too big"), FailureReason.MESSAGE_REFUSED, True),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed"), FailureReason.LOGIN_FAILED, False),
    (smtplib.SMTPConnectError(554, b"No service"), FailureReason.SERVER_ERROR, False),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), FailureReason.CONNECTION_FAILED, False),
    (TimeoutError("timed out"), FailureReason.TIMEOUT, False),
    (ConnectionRefusedError(111, "Connection refused"), FailureReason.CONNECTION_FAILED, False),
])
def test_which_failures_are_permanent(error, reason, permanent):
    failure = classify_failure(error)
    assert (failure.reason, failure.permanent) == (reason, permanent)
    assert failure.detail
