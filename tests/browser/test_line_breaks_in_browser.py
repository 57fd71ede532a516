"""Japanese lines on a phone (390 px) break between phrases, never inside a word such as グループ: each
character's line measured in Chromium with a Range per character (getClientRects), and every line must begin
where the server allowed a break (a <wbr> of the |phrases filter, or a space)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from eventapp.phrases import phrase_breaks
from eventapp.printing.line_breaks import phrases
from tests.conftest import ORGANISER_PASSWORD
from tests.helpers import link_token, make_event, make_registration

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
COMPOUND_TITLE = "第31回 東京都異業種交流グループ合同交流会"  # the heading of the issue
PHRASE_TITLE = "第32回 東京都の異業種交流グループが集まる年に一度の合同交流会"  # BudouX phrases that fit a line
LONG_COMPANY = "東京都異業種交流グループ合同交流会を支える実行委員会事務局とネットワークショップ株式会社"

# Each visible character of the element and the top of its line (one Range per character).
CHARACTERS_AND_TOPS = """element => {
    const found = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
            if (/\\s/.test(node.data[i])) continue;
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rects = [...range.getClientRects()].filter(r => r.width > 0);
            if (rects.length) found.push([node.data[i], rects[0].top, rects[0].height]);
        }
    }
    return found;
}"""


def rendered_lines(page: Page, selector: str) -> list[str]:
    """The element's text as the browser set it, one string per line (spaces left out)."""
    lines: list[str] = []
    last_top = None
    for char, top, height in page.locator(selector).first.evaluate(CHARACTERS_AND_TOPS):
        if last_top is None or top > last_top + height / 2:
            lines.append("")
            last_top = top
        lines[-1] += char
    return lines


def _starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    return starts


def server_breaks(text: str) -> set[int]:
    """Where the |phrases filter lets a line begin (offsets in the text without spaces): each <wbr> and space."""
    pieces = [p for p in re.split(r"<wbr>|\s+", str(phrase_breaks(text))) if p]
    return set(_starts(pieces))


def budoux_starts(text: str) -> set[int]:
    return set(_starts([phrase for word in text.split() for phrase in phrases(word)]))


def _no_overflow(page: Page, selector: str) -> None:
    sizes = page.locator(selector).first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] <= sizes[1], sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_event_heading_breaks_between_phrases_on_a_phone(page: Page, live_server, session, release_db):
    compound = make_event(session, slug="godo-2027", title_ja=COMPOUND_TITLE).slug
    phrased = make_event(session, slug="godo-2028", title_ja=PHRASE_TITLE).slug
    release_db()
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server}/events/{compound}?lang=ja")
    page.evaluate("document.fonts.ready")
    assert page.locator("h1").evaluate("h => getComputedStyle(h).wordBreak") == "keep-all"  # not auto-phrase
    lines = rendered_lines(page, "h1")
    assert "".join(lines) == "".join(COMPOUND_TITLE.split())
    assert len(lines) >= 2, lines  # 17 characters in one phrase: wider than a phone
    # BudouX keeps the compound whole; inside it the lines break only where kanji meet katakana
    assert set(_starts(lines)) <= server_breaks(COMPOUND_TITLE), lines
    assert not [line for line in lines if line.startswith(("ループ", "ープ", "プ", "流会", "会", "業種", "種"))], lines
    _no_overflow(page, "h1")

    page.goto(f"{live_server}/events/{phrased}?lang=ja")
    page.evaluate("document.fonts.ready")
    lines = rendered_lines(page, "h1")
    assert len(lines) >= 2, lines
    assert set(_starts(lines)) <= budoux_starts(PHRASE_TITLE), lines  # each line begins a BudouX phrase
    _no_overflow(page, "h1")


def test_ticket_page_breaks_a_long_company_between_phrases(app, page: Page, live_server, session, release_db):
    event = make_event(session, title_ja=COMPOUND_TITLE)
    registration = make_registration(session, event, company_name=LONG_COMPANY, department="技術開発部")
    token = link_token(app, registration)
    release_db()
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server}/my/{token}/ticket?lang=ja")
    page.evaluate("document.fonts.ready")
    company = ".ticket-company .ticket-chunk"
    lines = rendered_lines(page, company)
    assert "".join(lines) == LONG_COMPANY and len(lines) >= 2, lines
    assert set(_starts(lines)) <= server_breaks(LONG_COMPANY), lines
    _no_overflow(page, company)
    title = rendered_lines(page, ".ticket-event")
    assert set(_starts(title)) <= server_breaks(COMPOUND_TITLE), title


def test_names_in_the_registration_list_break_only_between_words(page: Page, live_server, session, organiser,
                                                                  release_db):
    event = make_event(session)
    make_registration(session, event, family_name="ヴィラール", given_name="ジャン", family_kana="ヴィラール",
                      given_kana="ジャン", company_name="Villard International Consulting", department="")
    organiser_email = organiser.email
    release_db()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label(re.compile("^E-mail")).fill(organiser_email)
    page.get_by_label(re.compile("^Password")).fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"{live_server}/admin/registrations?event={event.slug}&lang=en")
    page.evaluate("document.fonts.ready")
    # the table keeps each word whole and scrolls sideways rather than squeeze a column to a character
    assert rendered_lines(page, ".reg-name") in (["ヴィラールジャン"], ["ヴィラール", "ジャン"])
    company = page.locator(".reg-table tbody td.phrases:not(.reg-person)").first
    lines = rendered_lines(page, ".reg-table tbody td.phrases:not(.reg-person)")
    assert set(_starts(lines)) <= set(_starts(["Villard", "International", "Consulting"])), lines
    assert company.evaluate("td => td.scrollWidth <= td.clientWidth")
