"""``nqpf coupling`` driven as a user would, on the bundled data."""

import sys

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
