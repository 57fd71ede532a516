"""The demo data set: realistic, obeying the same rules as real data, idempotent, and rebuilt by reset."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.accounts.models import Role, User
from eventapp.accounts.services import authenticate
from eventapp.db import utcnow
from eventapp.demo import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD, DEMO_STAFF_EMAIL, build_demo
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.events.models import CategoryCode, Event, EventStatus
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.text import is_katakana_reading


def _count(session, column) -> int:
    return session.scalar(select(func.count(column)))


def test_demo_builds_a_realistic_event_once_and_reset_rebuilds_it(app, session):
    now = utcnow()
    summary = build_demo(session, reset=False, now=now)
    session.commit()
    assert "27 groups" in summary and "400 companies" in summary

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
    event = session.scalar(select(Event))
    assert event.status == EventStatus.PUBLISHED and event.edition == 31 and event.fiscal_year == 2026
    assert event.event_date.isoformat() == "2027-02-18" and event.event_date.weekday() == 3
    assert event.registration_opens_at < now < event.registration_closes_at
    registrations = session.scalars(select(Registration)).all()
    assert 570 <= len(registrations) <= 630
    names = {r.family_name for r in registrations}
    assert {"髙橋", "山﨑", "髙田", "宮﨑"} <= names
    assert sum(1 for r in registrations if "髙" in r.family_name or "﨑" in r.family_name) >= 6
    assert {r.category.code for r in registrations} == set(CategoryCode) - {CategoryCode.STAFF}
    assert all(is_katakana_reading(r.family_kana) and is_katakana_reading(r.given_kana) for r in registrations)
    assert any(r.romaji for r in registrations) and any(not r.romaji for r in registrations)
    assert any(r.attends_party for r in registrations) and any(not r.attends_party for r in registrations)
    assert any(r.consent_lead_scanning for r in registrations) and any(
        not r.consent_lead_scanning for r in registrations)
    assert all(r.consent_privacy and r.phone_display for r in registrations)
    members = [r for r in registrations if r.category.code == CategoryCode.MEMBER]
    assert all(r.group_id and r.company_name for r in members)
    assert len({r.email_key for r in registrations}) == len(registrations)

    by_status = {status: [r for r in registrations if r.status == status] for status in RegistrationStatus}
    assert 20 <= len(by_status[RegistrationStatus.CANCELLED]) <= 40
    assert by_status[RegistrationStatus.WAITLISTED]
    confirmed = by_status[RegistrationStatus.CONFIRMED]
    assert 0 < event.capacity - len(confirmed) <= 60  # a few seats left for someone trying the demo
    press = next(c for c in event.categories if c.code == CategoryCode.PRESS)
    assert all(r.category_id == press.id for r in by_status[RegistrationStatus.WAITLISTED])  # 報道 is full
    for category in event.categories:
        if category.capacity is not None:
            assert sum(1 for r in confirmed if r.category_id == category.id) <= category.capacity

    # spread over the past weeks, so a chart has a shape
    created = sorted(r.created_at for r in registrations)
    assert created[-1] < now and created[-1] - created[0] > timedelta(days=20)
    assert all(r.created_at <= r.cancelled_at < now for r in by_status[RegistrationStatus.CANCELLED])

    # accounts
    assert authenticate(session, email=DEMO_ORGANISER_EMAIL, password=DEMO_ORGANISER_PASSWORD, now=now).is_organiser
    assert session.scalar(select(User.role).where(User.email == DEMO_STAFF_EMAIL)) == Role.STAFF
    session.commit()

    # a second run changes nothing
    again = build_demo(session, reset=False, now=utcnow())
    session.commit()
    assert "nothing changed" in again
    assert (_count(session, Registration.id), _count(session, Company.id), _count(session, User.id),
            _count(session, Event.id)) == (len(registrations), len(companies), 2, 1)

    # reset deletes everything, then builds the same data again (fixed seed)
    session.add(ExchangeGroup(name="消えるグループ", reading="キエルグループ", sort_key="キエル"))
    session.commit()
    company_names = sorted(c.name for c in companies)
    person_names = sorted((r.family_name, r.given_name, r.email) for r in registrations)
    build_demo(session, reset=True, now=utcnow())
    session.commit()
    assert _count(session, ExchangeGroup.id) == 27 and _count(session, Event.id) == 1 and _count(session, User.id) == 2
    assert sorted(session.scalars(select(Company.name))) == company_names
    assert sorted(session.execute(select(Registration.family_name, Registration.given_name, Registration.email))
                  .tuples()) == person_names
