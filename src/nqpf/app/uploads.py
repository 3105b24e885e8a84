"""Files a workbench user uploads: checked by size and content before the table readers see them.

An upload arrives as a file the web framework received and a name chosen by the user. Neither
is trusted: the file's size is checked before it is read (:func:`uploaded_bytes`), the kind
(CSV or XLSX) is read from the content, the name only labels messages, and the bytes are
written, when a reader needs a file, to a private :class:`tempfile.TemporaryDirectory` under a
cleaned name that cannot leave it. Tables are then read by the one user-table reader
(:func:`nqpf.panel.read_table`, :meth:`nqpf.panel.Panel.from_file`) and index systems by the
safe YAML loader of :func:`nqpf.index.load_system`.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import pandas as pd

from nqpf._compat import require
from nqpf.errors import DataValidationError, IndexSystemError
from nqpf.index import IndexSystem, load_system
from nqpf.panel import Panel, read_table
from nqpf.validation import ValidationReport

__all__ = ["MAX_UPLOAD_BYTES", "Upload", "read_system_upload", "read_upload", "uploaded_bytes"]

MAX_UPLOAD_BYTES = 20 * 1024**2
"""Largest upload accepted by the workbench (20 MB: a region-year table takes kilobytes)."""

Kind = Literal["csv", "xlsx"]


@dataclass(frozen=True, eq=False)
class Upload:
    """An uploaded table that passed the checks of :func:`read_upload`.

    ``name`` is the cleaned file name with the suffix of its content, ``table`` the text cells
    as :func:`~nqpf.panel.read_table` gives them (for the column mapping) and ``report`` what
    the reader noted (encoding, sheet, dropped rows).
    """

    name: str
    kind: Kind
    content: bytes
    table: pd.DataFrame
    report: ValidationReport

    @property
    def headers(self) -> list[str]:
        """The column headers of the table, in file order."""
        return [str(c) for c in self.table.columns]

    def panel(
        self,
        *,
        region: str | None = None,
        year: str | None = None,
        keep: Sequence[str] = (),
        level: Literal["province", "city"] = "province",
    ) -> Panel:
        """The :class:`~nqpf.panel.Panel` of the table with ``region``/``year`` headers mapped."""
        with _private_file(self.content, self.name) as path:
            return Panel.from_file(path, region=region, year=year, keep=keep, level=level)


def read_upload(content: bytes, filename: str, *, limit: int = MAX_UPLOAD_BYTES) -> Upload:
    r"""Check an uploaded table and read it with the user-table reader.

    Checks, in order: the size (at most ``limit`` bytes, not empty); the kind by content, not
    by name (XLSX: a ZIP holding ``[Content_Types].xml`` and an ``xl/`` part; CSV: text
    without NUL bytes in UTF-8 or GBK/GB18030); merged cells in the header row of an XLSX's
    first sheet; then :func:`~nqpf.panel.read_table` (no header, no data rows).

    Raises
    ------
    DataValidationError
        Each failed check, as one line naming the file and what is wrong.

    Examples
    --------
    >>> upload = read_upload("地区,年份,x\n北京,2020,1\n".encode("gbk"), "../../gbk.csv")
    >>> upload.name, upload.kind, upload.headers
    ('gbk.csv', 'csv', ['地区', '年份', 'x'])
    """
    label = _clean_stem(filename)
    _check_size(len(content), filename, limit)
    kind = _kind_of(content, filename)
    name = f"{label}.{kind}"
    if kind == "xlsx":
        _check_merged_header(content, filename)
    report = ValidationReport()
    with _private_file(content, name) as path:
        table = read_table(path, report=report)
    return Upload(name, kind, content, table, report)


def uploaded_bytes(path: str | Path, filename: str, *, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The content of a file the server received, its size checked before it is read.

    ``path`` is the web framework's own copy of the upload (Shiny sets no size limit of its
    own), ``filename`` the name the user gave, which labels the message.

    Raises
    ------
    DataValidationError
        An empty file, or one above ``limit`` bytes (never read into memory).
    """
    path = Path(path)
    _check_size(path.stat().st_size, filename, limit)
    return path.read_bytes()


def read_system_upload(content: bytes, filename: str) -> IndexSystem:
    """An uploaded index system (YAML), read by the safe loader of :func:`~nqpf.index.load_system`.

    Python tags (``!!python/object``), anchors, aliases and duplicate keys are refused there.

    Raises
    ------
    IndexSystemError
        A file that is not a valid index system, naming the file (not the private copy).
    """
    name = f"{_clean_stem(filename)}.yaml"
    with _private_file(content, name) as path:
        try:
            return load_system(path)
        except IndexSystemError as exc:
            raise IndexSystemError(str(exc).replace(str(path), name)) from None


def _clean_stem(filename: str) -> str:
    """The file name without folders and suffix, reduced to letters, digits, ``-`` and ``_``."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem
    return re.sub(r"[^\w\-]+", "_", stem).strip("_")[:60] or "upload"


def _check_size(size: int, filename: str, limit: int) -> None:
    """Refuse an empty upload and one above ``limit`` bytes, naming the file and its size."""
    if size == 0:
        raise DataValidationError(f"{filename!r} is empty (0 bytes): there is nothing to read")
    if size > limit:
        raise DataValidationError(
            f"{filename!r} is {size / 1024**2:.1f} MB, above the {limit / 1024**2:.0f} MB upload "
            "limit of the workbench; a region-year table or an index system takes kilobytes"
        )


def _kind_of(content: bytes, filename: str) -> Kind:
    """``"xlsx"`` or ``"csv"`` from the bytes; anything else is refused."""
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        raise DataValidationError(
            f"{filename!r} is a ZIP archive but not an Excel workbook (no [Content_Types].xml "
            "with an xl/ part); upload a CSV or XLSX table"
        )
    head = content[:65536]
    if b"\x00" in head:
        raise DataValidationError(
            f"{filename!r} is binary content (an image, a PDF or an old .xls?), not a CSV or "
            "XLSX table, whatever its name says"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "csv"
    raise DataValidationError(
        f"{filename!r} is text in neither UTF-8 nor GBK/GB18030; save it as CSV UTF-8"
    )


def _check_merged_header(content: bytes, filename: str) -> None:
    """Refuse merged cells touching row 1 (the header row) of the first sheet, naming them."""
    openpyxl = require("openpyxl", "reading Excel workbooks")
    try:
        book = openpyxl.load_workbook(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise DataValidationError(
            f"{filename!r} is not a readable Excel workbook ({err}); open and save it again"
        ) from None
    sheet = book.worksheets[0]
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row == 1]
    book.close()
    if merged:
        raise DataValidationError(
            f"{filename!r}, sheet {sheet.title!r}: merged header cells {', '.join(merged)}; "
            "unmerge them so that every column has its own header in row 1"
        )


@contextmanager
def _private_file(content: bytes, name: str) -> Iterator[Path]:
    """``content`` as the file ``name`` in a private temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nqpf-upload-") as folder:
        path = Path(folder) / PurePosixPath(name).name
        path.write_bytes(content)
        yield path
