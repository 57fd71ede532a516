"""Registrations from a CSV or Excel file (a group sending its member list).

All or nothing: every line is checked with the web form's own rules, against the other lines and
against the event's registrations; only when every line is right are they all registered, in one
transaction (capacity and the waiting list apply, in the order of the file). The caller commits when
the report is ok and rolls back otherwise.

Three steps, so that a job can refuse an unreadable file before it starts, check the lines without
holding the write lock, and then write: `check_file` (no database), `check_registrations` (reads),
`register_checked` (writes). `import_registrations` does them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from eventapp.directory.industries import industries
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import Event
from eventapp.registration import services
from eventapp.registration.admin_forms import RegistrationImportRowForm
from eventapp.registration.columns import (
    CONSENT_KEYS,
    HEADER_OF,
    IMPORT_COLUMNS,
    REQUIRED_IMPORT_KEYS,
    key_for_header,
    parse_yes_no,
)
from eventapp.registration.errors import AlreadyRegistered, CategoryNotOffered
from eventapp.registration.models import EMPLOYEE_BANDS, Registration, RegistrationSource, RegistrationStatus
from eventapp.tabular import Table, TableError, read_table, write_csv, write_xlsx
from eventapp.text import email_key, normalize_text

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 1000  # a group's list is tens of people; checking a line takes a few ms (in the job)
PROGRESS_EVERY = 50  # lines checked between two progress reports


@dataclass(frozen=True)
class RowError:
    line: int  # line of the file, the header being line 1
    column: str  # the column's header, "" for the whole line
    message: str


@dataclass
class ImportReport:
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    source: str = ""  # what was read: "CSV (UTF-8)", "Excel workbook (.xlsx), sheet …"
    ignored_columns: list[str] = field(default_factory=list)
    imported: list[Registration] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def confirmed(self) -> int:
        return sum(1 for r in self.imported if r.status == RegistrationStatus.CONFIRMED)

    @property
    def waitlisted(self) -> int:
        return sum(1 for r in self.imported if r.status == RegistrationStatus.WAITLISTED)

    def as_json(self) -> dict[str, Any]:
        """For the job page (messages in the language of the job)."""
        return {"file_errors": self.file_errors, "rows_read": self.rows_read, "source": self.source,
                "ignored_columns": self.ignored_columns, "imported": len(self.imported),
                "confirmed": self.confirmed, "waitlisted": self.waitlisted,
                "row_errors": [{"line": e.line, "column": e.column, "message": e.message} for e in self.row_errors]}


@dataclass
class _Line:
    number: int
    cells: dict[str, str]  # column key → raw text
    form: RegistrationImportRowForm | None = None


def template_file(fmt: str = "csv") -> bytes:
    """An empty file with the header row, for groups to fill in."""
    header = [c.header for c in IMPORT_COLUMNS]
    return write_xlsx(header, [], title="参加者") if fmt == "xlsx" else write_csv(header, [])


# --- reading the file ----------------------------------------------------------------------------


def _read_table(data: bytes, filename: str, report: ImportReport) -> Table | None:
    try:
        table = read_table(data, filename=filename, max_rows=MAX_IMPORT_ROWS, max_bytes=MAX_IMPORT_BYTES)
    except TableError as exc:
        report.file_errors.append(str(exc.message))
        return None
    report.source = table.source
    return table


def _column_keys(header: list[str], report: ImportReport) -> list[str | None] | None:
    keys: list[str | None] = []
    seen: set[str] = set()
    for title in header:
        key = key_for_header(title)
        if key in seen:
            report.file_errors.append(str(_l("The column “%(column)s” appears twice in the header row. Please "
                                             "keep only one.", column=HEADER_OF[key])))
        if key is not None:
            seen.add(key)
        elif normalize_text(title):
            report.ignored_columns.append(normalize_text(title))
        keys.append(key)
    missing = [HEADER_OF[k] for k in REQUIRED_IMPORT_KEYS if k not in seen]
    if missing:
        report.file_errors.append(str(_l(
            "Required columns are missing: %(columns)s. The first line must name the columns; download the "
            "template to see them.", columns="、".join(missing))))
    return None if report.file_errors else keys


# --- checking lines ------------------------------------------------------------------------------


class _Lookups:
    """What the values in the file are matched against, loaded once."""

    def __init__(self, session: Session, event: Event) -> None:
        self.categories = {normalize_text(label): c.code.value for c in event.categories
                           for label in (c.label_ja, c.label_en, c.code.value)}
        self.category_labels = "、".join(c.label_ja for c in event.categories)
        groups = session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key)).all()
        self.groups = groups
        self.group_ids = {normalize_text(g.name): g.id for g in groups}
        self.industries = {}
        for i in industries():
            for spelling in (i.code, i.name_ja, f"{i.code} {i.name_ja}", f"{i.code}{i.name_ja}", i.name_en):
                self.industries[normalize_text(spelling).lower()] = i.code
        self.existing = dict(session.execute(
            select(Registration.email_key, Registration.receipt_code).where(
                Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)).all())


def _employees_band(value: str) -> str | None:
    cleaned = normalize_text(value).replace(" ", "").removesuffix("人").removesuffix("名")
    for dash in ("〜", "~", "～", "–", "—", "ー", "−", "‐"):
        cleaned = cleaned.replace(dash, "-")
    cleaned = cleaned.replace("以上", "+")
    return cleaned if cleaned in EMPLOYEE_BANDS else None


def _formdata(line: _Line, lookups: _Lookups, *, assume_privacy_consent: bool,
              errors: list[RowError]) -> tuple[MultiDict, set[str]]:
    """The line as the web form would have posted it; values that cannot be mapped become errors."""
    data: MultiDict[str, str] = MultiDict()
    failed: set[str] = set()

    def fail(key: str, message) -> None:
        failed.add(key)
        errors.append(RowError(line.number, HEADER_OF[key], str(message)))

    for key, raw in line.cells.items():
        value = raw.strip()
        if key == "category":
            code = lookups.categories.get(normalize_text(value))
            if value and code is None:
                fail(key, _l("%(field)s: “%(value)s” is not a category of this event. Please write one of %(choices)s.",
                             field=HEADER_OF[key], value=value, choices=lookups.category_labels))
            data[key] = code or ""
        elif key == "group_id":
            group_id = lookups.group_ids.get(normalize_text(value))
            if value and group_id is None:
                fail(key, _l("%(field)s: there is no exchange group named “%(value)s”. Please write the group's name "
                             "as registered, or leave it empty.", field=HEADER_OF[key], value=value))
            data[key] = str(group_id or "")
        elif key == "industry_code":
            code = lookups.industries.get(normalize_text(value).lower())
            if value and code is None:
                fail(key, _l("%(field)s: “%(value)s” is not a JSIC division. Please write its letter (A–T) or "
                             "its name, for example E or 製造業.", field=HEADER_OF[key], value=value))
            data[key] = code or ""
        elif key == "employees_band":
            band = _employees_band(value) if value else ""
            if band is None:
                fail(key, _l("%(field)s: please write one of %(choices)s.", field=HEADER_OF[key],
                             choices="、".join(EMPLOYEE_BANDS)))
            data[key] = band or ""
        elif key == "attends_party" or key in CONSENT_KEYS:
            answer = parse_yes_no(value)
            if answer is None:
                fail(key, _l("%(field)s: please write はい or いいえ (or leave it empty for no).",
                             field=HEADER_OF[key]))
            if key == "attends_party":
                data[key] = "yes" if answer else "no"
            elif answer or (key == "consent_privacy" and assume_privacy_consent and not value):
                data[key] = "y"
        else:
            data[key] = value
    for key in ("industry_code", "employees_band", "group_id"):  # columns the file may leave out
        data.setdefault(key, "")
    data.setdefault("attends_party", "no")
    if assume_privacy_consent and "consent_privacy" not in line.cells:
        data["consent_privacy"] = "y"
    return data, failed


def _check_line(line: _Line, lookups: _Lookups, *, assume_privacy_consent: bool, event: Event) -> list[RowError]:
    errors: list[RowError] = []
    data, failed = _formdata(line, lookups, assume_privacy_consent=assume_privacy_consent, errors=errors)
    form = RegistrationImportRowForm(formdata=data, meta={"csrf": False})
    form.setup_choices(categories=event.categories, groups=lookups.groups, locale="ja", seats_by_category={})
    if not form.validate():
        for name, messages in form.errors.items():
            if name in failed:
                continue
            for message in messages:
                errors.append(RowError(line.number, HEADER_OF.get(name, name), str(message)))
    line.form = form
    return errors


def _check_duplicates(lines: list[_Line], lookups: _Lookups) -> list[RowError]:
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    column = HEADER_OF["email"]
    for line in lines:
        if line.form is None or line.form.email.errors or not line.form.email.data:
            continue
        key = email_key(line.form.email.data)
        if key in first_line_of:
            errors.append(RowError(line.number, column, str(_l(
                "%(field)s: the same address is also on line %(line)d. Each person needs their own address.",
                field=column, line=first_line_of[key]))))
        else:
            first_line_of[key] = line.number
        if key in lookups.existing:
            errors.append(RowError(line.number, column, str(_l(
                "%(field)s: %(email)s is already registered for this event (reception number %(code)s). "
                "Please remove this line.", field=column, email=line.form.email.data, code=lookups.existing[key]))))
    return errors


# --- the service ---------------------------------------------------------------------------------

Progress = Callable[[int], None]


@dataclass
class CheckedRegistrations:
    """A file whose lines have been checked: its report, and each line's form (with the clean answers)."""

    report: ImportReport
    lines: list[_Line] = field(default_factory=list)


def _read_file(data: bytes, *, filename: str, assume_privacy_consent: bool,
               report: ImportReport) -> tuple[list[str | None], Table] | None:
    table = _read_table(data, filename, report)
    if table is None:
        return None
    keys = _column_keys(table.header, report)
    if keys is None:
        return None
    if "consent_privacy" not in keys and not assume_privacy_consent:
        column = HEADER_OF["consent_privacy"]
        report.file_errors.append(str(_l(
            "The column %(column)s is missing. Add it with はい for everyone who agreed to the use of their data "
            "for running the event, or tick the box below if the sender has confirmed their agreement.",
            column=column)))
        return None
    if not table.rows:
        report.file_errors.append(str(_l("The file has a header row but no people in it.")))
        return None
    report.rows_read = len(table.rows)
    return keys, table


def check_file(data: bytes, *, filename: str = "", assume_privacy_consent: bool = False) -> ImportReport:
    """Whether the file can be imported at all (readable, the required columns, people in it); no database.
    The report's file_errors say why not; rows_read counts the lines to check."""
    report = ImportReport()
    _read_file(data, filename=filename, assume_privacy_consent=assume_privacy_consent, report=report)
    return report


def check_registrations(
    session: Session, event: Event, data: bytes, *, filename: str = "", assume_privacy_consent: bool = False,
    progress: Progress | None = None,
) -> CheckedRegistrations:
    """Check every line (reads the database, writes nothing); `progress` is told how many are checked."""
    report = ImportReport()
    checked = CheckedRegistrations(report=report)
    read = _read_file(data, filename=filename, assume_privacy_consent=assume_privacy_consent, report=report)
    if read is None:
        return checked
    keys, table = read
    lookups = _Lookups(session, event)
    for row in table.rows:
        extra = [c for c in row.cells[len(keys):] if c.strip()]
        if extra:
            report.row_errors.append(RowError(row.line, "", str(_l(
                "This line has more cells than the header row has columns. Please check for a stray comma."))))
        values = {key: cell for key, cell in zip(keys, row.cells, strict=False) if key}
        checked.lines.append(_Line(row.line, values))
    for number, line in enumerate(checked.lines, start=1):
        report.row_errors.extend(_check_line(line, lookups, assume_privacy_consent=assume_privacy_consent,
                                             event=event))
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
    if progress is not None:
        progress(len(checked.lines))
    report.row_errors.extend(_check_duplicates(checked.lines, lookups))
    report.row_errors.sort(key=lambda e: e.line)
    return checked


def register_checked(
    session: Session, event: Event, checked: CheckedRegistrations, *, now: datetime, actor: str,
    notify: bool = False,
) -> ImportReport:
    """If every line was right, register everyone in the order of the file (flushed, not committed)."""
    report = checked.report
    if not report.ok:
        return report
    for line in checked.lines:
        assert line.form is not None
        try:
            outcome = services.register(
                session, event, answers=line.form.answers(locale="ja"), now=now,
                source=RegistrationSource.IMPORT, actor=actor, notify=notify,
            )
        except AlreadyRegistered:
            report.row_errors.append(RowError(line.number, HEADER_OF["email"], str(_l(
                "%(field)s: this address has just been registered by someone else. Nothing was imported; "
                "please remove this line.", field=HEADER_OF["email"]))))
            report.imported.clear()
            return report
        except CategoryNotOffered:
            report.row_errors.append(RowError(line.number, HEADER_OF["category"], str(_l(
                "%(field)s: this category is not offered for this event. Please choose another.",
                field=HEADER_OF["category"]))))
            report.imported.clear()
            return report
        report.imported.append(outcome.registration)
    return report


def import_registrations(
    session: Session, event: Event, data: bytes, *, filename: str = "", now: datetime, actor: str,
    notify: bool = False, assume_privacy_consent: bool = False,
) -> ImportReport:
    """Check the whole file; if every line is right, register everyone (flushed, not committed)."""
    checked = check_registrations(session, event, data, filename=filename,
                                  assume_privacy_consent=assume_privacy_consent)
    return register_checked(session, event, checked, now=now, actor=actor, notify=notify)
