"""Japanese lines on pages break between phrases: the |phrases filter puts <wbr> between BudouX's phrases."""

from __future__ import annotations

import re

from markupsafe import Markup

from eventapp.i18n import in_language
from eventapp.phrases import phrase_breaks, phrases
from eventapp.printing.line_breaks import phrases as budoux_phrases


def _pieces(markup: str) -> list[str]:
    return re.split(r"<wbr>| ", markup)


def test_breaks_go_between_budoux_phrases():
    text = "東京都の異業種交流グループが集まる年に一度の合同交流会"
    assert _pieces(phrase_breaks(text)) == list(budoux_phrases(text))
    assert _pieces(phrase_breaks(text)) == ["東京都の", "異業種交流グループが", "集まる", "年に", "一度の", "合同交流会"]


def test_a_compound_longer_than_a_phone_line_breaks_between_kanji_and_katakana_only():
    # BudouX keeps the 17 characters whole; a heading on a phone holds about 14
    assert budoux_phrases("東京都異業種交流グループ合同交流会") == ("東京都異業種交流グループ合同交流会",)
    assert str(phrase_breaks("第31回 東京都異業種交流グループ合同交流会")) == \
        "第31回 東京都異業種交流<wbr>グループ<wbr>合同交流会"
    # short phrases stay whole; hiragana (送り仮名, particles) and ー stay with their word
    assert "<wbr>" not in phrase_breaks("株式会社サンプル精工")
    assert str(phrase_breaks("お申し込みを受け付けました")) == "お申し込みを<wbr>受け付けました"
    assert "<wbr>" not in phrase_breaks("スーパーコンピューター")


def test_text_is_escaped_and_latin_left_to_the_browser():
    assert str(phrase_breaks("A&B <Holdings> 株式会社")) == "A&amp;B &lt;Holdings&gt; 株式会社"
    assert str(phrase_breaks("Villard International Consulting")) == "Villard International Consulting"
    assert str(phrase_breaks("一行目です\n二行目です")) == "一行目です\n二行目です"  # line ends kept (pre-line)


def test_filter_takes_plain_text_markup_and_local_texts():
    assert str(phrases("ありがとうございます。参加が確定しました。")) == \
        "ありがとう<wbr>ございます。<wbr>参加が<wbr>確定しました。"
    # markup (a translated text, a {% filter %} block): only its texts, never inside a tag
    assert str(phrases(Markup('<a href="#参加が確定">参加が確定しました &amp; 以上</a>'))) == \
        '<a href="#参加が確定">参加が<wbr>確定しました &amp; 以上</a>'
    fallback = in_language("en", ja="東京都立産業技術研究センター 本部", en="")
    assert str(phrases(fallback)) == '<span lang="ja">東京都立産業<wbr>技術研究センター 本部</span>'
    assert str(phrases(None)) == ""
