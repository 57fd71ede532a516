"""Import of exchange groups and companies from CSV or Excel (.xlsx), all or nothing.

The file is read by eventapp.tabular (UTF-8, UTF-16 or Shift_JIS CSV, or the first sheet of a workbook);
headers are Japanese. Every row is checked first; if any row is wrong nothing is written and the report
lists each problem by line and column. A row whose name exists already updates that group or company, so
an import can be run again after fixing the file. Columns left out of the file keep their current values;
empty cells in a column that is there clear the value.

Two steps, so a job can check (reading only, with progress) in one transaction and write in another:
`check_groups` / `check_companies`, then `write_checked`. `import_groups` / `import_companies` do both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.directory import services, values
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.tabular import TableError, read_table
from eventapp.text import is_katakana_reading, normalize_multiline, normalize_text, to_katakana_reading

MAX_ROWS = 5000
PROGRESS_EVERY = 100  # rows checked between two progress reports
Progress = Callable[[int], None]


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
    source: str = ""  # what was read: "CSV (UTF-8)", "Excel workbook (.xlsx), sheet …"

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """For the job page (messages in the language of the job, values as they were)."""
        return {"rows": self.rows, "created": len(self.created), "updated": len(self.updated),
                "unchanged": self.unchanged, "ignored_columns": self.ignored_columns, "source": self.source,
                "problems": [{"line": p.line, "column": p.column, "message": str(p.message), "value": p.value}
                             for p in self.problems]}


class ImportFileError(Exception):
    """The file as a whole cannot be read (empty, not a table, no usable header)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class _Table:
    present: list[Column]
    rows: list[tuple[int, dict[str, str]]]  # line number, raw cell per column key
    ignored: list[str]
    source: str


# --- reading the file --------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return normalize_text(text.replace("\ufeff", "")).replace(" ", "").strip("*※()（）[]").lower()


def _read_table(data: bytes, columns: tuple[Column, ...], *, filename: str = "") -> _Table:
    try:
        table = read_table(data, filename=filename, max_rows=MAX_ROWS)
    except TableError as exc:
        raise ImportFileError(exc.message) from exc
    mapping, ignored = _map_header(table.header, columns)
    if not table.rows:
        raise ImportFileError(_l("The file has a header row but no data rows."))
    rows = [(row.line, {column.key: _cell(row.cells, index) for index, column in mapping.items()})
            for row in table.rows]
    return _Table(present=list(mapping.values()), rows=rows, ignored=ignored, source=table.source)


def count_rows(data: bytes, columns: tuple[Column, ...], *, filename: str = "") -> int:
    """The number of data rows, after checking that the file can be read and names the required columns."""
    return len(_read_table(data, columns, filename=filename).rows)


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
    return cells[index] if index < len(cells) else ""


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
                  report: ImportReport, progress: Progress | None) -> list[_Row]:
    by_key = {c.key: c for c in columns}
    rows = []
    for number, (line, raw) in enumerate(table.rows, start=1):
        row = _Row(line, raw, by_key)
        check(row)
        rows.append(row)
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
    if progress is not None:
        progress(len(rows))
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


@dataclass
class CheckedImport:
    """A file whose rows have been checked: its report, and the clean values of each row."""

    kind: str  # "groups" or "companies"
    report: ImportReport
    rows: list[_Row]


def check_groups(session: Session, data: bytes, *, filename: str = "",
                 progress: Progress | None = None) -> CheckedImport:
    """Read and check every row (reads the database only). Raises ImportFileError for the file as a whole."""
    table = _read_table(data, GROUP_COLUMNS, filename=filename)
    report = ImportReport(rows=len(table.rows), ignored_columns=table.ignored, source=table.source)
    rows = _checked_rows(table, GROUP_COLUMNS, _check_group, report, progress)
    return CheckedImport(kind="groups", report=report, rows=rows)


def import_groups(session: Session, data: bytes, *, filename: str = "") -> ImportReport:
    return write_checked(session, check_groups(session, data, filename=filename))


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


def check_companies(session: Session, data: bytes, *, filename: str = "",
                    progress: Progress | None = None) -> CheckedImport:
    """Read and check every row (reads the database only). Raises ImportFileError for the file as a whole."""
    table = _read_table(data, COMPANY_COLUMNS, filename=filename)
    report = ImportReport(rows=len(table.rows), ignored_columns=table.ignored, source=table.source)
    groups_by_name = {normalize_text(g.name): g.id for g in services.all_groups(session)}
    rows = _checked_rows(table, COMPANY_COLUMNS, _company_checker(groups_by_name), report, progress)
    return CheckedImport(kind="companies", report=report, rows=rows)


def import_companies(session: Session, data: bytes, *, filename: str = "") -> ImportReport:
    return write_checked(session, check_companies(session, data, filename=filename))


def write_checked(session: Session, checked: CheckedImport) -> ImportReport:
    """Write a checked file if every row was right (flushed, not committed); its report either way."""
    if not checked.report.ok:
        return checked.report
    if checked.kind == "groups":
        _upsert_by_name(session, checked.rows, checked.report, model=ExchangeGroup,
                        blank=services.GroupDetails(name="", reading=""), details_of=services.GroupDetails.of,
                        create=services.create_group, update=services.update_group,
                        name_column=GROUP_COLUMNS[0].header)
    else:
        _upsert_by_name(session, checked.rows, checked.report, model=Company, blank=services.CompanyDetails(name=""),
                        details_of=services.CompanyDetails.of, create=services.create_company,
                        update=services.update_company, name_column=COMPANY_COLUMNS[0].header)
    return checked.report


def _upsert_by_name(session: Session, rows: list[_Row], report: ImportReport, *, model: Any, blank: Any,
                    details_of: Callable[[Any], Any], create: Callable[..., Any], update: Callable[..., Any],
                    name_column: str) -> None:
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
