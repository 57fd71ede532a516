"""English is English: the venue in English where the event has it (else the Japanese, marked lang="ja"),
Japanese glosses and names inside English pages marked lang="ja", and Japanese headings broken between
phrases (<wbr>)."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventapp.events.models import Event
from tests.helpers import csrf_token_from, make_event, make_registration, private_link
from tests.registration.admin_support import make_group

VENUE_EN = dict(venue_name_en="Tokyo Metropolitan Industrial Technology Research Institute, Headquarters",
                venue_address_en="2-4-10 Aomi, Koto-ku, Tokyo", venue_access_en="Telecom Center Station: 1 minute on foot")


def _body(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _dd_after(body: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd>", body, re.S)
    assert match, label
    return match.group(1)


def test_venue_in_english_on_english_pages(client, session):
    event = make_event(session, **VENUE_EN)
    english = _body(client.get(f"/events/{event.slug}?lang=en"))
    venue = _dd_after(english, "Venue")
    assert "Tokyo Metropolitan Industrial Technology Research Institute, Headquarters" in venue
    assert "2-4-10 Aomi, Koto-ku, Tokyo" in venue
    assert "東京都" not in venue
    assert "Telecom Center Station: 1 minute on foot" in _dd_after(english, "Access")

    japanese = _body(client.get(f"/events/{event.slug}?lang=ja"))
    assert "東京都江東区青海2-4-10" in _dd_after(japanese, "会場")
    assert "Aomi" not in japanese
    assert "· Tokyo Metropolitan Industrial" in _body(client.get(f"/events/{event.slug}/register?lang=en"))


def test_without_english_the_japanese_venue_is_marked_lang_ja(client, session):
    event = make_event(session)  # no English venue fields
    english = _body(client.get(f"/events/{event.slug}?lang=en"))
    venue = _dd_after(english, "Venue")
    assert re.search(r'<span lang="ja">東京都立産業(<wbr>)?技術研究センター 本部</span>', venue), venue
    assert '<span class="muted"><span lang="ja">東京都江東区青海2-4-10</span></span>' in venue
    assert re.search(r'<span lang="ja">ゆりかもめ(<wbr>)?「テレコム', _dd_after(english, "Access"))
    index = _body(client.get("/?lang=en"))
    assert re.search(r'<p[^>]*><span lang="ja">東京都立産業', index)


def test_model_says_whether_it_fell_back(session):
    event = make_event(session, venue_name_en="TIRI Headquarters")
    assert (event.venue_name_in("en").text, event.venue_name_in("en").fell_back) == ("TIRI Headquarters", False)
    assert (event.venue_address_in("en").text, event.venue_address_in("en").fell_back) == ("東京都江東区青海2-4-10", True)
    assert event.venue_name_in("ja").text == "東京都立産業技術研究センター 本部"
    assert event.title_in("en").text == event.title_en


def test_organiser_saves_the_english_venue(organiser_client, session):
    event = make_event(session)
    page = organiser_client.get(f"/admin/events/{event.id}/edit?lang=en")
    body = _body(page)
    for name in ("venue_name_en", "venue_address_en", "venue_access_en"):
        assert f'name="{name}"' in body
    form = {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body)}
    form.update({"venue_access": "", "description_ja": "", "description_en": "", "status": "published",
                 "csrf_token": csrf_token_from(page), **VENUE_EN, "venue_access_en": "Telecom Center Station\n徒歩1分"})
    form.pop("capacity-1", None)
    response = organiser_client.post(f"/admin/events/{event.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.rollback()
    saved = session.scalar(select(Event).where(Event.id == event.id))
    assert saved.venue_name_en == VENUE_EN["venue_name_en"]
    assert saved.venue_address_en == VENUE_EN["venue_address_en"]
    assert saved.venue_access_en == "Telecom Center Station\n徒歩1分"
    assert saved.venue_name == "東京都立産業技術研究センター 本部"  # the Japanese as it was


def test_api_gives_the_venue_in_both_languages(client, session):
    make_event(session, **VENUE_EN)
    [item] = client.get("/api/v1/events").get_json()
    assert item["venue"] == "東京都立産業技術研究センター 本部"
    assert item["venue_name"] == {"ja": "東京都立産業技術研究センター 本部", "en": VENUE_EN["venue_name_en"]}
    assert item["venue_address"] == {"ja": "東京都江東区青海2-4-10", "en": VENUE_EN["venue_address_en"]}


def test_calendar_file_has_the_english_venue(client, session):
    event = make_event(session, **VENUE_EN)
    ics = client.get(f"/events/{event.slug}/calendar.ics?lang=en").get_data(as_text=True)
    assert "Tokyo Metropolitan Industrial Technology" in ics and "東京都" not in ics.split("LOCATION")[1][:80]


def test_japanese_glosses_in_english_pages_are_marked(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event, family_name="髙﨑", given_name="太郎")
    mine = _body(client.get(f"{private_link(app, registration)}?lang=en"))
    assert '<dt>Networking party (<span lang="ja">懇親会</span>)</dt>' in mine
    assert '<span lang="ja">髙﨑 太郎 様</span>' in mine
    assert re.search(r'<dd[^>]*><span lang="ja">株式会社サンプル 営業部</span></dd>', mine)
    assert '<a class="lang-switch" lang="ja"' in mine and ">\n          日本語</a>" in mine  # its own lang already

    form = _body(client.get(f"/events/{event.slug}/register?lang=en"))
    assert 'reception ticket (<span lang="ja">受付票</span>)' in form
    assert 'e.g. <span lang="ja">株式会社サンプル</span>' in form
    assert not re.search(r'="[^"]*<span', form)  # never inside an attribute
    assert not re.search(r"<title>[^<]*<span", form) and not re.search(r"<option[^>]*>[^<]*<span", form)

    japanese = _body(client.get(f"{private_link(app, registration)}?lang=ja"))
    assert '<span lang="ja">' not in japanese  # the page is Japanese already


def test_glosses_in_english_organiser_pages_are_marked(organiser_client, session):
    make_group(session)
    assert 'groups, in <span lang="ja">五十音</span> order.' in _body(organiser_client.get("/admin/groups?lang=en"))
    form = _body(organiser_client.get("/admin/events/new?lang=en"))
    assert re.search(r'<label for="edition">Edition \(<span lang="ja">第N回</span>\)', form)
    assert '(<span lang="ja">令和8年度</span>)' in form


def test_headings_break_between_phrases(client, session):
    event = make_event(session, title_ja="第31回 東京都異業種交流グループ合同交流会")
    body = _body(client.get(f"/events/{event.slug}?lang=ja"))
    assert '<h1 class="phrases">第31回 東京都異業種交流<wbr>グループ<wbr>合同交流会</h1>' in body
    registered = _body(client.get(f"/events/{event.slug}/register?lang=ja"))
    assert '<p class="muted phrases">' in registered and "東京都立産業<wbr>技術研究センター 本部" in registered
