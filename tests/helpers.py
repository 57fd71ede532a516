"""Builders and small helpers for tests.

Builders work relative to a `now` (the test's `now` fixture, or the clock when the test passes none), never
to fixed calendar dates: the event is EVENT_AFTER after `now`, its registration opened a day before and
closes 30 days after, so the same test passes on any date and at any hour.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from eventapp.config import TestConfig
from eventapp.db import utcnow
from eventapp.demo import FIRST_MEETING_YEAR, english_ordinal
from eventapp.events.models import CategoryCode, EventStatus
from eventapp.events.services import EventDetails, create_event, fiscal_year_of
from eventapp.i18n import to_tokyo
from eventapp.mail.services import SiteLinks
from eventapp.registration.links import manage_link_token
from eventapp.registration.services import RegistrationAnswers, register

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SUBMISSION = re.compile(r'name="submission_id"[^>]*value="([^"]*)"')
BASE_URL = "http://testserver/"
# The links the mail worker writes, as it takes them from TestConfig.
LINKS = SiteLinks(base_url=BASE_URL, secret_key=TestConfig.SECRET_KEY)
EVENT_AFTER = timedelta(weeks=8)  # the event day, counted from `now`


_LANG_MARK = re.compile(r'<span lang="ja">((?:[^<]|<wbr>)*)</span>')


def without_lang_marks(html: str) -> str:
    """A page without the <span lang="ja"> that English pages put around each Japanese text (i18n.mark_japanese),
    for tests about something else that look for a Japanese text inside English."""
    return _LANG_MARK.sub(r"\1", html)


def csrf_token_from(response) -> str:
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def submission_id_from(response) -> str:
    match = _SUBMISSION.search(response.get_data(as_text=True))
    assert match, "no submission id on the page"
    return match.group(1)


def event_day(now: datetime, *, years: int = 0) -> date:
    """The day of the event make_event(now=now) builds; `years` later (or earlier, when negative)."""
    return to_tokyo(now).date() + EVENT_AFTER + timedelta(days=364 * years)  # 52 weeks: the same weekday


def make_event(session, *, slug: str = "godo-2027", capacity: int = 100, status: EventStatus = EventStatus.PUBLISHED,
               now: datetime | None = None, opens_in: timedelta = timedelta(days=-1),
               closes_in: timedelta = timedelta(days=30),
               category_capacities: dict[CategoryCode, int | None] | None = None, **overrides):
    """A published event EVENT_AFTER after `now` whose registration is open from opens_in to closes_in
    around `now`; edition and 年度 follow from its date."""
    now = now or utcnow()
    event_date = overrides.pop("event_date", None) or event_day(now)
    edition = event_date.year - FIRST_MEETING_YEAR + 1
    details = EventDetails(
        slug=slug, title_ja=f"第{edition}回 東京都異業種交流グループ合同交流会",
        title_en=f"{english_ordinal(edition)} Joint Exchange Meeting", edition=edition,
        fiscal_year=fiscal_year_of(event_date), event_date=event_date, doors_time=time(13, 0), start_time=time(13, 30), end_time=time(17, 30),
        venue_name="東京都立産業技術研究センター 本部", venue_address="東京都江東区青海2-4-10",
        venue_access="ゆりかもめ「テレコムセンター」駅 徒歩1分", venue_map_url="", description_ja="",
        description_en="", capacity=capacity, registration_opens_at=now + opens_in,
        registration_closes_at=now + closes_in, edit_deadline_at=None, status=status,
    )
    for key, value in overrides.items():
        setattr(details, key, value)
    event = create_event(session, details=details, category_capacities=category_capacities)
    session.commit()
    return event


def answers(n: int = 1, **overrides) -> RegistrationAnswers:
    values = dict(
        category_code="general", family_name="山田", given_name=f"太郎{n}", family_kana="ヤマダ",
        given_kana="タロウ", email=f"taro{n}@example.jp", company_name="株式会社サンプル", department="営業部",
        phone="0312345678", attends_party=True, consent_privacy=True,
    )
    values.update(overrides)
    return RegistrationAnswers(**values)


def make_registration(session, event, n: int = 1, *, now: datetime | None = None, **overrides):
    outcome = register(session, event, answers=answers(n, **overrides), now=now or utcnow())
    session.commit()
    return outcome.registration


def form_data(**overrides) -> dict:
    """What the registration form posts, as a person would type it."""
    data = {
        "category": "general", "family_name": "山田", "given_name": "太郎", "family_kana": "ヤマダ",
        "given_kana": "タロウ", "romaji": "YAMADA Taro", "company_name": "株式会社サンプル", "company_kana": "サンプル",
        "department": "営業部", "job_title": "部長", "industry_code": "E", "employees_band": "21-50", "group_id": "",
        "email": "taro@example.jp", "email_confirm": "taro@example.jp", "phone": "03-1234-5678",
        "postcode": "135-0064", "address": "東京都江東区青海2-4-10", "attends_party": "yes", "message": "",
        "consent_privacy": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def link_token(app, registration) -> str:
    """The token of the registration's private link, signed with the app's key."""
    return manage_link_token(registration, secret_key=app.config["SECRET_KEY"])


def private_link(app, registration) -> str:
    """The path of the registration's "my registration" page."""
    return f"/my/{link_token(app, registration)}"
