"""The sparse path of SpatialPanel against the dense exact one (SYNTHETIC weights and data).

References are dense and exact: ``numpy.linalg.slogdet``, the eigenvalues of the dense ``W``
(``Spectrum``) and dense inverses of ``I - ρW``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.spatial import cKDTree

from nqpf._random import RandomSource
from nqpf.econometrics import SpatialPanel, spatial_panel
from nqpf.econometrics.effects import Spectrum, symmetrizer
from nqpf.econometrics.logdet import SparseLogdet
from nqpf.errors import WeightsError


def knn(n: int, k: int = 6, seed: int = 0) -> sparse.csr_array:
    """SYNTHETIC row-standardised k-nearest-neighbour weights on random points."""
    pts = np.random.default_rng(seed).uniform(size=(n, 2))
    _, idx = cKDTree(pts).query(pts, k=k + 1)
    rows = np.repeat(np.arange(n), k)
    return sparse.csr_array((np.full(n * k, 1.0 / k), (rows, idx[:, 1:].ravel())), shape=(n, n))


def queen(m: int, standardise: bool = True) -> sparse.csr_array:
    """Queen contiguity of an ``m × m`` lattice (row-standardised unless told otherwise)."""
    line = sparse.identity(m) + sparse.diags_array([np.ones(m - 1)] * 2, offsets=[-1, 1])
    C = sparse.csr_array(sparse.kron(line, line) - sparse.identity(m * m))
    C.eliminate_zeros()
    if not standardise:
        return C
    return sparse.csr_array(sparse.diags_array(1.0 / C.sum(axis=1)) @ C)


@pytest.fixture(scope="module")
def weights() -> dict[str, tuple[sparse.csr_array, Spectrum]]:
    out = {}
    for name, W in (("knn", knn(500)), ("queen", queen(22))):
        out[name] = (W, Spectrum(W.toarray()))
    return out


@pytest.fixture(scope="module")
def lu_ops(weights):
    return {
        name: SparseLogdet(W, "lu", RandomSource.from_seed(3)) for name, (W, _) in weights.items()
    }


RHOS = np.array([-0.8, -0.3, 0.0, 0.25, 0.5, 0.75, 0.9, 0.97])


@pytest.mark.parametrize("name", ["knn", "queen"])
def test_exact_lu_logdet_equals_dense(weights, lu_ops, name):
    W, spectrum = weights[name]
    op = lu_ops[name]
    dense = W.toarray()
    for r in RHOS:
        sign, reference = np.linalg.slogdet(np.eye(W.shape[0]) - r * dense)
        assert sign > 0
        assert abs(float(op.logdet(r)) - reference) < 1e-8
    np.testing.assert_allclose(op.bounds, spectrum.bounds, rtol=1e-8)


@pytest.mark.parametrize("name", ["knn", "queen"])
def test_spline_within_its_stated_interpolation_error(weights, lu_ops, name):
    _, spectrum = weights[name]
    op = lu_ops[name]
    a, b = op.meta["grid_range"]
    r = np.linspace(a, b, 301)
    error = np.abs(op.logdet(r) - spectrum.logdet(r)).max()
    assert error <= op.meta["interpolation_error"]


@pytest.mark.parametrize(
    ("name", "method"), [("queen", "chebyshev"), ("queen", "mc"), ("knn", "mc")]
)
def test_approximations_within_their_bounds_over_seeds(weights, name, method):
    W, spectrum = weights[name]
    rhos = np.array([-0.6, 0.2, 0.5, 0.8])
    misses = 0
    for seed in range(8):
        op = SparseLogdet(W, method, RandomSource.from_seed(seed), probes=30)
        for r in rhos:
            bound = op.logdet_error(r)["bound"]
            assert np.isfinite(bound)
            misses += abs(float(op.logdet(r)) - float(spectrum.logdet(r))) > bound
    assert misses <= 1  # three Monte Carlo SEs: about 0.3 % expected misses


def test_chebyshev_needs_a_real_spectrum(weights):
    with pytest.raises(WeightsError, match="symmetric"):
        SparseLogdet(weights["knn"][0], "chebyshev")


@pytest.mark.parametrize("name", ["knn", "queen"])
def test_effects_traces_within_their_monte_carlo_error(weights, lu_ops, name):
    _, spectrum = weights[name]
    op = lu_ops[name]
    rhos = np.array([-0.5, 0.1, 0.4, 0.7])
    m1, m2 = op.mean_diagonals(rhos)
    d1, d2 = spectrum.mean_diagonals(rhos)
    for i, r in enumerate(rhos):
        err = op.effects_error(r)
        assert abs(m1[i] - d1[i]) <= 4 * err["mean_diag_inverse_se"] + err["truncation_bound"]
        assert abs(m2[i] - d2[i]) <= 4 * err["mean_diag_inverse_w_se"] + err["truncation_bound_w"]
    # a single ρ (the estimate) is exact here (n ≤ exact_traces)
    e1, e2 = op.mean_diagonals(np.array(0.4))
    x1, x2 = spectrum.mean_diagonals(np.array(0.4))
    assert abs(e1 - x1) < 1e-10 and abs(e2 - x2) < 1e-10


def _dense_traces(W: np.ndarray, r: float) -> tuple[float, float, float]:
    G = W @ np.linalg.inv(np.eye(W.shape[0]) - r * W)
    return float(np.trace(G)), float(np.sum(G * G.T)), float(np.sum(G * G))


def test_information_traces_exact_and_hutchinson(weights):
    W, _ = weights["knn"]
    reference = _dense_traces(W.toarray(), 0.45)
    exact = SparseLogdet(W, "lu", RandomSource.from_seed(0), grid=9).point_traces(0.45)
    for key, ref in zip(("tr_g", "tr_g2", "tr_gtg"), reference, strict=True):
        assert abs(exact[key] - ref) < 1e-8
    large = SparseLogdet(W, "mc", RandomSource.from_seed(1), exact_traces=0).point_traces(0.45)
    assert large["exact"] == 0.0
    # tr G, tr G² from differences of exact log-determinants; tr G'G Hutchinson
    np.testing.assert_allclose([large["tr_g"], large["tr_g2"]], reference[:2], rtol=1e-7)
    assert abs(large["tr_gtg"] - reference[2]) <= 4 * large["tr_gtg_se"]


def test_mean_row_sums_of_a_binary_w():
    C = queen(8, standardise=False)
    op = SparseLogdet(C, "lu", RandomSource.from_seed(0), grid=5)
    spectrum = Spectrum(C.toarray())
    rhos = np.array([-0.1, 0.01, 0.05, 0.12])
    for ours, ref in zip(op.mean_row_sums(rhos), spectrum.mean_row_sums(rhos), strict=True):
        np.testing.assert_allclose(ours, ref, rtol=1e-9)
    np.testing.assert_allclose(op.bounds, spectrum.bounds, rtol=1e-8)


# ---------------------------------------------------------------------------- full fits
def _panel(W: sparse.csr_array, T: int = 6, seed: int = 5) -> pd.DataFrame:
    """SYNTHETIC spatial Durbin panel with region and year effects."""
    rng = np.random.default_rng(seed)
    n = W.shape[0]
    A = np.eye(n) - 0.4 * W.toarray()
    X = rng.normal(size=(T, n, 2))
    mu, alpha = rng.normal(size=n), rng.normal(size=T)
    y = np.stack(
        [
            np.linalg.solve(
                A, X[t] @ [1.0, -0.5] + W @ X[t] @ [0.3, 0.2] + mu + alpha[t] + rng.normal(size=n)
            )
            for t in range(T)
        ]
    )
    return pd.DataFrame(
        {
            "region": np.tile(np.arange(n), T),
            "year": np.repeat(np.arange(2001, 2001 + T), n),
            "y": y.ravel(),
            "x1": X[..., 0].ravel(),
            "x2": X[..., 1].ravel(),
        }
    )


@pytest.fixture(scope="module")
def data():
    W = knn(150, seed=2)
    return W, _panel(W)


@pytest.mark.parametrize(
    ("model", "effects", "tests"),
    [("sdm", "twoway", True), ("sar", "region", False), ("sem", "twoway", False)],
)
def test_sparse_lu_fit_equals_dense(data, model, effects, tests):
    W, frame = data
    kw = {"y": "y", "x": ["x1", "x2"], "w": W, "region": "region"}
    fits = {
        m: SpatialPanel(model, effects, seed=0, draws=300, tests=tests, logdet=m).fit(frame, **kw)
        for m in ("dense", "lu")
    }
    dense, lu = fits["dense"], fits["lu"]
    assert dense.meta["logdet"] == "dense" and lu.meta["logdet"] == "lu"
    np.testing.assert_allclose(lu.params, dense.params, atol=1e-6)
    np.testing.assert_allclose(lu.std_errors, dense.std_errors, atol=1e-6)
    assert abs(lu.log_likelihood - dense.log_likelihood) < 1e-6
    parts = ["direct", "indirect", "total"]
    np.testing.assert_allclose(lu.effects[parts], dense.effects[parts], atol=1e-6)
    ses = [f"{p}_se" for p in parts]
    np.testing.assert_allclose(lu.effects[ses], dense.effects[ses], rtol=0.05)
    for key, test in dense.tests.items():
        if np.isfinite(test.statistic):
            assert abs(lu.tests[key].statistic - test.statistic) < 1e-5, key
    assert "logdet='lu'" in lu.summary().as_text()


def test_each_method_can_be_forced_and_auto_switches(data, monkeypatch):
    W, frame = data
    kw = {"y": "y", "x": ["x1", "x2"], "w": W, "region": "region"}
    Q = queen(12)
    exact = SpatialPanel("sar", "twoway", seed=0, draws=50, tests=False, logdet="dense").fit(
        _panel(Q), y="y", x=["x1", "x2"], w=Q, region="region"
    )
    years = _panel(Q)["year"].nunique()
    for method in ("mc", "chebyshev"):
        res = SpatialPanel("sar", "twoway", seed=0, draws=50, tests=False, logdet=method).fit(
            _panel(Q), y="y", x=["x1", "x2"], w=Q, region="region"
        )
        details = res.meta["logdet_details"]
        bound = details["logdet_error"]["bound"]
        assert res.meta["logdet"] == method and bound > 0
        # the likelihood takes ln|I − ρW| once per year: an error of at most `bound` in it moves
        # the maximised log-likelihood by at most years × bound from the exact maximum
        assert abs(res.log_likelihood - exact.log_likelihood) <= years * bound
    auto = SpatialPanel("sar", "region", draws=20, tests=False, seed=0).fit(frame, **kw)
    assert auto.meta["logdet"] == "dense"
    monkeypatch.setattr(spatial_panel, "DENSE_MAX_N", 100)
    auto = SpatialPanel("sar", "region", draws=20, tests=False, seed=0).fit(frame, **kw)
    assert auto.meta["logdet"] == "lu"
    with pytest.raises(ValueError, match="logdet"):
        SpatialPanel("sar", logdet="cholesky").fit(frame, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(6, 30),
    p=st.floats(0.15, 0.6),
    seed=st.integers(0, 10_000),
    frac=st.floats(0.05, 0.95),
)
def test_sparse_symmetrizer_and_exact_logdet(n, p, seed, frac):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.uniform(size=(n, n)) < p, 1)
    C = (upper | upper.T).astype(float) * rng.uniform(0.5, 2.0, size=(n, n))
    C = np.triu(C, 1) + np.triu(C, 1).T
    C[np.arange(n), (np.arange(n) + 1) % n] = C[(np.arange(n) + 1) % n, np.arange(n)] = 1.0
    W = C / C.sum(axis=1, keepdims=True)
    d_dense, d_sparse = symmetrizer(W), symmetrizer(sparse.csr_array(W))
    assert d_dense is not None and d_sparse is not None
    np.testing.assert_allclose(d_sparse, d_dense, rtol=1e-12)
    op = SparseLogdet(sparse.csr_array(W), "lu", RandomSource.from_seed(0), grid=5)
    lo, hi = op.bounds
    r = lo + frac * (hi - lo)
    assert abs(float(op.logdet(r)) - np.linalg.slogdet(np.eye(n) - r * W)[1]) < 1e-9
