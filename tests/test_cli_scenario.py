"""``nqpf scenario`` driven as a user would, on the bundled data; its page is the report section."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario") / "out"
    args = ["scenario", "--change", "rd_intensity+10%@中部", "--change", "rd_intensity=3@北京:2022"]
    result = runner.invoke(app, [*args, "--runs", "10", "--out", str(out)])
    return result, out


def test_scenario_writes_tables_and_page(run):
    result, out = run
    assert result.exit_code == 0, result.output
    for name in ("scenario_scores", "scenario_disparity", "scenario_coupling", "scenario_changes"):
        assert (out / f"{name}.csv").stat().st_size > 0, name
    changes = pd.read_csv(out / "scenario_changes.csv")
    assert len(changes) == 6 * 12 + 1
    beijing = changes[changes["region_code"] == 110000]
    assert beijing["after"].tolist() == [3.0]
    assert "73 region-years changed" in result.output and "hold=weights" in result.output


def test_the_page_holds_the_scenario_section(run):
    _, out = run
    page = (out / "scenario.html").read_text(encoding="utf-8")
    assert "情景分析" in page and "Scenario analysis" in page
    assert "rd_intensity ×1.1 @ 中部" in page and "rd_intensity =3 @ 北京 : 2022" in page
    assert page.count("<img") >= 3
    assert "得分变化 Δscore" in page and "Regional differences by macro-region" in page


def test_misspelled_region_is_one_line_with_the_suggestion(tmp_path):
    args = ["scenario", "--change", "rd_intensity*1.1@河楠", "--runs", "0", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "'河楠'" in errors[0] and "'河南'" in errors[0], result.output
