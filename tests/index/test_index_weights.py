"""Indicator weights against hand-worked examples, pymcdm, scikit-learn and Saaty (1990).

Tolerances: hand-worked values 1e-12; pymcdm CRITIC 1e-12; published AHP numbers (three decimals)
5e-4.
"""

import math

import numpy as np
import pandas as pd
import pytest
from pymcdm import weights as pw

from nqpf.errors import DataValidationError, WeightsError
from nqpf.index import (
    SAATY_RANDOM_INDEX,
    ahp_weights,
    combine_weights,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    indicator_weights,
    pca_weights,
)


# --------------------------------------------------------------------------------- entropy
def test_entropy_hand_worked_3x2_with_cost_indicator():
    # a (benefit) = [0, 1, 2]  -> y = [0, 1/2, 1],  sum 3/2 -> p = [0, 1/3, 2/3]
    # b (cost)    = [10, 40, 20] -> y = (40 - x)/30 = [1, 0, 2/3], sum 5/3 -> p = [3/5, 0, 2/5]
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [10.0, 40.0, 20.0]})
    ln3 = math.log(3)
    e_a = -((1 / 3) * math.log(1 / 3) + (2 / 3) * math.log(2 / 3)) / ln3  # 0 ln 0 = 0
    e_b = -((3 / 5) * math.log(3 / 5) + (2 / 5) * math.log(2 / 5)) / ln3
    d_a, d_b = 1 - e_a, 1 - e_b
    w = entropy_weights(X, directions={"a": 1, "b": -1}).weights
    assert w["a"] == pytest.approx(d_a / (d_a + d_b), abs=1e-12)
    assert w["b"] == pytest.approx(d_b / (d_a + d_b), abs=1e-12)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)


def test_entropy_shift_is_applied_and_recorded():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [10.0, 40.0, 20.0]})
    shift = 0.1
    # y + 0.1: a -> [0.1, 0.6, 1.1] (sum 1.8); b (cost) -> [1.1, 0.1, 0.7667] (sum 59/30)
    ya = [0.1, 0.6, 1.1]
    yb = [1.1, 0.1, 2 / 3 + 0.1]
    d = []
    for y in (ya, yb):
        s = sum(y)
        d.append(1 + sum((v / s) * math.log(v / s) for v in y) / math.log(3))
    result = entropy_weights(X, [1, -1], shift=shift)
    w = result.weights
    assert w.tolist() == pytest.approx([d[0] / sum(d), d[1] / sum(d)], abs=1e-12)
    assert result.meta["shift"] == shift
    assert entropy_weights(X, [1, -1]).meta["shift"] == 0.0


def _entropy_loop(X, dirs):
    """Direct transcription of the formula, one number at a time (independent reference)."""
    n, m = X.shape
    d = []
    for j in range(m):
        col = [float(v) for v in X[:, j]]
        lo, hi = min(col), max(col)
        y = [(v - lo) / (hi - lo) if dirs[j] > 0 else (hi - v) / (hi - lo) for v in col]
        s = sum(y)
        e = -sum((v / s) * math.log(v / s) for v in y if v > 0) / math.log(n)
        d.append(1 - e)
    return [x / sum(d) for x in d]


def test_entropy_matches_formula_loop_on_panel():
    rng = np.random.default_rng(3)
    X = rng.lognormal(size=(60, 6))
    dirs = [1, -1, 1, 1, -1, 1]
    np.testing.assert_allclose(
        entropy_weights(X, dirs).weights.to_numpy(), _entropy_loop(X, dirs), rtol=1e-12
    )


# ---------------------------------------------------------------------------------- CRITIC
def test_critic_hand_worked():
    # min-max: a = [0, .5, 1], b = [.5, 0, 1], c = [1, 0, .5]; each sample sd = 0.5
    # r_ab = .5, r_ac = -.5, r_bc = .5
    # C_a = .5 * ((1-.5) + (1+.5)) = 1.0, C_b = .5 * (.5 + .5) = .5, C_c = .5 * (1.5 + .5) = 1.0
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 1.0, 3.0], "c": [3.0, 1.0, 2.0]})
    np.testing.assert_allclose(critic_weights(X).weights.to_numpy(), [0.4, 0.2, 0.4], atol=1e-12)


def test_critic_matches_pymcdm_with_cost_as_negated_benefit():
    # pymcdm's critic_weights min-max normalises every column as benefit, sample sd, Pearson r;
    # a cost indicator x equals the benefit indicator -x after min-max.
    rng = np.random.default_rng(11)
    X = rng.normal(size=(40, 5)) @ rng.normal(size=(5, 5))
    dirs = np.array([1, -1, 1, -1, 1])
    expected = pw.critic_weights(X * dirs)
    np.testing.assert_allclose(critic_weights(X, dirs).weights.to_numpy(), expected, rtol=1e-12)


def test_critic_single_indicator_and_degenerate():
    assert critic_weights(pd.DataFrame({"a": [1.0, 2.0, 4.0]})).weights.tolist() == [1.0]
    X = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [2.0, 4.0, 8.0]})  # perfectly correlated
    with pytest.raises(WeightsError, match="perfectly correlated"):
        critic_weights(X)


# ------------------------------------------------------------------------------ CV / equal
def test_cv_hand_worked():
    # a: y = [0, .5, 1] mean .5 sd .5 -> cv 1 ; b: y = [0, 0, 1] mean 1/3 sd sqrt(1/3) -> sqrt(3)
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [0.0, 0.0, 5.0]})
    cv = np.array([1.0, math.sqrt(3)])
    np.testing.assert_allclose(cv_weights(X).weights.to_numpy(), cv / cv.sum(), rtol=1e-12)


def test_equal_weights_with_dimensions():
    w = equal_weights(["a", "b", "c", "d"], dimensions={"a": "L", "b": "L", "c": "L", "d": "M"})
    np.testing.assert_allclose(w.weights.to_numpy(), [1 / 6, 1 / 6, 1 / 6, 1 / 2])


# ------------------------------------------------------------------------------------- PCA
def test_pca_matches_sklearn():
    from sklearn import decomposition as sklearn_decomposition

    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 6)) @ rng.normal(size=(6, 6))
    dirs = [1, 1, -1, 1, -1, 1]
    y = X * np.array(dirs)
    y = (y - y.min(0)) / (y.max(0) - y.min(0))
    standard = (y - y.mean(0)) / y.std(0, ddof=1)  # covariance (n-1) == correlation matrix
    pca = sklearn_decomposition.PCA().fit(standard)
    keep = pca.explained_variance_ > 1.0
    share = pca.explained_variance_[keep] / pca.explained_variance_[keep].sum()
    expected = (pca.components_[keep] ** 2).T @ share
    np.testing.assert_allclose(pca_weights(X, dirs).weights.to_numpy(), expected, rtol=1e-9)
    assert pca_weights(X, dirs).meta["n_components"] == int(keep.sum())


# ------------------------------------------------------------------------------------- AHP
# Saaty, T. L. (1990). How to make a decision: The Analytic Hierarchy Process. European Journal
# of Operational Research 48(1), 9-26: criteria matrix of the house-buying example (size,
# transportation, neighbourhood, age, yard, modern facilities, condition, financing), published
# priorities .173 .054 .188 .018 .031 .036 .167 .333, lambda_max = 9.669, C.I. = 0.238,
# C.R. = 0.169.
_SAATY_UPPER = {
    (0, 1): 5,
    (0, 2): 3,
    (0, 3): 7,
    (0, 4): 6,
    (0, 5): 6,
    (0, 6): 1 / 3,
    (0, 7): 1 / 4,
    (1, 2): 1 / 3,
    (1, 3): 5,
    (1, 4): 3,
    (1, 5): 3,
    (1, 6): 1 / 5,
    (1, 7): 1 / 7,
    (2, 3): 6,
    (2, 4): 3,
    (2, 5): 4,
    (2, 6): 6,
    (2, 7): 1 / 5,
    (3, 4): 1 / 3,
    (3, 5): 1 / 4,
    (3, 6): 1 / 7,
    (3, 7): 1 / 8,
    (4, 5): 1 / 2,
    (4, 6): 1 / 5,
    (4, 7): 1 / 6,
    (5, 6): 1 / 5,
    (5, 7): 1 / 6,
    (6, 7): 1 / 2,
}


def _saaty_house():
    A = np.ones((8, 8))
    for (i, j), v in _SAATY_UPPER.items():
        A[i, j], A[j, i] = v, 1 / v
    names = [
        "size",
        "transport",
        "neighbourhood",
        "age",
        "yard",
        "facilities",
        "condition",
        "financing",
    ]
    return pd.DataFrame(A, index=names, columns=names)


def test_ahp_saaty_1990_house_example():
    result = ahp_weights(_saaty_house())
    published = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    np.testing.assert_allclose(result.weights.to_numpy(), published, atol=5e-4)
    assert result.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert result.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert result.random_index == SAATY_RANDOM_INDEX[8] == 1.41
    assert result.consistency_ratio == pytest.approx(0.169, abs=5e-4)
    assert not result.consistent
    text = str(result.summary())
    assert "NOT acceptably consistent" in text and "0.1691" in text
    assert list(result.to_frame().columns) == ["indicator", "weight"]


def test_ahp_consistent_matrix_recovers_weights():
    # a_ij = w_i / w_j is perfectly consistent: lambda_max = n, CR = 0
    w = np.array([0.5, 0.3, 0.15, 0.05])
    result = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(result.weights.to_numpy(), w, atol=1e-12)
    assert result.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    assert result.consistent


def test_ahp_rejects_non_reciprocal_and_non_positive():
    A = _saaty_house()
    A.loc["age", "yard"] = 3.0  # should be 1/3 given yard/age = 3
    with pytest.raises(
        WeightsError, match="not reciprocal.*'age', 'yard'|not reciprocal.*'yard', 'age'"
    ):
        ahp_weights(A)
    with pytest.raises(WeightsError, match="positive"):
        ahp_weights([[1, -2], [-0.5, 1]])
    with pytest.raises(WeightsError, match="square"):
        ahp_weights([[1, 2, 3], [0.5, 1, 2]])
    with pytest.raises(WeightsError, match="random_index"):
        ahp_weights(np.ones((11, 11)))


# ------------------------------------------------------------------------------- combine
def test_combine_weights_hand_worked():
    a = pd.Series({"x": 0.2, "y": 0.3, "z": 0.5})
    b = pd.Series({"z": 0.2, "y": 0.4, "x": 0.4})  # different order, aligned by label
    prod = np.array([0.2 * 0.4, 0.3 * 0.4, 0.5 * 0.2])
    np.testing.assert_allclose(combine_weights(a, b).weights.to_numpy(), prod / prod.sum())
    np.testing.assert_allclose(
        combine_weights(a, b, method="linear", alpha=[0.25, 0.75]).weights.to_numpy(),
        [0.25 * 0.2 + 0.75 * 0.4, 0.25 * 0.3 + 0.75 * 0.4, 0.25 * 0.5 + 0.75 * 0.2],
    )


def test_combine_weights_errors():
    a = pd.Series({"x": 0.5, "y": 0.5})
    with pytest.raises(WeightsError, match="covers indicators"):
        combine_weights(a, pd.Series({"x": 0.5, "q": 0.5}))
    with pytest.raises(WeightsError, match="sums to"):
        combine_weights(a, pd.Series({"x": 0.7, "y": 0.7}))
    with pytest.raises(WeightsError, match="alpha"):
        combine_weights(a, a, method="linear", alpha=[0.9, 0.9])
    with pytest.raises(ValueError, match="unknown method 'mean'"):
        combine_weights(a, a, method="mean")


# ---------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "function",
    [entropy_weights, critic_weights, cv_weights, pca_weights],
    ids=["entropy", "critic", "cv", "pca"],
)
def test_weights_bad_input_names_indicator(function):
    X = pd.DataFrame({"rd": [1.0, 2.0, 3.0], "flat": [2.0, 2.0, 2.0]})
    with pytest.raises(DataValidationError, match="'flat'.*constant"):
        function(X)
    Y = pd.DataFrame({"rd": [1.0, np.nan, 3.0], "gdp": [2.0, 1.0, 2.0]})
    with pytest.raises(DataValidationError, match="'rd'.*row 1"):
        function(Y)
    Z = pd.DataFrame({"rd": [1.0, 2.0, 3.0], "gdp": [2.0, 1.0, 2.0]})
    with pytest.raises(DataValidationError, match="1 entries but there are 2"):
        function(Z, [1])


def test_indicator_weights_dispatch_and_unknown_method():
    X = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 1.0, 2.0]})
    pd.testing.assert_series_equal(
        indicator_weights(X, "entropy", [1, -1]).weights, entropy_weights(X, [1, -1]).weights
    )
    with pytest.raises(ValueError, match="unknown method 'topsis'.*'entropy'"):
        indicator_weights(X, "topsis")


def test_entropy_negative_shift_rejected():
    X = pd.DataFrame({"a": [1.0, 2.0, 4.0]})
    with pytest.raises(DataValidationError, match="shift"):
        entropy_weights(X, shift=-0.1)
