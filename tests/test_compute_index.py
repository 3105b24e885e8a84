"""compute_index: the pipeline from panel variables to scores, checked on hand-worked examples."""

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError, IndexSystemError
from nqpf.index import compute_index, index_uncertainty, load_system
from nqpf.index.compute import GEOMETRIC_FLOOR
from nqpf.panel import Panel

SYSTEM = {
    "name": "toy",
    "dimensions": [
        {"name": "d1", "indicators": [{"name": "a", "formula": "x", "direction": 1}]},
        {"name": "d2", "indicators": [{"name": "b", "formula": "y / 2", "direction": -1}]},
    ],
}


def toy_panel(x, y, regions=("北京", "天津", "河北"), years=(2020, 2021)):
    keys = [(r, t) for t in years for r in regions]
    frame = pd.DataFrame(keys, columns=["region", "year"]).assign(x=x, y=y)
    return Panel.from_wide(frame)


def test_linear_index_matches_hand_computation():
    # a = x in [0, 10]  -> z_a = x / 10;  b = y/2 in [0, 2] (cost) -> z_b = (2 - b) / 2
    panel = toy_panel(x=[0, 5, 10, 10, 0, 5], y=[0, 4, 2, 2, 0, 4])
    result = compute_index(panel, SYSTEM, weighting={"a": 1, "b": 3})
    z_a = np.array([0, 0.5, 1, 1, 0, 0.5])
    z_b = np.array([1, 0, 0.5, 0.5, 1, 0])
    expected = 0.25 * z_a + 0.75 * z_b
    scores = result.scores.sort_values(["year", "region_code"])
    np.testing.assert_allclose(scores.score, expected, atol=1e-12)
    # ranks within year: 2020 scores 0.75, 0.125, 0.625 -> 1, 3, 2
    assert scores["rank"].tolist() == [1, 3, 2, 2, 1, 3]
    # linear dimension scores add up to the total
    total = result.dimension_scores.groupby(["region_code", "year"]).score.sum()
    np.testing.assert_allclose(
        total.sort_index(level=["year", "region_code"]).to_numpy(), expected, atol=1e-12
    )


def test_unknown_variable_in_system_is_named_with_a_suggestion():
    panel = toy_panel(x=[0, 5, 10, 10, 0, 5], y=[0, 4, 2, 2, 0, 4])
    bad = {
        **SYSTEM,
        "dimensions": [
            {
                "name": "d1",
                "indicators": [
                    {"name": "a", "formula": "xx + 1", "direction": 1},
                    {"name": "b", "formula": "y", "direction": 1},
                ],
            }
        ],
    }
    with pytest.raises(IndexSystemError, match=r"indicator 'a'.*unknown indicator 'xx'.*'x'"):
        compute_index(panel, bad, weighting="equal")


def test_constant_indicator_is_an_error_unless_excluded():
    panel = toy_panel(x=[1, 5, 10, 10, 0, 5], y=[3, 3, 3, 3, 3, 3])
    system = {
        **SYSTEM,
        "dimensions": [
            *SYSTEM["dimensions"],
            {"name": "d3", "indicators": [{"name": "c", "formula": "x * x", "direction": 1}]},
        ],
    }
    with pytest.raises(DataValidationError, match="b"):
        compute_index(panel, system, weighting="equal")
    result = compute_index(panel, system, weighting="equal", exclude=["b"])
    assert list(result.indicator_weights.indicator) == ["a", "c"]


def test_incomplete_region_years_are_left_out_and_reported():
    panel = toy_panel(x=[0, 5, np.nan, 10, 0, 5], y=[0, 4, 2, 2, 0, 4])
    result = compute_index(panel, SYSTEM, weighting="equal")
    assert len(result.scores) == 5
    excluded = [i for i in result.report if i.kind == "missing" and i.action == "excluded"]
    assert len(excluded) == 1 and excluded[0].region == "130000" and excluded[0].year == 2020


def test_negative_value_under_a_log_names_the_cell():
    panel = toy_panel(x=[0, 5, -1, 10, 0, 5], y=[0, 4, 2, 2, 0, 4])
    system = {
        **SYSTEM,
        "dimensions": [
            {
                "name": "d1",
                "indicators": [
                    {"name": "a", "formula": "log(x + 1)", "direction": 1},
                    {"name": "b", "formula": "y", "direction": 1},
                ],
            }
        ],
    }
    with pytest.raises(IndexSystemError, match="log"):
        compute_index(panel, system, weighting="equal")


@pytest.mark.parametrize("aggregation", ["linear", "geometric", "topsis"])
@pytest.mark.parametrize("weighting", ["entropy", "critic", "entropy-critic", "equal"])
def test_aggregations_give_bounded_scores(aggregation, weighting):
    rng = np.random.default_rng(1)
    panel = toy_panel(x=rng.uniform(1, 9, 6), y=rng.uniform(1, 9, 6))
    result = compute_index(panel, SYSTEM, weighting=weighting, aggregation=aggregation)
    assert result.indicator_weights.weight.sum() == pytest.approx(1.0, abs=1e-12)
    # geometric aggregation translates min-max scores to a floor of 0.01, so it may reach 1.01
    upper = 1 + GEOMETRIC_FLOOR if aggregation == "geometric" else 1
    assert result.scores.score.between(0, upper).all()


def test_bad_choices_are_named():
    panel = toy_panel(x=[0, 5, 10, 10, 0, 5], y=[0, 4, 2, 2, 0, 4])
    with pytest.raises(ValueError, match="aggregation"):
        compute_index(panel, SYSTEM, aggregation="sum")
    with pytest.raises(ValueError, match="weighting"):
        compute_index(panel, SYSTEM, weighting="entropie")
    with pytest.raises(IndexSystemError, match="unknown"):
        compute_index(panel, SYSTEM, weighting={"a": 1, "z": 1})
    with pytest.raises(IndexSystemError, match="exclude"):
        compute_index(panel, SYSTEM, exclude=["q"])


def test_system_yaml_errors(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\ndimensions:\n  - name: d\n    indicators:\n"
        "      - {name: a, direction: 2}\n      - {name: b, direction: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(IndexSystemError, match="direction"):
        load_system(path)
    with pytest.raises(IndexSystemError, match="neither a file nor a built-in"):
        load_system("no-such-system")


@pytest.fixture(scope="module")
def province_result():
    from nqpf.data import load_province_panel

    return compute_index(load_province_panel(), "nqpf-province")


def test_builtin_system_on_real_data(province_result):
    result = province_result
    assert result.years == list(range(2011, 2023))
    assert result.scores.region_code.nunique() == 31
    assert len(result.scores) == 31 * 12
    # plausibility against the published yearbook picture: Beijing leads R&D intensity, papers
    # and technology-market sales in every year, so it should top the index
    top = result.scores.query("rank == 1").region_code.unique().tolist()
    assert top == [110000]
    # the interpolation the system asks for is listed cell by cell
    filled = [i for i in result.report if i.kind == "interpolated"]
    assert {i.year for i in filled} >= {2011, 2017}
    # linear dimension scores add up to the total score
    total = result.dimension_scores.groupby(["region_code", "year"]).score.sum()
    merged = result.scores.set_index(["region_code", "year"]).score
    np.testing.assert_allclose(total.loc[merged.index], merged, atol=1e-12)
    # obstacle degrees are percentages summing to 100 per region-year at each level
    sums = result.obstacles.groupby(["region_code", "year", "level"]).obstacle_pct.sum()
    np.testing.assert_allclose(sums.dropna(), 100, atol=1e-9)


def test_index_uncertainty_on_real_data(province_result):
    unc = index_uncertainty(province_result, n_runs=60, seed=3)
    again = index_uncertainty(province_result, n_runs=60, seed=3)
    pd.testing.assert_frame_equal(unc.rank_summary, again.rank_summary)
    summary = unc.rank_summary
    assert (summary.p05_rank <= summary.median_rank).all()
    assert (summary.median_rank <= summary.p95_rank).all()


def test_result_contract(province_result, tmp_path):
    frame = province_result.to_frame()
    assert {"region_code", "year", "component", "value"} <= set(frame.columns)
    assert "Ranking" in str(province_result.summary())
    assert province_result.to_dict()["meta"]["weighting"] == "entropy"
    path = province_result.to_excel(tmp_path / "index.xlsx")
    back = pd.read_excel(path, sheet_name=None)
    assert len(back["scores"]) == 31 * 12
    assert list(back) == list(province_result.tables())


def test_docs_list_every_builtin_indicator():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "index-system.md").read_text(encoding="utf-8")
    for indicator in load_system("nqpf-province").indicators:
        assert f"`{indicator.name}`" in text and f"`{indicator.formula}`" in text
