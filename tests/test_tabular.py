"""eventapp.tabular: the one reader and writer of CSV and Excel files, and its formula guard."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from eventapp.tabular import (
    MAX_UNZIPPED_BYTES,
    TableError,
    guard_formula,
    read_table,
    unguard_formula,
    write_csv,
    write_xlsx,
)

HOSTILE = ['=HYPERLINK("http://evil.example/","click")', "+81 3 1234", "-5℃", "@SUM(A1)", "\tTAB", "\rCR",
           "\nLF", "＝ＨＹＰＥＲＬＩＮＫ(\"x\")", "＋８１", "－５", "＠ｘ", "'=already quoted"]


def _workbook(rows, *, title: str = "名簿", extra_sheets: tuple[str, ...] = ()) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in extra_sheets:
        workbook.create_sheet(name).append(["other sheet"])
    return workbook


def _xlsx(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """As Excel saves a workbook: each formula cell also holds the value it last showed (openpyxl writes none)."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v\s*>\s*</v>)</c>',
                                  rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v></c>', text)
                content = text.encode()
            out.writestr(item, content)
    return target.getvalue()


# --- the guard -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+81", "'+81"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("\nx", "'\nx"), ("＝1+1", "'＝1+1"), ("＋81", "'＋81"), ("－1", "'－1"), ("＠x", "'＠x"),
    ("山田", "山田"), ("a=b", "a=b"), ("", ""), ("'plain", "'plain"), (" =1", " =1"),
])
def test_guard_formula(value, expected):
    assert guard_formula(value) == expected
    assert unguard_formula(guard_formula(value)) == value


def test_apostrophes_before_a_formula_are_kept_whole():
    assert guard_formula("'=x") == "''=x" and unguard_formula("''=x") == "'=x"
    assert unguard_formula("'=x") == "=x"  # as another program guards it
    assert unguard_formula("'山田") == "'山田" and unguard_formula("'") == "'" and guard_formula("'山田") == "'山田"


def test_every_hostile_value_round_trips_through_our_csv():
    data = write_csv(["値"], [[value] for value in HOSTILE])
    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert all(cell.startswith("'") for (cell,) in written[1:])
    assert [row.cells[0] for row in read_table(data, max_rows=100).rows] == HOSTILE


# --- reading CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "source"), [
    ("utf-8", "CSV (UTF-8)"), ("utf-8-sig", "CSV (UTF-8 with BOM)"), ("utf-16", "CSV (UTF-16)"),
    ("utf-16-be", None), ("cp932", "CSV (Shift_JIS/cp932)"),
])
def test_encodings(encoding, source):
    text = "姓,名,会社名\r\n髙橋,花子,株式会社ﾃｽﾄ\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
        source = "CSV (UTF-16)"
    table = read_table(data, max_rows=10)
    assert table.header == ["姓", "名", "会社名"] and table.rows[0].cells == ["髙橋", "花子", "株式会社ﾃｽﾄ"]
    assert table.source == source


@pytest.mark.parametrize(("text", "source", "cells"), [
    ("姓\t名\n山田\t太郎\n", "CSV (UTF-8, tab-separated)", ["山田", "太郎"]),
    ("姓;名\n山田;太郎\n", "CSV (UTF-8, semicolon-separated)", ["山田", "太郎"]),
    ("姓,名\n山田,太郎\n", "CSV (UTF-8)", ["山田", "太郎"]),
    ("姓,名;備考\n山田,太郎;x\n", "CSV (UTF-8)", ["山田", "太郎;x"]),  # a comma in the header row wins
    ("\n\n姓\t名\n山田\t太郎\n", "CSV (UTF-8, tab-separated)", ["山田", "太郎"]),  # sniffed on the header row
])
def test_delimiters(text, source, cells):
    table = read_table(text.encode(), max_rows=10)
    assert table.source == source and table.rows[0].cells == cells


def test_line_numbers_count_physical_lines_and_skip_blank_rows():
    text = '\r\n,,\r\n姓,紹介\r\n山田,"一行目\r\n二行目"\r\n\r\n佐藤,x\r\n'
    table = read_table(text.encode(), max_rows=10)
    assert table.header_line == 3
    assert [(row.line, row.cells[0]) for row in table.rows] == [(4, "山田"), (7, "佐藤")]


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"\xef\xbb\xbf", "empty"),
    (b"\xff\xfe", "empty"),
    (b"\r\n \r\n", "empty"),
    (b",,\r\n,,\r\n", "empty"),
    (b"a,b\r\n\x00\x01,x\r\n", "could not be read as text"),
    (bytes(range(256)) * 4, "could not be read as text"),
    (b"\xef\xbb\xbf\xff\xfe\xfd", "could not be read as text"),
    (bytes([0x82, 0xa0, 0xff, 0xfe, 0x80, 0x81]) * 3, "could not be read as text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04" + b"\x00" * 50, "could not be opened"),
    (b"<html><body><table><tr><td>x</td></tr></table></body></html>", "web page"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "web page"),
    (b'a,b\r\n"unclosed,x\r\n', None),  # the csv module reads to the end: one cell with the rest of the file
])
def test_files_that_cannot_be_read_are_refused_with_what_to_do(data, words):
    if words is None:
        assert read_table(data, max_rows=10).rows[0].cells == ["unclosed,x\r\n"]
        return
    with pytest.raises(TableError) as refused:
        read_table(data, max_rows=10)
    assert words in str(refused.value.message)
    assert "Please" in str(refused.value.message)  # says what to do


def test_limits():
    data = ("姓\r\n" + "山田\r\n" * 11).encode()
    assert len(read_table(data, max_rows=11).rows) == 11
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(data, max_rows=10)
    with pytest.raises(TableError, match="larger than 1 MB"):
        read_table(b"x" * (1024 * 1024 + 1), max_rows=10, max_bytes=1024 * 1024)


def test_messages_are_japanese_in_a_japanese_page(app):
    with app.test_request_context("/?lang=ja"):
        with pytest.raises(TableError) as refused:
            read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", max_rows=10)
        assert "古い形式のExcel" in str(refused.value.message)  # a lazy text: read in the page's language


# --- reading Excel -------------------------------------------------------------------------------


def test_xlsx_first_sheet_values_as_a_person_sees_them():
    workbook = _workbook([
        [None],  # a blank first row: the header is the first row with something in it
        ["姓", "郵便番号", "設立年", "申込日", "申込日時", "人数", "率", "同意", "電話"],
        ["髙﨑", 1350064, 1987, date(2027, 2, 18), datetime(2027, 1, 10, 13, 45), 3.0, 0.25, True, "0312345678"],
        [],
        ["山田", 1000001, None, None, None, None, None, False, None],
    ], extra_sheets=("別シート",))
    workbook.active["B3"].number_format = "0000000"
    workbook.active["B5"].number_format = "0000000"
    table = read_table(_xlsx(workbook), max_rows=10)
    assert table.source == "Excel workbook (.xlsx), sheet “名簿”"
    assert table.header_line == 2 and table.header[0] == "姓"
    assert [(row.line, row.cells) for row in table.rows] == [
        (3, ["髙﨑", "1350064", "1987", "2027-02-18", "2027-01-10 13:45", "3", "0.25", "TRUE", "0312345678"]),
        (5, ["山田", "1000001", "", "", "", "", "", "FALSE"]),  # trailing empty cells are left out
    ]


def test_xlsx_zero_padded_numbers_keep_their_zeros():
    workbook = _workbook([["郵便番号"], [64]])
    workbook.active["A2"].number_format = "0000000"
    assert read_table(_xlsx(workbook), max_rows=10).rows[0].cells == ["0000064"]


def test_xlsx_formulas_are_never_read_only_the_values_they_show():
    hyperlink = '=HYPERLINK("http://evil.example/","click")'
    workbook = _workbook([["会社名", "人数", "備考"], ["株式会社テスト", "=1+1", hyperlink]])
    saved_by_openpyxl = _xlsx(workbook)
    table = read_table(saved_by_openpyxl, max_rows=10)
    assert table.rows[0].cells == ["株式会社テスト"]  # no value was saved for the formulas: they read as empty
    saved_by_excel = _with_cached_values(saved_by_openpyxl, {"B2": "2", "C2": "click"})
    assert read_table(saved_by_excel, max_rows=10).rows[0].cells == ["株式会社テスト", "2", "click"]


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    data = write_xlsx(["会社名"], [["=HYPERLINK(1)"], ["'=x"]], title="t")
    assert [row.cells for row in read_table(data, max_rows=10).rows] == [["=HYPERLINK(1)"], ["=x"]]


@pytest.mark.parametrize(("entries", "words"), [
    ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}, ".ods"),
    ({"word/document.xml": "<x/>", "[Content_Types].xml": "<x/>"}, "not an Excel workbook"),
    ({"Index/Document.iwa": "x", "Metadata/Properties.plist": "x"}, "Numbers"),
    ({"xl/workbook.xml": "<not a workbook", "[Content_Types].xml": "<x/>"}, "could not be opened"),
])
def test_zip_files_that_are_not_workbooks(entries, words):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    with pytest.raises(TableError) as refused:
        read_table(buffer.getvalue(), max_rows=10)
    assert words in str(refused.value.message)


@pytest.mark.parametrize(("filename", "words"), [
    ("members.xlsx", "could not be opened"), ("members.xls", ".xls"), ("members.ods", ".ods"),
    ("members.numbers", "Numbers"), ("members.csv", "could not be read as text"), ("", "could not be read as text"),
])
def test_the_file_name_says_what_an_unreadable_file_was_meant_to_be(filename, words):
    with pytest.raises(TableError) as refused:
        read_table(bytes(range(256)) * 4, filename=filename, max_rows=10)
    assert words in str(refused.value.message)


def test_a_csv_named_xlsx_is_read_as_what_it_is():
    assert read_table("姓\r\n山田\r\n".encode(), filename="名簿.xlsx", max_rows=10).source == "CSV (UTF-8)"


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_parsed():
    data = _xlsx(_workbook([["姓"], ["山田"]]))
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/padding.xml", b" " * (MAX_UNZIPPED_BYTES + 1))
    assert len(target.getvalue()) < 1024 * 1024  # small on the wire
    with pytest.raises(TableError, match="too large"):
        read_table(target.getvalue(), max_rows=10)


def test_a_damaged_sheet_is_refused_with_a_message():
    data = _xlsx(_workbook([["姓"], ["山田"]]))
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            out.writestr(item, content[: len(content) // 2] if item.filename == "xl/worksheets/sheet1.xml" else content)
    with pytest.raises(TableError, match="could not be opened"):
        read_table(target.getvalue(), max_rows=10)


# --- writing -------------------------------------------------------------------------------------


def test_csv_for_excel():
    data = write_csv(["姓", "日時", "数"], [["髙﨑", datetime(2027, 1, 10, 13, 45), 3], ["=1", None, -1]])
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 3
    assert data.decode("utf-8-sig").splitlines() == ["姓,日時,数", "髙﨑,2027-01-10 13:45,3", "'=1,,-1"]


def test_xlsx_cells_are_strings_never_formulas():
    rows = [["=HYPERLINK(\"x\")", datetime(2027, 1, 10, 13, 45), 3, "制御\x07文字"], ["＝１", None, None, ""]]
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(["会社名（とても長い見出し）", "日時", "数", "備考"], rows,
                                                            title="参加者/一覧")))
    sheet = workbook.active
    assert sheet.title == "参加者一覧" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D3"
    assert all(cell.font.bold for cell in sheet[1])
    formula_cell = sheet["A2"]
    assert formula_cell.value == '=HYPERLINK("x")' and formula_cell.data_type == "s"
    assert sheet["B2"].value == datetime(2027, 1, 10, 13, 45) and sheet["C2"].value == 3
    assert sheet["D2"].value == "制御文字"  # characters an .xlsx cannot hold are dropped
    assert sheet["A3"].data_type == "s" and sheet["B3"].value is None
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["C"].width
