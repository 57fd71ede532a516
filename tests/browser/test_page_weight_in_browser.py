"""What a phone downloads and how the public pages settle (issue 7 §1), in Chromium at phone size, each page
with a cold cache over a throttled mobile network (bench/pages.py's probe, the one `make bench` reports):
the fonts of a first visit (the event page, then the form) stay within FONT_BUDGET, no public page shifts
by CLS_BUDGET or more while its fonts arrive, what arrives is woff2 slices (never the TTFs, kept for the
PDFs), the Japanese text is drawn in the web font on this Linux, which has no Japanese font of its own, and
the stand-ins drawn until a slice arrives take the room the web font will take.

These are budgets the product promises, measured as bytes and layout shift, not timings."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select

from bench.pages import (
    CLS_BUDGET,
    FONT_BUDGET,
    MOBILE_NETWORK,
    NetworkLog,
    PageMeasure,
    follow,
    measure,
    phone_context,
    register_over_http,
)
from eventapp.db import utcnow
from eventapp.demo import build_demo, demo_event_slug
from eventapp.registration.links import manage_link_token
from eventapp.registration.models import Registration, RegistrationStatus

pytestmark = pytest.mark.browser

WEB_FONT = "EventApp Gothic"
FONT_FILES = re.compile(r"^/static/vendor/fonts/(biz-udpgothic-(\d+|latin|latin-ext|cyrillic|greek-ext)-400-normal"
                        r"|eventapp-gothic-placeholder)\.woff2$")
PAGES = ["events list", "event", "form", "confirmation", "my registration", "ticket", "resend link", "login",
         "error 404"]


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """SQLite only: what a phone downloads does not depend on the database (this replaces the fixture that
    runs every test on each backend)."""
    path = tmp_path / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo(app, session, release_db) -> tuple[str, dict[str, str]]:
    """The demo meeting (`flask demo`): its groups and companies fill the form's lists as on the real site.
    Returns its slug and the path of each public page."""
    now = utcnow()
    build_demo(session, reset=False, now=now)
    session.commit()
    slug = demo_event_slug(now)
    registration = session.scalars(select(Registration).where(Registration.status == RegistrationStatus.CONFIRMED)
                                   .order_by(Registration.id)).first()
    assert registration is not None
    link = manage_link_token(registration, secret_key=app.config["SECRET_KEY"])
    release_db()
    return slug, {"events list": "/", "event": f"/events/{slug}", "form": f"/events/{slug}/register",
                  "confirmation": f"/events/{slug}/register/done", "my registration": f"/my/{link}",
                  "ticket": f"/my/{link}/ticket", "resend link": f"/events/{slug}/resend-link", "login": "/login",
                  "error 404": "/events/no-such-event"}


def _open(browser: Browser, live_server: str, locale: str, path: str, name: str, slug: str) -> PageMeasure:
    context = phone_context(browser, live_server, locale)
    try:
        if name == "confirmation":
            register_over_http(context, live_server, slug, f"weight-{locale}@example.jp")
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        result = measure(page, NetworkLog(page, MOBILE_NETWORK), live_server + path, name=name, locale=locale)
        assert not [p for p in problems if "Content Security Policy" in p], problems
        return result
    finally:
        context.close()


def _assert_only_woff2_slices(result: PageMeasure) -> None:
    fonts = ["/" + load.url.split("://", 1)[1].split("/", 1)[1] for load in result.loads if load.kind == "Font"]
    assert any("biz-udpgothic-" in url for url in fonts), f"{result.name}: no web font came (run `make vendor`?)"
    assert all(FONT_FILES.match(url) for url in fonts), fonts
    assert not [load for load in result.loads if load.url.endswith(".ttf")]


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_public_page_does_not_shift_while_its_fonts_arrive(browser: Browser, live_server, demo, name, locale):
    slug, paths = demo
    result = _open(browser, live_server, locale, paths[name], name, slug)

    assert result.status == (404 if name == "error 404" else 200)
    assert result.layout_shift < CLS_BUDGET, f"{name} ({locale}) shifted by {result.layout_shift}: {result.shifts}"
    _assert_only_woff2_slices(result)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_first_visit_event_page_then_form_stays_within_the_font_budget(browser: Browser, live_server, demo, locale):
    slug, paths = demo
    context = phone_context(browser, live_server, locale)
    page = context.new_page()
    log = NetworkLog(page, MOBILE_NETWORK)
    event = measure(page, log, live_server + paths["event"], name="event", locale=locale)
    form = follow(page, log, page.locator(f"a[href$='/events/{slug}/register']").first, name="form", locale=locale)
    context.close()

    assert form.url.endswith(paths["form"])
    fonts = event.font_bytes + form.font_bytes
    assert fonts <= FONT_BUDGET, f"{fonts:,} bytes of fonts: {event.fonts + form.fonts}"
    assert max(event.layout_shift, form.layout_shift) < CLS_BUDGET
    _assert_only_woff2_slices(event)
    # The form's new slices only: those of the event page come from the cache (304 at most).
    new_on_form = [load for load in form.loads if load.kind == "Font" and load.status == 200]
    assert not {load.url for load in new_on_form} & {load.url for load in event.loads if load.kind == "Font"}


def test_japanese_text_is_drawn_in_the_web_font_without_missing_glyphs(browser: Browser, live_server, demo):
    slug, paths = demo
    context = phone_context(browser, live_server, "ja")
    page = context.new_page()
    measure(page, NetworkLog(page, None), live_server + paths["event"], name="event", locale="ja")

    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    names = [name.strip().strip('"') for name in stack.split(",")]
    assert (names.index("Hiragino Sans") < names.index("Noto Sans CJK JP") < names.index("EventApp System JP")
            < names.index(WEB_FONT)), "the device's Japanese fonts come before the web font"
    assert names[-3:] == ["EventApp Gothic Placeholder", "EventApp Gothic Fallback", "sans-serif"]

    loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded')"
                           ".map(f => f.family.replace(/\"/g, ''))")
    assert loaded.count(WEB_FONT) >= 10, loaded  # this page's slices, each a FontFace of its own
    assert page.evaluate("() => document.fonts.check('16px \"EventApp Gothic\"', '東京都異業種交流グループ')")

    # Every element with text of its own, as Chromium drew it: the platform fonts of its text nodes.
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    drawn: dict[str, set[str]] = {}
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "main *, header *"})["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            drawn.setdefault(font["familyName"] + (" (web font)" if font["isCustomFont"] else ""), set()).add(
                cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"][:60])
    context.close()
    # The title (bold) as well as the rest; no placeholder left (every character got its slice), no
    # other font and so no missing glyph.
    assert set(drawn) == {"BIZ UDPGothic (web font)"}, {family: sorted(nodes)[:3] for family, nodes in drawn.items()}


BOXES = """([families, text]) => families.map(family => [400, 700].map(weight => {
  const span = document.createElement('span');
  span.style.cssText = `font: ${weight} 16px/normal ${family}; white-space: nowrap; position: absolute`;
  span.textContent = text;
  document.body.append(span);
  const box = span.getBoundingClientRect();
  span.remove();
  return [box.width, box.height];
}))"""


def test_text_waiting_for_its_slice_already_takes_the_room_the_web_font_gives_it(browser: Browser, live_server,
                                                                                demo):
    """The placeholder (Japanese) and the resized local font (Latin) lay text out as BIZ UDPGothic will, in
    both weights (bold is the Regular emboldened, as wide): the swap moves nothing."""
    slug, paths = demo
    context = phone_context(browser, live_server, "ja")
    page = context.new_page()
    page.goto(live_server + paths["event"])
    japanese = "第３１回　東京都異業種交流グループ合同交流会、申込締切は２月１０日（水）です。"  # no Latin
    latin = "Register now: The 31st Joint Meeting, Thu 18 Feb 2027 13:30-17:30, taro@example.jp"
    page.evaluate("""([ja, en]) => Promise.all(['400', '700'].flatMap(w => [
        document.fonts.load(`${w} 16px "EventApp Gothic"`, ja), document.fonts.load(`${w} 16px "EventApp Gothic"`, en),
        document.fonts.load(`${w} 16px "EventApp Gothic Placeholder"`, ja),
        document.fonts.load(`${w} 16px "EventApp Gothic Fallback"`, en)]))""", [japanese, latin])
    stand_ins = '"EventApp Gothic Placeholder", "EventApp Gothic Fallback"'  # the stack after the web font
    web, placeholder = page.evaluate(BOXES, [['"EventApp Gothic"', stand_ins], japanese])
    web_latin, fallback = page.evaluate(BOXES, [['"EventApp Gothic"', stand_ins], latin])
    context.close()

    for weight in (0, 1):  # 400, 700
        assert placeholder[weight] == pytest.approx(web[weight], abs=0.5)  # the same advances and height
        assert fallback[weight][0] == pytest.approx(web_latin[weight][0], rel=0.02)  # a line of Latin: ±2 %
        assert fallback[weight][1] == pytest.approx(web_latin[weight][1], abs=0.5)  # the same line height
