"""SAR and SEM with region fixed effects against spreg (peer library).

``spreg.Panel_FE_Lag`` / ``Panel_FE_Error`` (spreg 1.9) implement Elhorst's region fixed-effects
maximum likelihood *without* the Lee–Yu correction, on time-major stacked data (all regions of
year 1, then year 2, ...), so they are compared with ``lee_yu=False, effects="region"``.
Tolerances: coefficients and ρ/λ 1e-4 (spreg's optimiser stops at xatol=1e-7), σ² and standard
errors 1e-4 relative. spreg's ``logll`` uses the sum of squared residuals instead of σ² in the
concentrated likelihood, so it is lower than the log-likelihood by (nT/2)·ln(nT) exactly; that
known offset is added before comparing.
"""

import libpysal
import numpy as np
import pytest
import spreg

from nqpf.econometrics import SpatialPanel

TOL = 1e-4


def _spreg_inputs(y, X, W):
    T, n = y.shape
    w = libpysal.weights.full2W(W)
    return y.reshape(-1, 1), X.reshape(T * n, -1), w


def _check(ours, ref, spatial, T, n):
    k = len(ours.params) - 1
    np.testing.assert_allclose(ours.params.to_numpy()[:k], ref.betas.ravel()[:k], atol=TOL)
    assert ours.params[spatial] == pytest.approx(float(ref.betas.ravel()[-1]), abs=TOL)
    assert ours.sigma2 == pytest.approx(float(np.squeeze(ref.sig2)), rel=TOL)
    np.testing.assert_allclose(ours.std_errors.to_numpy(), ref.std_err, rtol=TOL)
    offset = 0.5 * n * T * np.log(n * T)
    assert ours.log_likelihood == pytest.approx(float(np.squeeze(ref.logll)) + offset, abs=1e-4)


CASES = [
    pytest.param(("ring", 30, 0), 6, 0.5, id="ring-n30-T6"),
    pytest.param(("knn", 45, 3), 8, 0.3, id="knn-n45-T8"),
    pytest.param(("knn", 25, 9), 4, -0.3, id="knn-n25-T4-negative"),
]


def _weights(helpers, spec):
    kind, n, seed = spec
    return helpers.ring(n) if kind == "ring" else helpers.knn(n, k=4, seed=seed)


@pytest.mark.parametrize(("W", "T", "rho"), CASES)
def test_sar_region_fe_matches_spreg(helpers, W, T, rho):
    W = _weights(helpers, W)
    frame, y, X = helpers.simulate(W, T, beta=[1.0, -0.5], rho=rho, time_effects=False, seed=11)
    ours = SpatialPanel("sar", "region", lee_yu=False, tests=False, draws=10, seed=0).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    ref = spreg.Panel_FE_Lag(*_spreg_inputs(y, X, W))
    _check(ours, ref, "rho", T, W.shape[0])


@pytest.mark.parametrize(("W", "T", "lam"), CASES)
def test_sem_region_fe_matches_spreg(helpers, W, T, lam):
    W = _weights(helpers, W)
    frame, y, X = helpers.simulate(W, T, beta=[1.0, -0.5], lam=lam, time_effects=False, seed=12)
    ours = SpatialPanel("sem", "region", lee_yu=False, tests=False).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    ref = spreg.Panel_FE_Error(*_spreg_inputs(y, X, W))
    _check(ours, ref, "lambda", T, W.shape[0])


def test_sdm_coefficients_match_spreg_lag_with_wx(helpers):
    """SDM = SAR on [X, WX]: coefficients against Panel_FE_Lag (effects are not compared)."""
    W = helpers.knn(40, k=4, seed=1)
    frame, y, X = helpers.simulate(
        W, 7, beta=[1.0, -0.5], theta=[0.4, 0.2], rho=0.4, time_effects=False, seed=13
    )
    ours = SpatialPanel("sdm", "region", lee_yu=False, tests=False, draws=10, seed=0).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    WX = np.einsum("ij,tjk->tik", W, X)
    ref = spreg.Panel_FE_Lag(*_spreg_inputs(y, np.concatenate([X, WX], axis=2), W))
    assert list(ours.params.index) == ["x1", "x2", "W*x1", "W*x2", "rho"]
    np.testing.assert_allclose(ours.params.to_numpy(), ref.betas.ravel(), atol=TOL)


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_real_province_panel_matches_spreg(province_data, model):
    """Real data: ln invention patents on ln R&D expenditure, ln R&D FTE and ln GDP."""
    panel, weights = province_data
    x = ["ln_rd", "ln_fte", "ln_gdp"]
    ours = SpatialPanel(model, "region", lee_yu=False, tests=False, draws=10, seed=0).fit(
        panel, y="ln_patent", x=x, w=weights
    )
    wide = panel.wide(["ln_patent", *x])
    regions = sorted(wide.index.get_level_values(0).unique())
    years = sorted(wide.index.get_level_values(1).unique())
    T, n = len(years), len(regions)
    cube = wide.to_numpy().reshape(n, T, 4).transpose(1, 0, 2)
    W = weights.align(regions).dense
    peer = spreg.Panel_FE_Lag if model == "sar" else spreg.Panel_FE_Error
    ref = peer(*_spreg_inputs(cube[:, :, 0], cube[:, :, 1:], W))
    _check(ours, ref, "rho" if model == "sar" else "lambda", T, n)
    assert (n, T) == (31, 13)
