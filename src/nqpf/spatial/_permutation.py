r"""Permutation inference of the spatial statistics.

Two kinds of randomisation are used:

*Total permutation* (global statistics): all values are permuted together,
:math:`I^{(p)} = \frac{n}{S_0} \frac{z_{\pi_p}^\top W z_{\pi_p}}{z^\top z}`. Permutations are drawn
in batches as the columns of an ``(n, b)`` array and :math:`W Z` is one sparse-dense product.

*Conditional randomisation* (local statistics; Anselin 1995): the value of region *i* is held
fixed and its :math:`k_i` neighbours receive values drawn without replacement from the other
:math:`n - 1` regions. Every local statistic used here is affine in the simulated lag,
:math:`s_i^{(p)} = a_i + b_i \sum_m w_{i m} x_{J_{pm}}`, so one engine serves local Moran and
Getis–Ord. Each (region, permutation) draws its own ordered sample, so simulations are independent
across regions and permutations (esda instead reuses one set of draws for every region).

How the draws are made (:func:`conditional_counts`): one stream of uniform doubles
:math:`u \in [0, 1)` from the seeded generator (``Generator.random``) is consumed in a fixed order
— region 0 to n − 1, then permutation 1 to P, then neighbour slot 1 to :math:`k_i` — exactly
:math:`P k_i` doubles per region (none for a region without neighbours). Slot *m* (0-based) of a
sample takes position :math:`r = m + \lfloor u (n - 1 - m) \rfloor` of a partial Fisher–Yates
shuffle of the other regions (Knuth 1997, TAOCP 2, Algorithm 3.4.2P, stopped after :math:`k_i`
steps), which gives every ordered :math:`k_i`-sample of distinct regions the same probability (up
to the :math:`2^{-53}` resolution of the doubles); the shuffle is undone after each sample, so it
costs :math:`O(k_i)`. The doubles are generated in chunks of about ``_BUDGET`` values that cut the
stream only between permutations, so the chunk size bounds the memory and never changes the
numbers: the same seed gives the same counts in every run and for every chunk size. The sample
loop is compiled with numba (cached on disk after the first compilation).

The batched total permutations, the ties rule and the pseudo p-values :math:`(M + 1)/(P + 1)` with
their ``alternative=`` vocabulary are the shared engine of :mod:`nqpf._random`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import numpy as np
from scipy import sparse, stats

from nqpf._random import permutation_batches, tail_counts

#: Uniform doubles held at once by :func:`conditional_counts` (16 MB).
_BUDGET = 2_000_000


def normal_p(z: np.ndarray | float, alternative: str) -> np.ndarray:
    """p-values of standard-normal z-scores under ``alternative``."""
    z = np.asarray(z, dtype=float)
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    if alternative == "two-sided":
        return 2 * stats.norm.sf(np.abs(z))
    return stats.norm.sf(np.abs(z))


def bh_adjust(p: np.ndarray) -> np.ndarray:
    r"""Benjamini–Hochberg adjusted p-values :math:`\min_{j \ge i} \min(1, m p_{(j)} / j)`."""
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def global_moran_counts(
    z: np.ndarray,
    matrix: sparse.csr_array,
    observed: float,
    permutations: int,
    rng: np.random.Generator,
) -> tuple[int, int, float, float]:
    """Counts of permuted Moran's I >= and <= ``observed``, and the mean and SD of the draws.

    ``z`` are the centred values; the statistic is computed up to the factor :math:`n / S_0`
    which the caller has folded into ``observed`` (see :func:`moran`).
    """
    n = z.size
    s0 = float(matrix.sum())
    z2 = float(z @ z)
    factor = n / s0 / z2
    n_ge = n_le = 0
    total = total2 = 0.0
    for cols in permutation_batches(z, permutations, rng):
        sim = factor * np.einsum("ij,ij->j", cols, matrix @ cols)
        ge, le = tail_counts(sim, observed)
        n_ge += int(ge)
        n_le += int(le)
        total += float(sim.sum())
        total2 += float(sim @ sim)
    mean = total / permutations
    sd = float(np.sqrt(max(total2 / permutations - mean * mean, 0.0)))
    return n_ge, n_le, mean, sd


@functools.cache
def _conditional_kernel() -> Callable[..., None]:
    """The compiled sample loop of :func:`conditional_counts` (numba imported on first use)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def kernel(
        u, rows, p_count, indptr, weights, x, intercept, slope, observed, tol, pool, n_ge, n_le
    ):
        pos = 0
        others = pool.size
        for i in rows:
            start = indptr[i]
            k = indptr[i + 1] - start
            ge = 0
            le = 0
            for _ in range(p_count):
                lag = 0.0
                for m in range(k):  # step m of a partial Fisher-Yates shuffle of pool
                    r = m + int(u[pos] * (others - m))
                    pos += 1
                    if r >= others:  # guard against rounding up of u * (others - m)
                        r = others - 1
                    j = pool[r]
                    pool[r] = pool[m]
                    pool[m] = j
                    lag += weights[start + m] * x[j + (j >= i)]  # pool skips region i
                sim = intercept[i] + slope[i] * lag
                if sim >= observed[i] - tol[i]:
                    ge += 1
                if sim <= observed[i] + tol[i]:
                    le += 1
            n_ge[i] += ge
            n_le[i] += le

    return kernel


def _chunks(card: np.ndarray, permutations: int, budget: int) -> Iterator[tuple[np.ndarray, int]]:
    """Pieces ``(rows, p)`` of the draw order: consecutive regions with ``p`` permutations each.

    Regions are grouped while their ``permutations * k`` draws fit in ``budget``; a region that
    alone needs more is split into runs of permutations. Concatenated, the pieces visit every
    (region, permutation) once in the order of the stream.
    """
    need = permutations * card
    lo, n = 0, card.size
    ends = np.cumsum(need)
    while lo < n:
        if need[lo] > budget:
            per = max(1, budget // int(card[lo]))
            for done in range(0, permutations, per):
                yield np.array([lo]), min(per, permutations - done)
            lo += 1
            continue
        base = ends[lo - 1] if lo else 0
        hi = int(np.searchsorted(ends, base + budget, side="right"))
        yield np.arange(lo, hi), permutations
        lo = hi


def conditional_counts(
    x: np.ndarray,
    matrix: sparse.csr_array,
    intercept: np.ndarray,
    slope: np.ndarray,
    observed: np.ndarray,
    permutations: int,
    rng: np.random.Generator,
    budget: int = _BUDGET,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Conditional-randomisation counts for affine local statistics.

    For every region *i* and permutation *p*, neighbours' values are drawn without replacement from
    ``x`` without :math:`x_i` and the simulated statistic is
    :math:`a_i + b_i \sum_m w_{im} x_{J_{pm}}` (``intercept`` :math:`a`, ``slope`` :math:`b`,
    off-diagonal weights of row *i* of ``matrix``). Returns the counts of simulated values
    :math:`\ge` and :math:`\le` ``observed`` (ties as in :func:`nqpf._random.tail_counts`). The
    draws are made as described in the module notes; ``budget`` (doubles held at once) changes
    the memory, not the result.
    """
    n = x.size
    offdiag = sparse.csr_array(matrix - sparse.diags_array(matrix.diagonal()))
    offdiag.eliminate_zeros()
    offdiag.sort_indices()
    indptr = offdiag.indptr.astype(np.int64)
    card = np.diff(indptr)
    n_ge = np.where(card == 0, permutations, 0).astype(np.int64)  # no neighbours: ties only
    n_le = n_ge.copy()
    x = np.ascontiguousarray(x, dtype=float)
    intercept = np.ascontiguousarray(intercept, dtype=float)
    observed = np.ascontiguousarray(observed, dtype=float)
    tol = 1e-12 * (np.abs(observed) + np.abs(intercept))
    pool = np.arange(n - 1, dtype=np.int32 if n < 2**31 else np.int64)
    kernel = _conditional_kernel()
    active = np.flatnonzero(card)
    for rows, p_count in _chunks(card[active], permutations, budget):
        u = rng.random(int(card[active[rows]].sum()) * p_count)
        kernel(
            u,
            active[rows],
            p_count,
            indptr,
            offdiag.data,
            x,
            intercept,
            np.ascontiguousarray(slope, dtype=float),
            observed,
            tol,
            pool,
            n_ge,
            n_le,
        )
    return n_ge, n_le
