"""``nqpf example``: a small real table with deliberate yearbook messes, read back by a user."""

import codecs
import math
import shlex
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.data import EXAMPLE_YEARS, load_province_panel, write_example
from nqpf.index import compute_index
from nqpf.index.system import load_system
from nqpf.panel import Panel
from nqpf.regions import provinces

runner = CliRunner()

HEADERS = {
    "R&D人员全时当量（人年）": "rd_fte",
    "R&D经费内部支出（万元）": "rd_exp",
    "发明专利授权数（件）": "patent_grant_invention",
    "高技术产业营业收入（亿元）": "hitech_revenue",
    "吸纳技术合同成交额（万元）": "techmarket_in_amount",
    "地区生产总值（亿元）": "gdp",
}
# (column, region code, year) -> what the spoilt cell holds; None is a blank cell.
SPOILT = {
    ("地区", 310000, 2021): "上  海",
    ("地区", 150000, 2020): "内蒙古自治区",
    ("地区", 440000, 2019): "Guangdong",
    ("发明专利授权数（件）", 540000, 2021): None,
    ("R&D经费内部支出（万元）", 440000, 2022): "44,118,955",
}
# Spreadsheet cells of SPOILT, counted by hand: provinces in code order, 4 years each, header row 1
# (上海 is the 9th province: row 2 + 8 × 4 + 2 = 36).
CELLS = {"A36", "A19", "A74", "F104", "E77"}

# The reader keeps a grouping column such as 区域 apart from the indicators with keep=(...);
# until it does, the text column 区域 is refused as a non-numeric indicator.


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example")
    paths = write_example(out)
    assert paths == [out / n for n in ("example.xlsx", "example.csv", "example_system.yaml")] + [
        out / "README.txt"
    ]
    return out


def _row(code: int, year: int) -> int:
    return list(provinces().index).index(code) * 4 + (year - 2019)


def test_the_files_exist_and_nothing_else(example):
    assert sorted(p.name for p in example.iterdir()) == [
        "README.txt",
        "example.csv",
        "example.xlsx",
        "example_system.yaml",
    ]
    assert EXAMPLE_YEARS == (2019, 2020, 2021, 2022)


def test_values_are_the_bundled_values_except_the_spoilt_cells(example):
    table = pd.read_excel(example / "example.xlsx", dtype=object)
    assert list(table.columns) == ["地区", "年份", "区域", *HEADERS]
    assert table.shape == (31 * 4, 9)
    wide = load_province_panel().wide()
    info = provinces()
    spoilt_seen = {}
    for i, row in enumerate(table.itertuples(index=False)):
        code, year = int(info.index[i // 4]), 2019 + i % 4
        assert row[1] == year
        assert row[2] == info.at[code, "macro_region_zh"]
        cells = dict(zip(table.columns, row, strict=True))
        for column, cell in cells.items():
            if (column, code, year) in SPOILT:
                spoilt_seen[(column, code, year)] = None if pd.isna(cell) else cell
            elif column == "地区":
                assert cell == info.at[code, "short"]
            elif column in HEADERS:
                assert isinstance(cell, int | float), (column, code, year, cell)
                assert cell == wide.at[(code, year), HEADERS[column]], (column, code, year)
    assert spoilt_seen == SPOILT
    # the text number is the bundled value with separators; the blank cell had a value
    assert wide.at[(440000, 2022), "rd_exp"] == 44_118_955
    assert wide.at[(540000, 2021), "patent_grant_invention"] > 0
    # hand-checked against the NBS series: 广东 2020 GDP, 北京 2020 R&D expenditure
    assert table.iat[_row(440000, 2020), 8] == 110760.94
    assert table.iat[_row(110000, 2020), 4] == 23_265_793


def test_gdp_column_equals_the_raw_bundled_gdp_file(example, province_gdp):
    table = pd.read_excel(example / "example.xlsx", dtype=object)
    raw = province_gdp.set_index(["region", "year"]).gdp
    codes = [int(c) for c in provinces().index for _ in range(4)]
    years = [2019, 2020, 2021, 2022] * 31
    expected = [raw.loc[(c, y)] for c, y in zip(codes, years, strict=True)]
    assert table["地区生产总值（亿元）"].astype(float).tolist() == expected


def test_csv_is_gbk_without_bom_and_holds_the_same_cells(example):
    raw = (example / "example.csv").read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    csv = pd.read_csv(example / "example.csv", encoding="gbk", dtype=str, keep_default_na=False)
    xlsx = pd.read_excel(example / "example.xlsx", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(csv, xlsx)
    assert csv.iat[_row(310000, 2021), 0] == "上  海"
    assert csv.iat[_row(540000, 2021), 5] == ""


def test_every_spoilt_cell_has_a_note_and_is_listed_in_the_readme(example):
    book = openpyxl.load_workbook(example / "example.xlsx")
    sheet = book.worksheets[0]
    assert len(book.worksheets) == 1
    noted = {c.coordinate for row in sheet.iter_rows() for c in row if c.comment is not None}
    assert noted == CELLS | {"A1"}
    assert all("on purpose" in sheet[c].comment.text for c in CELLS)
    assert sheet["E77"].value == "44,118,955" and sheet["E77"].data_type == "s"
    readme = (example / "README.txt").read_text(encoding="utf-8")
    for cell in CELLS:
        assert f"  {cell}  " in readme
    for text in ("cn_province_sci_tech", "province_gdp_structure_1952_2022", "2019–2022", "GBK"):
        assert text in readme
    for variable in HEADERS.values():
        assert f"variable {variable} " in readme


def test_system_reads_and_names_the_blank_cell_variable_for_interpolation(example):
    system = load_system(example / "example_system.yaml")
    assert system.years == (2019, 2022)
    assert system.interpolate == ("发明专利授权数",)
    assert len(system.indicators) == 5
    assert set(system.dimensions) == {"labourers", "means_of_labour", "objects_of_labour"}


def test_cli_example_writes_and_lists_the_files(tmp_path):
    result = runner.invoke(app, ["example", "--out", str(tmp_path / "ex")])
    assert result.exit_code == 0, result.output
    for name in ("example.xlsx", "example.csv", "example_system.yaml", "README.txt"):
        assert name in result.output
        assert (tmp_path / "ex" / name).stat().st_size > 0


@pytest.mark.parametrize("name", ["example.xlsx", "example.csv"])
def test_reads_back_with_the_header_mapping_and_every_repair_listed(example, name):
    panel = Panel.from_file(example / name, keep=("区域",))
    assert len(panel.regions) == 31 and panel.years == [2019, 2020, 2021, 2022]
    assert panel.units == {
        "R&D人员全时当量": "人年",
        "R&D经费内部支出": "万元",
        "发明专利授权数": "件",
        "高技术产业营业收入": "亿元",
        "吸纳技术合同成交额": "万元",
        "地区生产总值": "亿元",
    }
    messages = [issue.message for issue in panel.report]
    assert "column '地区' read as region" in messages
    assert "column '年份' read as year" in messages
    assert "column '地区生产总值（亿元）' read as indicator '地区生产总值' in '亿元'" in messages
    repaired = {issue.original: issue.repaired for issue in panel.report if issue.original}
    for spelling in ("上  海", "内蒙古自治区", "Guangdong"):
        assert spelling in repaired, spelling
    wide = panel.wide()
    assert math.isnan(wide.at[(540000, 2021), "发明专利授权数"])
    assert wide.at[(440000, 2022), "R&D经费内部支出"] == 44_118_955
    assert wide.at[(310000, 2021), "地区生产总值"] == 43214.85


def test_index_on_the_example_fills_the_blank_cell_and_keeps_every_region_year(example):
    panel = Panel.from_file(example / "example.xlsx", keep=("区域",))
    result = compute_index(panel, example / "example_system.yaml")
    assert len(result.scores) == 31 * 4
    filled = [i for i in result.report if i.kind == "interpolated"]
    assert [(str(i.region), i.year) for i in filled] == [("540000", 2021)]
    # 北京 2020 R&D intensity from the table's columns: 100 × 23,265,793 万元 / 36,102.55 亿元
    assert result.values.at[(110000, 2020), "rd_intensity"] == pytest.approx(6.4443, abs=1e-4)


def _readme_example_commands() -> list[list[str]]:
    """The README's ``$ nqpf …`` lines that use the example folder, comments stripped."""
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    text = text.replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        command = line.split(" # ", 1)[0].strip()
        if command.startswith("$ nqpf ") and "example/" in command:
            commands.append(shlex.split(command)[2:])
    return commands


def test_readme_walks_through_the_example():
    commands = _readme_example_commands()
    assert commands[0] == ["example", "--out", "example/"]
    assert {c[0] for c in commands} == {
        "example",
        "validate",
        "index",
        "report",
        "disparity",
        "spatial",
        "drivers",
        "coupling",
        "chain",
    }
    assert ["validate", "example/example.xlsx"] in commands


@pytest.mark.slow
def test_readme_commands_run_as_written_on_the_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in _readme_example_commands():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        if args[0] == "validate":
            assert "31 regions" in result.output
    assert len(pd.read_csv(tmp_path / "out" / "example" / "scores.csv")) == 31 * 4
