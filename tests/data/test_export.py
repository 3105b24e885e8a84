import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from nqpf.data.export import sheet_names, stata_names, write_excel, write_stata
from nqpf.errors import DataValidationError
from nqpf.validation import ValidationReport

STATA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": [110000, 310000, 650000],
            "地区 Region": ["北京", "上海", "新疆"],
            "year": [2022, 2022, 2022],
            "得分 Score": [0.812345678901, 0.5, np.nan],
            "rank": [1, 2, 3],
        }
    )


def test_excel_round_trip_keeps_values_and_types(tmp_path, table):
    path = tmp_path / "out.xlsx"
    assert write_excel({"scores 得分": table, "wide": table.set_index("地区 Region")}, path) == path
    with pd.ExcelFile(path) as book:
        assert book.sheet_names == ["scores 得分", "wide"]
    back = pd.read_excel(path, sheet_name="scores 得分")
    pd.testing.assert_frame_equal(back, table, check_dtype=False, check_exact=True)
    assert back["得分 Score"].dtype == np.float64 and back["rank"].dtype == np.int64
    wide = pd.read_excel(path, sheet_name="wide")
    assert list(wide.columns) == ["地区 Region", "region_code", "year", "得分 Score", "rank"]


def test_excel_formatting(tmp_path, table):
    path = tmp_path / "out.xlsx"
    write_excel({"t": table}, path)
    ws = load_workbook(path)["t"]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert ws["D2"].data_type == "n" and ws["A2"].data_type == "n" and ws["B2"].data_type == "s"
    # a Chinese header counts double: "地区 Region" = 2*2 + 7 = 11 display columns (+2 padding)
    assert ws.column_dimensions["B"].width == pytest.approx(13)


def test_sheet_names_are_sanitised_and_unique(tmp_path):
    keys = ["a/b:c", "x" * 40, "X" * 40, "[history]", "History", "'quoted'", "   "]
    names = sheet_names(keys)
    assert names["a/b:c"] == "a_b_c"
    assert names["x" * 40] == "x" * 31 and names["X" * 40] == "X" * 29 + "~2"
    assert names["History"] == "History_" and names["[history]"] == "_history_"
    assert names["'quoted'"] == "quoted" and names["   "] == "Sheet"
    tables = {k: pd.DataFrame({"v": [i]}) for i, k in enumerate(keys)}
    write_excel(tables, tmp_path / "names.xlsx")
    assert load_workbook(tmp_path / "names.xlsx").sheetnames == list(names.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=45), min_size=1, max_size=8, unique=True))
def test_sheet_names_property(keys):
    names = list(sheet_names(keys).values())
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\\x00-\x1f]", name)
        assert not name.startswith("'") and not name.endswith("'")


def test_excel_bad_input(tmp_path, table):
    with pytest.raises(DataValidationError, match="at least one"):
        write_excel({}, tmp_path / "x.xlsx")
    with pytest.raises(TypeError, match="'t'"):
        write_excel({"t": [1, 2]}, tmp_path / "x.xlsx")  # type: ignore[dict-item]
    bad = table.assign(note=["ok", "bell\x07", "ok"])
    with pytest.raises(DataValidationError, match="'t', column 'note', row 1"):
        write_excel({"t": bad}, tmp_path / "x.xlsx")


def test_stata_round_trip_with_labels(tmp_path, table):
    path = tmp_path / "scores.dta"
    report = ValidationReport()
    frame = table.assign(flag=[True, False, True])
    written = write_stata(
        frame,
        path,
        labels={"rank": ("排名", "Rank"), "year": "年份 Year"},
        data_label="新质生产力 NQPF",
        report=report,
    )
    assert written == path
    names = stata_names(list(frame.columns))
    assert names == {
        "region_code": "region_code",
        "地区 Region": "Region",
        "year": "year",
        "得分 Score": "Score",
        "rank": "rank",
        "flag": "flag",
    }
    back = pd.read_stata(path)
    assert list(back.columns) == list(names.values())
    np.testing.assert_array_equal(back["region_code"], table["region_code"])
    np.testing.assert_allclose(back["Score"], table["得分 Score"], rtol=0, atol=0)
    assert back["Region"].tolist() == ["北京", "上海", "新疆"]
    assert back["flag"].tolist() == [1, 0, 1]
    with pd.io.stata.StataReader(path) as reader:
        labels = reader.variable_labels()
        assert reader.data_label == "新质生产力 NQPF"
    assert labels["rank"] == "排名 / Rank" and labels["year"] == "年份 Year"
    assert labels["Region"] == "地区 Region" and labels["Score"] == "得分 Score"
    assert sorted(i.original for i in report) == ["地区 Region", "得分 Score"]


def test_stata_names_rules():
    columns = ["得分", "2020", "for", "_n", "a b-c", "x" * 40, "x" * 40 + "y", "ok", "OK"]
    names = stata_names(columns)
    assert names["得分"] == "var1" and names["2020"] == "_2020" and names["for"] == "for_"
    assert names["_n"] == "_n_" and names["a b-c"] == "a_b_c"
    assert names["x" * 40] == "x" * 32 and names["x" * 40 + "y"] == "x" * 30 + "_2"
    assert names["ok"] == "ok" and names["OK"] == "OK"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=10, unique=True))
def test_stata_names_property(columns):
    names = list(stata_names(columns).values())
    assert len(set(names)) == len(names)
    assert all(STATA_NAME.fullmatch(n) for n in names)


def test_stata_bad_input(tmp_path, table):
    with pytest.raises(DataValidationError, match="81 characters"):
        write_stata(table, tmp_path / "x.dta", labels={"rank": "长" * 81})
    with pytest.raises(DataValidationError, match="unknown column"):
        write_stata(table, tmp_path / "x.dta", labels={"nope": "x"})
    mixed = table.assign(mixed=pd.Series(["a", 1, "b"], dtype=object))
    with pytest.raises(DataValidationError, match="'mixed' mixes text with int"):
        write_stata(mixed, tmp_path / "x.dta")
    with pytest.raises(TypeError, match="DataFrame"):
        write_stata([1], tmp_path / "x.dta")  # type: ignore[arg-type]


def test_stata_long_text_uses_strl(tmp_path):
    text = "长" * 1000  # 3000 UTF-8 bytes > 2045
    write_stata(pd.DataFrame({"note": [text, "短"]}), tmp_path / "long.dta")
    assert pd.read_stata(tmp_path / "long.dta")["note"].tolist() == [text, "短"]
