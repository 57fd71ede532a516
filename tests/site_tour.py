"""Every page of the site, public and organiser, with data on it: what the accessibility (axe-core, in the
browser) and HTML (Nu checker) tests visit.

`build_site(session, app)` fills the database (an event with registrations in each status, a history of
changes, exchange groups and companies, an outbox message with a long private link, finished jobs with a
report). `public_pages(site)` and `organiser_pages(site)` list the pages to open with GET; `error_forms(site)`
the forms to send empty or wrong, so that their pages with errors are checked too.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from eventapp.checkin.models import EntryResult, PointKind
from eventapp.db import utcnow
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.events.models import CategoryCode
from eventapp.jobs.kinds import start_job
from eventapp.jobs.models import JobStatus
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.registration import services
from eventapp.registration.models import Registration
from eventapp.text import company_sort_key, gojuon_sort_key
from tests.helpers import answers, link_token, make_event, make_registration


@dataclass(frozen=True)
class TourPage:
    name: str  # short, for file names and messages
    path: str


@dataclass(frozen=True)
class ErrorForm:
    """A form sent with what a person might get wrong (empty required fields, a bad address)."""
    name: str
    path: str  # GET it for the CSRF token, then POST to it
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Site:
    slug: str
    event_id: int
    registration_id: int  # confirmed, with a history of changes
    cancelled_id: int
    link: str  # the confirmed registration's private link token
    expired_link: str  # the same registration's link, signed long ago
    message_id: int
    badge_job_id: int
    import_job_id: int
    group_id: int
    company_id: int
    point_id: int  # the event's 受付


LONG_LINK = "http://testserver/my/" + "eyJyZWdpc3RyYXRpb24iOjEsInB1cnBvc2UiOiJtYW5hZ2UifQ" * 3 + ".aBcDeFgHiJkLmNoPqRsTuVwXyZ"


def build_site(session, app) -> Site:
    now = utcnow()
    groups = []
    for name, reading in (("城東異業種交流会", "ジョウトウイギョウシュコウリュウカイ"),
                          ("多摩テクノフォーラム", "タマテクノフォーラム")):
        group = ExchangeGroup(name=name, reading=reading, sort_key=gojuon_sort_key(reading), founded_year=1987,
                              website="https://example.jp/johto", representative="代表 一郎")
        session.add(group)
        groups.append(group)
    company = Company(name="株式会社サンプル精工", reading="サンプルセイコウ", sort_key=company_sort_key("株式会社サンプル精工", "サンプルセイコウ"),
                      industry_code="E", website="https://example.jp/sample")
    company.groups = [groups[0]]
    session.add(company)
    session.flush()
    event = make_event(session, capacity=120, category_capacities={CategoryCode.EXHIBITOR: 40},
                       description_ja="毎年2月、都内の異業種交流グループと会員企業が集まります。",
                       description_en="Every February the exchange groups and their member companies meet.",
                       venue_map_url="https://www.iri-tokyo.jp/")
    confirmed = make_registration(session, event, 1, family_name="髙﨑", given_name="太郎", family_kana="タカサキ",
                                  given_kana="タロウ", company_name="株式会社サンプル精工", department="技術開発部",
                                  job_title="部長", category_code="member", group_id=groups[0].id,
                                  postcode="1350064", romaji="TAKASAKI Taro")
    make_registration(session, event, 2, family_name="山田", given_name="花子", category_code="exhibitor",
                      group_id=groups[1].id)
    cancelled = make_registration(session, event, 3, family_name="吉田", given_name="一郎")
    services.update_answers(session, confirmed, answers=answers(1, family_name="髙﨑", given_name="太郎",
                                                               family_kana="タカサキ", given_kana="タロウ",
                                                               category_code="member", company_name="株式会社サンプル精工",
                                                               department="技術開発部", job_title="課長",
                                                               group_id=groups[0].id, postcode="1350064"),
                            now=now, actor="attendee")
    services.cancel(session, cancelled, now=now, actor="attendee")
    message = OutboxMessage(kind="test", to_address="person1@example.jp", subject="【受付完了】合同交流会",
                            body_text=f"髙﨑 太郎 様\n\nお申し込みを受け付けました。\n\n申込内容の確認・変更:\n{LONG_LINK}\n",
                            status=OutboxStatus.HELD, created_at=now, message_id_header="<tour-1@test>",
                            last_error="550 5.1.1 " + "mailbox-unavailable-" * 6)
    session.add(message)
    session.flush()
    badge_job = start_job(session, kind="badges", total=2, params={"event": event.slug}, created_by="事務局 太郎")
    badge_job.status, badge_job.done, badge_job.finished_at = JobStatus.DONE, 2, now
    badge_job.message = "髙﨑 太郎: 𠮷"
    import_job = start_job(session, kind="import-registrations", total=3, params={"filename": "members.csv"},
                           created_by="事務局 太郎")
    import_job.status, import_job.finished_at = JobStatus.FAILED, now + timedelta(seconds=1)
    import_job.result_json = json.dumps({
        "file_errors": [], "rows_read": 3, "event_slug": event.slug, "source": "UTF-8", "ignored_columns": ["備考"],
        "row_errors": [{"line": 2, "column": "メールアドレス", "message": "メールアドレス：形式が正しくありません。"},
                       {"line": 3, "column": "", "message": "姓：入力してください。"}],
    }, ensure_ascii=False)
    point_id = _check_in(session, event, confirmed, cancelled, now=now)
    session.commit()
    ids = dict(slug=event.slug, event_id=event.id, registration_id=confirmed.id, cancelled_id=cancelled.id,
               message_id=message.id, badge_job_id=badge_job.id, import_job_id=import_job.id,
               group_id=groups[0].id, company_id=company.id, point_id=point_id)
    registration = session.scalar(select(Registration).where(Registration.id == confirmed.id))
    return Site(**ids, link=link_token(app, registration), expired_link=_expired_token(app, registration))


def _check_in(session, event, confirmed, cancelled, *, now) -> int:
    """A 懇親会 point limited to members, an arrival at the door and a flagged offline scan (a cancelled
    registration let in), so that the arrivals, points and flags pages have something in every part."""
    from eventapp.checkin import services as checkin
    from tests.checkin.entries import entry

    reception = checkin.default_point(session, event)
    party = checkin.create_point(session, event, code="party", name_ja="懇親会", name_en="Party",
                                 kind=PointKind.PARTY, allowed_categories=["member"], party_only=True)
    party.closed_at = now
    door, _ = checkin.create_device(session, event, name="受付-1", point=reception, created_by="test", now=now)
    entry(session, door.id, reception.id, confirmed, now - timedelta(minutes=25), first_in=True)
    entry(session, door.id, reception.id, cancelled, now - timedelta(minutes=12), result=EntryResult.REFUSED,
          reason="cancelled", queued=True, flagged=True, recorded_at=now - timedelta(minutes=2))
    return reception.id


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 10 * 365 * 24 * 3600


def _expired_token(app, registration) -> str:
    """A private link signed ten years ago: the page says it has expired (410)."""
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="eventapp.manage-registration",
                                  signer=_LongAgo).dumps(registration.manage_secret)


def public_pages(site: Site) -> list[TourPage]:
    return [
        TourPage("index", "/"),
        TourPage("event", f"/events/{site.slug}"),
        TourPage("register", f"/events/{site.slug}/register"),
        TourPage("resend-link", f"/events/{site.slug}/resend-link"),
        TourPage("my-registration", f"/my/{site.link}"),
        TourPage("my-edit", f"/my/{site.link}/edit"),
        TourPage("my-cancel", f"/my/{site.link}/cancel"),
        TourPage("ticket", f"/my/{site.link}/ticket"),
        TourPage("login", "/login"),
        TourPage("error-404", "/events/no-such-event"),
        TourPage("error-410", f"/my/{site.expired_link}"),
    ]


def organiser_pages(site: Site) -> list[TourPage]:
    reg = f"/admin/registrations/{site.registration_id}"
    return [
        TourPage("dashboard", "/admin/"),
        TourPage("registrations", f"/admin/registrations?event={site.slug}"),
        TourPage("registration-detail", reg),
        TourPage("registration-detail-cancelled", f"/admin/registrations/{site.cancelled_id}"),
        TourPage("registration-edit", f"{reg}/edit"),
        TourPage("registration-cancel", f"{reg}/cancel"),
        TourPage("registrations-import", f"/admin/registrations/import?event={site.slug}"),
        TourPage("events", "/admin/events"),
        TourPage("event-edit", f"/admin/events/{site.event_id}/edit"),
        TourPage("event-new", "/admin/events/new"),
        TourPage("groups", "/admin/groups"),
        TourPage("group", f"/admin/groups/{site.group_id}"),
        TourPage("group-new", "/admin/groups/new"),
        TourPage("groups-import", "/admin/groups/import"),
        TourPage("companies", "/admin/companies"),
        TourPage("company", f"/admin/companies/{site.company_id}"),
        TourPage("badges", "/admin/badges"),
        TourPage("badge-sheets", "/admin/badges/sheets"),
        TourPage("outbox", "/admin/outbox/"),
        TourPage("outbox-message", f"/admin/outbox/{site.message_id}"),
        TourPage("job-badges", f"/admin/jobs/{site.badge_job_id}"),
        TourPage("job-import-report", f"/admin/jobs/{site.import_job_id}"),
        TourPage("checkin-devices", f"/admin/checkin/events/{site.event_id}/devices"),
        TourPage("checkin-arrivals", f"/admin/checkin/events/{site.event_id}/arrivals"),
        TourPage("checkin-points", f"/admin/checkin/events/{site.event_id}/points"),
        TourPage("checkin-point-edit", f"/admin/checkin/points/{site.point_id}/edit"),
        TourPage("checkin-point-close", f"/admin/checkin/points/{site.point_id}/close"),
        TourPage("checkin-flags", f"/admin/checkin/events/{site.event_id}/flags"),
    ]


def public_error_forms(site: Site) -> list[ErrorForm]:
    return [
        ErrorForm("register-errors", f"/events/{site.slug}/register",
                  {"email": "taro＠example", "email_confirm": "x@example.jp", "phone": "03-12", "postcode": "135"}),
        ErrorForm("resend-link-errors", f"/events/{site.slug}/resend-link", {"email": "not-an-address"}),
        ErrorForm("my-edit-errors", f"/my/{site.link}/edit", {"family_name": "", "email": "bad"}),
        ErrorForm("login-errors", "/login", {"email": "", "password": ""}),
    ]


def organiser_error_forms(site: Site) -> list[ErrorForm]:
    return [
        ErrorForm("registration-edit-errors", f"/admin/registrations/{site.registration_id}/edit",
                  {"family_name": "", "email": "bad"}),
        ErrorForm("event-new-errors", "/admin/events/new", {}),
        ErrorForm("group-new-errors", "/admin/groups/new", {}),
        ErrorForm("company-new-errors", "/admin/companies/new", {}),
        ErrorForm("badge-sheets-errors", "/admin/badges/sheets", {}),
        ErrorForm("checkin-device-errors", f"/admin/checkin/events/{site.event_id}/devices", {"name": ""}),
        ErrorForm("checkin-point-errors", f"/admin/checkin/events/{site.event_id}/points",
                  {"code": "Bad code", "name_ja": ""}),
    ]
