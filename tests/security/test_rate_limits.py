"""Per-client limits on what makes us send mail (registering, re-sending a link), and where they are kept."""

from __future__ import annotations

import pytest
from limits import parse_many
from sqlalchemy import func, select

from eventapp import create_app
from eventapp.config import Config
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration
from tests.conftest import dispose
from tests.helpers import csrf_token_from, form_data, make_event, make_registration, submission_id_from

OFFICE = {"REMOTE_ADDR": "203.0.113.10"}  # one NAT address for a whole office
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.77"}


def _register(client, slug: str, n: int, environ: dict, lang: str = ""):
    page = client.get(f"/events/{slug}/register", environ_base=environ)
    email = f"staff{n}@example.jp"
    data = form_data(email=email, email_confirm=email, given_name=f"太郎{n}") | {
        "csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    return client.post(f"/events/{slug}/register{lang}", data=data, environ_base=environ)


def test_registrations_from_one_address_are_limited(app, client, session):
    app.config["REGISTRATION_RATE_LIMIT"] = "3 per minute"
    event = make_event(session)
    assert [_register(client, event.slug, n, OFFICE).status_code for n in range(3)] == [302, 302, 302]

    refused = _register(client, event.slug, 3, OFFICE, lang="?lang=en")
    assert refused.status_code == 429
    body = refused.get_data(as_text=True)
    assert '<p class="error-code">429</p>' in body and "Traceback" not in body
    assert "Too many registrations from your network" in body and "send the form again" in body
    assert "Retry-After" in refused.headers
    japanese = _register(client, event.slug, 4, OFFICE, lang="?lang=ja").get_data(as_text=True)
    assert "Too many registrations" not in japanese and "申込み" in japanese

    assert _register(client, event.slug, 5, ELSEWHERE).status_code == 302  # another address is not held up
    assert session.scalar(select(func.count(Registration.id))) == 4
    assert client.get(f"/events/{event.slug}/register", environ_base=OFFICE).status_code == 200  # reading is free


def test_resending_the_link_is_limited_and_configurable(app, client, session):
    app.config["RESEND_RATE_LIMIT"] = "2 per minute"
    event = make_event(session)
    registration = make_registration(session, event)
    token = csrf_token_from(client.get(f"/events/{event.slug}/resend-link"))
    statuses = [client.post(f"/events/{event.slug}/resend-link", data={"email": registration.email,
                                                                        "csrf_token": token}).status_code
                for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "link_resent")) == 2


def test_the_default_lets_an_office_register_its_staff_but_not_a_flood():
    limits = parse_many(Config.REGISTRATION_RATE_LIMIT)
    assert limits
    for limit in limits:
        # An office of 50 behind one address can register them all within an hour.
        assert limit.amount >= 50 * min(limit.get_expiry(), 3600) / 3600, limit
    # The attack registered 912 people in 20 seconds: at most a few dozen get through in 20 s now.
    assert min(limit.amount for limit in limits if limit.get_expiry() >= 20) <= 30


# --- where the counts are kept ---------------------------------------------------------------------------

PRODUCTION = {"ENV_NAME": "production", "TESTING": False, "SECRET_KEY": "production-like-secret-key-for-tests-only",
              "PUBLIC_BASE_URL": "https://eventapp.example.jp/"}


def test_production_refuses_limits_kept_in_one_process(app_config):
    with pytest.raises(RuntimeError, match="REDIS_URL") as refused:
        create_app({**app_config, **PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://"})
    assert "RATELIMIT_STORAGE_URI" in str(refused.value)


def test_production_starts_with_shared_limits_or_an_explicit_single_process(app_config):
    create_app({**app_config, **PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"})
    create_app({**app_config, **PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_SINGLE_PROCESS": True})


def test_when_the_shared_storage_is_down_logins_still_work(app_config, staff):
    app = create_app({**app_config, **PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0",
                      "LOGIN_RATE_LIMIT": "2 per minute"})  # nothing listens on port 9
    try:
        client = app.test_client()
        base = "https://eventapp.example.jp"
        token = csrf_token_from(client.get("/login", base_url=base))
        statuses = [client.post("/login", base_url=base, data={
            "email": staff.email, "password": "wrong-password-x", "csrf_token": token}).status_code
            for _ in range(3)]
        assert statuses == [200, 200, 429]  # counted in memory meanwhile, not a 500
    finally:
        dispose(app)
