r"""Permutation inference of the spatial statistics.

Two kinds of randomisation are used:

*Total permutation* (global statistics): all values are permuted together,
:math:`I^{(p)} = \frac{n}{S_0} \frac{z_{\pi_p}^\top W z_{\pi_p}}{z^\top z}`. Permutations are drawn
in batches as the columns of an ``(n, b)`` array and :math:`W Z` is one sparse-dense product.

*Conditional randomisation* (local statistics; Anselin 1995): the value of region *i* is held
fixed and its :math:`k_i` neighbours receive values drawn without replacement from the other
:math:`n - 1` regions. Every local statistic used here is affine in the simulated lag,
:math:`s_i^{(p)} = a_i + b_i \sum_m w_{i m} x_{J_{pm}}`, so one engine serves local Moran and
Getis–Ord. Regions are grouped by number of neighbours and processed in vectorised batches; each
(region, permutation) draws its own sample (Floyd's algorithm, then a shuffle so that the order
of the draws is uniform too), so simulations are independent across regions.

The batched total permutations, the ties rule and the pseudo p-values :math:`(M + 1)/(P + 1)` with
their ``alternative=`` vocabulary are the shared engine of :mod:`nqpf._random`.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats

from nqpf._random import permutation_batches, tail_counts

#: Work budget per batch (number of simulated values held at once).
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


def _sample_without_replacement(
    rng: np.random.Generator, rows: int, pool: int, k: int, ordered: bool
) -> np.ndarray:
    """``rows`` independent samples of ``k`` distinct integers from ``range(pool)``."""
    if k == 0:
        return np.empty((rows, 0), dtype=np.int64)
    if 2 * k > pool:  # dense rows: shuffle the whole pool and keep the first k
        full = np.broadcast_to(np.arange(pool, dtype=np.int64), (rows, pool)).copy()
        rng.permuted(full, axis=1, out=full)
        return full[:, :k]
    out = np.empty((rows, k), dtype=np.int64)
    for j, top in enumerate(range(pool - k, pool)):  # Floyd (1987): a uniform k-subset
        t = rng.integers(0, top + 1, size=rows)
        if j:
            seen = (out[:, :j] == t[:, None]).any(axis=1)
            t[seen] = top
        out[:, j] = t
    if ordered:
        rng.permuted(out, axis=1, out=out)
    return out


def conditional_counts(
    x: np.ndarray,
    matrix: sparse.csr_array,
    intercept: np.ndarray,
    slope: np.ndarray,
    observed: np.ndarray,
    permutations: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Conditional-randomisation counts for affine local statistics.

    For every region *i* and permutation *p*, neighbours' values are drawn without replacement from
    ``x`` without :math:`x_i` and the simulated statistic is
    :math:`a_i + b_i \sum_m w_{im} x_{J_{pm}}` (``intercept`` :math:`a`, ``slope`` :math:`b`,
    off-diagonal weights of row *i* of ``matrix``). Returns the counts of simulated values
    :math:`\ge` and :math:`\le` ``observed``.
    """
    n = x.size
    n_ge = np.zeros(n, dtype=np.int64)
    n_le = np.zeros(n, dtype=np.int64)
    offdiag = sparse.csr_array(matrix - sparse.diags_array(matrix.diagonal()))
    offdiag.eliminate_zeros()
    offdiag.sort_indices()
    card = np.diff(offdiag.indptr)
    for k in np.unique(card):
        rows = np.flatnonzero(card == k)
        if k == 0:  # no neighbours: every draw equals the observed value
            n_ge[rows] = permutations
            n_le[rows] = permutations
            continue
        starts = offdiag.indptr[rows]
        weights = offdiag.data[starts[:, None] + np.arange(k)]  # (g, k)
        per_row = max(1, _BUDGET // (permutations * k))
        for lo in range(0, rows.size, per_row):
            sel = rows[lo : lo + per_row]
            w = weights[lo : lo + per_row]
            ordered = not bool(np.all(w == w[:, :1]))
            draws = _sample_without_replacement(
                rng, sel.size * permutations, n - 1, int(k), ordered
            )
            draws = draws.reshape(sel.size, permutations, int(k))
            draws += draws >= sel[:, None, None]  # skip region i itself
            lag = np.einsum("gpk,gk->gp", x[draws], w)
            sim = intercept[sel, None] + slope[sel, None] * lag
            n_ge[sel], n_le[sel] = tail_counts(
                sim, observed[sel, None], intercept[sel, None], axis=1
            )
    return n_ge, n_le
