"""Dagum Gini decomposition against a plain O(n²) double-sum evaluation and hand-worked examples."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.disparity import dagum_gini, dagum_gini_panel
from nqpf.disparity.dagum import _bootstrap, _prepare, _split_sorted
from nqpf.errors import DataValidationError

# Tolerance: every quantity is a Gini-type ratio in [0, 1] (or D in [-1, 1]); the O(n log n)
# prefix-sum evaluation and the double sum differ only by floating-point rounding.
TOL = 1e-12


def direct_dagum(y, g):
    """Dagum (1997) written out literally with double sums over all pairs (the reference)."""
    y = np.asarray(y, dtype=float)
    g = np.asarray(g)
    labels = sorted(set(g.tolist()))
    n, mu = len(y), y.mean()
    total = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * mu)
    grp = {j: y[g == j] for j in labels}
    nj = {j: len(v) for j, v in grp.items()}
    mj = {j: v.mean() for j, v in grp.items()}
    p = {j: nj[j] / n for j in labels}
    s = {j: nj[j] * mj[j] / (n * mu) for j in labels}
    gjj = {
        j: np.abs(v[:, None] - v[None, :]).sum() / (2 * nj[j] ** 2 * mj[j]) for j, v in grp.items()
    }
    within = sum(gjj[j] * p[j] * s[j] for j in labels)
    between = trans = 0.0
    gjh, djh = {}, {}
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            j, h = labels[a], labels[b]
            if mj[j] < mj[h]:
                j, h = h, j  # richer group first
            diff = grp[j][:, None] - grp[h][None, :]
            G = np.abs(diff).sum() / (nj[j] * nj[h] * (mj[j] + mj[h]))
            d = np.maximum(diff, 0).mean()
            pp = np.maximum(-diff, 0).mean()
            D = (d - pp) / (d + pp) if d + pp > 0 else 0.0
            w = p[j] * s[h] + p[h] * s[j]
            between += G * w * D
            trans += G * w * (1 - D)
            gjh[(j, h)] = gjh[(h, j)] = G
            djh[(j, h)], djh[(h, j)] = D, -D
    return {
        "total": total,
        "within": within,
        "between": between,
        "transvariation": trans,
        "gjj": gjj,
        "gjh": gjh,
        "d": djh,
        "mean": mj,
    }


def assert_matches(result, ref):
    for name in ("total", "within", "between", "transvariation"):
        assert getattr(result, name) == pytest.approx(ref[name], abs=TOL, rel=0), name
    for j, val in ref["gjj"].items():
        assert result.group_gini[j] == pytest.approx(val, abs=TOL, rel=0)
    for (j, h), val in ref["gjh"].items():
        assert result.between_gini.loc[j, h] == pytest.approx(val, abs=TOL, rel=0)
    for (j, h), val in ref["d"].items():
        assert result.d.loc[j, h] == pytest.approx(val, abs=TOL, rel=0)


def test_hand_worked_example_without_overlap():
    # A = {1, 2}, B = {3, 5}: G = 13/44, G_w = 3/44, G_nb = 10/44, G_t = 0 (worked by hand:
    # Σ|y_i - y_r| = 26, μ = 11/4; G_AA = 1/6, G_BB = 1/8, G_AB = 5/11, D_BA = 1).
    r = dagum_gini([1.0, 2.0, 3.0, 5.0], ["A", "A", "B", "B"])
    assert r.total == pytest.approx(float(Fraction(13, 44)), abs=1e-15)
    assert r.within == pytest.approx(float(Fraction(3, 44)), abs=1e-15)
    assert r.between == pytest.approx(float(Fraction(10, 44)), abs=1e-15)
    assert r.transvariation == pytest.approx(0.0, abs=1e-15)
    assert r.between_gini.loc["A", "B"] == pytest.approx(5 / 11, abs=1e-15)
    assert r.d.loc["B", "A"] == pytest.approx(1.0, abs=1e-15)


def test_hand_worked_example_with_transvariation():
    # A = {1, 4}, B = {2, 6}: μ_A = 2.5, μ_B = 4, G = 17/52, G_w = 7/52, G_AB = 5/13,
    # d_BA = 2, p_BA = 0.5, D_BA = 0.6, G_nb = 6/52, G_t = 4/52 (worked by hand).
    r = dagum_gini([1.0, 4.0, 2.0, 6.0], ["A", "A", "B", "B"])
    assert r.total == pytest.approx(17 / 52, abs=1e-15)
    assert r.within == pytest.approx(7 / 52, abs=1e-15)
    assert r.between == pytest.approx(6 / 52, abs=1e-15)
    assert r.transvariation == pytest.approx(4 / 52, abs=1e-15)
    assert r.d.loc["B", "A"] == pytest.approx(0.6, abs=1e-15)
    assert r.affluence.loc["B", "A"] == pytest.approx(2.0, abs=1e-15)
    assert r.affluence.loc["A", "B"] == pytest.approx(0.5, abs=1e-15)  # p_BA = d_AB
    assert r.group_gini.to_dict() == pytest.approx({"A": 0.3, "B": 0.25}, abs=1e-15)


@pytest.mark.parametrize("yr", [1997, 2010, 2022])
def test_real_provincial_gdp_by_macro_region_matches_double_sum(province_gdp, yr):
    sub = province_gdp[province_gdp.year == yr]
    r = dagum_gini(sub.gdp.to_numpy(), sub.macro_region.to_numpy())
    assert_matches(r, direct_dagum(sub.gdp, sub.macro_region))
    assert r.total == pytest.approx(r.within + r.between + r.transvariation, abs=1e-12)
    assert r.contributions.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("n, k", [(50, 2), (400, 6), (1500, 4)], ids=["n50k2", "n400k6", "n1500k4"])
def test_random_lognormal_matches_double_sum(rng, n, k):
    y = rng.lognormal(3.0, 1.0, n)
    g = rng.integers(0, k, n)
    assert_matches(dagum_gini(y, g), direct_dagum(y, g))


def test_ties_and_zeros_match_double_sum(rng):
    y = rng.integers(0, 5, 300).astype(float)  # many ties and some zeros
    g = rng.choice(["e", "c", "w"], 300)
    assert_matches(dagum_gini(y, g), direct_dagum(y, g))


def test_large_values_keep_precision(rng):
    # values around 1e9 with a small spread: centring keeps the prefix sums well conditioned
    y = 1e9 + rng.normal(0, 10, 500)
    g = rng.integers(0, 3, 500)
    r, ref = dagum_gini(y, g), direct_dagum(y, g)
    # G is about 5e-9 here: require agreement to 1e-12 of G (twelve significant digits of G)
    for name in ("total", "within", "between", "transvariation"):
        assert getattr(r, name) == pytest.approx(ref[name], abs=1e-12 * ref["total"], rel=0)


def test_integer_population_weights_equal_repetition(rng):
    y = rng.lognormal(size=40)
    g = rng.integers(0, 3, 40)
    w = rng.integers(1, 5, 40)
    weighted = dagum_gini(y, g, weights=w)
    repeated = dagum_gini(np.repeat(y, w), np.repeat(g, w))
    for name in ("total", "within", "between", "transvariation"):
        assert getattr(weighted, name) == pytest.approx(getattr(repeated, name), abs=1e-12)
    pd.testing.assert_series_equal(weighted.group_size, repeated.group_size)


def test_single_member_group_has_zero_within_gini():
    r = dagum_gini([5.0, 1.0, 2.0, 4.0], ["solo", "x", "x", "x"])
    assert r.group_gini["solo"] == 0.0
    assert_matches(r, direct_dagum([5.0, 1.0, 2.0, 4.0], ["solo", "x", "x", "x"]))


def test_identical_constant_groups_have_zero_d():
    r = dagum_gini([2.0, 2.0, 2.0, 2.0, 1.0], list("aabbc"))
    assert r.d.loc["a", "b"] == 0.0
    assert r.total == pytest.approx(r.within + r.between + r.transvariation, abs=1e-15)


def test_categorical_groups_keep_category_order():
    groups = pd.Categorical(["w", "e", "c", "e"], categories=["e", "c", "w", "ne"])
    r = dagum_gini([1.0, 3.0, 2.0, 4.0], pd.Series(groups))
    assert list(r.group_gini.index) == ["e", "c", "w"]  # unused category "ne" has no members


def test_to_frame_is_tidy():
    r = dagum_gini([1.0, 4.0, 2.0, 6.0, 3.0], ["A", "A", "B", "B", "C"])
    frame = r.to_frame()
    assert list(frame.columns) == ["component", "group", "other_group", "value"]
    assert set(frame.component) >= {
        "total",
        "within",
        "between",
        "transvariation",
        "group_gini",
        "between_gini",
        "d",
        "share_between",
    }
    assert (frame.component == "between_gini").sum() == 3


# ------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "values, groups, match",
    [
        ([1.0, np.nan, 2.0], list("aab"), "missing or infinite"),
        ([1.0, -2.0, 2.0], list("aab"), "non-negative"),
        ([0.0, 0.0, 2.0], list("aab"), r"\['a'\] have mean 0"),
        ([1.0, 2.0, 3.0], list("ab"), "2 entries"),
        ([1.0, 2.0, 3.0], ["a", None, "b"], "missing label"),
    ],
    ids=["nan", "negative", "all-zero-group", "length", "missing-group"],
)
def test_bad_input_is_named(values, groups, match):
    with pytest.raises(DataValidationError, match=match):
        dagum_gini(values, groups)


def test_nan_error_names_the_region():
    values = pd.Series([1.0, np.nan], index=["北京", "上海"])
    with pytest.raises(DataValidationError, match="上海"):
        dagum_gini(values, ["e", "e"])


def test_non_positive_weights_are_refused():
    with pytest.raises(DataValidationError, match="population weights"):
        dagum_gini([1.0, 2.0], ["a", "b"], weights=[1.0, 0.0])


# --------------------------------------------------------------------------------- properties
positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def samples(draw):
    n = draw(st.integers(min_value=2, max_value=40))
    y = draw(st.lists(positive, min_size=n, max_size=n))
    g = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return np.array(y), np.array(g)


@settings(max_examples=60, deadline=None)
@given(samples(), st.floats(min_value=1e-3, max_value=1e3))
def test_scale_invariance(sample, c):
    y, g = sample
    a, b = dagum_gini(y, g), dagum_gini(c * y, g)
    for name in ("total", "within", "between", "transvariation"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(samples(), st.randoms(use_true_random=False))
def test_permutation_invariance_and_identity(sample, random):
    y, g = sample
    order = list(range(len(y)))
    random.shuffle(order)
    a, b = dagum_gini(y, g), dagum_gini(y[order], g[order])
    for name in ("total", "within", "between", "transvariation"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), abs=1e-12)
    assert a.total == pytest.approx(a.within + a.between + a.transvariation, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(positive, min_size=2, max_size=40))
def test_one_group_has_no_between_part(values):
    r = dagum_gini(values, ["all"] * len(values))
    assert r.between == 0.0 and r.transvariation == 0.0
    assert r.within == pytest.approx(r.total, abs=1e-12)


# ---------------------------------------------------------------------------------- bootstrap
def test_bootstrap_replicates_equal_double_sum_of_the_resamples(rng):
    y = rng.lognormal(size=60)
    g = rng.integers(0, 3, 60)
    yy, w, codes, labels, _ = _prepare(y, g, None)
    reps = _bootstrap(yy, w, codes, len(labels), 4, np.random.default_rng(7))
    # regenerate the same resamples: group values sorted ascending, indices drawn group by group
    values, _ = _split_sorted(yy, w, codes, len(labels))
    draw = np.random.default_rng(7)
    idx = [draw.integers(0, len(v), size=(4, len(v))) for v in values]
    for b in range(4):
        ys = np.concatenate([v[i[b]] for v, i in zip(values, idx, strict=True)])
        gs = np.concatenate([np.full(len(v), j) for j, v in enumerate(values)])
        ref = direct_dagum(ys, gs)
        for name in ("total", "within", "between", "transvariation"):
            assert reps[name][b] == pytest.approx(ref[name], abs=TOL), name
        for j in range(len(labels)):
            assert reps["group_gini"][b, j] == pytest.approx(ref["gjj"][j], abs=TOL)


def test_panel_bootstrap_is_seeded_and_brackets_the_estimate(province_gdp):
    sub = province_gdp[province_gdp.year.isin([2000, 2010, 2020])]
    a = dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=199, seed=3, region="name")
    b = dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=199, seed=3, region="name")
    c = dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=199, seed=4, region="name")
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert not np.allclose(a.to_frame()["lower"], c.to_frame()["lower"])
    tot = a.to_frame().query("component == 'total'")
    assert (tot.lower < tot.upper).all() and (tot.std_error > 0).all()
    assert a.meta["seed"] == 3 and a.bootstrap == 199
    # point estimates are those of dagum_gini on each year
    direct = dagum_gini(sub[sub.year == 2010].gdp.to_numpy(), sub[sub.year == 2010].macro_region)
    assert a.components().loc[2010, "total"] == pytest.approx(direct.total, abs=1e-15)


def test_panel_bootstrap_streams_are_keyed_by_year(province_gdp):
    """Adding or removing a year leaves every other year's intervals bit-identical."""
    sub = province_gdp[province_gdp.year.isin([2000, 2010, 2020])]
    full = dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=99, seed=3).to_frame()
    part = dagum_gini_panel(
        sub[sub.year != 2010], "gdp", "macro_region", bootstrap=99, seed=3
    ).to_frame()
    cols = ["std_error", "lower", "upper"]
    for yr in (2000, 2020):
        np.testing.assert_array_equal(
            full.loc[full.year == yr, cols].to_numpy(), part.loc[part.year == yr, cols].to_numpy()
        )


def test_panel_bootstrap_seed_none_is_recorded_and_reproduces(province_gdp):
    sub = province_gdp[province_gdp.year.isin([2010, 2020])]
    a = dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=49, seed=None)
    assert isinstance(a.meta["seed"], int)
    b = dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=49, seed=a.meta["seed"])
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    with pytest.raises(DataValidationError, match="str"):
        dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=49, seed="1")


def test_panel_nan_error_names_region_and_year(province_gdp):
    sub = province_gdp[province_gdp.year == 2020].copy()
    sub.loc[sub.index[3], "gdp"] = np.nan
    name = sub.name.iloc[3]
    with pytest.raises(DataValidationError, match=f"{name}.*2020"):
        dagum_gini_panel(sub, "gdp", "macro_region", region="name")


def test_panel_missing_column_is_named(province_gdp):
    with pytest.raises(DataValidationError, match="'zone'"):
        dagum_gini_panel(province_gdp, "gdp", "zone")
