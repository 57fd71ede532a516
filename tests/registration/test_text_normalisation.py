"""Normalising what people type (eventapp.text): invisible characters go, what is visible stays."""

from __future__ import annotations

import pytest

from eventapp.text import normalize_multiline, normalize_text, to_katakana_reading

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # 👨‍👩‍👧: the ZWJ joins one picture
RAINBOW_FLAG = "\U0001F3F3\ufe0f\u200d\U0001F308"  # 🏳️‍🌈
SCOTLAND = "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"  # a flag made of tags


@pytest.mark.parametrize("typed, stored", [
    ("山田\u202etxt.exe", "山田txt.exe"),  # RIGHT-TO-LEFT OVERRIDE: the list showed 「山田 exe.txt」
    ("山\u200b田", "山田"), ("山\u200c田", "山田"), ("山\u200d田", "山田"), ("山\u2060田", "山田"),
    ("\ufeff株式会社サンプル", "株式会社サンプル"),
    ("\u202a\u202b\u202c\u202d株式会社\u2066\u2067\u2068\u2069", "株式会社"),
    ("\u200e山田\u200f\u061c", "山田"),
    ("山田 \u200b 太郎", "山田 太郎"),  # what was between two spaces was nothing: one space stays
    (f"太郎{FAMILY}", f"太郎{FAMILY}"), (RAINBOW_FLAG, RAINBOW_FLAG), (SCOTLAND, SCOTLAND),
    ("\U0001F468\U0001F3FD\u200d\U0001F4BB", "\U0001F468\U0001F3FD\u200d\U0001F4BB"),  # 👨🏽‍💻
    (f"\u200d{FAMILY}\u200d", FAMILY),  # a ZWJ at either end of the emoji joins nothing
    ("髙﨑", "髙﨑"), ("\ufa19", "\ufa19"),  # variant kanji as typed (神 U+FA19)
])
def test_invisible_characters_are_removed(typed, stored):
    assert normalize_text(typed) == stored


def test_multiline_and_readings_lose_them_too():
    assert normalize_multiline("一行目\u202e\n\u200b二行目") == "一行目\n二行目"
    assert to_katakana_reading("や\u200bまだ") == "ヤマダ"
