"""Every route of the application, walked as anonymous, staff and organiser.

The routes are read from ``app.url_map`` when the test runs, so a page added later is walked too. Who may
open what is declared here, by path; a route that breaks the declaration, or that answers 500 to anyone,
fails the test with its name.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.security.conftest import ANONYMOUS, ORGANISER, STAFF
from tests.security.conftest import signed_in_cookie as _signed_in_cookie

ROLES = (ANONYMOUS, STAFF, ORGANISER)
ALLOWED = {ANONYMOUS: {ANONYMOUS, STAFF, ORGANISER}, STAFF: {STAFF, ORGANISER}, ORGANISER: {ORGANISER}}

# The declaration: under /admin organisers only, except these (door staff too); the scanners' API takes a
# device token and nothing else (a session cookie of any role gets 401, as JSON); everything else is public.
ADMIN_PREFIX = "/admin"
DEVICE = "device token"
DEVICE_PREFIXES = ("/api/v1/events/<slug>/checkins", "/api/v1/events/<slug>/roster", "/api/v1/events/<slug>/walkins",
                   "/api/v1/events/<slug>/registrations", "/api/v1/device")
STAFF_PREFIXES = ("/admin/staff",)
SKIPPED_ENDPOINTS = {"static"}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def required_role(path: str) -> str:
    def under(prefix: str) -> bool:
        return path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + ".")

    if any(under(prefix) for prefix in DEVICE_PREFIXES):
        return DEVICE
    if not under(ADMIN_PREFIX):
        return ANONYMOUS
    return STAFF if any(under(prefix) for prefix in STAFF_PREFIXES) else ORGANISER


def test_the_declaration_reads_as_intended():
    assert required_role("/") == ANONYMOUS
    assert required_role("/events/x/register") == ANONYMOUS
    assert required_role("/administrator") == ANONYMOUS
    assert required_role("/admin/") == ORGANISER
    assert required_role("/admin/outbox/<id:message_id>") == ORGANISER
    assert required_role("/admin/staff") == STAFF
    assert required_role("/admin/staffing") == ORGANISER
    assert required_role("/api/v1/events/<slug>/checkins") == DEVICE
    assert required_role("/api/v1/events/<slug>/checkins/search") == DEVICE
    assert required_role("/api/v1/events/<slug>/registrations/<id:registration_id>/badge.pdf") == DEVICE
    assert required_role("/api/v1/events") == ANONYMOUS
    assert required_role("/api/v1/events") == ANONYMOUS


def _is_login_redirect(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/login" and parse_qs(location.query).get("next", [""])[0].startswith(path)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_obeys_the_declared_access(app, world, role):
    cookie, csrf_token = _signed_in_cookie(app, role)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS]
    requests = [(rule, "GET") for rule in rules if "GET" in rule.methods]
    requests += [(rule, method) for rule in rules for method in WRITE_METHODS if method in rule.methods]
    # Logging out ends the session on the server, for every copy of its cookie: walk it last.
    requests.sort(key=lambda request: (request[1] != "GET", request[0].endpoint == "accounts.logout"))
    problems: list[str] = []
    walked: set[str] = set()

    for rule, method in requests:  # every GET first, then what writes (and may cancel or log out)
        url, all_known = world.url_for_rule(rule)
        client = app.test_client()  # a fresh copy of the session cookie
        client.set_cookie("session", cookie)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": csrf_token},
                                   headers={"X-CSRFToken": csrf_token})
        walked.add(rule.endpoint)
        needed = required_role(rule.rule)
        status = response.status_code
        where = f"{method} {url} ({rule.endpoint}) as {role}: {status}"
        if status >= 500:
            problems.append(f"{where}: server error")
            continue
        if needed == DEVICE:
            if status != 401 or not response.is_json:
                problems.append(f"{where}: expected 401 as JSON (the route takes a device token, not a session)")
            continue
        if role in ALLOWED[needed]:
            if status in (401, 403):
                problems.append(f"{where}: refused, but the page is for {needed}")
            elif method == "GET" and all_known and status >= 400:
                problems.append(f"{where}: an error for a page that exists")
        elif role == ANONYMOUS:
            if not _is_login_redirect(response, urlsplit(url).path):
                problems.append(f"{where}: expected a redirect to /login, got {response.headers.get('Location')}")
        elif status != 403:
            problems.append(f"{where}: expected 403 (the page is for {needed}) {response.headers.get('Location')}")

    assert not problems, "\n".join(problems)
    # The walk covered the whole map (and so, routes added later), not a list written down here.
    assert walked == {r.endpoint for r in rules}
    assert {"mail.index", "mail.retry", "dashboard.staff_home", "registration.my_registration",
            "registration.register", "accounts.logout"} <= walked


def test_each_request_is_judged_by_its_own_session_cookie(app, world):
    """Requests in one test share an app context (and `g`); identity must still come from the cookie."""
    staff_cookie, staff_csrf = _signed_in_cookie(app, STAFF)
    other_staff_cookie, _ = _signed_in_cookie(app, STAFF)  # the same account, logged in on another device
    organiser_cookie, _ = _signed_in_cookie(app, ORGANISER)

    def as_(cookie: str | None):
        client = app.test_client()
        if cookie:
            client.set_cookie("session", cookie)
        return client

    assert as_(organiser_cookie).get("/admin/outbox/").status_code == 200
    assert _is_login_redirect(as_(None).get("/admin/outbox/"), "/admin/outbox/")  # not the organiser before
    assert as_(staff_cookie).get("/admin/outbox/").status_code == 403
    assert as_(staff_cookie).post("/logout", data={"csrf_token": staff_csrf}).status_code == 302
    assert _is_login_redirect(as_(staff_cookie).get("/admin/staff"), "/admin/staff")  # a copy of it is out too
    assert as_(other_staff_cookie).get("/admin/staff").status_code == 200  # another device is still logged in
    assert as_(organiser_cookie).get("/admin/outbox/").status_code == 200
