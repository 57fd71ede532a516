"""The test harness itself: requests of the test client run as in production, each in an app context (and
`g`) of its own, and the test's database session sees what they wrote."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from eventapp.registration.models import Registration
from tests.helpers import csrf_token_from, form_data, make_event, submission_id_from


def test_a_request_made_inside_an_app_context_fails_the_test(app, client):
    with app.app_context(), pytest.raises(pytest.fail.Exception, match="inside an app context"):
        client.get("/")
    with app.test_request_context("/"), pytest.raises(pytest.fail.Exception, match="inside an app context"):
        client.get("/")
    assert client.get("/").status_code == 200


def test_each_request_has_a_g_of_its_own(app, client):
    seen = []

    @app.before_request
    def _remember() -> None:
        seen.append(g.get("earlier"))
        g.earlier = "set by an earlier request"

    client.get("/")
    client.get("/")
    app.test_client().get("/")
    assert seen == [None, None, None]


def test_the_test_session_reads_what_a_request_wrote(client, session):
    event = make_event(session)
    assert session.scalar(select(func.count(Registration.id))) == 0  # a transaction (on SQLite a snapshot) is open
    page = client.get(f"/events/{event.slug}/register")
    sent = client.post(f"/events/{event.slug}/register", data=form_data() | {
        "csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)})
    assert sent.status_code == 302
    assert session.scalar(select(func.count(Registration.id))) == 1


def test_uncommitted_changes_of_the_test_session_fail_a_request(client, session):
    event = make_event(session)
    event.capacity = 7
    with pytest.raises(pytest.fail.Exception, match="not committed"):
        client.get("/")
    session.flush()
    with pytest.raises(pytest.fail.Exception, match="not committed"):
        client.get("/")
    session.commit()
    assert client.get("/").status_code == 200
