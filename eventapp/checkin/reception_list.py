"""受付名簿: the paper fallback for the door when scanners, wifi or power fail.

Every confirmed registration in 五十音順 (Registration.sort_key) under あ行, か行, … headings, one row
each with a box to tick, the 受付番号, name, furigana, company, 参加区分 and ○ for the 懇親会. Those
already admitted somewhere when it is printed are marked 済, so a list printed mid-afternoon shows
who is still to come. A4 portrait; the table's header repeats on every page, the page's header carries
the event's title and page x / y.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from eventapp.checkin.models import CheckinEntry, Direction, EntryResult
from eventapp.events.models import Event
from eventapp.i18n import format_date, format_datetime, to_tokyo
from eventapp.printing import render_pdf
from eventapp.registration.models import Registration, RegistrationStatus

TEMPLATE = "checkin/reception_list.html"
STYLESHEETS = ("print.css", "checkin/reception_list.css")

# The first kana of each 行 (sort keys start with the base katakana: ガ is カ, ッ is ツ).
_ROWS = (("あ行", "アイウエオ"), ("か行", "カキクケコ"), ("さ行", "サシスセソ"), ("た行", "タチツテト"),
         ("な行", "ナニヌネノ"), ("は行", "ハヒフヘホ"), ("ま行", "マミムメモ"), ("や行", "ヤユヨ"),
         ("ら行", "ラリルレロ"), ("わ行", "ワヰヱヲン"))
OTHER_ROW = "その他"  # a reading that starts with no kana (a Latin name)


def gyo(sort_key: str) -> str:
    """The 行 a sort key files under."""
    first = sort_key[:1]
    return next((name for name, kana in _ROWS if first and first in kana), OTHER_ROW)


@dataclass(frozen=True)
class ListRow:
    receipt_code: str
    name: str
    furigana: str
    company: str
    category: str
    party: bool
    checked_in: bool


@dataclass(frozen=True)
class ListSection:
    heading: str  # あ行
    rows: tuple[ListRow, ...]


@dataclass(frozen=True)
class ReceptionList:
    title: str
    event_date: str
    printed_at: str
    total: int
    checked_in: int
    sections: tuple[ListSection, ...]


def reception_list(session: Session, event: Event, *, now: datetime) -> ReceptionList:
    people = session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED)
        .options(joinedload(Registration.category)).order_by(Registration.sort_key, Registration.id)).all()
    admitted = set(session.scalars(select(CheckinEntry.registration_id).distinct().where(
        CheckinEntry.event_id == event.id, CheckinEntry.result == EntryResult.OK,
        CheckinEntry.direction == Direction.IN)))
    sections: list[ListSection] = []
    current: list[ListRow] = []
    heading = None
    for person in people:
        row_heading = gyo(person.sort_key)
        if row_heading != heading and current:
            sections.append(ListSection(heading or OTHER_ROW, tuple(current)))
            current = []
        heading = row_heading
        current.append(ListRow(receipt_code=person.receipt_code, name=person.full_name, furigana=person.full_kana,
                               company=person.company_name, category=person.category.label_ja,
                               party=person.attends_party, checked_in=person.id in admitted))
    if current:
        sections.append(ListSection(heading or OTHER_ROW, tuple(current)))
    return ReceptionList(title=event.title("ja"), event_date=format_date(event.event_date, "ja"),
                         printed_at=format_datetime(to_tokyo(now), "ja"), total=len(people),
                         checked_in=sum(1 for person in people if person.id in admitted),
                         sections=tuple(sections))


def render_reception_list(listing: ReceptionList) -> bytes:
    return render_pdf(TEMPLATE, stylesheets=STYLESHEETS, r=listing)
