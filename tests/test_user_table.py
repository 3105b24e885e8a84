"""A researcher's own table: repairs listed, errors naming the right column, formula names,
kept text columns, header overrides and unsupported levels.

Every file is written here (xlsx with Chinese headers, a GBK CSV without a byte-order mark);
expected rows and values are counted by hand from the tables below (the header is file row 1).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from nqpf.disparity import beta_convergence
from nqpf.errors import DataValidationError, IndexSystemError, UnknownRegionError
from nqpf.index import compute_index
from nqpf.panel import Panel
from nqpf.regions import normalize

BEIJING, SHANGHAI, INNER_MONGOLIA, GUANGDONG, TIBET = 110000, 310000, 150000, 440000, 540000


def messy_table() -> pd.DataFrame:
    """Four provinces × 2 years; file rows 2–9 in this order."""
    return pd.DataFrame(
        {
            "地区": ["北京", "上  海", "内蒙古自治区", "Guangdong"] * 2,
            "年份": [2020] * 4 + [2021] * 4,
            "研发经费（万元）": [10.0, 20.0, 30.0, 40.0, 11.0, 22.0, 33.0, 44.0],
            "R&D人员（人）": [1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 6.0, 8.0],
            "GDP（亿元）": [100.0, 200.0, 300.0, 400.0, 100.0, 200.0, 300.0, 400.0],
        }
    )


def write(frame: pd.DataFrame, path) -> None:
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        frame.to_csv(path, index=False, encoding="gbk")  # no byte-order mark


@pytest.fixture(params=["xlsx", "csv"])
def messy_file(request, tmp_path):
    path = tmp_path / f"my.{request.param}"
    write(messy_table(), path)
    return path


# ---------------------------------------------------------------------- finding 3
def test_name_repairs_are_listed_once_per_spelling_with_first_row(messy_file):
    panel = Panel.from_file(messy_file)
    assert panel.regions == [BEIJING, INNER_MONGOLIA, SHANGHAI, GUANGDONG]
    names = panel.report.to_frame().query("kind == 'name'")
    assert names.action.tolist() == ["repaired"] * 3
    assert names.original.tolist() == ["上  海", "内蒙古自治区", "Guangdong"]
    assert names.repaired.tolist() == ["上海", "内蒙古", "广东"]
    assert names.row.tolist() == [3, 4, 5]
    assert set(names.source) == {messy_file.name}
    message = names.message.iloc[0]
    assert "whitespace removed" in message and "2 row(s)" in message and "'地区'" in message
    if messy_file.suffix == ".csv":
        assert "encoding" in set(panel.report.to_frame().kind)


def test_plain_short_names_and_codes_are_not_repairs(tmp_path):
    frame = messy_table()
    frame["地区"] = ["北京", "上海", 150000, "广东"] * 2
    path = tmp_path / "plain.xlsx"
    write(frame, path)
    kinds = set(Panel.from_file(path).report.to_frame().kind)
    assert "name" not in kinds


def test_years_print_as_integers_in_reports(messy_file):
    frame = messy_table()
    frame.loc[7, "GDP（亿元）"] = np.nan  # Guangdong 2021
    write(frame, messy_file)
    panel = Panel.from_file(messy_file)
    report = panel.report
    report.extend(panel.validate())
    table = report.to_frame()
    assert str(table.year.dtype) == "Int64" and str(table.row.dtype) == "Int64"
    markdown = report.to_markdown()
    assert "| 2021 |" in markdown and "2021.0" not in markdown and "3.0" not in markdown


# ---------------------------------------------------------------------- finding 4
@pytest.mark.parametrize("layout", ["wide", "long"])
def test_unknown_region_names_the_region_column_and_file_row(tmp_path, layout):
    frame = messy_table()
    frame.loc[1, "地区"] = "江两"  # file row 3
    if layout == "long":
        frame = frame.melt(["地区", "年份"], var_name="指标", value_name="数值")
    path = tmp_path / "typo.xlsx"
    write(frame, path)
    with pytest.raises(UnknownRegionError) as info:
        Panel.from_file(path)
    message = str(info.value)
    assert "typo.xlsx row 3, column '地区'" in message and "did you mean '江西'" in message
    assert "研发经费" not in message and "x1" not in message


# ---------------------------------------------------------------------- finding 5
def test_console_summary_counts_kinds_with_first_examples(messy_file):
    frame = messy_table()
    frame.loc[5, "R&D人员（人）"] = np.nan  # 上海 2021, file row 7
    write(frame, messy_file)
    panel = Panel.from_file(messy_file)
    system = {
        "name": "mine",
        "dimensions": [
            {
                "name": "d",
                "indicators": [
                    {"name": "rd", "formula": "研发经费", "direction": 1},
                    {"name": "staff", "formula": "R&D人员", "direction": 1},
                ],
            }
        ],
    }
    result = compute_index(panel, system)
    assert (SHANGHAI, 2021) not in set(
        zip(result.scores.region_code, result.scores.year, strict=True)
    )
    summary = result.report.summary(max_items=2)
    lines = summary.splitlines()
    headers = 5 + (messy_file.suffix == ".csv")  # 5 header mappings, plus the encoding note
    # 3 name repairs, the blank cell read as missing, 上海 2021 left out, 2021 not ranking everyone
    assert lines[0] == f"{headers + 3 + 1 + 1 + 1} validation issues:"
    blank = f"R&D人员: 1 cell(s) read as missing (blank ×1), first {messy_file.name} row 7"
    assert f"  missing (read as missing) × 1: {blank}, column 'R&D人员' (上  海)" in lines
    assert any(line.startswith("  gap (flagged) × 1: 2021: ") for line in lines)
    assert any(line.startswith("  header (mapped) × 5: ") and "… 3 more" in line for line in lines)
    assert "  missing (excluded) × 1: 上海 2021 left out of the index: no value for staff" in lines


def test_gap_error_names_the_fixes():
    frame = pd.DataFrame(
        {
            "region": ["北京", "北京", "上海", "上海", "上海", "广东", "广东", "广东"],
            "year": [2019, 2021, 2019, 2020, 2021, 2019, 2020, 2021],
            "value": [1.0, 1.4, 2.0, 2.1, 2.3, 3.0, 3.5, 3.6],
        }
    )
    with pytest.raises(DataValidationError) as info:
        beta_convergence(frame, "value", region="region")
    message = str(info.value)
    assert "has no observation in 2020" in message
    for fix in ("interpolate: [", "Panel.interpolate(", "--interpolate linear", "Panel.select("):
        assert fix in message


# ---------------------------------------------------------------------- finding 6
def test_formula_of_one_name_with_operator_characters_is_that_indicator(messy_file):
    panel = Panel.from_file(messy_file)
    assert "R&D人员" in panel.indicators
    values = panel.evaluate("R&D人员")
    assert values.loc[(GUANGDONG, 2021)] == 8.0
    quoted = panel.evaluate("`R&D人员` / GDP * 100")
    assert quoted.loc[(SHANGHAI, 2020)] == pytest.approx(2.0 / 200.0 * 100)


@pytest.mark.parametrize("formula", ["R&D人员 / GDP", "GDP / R&D人员", "log(R&D人员)"])
def test_unquoted_name_with_operator_characters_suggests_backticks(messy_file, formula):
    panel = Panel.from_file(messy_file)
    with pytest.raises(DataValidationError, match="in backticks: `R&D人员`"):
        panel.evaluate(formula)


def test_unknown_name_with_operator_characters_suggests_backticks_for_it(messy_file):
    panel = Panel.from_file(messy_file)
    with pytest.raises(DataValidationError) as info:
        panel.evaluate("R&D经费 * 2")
    assert "if 'R&D经费' is one name, write it in backticks: `R&D经费`" in str(info.value)


def test_system_formula_reaches_the_error_with_the_hint(messy_file):
    panel = Panel.from_file(messy_file)
    system = {
        "name": "mine",
        "dimensions": [
            {
                "name": "d",
                "indicators": [
                    {"name": "rd", "formula": "研发经费", "direction": 1},
                    {"name": "intensity", "formula": "R&D人员 / GDP", "direction": 1},
                ],
            }
        ],
    }
    with pytest.raises(IndexSystemError, match="'intensity'.*backticks: `R&D人员`"):
        compute_index(panel, system)


# ---------------------------------------------------------------------- kept text columns
def test_kept_column_becomes_attributes(tmp_path):
    frame = messy_table()
    frame.insert(1, "区域", ["东部", "东部", "西部", "东部"] * 2)
    path = tmp_path / "groups.xlsx"
    write(frame, path)
    found = Panel.from_file(path)  # a text-only column is kept apart without being asked
    assert "区域" not in found.indicators and "区域" in found.attributes.columns
    assert any("'区域' holds text only" in i.message for i in found.report)
    panel = Panel.from_file(path, keep=("区域",))
    assert "区域" not in panel.indicators
    attributes = panel.attributes
    assert list(attributes.columns) == ["region_code", "year", "区域"]
    assert len(attributes) == 8
    by_region = attributes.set_index(["region_code", "year"])["区域"]
    assert by_region.loc[(INNER_MONGOLIA, 2021)] == "西部"
    assert by_region.loc[(SHANGHAI, 2020)] == "东部"
    selected = panel.select(regions=["内蒙古"], years=[2021])
    assert selected.attributes["区域"].tolist() == ["西部"]
    assert panel.interpolate().attributes.equals(attributes)


def test_kept_column_missing_lists_the_headers(tmp_path):
    path = tmp_path / "groups.xlsx"
    write(messy_table(), path)
    with pytest.raises(DataValidationError) as info:
        Panel.from_file(path, keep=("区域",))
    assert "keep column '区域' not found" in str(info.value) and "'年份'" in str(info.value)


def test_kept_column_must_hold_one_value_per_region_year_in_a_long_table(tmp_path):
    frame = messy_table().melt(["地区", "年份"], var_name="指标", value_name="数值")
    frame["区域"] = "东部"
    frame.loc[frame.index[-1], "区域"] = "南部"  # Guangdong 2021, GDP row
    path = tmp_path / "long.xlsx"
    write(frame, path)
    with pytest.raises(DataValidationError, match="'区域' has several values for 广东省 2021"):
        Panel.from_file(path, keep=["区域"])
    frame["区域"] = "东部"
    write(frame, path)
    panel = Panel.from_file(path, keep=["区域"])
    assert len(panel.attributes) == 8 and set(panel.attributes["区域"]) == {"东部"}


# ---------------------------------------------------------------------- indicator_for
def test_indicator_for_accepts_the_header_or_the_name(messy_file):
    panel = Panel.from_file(messy_file)
    assert panel.indicator_for("研发经费（万元）") == "研发经费"
    assert panel.indicator_for("研发经费 (万元)") == "研发经费"
    assert panel.indicator_for("研发经费") == "研发经费"
    with pytest.raises(DataValidationError, match="holds '研发经费' in '万元', not in '亿元'"):
        panel.indicator_for("研发经费（亿元）")
    with pytest.raises(DataValidationError, match="did you mean '研发经费'"):
        panel.indicator_for("研发经废")


# ---------------------------------------------------------------------- header overrides
def test_region_and_year_columns_can_be_named(tmp_path):
    frame = messy_table().rename(columns={"地区": "单位", "年份": "统计期"})
    path = tmp_path / "odd.xlsx"
    write(frame, path)
    with pytest.raises(DataValidationError, match="no year column"):
        Panel.from_file(path)
    panel = Panel.from_file(path, region="单位", year="统计期")
    assert panel.regions == [BEIJING, INNER_MONGOLIA, SHANGHAI, GUANGDONG]
    assert panel.years == [2020, 2021]
    assert panel.indicators == ["GDP", "R&D人员", "研发经费"]
    messages = [i.message for i in panel.report if i.kind == "header"]
    assert "column '单位' read as region (as given)" in messages
    with pytest.raises(DataValidationError, match="region column '地区' not found.*'单位'"):
        Panel.from_file(path, region="地区", year="统计期")


def test_named_region_column_settles_two_candidates(tmp_path):
    frame = messy_table()
    frame.insert(0, "省份", frame["地区"])
    frame["地区"] = ["华北", "华东", "华北", "华南"] * 2
    path = tmp_path / "two.xlsx"
    write(frame, path)
    with pytest.raises(DataValidationError, match="both look like the region column.*region="):
        Panel.from_file(path)
    panel = Panel.from_file(path, region="省份", keep=["地区"])
    assert panel.regions == [BEIJING, INNER_MONGOLIA, SHANGHAI, GUANGDONG]
    assert set(panel.attributes["地区"]) == {"华北", "华东", "华南"}


# ---------------------------------------------------------------------- finding 8
def test_county_level_is_rejected_as_a_level(messy_file):
    with pytest.raises(DataValidationError) as info:
        Panel.from_file(messy_file, level="county")  # type: ignore[arg-type]
    assert not isinstance(info.value, UnknownRegionError)
    assert "level 'county' is not supported" in str(info.value)
    assert "'province'" in str(info.value) and "'city'" in str(info.value)
    with pytest.raises(DataValidationError, match="level 'county' is not supported"):
        normalize(["河北"], level="county")  # type: ignore[arg-type]


def test_header_with_unit_in_a_formula_points_to_the_variable(messy_file):
    panel = Panel.from_file(messy_file)
    with pytest.raises(DataValidationError) as info:
        panel.evaluate("研发经费（万元） / GDP")
    assert "column '研发经费（万元）' is the variable '研发经费'" in str(info.value)


def test_yaml_system_with_chinese_formulas(messy_file, tmp_path):
    system = tmp_path / "mine.yaml"
    system.write_text(
        "name: mine\n"
        "dimensions:\n"
        "  - name: d\n"
        "    indicators:\n"
        "      - {name: staff, formula: R&D人员, direction: 1}\n"
        "      - name: intensity\n"
        '        formula: "`R&D人员` / GDP * 100"\n'
        "        direction: 1\n"
        "      - {name: rd, formula: 研发经费 / GDP, direction: 1}\n",
        encoding="utf-8",
    )
    result = compute_index(Panel.from_file(messy_file), system)
    values = result.values
    assert values.loc[(GUANGDONG, 2021), "staff"] == 8.0
    assert values.loc[(SHANGHAI, 2020), "intensity"] == pytest.approx(1.0)  # 2 / 200 × 100
    assert values.loc[(BEIJING, 2021), "rd"] == pytest.approx(0.11)  # 11 / 100


def test_documented_formula_names_run_on_a_table(messy_file):
    doc = Path(__file__).parents[1] / "docs" / "index-system.md"
    section = doc.read_text(encoding="utf-8").split("## Names in formulas", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = {"name": "doc", "dimensions": [{"name": "d", **yaml.safe_load(block)}]}
    values = compute_index(Panel.from_file(messy_file), spec).values
    assert values.loc[(SHANGHAI, 2020), "rd_staff"] == 2.0
    assert values.loc[(SHANGHAI, 2020), "rd_staff_per_gdp"] == pytest.approx(0.01)
    assert values.loc[(SHANGHAI, 2020), "rd_intensity"] == pytest.approx(20 / 2e6 * 100)
    assert values.loc[(SHANGHAI, 2020), "rd_staff_log"] == pytest.approx(np.log(3.0))
