"""``nqpf scales`` driven as a user would: a user's city table and membership file, bad input.

Data: the city tables and membership files below are SYNTHETIC values on real city names.
"""

import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app, main

runner = CliRunner()

CITIES = (
    "city,year,gdp,population\n广州,2020,100,10\n深圳,2020,300,30\n北京,2020,50,20\n大同,2020,7,1\n"
)
MEMBERS = "agglomeration,city\n湾区,广州\n湾区,深圳\n首都圈,北京\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "cities.csv").write_text(CITIES, encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    return tmp_path


def _one_line_exit_2(args, monkeypatch, capsys) -> str:
    """Run the `nqpf` entry point; the error must be one line and the exit status 2."""
    monkeypatch.setattr(sys, "argv", ["nqpf", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    output = capsys.readouterr().out
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert stop.value.code == 2, output
    assert len(errors) == 1, output
    assert all(" 0:00:" in line for line in lines if line not in errors), output  # progress
    return errors[0]


def test_a_user_table_with_a_user_membership(files, monkeypatch):
    # the page is drawn by test_bundled_run_writes_the_page (slow: the city map)
    monkeypatch.setattr(
        "nqpf.report.pages.write_study_page", lambda study, path: path.write_text("page")
    )
    out = files / "out"
    args = ["scales", "--data", str(files / "cities.csv"), "--value", "gdp"]
    args += ["--members", str(files / "members.csv"), "--to", "province", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in (
        "agglomeration_concentration.csv",
        "scales_aggregates.csv",
        "agglomeration_members.csv",
        "scales.html",
    ):
        assert (out / name).stat().st_size > 0, name
    sums = pd.read_csv(out / "scales_aggregates.csv").set_index("unit").value
    assert sums.to_dict() == {110000: 50.0, 140000: 7.0, 440000: 400.0}  # 广州 + 深圳
    shares = pd.read_csv(out / "agglomeration_concentration.csv").set_index("agglomeration")
    assert shares.share["湾区"] == pytest.approx(100 * 400 / 457)
    assert "The 2 agglomerations hold" in result.output.replace("\n", " ")


def test_membership_name_that_does_not_resolve(files, monkeypatch, capsys):
    (files / "bad.csv").write_text(
        "agglomeration,city\n湾区,广州\n湾区,深圳市x\n", encoding="utf-8"
    )
    line = _one_line_exit_2(
        ["scales", "--members", str(files / "bad.csv"), "--out", str(files / "o")],
        monkeypatch,
        capsys,
    )
    assert "UnknownRegionError" in line and "'深圳市x'" in line and "did you mean '深圳市'" in line


def test_a_city_in_two_agglomerations(files, monkeypatch, capsys):
    (files / "two.csv").write_text("agglomeration,city\n湾区,广州\n首都圈,广州\n", encoding="utf-8")
    line = _one_line_exit_2(
        ["scales", "--members", str(files / "two.csv"), "--out", str(files / "o")],
        monkeypatch,
        capsys,
    )
    assert "广州市 (440100) is in several agglomerations (湾区, 首都圈)" in line


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--to", "county"], "'county' is not one of 'agglomeration', 'province'"),
        (["--weight", "area"], "'area' is not one of 'population', 'gdp', 'none'"),
        (["--value", "gdp"], "--value names columns of --data"),
        (["--weight", "gdp"], "--weight applies to the values of --data"),
    ],
    ids=["to", "weight", "value-without-data", "weight-without-data"],
)
def test_bad_options(files, monkeypatch, capsys, extra, expected):
    line = _one_line_exit_2(["scales", *extra, "--out", str(files / "o")], monkeypatch, capsys)
    assert expected in line
    assert not (files / "o").exists()


def test_weight_column_missing_from_the_data(files, monkeypatch, capsys):
    (files / "gdp.csv").write_text("city,year,gdp\n广州,2020,100\n", encoding="utf-8")
    args = ["scales", "--data", str(files / "gdp.csv"), "--value", "gdp"]
    line = _one_line_exit_2(
        [*args, "--weight", "population", "--out", str(files / "o")], monkeypatch, capsys
    )
    assert "--weight population: unknown indicator 'population'" in line
    assert "use --weight none" in line


@pytest.mark.slow
def test_bundled_run_writes_the_page(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["scales", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "scales.html").read_text(encoding="utf-8")
    assert "城市群与多尺度" in html and "Membership not verified" in html
    assert html.count("<img") >= 2  # the agglomeration map and the bar chart of shares
    shares = pd.read_csv(out / "agglomeration_concentration.csv")
    assert shares.agglomeration.nunique() == 18  # 17 agglomerations and their union
