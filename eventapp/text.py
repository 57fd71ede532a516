"""Japanese text normalisation, validation helpers and the 五十音 sort key (see JAPANESE.md)."""

from __future__ import annotations

import re
import unicodedata

import jaconv
import phonenumbers

_SPACES = re.compile(r"\s+")
# NFKC would fold these compatibility ideographs (e.g. 神 U+FA19 -> 神); names keep them as typed.
_COMPAT_IDEOGRAPHS = re.compile(r"([\uF900-\uFAFF\U0002F800-\U0002FA1F])")
_NUMBER_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー〜~～()（）.]")
_KATAKANA_READING = re.compile(r"^[ァ-ヶー・ ]+$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Invisible characters: every format character (Unicode category Cf: zero-width spaces and joiners U+200B–U+200D,
# U+2060, U+FEFF, the bidi controls U+200E/U+200F, U+061C, U+202A–U+202E and U+2066–U+2069, the soft hyphen …)
# and the Hangul fillers people use for "blank" names. They reorder or hide text on screen (U+202E turned
# 「山田 gnp.exe」 into 「山田 exe.png」) and print as 〓. Kept: a ZWJ that joins two emoji into one picture
# (👨‍👩‍👧), and the tag characters of a subdivision flag (🏴 + tag letters, e.g. Scotland's).
ZERO_WIDTH_JOINER = "\u200d"
_INVISIBLE_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_EMOJI = re.compile("[\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\U0001F000-\U0001FAFF]")
_EMOJI_MODIFIERS = "\ufe0e\ufe0f\U0001F3FB\U0001F3FC\U0001F3FD\U0001F3FE\U0001F3FF"  # variation, skin tone
_EMOJI_TAG_SEQUENCE = re.compile("(\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F)")


def nfkc_keep_variants(value: str) -> str:
    parts = _COMPAT_IDEOGRAPHS.split(value)
    return "".join(p if _COMPAT_IDEOGRAPHS.fullmatch(p) else unicodedata.normalize("NFKC", p) for p in parts)


def _joins_emoji(text: str, index: int) -> bool:
    before = text[:index].rstrip(_EMOJI_MODIFIERS)
    return bool(before) and index + 1 < len(text) and bool(_EMOJI.match(before[-1])) and bool(
        _EMOJI.match(text[index + 1]))


def _without_invisible(text: str) -> str:
    return "".join(
        ch for i, ch in enumerate(text)
        if ch not in _INVISIBLE_FILLERS
        and (unicodedata.category(ch) != "Cf" or (ch == ZERO_WIDTH_JOINER and _joins_emoji(text, i)))
    )


def remove_invisible(value: str) -> str:
    """Drop the invisible characters described above; what a person can see stays as typed."""
    parts = _EMOJI_TAG_SEQUENCE.split(value)  # odd parts are flags, kept whole
    return "".join(part if i % 2 else _without_invisible(part) for i, part in enumerate(parts))


def normalize_text(value: str | None) -> str:
    """NFKC (keeping variant kanji), no control or invisible characters, trimmed, runs of spaces collapsed."""
    if not value:
        return ""
    value = remove_invisible(_CONTROL_CHARS.sub("", nfkc_keep_variants(value)))
    return _SPACES.sub(" ", value).strip()


def normalize_multiline(value: str | None) -> str:
    if not value:
        return ""
    value = remove_invisible(_CONTROL_CHARS.sub("", nfkc_keep_variants(value.replace("\r\n", "\n"))))
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return "\n".join(lines).strip()


def to_katakana_reading(value: str | None) -> str:
    """Hiragana and half-width kana become full-width katakana; spaces are collapsed."""
    return jaconv.hira2kata(normalize_text(value))


def is_katakana_reading(value: str) -> bool:
    return bool(_KATAKANA_READING.match(value))


def digits_only(value: str | None) -> str | None:
    """Digits of a phone number or postcode after NFKC; None when anything but digits and separators is left."""
    cleaned = _NUMBER_SEPARATORS.sub("", normalize_text(value))
    return cleaned if cleaned.isdigit() or cleaned == "" else None


def _japanese_number(digits: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return None


def is_valid_phone(digits: str) -> bool:
    """A Japanese number that can exist (libphonenumber's plan: area codes, mobiles, 0120, 050 …)."""
    number = _japanese_number(digits) if digits.startswith("0") else None
    return number is not None and phonenumbers.is_valid_number_for_region(number, "JP")


def format_phone(digits: str | None) -> str:
    """Hyphenated at the real area-code boundary (0422-51-2345 in Musashino, 03-1234-5678 in the wards)."""
    if not digits:
        return ""
    number = _japanese_number(digits)
    if number is None or not phonenumbers.is_valid_number(number):
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def format_postcode(digits: str | None) -> str:
    if not digits or len(digits) != 7:
        return digits or ""
    return f"〒{digits[:3]}-{digits[3:]}"


# --- 五十音 sorting -----------------------------------------------------------------------------

_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_VOWEL_OF = {}
for _vowel, _row in zip(
    "アイウエオ",
    (
        "アカサタナハマヤラワガザダバパァャヮヵ",
        "イキシチニヒミリギジヂビピィ",
        "ウクスツヌフムユルグズヅブプゥュッヴ",
        "エケセテネヘメレゲゼデベペェヶ",
        "オコソトノホモヨロヲゴゾドボポォョ",
    ),
    strict=True,
):
    for _kana in _row:
        _VOWEL_OF[_kana] = _vowel
_VOWEL_OF["ン"] = "ン"

LEGAL_FORM_READINGS = ("カブシキガイシャ", "カブシキカイシャ", "ユウゲンガイシャ", "ゴウドウガイシャ", "ゴウシガイシャ",
                       "ゴウメイガイシャ", "イッパンシャダンホウジン", "イッパンザイダンホウジン", "コウエキシャダンホウジン",
                       "コウエキザイダンホウジン", "トクテイヒエイリカツドウホウジン", "エヌピーオーホウジン")
LEGAL_FORM_NAMES = ("株式会社", "(株)", "㈱", "有限会社", "(有)", "㈲", "合同会社", "合資会社", "合名会社",
                    "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "特定非営利活動法人", "NPO法人")


def gojuon_sort_key(reading: str | None) -> str:
    """A string whose binary order is 五十音順: base kana first (ガ=カ, ッ=ツ, ー=its vowel, ヴ=ウ),
    then the exact kana to break ties, so ハ < バ < パ and ツ < ッ in a stable way."""
    kata = to_katakana_reading(reading).replace(" ", "").replace("・", "")
    primary: list[str] = []
    for ch in kata:
        if ch == "ー":
            primary.append(_VOWEL_OF.get(primary[-1], "ー") if primary else "ー")
            continue
        base = unicodedata.normalize("NFD", ch)[0].translate(_SMALL_TO_LARGE)
        if ch == "ヴ":
            base = "ウ"
        primary.append(base)
    return "".join(primary) + "\x01" + kata


def strip_legal_form_reading(reading: str) -> str:
    for form in LEGAL_FORM_READINGS:
        if reading.startswith(form):
            return reading[len(form):].strip()
        if reading.endswith(form):
            return reading[: -len(form)].strip()
    return reading


def strip_legal_form_name(name: str) -> str:
    for form in LEGAL_FORM_NAMES:
        name = name.replace(form, "")
    return name.strip()


# Sorts after every kana (by code point and in UTF-8 bytes), so companies without a reading come last.
NO_READING_PREFIX = "\ufffd"


def company_sort_key(name: str, reading: str | None) -> str:
    reading = to_katakana_reading(reading)
    if reading:
        return gojuon_sort_key(strip_legal_form_reading(reading.replace(" ", "")))
    return NO_READING_PREFIX + strip_legal_form_name(name)


def email_key(email: str) -> str:
    return email.strip().lower()
