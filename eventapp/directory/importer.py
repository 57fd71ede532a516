"""CSV import of exchange groups and companies, all or nothing.

The file may be UTF-8 (with or without BOM, as Excel's "CSV UTF-8" writes it) or Shift_JIS/cp932 (as
older Excel writes it); headers are Japanese. Every row is checked first; if any row is wrong nothing
is written and the report lists each problem by line and column. A row whose name exists already
updates that group or company, so an import can be run again after fixing the file. Columns left out
of the file keep their current values; empty cells in a column that is there clear the value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.directory import services, values
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.text import is_katakana_reading, normalize_multiline, normalize_text, to_katakana_reading

MAX_ROWS = 5000
_FORMULA_GUARD = ("'=", "'+", "'-", "'@")  # our own exports neutralise such cells; undo it on the way in


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the template
    required: bool
    max_length: int
    example: str
    description: Any  # lazy string
    aliases: tuple[str, ...] = ()

    def matches(self, header: str) -> bool:
        wanted = _header_key(header)
        return wanted in {_header_key(h) for h in (self.header, *self.aliases)}


GROUP_COLUMNS = (
    Column("name", "グループ名", True, 100, "プラザ62", _l("Name of the exchange group. An existing name updates that group."),
           ("名称", "グループ", "group", "name")),
    Column("reading", "フリガナ", True, services.READING_MAX_LENGTH, "プラザロクジュウニ", _l("Reading in katakana or hiragana, for 五十音 order."),
           ("ふりがな", "ヨミ", "よみ", "読み", "よみがな", "reading")),
    Column("founded_year", "設立年", False, 10, "1987", _l("Year founded: 1987, 1987年 or 昭和62年."),
           ("設立", "発足年", "発足", "founded")),
    Column("website", "ウェブサイト", False, 300, "http://plaza62.net/", _l("Address starting with https:// or http://."),
           ("webサイト", "ホームページ", "url", "website")),
    Column("description", "紹介", False, 2000, "ソフトウェアや電子機器メーカーの経営者を中心に活動しています。",
           _l("A short introduction."), ("紹介文", "説明", "概要", "description")),
    Column("representative", "代表者", False, 100, "日野 捷吉郎", _l("Representative (代表幹事)."),
           ("代表", "代表幹事", "representative")),
)

COMPANY_COLUMNS = (
    Column("name", "会社名", True, 120, "株式会社サンプル製作所",
           _l("Name as it should be printed, with 株式会社 or (株). An existing name updates that company."),
           ("企業名", "社名", "company", "name")),
    Column("reading", "フリガナ", False, services.READING_MAX_LENGTH, "サンプルセイサクショ",
           _l("Reading in katakana or hiragana, for 五十音 order (株式会社 may be left out)."),
           ("ふりがな", "ヨミ", "よみ", "読み", "よみがな", "会社名フリガナ", "reading")),
    Column("industry_code", "業種", False, 60, "E", _l("JSIC division: its letter (E) or its name (製造業)."),
           ("業種コード", "industry")),
    Column("website", "ウェブサイト", False, 300, "https://www.example.co.jp/",
           _l("Address starting with https:// or http://."), ("webサイト", "ホームページ", "url", "website")),
    Column("description", "紹介", False, 2000, "精密板金加工と試作を手がけています。", _l("A short introduction."),
           ("紹介文", "説明", "概要", "事業内容", "description")),
    Column("groups", "所属グループ", True, 1000, "プラザ62／城南テクノ交流会",
           _l("One or more group names, separated by ／ or ; or |. The groups must exist already."),
           ("グループ", "所属", "groups")),
)


@dataclass(frozen=True)
class RowProblem:
    line: int  # 0: the file as a whole
    column: str
    message: Any  # lazy string
    value: str = ""


@dataclass
class ImportReport:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportFileError(Exception):
    """The file as a whole cannot be read (empty, not CSV, no usable header)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class _Table:
    present: list[Column]
    rows: list[tuple[int, dict[str, str]]]  # line number, raw cell per column key
    ignored: list[str]


# --- reading the file --------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return normalize_text(text.replace("\ufeff", "")).replace(" ", "").strip("*※()（）[]").lower()


def decode_csv(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(_l("This is an Excel workbook, not a CSV file. In Excel choose “Save as” and "
                                 "the type “CSV UTF-8 (comma delimited)”, then upload that file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_l("The file could not be read as text. Please save it as “CSV UTF-8” and try again."))


def _read_table(data: bytes, columns: tuple[Column, ...]) -> _Table:
    text = decode_csv(data)
    if not text.strip():
        raise ImportFileError(_l("The file is empty. Please upload a CSV file whose first row names the columns."))
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    mapping: dict[int, Column] = {}
    ignored: list[str] = []
    previous = 0  # last physical line read; a quoted cell may span several
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = cells
                mapping, ignored = _map_header(header, columns)
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(_l("The file has more than %(max)d rows. Please split it into smaller files.",
                                         max=MAX_ROWS))
            rows.append((start, {column.key: _cell(cells, index) for index, column in mapping.items()}))
    except csv.Error as exc:
        raise ImportFileError(_l("The file is not valid CSV near line %(line)d (%(reason)s).",
                                 line=previous + 1, reason=str(exc))) from exc
    if not rows:
        raise ImportFileError(_l("The file has a header row but no data rows."))
    return _Table(present=list(mapping.values()), rows=rows, ignored=ignored)


def _map_header(header: list[str], columns: tuple[Column, ...]) -> tuple[dict[int, Column], list[str]]:
    mapping: dict[int, Column] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        column = next((c for c in columns if c.matches(title)), None)
        if column is None:
            if title.strip():
                ignored.append(normalize_text(title))
            continue
        if column in mapping.values():
            raise ImportFileError(_l("The column “%(column)s” appears twice in the first row. Please keep one.",
                                     column=column.header))
        mapping[index] = column
    missing = [c.header for c in columns if c.required and c not in mapping.values()]
    if missing:
        raise ImportFileError(_l(
            "The first row must name the columns. Missing: %(missing)s. Expected columns: %(expected)s. "
            "Download the template to see the layout.",
            missing="、".join(missing), expected="、".join(c.header for c in columns)))
    return mapping, ignored


def _cell(cells: list[str], index: int) -> str:
    value = cells[index] if index < len(cells) else ""
    return value[1:] if value.startswith(_FORMULA_GUARD) else value


# --- checking rows -----------------------------------------------------------------------------


class _Row:
    """Collects the clean values of one row, and its problems."""

    def __init__(self, line: int, raw: dict[str, str], columns: dict[str, Column]) -> None:
        self.line, self.raw, self.columns = line, raw, columns
        self.values: dict[str, Any] = {}
        self.problems: list[RowProblem] = []

    def problem(self, key: str, message: Any) -> None:
        self.problems.append(RowProblem(self.line, self.columns[key].header, message, self.raw.get(key, "")))

    def take(self, key: str, clean: Callable[[str], Any] = normalize_text, *,
             message: Any = None) -> None:
        if key not in self.raw:
            return
        column = self.columns[key]
        text = normalize_multiline(self.raw[key]) if key == "description" else normalize_text(self.raw[key])
        if column.required and not text:
            self.problem(key, _l("%(column)s: please fill this in.", column=column.header))
            return
        if len(text) > column.max_length:
            self.problem(key, _l("%(column)s: please use at most %(max)d characters (now %(length)d).",
                                 column=column.header, max=column.max_length, length=len(text)))
            return
        try:
            self.values[key] = clean(text)
        except ValueError:
            self.problem(key, message)


def _reading(text: str) -> str:
    reading = to_katakana_reading(text)
    if reading and not is_katakana_reading(reading):
        raise ValueError(reading)
    return reading


def _check_common(row: _Row) -> None:
    row.take("name")
    row.take("reading", _reading, message=_l(
        "フリガナ: please write the reading in katakana or hiragana (for example サンプル)."))
    row.take("website", values.parse_website, message=_l(
        "ウェブサイト: please enter a web address starting with https:// or http://."))
    row.take("description", normalize_multiline)


def _check_duplicates(rows: list[_Row], column: str) -> list[RowProblem]:
    first_line: dict[str, int] = {}
    problems = []
    for row in rows:
        name = row.values.get("name")
        if not name:
            continue
        if name in first_line:
            problems.append(RowProblem(row.line, column, _l(
                "%(column)s: “%(name)s” is also on line %(line)d. Please keep one row per name.",
                column=column, name=name, line=first_line[name]), name))
        else:
            first_line[name] = row.line
    return problems


def _checked_rows(table: _Table, columns: tuple[Column, ...], check: Callable[[_Row], None],
                  report: ImportReport) -> list[_Row]:
    by_key = {c.key: c for c in columns}
    rows = []
    for line, raw in table.rows:
        row = _Row(line, raw, by_key)
        check(row)
        rows.append(row)
    report.problems.extend(p for row in rows for p in row.problems)
    report.problems.extend(_check_duplicates(rows, by_key["name"].header))
    position = {c.header: index for index, c in enumerate(columns)}
    report.problems.sort(key=lambda p: (p.line, position.get(p.column, len(columns))))
    return rows


# --- groups ------------------------------------------------------------------------------------


def _check_group(row: _Row) -> None:
    _check_common(row)
    row.take("founded_year", values.parse_year, message=_l(
        "設立年: please enter a year from %(first)d to %(last)d, for example 1987 or 昭和62年.",
        first=values.FIRST_YEAR, last=values.LAST_YEAR))
    row.take("representative")


def import_groups(session: Session, data: bytes) -> ImportReport:
    table = _read_table(data, GROUP_COLUMNS)
    report = ImportReport(rows=len(table.rows), ignored_columns=table.ignored)
    rows = _checked_rows(table, GROUP_COLUMNS, _check_group, report)
    if not report.ok:
        return report
    _upsert_by_name(session, rows, report, model=ExchangeGroup, blank=services.GroupDetails(name="", reading=""),
                    details_of=services.GroupDetails.of, create=services.create_group, update=services.update_group,
                    name_column=GROUP_COLUMNS[0].header)
    return report


# --- companies ---------------------------------------------------------------------------------


def _company_checker(groups_by_name: dict[str, int]) -> Callable[[_Row], None]:
    def check(row: _Row) -> None:
        _check_common(row)
        row.take("industry_code", values.parse_industry, message=_l(
            "業種: please give the JSIC letter (A to T, for example E) or its Japanese name (for example 製造業)."))
        if "groups" not in row.raw:
            return
        names = values.split_group_names(row.raw["groups"])
        if not names:
            row.problem("groups", _l("所属グループ: please name at least one group."))
            return
        unknown = [name for name in names if name not in groups_by_name]
        if unknown:
            row.problem("groups", _l(
                "所属グループ: no group is called %(names)s. Check the spelling against the group list, "
                "or import the groups first.", names="、".join(f"“{name}”" for name in unknown)))
            return
        row.values["group_ids"] = sorted({groups_by_name[name] for name in names})

    return check


def import_companies(session: Session, data: bytes) -> ImportReport:
    table = _read_table(data, COMPANY_COLUMNS)
    report = ImportReport(rows=len(table.rows), ignored_columns=table.ignored)
    groups_by_name = {normalize_text(g.name): g.id for g in services.all_groups(session)}
    rows = _checked_rows(table, COMPANY_COLUMNS, _company_checker(groups_by_name), report)
    if not report.ok:
        return report
    _upsert_by_name(session, rows, report, model=Company, blank=services.CompanyDetails(name=""),
                    details_of=services.CompanyDetails.of, create=services.create_company,
                    update=services.update_company, name_column=COMPANY_COLUMNS[0].header)
    return report


def _upsert_by_name(session: Session, rows: list[_Row], report: ImportReport, *, model, blank, details_of,
                    create, update, name_column: str) -> None:
    """A row whose name exists updates that record (or leaves it alone if nothing differs); others are new."""
    names = [row.values["name"] for row in rows]
    existing = {record.name: record for record in session.scalars(select(model).where(model.name.in_(names)))}

    def apply(row: _Row) -> None:
        found = existing.get(row.values["name"])
        if found is None:
            details = replace(blank, **row.values)
            create(session, details=details)
            report.created.append(details.name)
            return
        before = details_of(found)
        details = replace(before, **row.values)
        if details.normalised() == before:
            report.unchanged += 1
        else:
            update(session, found, details=details)
            report.updated.append(details.name)

    _apply_all(session, rows, apply, report, name_column=name_column)


# --- writing -----------------------------------------------------------------------------------


class _RowFailed(Exception):
    pass


def _apply_all(session: Session, rows: list[_Row], apply: Callable[[_Row], None], report: ImportReport, *,
               name_column: str) -> None:
    """Write every row inside one savepoint; a row the services refuse undoes them all."""
    try:
        with session.begin_nested():
            for row in rows:
                try:
                    apply(row)
                except services.DirectoryError as exc:
                    report.problems.append(RowProblem(row.line, name_column, _service_message(exc, name_column),
                                                      row.values.get("name", "")))
                    raise _RowFailed() from exc
    except _RowFailed:
        report.created.clear()
        report.updated.clear()
        report.unchanged = 0


def _service_message(error: services.DirectoryError, name_column: str) -> Any:
    if isinstance(error, services.NameTaken):
        return _l("%(column)s: “%(name)s” was just saved by someone else. Please upload the file again.",
                  column=name_column, name=error.name)
    return _l("This row could not be saved (%(reason)s). Please check it.", reason=type(error).__name__)
