"""Aggregation (TOPSIS against pymcdm 1.4, tolerance 1e-12) and obstacle degree (hand-worked)."""

import numpy as np
import pandas as pd
import pytest
from pymcdm import normalizations as pn
from pymcdm.methods import TOPSIS

from nqpf.errors import DataValidationError, WeightsError
from nqpf.index import (
    geometric_aggregate,
    linear_aggregate,
    normalize_indicators,
    obstacle_degree,
    topsis,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(21)
    X = pd.DataFrame(rng.lognormal(size=(50, 5)), columns=[f"x{j}" for j in range(5)])
    w = rng.dirichlet(np.ones(5))
    dirs = np.array([1, -1, 1, 1, -1])
    return X, w, dirs


@pytest.mark.parametrize(
    "normalization, peer",
    [("minmax", pn.minmax_normalization), ("vector", pn.vector_normalization)],
    ids=["minmax", "vector"],
)
def test_topsis_matches_pymcdm(data, normalization, peer):
    X, w, dirs = data
    expected = TOPSIS(peer)(X.to_numpy(), w, dirs)
    got = topsis(X, w, dirs, normalization=normalization).scores
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12, atol=1e-14)


def test_topsis_on_normalised_input_equals_minmax(data):
    X, w, dirs = data
    Z = normalize_indicators(X, dirs)
    pd.testing.assert_series_equal(
        topsis(Z, w, normalization=None).scores,
        topsis(X, w, dirs).scores,
        check_exact=False,
        rtol=1e-13,
    )
    with pytest.raises(DataValidationError, match="expects benefit-type"):
        topsis(Z, w, dirs, normalization=None)
    with pytest.raises(ValueError, match="unknown normalization 'zscore'"):
        topsis(X, w, dirs, normalization="zscore")


def test_linear_and_geometric_hand_worked():
    Z = pd.DataFrame({"a": [0.2, 0.8], "b": [0.5, 0.1]}, index=["Anhui", "Fujian"])
    w = {"a": 0.6, "b": 0.4}
    lin = linear_aggregate(Z, w).scores
    assert lin["Anhui"] == pytest.approx(0.6 * 0.2 + 0.4 * 0.5, abs=1e-15)
    geo = geometric_aggregate(Z, w).scores
    assert geo["Fujian"] == pytest.approx(0.8**0.6 * 0.1**0.4, rel=1e-14)


def test_geometric_zero_needs_explicit_floor():
    Z = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.5, 0.0]})
    with pytest.raises(DataValidationError, match="'a' is <= 0 at row 0.*floor="):
        geometric_aggregate(Z, [0.5, 0.5])
    result = geometric_aggregate(Z, [0.5, 0.5], floor=0.01)
    s = result.scores
    # each column translated by +0.01: row 1 = sqrt(0.51 * 0.51)
    assert s[1] == pytest.approx(0.51, rel=1e-14)
    assert result.meta["translated"] == ["a", "b"]


def test_weights_validation(data):
    X, w, dirs = data
    Z = normalize_indicators(X, dirs)
    with pytest.raises(WeightsError, match="sum to"):
        linear_aggregate(Z, w * 2)
    with pytest.raises(WeightsError, match="4 weights given for 5 indicators"):
        linear_aggregate(Z, w[:4])
    with pytest.raises(WeightsError, match="no weight given for indicator"):
        linear_aggregate(Z, {"x0": 1.0})
    keyed = {f"x{j}": 0.2 for j in range(1, 5)} | {"zz": 0.2}
    with pytest.raises(
        WeightsError,
        match=r"^no weight given for indicator\(s\) \['x0'\]; "
        r"weights name unknown indicator\(s\) \['zz'\]$",
    ):
        linear_aggregate(Z, keyed)
    assert linear_aggregate(Z, dict(zip(Z.columns, w, strict=True))).scores.equals(
        linear_aggregate(Z, w).scores
    )
    bad = w.copy()
    bad[0], bad[1] = -0.1, bad[1] + bad[0] + 0.1
    with pytest.raises(WeightsError, match="'x0' is negative"):
        linear_aggregate(Z, bad)


# ------------------------------------------------------------------------------- obstacle
def test_obstacle_hand_worked_with_dimensions():
    # w = (.5, .3, .2), y = (.2, .5, 1): gaps .5*.8 = .4, .3*.5 = .15, 0 -> total .55
    Z = pd.DataFrame({"a": [0.2], "b": [0.5], "c": [1.0]}, index=pd.Index(["Gansu"], name="region"))
    result = obstacle_degree(
        Z,
        {"a": 0.5, "b": 0.3, "c": 0.2},
        dimensions={"a": "劳动者", "b": "劳动者", "c": "劳动对象"},
    )
    np.testing.assert_allclose(
        result.indicator.loc["Gansu"].to_numpy(),
        [0.4 / 0.55 * 100, 0.15 / 0.55 * 100, 0.0],
        rtol=1e-13,
    )
    np.testing.assert_allclose(result.dimension.loc["Gansu"].to_numpy(), [100.0, 0.0], atol=1e-12)
    top = result.top(2)
    assert top["factor"].tolist() == ["a", "b"] and top["rank"].tolist() == [1, 2]
    assert list(top.columns) == ["region", "rank", "factor", "obstacle_pct"]
    frame = result.to_frame()
    assert list(frame.columns) == ["region", "level", "factor", "obstacle_pct"]
    assert len(frame) == 3 + 2


def test_obstacle_rows_sum_to_100_and_no_obstacle_row_is_nan():
    rng = np.random.default_rng(2)
    idx = pd.MultiIndex.from_product(
        [[110000, 310000, 440000], [2020, 2021]], names=["region_code", "year"]
    )
    Z = pd.DataFrame(rng.uniform(size=(6, 4)), index=idx, columns=list("abcd"))
    Z.iloc[3] = 1.0  # at the frontier on every indicator: nothing to share out
    result = obstacle_degree(Z, rng.dirichlet(np.ones(4)))
    sums = result.indicator.sum(axis=1, min_count=1)
    np.testing.assert_allclose(sums.drop(Z.index[3]).to_numpy(), 100.0, rtol=1e-13)
    assert result.indicator.iloc[3].isna().all()
    assert list(result.undefined) == [Z.index[3]]
    assert "no obstacle" in str(result.summary())
    assert len(result.top(2)) == 5 * 2  # the undefined row is left out
    assert result.to_dict()["meta"]["n_undefined"] == 1


def test_obstacle_bad_input():
    Z = pd.DataFrame({"a": [0.2, 1.4], "b": [0.5, 0.5]}, index=["Hubei", "Hunan"])
    with pytest.raises(DataValidationError, match="'a' is outside at row 'Hunan'"):
        obstacle_degree(Z, [0.5, 0.5])
    Z.loc["Hunan", "a"] = 0.9
    with pytest.raises(DataValidationError, match=r"no dimension for indicator\(s\) \['b'\]"):
        obstacle_degree(Z, [0.5, 0.5], dimensions={"a": "D1"})
    with pytest.raises(ValueError, match="without dimensions"):
        obstacle_degree(Z, [0.5, 0.5]).top(1, level="dimension")


def test_aggregate_indicators_dispatches_to_each_rule():
    from nqpf.errors import DataValidationError
    from nqpf.index import aggregate_indicators, geometric_aggregate, linear_aggregate, topsis

    Z = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.2, 0.4]})
    w = pd.Series({"a": 0.3, "b": 0.7})
    pd.testing.assert_series_equal(
        aggregate_indicators(Z, w, "linear").scores, linear_aggregate(Z, w).scores
    )
    pd.testing.assert_series_equal(
        aggregate_indicators(Z, w, "geometric", floor=0.05).scores,
        geometric_aggregate(Z, w, floor=0.05).scores,
    )
    pd.testing.assert_series_equal(
        aggregate_indicators(Z, w, "topsis").scores, topsis(Z, w, normalization=None).scores
    )
    with pytest.raises(DataValidationError, match="aggregation must be one of"):
        aggregate_indicators(Z, w, "sum")
