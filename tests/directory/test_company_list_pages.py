"""The company list's pages (Flask-SQLAlchemy's pagination): odd page numbers, every company exactly once
across the pages even when the 五十音 key ties, and links that keep the search and filters."""

from __future__ import annotations

import re

import pytest

from eventapp.directory import services
from eventapp.web import paginate
from tests.directory.test_directory_pages import company_names, make_group

ROWS = 55  # two pages of 50
NAMES = [f"株式会社テスト{n:02d}" for n in range(ROWS)]


@pytest.fixture
def tied_companies(session):
    """55 companies with one reading, so one sort key: only the id (the tie-breaker) orders them. Each is in
    the group; every other one is also in a second group, to filter by."""
    group = make_group(session)
    other = make_group(session, name="城南テクノ交流会", reading="ジョウナンテクノコウリュウカイ")
    for n, name in enumerate(NAMES):
        services.create_company(session, details=services.CompanyDetails(
            name=name, reading="テスト", industry_code="E", group_ids=[group.id] + ([other.id] if n % 2 else [])))
    session.commit()
    return group, other


def names_on(response) -> list[str]:
    assert response.status_code == 200
    return company_names(response.get_data(as_text=True))


def test_each_company_once_across_the_pages_despite_ties(organiser_client, tied_companies):
    first = names_on(organiser_client.get("/admin/companies"))
    second = names_on(organiser_client.get("/admin/companies?page=2"))
    assert first + second == NAMES  # ties broken by the id: in the order they were added


def test_small_pages_cover_each_company_once(app, tied_companies):
    stmt = services.companies_statement(services.CompanyFilters())
    with app.app_context():  # paging as the view does, with the app's session
        pages = [paginate(stmt, page=page, per_page=6) for page in range(1, 11)]  # 10 pages, the last one short
        assert [c.name for p in pages for c in p.items] == NAMES
    assert (pages[0].pages, pages[0].total, pages[-1].first, pages[-1].last) == (10, ROWS, 55, 55)


def test_hostile_page_numbers_give_a_sensible_page(organiser_client, tied_companies):
    first_page, last_page = NAMES[:50], NAMES[50:]
    for value, expected in (("0", first_page), ("-1", first_page), ("abc", first_page), ("", first_page),
                            ("1.5", first_page), ("2", last_page), ("3", last_page),
                            ("99999999999999999999", last_page), ("-99999999999999999999", first_page),
                            ("9" * 5000, first_page)):
        assert names_on(organiser_client.get("/admin/companies", query_string={"page": value})) == expected, value
    for value in ("100000", "0", "-1", "abc"):  # ?per_page= is not read
        assert names_on(organiser_client.get("/admin/companies", query_string={"per_page": value})) == first_page


def test_pager_links_keep_the_search_and_filters(organiser_client, tied_companies):
    group, _ = tied_companies
    page = organiser_client.get("/admin/companies", query_string={"q": "テスト", "group": group.id, "industry": "E"})
    nav = re.findall(r'<nav class="pager".*?</nav>', page.get_data(as_text=True), re.S)
    assert len(nav) == 1
    hrefs = re.findall(r'href="([^"]+)"', nav[0])
    assert hrefs and any("page=2" in href for href in hrefs)
    for href in hrefs:
        assert f"group={group.id}" in href and "industry=E" in href and "q=%E3%83%86%E3%82%B9%E3%83%88" in href
    # a filter that leaves one page: no pager
    _, other = tied_companies
    narrow = organiser_client.get("/admin/companies", query_string={"group": other.id}).get_data(as_text=True)
    assert len(company_names(narrow)) == 27 and '<nav class="pager"' not in narrow
