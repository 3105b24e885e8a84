r"""The shared, seeded permutation engine of the spatial statistics.

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

Pseudo p-values follow Hope (1968) / Davison & Hinkley (1997), :math:`(M + 1)/(P + 1)`:

``"greater"``
    :math:`M = \#\{s^{(p)} \ge s\}`.
``"less"``
    :math:`M = \#\{s^{(p)} \le s\}`.
``"two-sided"``
    twice the smaller one-sided p-value, capped at 1.
``"directed"``
    the one-sided p-value in the direction of the observed value,
    :math:`(\min(M_{\ge}, P - M_{\ge}) + 1)/(P + 1)` — esda's ``p_sim`` and GeoDa's pseudo p.

Simulated values within :math:`10^{-12}` (relative) of the observed value count as ties, so that
rounding in a different summation order does not decide a tie.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import sparse, stats

from nqpf.errors import DataValidationError

Seed = int | np.random.Generator | None
Alternative = Literal["two-sided", "greater", "less", "directed"]
ALTERNATIVES = ("two-sided", "greater", "less", "directed")

#: Work budget per batch (number of simulated values held at once).
_BUDGET = 2_000_000
#: Values per batch of total permutations (kept small enough to stay in cache).
_GLOBAL_BATCH = 400_000


def rng_from(seed: Seed) -> np.random.Generator:
    """A NumPy Generator from ``seed`` (never the global RNG)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not isinstance(seed, int | np.integer):
        raise DataValidationError(
            f"seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__}"
        )
    return np.random.default_rng(seed)


def seed_for_meta(seed: Seed) -> object:
    """The seed as recorded in ``meta``."""
    if isinstance(seed, np.random.Generator):
        return "numpy.random.Generator (state not recorded)"
    return seed


def check_alternative(alternative: str) -> str:
    """Validate the ``alternative=`` vocabulary (``"lesser"`` is accepted for ``"less"``)."""
    alt = "less" if alternative == "lesser" else alternative
    if alt not in ALTERNATIVES:
        raise DataValidationError(
            f"alternative must be one of {list(ALTERNATIVES)}, got {alternative!r}"
        )
    return alt


def check_permutations(permutations: int) -> int:
    """A non-negative integer number of permutations."""
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise DataValidationError(f"permutations must be an integer, got {permutations!r}")
    if permutations < 0:
        raise DataValidationError(f"permutations must be >= 0, got {permutations}")
    return int(permutations)


def pseudo_p(n_ge: np.ndarray, n_le: np.ndarray, permutations: int, alternative: str) -> np.ndarray:
    """Permutation p-values from the counts of simulated values >= and <= the observed one."""
    n_ge = np.asarray(n_ge, dtype=float)
    n_le = np.asarray(n_le, dtype=float)
    denom = permutations + 1.0
    if alternative == "greater":
        return (n_ge + 1) / denom
    if alternative == "less":
        return (n_le + 1) / denom
    if alternative == "two-sided":
        return np.minimum(1.0, 2 * (np.minimum(n_ge, n_le) + 1) / denom)
    larger = np.where(permutations - n_ge < n_ge, permutations - n_ge, n_ge)
    return (larger + 1) / denom


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


def _ties(observed: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return 1e-12 * (np.abs(observed) + np.abs(scale))


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
    batch = max(1, min(permutations, _GLOBAL_BATCH // max(n, 1)))
    n_ge = n_le = 0
    total = total2 = 0.0
    tol = _ties(np.asarray(observed), np.asarray(1.0))
    done = 0
    while done < permutations:
        b = min(batch, permutations - done)
        cols = np.repeat(z[:, None], b, axis=1)
        rng.permuted(cols, axis=0, out=cols)
        sim = factor * np.einsum("ij,ij->j", cols, matrix @ cols)
        n_ge += int(np.count_nonzero(sim >= observed - tol))
        n_le += int(np.count_nonzero(sim <= observed + tol))
        total += float(sim.sum())
        total2 += float(sim @ sim)
        done += b
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
    tol = _ties(observed, intercept)
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
            obs = observed[sel, None]
            t = tol[sel, None]
            n_ge[sel] = np.count_nonzero(sim >= obs - t, axis=1)
            n_le[sel] = np.count_nonzero(sim <= obs + t, axis=1)
    return n_ge, n_le
