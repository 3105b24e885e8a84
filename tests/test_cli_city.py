"""``nqpf city`` driven as a user would, on the bundled city data."""

import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app, main

runner = CliRunner()


@pytest.mark.slow
def test_city_writes_tables_and_page(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["city", "--runs", "10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("city_scores.csv", "city_top_bottom.csv", "city_repairs.csv", "city.html"):
        assert (out / name).stat().st_size > 0, name
    scores = pd.read_csv(out / "city_scores.csv")
    assert scores.year.eq(2016).all() and scores.score.between(0, 1).all()
    page = (out / "city.html").read_text(encoding="utf-8")
    assert "城市新质生产力指数" in page and "Merge decisions of the city panel" in page
    assert "Years with every indicator: 2016" in result.output


def test_unknown_year_is_one_line_and_status_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "argv", ["nqpf", "city", "--year", "1990", "--runs", "0", "--out", str(tmp_path)]
    )
    with pytest.raises(SystemExit) as stop:
        main()
    output = capsys.readouterr().out
    assert stop.value.code == 2
    errors = [line for line in output.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "year 1990" in errors[0] and "2016" in errors[0], output


def test_unknown_system_file_is_one_line_and_status_2(tmp_path):
    args = ["city", "--system", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "missing.yaml" in result.output
