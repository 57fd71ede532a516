"""Exchange groups and member companies: creating, changing, deleting and finding them.

Names are unique (the database says so too; a race between two organisers ends in NameTaken, not an
error page). Readings are stored in katakana and every change refreshes the 五十音 sort key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from eventapp.directory.industries import industry
from eventapp.directory.models import Company, ExchangeGroup, company_groups
from eventapp.text import is_katakana_reading, normalize_multiline, normalize_text, to_katakana_reading

# The sort key holds the reading twice (base kana, then exact kana) in 300 characters.
READING_MAX_LENGTH = 140


# --- errors ------------------------------------------------------------------------------------


class DirectoryError(Exception):
    pass


class NameTaken(DirectoryError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class GroupNameTaken(NameTaken):
    pass


class CompanyNameTaken(NameTaken):
    pass


class InvalidReading(DirectoryError):
    pass


class UnknownIndustry(DirectoryError):
    pass


class GroupRequired(DirectoryError):
    """A member company belongs to at least one group."""


class UnknownGroup(DirectoryError):
    pass


class GroupNotEmpty(DirectoryError):
    def __init__(self, members: int) -> None:
        super().__init__(f"{members} member companies")
        self.members = members


# --- what organisers tell us -------------------------------------------------------------------


@dataclass
class GroupDetails:
    name: str
    reading: str
    founded_year: int | None = None
    website: str = ""
    description: str = ""
    representative: str = ""

    @classmethod
    def of(cls, group: ExchangeGroup) -> GroupDetails:
        return cls(name=group.name, reading=group.reading, founded_year=group.founded_year,
                   website=group.website, description=group.description, representative=group.representative)

    def normalised(self) -> GroupDetails:
        return GroupDetails(
            name=normalize_text(self.name), reading=to_katakana_reading(self.reading),
            founded_year=self.founded_year, website=normalize_text(self.website),
            description=normalize_multiline(self.description), representative=normalize_text(self.representative),
        )


@dataclass
class CompanyDetails:
    name: str
    reading: str = ""
    industry_code: str = ""
    website: str = ""
    description: str = ""
    group_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, company: Company) -> CompanyDetails:
        return cls(name=company.name, reading=company.reading, industry_code=company.industry_code,
                   website=company.website, description=company.description,
                   group_ids=sorted(g.id for g in company.groups))

    def normalised(self) -> CompanyDetails:
        return CompanyDetails(
            name=normalize_text(self.name), reading=to_katakana_reading(self.reading),
            industry_code=normalize_text(self.industry_code).upper(), website=normalize_text(self.website),
            description=normalize_multiline(self.description), group_ids=sorted(set(self.group_ids)),
        )


# --- groups ------------------------------------------------------------------------------------


def create_group(session: Session, *, details: GroupDetails) -> ExchangeGroup:
    details = _checked_group(session, details, group_id=None)
    group = ExchangeGroup()
    with _name_guard(session, GroupNameTaken(details.name)):
        _apply_group(group, details)
        session.add(group)
    return group


def update_group(session: Session, group: ExchangeGroup, *, details: GroupDetails) -> ExchangeGroup:
    details = _checked_group(session, details, group_id=group.id)
    with _name_guard(session, GroupNameTaken(details.name)):
        _apply_group(group, details)
    return group


def delete_group(session: Session, group: ExchangeGroup) -> None:
    """Only an empty group can go: its companies would otherwise be left without one.
    Registrations that named the group keep their data and lose the link (ON DELETE SET NULL)."""
    members = member_count(session, group)
    if members:
        raise GroupNotEmpty(members)
    session.delete(group)
    session.flush()


def _checked_group(session: Session, details: GroupDetails, *, group_id: int | None) -> GroupDetails:
    details = details.normalised()
    if not _valid_reading(details.reading):
        raise InvalidReading(details.reading)
    other = select(ExchangeGroup.id).where(ExchangeGroup.name == details.name)
    if group_id is not None:
        other = other.where(ExchangeGroup.id != group_id)
    if session.scalar(other) is not None:
        raise GroupNameTaken(details.name)
    return details


def _valid_reading(reading: str) -> bool:
    return bool(reading) and len(reading) <= READING_MAX_LENGTH and is_katakana_reading(reading)


def _apply_group(group: ExchangeGroup, details: GroupDetails) -> None:
    for name, value in vars(details).items():
        setattr(group, name, value)
    group.refresh_sort_key()


# --- companies ---------------------------------------------------------------------------------


def create_company(session: Session, *, details: CompanyDetails) -> Company:
    details, groups = _checked_company(session, details, company_id=None)
    company = Company()
    with _name_guard(session, CompanyNameTaken(details.name)):
        _apply_company(company, details, groups)
        session.add(company)
    return company


def update_company(session: Session, company: Company, *, details: CompanyDetails) -> Company:
    details, groups = _checked_company(session, details, company_id=company.id)
    with _name_guard(session, CompanyNameTaken(details.name)):
        _apply_company(company, details, groups)
    return company


def delete_company(session: Session, company: Company) -> None:
    session.delete(company)
    session.flush()


def _checked_company(session: Session, details: CompanyDetails, *,
                     company_id: int | None) -> tuple[CompanyDetails, list[ExchangeGroup]]:
    details = details.normalised()
    if details.reading and not _valid_reading(details.reading):
        raise InvalidReading(details.reading)
    if details.industry_code and industry(details.industry_code) is None:
        raise UnknownIndustry(details.industry_code)
    if not details.group_ids:
        raise GroupRequired()
    groups = list(session.scalars(select(ExchangeGroup).where(ExchangeGroup.id.in_(details.group_ids))))
    if len(groups) != len(details.group_ids):
        raise UnknownGroup(sorted(set(details.group_ids) - {g.id for g in groups}))
    other = select(Company.id).where(Company.name == details.name)
    if company_id is not None:
        other = other.where(Company.id != company_id)
    if session.scalar(other) is not None:
        raise CompanyNameTaken(details.name)
    return details, groups


def _apply_company(company: Company, details: CompanyDetails, groups: list[ExchangeGroup]) -> None:
    for name, value in vars(details).items():
        if name != "group_ids":
            setattr(company, name, value)
    company.groups = sorted(groups, key=lambda g: (g.sort_key, g.id))
    company.refresh_sort_key()


@contextmanager
def _name_guard(session: Session, taken: NameTaken) -> Iterator[None]:
    """Make the change inside a savepoint, so a name taken by a concurrent request since our check
    becomes NameTaken and leaves the caller's transaction usable."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise taken from exc


# --- finding -----------------------------------------------------------------------------------


def all_groups(session: Session) -> list[ExchangeGroup]:
    return list(session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key, ExchangeGroup.id)))


def groups_with_member_counts(session: Session) -> list[tuple[ExchangeGroup, int]]:
    """Every group in 五十音順 with how many member companies it has."""
    members = (select(company_groups.c.group_id, func.count().label("members"))
               .group_by(company_groups.c.group_id).subquery())
    rows = session.execute(
        select(ExchangeGroup, func.coalesce(members.c.members, 0))
        .outerjoin(members, members.c.group_id == ExchangeGroup.id)
        .order_by(ExchangeGroup.sort_key, ExchangeGroup.id)
    ).all()
    return [(group, count) for group, count in rows]


def member_count(session: Session, group: ExchangeGroup) -> int:
    return session.scalar(select(func.count()).select_from(company_groups)
                          .where(company_groups.c.group_id == group.id)) or 0


@dataclass(frozen=True)
class CompanyFilters:
    query: str = ""
    group_id: int | None = None
    industry_code: str = ""

    @property
    def active(self) -> bool:
        return bool(self.query or self.group_id or self.industry_code)


def companies_statement(filters: CompanyFilters) -> Select[Company]:
    """SELECT of the companies that match, by name or reading, group and 業種, with their groups, in 五十音順
    (株式会社 and the like ignored), ties broken by the id: ready for paging.
    A hiragana or half-width query finds katakana readings; spaces are ignored."""
    stmt = select(Company)
    query = normalize_text(filters.query)
    if query:
        compact = query.replace(" ", "")
        kana = to_katakana_reading(query).replace(" ", "")
        name = func.replace(Company.name, " ", "")
        reading = func.replace(Company.reading, " ", "")
        stmt = stmt.where(or_(
            func.lower(name).contains(compact.lower(), autoescape=True),
            name.contains(kana, autoescape=True),
            reading.contains(kana, autoescape=True),
        ))
    if filters.group_id:
        stmt = stmt.where(Company.id.in_(select(company_groups.c.company_id)
                                         .where(company_groups.c.group_id == filters.group_id)))
    if filters.industry_code:
        stmt = stmt.where(Company.industry_code == filters.industry_code)
    return stmt.options(selectinload(Company.groups)).order_by(Company.sort_key, Company.id)
