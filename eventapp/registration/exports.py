"""Registrations to CSV (for Excel: UTF-8 with BOM, CRLF) and to .xlsx, in 五十音順.

Both are safe to open: a CSV cell that Excel would run as a formula gets a leading apostrophe, and
every .xlsx cell holding text is written as a string (never a formula).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from eventapp.directory.industries import industry
from eventapp.events.models import TOKYO, Event
from eventapp.registration.columns import (
    COLUMNS,
    PARTY_NO,
    PARTY_YES,
    STATUS_LABELS,
    neutralise_formula,
    yes_no,
)
from eventapp.registration.models import Registration
from eventapp.registration.queries import RegistrationFilters, all_registrations

EXPORT_FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_COLUMN_WIDTH = 50
Cell = str | datetime


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


# --- CSV -----------------------------------------------------------------------------------------


def _csv_cell(value: Cell) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return neutralise_formula(value)


def csv_bytes(header: list[str], rows: list[list[Cell]]) -> bytes:
    """UTF-8 with BOM and CRLF, as Excel expects; formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


# --- Excel ---------------------------------------------------------------------------------------


def _display_width(value: Cell) -> int:
    if isinstance(value, datetime):
        return 16
    first_line = value.split("\n", 1)[0]
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in first_line)


def xlsx_bytes(header: list[str], rows: list[list[Cell]], *, title: str = "参加者") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    for row_index, row in enumerate(rows, start=2):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            if isinstance(value, datetime):
                cell.value = value
                cell.number_format = "yyyy-mm-dd hh:mm"
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # "=..." stays text: openpyxl would otherwise store a formula
    for column_index, title_cell in enumerate(header, start=1):
        widths = [_display_width(title_cell)] + [_display_width(row[column_index - 1]) for row in rows]
        sheet.column_dimensions[get_column_letter(column_index)].width = min(max(widths) + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the service ---------------------------------------------------------------------------------


def export_registrations(
    session: Session, event: Event, *, fmt: str, filters: RegistrationFilters | None = None,
) -> tuple[bytes, int]:
    """The event's registrations (optionally filtered) as a file; returns its bytes and the row count."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    registrations = all_registrations(session, event, filters=filters or RegistrationFilters())
    rows = registration_rows(registrations)
    if fmt == "csv":
        return csv_bytes(header_row(), rows), len(rows)
    return xlsx_bytes(header_row(), rows), len(rows)


def export_filename(event: Event, fmt: str, *, now: datetime) -> str:
    return f"registrations-{event.slug}-{now.astimezone(TOKYO):%Y%m%d-%H%M}.{fmt}"
