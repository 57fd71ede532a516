"""Logging out ends the session on the server: a copied session cookie is worth nothing afterwards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.accounts.models import LoginSession
from eventapp.accounts.services import end_login_session, start_login_session, user_for_login_session
from eventapp.db import utcnow
from tests.conftest import ORGANISER_PASSWORD, login
from tests.helpers import csrf_token_from

ADMIN_PAGE = "/admin/outbox/"


def _logged_in(app, organiser):
    client = app.test_client()
    assert login(client, organiser.email, ORGANISER_PASSWORD).status_code == 302
    assert client.get(ADMIN_PAGE).status_code == 200
    return client


def _replay(app, cookie: str):
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get(ADMIN_PAGE)


def test_a_copied_cookie_no_longer_works_after_logout(app, organiser):
    client = _logged_in(app, organiser)
    copied = client.get_cookie("session").value
    assert _replay(app, copied).status_code == 200  # the copy works while the session lives

    token = csrf_token_from(client.get("/login"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    replayed = _replay(app, copied)
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")
    assert client.get(ADMIN_PAGE).status_code == 302


def test_logging_out_ends_only_that_session(app, organiser):
    """Door staff often share one account on several devices: one logging out leaves the others in."""
    first, second = _logged_in(app, organiser), _logged_in(app, organiser)
    first.post("/logout", data={"csrf_token": csrf_token_from(first.get("/login"))})
    assert first.get(ADMIN_PAGE).status_code == 302
    assert second.get(ADMIN_PAGE).status_code == 200


def test_a_session_expires_on_the_server_too(session, organiser):
    now = utcnow()
    token = start_login_session(session, user=organiser, now=now, lifetime=timedelta(hours=12))
    assert user_for_login_session(session, user_id=organiser.id, token=token, now=now) == organiser
    assert user_for_login_session(session, user_id=organiser.id, token=token,
                                  now=now + timedelta(hours=12, seconds=1)) is None
    assert user_for_login_session(session, user_id=organiser.id + 1, token=token, now=now) is None
    assert user_for_login_session(session, user_id=organiser.id, token="guessed", now=now) is None
    end_login_session(session, token=token)
    assert user_for_login_session(session, user_id=organiser.id, token=token, now=now) is None


def test_the_database_keeps_no_usable_secret_and_drops_expired_sessions(session, organiser):
    now = utcnow()
    token = start_login_session(session, user=organiser, now=now - timedelta(days=2), lifetime=timedelta(hours=12))
    stored = session.scalar(select(LoginSession))
    assert token not in (stored.token_hash, str(stored.id))  # a copy of the table logs nobody in
    start_login_session(session, user=organiser, now=now, lifetime=timedelta(hours=12))
    assert session.scalar(select(func.count(LoginSession.id))) == 1  # the expired one went at the next login
