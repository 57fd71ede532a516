"""lang="ja" on the Japanese inside English text: LocalText fallbacks, mark_japanese on English pages and mails."""

from __future__ import annotations

import pytest

from eventapp.i18n import LocalText, in_language, mark_japanese


@pytest.mark.parametrize(("locale", "ja", "en", "expected"), [
    ("en", "会場", "Venue", LocalText("Venue", "en")),
    ("en", "会場", "", LocalText("会場", "ja", fell_back=True)),
    ("ja", "会場", "Venue", LocalText("会場", "ja")),
    ("ja", "", "Venue", LocalText("Venue", "en", fell_back=True)),
    ("en", "", "", LocalText("", "en")),
])
def test_in_language_falls_back_to_the_other(locale, ja, en, expected):
    assert in_language(locale, ja=ja, en=en) == expected


def test_a_local_text_prints_as_text_and_marks_a_fallback_in_html():
    fallback = LocalText("東京<都>", "ja", fell_back=True)
    assert str(fallback) == "東京<都>"
    assert fallback.__html__() == '<span lang="ja">東京&lt;都&gt;</span>'
    assert LocalText("Tokyo & Co", "en").__html__() == "Tokyo &amp; Co"
    assert not LocalText("", "en")


def test_japanese_in_english_text_gets_lang_ja():
    page = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>第31回 交流会</title></head><body>'
            '<p>Networking party (懇親会) &amp; more</p>'
            '<p class="x" title="名札">山田 太郎 様, 株式会社サンプル</p>'
            '<a lang="ja" href="/lang/ja">日本語</a>'
            '<h1>第31回 東京都<wbr>異業種</h1>'
            '<select><option>E 製造業</option></select><textarea>あいう</textarea>'
            '<script src="/a.js"></script><div><div>x</div>名札<br>五十音</div></body></html>')
    marked = mark_japanese(page)
    assert '<title>第31回 交流会</title>' in marked  # a title holds no markup
    assert '<p>Networking party (<span lang="ja">懇親会</span>) &amp; more</p>' in marked
    assert '<p class="x" title="名札"><span lang="ja">山田 太郎 様</span>, <span lang="ja">株式会社サンプル</span></p>' in marked
    assert '<a lang="ja" href="/lang/ja">日本語</a>' in marked  # marked already
    assert '<h1><span lang="ja">第31回 東京都<wbr>異業種</span></h1>' in marked  # a run across a <wbr>
    assert '<option>E 製造業</option>' in marked and '<textarea>あいう</textarea>' in marked
    assert '<div><div>x</div><span lang="ja">名札</span><br><span lang="ja">五十音</span></div>' in marked
    assert marked.replace('<span lang="ja">', "").replace("</span>", "") == page  # nothing else changed


def test_japanese_pages_are_left_alone_except_inside_english():
    page = '<html lang="ja"><body><p>山田 様 <span lang="en">Party (懇親会)</span></p></body></html>'
    assert mark_japanese(page) == \
        '<html lang="ja"><body><p>山田 様 <span lang="en">Party (<span lang="ja">懇親会</span>)</span></p></body></html>'
