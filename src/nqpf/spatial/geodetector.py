r"""Geographical detector: factor, interaction, risk and ecological detectors; discretisation.

The geographical detector (地理探测器; Wang et al. 2010) measures how much of the variance of a
response *Y* is explained by the strata of a factor *X* with the *q*-statistic

.. math::

    q = 1 - \frac{\sum_{h=1}^{L} N_h \sigma_h^2}{N \sigma^2} = 1 - \frac{SSW}{SST}.

Everything is computed from per-stratum counts, sums and within-stratum sums of squares obtained
with ``numpy.bincount`` over integer stratum codes (two passes, so the sums of squares do not
suffer from cancellation); interaction strata are the crossed codes
:math:`c_{12} = c_1 L_2 + c_2`. No pandas ``groupby`` loop is involved, so 10⁶ rows × several
factors take well under a second.

Two conventions are offered, and the result records which one was used:

``convention="R"`` (default)
    As the official R package ``geodetector`` 1.0-5 (Xu & Wang): strata with a single
    observation are kept (they add nothing to *SSW* but count in *N*, *L* and :math:`\lambda`);
    :math:`\sigma^2` in :math:`\lambda` is the sample variance (divisor :math:`N - 1`); the risk
    detector uses Welch's *t* with the degrees of freedom rounded to an integer; the ecological
    detector compares :math:`q_a / q_b` (larger over smaller) with the 0.9 quantile of
    :math:`F(N-1, N-1)`, as the R code does, whatever ``alpha`` is.
``convention="python"``
    As the PyPI package ``geodetector`` 0.2.0 (and, for the factor detector, R ``gdverse``):
    strata with a single observation are dropped before anything is computed (the dropped
    strata are listed in the result's ``report``); :math:`\sigma^2` in :math:`\lambda` is the
    population variance (divisor *N*); *q* is clipped to [0, 1]; Welch's *t* keeps fractional
    degrees of freedom; the ecological detector tests
    :math:`F = (1 - q_a)/(1 - q_b)` two-sided with :math:`(N-1, N-1)` degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from nqpf._compat import require
from nqpf._random import RandomSource, Seed
from nqpf.errors import DataValidationError
from nqpf.results import Result, Summary, make_meta
from nqpf.validation import ValidationReport

__all__ = [
    "DISCRETIZATION_METHODS",
    "INTERACTION_TYPES",
    "GeoDetectorResult",
    "OptimalDiscretization",
    "discretize",
    "geodetector",
    "optimal_discretization",
]

Convention = Literal["R", "python"]
Detector = Literal["factor", "interaction", "risk", "ecological"]
DETECTORS: tuple[Detector, ...] = ("factor", "interaction", "risk", "ecological")

#: Interaction types: key → (Chinese, English).
INTERACTION_TYPES: dict[str, tuple[str, str]] = {
    "nonlinear-weaken": ("非线性减弱", "Weaken, nonlinear"),
    "uni-weaken": ("单因子非线性减弱", "Weaken, uni-variable"),
    "bi-enhance": ("双因子增强", "Enhance, bi-variable"),
    "independent": ("独立", "Independent"),
    "nonlinear-enhance": ("非线性增强", "Enhance, nonlinear"),
}

#: Discretisation methods of :func:`discretize` (aliases accepted: ``"jenks"``,
#: ``"natural"``, ``"fisher_jenks"`` for ``"natural_breaks"``).
DISCRETIZATION_METHODS: tuple[str, ...] = ("equal", "quantile", "natural_breaks", "geometric", "sd")
_ALIASES = {
    "jenks": "natural_breaks",
    "natural": "natural_breaks",
    "fisher_jenks": "natural_breaks",
}

#: Largest sample on which Fisher–Jenks natural breaks are computed exactly (O(k n²)).
JENKS_MAX_SAMPLE = 3000


# --------------------------------------------------------------------------------------------
# core: per-stratum statistics from integer codes
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Strata:
    counts: np.ndarray  # per stratum
    means: np.ndarray
    ss: np.ndarray  # within-stratum sum of squares

    @property
    def n_strata(self) -> int:
        return int(self.counts.size)


def _strata(codes: np.ndarray, y: np.ndarray, n_codes: int) -> _Strata:
    counts = np.bincount(codes, minlength=n_codes).astype(float)
    sums = np.bincount(codes, weights=y, minlength=n_codes)
    present = counts > 0
    means = np.divide(sums, counts, out=np.zeros(n_codes), where=present)
    dev = y - means[codes]
    ss = np.bincount(codes, weights=dev * dev, minlength=n_codes)
    return _Strata(counts[present], means[present], ss[present])


def _compact(codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, int]:
    """Renumber codes 0..L-1 over the codes that occur."""
    counts = np.bincount(codes, minlength=n_codes)
    present = counts > 0
    remap = np.cumsum(present) - 1
    return remap[codes], int(present.sum())


@dataclass(frozen=True)
class _FactorStat:
    q: float
    p_value: float
    f_statistic: float
    noncentrality: float
    n: int
    n_strata: int
    singletons: int


def _factor_stat(
    strata: _Strata, y_stats: tuple[float, float, float], convention: str
) -> _FactorStat:
    """Compute q and the non-central F p-value from per-stratum statistics.

    ``y_stats`` is (N, sum y, SST) of all rows; under the python convention the singleton strata
    and their rows are removed here.
    """
    counts, means, ss = strata.counts, strata.means, strata.ss
    n_all, _, sst_all = y_stats
    singletons = int(np.count_nonzero(counts == 1))
    if convention == "python" and singletons:
        keep = counts >= 2
        counts, means, ss = counts[keep], means[keep], ss[keep]
        n = float(counts.sum())
        mean_keep = float((counts * means).sum()) / n
        # SST of the kept rows = SSW + SSB (no cancellation)
        sst = float(ss.sum()) + float((counts * (means - mean_keep) ** 2).sum())
    else:
        n, sst = n_all, sst_all
    n_strata = int(counts.size)
    ssw = float(ss.sum())
    q = 1.0 - ssw / sst if sst > 0 else float("nan")
    if convention == "python":
        q = float(min(1.0, max(0.0, q)))
    variance = sst / (n - 1) if convention == "R" else sst / n
    lam = (float((means**2).sum()) - float((np.sqrt(counts) * means).sum()) ** 2 / n) / variance
    df1, df2 = n_strata - 1, n - n_strata
    if q >= 1.0:
        f_value, p = float("inf"), 0.0
    elif convention == "python" and q <= 0.0:
        f_value, p = 0.0, 1.0
    else:
        f_value = df2 * q / (df1 * (1.0 - q))
        p = float(stats.ncf.sf(f_value, df1, df2, max(lam, 0.0))) if df2 > 0 else float("nan")
    return _FactorStat(float(q), p, float(f_value), float(lam), int(n), n_strata, singletons)


def _interaction_type(q1: float, q2: float, q12: float, tol: float = 1e-10) -> str:
    lo, hi = min(q1, q2), max(q1, q2)
    if q12 < lo:
        return "nonlinear-weaken"
    if q12 <= hi:
        return "uni-weaken"
    if abs(q12 - (q1 + q2)) < tol:
        return "independent"
    if q12 < q1 + q2:
        return "bi-enhance"
    return "nonlinear-enhance"


# --------------------------------------------------------------------------------------------
# discretisation
# --------------------------------------------------------------------------------------------
def _breaks(x: np.ndarray, method: str, classes: int, source: RandomSource) -> np.ndarray:
    """Interior break points (ascending, unique) for ``classes`` classes."""
    lo, hi = float(x.min()), float(x.max())
    edges: np.ndarray
    if method == "equal":
        edges = np.linspace(lo, hi, classes + 1)[1:-1]
    elif method == "quantile":
        edges = np.quantile(x, np.arange(1, classes) / classes)
    elif method == "geometric":
        if lo <= 0:
            raise DataValidationError(
                f"geometric intervals need positive values; the minimum is {lo:g}"
            )
        edges = np.asarray(lo * (hi / lo) ** (np.arange(1, classes) / classes), dtype=float)
    elif method == "sd":
        mean, sd = float(x.mean()), float(x.std())
        edges = mean + sd * (np.arange(1, classes) - classes / 2)
    elif method == "natural_breaks":
        mapclassify = require("mapclassify", "natural-breaks discretisation")

        sample = x
        if x.size > JENKS_MAX_SAMPLE:
            sample = source.generator().choice(x, size=JENKS_MAX_SAMPLE, replace=False)
            sample = np.concatenate([sample, [lo, hi]])
        k = min(classes, np.unique(sample).size)
        edges = np.asarray(mapclassify.FisherJenks(sample, k=k).bins, dtype=float)[:-1]
    else:
        raise DataValidationError(
            f"unknown discretisation method {method!r}; use one of {list(DISCRETIZATION_METHODS)}"
        )
    edges = np.unique(edges)
    return edges[(edges >= lo) & (edges < hi)]


def discretize(
    x: Any,
    method: str = "quantile",
    classes: int = 5,
    *,
    seed: Seed = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Cut a continuous variable into strata.

    Classes are right-closed, :math:`(b_{j-1}, b_j]`, the first one also holding the minimum
    (as mapclassify).

    Methods
    -------
    ``"equal"``
        Equal intervals: :math:`b_j = \min + j(\max - \min)/k`.
    ``"quantile"``
        Quantiles: :math:`b_j = Q(j/k)`; ties can merge classes.
    ``"natural_breaks"``
        Fisher–Jenks optimal natural breaks (Jenks 1977; Fisher 1958), minimising the
        within-class sum of squared deviations, by ``mapclassify.FisherJenks``. Above
        :data:`JENKS_MAX_SAMPLE` values the breaks are computed on a seeded random sample (plus
        the minimum and maximum) and applied to all values.
    ``"geometric"``
        Geometric intervals for positive data: :math:`b_j = \min (\max/\min)^{j/k}`.
    ``"sd"``
        Standard-deviation classes: *k* classes one (population) standard deviation wide,
        centred on the mean, :math:`b_j = \bar x + s (j - k/2)`; the outer classes are open.

    Parameters
    ----------
    x
        Values (finite).
    method
        One of :data:`DISCRETIZATION_METHODS`.
    classes
        Number of classes *k*, from 2 to the number of distinct values. Empty or merged
        classes can make the result smaller.
    seed
        Only for ``"natural_breaks"`` on large inputs (the sample); see :mod:`nqpf._random`.
        ``None`` draws fresh entropy, which is not recorded here: the breaks are returned.

    Returns
    -------
    codes, breaks
        Integer class of every value (0 …) and the interior break points.

    Examples
    --------
    >>> codes, breaks = discretize([1, 2, 3, 4, 5, 6, 7, 8], "equal", 2)
    >>> codes.tolist(), breaks.tolist()
    ([0, 0, 0, 0, 1, 1, 1, 1], [4.5])
    """
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise DataValidationError("discretize needs a non-empty one-dimensional array")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise DataValidationError(
            f"cannot discretise missing or infinite values at positions {bad[:10].tolist()}"
        )
    if not isinstance(classes, int | np.integer) or classes < 2:
        raise DataValidationError(f"classes must be an integer >= 2, got {classes!r}")
    method = _ALIASES.get(method, method)
    if np.ptp(arr) == 0:
        raise DataValidationError(f"a constant variable ({arr[0]:g}) cannot be discretised")
    distinct = np.unique(arr).size
    if classes > distinct:
        raise DataValidationError(
            f"classes = {classes}, but there are only {distinct} distinct values; classes must "
            f"be from 2 to {distinct}"
        )
    edges = _breaks(arr, method, int(classes), RandomSource.from_seed(seed))
    codes = np.searchsorted(edges, arr, side="left")
    return codes.astype(np.int64), edges


def _interval_labels(edges: np.ndarray, lo: float, hi: float) -> list[str]:
    bounds = [lo, *edges.tolist(), hi]
    out = []
    for j in range(len(bounds) - 1):
        left = "[" if j == 0 else "("
        out.append(f"{left}{bounds[j]:.6g}, {bounds[j + 1]:.6g}]")
    return out


# --------------------------------------------------------------------------------------------
# optimal discretisation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OptimalDiscretization(Result):
    """The method and number of classes that maximise *q* for one continuous factor."""

    table: pd.DataFrame
    method: str
    classes: int
    breaks: np.ndarray
    q: float
    codes: np.ndarray = field(repr=False)
    convention: str = "R"

    def to_frame(self) -> pd.DataFrame:
        """Every method × classes tried: ``method``, ``classes``, ``n_strata``, ``q``, ``best``."""
        return self.table.copy()

    def summary(self) -> Summary:
        """The best choice and the q of every combination (methods × classes)."""
        pivot = self.table.pivot(index="classes", columns="method", values="q")
        return Summary(
            "最优离散化 Optimal discretisation",
            (("q", pivot),),
            (
                f"best: {self.method} with {self.classes} classes (q = {self.q:.4f}); "
                f"breaks {np.round(self.breaks, 6).tolist()}",
            ),
        )


def optimal_discretization(
    x: Any,
    y: Any,
    methods: Sequence[str] = DISCRETIZATION_METHODS,
    classes: Sequence[int] = range(3, 11),
    *,
    convention: Convention = "R",
    seed: Seed = 0,
) -> OptimalDiscretization:
    r"""Choose the discretisation of a continuous factor that maximises *q*.

    Every method of :func:`discretize` is tried with every number of classes, *q* is computed
    for each (methods that cannot apply, such as ``"geometric"`` for non-positive data, are
    listed with a NaN *q* and the reason), and the combination with the largest *q* wins
    (ties: fewer classes first, then the order of ``methods``).

    .. math::

        (m^*, k^*) = \arg\max_{m, k} q\big(Y \mid \mathrm{disc}_{m,k}(X)\big)

    Notes
    -----
    The optimal-parameters geographical detector: Song, Y., Wang, J., Ge, Y. & Xu, C. (2020).
    An optimal parameters-based geographical detector model enhances geographic characteristics
    of explanatory variables for spatial heterogeneity analysis. *GIScience & Remote Sensing*
    57(5), 593–610. More classes never decrease *q* much by construction, so compare
    candidates with domain sense, not *q* alone.

    Examples
    --------
    >>> x = np.arange(1.0, 21.0)
    >>> y = np.where(x > 10, 5.0, 1.0)
    >>> best = optimal_discretization(x, y, methods=("equal", "quantile"), classes=range(2, 5))
    >>> best.method, best.classes, best.q  # q = 1 from 2 classes on; ties go to fewer classes
    ('equal', 2, 1.0)
    """
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise DataValidationError(
            f"x and y must be 1-d of equal length, got {xa.shape}, {ya.shape}"
        )
    for name, arr in (("x", xa), ("y", ya)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise DataValidationError(f"{name} is missing at positions {bad[:10].tolist()}")
    if np.ptp(ya) == 0:
        raise DataValidationError("y is constant: q is undefined")
    if convention not in ("R", "python"):
        raise DataValidationError(f"convention must be 'R' or 'python', got {convention!r}")
    methods = [_ALIASES.get(m, m) for m in methods]
    unknown = [m for m in methods if m not in DISCRETIZATION_METHODS]
    if unknown:
        raise DataValidationError(
            f"unknown methods {unknown}; use some of {list(DISCRETIZATION_METHODS)}"
        )
    source = RandomSource.from_seed(seed)
    y_stats = _y_stats(ya)
    rows = []
    best: tuple[float, int, int] | None = None
    kept: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    for mi, method in enumerate(methods):
        for k in classes:
            try:
                codes, edges = discretize(xa, method, int(k), seed=source.seed)
            except DataValidationError as exc:
                rows.append((method, int(k), 0, np.nan, str(exc)))
                continue
            codes, n_codes = _compact(codes, int(codes.max()) + 1)
            if n_codes < 2:
                rows.append((method, int(k), n_codes, np.nan, "fewer than 2 strata"))
                continue
            stat = _factor_stat(_strata(codes, ya, n_codes), y_stats, convention)
            rows.append((method, int(k), stat.n_strata, stat.q, ""))
            key = (-stat.q, int(k), mi)
            if np.isfinite(stat.q) and (best is None or key < best):
                best = key
                kept = {(method, int(k)): (codes, edges)}
    table = pd.DataFrame(rows, columns=["method", "classes", "n_strata", "q", "note"])
    if best is None:
        raise DataValidationError("no discretisation gave at least two strata")
    (method, k), (codes, edges) = next(iter(kept.items()))
    table["best"] = (table.method == method) & (table.classes == k)
    return OptimalDiscretization(
        table=table,
        method=method,
        classes=k,
        breaks=edges,
        q=float(-best[0]),
        codes=codes,
        convention=convention,
        meta=make_meta(
            "optimal_discretization",
            methods=list(methods),
            classes=[int(c) for c in classes],
            convention=convention,
            seed=source.record,
            n=int(xa.size),
        ),
    )


# --------------------------------------------------------------------------------------------
# the detector
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeoDetectorResult(Result):
    r"""Results of the four detectors.

    Attributes
    ----------
    q, p_value
        Factor detector: Series indexed by factor.
    factor_table
        ``factor``, ``q``, ``p_value``, ``f_statistic``, ``noncentrality``, ``n``, ``n_strata``,
        ``singleton_strata``, ``significant``.
    interaction_q
        Factor × factor DataFrame: :math:`q(X_a \cap X_b)` off the diagonal, :math:`q(X_a)` on it.
    interaction
        One row per pair: ``factor_1``, ``factor_2``, ``q_1``, ``q_2``, ``q_12``, ``type``,
        ``type_zh``, ``type_en``.
    risk_means
        ``factor``, ``stratum``, ``n``, ``mean`` of *Y* in every stratum.
    risk
        One row per pair of strata: ``factor``, ``stratum_1``, ``stratum_2``, ``mean_1``,
        ``mean_2``, ``t_statistic``, ``df``, ``p_value``, ``significant`` (NaN where a stratum has
        a single observation or both have zero variance).
    ecological
        One row per pair of factors: ``factor_1``, ``factor_2``, ``statistic``, ``p_value``,
        ``significant``.
    discretization
        How continuous factors were cut (``factor``, ``method``, ``classes``, ``breaks``).
    report
        Dropped single-observation strata (python convention) and other notes.
    """

    q: pd.Series
    p_value: pd.Series
    factor_table: pd.DataFrame
    interaction_q: pd.DataFrame
    interaction: pd.DataFrame
    risk_means: pd.DataFrame
    risk: pd.DataFrame
    ecological: pd.DataFrame
    discretization: pd.DataFrame
    convention: str
    alpha: float
    n: int
    report: ValidationReport = field(default_factory=ValidationReport, repr=False)

    @property
    def interaction_type(self) -> pd.DataFrame:
        """Factor × factor DataFrame of interaction type keys (see :data:`INTERACTION_TYPES`)."""
        factors = list(self.q.index)
        out = pd.DataFrame("", index=factors, columns=factors, dtype=object)
        for row in self.interaction.itertuples(index=False):
            out.loc[row.factor_1, row.factor_2] = row.type
            out.loc[row.factor_2, row.factor_1] = row.type
        return out

    def risk_matrix(self, factor: str) -> pd.DataFrame:
        """Strata × strata significance of mean differences: ``"Y"``, ``"N"`` or NaN."""
        if factor not in set(self.risk_means.factor):
            raise DataValidationError(f"no risk-detector results for factor {factor!r}")
        strata = self.risk_means.loc[self.risk_means.factor == factor, "stratum"].tolist()
        out = pd.DataFrame(np.nan, index=strata, columns=strata, dtype=object)
        rows = self.risk.loc[self.risk.factor == factor]
        for r in rows.itertuples(index=False):
            if np.isnan(r.p_value):
                continue
            mark = "Y" if r.significant else "N"
            out.loc[r.stratum_1, r.stratum_2] = mark
            out.loc[r.stratum_2, r.stratum_1] = mark
        return out

    def ecological_matrix(self) -> pd.DataFrame:
        """Factor × factor significance of the difference of effects: ``"Y"`` / ``"N"``."""
        factors = list(self.q.index)
        out = pd.DataFrame(np.nan, index=factors, columns=factors, dtype=object)
        for r in self.ecological.itertuples(index=False):
            mark = "Y" if r.significant else "N"
            out.loc[r.factor_1, r.factor_2] = mark
            out.loc[r.factor_2, r.factor_1] = mark
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per test of every detector that was run.

        Columns: ``detector``, ``factor``, ``factor_2``, ``stratum_1``, ``stratum_2``,
        ``statistic`` (its name), ``value``, ``p_value``, ``significant``, ``label_zh``,
        ``label_en``.
        """
        cols = [
            "detector",
            "factor",
            "factor_2",
            "stratum_1",
            "stratum_2",
            "statistic",
            "value",
            "p_value",
            "significant",
            "label_zh",
            "label_en",
        ]
        ft, it, rk, ec = self.factor_table, self.interaction, self.risk, self.ecological
        blocks = (
            (
                ft,
                {
                    "detector": "factor",
                    "factor": ft.factor,
                    "statistic": "q",
                    "value": ft.q,
                    "p_value": ft.p_value,
                    "significant": ft.significant,
                },
            ),
            (
                it,
                {
                    "detector": "interaction",
                    "factor": it.factor_1,
                    "factor_2": it.factor_2,
                    "statistic": "q",
                    "value": it.q_12,
                    "label_zh": it.type_zh,
                    "label_en": it.type_en,
                },
            ),
            (
                rk,
                {
                    "detector": "risk",
                    "factor": rk.factor,
                    "stratum_1": rk.stratum_1.astype(str),
                    "stratum_2": rk.stratum_2.astype(str),
                    "statistic": "t",
                    "value": rk.t_statistic,
                    "p_value": rk.p_value,
                    "significant": rk.significant,
                },
            ),
            (
                ec,
                {
                    "detector": "ecological",
                    "factor": ec.factor_1,
                    "factor_2": ec.factor_2,
                    "statistic": "F",
                    "value": ec.statistic,
                    "p_value": ec.p_value,
                    "significant": ec.significant,
                },
            ),
        )
        parts = [pd.DataFrame(columns) for table, columns in blocks if len(table)]
        if not parts:
            return pd.DataFrame(columns=cols)
        return pd.concat(parts, ignore_index=True).reindex(columns=cols)

    def summary(self) -> Summary:
        """Factor q with p-values, interaction q and types, ecological matrix."""
        tables: list[tuple[str, pd.DataFrame]] = []
        if len(self.factor_table):
            ft = self.factor_table.set_index("factor")[["q", "p_value", "n_strata"]]
            ft.columns = ["q 值 q", "P 值 p-value", "分层数 strata"]
            tables.append(("因子探测 Factor detector", ft))
        if len(self.interaction):
            it = self.interaction.assign(
                pair=self.interaction.factor_1 + " ∩ " + self.interaction.factor_2
            )
            it = it.set_index("pair")[["q_1", "q_2", "q_12", "type_zh", "type_en"]]
            it.columns = ["q(X1)", "q(X2)", "q(X1∩X2)", "交互类型", "interaction"]
            tables.append(("交互作用探测 Interaction detector", it))
        if len(self.ecological):
            tables.append(("生态探测 Ecological detector", self.ecological_matrix()))
        notes = [f"convention = {self.convention}; n = {self.n}; alpha = {self.alpha}."]
        if self.convention == "R" and len(self.ecological):
            notes.append(
                "ecological detector: q ratio against the 0.9 quantile of F(N-1, N-1), as R."
            )
        if len(self.report):
            notes.append(
                f"{len(self.report)} note(s) in the report (dropped single-observation strata)."
            )
        return Summary("地理探测器 Geographical detector", tuple(tables), tuple(notes))


def _y_stats(y: np.ndarray) -> tuple[float, float, float]:
    dev = y - y.mean()
    return float(y.size), float(y.sum()), float(dev @ dev)


def _encode(
    column: pd.Series,
    name: str,
    spec: Any,
    y: np.ndarray,
    convention: str,
    seed: Seed,
) -> tuple[np.ndarray, list[Hashable], dict[str, Any] | None]:
    """Integer stratum codes, stratum labels and the discretisation record (if any)."""
    if spec is None:
        codes, uniques = pd.factorize(column, sort=True)
        names: list[Hashable] = [u.item() if isinstance(u, np.generic) else u for u in uniques]
        if len(names) > column.size / 2:
            raise DataValidationError(
                f"factor {name!r} has {len(names)} strata for {column.size} rows (more than "
                "half): it looks continuous; pass discretize={" + repr(name) + ": ...}"
            )
        return codes.astype(np.int64), names, None
    x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    if isinstance(spec, str) and spec == "optimal":
        best = optimal_discretization(x, y, convention=convention, seed=seed)  # type: ignore[arg-type]
        method, classes, edges = best.method, best.classes, best.breaks
        codes = np.searchsorted(edges, x, side="left")
    elif isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        method, classes = _ALIASES.get(spec[0], spec[0]), int(spec[1])
        codes, edges = discretize(x, method, classes, seed=seed)
    else:
        edges = np.unique(np.asarray(spec, dtype=float))
        if edges.ndim != 1 or edges.size == 0 or not np.all(np.isfinite(edges)):
            raise DataValidationError(
                f"discretize[{name!r}] must be 'optimal', (method, classes) or a list of breaks; "
                f"got {spec!r}"
            )
        method, classes = "breaks", edges.size + 1
        codes = np.searchsorted(edges, x, side="left")
    labels_all = _interval_labels(edges, float(x.min()), float(x.max()))
    codes, n_codes = _compact(codes.astype(np.int64), len(labels_all))
    present = np.unique(np.searchsorted(edges, x, side="left"))
    labels: list[Hashable] = [labels_all[i] for i in present]
    record = {
        "factor": name,
        "method": method,
        "classes": int(classes),
        "n_strata": n_codes,
        "breaks": edges.tolist(),
    }
    return codes, labels, record


def geodetector(
    data: pd.DataFrame,
    y: str,
    factors: Sequence[str],
    discretize: Mapping[str, Any] | None = None,
    convention: Convention = "R",
    *,
    detectors: Sequence[Detector] = DETECTORS,
    alpha: float = 0.05,
    seed: Seed = 0,
) -> GeoDetectorResult:
    r"""The geographical detector: factor, interaction, risk and ecological detectors.

    **Factor detector.** For each factor *X* with strata :math:`h = 1..L`,

    .. math::

        q = 1 - \frac{\sum_h N_h \sigma_h^2}{N\sigma^2}, \qquad
        F = \frac{N - L}{L - 1}\frac{q}{1 - q} \sim F(L - 1, N - L; \lambda), \qquad
        \lambda = \frac{1}{\sigma^2}\Big[\sum_h \bar Y_h^2
                  - \frac{1}{N}\Big(\sum_h \sqrt{N_h}\,\bar Y_h\Big)^2\Big]

    and ``p_value`` is :math:`P(F' > F)` under the non-central *F* (Wang, Zhang & Fu 2016).

    **Interaction detector.** :math:`q(X_1 \cap X_2)` on the crossed strata, classed as
    nonlinear-weaken (:math:`q_{12} < \min`), uni-weaken (:math:`\min \le q_{12} \le \max`),
    bi-enhance (:math:`\max < q_{12} < q_1 + q_2`), independent (:math:`q_{12} = q_1 + q_2`,
    within 1e-10) or nonlinear-enhance (:math:`q_{12} > q_1 + q_2`); labels in Chinese and
    English in :data:`INTERACTION_TYPES`.

    **Risk detector.** Welch's *t* between the means of every pair of strata of a factor,
    :math:`t = (\bar Y_a - \bar Y_b)/\sqrt{s_a^2/n_a + s_b^2/n_b}` with Welch–Satterthwaite
    degrees of freedom; two-sided p-values; significant when ``p < alpha``.

    **Ecological detector.** Whether two factors differ in their effect: see the module
    docstring for the statistic of each convention.

    Parameters
    ----------
    data
        One row per spatial unit (region, grid cell …).
    y
        Response column (numeric).
    factors
        Factor columns: categorical, or numeric codes, or continuous ones listed in
        ``discretize``.
    discretize
        Per continuous factor: ``"optimal"`` (see :func:`optimal_discretization`), a
        ``(method, classes)`` tuple (see :func:`discretize`) or a list of break points.
    convention
        ``"R"`` (R ``geodetector`` 1.0-5, default) or ``"python"`` (PyPI ``geodetector`` 0.2.0);
        see the module docstring. The choice is recorded in the result.
    detectors
        Which of the interaction, risk and ecological detectors to run (all by default); the
        factor detector always runs.
    alpha
        Significance level of the ``significant`` flags.
    seed
        Seed for natural-breaks sampling on large data (see :mod:`nqpf._random`); ``None`` draws
        fresh entropy, recorded in ``meta["seed"]``.

    Returns
    -------
    GeoDetectorResult
        ``q`` and ``p_value`` (Series by factor), ``interaction_q`` (factor × factor), ``risk``,
        ``ecological`` and more.

    Raises
    ------
    DataValidationError
        Missing columns or values (naming the rows), a constant *y*, a factor with a single
        stratum (or, under the python convention, a single stratum with more than one
        observation), a factor with more strata than half the rows (continuous: discretise it).

    Notes
    -----
    Wang, J.-F., Li, X.-H., Christakos, G., Liao, Y.-L., Zhang, T., Gu, X. & Zheng, X.-Y. (2010).
    Geographical detectors-based health risk assessment and its application in the neural tube
    defects study of the Heshun Region, China. *International Journal of Geographical
    Information Science* 24(1), 107–127. Wang, J.-F., Zhang, T.-L. & Fu, B.-J. (2016). A measure
    of spatial stratified heterogeneity. *Ecological Indicators* 67, 250–256.
    王劲峰, 徐成东 (2017). 地理探测器：原理与展望. 地理学报 72(1), 116–134.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7],
    ...                    "x1": list("xyyyzzz"), "x2": list("aabbccc")})
    >>> r = geodetector(df, "y", ["x1", "x2"], convention="python")
    >>> r.q.round(4).to_dict()
    {'x1': 0.7714, 'x2': 0.8929}
    >>> r.p_value.round(5).to_dict()
    {'x1': 0.07936, 'x2': 0.03168}
    """
    if convention not in ("R", "python"):
        raise DataValidationError(f"convention must be 'R' or 'python', got {convention!r}")
    if not 0 < alpha < 1:
        raise DataValidationError(f"alpha must be between 0 and 1, got {alpha}")
    bad_det = [d for d in detectors if d not in DETECTORS]
    if bad_det:
        raise DataValidationError(f"unknown detectors {bad_det}; use some of {list(DETECTORS)}")
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    factors = list(factors)
    if not factors:
        raise DataValidationError("give at least one factor")
    dup = sorted({f for f in factors if factors.count(f) > 1})
    if dup:
        raise DataValidationError(f"factors listed twice: {dup}")
    if y in factors:
        raise DataValidationError(f"y {y!r} is also listed as a factor")
    missing = [c for c in [y, *factors] if c not in data.columns]
    if missing:
        raise DataValidationError(f"columns not found: {missing}; available: {list(data.columns)}")
    discretize = dict(discretize or {})
    unknown = [f for f in discretize if f not in factors]
    if unknown:
        raise DataValidationError(f"discretize names columns that are not factors: {unknown}")
    yv = pd.to_numeric(data[y], errors="coerce")
    nan_rows = data.index[yv.isna().to_numpy() | data[factors].isna().any(axis=1).to_numpy()]
    if len(nan_rows):
        cols = [c for c in [y, *factors] if data[c].isna().any() or (c == y and yv.isna().any())]
        shown = nan_rows[:10].tolist()
        more = f" and {len(nan_rows) - 10} more" if len(nan_rows) > 10 else ""
        raise DataValidationError(
            f"missing or non-numeric values in columns {cols} at rows {shown}{more}; "
            "drop or fill them explicitly"
        )
    ya = yv.to_numpy(dtype=float)
    if not np.all(np.isfinite(ya)):
        rows = data.index[~np.isfinite(ya)][:10].tolist()
        raise DataValidationError(f"y {y!r} is infinite at rows {rows}")
    if ya.size < 3:
        raise DataValidationError(f"need at least 3 rows, got {ya.size}")
    if np.ptp(ya) == 0:
        raise DataValidationError(f"y {y!r} is constant ({ya[0]:g}): q is undefined")
    run = set(detectors)
    source = RandomSource.from_seed(seed)
    report = ValidationReport()
    y_stats = _y_stats(ya)
    n = ya.size

    codes: dict[str, np.ndarray] = {}
    labels: dict[str, list[Hashable]] = {}
    records = []
    for f in factors:
        c, lab, rec = _encode(data[f], f, discretize.get(f), ya, convention, source.seed)
        codes[f], labels[f] = c, lab
        if rec is not None:
            records.append(rec)
    strata = {f: _strata(codes[f], ya, len(labels[f])) for f in factors}
    for f in factors:
        counts = strata[f].counts
        if counts.size < 2:
            raise DataValidationError(
                f"factor {f!r} has a single stratum ({labels[f][0]!r}): q is undefined"
            )
        if convention == "python":
            single = [labels[f][i] for i in np.flatnonzero(counts == 1)]
            if counts.size - len(single) < 2:
                raise DataValidationError(
                    f"factor {f!r}: fewer than two strata with more than one observation "
                    "(convention='python' drops single-observation strata)"
                )
            for s in single:
                report.add(
                    "single_observation_stratum",
                    "dropped",
                    f"factor {f!r}: stratum {s!r} has one observation and is left out "
                    "(convention='python')",
                    indicator=f,
                    original=s,
                )

    stat = {f: _factor_stat(strata[f], y_stats, convention) for f in factors}
    factor_table = pd.DataFrame(
        {
            "factor": factors,
            "q": [stat[f].q for f in factors],
            "p_value": [stat[f].p_value for f in factors],
            "f_statistic": [stat[f].f_statistic for f in factors],
            "noncentrality": [stat[f].noncentrality for f in factors],
            "n": [stat[f].n for f in factors],
            "n_strata": [stat[f].n_strata for f in factors],
            "singleton_strata": [stat[f].singletons for f in factors],
        }
    )
    factor_table["significant"] = factor_table.p_value < alpha
    q = pd.Series(factor_table.q.to_numpy(), index=pd.Index(factors, name="factor"), name="q")
    p_value = q.copy().rename("p_value")
    p_value[:] = factor_table.p_value.to_numpy()

    interaction_q = pd.DataFrame(np.diag(q.to_numpy()), index=factors, columns=factors)
    inter_rows = []
    if "interaction" in run and len(factors) >= 2:
        for a, b in combinations(factors, 2):
            la, lb = len(labels[a]), len(labels[b])
            crossed, n_crossed = _compact(codes[a] * lb + codes[b], la * lb)
            st = _strata(crossed, ya, n_crossed)
            lone = int(np.count_nonzero(st.counts == 1))
            if convention == "python" and lone:
                report.add(
                    "single_observation_stratum",
                    "dropped",
                    f"interaction {a!r} ∩ {b!r}: {lone} crossed strata with one observation "
                    "left out (convention='python')",
                    indicator=f"{a} ∩ {b}",
                    original=lone,
                )
            q12 = _factor_stat(st, y_stats, convention).q
            interaction_q.loc[a, b] = interaction_q.loc[b, a] = q12
            kind = _interaction_type(q[a], q[b], q12)
            inter_rows.append((a, b, q[a], q[b], q12, kind, *INTERACTION_TYPES[kind]))
    interaction = pd.DataFrame(
        inter_rows,
        columns=["factor_1", "factor_2", "q_1", "q_2", "q_12", "type", "type_zh", "type_en"],
    )
    if "interaction" not in run:
        interaction_q = interaction_q.iloc[0:0, 0:0]

    risk_means = pd.DataFrame(columns=["factor", "stratum", "n", "mean"])
    risk = pd.DataFrame(
        columns=[
            "factor",
            "stratum_1",
            "stratum_2",
            "mean_1",
            "mean_2",
            "t_statistic",
            "df",
            "p_value",
            "significant",
        ]
    )
    if "risk" in run:
        means_parts, risk_parts = [], []
        for f in factors:
            m, r = _risk(f, strata[f], labels[f], convention, alpha)
            means_parts.append(m)
            risk_parts.append(r)
        risk_means = pd.concat(means_parts, ignore_index=True)
        risk = pd.concat(risk_parts, ignore_index=True)

    eco_rows = []
    if "ecological" in run and len(factors) >= 2:
        for a, b in combinations(factors, 2):
            eco_rows.append((a, b, *_ecological(q[a], q[b], n, convention, alpha)))
    ecological = pd.DataFrame(
        eco_rows, columns=["factor_1", "factor_2", "statistic", "p_value", "significant"]
    )
    return GeoDetectorResult(
        q=q,
        p_value=p_value,
        factor_table=factor_table,
        interaction_q=interaction_q,
        interaction=interaction,
        risk_means=risk_means,
        risk=risk,
        ecological=ecological,
        discretization=pd.DataFrame(
            records, columns=["factor", "method", "classes", "n_strata", "breaks"]
        ),
        convention=convention,
        alpha=alpha,
        n=int(n),
        report=report,
        meta=make_meta(
            "geodetector",
            y=y,
            factors=factors,
            convention=convention,
            detectors=list(detectors),
            alpha=alpha,
            n=int(n),
            seed=source.record,
        ),
    )


def _risk(
    factor: str, st: _Strata, labels: list[Hashable], convention: str, alpha: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts, means = st.counts, st.means
    means_frame = pd.DataFrame(
        {"factor": factor, "stratum": labels, "n": counts.astype(int), "mean": means}
    )
    i, j = np.triu_indices(counts.size, k=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(counts > 1, st.ss / (counts - 1), np.nan)
        a, b = var[i] / counts[i], var[j] / counts[j]
        se2 = a + b
        t = (means[i] - means[j]) / np.sqrt(se2)
        df = se2**2 / (a**2 / (counts[i] - 1) + b**2 / (counts[j] - 1))
    valid = (counts[i] > 1) & (counts[j] > 1) & (se2 > 0)
    if convention == "R":
        df = np.rint(df)
    t = np.where(valid, t, np.nan)
    df = np.where(valid, df, np.nan)
    p = np.full(t.shape, np.nan)
    p[valid] = 2 * stats.t.sf(np.abs(t[valid]), df[valid])
    frame = pd.DataFrame(
        {
            "factor": factor,
            "stratum_1": [labels[k] for k in i],
            "stratum_2": [labels[k] for k in j],
            "mean_1": means[i],
            "mean_2": means[j],
            "t_statistic": t,
            "df": df,
            "p_value": p,
            "significant": np.where(valid, p < alpha, False),
        }
    )
    return means_frame, frame


def _ecological(
    q1: float, q2: float, n: int, convention: str, alpha: float
) -> tuple[float, float, bool]:
    dfn = dfd = n - 1
    if convention == "R":
        hi, lo = max(q1, q2), min(q1, q2)
        if lo <= 0:
            return float("inf"), 0.0, True
        f_value = hi / lo
        p = float(stats.f.sf(f_value, dfn, dfd))
        return f_value, p, bool(f_value > stats.f.ppf(0.9, dfn, dfd))
    numer, denom = 1.0 - q1, 1.0 - q2
    if abs(denom) < 1e-12 and abs(numer) < 1e-12:
        return 1.0, 1.0, False
    if abs(denom) < 1e-12:
        return float("inf"), 0.0, True
    if abs(numer) < 1e-12:
        return 0.0, 0.0, True
    f_value = numer / denom
    if f_value >= 1:
        p = 2.0 * float(stats.f.sf(f_value, dfn, dfd))
    else:
        p = 2.0 * float(stats.f.cdf(f_value, dfn, dfd))
    p = min(p, 1.0)
    return f_value, p, bool(p < alpha)
