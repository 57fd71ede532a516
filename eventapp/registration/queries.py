"""Finding registrations for organisers: search, filters and sort orders.

Used by the list page (which pages these statements with Flask-SQLAlchemy) and the exports, so both see the
same people for the same filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from eventapp.events.models import CategoryCode, Event, EventCategory
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.text import (
    company_sort_key,
    digits_only,
    is_katakana_reading,
    normalize_text,
    to_katakana_reading,
)

SORTS = ("kana", "newest", "receipt", "company")  # 五十音 (default), newest first, 受付番号, company 五十音
NO_GROUP = "none"  # the group filter's value for "not in any group"
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class RegistrationFilters:
    q: str = ""
    category: str = ""  # a CategoryCode value
    status: str = ""  # a RegistrationStatus value
    group: str = ""  # an exchange group's id, or NO_GROUP

    @classmethod
    def clean(cls, *, q: str | None = None, category: str | None = None, status: str | None = None,
              group: str | int | None = None) -> RegistrationFilters:
        """Filters from untrusted input: anything unknown is dropped rather than refused."""
        category = category if category in {c.value for c in CategoryCode} else ""
        status = status if status in {s.value for s in RegistrationStatus} else ""
        group = str(group) if group is not None else ""
        if group != NO_GROUP and not (group.isdigit() and len(group) <= 9):
            group = ""
        return cls(q=normalize_text(q)[:MAX_QUERY_LENGTH], category=category, status=status, group=group)

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.status or self.group)

    def as_args(self, *, without: str = "") -> dict[str, str]:
        """As URL query arguments (for links that keep the filters), leaving out `without`."""
        return {k: v for k, v in (("q", self.q), ("category", self.category), ("status", self.status),
                                  ("group", self.group)) if v and k != without}


def _term_matches(term: str) -> ColumnElement[bool]:
    """One search word against names, readings, company, e-mail, 受付番号 and phone."""
    r = Registration
    conditions: list[ColumnElement[bool]] = [
        r.family_name.contains(term, autoescape=True),
        r.given_name.contains(term, autoescape=True),
        (r.family_name + r.given_name).contains(term, autoescape=True),
        r.romaji.icontains(term, autoescape=True),
        r.company_name.icontains(term, autoescape=True),
        r.email_key.contains(term.lower(), autoescape=True),
        r.receipt_code.contains(term, autoescape=True),
    ]
    kana = to_katakana_reading(term).replace(" ", "")  # やまだ, ﾔﾏﾀﾞ → ヤマダ
    if kana and is_katakana_reading(kana):
        conditions += [
            r.family_kana.contains(kana, autoescape=True),
            r.given_kana.contains(kana, autoescape=True),
            (r.family_kana + r.given_kana).contains(kana, autoescape=True),
            r.company_kana.contains(kana, autoescape=True),
        ]
    digits = digits_only(term)
    if digits and len(digits) >= 3:
        conditions.append(r.phone.contains(digits, autoescape=True))
    return or_(*conditions)


def filtered_statement(event: Event, filters: RegistrationFilters) -> Select[Registration]:
    """SELECT of the event's registrations that match the filters, without order."""
    stmt = select(Registration).where(Registration.event_id == event.id)
    terms = [t for t in filters.q.split(" ") if t]
    if terms:
        stmt = stmt.where(and_(*(_term_matches(t) for t in terms)))
    if filters.category:
        stmt = stmt.where(Registration.category_id.in_(
            select(EventCategory.id).where(EventCategory.event_id == event.id,
                                           EventCategory.code == filters.category)))
    if filters.status:
        stmt = stmt.where(Registration.status == filters.status)
    if filters.group == NO_GROUP:
        stmt = stmt.where(Registration.group_id.is_(None))
    elif filters.group:
        stmt = stmt.where(Registration.group_id == int(filters.group))
    return stmt


def _ordered(stmt: Select[Registration], sort: str) -> Select[Registration]:
    if sort == "newest":
        return stmt.order_by(Registration.created_at.desc(), Registration.id.desc())
    if sort == "receipt":
        return stmt.order_by(Registration.receipt_code, Registration.id)
    return stmt.order_by(Registration.sort_key, Registration.id)


def _with_relations(stmt: Select[Registration]) -> Select[Registration]:
    return stmt.options(joinedload(Registration.category), joinedload(Registration.group))


def ordered_statement(event: Event, *, filters: RegistrationFilters = RegistrationFilters(), sort: str = "kana"
                      ) -> Select[Registration]:
    """SELECT of the matching registrations, with their category and group, in one of the orders SQL can
    express (kana, newest, receipt; an unknown one is kana), ties broken by the id: ready for paging.
    The company order is not one of them: see company_ordered_ids."""
    if sort == "company":
        raise ValueError("the company order is computed in Python: use company_ordered_ids")
    return _with_relations(_ordered(filtered_statement(event, filters), sort))


def company_ordered_ids(session: Session, event: Event, *, filters: RegistrationFilters = RegistrationFilters()
                        ) -> list[int]:
    """Ids of the matching registrations in company 五十音 order (legal forms such as 株式会社 ignored), then the
    person's reading, then the id. Computed in Python: the reading rules are not expressible in SQL; an event
    has a few thousand rows."""
    rows = session.execute(filtered_statement(event, filters).with_only_columns(
        Registration.id, Registration.company_name, Registration.company_kana, Registration.sort_key)).all()

    def key(row: Row[int, str, str, str]) -> tuple[bool, str, str, int]:
        has_company = bool(row.company_name or row.company_kana)
        return (not has_company, company_sort_key(row.company_name, row.company_kana), row.sort_key, row.id)

    return [row.id for row in sorted(rows, key=key)]


def registrations_in_order(session: Session, ids: Sequence[int]) -> list[Registration]:
    """The registrations with these ids, with their category and group, in the order of `ids`."""
    if not ids:
        return []
    by_id = {r.id: r for r in session.scalars(_with_relations(
        select(Registration).where(Registration.id.in_(ids)))).unique()}
    return [by_id[i] for i in ids if i in by_id]


def all_registrations(session: Session, event: Event, *, filters: RegistrationFilters = RegistrationFilters()
                      ) -> list[Registration]:
    """Every matching registration in 五十音順 (for exports)."""
    stmt = _with_relations(_ordered(filtered_statement(event, filters), "kana"))
    return list(session.scalars(stmt).unique())


def status_counts(session: Session, event: Event) -> dict[str, int]:
    rows = session.execute(select(Registration.status, func.count(Registration.id))
                           .where(Registration.event_id == event.id).group_by(Registration.status)).all()
    counts = {s.value: 0 for s in RegistrationStatus}
    counts.update({RegistrationStatus(status).value: n for status, n in rows})
    counts["all"] = sum(n for _, n in rows)
    return counts
