"""Non-spatial panel fixed effects against statsmodels least-squares dummy variables (LSDV) and a
hand-written cluster sandwich. Tolerance 1e-10 (coefficients) and 1e-8 relative (SEs)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from nqpf.econometrics import panel_fe


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n, T = 25, 6
    df = pd.DataFrame(
        {"region": np.repeat(np.arange(n), T), "year": np.tile(np.arange(2001, 2001 + T), n)}
    )
    mu = rng.normal(size=n)
    df["x1"] = rng.normal(size=n * T) + np.repeat(mu, T)
    df["x2"] = rng.normal(size=n * T)
    scale = 1 + np.repeat(rng.uniform(size=n), T)
    df["y"] = df.x1 - 0.5 * df.x2 + np.repeat(mu, T) + rng.normal(size=n * T) * scale
    return df


FORMULA = {
    "region": "y ~ x1 + x2 + C(region)",
    "time": "y ~ x1 + x2 + C(year)",
    "twoway": "y ~ x1 + x2 + C(region) + C(year)",
}


@pytest.mark.parametrize("effects", ["region", "time", "twoway"])
@pytest.mark.parametrize(("cov", "sm_cov"), [("unadjusted", "nonrobust"), ("robust", "HC1")])
def test_matches_statsmodels_lsdv(frame, effects, cov, sm_cov):
    ours = panel_fe(frame, "y", ["x1", "x2"], effects=effects, cov=cov, region="region")
    ref = smf.ols(FORMULA[effects], frame).fit(cov_type=sm_cov)
    np.testing.assert_allclose(ours.params, ref.params[["x1", "x2"]], atol=1e-10)
    np.testing.assert_allclose(ours.std_errors, ref.bse[["x1", "x2"]], rtol=1e-8)


def test_clustered_standard_errors_by_hand(frame):
    """Cluster sandwich (X̃'X̃)⁻¹ Σ_g X̃_g'e_g e_g'X̃_g (X̃'X̃)⁻¹ × N/(N-K), K = 2 regressors +
    24 region + 5 year effects + 1 (linearmodels' debiased scaling)."""
    ours = panel_fe(frame, "y", ["x1", "x2"], effects="twoway", region="region")
    d = frame.set_index(["region", "year"])

    def within(col):
        a = d[col].unstack().to_numpy()
        return (a - a.mean(1, keepdims=True) - a.mean(0, keepdims=True) + a.mean()).ravel()

    y0 = within("y")
    X0 = np.column_stack([within("x1"), within("x2")])
    b = np.linalg.lstsq(X0, y0, rcond=None)[0]
    e = y0 - X0 @ b
    A = np.linalg.inv(X0.T @ X0)
    groups = np.repeat(np.arange(25), 6)
    meat = sum(
        np.outer(X0[groups == g].T @ e[groups == g], X0[groups == g].T @ e[groups == g])
        for g in range(25)
    )
    V = A @ meat @ A * 150 / (150 - 32)
    np.testing.assert_allclose(ours.std_errors, np.sqrt(np.diag(V)), rtol=1e-8)
    assert ours.cov_type == "clustered" and ours.n_obs == 150
    assert ours.n_regions == 25 and ours.n_periods == 6


def test_panel_input_and_summary(province_data):
    panel, _ = province_data
    res = panel_fe(panel, "ln_patent", ["ln_rd", "ln_gdp"], effects="twoway")
    assert res.n_regions == 31 and res.n_periods == 13
    text = res.summary().as_text()
    assert "ln_rd" in text and "组内R² within R²" in text
    tidy = res.to_frame()
    assert list(tidy.columns) == ["term", "estimate", "std_error", "statistic", "p_value"]
