"""業種: 日本標準産業分類 (JSIC) 大分類, kept as data in eventapp/data/jsic_divisions.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "jsic_divisions.csv"


@dataclass(frozen=True)
class Industry:
    code: str
    name_ja: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ja


@cache
def industries() -> tuple[Industry, ...]:
    with _DATA.open(encoding="utf-8") as handle:
        return tuple(Industry(**row) for row in csv.DictReader(handle))


def industry(code: str) -> Industry | None:
    return next((i for i in industries() if i.code == code), None)


def industry_name(code: str, locale: str) -> str:
    found = industry(code)
    return found.name(locale) if found else ""
