"""受付名簿 PDF, read like a person: the names (髙 and 﨑 too) in 五十音 order under あ行, か行 … headings,
the column header and the page x / y on every page, 済 for those already in; and looked at as PNGs."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import func, select

from eventapp.checkin import services
from eventapp.checkin.reception_list import gyo
from eventapp.jobs.models import JobRecord
from eventapp.registration.services import cancel
from eventapp.text import gojuon_sort_key
from tests.checkin.entries import entry, many_people
from tests.helpers import csrf_token_from, make_registration
from tests.pdf_reading import page_chars, reading_lines, reading_text

FAMILIES = [("髙橋", "タカハシ"), ("山﨑", "ヤマザキ"), ("青木", "アオキ"), ("伊藤", "イトウ"), ("上田", "ウエダ"),
            ("遠藤", "エンドウ"), ("小川", "オガワ"), ("加藤", "カトウ"), ("木村", "キムラ"), ("工藤", "クドウ"),
            ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("田中", "タナカ"), ("中村", "ナカムラ"), ("野口", "ノグチ"),
            ("林", "ハヤシ"), ("藤田", "フジタ"), ("松本", "マツモト"), ("森", "モリ"), ("吉田", "ヨシダ"),
            ("渡辺", "ワタナベ"), ("若林", "ワカバヤシ"), ("長谷川", "ハセガワ"), ("西村", "ニシムラ"), ("村上", "ムラカミ")]
GIVENS = [("一郎", "イチロウ"), ("花子", "ハナコ"), ("健", "ケン"), ("陽子", "ヨウコ"), ("翔太", "ショウタ"),
          ("美咲", "ミサキ"), ("大輔", "ダイスケ"), ("由美", "ユミ"), ("誠", "マコト"), ("優子", "ユウコ")]
SHOTS = Path(os.environ.get("ARRIVALS_SHOTS", ""))


def _name(n: int) -> tuple[str, str, str, str]:
    family, family_kana = FAMILIES[n % len(FAMILIES)]
    given, given_kana = GIVENS[(n // len(FAMILIES)) % len(GIVENS)]
    return family, given, family_kana, given_kana


def _pages(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    texts = []
    for page in document:
        text, _ = reading_text(reading_lines(page_chars(page.get_textpage())))
        texts.append(text)
    return texts


def _save_pngs(pdf: bytes, name: str) -> None:
    """With ARRIVALS_SHOTS set, the pages as PNGs to look at."""
    if not os.environ.get("ARRIVALS_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pypdfium2.PdfDocument(pdf), 1):
        page.render(scale=150 / 72).to_pil().save(SHOTS / f"{name}-p{number}.png")


@pytest.fixture
def crowd(session, event, now):
    def answers_of(n):
        family, given, family_kana, given_kana = _name(n)
        return dict(family_name=family, given_name=given, family_kana=family_kana, given_kana=given_kana)

    event.capacity = 400
    session.commit()

    people = many_people(session, event, 250, now=now,
                         family_name=lambda n: answers_of(n)["family_name"],
                         given_name=lambda n: answers_of(n)["given_name"],
                         family_kana=lambda n: answers_of(n)["family_kana"],
                         given_kana=lambda n: answers_of(n)["given_kana"],
                         company_name=lambda n: ("株式会社サンプル精工", "東京エレクトロニクス工業株式会社 技術開発本部",
                                                 "有限会社タマ")[n % 3],
                         category_code=lambda n: ("member", "general", "exhibitor", "speaker")[n % 4],
                         attends_party=lambda n: n % 3 == 0)
    return people


def fetch_list(client, event):
    """Start the job (it runs at once in tests), then download from its page as an organiser would."""
    started = client.post(f"/admin/checkin/events/{event.id}/reception-list",
                          data={"csrf_token": csrf_token_from(client.get(f"/admin/checkin/events/{event.id}/arrivals"))})
    assert started.status_code == 302
    job_id = int(re.search(r"/admin/jobs/(\d+)", started.headers["Location"]).group(1))
    status = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "done", status
    return client.get(status["download_url"], buffered=True)  # buffered: send_file's file is read and closed


def test_a_list_of_250_in_gojuon_order(organiser_client, session, now, event, device, crowd):
    reception = services.default_point(session, event)
    for person in crowd[:5]:
        entry(session, device.id, reception.id, person, now - timedelta(minutes=5), first_in=True)
    session.commit()
    response = fetch_list(organiser_client, event)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    _save_pngs(pdf, "reception-list-250")
    pages = _pages(pdf)
    assert len(pages) == 9
    for number, text in enumerate(pages, 1):
        assert f"{number} / 9ページ" in text
        assert "受付名簿" in text and event.title("ja") in text
        assert all(column in text for column in ("受付番号", "氏名", "フリガナ", "会社名", "参加区分", "懇親会"))
    lines = [line for text in pages for line in text.split("\r\n")]
    names = {f"{p.family_name} {p.given_name}" for p in crowd}
    printed = [line for line in lines if line in names]
    expected = [f"{p.family_name} {p.given_name}" for p in sorted(crowd, key=lambda p: (p.sort_key, p.id))]
    assert printed == expected  # every one, once, in 五十音 order
    assert "髙橋 一郎" in printed and "山﨑 一郎" in printed
    headings = [line.split("\u3000")[0] for line in lines if re.fullmatch(r"[あかさたなはまやらわ]行\S*", line)]
    headings = [re.match(r"[あかさたなはまやらわ]行", line).group(0) for line in lines
                if re.match(r"[あかさたなはまやらわ]行", line)]
    assert headings == ["あ行", "か行", "さ行", "た行", "な行", "は行", "ま行", "や行", "わ行"]
    receipt = crowd[7].receipt_code
    assert receipt in lines
    assert lines.count("□") == 245 and lines.count("済") == 5  # the boxes to tick; 済 for the 5 already in


def test_only_confirmed_people_and_an_empty_list(organiser_client, session, now, event):
    empty = fetch_list(organiser_client, event).get_data()
    assert "参加確定の申込みはまだありません" in _pages(empty)[0]
    kept = make_registration(session, event, n=1, family_name="髙﨑", family_kana="タカサキ")
    gone = make_registration(session, event, n=2, family_name="吉田", family_kana="ヨシダ")
    cancel(session, gone, now=now, actor="attendee")
    session.commit()
    text = _pages(fetch_list(organiser_client, event).get_data())[0]
    assert f"{kept.family_name} {kept.given_name}" in text and "吉田" not in text


def test_only_organisers_print_it_and_only_with_the_csrf_token(staff_client, organiser_client, session, event):
    assert staff_client.get(f"/admin/checkin/events/{event.id}/arrivals").status_code == 403
    assert staff_client.post(f"/admin/checkin/events/{event.id}/reception-list").status_code in (400, 403)
    assert organiser_client.post(f"/admin/checkin/events/{event.id}/reception-list").status_code == 400
    session.rollback()
    assert session.scalar(select(func.count(JobRecord.id))) == 0


def test_rows_file_under_their_gyo():
    assert [gyo(gojuon_sort_key(k)) for k in ("アオキ", "ガトウ", "ザイツ", "ヂ", "ッテ", "パク", "ヴァン", "ヲ", "Smith")] == [
        "あ行", "か行", "さ行", "た行", "た行", "は行", "あ行", "わ行", "その他"]
