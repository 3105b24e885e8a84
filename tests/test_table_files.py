"""Files that are not what a table reader expects: each gets one clear DataValidationError.

Every file is written here byte by byte; the expected rows are counted by hand (the header is
file row 1).
"""

import zipfile

import openpyxl
import pandas as pd
import pytest

import nqpf.panel
from nqpf.errors import DataValidationError
from nqpf.panel import Panel, read_table

BEIJING, SHANGHAI = 110000, 310000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
TABLE = "地区,年份,研发经费\n北京,2020,1.5\n上海,2020,2.5\n"


def workbook(path, rows) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def refused(path, *parts):
    with pytest.raises(DataValidationError) as info:
        Panel.from_file(path)
    message = str(info.value)
    assert all(p in message for p in parts), message
    error = info.value  # one message: no chained library error
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return message


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_a_zero_byte_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    refused(path, f"{name} is empty (0 bytes)", "header row")


def test_blank_lines_only(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n\n \n", encoding="utf-8")
    refused(path, "blank.csv holds no table")


def test_header_only_csv_and_xlsx(tmp_path):
    csv = tmp_path / "header.csv"
    csv.write_text("地区,年份,研发经费\n", encoding="utf-8")
    refused(csv, "header.csv has a header row (地区, 年份, 研发经费) but no data rows")
    xlsx = tmp_path / "header.xlsx"
    workbook(xlsx, [["地区", "年份", "研发经费"]])
    refused(xlsx, "header.xlsx has a header row (地区, 年份, 研发经费) but no data rows")
    sheetless = tmp_path / "blank.xlsx"
    workbook(sheetless, [])
    refused(sheetless, "blank.xlsx has no header row")


@pytest.mark.parametrize("name", ["picture.csv", "picture.xlsx"])
def test_a_png_under_a_table_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PNG)
    refused(path, f"{name} is a PNG image")


def test_text_named_xlsx_and_a_workbook_named_csv(tmp_path):
    text = tmp_path / "table.xlsx"
    text.write_text(TABLE, encoding="utf-8")
    refused(text, "table.xlsx is a text file, not an Excel workbook", "rename it .csv")
    book = tmp_path / "real.xlsx"
    workbook(book, [["地区", "年份", "x"], ["北京", 2020, 1]])
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(book.read_bytes())
    refused(renamed, "book.csv is a ZIP archive", "rename it .xlsx")


def test_other_binaries(tmp_path):
    binary = tmp_path / "data.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    refused(binary, "data.csv is a binary file")
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    refused(old, "Excel 97-2003", "save it as .xlsx")
    archive = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "hello")
    refused(archive, "notes.xlsx is a ZIP archive but not a readable Excel workbook")
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(TABLE.replace(",", "\t").encode("utf-16"))
    refused(utf16, "unicode.txt is UTF-16 text")


def test_undecodable_and_malformed_csv(tmp_path):
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(b"region,year,x\n\x80\xff,2020,1\n")
    refused(garbled, "cannot decode the file as UTF-8 or GB18030")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("地区,年份,x\n北京,2020,1\n上海,2020,1,234\n", encoding="utf-8")
    refused(ragged, "ragged.csv is not a well-formed CSV table", "line 3", "quotes")


def test_files_above_the_size_limit_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "records.csv"
    path.write_text(TABLE, encoding="utf-8")
    monkeypatch.setattr(nqpf.panel, "MAX_TABLE_BYTES", len(TABLE.encode()) - 1)
    refused(path, "records.csv is 0 MB, above the 0 MB limit", "aggregate record-level data")
    assert nqpf.panel.MAX_TABLE_BYTES < 200 * 1024**2  # the patch is in effect; default 200 MB


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_gbk_and_utf8_with_bom_read_alike(tmp_path, encoding):
    path = tmp_path / "rd.csv"
    path.write_bytes(TABLE.encode(encoding))
    panel = Panel.from_file(path)
    assert panel.wide()["研发经费"].to_dict() == {(BEIJING, 2020): 1.5, (SHANGHAI, 2020): 2.5}
    notes = [i.message for i in panel.report if i.kind == "encoding"]
    assert notes == ([] if encoding == "utf-8-sig" else ["rd.csv is not UTF-8; read as gb18030"])


def test_blank_rows_keep_file_row_numbers(tmp_path):
    csv = tmp_path / "gaps.csv"
    csv.write_text("地区,年份,x\n北京,2020,1\n\n,,\n上海,2020,inf\n", encoding="utf-8")
    message = refused(csv, "gaps.csv row 5, column 'x' (上海)", "'inf'", "not a finite number")
    assert "row 3," not in message
    csv.write_text("地区,年份,x\n北京,2020,1\n\n,,\n上海,2020,2\n", encoding="utf-8")
    panel = Panel.from_file(csv)
    dropped = [(i.kind, i.action, i.row) for i in panel.report if i.kind == "empty_row"]
    assert dropped == [("empty_row", "dropped", 3)]
    assert "(rows 3, 4)" in next(i.message for i in panel.report if i.kind == "empty_row")
    xlsx = tmp_path / "gaps.xlsx"
    workbook(xlsx, [["地区", "年份", "x"], ["北京", 2020, 1], [], ["上海", 2020, "1,23"]])
    refused(xlsx, "gaps.xlsx row 4, column 'x' (上海)", "'1,23'", "decimal=','")
    assert list(read_table(csv).index) == [2, 5]


def test_read_table_keeps_cells_as_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n007,1,234\n".replace("1,234", '"1,234"'), encoding="utf-8")
    frame = read_table(path)
    pd.testing.assert_frame_equal(
        frame, pd.DataFrame({"a": ["007"], "b": ["1,234"]}, index=pd.RangeIndex(2, 3))
    )
