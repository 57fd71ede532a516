"""axe-core (npm, MPL-2.0; injected into the page for the test only, never served by the app) on every
public and organiser page, in Japanese and English, at phone (390×844) and desktop (1280×800) size,
including the forms with their errors shown, the confirmation after registering and the page for an address
that is already registered.

The rules: every rule axe-core runs by default (WCAG 2.0/2.1 A and AA, plus axe's best practices such as
one main landmark, heading order and unique landmarks). Any violation fails the test, listed by page.

Along the way each page is checked for what a person notices without a screen reader: no request of the page
fails (the favicon, a stylesheet, a script), and at phone size nothing scrolls the page sideways (a table may
scroll inside its own box).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import fill_registration_form
from tests.conftest import ORGANISER_PASSWORD
from tests.site_tour import (
    build_site,
    organiser_error_forms,
    organiser_pages,
    public_error_forms,
    public_pages,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
SUBMIT = "form[data-keep-answers] button[type=submit]"

# Against the phone's own width: a page wider than it makes a mobile browser widen its layout viewport (and
# zoom out), so the page's clientWidth grows along with it.
SIDEWAYS = """(width) => {
    const wide = [...document.querySelectorAll('body *')].filter(el => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 1) return false;
        for (let p = el.parentElement; p; p = p.parentElement) {   // inside a box that scrolls is fine
            const s = getComputedStyle(p);
            if (/(auto|scroll|hidden)/.test(s.overflowX) && p.scrollWidth > p.clientWidth) return false;
        }
        return true;
    });
    return {scroll: document.documentElement.scrollWidth - width,
            wide: wide.slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))};
}"""


class Checker:
    def __init__(self, page: Page, size: str) -> None:
        self.page, self.size = page, size
        self.problems: list[str] = []
        self.failed_requests: list[str] = []
        self.checked: list[str] = []
        page.on("response", lambda r: self.failed_requests.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for v in result["violations"]:
            targets = ", ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                                for n in v["nodes"][:3])
            self.problems.append(f"{name}: axe {v['id']} ({v['impact']}): {v['help']} — {targets}"
                                 + (f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""))
        if self.size == "phone":
            overflow = page.evaluate(SIDEWAYS, SIZES["phone"]["viewport"]["width"])
            if overflow["scroll"] > 0 or overflow["wide"]:
                self.problems.append(f"{name}: scrolls {overflow['scroll']}px sideways; too wide: {overflow['wide']}")
        if self.failed_requests:
            self.problems.append(f"{name}: failed requests: {self.failed_requests}")
            self.failed_requests = []
        self.checked.append(name)

    def open(self, base: str, page_or_form) -> None:
        self.page.goto(base + page_or_form.path)
        self.check(page_or_form.name)

    def send_with_errors(self, base: str, form) -> None:
        page = self.page
        page.goto(base + form.path)
        for name, value in form.data.items():
            page.locator(f"form[data-keep-answers] [name='{name}']").fill(value)
        page.locator(SUBMIT).click()
        page.locator("#error-summary").wait_for()
        self.check(form.name)


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_no_axe_violation_on_any_page(browser: Browser, live_server, app, session, organiser, release_db,
                                      locale, size):
    site = build_site(session, app)
    organiser_email = organiser.email
    release_db()
    # bypass_csp: the site's Content-Security-Policy (script-src 'self') would refuse the injected axe script.
    context = browser.new_context(locale="ja-JP" if locale == "ja" else "en-GB", timezone_id="Asia/Tokyo",
                                  bypass_csp=True, **SIZES[size])
    context.add_cookies([{"name": "lang", "value": locale, "url": live_server}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    checker = Checker(page, size)
    try:
        for tour_page in public_pages(site):
            checker.open(live_server, tour_page)
        for form in public_error_forms(site):
            if form.name != "login-errors":
                checker.send_with_errors(live_server, form)
        # the confirmation, after registering through the form
        page.goto(f"{live_server}/events/{site.slug}/register")
        if locale == "ja":
            fill_registration_form(page, email=f"axe-{size}@example.jp")
        else:
            _fill_in_english(page, email=f"axe-{size}@example.jp")
        page.locator(SUBMIT).click()
        expect(page).to_have_url(re.compile(r"/register/done$"))
        checker.check("registered")
        page.goto(f"{live_server}/events/{site.slug}/register")  # the same address again
        if locale == "ja":
            fill_registration_form(page, email=f"axe-{size}@example.jp")
        else:
            _fill_in_english(page, email=f"axe-{size}@example.jp")
        page.locator(SUBMIT).click()
        page.locator("form[action$='/resend-link']").wait_for()
        checker.check("already-registered")

        checker.send_with_errors(live_server, next(f for f in public_error_forms(site) if f.name == "login-errors"))
        page.locator("#email").fill(organiser_email)
        page.locator("#password").fill(ORGANISER_PASSWORD)
        page.locator(SUBMIT).click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
        for tour_page in organiser_pages(site):
            checker.open(live_server, tour_page)
        for form in organiser_error_forms(site):
            checker.send_with_errors(live_server, form)
    finally:
        context.close()
    assert len(checker.checked) >= 40
    assert not checker.problems, f"{len(checker.problems)} problems ({locale}, {size}):\n" + "\n".join(checker.problems)


def _fill_in_english(page: Page, *, email: str) -> None:
    page.get_by_role("radio", name="General public").check()
    page.locator("#family_name").fill("Yamada")
    page.locator("#given_name").fill("Taro")
    page.locator("#family_kana").fill("ヤマダ")
    page.locator("#given_kana").fill("タロウ")
    page.locator("#email").fill(email)
    page.locator("#email_confirm").fill(email)
    page.locator("#phone").fill("03-1234-5678")
    page.get_by_role("radio", name="I will attend").check()
    page.locator("#consent_privacy").check()
