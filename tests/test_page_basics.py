"""Issue 7 §7, the small things people notice, in the HTML of the pages: a favicon, a description of each
page in its language, autofill tokens that fill the right fields, valid <time> values, ids that are unique
on a page with several forms, and a required select that can be left empty only where it may."""

from __future__ import annotations

import re
from collections import Counter

from tests.conftest import ORGANISER_PASSWORD, login
from tests.site_tour import build_site, organiser_pages, public_pages

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def _html(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_every_page_links_a_favicon_that_is_served(app, client, organiser, session):
    site = build_site(session, app)
    organiser_client = app.test_client()
    login(organiser_client, organiser.email, ORGANISER_PASSWORD)
    pages = [(client, p.path) for p in public_pages(site)] + [(organiser_client, p.path) for p in organiser_pages(site)]
    for c, path in pages:
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in _html(c, path), path
    with client.get("/static/favicon.svg") as icon:  # a file response: closed when read
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")


def test_each_page_has_a_description_in_its_language(app, client, session):
    site = build_site(session, app)
    descriptions = {}
    for locale in ("ja", "en"):
        client.set_cookie("lang", locale)
        for page in public_pages(site):
            match = DESCRIPTION.search(_html(client, page.path))
            assert match and match.group(1).strip(), (locale, page.name)
            descriptions[locale, page.name] = match.group(1)
    assert "東京都異業種交流グループ合同交流会" in descriptions["ja", "index"]
    assert "cross-industry exchange groups" in descriptions["en", "index"]
    assert "参加申込" in descriptions["ja", "event"] and "registration" in descriptions["en", "event"]
    assert "東京都立産業技術研究センター" in descriptions["ja", "event"]  # the venue
    assert descriptions["ja", "register"] != descriptions["ja", "event"] != descriptions["ja", "index"]
    assert "期限" in descriptions["ja", "error-410"] or "有効期限" in descriptions["ja", "error-410"]
    for name in ("index", "event", "register", "login"):
        assert descriptions["ja", name] != descriptions["en", name]


def test_autofill_tokens_fill_the_right_fields(client, session):
    from tests.helpers import make_event

    html = _html(client, f"/events/{make_event(session).slug}/register")
    department = re.search(r'<input[^>]*id="department"[^>]*>', html).group(0)
    job_title = re.search(r'<input[^>]*id="job_title"[^>]*>', html).group(0)
    address = re.search(r'<input[^>]*id="address"[^>]*>', html).group(0)
    assert "autocomplete" not in department  # no token means a department; never the job title's
    assert 'autocomplete="organization-title"' in job_title
    assert 'autocomplete="address-line1"' in address  # one line: street-address belongs to a textarea
    assert html.count('autocomplete="organization-title"') == 1


def test_time_values_have_no_microseconds(app, organiser_client, session):
    build_site(session, app)
    html = _html(organiser_client, "/admin/")
    values = re.findall(r'<time[^>]*datetime="([^"]+)"', html)
    assert len(values) >= 2
    for value in values:  # a valid global date and time string, to the second, in Tokyo time
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", value), value


def test_ids_are_unique_on_pages_with_several_forms(app, organiser_client, session):
    site = build_site(session, app)
    for path in (f"/admin/registrations/{site.registration_id}", f"/admin/registrations/{site.cancelled_id}",
                 f"/admin/events/{site.event_id}/edit", f"/admin/companies/{site.company_id}", "/admin/badges/sheets"):
        html = _html(organiser_client, path)
        assert html.count("<form") >= 2, path
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [i for i, n in ids.items() if n > 1] == [], path


def test_a_required_select_starts_with_an_empty_option_or_is_not_marked_required(app, organiser_client, session):
    site = build_site(session, app)
    for path in ("/admin/badges", f"/admin/events/{site.event_id}/edit", f"/admin/registrations/{site.registration_id}/edit"):
        for select in re.findall(r"<select[^>]*>.*?</select>", _html(organiser_client, path), re.S):
            first = re.search(r"<option[^>]*>", select)
            if re.search(r"<select[^>]*\srequired[\s>]", select):
                assert first and 'value=""' in first.group(0), (path, select[:200])
