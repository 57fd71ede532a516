"""The door scanner (受付スキャナー) in a real Chromium: paired by its URL, scanning a real badge's QR code
with the fake camera and a USB wedge, offline with its roster and queue, search, undo, walk-ins, and the
switched-off screen. What the server recorded is read from the database.

The fake camera plays a Y4M file that holds the QR code of a real badge (the badge renderer's own QR image);
Chromium reads the file when it starts, so the camera test launches a browser of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from eventapp.checkin import services
from eventapp.checkin.models import CheckinEntry, EntryResult
from eventapp.db import utcnow
from eventapp.qr import qr_image
from eventapp.registration.models import Registration
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import make_event, make_registration

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SHOTS = os.environ.get("SCANNER_SHOTS_DIR", "")  # set to keep the screenshots (e.g. /work/shots/scanner)


# --- the fake camera --------------------------------------------------------------------------------------


def write_qr_video(text: str, path: Path, *, width: int = 640, height: int = 480, fps: int = 5,
                   shown: int = 10, away: int = 20) -> Path:
    """A Y4M video (4:2:0, grey chroma) in which the QR code of `text`, as the badge prints it, is held up
    for `shown` frames and taken away for `away` frames; Chromium loops it. So a badge is seen, gone for
    longer than the scanner's debounce, and seen again: a deliberate second scan. Even sizes only (odd ones
    give black frames without an error)."""
    code = qr_image(text, scale=8).convert("L")
    badge = Image.new("L", (width, height), 255)
    badge.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    blank = Image.new("L", (width, height), 255)
    chroma = bytes([128]) * (width // 2 * height // 2)
    frames = [b"FRAME\n" + image.tobytes() + chroma + chroma for image in (badge, blank)]
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode()
                     + frames[0] * shown + frames[1] * away)
    return path


@pytest.fixture
def camera_browser(playwright, browser_type_launch_args, tmp_path):
    """A Chromium whose camera shows the QR code of the text given to start()."""
    launched: list[Browser] = []

    def start(text: str) -> Browser:
        video = write_qr_video(text, tmp_path / f"qr{len(launched)}.y4m")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        launched.append(browser)
        return browser

    yield start
    for browser in launched:
        browser.close()


# --- the event, its people and a paired device -------------------------------------------------------------


@pytest.fixture
def door(session, now):
    event = make_event(session, now=now)
    people = [make_registration(session, event, n=n, now=now, family_name=family, given_name=given,
                                family_kana=fk, given_kana=gk, company_name=company)
              for n, (family, given, fk, gk, company) in enumerate([
                  ("髙﨑", "太郎", "タカサキ", "タロウ", "株式会社サンプル精工"),
                  ("山田", "花子", "ヤマダ", "ハナコ", "有限会社やまだ製作所"),
                  ("吉田", "一郎", "ヨシダ", "イチロウ", "合同会社テックブリッジ"),
                  ("佐藤", "次郎", "サトウ", "ジロウ", "株式会社サトウ商事"),
              ], start=1)]
    return event, people


def pair_device(session, event, name: str = "受付-1") -> str:
    _device, token = services.create_device(session, event, name=name, point=None, created_by="test", now=utcnow())
    session.commit()
    return token


# Headless Chromium crashes when a framed PDF calls print(): the tests count the calls instead.
PRINT_HOOK = "window.__scannerPrintHook = (frame) => { window.__printed = (window.__printed || 0) + 1; };"


def open_scanner(page: Page, live_server: str, token: str, *, language: str = "ja") -> Page:
    page.add_init_script(PRINT_HOOK)
    page.goto(f"{live_server}/scan/pair#{token}")
    expect(page.locator("body[data-ready='true']")).to_be_attached(timeout=15_000)
    assert "#" not in page.url and page.url.endswith("/scan/")  # the token left the address bar
    if language == "en":
        page.get_by_role("button", name="English").first.click()
    return page


def wait_for_roster(page: Page) -> None:
    expect(page.locator("body[data-roster='synced']")).to_be_attached(timeout=15_000)


def wedge(page: Page, code: str) -> None:
    """What a USB keyboard-wedge scanner does: type the code into the focused field, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def verdict(page: Page):
    return page.locator("#verdict")


def shown(page: Page, kind: str, timeout: int = 5000) -> None:
    """The verdict is on screen, of this kind (ok: green, already: yellow, refused: red)."""
    expect(verdict(page)).to_be_visible(timeout=timeout)
    expect(verdict(page)).to_have_class(re.compile(f"verdict-{kind}"), timeout=timeout)


def close_verdict(page: Page) -> None:
    """Escape closes it (it also closes by itself after 2.5 s, or with a tap: see the phone screens test)."""
    page.keyboard.press("Escape")
    expect(verdict(page)).to_be_hidden()


def entries(session, registration_id: int, *, at_least: int = 1) -> list[CheckinEntry]:
    """The person's entries, once at least `at_least` are there (or after 5 s): the verdict can be painted a
    moment before the test's own connection sees the server's commit."""
    deadline = time.monotonic() + 5
    while True:
        session.rollback()
        found = list(session.scalars(select(CheckinEntry).where(CheckinEntry.registration_id == registration_id)
                                     .order_by(CheckinEntry.id)))
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def shot(page: Page, name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)


# --- the tests -------------------------------------------------------------------------------------------


def test_no_token_tells_staff_to_pair(page: Page, live_server):
    page.goto(f"{live_server}/scan/")
    expect(page.get_by_role("heading", name="この端末はまだ登録されていません")).to_be_visible()
    expect(page.locator("#screen-unpaired")).to_contain_text("ペアリング用QRコード")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="This device is not paired yet")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"


def test_the_scanner_page_may_compile_wasm_but_other_pages_may_not(client):
    scanner = client.get("/scan/")
    assert "'wasm-unsafe-eval'" in scanner.headers["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" not in client.get("/login").headers["Content-Security-Policy"]
    assert client.get("/scan/pair").status_code == 200
    worker = client.get("/scan/sw.js")
    assert worker.mimetype == "text/javascript" and "/static/js/scanner/main.js" in worker.get_data(as_text=True)
    manifest = client.get("/scan/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json" and manifest.json["scope"] == "/scan/"


def test_camera_scans_a_real_badge_green_then_yellow_and_the_wedge_works(camera_browser, live_server, session,
                                                                          door, release_db):
    event, people = door
    first = people[0]
    token, badge, other = pair_device(session, event), first.token, people[1].token
    release_db()
    browser = camera_browser(badge)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    outside: list[str] = []
    # Over the network, only our own origin (the browser's PDF viewer loads chrome:// parts of its own).
    page.on("request", lambda r: outside.append(r.url)
            if r.url.startswith(("http:", "https:", "ws:", "wss:")) and not r.url.startswith(live_server) else None)
    open_scanner(page, live_server, token)

    # The camera sees the badge: green, with who it is.
    shown(page, "ok", timeout=20_000)
    expect(verdict(page)).to_contain_text("入場OK")
    expect(verdict(page)).to_contain_text("髙﨑 太郎")
    expect(verdict(page)).to_contain_text("タカサキ タロウ")
    expect(verdict(page)).to_contain_text("株式会社サンプル精工")
    # Held in front of the camera for two seconds: scanned once. Taken away and shown again: 受付済み.
    shown(page, "already", timeout=15_000)
    expect(verdict(page)).to_contain_text("受付済み")
    expect(verdict(page)).to_contain_text("受付-1")
    page.get_by_role("button", name="カメラ停止").click()
    timings = page.evaluate("window.__scannerTimings")
    assert timings and all(t["ms"] >= 0 for t in timings)

    # A forged code from the USB scanner: red, with the reason in words.
    close_verdict(page)
    page.locator("#code-input").focus()
    wedge(page, "FORGED-not-a-badge-0000000000000")
    shown(page, "refused")
    expect(verdict(page)).to_contain_text("不明なコード")
    close_verdict(page)
    # A real badge from the USB scanner: green.
    page.locator("#code-input").focus()
    wedge(page, other)
    shown(page, "ok")
    expect(verdict(page)).to_contain_text("山田 花子")
    assert outside == [], f"the scanner fetched from outside its origin: {outside}"

    recorded = entries(session, first.id, at_least=2)
    assert [e.result for e in recorded][:2] == [EntryResult.OK, EntryResult.REFUSED]
    assert sum(e.result == EntryResult.OK for e in recorded) == 1
    context.close()


def test_offline_scans_are_queued_and_recorded_exactly_once(page: Page, context: BrowserContext, live_server,
                                                            session, door, release_db):
    event, people = door
    token = pair_device(session, event)
    codes = [p.token for p in people[:3]]
    ids = [p.id for p in people[:3]]
    release_db()
    open_scanner(page, live_server, token)
    wait_for_roster(page)

    context.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("オフライン")
    for code in codes:
        page.locator("#code-input").focus()
        wedge(page, code)
        shown(page, "ok")
        expect(verdict(page)).to_contain_text("オフライン判定")
        close_verdict(page)
    expect(page.locator("#pending")).to_have_text("送信待ち 3件")
    # The same badge again while offline: the roster knows it came in.
    page.locator("#code-input").focus()
    wedge(page, codes[0])
    shown(page, "already")
    close_verdict(page)
    expect(page.locator("#pending")).to_have_text("送信待ち 4件")
    release_db()
    assert all(entries(session, i, at_least=0) == [] for i in ids)  # nothing reached the server

    # The page reopens with no network (its service worker keeps the shell), queue and roster kept.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.locator("body[data-ready='true']")).to_be_attached()
    expect(page.locator("#pending")).to_have_text("送信待ち 4件")

    context.set_offline(False)
    expect(page.locator("#pending")).to_have_text("送信待ち 0件", timeout=15_000)
    for registration_id in ids:
        recorded = entries(session, registration_id)
        admitted = [e for e in recorded if e.result == EntryResult.OK]
        assert len(admitted) == 1 and admitted[0].queued, registration_id
    first_badge = entries(session, ids[0], at_least=2)
    assert [e.reason for e in first_badge] == [None, "already_checked_in"]
    assert not any(e.flagged for e in first_badge)  # its 受付済み was said offline too: nothing to look at
    expect(page.locator("#flagged")).to_be_hidden()


def test_two_offline_devices_admit_a_badge_once_and_flag_the_other(browser: Browser, live_server, session, door,
                                                                   release_db, tmp_path):
    event, people = door
    tokens = [pair_device(session, event, "受付-1"), pair_device(session, event, "受付-2")]
    device_ids = [services.device_for_token(session, token).id for token in tokens]
    badge, person_id = people[0].token, people[0].id
    release_db()
    contexts = [browser.new_context(**PHONE) for _ in tokens]
    pages = [open_scanner(c.new_page(), live_server, t) for c, t in zip(contexts, tokens, strict=True)]
    for page, context in zip(pages, contexts, strict=True):
        wait_for_roster(page)
        context.set_offline(True)
        page.locator("#code-input").focus()
        wedge(page, badge)
        shown(page, "ok")  # each admits: it cannot know
        close_verdict(page)
    for page, context in zip(pages, contexts, strict=True):
        context.set_offline(False)
        expect(page.locator("#pending")).to_have_text("送信待ち 0件", timeout=15_000)
    recorded = entries(session, person_id, at_least=2)
    assert sum(e.result == EntryResult.OK for e in recorded) == 1
    flagged = [e for e in recorded if e.flagged]
    assert len(flagged) == 1 and flagged[0].reason == "already_checked_in"
    # The device whose admission broke the rule shows it to its staff; the other shows nothing.
    flagged_page = pages[device_ids.index(flagged[0].device_id)]
    other_page = pages[1 - device_ids.index(flagged[0].device_id)]
    expect(other_page.locator("#flagged")).to_be_hidden()
    expect(flagged_page.locator("#flagged")).to_be_visible()
    expect(flagged_page.locator("#flagged")).to_contain_text("髙﨑 太郎")
    shot(flagged_page, "flagged-ja", tmp_path)
    for context in contexts:
        context.close()


def test_search_with_hiragana_finds_katakana_and_checks_in(page: Page, live_server, session, door, release_db):
    event, people = door
    token = pair_device(session, event)
    person_id = people[1].id
    release_db()
    open_scanner(page, live_server, token)
    page.get_by_role("button", name="検索").click()
    page.get_by_label("名前・フリガナ・会社名・受付番号").fill("やまだ")
    page.get_by_label("名前・フリガナ・会社名・受付番号").press("Enter")
    result = page.locator("#search-results li").filter(has_text="山田 花子")
    expect(result).to_contain_text("未入場")
    result.get_by_role("button", name=re.compile("この人を受付")).click()
    shown(page, "ok")
    expect(verdict(page)).to_contain_text("山田 花子")
    assert [e.result for e in entries(session, person_id)] == [EntryResult.OK]


def test_undo_takes_the_last_admission_back(page: Page, live_server, session, door, release_db):
    event, people = door
    token = pair_device(session, event)
    badge, person_id = people[2].token, people[2].id
    release_db()
    open_scanner(page, live_server, token)
    # A laptop: the code field has the focus from the start, for the USB scanner, and gets it back.
    expect(page.locator("#code-input")).to_be_focused()
    wedge(page, badge)
    shown(page, "ok")
    verdict(page).get_by_role("button", name="直前を取り消す").click()
    expect(page.locator("#code-input")).to_be_focused()
    expect(page.locator("#toast")).to_contain_text(re.compile("取り消しました|Undone"))  # ja: see CONTRACT-REQUESTS
    # Undone: the same badge is admitted again, not 受付済み.
    wedge(page, badge)
    shown(page, "ok")
    assert [e.result for e in entries(session, person_id, at_least=2)] == [EntryResult.UNDONE, EntryResult.OK]


def test_undo_of_a_queued_scan_drops_it_from_the_queue(page: Page, context: BrowserContext, live_server, session,
                                                       door, release_db):
    event, people = door
    token = pair_device(session, event)
    badge, person_id = people[3].token, people[3].id
    release_db()
    open_scanner(page, live_server, token)
    wait_for_roster(page)
    context.set_offline(True)
    page.locator("#code-input").focus()
    wedge(page, badge)
    expect(page.locator("#pending")).to_have_text("送信待ち 1件")
    verdict(page).get_by_role("button", name="直前を取り消す").click()
    expect(page.locator("#pending")).to_have_text("送信待ち 0件")
    context.set_offline(False)
    page.locator("#code-input").focus()
    wedge(page, badge)  # the roster forgot the dropped admission too: green, online
    shown(page, "ok")
    expect(page.locator("#verdict-offline")).to_be_hidden()
    assert [e.result for e in entries(session, person_id)] == [EntryResult.OK]


def test_walk_in_form_names_the_field_then_registers_and_admits(page: Page, live_server, session, door,
                                                                release_db):
    event, _people = door
    token = pair_device(session, event)
    event_id = event.id
    release_db()
    open_scanner(page, live_server, token)
    page.get_by_role("button", name="当日受付").click()
    form = page.locator("#walkin-form")
    form.get_by_label(re.compile("^姓")).fill("新井")
    form.get_by_label(re.compile("^名")).fill("三郎")
    form.get_by_label(re.compile("^セイ")).fill("Arai")  # not kana: the server names the field
    form.get_by_label(re.compile("^メイ")).fill("さぶろう")
    form.get_by_label("会社名").fill("新井工業株式会社")
    form.get_by_label(re.compile("^参加区分")).select_option(index=1)
    form.get_by_role("button", name="登録して受付").click()
    kana = form.get_by_label(re.compile("^セイ"))
    expect(kana).to_have_attribute("aria-invalid", "true")
    error_id = kana.get_attribute("aria-describedby")
    expect(page.locator(f"#{error_id}")).to_contain_text("セイ")
    expect(form.get_by_label(re.compile("^姓"))).to_have_value("新井")  # nothing typed is lost
    expect(form.get_by_label("会社名")).to_have_value("新井工業株式会社")

    kana.fill("アライ")
    form.get_by_role("button", name="登録して受付").click()
    shown(page, "ok")
    expect(verdict(page)).to_contain_text("新井 三郎")
    session.rollback()
    walk_in = session.scalar(select(Registration).where(Registration.event_id == event_id,
                                                        Registration.family_name == "新井"))
    assert walk_in is not None
    assert [e.result for e in entries(session, walk_in.id)] == [EntryResult.OK]


def test_a_revoked_device_wipes_itself_and_says_so(page: Page, live_server, session, door, release_db, tmp_path):
    event, people = door
    token = pair_device(session, event)
    badge = people[0].token
    release_db()
    open_scanner(page, live_server, token)
    wait_for_roster(page)
    device = services.device_for_token(session, token)
    services.revoke_device(session, device, now=utcnow())
    session.commit()
    release_db()
    page.locator("#code-input").focus()
    wedge(page, badge)
    expect(page.get_by_role("heading", name="この端末は無効です")).to_be_visible()
    shot(page, "switched-off-ja", tmp_path)
    assert page.evaluate("localStorage.getItem('scanner.token')") is None
    people_left = page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('scanner', 1);
        req.onsuccess = () => { const r = req.result.transaction('people').objectStore('people').count();
                                r.onsuccess = () => resolve(r.result); };
    })""")
    assert people_left == 0
    page.reload()
    expect(page.get_by_role("heading", name="この端末はまだ登録されていません")).to_be_visible()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_phone_screens_fit_and_read(browser: Browser, live_server, session, door, release_db, tmp_path, language):
    """Each screen at phone size (390×844), for a person to look at (SCANNER_SHOTS_DIR keeps them): the
    verdicts fill the screen, and nothing scrolls sideways."""
    event, people = door
    token = pair_device(session, event)
    release_db()
    context = browser.new_context(**PHONE)
    page = open_scanner(context.new_page(), live_server, token, language=language)
    wait_for_roster(page)
    words = {"ja": {"search": "検索", "walkin": "当日受付", "submit": "登録して受付", "close": "閉じる"},
             "en": {"search": "Search", "walkin": "Walk-in", "submit": "Register and check in", "close": "Close"}}[language]

    def fits() -> None:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    for name, code, kind in (("green", people[0].token, "ok"), ("yellow", people[0].token, "already"),
                             ("red", "FORGED-0000000000", "refused")):
        page.locator("#code-input").focus()
        wedge(page, code)
        shown(page, kind)
        box = verdict(page).bounding_box()
        assert box and box["width"] >= 390 and box["height"] >= 844
        fits()
        shot(page, f"verdict-{name}-{language}", tmp_path)
        verdict(page).click(position={"x": 10, "y": 10})  # a tap anywhere but its buttons closes it
        expect(verdict(page)).to_be_hidden()

    page.get_by_role("button", name=words["search"]).click()
    page.locator("#search-input").fill("ヤマダ" if language == "en" else "やまだ")
    page.locator("#search-input").press("Enter")
    expect(page.locator("#search-results li")).to_have_count(1)
    fits()
    shot(page, f"search-{language}", tmp_path)
    page.locator("#search-panel").get_by_role("button", name=words["close"]).click()

    page.get_by_role("button", name=words["walkin"]).click()
    page.locator("#walkin-family_name").fill("新井")
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.locator("#walkin-given_name")).to_have_attribute("aria-invalid", "true")
    fits()
    shot(page, f"walkin-{language}", tmp_path)
    page.locator("#walkin-panel").get_by_role("button").first.click()

    context.set_offline(True)
    for person in people[1:3]:
        page.locator("#code-input").focus()
        wedge(page, person.token)
        shown(page, "ok")
        if person is people[1]:
            shot(page, f"verdict-offline-{language}", tmp_path)
        close_verdict(page)
    expect(page.locator("#pending")).to_have_attribute("data-count", "2")
    fits()
    shot(page, f"offline-queue-{language}", tmp_path)
    context.set_offline(False)
    expect(page.locator("#pending")).to_have_attribute("data-count", "0", timeout=15_000)
    context.close()


def test_first_arrival_prints_the_badge_and_it_can_be_printed_again(page: Page, live_server, session, door,
                                                                    release_db):
    event, people = door
    token = pair_device(session, event)  # the 受付 prints badges on arrival
    badge = people[0].token
    release_db()
    open_scanner(page, live_server, token)
    page.locator("#code-input").focus()
    with page.expect_response(lambda r: r.url.endswith("/badge.pdf")) as printed:
        wedge(page, badge)
    assert printed.value.status == 200 and printed.value.headers["content-type"] == "application/pdf"
    expect(page.locator("#print-frame")).to_have_attribute("src", re.compile("^blob:"))
    page.wait_for_function("() => window.__printed === 1")
    reprint = verdict(page).get_by_role("button", name="名札を再印刷")
    with page.expect_response(lambda r: r.url.endswith("/badge.pdf")) as again:
        reprint.click()
    assert again.value.status == 200
    page.wait_for_function("() => window.__printed === 2")


def test_a_closed_point_wipes_the_device_and_says_check_in_is_over(page: Page, live_server, session, door,
                                                                   release_db):
    event, people = door
    token = pair_device(session, event)
    badge = people[0].token
    release_db()
    open_scanner(page, live_server, token)
    wait_for_roster(page)
    point = services.device_for_token(session, token).point
    point.closed_at = utcnow()  # what the organiser's "close check-in" does
    session.commit()
    release_db()
    page.locator("#code-input").focus()
    wedge(page, badge)
    expect(page.get_by_role("heading", name="受付は終了しました")).to_be_visible()
    assert page.evaluate("localStorage.getItem('scanner.token')") is None
    assert entries(session, people[0].id, at_least=0) == []


def test_out_then_in_again_and_offline_search(page: Page, context: BrowserContext, live_server, session, door,
                                              release_db):
    event, people = door
    token = pair_device(session, event)
    person = people[0]
    badge, person_id = person.token, person.id
    release_db()
    open_scanner(page, live_server, token)
    wedge(page, badge)
    shown(page, "ok")
    close_verdict(page)
    page.get_by_role("button", name="退場").click()
    expect(page.get_by_role("button", name="退場")).to_have_attribute("aria-pressed", "true")
    page.locator("#code-input").focus()
    wedge(page, badge)
    expect(verdict(page)).to_contain_text("退場OK")
    close_verdict(page)
    page.get_by_role("button", name="入場").click()
    wait_for_roster(page)

    # Offline, the search reads the roster: ひらがな finds カタカナ there too, and checks in from the result.
    context.set_offline(True)
    page.get_by_role("button", name="検索").click()
    page.locator("#search-input").fill("たかさき")
    page.locator("#search-input").press("Enter")
    expect(page.locator("#search-note")).to_contain_text("オフライン")
    result = page.locator("#search-results li").filter(has_text="髙﨑 太郎")
    expect(result).to_contain_text("未入場")  # the roster knows they went out
    result.get_by_role("button", name=re.compile("この人を受付")).click()
    shown(page, "ok")
    expect(page.locator("#verdict-offline")).to_be_visible()
    close_verdict(page)
    context.set_offline(False)
    expect(page.locator("#pending")).to_have_attribute("data-count", "0", timeout=15_000)
    recorded = entries(session, person_id, at_least=3)
    assert [(e.direction.value, e.result) for e in recorded] == [
        ("in", EntryResult.OK), ("out", EntryResult.OK), ("in", EntryResult.OK)]
    assert recorded[2].queued and not recorded[2].flagged


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def test_scanner_screens_have_no_axe_violation(browser: Browser, live_server, session, door, release_db):
    """axe-core's default rules on the scanner's screens: main, a verdict, the walk-in form with its errors,
    search results, the unpaired screen. (bypass_csp: the page's CSP refuses the injected script.)"""
    event, people = door
    token = pair_device(session, event)
    release_db()
    context = browser.new_context(bypass_csp=True, **PHONE)
    page = open_scanner(context.new_page(), live_server, token)
    wait_for_roster(page)
    problems: list[str] = []

    def check(name: str) -> None:
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]:
            problems.append(f"{name}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}")

    check("main")
    page.locator("#code-input").focus()
    wedge(page, people[0].token)
    shown(page, "ok")
    check("verdict")
    close_verdict(page)
    page.get_by_role("button", name="当日受付").click()
    page.get_by_role("button", name="登録して受付").click()
    expect(page.locator("#walkin-summary")).to_be_visible()
    check("walk-in")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="検索").click()
    page.locator("#search-input").fill("やまだ")
    page.locator("#search-input").press("Enter")
    expect(page.locator("#search-results li")).to_have_count(1)
    check("search")
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator("#screen-unpaired")).to_be_visible()
    check("unpaired")
    context.close()
    assert problems == []
