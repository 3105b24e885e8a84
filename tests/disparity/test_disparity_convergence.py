"""σ- and β-convergence against scipy, statsmodels (OLS with dummies) and linearmodels."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels.panel import PanelOLS
from scipy import stats

from nqpf.disparity import beta_convergence, club_convergence, sigma_convergence
from nqpf.errors import DataValidationError, DuplicateError

# Coefficients are the same least-squares solution computed two ways: 1e-8 (absolute, the
# estimates are of order 0.01-0.1). Standard errors: 1e-8 relative after the documented
# degrees-of-freedom factors.
COEF_TOL = 1e-8
SE_RTOL = 1e-8


@pytest.fixture(scope="module")
def growth(province_gdp):
    """Real data 2000-2020 and the growth regression variables built independently here."""
    d = province_gdp[province_gdp.year.between(2000, 2020)].copy()
    d = d.sort_values(["region", "year"])
    d["lead"] = d.groupby("region").gdp.shift(-1)
    est = d.dropna(subset=["lead"]).copy()
    est["g"] = np.log(est.lead / est.gdp)
    est["ln_y"] = np.log(est.gdp)
    return d.drop(columns="lead"), est.reset_index(drop=True)


def dummies(est, column):
    return pd.get_dummies(est[column], prefix=column, drop_first=True, dtype=float)


@pytest.mark.parametrize("controls", [None, ["secondary"]], ids=["absolute", "conditional"])
def test_twoway_matches_statsmodels_dummies_and_linearmodels(growth, controls):
    frame, est = growth
    res = beta_convergence(frame, "gdp", controls=controls)
    regs = ["ln_y", *(controls or [])]
    X = pd.concat([est[regs], dummies(est, "region"), dummies(est, "year")], axis=1)
    X = sm.add_constant(X)
    fit = sm.OLS(est.g, X).fit(cov_type="cluster", cov_kwds={"groups": est.region.to_numpy()})
    for term in regs:
        name = "ln_y" if term == "ln_y" else term
        assert res.coefficients.loc[name, "estimate"] == pytest.approx(
            fit.params[term], abs=COEF_TOL
        )
    # statsmodels' factor G/(G-1)(N-1)/(N-K) counts the G - 1 region dummies in K; ours
    # (Stata xtreg, fe) does not; the sandwich itself is the same (Frisch-Waugh-Lovell):
    n, k_sm = fit.nobs, X.shape[1]
    k_ours = k_sm - (est.region.nunique() - 1)
    scale = np.sqrt((n - k_sm) / (n - k_ours))
    assert res.coefficients.loc["ln_y", "std_error"] == pytest.approx(
        fit.bse["ln_y"] * scale, rel=SE_RTOL
    )
    # linearmodels with Stata's xtreg-fe cluster factor (debiased + group_debias) is identical
    panel = est.set_index(["region", "year"])
    exog = pd.concat(
        [
            panel[regs],
            pd.get_dummies(
                panel.index.get_level_values("year"), prefix="y", drop_first=True, dtype=float
            ).set_index(panel.index),
        ],
        axis=1,
    )
    lm = PanelOLS(panel.g, sm.add_constant(exog), entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True
    )
    assert res.coefficients.loc["ln_y", "estimate"] == pytest.approx(
        lm.params["ln_y"], abs=COEF_TOL
    )
    assert res.coefficients.loc["ln_y", "std_error"] == pytest.approx(
        lm.std_errors["ln_y"], rel=SE_RTOL
    )


def test_region_effects_conventional_se_equal_statsmodels(growth):
    frame, est = growth
    res = beta_convergence(frame, "gdp", effects="region", cluster=None)
    X = sm.add_constant(pd.concat([est[["ln_y"]], dummies(est, "region")], axis=1))
    fit = sm.OLS(est.g, X).fit()
    row = res.coefficients.loc["ln_y"]
    assert row.estimate == pytest.approx(fit.params["ln_y"], abs=COEF_TOL)
    assert row.std_error == pytest.approx(fit.bse["ln_y"], rel=SE_RTOL)
    assert row.p_value == pytest.approx(fit.pvalues["ln_y"], rel=1e-6)


def test_pooled_clustered_equals_statsmodels(growth):
    frame, est = growth
    res = beta_convergence(frame, "gdp", effects="none")
    fit = sm.OLS(est.g, sm.add_constant(est[["ln_y"]])).fit(
        cov_type="cluster", cov_kwds={"groups": est.region.to_numpy()}
    )
    assert res.beta == pytest.approx(fit.params["ln_y"], abs=COEF_TOL)
    assert res.coefficients.loc["ln_y", "std_error"] == pytest.approx(fit.bse["ln_y"], rel=SE_RTOL)


def test_unbalanced_panel_matches_dummies(growth):
    frame, _ = growth
    # three provinces enter late (contiguous years from then on)
    late = frame.region.isin([110000, 460000, 540000]) & (frame.year < 2006)
    sub = frame[~late]
    res = beta_convergence(sub, "gdp")
    d = sub.sort_values(["region", "year"]).copy()
    d["g"] = np.log(d.groupby("region").gdp.shift(-1) / d.gdp)
    d["ln_y"] = np.log(d.gdp)
    d = d.dropna(subset=["g"])
    X = sm.add_constant(pd.concat([d[["ln_y"]], dummies(d, "region"), dummies(d, "year")], axis=1))
    fit = sm.OLS(d.g, X).fit()
    assert res.beta == pytest.approx(fit.params["ln_y"], abs=COEF_TOL)
    assert res.nobs == len(d)


def test_speed_and_half_life_from_beta_and_interval(growth):
    frame, _ = growth
    five = frame[frame.year % 5 == 0]
    res = beta_convergence(five, "gdp", effects="none", cluster=None)
    assert res.interval == 5
    assert res.speed == pytest.approx(-np.log(1 + res.beta) / 5, rel=1e-15)
    if res.speed > 0:
        assert res.half_life == pytest.approx(np.log(2) / res.speed, rel=1e-15)


def test_club_convergence_runs_beta_per_macro_region(growth):
    frame, _ = growth
    clubs = club_convergence(frame, "gdp", "macro_region")
    assert list(clubs.table.index) == ["central", "east", "northeast", "west"]
    east = frame[frame.macro_region == "east"]
    assert clubs.table.loc["east", "beta"] == pytest.approx(
        beta_convergence(east, "gdp").beta, abs=1e-15
    )
    assert "fewer than 10 regions" in clubs.summary().as_text()


def test_sigma_convergence_trend_matches_linregress(province_gdp):
    res = sigma_convergence(province_gdp, "gdp")
    table = res.table
    cv = province_gdp.groupby("year").gdp.agg(lambda s: s.std(ddof=0) / s.mean())
    np.testing.assert_allclose(table.cv.to_numpy(), cv.to_numpy(), rtol=1e-13)
    sdlog = province_gdp.groupby("year").gdp.agg(lambda s: np.log(s).std(ddof=0))
    np.testing.assert_allclose(table.sd_log.to_numpy(), sdlog.to_numpy(), rtol=1e-13)
    ref = stats.linregress(table.index.to_numpy(dtype=float), table.cv.to_numpy())
    assert res.trend.loc["cv", "slope"] == pytest.approx(ref.slope, rel=1e-12)
    assert res.trend.loc["cv", "std_error"] == pytest.approx(ref.stderr, rel=1e-10)
    assert res.trend.loc["cv", "p_value"] == pytest.approx(ref.pvalue, rel=1e-8)


# ------------------------------------------------------------------------------------ bad input
def test_non_positive_value_names_region_and_year(growth):
    frame, _ = growth
    bad = frame.copy()
    bad.loc[(bad.region == 620000) & (bad.year == 2011), "gdp"] = 0.0
    with pytest.raises(DataValidationError, match=r"region 620000 in 2011"):
        beta_convergence(bad, "gdp")
    with pytest.raises(DataValidationError, match=r"620000 in 2011"):
        sigma_convergence(bad, "gdp", region="region")


def test_gap_in_years_is_named(growth):
    frame, _ = growth
    gap = frame[~((frame.region == 530000) & (frame.year == 2010))]
    with pytest.raises(DataValidationError, match="530000 has no observation in 2010"):
        beta_convergence(gap, "gdp")


def test_uneven_years_are_refused(growth):
    frame, _ = growth
    uneven = frame[frame.year.isin([2000, 2001, 2005])]
    with pytest.raises(DataValidationError, match="not evenly spaced"):
        beta_convergence(uneven, "gdp")


def test_duplicates_and_single_year_and_bad_options(growth):
    frame, _ = growth
    with pytest.raises(DuplicateError, match="more than once"):
        beta_convergence(pd.concat([frame, frame.iloc[:1]]), "gdp")
    with pytest.raises(DataValidationError, match="at least 2 years"):
        beta_convergence(frame[frame.year == 2000], "gdp")
    with pytest.raises(DataValidationError, match="effects"):
        beta_convergence(frame, "gdp", effects="time")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="at least 2 years"):
        sigma_convergence(frame[frame.year == 2000], "gdp")


def test_region_constant_control_is_collinear_with_region_effects(growth):
    frame, _ = growth
    fixed = frame.assign(area=frame.region.map(lambda c: c % 7 + 1.0))
    with pytest.raises(DataValidationError, match="collinear"):
        beta_convergence(fixed, "gdp", controls=["area"], effects="region")


def test_club_with_one_region_is_refused(growth):
    frame, _ = growth
    odd = frame.assign(club=np.where(frame.region == 110000, "solo", "rest"))
    with pytest.raises(DataValidationError, match="'solo' has 1 region"):
        club_convergence(odd, "gdp", "club")


def test_two_clusters_with_two_way_effects_leave_the_clustered_error_undefined(growth):
    # With two regions and year effects the residuals of the two regions cancel year by year,
    # so the two cluster scores are opposite and the clustered variance of β is zero up to
    # rounding: the standard error is reported as NaN (no warning), β itself is still the
    # least-squares coefficient with explicit dummies.
    frame, est = growth
    pair = frame[frame.region.isin([110000, 120000])]
    res = beta_convergence(pair, "gdp")
    sub = est[est.region.isin([110000, 120000])]
    X = pd.concat([sub[["ln_y"]], dummies(sub, "region"), dummies(sub, "year")], axis=1)
    fit = sm.OLS(sub.g, sm.add_constant(X)).fit()
    assert res.beta == pytest.approx(fit.params["ln_y"], abs=COEF_TOL)
    assert np.isnan(res.coefficients.loc["ln_y", "std_error"])
    assert any("undefined (NaN)" in n for n in res.summary().notes)
