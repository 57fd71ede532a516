"""Issue 7 (3, 4, 7) on the real pages in Chromium: contrast of controls and focus rings computed from the
styles the page ends up with, the keyboard reaching scrollable tables, errors announced with their fields
(as Chromium's accessibility tree tells a screen reader), and the language switch keeping what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import Event
from eventapp.text import gojuon_sort_key
from tests.browser.conftest import label
from tests.conftest import ORGANISER_PASSWORD
from tests.helpers import make_event, make_registration
from tests.site_tour import build_site

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Colours as the page computes them, and the WCAG contrast ratio between two of them. The background of an
# element is the first opaque one found walking up from it.
CONTRAST_JS = """
window.__contrast = (() => {
  const rgb = s => { const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => p - q); return (y + 0.05) / (x + 0.05); };
  const background = el => { for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a === 1) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  return {rgb, ratio, background};
})();
"""


def _contrast(page: Page, selector: str, what: str) -> float:
    """what: 'border' (the control's border against what is around it), 'outline' (the focus ring against what
    is around the control) or 'text' (the text against the element's own background)."""
    if not page.evaluate("!!window.__contrast"):
        page.add_script_tag(content=CONTRAST_JS)
    return page.evaluate("""([selector, what]) => {
        const {rgb, ratio, background} = window.__contrast;
        const el = document.querySelector(selector); const s = getComputedStyle(el);
        if (what === 'text') return ratio(rgb(s.color), background(el));
        const around = background(el.parentElement);
        if (what === 'border') return ratio(rgb(s.borderTopColor), around);
        if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return 0;
        return ratio(rgb(s.outlineColor), around);
    }""", [selector, what])


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab, as a keyboard user does, until the element has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.fixture
def bypass_csp_page(browser):
    """A page whose Content-Security-Policy lets the test add its own measuring script."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True,
                                  locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


# --- 3. contrast and focus -------------------------------------------------------------------------


def test_control_borders_and_keyboard_focus_rings_reach_3_to_1(bypass_csp_page: Page, live_server, session,
                                                                release_db):
    page = bypass_csp_page
    slug = make_event(session).slug
    release_db()
    page.goto(f"{live_server}/events/{slug}/register")

    for selector in ("#family_name", "#email", "#industry_code", "#message"):
        assert _contrast(page, selector, "border") >= 3, selector
    # The focus ring after keyboard Tab: the first radio, the consent box and a text field.
    for selector in ("#category-0", "#family_name", "#attends_party-0", "#consent_privacy"):
        _tab_to(page, selector)
        ratio = _contrast(page, selector, "outline")
        assert ratio >= 3, f"{selector}: focus ring {ratio:.2f}:1"


def test_cancelled_badge_text_reaches_4_5_to_1(bypass_csp_page: Page, live_server, app, session, organiser,
                                               release_db):
    page = bypass_csp_page
    site = build_site(session, app)
    release_db()
    _log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/admin/registrations/{site.cancelled_id}")
    expect(page.locator(".badge-cancelled").first).to_have_text("キャンセル")
    assert _contrast(page, ".badge-cancelled", "text") >= 4.5
    page.goto(f"{live_server}/admin/registrations?event={site.slug}")
    assert _contrast(page, ".badge-cancelled", "text") >= 4.5


@pytest.mark.parametrize("path, name", [
    ("/admin/registrations/{registration_id}", "変更履歴"),
    ("/admin/", "グループ別"),
])
def test_scrolling_tables_on_a_phone_are_reached_and_scrolled_by_keyboard(
        bypass_csp_page: Page, live_server, app, session, organiser, release_db, path, name):
    page = bypass_csp_page
    site = build_site(session, app)
    # A group whose name has no place to break makes the dashboard's breakdown wider than a phone.
    group = ExchangeGroup(name="TamaTechnoForumCrossIndustryExchange", reading="タマ", sort_key=gojuon_sort_key("タマ"))
    session.add(group)
    session.commit()
    make_registration(session, session.get(Event, site.event_id), 9, group_id=group.id)
    release_db()
    _log_in(page, live_server, organiser.email)
    page.goto(live_server + path.format(registration_id=site.registration_id))
    box = page.get_by_role("group", name=name)
    expect(box).to_have_attribute("tabindex", "0")
    box.evaluate("el => { el.id = 'scroll-box-under-test'; }")
    selector = "#scroll-box-under-test"
    assert page.evaluate("s => { const e = document.querySelector(s); return e.scrollWidth > e.clientWidth; }",
                         selector), "the table should be wider than the phone here"
    _tab_to(page, selector, limit=200)
    assert _contrast(page, selector, "outline") >= 3
    page.keyboard.press("ArrowRight")
    page.wait_for_function("s => document.querySelector(s).scrollLeft > 0", arg=selector)


# --- 4. errors announced with their fields ---------------------------------------------------------

# Every control of the page as Chromium's accessibility tree has it: role, name, whether it is invalid and
# its description (what aria-describedby points to), as a screen reader reads them.
def _ax_controls(page: Page) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    controls = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if role not in ("textbox", "radio", "checkbox", "combobox", "spinbutton"):
            continue
        props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        controls.append({"role": role, "name": node.get("name", {}).get("value", ""),
                         "invalid": props.get("invalid", "false") not in ("false", None),
                         "description": node.get("description", {}).get("value", "")})
    return controls


FIELDS_IN_ERROR_JS = """() => [...document.querySelectorAll('.has-error')].map(field => {
    const caption = (field.querySelector(':scope > legend') || field.querySelector('label')).cloneNode(true);
    caption.querySelectorAll('.req, input').forEach(e => e.remove());
    return {
        name: caption.textContent.replace(/\\s+/g, ' ').trim(),
        error: field.querySelector('.error').textContent.trim(),
        controls: [...field.querySelectorAll('input, select, textarea')].map(c => ({
            id: c.id, invalid: c.getAttribute('aria-invalid'),
            described: (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
                .map(id => (document.getElementById(id) || {textContent: ''}).textContent.trim()),
        })),
    };
})"""


@pytest.mark.parametrize("locale, button", [("ja", "申し込む"), ("en", "Register")])
def test_errors_are_announced_with_their_fields_and_summary_links_focus_the_first_control(
        page: Page, live_server, session, release_db, locale, button):
    slug = make_event(session).slug
    release_db()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/events/{slug}/register?lang={locale}")

    # Before anything is sent nothing is invalid: no aria-invalid, no :invalid, nothing invalid for a reader.
    assert page.locator("[aria-invalid]").count() == 0
    assert page.evaluate("document.querySelectorAll(':invalid').length") == 0
    assert [c["name"] for c in _ax_controls(page) if c["invalid"]] == []

    page.get_by_role("button", name=button).click()
    expect(page.locator("#error-summary")).to_be_focused()
    fields = page.evaluate(FIELDS_IN_ERROR_JS)
    names = [f["name"] for f in fields]
    expected = ["参加区分", "姓", "名", "セイ", "メイ", "メールアドレス", "メールアドレス（確認）", "電話番号", "懇親会"] \
        if locale == "ja" else ["Attendance category", "Family name", "Given name", "Family name (katakana)",
                                "Given name (katakana)", "E-mail", "E-mail (again)", "Phone", "Networking party (懇親会)"]
    assert names[:-1] == expected
    assert ("運営" if locale == "ja" else "running the event") in names[-1]  # the consent box, last
    for f in fields:
        assert f["name"] in f["error"], f  # the error names its field
        for control in f["controls"]:
            assert control["invalid"] == "true", (f["name"], control)
            assert any(f["error"] == text for text in control["described"]), (f["name"], control)
    # What a screen reader hears: every radio of both groups and the consent box invalid, described by
    # the error (before, 参加区分 had no description at all and 懇親会 only on its fieldset).
    heard = _ax_controls(page)
    for role, count in (("radio", 5 + 2), ("checkbox", 1)):
        in_error = [c for c in heard if c["role"] == role and c["invalid"]]
        assert len(in_error) == count, (role, in_error)
        for c in in_error:
            assert any(f["error"] in c["description"] for f in fields), c

    # Each link of the summary takes the focus to its field's first control.
    links = page.locator("#error-summary a")
    assert links.count() == len(fields)
    for i, f in enumerate(fields):
        link = links.nth(i)
        expect(link).to_have_text(f["error"])
        assert link.get_attribute("href") == f"#{f['controls'][0]['id']}"
        link.click()
        assert page.evaluate("document.activeElement.id") == f["controls"][0]["id"], f["name"]
        assert page.evaluate("document.activeElement.matches('input, select, textarea')")


# --- 7. the language switch keeps what was typed -------------------------------------------------------


def _type_answers(page: Page) -> None:
    page.get_by_role("radio", name="出展").check()
    page.get_by_label(label("名")).fill("太郎")
    page.get_by_label(label("セイ")).fill("タカサキ")
    page.get_by_label(label("会社名・団体名")).fill("株式会社サンプル精工")
    page.get_by_label(label("業種（日本標準産業分類）")).select_option(label="E 製造業")
    page.get_by_label(label("メールアドレス")).fill("takasaki@example.jp")
    page.get_by_role("radio", name="参加しない").check()
    page.get_by_label(label("事務局への連絡事項")).fill("車椅子で参加します。\n二行目")
    page.get_by_role("checkbox", name=re.compile("プログラム")).check()


def _answers_are_kept_in_english(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("radio", name="Exhibitor")).to_be_checked()
    expect(page.get_by_label(label("Given name"))).to_have_value("太郎")
    expect(page.get_by_label(label("Family name (katakana)"))).to_have_value("タカサキ")
    expect(page.get_by_label(label("Company or organisation"))).to_have_value("株式会社サンプル精工")
    expect(page.get_by_label(label("Industry (JSIC)"))).to_have_value("E")
    expect(page.get_by_label(label("E-mail"))).to_have_value("takasaki@example.jp")
    expect(page.get_by_role("radio", name="I will not attend")).to_be_checked()
    expect(page.get_by_role("radio", name="I will attend")).not_to_be_checked()
    expect(page.get_by_label(label("Message to the organisers"))).to_have_value("車椅子で参加します。\n二行目")
    expect(page.get_by_role("checkbox", name=re.compile("programme"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("running the event"))).not_to_be_checked()
    # Nothing personal stays behind in the tab's storage.
    assert page.evaluate("sessionStorage.length") == 0


def test_switching_language_on_a_form_with_errors_keeps_what_was_typed(page: Page, live_server, session, release_db):
    slug = make_event(session).slug
    release_db()
    page.goto(f"{live_server}/events/{slug}/register")
    _type_answers(page)
    page.get_by_role("button", name="申し込む").click()
    expect(page.locator("#error-summary")).to_be_visible()  # 姓 and more are missing

    page.get_by_role("banner").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(rf"/events/{slug}/register$"))
    _answers_are_kept_in_english(page)
    page.get_by_label(label("Family name"), exact=False).first.fill("髙﨑")

    # And back: still all there, with what was typed since.
    page.get_by_role("banner").get_by_role("link", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_label(label("姓"))).to_have_value("髙﨑")
    expect(page.get_by_label(label("名"))).to_have_value("太郎")
    expect(page.get_by_role("radio", name="出展")).to_be_checked()


def test_switching_language_before_sending_keeps_what_was_typed_and_not_on_another_visit(
        page: Page, live_server, session, release_db):
    slug = make_event(session).slug
    release_db()
    page.goto(f"{live_server}/events/{slug}/register")
    _type_answers(page)
    page.get_by_role("banner").get_by_role("link", name="English").click()
    _answers_are_kept_in_english(page)
    # A later visit to the form starts empty: the answers were for that one switch.
    page.goto(f"{live_server}/events/{slug}/register")
    expect(page.get_by_label(label("Given name"))).to_have_value("")
    expect(page.get_by_role("radio", name="Exhibitor")).not_to_be_checked()


def test_switching_language_on_the_organisers_edit_form_keeps_the_changes(page: Page, live_server, session,
                                                                          organiser, release_db):
    registration = make_registration(session, make_event(session), 1)
    url = f"{live_server}/admin/registrations/{registration.id}/edit"
    release_db()
    _log_in(page, live_server, organiser.email)
    page.goto(url)
    page.get_by_label(label("会社名・団体名")).fill("株式会社ミナト")
    page.get_by_role("banner").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label(label("Company or organisation"))).to_have_value("株式会社ミナト")
    expect(page.get_by_label(label("Family name"))).to_have_value("山田")  # from the registration, untouched


# --- 7. a long link on the outbox page, on a phone -------------------------------------------------


def test_outbox_message_with_a_long_link_does_not_scroll_sideways_on_a_phone(
        bypass_csp_page: Page, live_server, app, session, organiser, release_db):
    page = bypass_csp_page
    site = build_site(session, app)
    release_db()
    _log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/admin/outbox/{site.message_id}")
    expect(page.locator(".mail-body")).to_contain_text("/my/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("window.innerWidth") == PHONE["width"]  # the phone did not widen its layout to fit


def _log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(ORGANISER_PASSWORD)
    page.locator("form[data-keep-answers] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
