r"""Spatial autocorrelation: global Moran's I, local Moran (LISA) and Getis–Ord :math:`G_i^*`.

Every function takes the values (a Series indexed by region code, aligned to the weights by code,
or an array in the weights' order) and spatial weights — anything :func:`nqpf.geo.as_weights`
accepts: :class:`~nqpf.geo.SpatialWeights`, a libpysal ``W`` or ``Graph``, a labelled DataFrame,
a scipy sparse matrix or a square array in the order of the values — and returns a frozen
result. Permutation inference uses one seeded engine
(:mod:`nqpf._random`) with one ``alternative=`` vocabulary: ``"two-sided"``
(default), ``"greater"``, ``"less"`` and ``"directed"`` (esda's ``p_sim`` / GeoDa's pseudo p,
the one-sided p-value in the direction of the observed value).

The ``*_by_year`` helpers run a statistic for every year of a long table
(``region_code``, ``year``, ``value``) or of a :class:`~nqpf.panel.Panel` indicator; every year
draws from its own stream keyed by the year, so adding or removing a year changes no other year's
p-values.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf._random import (
    Alternative,
    RandomSource,
    Seed,
    check_alternative,
    check_permutations,
    pseudo_p,
)
from nqpf.errors import DataValidationError, WeightsError
from nqpf.geo.weights import SpatialWeights, as_weights
from nqpf.results import Result, Summary, make_meta
from nqpf.spatial._permutation import (
    bh_adjust,
    conditional_counts,
    global_moran_counts,
    normal_p,
)
from nqpf.validation import GAP_FIXES

__all__ = [
    "GetisOrdResult",
    "LocalMoranResult",
    "MoranResult",
    "SpatialPanelStatistic",
    "getis_ord",
    "getis_ord_by_year",
    "local_moran",
    "local_moran_by_year",
    "moran",
    "moran_by_year",
]

#: LISA quadrant labels: key → (Chinese, English).
QUADRANTS: dict[str, tuple[str, str]] = {
    "HH": ("高-高", "High-High"),
    "LH": ("低-高", "Low-High"),
    "LL": ("低-低", "Low-Low"),
    "HL": ("高-低", "High-Low"),
    "ns": ("不显著", "Not significant"),
}

#: Hot/cold spot classes (ArcGIS ``Gi_Bin`` convention): bin → (Chinese, English).
HOTSPOT_CLASSES: dict[int, tuple[str, str]] = {
    3: ("热点 (99% 置信度)", "Hot spot (99% confidence)"),
    2: ("热点 (95% 置信度)", "Hot spot (95% confidence)"),
    1: ("热点 (90% 置信度)", "Hot spot (90% confidence)"),
    0: ("不显著", "Not significant"),
    -1: ("冷点 (90% 置信度)", "Cold spot (90% confidence)"),
    -2: ("冷点 (95% 置信度)", "Cold spot (95% confidence)"),
    -3: ("冷点 (99% 置信度)", "Cold spot (99% confidence)"),
}


# --------------------------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------------------------
def _prepare(
    values: Any, w: Any, what: str = "values", where: str = ""
) -> tuple[np.ndarray, SpatialWeights]:
    if isinstance(values, pd.Series):
        if values.index.has_duplicates:
            dup = values.index[values.index.duplicated()].unique().tolist()
            raise DataValidationError(f"{what}{where}: regions appear more than once: {dup}")
        w = as_weights(w, values.index)
        codes = list(values.index)
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    else:
        x = np.asarray(values, dtype=float)
        if x.ndim != 1:
            raise DataValidationError(f"{what}{where} must be one-dimensional, got {x.shape}")
        w = as_weights(w)
        if x.size != w.n:
            raise WeightsError(
                f"{x.size} {what}{where} for {w.n} regions in the weights; pass a Series "
                "indexed by region code to align by code"
            )
        codes = list(w.codes)
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        shown = [codes[i] for i in bad[:10]]
        more = f" and {bad.size - 10} more" if bad.size > 10 else ""
        raise DataValidationError(
            f"{what}{where} missing or not finite for regions {shown}{more}; {GAP_FIXES} "
            "(and subset the weights)"
        )
    if x.size < 3:
        raise DataValidationError(f"{what}{where}: need at least 3 regions, got {x.size}")
    if np.ptp(x) == 0:
        raise DataValidationError(
            f"{what}{where} is constant ({x[0]:g}) across all {x.size} regions: spatial "
            "autocorrelation is undefined"
        )
    return x, w


def _no_neighbour_check(w: SpatialWeights, where: str = "") -> None:
    if w.sparse.nnz == 0:
        raise WeightsError(f"the spatial weights{where} have no links at all")


# --------------------------------------------------------------------------------------------
# global Moran
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoranResult(Result):
    """Global Moran's I with normal, randomisation and permutation inference."""

    statistic: float
    expected: float
    variance: float
    variance_randomization: float
    z_score: float
    z_score_randomization: float
    p_value: float
    p_value_randomization: float
    p_value_permutation: float
    simulated_mean: float
    simulated_sd: float
    permutations: int
    alternative: str
    n: int

    def to_frame(self) -> pd.DataFrame:
        """One row: ``statistic``, ``expected``, variances, z-scores and p-values."""
        cols = [
            "statistic",
            "expected",
            "variance",
            "variance_randomization",
            "z_score",
            "z_score_randomization",
            "p_value",
            "p_value_randomization",
            "p_value_permutation",
            "simulated_mean",
            "simulated_sd",
            "permutations",
            "alternative",
            "n",
        ]
        return pd.DataFrame([[getattr(self, c) for c in cols]], columns=cols)

    def summary(self) -> Summary:
        """Moran's I with its three inferences."""
        table = pd.DataFrame(
            {
                "统计量 statistic": [self.statistic] * 3,
                "期望 E[I]": [self.expected] * 3,
                "方差 variance": [self.variance, self.variance_randomization, np.nan],
                "Z 值 z-score": [self.z_score, self.z_score_randomization, np.nan],
                "P 值 p-value": [
                    self.p_value,
                    self.p_value_randomization,
                    self.p_value_permutation,
                ],
            },
            index=pd.Index(
                [
                    "正态假设 normality",
                    "随机化假设 randomisation",
                    f"置换检验 permutation ({self.permutations})",
                ],
                name="推断 inference",
            ),
        )
        return Summary(
            "全局莫兰指数 Global Moran's I",
            (("", table),),
            (f"n = {self.n}; alternative = {self.alternative}.",),
        )


def moran(
    values: Any,
    w: Any,
    permutations: int = 999,
    seed: Seed = None,
    alternative: Alternative = "two-sided",
) -> MoranResult:
    r"""Global Moran's I.

    .. math::

        I = \frac{n}{S_0} \frac{\sum_i \sum_j w_{ij} z_i z_j}{\sum_i z_i^2}, \quad
        z_i = x_i - \bar x, \quad S_0 = \sum_i \sum_j w_{ij}, \quad E[I] = -\frac{1}{n - 1}

    Variance under normality and under randomisation (Cliff & Ord 1981, eqs. 1.35–1.36), with
    :math:`S_1 = \tfrac12 \sum_{ij} (w_{ij} + w_{ji})^2`,
    :math:`S_2 = \sum_i (w_{i\cdot} + w_{\cdot i})^2` and sample kurtosis
    :math:`b_2 = n \sum z^4 / (\sum z^2)^2`:

    .. math::

        V_N = \frac{n^2 S_1 - n S_2 + 3 S_0^2}{(n^2 - 1) S_0^2} - E[I]^2

        V_R = \frac{n[(n^2 - 3n + 3) S_1 - n S_2 + 3 S_0^2]
              - b_2[(n^2 - n) S_1 - 2 n S_2 + 6 S_0^2]}{(n-1)(n-2)(n-3) S_0^2} - E[I]^2

    The permutation p-value is :math:`(M + 1)/(P + 1)` over ``permutations`` random relabellings
    (see :mod:`nqpf._random` for ``alternative``).

    Parameters
    ----------
    values
        A Series indexed by region code (the weights are aligned to it) or an array in the
        weights' order. Missing values and constant values are errors.
    w
        Spatial weights, anything :func:`nqpf.geo.as_weights` accepts (an unlabelled matrix
        follows the order of ``values``); used as given (row-standardised by default when built
        by nqpf).
    permutations
        Number of random permutations (0: none, ``p_value_permutation`` is NaN).
    seed
        ``int``, ``numpy.random.SeedSequence``, ``numpy.random.Generator`` or ``None`` (fresh
        entropy, recorded in ``meta["seed"]``); see :mod:`nqpf._random`.
    alternative
        ``"two-sided"``, ``"greater"`` (positive autocorrelation), ``"less"`` or ``"directed"``.

    Returns
    -------
    MoranResult
        ``statistic``, ``expected``, ``variance`` (normality), ``variance_randomization``,
        ``z_score`` and ``p_value`` (normality), ``z_score_randomization``,
        ``p_value_randomization`` and ``p_value_permutation``.

    Notes
    -----
    Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17–23.
    Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
    The statistic and analytical moments equal esda's ``Moran`` given the same weights.

    Examples
    --------
    >>> w = SpatialWeights.from_array(
    ...     [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], codes=list("abcd"))
    >>> r = moran([1.0, 2.0, 3.0, 4.0], w, permutations=0)
    >>> round(r.statistic, 4), round(r.expected, 4)
    (0.4, -0.3333)
    """
    alternative = check_alternative(alternative)  # type: ignore[assignment]
    permutations = check_permutations(permutations)
    x, w = _prepare(values, w)
    _no_neighbour_check(w)
    return _moran(x, w, permutations, RandomSource.from_seed(seed), alternative)


def _moran(
    x: np.ndarray,
    w: SpatialWeights,
    permutations: int,
    source: RandomSource,
    alternative: str,
) -> MoranResult:
    n = x.size
    mat = w.sparse
    z = x - x.mean()
    z2 = float(z @ z)
    s0 = float(mat.sum())
    statistic = n / s0 * float(z @ (mat @ z)) / z2
    sym = mat + mat.T
    s1 = 0.5 * float((sym.multiply(sym)).sum())
    rows = np.asarray(mat.sum(axis=1)).ravel()
    cols = np.asarray(mat.sum(axis=0)).ravel()
    s2 = float(((rows + cols) ** 2).sum())
    expected = -1.0 / (n - 1)
    v_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    b2 = n * float((z**4).sum()) / z2**2
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    v_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - expected**2 if n > 3 else np.nan
    # a W under which I is constant (e.g. everyone neighbours everyone) has zero variance:
    # the z-score is undefined rather than a division warning
    z_norm = (statistic - expected) / np.sqrt(v_norm) if v_norm > 1e-14 else np.nan
    z_rand = (statistic - expected) / np.sqrt(v_rand) if v_rand > 1e-14 else np.nan
    if permutations:
        n_ge, n_le, sim_mean, sim_sd = global_moran_counts(
            z, mat, statistic, permutations, source.generator()
        )
        p_perm = float(pseudo_p(np.asarray(n_ge), np.asarray(n_le), permutations, alternative))
    else:
        p_perm = sim_mean = sim_sd = float("nan")
    return MoranResult(
        statistic=statistic,
        expected=expected,
        variance=v_norm,
        variance_randomization=float(v_rand),
        z_score=float(z_norm),
        z_score_randomization=float(z_rand),
        p_value=float(normal_p(z_norm, alternative)),
        p_value_randomization=float(normal_p(z_rand, alternative)),
        p_value_permutation=p_perm,
        simulated_mean=sim_mean,
        simulated_sd=sim_sd,
        permutations=permutations,
        alternative=alternative,
        n=n,
        meta=make_meta(
            "moran",
            n=n,
            weights=w.kind,
            row_standardized=w.row_standardized,
            permutations=permutations,
            alternative=alternative,
            seed=source.record,
            isolated=list(w.isolated),
        ),
    )


# --------------------------------------------------------------------------------------------
# local Moran
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocalMoranResult(Result):
    """Local Moran's :math:`I_i` (LISA) with quadrants and permutation p-values.

    ``quadrant`` is ``"HH"``, ``"LH"``, ``"LL"`` or ``"HL"`` for every region; ``cluster`` is the
    quadrant where ``significant`` and ``"ns"`` otherwise. Labels in Chinese and English are in
    :data:`QUADRANTS` and in :meth:`to_frame`.
    """

    codes: tuple[Hashable, ...]
    values: np.ndarray
    statistic: np.ndarray
    lag: np.ndarray
    quadrant: np.ndarray
    p_value: np.ndarray
    p_value_adjusted: np.ndarray
    significant: np.ndarray
    alpha: float
    fdr: bool
    denominator: str
    permutations: int
    alternative: str

    @property
    def cluster(self) -> np.ndarray:
        """Quadrant where significant, ``"ns"`` otherwise."""
        return np.where(self.significant, self.quadrant, "ns")

    def to_frame(self) -> pd.DataFrame:
        """One row per region, with bilingual quadrant and cluster labels (for LISA maps)."""
        cluster = self.cluster
        std = (self.values - self.values.mean()) / self.values.std()
        return pd.DataFrame(
            {
                "region_code": list(self.codes),
                "value": self.values,
                "z": std,
                "lag": self.lag,
                "statistic": self.statistic,
                "quadrant": self.quadrant,
                "quadrant_zh": [QUADRANTS[q][0] for q in self.quadrant],
                "quadrant_en": [QUADRANTS[q][1] for q in self.quadrant],
                "p_value": self.p_value,
                "p_value_adjusted": self.p_value_adjusted,
                "significant": self.significant,
                "cluster": cluster,
                "cluster_zh": [QUADRANTS[c][0] for c in cluster],
                "cluster_en": [QUADRANTS[c][1] for c in cluster],
            }
        )

    def counts(self) -> pd.DataFrame:
        """Number of regions per cluster type."""
        order = ["HH", "LL", "HL", "LH", "ns"]
        count = pd.Series(self.cluster).value_counts().reindex(order, fill_value=0)
        return pd.DataFrame(
            {
                "类型 cluster": [f"{QUADRANTS[k][0]} {QUADRANTS[k][1]}" for k in order],
                "区域数 regions": count.to_numpy(),
            }
        )

    def summary(self) -> Summary:
        """Cluster counts and the significant regions."""
        frame = self.to_frame()
        sig = frame.loc[
            frame.significant, ["region_code", "value", "statistic", "p_value", "cluster_zh"]
        ]
        sig = sig.rename(
            columns={
                "region_code": "区域 region",
                "value": "值 value",
                "statistic": "局部莫兰 Ii",
                "p_value": "P 值 p-value",
                "cluster_zh": "类型 cluster",
            }
        )
        how = "BH-FDR adjusted" if self.fdr else "unadjusted"
        return Summary(
            "局部莫兰指数 Local Moran's I (LISA)",
            (("", self.counts()), ("显著区域 Significant regions", sig.reset_index(drop=True))),
            (
                f"alpha = {self.alpha} ({how} permutation p-values, {self.permutations} "
                f"permutations, {self.alternative}); denominator {self.denominator}.",
            ),
        )


def local_moran(
    values: Any,
    w: Any,
    permutations: int = 999,
    seed: Seed = None,
    fdr: bool = False,
    denominator: Literal["n-1", "n"] = "n-1",
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> LocalMoranResult:
    r"""Local Moran's :math:`I_i` (LISA) with conditional-randomisation p-values.

    .. math::

        I_i = \frac{z_i \sum_j w_{ij} z_j}{m_2}, \quad z_i = x_i - \bar x, \quad
        m_2 = \frac{\sum_k z_k^2}{n - 1} \;(\texttt{"n-1"}) \text{ or }
        \frac{\sum_k z_k^2}{n} \;(\texttt{"n"})

    Quadrants from the sign of :math:`z_i` and of the lag :math:`\sum_j w_{ij} z_j`: HH
    (高-高), LH (低-高), LL (低-低), HL (高-低); zero counts as low, as in esda. A region's cluster
    is its quadrant when its p-value (Benjamini–Hochberg adjusted when ``fdr=True``) is at most
    ``alpha``.

    Parameters
    ----------
    values, w
        As in :func:`moran`.
    permutations
        Conditional permutations per region (Anselin 1995): :math:`x_i` is held fixed and the
        neighbours' values are drawn from the other regions. 0 gives NaN p-values. Every
        (region, permutation) draws its own ordered sample without replacement (a partial
        Fisher–Yates shuffle fed by the seeded stream of random 32-bit words, consumed region by
        region in a fixed order; see :mod:`nqpf.spatial._permutation`), so the same seed gives
        the same p-values in every run, whatever the memory chunking.
    seed
        ``int``, ``numpy.random.SeedSequence``, ``numpy.random.Generator`` or ``None`` (fresh
        entropy, recorded in ``meta["seed"]``); see :mod:`nqpf._random`.
    fdr
        Control the false discovery rate (Benjamini & Hochberg 1995) across regions.
    denominator
        ``"n-1"`` (default; esda, PySAL) or ``"n"`` (R ``spdep::localmoran``, GeoDa's scaling of
        the sum). Only the scale of :math:`I_i` changes; p-values and clusters do not.
    alpha
        Significance level for clusters.
    alternative
        As in :func:`moran`; ``"directed"`` reproduces esda's ``p_sim`` and GeoDa.

    Returns
    -------
    LocalMoranResult

    Notes
    -----
    Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical Analysis*
    27(2), 93–115. With the same weights the statistics equal esda's ``Moran_Local`` (``"n-1"``)
    and ``spdep::localmoran`` (``"n"``).

    Examples
    --------
    >>> w = SpatialWeights.from_array(
    ...     [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], codes=list("abcd"))
    >>> r = local_moran([1.0, 2.0, 3.0, 4.0], w, permutations=0)
    >>> r.quadrant.tolist()
    ['LL', 'LL', 'HH', 'HH']
    >>> r.statistic.round(3).tolist()
    [0.45, 0.15, 0.15, 0.45]
    """
    alternative = check_alternative(alternative)  # type: ignore[assignment]
    permutations = check_permutations(permutations)
    _check_alpha(alpha)
    if denominator not in ("n-1", "n"):
        raise DataValidationError(f"denominator must be 'n-1' or 'n', got {denominator!r}")
    x, w = _prepare(values, w)
    _no_neighbour_check(w)
    return _local_moran(
        x, w, permutations, RandomSource.from_seed(seed), fdr, denominator, alpha, alternative
    )


def _local_moran(
    x: np.ndarray,
    w: SpatialWeights,
    permutations: int,
    source: RandomSource,
    fdr: bool,
    denominator: str,
    alpha: float,
    alternative: str,
) -> LocalMoranResult:
    n = x.size
    z = x - x.mean()
    m2 = float(z @ z) / (n - 1 if denominator == "n-1" else n)
    lag = w.sparse @ z
    statistic = z * lag / m2
    pos, pos_lag = z > 0, lag > 0
    quadrant = np.select(
        [pos & pos_lag, ~pos & pos_lag, ~pos & ~pos_lag], ["HH", "LH", "LL"], default="HL"
    )
    if permutations:
        n_ge, n_le = conditional_counts(
            z, w.sparse, np.zeros(n), z / m2, statistic, permutations, source.generator()
        )
        p = pseudo_p(n_ge, n_le, permutations, alternative)
    else:
        p = np.full(n, np.nan)
    p_adj = bh_adjust(p) if fdr and permutations else p.copy()
    significant = np.asarray(p_adj <= alpha)
    return LocalMoranResult(
        codes=w.codes,
        values=x,
        statistic=statistic,
        lag=lag / x.std(),
        quadrant=quadrant,
        p_value=p,
        p_value_adjusted=p_adj,
        significant=significant,
        alpha=alpha,
        fdr=fdr,
        denominator=denominator,
        permutations=permutations,
        alternative=alternative,
        meta=make_meta(
            "local_moran",
            n=n,
            weights=w.kind,
            permutations=permutations,
            alternative=alternative,
            seed=source.record,
            fdr=fdr,
            alpha=alpha,
            denominator=denominator,
            isolated=list(w.isolated),
        ),
    )


# --------------------------------------------------------------------------------------------
# Getis-Ord
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GetisOrdResult(Result):
    """Local Getis–Ord :math:`G_i^*` (or :math:`G_i`) with hot- and cold-spot classes."""

    codes: tuple[Hashable, ...]
    values: np.ndarray
    statistic: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    z_score: np.ndarray
    p_value: np.ndarray
    p_value_permutation: np.ndarray
    hotspot: np.ndarray
    star: bool
    inference: str
    fdr: bool
    permutations: int
    alternative: str

    def to_frame(self) -> pd.DataFrame:
        """One row per region with ``z_score``, p-values and the bilingual hot-spot class."""
        return pd.DataFrame(
            {
                "region_code": list(self.codes),
                "value": self.values,
                "statistic": self.statistic,
                "expected": self.expected,
                "variance": self.variance,
                "z_score": self.z_score,
                "p_value": self.p_value,
                "p_value_permutation": self.p_value_permutation,
                "hotspot": self.hotspot,
                "hotspot_zh": [HOTSPOT_CLASSES[int(b)][0] for b in self.hotspot],
                "hotspot_en": [HOTSPOT_CLASSES[int(b)][1] for b in self.hotspot],
            }
        )

    def summary(self) -> Summary:
        """Counts of hot and cold spots by confidence."""
        counts = (
            pd.Series(self.hotspot)
            .value_counts()
            .reindex(sorted(HOTSPOT_CLASSES, reverse=True), fill_value=0)
        )
        table = pd.DataFrame(
            {
                "类型 class": [
                    f"{HOTSPOT_CLASSES[b][0]} {HOTSPOT_CLASSES[b][1]}" for b in counts.index
                ],
                "区域数 regions": counts.to_numpy(),
            }
        )
        name = "Gi*" if self.star else "Gi"
        first = f"classes from {self.inference} p-values{' (BH-FDR)' if self.fdr else ''}."
        return Summary(
            f"热点分析 Hot-spot analysis (Getis-Ord {name})", (("", table),), (first, *self.notes)
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Regions whose z-score is undefined (zero variance), classed 0 "not significant"."""
        undefined = [c for c, z in zip(self.codes, self.z_score, strict=True) if not np.isfinite(z)]
        if not undefined:
            return ()
        return (
            f"z 值无定义 Undefined {'Gi*' if self.star else 'Gi'} z-score for {len(undefined)} "
            f"region(s) ({', '.join(map(str, undefined))}): their neighbourhood weights do not "
            "vary (e.g. every region is a neighbour), so the variance is 0; classed 0 "
            "(not significant).",
        )


def getis_ord(
    values: Any,
    w: Any,
    star: bool = True,
    permutations: int = 999,
    seed: Seed = None,
    inference: Literal["normal", "permutation"] = "normal",
    fdr: bool = False,
    alternative: Alternative = "two-sided",
) -> GetisOrdResult:
    r"""Local Getis–Ord :math:`G_i^*` (``star=True``) or :math:`G_i` hot-spot statistics.

    For :math:`G_i^*` every region is its own neighbour with self-weight
    :math:`w_{ii} = \max_j w_{ij}` (1 for binary weights; for row-standardised weights the row is
    re-standardised after adding it, so binary contiguity gives :math:`1/(k_i + 1)`). With
    :math:`W_i = \sum_j w_{ij}` and :math:`S_{1i} = \sum_j w_{ij}^2` (sums over all *j* for
    :math:`G_i^*`, over :math:`j \ne i` for :math:`G_i`, whose mean :math:`\bar x` and
    :math:`s` also leave out :math:`x_i` and use :math:`N = n - 1`):

    .. math::

        G_i^* = \frac{\sum_j w_{ij} x_j}{\sum_j x_j}, \qquad
        Z_i = \frac{\sum_j w_{ij} x_j - \bar x W_i}
                   {s \sqrt{(N S_{1i} - W_i^2) / (N - 1)}}, \qquad
        s^2 = \frac{1}{N}\sum_j x_j^2 - \bar x^2

    The z-score does not change when a row of weights is rescaled, so binary and
    row-standardised contiguity give the same z-scores. Hot and cold spots follow the ArcGIS
    ``Gi_Bin`` convention: ±3, ±2, ±1 for two-sided p < 0.01, 0.05, 0.10 with the sign of
    :math:`Z_i`.

    Parameters
    ----------
    values, w
        As in :func:`moran`; the values should be positive (a ratio to their total).
    star
        :math:`G_i^*` (include the region itself) or :math:`G_i`.
    permutations, seed
        Conditional randomisation of the neighbours' values (0: none), drawn as in
        :func:`local_moran`: same seed, same p-values.
    inference
        Whether hot-spot classes use the normal p-values (default, as ArcGIS) or the
        permutation p-values.
    fdr
        Benjamini–Hochberg adjust the p-values before classing (ArcGIS's "FDR correction").
    alternative
        Alternative of ``p_value`` and ``p_value_permutation``; the classes always use two-sided
        p-values.

    Returns
    -------
    GetisOrdResult
        ``statistic``, ``expected`` :math:`W_i/N`, ``variance``, ``z_score``, ``p_value``
        (normal), ``p_value_permutation``, ``hotspot`` (−3 … 3).

    Notes
    -----
    Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. *Geographical Analysis* 24(3), 189–206. Ord, J. K. & Getis, A. (1995). Local
    spatial autocorrelation statistics: distributional issues and an application.
    *Geographical Analysis* 27(4), 286–306 (general-weights variance, eq. 9). With binary
    weights the z-scores equal esda's ``G_Local(transform="B")``; esda's row-standardised
    variant (``transform="R"``) plugs :math:`W_i = 1` into the binary-weights variance and so
    gives different z-scores.

    Examples
    --------
    >>> w = SpatialWeights.from_array(
    ...     [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], codes=list("abcd"),
    ...     row_standardize=False)
    >>> r = getis_ord([1.0, 2.0, 3.0, 10.0], w, permutations=0)
    >>> r.z_score.round(3).tolist()
    [-1.225, -1.697, 0.849, 1.225]
    """
    alternative = check_alternative(alternative)  # type: ignore[assignment]
    permutations = check_permutations(permutations)
    if inference not in ("normal", "permutation"):
        raise DataValidationError(f"inference must be 'normal' or 'permutation', got {inference!r}")
    if inference == "permutation" and not permutations:
        raise DataValidationError("inference='permutation' needs permutations > 0")
    x, w = _prepare(values, w)
    _no_neighbour_check(w)
    source = RandomSource.from_seed(seed)
    return _getis_ord(x, w, star, permutations, source, inference, fdr, alternative)


def _gi_matrix(w: SpatialWeights, star: bool) -> Any:
    from scipy import sparse

    mat = w.sparse
    if not star:
        return mat
    rowmax = np.asarray(mat.max(axis=1).toarray()).ravel() if mat.nnz else np.zeros(w.n)
    rowmax = np.where(rowmax > 0, rowmax, 1.0)
    out = sparse.csr_array(mat + sparse.diags_array(rowmax))
    if w.row_standardized:
        sums = np.asarray(out.sum(axis=1)).ravel()
        out = sparse.csr_array(sparse.diags_array(1.0 / sums) @ out)
    return out


def _getis_ord(
    x: np.ndarray,
    w: SpatialWeights,
    star: bool,
    permutations: int,
    source: RandomSource,
    inference: str,
    fdr: bool,
    alternative: str,
) -> GetisOrdResult:
    n = x.size
    mat = _gi_matrix(w, star)
    total = x.sum()
    if total == 0:
        raise DataValidationError("values sum to 0: the Getis-Ord ratio is undefined")
    weighted = mat @ x
    wi = np.asarray(mat.sum(axis=1)).ravel()
    s1i = np.asarray(mat.multiply(mat).sum(axis=1)).ravel()
    if star:
        big_n = float(n)
        denom_sum = np.full(n, total)
        mean = np.full(n, total / n)
        meansq = np.full(n, float(x @ x) / n)
    else:
        big_n = float(n - 1)
        denom_sum = total - x
        mean = denom_sum / big_n
        meansq = (float(x @ x) - x**2) / big_n
    s = np.sqrt(np.maximum(meansq - mean**2, 0.0))
    statistic = weighted / denom_sum
    expected = wi / big_n
    # Var(G) = (N S1 - W^2)/(N-1) * s^2 / (N xbar)^2  (Ord & Getis 1995, eq. 9 over the sum)
    variance = (big_n * s1i - wi**2) / (big_n - 1) * s**2 / (big_n * mean) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (weighted - mean * wi) / (s * np.sqrt((big_n * s1i - wi**2) / (big_n - 1)))
    p_norm = normal_p(z, alternative)
    if permutations:
        diag = mat.diagonal()
        intercept = diag * x / denom_sum
        n_ge, n_le = conditional_counts(
            x, mat, intercept, 1.0 / denom_sum, statistic, permutations, source.generator()
        )
        p_perm = pseudo_p(n_ge, n_le, permutations, alternative)
        p_perm_two = pseudo_p(n_ge, n_le, permutations, "two-sided")
    else:
        p_perm = p_perm_two = np.full(n, np.nan)
    p_class = normal_p(z, "two-sided") if inference == "normal" else p_perm_two
    if fdr:
        p_class = bh_adjust(p_class)
    level = np.select([p_class < 0.01, p_class < 0.05, p_class < 0.10], [3, 2, 1], default=0)
    # an undefined z (no variance: the neighbourhood is the whole sample) is class 0
    hotspot = (np.sign(np.nan_to_num(z, nan=0.0)) * level).astype(int)
    return GetisOrdResult(
        codes=w.codes,
        values=x,
        statistic=statistic,
        expected=expected,
        variance=variance,
        z_score=z,
        p_value=p_norm,
        p_value_permutation=p_perm,
        hotspot=hotspot,
        star=star,
        inference=inference,
        fdr=fdr,
        permutations=permutations,
        alternative=alternative,
        meta=make_meta(
            "getis_ord",
            n=n,
            star=star,
            weights=w.kind,
            permutations=permutations,
            seed=source.record,
            inference=inference,
            fdr=fdr,
            alternative=alternative,
        ),
    )


# --------------------------------------------------------------------------------------------
# by year over a long table
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpatialPanelStatistic(Result):
    """A spatial statistic computed for every year: ``table`` (tidy) and the per-year results."""

    table: pd.DataFrame
    results: dict[int, Result]
    statistic: str

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame with a ``year`` column (one row per year, or per region and year)."""
        return self.table.copy()

    def summary(self) -> Summary:
        """The table (global Moran) or per-year cluster counts (local statistics)."""
        if self.statistic == "moran":
            cols = ["year", "statistic", "expected", "z_score", "p_value", "p_value_permutation"]
            return Summary(
                "全局莫兰指数（逐年） Global Moran's I by year",
                (("", self.table[cols].set_index("year")),),
            )
        key = "cluster" if self.statistic == "local_moran" else "hotspot"
        counts = self.table.groupby(["year", key]).size().unstack(fill_value=0)
        title = {
            "local_moran": "局部莫兰聚类（逐年） LISA clusters by year",
            "getis_ord": "冷热点（逐年） Hot and cold spots by year",
        }[self.statistic]
        return Summary(title, (("", counts),))


def _long_values(
    data: Any, value: str, region: str, year: str, indicator: str | None
) -> pd.DataFrame:
    if hasattr(data, "to_long") and not isinstance(data, pd.DataFrame):
        frame = data.to_long()
        if indicator is None:
            raise DataValidationError("pass indicator=... to choose a Panel indicator")
        if indicator not in set(frame["indicator"]):
            raise DataValidationError(f"indicator {indicator!r} is not in the panel")
        frame = frame.loc[frame["indicator"] == indicator]
        region, year, value = "region_code", "year", "value"
    elif isinstance(data, pd.DataFrame):
        frame = data
        if indicator is not None and "indicator" in frame:
            frame = frame.loc[frame["indicator"] == indicator]
    else:
        raise DataValidationError(
            f"data must be a long DataFrame or a Panel, got {type(data).__name__}"
        )
    missing = [c for c in (region, year, value) if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"columns {missing} not found; available: {list(frame.columns)} "
            "(set region=, year=, value=)"
        )
    out = frame[[region, year, value]].rename(
        columns={region: "region_code", year: "year", value: "value"}
    )
    dup = out.duplicated(["region_code", "year"])
    if dup.any():
        first = out.loc[dup].iloc[0]
        raise DataValidationError(
            f"region {first.region_code!r} appears more than once in year {first.year}"
        )
    return out


def _by_year(
    data: Any,
    w: Any,
    value: str,
    region: str,
    year: str,
    indicator: str | None,
    run: Any,
    statistic: str,
    source: RandomSource,
    **parameters: Any,
) -> SpatialPanelStatistic:
    """Run ``run(x, wy, stream)`` on every year and gather the tidy table.

    ``stream`` is the child of ``source`` keyed by the year; meta ``<statistic>_by_year``.
    """
    frame = _long_values(data, value, region, year, indicator)
    out: dict[int, Any] = {}
    for yr, grp in frame.groupby("year", sort=True):
        series = pd.Series(
            pd.to_numeric(grp["value"], errors="coerce").to_numpy(),
            index=pd.Index(grp["region_code"].to_list()),
        )
        if series.isna().all():
            raise DataValidationError(f"year {yr}: all values are missing")
        where = f" in year {yr}"
        try:
            aligned = as_weights(w, series.index)
        except WeightsError as exc:
            raise WeightsError(f"year {yr}: {exc}") from None
        x, wy = _prepare(series, aligned, where=where)
        out[int(yr)] = run(x, wy, source.child(int(yr)))
    if not out:
        raise DataValidationError("no data")
    table = pd.concat([r.to_frame().assign(year=yr) for yr, r in out.items()], ignore_index=True)
    table = table[["year", *[c for c in table.columns if c != "year"]]]
    return SpatialPanelStatistic(
        table=table,
        results=dict(out),
        statistic=statistic,
        meta=make_meta(f"{statistic}_by_year", **parameters, seed=source.record, years=list(out)),
    )


def moran_by_year(
    data: Any,
    w: Any,
    *,
    value: str = "value",
    region: str = "region_code",
    year: str = "year",
    indicator: str | None = None,
    permutations: int = 999,
    seed: Seed = None,
    alternative: Alternative = "two-sided",
) -> SpatialPanelStatistic:
    """Global Moran's I for every year of a long table (or a :class:`~nqpf.panel.Panel` indicator).

    Every year must have exactly the regions of ``w`` and no missing value; otherwise the error
    names the year and the regions. Each year's permutations come from the child stream of
    ``seed`` keyed by the year (:meth:`nqpf._random.RandomSource.child`), so a year's p-value does
    not depend on which other years are present.

    Examples
    --------
    >>> w = SpatialWeights.from_array(
    ...     [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], codes=list("abcd"))
    >>> df = pd.DataFrame({"region_code": list("abcd") * 2, "year": [2020] * 4 + [2021] * 4,
    ...                    "value": [1.0, 2, 3, 4, 4, 1, 3, 2]})
    >>> moran_by_year(df, w, permutations=0).table[["year", "statistic"]].round(4)
       year  statistic
    0  2020        0.4
    1  2021       -0.9
    """
    alternative = check_alternative(alternative)  # type: ignore[assignment]
    permutations = check_permutations(permutations)
    return _by_year(
        data,
        w,
        value,
        region,
        year,
        indicator,
        lambda x, wy, stream: _moran(x, wy, permutations, stream, alternative),
        "moran",
        RandomSource.from_seed(seed),
        permutations=permutations,
        alternative=alternative,
    )


def local_moran_by_year(
    data: Any,
    w: Any,
    *,
    value: str = "value",
    region: str = "region_code",
    year: str = "year",
    indicator: str | None = None,
    permutations: int = 999,
    seed: Seed = None,
    fdr: bool = False,
    denominator: Literal["n-1", "n"] = "n-1",
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> SpatialPanelStatistic:
    """Local Moran's :math:`I_i` for every year (see :func:`local_moran`); tidy by region-year."""
    alternative = check_alternative(alternative)  # type: ignore[assignment]
    permutations = check_permutations(permutations)
    _check_alpha(alpha)
    if denominator not in ("n-1", "n"):
        raise DataValidationError(f"denominator must be 'n-1' or 'n', got {denominator!r}")
    return _by_year(
        data,
        w,
        value,
        region,
        year,
        indicator,
        lambda x, wy, stream: _local_moran(
            x, wy, permutations, stream, fdr, denominator, alpha, alternative
        ),
        "local_moran",
        RandomSource.from_seed(seed),
        permutations=permutations,
        fdr=fdr,
        alpha=alpha,
        denominator=denominator,
        alternative=alternative,
    )


def getis_ord_by_year(
    data: Any,
    w: Any,
    *,
    value: str = "value",
    region: str = "region_code",
    year: str = "year",
    indicator: str | None = None,
    star: bool = True,
    permutations: int = 999,
    seed: Seed = None,
    inference: Literal["normal", "permutation"] = "normal",
    fdr: bool = False,
    alternative: Alternative = "two-sided",
) -> SpatialPanelStatistic:
    """Getis–Ord :math:`G_i^*` for every year (see :func:`getis_ord`); tidy by region-year."""
    alternative = check_alternative(alternative)  # type: ignore[assignment]
    permutations = check_permutations(permutations)
    if inference not in ("normal", "permutation"):
        raise DataValidationError(f"inference must be 'normal' or 'permutation', got {inference!r}")
    return _by_year(
        data,
        w,
        value,
        region,
        year,
        indicator,
        lambda x, wy, stream: _getis_ord(
            x, wy, star, permutations, stream, inference, fdr, alternative
        ),
        "getis_ord",
        RandomSource.from_seed(seed),
        star=star,
        permutations=permutations,
        inference=inference,
        fdr=fdr,
        alternative=alternative,
    )


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise DataValidationError(f"alpha must be between 0 and 1, got {alpha}")
