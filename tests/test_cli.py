"""The nqpf command line, driven as a user would."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()


def test_datasets_lists_bundled_sources():
    result = runner.invoke(app, ["datasets"])
    assert result.exit_code == 0, result.output
    assert "cn_province_sci_tech" in result.output


def test_validate_reports_a_misspelled_region_with_a_suggestion(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame(
        {"地区": ["北京", "江两"], "年份": [2020, 2020], "指标": ["rd", "rd"], "数值": [1.0, 2.0]}
    ).to_csv(path, index=False)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "江两" in result.output and "江西" in result.output
    fixed = runner.invoke(app, ["validate", str(path), "--alias", "江两=江西"])
    assert fixed.exit_code == 0, fixed.output
    assert "alias" in fixed.output


def test_index_writes_its_tables(tmp_path):
    result = runner.invoke(app, ["index", "--weighting", "critic", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("scores.csv", "weights.csv", "obstacles.csv", "validation.md"):
        assert (tmp_path / name).stat().st_size > 0
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert scores.region_code.nunique() == 31


def test_index_rejects_an_unknown_system(tmp_path):
    result = runner.invoke(app, ["index", "--system", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "nqpf-province" in result.output


@pytest.mark.slow
def test_report_is_self_contained(tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path), "--runs", "40"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'src="http' not in html and 'href="http' not in html
    assert "北京" in html and "Beijing" in html
    assert pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None).keys() >= {"scores", "weights"}
    assert len(pd.read_stata(tmp_path / "scores.dta")) == 31 * 12
    words = " ".join(result.output.split())  # the console wraps long lines
    assert "分析 Analysis" in words and "共计 total" in words and "manifest.json" in words
