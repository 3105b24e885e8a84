"""Exports of result tables: CSV files, Excel workbooks and Stata datasets, written atomically.

:func:`write_csv` writes UTF-8 CSV with a byte-order mark (so that Excel reads Chinese).
:func:`write_excel` writes one formatted sheet per table (bold frozen header, fitted columns,
numbers stored as numbers; ``style="three-line"`` for the three-line table, 三线表, of journals).
Both pass every text cell through :func:`neutralise`, so that no exported label can run as a
formula when the file is opened. :func:`latex_table` and :func:`write_latex` give the same tables
as LaTeX ``booktabs`` tables. :func:`write_stata` writes a Stata
14+ ``.dta`` file (format 118, UTF-8) with variable labels, renaming columns to valid Stata names
and reporting each renaming. :func:`output_folder` makes a set of outputs appear at once, with a
``manifest.json``, or not at all.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.validation import ValidationReport

__all__ = [
    "MANIFEST",
    "latex_table",
    "neutralise",
    "output_folder",
    "sheet_names",
    "stata_names",
    "write_csv",
    "write_excel",
    "write_latex",
    "write_stata",
]

_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLUMNS = 16_384
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# Characters openpyxl refuses in cell text (XML 1.0 control characters).
_CELL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 60
# First characters that make a spreadsheet read a text cell as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Name of the file that lists the outputs of a run (see :func:`output_folder`).
MANIFEST = "manifest.json"

# Names Stata (User's Guide, "reserved names") and Mata keep for themselves.
_STATA_RESERVED = frozenset(
    """
    _all _b _coef _cons _n _N _pi _pred _rc _se _skip byte double float int long str strL if in
    using with aggregate array boolean break case catch class colvector complex const continue
    default delegate delete do else eltypedef end enum explicit export external for friend
    function global goto inline local NULL orgtype pointer pragma protected quad real rowvector
    scalar short signed static string struct super switch template this throw transmorphic try
    typedef typename union unsigned vector version virtual void volatile while
    """.split()
)
_STATA_VALID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STATA_NAME_LENGTH = 32
_STATA_LABEL_LENGTH = 80
_STATA_STR_MAX = 2045


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Index as columns (unless it is the default range) and string column labels."""
    data = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    data = data.copy()
    data.columns = [
        " / ".join(str(p) for p in c) if isinstance(c, tuple) else str(c) for c in data.columns
    ]
    return data


def neutralise(value: Any) -> Any:
    """A text cell that cannot run as a formula: a leading ``'`` before ``= + - @``, tab or CR.

    This is the OWASP rule against CSV (formula) injection; anything that is not text, a
    negative number included, is returned unchanged.

    Examples
    --------
    >>> print(neutralise('=HYPERLINK("http://x","y")'))
    '=HYPERLINK("http://x","y")
    >>> neutralise("-1"), neutralise("@sum"), neutralise(-1.5)
    ("'-1", "'@sum", -1.5)
    >>> neutralise("北京"), neutralise("a=b")
    ('北京', 'a=b')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _neutralised(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` (a copy with string column labels) with :func:`neutralise` on every text cell."""
    data.columns = [neutralise(c) for c in data.columns]
    for position in range(data.shape[1]):
        series = data.iloc[:, position]
        if not (
            pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series)
        ):
            data.isetitem(position, series.astype(object).map(neutralise))
    return data


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV in UTF-8 with a byte-order mark (so that Excel reads Chinese).

    The row index is not written (reset it first to keep it); MultiIndex column labels are joined
    with " / ", and every text cell and column label goes through :func:`neutralise`. Parent
    folders are created.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"name": ["=1+1", "北京"], "x": [-1.5, 2]}), target)
    >>> target.read_text(encoding="utf-8-sig").splitlines()
    ['name,x', "'=1+1,-1.5", '北京,2.0']
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"write_csv() takes a pandas DataFrame, got {type(frame).__name__}")
    data = _neutralised(_flat(frame.reset_index(drop=True)))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data.to_csv(target, index=False, encoding="utf-8-sig")
    return target


def sheet_names(keys: list[str]) -> dict[str, str]:
    """Valid Excel sheet names for table keys, as :func:`write_excel` uses them.

    Names are cut to 31 characters, the characters ``[]:*?/`` and the backslash become ``_``,
    enclosing apostrophes are dropped, an empty name becomes ``Sheet``, the reserved name
    ``History`` becomes ``History_`` and names equal in any letter case get ``~2``, ``~3`` ...

    Examples
    --------
    >>> sheet_names(["a/b", "Scores", "scores", "History"])
    {'a/b': 'a_b', 'Scores': 'Scores', 'scores': 'scores~2', 'History': 'History_'}
    """
    used: set[str] = set()
    out: dict[str, str] = {}
    for key in keys:
        base = _SHEET_FORBIDDEN.sub("_", str(key)).strip().strip("'").strip() or "Sheet"
        if base.lower() == "history":  # reserved by Excel
            base = "History_"
        base = base[:31]
        name, counter = base, 2
        while name.lower() in used:
            suffix = f"~{counter}"
            name = base[: 31 - len(suffix)] + suffix
            counter += 1
        used.add(name.lower())
        out[key] = name
    return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(header: str, values: pd.Series) -> float:
    sample = values.head(2000)
    if pd.api.types.is_float_dtype(sample):
        texts = [f"{v:.6g}" for v in sample.dropna()]
    else:
        texts = [str(v) for v in sample.dropna()]
    widest = max([_display_width(header), *(_display_width(t) for t in texts)], default=8)
    return float(min(max(widest + 2, 6), _MAX_WIDTH))


def write_excel(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    style: Literal["plain", "three-line"] = "plain",
    decimals: int = 3,
) -> Path:
    """Write tables to an ``.xlsx`` workbook, one sheet per table.

    Parameters
    ----------
    tables
        Sheet title → table. A non-default row index is written as leading columns; MultiIndex
        column labels are joined with " / ".
    path
        Target file; parent folders are created.
    style
        ``"plain"``: bold centred header. ``"three-line"``: the three-line table (三线表) of
        Chinese and most other journals: a heavy rule (Excel's ``medium`` border) above the
        header and below the last row, a thin rule under the header, no vertical rules and no
        grid lines; the header bold and centred, numbers right-aligned, decimals fixed.
    decimals
        Decimals shown for non-integer numbers in the three-line style (the stored value keeps
        full precision; only the number format, e.g. ``0.000``, is fixed).

    Returns
    -------
    pathlib.Path
        The written file. Sheet names are the keys made valid by :func:`sheet_names`.

    Raises
    ------
    DataValidationError
        For an empty mapping, a table larger than an Excel sheet, or text containing control
        characters that Excel cannot store (the sheet, column and row are named).

    Notes
    -----
    Text cells and labels go through :func:`neutralise`, so no cell is ever a formula.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_excel({"得分 scores": pd.DataFrame({"年份 year": [2020], "score": [0.5]}),
    ...              "a/b": pd.DataFrame({"x": [1]})}, folder / "out.xlsx").name
    'out.xlsx'
    >>> with pd.ExcelFile(folder / "out.xlsx") as book:
    ...     book.sheet_names
    ['得分 scores', 'a_b']
    >>> pd.read_excel(folder / "out.xlsx", sheet_name="得分 scores").to_dict("list")
    {'年份 year': [2020], 'score': [0.5]}
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not tables:
        raise DataValidationError("write_excel() needs at least one table")
    if style not in ("plain", "three-line"):
        raise DataValidationError(f"style must be 'plain' or 'three-line', got {style!r}")
    if not 0 <= decimals <= 15:
        raise DataValidationError(f"decimals must be between 0 and 15, got {decimals}")
    frames: dict[str, pd.DataFrame] = {}
    for key, frame in tables.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {key!r} is a {type(frame).__name__}, not a pandas DataFrame")
        data = _neutralised(_flat(frame))
        if len(data) + 1 > _EXCEL_MAX_ROWS or data.shape[1] > _EXCEL_MAX_COLUMNS:
            raise DataValidationError(
                f"table {key!r} has {len(data)} rows × {data.shape[1]} columns, more than an "
                f"Excel sheet holds ({_EXCEL_MAX_ROWS - 1} × {_EXCEL_MAX_COLUMNS})"
            )
        _check_cells(key, data)
        frames[key] = data
    names = sheet_names(list(frames))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    bold = Font(bold=True)
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for key, data in frames.items():
            sheet = names[key]
            data.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            for cell in ws[1]:
                cell.font = bold
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)
            ws.freeze_panes = "A2"
            for position, column in enumerate(data.columns, start=1):
                width = _column_width(column, data[column])
                ws.column_dimensions[get_column_letter(position)].width = width
            if style == "three-line":
                _three_line(ws, data, decimals)
    return target


def _three_line(ws: Any, data: pd.DataFrame, decimals: int) -> None:
    """Rules, alignment and number formats of a three-line table (三线表) on a written sheet.

    Each kind of cell (header; body or last row, by number format) gets one named style of the
    workbook, so a cell costs a style look-up by name instead of building and hashing its own
    border and alignment objects; body cells of text columns keep the default style (no rules).
    """
    last = len(data) + 1
    ws.sheet_view.showGridLines = False
    for position, column in enumerate(data.columns, start=1):
        number_format = _number_format(data[column], decimals)
        for row in ws.iter_rows(min_row=1, max_row=last, min_col=position, max_col=position):
            cell = row[0]
            kind = "header" if cell.row == 1 else "last" if cell.row == last else "body"
            if kind != "body" or number_format is not None:
                cell.style = _three_line_style(ws.parent, kind, number_format, last == 1)


def _number_format(series: pd.Series, decimals: int) -> str | None:
    """The Excel number format of a column's body cells in a three-line table (None: text)."""
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "0"
    if pd.api.types.is_float_dtype(series):
        return "0" if decimals == 0 else "0." + "0" * decimals
    return None


def _three_line_style(book: Any, kind: str, number_format: str | None, only_header: bool) -> str:
    """Name of the workbook's named style for one kind of three-line cell, added on first use.

    ``header``: bold, centred, a heavy rule above and a thin one below (heavy when the table
    has no rows); ``last``: a heavy rule below; ``body``: no rules. Numbers are right-aligned
    with ``number_format``.
    """
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

    name = f"三线表 three-line {kind}"
    if kind == "header" and only_header:
        name += " only"
    if kind != "header" and number_format is not None:
        name += f" {number_format}"
    if name in book.named_styles:
        return name
    heavy, thin, none = Side(style="medium"), Side(style="thin"), Side(style=None)
    style = NamedStyle(name=name)
    if kind == "header":
        style.font = Font(bold=True)
        style.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)
        style.border = Border(
            left=none, right=none, top=heavy, bottom=heavy if only_header else thin
        )
    else:
        style.border = Border(
            left=none, right=none, top=none, bottom=heavy if kind == "last" else none
        )
        if number_format is not None:
            style.number_format = number_format
            style.alignment = Alignment(horizontal="right")
    book.add_named_style(style)
    return name


# LaTeX special characters (text mode) and their escapes.
_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(k) for k in _LATEX_ESCAPES))
_LATEX_LABEL = re.compile(r"[A-Za-z0-9:._-]+")


def _latex_escape(text: str) -> str:
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_ESCAPES[m.group(0)], text)


def _latex_cell(value: Any, decimals: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        return f"{value:.{decimals}f}"
    return _latex_escape(str(value))


def latex_table(frame: pd.DataFrame, caption: str, label: str, *, decimals: int = 3) -> str:
    r"""A table in LaTeX with ``booktabs`` rules (``\toprule``, ``\midrule``, ``\bottomrule``).

    Text columns are left-aligned, numeric columns right-aligned; non-integer numbers get
    ``decimals`` decimals, missing values an empty cell. The characters ``\ & % $ # _ { } ~ ^``
    are escaped in cells, headers and the caption; Chinese stays UTF-8, for ``xelatex`` with
    ``\usepackage{ctex}`` (or ``xeCJK``). A non-default row index becomes leading columns.

    Raises
    ------
    DataValidationError
        For a ``label`` with characters other than letters, digits and ``: . _ -``.

    Examples
    --------
    >>> import pandas as pd
    >>> print(latex_table(pd.DataFrame({"地区 Region": ["A&B"], "x_1": [0.5]}), "得分 Score",
    ...                   "tab:s", decimals=2))
    \begin{table}[htbp]
      \centering
      \caption{得分 Score}
      \label{tab:s}
      \begin{tabular}{lr}
        \toprule
        地区 Region & x\_1 \\
        \midrule
        A\&B & 0.50 \\
        \bottomrule
      \end{tabular}
    \end{table}
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"latex_table() takes a pandas DataFrame, got {type(frame).__name__}")
    if not _LATEX_LABEL.fullmatch(label):
        raise DataValidationError(
            f"LaTeX label {label!r} may only hold letters, digits and ': . _ -'"
        )
    data = _flat(frame)
    align = "".join(
        "r"
        if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
        else "l"
        for c in data.columns
    )
    lines = [
        r"\begin{table}[htbp]",
        r"  \centering",
        rf"  \caption{{{_latex_escape(caption)}}}",
        rf"  \label{{{label}}}",
        rf"  \begin{{tabular}}{{{align}}}",
        r"    \toprule",
        "    " + " & ".join(_latex_escape(c) for c in data.columns) + r" \\",
        r"    \midrule",
    ]
    for row in data.itertuples(index=False, name=None):
        lines.append("    " + " & ".join(_latex_cell(v, decimals) for v in row) + r" \\")
    lines += [r"    \bottomrule", r"  \end{tabular}", r"\end{table}"]
    return "\n".join(lines)


def write_latex(tables: Mapping[str, pd.DataFrame], path: str | Path, *, decimals: int = 3) -> Path:
    r"""Write tables as one LaTeX file of ``booktabs`` tables (:func:`latex_table`).

    Each table's caption is its name and its label ``tab:<name>`` (characters outside
    ``[A-Za-z0-9:._-]`` become ``-``). The file starts with a comment naming the packages it
    needs (``booktabs``; ``ctex`` under ``xelatex`` for Chinese) and is meant for ``\input``.
    Long tables do not break across pages inside ``table``: wrap them in ``longtable`` or cut
    them to the rows shown.
    """
    if not tables:
        raise DataValidationError("write_latex() needs at least one table")
    parts = [
        "% nqpf tables: \\usepackage{booktabs}; Chinese text needs xelatex with "
        "\\usepackage{ctex} (or xeCJK)."
    ]
    for name, frame in tables.items():
        label = "tab:" + re.sub(r"[^A-Za-z0-9:._-]+", "-", str(name)).strip("-")
        parts.append(latex_table(frame, str(name), label, decimals=decimals))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return target


def _check_cells(key: str, data: pd.DataFrame) -> None:
    for column in [*data.columns]:
        if _CELL_ILLEGAL.search(column):
            raise DataValidationError(
                f"table {key!r}: column name {column!r} has control characters"
            )
    for column in data.columns:
        series = data[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        text = series.dropna().astype(str)
        hits = text[text.str.contains(_CELL_ILLEGAL)]
        if len(hits):
            raise DataValidationError(
                f"table {key!r}, column {column!r}, row {hits.index[0]}: text contains control "
                f"characters that Excel cannot store: {hits.iloc[0]!r}"
            )


def stata_names(columns: list[object]) -> dict[object, str]:
    """Valid, unique Stata variable names for column labels.

    Rules: at most 32 characters from ``[A-Za-z0-9_]``, not starting with a digit, not a Stata
    or Mata reserved word. Other characters become ``_``; a name with no usable character
    (e.g. purely Chinese) becomes ``var<position>``; duplicates get ``_2``, ``_3`` ...

    Examples
    --------
    >>> stata_names(["region code", "得分", "2020", "for", "score"])
    {'region code': 'region_code', '得分': 'var2', '2020': '_2020', 'for': 'for_', 'score': 'score'}
    """
    used: set[str] = set()
    out: dict[object, str] = {}
    for position, column in enumerate(columns, start=1):
        raw = str(column)
        if _STATA_VALID.fullmatch(raw) and len(raw) <= _STATA_NAME_LENGTH:
            text = raw
        else:
            text = re.sub(r"[^A-Za-z0-9_]+", "_", raw).strip("_") or f"var{position}"
            if text[0].isdigit():
                text = "_" + text
        if text in _STATA_RESERVED:
            text += "_"
        text = text[:_STATA_NAME_LENGTH]
        name, counter = text, 2
        while name in used or name in _STATA_RESERVED:
            suffix = f"_{counter}"
            name = text[: _STATA_NAME_LENGTH - len(suffix)] + suffix
            counter += 1
        used.add(name)
        out[column] = name
    return out


def _label_text(label: str | tuple[str, str] | list[str]) -> str:
    if isinstance(label, tuple | list):
        return " / ".join(str(part) for part in label if part)
    return str(label)


def write_stata(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    labels: Mapping[object, str | tuple[str, str]] | None = None,
    data_label: str | None = None,
    report: ValidationReport | None = None,
) -> Path:
    """Write a table to a Stata ``.dta`` file (format 118, UTF-8, Stata 14 or later).

    Parameters
    ----------
    frame
        The table. A non-default row index is written as leading columns.
    path
        Target file; parent folders are created.
    labels
        Variable labels keyed by original column: a string or a ``(Chinese, English)`` pair
        written as ``"中文 / English"``; at most 80 characters. A renamed column without a
        label gets its original name as label (cut to 80 characters).
    data_label
        Dataset label (at most 80 characters).
    report
        Receives one ``"renamed"`` issue per column whose name had to change.

    Returns
    -------
    pathlib.Path
        The written file. Variable names are the columns made valid by :func:`stata_names`.

    Raises
    ------
    DataValidationError
        For a label longer than 80 characters, a label for an unknown column, or an object
        column mixing text with other values (the column is named).

    Notes
    -----
    Stata has no missing value for strings: missing text is written as an empty string. Boolean
    columns are written as 0/1 bytes; categorical columns get value labels; text longer than
    2045 bytes is stored as ``strL``.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "scores.dta"
    >>> report = ValidationReport()
    >>> write_stata(pd.DataFrame({"region_code": [110000], "得分": [0.5]}), target,
    ...             labels={"得分": ("得分", "Score")}, report=report).name
    'scores.dta'
    >>> [issue.message for issue in report]
    ["column '得分' written as Stata variable 'var2'"]
    >>> pd.read_stata(target).to_dict("list")
    {'region_code': [110000], 'var2': [0.5]}
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"write_stata() takes a pandas DataFrame, got {type(frame).__name__}")
    data = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    originals = list(data.columns)
    names = stata_names(originals)
    given = dict(labels or {})
    unknown = [k for k in given if k not in names]
    if unknown:
        raise DataValidationError(f"labels given for unknown column(s) {unknown!r}")
    variable_labels: dict[str, str] = {}
    for original, name in names.items():
        if original in given:
            text = _label_text(given[original])
            if len(text) > _STATA_LABEL_LENGTH:
                raise DataValidationError(
                    f"label of column {original!r} has {len(text)} characters; Stata allows "
                    f"{_STATA_LABEL_LENGTH}: {text!r}"
                )
            variable_labels[name] = text
        elif str(original) != name:
            variable_labels[name] = str(original)[:_STATA_LABEL_LENGTH]
        if str(original) != name and report is not None:
            report.add(
                "renamed",
                "repaired",
                f"column {original!r} written as Stata variable {name!r}",
                source=str(path),
                original=original,
                repaired=name,
            )
    if data_label is not None and len(data_label) > _STATA_LABEL_LENGTH:
        raise DataValidationError(
            f"data_label has {len(data_label)} characters; Stata allows {_STATA_LABEL_LENGTH}"
        )
    out = data.copy()
    out.columns = [names[c] for c in originals]
    strl: list[str] = []
    dates: dict[str, str] = {}
    for original, column in zip(originals, out.columns, strict=True):
        series = out[column]
        if pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(np.int8)
        elif pd.api.types.is_datetime64_any_dtype(series):
            dates[column] = "tc"
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            present = series.dropna()
            mixed = present[~present.map(lambda v: isinstance(v, str))]
            if len(mixed):
                raise DataValidationError(
                    f"column {original!r} mixes text with {type(mixed.iloc[0]).__name__} values "
                    f"(row {mixed.index[0]}); convert it to one type first"
                )
            if (
                len(present)
                and present.map(lambda v: len(v.encode("utf-8"))).max() > _STATA_STR_MAX
            ):
                strl.append(column)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    out.to_stata(
        target,
        write_index=False,
        version=118,
        variable_labels=variable_labels,
        data_label=data_label,
        convert_dates=dates or None,
        convert_strl=strl or None,
    )
    return target


def _file_record(path: Path, name: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"path": name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


def _previous_files(folder: Path) -> set[str]:
    """The files that the manifest in ``folder`` lists (only plain paths inside the folder)."""
    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        names = {str(entry["path"]) for entry in entries}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    inside = set()
    for name in names:
        parts = PurePosixPath(name).parts
        if parts and not PurePosixPath(name).is_absolute() and ".." not in parts:
            inside.add(name)
    return inside


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) until the block is done, then raise ``KeyboardInterrupt``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
    if received:
        raise KeyboardInterrupt


def _move_into(staging: Path, target: Path, files: list[str]) -> None:
    """Replace ``target``'s outputs by those in ``staging``; the manifest goes in last."""
    stale = _previous_files(target) - set(files) - {MANIFEST}
    target.mkdir(parents=True, exist_ok=True)
    with _interrupts_deferred():
        (target / MANIFEST).unlink(missing_ok=True)  # incomplete until the new manifest lands
        for name in files:
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, destination)
        for name in sorted(stale):
            old = target / name
            if old.is_file() or old.is_symlink():
                old.unlink()
        os.replace(staging / MANIFEST, target / MANIFEST)


@contextmanager
def output_folder(
    out: str | Path,
    *,
    command: str | None = None,
    inputs: Iterable[str | Path] = (),
    seed: int | None = None,
    timings: Mapping[str, Any] | None = None,
) -> Iterator[Path]:
    """Write a run's outputs into a temporary folder and move them into ``out`` when complete.

    The block writes its files into the yielded folder, created beside ``out`` (so that moving
    is a rename on the same disk; inside ``out`` when its parent is not writable). When the
    block ends without an exception, ``manifest.json`` is written (``files``: path, size and
    SHA-256 of each output; ``command``; ``nqpf_version``; ``seed``; ``inputs``: path, size and
    SHA-256 of each input file, read on entry; ``timings``, if given: wall-clock seconds of the
    run's steps, read when the block ends so that the block can fill it) and the files replace
    those of the same names in ``out``; files listed in the previous manifest and not written
    again are removed, other files in ``out`` are left alone. The manifest is removed first and
    written last, and Ctrl-C is held back while files move, so a folder with a manifest is
    always one complete run. When the block raises (``KeyboardInterrupt`` included), the
    temporary folder is deleted and ``out`` is not touched.

    Raises
    ------
    FileExistsError
        ``out`` exists and is not a folder.
    FileNotFoundError
        An input file does not exist.
    OSError
        Any error of the file system (a read-only folder, a full disk), naming the path.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with output_folder(out, command="nqpf demo", seed=1) as folder:
    ...     _ = (folder / "a.txt").write_text("a", encoding="utf-8")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt', 'manifest.json']
    >>> json.loads((out / "manifest.json").read_text())["files"][0]["size"]
    1
    """
    from nqpf import __version__

    target = Path(out)
    if target.exists() and not target.is_dir():
        raise FileExistsError(errno.EEXIST, "the output folder is an existing file", str(target))
    sources = [_file_record(Path(p), str(p)) for p in inputs]
    place = target.resolve()
    place.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{place.name or 'out'}.partial-"
    try:
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=place.parent))
    except PermissionError:  # e.g. ``--out .`` in a folder whose parent is not ours
        place.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=place))
    try:
        yield staging
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        if MANIFEST in files:
            raise FileExistsError(errno.EEXIST, "an output is named like the manifest", MANIFEST)
        manifest: dict[str, Any] = {
            "command": command,
            "nqpf_version": __version__,
            "seed": seed,
            "inputs": sources,
            "files": [_file_record(staging / name, name) for name in files],
        }
        if timings is not None:
            manifest["timings"] = dict(timings)
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _move_into(staging, target, files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
