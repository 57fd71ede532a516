"""Registrations to CSV (for Excel: UTF-8 with BOM, CRLF) and to .xlsx, in 五十音順, written by
eventapp.tabular: a CSV cell that Excel would run as a formula gets a leading apostrophe, and every
.xlsx cell holding text is a string (never a formula).

Small exports are made inside the request; above EXPORT_JOB_THRESHOLD registrations the page offers a job
(eventapp.registration.tasks) that writes the file in the background with progress.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventapp.directory.industries import industry
from eventapp.events.models import TOKYO, Event
from eventapp.registration.columns import COLUMNS, PARTY_NO, PARTY_YES, STATUS_LABELS, yes_no
from eventapp.registration.models import Registration
from eventapp.registration.queries import RegistrationFilters, all_registrations, filtered_statement
from eventapp.tabular import Cell, write_csv, write_xlsx

EXPORT_FORMATS = ("csv", "xlsx")
SHEET_TITLE = "参加者"


def _industry_label(code: str) -> str:
    found = industry(code) if code else None
    return f"{found.code} {found.name_ja}" if found else code


def _postcode(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else digits


_VALUES: dict[str, Callable[[Registration], Cell]] = {
    "receipt_code": lambda r: r.receipt_code,
    "status": lambda r: STATUS_LABELS[r.status],
    "category": lambda r: r.category.label_ja,
    "industry_code": lambda r: _industry_label(r.industry_code),
    "group_id": lambda r: r.group.name if r.group else "",
    "phone": lambda r: r.phone_display,
    "postcode": lambda r: _postcode(r.postcode),
    "attends_party": lambda r: PARTY_YES if r.attends_party else PARTY_NO,
    "created_at": lambda r: r.created_at.astimezone(TOKYO).replace(tzinfo=None, second=0, microsecond=0),
}


def _value(registration: Registration, key: str) -> Cell:
    if key in _VALUES:
        return _VALUES[key](registration)
    value = getattr(registration, key)
    if isinstance(value, bool):
        return yes_no(value)
    return "" if value is None else str(value)


def header_row() -> list[str]:
    return [c.header for c in COLUMNS]


def registration_rows(registrations: list[Registration]) -> list[list[Cell]]:
    return [[_value(r, c.key) for c in COLUMNS] for r in registrations]


def write_export(rows: list[list[Cell]], *, fmt: str, progress: Callable[[int], None] | None = None) -> bytes:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "csv":
        data = write_csv(header_row(), rows)
        if progress is not None:
            progress(len(rows))
        return data
    return write_xlsx(header_row(), rows, title=SHEET_TITLE, progress=progress)


# --- the service ---------------------------------------------------------------------------------


def count_for_export(session: Session, event: Event, *, filters: RegistrationFilters | None = None) -> int:
    statement = filtered_statement(event, filters or RegistrationFilters()).with_only_columns(Registration.id)
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def export_registrations(
    session: Session, event: Event, *, fmt: str, filters: RegistrationFilters | None = None,
) -> tuple[bytes, int]:
    """The event's registrations (optionally filtered) as a file; returns its bytes and the row count."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = registration_rows(all_registrations(session, event, filters=filters or RegistrationFilters()))
    return write_export(rows, fmt=fmt), len(rows)


def export_filename(event: Event, fmt: str, *, now: datetime) -> str:
    return f"registrations-{event.slug}-{now.astimezone(TOKYO):%Y%m%d-%H%M}.{fmt}"
