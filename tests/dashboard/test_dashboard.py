"""Organiser dashboard: the figures, the JSON feed, who may see them, and a page that obeys the CSP."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from eventapp.dashboard import services
from eventapp.db import utcnow
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import CategoryCode, EventStatus
from eventapp.registration.models import RegistrationSource, RegistrationStatus
from eventapp.registration.services import cancel, register
from eventapp.text import gojuon_sort_key
from tests.helpers import answers, event_day, make_event, make_registration

JST_2330_ON_THE_10TH = datetime(2027, 1, 10, 14, 30, tzinfo=UTC)  # 2027-01-10 23:30 in Tokyo
NEW_YEAR_2027 = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)  # the frame of the tests that pass their own times


def _group(session, name: str, reading: str) -> ExchangeGroup:
    group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading))
    session.add(group)
    session.flush()
    return group


def _cancel(session, registration, *, now: datetime | None = None) -> None:
    cancel(session, registration, now=now or utcnow(), actor="organiser:test", by_organiser=True)
    session.commit()


@pytest.fixture
def known_set(session):
    """Capacity 3: five people register, the second cancels and the first in line moves up.

    In the end: confirmed r1 (general, group A, E, party), r3 (member, group B, E, no party),
    r4 (general, no group, no industry, party; promoted); waitlisted r5 (exhibitor, group B, E);
    cancelled r2 (member, group A, G).
    """
    event = make_event(session, capacity=3, category_capacities={CategoryCode.MEMBER: 5})
    group_a = _group(session, "城東異業種交流会", "じょうとういぎょうしゅこうりゅうかい")
    group_b = _group(session, "江東ものづくりの会", "こうとうものづくりのかい")
    session.commit()
    r1 = make_registration(session, event, 1, category_code="general", group_id=group_a.id, industry_code="E")
    r2 = make_registration(session, event, 2, category_code="member", group_id=group_a.id, industry_code="G")
    r3 = make_registration(session, event, 3, category_code="member", group_id=group_b.id, industry_code="E",
                           attends_party=False)
    r4 = make_registration(session, event, 4, category_code="general", industry_code="")
    r5 = make_registration(session, event, 5, category_code="exhibitor", group_id=group_b.id, industry_code="E")
    assert r4.status == r5.status == RegistrationStatus.WAITLISTED
    _cancel(session, r2)
    assert r4.status == RegistrationStatus.CONFIRMED
    return event, {"A": group_a, "B": group_b}, (r1, r2, r3, r4, r5)


def _rows(breakdown) -> list[tuple[str, int, int]]:
    return [(row.name, row.confirmed, row.waitlisted) for row in breakdown]


# --- figures ----------------------------------------------------------------------------------------


def test_counts_by_status(session, known_set):
    event, _groups, _ = known_set
    figures = services.dashboard_figures(session, event, now=utcnow(), locale="ja")
    assert (figures.status.confirmed, figures.status.waitlisted, figures.status.cancelled) == (3, 1, 1)
    assert figures.status.active == 4
    assert figures.capacity == 3 and figures.seats_left == 0 and figures.fill_percent == 100
    assert figures.party == 2  # r1 and r4; r2 would have come but cancelled, r3 does not attend


def test_counts_by_category_with_capacity(session, known_set):
    event, _groups, _ = known_set
    categories = services.by_category(session, event, locale="ja")
    assert [c.key for c in categories] == ["member", "exhibitor", "speaker", "general", "guest", "press", "staff"]
    by_code = {c.key: (c.name, c.confirmed, c.waitlisted, c.cancelled, c.capacity) for c in categories}
    assert by_code["general"] == ("一般", 2, 0, 0, None)
    assert by_code["member"] == ("会員", 1, 0, 1, 5)
    assert by_code["exhibitor"] == ("出展", 0, 1, 0, None)
    assert by_code["press"] == ("報道", 0, 0, 0, None)
    assert services.by_category(session, event, locale="en")[0].name == "Member"


def test_counts_by_group_busiest_first_then_no_group(session, known_set):
    event, _groups, _ = known_set
    groups = services.by_group(session, event, locale="en")
    assert _rows(groups) == [("江東ものづくりの会", 1, 1), ("城東異業種交流会", 1, 0), ("No group", 1, 0)]
    top_one = services.by_group(session, event, locale="en", top=1)
    assert _rows(top_one) == [("江東ものづくりの会", 1, 1), ("Other groups (1)", 1, 0), ("No group", 1, 0)]
    assert [g.key for g in top_one][1:] == ["*", ""]


def test_counts_by_industry_named_from_jsic(session, known_set):
    event, _groups, _ = known_set
    industries = services.by_industry(session, event, locale="ja")
    # G (情報通信業) was only the cancelled registration, so it does not appear.
    assert _rows(industries)[0] == ("製造業", 2, 1) and _rows(industries)[1][1:] == (1, 0)
    assert [i.key for i in industries] == ["E", ""]
    assert _rows(services.by_industry(session, event, locale="en")) == [("Manufacturing", 2, 1), ("Not given", 1, 0)]


def test_latest_registrations_newest_first(session, known_set):
    event, _groups, (r1, r2, r3, r4, r5) = known_set
    latest = services.latest_registrations(session, event, locale="ja")
    assert [r.id for r in latest] == [r5.id, r4.id, r3.id, r2.id, r1.id]
    assert latest[0].name == "山田 太郎5" and latest[0].company == "株式会社サンプル"
    assert latest[0].category == "出展" and latest[0].status == RegistrationStatus.WAITLISTED
    assert latest[3].status == RegistrationStatus.CANCELLED
    for n in range(6, 14):
        make_registration(session, event, n)
    assert len(services.latest_registrations(session, event, locale="ja")) == 10


def _register_at(session, event, n: int, at: datetime):
    outcome = register(session, event, answers=answers(n), now=at,
                       source=RegistrationSource.ORGANISER, notify=False)
    session.commit()
    return outcome.registration


def test_day_series_buckets_by_tokyo_date(session):
    event = make_event(session, capacity=50, now=NEW_YEAR_2027)
    _register_at(session, event, 1, JST_2330_ON_THE_10TH)  # the 10th in Tokyo, though 14:30 UTC
    _register_at(session, event, 2, datetime(2027, 1, 10, 15, 30, tzinfo=UTC))  # 00:30 on the 11th in Tokyo
    _register_at(session, event, 3, datetime(2027, 1, 9, 15, 0, tzinfo=UTC))  # 00:00 on the 10th in Tokyo
    gone = _register_at(session, event, 4, datetime(2027, 1, 12, 3, 0, tzinfo=UTC))
    _cancel(session, gone, now=datetime(2027, 1, 12, 5, 0, tzinfo=UTC))  # cancelled registrations are not counted
    _register_at(session, event, 5, datetime(2027, 1, 13, 1, 0, tzinfo=UTC))

    now = datetime(2027, 1, 14, 3, 0, tzinfo=UTC)  # the 14th in Tokyo
    figures = services.dashboard_figures(session, event, now=now, locale="ja")
    series = [(d.day, d.count, d.cumulative) for d in figures.days]
    assert series == [
        (date(2027, 1, 10), 2, 2),
        (date(2027, 1, 11), 1, 3),
        (date(2027, 1, 12), 0, 3),
        (date(2027, 1, 13), 1, 4),
        (date(2027, 1, 14), 0, 4),  # up to today, with no registrations yet
    ]
    assert figures.days[0].label == "1/10(日)"
    assert figures.today == 0 and figures.last_7_days == 4

    on_the_13th = services.dashboard_figures(session, event, now=datetime(2027, 1, 13, 2, 0, tzinfo=UTC), locale="en")
    assert on_the_13th.today == 1 and on_the_13th.days[-1].day == date(2027, 1, 13)
    assert on_the_13th.days[0].label == "Sun 10 Jan"


def test_day_series_of_a_past_event_ends_on_its_day(session):
    event = make_event(session, now=NEW_YEAR_2027, event_date=date(2027, 2, 18))
    _register_at(session, event, 1, datetime(2027, 2, 1, 0, 0, tzinfo=UTC))
    figures = services.dashboard_figures(session, event, now=datetime(2027, 6, 1, tzinfo=UTC), locale="ja")
    assert figures.days[0].day == date(2027, 2, 1) and figures.days[-1].day == date(2027, 2, 18)
    assert len(figures.days) == 18 and figures.days[-1].cumulative == 1


def test_no_registrations_no_series(session, now):
    event = make_event(session, now=now)
    figures = services.dashboard_figures(session, event, now=now, locale="ja")
    assert figures.days == () and figures.latest == () and figures.groups == () and figures.industries == ()
    assert figures.seats_left == 100 and figures.status.active == 0


def test_default_event_is_the_latest_not_draft(session, now):
    old = make_event(session, slug="godo-2026", now=now, event_date=event_day(now, years=-1))
    current = make_event(session, slug="godo-2027", now=now)
    make_event(session, slug="godo-2028", now=now, event_date=event_day(now, years=1), status=EventStatus.DRAFT)
    events = services.dashboard_events(session)
    assert [e.slug for e in events] == ["godo-2028", "godo-2027", "godo-2026"]
    assert services.default_event(events) == current
    assert services.default_event([old]) == old
    assert services.default_event([]) is None


# --- views --------------------------------------------------------------------------------------


def _without_time(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k not in ("generated_at", "generated_at_display")}


def test_json_endpoint_returns_the_same_figures(noon_in_tokyo, app, organiser_client, session, known_set):
    event, _groups, _ = known_set
    response = organiser_client.get(f"/admin/dashboard.json?event={event.slug}")
    assert response.status_code == 200 and response.is_json
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_json()
    with app.app_context():  # its labels are translated, in the app's default language
        expected = services.dashboard_figures(session, event, now=utcnow(), locale="ja").as_json()
    assert _without_time(body) == _without_time(expected)
    assert body["status"] == {"confirmed": 3, "waitlisted": 1, "cancelled": 1, "active": 4}
    assert body["seats_left"] == 0 and body["party"] == 2
    assert [(g["key"], g["confirmed"], g["waitlisted"]) for g in body["groups"]][-1] == ("", 1, 0)
    assert [i["key"] for i in body["industries"]] == ["E", ""]
    assert body["latest"][0]["status"] == "waitlisted" and body["days"][-1]["cumulative"] == 4
    assert re.fullmatch(r"\d\d:\d\d:\d\d", body["generated_at_display"])


def test_json_endpoint_defaults_and_unknown_event(organiser_client, session):
    make_event(session, slug="godo-2027")
    assert organiser_client.get("/admin/dashboard.json").get_json()["event"] == "godo-2027"
    missing = organiser_client.get("/admin/dashboard.json?event=nothing-here")
    assert missing.status_code == 404 and missing.is_json


def _in_english(client, url: str):
    return client.get(url + "&lang=en")


def test_page_shows_every_number_as_tables(noon_in_tokyo, organiser_client, session, known_set):
    event, _groups, _ = known_set
    response = _in_english(organiser_client, f"/admin/?event={event.slug}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for text in ("城東異業種交流会", "江東ものづくりの会", "No group", "Manufacturing", "Not given", "山田 太郎5",
                 "Latest registrations", "By category", "By exchange group", "By industry"):
        assert text in body, text
    assert re.search(r'data-stat="status.confirmed">3<', body)
    assert re.search(r'data-stat="status.waitlisted">1<', body)
    assert re.search(r'data-stat="status.cancelled">1<', body)
    assert re.search(r'data-stat="party">2<', body)
    assert f'href="/admin/registrations?event={event.slug}"' in body
    assert f'href="/admin/events/{event.id}/edit"' in body and 'href="/admin/outbox/"' in body
    data = json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', body, re.S)[1])
    assert _without_time(data) == _without_time(
        _in_english(organiser_client, f"/admin/dashboard.json?event={event.slug}").get_json())


def test_page_uses_the_vendored_chart_script_and_no_inline_script(organiser_client, session, known_set):
    body = organiser_client.get("/admin/").get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, re.S)
    sources = [re.search(r'src="([^"]+)"', attrs)[1] for attrs, _ in scripts if "src=" in attrs]
    assert "/static/vendor/chart.umd.min.js" in sources and "/static/js/dashboard.js" in sources
    assert all(src.startswith("/static/") for src in sources)  # never a CDN
    for attrs, content in scripts:
        if "src=" in attrs:
            assert not content.strip()
        else:  # a data block, which browsers never execute
            assert 'type="application/json"' in attrs
            json.loads(content)
    assert not re.search(r"\sstyle=", body) and "<style" not in body
    assert not re.search(r"\son[a-z]+=", body)  # no inline event handlers
    chart = organiser_client.get("/static/vendor/chart.umd.min.js")
    assert chart.status_code == 200, "run `make vendor` to copy Chart.js into static/vendor/"
    chart.close()


def test_picker_lists_events_and_chooses_one(organiser_client, session, now):
    make_event(session, slug="godo-2026", now=now, event_date=event_day(now, years=-1))
    make_event(session, slug="godo-2027", now=now)
    body = organiser_client.get("/admin/").get_data(as_text=True)
    assert re.search(r'<option value="godo-2027" selected>', body) and re.search(r'<option value="godo-2026"\s*>', body)
    chosen = organiser_client.get("/admin/?event=godo-2026").get_data(as_text=True)
    assert re.search(r'<option value="godo-2026" selected>', chosen)
    assert 'data-source="/admin/dashboard.json?event=godo-2026"' in chosen
    assert organiser_client.get("/admin/?event=nothing-here").status_code == 404


def test_page_without_events(organiser_client):
    response = organiser_client.get("/admin/")
    assert response.status_code == 200
    assert "chart.umd.min.js" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/", "/admin/dashboard.json"])
def test_staff_may_not_see_the_dashboard(staff_client, session, path):
    make_event(session)
    assert staff_client.get(path).status_code == 403
    assert staff_client.get("/admin/staff").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/admin/dashboard.json"])
def test_anonymous_is_sent_to_login(client, session, path):
    make_event(session)
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_json_counts_follow_new_registrations(noon_in_tokyo, organiser_client, session):
    event = make_event(session, capacity=1)
    url = f"/admin/dashboard.json?event={event.slug}"
    assert organiser_client.get(url).get_json()["status"]["confirmed"] == 0
    make_registration(session, event, 1)
    make_registration(session, event, 2)
    body = organiser_client.get(url).get_json()
    assert body["status"] == {"confirmed": 1, "waitlisted": 1, "cancelled": 0, "active": 2}
    assert body["days"][-1]["cumulative"] == 2 and body["today"] == 2
    assert timedelta(0) <= utcnow() - datetime.fromisoformat(body["generated_at"]) < timedelta(minutes=1)
