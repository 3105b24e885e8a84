"""Checks of uploaded files: each bad file is one specific error; synthetic tables built here."""

import io
import zipfile

import openpyxl
import pytest

from nqpf.app import read_system_upload, read_upload
from nqpf.app.uploads import uploaded_bytes
from nqpf.errors import DataValidationError, IndexSystemError

# synthetic table (values made up for the test)
ROWS = [["地区", "年份", "研发经费（亿元）"], ["北京", 2020, 2326.6], ["上海", 2020, 1615.7]]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def xlsx_bytes(rows, merge=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_gbk_csv_is_decoded():
    text = "\n".join(",".join(map(str, row)) for row in ROWS) + "\n"
    upload = read_upload(text.encode("gbk"), "研发.csv")
    assert upload.kind == "csv"
    assert upload.headers == ["地区", "年份", "研发经费（亿元）"]
    assert upload.table["地区"].tolist() == ["北京", "上海"]
    assert upload.panel().wide().loc[(310000, 2020), "研发经费"] == pytest.approx(1615.7)


def test_xlsx_is_read_whatever_its_name():
    upload = read_upload(xlsx_bytes(ROWS), "table.csv")
    assert (upload.kind, upload.name) == ("xlsx", "table.xlsx")
    assert upload.table["年份"].tolist() == [2020, 2020]


def test_png_named_csv_is_refused():
    with pytest.raises(DataValidationError, match=r"'photo\.csv' is binary content"):
        read_upload(PNG, "photo.csv")


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(DataValidationError, match="ZIP archive but not an Excel workbook"):
        read_upload(buffer.getvalue(), "data.xlsx")


def test_empty_sheet_and_empty_file_are_refused():
    with pytest.raises(DataValidationError, match="no header row"):
        read_upload(xlsx_bytes([]), "empty.xlsx")
    with pytest.raises(DataValidationError, match="but no data rows"):
        read_upload(xlsx_bytes(ROWS[:1]), "header-only.xlsx")
    with pytest.raises(DataValidationError, match="empty"):
        read_upload(b"", "nothing.csv")


def test_merged_header_cells_are_named():
    rows = [["地区", "研发经费", None], *ROWS[1:]]
    with pytest.raises(DataValidationError, match="merged header cells B1:C1"):
        read_upload(xlsx_bytes(rows, merge="B1:C1"), "merged.xlsx")


def test_merged_cells_below_the_header_pass_to_the_reader():
    upload = read_upload(xlsx_bytes([*ROWS, ["广东", 2020, None]], merge="A2:A3"), "ok.xlsx")
    assert upload.headers == ROWS[0]


def test_over_limit_size_is_refused_before_reading():
    content = b"a,b\n" + b"1,2\n" * (1024**2 // 4)  # 1 MB and 4 bytes
    with pytest.raises(DataValidationError, match=r"1\.0 MB, above the 1 MB upload limit"):
        read_upload(content, "big.csv", limit=1024**2)
    assert read_upload(content, "small.csv", limit=len(content)).kind == "csv"


def test_file_name_cannot_leave_the_private_folder():
    text = "\n".join(",".join(map(str, row)) for row in ROWS)
    upload = read_upload(text.encode(), "../../etc/passwd; rm -rf.csv")
    assert upload.name == "passwd_rm_-rf.csv"


def test_yaml_with_a_python_tag_is_refused():
    content = b"name: !!python/object/apply:os.system ['echo hacked']\ndimensions: []\n"
    with pytest.raises(IndexSystemError, match="evil.yaml") as caught:
        read_system_upload(content, "evil.yaml")
    assert "python/object" in str(caught.value)
    assert "nqpf-upload-" not in str(caught.value)  # the private copy's path is not shown


def test_uploaded_file_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as sink:
        sink.truncate(50 * 1024**2)  # 50 MB, sparse: nothing written
    with pytest.raises(DataValidationError, match=r"'大表\.csv' is 50\.0 MB, above the 20 MB"):
        uploaded_bytes(big, "大表.csv")
    (tmp_path / "none.csv").touch()
    with pytest.raises(DataValidationError, match=r"'none\.csv' is empty \(0 bytes\)"):
        uploaded_bytes(tmp_path / "none.csv", "none.csv")
    (tmp_path / "ok.csv").write_bytes(b"a,b\n1,2\n")
    assert uploaded_bytes(tmp_path / "ok.csv", "ok.csv") == b"a,b\n1,2\n"
