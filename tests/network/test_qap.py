"""QAP correlation and MRQAP against direct permutation loops and statsmodels OLS.

The loops below draw the same node permutations (column p of ``permutation_batches(arange(n),
P, default_rng(seed))``, as the module documents), permute the matrices one at a time with
``M[np.ix_(π, π)]`` and recompute the statistic with numpy/statsmodels; p-values must agree
exactly, statistics to 1e-10.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from nqpf._random import permutation_batches
from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.network.qap import mrqap, qap_correlation


def _perms(n, permutations, seed):
    batches = permutation_batches(np.arange(n), permutations, np.random.default_rng(seed))
    return np.concatenate(list(batches), axis=1).T


def _cells(matrix, symmetric=False):
    n = matrix.shape[0]
    if symmetric:
        return matrix[np.triu_indices(n, 1)]
    return matrix[~np.eye(n, dtype=bool)]


def _p(simulated, observed):
    simulated = np.asarray(simulated)
    P = simulated.size
    ge = np.sum(simulated >= observed - 1e-9 * abs(observed))
    le = np.sum(simulated <= observed + 1e-9 * abs(observed))
    return (ge + 1) / (P + 1), (le + 1) / (P + 1), min(1.0, 2 * (min(ge, le) + 1) / (P + 1))


@pytest.fixture
def matrices():
    rng = np.random.default_rng(42)
    n = 12
    x1 = rng.gamma(2.0, size=(n, n))
    x2 = rng.normal(size=(n, n)) + 0.3 * x1
    y = 0.8 * x1 - 0.5 * x2 + rng.normal(size=(n, n))
    return y, x1, x2


def test_correlation_and_p_values_equal_a_direct_loop(matrices):
    y, x1, _ = matrices
    result = qap_correlation(x1, y, permutations=499, seed=3)
    observed = np.corrcoef(_cells(x1), _cells(y))[0, 1]
    assert result.correlation == pytest.approx(observed, abs=1e-12)
    simulated = [np.corrcoef(_cells(x1), _cells(y[np.ix_(p, p)]))[0, 1] for p in _perms(12, 499, 3)]
    assert (result.p_greater, result.p_less, result.p_two_sided) == _p(simulated, observed)
    assert result.simulated_mean == pytest.approx(np.mean(simulated), abs=1e-12)
    assert result.simulated_sd == pytest.approx(np.std(simulated, ddof=1), abs=1e-12)
    assert result.p_greater < 0.01 and result.cells == 132 and result.n == 12


def test_symmetric_matrices_use_each_pair_once(matrices):
    y, x1, _ = matrices
    ys, xs = y + y.T, x1 + x1.T
    result = qap_correlation(xs, ys, permutations=199, seed=5)
    assert result.cells == 66 and "above the diagonal" in result.notes[0]
    observed = np.corrcoef(_cells(xs, True), _cells(ys, True))[0, 1]
    simulated = [
        np.corrcoef(_cells(xs, True), _cells(ys[np.ix_(p, p)], True))[0, 1]
        for p in _perms(12, 199, 5)
    ]
    assert result.correlation == pytest.approx(observed, abs=1e-12)
    assert (result.p_greater, result.p_less, result.p_two_sided) == _p(simulated, observed)


def test_labelled_inputs_are_aligned_and_the_diagonal_ignored(matrices):
    y, x1, _ = matrices
    labels = [f"r{i}" for i in range(12)]
    order = np.random.default_rng(0).permutation(12)
    x_frame = pd.DataFrame(x1, index=labels, columns=labels)
    y_frame = pd.DataFrame(y, index=labels, columns=labels).iloc[order, order]
    y_diag = y_frame + np.diag(np.full(12, 1e6))  # reordered rows and columns alike
    plain = qap_correlation(x1, y, permutations=99, seed=1)
    for other in (y_frame, y_diag):
        aligned = qap_correlation(x_frame, other, permutations=99, seed=1)
        assert aligned.correlation == pytest.approx(plain.correlation, abs=1e-12)
        assert aligned.p_two_sided == plain.p_two_sided
    assert any("reordered" in note for note in qap_correlation(x_frame, y_frame).notes)
    net = FlowNetwork.from_matrix(np.abs(y), labels)
    assert qap_correlation(net, x_frame, permutations=0).correlation == pytest.approx(
        np.corrcoef(_cells(np.abs(y)), _cells(x1))[0, 1]
    )


def test_seeds_reproduce_and_differ(matrices):
    y, x1, _ = matrices
    a = qap_correlation(x1, y, permutations=99, seed=1)
    b = qap_correlation(x1, y, permutations=99, seed=1)
    c = qap_correlation(x1, y, permutations=99, seed=2)
    assert a.simulated_mean == b.simulated_mean != c.simulated_mean
    assert a.meta["seed"] == 1


def _ols(y, xs, symmetric=False):
    X = sm.add_constant(np.column_stack([_cells(x, symmetric) for x in xs]))
    return sm.OLS(_cells(y, symmetric), X).fit()


@pytest.mark.parametrize("symmetric", [False, True])
def test_mrqap_coefficients_equal_statsmodels(matrices, symmetric):
    y, x1, x2 = matrices
    if symmetric:
        y, x1, x2 = y + y.T, x1 + x1.T, x2 + x2.T
    fit = mrqap(y, {"x1": x1, "x2": x2}, permutations=9, seed=0)
    ref = _ols(y, [x1, x2], symmetric)
    table = fit.coefficients
    assert table.term.tolist() == ["intercept", "x1", "x2"]
    np.testing.assert_allclose(table.coefficient, ref.params, atol=1e-10)
    np.testing.assert_allclose(table.std_error, ref.bse, atol=1e-10)
    np.testing.assert_allclose(table.t, ref.tvalues, atol=1e-8)
    assert fit.r_squared == pytest.approx(ref.rsquared, abs=1e-12)
    assert fit.adj_r_squared == pytest.approx(ref.rsquared_adj, abs=1e-12)
    assert fit.cells == (66 if symmetric else 132)
    sd_ratio = np.std(_cells(x1, symmetric), ddof=1) / np.std(_cells(y, symmetric), ddof=1)
    assert table.standardized[1] == pytest.approx(ref.params[1] * sd_ratio)


def test_dsp_p_values_equal_a_direct_loop(matrices):
    y, x1, x2 = matrices
    P, seed = 199, 11
    fit = mrqap(y, {"x1": x1, "x2": x2}, method="dsp", permutations=P, seed=seed)
    n = 12
    off = ~np.eye(n, dtype=bool)
    xs = [x1, x2]
    for k in range(2):
        other = xs[1 - k]
        aux = sm.OLS(_cells(xs[k]), sm.add_constant(_cells(other))).fit()
        residual = np.zeros((n, n))
        residual[off] = aux.resid
        simulated = []
        for p in _perms(n, P, seed):
            X = np.column_stack(
                [np.ones(n * (n - 1)), _cells(other), _cells(residual[np.ix_(p, p)])]
            )
            simulated.append(sm.OLS(_cells(y), X).fit().tvalues[2])
        observed = fit.coefficients.t[k + 1]
        row = fit.coefficients.iloc[k + 1]
        assert (row.p_greater, row.p_less, row.p_two_sided) == _p(simulated, observed)
    assert fit.coefficients.p_two_sided[1] == 2 / (P + 1)


def test_y_permutation_p_values_equal_a_direct_loop(matrices):
    y, x1, x2 = matrices
    P, seed = 199, 4
    fit = mrqap(y, {"x1": x1, "x2": x2}, method="y", permutations=P, seed=seed)
    X = sm.add_constant(np.column_stack([_cells(x1), _cells(x2)]))
    simulated = np.array(
        [sm.OLS(_cells(y[np.ix_(p, p)]), X).fit().tvalues[1:] for p in _perms(12, P, seed)]
    )
    for k in range(2):
        row = fit.coefficients.iloc[k + 1]
        assert (row.p_greater, row.p_less, row.p_two_sided) == _p(simulated[:, k], row.t)
    assert np.isnan(fit.coefficients.p_two_sided[0])


def test_bad_input_is_named(matrices):
    y, x1, _ = matrices
    with pytest.raises(DataValidationError, match="same shape"):
        qap_correlation(x1, y[:5, :5])
    bad = y.copy()
    bad[2, 3] = np.nan
    with pytest.raises(DataValidationError, match=r"matrix 'y': cell \(2, 3\) is nan"):
        qap_correlation(x1, bad)
    labels = list("abcdefghijkl")
    with pytest.raises(DataValidationError, match="other regions"):
        qap_correlation(
            pd.DataFrame(x1, labels, labels),
            pd.DataFrame(y, [*labels[:-1], "z"], [*labels[:-1], "z"]),
        )
    text = pd.DataFrame(x1, labels, labels).astype(object)
    text.iloc[1, 4] = "n/a"
    with pytest.raises(DataValidationError, match=r"matrix 'x': cell \('b', 'e'\) is not a number"):
        qap_correlation(text, y)
    with pytest.raises(DataValidationError, match="constant"):
        qap_correlation(np.ones((4, 4)), y[:4, :4])
    with pytest.raises(DataValidationError, match="collinear"):
        mrqap(y, {"a": x1, "b": 2 * x1})
    with pytest.raises(DataValidationError, match="method"):
        mrqap(y, {"a": x1}, method="x")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="permutations"):
        qap_correlation(x1, y, permutations=-1)
