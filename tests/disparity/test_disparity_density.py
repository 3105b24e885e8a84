"""Kernel density against scipy.stats.gaussian_kde; bandwidth rules against published values and
hand-worked examples."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import gaussian_kde

from nqpf.disparity import kde_bandwidth, kernel_density
from nqpf.errors import DataValidationError

# skewed sample used in the hand-worked bandwidths below (n = 8, mean 5, Σ(y - 5)² = 320)
SKEWED = [1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 10.0, 20.0]


def test_matlab_rule_reproduces_ksdensity_value():
    # MATLAB Answers thread 232493 ("ksdensity default bandwidth value"): for m = [1, 3, 2, 5]
    # ksdensity reports a bandwidth of 1.1901 (median |x - 2.5| = 1, sigma = 1/0.6745).
    assert kde_bandwidth([1.0, 3.0, 2.0, 5.0], "matlab") == pytest.approx(1.1901, abs=5e-5)


def test_scott_rule_equals_scipy_silverman_factor(rng):
    # scipy's bw_method="silverman" factor is (n (d + 2) / 4)^(-1/(d + 4)) = (4 / (3n))^(1/5)
    # times the sample standard deviation: the normal reference rule ("1.06 σ n^(-1/5)").
    x = rng.lognormal(size=57)
    kde = gaussian_kde(x, bw_method="silverman")
    assert kde_bandwidth(x, "scott") == pytest.approx(kde.factor * x.std(ddof=1), rel=1e-12)


def test_silverman_rule_hand_worked():
    # quartiles by linear interpolation: q25 = 1, q75 = 3 + 0.25 × 7 = 4.75, IQR = 3.75;
    # sd = sqrt(320 / 7) = 6.761 > IQR / 1.34 = 2.7985, so h = 0.9 × 2.7985 × 8^(-1/5)
    expected = 0.9 * (3.75 / 1.34) * 8 ** (-0.2)
    assert kde_bandwidth(SKEWED, "silverman") == pytest.approx(expected, rel=1e-12)


def test_stata_rule_hand_worked():
    # Stata's summarize percentiles: P = n p; integer P averages x_(P) and x_(P+1):
    # p25 = (x2 + x3)/2 = 1, p75 = (x6 + x7)/2 = 6.5, IQR = 5.5; m = min(6.761, 5.5 / 1.349)
    expected = 0.9 * (5.5 / 1.349) * 8 ** (-0.2)
    assert kde_bandwidth(SKEWED, "stata") == pytest.approx(expected, rel=1e-12)


def test_rules_differ_substantially_on_skewed_data():
    h = {rule: kde_bandwidth(SKEWED, rule) for rule in ("silverman", "scott", "matlab", "stata")}
    assert max(h.values()) / min(h.values()) > 2


@pytest.mark.parametrize("rule", ["silverman", "scott", "matlab", "stata", 0.37])
def test_density_matches_scipy_gaussian_kde(province_gdp, rule):
    frame = province_gdp[province_gdp.year.isin([2005, 2015])].assign(lg=lambda d: np.log(d.gdp))
    res = kernel_density(frame, "lg", bandwidth=rule, grid=64)
    for yr in (2005, 2015):
        x = frame.loc[frame.year == yr, "lg"].to_numpy()
        h = res.bandwidths.set_index("year").loc[yr, "bandwidth"]
        kde = gaussian_kde(x, bw_method=h / x.std(ddof=1))  # same bandwidth h
        got = res.surface().loc[yr].to_numpy()
        np.testing.assert_allclose(got, kde(res.grid), rtol=1e-10, atol=1e-14)


def test_density_integrates_to_one_and_grid_is_shared(rng):
    frame = pd.DataFrame({"year": np.repeat([1, 2, 3], 50), "v": rng.normal(size=150)})
    # cut = 6 bandwidths leaves less than 1e-8 of any kernel's mass outside the grid
    res = kernel_density(frame, "v", grid=2001, cut=6.0)
    surf = res.surface()
    assert surf.shape == (3, 2001)
    area = surf.to_numpy().sum(axis=1) * (res.grid[1] - res.grid[0])
    np.testing.assert_allclose(area, 1.0, atol=1e-6)


def test_density_per_group(province_gdp):
    frame = province_gdp[province_gdp.year == 2020]
    res = kernel_density(frame, "gdp", group="macro_region", bandwidth="scott", grid=32)
    assert set(res.density.columns) == {"year", "group", "x", "density"}
    assert len(res.bandwidths) == 4
    assert res.surface(group="east").shape == (1, 32)
    with pytest.raises(DataValidationError, match="per group"):
        res.surface()


def test_explicit_grid_points_are_used():
    frame = pd.DataFrame({"year": [1] * 4, "v": [1.0, 3.0, 2.0, 5.0]})
    res = kernel_density(frame, "v", bandwidth="matlab", grid=[2.0, 3.0])
    np.testing.assert_array_equal(res.density.x.to_numpy(), [2.0, 3.0])


# ------------------------------------------------------------------------------------ bad input
def test_zero_spread_year_is_named():
    frame = pd.DataFrame({"year": [1, 1, 1, 2, 2, 2], "v": [1.0, 2.0, 3.0, 4.0, 4.0, 4.0]})
    with pytest.raises(DataValidationError, match="year 2.*pass bandwidth"):
        kernel_density(frame, "v")


def test_single_value_year_is_named():
    frame = pd.DataFrame({"year": [1, 1, 2], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(DataValidationError, match="year 2 has 1 value"):
        kernel_density(frame, "v")


def test_unknown_rule_and_bad_bandwidth():
    frame = pd.DataFrame({"year": [1, 1, 1], "v": [1.0, 2.0, 4.0]})
    with pytest.raises(DataValidationError, match="unknown"):
        kernel_density(frame, "v", bandwidth="normal")
    with pytest.raises(DataValidationError, match="positive"):
        kernel_density(frame, "v", bandwidth=-1.0)


def test_missing_value_names_region_and_year():
    frame = pd.DataFrame(
        {"region": ["北京", "上海", "广东"], "year": [2020] * 3, "v": [1.0, np.nan, 2.0]}
    )
    with pytest.raises(DataValidationError, match="上海.*2020"):
        kernel_density(frame, "v", region="region")


def test_missing_group_label_is_named():
    frame = pd.DataFrame(
        {
            "region": ["北京", "上海", "广东", "湖南"],
            "year": [2020] * 4,
            "v": [1.0, 2.0, 3.0, 4.0],
            "zone": ["e", None, "e", "c"],
        }
    )
    with pytest.raises(DataValidationError, match="'zone' is missing.*上海"):
        kernel_density(frame, "v", group="zone", region="region")
