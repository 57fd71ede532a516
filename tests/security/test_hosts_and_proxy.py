"""The Host header and proxies: production needs PUBLIC_BASE_URL, other hosts are refused, and a proxy's
X-Forwarded-* headers are believed only when the environment says how many proxies there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from eventapp import create_app
from eventapp.mail.models import OutboxMessage
from tests.conftest import dispose, session_for
from tests.helpers import csrf_token_from, make_event, make_registration

SITE = "eventapp.example.jp"
PRODUCTION = {
    "ENV_NAME": "production", "TESTING": False, "SECRET_KEY": "production-like-secret-key-for-tests-only",
    "PUBLIC_BASE_URL": f"https://{SITE}/", "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_SINGLE_PROCESS": True,
}


@contextmanager
def running(app_config: dict, **overrides) -> Iterator:
    app = create_app({**app_config, **overrides})
    try:
        yield app
    finally:
        dispose(app)


def _friendly_400(response) -> str:
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert '<p class="error-code">400</p>' in body and "Traceback" not in body
    return body


# --- production needs PUBLIC_BASE_URL -------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "eventapp.example.jp", "ftp://eventapp.example.jp/", "https://"])
def test_production_refuses_to_start_without_a_public_base_url(app_config, value):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app({**app_config, **PRODUCTION, "PUBLIC_BASE_URL": value})


def test_mailed_links_never_follow_the_request_host_even_in_development(app, client, session):
    """Mails are composed by the worker from the configuration: with PUBLIC_BASE_URL unset (development
    only) they point at the development address, whatever Host the request carried."""
    from eventapp.mail.tasks import DEVELOPMENT_BASE_URL

    assert not app.config["PUBLIC_BASE_URL"]
    event = make_event(session)
    registration = make_registration(session, event)
    page = client.get(f"/events/{event.slug}/resend-link", base_url="http://localhost:8123")
    client.post(f"/events/{event.slug}/resend-link", base_url="http://localhost:8123",
                data={"email": registration.email, "csrf_token": csrf_token_from(page)})
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "link_resent"))
    assert f"{DEVELOPMENT_BASE_URL}my/" in message.body_text and "8123" not in message.body_text


# --- other hosts are refused ---------------------------------------------------------------------------


def test_a_forged_host_cannot_make_us_mail_a_link_to_another_site(app_config):
    with running(app_config, **PRODUCTION) as app, session_for(app) as session:
        event = make_event(session)
        registration = make_registration(session, event)
        client = app.test_client()
        page = client.get(f"/events/{event.slug}/resend-link", base_url=f"https://{SITE}")
        assert page.status_code == 200
        data = {"email": registration.email, "csrf_token": csrf_token_from(page)}
        before = set(session.scalars(select(OutboxMessage.id)))

        forged = client.post(f"/events/{event.slug}/resend-link", data=data, base_url="https://attacker.example")
        body = _friendly_400(forged)
        assert "attacker.example" not in body
        assert set(session.scalars(select(OutboxMessage.id))) == before  # nothing was mailed

        # Behind no trusted proxy, X-Forwarded-Host is not believed either: the link goes to our site.
        sent = client.post(f"/events/{event.slug}/resend-link", data=data, base_url=f"https://{SITE}",
                           headers={"X-Forwarded-Host": "attacker.example"})
        assert sent.status_code == 302
        session.expire_all()
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "link_resent"))
        assert f"https://{SITE}/my/" in message.body_text and "attacker" not in message.body_text


def test_unknown_hosts_get_a_clear_page_in_both_languages(app_config):
    with running(app_config, **PRODUCTION) as app:
        client = app.test_client()
        assert client.get("/", base_url=f"https://{SITE}").status_code == 200
        english = _friendly_400(client.get("/?lang=en", base_url="https://attacker.example"))
        japanese = _friendly_400(client.get("/?lang=ja", base_url="https://attacker.example"))
        assert "This address is not served here" in english
        assert "This address is not served here" not in japanese and "このアドレス" in japanese
        assert _friendly_400(client.get("/", headers={"Host": "bad host\\x"}))


def test_more_hosts_can_be_allowed_by_the_environment(app_config):
    with running(app_config, **PRODUCTION, EXTRA_TRUSTED_HOSTS=["www.eventapp.example.jp", ".event.example.jp"]) as app:
        client = app.test_client()
        for host in (SITE, "www.eventapp.example.jp", "tokyo.event.example.jp", f"{SITE}:8443"):
            assert client.get("/", base_url=f"https://{host}").status_code == 200, host
        assert client.get("/", base_url="https://evil.example.jp").status_code == 400


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    from eventapp.config import trusted_hosts_from_environment

    monkeypatch.setenv("TRUSTED_HOSTS", " www.eventapp.example.jp, ,.event.example.jp ")
    assert trusted_hosts_from_environment() == ["www.eventapp.example.jp", ".event.example.jp"]


def test_development_keeps_localhost_working(app_config):
    with running(app_config, PUBLIC_BASE_URL=f"https://{SITE}/") as app:
        client = app.test_client()
        for host in (SITE, "localhost", "127.0.0.1:5000"):
            assert client.get("/", base_url=f"http://{host}").status_code == 200, host
        assert client.get("/", base_url="http://attacker.example").status_code == 400


# --- behind a proxy -------------------------------------------------------------------------------------


def _failed_login(client, staff, forwarded_for: str | None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = csrf_token_from(client.get("/login", headers=headers))
    return client.post("/login", data={"email": staff.email, "password": "wrong-password-x", "csrf_token": token},
                       headers=headers).status_code


def test_behind_a_proxy_each_visitor_has_their_own_login_limit(app_config, staff):
    with running(app_config, LOGIN_RATE_LIMIT="2 per minute", PROXY_FIX_X_FOR=1) as app:
        client = app.test_client()
        assert [_failed_login(client, staff, "203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert _failed_login(client, staff, "198.51.100.20") == 200  # another visitor behind the same proxy


def test_without_proxy_settings_forwarded_headers_are_ignored(app_config, staff):
    with running(app_config, LOGIN_RATE_LIMIT="2 per minute") as app:
        client = app.test_client()
        statuses = [_failed_login(client, staff, f"203.0.113.{n}") for n in range(3)]
        assert statuses == [200, 200, 429]  # a made-up X-Forwarded-For buys no fresh attempts
        response = client.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in response.headers


def test_behind_a_tls_proxy_hsts_is_sent(app_config):
    with running(app_config, PROXY_FIX_X_PROTO=1) as app:
        response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert isinstance(app.wsgi_app, ProxyFix)


def test_proxy_counts_come_from_the_environment(monkeypatch):
    from eventapp.config import proxy_fix_counts_from_environment

    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    monkeypatch.setenv("PROXY_FIX_X_PROTO", "2")
    assert proxy_fix_counts_from_environment() == {"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 2,
                                                   "PROXY_FIX_X_HOST": 0, "PROXY_FIX_X_PORT": 0,
                                                   "PROXY_FIX_X_PREFIX": 0}
    monkeypatch.setenv("PROXY_FIX_X_HOST", "yes")
    with pytest.raises(RuntimeError, match="PROXY_FIX_X_HOST"):
        proxy_fix_counts_from_environment()


def test_forms_work_over_https_without_a_referer(app_config, staff):
    """Our pages send no Referer (Referrer-Policy: no-referrer), so a form sent over HTTPS has none."""
    with running(app_config, **PRODUCTION) as app:
        client = app.test_client()
        page = client.get("/login", base_url=f"https://{SITE}")
        response = client.post("/login", base_url=f"https://{SITE}", data={
            "email": staff.email, "password": "staff-password-1234", "csrf_token": csrf_token_from(page)})
        assert response.status_code == 302
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
