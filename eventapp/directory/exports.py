"""Files of groups and companies in the import's own columns: an empty template, and the current list
(edit it in Excel, import it again). Written by eventapp.tabular: CSV for Excel with every cell guarded
against formulas (the importer removes the guard again), or an Excel workbook."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eventapp.directory.importer import COMPANY_COLUMNS, GROUP_COLUMNS, Column
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.tabular import Cell, write_csv, write_xlsx

GROUP_SEPARATOR = "／"
FORMATS = ("csv", "xlsx")


def _file(columns: tuple[Column, ...], rows: Iterable[Sequence[Cell]], *, fmt: str, title: str) -> bytes:
    header = [c.header for c in columns]
    if fmt == "xlsx":
        return write_xlsx(header, list(rows), title=title)
    return write_csv(header, rows)


def groups_template(fmt: str = "csv") -> bytes:
    return _file(GROUP_COLUMNS, [], fmt=fmt, title="グループ")


def companies_template(fmt: str = "csv") -> bytes:
    return _file(COMPANY_COLUMNS, [], fmt=fmt, title="会社")


def groups_csv(session: Session) -> bytes:
    groups = session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key, ExchangeGroup.id))
    return write_csv([c.header for c in GROUP_COLUMNS],
                     ([g.name, g.reading, g.founded_year or "", g.website, g.description, g.representative]
                      for g in groups))


def companies_csv(session: Session) -> bytes:
    companies = session.scalars(select(Company).options(selectinload(Company.groups))
                                .order_by(Company.sort_key, Company.id))
    return write_csv([c.header for c in COMPANY_COLUMNS],
                     ([c.name, c.reading, c.industry_code, c.website, c.description,
                       GROUP_SEPARATOR.join(g.name for g in c.groups)] for c in companies))
