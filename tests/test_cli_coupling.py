"""``nqpf coupling`` driven as a user would, on the bundled data."""

import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app, main

runner = CliRunner()


def test_coupling_writes_tables_and_page(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["coupling", "--variant", "revised", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("coupling.csv", "coupling_grades.csv", "grade_transitions.csv", "coupling.html"):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "coupling.csv")
    assert len(table) == 31 * 12 and table.D.between(0, 1).all()
    assert "Wang Shujia" in result.output and "lagging element" in result.output


def test_bad_variant_is_one_line_and_status_2(tmp_path, monkeypatch, capsys):
    # the `nqpf` entry point, as a user runs it: choices are checked before anything runs
    monkeypatch.setattr(
        sys, "argv", ["nqpf", "coupling", "--variant", "modern", "--out", str(tmp_path)]
    )
    with pytest.raises(SystemExit) as stop:
        main()
    output = capsys.readouterr().out
    assert stop.value.code == 2
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "'modern'" in lines[0], output
    assert "'classic', 'revised'" in lines[0]


def test_coupling_on_a_user_table_with_its_own_system(tmp_path):
    from nqpf.data.example import write_example

    write_example(tmp_path)
    out = tmp_path / "out"
    args = ["coupling", "--data", str(tmp_path / "example.csv")]
    args += ["--system", str(tmp_path / "example_system.yaml"), "--subsystem", "labourers"]
    args += ["--subsystem", "objects_of_labour", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "coupling.csv")
    assert len(table) == 31 * 4
    assert {"labourers", "objects_of_labour"} <= set(table.columns)
    assert "means_of_labour" not in table.columns


def _write_scores(path):
    """Synthetic subsystem scores of three provinces in two years (not real data)."""
    frame = pd.DataFrame(
        {
            "region": ["北京", "上海", "广东"] * 2,
            "year": [2021] * 3 + [2022] * 3,
            "innovation_chain": [0.2, 0.9, 0.5, 0.3, 0.6, 0.05],
            "industry_chain": [0.8, 0.7, 0.5, 0.4, 0.1, 1.2],
        }
    )
    frame.to_csv(path, index=False)
    return frame


def test_coupling_of_the_users_scores(tmp_path):
    frame = _write_scores(tmp_path / "scores.csv")
    out = tmp_path / "out"
    args = ["coupling", "--data", str(tmp_path / "scores.csv"), "--score", "innovation_chain"]
    args += ["--score", "industry_chain", "--rescale", "minmax", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in ("coupling.csv", "coupling_grades.csv", "grade_transitions.csv", "coupling.html"):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "coupling.csv").sort_values(["year", "region_code"])
    u = frame[["innovation_chain", "industry_chain"]].to_numpy()
    u = (u - u.min(axis=0)) / (u.max(axis=0) - u.min(axis=0))
    a, b = u[:, 0], u[:, 1]
    c = 2 * np.sqrt(a * b) / (a + b)  # two systems: C = 2√(U1·U2)/(U1 + U2)
    np.testing.assert_allclose(table["D"], np.sqrt(c * (a + b) / 2))  # rows already by code
    assert "min–max rescaled" in result.output
    page = (out / "coupling.html").read_text(encoding="utf-8")
    assert "子系统耦合协调" in page and "三要素" not in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("--score industry_chain", "'industry_chain' of 广东 Guangdong in 2022 is 1.2"),
        ("--score industry_chian", "did you mean 'industry_chain'"),
        ("--score industry_chain --subsystem labourers", "use one"),
        ("--subsystem labourers --rescale minmax", "applies to the --score"),
    ],
)
def test_score_errors_are_one_line_and_status_2(tmp_path, extra, message):
    _write_scores(tmp_path / "scores.csv")
    args = ["coupling", "--data", str(tmp_path / "scores.csv"), "--out", str(tmp_path / "out")]
    if "--score" in extra:
        args += ["--score", "innovation_chain"]
    result = runner.invoke(app, [*args, *extra.split()])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert all(" 0:00:" in line for line in lines if line not in errors), result.output  # progress


def test_score_without_data_is_one_line_and_status_2(tmp_path):
    args = ["coupling", "--score", "a", "--score", "b", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "give both" in result.output, result.output
