"""CSV files of groups and companies in the import's own columns: an empty template, and the current
list (edit it in Excel, import it again). UTF-8 with BOM for Excel; cells that Excel would run as a
formula are neutralised with a leading apostrophe, which the importer removes again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eventapp.directory.importer import COMPANY_COLUMNS, GROUP_COLUMNS, Column
from eventapp.directory.models import Company, ExchangeGroup

GROUP_SEPARATOR = "／"


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(columns: tuple[Column, ...], rows: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_safe(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def groups_template() -> bytes:
    return _csv(GROUP_COLUMNS, [])


def companies_template() -> bytes:
    return _csv(COMPANY_COLUMNS, [])


def groups_csv(session: Session) -> bytes:
    groups = session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key, ExchangeGroup.id))
    return _csv(GROUP_COLUMNS, ([g.name, g.reading, g.founded_year or "", g.website, g.description, g.representative]
                                for g in groups))


def companies_csv(session: Session) -> bytes:
    companies = session.scalars(select(Company).options(selectinload(Company.groups))
                                .order_by(Company.sort_key, Company.id))
    return _csv(COMPANY_COLUMNS, ([c.name, c.reading, c.industry_code, c.website, c.description,
                                   GROUP_SEPARATOR.join(g.name for g in c.groups)] for c in companies))
