"""``nqpf spatial`` and ``nqpf drivers`` driven as a user would, on the bundled data."""

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.regions import provinces

runner = CliRunner()


def _flat(output: str) -> str:
    return output.replace("\n", "")


def test_spatial_on_the_bundled_index(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["spatial", "--permutations", "99", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("moran.csv", "lisa.csv", "hotspots.csv", "spatial.html"):
        assert (out / name).stat().st_size > 0, name
    assert "Hainan" in result.output  # the island repair is shown
    moran = pd.read_csv(out / "moran.csv")
    assert moran.year.tolist() == list(range(2011, 2023))
    assert (moran.statistic > moran.expected).all()
    # two-sided permutation p-values with 99 permutations are multiples of 2/100
    assert np.allclose(moran.p_value_permutation * 50, np.round(moran.p_value_permutation * 50))
    lisa = pd.read_csv(out / "lisa.csv")
    assert len(lisa) == 31 * 12 and set(lisa.cluster) <= {"HH", "LL", "HL", "LH", "ns"}
    hot = pd.read_csv(out / "hotspots.csv")
    assert hot.hotspot.between(-3, 3).all()
    page = (out / "spatial.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="https?:', page)
    assert "Spatial autocorrelation" in page and "Hot spots" in page


def test_spatial_with_knn_weights_on_a_user_table(tmp_path):
    rng = np.random.default_rng(2)
    table = provinces()
    rows = [
        {"省份": row["short"], "年份": year, "指数": row["lon"] / 10 + rng.normal(0, 0.05)}
        for _, row in table.iterrows()
        for year in (2021, 2022)
    ]
    path = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    out = tmp_path / "out"
    args = ["spatial", "--data", str(path), "--value", "指数", "--region-col", "省份"]
    args += ["--year-col", "年份", "--weights", "knn:4", "--permutations", "49", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "knn:4" in result.output and "Hainan" not in result.output
    moran = pd.read_csv(out / "moran.csv")
    assert moran.year.tolist() == [2021, 2022]
    assert (moran.statistic > 0.5).all()  # a west–east gradient clusters strongly


def test_spatial_with_a_weights_file_equals_the_spec(tmp_path):
    """A GeoDa GAL file of the 4 nearest capitals gives the Moran's I of ``--weights knn:4``."""
    from nqpf.geo import knn_weights

    codes = list(provinces().index)
    w = knn_weights(codes, k=4, row_standardize=False)
    lines = [str(len(codes))]
    for code in codes:
        lines += [f"{code} 4", " ".join(map(str, w.neighbors(code)))]
    gal = tmp_path / "knn4.gal"
    gal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frames, outputs = {}, {}
    for name, spec in (("file", str(gal)), ("spec", "knn:4")):
        out = tmp_path / name
        args = ["spatial", "--weights", spec, "--permutations", "0", "--out", str(out)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        frames[name], outputs[name] = pd.read_csv(out / "moran.csv"), _flat(result.output)
    assert np.allclose(frames["file"].statistic, frames["spec"].statistic, atol=1e-12)
    assert "(knn4.gal)" in outputs["file"] and "(knn:4)" in outputs["spec"]


@pytest.mark.slow
def test_drivers_on_the_bundled_data(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["drivers", "--draws", "50", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("sdm.csv", "effects.csv", "sdm_tests.csv", "geodetector.csv", "gwr.csv"):
        assert (out / name).stat().st_size > 0, name
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects.term) == {"ln_gdp", "gov_intervention", "agri_support"}
    wide = effects.pivot(index="term", columns="effect", values="estimate")
    np.testing.assert_allclose(wide.direct + wide.indirect, wide.total, rtol=1e-10)
    tests = pd.read_csv(out / "sdm_tests.csv")
    assert {"lm_lag", "robust_lm_error", "lr_sdm_sar", "wald_sdm_sem", "hausman"} <= set(tests.test)
    sdm = pd.read_csv(out / "sdm.csv")
    assert {"sdm", "panel_fe"} == set(sdm.model) and "rho" in set(sdm.term)
    geo = pd.read_csv(out / "geodetector.csv")
    factors = geo.query("detector == 'factor'")
    assert len(factors) == 3 and factors.method.notna().all()
    assert len(geo.query("detector == 'interaction'")) == 3
    gwr = pd.read_csv(out / "gwr.csv")
    assert len(gwr) == 31 * 4
    text = _flat(result.output)
    assert "rho =" in text and "share_secondary" in text and "Small samples" in text


def test_drivers_with_user_expressions_and_a_sar_model(tmp_path):
    args = ["drivers", "--x", "ln_gdp=log(gdp)", "--x", "share_secondary", "--model", "sar"]
    args += ["--effects", "region", "--draws", "20", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(tmp_path / "effects.csv")
    assert set(effects.term) == {"ln_gdp", "share_secondary"}
    page = (tmp_path / "drivers.html").read_text(encoding="utf-8")
    assert "Drivers — spatial lag model" in page
    assert "Default drivers" not in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x", "log(gpd)"], r"did you mean.*gdp"),
        (["--x", "gdp", "--x", "2 * gdp"], r"collinear"),
        (["--x", "log(gdp)", "--x", "log(gdp)"], r"listed twice"),
        (["--model", "ols"], r"'ols' is not one of 'sdm', 'sar'"),
        (["--weights", "hexagon"], r"unknown spatial weights 'hexagon'"),
        (["--y", "happiness"], r"'happiness' is not in the index result"),
        (["--gwr-year", "1990"], r"gwr_year 1990 is not in the data"),
    ],
    ids=[
        "unknown-variable",
        "singular-x",
        "same-x-twice",
        "bad-model",
        "bad-weights",
        "bad-y",
        "year",
    ],
)
def test_drivers_bad_input_is_one_line(tmp_path, args, message):
    result = runner.invoke(app, ["drivers", *args, "--draws", "10", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert re.search(message, _flat(result.output)), result.output
    assert "Traceback" not in result.output


def test_spatial_bad_input_is_one_line(tmp_path):
    result = runner.invoke(app, ["spatial", "--year", "1990", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "map year 1990" in _flat(result.output)
    result = runner.invoke(app, ["spatial", "--weights", "knn:x", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "knn:x" in _flat(result.output)
