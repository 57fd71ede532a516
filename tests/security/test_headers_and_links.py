"""Headers, cookies, CSRF, private links, QR tokens and the login rate limit."""

from __future__ import annotations

import inspect
import math
import os
import re
from urllib.parse import quote, unquote

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from limits import parse as parse_limit
from sqlalchemy import func, select

from eventapp import create_app
from eventapp.config import Config
from eventapp.db import utcnow
from eventapp.mail.models import OutboxMessage
from eventapp.registration import services
from eventapp.registration.links import _SALT
from eventapp.registration.models import Registration
from tests.conftest import STAFF_PASSWORD, dispose
from tests.helpers import (
    csrf_token_from,
    form_data,
    link_token,
    make_event,
    make_registration,
    submission_id_from,
)


def _register(client, slug: str, **overrides):
    page = client.get(f"/events/{slug}/register")
    data = form_data(**overrides) | {"csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)}
    return client.post(f"/events/{slug}/register", data=data)


def _cookie_header(response, name: str) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}


def _friendly_error(response, code: int) -> str:
    body = response.get_data(as_text=True)
    assert 'class="card narrow-card error-page"' in body and f'<p class="error-code">{code}</p>' in body
    assert "Traceback" not in body and "werkzeug" not in body.lower()
    return body


# --- headers and cookies -------------------------------------------------------------------------------


def test_security_headers_on_pages_errors_and_api(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    paths = ["/", f"/events/{event.slug}", f"/events/{event.slug}/register", "/login", "/no-such-page",
             "/api/v1/events", f"/my/{link_token(app, registration)}"]
    for path in paths:
        response = client.get(path)
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert headers.get("X-Frame-Options") == "DENY", path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") == "no-referrer", path
    private = client.get(f"/my/{link_token(app, registration)}")
    assert private.status_code == 200
    assert "no-store" in private.headers.get("Cache-Control", "")  # a shared computer keeps no copy


def test_session_cookie_is_httponly_and_lax(client):
    response = client.get("/login")  # puts the CSRF secret in the session
    cookie = _cookie_header(response, "session")
    attributes = _attributes(cookie)
    assert "httponly" in attributes
    assert "samesite=lax" in cookie.lower().replace(" ", "")
    assert "secure" not in attributes  # the test configuration serves plain http


def test_session_and_language_cookies_are_secure_when_configured(app_config):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True})
    try:
        response = app.test_client().get("/login?lang=en")
        session_cookie = _cookie_header(response, "session")
        assert {"secure", "httponly"} <= _attributes(session_cookie)
        assert "samesite=lax" in session_cookie.lower().replace(" ", "")
        assert {"secure", "httponly"} <= _attributes(_cookie_header(response, "lang"))
    finally:
        dispose(app)


def test_production_defaults_are_secure():
    if "SESSION_COOKIE_SECURE" not in os.environ:
        assert Config.SESSION_COOKIE_SECURE is True and Config.REMEMBER_COOKIE_SECURE is True
    assert Config.SESSION_COOKIE_HTTPONLY is True and Config.SESSION_COOKIE_SAMESITE == "Lax"


# --- CSRF ------------------------------------------------------------------------------------------------


def test_login_without_csrf_token_gets_a_friendly_400(app, client, staff):
    assert app.config["WTF_CSRF_ENABLED"]
    response = client.post("/login?lang=en", data={"email": staff.email, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    body = _friendly_error(response, 400)
    assert "The form has expired" in body
    # ...and nobody was logged in by it.
    assert client.get("/admin/staff").status_code == 302


def test_registration_without_csrf_token_keeps_the_answers(app, client, session):
    event = make_event(session)
    data = form_data(family_name="髙﨑", given_name="一郎", company_name="株式会社テスト", email="ichiro@example.jp",
                     email_confirm="ichiro@example.jp")
    response = client.post(f"/events/{event.slug}/register?lang=en", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Your answers are kept" in body
    for value in ("髙﨑", "一郎", "株式会社テスト", "ichiro@example.jp"):
        assert f'value="{value}"' in body
    assert 'name="csrf_token"' in body  # a fresh token to send the form again with
    assert session.scalar(select(func.count(Registration.id))) == 0
    # Sending it again with the new token works.
    data |= {"csrf_token": csrf_token_from(response), "submission_id": submission_id_from(response)}
    assert client.post(f"/events/{event.slug}/register", data=data).status_code == 302
    assert session.scalar(select(func.count(Registration.id))) == 1


def test_a_stale_token_is_refused_too(client, session):
    event = make_event(session)
    other = client.application.test_client()
    stale = csrf_token_from(other.get("/login"))  # valid, but for another browser's session
    client.get("/login")
    data = form_data() | {"csrf_token": stale}
    assert client.post(f"/events/{event.slug}/register", data=data).status_code == 400
    assert client.post("/login", data={"email": "x@example.jp", "password": "y", "csrf_token": stale}
                       ).status_code == 400


# --- private links -------------------------------------------------------------------------------------


def test_tampered_private_link_is_not_found(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    token = link_token(app, registration)
    assert client.get(f"/my/{token}").status_code == 200

    payload, timestamp, signature = token.split(".")
    # Change the signature's first character: its last one carries unused padding bits in base64.
    flipped = f"{payload}.{timestamp}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    forged_payload = URLSafeTimedSerializer("guessed-secret", salt=_SALT).dumps(registration.manage_secret)
    unknown = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=_SALT).dumps("no-such-secret")
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="other").dumps(registration.manage_secret)
    for bad in (flipped, f"{payload}x.{timestamp}.{signature}", forged_payload, unknown, other_salt,
                registration.manage_secret, registration.token, "x"):
        for suffix in ("", "/qr.png", "/ticket", "/ticket.pdf", "/edit", "/cancel", "/calendar.ics"):
            response = client.get(f"/my/{bad}{suffix}?lang=en")
            assert response.status_code == 404, (bad, suffix)
        _friendly_error(response, 404)
    response = client.post(f"/my/{flipped}/cancel", data={"csrf_token": csrf_token_from(client.get("/login"))})
    assert response.status_code == 404


def test_expired_private_link_is_gone(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    token = link_token(app, registration)
    app.config["MANAGE_LINK_MAX_AGE"] = -1
    for suffix in ("", "/qr.png", "/ticket", "/ticket.pdf", "/edit", "/cancel", "/calendar.ics"):
        assert client.get(f"/my/{token}{suffix}").status_code == 410, suffix
    body = _friendly_error(client.get(f"/my/{token}?lang=en"), 410)
    assert "This link has expired" in body
    app.config["MANAGE_LINK_MAX_AGE"] = 60 * 60
    assert client.get(f"/my/{token}").status_code == 200


def test_link_signed_in_the_past_expires_with_the_configured_age(app, client, session, monkeypatch):
    event = make_event(session)
    registration = make_registration(session, event)
    max_age = app.config["MANAGE_LINK_MAX_AGE"]
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=_SALT)
    now = int(utcnow().timestamp())

    def signed_at(moment: int) -> str:
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: moment)
            return serializer.dumps(registration.manage_secret)

    assert client.get(f"/my/{signed_at(now - max_age - 60)}").status_code == 410
    assert client.get(f"/my/{signed_at(now - max_age + 60)}").status_code == 200


# --- QR tokens and URLs hold nothing personal -----------------------------------------------------------


def test_qr_token_is_random_enough_and_opaque(app, session):
    event = make_event(session, capacity=500)
    people = [make_registration(session, event, n=n) for n in range(60)]
    tokens = [r.token for r in people]
    assert len(set(tokens)) == len(tokens)
    alphabet = set(services.TOKEN_ALPHABET)
    assert len(alphabet) == len(services.TOKEN_ALPHABET)  # no repeated letters that would shrink it
    assert all(set(t) <= alphabet and len(t) == services.TOKEN_LENGTH for t in tokens)
    assert services.TOKEN_LENGTH * math.log2(len(alphabet)) >= 128
    # The generator really draws from the whole alphabet at every position (not, say, hex digits only).
    many = [services.new_token() for _ in range(2000)]
    assert set("".join(many)) == alphabet
    assert all(len({t[i] for t in many}) == len(alphabet) for i in range(services.TOKEN_LENGTH))
    # Nothing about the person goes in: the generator is given nothing to go on.
    assert inspect.signature(services.new_token).parameters == {}
    for registration in people:
        for personal in (registration.email.split("@")[0], registration.given_name, registration.family_kana):
            assert personal.lower() not in registration.token
    # The private link holds the opaque manage secret, nothing else.
    link = link_token(app, people[0])
    decoded = URLSafeTimedSerializer("x").loads_unsafe(link)[1]
    assert decoded == people[0].manage_secret


def test_urls_never_carry_the_email_or_name(client, session):
    event = make_event(session)
    email, family, given = "hanako.suzuki@example.jp", "鈴木", "花子"
    response = _register(client, event.slug, email=email, email_confirm=email, family_name=family,
                         given_name=given, romaji="SUZUKI Hanako")
    assert response.status_code == 302
    registration = session.scalar(select(Registration))
    message = session.scalar(select(OutboxMessage))
    urls = [response.headers["Location"]]
    pages = [client.get(response.headers["Location"])]
    manage = re.search(r"https?://\S+?(/my/\S+)", message.body_text).group(1)
    urls.append(manage)
    for path in (manage, f"{manage}/edit", f"{manage}/cancel", f"/events/{event.slug}/resend-link"):
        pages.append(client.get(path))
    for page in pages:
        assert page.status_code == 200
        urls.append(page.request.path + ("?" + page.request.query_string.decode() if page.request.query_string
                                         else ""))
        urls += re.findall(r'(?:href|src|action)="([^"]*)"', page.get_data(as_text=True))
    urls += re.findall(r'(?:href|src)="([^"]*)"', message.body_html)
    urls += re.findall(r"https?://\S+", message.body_text)
    assert len(urls) > 20
    secrets_ = [email, email.split("@")[0], family, given, "suzuki", "hanako", registration.phone]
    for url in urls:
        plain = unquote(url).lower()
        for value in secrets_:
            assert value.lower() not in plain and quote(value).lower() not in url.lower(), (url, value)


# --- login rate limit -----------------------------------------------------------------------------------


def test_too_many_failed_logins_are_refused(app, client, staff):
    allowed = parse_limit(app.config["LOGIN_RATE_LIMIT"]).amount
    token = csrf_token_from(client.get("/login"))
    for _ in range(allowed):
        response = client.post("/login?lang=en", data={"email": staff.email, "password": "wrong-password-x",
                                                       "csrf_token": token})
        assert response.status_code == 200
        assert "E-mail or password is wrong" in response.get_data(as_text=True)
    refused = client.post("/login?lang=en", data={"email": staff.email, "password": STAFF_PASSWORD,
                                                  "csrf_token": token})
    assert refused.status_code == 429
    assert "Too many attempts" in _friendly_error(refused, 429)
    assert client.get("/admin/staff").status_code == 302  # even the right password did not log in
    assert client.get("/login").status_code == 200  # looking at the page is not limited


def test_the_limit_comes_from_the_configuration(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_token_from(client.get("/login"))
    statuses = [client.post("/login", data={"email": "nobody@example.jp", "password": "x" * 12,
                                            "csrf_token": token}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]

