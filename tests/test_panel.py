"""Tests of nqpf.panel.Panel: construction, file input, derived indicators, interpolation, checks.

Expected values are worked by hand from the formulas in the docstrings (stated next to each
assertion); nothing here compares the code with its own earlier output.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError
from nqpf.panel import HEADER_NAMES, Panel
from nqpf.validation import ValidationReport

BEIJING, SHANGHAI, JIANGXI, GUANGDONG = 110000, 310000, 360000, 440000


def small_long() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["北京", "北京", "上海", "上海", "北京", "北京", "上海", "上海"],
            "year": [2019, 2020, 2019, 2020, 2019, 2020, 2019, 2020],
            "indicator": ["rd"] * 4 + ["gdp"] * 4,
            "value": [2.0, 2.2, 1.5, 1.8, 100.0, 110.0, 50.0, 60.0],
            "unit": ["亿元"] * 8,
        }
    )


@pytest.fixture
def panel() -> Panel:
    return Panel.from_long(small_long(), unit="unit")


# ---------------------------------------------------------------------- construction
def test_from_long_keeps_existing_api(panel):
    assert panel.indicators == ["gdp", "rd"]
    assert panel.regions == [BEIJING, SHANGHAI]
    assert panel.years == [2019, 2020]
    assert panel.units == {"gdp": "亿元", "rd": "亿元"}
    wide = panel.wide(["rd", "gdp"])
    assert list(wide.columns) == ["rd", "gdp"]
    assert wide.loc[(SHANGHAI, 2020), "gdp"] == 60.0


def test_long_wide_roundtrip(panel):
    wide = panel.wide().reset_index()
    back = Panel.from_wide(wide, region="region_code", units=panel.units)
    pd.testing.assert_frame_equal(back.data, panel.data)
    long = panel.to_long()
    assert list(long.columns) == ["region_code", "region", "year", "indicator", "value", "unit"]
    assert set(long.region) == {"北京市", "上海市"}


def test_misspelled_region_names_row_and_suggestion():
    frame = small_long()
    frame.loc[5, "region"] = "江两"
    with pytest.raises(UnknownRegionError) as info:
        Panel.from_long(frame)
    message = str(info.value)
    assert "'江两'" in message and "row 5" in message and "did you mean '江西'" in message


def test_duplicate_region_year_named():
    frame = pd.concat([small_long(), small_long().iloc[[1]]], ignore_index=True)
    with pytest.raises(DuplicateError) as info:
        Panel.from_long(frame)
    assert "北京市 2020 'rd'" in str(info.value)
    assert "row 1" in str(info.value) and "row 8" in str(info.value)


def test_text_in_numeric_cell_named():
    frame = small_long().astype({"value": object})
    frame.loc[3, "value"] = "12.3亿"
    with pytest.raises(DataValidationError) as info:
        Panel.from_long(frame)
    assert "row 3 (上海)" in str(info.value) and "'12.3亿'" in str(info.value)


def test_blank_markers_and_thousands_separators_are_numbers():
    frame = small_long().astype({"value": object})
    frame.loc[0, "value"] = "1,234.5"
    frame.loc[1, "value"] = "—"
    panel = Panel.from_long(frame)
    values = panel.wide(["rd"]).rd
    assert values.loc[(BEIJING, 2019)] == 1234.5
    assert math.isnan(values.loc[(BEIJING, 2020)])


def test_unit_conflict_and_bad_year():
    frame = small_long()
    frame.loc[0, "unit"] = "万元"
    with pytest.raises(DataValidationError, match="several units"):
        Panel.from_long(frame, unit="unit")
    frame = small_long().astype({"year": float})
    frame.loc[2, "year"] = 2019.5
    with pytest.raises(DataValidationError, match="whole years"):
        Panel.from_long(frame)


# ---------------------------------------------------------------------- from_file
def _long_frame(headers: dict[str, str]) -> pd.DataFrame:
    frame = small_long().rename(columns=headers)
    return frame


def _wide_frame(region: str, year: str, gdp: str, rd: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            region: ["北京", "上海", "北京", "上海"],
            year: [2019, 2019, 2020, 2020],
            gdp: [100.0, 50.0, 110.0, 60.0],
            rd: [2.0, 1.5, 2.2, 1.8],
        }
    )


ZH_LONG = {"region": "地区", "year": "年份", "indicator": "指标", "value": "数值", "unit": "单位"}
EN_LONG = {"region": "Province", "year": "Year", "indicator": "Indicator", "value": "Value"}


@pytest.mark.parametrize(
    "suffix, layout, make",
    [
        ("csv", "long", lambda: _long_frame(ZH_LONG)),
        ("csv", "long", lambda: _long_frame(EN_LONG)),
        ("xlsx", "long", lambda: _long_frame(ZH_LONG)),
        ("xlsx", "long", lambda: _long_frame(EN_LONG)),
        ("csv", "wide", lambda: _wide_frame("省份名称", "年份", "gdp（亿元）", "rd(亿元)")),
        ("csv", "wide", lambda: _wide_frame("region", "year", "gdp (亿元)", "rd (亿元)")),
        ("xlsx", "wide", lambda: _wide_frame("省份", "年份", "gdp（亿元）", "rd（亿元）")),
        ("xlsx", "wide", lambda: _wide_frame("Province", "YEAR", "gdp", "rd")),
    ],
    ids=[
        "csv-long-zh",
        "csv-long-en",
        "xlsx-long-zh",
        "xlsx-long-en",
        "csv-wide-zh",
        "csv-wide-en",
        "xlsx-wide-zh",
        "xlsx-wide-en",
    ],
)
def test_from_file_layouts_and_headers(tmp_path, suffix, layout, make):
    frame = make()
    path = tmp_path / f"input.{suffix}"
    if suffix == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False, engine="openpyxl")
    for chosen in ("auto", layout):
        panel = Panel.from_file(path, layout=chosen)
        wide = panel.wide(["gdp", "rd"])
        assert wide.loc[(BEIJING, 2020), "gdp"] == 110.0
        assert wide.loc[(SHANGHAI, 2019), "rd"] == 1.5
        assert wide.shape == (4, 2)
        mapped = panel.report.to_frame().query("kind == 'header'")
        assert len(mapped) == len(frame.columns)  # every header is reported
    if "（" in "".join(frame.columns) or "(" in "".join(frame.columns):
        assert panel.units["gdp"] == "亿元"


def test_from_file_gbk_csv_reports_encoding(tmp_path):
    path = tmp_path / "gbk.csv"
    _long_frame(ZH_LONG).to_csv(path, index=False, encoding="gbk")
    panel = Panel.from_file(path)
    assert panel.wide(["rd"]).loc[(BEIJING, 2019), "rd"] == 2.0
    assert "encoding" in set(panel.report.to_frame().kind)


def test_from_file_unknown_header_lists_accepted_names(tmp_path):
    frame = _long_frame(ZH_LONG).rename(columns={"地区": "行政单位"})
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        Panel.from_file(path, layout="long")
    message = str(info.value)
    assert "'行政单位'" in message
    for accepted in HEADER_NAMES["region"][:3]:
        assert accepted in message


def test_from_file_wide_without_region_header(tmp_path):
    path = tmp_path / "bad.xlsx"
    _wide_frame("地方", "年份", "gdp", "rd").to_excel(path, index=False, engine="openpyxl")
    with pytest.raises(DataValidationError, match="no region column.*accepted headers"):
        Panel.from_file(path)


def test_from_file_text_cell_names_file_row_and_column(tmp_path):
    frame = _wide_frame("省份", "年份", "gdp", "rd").astype({"rd": object})
    frame.loc[2, "rd"] = "n/a?"
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        Panel.from_file(path)
    # data row 2 (0-based) is spreadsheet row 4: the header is row 1
    assert "text.csv row 4" in str(info.value) and "column 'rd'" in str(info.value)


def test_from_file_duplicate_region_year(tmp_path):
    frame = _wide_frame("省份", "年份", "gdp", "rd")
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    path = tmp_path / "dup.xlsx"
    frame.to_excel(path, index=False, engine="openpyxl")
    with pytest.raises(DuplicateError, match="北京市 2019"):
        Panel.from_file(path)


def test_from_file_misspelled_region_in_file(tmp_path):
    frame = _wide_frame("省份", "年份", "gdp", "rd")
    frame.loc[3, "省份"] = "浙汀"
    path = tmp_path / "typo.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(UnknownRegionError) as info:
        Panel.from_file(path)
    assert "typo.csv row 5" in str(info.value) and "'浙江'" in str(info.value)
    panel = Panel.from_file(path, aliases={"浙汀": "浙江"})
    assert 330000 in panel.regions
    assert "alias" in set(panel.report.to_frame().kind)


def test_from_file_region_name_and_code_must_agree(tmp_path):
    frame = _wide_frame("地区", "年份", "gdp", "rd")
    frame.insert(1, "行政区划代码", [110000, 310000, 110000, 310000])
    path = tmp_path / "codes.csv"
    frame.to_csv(path, index=False)
    panel = Panel.from_file(path)
    assert panel.regions == [BEIJING, SHANGHAI] and panel.indicators == ["gdp", "rd"]
    frame.loc[2, "行政区划代码"] = 440000
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="'北京' does not match its code '440000'"):
        Panel.from_file(path)


def test_helpers_quote_awkward_names():
    frame = pd.DataFrame({"region": "北京", "year": [2020], "R&D (total)": [3.0], "class": [2.0]})
    panel = Panel.from_wide(frame).ratio("r", "R&D (total)", "class")
    assert panel.wide(["r"]).r.item() == 1.5


def test_from_file_sheet_choice_and_unsupported_type(tmp_path):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["cover"]}).to_excel(writer, sheet_name="说明", index=False)
        _long_frame(EN_LONG).to_excel(writer, sheet_name="data", index=False)
    panel = Panel.from_file(path, sheet="data")
    assert panel.indicators == ["gdp", "rd"]
    with pytest.raises(DataValidationError, match="no sheet 'nope'"):
        Panel.from_file(path, sheet="nope")
    other = tmp_path / "x.json"
    other.write_text("{}")
    with pytest.raises(DataValidationError, match="unsupported file type"):
        Panel.from_file(other)


# ---------------------------------------------------------------------- evaluate / derive
def test_evaluate_hand_worked(panel):
    # rd / gdp * 100: Beijing 2019 2/100*100 = 2; Shanghai 2020 1.8/60*100 = 3
    result = panel.evaluate("rd / gdp * 100")
    assert result.loc[(BEIJING, 2019)] == pytest.approx(2.0, abs=1e-12)
    assert result.loc[(SHANGHAI, 2020)] == pytest.approx(3.0, abs=1e-12)
    # log(gdp) - 2 * sqrt(rd) + exp(0): Beijing 2020 ln 110 - 2 sqrt 2.2 + 1
    value = panel.evaluate("log(gdp) - 2 * sqrt(rd) + exp(0)").loc[(BEIJING, 2020)]
    assert value == pytest.approx(math.log(110) - 2 * math.sqrt(2.2) + 1, abs=1e-12)
    assert panel.evaluate("-rd ** 2").loc[(SHANGHAI, 2019)] == pytest.approx(-2.25, abs=1e-12)


def test_evaluate_unknown_variable_suggests(panel):
    with pytest.raises(DataValidationError, match=r"unknown indicator 'gpd'; did you mean 'gdp'"):
        panel.evaluate("rd / gpd")


def test_evaluate_log_of_negative_names_cells(panel):
    with pytest.raises(DataValidationError) as info:
        panel.evaluate("log(rd - 2)")
    message = str(info.value)
    # rd - 2 is 0 (Beijing 2019), -0.5 and -0.2 (Shanghai): three non-positive cells
    assert "3 non-positive" in message
    assert "北京市 2019: 0" in message and "上海市 2019: -0.5" in message


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('echo')",
        "rd.real",
        "rd if gdp else 1",
        "rd > gdp",
        "(lambda: 1)()",
        "rd[0]",
        "max(rd)",
        "log(rd, 2)",
        "'text'",
        "rd // gdp",
        "not rd",
    ],
)
def test_evaluate_rejects_anything_but_arithmetic(panel, expression):
    with pytest.raises(DataValidationError):
        panel.evaluate(expression)


def test_evaluate_backticks_and_division_by_zero():
    frame = pd.DataFrame(
        {"region": ["北京", "上海"], "year": 2020, "R&D exp": [3.0, 4.0], "base": [0.0, 2.0]}
    )
    panel = Panel.from_wide(frame)
    from nqpf.validation import ValidationReport

    report = ValidationReport()
    result = panel.evaluate("`R&D exp` / base", report=report)
    assert math.isnan(result.loc[(BEIJING, 2020)])
    assert result.loc[(SHANGHAI, 2020)] == 2.0
    assert [(i.kind, i.region, i.year) for i in report] == [("undefined", "110000", 2020)]


def test_derive_helpers_hand_worked(panel):
    out = (
        panel.ratio("rd_per_gdp", "rd", "gdp", scale=100)
        .share("rd_share", "rd", "gdp")
        .per_capita("gdp_pc", "gdp", population="rd")
        .per_gdp("rd_gdp", "rd", scale=1)
        .derive("double", lambda w: 2 * w["gdp"], unit="亿元")
    )
    wide = out.wide()
    assert wide.loc[(SHANGHAI, 2019), "rd_per_gdp"] == pytest.approx(3.0)  # 1.5/50*100
    assert wide.loc[(SHANGHAI, 2019), "rd_share"] == pytest.approx(3.0)
    assert wide.loc[(BEIJING, 2020), "gdp_pc"] == pytest.approx(50.0)  # 110/2.2
    assert wide.loc[(BEIJING, 2020), "rd_gdp"] == pytest.approx(0.02)
    assert wide.loc[(BEIJING, 2019), "double"] == 200.0
    assert out.units["rd_per_gdp"] == "100×亿元/亿元" and out.units["rd_share"] == "%"
    assert panel.indicators == ["gdp", "rd"]  # the original is unchanged
    with pytest.raises(DataValidationError, match="already exists"):
        panel.derive("gdp", "rd * 2")


def test_growth_hand_worked_and_gap_reported():
    frame = pd.DataFrame(
        {"region": "广东", "year": [2016, 2017, 2019, 2020, 2021], "x": [100, 120, 90, 0, 5.0]}
    )
    panel = Panel.from_wide(frame).growth("g", "x")
    g = panel.wide(["g"]).g
    # 2017: 120/100 - 1 = 20 %; 2019: 2018 absent; 2020: 0/90 - 1 = -100 %; 2021: base 0
    assert g.loc[(GUANGDONG, 2017)] == pytest.approx(20.0)
    assert math.isnan(g.loc[(GUANGDONG, 2019)])
    assert g.loc[(GUANGDONG, 2020)] == pytest.approx(-100.0)
    assert math.isnan(g.loc[(GUANGDONG, 2021)])
    kinds = [(i.kind, i.year) for i in panel.report if i.kind.startswith("growth_")]
    assert kinds == [("growth_first_year", None), ("growth_gap", 2019), ("growth_base", 2021)]


def test_derive_and_growth_record_definition_unit_and_order():
    frame = pd.DataFrame(
        {"region": ["上海", "北京", "上海", "北京"], "year": [2020, 2020, 2019, 2019]}
    ).assign(x=[4.0, 1.0, 2.0, 2.0])
    panel = Panel.from_wide(frame, units={"x": "元"})
    out = panel.derive("y", "x * 3", unit="万元").growth("gx", "x", scale=10, unit="‰")
    derived = [(i.message, i.indicator) for i in out.report if i.kind == "derived"]
    assert derived == [("y = x * 3", "y"), ("gx = year-on-year growth of x × 10", "gx")]
    assert out.units == {"x": "元", "y": "万元", "gx": "‰"}
    keys = list(zip(out.data.region_code, out.data.year, out.data.indicator, strict=True))
    assert keys == sorted(keys)
    # Shanghai 2020: 10 × (4 / 2 − 1) = 10; Beijing 2020: 10 × (1 / 2 − 1) = −5
    assert out.wide(["gx"]).gx.loc[(SHANGHAI, 2020)] == pytest.approx(10.0)
    assert out.wide(["gx"]).gx.loc[(BEIJING, 2020)] == pytest.approx(-5.0)
    assert out.wide(["y"]).y.tolist() == [6.0, 3.0, 6.0, 12.0]  # 北京 2019, 2020, 上海 …
    assert panel.indicators == ["x"] and len(panel.report) == 0


# ---------------------------------------------------------------------- interpolation
def test_interpolation_fills_interior_only_and_reports_every_cell():
    frame = pd.DataFrame(
        {
            "region": ["江西"] * 5 + ["上海"] * 3,
            "year": [2010, 2011, 2013, 2016, 2017, 2010, 2011, 2012],
            "x": [np.nan, 1.0, 3.0, 9.0, np.nan, 5.0, np.nan, np.nan],
        }
    )
    panel = Panel.from_wide(frame)
    filled = panel.interpolate()
    x = filled.wide(["x"]).x
    # Jiangxi: 2012 = 2 (1 + (3-1)/2), 2014 = 5, 2015 = 7 (3 + 6·(t-2013)/3); ends stay NaN
    assert x.loc[(JIANGXI, 2012)] == pytest.approx(2.0)
    assert x.loc[(JIANGXI, 2014)] == pytest.approx(5.0)
    assert x.loc[(JIANGXI, 2015)] == pytest.approx(7.0)
    assert math.isnan(x.loc[(JIANGXI, 2010)]) and math.isnan(x.loc[(JIANGXI, 2017)])
    # Shanghai has a single value: nothing to interpolate, nothing extrapolated
    assert x.loc[SHANGHAI].isna().sum() == 2
    issues = [(i.region, i.year, i.indicator, i.repaired) for i in filled.report]
    assert issues == [
        ("360000", 2012, "x", 2.0),
        ("360000", 2014, "x", 5.0),
        ("360000", 2015, "x", 7.0),
    ]
    assert len(panel.report) == 0  # the original is unchanged


def test_interpolation_limit_and_bad_arguments():
    frame = pd.DataFrame({"region": "北京", "year": [2000, 2004, 2005, 2007], "x": [0, 4, 5, 7.0]})
    filled = Panel.from_wide(frame).interpolate(limit=1)
    kinds = [(i.kind, i.year) for i in filled.report]
    assert kinds == [("gap_too_long", 2001), ("interpolated", 2006)]
    assert 2002 not in set(filled.data.year)
    with pytest.raises(DataValidationError, match="method"):
        Panel.from_wide(frame).interpolate(method="spline")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="unknown indicator 'y'"):
        Panel.from_wide(frame).interpolate(["y"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
        min_size=2,
        max_size=12,
    ),
    st.integers(1990, 2010),
)
def test_interpolation_invariants(values, start):
    years = list(range(start, start + len(values)))
    frame = pd.DataFrame(
        {"region": "北京", "year": years, "x": [np.nan if v is None else v for v in values]}
    )
    panel = Panel.from_wide(frame)
    filled = panel.interpolate()
    before = panel.wide(["x"]).x.droplevel(0)
    after = filled.wide(["x"]).x.droplevel(0)
    observed = before.dropna()
    # observed cells unchanged
    pd.testing.assert_series_equal(after.loc[observed.index], observed)
    if len(observed) >= 1:
        first, last = observed.index.min(), observed.index.max()
        outside = after[(after.index < first) | (after.index > last)]
        assert outside.isna().all()  # never extrapolated
        inside = after[(after.index >= first) & (after.index <= last)]
        assert inside.notna().all()
        for year, value in inside.items():  # a filled value lies between its neighbours
            lower = observed[observed.index <= year].iloc[-1]
            upper = observed[observed.index >= year].iloc[0]
            assert min(lower, upper) - 1e-6 <= value <= max(lower, upper) + 1e-6
    assert len(filled.report) == int(after.notna().sum() - before.notna().sum())


# ---------------------------------------------------------------------- select, validate, coverage
def test_select(panel):
    part = panel.select(years=[2020], regions=["上海市"], indicators=["gdp"])
    assert part.data[["region_code", "year", "indicator", "value"]].values.tolist() == [
        [SHANGHAI, 2020, "gdp", 60.0]
    ]
    assert part.units == {"gdp": "亿元"}
    with pytest.raises(DataValidationError, match="not in the panel"):
        panel.select(regions=["广东"])
    with pytest.raises(DataValidationError, match="did you mean 'gdp'"):
        panel.select(indicators=["gpd"])
    with pytest.raises(DataValidationError, match="empty"):
        panel.select(years=[1999])


def test_validate_and_coverage():
    frame = pd.DataFrame(
        {
            "region": ["北京", "北京", "北京", "上海", "上海", "北京", "上海"],
            "year": [2010, 2011, 2013, 2010, 2013, 2010, 2010],
            "indicator": ["a", "a", "a", "a", "a", "c", "c"],
            "value": [1.0, -2.0, np.nan, 3.0, 4.0, 7.0, 7.0],
        }
    )
    panel = Panel.from_long(frame)
    issues = panel.validate().to_frame()
    gaps = issues.query("kind == 'gap'")
    # Beijing lacks 2012; Shanghai lacks 2011 and 2012
    assert sorted(zip(gaps.region, gaps.year, strict=True)) == [
        ("110000", 2012),
        ("310000", 2011),
        ("310000", 2012),
    ]
    assert issues.query("kind == 'missing'").year.tolist() == [2013]
    assert issues.query("kind == 'non_positive'").year.tolist() == [2011]
    assert issues.query("kind == 'constant'").indicator.tolist() == ["c"]
    table = panel.coverage()
    # indicator a spans 2010-2013 over 2 regions = 8 cells; 4 values -> 50 %
    assert table.loc["a", "values"] == 4 and table.loc["a", "missing"] == 1
    assert table.loc["a", "gaps"] == 3 and table.loc["a", "complete"] == pytest.approx(50.0)
    by_year = panel.coverage("year")
    # 2010: indicators a and c, 2 regions, 4 values out of 4 cells
    assert by_year.loc[2010, "complete"] == pytest.approx(100.0)
    by_region = panel.coverage("region")
    assert by_region.loc[BEIJING, "region"] == "北京市"
    with pytest.raises(DataValidationError):
        panel.coverage("city")  # type: ignore[arg-type]


def test_validation_summary_groups_by_kind_and_action():
    report = ValidationReport()
    assert report.summary() == "no validation issues"
    for year in (2019, 2020, 2021, 2022):
        report.add("interpolated", "filled", f"北京 x {year} filled", year=year)
    report.add("missing", "excluded", "上海 2021 left out")
    lines = report.summary(max_items=3).splitlines()
    assert lines == [
        "5 validation issues:",
        "  interpolated (filled) × 4: 北京 x 2019 filled; 北京 x 2020 filled; 北京 x 2021 filled; "
        "… 1 more",
        "  missing (excluded) × 1: 上海 2021 left out",
    ]
    assert report.to_frame().year.tolist()[:4] == [2019, 2020, 2021, 2022]
