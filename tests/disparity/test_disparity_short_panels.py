"""Short panels: methods that need more years or observations than given say so in notes.

References are independent of the code under test: transition counts by hand or with
``np.bincount`` on classes built here, p-values from statsmodels OLS, years and group sizes
counted with pandas.
"""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from nqpf.disparity import (
    beta_convergence,
    club_convergence,
    kernel_density,
    markov,
    sigma_convergence,
    spatial_markov,
)
from nqpf.disparity.markov import MIN_TRANSITIONS
from nqpf.errors import DataValidationError


# ------------------------------------------------------------------------------- Markov chains
def test_thin_rows_are_named_with_their_counts():
    # 14 regions, 3 years, cut point 5: regions a-l stay in class 1 (12 × 2 = 24 transitions),
    # m and n stay in class 2 (2 × 2 = 4 transitions)
    wide = pd.DataFrame(
        [[1.0, 1.0, 1.0]] * 12 + [[9.0, 9.0, 9.0]] * 2,
        index=list("abcdefghijklmn"),
        columns=[2019, 2020, 2021],
    )
    res = markov(wide, classes=[5.0], periods=None)
    assert res.counts.sum(axis=1).tolist() == [24, 4]
    text = " ".join(res.notes)
    assert "class 2 (4)" in text and "class 1 (" not in text
    assert "descriptive only" not in text
    assert "mean first passage times" in text and "indicative only" in text


def test_chain_with_every_row_thin_is_descriptive_only():
    wide = pd.DataFrame(
        [[1.0, 2.0, 3.0], [2.0, 1.0, 1.0], [3.0, 3.0, 2.0]],
        index=list("abc"),
        columns=[2000, 2001, 2002],
    )
    res = markov(wide, k=3, periods=None)
    assert res.counts.sum(axis=1).tolist() == [2, 2, 2]  # 6 transitions by hand
    assert any("every row rests on fewer than 10" in n and "(2 to 2" in n for n in res.notes)
    assert any("descriptive only" in n for n in res.notes)


def test_enough_transitions_give_no_caution(gdp_wide):
    # 31 provinces × 25 steps over 4 classes: every row far above the minimum
    res = markov(gdp_wide, k=4, periods=None)
    assert res.counts.sum(axis=1).min() >= MIN_TRANSITIONS
    assert not any("transitions" in n for n in res.notes)


def _ring(n: int) -> np.ndarray:
    w = np.zeros((n, n))
    for i in range(n):
        w[i, (i - 1) % n] = w[i, (i + 1) % n] = 0.5
    return w


def test_spatial_chain_on_three_years_reproduces_the_finding(gdp_wide):
    # real GDP of the 31 provinces, 2020-2022: 62 transitions over 4 × 4 (lag, class) rows
    wide = gdp_wide[[2020, 2021, 2022]]
    w = _ring(len(wide))
    res = spatial_markov(wide, w, k=4)
    # reference counts built here: pooled quartile classes of values and of the ring lags
    values = wide.to_numpy()
    lag = w @ values
    cls = np.searchsorted(np.quantile(values, [0.25, 0.5, 0.75]), values, side="left")
    lcls = np.searchsorted(np.quantile(lag, [0.25, 0.5, 0.75]), lag, side="left")
    ref = np.bincount((lcls[:, :2] * 4 + cls[:, :2]).ravel(), minlength=16)
    per_row = res.counts.sum(axis=1).to_numpy()
    np.testing.assert_array_equal(per_row, ref)
    assert per_row.sum() == 62 and per_row.max() < MIN_TRANSITIONS
    text = " ".join(res.notes)
    assert "every row rests on fewer than 10 transitions" in text
    assert f"({per_row.min()} to {per_row.max()}" in text
    assert "descriptive only" in text and "steady states of the lag classes" in text


def test_spatial_chain_names_thin_rows_per_lag_class(gdp_wide):
    res = spatial_markov(gdp_wide, _ring(len(gdp_wide)), k=4)
    per_row = res.counts.sum(axis=1)
    thin = per_row[per_row < MIN_TRANSITIONS]
    text = " ".join(res.notes)
    for (lag, cls), n in thin.items():
        assert f"lag class {lag} · class {cls} ({n})" in text
    if thin.empty:
        assert "transitions" not in text


# --------------------------------------------------------------------------------- convergence
def _panel(values: list[list[float]], years: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": np.repeat(np.arange(len(values)), len(years)),
            "year": np.tile(years, len(values)),
            "y": np.ravel(values),
        }
    )


def _ols_p(frame: pd.DataFrame) -> tuple[float, float]:
    """β and its conventional p-value of the pooled growth regression, by statsmodels."""
    d = frame.sort_values(["region", "year"]).copy()
    d["g"] = np.log(d.groupby("region").y.shift(-1) / d.y)
    d = d.dropna(subset=["g"])
    fit = sm.OLS(d.g, sm.add_constant(np.log(d.y))).fit()
    return float(fit.params["y"]), float(fit.pvalues["y"])


def test_diverging_beta_has_no_half_life_and_says_why():
    # rich regions grow faster: β > 0
    frame = _panel([[1.0, 1.05, 1.1], [2.0, 2.3, 2.7], [4.0, 5.0, 6.5], [3.0, 3.6, 4.5]], [1, 2, 3])
    res = beta_convergence(frame, "y", effects="none", cluster=None)
    beta, _ = _ols_p(frame)
    assert res.beta == pytest.approx(beta, abs=1e-10) and beta > 0
    assert math.isnan(res.speed) and math.isnan(res.half_life)
    assert res.half_life_reason == f"β = {beta:.4f} ≥ 0: no convergence, no half-life"
    assert res.notes == (res.half_life_reason,)
    assert res.half_life_text() == res.half_life_reason
    assert res.half_life_reason in res.summary().notes


def test_insignificant_beta_has_no_half_life_and_gives_its_p_value():
    # 8 regions, 3 years, growth unrelated to the level: β slightly negative, p about 0.29
    rng = np.random.default_rng(5)
    level = rng.lognormal(0, 0.5, 8)
    steps = np.c_[np.zeros(8), rng.normal(0.05, 0.03, (8, 2))]
    frame = _panel((level[:, None] * np.exp(np.cumsum(steps, axis=1))).tolist(), [2019, 2020, 2021])
    beta, p = _ols_p(frame)
    assert beta < 0 and 0.10 < p < 0.5
    res = beta_convergence(frame, "y", effects="none", cluster=None)
    assert res.coefficients.loc["ln_y", "p_value"] == pytest.approx(p, rel=1e-9)
    assert math.isnan(res.speed) and math.isnan(res.half_life)
    assert (
        res.half_life_reason
        == f"β = {beta:.4f} not significant at 10 % (p = {p:.3g}): no half-life"
    )
    assert "nan" not in res.half_life_text()
    # the same β passes a level above its p-value
    loose = beta_convergence(frame, "y", effects="none", cluster=None, alpha=0.5)
    assert loose.half_life_reason is None and loose.notes == ()
    assert loose.speed == pytest.approx(-math.log1p(beta), rel=1e-9)
    assert loose.half_life_text() == f"half-life {math.log(2) / loose.speed:.2f} years"


def test_significant_beta_keeps_its_half_life(province_gdp):
    # real provincial GDP 2013-2022, two-way effects, clustered: β ≈ -0.128, p ≈ 4e-5
    res = beta_convergence(province_gdp[province_gdp.year >= 2013], "gdp")
    assert res.coefficients.loc["ln_y", "p_value"] < 0.001 and res.beta < 0
    assert res.half_life_reason is None and res.notes == ()
    assert res.half_life == pytest.approx(math.log(2) / -math.log1p(res.beta), rel=1e-12)
    assert "nan" not in res.half_life_text()


def test_alpha_outside_zero_one_is_refused():
    frame = _panel([[1.0, 1.3, 1.6], [2.0, 2.2, 2.5], [4.0, 4.1, 4.4]], [1, 2, 3])
    with pytest.raises(DataValidationError, match="alpha must lie strictly between 0 and 1, got 5"):
        beta_convergence(frame, "y", alpha=5)


def test_club_notes_name_the_club():
    frame = _panel(
        [[1.0, 1.05, 1.1], [2.0, 2.3, 2.7], [4.0, 5.0, 6.5], [1.0, 1.3, 1.6], [2.0, 2.2, 2.5]],
        [1, 2, 3],
    )
    frame["club"] = np.repeat(["up", "up", "up", "mix", "mix"], 3)
    res = club_convergence(frame, "y", "club", effects="none", cluster=None)
    up = res.results["up"]
    assert up.beta > 0
    assert f"up: {up.half_life_reason}" in res.notes
    assert f"up: {up.half_life_reason}" in res.summary().notes


def test_sigma_trend_on_three_years_is_noted_and_on_four_is_not(province_gdp):
    three = sigma_convergence(province_gdp[province_gdp.year >= 2020], "gdp")
    assert three.trend.shape[0] == 2
    assert len(three.notes) == 1 and "3 years (fewer than 4; 1 degree of freedom)" in three.notes[0]
    assert three.notes[0] in three.summary().notes
    two = sigma_convergence(province_gdp[province_gdp.year >= 2021], "gdp")
    assert "0 degrees of freedom" in two.notes[0]
    four = sigma_convergence(province_gdp[province_gdp.year >= 2019], "gdp")
    assert four.notes == ()


# ------------------------------------------------------------------------------ kernel density
def test_density_of_few_points_is_noted(province_gdp):
    frame = province_gdp[province_gdp.year >= 2021]
    res = kernel_density(frame, "gdp", group="macro_region", grid=16)
    sizes = frame.groupby(["year", "macro_region"]).size()
    few = sizes[sizes < 5]
    assert list(few.index.get_level_values(1).unique()) == ["northeast"]  # 3 provinces
    (note,) = res.notes
    assert note.startswith(f"{len(few)} of {len(sizes)} densities rest on fewer than 5 values")
    for (year, group), n in few.items():
        assert f"{year}, {group} (n = {n})" in note
    assert "'silverman' bandwidth rule is unreliable" in note
    assert note in res.summary().notes
    national = kernel_density(frame, "gdp", grid=16)
    assert national.notes == ()
    fixed = kernel_density(frame, "gdp", group="macro_region", grid=16, bandwidth=500.0)
    assert "bandwidth is fixed" in fixed.notes[0]
