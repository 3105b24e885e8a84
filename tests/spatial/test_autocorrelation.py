"""Moran's I, local Moran and Getis-Ord against esda (same weights), exact enumeration and
hand-worked formulas.

Tolerances: statistics and analytical moments to 1e-10 (absolute). Permutation p-values come from
different random streams than esda's, so they agree only within Monte Carlo error: for P
permutations each p-value estimate has standard deviation sqrt(p(1 - p)/P); the difference of two
independent estimates is allowed 5 standard deviations plus 2/(P + 1) for the (M + 1)/(P + 1)
discreteness (a false failure has probability < 1e-4 even over a few hundred regions).
"""

import itertools
import warnings

import esda
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from nqpf.data import load_province_panel
from nqpf.errors import DataValidationError, IslandWarning, WeightsError
from nqpf.spatial import SpatialWeights, distance_weights, knn_weights
from nqpf.spatial.autocorrelation import (
    getis_ord,
    getis_ord_by_year,
    local_moran,
    local_moran_by_year,
    moran,
    moran_by_year,
)


def quiet(call, *args, **kwargs):
    """Run an esda call without its deprecation notice about a future default alternative."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call(*args, **kwargs)


def mc_tolerance(p, permutations):
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1)
    return 5 * np.sqrt(2 * p * (1 - p) / permutations) + 2 / (permutations + 1)


@pytest.fixture(scope="module")
def gdp():
    """Real data: provincial GDP (亿元), 2018-2020, long format."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        long = load_province_panel().to_long()
    sel = long[(long.indicator == "gdp") & long.year.between(2018, 2020)]
    return sel[["region_code", "year", "value"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def gdp2020(gdp):
    one = gdp[gdp.year == 2020]
    return pd.Series(one.value.to_numpy(), index=one.region_code.to_numpy())


@pytest.fixture(scope="module")
def random_field():
    rng = np.random.default_rng(20240501)
    n = 200
    pts = np.column_stack([rng.uniform(100, 120, n), rng.uniform(22, 42, n)])
    y = 0.15 * pts[:, 0] + rng.normal(size=n)
    return pts, y


def weights_cases(queen, random_field):
    pts, y = random_field
    binary = SpatialWeights.from_array(queen.dense > 0, queen.codes, row_standardize=False)
    return {
        "queen-row": (queen, "r"),
        "queen-binary": (binary, "B"),
        "knn6-row": (knn_weights(pts, k=6), "r"),
        "inverse-distance": (distance_weights(pts, power=1), "r"),
    }


# ---------------------------------------------------------------- global Moran
@pytest.mark.parametrize("case", ["queen-row", "queen-binary", "knn6-row", "inverse-distance"])
def test_moran_matches_esda(queen, random_field, gdp2020, case):
    w, transformation = weights_cases(queen, random_field)[case]
    y = gdp2020 if case.startswith("queen") else random_field[1]
    ref = esda.Moran(np.asarray(y), w.to_libpysal(), transformation=transformation, permutations=0)
    ours = moran(y, w, permutations=0)
    for mine, theirs in [
        (ours.statistic, ref.I),
        (ours.expected, ref.EI),
        (ours.variance, ref.VI_norm),
        (ours.variance_randomization, ref.VI_rand),
        (ours.z_score, ref.z_norm),
        (ours.z_score_randomization, ref.z_rand),
        (ours.p_value, ref.p_norm),
        (ours.p_value_randomization, ref.p_rand),
    ]:
        assert mine == pytest.approx(theirs, abs=1e-10, rel=0)


def test_moran_permutation_p_within_monte_carlo_error(random_field):
    pts, _ = random_field
    rng = np.random.default_rng(7)
    y = rng.normal(size=len(pts)) + 0.03 * pts[:, 0]  # weak pattern: p-value away from 0
    w = knn_weights(pts, k=5)
    P = 9999
    np.random.seed(3)  # noqa: NPY002 - esda's global Moran permutes with the global RNG
    ref = esda.Moran(y, w.to_libpysal(), permutations=P)
    ours = moran(y, w, permutations=P, seed=4, alternative="directed")
    assert abs(ours.p_value_permutation - ref.p_sim) <= mc_tolerance(ref.p_sim, P)
    # mean and SD of the permutation distribution: SD of the mean is sd/sqrt(P)
    assert abs(ours.simulated_mean - ref.EI_sim) < 5 * ref.seI_sim * np.sqrt(2 / P)
    assert ours.simulated_sd == pytest.approx(ref.seI_sim, rel=0.05)


def test_moran_permutation_exact_enumeration():
    """n = 7: all 5040 permutations enumerated give the exact p-value (hand reference)."""
    w = SpatialWeights.from_array(
        np.array(
            [
                [0, 1, 1, 0, 0, 0, 0],
                [1, 0, 1, 1, 0, 0, 0],
                [1, 1, 0, 1, 1, 0, 0],
                [0, 1, 1, 0, 1, 1, 0],
                [0, 0, 1, 1, 0, 1, 1],
                [0, 0, 0, 1, 1, 0, 1],
                [0, 0, 0, 0, 1, 1, 0],
            ]
        ),
        list("abcdefg"),
    )
    x = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.6])
    z = x - x.mean()
    dense = w.dense
    stat = lambda v: len(v) / dense.sum() * v @ dense @ v / (v @ v)  # noqa: E731
    observed = stat(z)
    sims = np.array([stat(z[list(p)]) for p in itertools.permutations(range(7))])
    exact = np.mean(sims >= observed - 1e-12)
    P = 20000
    ours = moran(x, w, permutations=P, seed=1, alternative="greater")
    assert ours.statistic == pytest.approx(observed, abs=1e-12)
    assert abs(ours.p_value_permutation - exact) <= 5 * np.sqrt(exact * (1 - exact) / P) + 2 / P


# ---------------------------------------------------------------- local Moran
@pytest.mark.parametrize("case", ["queen-row", "knn6-row", "inverse-distance"])
def test_local_moran_matches_esda(queen, random_field, gdp2020, case):
    w, _ = weights_cases(queen, random_field)[case]
    y = gdp2020 if case.startswith("queen") else pd.Series(random_field[1], index=w.codes)
    P = 2999
    ref = quiet(esda.Moran_Local, y.to_numpy(), w.to_libpysal(), permutations=P, seed=11, n_jobs=1)
    ours = local_moran(y, w, permutations=P, seed=12, alternative="directed")
    np.testing.assert_allclose(ours.statistic, ref.Is, rtol=0, atol=1e-10)
    quads = np.array(["", "HH", "LH", "LL", "HL"])[ref.q]
    assert (ours.quadrant == quads).all()
    np.testing.assert_allclose(ours.lag, ref.z @ w.dense.T, rtol=0, atol=1e-10)
    assert np.all(np.abs(ours.p_value - ref.p_sim) <= mc_tolerance(ref.p_sim, P))


def test_local_moran_denominator_n_is_spdep(gdp2020, queen):
    # spdep::localmoran: I_i = z_i / m2 * sum_j w_ij z_j, m2 = sum(z^2) / n (R documentation)
    x = gdp2020.to_numpy()
    z = x - x.mean()
    m2 = (z @ z) / len(z)
    expected = z / m2 * (queen.align(gdp2020.index).dense @ z)
    ours = local_moran(gdp2020, queen, permutations=0, denominator="n")
    np.testing.assert_allclose(ours.statistic, expected, rtol=1e-12)


def test_local_moran_fdr_matches_statsmodels(random_field):
    pts, y = random_field
    w = knn_weights(pts, k=6)
    r = local_moran(y, w, permutations=499, seed=5, fdr=True, alpha=0.1)
    ref = multipletests(r.p_value, alpha=0.1, method="fdr_bh")
    np.testing.assert_allclose(r.p_value_adjusted, ref[1], rtol=1e-12)
    assert (r.significant == ref[0]).all()
    frame = r.to_frame()
    assert set(frame.cluster_zh) <= {"高-高", "低-低", "高-低", "低-高", "不显著"}
    assert (frame.loc[~frame.significant, "cluster"] == "ns").all()


def test_conditional_randomisation_exact_enumeration():
    """Region a has two neighbours with unequal weights; enumerate all ordered draws."""
    codes = list("abcdef")
    m = np.zeros((6, 6))
    m[0, 1], m[0, 2] = 0.7, 0.3
    m[1:, 0] = 1.0
    w = SpatialWeights.from_array(m, codes, row_standardize=False)
    x = np.array([2.0, 5.0, -1.0, 0.5, 3.0, -2.5])
    z = x - x.mean()
    m2 = z @ z / 5
    observed = z[0] * (0.7 * z[1] + 0.3 * z[2]) / m2
    draws = [
        z[0] * (0.7 * z[i] + 0.3 * z[j]) / m2 for i, j in itertools.permutations(range(1, 6), 2)
    ]
    exact = np.mean(np.array(draws) >= observed - 1e-12)
    P = 40000
    r = local_moran(x, w, permutations=P, seed=2, alternative="greater")
    assert r.statistic[0] == pytest.approx(observed, abs=1e-12)
    assert abs(r.p_value[0] - exact) <= 5 * np.sqrt(exact * (1 - exact) / P) + 2 / P


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31), st.floats(0.1, 50), st.floats(-100, 100))
def test_local_sum_and_affine_invariance(seed, scale, shift):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 10, size=(25, 2))
    w = knn_weights(pts, k=3)
    x = rng.normal(size=25)
    g = moran(x, w, permutations=0)
    loc = local_moran(x, w, permutations=0)
    # Anselin (1995): with row-standardised W (S0 = n), sum_i I_i = (n - 1) I for "n-1"
    assert loc.statistic.sum() == pytest.approx((25 - 1) * g.statistic, abs=1e-9)
    g2 = moran(shift + scale * x, w, permutations=0)
    assert g2.statistic == pytest.approx(g.statistic, abs=1e-9)


# ---------------------------------------------------------------- Getis-Ord
@pytest.mark.parametrize("star", [True, False], ids=["Gi*", "Gi"])
def test_getis_ord_binary_matches_esda(queen, gdp2020, star):
    binary = SpatialWeights.from_array(queen.dense > 0, queen.codes, row_standardize=False)
    y = gdp2020.reindex(list(binary.codes))
    P = 2999
    ref = quiet(
        esda.G_Local,
        y.to_numpy(),
        binary.to_libpysal(),
        transform="B",
        star=star,
        permutations=P,
        seed=3,
        n_jobs=1,
    )
    ours = getis_ord(y, binary, star=star, permutations=P, seed=4, alternative="directed")
    np.testing.assert_allclose(ours.statistic, ref.Gs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.expected, ref.EGs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.variance, ref.VGs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.z_score, ref.Zs, rtol=0, atol=1e-10)
    assert np.all(np.abs(ours.p_value_permutation - ref.p_sim) <= mc_tolerance(ref.p_sim, P))


def test_getis_ord_row_standardised(queen, gdp2020):
    y = gdp2020.reindex(list(queen.codes))
    binary = SpatialWeights.from_array(queen.dense > 0, queen.codes, row_standardize=False)
    with pytest.warns(UserWarning, match="self-weight"):  # esda fills the diagonal with the row max
        ref = esda.G_Local(
            y.to_numpy(), binary.to_libpysal(), transform="R", star=True, permutations=0
        )
    ours = getis_ord(y, queen, permutations=0)
    np.testing.assert_allclose(ours.statistic, ref.Gs, rtol=0, atol=1e-10)
    # Ord & Getis (1995) z-scores do not depend on the row scaling: same as binary weights
    np.testing.assert_allclose(
        ours.z_score, getis_ord(y, binary, permutations=0).z_score, atol=1e-10
    )


def test_hotspot_classes_hand_worked():
    w = SpatialWeights.from_array(
        [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]],
        list("abcd"),
        row_standardize=False,
    )
    r = getis_ord([1.0, 2.0, 3.0, 10.0], w, permutations=0)
    # by hand: xbar = 4, s^2 = 114/4 - 16 = 12.5, N = 4; d: W = 2, S1 = 2, sum = 13
    z_d = (13 - 4 * 2) / (np.sqrt(12.5) * np.sqrt((4 * 2 - 4) / 3))
    assert r.z_score[3] == pytest.approx(z_d, rel=1e-12)
    p = 2 * (1 - __import__("scipy").stats.norm.cdf(abs(r.z_score)))
    expect = np.sign(r.z_score) * np.select([p < 0.01, p < 0.05, p < 0.1], [3, 2, 1], 0)
    assert (r.hotspot == expect).all()
    frame = r.to_frame()
    assert list(frame.hotspot_en[frame.hotspot == 0].unique()) in ([], ["Not significant"])


# ---------------------------------------------------------------- by year
def test_moran_by_year_matches_esda_each_year(gdp, queen):
    res = moran_by_year(gdp, queen, permutations=99, seed=1)
    assert list(res.table.year) == [2018, 2019, 2020]
    for yr in (2018, 2019, 2020):
        one = gdp[gdp.year == yr].set_index("region_code").value
        ref = esda.Moran(
            one.reindex(list(queen.codes)).to_numpy(), queen.to_libpysal(), permutations=0
        )
        got = res.table.set_index("year").loc[yr]
        assert got.statistic == pytest.approx(ref.I, abs=1e-10)
        assert got.z_score == pytest.approx(ref.z_norm, abs=1e-10)
    assert "year" in res.to_frame() and str(res.summary())


def test_local_and_getis_by_year(gdp, queen):
    lisa = local_moran_by_year(gdp, queen, permutations=99, seed=2)
    assert len(lisa.table) == 3 * 31 and {"year", "region_code", "cluster_en"} <= set(lisa.table)
    hot = getis_ord_by_year(gdp, queen, permutations=0)
    assert len(hot.table) == 93 and "hotspot_zh" in hot.table
    assert str(lisa.summary()) and str(hot.summary())


@pytest.mark.parametrize(
    ("by_year", "column"),
    [
        (moran_by_year, "simulated_sd"),  # continuous: p-values of 99 draws can tie by chance
        (local_moran_by_year, "p_value"),
        (getis_ord_by_year, "p_value_permutation"),
    ],
)
def test_by_year_streams_are_keyed_by_year(gdp, queen, by_year, column):
    """Adding or removing a year leaves every other year's permutation results bit-identical."""
    full = by_year(gdp, queen, permutations=99, seed=4).table
    part = by_year(gdp[gdp.year != 2019], queen, permutations=99, seed=4).table
    for yr in (2018, 2020):
        np.testing.assert_array_equal(
            full.loc[full.year == yr, column].to_numpy(),
            part.loc[part.year == yr, column].to_numpy(),
        )
    other = by_year(gdp, queen, permutations=99, seed=5).table
    assert not np.array_equal(full[column].to_numpy(), other[column].to_numpy())


def test_by_year_seed_none_is_recorded_and_reproduces(gdp, queen):
    first = moran_by_year(gdp, queen, permutations=99, seed=None)
    assert isinstance(first.meta["seed"], int)
    again = moran_by_year(gdp, queen, permutations=99, seed=first.meta["seed"])
    pd.testing.assert_frame_equal(first.table, again.table)
    # every year records its own stream, which reproduces that year on its own
    one = gdp[gdp.year == 2019]
    values = pd.Series(one.value.to_numpy(), index=one.region_code.to_numpy())
    stream = np.random.SeedSequence(**first.results[2019].meta["seed"])
    alone = moran(values, queen, permutations=99, seed=stream)
    assert alone.p_value_permutation == first.results[2019].p_value_permutation


def test_by_year_meta_names_method_and_parameters(gdp, queen):
    res = moran_by_year(gdp, queen, permutations=0, seed=3, alternative="greater")
    assert res.meta["method"] == "moran_by_year" and res.statistic == "moran"
    assert res.meta["permutations"] == 0 and res.meta["alternative"] == "greater"
    assert res.meta["years"] == [2018, 2019, 2020] and set(res.results) == {2018, 2019, 2020}
    lisa = local_moran_by_year(gdp, queen, permutations=0, fdr=True, alpha=0.1, denominator="n")
    assert lisa.meta["method"] == "local_moran_by_year" and lisa.statistic == "local_moran"
    assert (lisa.meta["fdr"], lisa.meta["alpha"], lisa.meta["denominator"]) == (True, 0.1, "n")
    hot = getis_ord_by_year(gdp, queen, star=False, permutations=0)
    assert hot.meta["method"] == "getis_ord_by_year" and hot.statistic == "getis_ord"
    assert hot.meta["star"] is False and hot.meta["inference"] == "normal"
    assert list(hot.table.columns[:1]) == ["year"]


def test_by_year_bad_input(gdp, queen):
    all_nan = gdp.copy()
    all_nan.loc[all_nan.year == 2019, "value"] = np.nan
    with pytest.raises(DataValidationError, match="year 2019: all values are missing"):
        moran_by_year(all_nan, queen, permutations=0)
    one_nan = gdp.copy()
    one_nan.loc[(one_nan.year == 2020) & (one_nan.region_code == 650000), "value"] = np.nan
    with pytest.raises(DataValidationError, match=r"year 2020.*\[650000\]"):
        local_moran_by_year(one_nan, queen, permutations=0)
    missing = gdp[~((gdp.year == 2018) & (gdp.region_code == 540000))]
    with pytest.raises(WeightsError, match=r"year 2018.*\[540000\]"):
        getis_ord_by_year(missing, queen, permutations=0)
    with pytest.raises(DataValidationError, match="columns"):
        moran_by_year(gdp.rename(columns={"value": "v"}), queen)
    with pytest.raises(DataValidationError, match="more than once"):
        moran_by_year(pd.concat([gdp, gdp.head(1)]), queen)


# ---------------------------------------------------------------- seeds and bad input
def test_seed_reproducible(random_field):
    pts, y = random_field
    w = knn_weights(pts, k=4)
    a = local_moran(y, w, permutations=199, seed=42)
    b = local_moran(y, w, permutations=199, seed=np.random.default_rng(42))
    np.testing.assert_array_equal(a.p_value, b.p_value)
    assert (
        moran(y, w, permutations=99, seed=5).p_value_permutation
        == moran(y, w, permutations=99, seed=5).p_value_permutation
    )
    assert a.meta["seed"] == 42


def test_bad_input(queen, gdp2020):
    with pytest.raises(WeightsError, match="SpatialWeights"):
        moran(gdp2020, "queen")
    with pytest.raises(WeightsError, match="30 values for 31 regions"):
        moran(gdp2020.to_numpy()[:30], queen)
    with pytest.raises(WeightsError, match=r"in the weights but not in the data: \[650000\]"):
        moran(gdp2020.drop(650000), queen)
    bad = gdp2020.copy()
    bad[540000] = np.nan
    with pytest.raises(DataValidationError, match=r"\[540000\]"):
        local_moran(bad, queen)
    with pytest.raises(DataValidationError, match="constant"):
        getis_ord(pd.Series(1.0, index=gdp2020.index), queen)
    with pytest.raises(DataValidationError, match="alternative"):
        moran(gdp2020, queen, alternative="bigger")
    with pytest.raises(DataValidationError, match="permutations"):
        moran(gdp2020, queen, permutations=-1)
    with pytest.raises(DataValidationError, match="seed"):
        moran(gdp2020, queen, seed="abc")
    with pytest.raises(DataValidationError, match="float"):
        local_moran(gdp2020, queen, seed=1.0)
    with pytest.raises(DataValidationError, match="alpha"):
        local_moran(gdp2020, queen, alpha=5)
    with pytest.raises(DataValidationError, match="denominator"):
        local_moran(gdp2020, queen, denominator="n+1")
    with pytest.raises(DataValidationError, match="inference"):
        getis_ord(gdp2020, queen, inference="exact")
    with pytest.warns(IslandWarning):
        empty = SpatialWeights.from_array(np.zeros((31, 31)), queen.codes)
    with pytest.raises(WeightsError, match="no links"):
        moran(gdp2020, empty)


def test_moran_under_complete_graph_has_undefined_z_not_a_warning():
    # every region neighbours every other: I = -1/(n-1) for any data, so Var(I) = 0 and the
    # z-scores are undefined; the statistic itself is still exact
    n = 6
    full = np.ones((n, n)) - np.eye(n)
    w = SpatialWeights.from_array(full, list(range(110000, 110000 + n)))
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    result = moran(x, w, permutations=0)
    assert result.statistic == pytest.approx(-1 / (n - 1), abs=1e-12)
    assert np.isnan(result.z_score)
