"""Small builders for the organisers' registration tests."""

from __future__ import annotations

from eventapp.directory.models import ExchangeGroup
from eventapp.text import gojuon_sort_key
from tests.helpers import make_registration, without_lang_marks


def make_group(session, name: str = "城南異業種交流会", reading: str = "ジョウナンイギョウシュコウリュウカイ") -> ExchangeGroup:
    group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading))
    session.add(group)
    session.commit()
    return group


def person(session, event, n: int, family_name: str, family_kana: str, **overrides):
    """A registration with a given family name and reading (given name タロウ)."""
    return make_registration(session, event, n, family_name=family_name, family_kana=family_kana, **overrides)


def body(response) -> str:
    """The page, without the lang marks of the Japanese in English pages (tested in tests/events/test_english_pages.py)."""
    return without_lang_marks(response.get_data(as_text=True))
