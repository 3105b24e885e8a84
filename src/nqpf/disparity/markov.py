r"""Distribution dynamics: classical and spatial Markov chains, and rank mobility.

Input is a regions × years DataFrame (``wide``). Classes are numbered 1 (lowest) to k
(highest); a value :math:`y` falls in class :math:`c` when :math:`q_{c-1} < y \le q_c` for the
cut points :math:`q` (right-closed intervals, as in PySAL ``mapclassify``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components

from nqpf.disparity._common import check_wide, plain
from nqpf.errors import DataValidationError
from nqpf.geo.weights import as_weights
from nqpf.results import Result, Summary, TestResult, frame_of_tests, make_meta

__all__ = [
    "MIN_TRANSITIONS",
    "MarkovResult",
    "RankMobilityResult",
    "SpatialMarkovResult",
    "homogeneity_test",
    "markov",
    "rank_mobility",
    "spatial_markov",
]

ClassScheme = Literal["pooled", "per-year"] | Sequence[float]

#: Fewest transitions out of a class for its row of probabilities to count as an estimate.
#: A rule of thumb of this package, not a published threshold: a probability estimated from
#: n transitions has a binomial standard error of up to 0.5/√n, 0.16 at n = 10, already as
#: wide as a typical off-diagonal probability.
MIN_TRANSITIONS = 10


# ---------------------------------------------------------------------------------------------
# chain algebra (plain numpy)
# ---------------------------------------------------------------------------------------------
def _classify(
    values: np.ndarray, k: int, scheme: Any, years: Sequence[Hashable], what: str
) -> tuple[np.ndarray, int, pd.DataFrame]:
    """Class codes 0..k-1 of every cell, the number of classes and the class bounds."""
    if isinstance(scheme, str):
        if scheme not in ("pooled", "per-year"):
            raise DataValidationError(
                f"{what}: classes must be 'pooled', 'per-year' or a sequence of cut points, "
                f"got {scheme!r}"
            )
        if isinstance(k, bool) or int(k) != k or k < 2:
            raise DataValidationError(f"{what}: k must be an integer >= 2, got {k!r}")
        k = int(k)
        # quantile classes need at least k distinct values (in every year for per-year classes)
        distinct = (
            np.unique(values).size
            if scheme == "pooled"
            else min(np.unique(values[:, t]).size for t in range(values.shape[1]))
        )
        if k > distinct:
            where = "" if scheme == "pooled" else " in some year"
            raise DataValidationError(
                f"{what}: k = {k} quantile classes, but there are only {distinct} distinct "
                f"values{where}; k must be from 2 to {distinct}"
            )
        probs = np.arange(1, k) / k
        if scheme == "pooled":
            cuts = np.quantile(values.ravel(), probs)[None, :].repeat(values.shape[1], 0)
        else:
            cuts = np.quantile(values, probs, axis=0).T
        for t in range(cuts.shape[0]):
            if np.any(np.diff(cuts[t]) <= 0):
                where = "" if scheme == "pooled" else f" in {years[t]}"
                raise DataValidationError(
                    f"{what}: the {k}-quantile cut points{where} are not distinct "
                    f"({np.round(cuts[t], 6).tolist()}): too many tied values for {k} classes. "
                    "Use a smaller k or pass cut points"
                )
    else:
        try:
            given = np.asarray(scheme, dtype=float)
        except (TypeError, ValueError):
            raise DataValidationError(
                f"{what}: cut points must be numbers, got {scheme!r}"
            ) from None
        if given.ndim != 1 or given.size == 0 or not np.all(np.isfinite(given)):
            raise DataValidationError(f"{what}: cut points must be a 1-d list of finite numbers")
        if np.any(np.diff(given) <= 0):
            raise DataValidationError(
                f"{what}: cut points must be strictly increasing, got {given.tolist()}"
            )
        k = given.size + 1
        cuts = given[None, :].repeat(values.shape[1], 0)
    codes = np.empty(values.shape, dtype=np.intp)
    for t in range(values.shape[1]):
        codes[:, t] = np.searchsorted(cuts[t], values[:, t], side="left")
    lower = np.column_stack([np.full(cuts.shape[0], -np.inf), cuts])
    upper = np.column_stack([cuts, np.full(cuts.shape[0], np.inf)])
    if isinstance(scheme, str) and scheme == "per-year":
        idx = pd.MultiIndex.from_product([list(years), range(1, k + 1)], names=["year", "class"])
        bounds = pd.DataFrame({"lower": lower.ravel(), "upper": upper.ravel()}, index=idx)
    else:
        bounds = pd.DataFrame(
            {"lower": lower[0], "upper": upper[0]}, index=pd.Index(range(1, k + 1), name="class")
        )
    return codes, k, bounds


def _transition_counts(
    codes: np.ndarray, k: int, cols: slice | np.ndarray | None = None
) -> np.ndarray:
    """Counts (k × k) of transitions between consecutive columns, optionally some starts only."""
    start = codes[:, :-1]
    end = codes[:, 1:]
    if cols is not None:
        start, end = start[:, cols], end[:, cols]
    return np.bincount((start * k + end).ravel(), minlength=k * k).reshape(k, k).astype(float)


def _thin_row_notes(
    n_out: np.ndarray, labels: Sequence[str], listed: np.ndarray, long_run: str
) -> list[str]:
    """Notes on rows resting on fewer than :data:`MIN_TRANSITIONS` transitions.

    ``n_out`` holds the transitions out of each row, ``labels`` the rows' names, ``listed``
    which thin rows to name (rows with a note of their own are left out) and ``long_run`` the
    quantities derived from the whole chain.
    """
    thin = n_out < MIN_TRANSITIONS
    if thin.all():
        notes = [
            f"every row rests on fewer than {MIN_TRANSITIONS} transitions ({int(n_out.min())} to "
            f"{int(n_out.max())}, see the counts): the chain is descriptive only, it describes "
            "these few moves rather than estimating transition probabilities"
        ]
    else:
        named = [
            f"{label} ({int(n)})"
            for label, n, pick in zip(labels, n_out, thin & listed, strict=True)
            if pick
        ]
        notes = (
            [
                f"rows with fewer than {MIN_TRANSITIONS} transitions (count in brackets): "
                f"{', '.join(named)}; their probabilities are rough (binomial standard error "
                "up to 0.5/√n)"
            ]
            if named
            else []
        )
    if thin.any():
        notes.append(
            f"{long_run} project the rows with few transitions into the long run: indicative only"
        )
    return notes


def _probabilities(counts: np.ndarray) -> np.ndarray:
    rows = counts.sum(axis=-1, keepdims=True)
    return np.divide(counts, rows, out=np.full_like(counts, np.nan), where=rows > 0)


def _closure(adj: np.ndarray) -> np.ndarray:
    """Reflexive-transitive closure of a boolean adjacency matrix."""
    reach = adj | np.eye(len(adj), dtype=bool)
    while True:
        nxt = reach | ((reach.astype(np.int64) @ reach.astype(np.int64)) > 0)
        if np.array_equal(nxt, reach):
            return reach
        reach = nxt


def _steady_state(p: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Stationary distribution, or NaN with the reason it is undefined or not unique."""
    k = len(p)
    if np.isnan(p).any():
        return np.full(k, np.nan), "some classes have no observed transitions out of them"
    n_comp, labels = connected_components(
        sparse.csr_array(p > 0), directed=True, connection="strong"
    )
    closed = []
    for c in range(n_comp):
        members = labels == c
        if not np.any(p[np.ix_(members, ~members)] > 0):
            closed.append(np.flatnonzero(members))
    if len(closed) != 1:
        groups = "; ".join(str((m + 1).tolist()) for m in closed)
        return np.full(k, np.nan), (
            f"the chain has {len(closed)} closed classes ({groups}); "
            "its stationary distribution is not unique"
        )
    members = closed[0]
    sub = p[np.ix_(members, members)]
    a = sub.T - np.eye(len(members))
    a[-1] = 1.0
    b = np.zeros(len(members))
    b[-1] = 1.0
    pi = np.zeros(k)
    pi[members] = np.linalg.solve(a, b)
    return pi, None


def _first_passage(p: np.ndarray) -> np.ndarray:
    """Mean first passage times m_ij (diagonal: mean recurrence times); inf when not certain."""
    k = len(p)
    if np.isnan(p).any():
        return np.full((k, k), np.nan)
    out = np.full((k, k), np.inf)
    for j in range(k):
        adj = p > 0
        adj[j] = False  # j absorbs
        reach = _closure(adj)
        can_hit = reach[:, j]
        bad = ~can_hit
        # hitting j is certain from i unless i can reach a state that cannot reach j
        certain = np.asarray(~reach[:, bad].any(axis=1), dtype=bool)
        certain[j] = False
        good = np.flatnonzero(certain)
        if good.size:
            q = p[np.ix_(good, good)]
            out[good, j] = np.linalg.solve(np.eye(good.size) - q, np.ones(good.size))
        others = np.flatnonzero(p[j] > 0)
        others = others[others != j]
        if np.all(np.isfinite(out[others, j])):
            out[j, j] = 1.0 + float(p[j, others] @ out[others, j])
    return out


def _bickenbach_bode(matrices: np.ndarray) -> dict[str, Any]:
    """Q and LR statistics and degrees of freedom for (m, k, k) regime count matrices."""
    pooled = matrices.sum(axis=0)
    p0 = _probabilities(pooled)
    p0 = np.nan_to_num(p0)
    q = 0.0
    lr = 0.0
    for counts in matrices:
        n_i = counts.sum(axis=1)
        pm = np.nan_to_num(_probabilities(counts))
        pos = p0 > 0
        q += float(np.sum(n_i[:, None] * np.where(pos, (pm - p0) ** 2 / np.where(pos, p0, 1), 0)))
        used = (counts > 0) & pos
        lr += float(
            np.sum(np.where(used, counts * np.log(np.where(used, pm / np.where(pos, p0, 1), 1)), 0))
        )
    a = (pooled > 0).sum(axis=1)
    b = (matrices.sum(axis=2) > 0).sum(axis=0)
    df = int(np.sum(np.maximum(a - 1, 0) * np.maximum(b - 1, 0)))
    return {"q": q, "lr": 2.0 * lr, "df": df}


# ---------------------------------------------------------------------------------------------
# homogeneity test
# ---------------------------------------------------------------------------------------------
def homogeneity_test(
    counts: Sequence[Any] | np.ndarray,
    regimes: Sequence[str] | None = None,
    null: str | None = None,
) -> dict[str, TestResult]:
    r"""Bickenbach-Bode homogeneity test of Markov transition probabilities across regimes.

    Parameters
    ----------
    counts
        One k × k transition-count matrix per regime (arrays or DataFrames).
    regimes
        Labels of the regimes.
    null
        Text of the null hypothesis for the report.

    Returns
    -------
    dict
        The two statistics of the test as :class:`~nqpf.results.TestResult`: ``"Q"``
        (Pearson type) and ``"LR"`` (likelihood ratio), with the regime labels in
        ``meta["regimes"]``; both not applicable with fewer than two regimes or zero degrees
        of freedom.

    Notes
    -----
    Bickenbach and Bode (2003), International Regional Science Review 26:363-392. With regime
    counts :math:`n_{ij}(m)`, regime probabilities :math:`\hat p_{ij}(m)` and pooled
    probabilities :math:`\hat p_{ij}`:

    .. math::

        Q = \sum_m\sum_i n_i(m) \sum_{j: \hat p_{ij} > 0}
            \frac{(\hat p_{ij}(m) - \hat p_{ij})^2}{\hat p_{ij}},\qquad
        LR = 2\sum_m\sum_i\sum_{j: n_{ij}(m) > 0} n_{ij}(m)
             \ln\frac{\hat p_{ij}(m)}{\hat p_{ij}},

    both asymptotically :math:`\chi^2` with :math:`\sum_i (a_i - 1)(b_i - 1)` degrees of
    freedom, :math:`a_i` the number of positive pooled :math:`\hat p_{ij}` in row :math:`i` and
    :math:`b_i` the number of regimes with observations in row :math:`i`.

    Examples
    --------
    >>> a = [[8, 2], [3, 7]]
    >>> b = [[5, 5], [1, 9]]
    >>> round(homogeneity_test([a, b])["LR"].statistic, 4)
    3.324
    """
    mats = np.asarray([np.asarray(c, dtype=float) for c in counts])
    if mats.ndim != 3 or mats.shape[1] != mats.shape[2]:
        raise DataValidationError(f"counts must be square matrices of one size, got {mats.shape}")
    if np.any(mats < 0) or not np.all(np.isfinite(mats)):
        raise DataValidationError("counts must be finite and non-negative")
    labels = tuple(regimes) if regimes is not None else tuple(str(i) for i in range(len(mats)))
    null = null or "the transition probabilities are equal in all regimes"
    res = _bickenbach_bode(mats)
    df = res["df"]
    meta = make_meta("homogeneity_test", regimes=list(labels), k=mats.shape[1])
    reason = None
    if len(mats) < 2:
        reason = "fewer than 2 regimes"
    elif df == 0:
        reason = "0 degrees of freedom (no row is observed in two regimes with two outcomes)"
    tests = {}
    for name in ("Q", "LR"):
        if reason:
            tests[name] = TestResult.not_applicable(
                name, reason, null=null, meta={**meta, "statistic": name}
            )
        else:
            statistic = res[name.lower()]
            tests[name] = TestResult(
                name,
                statistic=statistic,
                df=(df,),
                p_value=float(stats.chi2.sf(statistic, df)),
                distribution=f"chi2({df})",
                null=null,
                meta={**meta, "statistic": name},
            )
    return tests


# ---------------------------------------------------------------------------------------------
# classical Markov chain
# ---------------------------------------------------------------------------------------------
def _relative(values: np.ndarray, years: Sequence[Hashable], what: str) -> np.ndarray:
    """Values divided by their year's cross-regional mean (which must be positive)."""
    means = values.mean(axis=0)
    bad = np.flatnonzero(means <= 0)
    if bad.size:
        raise DataValidationError(
            f"{what}: relative=True needs a positive mean in every year; the mean is <= 0 in "
            f"{[plain(years[t]) for t in bad[:5]]}"
        )
    return values / means


def _class_index(k: int, name: str) -> pd.Index:
    return pd.Index(range(1, k + 1), name=name)


@dataclass(frozen=True)
class MarkovResult(Result):
    """Classical Markov chain of class transitions.

    Attributes
    ----------
    transition_matrix
        k × k probabilities (index ``from``, columns ``to``); rows sum to 1. A class that no
        transition starts from has a NaN row (see ``notes``).
    counts
        k × k transition counts.
    classes
        Class (1..k) of every region-year, same shape as the input.
    class_bounds
        Lower and upper bound of each class (per year with ``classes="per-year"``).
    distribution
        Share of regions in each class, by year.
    steady_state
        Stationary distribution (NaN with a note when undefined or not unique).
    first_mean_passage_times
        Expected number of steps to reach class ``to`` from class ``from``; the diagonal holds
        the mean recurrence times; ``inf`` where reaching it is not certain.
    homogeneity
        Time-homogeneity test across sub-periods (``"Q"`` and ``"LR"``, see
        :func:`homogeneity_test`), or ``None``.
    notes
        Explanations of NaN rows and undefined quantities, and the rows resting on fewer than
        :data:`MIN_TRANSITIONS` transitions.
    """

    transition_matrix: pd.DataFrame
    counts: pd.DataFrame
    classes: pd.DataFrame
    class_bounds: pd.DataFrame
    distribution: pd.DataFrame
    steady_state: pd.Series
    first_mean_passage_times: pd.DataFrame
    homogeneity: dict[str, TestResult] | None
    notes: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.steady_state)

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``table, from_class, to_class, value``.

        Tables ``probability``, ``count`` and ``mfpt``; ``steady_state`` has the class in
        ``to_class``.
        """
        parts = []
        for name, mat in (
            ("probability", self.transition_matrix),
            ("count", self.counts),
            ("mfpt", self.first_mean_passage_times),
        ):
            long = mat.stack(future_stack=True).rename("value").reset_index()
            long.columns = ["from_class", "to_class", "value"]
            long.insert(0, "table", name)
            parts.append(long)
        ss = pd.DataFrame(
            {
                "table": "steady_state",
                "from_class": np.nan,
                "to_class": self.steady_state.index,
                "value": self.steady_state.values,
            }
        )
        parts.append(ss)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> Summary:
        """Transition matrix with row counts, steady state and the homogeneity test."""
        table = self.transition_matrix.copy()
        table.insert(0, "n", self.counts.sum(axis=1))
        ss = pd.DataFrame(
            [self.steady_state.to_numpy()],
            columns=self.steady_state.index,
            index=["稳态 Steady state"],
        )
        tables: list[tuple[str, pd.DataFrame]] = [
            ("转移概率矩阵 Transition probabilities (t → t+1)", table),
            ("", ss),
            ("首次平均通过时间 Mean first passage times", self.first_mean_passage_times),
        ]
        if self.homogeneity is not None:
            tables.append(
                (
                    "时间齐性检验 Time homogeneity (Bickenbach-Bode)",
                    _homogeneity_table(self.homogeneity),
                )
            )
        return Summary("马尔可夫链 Markov chain", tuple(tables), notes=self.notes)


def _homogeneity_table(tests: dict[str, TestResult]) -> pd.DataFrame:
    return frame_of_tests(tests).set_index("test")[["statistic", "df", "p_value"]]


def _period_split(
    n_trans: int, years: Sequence[Hashable], periods: int | Sequence[Any] | None
) -> list[tuple[str, np.ndarray]] | None:
    if periods is None:
        return None
    starts = np.arange(n_trans)
    if isinstance(periods, int | np.integer):
        if periods < 2:
            return None
        blocks = [b for b in np.array_split(starts, min(int(periods), n_trans)) if b.size]
    else:
        start_years = np.asarray(years[:-1])
        try:
            breaks = np.sort(np.asarray(list(periods)))
            block_id = np.searchsorted(breaks, start_years, side="right")
        except TypeError:
            raise DataValidationError("periods must be an int or a list of break years") from None
        blocks = [starts[block_id == b] for b in np.unique(block_id)]
    return [(f"{years[b[0]]}-{years[b[-1] + 1]}", b) for b in blocks]


def markov(
    wide: pd.DataFrame,
    k: int = 5,
    classes: ClassScheme = "pooled",
    *,
    relative: bool = False,
    periods: int | Sequence[Any] | None = 2,
) -> MarkovResult:
    r"""Classical (discrete) Markov chain of regions moving between value classes.

    Parameters
    ----------
    wide
        Regions × years DataFrame (columns are years; they are put in ascending order).
    k
        Number of quantile classes (ignored when cut points are given).
    classes
        ``"pooled"``: quantiles of all region-years; ``"per-year"``: quantiles of each year
        (relative position); or the k - 1 increasing cut points.
    relative
        Divide every value by its year's cross-regional mean first.
    periods
        Time-homogeneity test: number of consecutive sub-periods of transitions (default 2), a
        list of break years (a sub-period starts at each), or ``None`` for no test.

    Returns
    -------
    MarkovResult

    Raises
    ------
    DataValidationError
        Fewer than 2 years or regions, missing values (naming region and year), tied quantile
        cut points, bad cut points.
    DuplicateError
        A region (row) or year (column) appears twice.

    Notes
    -----
    Quah (1993), European Economic Review 37:426-434; Rey (2001), Geographical Analysis
    33:195-214. With :math:`n_{ij}` the number of transitions from class :math:`i` in year
    :math:`t` to class :math:`j` in year :math:`t+1`, pooled over all years,

    .. math::

        \hat p_{ij} = \frac{n_{ij}}{\sum_j n_{ij}},\qquad \pi = \pi P,\ \sum_i \pi_i = 1,
        \qquad m_{ij} = 1 + \sum_{l \ne j} p_{il} m_{lj}.

    The stationary distribution :math:`\pi` is reported when the chain has exactly one closed
    class (zeros on transient classes). First mean passage times solve the linear system above
    for each target :math:`j` (Kemeny and Snell 1976); :math:`m_{jj}` is the mean recurrence
    time :math:`1/\pi_j` for an ergodic chain. Time homogeneity: :func:`homogeneity_test`
    with sub-periods as regimes.

    Rows resting on fewer than :data:`MIN_TRANSITIONS` (10) transitions are named in ``notes``
    with their counts; when every row is that thin the chain is noted as descriptive only, and
    the steady state and passage times, which project those rows into the long run, as
    indicative only.

    Examples
    --------
    >>> wide = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 1.0], [3.0, 3.0, 2.0]],
    ...                     index=["a", "b", "c"], columns=[2000, 2001, 2002])
    >>> r = markov(wide, k=3, periods=None)
    >>> r.counts.to_numpy().tolist()
    [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
    """
    data = check_wide(wide, "markov")
    values = data.to_numpy()
    years = list(data.columns)
    if relative:
        values = _relative(values, years, "markov")
    codes, k, bounds = _classify(values, k, classes, years, "markov")
    counts = _transition_counts(codes, k)
    probs = _probabilities(counts)
    notes: list[str] = []
    empty = np.flatnonzero(counts.sum(axis=1) == 0) + 1
    if empty.size:
        notes.append(
            f"class(es) {empty.tolist()} have no transition starting from them (no region is "
            "in them before the last year); their rows are NaN and the steady state and passage "
            "times are undefined"
        )
    n_out = counts.sum(axis=1)
    notes += _thin_row_notes(
        n_out,
        [f"class {c}" for c in range(1, k + 1)],
        n_out > 0,
        "the steady state and the mean first passage times",
    )
    pi, why = _steady_state(probs)
    if why and not empty.size:
        notes.append(f"steady state: {why}")
    mfpt = _first_passage(probs)
    split = _period_split(len(years) - 1, years, periods)
    test = None
    if split is not None:
        mats = [_transition_counts(codes, k, cols) for _, cols in split]
        test = homogeneity_test(
            mats,
            [label for label, _ in split],
            null="the transition probabilities are the same in every sub-period",
        )
    idx_from, idx_to = _class_index(k, "from"), _class_index(k, "to")
    dist = pd.DataFrame(
        np.stack([np.bincount(codes[:, t], minlength=k) for t in range(len(years))]) / len(data),
        index=pd.Index(years, name="year"),
        columns=_class_index(k, "class"),
    )
    return MarkovResult(
        transition_matrix=pd.DataFrame(probs, index=idx_from, columns=idx_to),
        counts=pd.DataFrame(counts.astype(np.int64), index=idx_from, columns=idx_to),
        classes=pd.DataFrame(codes + 1, index=data.index, columns=data.columns),
        class_bounds=bounds,
        distribution=dist,
        steady_state=pd.Series(pi, index=_class_index(k, "class"), name="steady_state"),
        first_mean_passage_times=pd.DataFrame(mfpt, index=idx_from, columns=idx_to),
        homogeneity=test,
        notes=tuple(notes),
        meta=make_meta(
            "markov",
            k=k,
            classes=classes if isinstance(classes, str) else list(map(float, classes)),
            relative=relative,
            regions=len(data),
            years=len(years),
            min_transitions=MIN_TRANSITIONS,
        ),
    )


# ---------------------------------------------------------------------------------------------
# spatial Markov chain
# ---------------------------------------------------------------------------------------------
def _weights_matrix(w: Any, regions: pd.Index) -> tuple[np.ndarray, bool]:
    """Dense row-standardised weights aligned to ``regions`` and whether they already were."""
    mat = as_weights(w, regions, islands="raise").dense
    rows = mat.sum(axis=1)
    already = bool(np.allclose(rows, 1.0, rtol=0, atol=1e-12))
    return mat / rows[:, None], already


@dataclass(frozen=True)
class SpatialMarkovResult(Result):
    """Spatial Markov chain: transitions conditioned on the class of the spatial lag.

    Attributes
    ----------
    transition_matrices
        Probabilities with index (``lag_class``, ``from``) and columns ``to``; one k × k block per
        lag class (NaN rows: no transition observed from that class in that context).
    counts
        Counts in the same layout.
    classes, lag_classes
        Class of every region-year and of its spatial lag, same shape as the input.
    class_bounds, lag_bounds
        Bounds of the value classes and of the lag classes.
    steady_states
        Stationary distribution per lag class (rows), NaN where undefined.
    homogeneity
        Bickenbach-Bode test that the transition probabilities do not depend on the lag class.
    pooled
        The classical chain (same classes).
    notes
        Explanations: undefined steady states, rows (per lag class) resting on fewer than
        :data:`MIN_TRANSITIONS` transitions, weights that were row-standardised.
    """

    transition_matrices: pd.DataFrame
    counts: pd.DataFrame
    classes: pd.DataFrame
    lag_classes: pd.DataFrame
    class_bounds: pd.DataFrame
    lag_bounds: pd.DataFrame
    steady_states: pd.DataFrame
    homogeneity: dict[str, TestResult]
    pooled: MarkovResult
    notes: tuple[str, ...] = ()

    def matrix(self, lag_class: int) -> pd.DataFrame:
        """The k × k transition matrix for one lag class (1..k)."""
        return self.transition_matrices.xs(lag_class, level="lag_class")

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``lag_class, from_class, to_class, probability, count``."""
        prob = self.transition_matrices.stack(future_stack=True).rename("probability")
        cnt = self.counts.stack(future_stack=True).rename("count")
        out = pd.concat([prob, cnt], axis=1).reset_index()
        out.columns = ["lag_class", "from_class", "to_class", "probability", "count"]
        return out

    def summary(self) -> Summary:
        """One matrix per lag class, steady states and the homogeneity test."""
        tables: list[tuple[str, pd.DataFrame]] = []
        for lag in self.steady_states.index:
            mat = self.matrix(lag).copy()
            mat.insert(0, "n", self.counts.xs(lag, level="lag_class").sum(axis=1))
            tables.append((f"邻域类型 Spatial-lag class {lag}", mat))
        tables.append(("稳态 Steady states by lag class", self.steady_states))
        tables.append(
            (
                "空间齐性检验 Homogeneity across lag classes",
                _homogeneity_table(self.homogeneity),
            )
        )
        return Summary("空间马尔可夫链 Spatial Markov chain", tuple(tables), notes=self.notes)


def spatial_markov(
    wide: pd.DataFrame,
    w: Any,
    k: int = 5,
    classes: ClassScheme = "pooled",
    *,
    lag_classes: ClassScheme | None = None,
    relative: bool = False,
) -> SpatialMarkovResult:
    r"""Spatial Markov chain (Rey 2001): transitions conditioned on the neighbours' class.

    Parameters
    ----------
    wide
        Regions × years DataFrame.
    w
        Spatial weights, anything :func:`nqpf.geo.as_weights` accepts: nqpf ``SpatialWeights``,
        a libpysal ``W`` or ``Graph`` or a DataFrame labelled by region (matched on the labels),
        or an n × n numpy array or scipy sparse matrix in the row order of ``wide``. Rows are
        standardised to sum to 1 here.
    k
        Number of quantile classes of the values and of the lag.
    classes
        Class scheme of the values, as in :func:`markov`.
    lag_classes
        Class scheme of the spatial lag; ``None`` uses quantiles of the lag with the same
        ``"pooled"``/``"per-year"`` choice (``"pooled"`` when cut points are given for the
        values).
    relative
        Divide by the year's mean before computing lags and classes.

    Returns
    -------
    SpatialMarkovResult

    Raises
    ------
    WeightsError
        Shape or ids of ``w`` not matching the regions, negative weights, a region without
        neighbours.
    DataValidationError
        As for :func:`markov`.

    Notes
    -----
    Rey (2001), Geographical Analysis 33:195-214. The spatial lag of region :math:`i` in year
    :math:`t` is :math:`\ell_{it} = \sum_j w_{ij} y_{jt}` with row-standardised :math:`W`.
    Transitions of :math:`y_{it}` from class :math:`a` to :math:`b` are counted separately for
    each class :math:`l` of :math:`\ell_{it}`, giving :math:`p_{ab|l}`. The homogeneity test
    (:func:`homogeneity_test`) takes the lag classes as regimes. Each (lag class, class) row
    has only a share of the transitions; rows with fewer than :data:`MIN_TRANSITIONS` are named
    in ``notes`` as in :func:`markov`.

    Examples
    --------
    >>> wide = pd.DataFrame([[1.0, 2, 3], [2, 1, 1], [3, 3, 2], [4, 5, 6]],
    ...                     index=list("abcd"), columns=[2000, 2001, 2002])
    >>> w = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> r = spatial_markov(wide, w, k=2)
    >>> r.counts.groupby(level="lag_class").sum().sum(axis=1).tolist()
    [4, 4]
    """
    data = check_wide(wide, "spatial_markov")
    mat, already = _weights_matrix(w, data.index)
    values = data.to_numpy()
    years = list(data.columns)
    if relative:
        values = _relative(values, years, "spatial_markov")
    codes, k_val, bounds = _classify(values, k, classes, years, "spatial_markov")
    lag = mat @ values
    if lag_classes is None:
        lag_classes = classes if isinstance(classes, str) else "pooled"
    lcodes, m, lbounds = _classify(lag, k, lag_classes, years, "spatial_markov (lag)")
    start = codes[:, :-1]
    end = codes[:, 1:]
    ctx = lcodes[:, :-1]
    counts = (
        np.bincount(((ctx * k_val + start) * k_val + end).ravel(), minlength=m * k_val * k_val)
        .reshape(m, k_val, k_val)
        .astype(float)
    )
    probs = _probabilities(counts)
    notes = _thin_row_notes(
        counts.sum(axis=2).ravel(),
        [f"lag class {lc} · class {c}" for lc in range(1, m + 1) for c in range(1, k_val + 1)],
        np.ones(m * k_val, dtype=bool),
        "the steady states of the lag classes",
    )
    ss = []
    for lag_c in range(m):
        pi, why = _steady_state(probs[lag_c])
        ss.append(pi)
        if why:
            notes.append(f"lag class {lag_c + 1}: {why}")
    if not already:
        notes.append("w was row-standardised.")
    idx = pd.MultiIndex.from_product(
        [range(1, m + 1), range(1, k_val + 1)], names=["lag_class", "from"]
    )
    to = _class_index(k_val, "to")
    test = homogeneity_test(
        counts,
        [f"lag class {i}" for i in range(1, m + 1)],
        null="transition probabilities do not depend on the neighbours' class",
    )
    pooled = markov(data, k, classes, relative=relative, periods=None)
    return SpatialMarkovResult(
        transition_matrices=pd.DataFrame(probs.reshape(-1, k_val), index=idx, columns=to),
        counts=pd.DataFrame(counts.reshape(-1, k_val).astype(np.int64), index=idx, columns=to),
        classes=pd.DataFrame(codes + 1, index=data.index, columns=data.columns),
        lag_classes=pd.DataFrame(lcodes + 1, index=data.index, columns=data.columns),
        class_bounds=bounds,
        lag_bounds=lbounds,
        steady_states=pd.DataFrame(
            np.array(ss), index=_class_index(m, "lag_class"), columns=_class_index(k_val, "class")
        ),
        homogeneity=test,
        pooled=pooled,
        notes=tuple(notes),
        meta=make_meta(
            "spatial_markov",
            k=k_val,
            lag_k=m,
            relative=relative,
            w_row_standardised_by_caller=already,
            regions=len(data),
            years=len(years),
            min_transitions=MIN_TRANSITIONS,
        ),
    )


# ---------------------------------------------------------------------------------------------
# rank mobility
# ---------------------------------------------------------------------------------------------
def _tie_sums(x: np.ndarray) -> tuple[float, float, float]:
    _, t = np.unique(x, return_counts=True)
    t = t.astype(float)
    return (
        float(np.sum(t * (t - 1) / 2)),
        float(np.sum(t * (t - 1) * (2 * t + 5))),
        float(np.sum(t * (t - 1) * (t - 2))),
    )


def _exact_p(n: int, discordant: int) -> float:
    """Two-sided exact p-value of Kendall's S without ties (Kendall 1970, ch. 4)."""
    total = n * (n - 1) // 2
    c = min(discordant, total - discordant)
    if 4 * c >= 2 * total:
        return 1.0
    # distribution of the number of inversions of a random permutation, built up one element
    # at a time: adding the m-th element adds 0..m-1 inversions with equal probability
    dist = np.array([1.0])
    for m in range(2, n + 1):
        new = np.zeros(len(dist) + m - 1)
        for j in range(m):
            new[j : j + len(dist)] += dist
        dist = new / m
    return float(min(1.0, 2.0 * dist[: c + 1].sum()))


def _kendall(x: np.ndarray, y: np.ndarray, method: str) -> tuple[float, float]:
    """Kendall's tau-b and its two-sided p-value."""
    n = len(x)
    s = 0.0
    untied_x = 0.0
    untied_y = 0.0
    discordant = 0.0
    step = max(1, 2_000_000 // n)
    for start in range(0, n, step):
        dx = np.sign(x[start : start + step, None] - x[None, :])
        dy = np.sign(y[start : start + step, None] - y[None, :])
        prod = dx * dy
        s += float(prod.sum())
        discordant += float((prod < 0).sum())
        untied_x += float((dx != 0).sum())
        untied_y += float((dy != 0).sum())
    s, discordant, untied_x, untied_y = s / 2, discordant / 2, untied_x / 2, untied_y / 2
    if untied_x == 0 or untied_y == 0:
        return np.nan, np.nan
    tau = s / math.sqrt(untied_x * untied_y)
    total = n * (n - 1) / 2
    ties = untied_x < total or untied_y < total
    if method == "auto":
        method = (
            "exact"
            if not ties and (n <= 33 or min(discordant, total - discordant) <= 1)
            else "asymptotic"
        )
    if method == "exact":
        if ties:
            raise DataValidationError("the exact p-value of Kendall's tau needs data without ties")
        return tau, _exact_p(n, int(discordant))
    tx, vx, wx = _tie_sums(x)
    ty, vy, wy = _tie_sums(y)
    var = (
        (n * (n - 1) * (2 * n + 5) - vx - vy) / 18
        + wx * wy / (9 * n * (n - 1) * (n - 2))
        + (2 * tx) * (2 * ty) / (2 * n * (n - 1))
    )
    z = s / math.sqrt(var)
    return tau, float(2 * stats.norm.sf(abs(z)))


@dataclass(frozen=True)
class RankMobilityResult(Result):
    """Rank correlation of regions between years.

    Attributes
    ----------
    table
        One row per pair of years (consecutive pairs, then first-last): ``from_year, to_year,
        kind, n, tau, p_value, mean_abs_rank_change``.
    ranks
        Rank of every region in every year (1 = highest value; ties share their mean rank).
    """

    table: pd.DataFrame
    ranks: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The :attr:`table`."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Kendall's tau by pair of years."""
        table = self.table.rename(
            columns={
                "from_year": "起始年 From",
                "to_year": "终止年 To",
                "tau": "肯德尔τ Kendall tau",
                "mean_abs_rank_change": "平均位次变动 Mean |Δrank|",
            }
        )
        return Summary(
            "位次流动性 Rank mobility",
            (("", table),),
            notes=("τ near 1: stable ranks; lower τ: more mobility.",),
        )


def rank_mobility(
    wide: pd.DataFrame, method: Literal["auto", "exact", "asymptotic"] = "auto"
) -> RankMobilityResult:
    r"""Kendall's τ-b between consecutive years and between the first and last year.

    Parameters
    ----------
    wide
        Regions × years DataFrame.
    method
        p-value: ``"exact"`` (no ties), ``"asymptotic"`` (normal approximation with tie
        correction) or ``"auto"`` (exact without ties for n ≤ 33 or at most one discordant or
        concordant pair, else asymptotic).

    Returns
    -------
    RankMobilityResult

    Notes
    -----
    Kendall (1970), *Rank Correlation Methods*, 4th ed. With :math:`S` = concordant minus
    discordant pairs, :math:`n_0 = n(n-1)/2` and :math:`n_1, n_2` the pairs tied in each year,

    .. math:: \tau_b = \frac{S}{\sqrt{(n_0 - n_1)(n_0 - n_2)}}.

    The asymptotic p-value uses :math:`S/\sqrt{\mathrm{Var}(S)}` with Kendall's tie-corrected
    variance; the exact one the permutation distribution of the number of discordant pairs.

    Examples
    --------
    >>> wide = pd.DataFrame([[1.0, 2, 3], [2, 1, 1], [3, 3, 2], [4, 5, 6]],
    ...                     index=list("abcd"), columns=[2000, 2001, 2002])
    >>> rank_mobility(wide).table[["from_year", "to_year", "tau"]].round(4)
       from_year  to_year     tau
    0       2000     2001  0.6667
    1       2001     2002  0.6667
    2       2000     2002  0.3333
    """
    if method not in ("auto", "exact", "asymptotic"):
        raise DataValidationError(f"method must be 'auto', 'exact' or 'asymptotic', got {method!r}")
    data = check_wide(wide, "rank_mobility")
    values = data.to_numpy()
    years = list(data.columns)
    ranks = np.column_stack([stats.rankdata(-values[:, t]) for t in range(len(years))])
    pairs = [(t, t + 1, "consecutive") for t in range(len(years) - 1)]
    if len(years) > 2:
        pairs.append((0, len(years) - 1, "first-last"))
    rows = []
    for a, b, kind in pairs:
        tau, p = _kendall(values[:, a], values[:, b], method)
        rows.append(
            {
                "from_year": years[a],
                "to_year": years[b],
                "kind": kind,
                "n": len(values),
                "tau": tau,
                "p_value": p,
                "mean_abs_rank_change": float(np.mean(np.abs(ranks[:, b] - ranks[:, a]))),
            }
        )
    return RankMobilityResult(
        table=pd.DataFrame(rows),
        ranks=pd.DataFrame(ranks, index=data.index, columns=data.columns),
        meta=make_meta("rank_mobility", p_value_method=method, regions=len(data), years=len(years)),
    )
