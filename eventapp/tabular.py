"""Tables in and out: the one way every import reads, and every export writes, CSV and Excel files.

Reading takes what people send: CSV in UTF-8 (with or without BOM), UTF-16 (with BOM, Excel's "Unicode
text") or Shift_JIS/cp932 (Excel's "CSV" in Japan), separated by commas, tabs or semicolons; or an Excel
workbook (.xlsx: the first sheet, the values Excel shows, never the formulas). Anything else (old .xls,
.ods, binary files, empty files) is refused with a message that says what to do.

Writing makes what Excel opens safely: CSV in UTF-8 with BOM and CRLF, and .xlsx whose text cells are
strings, never formulas. A CSV cell that a spreadsheet would run as a formula gets a leading apostrophe
(`guard_formula`); reading a file back removes it again (`unguard_formula`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
ACCEPTED_FILES = f".xlsx,.csv,.txt,.tsv,text/csv,text/plain,{XLSX_CONTENT_TYPE}"  # an upload field's `accept`

# A cell beginning with one of these is run as a formula by Excel, LibreOffice or Google Sheets (OWASP's
# list, line feed included). Japanese Excel also reads the full-width forms as the operators, so they are
# guarded too: a company called "＝HYPERLINK(...)" must not become a link.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
FORMULA_GUARD = "'"

MAX_COLUMNS = 100  # wider rows are cut: no import has more than a few dozen columns
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # a workbook whose sheets unpack to more is refused (a "zip bomb")
MAX_COLUMN_WIDTH = 50

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx (and .ods, .docx) are zip archives
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003), and password-protected workbooks
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters never found in a text file (tab, LF and CR are fine); cp932 turns some stray bytes into
# U+0080 or U+F8F0-U+F8F3, which only a binary file contains.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\uf8f0-\uf8f3]")
_MARKUP_START = re.compile(r"\s*<(\?xml|!doctype|html|table)", re.IGNORECASE)

Cell = str | int | float | datetime | date | None
_OLD_EXCEL = _l("This is an Excel 97-2003 workbook (.xls) or a password-protected workbook, which cannot be read. "
                "Please choose “Save as” in Excel, with the type “Excel workbook (.xlsx)” or “CSV UTF-8 (comma "
                "delimited)” and no password, and upload that file.")
_ODS = _l("This is a LibreOffice / OpenOffice spreadsheet (.ods). Please choose “Save as” and the type “Excel "
          "2007-365 (.xlsx)” or “Text CSV” (UTF-8), and upload that file.")
_NUMBERS = _l("This is an Apple Numbers file. Please choose File → Export To → Excel (or CSV) in Numbers, and upload "
              "that file.")
_DAMAGED_WORKBOOK = _l("This Excel workbook could not be opened: it may be damaged. Please open it in Excel, save it "
                       "again as “Excel workbook (.xlsx)” or “CSV UTF-8 (comma delimited)”, and upload that file.")


# --- the formula guard ---------------------------------------------------------------------------


def guard_formula(value: str) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe (shown as text). So does
    one that starts with apostrophes before such a character, so that `unguard_formula` gives it back whole."""
    return FORMULA_GUARD + value if value.lstrip(FORMULA_GUARD).startswith(FORMULA_TRIGGERS) else value


def unguard_formula(value: str) -> str:
    """Undo `guard_formula` on a cell read back from one of our own files (or guarded the same way)."""
    if value.startswith(FORMULA_GUARD) and value.lstrip(FORMULA_GUARD).startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --- reading -------------------------------------------------------------------------------------


class TableError(Exception):
    """The file as a whole cannot be read; `message` (a lazy string) says why and what to do."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class TableRow:
    line: int  # as Excel counts: the line of a CSV file where the row starts, or the sheet's row number
    cells: list[str]


@dataclass(frozen=True)
class Table:
    header: list[str]
    header_line: int
    rows: list[TableRow]  # rows with at least one non-empty cell, formula guards removed
    source: str  # what was read, for the report: "CSV (UTF-8)", "Excel (.xlsx), sheet “名簿”"


def read_table(data: bytes, *, filename: str = "", max_rows: int, max_bytes: int | None = None) -> Table:
    """The header row (the first non-empty row) and the data rows of an uploaded CSV or .xlsx file."""
    if max_bytes is not None and len(data) > max_bytes:
        raise TableError(_l("The file is larger than %(max)d MB. Please split it into smaller files.",
                            max=max(1, max_bytes // (1024 * 1024))))
    if not data.strip() or data.strip() in (UTF8_BOM, *UTF16_BOMS):
        raise TableError(_l("The file is empty. Please upload a CSV or Excel file whose first row names the "
                            "columns, with one row per entry below it."))
    if data.startswith(OLE_MAGIC):
        raise TableError(_OLD_EXCEL)
    suffix = PurePath(filename).suffix.lower()  # only to name what a file that cannot be read was meant to be
    rows: Iterable[tuple[int, list[str]]]
    if data.startswith(ZIP_MAGIC):
        rows, source = _xlsx_rows(data, suffix=suffix)
    else:
        rows, source = _csv_rows(data, suffix=suffix)
    return _table(rows, source=source, max_rows=max_rows)


def _table(rows: Iterable[tuple[int, list[str]]], *, source: str, max_rows: int) -> Table:
    header: list[str] | None = None
    header_line = 0
    body: list[TableRow] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header, header_line = [cell.replace("\ufeff", "") for cell in cells], line
            continue
        if len(body) >= max_rows:
            raise TableError(_l("The file has more than %(max)d rows. Please split it into smaller files.",
                                max=max_rows))
        body.append(TableRow(line, [unguard_formula(cell) for cell in cells]))
    if header is None:
        raise TableError(_l("The file is empty. Please upload a CSV or Excel file whose first row names the "
                            "columns, with one row per entry below it."))
    return Table(header=header, header_line=header_line, rows=body, source=source)


def _decode(data: bytes, *, suffix: str) -> tuple[str, str]:
    """The text and the name of its encoding, or TableError if it is not text."""
    candidates: tuple[tuple[str, str], ...]
    if data.startswith(UTF16_BOMS):
        candidates = (("utf-16", "UTF-16"),)
    elif data.startswith(UTF8_BOM):
        candidates = (("utf-8-sig", "UTF-8 with BOM"),)
    else:
        candidates = (("utf-8", "UTF-8"), ("cp932", "Shift_JIS/cp932"))
    for encoding, name in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _BINARY_CHARS.search(text):
            return text, name
    named = {".xls": _OLD_EXCEL, ".xlsx": _DAMAGED_WORKBOOK, ".xlsm": _DAMAGED_WORKBOOK, ".ods": _ODS,
             ".numbers": _NUMBERS}
    if suffix in named:
        raise TableError(named[suffix])
    raise TableError(_l("The file could not be read as text: it is not a CSV file, or it is damaged. Please "
                        "save it from Excel as “CSV UTF-8 (comma delimited)” (Shift_JIS is accepted too) or as "
                        "an Excel workbook (.xlsx), and upload it again."))


def _csv_rows(data: bytes, *, suffix: str) -> tuple[Iterable[tuple[int, list[str]]], str]:
    text, encoding = _decode(data, suffix=suffix)
    if _MARKUP_START.match(text.lstrip("\ufeff")):
        raise TableError(_l("This file is a web page or XML, not CSV (some programs give such files an Excel "
                            "name). Please open it in Excel and save it as “Excel workbook (.xlsx)” or “CSV UTF-8 "
                            "(comma delimited)”."))
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    previous = 0  # last physical line read; a quoted cell may span several
    try:
        for cells in reader:
            rows.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        raise TableError(_l("The file is not valid CSV near line %(line)d (%(reason)s). Please save it again from "
                            "Excel as CSV UTF-8.", line=previous + 1, reason=str(exc))) from exc
    names = {",": "", "\t": _l(", tab-separated"), ";": _l(", semicolon-separated")}
    return rows, f"CSV ({encoding}{names[delimiter]})"


def _delimiter(first_line: str) -> str:
    """Comma, unless the header row has no comma and is clearly separated by tabs or semicolons."""
    if "," in first_line:
        return ","
    if "\t" in first_line:
        return "\t"
    return ";" if ";" in first_line else ","


def _xlsx_rows(data: bytes, *, suffix: str) -> tuple[Iterator[tuple[int, list[str]]], str]:
    _check_workbook_archive(data, suffix=suffix)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged workbook
        raise TableError(_DAMAGED_WORKBOOK) from exc
    if not workbook.worksheets:
        workbook.close()
        raise TableError(_l("The workbook has no worksheet. Please put the list on the first sheet."))
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # the size a file claims may be wrong (or hostile): read what is there

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, cells in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1):
                yield line, _row_texts(cells)
        except TableError:
            raise
        except Exception as exc:
            raise TableError(_DAMAGED_WORKBOOK) from exc
        finally:
            workbook.close()

    return rows(), str(_l("Excel workbook (.xlsx), sheet “%(sheet)s”", sheet=sheet.title))


def _check_workbook_archive(data: bytes, *, suffix: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise TableError(_DAMAGED_WORKBOOK) from exc
    if b"opendocument" in mimetype:
        raise TableError(_ODS)
    if "xl/workbook.xml" not in names and (suffix == ".numbers" or "Index/Document.iwa" in names):
        raise TableError(_NUMBERS)
    if "xl/workbook.xml" not in names:
        raise TableError(_l("This file is a zip archive but not an Excel workbook. Please upload the list as an "
                            "Excel workbook (.xlsx) or a CSV file."))
    if sum(entry.file_size for entry in entries if not entry.filename.startswith("xl/media/")) > MAX_UNZIPPED_BYTES:
        raise TableError(_l("This workbook is too large to read. Please keep only the list on its first sheet, or "
                            "split it into smaller files."))


def _row_texts(cells: Sequence[Any]) -> list[str]:
    texts = [_cell_text(cell) for cell in cells]
    while texts and texts[-1] == "":
        texts.pop()
    return texts


def _cell_text(cell: Any) -> str:
    """The text a person sees in the cell (for the formats lists use: numbers, dates, codes with zeros)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, int | float):
        return _number_text(value, getattr(cell, "number_format", "General") or "General")
    return str(value)


def _number_text(value: float, number_format: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        zeros = number_format.strip('"\\')
        if zeros and set(zeros) == {"0"}:  # "0000000": a postcode or member number keeps its leading zeros
            return str(value).zfill(len(zeros))
        return str(value)
    return f"{value:.15g}"


# --- writing -------------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return guard_formula(value)
    return str(value)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with BOM and CRLF, as Excel expects; every cell guarded against formulas."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(title) for title in header])
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _display_width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if not isinstance(value, str):
        return len(str(value))
    first_line = value.split("\n", 1)[0]
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in first_line)


def write_xlsx(header: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str,
               progress: Callable[[int], None] | None = None, progress_every: int = 500) -> bytes:
    """A one-sheet workbook: bold frozen header with a filter, columns as wide as their contents, text as
    strings (a cell "=..." stays text), dates as dates. `progress` is told how many rows are written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "Sheet1")
    for index in range(len(header)):
        widths = [_display_width(header[index])] + [_display_width(row[index]) for row in rows if index < len(row)]
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(widths) + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"
    bold, middle = Font(bold=True), Alignment(vertical="center")
    header_cells = []
    for title_text in header:
        cell = _xlsx_cell(sheet, title_text)
        cell.font, cell.alignment = bold, middle
        header_cells.append(cell)
    sheet.append(header_cells)
    for written, row in enumerate(rows, start=1):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        if progress is not None and written % progress_every == 0:
            progress(written)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if progress is not None:
        progress(len(rows))
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Cell) -> Any:  # openpyxl's WriteOnlyCell is a factory, not a type
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=datetime.combine(value, time(0, 0)))
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, int | float) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
    cell.data_type = "s"  # "=..." stays text: openpyxl would otherwise store a formula
    return cell
