"""What a hostile client can send must never be a 500, on SQLite or PostgreSQL: ids out of any integer's
range, NUL bytes anywhere, values longer than their column in any field (hidden ones too)."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import select

from eventapp.routing import MAX_ID
from tests.conftest import ORGANISER_PASSWORD, login
from tests.helpers import csrf_token_from, form_data, make_event, submission_id_from
from tests.security.conftest import ARGUMENT, NUMERIC_CONVERTERS

HOSTILE_IDS = ["2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616",
               "9" * 30, "1" * 5000, "-1", "0", "007", "1e3", "１"]
NUL = "\x00"


@pytest.fixture
def organiser_session(app, world):
    client = app.test_client()
    assert login(client, "jimukyoku@example.jp", ORGANISER_PASSWORD).status_code == 302
    return client, csrf_token_from(client.get("/login"))


def _numeric_rules(app: Flask):
    for rule in app.url_map.iter_rules():
        names = [m.group("name") for m in ARGUMENT.finditer(rule.rule) if m.group("converter") in NUMERIC_CONVERTERS]
        if names:
            yield rule, names


def test_every_id_in_a_url_goes_through_one_converter(app):
    assert list(_numeric_rules(app))
    for rule in app.url_map.iter_rules():
        assert "<int:" not in rule.rule, f"{rule.rule}: use <id:...>, which only matches ids a database can hold"


def test_ids_out_of_range_are_not_found(app, world, organiser_session):
    client, token = organiser_session
    problems = []
    for rule, names in _numeric_rules(app):
        for name in names:
            for value in HOSTILE_IDS:
                url, _ = world.url_for_rule(rule, **{name: value})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = client.open(url, method=method, data={"csrf_token": token})
                    if response.status_code != 404:
                        problems.append(f"{method} {url[:80]}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_largest_id_a_database_holds_is_a_clean_404(app, world, organiser_session):
    client, _ = organiser_session
    assert client.get(f"/admin/registrations/{MAX_ID}").status_code == 404
    assert client.get(f"/admin/registrations/{MAX_ID + 1}").status_code == 404
    assert client.get(f"/admin/registrations/{world.values_by_name['registration_id']}").status_code == 200


# --- NUL bytes -------------------------------------------------------------------------------------------


def _refused_for_nul(response, where: str) -> None:
    assert response.status_code == 400, f"{where}: {response.status_code}"
    body = response.get_data(as_text=True)
    assert '<p class="error-code">400</p>' in body, where


def test_nul_bytes_in_paths_and_queries_are_refused(app, world, organiser_session):
    client, _ = organiser_session
    slug, link = world.values_by_name["slug"], world.values_by_name["link_token"]
    for url in (f"/events/{slug}%00", "/events/a%00b/register", f"/my/{link}%00", f"/my/{link}%00/edit",
                "/admin/registrations?q=%E5%B1%B1%00", f"/admin/registrations?event={slug}%00",
                "/admin/companies?q=%00", "/admin/outbox/?status=%00", "/?lang=en%00", f"/events/{slug}?x=%00",
                f"/admin/badges?event={slug}%00", "/admin/?event=%00"):
        _refused_for_nul(client.get(url), url)
    english = client.get("/events/a%00b?lang=en").get_data(as_text=True)
    assert "cannot be used" in english


def test_nul_bytes_in_a_form_are_refused_with_a_clear_page(app, client, session):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")
    data = form_data(family_name=f"山{NUL}田") | {"csrf_token": csrf_token_from(page),
                                                 "submission_id": submission_id_from(page)}
    response = client.post(f"/events/{event.slug}/register?lang=en", data=data)
    _refused_for_nul(response, "registration form")
    assert "NUL" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": f"a{NUL}@example.jp", "password": "x" * 12,
                                           "csrf_token": csrf_token_from(client.get("/login"))})
    _refused_for_nul(response, "login form")


# --- every form, every field: too long, or with a NUL ----------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (name, kind, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": []})
        elif not self.forms or not attrs.get("name") and tag != "option":
            return
        elif tag == "input":
            self.forms[-1]["fields"].append((attrs["name"], (attrs.get("type") or "text").lower(),
                                             attrs.get("value") or ""))
        elif tag in ("textarea", "select"):
            self.forms[-1]["fields"].append((attrs["name"], tag, ""))


def _post_forms(app, world, organiser_session) -> list[tuple[str, dict]]:
    """Every POST form on every page an organiser (or an attendee with their link) can open."""
    client, _ = organiser_session
    found: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url, all_known = world.url_for_rule(rule)
        response = client.get(url)
        if not all_known or response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or url
            if action != "/logout":
                found.setdefault(action, form)
    return list(found.items())


def _hostile_data(fields, token: str, text: str) -> dict:
    data = {}
    for name, kind, value in fields:
        if name == "csrf_token":
            data[name] = token
        elif kind in ("checkbox", "radio"):
            data.setdefault(name, value or "y")
        elif kind not in ("file", "submit", "button"):
            data[name] = text
    return data


def test_every_field_of_every_form_survives_hostile_values(app, world, organiser_session):
    client, token = organiser_session
    forms = _post_forms(app, world, organiser_session)
    actions = {action.split("?")[0] for action, _ in forms}
    assert {f"/events/{world.values_by_name['slug']}/register", "/admin/badges/sheets"} <= actions, actions
    problems = []
    for action, form in forms:
        too_long = _hostile_data(form["fields"], token, "長" * 5000)
        response = client.post(action, data=too_long)
        if response.status_code >= 500:
            problems.append(f"{action}: {response.status_code} for values longer than their column")
        with_nul = _hostile_data(form["fields"], token, f"a{NUL}b")
        if with_nul != _hostile_data(form["fields"], token, "ab"):
            response = client.post(action, data=with_nul)
            if response.status_code != 400:
                problems.append(f"{action}: {response.status_code} for a NUL byte")
        for name, kind, _ in form["fields"]:
            if kind == "hidden" and name != "csrf_token":  # hidden values alone, the rest as the page had it
                response = client.post(action, data={"csrf_token": token, name: "h" * 5000})
                if response.status_code >= 500:
                    problems.append(f"{action}: {response.status_code} for a long hidden {name}")
    assert not problems, "\n".join(problems)


def test_a_hidden_submission_id_longer_than_its_column_is_a_form_error(client, session):
    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")
    data = form_data() | {"csrf_token": csrf_token_from(page), "submission_id": "s" * 65}
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code in (400, 422)


def test_query_numbers_out_of_range_are_harmless(app, world, organiser_session):
    client, _ = organiser_session
    huge = quote("9" * 30)
    problems = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url, all_known = world.url_for_rule(rule)
        if not all_known:
            continue
        response = client.get(f"{url}?page={huge}&group={huge}&event={huge}&status={huge}")
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
    assert not problems, "\n".join(problems)


# --- uploaded files: a NUL may be in the bytes (UTF-16 has them), never in what is stored ----------------


def _upload(client, url: str, content: bytes):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token_from(page), "file": (io.BytesIO(content), "list.csv")},
                       content_type="multipart/form-data")


def test_imports_with_a_nul_in_a_cell_store_no_nul(app, session, world, organiser_session):
    """Refused or cleaned (normalisation drops control characters), never a 500 and never stored."""
    from eventapp.directory.models import Company, ExchangeGroup
    from eventapp.registration.models import Registration

    client, _ = organiser_session
    groups = f"グループ名,フリガナ\r\nプラザ{NUL}62,ぷらざ\r\n"
    companies = f"会社名,フリガナ,業種\r\n株式会社{NUL}サンプル,サンプル,E\r\n"
    registrations = ("参加区分,姓,名,セイ,メイ,会社名,所属グループ,メール,電話,郵便番号,懇親会,個人情報利用同意,名簿提供同意\r\n"
                     f"一般,山{NUL}田,太郎,ヤマダ,タロウ,株式会社サンプル,,nul@example.jp,0312345678,,出席,はい,はい\r\n")
    slug = world.values_by_name["slug"]
    for url, text in (("/admin/groups/import", groups), ("/admin/companies/import", companies),
                      (f"/admin/registrations/import?event={slug}", registrations)):
        for encoding in ("utf-8", "utf-16"):
            response = _upload(client, url, text.encode(encoding))
            assert response.status_code < 500, (url, encoding, response.status_code)
    stored = [*session.scalars(select(ExchangeGroup.name)), *session.scalars(select(Company.name)),
              *session.scalars(select(Registration.family_name))]
    assert stored and not [value for value in stored if NUL in value]


def test_an_organiser_with_a_very_long_address_can_change_a_registration(app, session):
    """The history records who changed what ("organiser:<e-mail>", 120 characters at most)."""
    from eventapp.accounts.models import Role
    from eventapp.accounts.services import create_user
    from eventapp.registration.models import RegistrationChange
    from tests.helpers import make_registration

    email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.jp"
    create_user(session, email=email, display_name="長い", password="long-address-password", role=Role.ORGANISER)
    session.commit()
    registration = make_registration(session, make_event(session))
    client = app.test_client()
    assert login(client, email, "long-address-password").status_code == 302
    page = client.get(f"/admin/registrations/{registration.id}/cancel")
    response = client.post(f"/admin/registrations/{registration.id}/cancel",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    actors = set(session.scalars(select(RegistrationChange.actor)))
    assert any(actor.startswith("organiser:aaaa") and len(actor) == 120 for actor in actors), actors
