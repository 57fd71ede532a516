"""The live arrivals page in Chromium: Chart.js draws the per-10-minutes chart, and a new arrival shows up
in the numbers, the tables and the chart without reloading the page. With ARRIVALS_SHOTS=<dir> it saves
screenshots of the organisers' check-in pages at desktop and phone size, to look at."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from eventapp.checkin import services
from eventapp.checkin.models import EntryResult, PointKind
from eventapp.directory.models import ExchangeGroup
from eventapp.text import gojuon_sort_key
from tests.checkin.entries import entry, many_people
from tests.conftest import ORGANISER_PASSWORD
from tests.helpers import make_event

pytestmark = pytest.mark.browser

SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
}
SHOTS = os.environ.get("ARRIVALS_SHOTS")


def _door_afternoon(session, event, now):
    groups = []
    for name, reading in (("城東異業種交流会", "ジョウトウ"), ("多摩テクノフォーラム", "タマテクノ"),
                          ("城南ものづくりネット", "ジョウナン")):
        group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading))
        session.add(group)
        groups.append(group)
    session.flush()
    event.capacity = 200
    party = services.create_point(session, event, code="party", name_ja="懇親会", name_en="Party",
                                  kind=PointKind.PARTY, party_only=True)
    reception = services.default_point(session, event)
    door, _ = services.create_device(session, event, name="受付-1", point=reception, created_by="t", now=now)
    hall, _ = services.create_device(session, event, name="懇親会-1", point=party, created_by="t", now=now)
    people = many_people(session, event, 60, now=now, group_id=lambda n: groups[n % 4].id if n % 4 < 3 else None,
                         category_code=lambda n: ("member", "general", "exhibitor", "speaker")[n % 4],
                         attends_party=lambda n: n % 2 == 0)
    for n, person in enumerate(people[:42]):
        entry(session, door.id, reception.id, person, now - timedelta(minutes=80 - (n * n) % 70), first_in=True)
    for person in people[:12:2]:
        entry(session, hall.id, party.id, person, now - timedelta(minutes=8), first_in=True)
    entry(session, hall.id, party.id, people[1], now - timedelta(minutes=7), result=EntryResult.REFUSED,
          reason="not_on_list", queued=True, flagged=True)
    session.commit()
    return reception, door, people


def _shoot(page, name: str, size: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_arrivals_update_themselves(browser: Browser, live_server, app, session, now, organiser, release_db, size):
    app.config["ARRIVALS_POLL_SECONDS"] = 1
    event = make_event(session, now=now)
    reception, door, people = _door_afternoon(session, event, now)
    email, event_id = organiser.email, event.id
    release_db()
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(ORGANISER_PASSWORD)
        page.locator("form[data-keep-answers] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))

        page.goto(f"{live_server}/admin/checkin/events/{event_id}/arrivals")
        expect(page.locator("#arrivals.has-charts")).to_be_attached()
        expect(page.locator('[data-chart="buckets"]')).to_be_visible()
        arrived = page.locator('#arrivals [data-stat="arrived"]')
        expect(arrived).to_have_text("42")
        page.evaluate("window.__notReloaded = true")
        _shoot(page, "arrivals", size)

        entry(session, door.id, reception.id, people[50], now - timedelta(minutes=1), first_in=True)
        session.commit()
        release_db()
        expect(arrived).to_have_text("43")  # polled, not reloaded
        assert page.evaluate("window.__notReloaded") is True
        expect(page.locator('[data-table="points"] tr').first.locator("td").nth(2)).to_have_text("43")
        chart_total = page.evaluate("""() => Chart.getChart(document.querySelector('[data-chart=buckets] canvas'))
            .data.datasets.reduce((sum, d) => sum + d.data.reduce((a, b) => a + b, 0), 0)""")
        assert chart_total == 43 + 6  # first admissions at the door and at the party
        assert not errors

        for name, path in (("points", f"/admin/checkin/events/{event_id}/points"),
                           ("flags", f"/admin/checkin/events/{event_id}/flags"),
                           ("devices", f"/admin/checkin/events/{event_id}/devices"),
                           ("point-edit", f"/admin/checkin/points/{reception.id}/edit"),
                           ("point-close", f"/admin/checkin/points/{reception.id}/close")):
            page.goto(live_server + path)
            _shoot(page, name, size)
        page.goto(f"{live_server}/admin/checkin/events/{event_id}/points")
        page.locator("#code").fill("Party 2")
        page.locator("form[data-keep-answers] button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_visible()
        _shoot(page, "points-errors", size)
        page.goto(f"{live_server}/admin/checkin/events/{event_id}/arrivals?lang=en")
        expect(page.locator("h2#h-times")).to_have_text("Arrivals per 10 minutes")
        expect(page.locator("#arrivals.has-charts")).to_be_attached()
        _shoot(page, "arrivals-en", size)
        page.goto(f"{live_server}/admin/checkin/events/{event_id}/flags")
        _shoot(page, "flags-en", size)
    finally:
        context.close()
