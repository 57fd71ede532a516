from __future__ import annotations

import pytest

from tests.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp_server():
    """A relay like most: no SMTPUTF8."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtputf8_server():
    server = SmtpServer(smtputf8=True)
    server.start()
    yield server
    server.stop()
