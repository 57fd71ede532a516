"""What the security tests share: a small world of real rows, and URLs for any rule of the app's map."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from eventapp.mail.models import OutboxAttachment, OutboxMessage
from tests.conftest import ORGANISER_PASSWORD, STAFF_PASSWORD, login
from tests.helpers import csrf_token_from, link_token, make_event, make_registration

ANONYMOUS, STAFF, ORGANISER = "anonymous", "staff", "organiser"
NUMERIC_CONVERTERS = {"int", "id"}
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@dataclass
class World:
    values_by_name: dict[str, object]
    known_names: set[str]

    def url_for_rule(self, rule, **replacements: str) -> tuple[str, bool]:
        """A URL for the rule, and whether every argument had a value that names something real.
        `replacements` put a given value in place of the named arguments."""
        all_known = True

        def fill(match: re.Match) -> str:
            nonlocal all_known
            name, converter = match.group("name"), match.group("converter") or "default"
            if name in replacements:
                return replacements[name]
            if name in self.values_by_name:
                return str(self.values_by_name[name])
            all_known = False
            return "1" if converter in NUMERIC_CONVERTERS else "sample"

        return ARGUMENT.sub(fill, rule.rule), all_known


@pytest.fixture
def world(app, session, organiser, staff) -> World:
    event = make_event(session)
    make_event(session, slug="draft-2028", status=type(event.status).DRAFT)
    registration = make_registration(session, event, n=1)
    make_registration(session, event, n=2)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    attachment = session.scalar(select(OutboxAttachment).where(OutboxAttachment.message_id == message.id))
    assert attachment is not None
    values = {
        "event_id": event.id, "registration_id": registration.id, "message_id": message.id,
        "attachment_id": attachment.id, "user_id": organiser.id, "slug": event.slug,
        "link_token": link_token(app, registration), "code": "en", "fmt": "csv",
    }
    return World(values_by_name=values, known_names=set(values))


def signed_in_cookie(app, role: str) -> tuple[str, str]:
    """The session cookie of someone in this role, and a CSRF token valid in that session."""
    client = app.test_client()
    if role == ORGANISER:
        assert login(client, "jimukyoku@example.jp", ORGANISER_PASSWORD).status_code == 302
    elif role == STAFF:
        assert login(client, "uketsuke@example.jp", STAFF_PASSWORD).status_code == 302
    token = csrf_token_from(client.get("/login"))
    return client.get_cookie("session").value, token
