"""Hypothesis property tests of the index numerics (invariants that hold for any data)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.errors import WeightsError
from nqpf.index import (
    critic_weights,
    cv_weights,
    entropy_weights,
    geometric_aggregate,
    linear_aggregate,
    pca_weights,
    topsis,
)

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def panels(draw, min_rows=3, max_rows=12, min_cols=2, max_cols=5):
    """Raw indicator tables with no constant column, plus directions."""
    n = draw(st.integers(min_rows, max_rows))
    m = draw(st.integers(min_cols, max_cols))
    values = draw(arrays(np.float64, (n, m), elements=st.integers(-50, 50).map(float)))
    assume(np.all(values.max(axis=0) > values.min(axis=0)))
    dirs = np.array(draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m)))
    return pd.DataFrame(values, columns=[f"x{j}" for j in range(m)]), dirs


@st.composite
def weight_vectors(draw, m):
    raw = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=m, max_size=m)))
    assume(raw.sum() > 1e-3)
    return raw / raw.sum()


@pytest.mark.parametrize(
    "function",
    [entropy_weights, critic_weights, cv_weights, pca_weights],
    ids=["entropy", "critic", "cv", "pca"],
)
@SETTINGS
@given(data=panels(), scale=st.floats(0.01, 100.0), column=st.integers(0, 4))
def test_weights_sum_to_one_and_ignore_positive_rescaling(function, data, scale, column):
    X, dirs = data
    try:
        w = function(X, dirs).weights
    except WeightsError:  # CRITIC with all indicators perfectly correlated
        assume(False)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert (w >= 0).all()
    if function is pca_weights:
        return  # eigenvectors inside a repeated eigenvalue are not unique: no invariance claim
    Y = X.copy()
    j = column % X.shape[1]
    Y.iloc[:, j] = Y.iloc[:, j] * scale
    np.testing.assert_allclose(
        function(Y, dirs).weights.to_numpy(), w.to_numpy(), rtol=1e-8, atol=1e-10
    )


@SETTINGS
@given(data=panels(), seed=st.integers(0, 2**32 - 1))
def test_topsis_between_zero_and_one(data, seed):
    X, dirs = data
    w = np.random.default_rng(seed).dirichlet(np.ones(X.shape[1]))
    c = topsis(X, w, dirs).scores
    assert ((c >= 0) & (c <= 1)).all()


@SETTINGS
@given(data=panels(), seed=st.integers(0, 2**32 - 1), gain=st.floats(0.0, 5.0))
def test_dominated_row_never_outranks_its_dominator(data, seed, gain):
    X, dirs = data
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(X.shape[1]))
    # the dominator is row 0 improved (benefit up, cost down) on every indicator
    better = X.iloc[0].to_numpy() + dirs * (gain + rng.uniform(0, 1, size=X.shape[1]))
    Xd = pd.concat([X, pd.DataFrame([better], columns=X.columns)], ignore_index=True)
    dominated, dominator = 0, len(Xd) - 1
    c = topsis(Xd, w, dirs).scores
    assert c[dominator] >= c[dominated] - 1e-12
    # linear and geometric on min-max scores shifted away from 0
    y = Xd * dirs
    Z = (y - y.min()) / (y.max() - y.min())
    for score in (linear_aggregate(Z, w).scores, geometric_aggregate(Z + 0.01, w).scores):
        assert score[dominator] >= score[dominated] - 1e-12


@SETTINGS
@given(data=panels(), seed=st.integers(0, 2**32 - 1))
def test_linear_and_geometric_stay_within_the_indicator_range(data, seed):
    X, dirs = data
    w = np.random.default_rng(seed).dirichlet(np.ones(X.shape[1]))
    y = X * dirs
    Z = (y - y.min()) / (y.max() - y.min()) + 0.5
    for score in (linear_aggregate(Z, w).scores, geometric_aggregate(Z, w).scores):
        assert (score >= Z.min(axis=1) - 1e-12).all() and (score <= Z.max(axis=1) + 1e-12).all()
