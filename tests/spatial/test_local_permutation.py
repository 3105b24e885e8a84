"""Conditional permutations of local Moran and Getis-Ord Gi*: esda agreement, the draws
themselves, chunk-size invariance and seed reproducibility.

Monte Carlo bound: our pseudo p-values and esda's come from independent streams. With P
permutations each estimate (M + 1)/(P + 1) has M ~ Binomial(P, p), standard deviation
sqrt(p(1 - p)/P); the difference of two independent estimates is allowed 5 standard deviations
of the difference, 5 sqrt(2 p (1 - p) / P), plus 2/(P + 1) for the discreteness. A false failure
has probability about 6e-7 per region (< 1e-3 over the ~1,000 regions checked here).
"""

import itertools
import warnings

import esda
import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from nqpf.data import load_province_panel
from nqpf.spatial import SpatialWeights, knn_weights
from nqpf.spatial._permutation import conditional_counts
from nqpf.spatial.autocorrelation import getis_ord, local_moran

P = 999


def quiet(call, *args, **kwargs):
    """Run an esda call without its deprecation notice about a future default alternative."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call(*args, **kwargs)


def within_mc_error(ours, ref, permutations):
    p = np.clip(np.asarray(ref, dtype=float), 1e-12, 1)
    bound = 5 * np.sqrt(2 * p * (1 - p) / permutations) + 2 / (permutations + 1)
    return np.abs(np.asarray(ours) - ref) <= bound


@pytest.fixture(scope="module")
def provinces(queen):
    """Real data: provincial GDP 2020 on the queen weights of the 31 provinces."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        long = load_province_panel().to_long()
    one = long[(long.indicator == "gdp") & (long.year == 2020)]
    y = pd.Series(one.value.to_numpy(), index=one.region_code.to_numpy())
    return y.reindex(list(queen.codes)), queen


@pytest.fixture(scope="module")
def synthetic():
    """SYNTHETIC: 1,000 random points, a west-east trend plus noise, row-standardised kNN-8."""
    rng = np.random.default_rng(20261130)
    pts = rng.uniform(0, 20, size=(1000, 2))
    y = 5 + 0.2 * pts[:, 0] + rng.normal(size=1000)
    return y, knn_weights(pts, k=8)


def binary(w):
    return SpatialWeights.from_array(w.dense > 0, w.codes, row_standardize=False)


@pytest.mark.parametrize("case", ["provinces", "synthetic"])
def test_local_moran_pseudo_p_matches_esda(case, provinces, synthetic):
    y, w = provinces if case == "provinces" else synthetic
    y = np.asarray(y, dtype=float)
    ref = quiet(esda.Moran_Local, y, w.to_libpysal(), permutations=P, seed=7, n_jobs=1)
    ours = local_moran(y, w, permutations=P, seed=8, alternative="directed")
    np.testing.assert_allclose(ours.statistic, ref.Is, rtol=0, atol=1e-10)
    assert within_mc_error(ours.p_value, ref.p_sim, P).all()


@pytest.mark.parametrize("case", ["provinces", "synthetic"])
def test_getis_ord_star_pseudo_p_matches_esda(case, provinces, synthetic):
    y, w = provinces if case == "provinces" else synthetic
    y, b = np.asarray(y, dtype=float), binary(w)
    ref = quiet(
        esda.G_Local, y, b.to_libpysal(), transform="B", star=True, permutations=P, seed=7, n_jobs=1
    )
    ours = getis_ord(y, b, star=True, permutations=P, seed=8, alternative="directed")
    np.testing.assert_allclose(ours.z_score, ref.Zs, rtol=0, atol=1e-10)
    assert within_mc_error(ours.p_value_permutation, ref.p_sim, P).all()
    # the row scaling changes neither the statistic's ranks nor the pseudo p-values
    row = getis_ord(y, w, star=True, permutations=P, seed=8, alternative="directed")
    np.testing.assert_array_equal(row.p_value_permutation, ours.p_value_permutation)


def ring_with_two_weights(n, weights):
    """Region i's neighbours are i+1 and i+2 (mod n) with the given (unequal) weights."""
    rows = np.repeat(np.arange(n), 2)
    cols = np.ravel([sorted([(i + 1) % n, (i + 2) % n]) for i in range(n)])
    return sparse.csr_array((np.tile(weights, n), (rows, cols)), shape=(n, n))


def test_draws_exclude_the_region_and_are_uniform_ordered_pairs():
    """Exact counts of every ordered pair drawn, from threshold counts on one seeded stream.

    x_j = 4^j and slot weights (1, 4^6) make the lag x_a + 4096 x_b distinct for every ordered
    pair (a, b); the same seed gives the same draws at every threshold, so differences of the
    ">=" counts are the number of draws of each pair. Pairs containing the region itself must
    never occur; the 20 ordered pairs of the 5 other regions must be uniform (chi-square).
    """
    n, draws = 6, 6000
    x = 4.0 ** np.arange(n)
    matrix = ring_with_two_weights(n, [1.0, 4.0**6])
    pairs = list(itertools.permutations(range(n), 2))
    lags = np.array([x[a] + 4.0**6 * x[b] for a, b in pairs])
    order = np.argsort(lags)
    at_least = np.empty((len(pairs), n))
    for t, idx in enumerate(order):
        n_ge, _ = conditional_counts(
            x,
            matrix,
            np.zeros(n),
            np.ones(n),
            np.full(n, lags[idx]),
            draws,
            np.random.default_rng(5),
        )
        at_least[t] = n_ge
    counts = at_least - np.vstack([at_least[1:], np.zeros(n)])  # draws equal to each lag
    for i in range(n):
        by_pair = dict(zip([pairs[j] for j in order], counts[:, i], strict=True))
        assert sum(by_pair.values()) == draws
        assert all(c == 0 for (a, b), c in by_pair.items() if i in (a, b))
        allowed = np.array([c for (a, b), c in by_pair.items() if i not in (a, b)])
        assert allowed.size == 20
        assert stats.chisquare(allowed).pvalue > 1e-3


def test_chunk_size_does_not_change_the_counts(synthetic):
    y, w = synthetic
    z = y - y.mean()
    lag = w.sparse @ z
    args = (z, w.sparse, np.zeros(z.size), z, z * lag, 199)
    reference = conditional_counts(*args, np.random.default_rng(3))
    # 8 * 199 words per region (plus rare rejections): blocks that pause inside and between regions
    for budget in (2100, 8 * 199 * 7 + 5, 50_000):
        again = conditional_counts(*args, np.random.default_rng(3), budget=budget)
        np.testing.assert_array_equal(again[0], reference[0])
        np.testing.assert_array_equal(again[1], reference[1])


def test_same_seed_same_numbers(synthetic):
    y, w = synthetic
    a = local_moran(y, w, permutations=99, seed=11)
    b = local_moran(y, w, permutations=99, seed=np.random.SeedSequence(11))
    np.testing.assert_array_equal(a.p_value, b.p_value)
    c = local_moran(y, w, permutations=99, seed=12)
    assert not np.array_equal(a.p_value, c.p_value)
    g1 = getis_ord(y, w, permutations=99, seed=11)
    g2 = getis_ord(y, w, permutations=99, seed=11)
    np.testing.assert_array_equal(g1.p_value_permutation, g2.p_value_permutation)
