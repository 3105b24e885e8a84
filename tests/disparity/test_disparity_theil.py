"""Theil T/L and CV against PySAL ``inequality`` and the formulas written out plainly."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inequality.theil import Theil, TheilD

from nqpf.disparity import coefficient_of_variation, disparity_table, theil
from nqpf.errors import DataValidationError

# PySAL adds numpy.finfo(float).tiny to zeros only; with positive data both evaluate the same
# formula, so they agree to rounding.
TOL = 1e-12


@pytest.mark.parametrize("yr", [1997, 2008, 2022])
def test_theil_t_matches_pysal_on_real_data(province_gdp, yr):
    sub = province_gdp[province_gdp.year == yr]
    y = sub.gdp.to_numpy()
    g = sub.macro_region.to_numpy()
    ref = TheilD(y, g)
    r = theil(y, g, kind="T")
    assert r.total == pytest.approx(float(np.squeeze(ref.T)), abs=TOL)
    assert r.between == pytest.approx(float(np.squeeze(ref.bg)), abs=TOL)
    assert r.within == pytest.approx(float(np.squeeze(ref.wg)), abs=TOL)
    assert theil(y).total == pytest.approx(float(np.squeeze(Theil(y).T)), abs=TOL)


def test_theil_l_matches_the_formula_written_out(rng):
    y = rng.lognormal(size=200)
    g = rng.integers(0, 4, 200)
    mu = y.mean()
    total = np.mean(np.log(mu / y))
    between = sum((g == k).mean() * np.log(mu / y[g == k].mean()) for k in range(4))
    within = sum((g == k).mean() * np.mean(np.log(y[g == k].mean() / y[g == k])) for k in range(4))
    r = theil(y, g, kind="L")
    assert r.total == pytest.approx(total, abs=TOL)
    assert r.between == pytest.approx(between, abs=TOL)
    assert r.within == pytest.approx(within, abs=TOL)
    # MLD identity: L = ln(mean) - mean(ln y)
    assert r.total == pytest.approx(np.log(mu) - np.log(y).mean(), abs=TOL)


def test_theil_t_hand_worked():
    # y = 1, 2, 3, 6; mu = 3: T = [(1/3)ln(1/3) + (2/3)ln(2/3) + 0 + 2 ln 2] / 4
    expected = (np.log(1 / 3) / 3 + 2 / 3 * np.log(2 / 3) + 2 * np.log(2)) / 4
    assert theil([1.0, 2.0, 3.0, 6.0]).total == pytest.approx(expected, abs=1e-15)


def test_theil_t_accepts_zeros_with_zero_log_zero():
    # 0·ln 0 = 0: y = (0, 2): mu = 1, T = (0 + 2 ln 2) / 2 = ln 2
    assert theil([0.0, 2.0]).total == pytest.approx(np.log(2), abs=1e-15)


def test_group_contributions_add_up(rng):
    y = rng.lognormal(size=100)
    g = rng.choice(["e", "c", "w", "ne"], 100)
    for kind in ("T", "L"):
        r = theil(y, g, kind=kind)
        assert r.group_contribution.sum() == pytest.approx(r.within, abs=1e-14)
        assert r.contributions.sum() == pytest.approx(1.0, abs=1e-14)
        assert r.total == pytest.approx(r.within + r.between, abs=1e-14)


def test_cv_matches_numpy_definition():
    y = np.array([1.0, 2.0, 3.0, 10.0])
    assert coefficient_of_variation(y) == pytest.approx(np.std(y) / np.mean(y), abs=1e-15)
    assert coefficient_of_variation(y, ddof=1) == pytest.approx(
        np.std(y, ddof=1) / np.mean(y), abs=1e-15
    )


def test_disparity_table_by_year_matches_single_calls(province_gdp):
    sub = province_gdp[province_gdp.year.isin([2000, 2020])]
    table = disparity_table(sub, "gdp", "macro_region").table
    assert list(table.index) == [2000, 2020]
    y20 = sub[sub.year == 2020]
    t = theil(y20.gdp.to_numpy(), y20.macro_region.to_numpy())
    assert table.loc[2020, "theil_t_between"] == pytest.approx(t.between, abs=1e-15)
    assert table.loc[2020, "cv"] == pytest.approx(y20.gdp.std(ddof=0) / y20.gdp.mean(), abs=1e-14)
    long = disparity_table(sub, "gdp", "macro_region").to_frame()
    assert list(long.columns) == ["year", "measure", "value"]


# ------------------------------------------------------------------------------------ bad input
def test_theil_l_refuses_zero_naming_the_region():
    values = pd.Series([1.0, 0.0, 2.0], index=["北京", "西藏", "上海"])
    with pytest.raises(DataValidationError, match="西藏"):
        theil(values, kind="L")


def test_theil_t_refuses_negative_values():
    with pytest.raises(DataValidationError, match="non-negative"):
        theil([1.0, -1.0, 2.0])


def test_theil_refuses_all_zero_group():
    with pytest.raises(DataValidationError, match="mean 0"):
        theil([0.0, 0.0, 2.0], ["a", "a", "b"])


def test_theil_rejects_unknown_kind():
    with pytest.raises(DataValidationError, match="'T' or 'L'"):
        theil([1.0, 2.0], kind="X")


def test_disparity_table_zero_value_needs_theil_l_left_out(province_gdp):
    sub = province_gdp[province_gdp.year == 2020].copy()
    sub.loc[sub.index[0], "gdp"] = 0.0
    with pytest.raises(DataValidationError, match="year 2020.*strictly positive"):
        disparity_table(sub, "gdp", "macro_region")
    table = disparity_table(sub, "gdp", "macro_region", measures=("gini", "theil_t")).table
    assert "theil_l" not in table.columns


def test_disparity_table_nan_names_region_and_year(province_gdp):
    sub = province_gdp[province_gdp.year == 2015].copy()
    sub.loc[sub.index[5], "gdp"] = np.nan
    with pytest.raises(DataValidationError, match=f"{sub.name.iloc[5]}.*2015"):
        disparity_table(sub, "gdp", "macro_region", region="name")


def test_cv_needs_positive_mean():
    with pytest.raises(DataValidationError, match="positive"):
        coefficient_of_variation([0.0, 0.0])


# --------------------------------------------------------------------------------- properties
positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(positive, st.integers(0, 3)), min_size=2, max_size=40),
    st.floats(min_value=1e-3, max_value=1e3),
    st.sampled_from(["T", "L"]),
)
def test_scale_and_permutation_invariance(pairs, c, kind):
    y = np.array([p[0] for p in pairs])
    g = np.array([p[1] for p in pairs])
    a = theil(y, g, kind=kind)
    b = theil(c * y[::-1], g[::-1], kind=kind)
    for name in ("total", "within", "between"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), abs=1e-10)
    assert a.total == pytest.approx(a.within + a.between, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(positive, min_size=2, max_size=40), st.sampled_from(["T", "L"]))
def test_one_group_has_no_between_part(values, kind):
    r = theil(values, ["all"] * len(values), kind=kind)
    assert r.between == pytest.approx(0.0, abs=1e-15)
    assert r.within == pytest.approx(r.total, abs=1e-12)
