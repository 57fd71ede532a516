"""A real SMTP server on loopback (aiosmtpd) that records what it was sent and can refuse on command."""

from __future__ import annotations

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """aiosmtpd handler. Set `mail_reply`, `rcpt_reply` or `data_replies` to refuse a step ("550 ...")."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []  # accepted at DATA
        self.recipients: list[list[str]] = []
        self.mail_options: list[list[str]] = []
        self.offered: list[bytes] = []  # every DATA the client sent, refused ones included
        self.mail_reply: str | None = None
        self.rcpt_reply: str | None = None
        self.data_replies: list[str] = []  # replies to the next DATA commands, in order; then accept

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd's name
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.offered.append(envelope.content)
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        self.mail_options.append(list(envelope.mail_options))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, *, smtputf8: bool = False) -> None:
        self.collector = Collector()
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port,
                                      enable_SMTPUTF8=smtputf8)

    @property
    def messages(self) -> list[bytes]:
        return self.collector.messages

    def parsed(self) -> list[email.message.EmailMessage]:
        return [parse(raw) for raw in self.messages]

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)
