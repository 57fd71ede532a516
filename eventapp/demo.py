"""Demo data: `flask --app eventapp demo [--reset]`.

Builds, through the same services the pages use, the 合同交流会 of the next February after `now` (第31回 in
February 2027, 年度 2026) with 27 exchange groups, about 400 member companies and about 600 registrations
spread over the past four weeks (some on the waiting list, some cancelled), plus an organiser and a staff
account. Registration is open at `now`, whatever the date and hour, and the data has the same shape at any
`now`: the people, their categories and who cancels come from a fixed seed; only the times follow `now`.
Idempotent: when that year's demo event exists, nothing is changed unless reset=True, which first deletes
every row of every table except the built-in sheet layouts.
"""

from __future__ import annotations

import random
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import jaconv
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from eventapp import demo_data as data
from eventapp.accounts.models import Role, User
from eventapp.accounts.services import create_user
from eventapp.badges.layouts import UnknownSheet, layout_named
from eventapp.badges.models import SheetLayout
from eventapp.db import Base
from eventapp.directory import services as directory
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.events.models import TOKYO, CategoryCode, Event, EventStatus
from eventapp.events.services import EventDetails, create_event, fiscal_year_of
from eventapp.i18n import to_tokyo
from eventapp.registration.models import EMPLOYEE_BANDS, Registration, RegistrationSource, RegistrationStatus
from eventapp.registration.services import RegistrationAnswers, cancel, register
from eventapp.text import strip_legal_form_name, strip_legal_form_reading

DEMO_ORGANISER_EMAIL = "demo@example.jp"
DEMO_ORGANISER_PASSWORD = "demo-kouryukai-2027"
DEMO_STAFF_EMAIL = "staff@example.jp"
DEMO_STAFF_PASSWORD = "staff-uketsuke-2027"

SEED = 31
COMPANY_COUNT = 400
REGISTRATION_COUNT = 600
CANCELLATION_COUNT = 30
CAPACITY = 600  # seats stay open for someone trying the demo; 報道 has its own, full, capacity
PRESS_CAPACITY = 15
FIRST_MEETING_YEAR = 1997  # the 1st meeting was held in February 1997: February 2027 holds the 31st
CLOSES_DAYS_BEFORE = 8  # registration closes at 23:59 in Tokyo eight days before the meeting
OPEN_AT_LEAST = timedelta(days=2)  # closer than this to the close, the demo moves on to the next February
REGISTRATION_PERIOD = timedelta(days=30)  # registration opened (at 10:00 in Tokyo) about this long before `now`

CATEGORY_WEIGHTS = ((CategoryCode.MEMBER, 55), (CategoryCode.GENERAL, 25), (CategoryCode.EXHIBITOR, 10),
                    (CategoryCode.SPEAKER, 3.5), (CategoryCode.GUEST, 3), (CategoryCode.PRESS, 3.5))
LEGAL_FORMS = (("株式会社{}", "カブシキガイシャ{}", 45), ("{}株式会社", "{}カブシキガイシャ", 30), ("(有){}", "ユウゲンガイシャ{}", 8),
               ("有限会社{}", "ユウゲンガイシャ{}", 7), ("{}合同会社", "{}ゴウドウガイシャ", 5), ("(株){}", "カブシキガイシャ{}", 5))
WELL_KNOWN = {"富士電機", "日東電工", "東洋電機", "三和電機", "日進電子", "東邦化成"}  # keep fiction fictional


@dataclass(frozen=True)
class DemoCalendar:
    """When the demo event is, for a given `now`."""

    event_date: date
    registration_opens_at: datetime
    registration_closes_at: datetime

    @property
    def edition(self) -> int:
        return self.event_date.year - FIRST_MEETING_YEAR + 1

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.event_date)

    @property
    def slug(self) -> str:
        return f"godo-{self.event_date.year}"


def demo_calendar(now: datetime) -> DemoCalendar:
    """The meeting on the third Thursday of the first February whose registration is still open (for at
    least OPEN_AT_LEAST) at `now`; registration opened about REGISTRATION_PERIOD before `now`."""
    year = to_tokyo(now).year
    while True:
        event_date = _third_thursday_of_february(year)
        closes_at = datetime.combine(event_date - timedelta(days=CLOSES_DAYS_BEFORE), time(23, 59), tzinfo=TOKYO)
        if now + OPEN_AT_LEAST <= closes_at:
            break
        year += 1
    opens_at = datetime.combine(to_tokyo(now - REGISTRATION_PERIOD).date(), time(10, 0), tzinfo=TOKYO)
    return DemoCalendar(event_date=event_date, registration_opens_at=opens_at, registration_closes_at=closes_at)


def demo_event_slug(now: datetime) -> str:
    """The slug of the event `build_demo(now=now)` builds, e.g. godo-2027."""
    return demo_calendar(now).slug


def _third_thursday_of_february(year: int) -> date:
    first = date(year, 2, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def english_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass
class _Plan:
    """One registration to make: who, when, and whether (and when) they cancel."""

    answers: RegistrationAnswers
    at: datetime
    cancel_at: datetime | None = None
    cancelled_by_organiser: bool = False


def build_demo(session: Session, *, reset: bool, now: datetime) -> str:
    """Build the demo; returns one line saying what was done. The caller commits."""
    calendar = demo_calendar(now)
    if reset:
        delete_everything(session)
    elif session.scalar(select(Event.id).where(Event.slug == calendar.slug)) is not None:
        return f"The demo event ({calendar.slug}) exists already: nothing changed. Use --reset to build it again."
    # Three streams, so that neither `now` nor the groups and companies already there change who registers.
    directory_rng, people, clock = random.Random(SEED), random.Random(SEED + 1), random.Random(SEED + 2)
    _accounts(session)
    groups = _groups(session, directory_rng)
    companies = _companies(session, directory_rng, groups)
    event = _event(session, calendar)
    plans = _plans(people, clock, companies, now=now, opens_at=event.registration_opens_at)
    _register_all(session, event, plans)
    return _summary(session, event)


def delete_everything(session: Session) -> None:
    """Every row of every table, children first (the ORM metadata knows the order), except the built-in
    sheet layouts a migration seeded: without them no badge prints. If the default layout was one of the
    organisers' own, the built-in default becomes the default again."""
    session.flush()
    for table in reversed(Base.metadata.sorted_tables):
        if table is SheetLayout.__table__:
            session.execute(delete(SheetLayout).where(SheetLayout.builtin.is_(False)))
        else:
            session.execute(table.delete())
    session.expunge_all()
    if session.scalar(select(SheetLayout.id).where(SheetLayout.is_default.is_(True))) is None:
        with suppress(UnknownSheet):  # the layout badges fall back on when there is no default
            layout_named(session, None).is_default = True
            session.flush()


# --- accounts, groups, companies, event ----------------------------------------------------------


def _accounts(session: Session) -> None:
    for email, name, password, role in (
        (DEMO_ORGANISER_EMAIL, "事務局 デモ", DEMO_ORGANISER_PASSWORD, Role.ORGANISER),
        (DEMO_STAFF_EMAIL, "受付 スタッフ", DEMO_STAFF_PASSWORD, Role.STAFF),
    ):
        if session.scalar(select(User.id).where(func.lower(User.email) == email)) is None:
            create_user(session, email=email, display_name=name, password=password, role=role)


def _groups(session: Session, rng: random.Random) -> list[tuple[ExchangeGroup, str]]:
    existing = {g.name: g for g in session.scalars(select(ExchangeGroup))}
    groups = []
    for name, reading, founded, website, theme in data.GROUPS:
        group = existing.get(name)
        if group is None:
            family, given = rng.choice(data.FAMILY_NAMES)[0], rng.choice(data.GIVEN_NAMES)[0]
            representative = "日野 捷吉郎" if name == "プラザ62" else f"{family} {given}"
            description = data.PLAZA62_DESCRIPTION if name == "プラザ62" else data.GROUP_DESCRIPTIONS[theme]
            group = directory.create_group(session, details=directory.GroupDetails(
                name=name, reading=reading, founded_year=founded, website=website, description=description,
                representative=representative))
        groups.append((group, theme))
    return groups


def _company_name(rng: random.Random, taken: set[str]) -> tuple[str, str, str, str]:
    """A fictional company: name (as printed), reading, 業種 and the theme of groups it would join.
    `taken` holds names without legal form, so 株式会社青木製作所 and 青木製作所株式会社 never both exist."""
    while True:
        stem, stem_reading = rng.choice(data.NAME_STEMS)
        ending, ending_reading, industry_code, theme = rng.choice(data.NAME_ENDINGS)
        base = stem + ending
        if base in WELL_KNOWN or base in taken:
            continue
        taken.add(base)
        form, form_reading, _ = rng.choices(LEGAL_FORMS, weights=[w for *_, w in LEGAL_FORMS])[0]
        reading = stem_reading + ending_reading
        if rng.random() < 0.1:  # some readings include the legal form; the sort key ignores it
            reading = form_reading.format(reading)
        return form.format(base), reading, industry_code, theme


def _companies(session: Session, rng: random.Random,
               groups: list[tuple[ExchangeGroup, str]]) -> list[Company]:
    companies = list(session.scalars(select(Company)))
    taken = {strip_legal_form_name(c.name) for c in companies}
    weights = [rng.uniform(0.4, 2.0) for _ in groups]  # groups differ in size
    while len(companies) < COMPANY_COUNT:
        name, reading, industry_code, theme = _company_name(rng, taken)
        themed = [w * (2.5 if group_theme == theme else 1) for w, (_, group_theme) in zip(weights, groups, strict=True)]
        chosen = [rng.choices(groups, weights=themed)[0][0]]
        if rng.random() < 0.05:  # a few belong to two groups
            second = rng.choice(groups)[0]
            if second is not chosen[0]:
                chosen.append(second)
        slug = "".join(ch for ch in jaconv.kata2alphabet(strip_legal_form_reading(reading)) if ch.isalnum())
        kind = industry_code if industry_code in ("E", "G") else "other"
        companies.append(directory.create_company(session, details=directory.CompanyDetails(
            name=name, reading=reading, industry_code=industry_code,
            website=f"https://www.{slug}.example.co.jp/" if rng.random() < 0.6 else "",
            description=rng.choice(data.DESCRIPTIONS[kind]), group_ids=[g.id for g in chosen])))
    return companies


def _event(session: Session, calendar: DemoCalendar) -> Event:
    details = EventDetails(
        slug=calendar.slug,
        title_ja=f"第{calendar.edition}回 東京都異業種交流グループ合同交流会",
        title_en=f"The {english_ordinal(calendar.edition)} Joint Meeting of Tokyo's Cross-Industry Exchange Groups",
        edition=calendar.edition, fiscal_year=calendar.fiscal_year, event_date=calendar.event_date,
        doors_time=time(13, 0), start_time=time(13, 30), end_time=time(17, 30),
        venue_name="東京都立産業技術研究センター 本部",
        venue_address="東京都江東区青海2-4-10",
        venue_access=("ゆりかもめ「テレコムセンター」駅 徒歩1分\n"
                      "りんかい線「東京テレポート」駅 徒歩15分\n"
                      "都営バス「産業技術研究センター前」すぐ\n"
                      "お車でのご来場はご遠慮ください。"),
        venue_name_en="Tokyo Metropolitan Industrial Technology Research Institute (TIRI), Headquarters",
        venue_address_en="2-4-10 Aomi, Koto-ku, Tokyo 135-0064",
        venue_access_en=("Telecom Center Station (Yurikamome Line): 1 minute on foot\n"
                         "Tokyo Teleport Station (Rinkai Line): 15 minutes on foot\n"
                         "Toei Bus: the Sangyo Gijutsu Kenkyu Center-mae stop, at the door\n"
                         "Please do not come by car."),
        venue_map_url="https://www.openstreetmap.org/search?query=%E6%9D%B1%E4%BA%AC%E9%83%BD%E6%B1%9F%E6%9D%B1"
                      "%E5%8C%BA%E9%9D%92%E6%B5%B72-4-10",
        description_ja=("都内27の異業種交流グループと約400の会員企業、そして一般の皆さまが一堂に会する年に一度の合同交流会です。\n"
                        "13:30 開会・主催者挨拶\n13:45 グループ紹介・会員企業の発表\n"
                        "15:00 展示・名刺交換会\n16:30 懇親会（17:30 閉会）\n"
                        "参加費無料。懇親会は会費制（3,000円）です。"),
        description_en=("The yearly meeting of Tokyo's 27 cross-industry exchange groups, about 400 member companies "
                        "and the public: presentations, exhibits, business-card exchange and a networking party. "
                        "Free of charge; the party costs 3,000 yen."),
        capacity=CAPACITY, registration_opens_at=calendar.registration_opens_at,
        registration_closes_at=calendar.registration_closes_at,
        edit_deadline_at=None, status=EventStatus.PUBLISHED, contact_email="kouryukai@example.jp",
    )
    return create_event(session, details=details, category_capacities={CategoryCode.PRESS: PRESS_CAPACITY})


# --- registrations -----------------------------------------------------------------------------


def _times(rng: random.Random, count: int, *, start: datetime, end: datetime) -> list[datetime]:
    """Arrival times with a shape: a burst when registration opens, a steady middle, a late rise."""
    days = max((end - start).total_seconds() / 86400, 1.0)
    times: list[datetime] = []
    while len(times) < count:
        pick = rng.random()
        if pick < 0.35:
            offset = min(rng.expovariate(1 / 1.5), days)
        elif pick < 0.88:
            offset = rng.uniform(0, days)
        else:  # a rise after the reminder a week ago
            offset = days - min(rng.uniform(5, 8) - min(rng.expovariate(1 / 1.2), 3), days)
        day = (start + timedelta(days=offset)).astimezone(TOKYO).date()
        hour = rng.choices(range(7, 24), weights=[1, 3, 6, 8, 8, 6, 7, 8, 8, 7, 6, 4, 3, 3, 2, 2, 1])[0]
        at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=TOKYO)
        if start < at < end:
            times.append(at)
    return sorted(times)


def _phone(rng: random.Random, *, mobile: bool) -> str:
    if mobile:
        return rng.choice(("090", "080", "070")) + f"{rng.randrange(10**8):08d}"
    if rng.random() < 0.75:
        return "03" + f"{rng.randrange(10**8):08d}"  # 23 wards
    return "042" + f"{rng.randrange(10**7):07d}"  # Tama


def _answers(rng: random.Random, index: int, category: CategoryCode, companies: list[Company],
             emails: set[str]) -> RegistrationAnswers:
    if index % 75 == 7:  # several of each variant-kanji name, at fixed places
        family = data.VARIANT_FAMILY_NAMES[(index // 75) % len(data.VARIANT_FAMILY_NAMES)]
    else:
        family = rng.choice(data.FAMILY_NAMES + data.VARIANT_FAMILY_NAMES[:2])
    given = rng.choice(data.GIVEN_NAMES)
    locale = "en" if rng.random() < 0.03 else "ja"
    values: dict = {
        "family_name": family[0], "given_name": given[0], "family_kana": family[1], "given_kana": given[1],
        "romaji": f"{family[2]} {given[2]}" if locale == "en" or rng.random() < 0.6 else "",
        "department": rng.choice(data.DEPARTMENTS), "job_title": rng.choice(data.JOB_TITLES),
        "employees_band": rng.choices(EMPLOYEE_BANDS, weights=[18, 30, 24, 12, 10, 6])[0],
        "phone": _phone(rng, mobile=rng.random() < 0.4), "locale": locale,
    }
    if category in (CategoryCode.MEMBER, CategoryCode.EXHIBITOR, CategoryCode.SPEAKER) or (
            category == CategoryCode.GENERAL and rng.random() < 0.2):
        company = rng.choice(companies)
        values |= {"company_name": company.name, "company_kana": company.reading,
                   "industry_code": company.industry_code}
        if category != CategoryCode.GENERAL:
            values["group_id"] = rng.choice(company.groups).id
    elif category == CategoryCode.GENERAL:
        if rng.random() < 0.85:
            name, reading, industry_code, _ = _company_name(rng, set())
            values |= {"company_name": name, "company_kana": reading, "industry_code": industry_code}
        else:  # a private person
            values |= {"department": "", "job_title": "", "employees_band": "",
                       "phone": _phone(rng, mobile=True)}
    elif category == CategoryCode.GUEST:
        name, reading, industry_code = rng.choice(data.GUEST_ORGANISATIONS)
        values |= {"company_name": name, "company_kana": reading, "industry_code": industry_code,
                   "department": "", "job_title": rng.choice(data.GUEST_TITLES), "employees_band": ""}
    else:
        name, reading = rng.choice(data.PRESS_ORGANISATIONS)
        values |= {"company_name": name, "company_kana": reading, "industry_code": "G",
                   "department": rng.choice(("編集部", "報道部", "")), "job_title": rng.choice(("記者", "編集長", ""))}
    if rng.random() < 0.4:
        postcode, street = rng.choice(data.ADDRESSES)
        values |= {"postcode": postcode,
                   "address": f"{street}{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"}
    local = f"{given[2]}.{family[2]}".lower()
    email = f"{local}@{rng.choice(data.MAIL_DOMAINS)}"
    while email in emails:
        email = f"{local}{rng.randint(2, 99)}@{rng.choice(data.MAIL_DOMAINS)}"
    emails.add(email)
    return RegistrationAnswers(
        category_code=category.value, email=email, attends_party=rng.random() < 0.55,
        message=rng.choice(data.MESSAGES), consent_privacy=True,
        consent_share_with_exhibitors=rng.random() < 0.6, consent_name_in_programme=rng.random() < 0.45,
        consent_lead_scanning=rng.random() < 0.35, **values,
    )


def _plans(rng: random.Random, clock: random.Random, companies: list[Company], *, now: datetime,
           opens_at: datetime) -> list[_Plan]:
    """Who registers (from `rng`, the same at any `now`) and when (from `clock`, between the opening and
    just before `now`), in order of arrival."""
    end = now - timedelta(minutes=10)
    times = _times(clock, REGISTRATION_COUNT, start=opens_at + timedelta(minutes=5), end=end)
    codes = [code for code, _ in CATEGORY_WEIGHTS]
    weights = [weight for _, weight in CATEGORY_WEIGHTS]
    emails: set[str] = set()
    plans = []
    for index, at in enumerate(times):
        category = codes[index] if index < len(codes) else rng.choices(codes, weights=weights)[0]
        plans.append(_Plan(_answers(rng, index, category, companies, emails), at))
    for plan in rng.sample(plans, CANCELLATION_COUNT):  # cancellations come late rather than early
        plan.cancel_at = plan.at + (end - plan.at) * min(clock.random() ** 0.3, 0.98)
        plan.cancelled_by_organiser = rng.random() < 0.2
    return plans


def _register_all(session: Session, event: Event, plans: list[_Plan]) -> None:
    """Registrations and cancellations in the order they happened, so the waiting list fills and
    moves as it would have."""
    steps = [(plan.at, 0, plan) for plan in plans]
    steps += [(plan.cancel_at, 1, plan) for plan in plans if plan.cancel_at]
    steps.sort(key=lambda step: (step[0], step[1]))
    made: dict[int, Registration] = {}
    for at, kind, plan in steps:
        if kind == 0:
            outcome = register(session, event, answers=plan.answers, now=at,
                               source=RegistrationSource.DEMO, actor="system:demo", notify=False)
            made[id(plan)] = outcome.registration
        else:
            actor = f"organiser:{DEMO_ORGANISER_EMAIL}" if plan.cancelled_by_organiser else "attendee"
            cancel(session, made[id(plan)], now=at, actor=actor,
                   by_organiser=plan.cancelled_by_organiser)


def _summary(session: Session, event: Event) -> str:
    counts = dict(session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id).group_by(Registration.status)).all())
    groups = session.scalar(select(func.count(ExchangeGroup.id)))
    companies = session.scalar(select(func.count(Company.id)))
    total = sum(counts.values())
    return (f"Demo built: {groups} groups, {companies} companies, {total} registrations for "
            f"{event.title_ja} on {event.event_date:%Y-%m-%d}, slug {event.slug} ({counts.get(RegistrationStatus.CONFIRMED, 0)} confirmed, "
            f"{counts.get(RegistrationStatus.WAITLISTED, 0)} waiting, "
            f"{counts.get(RegistrationStatus.CANCELLED, 0)} cancelled). "
            f"Staff login: {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD}")
