"""``nqpf chain`` driven as a user would: the example table, and a bad column."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()


@pytest.mark.slow  # draws the province map of chain.html
def test_chain_on_the_example_table(tmp_path):
    from nqpf.data.example import write_example

    write_example(tmp_path)
    out = tmp_path / "out"
    args = ["chain", "--data", str(tmp_path / "example.csv"), "--model", "additive"]
    args += ["--input", "R&D人员全时当量", "--input", "R&D经费内部支出"]
    args += ["--intermediate", "发明专利授权数"]
    args += ["--output", "高技术产业营业收入", "--output", "吸纳技术合同成交额", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in ("chain_efficiency.csv", "chain_means.csv", "chain.html"):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "chain_efficiency.csv")
    weighted = table.weight1 * table.stage1 + table.weight2 * table.stage2
    assert ((table.overall - weighted).abs() < 1e-7).all()
    assert "additive model" in result.output


def test_unknown_column_is_one_line_and_status_2(tmp_path):
    from nqpf.data.example import write_example

    write_example(tmp_path)
    args = ["chain", "--data", str(tmp_path / "example.csv"), "--input", "no_such_column"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "unknown indicator 'no_such_column'" in errors[0], result.output
