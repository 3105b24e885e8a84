"""The one number parser of user cells: what it reads, what it refuses, and where it says so."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.errors import DataValidationError
from nqpf.panel import Panel, parse_number, parse_numbers
from nqpf.studies.inputs import value_table

BEIJING, SHANGHAI = 110000, 310000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", 1234.5),
        (" -7 ", -7.0),
        ("+3", 3.0),
        (".5", 0.5),
        ("2e3", 2000.0),
        ("1.5E-2", 0.015),
        ("1,234", 1234.0),
        ("1,234,567.25", 1234567.25),
        ("-1,234.5", -1234.5),
        ("1 234", 1234.0),
        ("1\u00a0234\u00a0567", 1234567.0),
        ("1.234", 1.234),  # a plain number: the point is decimal unless decimal=","
    ],
)
def test_plain_and_grouped_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234,5", 1234.5),
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("1,234", 1.234),
        ("-0,5", -0.5),
        ("7", 7.0),
    ],
)
def test_decimal_comma_only_when_asked(text, expected):
    assert parse_number(text, decimal=",") == expected


@pytest.mark.parametrize("text", ["", "  ", "-", "—", "--", "…", "...", "NA", "N/A", "null", None])
def test_missing_markers(text):
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1,23", "decimal comma"),
        ("1.234,5", "decimal comma"),
        ("1234,5", "decimal comma"),
        ("1,2345", "decimal comma"),
        ("12,34,567", "exactly 3 digits"),
        ("1,234 567", "exactly 3 digits"),
        ("1,,234", "exactly 3 digits"),
        ("inf", "not a finite number"),
        ("-inf", "not a finite number"),
        ("Infinity", "not a finite number"),
        ("nan", "not a finite number"),
        ("NaN", "not a finite number"),
        ("1e400", "too large"),
        ("1_000", "not a number"),
        ("１２３", "not a number"),
        ("12.3亿", "not a number"),
        ("0x10", "not a number"),
        ("12%", "not a number"),
        (True, "not a number"),
        (float("inf"), "not a finite number"),
    ],
)
def test_refused_cells_say_why(text, why):
    with pytest.raises(DataValidationError, match=re.escape(why)):
        parse_number(text)


@pytest.mark.parametrize(("text", "why"), [("1.5", "decimal point"), ("1,234.5", "3 digits")])
def test_refused_with_a_decimal_comma(text, why):
    with pytest.raises(DataValidationError, match=why):
        parse_number(text, decimal=",")


def test_bad_decimal_option():
    with pytest.raises(DataValidationError, match="decimal must be '.' or ','"):
        parse_numbers(pd.Series(["1"]), decimal=";")
    with pytest.raises(DataValidationError, match="decimal must be"):
        Panel.from_file("missing.csv", decimal="·")


def test_column_errors_count_and_name_the_first_five():
    cells = pd.Series(["1", "x1", "x2", "inf", "x4", "x5", "x6"], index=range(10, 17))
    with pytest.raises(DataValidationError) as info:
        parse_numbers(cells, where=lambda i: f"line {i}")
    message = str(info.value)
    assert message.startswith("6 non-numeric value cell(s): line 11 ('x1'): not a number; ")
    assert "line 13 ('inf'): not a finite number" in message and "x5" in message
    assert "x6" not in message


def test_mixed_excel_cells():
    cells = pd.Series([3, 2.5, "1,000", None, np.nan, True, 1], dtype=object)
    with pytest.raises(DataValidationError, match=r"row 5 \(True\)"):
        parse_numbers(cells)
    assert parse_numbers(cells.drop(5)).tolist()[:3] == [3.0, 2.5, 1000.0]


# ---------------------------------------------------------------------- through the readers
def wide_file(tmp_path, cells, name="t.csv"):
    path = tmp_path / name
    frame = pd.DataFrame({"地区": ["北京", "上海"], "年份": [2020, 2020], "x": cells})
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def test_a_decimal_comma_file_is_an_error_unless_declared(tmp_path):
    path = wide_file(tmp_path, ["1.234,5", "2,5"])
    with pytest.raises(DataValidationError) as info:
        Panel.from_file(path)
    message = str(info.value)
    assert "2 non-numeric value cell(s): t.csv row 2, column 'x' (北京) ('1.234,5')" in message
    assert "decimal=','" in message and "t.csv row 3, column 'x' (上海) ('2,5')" in message
    panel = Panel.from_file(path, decimal=",")
    assert panel.wide()["x"].to_dict() == {(BEIJING, 2020): 1234.5, (SHANGHAI, 2020): 2.5}


def test_long_layout_errors_name_the_value_column(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("地区,年份,指标,数值\n北京,2020,x,1\n上海,2020,x,-inf\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"long.csv row 3 \(上海\), column '数值'"):
        Panel.from_file(path)


def test_missing_cells_are_reported_per_indicator(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("地区,年份,x,y\n北京,2020,—,1\n上海,2020,,N/A\n", encoding="utf-8")
    panel = Panel.from_file(path)
    assert panel.data.value.isna().sum() == 3
    missing = {i.indicator: (i.message, i.row) for i in panel.report if i.kind == "missing"}
    assert missing == {
        "x": ("x: 2 cell(s) read as missing ('—' ×1, blank ×1), first gaps.csv row 2, "
              "column 'x' (北京)", 2),
        "y": ("y: 1 cell(s) read as missing ('N/A' ×1), first gaps.csv row 3, column 'y' (上海)",
              3),
    }  # fmt: skip


def test_numeric_frames_with_nan_are_not_repairs():
    frame = pd.DataFrame({"region": ["北京", "上海"], "year": 2020, "x": [1.0, np.nan]})
    assert len(Panel.from_wide(frame).report) == 0
    frame.loc[1, "x"] = np.inf
    with pytest.raises(DataValidationError, match=r"row 1, column 'x' \(上海\) \(inf\)"):
        Panel.from_wide(frame)


def test_value_table_reads_like_the_panel():
    frame = pd.DataFrame({"region_code": [BEIJING, SHANGHAI], "year": ["2,020", 2020]})
    table, notes = value_table(frame.assign(y=["1,234", "—"]), "y")
    assert table["year"].tolist() == [2020, 2020] and table["value"].iloc[0] == 1234.0
    assert np.isnan(table["value"].iloc[1])
    assert notes == ["y: 1 cell(s) read as missing ('—' ×1)"]
    with pytest.raises(DataValidationError, match=r"test: column 'y' must be numeric; .*"):
        value_table(frame.assign(y=["1", "inf"]), "y", what="test")
    with pytest.raises(DataValidationError, match=r"region 310000 in 2020 \('1,23'\): a decimal"):
        value_table(frame.assign(y=["1", "1,23"]), "y")


# ---------------------------------------------------------------------- properties
finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.one_of(finite, st.integers(-(10**18), 10**18)))
def test_grouped_numbers_round_trip_exactly(x):
    text = format(x, ",")
    assert parse_number(text) == float(x)
    swapped = text.translate(str.maketrans(",.", ".,"))  # the decimal-comma convention
    assert parse_number(swapped, decimal=",") == float(x)


def _grouping_ok(integer_part: str, separator: str) -> bool:
    """Independent check: first group 1–3 digits, every further group exactly 3."""
    groups = integer_part.lstrip("+-").split(separator)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


ALPHABET = "0123456789" * 3 + ",. +-eE_\u00a0infaINFA—１"


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(ALPHABET, max_size=14), st.text(max_size=8)))
def test_random_text_is_read_as_float_would_or_refused(text):
    try:
        number = parse_number(text)
    except DataValidationError:
        return
    stripped = text.strip()
    if math.isnan(number):
        assert stripped in ("", "-", "—", "--", "…", "...", "NA", "N/A", "null")
        return
    assert math.isfinite(number)
    # a no-break space is a documented thousands separator; nothing else outside ASCII is read
    assert stripped.replace("\u00a0", "").isascii()
    assert "_" not in stripped and "inf" not in stripped.lower()
    try:
        reference = float(stripped)
    except ValueError:  # a grouped number: one separator kind, groups of three
        separators = {c for c in stripped if c in ", \u00a0"}
        assert len(separators) == 1
        separator = separators.pop()
        integer_part = stripped.split(".")[0]
        assert _grouping_ok(integer_part, separator), text
        reference = float(stripped.replace(separator, ""))
    assert number == reference
