"""``nqpf efficiency`` driven as a user would: a synthetic table, bad inputs, the bundled data."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()
# synthetic provinces of the four macro-regions
NAMES = ["北京", "上海", "山西", "重庆", "辽宁"]


def _table(path, *, gap=False, zero=False):
    """Synthetic wide table: region, year, K, L, Y, CO2."""
    years = [2001, 2002, 2004] if gap else [2001, 2002, 2003]
    rows = [
        {
            "region": name,
            "year": year,
            "K": 10.0 + 2 * i + t,
            "L": 0.0 if zero and i == 1 else 5.0 + i,
            "Y": 20.0 + 3 * i + (t + 1) * (i % 3 + 1),
            "CO2": 8.0 - 0.3 * t + (i % 2),
        }
        for i, name in enumerate(NAMES)
        for t, year in enumerate(years)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


ARGS = ["--input", "K", "--input", "L", "--output", "Y", "--undesirable", "CO2"]


def test_user_table_writes_tables_and_page(tmp_path):
    data = _table(tmp_path / "synthetic.csv")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["efficiency", "--data", data, *ARGS, "--model", "bcc", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("tfp.csv", "green_tfp.csv", "tfp_means.csv", "efficiency.html"):
        assert (out / name).stat().st_size > 0, name
    tfp = pd.read_csv(out / "tfp.csv")
    assert len(tfp) == 5 * 2
    assert ((tfp.tfp - tfp.ec * tfp.tc).abs() < 1e-9).all()
    assert "5 regions, 2001–2003, BCC" in result.output.replace("\n", " ")


@pytest.mark.parametrize(
    ("kwargs", "extra", "message"),
    [
        ({}, ["--input", "X", "--output", "Y", "--undesirable", "CO2"], "no column 'X'"),
        ({"zero": True}, ARGS, "'L' must be positive"),
        ({"gap": True}, ARGS, "year 2003 is missing"),
        ({}, ["--input", "K"], "needs the names"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, kwargs, extra, message):
    data = _table(tmp_path / "synthetic.csv", **kwargs)
    result = runner.invoke(app, ["efficiency", "--data", data, *extra, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert message in " ".join(lines), result.output
    assert not (tmp_path / "efficiency.html").exists()


@pytest.mark.slow
def test_bundled_provinces(tmp_path):
    result = runner.invoke(app, ["efficiency", "--delta", "0.1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "30 regions, 2010–2018, SBM" in result.output.replace("\n", " ")
    assert "δ = 0.1" in result.output
    assert len(pd.read_csv(tmp_path / "green_tfp.csv")) == 30 * 8
