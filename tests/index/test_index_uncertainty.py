"""Monte Carlo rank uncertainty: reproducibility, agreement with the one-off functions, and the
sensitivity indices in cases where their value follows from the definition.

Independent references: ranks recomputed run by run with the public one-off functions and
ranked with pandas ``groupby().rank(method="min")``; exact sensitivity values implied by the
definition S_i = Var(E[R|X_i]) / Var(R) when only one input varies.
"""

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError
from nqpf.index import (
    UNCERTAIN_INPUTS,
    entropy_weights,
    geometric_aggregate,
    indicator_weights,
    linear_aggregate,
    normalize_indicators,
    rank_uncertainty,
    topsis,
)


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(2024)
    idx = pd.MultiIndex.from_product([range(15), [2019, 2020, 2021]], names=["region", "year"])
    X = pd.DataFrame(rng.lognormal(size=(45, 6)), index=idx, columns=[f"x{j}" for j in range(6)])
    dirs = [1, -1, 1, 1, -1, 1]
    return X, dirs


def _ranks_by_year(score):
    return score.groupby(level="year").rank(ascending=False, method="min").astype(int)


def _one_off_score(X, dirs, normalization, weights, aggregation, floor=0.01):
    Z = normalize_indicators(X, dirs, method=normalization)
    if aggregation == "linear":
        return linear_aggregate(Z, weights).scores
    if aggregation == "geometric":
        return geometric_aggregate(Z, weights, floor=floor).scores
    return topsis(Z, weights, normalization=None).scores


def test_same_seed_same_result(panel):
    X, dirs = panel
    a = rank_uncertainty(X, dirs, groups="year", n_runs=60, seed=5)
    b = rank_uncertainty(X, dirs, groups="year", n_runs=60, seed=5)
    c = rank_uncertainty(X, dirs, groups="year", n_runs=60, seed=6)
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    pd.testing.assert_frame_equal(a.sensitivity, b.sensitivity)
    assert not a.ranks.equals(c.ranks)
    gen = rank_uncertainty(X, dirs, groups="year", n_runs=60, seed=np.random.default_rng(5))
    pd.testing.assert_frame_equal(a.ranks, gen.ranks)
    assert a.meta["seed"] == 5


def test_seed_none_recorded_seed_sequence_accepted_bad_seed_raises(panel):
    X, dirs = panel
    fresh = rank_uncertainty(X, dirs, groups="year", n_runs=30, seed=None)
    again = rank_uncertainty(X, dirs, groups="year", n_runs=30, seed=fresh.meta["seed"])
    pd.testing.assert_frame_equal(fresh.ranks, again.ranks)
    seq = rank_uncertainty(X, dirs, groups="year", n_runs=30, seed=np.random.SeedSequence(5))
    five = rank_uncertainty(X, dirs, groups="year", n_runs=30, seed=5)
    pd.testing.assert_frame_equal(seq.ranks, five.ranks)
    assert seq.meta["seed"] == {"entropy": 5, "spawn_key": []}
    with pytest.raises(DataValidationError, match="float"):
        rank_uncertainty(X, dirs, groups="year", n_runs=30, seed=5.0)


def test_threads_give_identical_ranks(panel):
    X, dirs = panel
    one = rank_uncertainty(X, dirs, groups="year", n_runs=300, seed=1, n_jobs=1)
    two = rank_uncertainty(X, dirs, groups="year", n_runs=300, seed=1, n_jobs=2)
    pd.testing.assert_frame_equal(one.ranks, two.ranks)


@pytest.mark.parametrize("aggregation", ["linear", "geometric", "topsis"])
def test_no_perturbation_single_choice_median_is_nominal(panel, aggregation):
    X, dirs = panel
    spec = {"normalization": "minmax", "weighting": "entropy", "aggregation": aggregation}
    result = rank_uncertainty(
        X,
        dirs,
        groups="year",
        normalizations=["minmax"],
        weightings=["entropy"],
        aggregations=[aggregation],
        weight_perturbation=0.0,
        n_runs=20,
        seed=0,
        nominal=spec,
    )
    s = result.rank_summary
    np.testing.assert_array_equal(s["median_rank"], s["nominal_rank"])
    np.testing.assert_array_equal(s["p05_rank"], s["nominal_rank"])
    np.testing.assert_array_equal(s["p95_rank"], s["nominal_rank"])
    # the nominal ranks equal the one-off pipeline ranked by pandas within each year
    expected = _ranks_by_year(
        _one_off_score(X, dirs, "minmax", entropy_weights(X, dirs), aggregation)
    )
    np.testing.assert_array_equal(s["nominal_rank"].to_numpy(), expected.to_numpy())


def test_every_run_matches_the_one_off_functions(panel):
    X, dirs = panel
    result = rank_uncertainty(
        X, dirs, groups="year", n_runs=40, seed=3, normalizations=("minmax", "zscore", "vector")
    )
    for run in range(0, 40, 3):
        choice = result.runs.loc[run]
        w = result.run_weights.loc[run]
        score = _one_off_score(X, dirs, choice["normalization"], w, choice["aggregation"])
        expected = _ranks_by_year(score)
        np.testing.assert_array_equal(
            result.ranks[run].to_numpy(), expected.to_numpy(), err_msg=f"run {run}: {dict(choice)}"
        )


def test_run_weights_are_perturbed_base_weights(panel):
    X, dirs = panel
    delta = 0.2
    result = rank_uncertainty(X, dirs, groups="year", n_runs=50, seed=9, weight_perturbation=delta)
    for run in range(50):
        base = indicator_weights(X, result.runs.loc[run, "weighting"], dirs).weights.to_numpy()
        w = result.run_weights.loc[run].to_numpy()
        assert w.sum() == pytest.approx(1.0, abs=1e-12)
        ratio = (w / base) / (w / base).mean()  # the factors u_j up to the renormalisation
        assert ratio.max() / ratio.min() <= (1 + delta) / (1 - delta) + 1e-12


def test_sensitivity_when_only_one_input_varies(panel):
    X, dirs = panel
    # only the aggregation varies: R is a function of it, so S_aggregation = 1, others 0
    only_agg = rank_uncertainty(
        X,
        dirs,
        groups="year",
        normalizations=["minmax"],
        weightings=["entropy"],
        weight_perturbation=0.0,
        n_runs=90,
        seed=2,
    )
    first = only_agg.sensitivity["first_order"]
    assert first["aggregation"] == pytest.approx(1.0, abs=1e-12)
    assert first[["normalization", "weighting", "weight_perturbation"]].abs().max() < 1e-12
    # only the perturbation varies: total-order of U = 1; paired runs share u and choices, so
    # the pick-freeze covariance equals the variance and the first-order index is 1 as well
    only_u = rank_uncertainty(
        X,
        dirs,
        groups="year",
        normalizations=["minmax"],
        weightings=["entropy"],
        aggregations=["linear"],
        weight_perturbation=0.3,
        n_runs=100,
        seed=2,
    )
    assert only_u.sensitivity.loc["weight_perturbation", "total_order"] == pytest.approx(1.0)
    assert only_u.sensitivity.loc["weight_perturbation", "first_order"] == pytest.approx(1.0)
    assert only_u.sensitivity.loc["aggregation", "first_order"] == pytest.approx(0.0, abs=1e-12)


def test_result_frames_and_progress(panel):
    X, dirs = panel
    calls = []
    result = rank_uncertainty(
        X,
        dirs,
        groups="year",
        dimensions={c: c[:1] for c in X.columns},
        n_runs=30,
        seed=4,
        progress=lambda done, total: calls.append(done),
    )
    assert calls[-1] == 30 and calls == sorted(calls)
    assert result.ranks.shape == (45, 30) and result.ranks.dtypes.iloc[0] == np.int16
    wide = result.summary_frame()
    assert {
        "region",
        "year",
        "group",
        "nominal_rank",
        "median_rank",
        "p05_rank",
        "p95_rank",
    } <= set(wide.columns)
    long = result.to_frame()
    assert set(long["statistic"]) == {
        "nominal_rank",
        "median_rank",
        "p05_rank",
        "p95_rank",
        "mean_rank",
    }
    assert list(result.sensitivity.index) == list(UNCERTAIN_INPUTS)
    assert "排名" in str(result.summary())
    assert result.to_dict()["meta"]["n_runs"] == 30


def test_custom_weight_vector_as_choice(panel):
    X, dirs = panel
    ahp = pd.Series(np.full(6, 1 / 6), index=X.columns, name="expert")
    result = rank_uncertainty(
        X, dirs, groups="year", weightings=["entropy", ahp], n_runs=20, seed=0
    )
    assert set(result.runs["weighting"]) <= {"entropy", "expert"}
    assert list(result.base_weights.columns) == ["entropy", "expert"]


# ---------------------------------------------------------------------------- bad input
def test_bad_inputs(panel):
    X, dirs = panel
    with pytest.raises(ValueError, match="unknown normalization 'rank'.*'minmax'"):
        rank_uncertainty(X, dirs, normalizations=["minmax", "rank"], n_runs=5)
    with pytest.raises(ValueError, match="unknown weighting 'ahp'"):
        rank_uncertainty(X, dirs, weightings=["ahp"], n_runs=5)
    with pytest.raises(ValueError, match="unknown aggregation 'vikor'"):
        rank_uncertainty(X, dirs, aggregations=["vikor"], n_runs=5)
    with pytest.raises(ValueError, match="needs groups"):
        rank_uncertainty(X, dirs, normalizations=["minmax_group"], n_runs=5)
    with pytest.raises(ValueError, match="weight_perturbation"):
        rank_uncertainty(X, dirs, weight_perturbation=1.0, n_runs=5)
    with pytest.raises(ValueError, match="n_runs"):
        rank_uncertainty(X, dirs, n_runs=0)
    Y = X.copy()
    Y["x3"] = 2.0
    with pytest.raises(DataValidationError, match="'x3'.*constant"):
        rank_uncertainty(Y, dirs, n_runs=5)
    Y = X.copy()
    Y.iloc[4, 2] = np.nan
    with pytest.raises(DataValidationError, match="'x2'.*region=1, year=2020"):
        rank_uncertainty(Y, dirs, n_runs=5)
    with pytest.raises(DataValidationError, match="5 entries but there are 6"):
        rank_uncertainty(X, dirs[:5], n_runs=5)
