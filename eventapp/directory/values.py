"""Values people type (in forms or CSV cells) for groups and companies: years in 西暦 or 和暦,
業種 by code or name, web addresses and lists of group names. Each parser returns the clean value
or raises ValueError; callers turn that into a message naming the field."""

from __future__ import annotations

import re

from eventapp.directory.industries import industries
from eventapp.text import normalize_text

FIRST_YEAR = 1900
LAST_YEAR = 2100

_ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019,
         "M": 1868, "T": 1912, "S": 1926, "H": 1989, "R": 2019}
_WESTERN_YEAR = re.compile(r"^(\d{4})\s*年?(度)?$")
_JAPANESE_YEAR = re.compile(r"^(明治|大正|昭和|平成|令和|[MTSHR])\.?\s*(元|\d{1,2})\s*年?(度)?$", re.IGNORECASE)
_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_CODE_AND_NAME = re.compile(r"^([A-Za-z])[\s:.、,)\-]+(.+)$")
GROUP_NAME_SEPARATORS = re.compile(r"[/;|\n]")  # after NFKC, ／ ； ｜ are / ; |


def parse_year(value: str | None) -> int | None:
    """`1987`, `1987年`, `昭和62年`, `S62`, `平成元年` → 1987 ...; empty → None."""
    text = normalize_text(value)
    if not text:
        return None
    western = _WESTERN_YEAR.match(text)
    if western:
        year = int(western.group(1))
    else:
        japanese = _JAPANESE_YEAR.match(text)
        if not japanese:
            raise ValueError("not a year")
        era = japanese.group(1)
        start = _ERAS[era.upper() if len(era) == 1 else era]
        number = 1 if japanese.group(2) == "元" else int(japanese.group(2))
        if number < 1:
            raise ValueError("not a year")
        year = start + number - 1
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("year out of range")
    return year


def _comparable(text: str) -> str:
    return normalize_text(text).replace(" ", "").lower()


def parse_industry(value: str | None) -> str:
    """業種 as its JSIC letter (`E`), its Japanese or English name (`製造業`), or both (`E 製造業`)."""
    text = normalize_text(value)
    if not text:
        return ""
    codes = {i.code for i in industries()}
    if len(text) == 1 and text.upper() in codes:
        return text.upper()
    wanted = _comparable(text)
    for item in industries():
        if wanted in (_comparable(item.name_ja), _comparable(item.name_en)):
            return item.code
    both = _CODE_AND_NAME.match(text)
    if both and both.group(1).upper() in codes:
        code = both.group(1).upper()
        named = next(i for i in industries() if i.code == code)
        if _comparable(both.group(2)) in (_comparable(named.name_ja), _comparable(named.name_en)):
            return code
    raise ValueError("unknown industry")


def parse_website(value: str | None) -> str:
    text = normalize_text(value)
    if text and not _WEBSITE.match(text):
        raise ValueError("not a web address")
    return text


def split_group_names(value: str | None) -> list[str]:
    """`プラザ62／城南テクノ会` → two names; separators ／ ; | (full- or half-width) or line breaks."""
    text = normalize_text((value or "").replace("\r", "\n").replace("\n", "|"))
    names: list[str] = []
    for part in GROUP_NAME_SEPARATORS.split(text):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names
