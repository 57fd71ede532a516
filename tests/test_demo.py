"""The demo data set: realistic, obeying the same rules as real data, idempotent, rebuilt by reset, and of the
same shape whatever the date and hour it is built at; `flask demo` on a new database; reset keeps the built-in
sheet layouts."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from eventapp import create_app
from eventapp.accounts.models import Role, User
from eventapp.accounts.services import authenticate
from eventapp.badges.layouts import all_layouts, layout_named
from eventapp.badges.services import create_layout, make_default_layout
from eventapp.db import db
from eventapp.demo import (
    DEMO_ORGANISER_EMAIL,
    DEMO_ORGANISER_PASSWORD,
    DEMO_STAFF_EMAIL,
    OPEN_AT_LEAST,
    build_demo,
    delete_everything,
    demo_calendar,
    demo_event_slug,
)
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.events.models import TOKYO, CategoryCode, Event, EventStatus
from eventapp.i18n import to_tokyo
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.text import is_katakana_reading

BUILTIN_SHEETS = {"card-a4-2x5", "a6-a4-2x2", "a6-single", "card-single"}


def _count(session, column) -> int:
    return session.scalar(select(func.count(column)))


def _assert_demo_shape(session, now: datetime) -> Event:
    """What must hold at any `now`: the February meeting after it, open for registration, with a waiting
    list (報道 full), cancellations, every public category, and every time in the past."""
    event = session.scalar(select(Event).where(Event.slug == demo_event_slug(now)))
    assert event is not None and event.status == EventStatus.PUBLISHED
    day = event.event_date
    assert day.month == 2 and day.weekday() == 3 and 15 <= day.day <= 21  # the third Thursday of February
    assert to_tokyo(now).date() < day and day.year - to_tokyo(now).year in (0, 1)  # the February after `now`
    assert event.edition == day.year - 1996 and f"第{event.edition}回" in event.title_ja
    assert event.fiscal_year == day.year - 1  # 年度 runs April to March: February belongs to the year before
    assert event.registration_opens_at < now and now + OPEN_AT_LEAST <= event.registration_closes_at

    registrations = session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    assert 570 <= len(registrations) <= 630
    assert {r.category.code for r in registrations} == set(CategoryCode) - {CategoryCode.STAFF}
    by_status = {status: [r for r in registrations if r.status == status] for status in RegistrationStatus}
    assert 20 <= len(by_status[RegistrationStatus.CANCELLED]) <= 40
    confirmed, waiting = by_status[RegistrationStatus.CONFIRMED], by_status[RegistrationStatus.WAITLISTED]
    assert waiting, "nobody on the waiting list"
    assert 0 < event.capacity - len(confirmed) <= 60  # a few seats left for someone trying the demo
    press = next(c for c in event.categories if c.code == CategoryCode.PRESS)
    assert all(r.category_id == press.id for r in waiting)  # 報道 is full
    assert sum(1 for r in confirmed if r.category_id == press.id) == press.capacity
    for category in event.categories:
        if category.capacity is not None:
            assert sum(1 for r in confirmed if r.category_id == category.id) <= category.capacity

    # spread over the past weeks, so that a chart has a shape; nothing in the future
    created = sorted(r.created_at for r in registrations)
    assert event.registration_opens_at < created[0] and created[-1] < now
    assert created[-1] - created[0] > timedelta(days=20)
    assert all(r.created_at <= r.cancelled_at < now for r in by_status[RegistrationStatus.CANCELLED])
    return event


def test_demo_builds_a_realistic_event_once_and_reset_rebuilds_it(app, session, now):
    summary = build_demo(session, reset=False, now=now)
    session.commit()
    assert "27 groups" in summary and "400 companies" in summary and demo_event_slug(now) in summary

    # groups and companies
    assert _count(session, ExchangeGroup.id) == 27
    plaza = session.scalar(select(ExchangeGroup).where(ExchangeGroup.name == "プラザ62"))
    assert plaza.founded_year == 1987 and plaza.reading == "プラザロクジュウニ"
    companies = session.scalars(select(Company)).all()
    assert 380 <= len(companies) <= 420
    assert all(c.groups and 1 <= len(c.groups) <= 2 for c in companies)
    assert any(len(c.groups) == 2 for c in companies)
    assert all(is_katakana_reading(c.reading) for c in companies)
    industries = [c.industry_code for c in companies]
    assert industries.count("E") + industries.count("G") > 0.7 * len(companies) and len(set(industries)) > 3
    assert any("株式会社" in c.name for c in companies) and any(c.name.startswith("(有)") for c in companies)

    # the event and its registrations
    event = _assert_demo_shape(session, now)
    registrations = session.scalars(select(Registration)).all()
    names = {r.family_name for r in registrations}
    assert {"髙橋", "山﨑", "髙田", "宮﨑"} <= names
    assert sum(1 for r in registrations if "髙" in r.family_name or "﨑" in r.family_name) >= 6
    assert all(is_katakana_reading(r.family_kana) and is_katakana_reading(r.given_kana) for r in registrations)
    assert any(r.romaji for r in registrations) and any(not r.romaji for r in registrations)
    assert any(r.attends_party for r in registrations) and any(not r.attends_party for r in registrations)
    assert any(r.consent_lead_scanning for r in registrations) and any(
        not r.consent_lead_scanning for r in registrations)
    assert all(r.consent_privacy and r.phone_display for r in registrations)
    members = [r for r in registrations if r.category.code == CategoryCode.MEMBER]
    assert all(r.group_id and r.company_name for r in members)
    assert len({r.email_key for r in registrations}) == len(registrations)

    # accounts
    assert authenticate(session, email=DEMO_ORGANISER_EMAIL, password=DEMO_ORGANISER_PASSWORD, now=now).is_organiser
    assert session.scalar(select(User.role).where(User.email == DEMO_STAFF_EMAIL)) == Role.STAFF
    session.commit()

    # a second run changes nothing
    again = build_demo(session, reset=False, now=now + timedelta(minutes=1))
    session.commit()
    assert "nothing changed" in again and event.slug in again
    assert (_count(session, Registration.id), _count(session, Company.id), _count(session, User.id),
            _count(session, Event.id)) == (len(registrations), len(companies), 2, 1)

    # a year on, the next meeting is added; groups, companies and accounts carry over
    next_year = now + timedelta(days=365)
    build_demo(session, reset=False, now=next_year)
    session.commit()
    later = _assert_demo_shape(session, next_year)
    assert later.edition > event.edition and _count(session, Event.id) == 2
    assert (_count(session, ExchangeGroup.id), _count(session, Company.id), _count(session, User.id)) == \
        (27, len(companies), 2)

    # reset deletes everything but the built-in sheet layouts, then builds the same data again (fixed seed)
    session.add(ExchangeGroup(name="消えるグループ", reading="キエルグループ", sort_key="キエル"))
    session.commit()
    company_names = sorted(c.name for c in companies)
    person_names = sorted((r.family_name, r.given_name, r.email) for r in registrations)
    build_demo(session, reset=True, now=now + timedelta(minutes=2))
    session.commit()
    assert _count(session, ExchangeGroup.id) == 27 and _count(session, Event.id) == 1 and _count(session, User.id) == 2
    assert sorted(session.scalars(select(Company.name))) == company_names
    assert sorted(session.execute(select(Registration.family_name, Registration.given_name, Registration.email))
                  .all()) == person_names
    assert {layout.name for layout in all_layouts(session)} == BUILTIN_SHEETS


@pytest.mark.parametrize("instant", [
    datetime(2026, 12, 1, 8, 0, tzinfo=UTC),  # an hour at which nobody used to end up on the waiting list
    datetime(2027, 2, 12, 3, 0, tzinfo=UTC),  # registration for February 2027 has closed: the next February
    datetime(2027, 3, 31, 15, 30, tzinfo=UTC),  # 00:30 on 1 April in Tokyo: a new 年度
], ids=lambda instant: instant.strftime("%Y-%m-%dT%H%MZ"))
def test_demo_has_the_same_shape_at_any_date_and_hour(app, session, time_machine, instant):
    time_machine.move_to(instant, tick=True)  # what the services stamp by themselves is then near `instant` too
    build_demo(session, reset=False, now=instant)
    session.commit()
    _assert_demo_shape(session, instant)


@pytest.mark.parametrize(("instant", "event_date", "edition", "fiscal_year"), [
    (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), date(2027, 2, 18), 31, 2026),
    (datetime(2026, 12, 31, 15, 30, tzinfo=UTC), date(2027, 2, 18), 31, 2026),  # 00:30 on 1 January in Tokyo
    (datetime(2027, 2, 8, 14, 59, tzinfo=UTC), date(2027, 2, 18), 31, 2026),  # two days before the close
    (datetime(2027, 2, 8, 15, 0, tzinfo=UTC), date(2028, 2, 17), 32, 2027),  # less than two days: next year
    (datetime(2027, 2, 18, 4, 0, tzinfo=UTC), date(2028, 2, 17), 32, 2027),  # on the day of the meeting
    (datetime(2027, 3, 31, 15, 30, tzinfo=UTC), date(2028, 2, 17), 32, 2027),  # 1 April in Tokyo, a new 年度
    (datetime(2028, 2, 29, 12, 0, tzinfo=UTC), date(2029, 2, 15), 33, 2028),
], ids=lambda value: value.strftime("%Y-%m-%dT%H%MZ") if isinstance(value, datetime) else None)
def test_demo_calendar_is_the_next_february_still_open(instant, event_date, edition, fiscal_year):
    calendar = demo_calendar(instant)
    assert (calendar.event_date, calendar.edition, calendar.fiscal_year) == (event_date, edition, fiscal_year)
    assert demo_event_slug(instant) == calendar.slug == f"godo-{event_date.year}"
    closes = event_date - timedelta(days=8)  # at 23:59 in Tokyo
    assert calendar.registration_closes_at == datetime(closes.year, closes.month, closes.day, 23, 59, tzinfo=TOKYO)
    assert instant + OPEN_AT_LEAST <= calendar.registration_closes_at
    assert timedelta(days=29) < instant - calendar.registration_opens_at < timedelta(days=31)


# --- reset and the built-in sheet layouts (issue 6, hole k) -------------------------------------------


def test_reset_keeps_the_builtin_sheet_layouts(app, session):
    own = create_layout(session, name="my-labels", label_ja="自前のラベル", label_en="Our labels", design="card",
                        page_width_mm=210, page_height_mm=297, label_width_mm=91, label_height_mm=55, columns=2,
                        rows=5, margin_left_mm=14, margin_top_mm=11, pitch_x_mm=91, pitch_y_mm=55)
    make_default_layout(session, own)
    session.commit()

    delete_everything(session)
    session.commit()
    assert {layout.name for layout in all_layouts(session)} == BUILTIN_SHEETS  # ours is gone, the presets stay
    assert layout_named(session, None).name == "card-a4-2x5"  # and the built-in default is the default again
    assert [layout.name for layout in all_layouts(session) if layout.is_default] == ["card-a4-2x5"]
    assert layout_named(session, "a6-single").builtin


# --- `flask demo` on a new database (issue 6, hole k) -------------------------------------------------


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database of the test's kind with no tables at all."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{make_url(database_url).database}_empty"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app_on(app_config: dict, url: str):
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})


def _flask(app, *args: str):
    """`flask --app eventapp ARGS`; the flask command pushes an app context, the test runner does not."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_demo_on_a_database_without_tables_migrates_it_first(app_config, empty_database_url):
    fresh = _app_on(app_config, empty_database_url)
    try:
        result = _flask(fresh, "demo")
        assert result.exit_code == 0, result.output
        assert result.exception is None
        assert "no tables" in result.output and "Demo built" in result.output
        sheets = _flask(fresh, "badges", "sheets")
        assert sheets.exit_code == 0 and "card-a4-2x5" in sheets.output and "(default)" in sheets.output
    finally:
        _dispose(fresh)


def test_demo_on_an_outdated_database_says_what_to_run(app_config, empty_database_url):
    from flask_migrate import upgrade

    fresh = _app_on(app_config, empty_database_url)
    try:
        with fresh.app_context():
            upgrade(revision="5a165d65a365")  # the first migration only
            db.engine.dispose()
        result = _flask(fresh, "demo")
        assert result.exit_code == 1
        assert isinstance(result.exception, SystemExit)  # a message, not a traceback
        assert "flask --app eventapp db upgrade" in result.output
        with fresh.app_context():
            assert db.session.scalar(text("SELECT COUNT(*) FROM events")) == 0  # nothing was built
    finally:
        _dispose(fresh)


def test_demo_on_tables_made_without_migrations_says_what_to_do(app_config, empty_database_url):
    fresh = _app_on(app_config, empty_database_url)
    try:
        with fresh.app_context():
            db.create_all()
        result = _flask(fresh, "demo")
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "no migration history" in result.output and "new, empty database" in result.output
    finally:
        _dispose(fresh)
