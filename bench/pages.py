"""Page weight of the public pages on a phone: font bytes, all bytes and layout shift, in a real Chromium.

    python -m bench.pages              # every public page in both languages (what `make bench` runs)
    python -m bench.pages --fast       # the same without network throttling

Builds a throwaway SQLite database from the migrations with the demo data (`flask demo`), serves it from a
thread on 127.0.0.1 and opens each public page in Debian's Chromium at phone size (390×844, 3× pixels,
touch, mobile viewport), each in a new browser context, so with a cold cache, over a throttled network
(Lighthouse's mobile profile: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up). Then "the event page,
then the form" in one context: the first visit the font budget is for.

For each page: the bytes Chromium received (Network.loadingFinished's encodedDataLength: headers and body as
sent) for fonts and for everything, which font files came, and the layout shift: the sum of every
'layout-shift' entry without recent input from the start of the page until it has loaded, its fonts are
ready and nothing moved for a while. The sum is never less than Core Web Vitals' CLS (the worst 5 s
window), so a budget met here is met there.

tests/browser/test_page_weight_in_browser.py holds the budgets (FONT_BUDGET, CLS_BUDGET) with this probe.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "pages.json"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox",  # as tests/conftest.py launches it "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
KB = 1000

# The budgets of issue 7 §1: the first visit (event page, then the form) and every public page.
FONT_BUDGET = 800 * KB
CLS_BUDGET = 0.1

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
                         "has_touch": True}
# Lighthouse's "slow 4G" (its default mobile throttling), as DevTools' Network.emulateNetworkConditions takes it.
MOBILE_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_638_400 / 8,
                  "uploadThroughput": 750_000 / 8}
SETTLE_MS = 1000  # no layout shift and no request for this long after fonts.ready: the page has settled

LAYOUT_SHIFT_PROBE = """
(() => {
  const probe = window.__layoutShift = {total: 0, shifts: []};
  const describe = node => {
    if (!node) return '?';
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) return node.nodeName;
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
  };
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      probe.total += entry.value;
      probe.last = performance.now();
      probe.shifts.push({value: entry.value, at: Math.round(entry.startTime),
                         sources: (entry.sources || []).map(s => describe(s.node))});
    }
  }).observe({type: 'layout-shift', buffered: true});
})();
"""

# What the page shows in which font: FontFace objects of the page's @font-face rules that have loaded.
LOADED_FONTS = """
() => [...document.fonts].filter(f => f.status === 'loaded')
  .map(f => ({family: f.family.replace(/^["']|["']$/g, ''), weight: String(f.weight), unicodeRange: f.unicodeRange}))
"""


@dataclass
class Load:
    url: str
    kind: str  # CDP's resource type: Document, Stylesheet, Font, Script, Image, ...
    status: int
    bytes: int  # encodedDataLength: as received, headers included


@dataclass
class PageMeasure:
    name: str
    locale: str
    url: str
    status: int
    font_bytes: int
    total_bytes: int
    layout_shift: float
    fonts: list[str]
    shifts: list[dict] = field(default_factory=list)
    loaded_fonts: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    loads: list[Load] = field(default_factory=list)


class NetworkLog:
    """Every response of one page as Chromium's network stack saw it (CDP Network domain), throttled or not."""

    def __init__(self, page, network: dict | None) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.pending: dict[str, dict] = {}
        self.loads: list[Load] = []
        self.last_activity = time.monotonic()
        self.cdp.on("Network.requestWillBeSent", self._request)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)
        self.cdp.send("Network.enable")
        if network:
            self.cdp.send("Network.emulateNetworkConditions", network)

    def _request(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        self.pending[event["requestId"]] = {"url": event["request"]["url"], "kind": event.get("type", "Other"),
                                            "status": 0}

    def _response(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        response = event["response"]
        self.pending[event["requestId"]] = {"url": response["url"], "kind": event.get("type", "Other"),
                                            "status": response["status"]}

    def _finished(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        info = self.pending.pop(event["requestId"], None)
        if info is not None:
            self.loads.append(Load(bytes=int(event["encodedDataLength"]), **info))

    def _failed(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        self.pending.pop(event["requestId"], None)

    def take(self) -> list[Load]:
        loads, self.loads = self.loads, []
        return loads


def measure(page, log: NetworkLog, url: str, *, name: str, locale: str, timeout_s: float = 90) -> PageMeasure:
    """Open `url` in `page` (whose context ran LAYOUT_SHIFT_PROBE as an init script) and measure it."""
    started = time.monotonic()
    page.goto(url, wait_until="load", timeout=timeout_s * 1000)
    return measure_current(page, log, name=name, locale=locale, started=started, timeout_s=timeout_s)


def measure_current(page, log: NetworkLog, *, name: str, locale: str, started: float,
                    timeout_s: float = 90) -> PageMeasure:
    """Wait until the page shown has settled (loaded, fonts ready, no request in flight and no layout shift
    for SETTLE_MS), then read what came over the network and how far things moved."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        quiet_network = not log.pending and time.monotonic() - log.last_activity > SETTLE_MS / 1000
        since_shift = page.evaluate("() => performance.now() - (window.__layoutShift.last || 0)")
        if quiet_network and since_shift > SETTLE_MS:
            break
        page.wait_for_timeout(100)
    seconds = time.monotonic() - started
    probe = page.evaluate("() => window.__layoutShift")
    loads = log.take()
    fonts = [load for load in loads if load.kind == "Font"]
    document = next((load for load in loads if load.kind == "Document"), None)
    return PageMeasure(name=name, locale=locale, url=page.url, status=document.status if document else 0,
                       font_bytes=sum(load.bytes for load in fonts), total_bytes=sum(load.bytes for load in loads),
                       layout_shift=round(probe["total"], 4), fonts=[load.url.rsplit("/", 1)[-1] for load in fonts],
                       shifts=probe["shifts"], loaded_fonts=page.evaluate(LOADED_FONTS), seconds=round(seconds, 1),
                       loads=loads)


def phone_context(browser, base_url: str, locale: str):
    """A new context, so a cold cache: phone-sized, the language chosen by its cookie, the probe installed."""
    context = browser.new_context(locale="ja-JP" if locale == "ja" else "en-GB", timezone_id="Asia/Tokyo", **PHONE)
    context.add_cookies([{"name": "lang", "value": locale, "url": base_url}])
    context.add_init_script(LAYOUT_SHIFT_PROBE)
    context.set_default_timeout(90_000)
    return context


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SUBMISSION = re.compile(r'name="submission_id"[^>]*value="([^"]*)"')


def register_over_http(context, base_url: str, slug: str, email: str) -> None:
    """Register through the context's own HTTP client (its cookies, not its page cache), so that the
    context's session holds the registration and /register/done shows its confirmation."""
    form = context.request.get(f"{base_url}/events/{slug}/register").text()
    csrf, submission = _CSRF.search(form), _SUBMISSION.search(form)
    assert csrf and submission, "no CSRF token or submission id on the registration form"
    answers = {
        "csrf_token": csrf.group(1), "submission_id": submission.group(1), "category": "general",
        "family_name": "髙﨑", "given_name": "太郎", "family_kana": "タカサキ", "given_kana": "タロウ",
        "romaji": "TAKASAKI Taro", "company_name": "株式会社サンプル精工", "company_kana": "サンプルセイコウ",
        "department": "技術開発部", "job_title": "", "industry_code": "E", "employees_band": "21-50",
        "group_id": "", "email": email, "email_confirm": email, "phone": "03-1234-5678",
        "postcode": "135-0064", "address": "", "attends_party": "yes", "message": "", "consent_privacy": "y",
    }
    done = context.request.post(f"{base_url}/events/{slug}/register", form=answers, max_redirects=0)
    assert done.status == 302 and done.headers["location"].endswith("/register/done"), \
        f"registering answered {done.status}: {done.text()[:300]}"


# --- the site: demo data in SQLite, served from a thread -----------------------------------------------


@dataclass
class Site:
    base_url: str
    slug: str
    link_token: str  # a confirmed demo registration's "my registration" link


@contextmanager
def demo_site() -> Iterator[Site]:
    from flask_migrate import upgrade
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from eventapp import create_app
    from eventapp.config import MIGRATIONS_DIR, TestConfig
    from eventapp.db import db, utcnow
    from eventapp.demo import build_demo, demo_event_slug
    from eventapp.registration.links import manage_link_token
    from eventapp.registration.models import Registration, RegistrationStatus

    with tempfile.TemporaryDirectory(prefix="eventapp-bench-pages-") as tmp:
        config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/pages.sqlite3", JOBS_SQLITE_PATH=f"{tmp}/jobs.sqlite3",
                      JOB_FILES_DIR=f"{tmp}/job-files", PUBLIC_BASE_URL="")
        app = create_app(config)
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):  # Alembic's log lines
                upgrade(directory=str(MIGRATIONS_DIR))
            now = utcnow()
            build_demo(db.session, reset=False, now=now)
            db.session.commit()
            slug = demo_event_slug(now)
            registration = db.session.scalars(select(Registration).where(
                Registration.status == RegistrationStatus.CONFIRMED).order_by(Registration.id)).first()
            assert registration is not None, "the demo has no confirmed registration"
            token = manage_link_token(registration, secret_key=app.config["SECRET_KEY"])
            db.session.remove()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(base_url=f"http://127.0.0.1:{server.server_port}", slug=slug, link_token=token)
        finally:
            server.shutdown()
            thread.join(timeout=5)
            with app.app_context():
                db.engine.dispose()


def public_pages(site: Site) -> list[tuple[str, str]]:
    """(name, path) of every public page; the confirmation needs a registration made in the same context."""
    slug, token = site.slug, site.link_token
    return [("events list", "/"), ("event", f"/events/{slug}"), ("form", f"/events/{slug}/register"),
            ("confirmation", f"/events/{slug}/register/done"), ("my registration", f"/my/{token}"),
            ("ticket", f"/my/{token}/ticket"), ("resend link", f"/events/{slug}/resend-link"),
            ("login", "/login"), ("error 404", "/events/no-such-event")]


def run(browser, site: Site, network: dict | None, progress: Callable[[PageMeasure], None], *,
        only: set[str] | None = None, locales: tuple[str, ...] = ("ja", "en")) -> list[PageMeasure]:
    results = []
    for locale in locales:
        for name, path in public_pages(site):
            if only and name not in only:
                continue
            context = phone_context(browser, site.base_url, locale)
            if name == "confirmation":
                register_over_http(context, site.base_url, site.slug, f"bench-{locale}@example.jp")
            page = context.new_page()
            log = NetworkLog(page, network)
            result = measure(page, log, site.base_url + path, name=name, locale=locale)
            context.close()
            progress(result)
            results.append(result)
        if only and "event → form" not in only:
            continue
        context = phone_context(browser, site.base_url, locale)  # the first visit: event page, then the form
        page = context.new_page()
        log = NetworkLog(page, network)
        first = measure(page, log, f"{site.base_url}/events/{site.slug}", name="event", locale=locale)
        second = follow(page, log, page.locator(f"a[href$='/events/{site.slug}/register']").first,
                        name="form", locale=locale)
        visit = PageMeasure(name="event → form", locale=locale, url=first.url + " → " + second.url,
                            status=second.status, font_bytes=first.font_bytes + second.font_bytes,
                            total_bytes=first.total_bytes + second.total_bytes,
                            layout_shift=max(first.layout_shift, second.layout_shift),
                            fonts=first.fonts + second.fonts, shifts=first.shifts + second.shifts,
                            loaded_fonts=second.loaded_fonts, seconds=first.seconds + second.seconds,
                            loads=first.loads + second.loads)
        context.close()
        progress(visit)
        results.append(visit)
    return results


def follow(page, log: NetworkLog, link, *, name: str, locale: str) -> PageMeasure:
    """Tap a link, as a person goes from one page to the next (same context: its cache is warm)."""
    started = time.monotonic()
    with page.expect_navigation(wait_until="load"):
        link.click()
    return measure_current(page, log, name=name, locale=locale, started=started)


def kb(n: int) -> str:
    return f"{n / KB:,.0f} kB" if n >= 10 * KB else f"{n / KB:,.1f} kB"


def print_row(result: PageMeasure) -> None:
    budget_fonts = result.name == "event → form"
    flags = []
    if result.layout_shift >= CLS_BUDGET:
        flags.append("CLS over budget")
    if budget_fonts and result.font_bytes > FONT_BUDGET:
        flags.append("fonts over budget")
    print(f"  {result.locale}  {result.name:<16} {result.status:>4} {kb(result.font_bytes):>10} "
          f"{len(result.fonts):>4} {kb(result.total_bytes):>10} {result.layout_shift:>8.3f} {result.seconds:>6.1f}s"
          f"  {'; '.join(flags)}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="no network throttling (loopback speed)")
    parser.add_argument("--only", help="these pages only, by name, comma-separated (e.g. 'event,event → form')")
    parser.add_argument("--locale", choices=["ja", "en"], help="this language only")
    parser.add_argument("--output", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    network = None if options.fast else MOBILE_NETWORK
    print(f"Public pages on a phone (390×844 @3×), cold cache, "
          f"{'no throttling' if network is None else 'throttled to 150 ms RTT, 1.6 Mbit/s down'}; "
          f"budgets: fonts ≤ {FONT_BUDGET // KB} kB for event → form, layout shift < {CLS_BUDGET}")
    print(f"  {'':2}  {'page':<16} {'HTTP':>4} {'fonts':>10} {'files':>4} {'all':>10} {'shift':>8} {'time':>7}")
    with demo_site() as site, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            results = run(browser, site, network, print_row,
                          only=set(options.only.split(",")) if options.only else None,
                          locales=(options.locale,) if options.locale else ("ja", "en"))
        finally:
            browser.close()
    over = [r for r in results if r.layout_shift >= CLS_BUDGET
            or (r.name == "event → form" and r.font_bytes > FONT_BUDGET)]
    summary = {
        "chromium": CHROMIUM, "machine": platform.platform(), "phone": PHONE, "network": network,
        "budgets": {"font_bytes_event_then_form": FONT_BUDGET, "layout_shift": CLS_BUDGET},
        "within_budgets": not over,
        "pages": [{**asdict(r), "loads": [asdict(load) for load in r.loads]} for r in results],
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    print(f"{'All pages within budget' if not over else f'{len(over)} over budget'}; written to {options.output}")


if __name__ == "__main__":
    main(sys.argv[1:])
