"""LM, LR, Wald and Hausman tests.

LM tests: reference is spreg's cross-sectional ``LMtests`` (Anselin et al. 1996 formulas) run on
the within-transformed data stacked over years with the block-diagonal weights I_T ⊗ W, which is
exactly the panel form of Elhorst (2014) (spreg's own ``panel_LMlag`` squares the trace term, so
it is not used). Tolerance 1e-9 relative.
"""

import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import spreg
from spreg.diagnostics_sp import LMtests

from nqpf.econometrics import SpatialPanel, TestResult, hausman, lm_tests
from nqpf.econometrics._data import demean
from nqpf.econometrics.diagnostics import outcomes_frame, wald_test


@pytest.mark.parametrize("effects", ["region", "time", "twoway"])
def test_lm_tests_match_spreg_on_stacked_within_data(helpers, effects):
    W = helpers.knn(30, k=4, seed=1)
    T = 5
    frame, y, X = helpers.simulate(W, T, beta=[1.0, -1.0], rho=0.25, seed=2)
    res = SpatialPanel("sar", effects, draws=10, seed=0).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    y0, X0 = demean(y, effects), demean(X, effects)
    big = libpysal.weights.WSP(sp.csr_matrix(sp.kron(sp.identity(T), W))).to_W(
        silence_warnings=True
    )
    ols = spreg.ols.BaseOLS(y0.reshape(-1, 1), X0.reshape(-1, 2))
    ref = LMtests(ols, big, tests=["lml", "lme", "rlml", "rlme"])
    pairs = {
        "lm_lag": ref.lml,
        "lm_error": ref.lme,
        "robust_lm_lag": ref.rlml,
        "robust_lm_error": ref.rlme,
    }
    for name, (statistic, p_value) in pairs.items():
        assert res.tests[name].statistic == pytest.approx(float(statistic), rel=1e-9)
        assert res.tests[name].p_value == pytest.approx(float(p_value), rel=1e-6, abs=1e-300)
    direct = lm_tests(y0, X0, W)
    assert direct["lm_lag"].statistic == res.tests["lm_lag"].statistic


def test_lm_tests_size_and_power(helpers):
    """Without spatial dependence the tests do not reject (seeded); with ρ = 0.5 they do."""
    W = helpers.knn(60, k=4, seed=3)
    null, *_ = helpers.simulate(W, 6, beta=[1.0], seed=4)
    alt, *_ = helpers.simulate(W, 6, beta=[1.0], rho=0.5, seed=4)
    kw = {"y": "y", "x": ["x1"], "w": W, "region": "region"}
    a = SpatialPanel("sar", "twoway", draws=10).fit(null, **kw).tests
    b = SpatialPanel("sar", "twoway", draws=10).fit(alt, **kw).tests
    assert a["lm_lag"].p_value > 0.01 and a["lm_error"].p_value > 0.01
    assert b["lm_lag"].p_value < 1e-6 and b["robust_lm_lag"].p_value < 1e-3


def test_lr_and_wald_tests_of_sdm(helpers):
    W = helpers.knn(50, k=4, seed=5)
    kw = {"y": "y", "x": ["x1", "x2"], "w": W, "region": "region"}
    frame, *_ = helpers.simulate(W, 6, beta=[1.0, -0.5], theta=[0.8, 0.0], rho=0.3, seed=6)
    sdm = SpatialPanel("sdm", "twoway", draws=10).fit(frame, **kw)
    sar = SpatialPanel("sar", "twoway", draws=10, tests=False).fit(frame, **kw)
    sem = SpatialPanel("sem", "twoway", tests=False).fit(frame, **kw)
    lr = sdm.tests["lr_sdm_sar"]
    assert lr.statistic == pytest.approx(2 * (sdm.log_likelihood - sar.log_likelihood))
    assert lr.df == (2,) and lr.distribution == "chi2(2)" and lr.p_value < 1e-6
    assert sdm.tests["lr_sdm_sem"].statistic == pytest.approx(
        2 * (sdm.log_likelihood - sem.log_likelihood)
    )
    # Wald tests by hand from the estimates and their covariance
    p, V = sdm.params, sdm.cov.to_numpy()
    theta = p[["W*x1", "W*x2"]].to_numpy()
    V_theta = sdm.cov.loc[["W*x1", "W*x2"], ["W*x1", "W*x2"]].to_numpy()
    assert sdm.tests["wald_sdm_sar"].statistic == pytest.approx(
        theta @ np.linalg.solve(V_theta, theta), rel=1e-10
    )
    beta, rho = p[["x1", "x2"]].to_numpy(), p["rho"]
    g = theta + rho * beta
    J = np.zeros((2, 5))
    J[:, :2] = rho * np.eye(2)
    J[:, 2:4] = np.eye(2)
    J[:, 4] = beta
    assert sdm.tests["wald_sdm_sem"].statistic == pytest.approx(
        g @ np.linalg.solve(J @ V @ J.T, g), rel=1e-10
    )
    # under the null θ = 0 the LR and Wald tests do not reject
    null, *_ = helpers.simulate(W, 6, beta=[1.0, -0.5], rho=0.3, seed=7)
    t0 = SpatialPanel("sdm", "twoway", draws=10).fit(null, **kw).tests
    assert t0["lr_sdm_sar"].p_value > 0.01 and t0["wald_sdm_sar"].p_value > 0.01


def test_sdem_and_non_durbin_tests(helpers):
    W = helpers.ring(20)
    frame, *_ = helpers.simulate(W, 5, beta=[1.0], theta=[0.5], lam=0.3, seed=8)
    kw = {"y": "y", "x": ["x1"], "w": W, "region": "region"}
    sdem = SpatialPanel("sdem", "region").fit(frame, **kw)
    sem = SpatialPanel("sem", "region", tests=False).fit(frame, **kw)
    assert sdem.tests["lr_sdem_sem"].statistic == pytest.approx(
        2 * (sdem.log_likelihood - sem.log_likelihood)
    )
    assert isinstance(sdem.tests["wald_sdem_sem"], TestResult)
    assert sdem.tests["wald_sdem_sem"].applicable
    assert not sdem.tests["lr_sdm_sar"].applicable
    sar = SpatialPanel("sar", "time", draws=10).fit(frame, **kw)
    assert not sar.tests["lr_sdm_sar"].applicable
    assert "Durbin" in sar.tests["lr_sdm_sar"].reason
    hz = sar.tests["hausman"]
    assert not hz.applicable and "time effects only" in hz.reason
    frame_out = outcomes_frame(sar.tests)
    assert frame_out.loc[frame_out.test == "hausman", "statistic"].isna().all()


def test_wald_with_singular_covariance_is_not_applicable():
    out = wald_test("w", np.array([1.0, 1.0]), np.eye(2), np.zeros((2, 2)), "θ = 0")
    assert not out.applicable and "singular" in out.reason


def _re_panel(correlated: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, T = 80, 6
    mu = rng.normal(size=n)
    x = rng.normal(size=(n, T)) + (1.5 * mu[:, None] if correlated else 0.0)
    y = 1.0 * x + mu[:, None] + rng.normal(size=(n, T))
    return pd.DataFrame(
        {
            "region": np.repeat(np.arange(n), T),
            "year": np.tile(np.arange(2001, 2001 + T), n),
            "x": x.ravel(),
            "y": y.ravel(),
        }
    )


def test_hausman_rejects_only_when_effects_correlate_with_x():
    """Seeded: μ uncorrelated with x → RE consistent (no rejection); μ correlated → reject."""
    ok = hausman(_re_panel(False, 1), "y", ["x"], region="region")
    bad = hausman(_re_panel(True, 1), "y", ["x"], region="region")
    assert ok.df == (1,) and ok.p_value > 0.05
    assert bad.p_value < 1e-4
    both = hausman(_re_panel(True, 2), "y", ["x"], time_effects=True, region="region")
    assert both.p_value < 1e-4


def test_hausman_statistic_by_hand_from_linearmodels():
    """H = d'(V_FE - V_RE)⁻¹d with the two linearmodels fits (Hausman 1978); when the
    difference is not positive definite, the Moore–Penrose inverse with df = rank (as Stata)."""
    from linearmodels import PanelOLS, RandomEffects

    frame = _re_panel(True, 3).set_index(["region", "year"])
    fe = PanelOLS(frame.y, frame[["x"]], entity_effects=True).fit()
    re = RandomEffects(frame.y, frame[["x"]].assign(const=1.0)).fit()
    d = float(fe.params["x"] - re.params["x"])
    v = float(fe.cov.loc["x", "x"] - re.cov.loc["x", "x"])
    assert v > 0
    out = hausman(frame.reset_index(), "y", ["x"], region="region")
    assert out.statistic == pytest.approx(d * d / v, rel=1e-10) and out.note == ""

    frame["x2"] = np.random.default_rng(0).normal(size=len(frame))
    fe = PanelOLS(frame.y, frame[["x", "x2"]], entity_effects=True).fit()
    re = RandomEffects(frame.y, frame[["x", "x2"]].assign(const=1.0)).fit()
    d2 = (fe.params - re.params[["x", "x2"]]).to_numpy()
    V = (fe.cov - re.cov.loc[["x", "x2"], ["x", "x2"]]).to_numpy()
    values, vectors = np.linalg.eigh(V)
    assert values[0] < 0 < values[1]  # this seeded case is not positive definite
    pinv = vectors[:, [1]] @ vectors[:, [1]].T / values[1]
    out = hausman(frame.reset_index(), "y", ["x", "x2"], region="region")
    assert out.statistic == pytest.approx(d2 @ pinv @ d2, rel=1e-8)
    assert out.df == (1,) and "generalised inverse" in out.note
