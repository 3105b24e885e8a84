"""Direct, indirect and total effects against the dense definition S_k(W) = (I-ρW)⁻¹(Iβ_k + Wθ_k).

The reference builds S_k(W) with ``numpy.linalg.inv`` from the fitted parameters and takes its
mean diagonal (direct) and mean row sum (total), as defined by LeSage & Pace (2009, §2.7);
tolerance 1e-10. spreg's SDM impacts are deliberately not used: they count every WX effect as
indirect. Simulated standard errors are checked against the delta method (numerical gradient of
the dense definition) within Monte Carlo error.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.econometrics import SpatialPanel, Spectrum, impacts


def dense_effects(beta, theta, rho, W):
    n = W.shape[0]
    inv = np.linalg.inv(np.eye(n) - rho * W)
    out = []
    for b, t in zip(beta, theta, strict=True):
        S = inv @ (b * np.eye(n) + t * W)
        direct, total = np.trace(S) / n, S.sum() / n
        out.append((direct, total - direct, total))
    return np.array(out)


def _weights(helpers, kind):
    if kind == "knn-row":
        return helpers.knn(30, k=4, seed=1)
    if kind == "ring-binary":
        return helpers.ring(30, row_standardise=False)
    if kind == "knn-binary":
        return helpers.knn(30, k=3, seed=5, row_standardise=False)
    return helpers.ring(30)


@pytest.mark.parametrize("kind", ["knn-row", "ring-row", "ring-binary", "knn-binary"])
@pytest.mark.parametrize("model", ["sdm", "sar"])
def test_effects_match_dense_definition(helpers, kind, model):
    W = _weights(helpers, kind)
    rho = 0.4 if kind.endswith("row") else 0.15
    frame, *_ = helpers.simulate(
        W,
        6,
        beta=[1.0, -0.5, 0.2],
        theta=[0.5, 0.1, -0.3] if model == "sdm" else None,
        rho=rho,
        time_effects=False,
        seed=3,
    )
    res = SpatialPanel(model, "region", tests=False, draws=50, seed=1).fit(
        frame, y="y", x=["x1", "x2", "x3"], w=W, region="region"
    )
    beta = res.params[["x1", "x2", "x3"]].to_numpy()
    theta = res.params[["W*x1", "W*x2", "W*x3"]].to_numpy() if model == "sdm" else np.zeros(3)
    expected = dense_effects(beta, theta, res.params["rho"], W)
    got = res.effects[["direct", "indirect", "total"]].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_error_model_effects_are_linear_with_exact_se(helpers):
    W = helpers.knn(30, k=4, seed=2)
    frame, *_ = helpers.simulate(W, 6, beta=[1.0, -0.5], theta=[0.4, 0.3], lam=0.4, seed=4)
    res = SpatialPanel("sdem", "twoway", tests=False).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    eff = res.effects
    np.testing.assert_allclose(eff.direct, res.params[["x1", "x2"]], atol=1e-14)
    np.testing.assert_allclose(eff.indirect, res.params[["W*x1", "W*x2"]], atol=1e-14)
    V = res.cov
    for x in ("x1", "x2"):
        var_total = V.loc[x, x] + V.loc[f"W*{x}", f"W*{x}"] + 2 * V.loc[x, f"W*{x}"]
        assert eff.loc[x, "total_se"] == pytest.approx(np.sqrt(var_total), rel=1e-12)
        assert eff.loc[x, "direct_se"] == pytest.approx(np.sqrt(V.loc[x, x]), rel=1e-12)
    sem = SpatialPanel("sem", "twoway", tests=False).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    assert (sem.effects.indirect == 0).all()
    np.testing.assert_allclose(sem.effects.total, sem.params[["x1", "x2"]], atol=1e-14)


def test_simulated_se_agree_with_delta_method(helpers):
    """4,000 draws: Monte Carlo relative error of an SD ≈ 1/√8000 ≈ 1.1 %; tolerance 6 %."""
    W = helpers.knn(40, k=4, seed=3)
    frame, *_ = helpers.simulate(W, 8, beta=[1.0, -0.5], theta=[0.5, 0.2], rho=0.5, seed=6)
    res = SpatialPanel("sdm", "twoway", tests=False, draws=4000, seed=123).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    p = res.params.to_numpy()
    V = res.cov.to_numpy()

    def f(q):
        return dense_effects(q[:2], q[2:4], q[4], W).ravel()

    grad = np.empty((6, 5))
    for j in range(5):
        h = 1e-6 * max(1.0, abs(p[j]))
        e = np.zeros(5)
        e[j] = h
        grad[:, j] = (f(p + e) - f(p - e)) / (2 * h)
    delta = np.sqrt(np.diag(grad @ V @ grad.T)).reshape(2, 3)
    sim = res.effects[["direct_se", "indirect_se", "total_se"]].to_numpy()
    np.testing.assert_allclose(sim, delta, rtol=0.06)


def test_same_seed_same_numbers(helpers):
    W = helpers.ring(20)
    frame, *_ = helpers.simulate(W, 5, beta=[1.0], theta=[0.5], rho=0.3, seed=2)
    kw = {"y": "y", "x": ["x1"], "w": W, "region": "region"}
    a = SpatialPanel("sdm", "twoway", seed=7, draws=200, tests=False).fit(frame, **kw)
    b = SpatialPanel("sdm", "twoway", seed=7, draws=200, tests=False).fit(frame, **kw)
    c = SpatialPanel("sdm", "twoway", seed=8, draws=200, tests=False).fit(frame, **kw)
    assert a.effects.equals(b.effects)
    assert not np.allclose(a.effects.total_se, c.effects.total_se)
    np.testing.assert_allclose(a.effects.total, c.effects.total, atol=1e-14)
    gen = np.random.default_rng(7)
    d = SpatialPanel("sdm", "twoway", seed=gen, draws=200, tests=False).fit(frame, **kw)
    assert d.meta["seed"] != 7 and d.effects.direct_se.notna().all()
    fresh = SpatialPanel("sdm", "twoway", draws=200, tests=False).fit(frame, **kw)
    again = SpatialPanel("sdm", "twoway", seed=fresh.meta["seed"], draws=200, tests=False)
    assert isinstance(fresh.meta["seed"], int)
    assert again.fit(frame, **kw).effects.equals(fresh.effects)


def test_spectrum_logdet_and_bounds(helpers):
    W = helpers.knn(25, k=3, seed=11)
    s = Spectrum(W)
    eig = np.linalg.eigvals(W)
    for r in (-0.8, 0.0, 0.6, 0.95):
        assert s.logdet(r) == pytest.approx(np.linalg.slogdet(np.eye(25) - r * W)[1], abs=1e-10)
    assert s.bounds[1] == 1.0
    assert s.bounds[0] == pytest.approx(1 / eig.real[np.abs(eig.imag) < 1e-10].min())
    binary = helpers.ring(10, row_standardise=False)
    assert Spectrum(binary).bounds == pytest.approx((-0.5, 0.5))


def test_row_sums_with_defective_matrix_fall_back_to_solves():
    """A Jordan block has no eigenvector basis; the mean row sums come from linear solves."""
    W = np.diag(np.ones(4), 1)[:5, :5] * 0.5 + np.diag(np.ones(4), -1)[:5, :5] * 1e-30
    s = Spectrum(W)
    for r in (0.3, -0.4):
        inv = np.linalg.inv(np.eye(5) - r * W)
        t1, t2 = s.mean_row_sums(np.array([r]))
        assert t1[0] == pytest.approx(inv.sum() / 5, rel=1e-10)
        assert t2[0] == pytest.approx((inv @ W).sum() / 5, rel=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(4, 12),
    seed=st.integers(0, 10_000),
    rho=st.floats(-0.9, 0.95),
    beta=st.floats(-3, 3),
    theta=st.floats(-3, 3),
)
def test_impacts_properties(n, seed, rho, beta, theta):
    """Invariants: direct + indirect = total; row-standardised W: total = (β+θ)/(1-ρ); and the
    eigenvalue formulas equal the dense definition."""
    rng = np.random.default_rng(seed)
    C = (rng.uniform(size=(n, n)) < 0.5).astype(float)
    np.fill_diagonal(C, 0)
    C[np.arange(n), (np.arange(n) + 1) % n] = 1.0
    W = C / C.sum(axis=1, keepdims=True)
    direct, indirect, total = impacts(np.array([beta]), np.array([theta]), rho, Spectrum(W))
    assert direct[0] + indirect[0] == pytest.approx(total[0], abs=1e-12)
    assert total[0] == pytest.approx((beta + theta) / (1 - rho), rel=1e-9, abs=1e-9)
    expected = dense_effects([beta], [theta], rho, W)[0]
    np.testing.assert_allclose([direct[0], indirect[0], total[0]], expected, atol=1e-8)


def test_symmetrisable_weights_use_the_symmetric_solver(helpers):
    """Row-standardised contiguity-like W (symmetric pattern): eigenvalues from the symmetric
    similar matrix equal numpy's general eigenvalues (1e-12); a kNN W is not symmetrisable."""
    from nqpf.econometrics.effects import symmetrizer

    rng = np.random.default_rng(4)
    C = np.triu((rng.uniform(size=(40, 40)) < 0.15) * rng.uniform(1, 3, size=(40, 40)), 1)
    C = C + C.T
    C[np.arange(40), (np.arange(40) + 1) % 40] += 1.0  # no isolated regions
    C[(np.arange(40) + 1) % 40, np.arange(40)] += 1.0
    W = C / C.sum(axis=1, keepdims=True)
    assert symmetrizer(W) is not None
    s = Spectrum(W)
    assert not np.iscomplexobj(s.eigenvalues)
    np.testing.assert_allclose(
        np.sort(s.eigenvalues), np.sort(np.linalg.eigvals(W).real), atol=1e-12
    )
    assert symmetrizer(helpers.knn(30, k=4, seed=1)) is None
