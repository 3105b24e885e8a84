"""Markov chains against giddy/mapclassify (PySAL), Kemeny-Snell's Land of Oz, and scipy's
Kendall tau."""

import warnings

import libpysal
import mapclassify
import numpy as np
import pandas as pd
import pytest
from giddy.ergodic import mfpt as giddy_mfpt
from giddy.ergodic import steady_state as giddy_steady_state
from giddy.markov import Markov, Spatial_Markov, homogeneity
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.stats import kendalltau

from nqpf.disparity import homogeneity_test, markov, rank_mobility, spatial_markov
from nqpf.disparity.markov import _first_passage, _steady_state
from nqpf.errors import DataValidationError, DuplicateError, WeightsError
from nqpf.regions import provinces

# Counts are integers and must agree exactly; probabilities, stationary distributions, passage
# times and test statistics are the same arithmetic in a different order: 1e-10 relative.
RTOL = 1e-10


@pytest.fixture(scope="module")
def relative_gdp(gdp_wide):
    """Real data: provincial GDP relative to the year's cross-provincial mean, 1997-2022."""
    return gdp_wide / gdp_wide.mean(axis=0)


@pytest.fixture(scope="module")
def knn_w():
    table = provinces()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal may warn about disconnected components
        w = libpysal.weights.KNN.from_array(
            table[["lon", "lat"]].to_numpy(), k=4, ids=list(table.index)
        )
    w.transform = "r"
    return w


def test_pooled_classes_equal_mapclassify_quantiles(relative_gdp):
    res = markov(relative_gdp, k=5)
    ref = mapclassify.Quantiles(relative_gdp.to_numpy().ravel(), k=5).yb.reshape(relative_gdp.shape)
    np.testing.assert_array_equal(res.classes.to_numpy(), ref + 1)
    assert res.classes.shape == relative_gdp.shape


def test_per_year_classes_equal_mapclassify_by_year(gdp_wide):
    res = markov(gdp_wide, k=4, classes="per-year")
    for year in gdp_wide.columns:
        ref = mapclassify.Quantiles(gdp_wide[year].to_numpy(), k=4).yb
        np.testing.assert_array_equal(res.classes[year].to_numpy(), ref + 1)


def test_user_cut_points_equal_mapclassify_user_defined(relative_gdp):
    cuts = [0.5, 0.8, 1.2, 2.0]
    res = markov(relative_gdp, classes=cuts)
    ref = mapclassify.UserDefined(relative_gdp.to_numpy().ravel(), cuts + [np.inf]).yb
    np.testing.assert_array_equal(res.classes.to_numpy().ravel(), ref + 1)
    assert res.k == 5


def test_transitions_steady_state_and_passage_times_equal_giddy(relative_gdp):
    res = markov(relative_gdp, k=5)
    ref = Markov(res.classes.to_numpy() - 1, classes=np.arange(5), summary=False)
    np.testing.assert_array_equal(res.counts.to_numpy(), ref.transitions)
    np.testing.assert_allclose(res.transition_matrix.to_numpy(), ref.p, rtol=RTOL)
    np.testing.assert_allclose(res.transition_matrix.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(res.steady_state.to_numpy(), ref.steady_state, rtol=1e-8)
    np.testing.assert_allclose(
        res.first_mean_passage_times.to_numpy(), giddy_mfpt(ref.p), rtol=1e-8
    )


def test_land_of_oz_passage_times():
    # Kemeny and Snell (1976), Finite Markov Chains, §4.4: Land of Oz weather (rain, nice,
    # snow); mean first passage times from R: N 4, S 10/3; from N: R 8/3, S 8/3; from S:
    # R 10/3, N 4; mean recurrence times 1/π = (2.5, 5, 2.5).
    p = np.array([[0.5, 0.25, 0.25], [0.5, 0.0, 0.5], [0.25, 0.25, 0.5]])
    expected = np.array([[2.5, 4, 10 / 3], [8 / 3, 5, 8 / 3], [10 / 3, 4, 2.5]])
    np.testing.assert_allclose(_first_passage(p), expected, rtol=1e-12)
    np.testing.assert_allclose(_steady_state(p)[0], [0.4, 0.2, 0.4], rtol=1e-12)


def test_reducible_chains_match_giddy():
    # one closed class {0, 1} and an absorbing state 2: giddy's documented example
    p = np.array([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 1.0]])
    with np.errstate(invalid="ignore"):  # giddy multiplies 0 by inf internally
        ref = giddy_mfpt(p)
    np.testing.assert_allclose(_first_passage(p), ref, rtol=RTOL)
    pi, why = _steady_state(p)
    assert np.isnan(pi).all() and "2 closed classes" in why
    # transient state 2 feeding the closed class {0, 1}: unique stationary distribution
    q = np.array([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.3, 0.3, 0.4]])
    ref_pi = np.ravel(giddy_steady_state(q))  # giddy returns one row per closed class
    np.testing.assert_allclose(_steady_state(q)[0], ref_pi, rtol=1e-10, atol=1e-14)
    with np.errstate(invalid="ignore"):
        got, ref = _first_passage(q), giddy_mfpt(q)
    np.testing.assert_allclose(got[:, :2], ref[:, :2], rtol=RTOL)  # reachable targets
    assert np.isinf(got[:2, 2]).all() and np.isinf(ref[:2, 2]).all()


def test_time_homogeneity_equals_giddy(relative_gdp):
    res = markov(relative_gdp, k=5, periods=2)
    codes = res.classes.to_numpy() - 1
    half = (codes.shape[1] - 1 + 1) // 2  # np.array_split of 25 transitions: 13 + 12
    first = Markov(codes[:, : half + 1], classes=np.arange(5), summary=False).transitions
    second = Markov(codes[:, half:], classes=np.arange(5), summary=False).transitions
    ref = homogeneity([first, second])
    test = res.homogeneity
    assert test["Q"].statistic == pytest.approx(ref.Q, rel=RTOL)
    assert test["LR"].statistic == pytest.approx(ref.LR, rel=RTOL)
    assert test["Q"].df == test["LR"].df == (ref.dof,)
    assert test["LR"].p_value == pytest.approx(ref.LR_p_value, rel=1e-8)
    assert test["Q"].p_value == pytest.approx(ref.Q_p_value, rel=1e-8)
    assert test["LR"].meta["regimes"] == ["1997-2010", "2010-2022"]


def test_break_years_define_periods(relative_gdp):
    res = markov(relative_gdp, k=3, periods=[2015, 2005])
    assert res.homogeneity["LR"].meta["regimes"] == ["1997-2005", "2005-2015", "2015-2022"]


def test_spatial_markov_equals_giddy(relative_gdp, knn_w):
    ref = Spatial_Markov(relative_gdp.to_numpy(), knn_w, k=5, m=5, fixed=True)
    res = spatial_markov(relative_gdp, knn_w, k=5)
    np.testing.assert_array_equal(res.classes.to_numpy() - 1, ref.class_ids)
    np.testing.assert_array_equal(res.lag_classes.to_numpy() - 1, ref.lclass_ids)
    np.testing.assert_array_equal(res.counts.to_numpy().reshape(5, 5, 5), ref.T)
    probs = np.nan_to_num(res.transition_matrices.to_numpy().reshape(5, 5, 5))
    np.testing.assert_allclose(probs, ref.P, rtol=RTOL)  # giddy leaves empty rows as zeros
    assert res.homogeneity["Q"].statistic == pytest.approx(ref.Q, rel=RTOL)
    assert res.homogeneity["LR"].statistic == pytest.approx(ref.LR, rel=RTOL)
    assert res.homogeneity["LR"].df == (ref.dof_hom,)
    np.testing.assert_array_equal(res.pooled.counts.to_numpy(), ref.transitions)


def test_spatial_markov_accepts_array_sparse_dataframe_and_shuffled_rows(relative_gdp, knn_w):
    base = spatial_markov(relative_gdp, knn_w, k=4)
    dense = knn_w.full()[0]
    ids = knn_w.id_order
    frame_w = pd.DataFrame(dense, index=ids, columns=ids)
    wide = relative_gdp.loc[ids]
    shuffled = relative_gdp.sample(frac=1.0, random_state=1)
    for w, data in [
        (dense, wide),
        (sparse.csr_array(dense), wide),
        (frame_w, shuffled),
        (knn_w, shuffled),
    ]:
        res = spatial_markov(data, w, k=4)
        pd.testing.assert_frame_equal(res.counts, base.counts)


def test_spatial_markov_accepts_libpysal_graph(relative_gdp, knn_w):
    from libpysal import graph

    shuffled = relative_gdp.sample(frac=1.0, random_state=1)
    res = spatial_markov(shuffled, graph.Graph.from_W(knn_w), k=4)
    pd.testing.assert_frame_equal(res.counts, spatial_markov(relative_gdp, knn_w, k=4).counts)


def test_spatial_markov_row_standardises_binary_weights(relative_gdp, knn_w):
    binary = (knn_w.full()[0] > 0).astype(float)
    res = spatial_markov(relative_gdp.loc[knn_w.id_order], binary, k=4)
    assert "row-standardised" in " ".join(res.notes)
    pd.testing.assert_frame_equal(res.counts, spatial_markov(relative_gdp, knn_w, k=4).counts)


def test_rank_mobility_equals_scipy_kendalltau(gdp_wide):
    res = rank_mobility(gdp_wide)
    years = list(gdp_wide.columns)
    first = res.table.iloc[0]
    ref = kendalltau(gdp_wide[years[0]], gdp_wide[years[1]])  # no ties, n = 31: exact
    assert first.tau == pytest.approx(ref.statistic, rel=1e-12)
    assert first.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    last = res.table.iloc[-1]
    assert (last.from_year, last.to_year, last.kind) == (years[0], years[-1], "first-last")
    ref = kendalltau(gdp_wide[years[0]], gdp_wide[years[-1]])
    assert last.tau == pytest.approx(ref.statistic, rel=1e-12)
    assert last.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert (res.ranks[years[0]] == gdp_wide[years[0]].rank(ascending=False)).all()


def test_rank_mobility_with_ties_equals_scipy_asymptotic(gdp_wide):
    tied = (gdp_wide / 5000).round()  # coarse values: many ties
    res = rank_mobility(tied.iloc[:, [0, 10]])
    ref = kendalltau(tied.iloc[:, 0], tied.iloc[:, 10], method="asymptotic")
    assert res.table.tau.iloc[0] == pytest.approx(ref.statistic, rel=1e-12)
    assert res.table.p_value.iloc[0] == pytest.approx(ref.pvalue, rel=1e-9)
    with pytest.raises(DataValidationError, match="without ties"):
        rank_mobility(tied.iloc[:, [0, 10]], method="exact")


def test_homogeneity_test_hand_worked():
    # pooled rows (13, 7)/20 and (4, 16)/20; LR = 2 Σ n_ij(m) ln(p_ij(m) / p_ij) = 3.32402...
    a, b = [[8, 2], [3, 7]], [[5, 5], [1, 9]]
    expected = 2 * (
        8 * np.log(0.8 / 0.65)
        + 2 * np.log(0.2 / 0.35)
        + 3 * np.log(0.3 / 0.2)
        + 7 * np.log(0.7 / 0.8)
        + 5 * np.log(0.5 / 0.65)
        + 5 * np.log(0.5 / 0.35)
        + 1 * np.log(0.1 / 0.2)
        + 9 * np.log(0.9 / 0.8)
    )
    res = homogeneity_test([a, b])
    assert res["LR"].statistic == pytest.approx(expected, rel=1e-12)
    assert res["LR"].df == (2,)


# ------------------------------------------------------------------------------------ bad input
def test_class_never_left_gives_nan_row_with_note():
    wide = pd.DataFrame(
        [[1.0, 1.0, 9.0], [1.0, 2.0, 2.0], [2.0, 2.0, 1.0]],
        index=list("abc"),
        columns=[2000, 2001, 2002],
    )
    res = markov(wide, classes=[1.5, 5.0], periods=None)
    assert res.transition_matrix.loc[3].isna().all()
    assert np.isnan(res.steady_state).all()
    assert "[3]" in res.notes[0] and "NaN" in res.notes[0]


def test_too_few_years_and_regions():
    one_year = pd.DataFrame({2000: [1.0, 2.0, 3.0]}, index=list("abc"))
    with pytest.raises(DataValidationError, match="at least 2 years"):
        markov(one_year)
    with pytest.raises(DataValidationError, match="at least 2 years"):
        rank_mobility(one_year)
    with pytest.raises(DataValidationError, match="at least 2 regions"):
        markov(pd.DataFrame({2000: [1.0], 2001: [2.0]}, index=["a"]))


def test_missing_value_names_region_and_year(gdp_wide):
    bad = gdp_wide.copy()
    bad.loc[440000, 2005] = np.nan
    with pytest.raises(DataValidationError, match=r"\(440000, 2005\)"):
        markov(bad)


def test_tied_quantiles_and_bad_cut_points():
    wide = pd.DataFrame(np.ones((4, 3)), index=list("abcd"), columns=[1, 2, 3])
    wide.iloc[0, 0], wide.iloc[1, 0] = 2.0, 3.0  # 3 distinct values, 10 of them tied at 1
    with pytest.raises(DataValidationError, match="not distinct"):
        markov(wide, k=3)
    with pytest.raises(DataValidationError, match="strictly increasing"):
        markov(wide, classes=[2.0, 1.0])
    with pytest.raises(DataValidationError, match="k must be an integer"):
        markov(wide, k=1)


def test_duplicate_region_rows():
    wide = pd.DataFrame([[1.0, 2.0], [2.0, 1.0]], index=["a", "a"], columns=[1, 2])
    with pytest.raises(DuplicateError, match="'a'"):
        markov(wide, k=2)


def test_weights_errors_name_the_problem(relative_gdp, knn_w):
    with pytest.raises(WeightsError, match="shape"):
        spatial_markov(relative_gdp, np.ones((3, 3)))
    frame_w = pd.DataFrame(knn_w.full()[0], index=knn_w.id_order, columns=knn_w.id_order)
    renamed = frame_w.rename(index={110000: 999999}, columns={110000: 999999})
    with pytest.raises(
        WeightsError,
        match=r"in the data but not in the weights: \[110000\].*not in the data: \[999999\]",
    ):
        spatial_markov(relative_gdp, renamed)
    island = knn_w.full()[0]
    island[knn_w.id_order.index(460000)] = 0.0
    with pytest.raises(WeightsError, match="460000"):
        spatial_markov(relative_gdp.loc[knn_w.id_order], island)
    with pytest.raises(WeightsError, match="non-negative"):
        spatial_markov(relative_gdp.loc[knn_w.id_order], -knn_w.full()[0])


# --------------------------------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=2, max_value=5),
    st.integers(min_value=3, max_value=12),
    st.integers(min_value=2, max_value=6),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_markov_invariants(k, regions, years, seed):
    values = np.random.default_rng(seed).lognormal(size=(regions * 3, years))
    wide = pd.DataFrame(values, columns=range(2000, 2000 + years))
    res = markov(wide, k=k, periods=None)
    assert res.counts.to_numpy().sum() == len(wide) * (years - 1)
    assert res.classes.isin(range(1, k + 1)).all().all()
    rows = res.transition_matrix.dropna()
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(res.distribution.sum(axis=1), 1.0, rtol=1e-12)
    # quantile classes depend on ranks only: a monotone transform changes nothing
    again = markov(np.log(wide) * 3.0 + 7.0, k=k, periods=None)
    pd.testing.assert_frame_equal(again.counts, res.counts)


def test_relative_classes_need_positive_year_means(relative_gdp):
    res = markov(relative_gdp * 7.0, k=5, relative=True)
    pd.testing.assert_frame_equal(res.classes, markov(relative_gdp, k=5).classes)
    bad = relative_gdp.copy()
    bad[2001] = bad[2001] - bad[2001].mean() - 1.0
    with pytest.raises(DataValidationError, match=r"\[2001\]"):
        markov(bad, relative=True)
