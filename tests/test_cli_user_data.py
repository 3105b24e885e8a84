"""A researcher's own table through every command, as smoothly as the bundled data.

The table is the shipped example (real bundled values, Chinese headers, yearbook messes), as XLSX
and as a GBK-encoded CSV without a byte-order mark.
"""

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.data import write_example

runner = CliRunner()


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    write_example(folder)
    return folder


def ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output.replace("\n", "")


@pytest.mark.slow
@pytest.mark.parametrize("table", ["example.xlsx", "example.csv"])
def test_every_command_runs_on_the_example(example, tmp_path, table):
    data, system = str(example / table), str(example / "example_system.yaml")
    out = ok("validate", data)
    assert "'上  海'" in out and "内蒙古自治区" in out and "Guangdong" in out  # repairs listed
    ok("index", "--data", data, "--system", system, "--out", str(tmp_path / "index"))
    scores = pd.read_csv(tmp_path / "index" / "scores.csv")
    assert scores.groupby("year").size().tolist() == [31] * 4  # the blank cell was interpolated
    out = ok(
        "disparity", "--data", data, "--by", "区域", "--value", "R&D经费内部支出（万元）",
        "--bootstrap", "0", "--out", str(tmp_path / "disparity"),
    )  # fmt: skip
    theil = pd.read_csv(tmp_path / "disparity" / "theil.csv")
    assert set(theil.group.dropna()) == {"东部", "中部", "西部", "东北"}
    ok(
        "spatial", "--data", data, "--system", system, "--permutations", "9",
        "--out", str(tmp_path / "spatial"),
    )  # fmt: skip
    assert len(pd.read_csv(tmp_path / "spatial" / "moran.csv")) == 4
    ok(
        "drivers", "--data", data, "--system", system, "--x", "ln_gdp=log(地区生产总值)",
        "--draws", "10", "--out", str(tmp_path / "drivers"),
    )  # fmt: skip
    assert "ln_gdp" in set(pd.read_csv(tmp_path / "drivers" / "effects.csv").term)
    out = ok(
        "report", "--data", data, "--system", system, "--runs", "10",
        "--out", str(tmp_path / "report"),
    )  # fmt: skip
    assert "skipped drivers" in out and "nqpf drivers --data" in out
    assert (tmp_path / "report" / "report.html").stat().st_size > 100_000
    sheets = pd.read_excel(tmp_path / "report" / "tables.xlsx", sheet_name=None)
    assert {"scores", "dagum", "moran", "rank_uncertainty"} <= set(sheets)
    validation = (tmp_path / "report" / "validation.md").read_text(encoding="utf-8")
    assert "上  海" in validation and "interpolated" in validation


def test_drivers_on_user_data_need_their_own_drivers(example, tmp_path):
    data = str(example / "example.xlsx")
    result = runner.invoke(
        app, ["drivers", "--data", data, "--system", str(example / "example_system.yaml")]
    )
    assert result.exit_code == 2 and "give --x" in result.output.replace("\n", "")


def test_value_by_raw_header_or_mapped_name_and_unknown_value(example, tmp_path):
    data = str(example / "example.xlsx")
    result = runner.invoke(
        app, ["spatial", "--data", data, "--value", "发明专利授权数", "--out", str(tmp_path)]
    )  # 西藏 2021 is blank in the example: the error names the fixes
    assert result.exit_code == 2 and "--interpolate linear" in result.output.replace("\n", "")
    for value in ("发明专利授权数（件）", "发明专利授权数"):
        ok("spatial", "--data", data, "--value", value, "--interpolate", "linear",
           "--permutations", "0", "--out", str(tmp_path / "s"))  # fmt: skip
    result = runner.invoke(
        app, ["spatial", "--data", data, "--value", "发明专利", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "did you mean" in result.output.replace("\n", "")
