"""Error pages: friendly, in Japanese and English; JSON under /api/."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp import create_app
from eventapp.accounts.models import Role, User
from eventapp.db import db
from tests.conftest import dispose, session_for


def _error_page(response, code: int) -> str:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f'<p class="error-code">{code}</p>' in body
    assert "Traceback" not in body and "RuntimeError" not in body
    return body


def test_not_found_in_japanese_and_english(client):
    japanese = _error_page(client.get("/no-such-page"), 404)
    english = _error_page(client.get("/no-such-page?lang=en"), 404)
    assert '<html lang="ja">' in japanese and '<html lang="en">' in english
    assert "Page not found" in english and "The address may be mistyped" in english
    assert "Page not found" not in japanese  # the Japanese page is in Japanese
    assert 'href="/"' in japanese and 'href="/"' in english  # a way back


def test_unknown_event_and_link_are_404_pages(client):
    _error_page(client.get("/events/no-such-event"), 404)
    _error_page(client.get("/events/no-such-event/register"), 404)
    _error_page(client.get("/my/not-a-link"), 404)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    assert response.get_json() == {"error": "Not Found", "status": 404}
    response = client.post("/api/v1/events")
    assert response.status_code == 405 and response.get_json()["status"] == 405


@pytest.fixture
def failing_app(app_config):
    """A fresh app with test-only routes that fail after writing something."""
    app = create_app(app_config)

    @app.get("/test-only/boom")
    def boom():
        db.session.add(User(email="half@example.jp", display_name="half", password_hash="x", role=Role.STAFF))
        db.session.flush()
        raise RuntimeError("boom: this must not reach the visitor")

    @app.get("/api/v1/test-only/boom")
    def api_boom():
        raise RuntimeError("boom")

    yield app
    dispose(app)


def test_server_error_is_friendly_and_saves_nothing(failing_app):
    client = failing_app.test_client()
    japanese = _error_page(client.get("/test-only/boom"), 500)
    english = _error_page(client.get("/test-only/boom?lang=en"), 500)
    assert '<html lang="ja">' in japanese and "Something went wrong" not in japanese
    assert "Something went wrong" in english and "Nothing you sent was half-saved" in english
    assert "must not reach the visitor" not in japanese + english
    with session_for(failing_app) as session:
        assert session.scalar(select(func.count(User.id))) == 0  # rolled back, not committed later
    assert client.get("/").status_code == 200  # the next request is served normally


def test_api_server_error_is_json(failing_app):
    response = failing_app.test_client().get("/api/v1/test-only/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Internal Server Error", "status": 500}


# --- a missing CSRF token on a page that does not exist ------------------------------------------------


def test_a_post_without_csrf_token_to_a_missing_page_is_404(client, session):
    from tests.helpers import form_data

    # The forms that are shown again (answers kept) after a stale token: for a page that is not there, 404.
    for url in ("/events/no-such-event/register", "/my/forged-link/edit"):
        assert "Page not found" in _error_page(client.post(f"{url}?lang=en", data=form_data()), 404)
    # Any other form: the page about the expired form.
    assert "The form has expired" in _error_page(client.post("/my/forged-link/cancel?lang=en", data={}), 400)


def test_organiser_posts_to_a_missing_registration_are_404(organiser_client):
    from tests.helpers import csrf_token_from, form_data

    token = csrf_token_from(organiser_client.get("/login"))
    _error_page(organiser_client.post("/admin/registrations/987654/edit", data=form_data()), 404)  # no token
    for action in ("edit", "cancel", "restore", "badge.pdf", "reissue-badge"):
        url = f"/admin/registrations/987654/{action}"
        _error_page(organiser_client.post(url, data=form_data() | {"csrf_token": token}), 404)
        assert organiser_client.post(url, data=form_data()).status_code in (400, 404)
