"""Size parameters checked against the data before any work; tiny and unbalanced panels.

The commands run as a user would (pytest turns every warning into an error, so a warning that
escapes fails the run); expected values are worked out by hand in the comments.
"""

import time

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.disparity import kernel_density, markov
from nqpf.disparity.density import MAX_GRID
from nqpf.errors import DataValidationError
from nqpf.geo import SpatialWeights
from nqpf.index import compute_index
from nqpf.panel import Panel
from nqpf.regions import provinces
from nqpf.report.disparity_figures import MAX_FIGURE_INCHES, transition_heatmaps
from nqpf.spatial import getis_ord
from nqpf.spatial.geodetector import discretize
from nqpf.studies import disparity_study, spatial_study
from nqpf.studies.disparity import MAX_BOOTSTRAP, MAX_CLASSES

runner = CliRunner()


def _long(n_regions: int, years=(2019, 2020, 2021, 2022)) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "region_code": np.repeat(np.arange(n_regions), len(years)),
            "year": np.tile(years, n_regions),
            "zone": np.repeat(["a", "b"] * n_regions, len(years))[: n_regions * len(years)],
            "y": rng.uniform(1, 2, n_regions * len(years)),
        }
    )


def _user_csv(tmp_path, codes, years=(2019, 2020, 2021, 2022)):
    """A user table of the given provinces by short name, value = longitude / 10 + noise."""
    table = provinces().loc[codes]
    rng = np.random.default_rng(2)
    rows = [
        {"省份": row["short"], "年份": y, "指数": row["lon"] / 10 + rng.normal(0, 0.05)}
        for _, row in table.iterrows()
        for y in years
    ]
    path = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return ["--data", str(path), "--value", "指数", "--region-col", "省份", "--year-col", "年份"]


# ----------------------------------------------------------------------- parameters vs data
def test_k_100_on_31_provinces_is_refused_at_once(tmp_path):
    out = tmp_path / "out"
    start = time.perf_counter()
    result = runner.invoke(app, ["disparity", "--k", "100", "--bootstrap", "0", "--out", str(out)])
    assert time.perf_counter() - start < 60
    assert result.exit_code == 2, result.output
    assert "k = 100" in result.output and ">= 2 and <= 20 for 31 regions" in result.output
    assert "Traceback" not in result.output
    assert not (out / "disparity.html").exists()


@pytest.mark.parametrize(("k", "top"), [(13, 12), (1, 12), (2.5, 12)])
def test_markov_classes_between_2_and_the_regions(k, top):
    with pytest.raises(DataValidationError, match=f"k = {k!r} .* >= 2 and <= {top} for 12"):
        disparity_study(_long(12), "y", "zone", k=k, w=False, bootstrap=0)


def test_classes_are_checked_before_any_work(monkeypatch):
    import nqpf.studies.disparity as study

    def boom(*args, **kwargs):
        raise AssertionError("work started before the parameters were checked")

    monkeypatch.setattr(study, "disparity_table", boom)
    with pytest.raises(DataValidationError, match="k = 40"):
        disparity_study(_long(60), "y", "zone", k=40, w=False, bootstrap=0)
    assert MAX_CLASSES == 20  # 60 regions, but at most 20 classes
    with pytest.raises(DataValidationError, match="MAX_BOOTSTRAP"):
        disparity_study(_long(12), "y", "zone", w=False, bootstrap=MAX_BOOTSTRAP + 1)
    with pytest.raises(DataValidationError, match="grid = 10001"):
        disparity_study(_long(12), "y", "zone", w=False, bootstrap=0, grid=MAX_GRID + 1)


def test_density_grid_is_bounded():
    frame = pd.DataFrame({"year": [1] * 4, "y": [1.0, 2.0, 3.0, 5.0]})
    for grid in (1, MAX_GRID + 1, 2.5, np.linspace(0, 1, MAX_GRID + 1)):
        with pytest.raises(DataValidationError, match="grid"):
            kernel_density(frame, "y", grid=grid)
    assert len(kernel_density(frame, "y", grid=MAX_GRID).grid) == MAX_GRID


def test_markov_classes_at_most_the_distinct_values():
    # values 1, 2, 3 only: three quantile classes at most (pooled); per year 2019 has only 1, 2
    wide = pd.DataFrame(
        [[1.0, 1.0, 3.0], [2.0, 3.0, 1.0], [1.0, 2.0, 2.0], [2.0, 1.0, 3.0]],
        index=list("abcd"),
        columns=[2019, 2020, 2021],
    )
    with pytest.raises(DataValidationError, match="only 3 distinct values; k must be from 2 to 3"):
        markov(wide, k=4)
    with pytest.raises(DataValidationError, match="only 2 distinct values in some year"):
        markov(wide, k=3, classes="per-year")
    assert markov(wide, k=3, periods=None).k == 3


def test_geodetector_classes_at_most_the_distinct_values():
    with pytest.raises(DataValidationError, match="only 3 distinct values"):
        discretize([1.0, 2.0, 3.0, 3.0, 2.0], "equal", 4)
    codes, _ = discretize([1.0, 2.0, 3.0, 3.0, 2.0], "equal", 3)
    assert codes.tolist() == [0, 1, 2, 2, 1]


def test_heat_maps_of_many_classes_are_bounded():
    # 20 panels of 20 × 20 (the study's largest spatial chain): no numbers written, at most
    # MAX_FIGURE_INCHES a side (unbounded, 20 panels on 7 rows were 9 in each: 63 in high)
    p = pd.DataFrame(np.full((20, 20), 0.05), index=range(1, 21), columns=range(1, 21))
    fig = transition_heatmaps({f"lag {i}": p for i in range(20)})
    assert max(fig.get_size_inches()) <= MAX_FIGURE_INCHES
    assert all(len(ax.texts) == 0 for ax in fig.axes)
    big = pd.DataFrame(np.full((31, 31), 1 / 31))
    with pytest.raises(DataValidationError, match="at most 30"):
        transition_heatmaps({"all": big})


# ----------------------------------------------------------------------------- tiny panels
def test_gi_star_with_every_region_a_neighbour_is_not_significant():
    # 3 mutual neighbours, row-standardised with the self-weight: w_ij = 1/3 for all j, so
    # every G*_i = (1/3) Σx / Σx = 1/3 whatever the values, with no variance: z is undefined
    # (0/0); the class is 0 and the summary says why
    w = SpatialWeights.from_array(np.ones((3, 3)) - np.eye(3), codes=list("abc"))
    res = getis_ord([1.0, 2.0, 4.0], w, permutations=0)
    np.testing.assert_allclose(res.statistic, 1 / 3)
    assert np.isnan(res.z_score).all() and res.hotspot.tolist() == [0, 0, 0]
    assert res.to_frame().hotspot_en.tolist() == ["Not significant"] * 3
    assert "Undefined Gi* z-score for 3 region(s) (a, b, c)" in " ".join(res.summary().notes)


def test_spatial_study_of_three_mutual_neighbours_says_why_nothing_is_a_hot_spot():
    # Beijing, Tianjin and Hebei all touch: queen contiguity makes every Gi* z undefined
    frame = pd.DataFrame(
        {
            "region_code": [110000, 120000, 130000] * 2,
            "year": [2021] * 3 + [2022] * 3,
            "value": [3.0, 2.0, 1.0, 3.5, 2.0, 1.5],
        }
    )
    study = spatial_study(frame, "value", "queen", permutations=0)
    assert (study.hotspot_frame().hotspot == 0).all()
    assert any("Undefined Gi* z-score for 3 region(s)" in n for n in study.summary().notes)


@pytest.mark.parametrize(
    "codes",
    [
        [110000, 120000, 130000],  # all mutual neighbours: Gi* z undefined
        [110000, 120000, 130000, 140000],
        [110000, 120000, 130000, 140000, 150000],
    ],
    ids=["3", "4", "5"],
)
def test_spatial_study_on_3_to_5_regions(tmp_path, codes):
    out = tmp_path / "out"
    args = ["spatial", *_user_csv(tmp_path, codes), "--permutations", "0", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    hot = pd.read_csv(out / "hotspots.csv")
    assert len(hot) == 4 * len(codes) and hot.hotspot.between(-3, 3).all()
    if len(codes) == 3:
        assert (hot.hotspot == 0).all()


def test_spatial_study_on_one_region_is_a_clear_error(tmp_path):
    args = ["spatial", *_user_csv(tmp_path, [110000]), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "need at least 2 regions, got 1 (110000)" in result.output
    assert "k_islands" not in result.output


@pytest.mark.parametrize("codes", [[110000, 120000], [110000, 120000, 130000]], ids=["2", "3"])
def test_disparity_on_2_or_3_regions_leaks_no_warning(tmp_path, codes):
    # all in the East: a single macro-region, so the between-group panel has no line to label
    out = tmp_path / "out"
    args = ["disparity", *_user_csv(tmp_path, codes), "--bootstrap", "0", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "disparity.html").stat().st_size > 0


# ------------------------------------------------------------------------- unbalanced panel
def test_unbalanced_panel_lists_every_region_year_left_out():
    system = {
        "name": "toy",
        "dimensions": [
            {"name": "d1", "indicators": [{"name": "a", "formula": "x", "direction": 1}]},
            {"name": "d2", "indicators": [{"name": "b", "formula": "y", "direction": 1}]},
        ],
    }
    # Hebei has no row in 2021; Tianjin's 2022 value is missing
    rows = [
        ("北京", 2020, 1.0),
        ("天津", 2020, 2.0),
        ("河北", 2020, 3.0),
        ("北京", 2021, 2.0),
        ("天津", 2021, 3.0),
        ("北京", 2022, 3.0),
        ("天津", 2022, np.nan),
        ("河北", 2022, 5.0),
    ]
    frame = pd.DataFrame(rows, columns=["region", "year", "x"]).assign(y=lambda f: f.year % 7)
    result = compute_index(Panel.from_wide(frame), system)
    assert result.scores.groupby("year").size().to_dict() == {2020: 3, 2021: 2, 2022: 2}
    gaps = [(i.action, i.year, i.region) for i in result.report if i.kind == "gap"]
    assert ("excluded", 2021, "130000") in gaps
    assert ("flagged", 2021, "130000") in gaps and ("flagged", 2022, "120000") in gaps
    assert not any(year == 2020 for _, year, _ in gaps)
    text = result.report.to_markdown(100)
    assert "2021: 2 of 3 regions ranked" in text and "河北" in text
