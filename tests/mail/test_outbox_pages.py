"""The outbox pages (Flask-SQLAlchemy's pagination) take any page number a browser can send, show every
message exactly once, keep the status filter in the pager, and show … for the pages left out."""

from __future__ import annotations

import re

from sqlalchemy import func, insert, select

from eventapp.db import utcnow
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.services import outbox_statement
from eventapp.web import paginate


def test_absurd_page_numbers_do_not_break_the_outbox(organiser_client):
    for page in ("1000000000000000000", "-5", "0", "abc"):
        assert organiser_client.get(f"/admin/outbox/?page={page}").status_code == 200


def add_messages(session, count: int, status: OutboxStatus = OutboxStatus.HELD) -> list[int]:
    """`count` messages made at the same moment (so only the id orders them); their ids, newest first."""
    now = utcnow()
    start = session.scalar(select(func.count()).select_from(OutboxMessage))
    session.execute(insert(OutboxMessage), [
        {"kind": "test", "to_address": f"m{start + n}@example.jp", "subject": f"Message {start + n}",
         "body_text": "x", "status": status, "created_at": now, "message_id_header": f"<m{start + n}@test>"}
        for n in range(count)])
    session.commit()
    return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == status)
                                .order_by(OutboxMessage.id.desc())))


def ids_on(response_or_page) -> list[int]:
    if not isinstance(response_or_page, str):
        assert response_or_page.status_code == 200
        response_or_page = response_or_page.get_data(as_text=True)
    return [int(i) for i in re.findall(r'<a href="/admin/outbox/(\d+)">', response_or_page)]


def test_every_message_once_across_pages(app, organiser_client, session):
    ids = add_messages(session, 55)
    first, second = ids_on(organiser_client.get("/admin/outbox/")), ids_on(organiser_client.get("/admin/outbox/?page=2"))
    assert first + second == ids and len(first) == 50
    with app.app_context():  # paging as the view does, with the app's session
        pages = [paginate(outbox_statement(), page=page, per_page=8) for page in range(1, 8)]
        assert [m.id for p in pages for m in p.items] == ids


def test_hostile_page_numbers_give_a_sensible_page(organiser_client, session):
    ids = add_messages(session, 55)
    first_page, last_page = ids[:50], ids[50:]
    for value, expected in (("0", first_page), ("-1", first_page), ("abc", first_page), ("", first_page),
                            ("2", last_page), ("3", last_page), ("99999999999999999999", last_page),
                            ("-99999999999999999999", first_page), ("9" * 5000, first_page)):
        assert ids_on(organiser_client.get("/admin/outbox/", query_string={"page": value})) == expected, value
    for value in ("100000", "0", "-1", "abc"):  # ?per_page= is not read
        assert ids_on(organiser_client.get("/admin/outbox/", query_string={"per_page": value})) == first_page
    # an unknown status is no filter, and not kept in the links
    page = organiser_client.get("/admin/outbox/?status=nope").get_data(as_text=True)
    assert "status=nope" not in page and 'rel="next"' in page


def test_many_pages_show_gaps_and_keep_the_status(organiser_client, session):
    add_messages(session, 30, OutboxStatus.SENT)  # not in the filtered list
    held = add_messages(session, 15 * 50 - 10)  # 15 pages, the last one short
    page = organiser_client.get("/admin/outbox/?status=held&page=7").get_data(as_text=True)
    assert ids_on(page) == held[300:350]
    nav = re.search(r'<nav class="pager".*?</nav>', page, re.S).group(0)
    shown = re.findall(r'<li(?: class="pager-gap"[^>]*)?>(?:<a [^>]*>|<span [^>]*>)?([^<]+)', nav)
    assert shown == ["1", "2", "…", "5", "6", "7", "8", "9", "10", "11", "…", "14", "15"]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert len(hrefs) == 10 + 2  # each page number shown but the current one, previous and next
    assert all("status=held" in href for href in hrefs)
    assert re.search(r'href="[^"]*page=6[^"]*" rel="prev"', nav) and re.search(r'href="[^"]*page=8[^"]*" rel="next"', nav)
    assert "7 / 15ページ" in nav or "Page 7 of 15" in nav
    last = organiser_client.get("/admin/outbox/?status=held&page=15").get_data(as_text=True)
    assert len(ids_on(last)) == 40 and 'rel="next"' not in last

