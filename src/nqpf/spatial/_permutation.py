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

How the draws are made (:func:`conditional_counts`): one stream of uniform 32-bit words
(``Generator.integers(0, 2**32, dtype=numpy.uint32)``) is consumed in a fixed order — region 0 to
n − 1 (regions without neighbours draw nothing), then permutation 1 to P, then neighbour slot 1 to
:math:`k_i`. Slot *m* (0-based) of a sample takes position *r* of a partial Fisher–Yates shuffle
of the other :math:`n - 1` regions (Knuth 1997, TAOCP 2, Algorithm 3.4.2P, stopped after
:math:`k_i` steps), with *r* uniform on :math:`m, \dots, n - 2` by Lemire's (2019) multiply-shift
method with rejection: exactly uniform, and a word is rejected (the next one is used) with
probability below :math:`n / 2^{32}`. Every ordered :math:`k_i`-sample of distinct other regions
is therefore equally likely. The shuffled pool is not reset between samples (a Fisher–Yates step
is uniform whatever the current arrangement), so a sample costs :math:`O(k_i)`. The words are
drawn in blocks of ``_BUDGET``; the compiled loop (numba, cached on disk after its first
compilation) pauses between samples when a block may run out, and the unused words are carried
into the next block, so the block size bounds the memory and never changes the numbers: the same
seed gives the same counts in every run and for every block size.

Lemire, D. (2019). Fast random integer generation in an interval. *ACM Transactions on Modeling
and Computer Simulation* 29(1), 3.

The batched total permutations, the ties rule and the pseudo p-values :math:`(M + 1)/(P + 1)` with
their ``alternative=`` vocabulary are the shared engine of :mod:`nqpf._random`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from scipy import sparse, stats

from nqpf._random import permutation_batches, tail_counts
from nqpf.errors import DataValidationError

#: Random 32-bit words drawn at once by :func:`conditional_counts` (8 MB).
_BUDGET = 2_000_000
#: Spare words kept beyond a sample's k draws for Lemire's (rare) rejections.
_SLACK = 1024


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
def _conditional_kernel() -> Callable[..., tuple[int, int, int]]:
    """The compiled sample loop of :func:`conditional_counts` (numba imported on first use)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def kernel(
        words,
        order,
        row,
        perm,
        permutations,
        indptr,
        weights,
        x,
        intercept,
        slope,
        observed,
        tol,
        pool,
        n_ge,
        n_le,
    ):
        """Resume at ``order[row]``, permutation ``perm``; stop when ``words`` may run out."""
        pos = 0
        others = pool.size
        low32 = np.uint64(0xFFFFFFFF)
        while row < order.size:
            i = order[row]
            start = indptr[i]
            k = indptr[i + 1] - start
            ge = 0
            le = 0
            while perm < permutations:
                if pos + k + _SLACK > words.size:  # pause between samples; the caller refills
                    n_ge[i] += ge
                    n_le[i] += le
                    return row, perm, pos
                lag = 0.0
                for m in range(k):  # step m of a partial Fisher-Yates shuffle of pool
                    span = np.uint64(others - m)
                    prod = np.uint64(words[pos]) * span  # Lemire (2019): r = prod >> 32
                    pos += 1
                    if (prod & low32) < span:  # rare: reject the biased low products
                        floor = (np.uint64(4294967296) - span) % span
                        while (prod & low32) < floor:
                            if pos == words.size:
                                raise RuntimeError("random words exhausted within one sample")
                            prod = np.uint64(words[pos]) * span
                            pos += 1
                    r = m + np.int64(prod >> np.uint64(32))
                    j = pool[r]
                    pool[r] = pool[m]
                    pool[m] = j
                    lag += weights[start + m] * x[j + (j >= i)]  # pool skips region i
                sim = intercept[i] + slope[i] * lag
                if sim >= observed[i] - tol[i]:
                    ge += 1
                if sim <= observed[i] + tol[i]:
                    le += 1
                perm += 1
            n_ge[i] += ge
            n_le[i] += le
            row += 1
            perm = 0
        return row, perm, pos

    return kernel


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
    draws are made as described in the module notes; ``budget`` (random words drawn at once)
    changes the memory, not the result.
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
    if n - 1 > 2**32:
        raise DataValidationError(
            f"conditional permutations draw 32-bit random words: at most 2**32 + 1 regions, got {n}"
        )
    pool = np.arange(n - 1, dtype=np.int32 if n < 2**31 else np.int64)
    kernel = _conditional_kernel()
    order = np.flatnonzero(card)
    # about permutations × Σ k_i words are used (plus rare rejections): never draw many more
    needed = permutations * int(card.sum()) + _SLACK
    refill = max(min(budget, needed), 2 * (int(card.max(initial=0)) + _SLACK))
    words = np.empty(0, dtype=np.uint32)
    row = perm = 0
    while row < order.size:
        fresh = rng.integers(0, 2**32, size=refill, dtype=np.uint32)
        words = np.concatenate([words, fresh]) if words.size else fresh
        row, perm, pos = kernel(
            words,
            order,
            row,
            perm,
            permutations,
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
        words = words[pos:]
    return n_ge, n_le
