"""The registration list's pages (Flask-SQLAlchemy's pagination): odd page numbers, every row exactly once
across the pages even when the sort key ties, and links that keep the search, filters and order."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect as sa_inspect

from eventapp.registration.models import Registration
from eventapp.registration.queries import (
    RegistrationFilters,
    company_ordered_ids,
    ordered_statement,
    registrations_in_order,
)
from eventapp.web import paginate, paginate_ids
from tests.helpers import make_event, make_registration
from tests.registration.admin_support import body

ROWS = 55  # two pages of 50
NAMES = [f"名前{n:02d}" for n in range(ROWS)]


@pytest.fixture
def tied_event(session, now):
    """55 registrations that tie on every sort key but the receipt number: the same reading, the same company
    and the same moment of registering. Only the id (the tie-breaker) tells them apart. One is registered the
    ordinary way, the others are copies of it (registering sends a confirmation with a PDF ticket: slow)."""
    event = make_event(session, capacity=500, now=now)
    first = make_registration(session, event, 0, now=now, family_name=NAMES[0], family_kana="ヤマダ",
                              company_name="株式会社サンプル", company_kana="サンプル")
    columns = {a.key: getattr(first, a.key) for a in sa_inspect(Registration).column_attrs if a.key != "id"}
    for n in range(1, ROWS):
        session.add(Registration(**columns | {
            "family_name": NAMES[n], "email": f"copy{n}@example.jp", "email_key": f"copy{n}@example.jp",
            "receipt_code": f"{(n * 7919) % 1_000_000:06d}",  # not in the order of the ids
            "token": f"token-{n}", "manage_secret": f"secret-{n}", "submission_id": None,
            "badge_serial": first.badge_serial + n}))
    session.commit()
    return event


def names_on(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'class="reg-name">(名前\d\d)', body(response))


@pytest.mark.parametrize("sort", ["kana", "newest", "receipt", "company"])
def test_each_registration_once_across_the_pages_despite_ties(organiser_client, tied_event, sort):
    first = names_on(organiser_client.get(f"/admin/registrations?sort={sort}"))
    second = names_on(organiser_client.get(f"/admin/registrations?sort={sort}&page=2"))
    assert len(first) == 50 and len(second) == 5
    assert sorted(first + second) == NAMES
    if sort in ("kana", "company"):  # ties broken by the id: in the order they registered
        assert first + second == NAMES
    elif sort == "newest":
        assert first + second == NAMES[::-1]


def test_small_pages_of_every_order_cover_each_row_once(app, session, tied_event):
    """Pages of 7 (8 pages, the last one short): the tie-breaker must hold at every offset."""
    everyone = RegistrationFilters()
    for sort in ("kana", "newest", "receipt"):
        stmt = ordered_statement(tied_event, filters=everyone, sort=sort)
        with app.app_context():  # paging as the view does, with the app's session
            seen = [r.family_name for page in range(1, 9) for r in paginate(stmt, page=page, per_page=7).items]
        assert sorted(seen) == NAMES, sort
    ids = company_ordered_ids(session, tied_event, filters=everyone)
    with app.app_context():
        pages = [paginate_ids(ids, lambda some: registrations_in_order(session, some), page=page, per_page=7)
                 for page in range(1, 9)]
    assert [r.family_name for p in pages for r in p.items] == NAMES
    assert (pages[0].pages, pages[0].total, pages[-1].first, pages[-1].last) == (8, ROWS, 50, ROWS)
    with pytest.raises(ValueError):
        ordered_statement(tied_event, sort="company")


@pytest.mark.parametrize("sort", ["kana", "company"])
def test_hostile_page_numbers_give_a_sensible_page(organiser_client, tied_event, sort):
    first_page, last_page = NAMES[:50], NAMES[50:]
    for value, expected in (("0", first_page), ("-1", first_page), ("abc", first_page), ("", first_page),
                            ("1.5", first_page), ("٢", last_page),  # a digit int() reads (Arabic-Indic 2)
                            ("2", last_page), ("3", last_page), ("99999999999999999999", last_page),
                            ("-99999999999999999999", first_page), ("9" * 5000, first_page)):
        response = organiser_client.get("/admin/registrations", query_string={"sort": sort, "page": value})
        assert names_on(response) == expected, value
    # ?per_page= is not read: still 50 on a page, whatever is asked
    for value in ("100000", "0", "-1", "abc"):
        response = organiser_client.get("/admin/registrations", query_string={"sort": sort, "per_page": value})
        assert names_on(response) == first_page, value


def test_past_the_end_shows_the_last_page_with_a_pager_to_go_back(organiser_client, tied_event):
    page = body(organiser_client.get("/admin/registrations?page=7"))
    assert '<span class="pager-current" aria-current="page">2</span>' in page
    assert re.search(r'href="[^"]*page=1[^"]*" rel="prev">← 前へ</a>', page)
    assert 'rel="next"' not in page and "2 / 2ページ" in page and 'aria-label="1ページ目"' in page
    english = body(organiser_client.get("/admin/registrations?lang=en"))
    assert re.search(r'rel="next">Next →</a>', english)
    assert "Page 1 of 2" in english and 'aria-label="Page 2"' in english


def test_pager_links_keep_the_search_filters_and_order(organiser_client, tied_event):
    page = body(organiser_client.get("/admin/registrations",
                                     query_string={"q": "サンプル", "status": "confirmed", "sort": "newest"}))
    links = re.findall(r'<nav class="pager reg-pager".*?</nav>', page, re.S)
    assert len(links) == 1
    hrefs = re.findall(r'href="([^"]+)"', links[0])
    assert hrefs, links[0]
    for href in hrefs:
        assert "event=godo-2027" in href and "sort=newest" in href and "status=confirmed" in href
        assert "q=%E3%82%B5%E3%83%B3%E3%83%97%E3%83%AB" in href  # サンプル
    assert any("page=2" in href for href in hrefs)


def test_no_pager_for_one_page(organiser_client, session, now):
    event = make_event(session, now=now)
    make_registration(session, event, 1, now=now)
    assert '<nav class="pager' not in body(organiser_client.get("/admin/registrations"))
