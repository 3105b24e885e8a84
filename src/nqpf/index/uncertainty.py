"""Uncertainty and sensitivity of composite-index ranks (Monte Carlo over modelling choices)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf._random import RandomSource, Seed
from nqpf.errors import DataValidationError
from nqpf.index._checks import (
    as_frame,
    check_method,
    resolve_directions,
    resolve_groups,
    row_keys,
)
from nqpf.index.aggregate import (
    AGGREGATION_METHODS,
    aggregate_indicators,
    translate_to_floor,
)
from nqpf.index.normalise import basis_frame, normalize_resolved
from nqpf.index.weights import WEIGHTING_METHODS, IndexWeights, align_weights, weights_from_unit
from nqpf.results import Result, Summary, make_meta

__all__ = ["UNCERTAIN_INPUTS", "UncertaintyResult", "rank_uncertainty"]

_MC_NORMALIZATIONS = ("minmax", "minmax_group", "zscore", "vector")
UNCERTAIN_INPUTS: tuple[str, ...] = (
    "normalization",
    "weighting",
    "aggregation",
    "weight_perturbation",
)
"""The uncertain inputs of :func:`rank_uncertainty`, in the order of ``.sensitivity``."""

_LABELS = {
    "normalization": "标准化方法 normalisation",
    "weighting": "赋权方法 weighting",
    "aggregation": "集成方法 aggregation",
    "weight_perturbation": "权重扰动 weight perturbation",
}
_CHOICES = ("normalization", "weighting", "aggregation")
_CHOICE_LISTS = {
    "normalization": "normalizations",
    "weighting": "weightings",
    "aggregation": "aggregations",
}
_CHUNK = 128  # runs per batch: bounds memory at CHUNK x rows floats per thread


@dataclass(frozen=True)
class UncertaintyResult(Result):
    """Monte Carlo distribution of ranks and the sensitivity of ranks to each modelling choice.

    Attributes
    ----------
    ranks
        Rows × runs: the rank of each row within its group in each run (1 = best).
    runs
        One row per run: the ``normalization``, ``weighting`` and ``aggregation`` drawn and the
        ``pair`` whose weight perturbation it shares (see :func:`rank_uncertainty`).
    rank_summary
        Per row: ``group``, ``n_in_group``, ``nominal_score``, ``nominal_rank``, ``median_rank``,
        ``p05_rank``, ``p95_rank``, ``mean_rank``.
    sensitivity
        Per uncertain input (:data:`UNCERTAIN_INPUTS`): ``first_order`` and ``total_order``
        indices averaged over rows whose rank varies.
    row_sensitivity
        Rows × inputs: first-order index of each row (NaN where the rank never varies).
    base_weights
        Indicators × weighting choices: the unperturbed weight vectors.
    run_weights
        Runs × indicators: the (perturbed, renormalised) weights used by each run.

    The nominal configuration (``meta["nominal"]``) is one point of the design space; a row whose
    nominal rank lies outside its own 5–95 % interval is listed, with the choice that moves it,
    by :meth:`outside_interval`.
    """

    ranks: pd.DataFrame
    runs: pd.DataFrame
    rank_summary: pd.DataFrame
    sensitivity: pd.DataFrame
    row_sensitivity: pd.DataFrame
    base_weights: pd.DataFrame
    run_weights: pd.DataFrame

    def summary_frame(self) -> pd.DataFrame:
        """Wide tidy table: row keys, group and the rank statistics, one line per row.

        The last column, ``interval_note``, is empty except for rows whose nominal rank lies
        outside their 5–95 % interval, where it says why (the ``note`` of
        :meth:`outside_interval`).
        """
        keys = row_keys(self.rank_summary.index)
        wide = pd.concat([keys, self.rank_summary.reset_index(drop=True)], axis=1)
        notes = pd.Series("", index=self.rank_summary.index, dtype=object)
        outside = self.outside_interval()
        notes[self._outside_mask()] = outside["note"].to_numpy()
        wide["interval_note"] = notes.to_numpy()
        return wide

    def _outside_mask(self) -> np.ndarray:
        s = self.rank_summary
        nominal = s["nominal_rank"].to_numpy(dtype=float)
        outside = (nominal < s["p05_rank"].to_numpy()) | (nominal > s["p95_rank"].to_numpy())
        return np.asarray(outside)

    def outside_interval(self) -> pd.DataFrame:
        """Rows whose nominal rank lies outside their own 5–95 % Monte Carlo interval, and why.

        The nominal configuration is a single corner of the design space, drawn in only about
        1 / (number of normalisation × weighting × aggregation combinations) of the runs (and then
        with perturbed weights); when the other combinations agree on a different rank, the
        interval can exclude the nominal rank. Columns: the row keys, ``group``,
        ``nominal_rank``, ``p05_rank``, ``median_rank``, ``p95_rank``; ``runs_rank_it``
        (``"lower"``: the runs give a larger rank number than the nominal one, ``"higher"``:
        a smaller one); ``nominal_choices_median`` (median rank of the runs that use the nominal
        normalisation, weighting and aggregation, only their weights perturbed; NaN when the
        nominal configuration is not in the design); ``driver`` (the uncertain input with the
        largest first-order index of the row, empty when the rank never varies across runs),
        ``driver_first_order``, ``driver_medians`` (median rank for each level of the driver,
        ``*`` marking the nominal one) and a bilingual ``note``.
        """
        mask = self._outside_mask()
        summary = self.rank_summary[mask]
        nominal = self.meta["nominal"]
        same = np.ones(len(self.runs), dtype=bool)
        for choice in _CHOICES:
            same &= self.runs[choice].to_numpy() == nominal[choice]
        rows = []
        for position in np.flatnonzero(mask):
            ranks = self.ranks.iloc[position].to_numpy(dtype=float)
            stats = self.rank_summary.iloc[position]
            lower = bool(stats["nominal_rank"] < stats["p05_rank"])
            cell = float(np.median(ranks[same])) if same.any() else np.nan
            sens = self.row_sensitivity.iloc[position]
            driver = str(sens.idxmax()) if sens.notna().any() else ""
            medians = ""
            if driver in _CHOICES:
                by_level = pd.Series(ranks).groupby(self.runs[driver].to_numpy()).median()
                medians = ", ".join(
                    f"{level}{'*' if level == nominal[driver] else ''} {by_level[level]:g}"
                    for level in self.meta[_CHOICE_LISTS[driver]]
                    if level in by_level.index
                )
            rows.append(
                {
                    "runs_rank_it": "lower" if lower else "higher",
                    "nominal_choices_median": cell,
                    "driver": driver,
                    "driver_first_order": float(sens[driver]) if driver else np.nan,
                    "driver_medians": medians,
                    "note": _interval_note(lower, driver, sens, medians, cell, ranks),
                }
            )
        columns = ["nominal_rank", "p05_rank", "median_rank", "p95_rank"]
        explained = pd.DataFrame(
            rows,
            columns=[
                "runs_rank_it",
                "nominal_choices_median",
                "driver",
                "driver_first_order",
                "driver_medians",
                "note",
            ],
        )
        return pd.concat(
            [
                row_keys(summary.index),
                summary[["group", *columns]].reset_index(drop=True),
                explained,
            ],
            axis=1,
        )

    def to_frame(self) -> pd.DataFrame:
        """Long tidy table: row keys, ``group``, ``statistic``, ``value``."""
        stats = ["nominal_rank", "median_rank", "p05_rank", "p95_rank", "mean_rank"]
        wide = self.summary_frame()
        keys = [c for c in wide.columns if c not in self.rank_summary.columns]
        long = wide.melt(id_vars=[*keys, "group"], value_vars=stats, var_name="statistic")
        return long

    def summary(self) -> Summary:
        """Sensitivity indices and the rank intervals of the last group (e.g. latest year)."""
        sens = self.sensitivity.rename(index=_LABELS)
        sens.columns = ["一阶指数 first-order", "总效应指数 total-order"]
        sens.index.name = "不确定输入 uncertain input"
        last = self.rank_summary["group"].iloc[-1]
        table = self.rank_summary[self.rank_summary["group"] == last]
        table = table.sort_values("nominal_rank").head(50)
        table = table[["nominal_rank", "median_rank", "p05_rank", "p95_rank"]]
        table.columns = ["名义排名 nominal", "中位排名 median", "5%分位 p05", "95%分位 p95"]
        meta = self.meta
        notes = [
            f"{meta['n_runs']} Monte Carlo runs; each draws one normalisation "
            f"{list(meta['normalizations'])}, one weighting {list(meta['weightings'])} and one "
            f"aggregation {list(meta['aggregations'])} uniformly, and perturbs the weights by a "
            f"uniform factor in [1 - {meta['weight_perturbation']}, 1 + "
            f"{meta['weight_perturbation']}] (renormalised; runs 2p and 2p+1 share one "
            "perturbation draw). Ranks are within each group (1 = best).",
            "First-order index S_i = Var(E[R | X_i]) / Var(R) per row, averaged over rows whose "
            "rank varies; total-order of the weight perturbation = E[Var(R | choices)] / Var(R).",
            f"Geometric aggregation: indicators translated to a minimum of "
            f"{meta['geometric_floor']} where needed.",
            f"Nominal configuration (unperturbed): {meta['nominal']}; the perturbation is "
            "centred on the base weights of the weighting each run draws.",
        ]
        outside = int(self._outside_mask().sum())
        if outside:
            notes.append(
                f"{outside} row(s) have a nominal rank outside their own 5–95 % interval: the "
                "nominal configuration is one corner of the design space and the other choices "
                "agree on a different rank (see outside_interval() for the choice that drives "
                "each)."
            )
        return Summary(
            "Rank uncertainty 排名不确定性分析",
            (
                ("Sensitivity of ranks 排名敏感性", sens),
                (f"Rank intervals, group {last} 排名区间", table),
            ),
            tuple(notes),
        )


def _interval_note(
    lower: bool,
    driver: str,
    sens: pd.Series,
    medians: str,
    cell: float,
    ranks: np.ndarray,
) -> str:
    """Bilingual reason why a nominal rank lies outside the row's 5–95 % interval."""
    side = (
        "多数备选方案排名更低 most alternative choices rank it lower"
        if lower
        else "多数备选方案排名更高 most alternative choices rank it higher"
    )
    if not driver:
        return f"{side}; 各次运行排名均为 every run ranks it {ranks[0]:g}"
    detail = f"; 主要来自 driven by {_LABELS[driver]} (一阶指数 first-order {sens[driver]:.2f}"
    detail += f"; 中位排名 median rank {medians})" if medians else ")"
    if np.isfinite(cell):
        detail += f"; 名义方法组合仅扰动权重时中位排名 median with the nominal choices {cell:g}"
    return side + detail


def _choice_labels(choices: Sequence[Any], allowed: Sequence[str], what: str) -> list[Any]:
    if isinstance(choices, str | pd.Series | IndexWeights):
        choices = [choices]
    choices = [c.weights if isinstance(c, IndexWeights) else c for c in choices]
    if not choices:
        raise ValueError(f"{what} must list at least one choice")
    for c in choices:
        if not isinstance(c, pd.Series):
            check_method(c, allowed, what)
    names = [_choice_name(c, k) for k, c in enumerate(choices)]
    if len(set(names)) != len(names):
        raise ValueError(f"{what} lists a choice twice: {names}")
    return choices


def _choice_name(choice: Any, k: int) -> str:
    if isinstance(choice, IndexWeights):
        choice = choice.weights
    if isinstance(choice, pd.Series):
        return str(choice.name) if choice.name is not None else f"custom_{k}"
    return str(choice)


def _rank_within(scores: np.ndarray, bounds: np.ndarray, dtype: type) -> np.ndarray:
    """Ranks (1 = highest score, ties share the smallest rank) within each column block.

    ``scores`` is runs × rows with rows ordered by group; ``bounds`` the group boundaries.
    """
    ranks: np.ndarray = np.empty(scores.shape, dtype=dtype)
    for g in range(len(bounds) - 1):
        block = scores[:, bounds[g] : bounds[g + 1]]
        size = block.shape[1]
        order = np.argsort(-block, axis=1)
        ordered = np.take_along_axis(block, order, axis=1)
        start = np.zeros(ordered.shape, dtype=np.int64)
        start[:, 1:] = np.where(ordered[:, 1:] != ordered[:, :-1], np.arange(1, size), 0)
        np.maximum.accumulate(start, axis=1, out=start)
        out: np.ndarray = np.empty(ordered.shape, dtype=dtype)
        np.put_along_axis(out, order, (start + 1).astype(dtype), axis=1)
        ranks[:, bounds[g] : bounds[g + 1]] = out
    return ranks


class _Cell:
    """Cached arrays of one normalisation (rows ordered by group) for batched scoring."""

    def __init__(self, Z: np.ndarray, floor: float) -> None:
        self.Z = np.ascontiguousarray(Z)
        self.floor = floor
        self._log: np.ndarray | None = None
        self._topsis: tuple[np.ndarray, np.ndarray] | None = None

    def scores(self, aggregation: str, W: np.ndarray) -> np.ndarray:
        """Scores (runs × rows) for the weight vectors in the rows of ``W``.

        Geometric scores are returned on the log scale (same ranks).
        """
        if aggregation == "linear":
            return W @ self.Z.T
        if aggregation == "geometric":
            if self._log is None:
                self._log = np.log(translate_to_floor(self.Z, self.floor)[0])
            return W @ self._log.T
        if self._topsis is None:
            self._topsis = (
                (self.Z - self.Z.max(axis=0)) ** 2,
                (self.Z - self.Z.min(axis=0)) ** 2,
            )
        plus, minus = self._topsis
        W2 = W * W
        d_plus = np.sqrt(W2 @ plus.T)
        d_minus = np.sqrt(W2 @ minus.T)
        total = d_plus + d_minus
        if np.any(total == 0):
            raise DataValidationError(
                "TOPSIS closeness undefined in a run: all rows identical on the weighted indicators"
            )
        return d_minus / total


def _first_order(
    R: np.ndarray, levels: np.ndarray, n_levels: int, total_var: np.ndarray
) -> np.ndarray:
    """Var(E[R | level]) / Var(R) per row, plug-in estimator from the level means."""
    n_runs = R.shape[1]
    onehot = np.zeros((n_runs, n_levels))
    onehot[np.arange(n_runs), levels] = 1.0
    counts = onehot.sum(axis=0)
    used = counts > 0
    means = (R @ onehot[:, used]) / counts[used]
    overall = R.mean(axis=1, keepdims=True)
    between = ((means - overall) ** 2) @ (counts[used] / n_runs)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total_var > 0, between / np.where(total_var > 0, total_var, 1.0), np.nan)


def rank_uncertainty(
    X: pd.DataFrame | np.ndarray,
    directions: Mapping[Hashable, Any] | pd.Series | Sequence[Any] | None = None,
    groups: Any = None,
    dimensions: Mapping[Hashable, Hashable] | None = None,
    normalizations: Sequence[str] = ("minmax", "zscore", "vector"),
    weightings: Sequence[str | pd.Series | IndexWeights] = ("entropy", "critic", "equal"),
    aggregations: Sequence[str] = ("linear", "geometric", "topsis"),
    weight_perturbation: float = 0.2,
    n_runs: int = 1000,
    seed: Seed = None,
    n_jobs: int = 1,
    progress: Callable[[int, int], Any] | None = None,
    nominal: Mapping[str, Any] | None = None,
    geometric_floor: float = 0.01,
    basis: pd.DataFrame | None = None,
) -> UncertaintyResult:
    r"""Monte Carlo uncertainty of composite-index ranks and first-order sensitivity to choices.

    Parameters
    ----------
    X
        Raw indicator values, rows = observations (e.g. region-years), columns = indicators.
    directions
        ``+1`` benefit / ``-1`` cost per indicator; default all benefit.
    groups
        Rows are ranked within each group (e.g. the year; a level name of ``X.index``, a Series
        or an array with one label per row). Default: one group, all rows ranked together.
    dimensions
        Optional mapping indicator → dimension; the ``"equal"`` weighting then gives each
        dimension the same total weight, shared equally by its indicators.
    normalizations
        Normalisation choices among ``"minmax"``, ``"minmax_group"`` (within ``groups``),
        ``"zscore"``, ``"vector"``.
    weightings
        Weighting choices among ``"entropy"``, ``"critic"``, ``"cv"``, ``"equal"``, ``"pca"``,
        or fixed weight vectors given as Series or weights results (e.g. AHP or combined
        weights; labelled by the Series name).
    aggregations
        Aggregation choices among ``"linear"``, ``"geometric"``, ``"topsis"``.
    weight_perturbation
        Half-width :math:`\delta \in [0, 1)` of the multiplicative weight perturbation.
    n_runs
        Number of Monte Carlo runs.
    seed
        Seed (see :mod:`nqpf._random`); the same seed gives the same ranks. With None a fresh
        seed is drawn and recorded in ``meta["seed"]``.
    n_jobs
        Threads used to score and rank batches of runs (joblib threading backend; matrix
        products and sorts release the GIL).
    progress
        Optional ``callable(done, total)`` called after each batch of runs.
    nominal
        The reference specification, a mapping with keys ``normalization``, ``weighting`` (a
        method name or a fixed weight vector, e.g. an index's own weights),
        ``aggregation``; default ``minmax`` / ``entropy`` / ``linear``, never perturbed. It is
        scored by the one-off aggregation functions, as :func:`~nqpf.index.compute_index`
        does. List its choices among the Monte Carlo choices too, so that it is a point of the
        design space (:func:`~nqpf.index.index_uncertainty` does).
    geometric_floor
        Geometric aggregation needs positive scores: in each normalised table, every indicator
        whose minimum is below this value is translated so that its minimum equals it (see
        :func:`~nqpf.index.geometric_aggregate`).
    basis
        Optional table of raw values (same indicators) that fixes every normalisation's
        statistics and every data-driven weighting (see
        :func:`~nqpf.index.normalise.normalize_resolved`): a what-if scenario is then scored
        with the baseline's bounds and weights in each run. Not with ``"minmax_group"``.

    Returns
    -------
    UncertaintyResult
        ``ranks``, ``runs``, ``rank_summary`` (nominal, median, 5th and 95th percentile rank),
        ``sensitivity``, ``row_sensitivity``, ``base_weights``, ``run_weights``;
        ``summary_frame()``, ``outside_interval()`` (rows whose nominal rank lies outside their
        interval, and why), ``to_frame()``, ``summary()``.

    Raises
    ------
    DataValidationError
        As :func:`~nqpf.index.normalize_indicators` and the weighting functions (NaN, constant
        indicator, bad directions or groups).
    ValueError
        Unknown or repeated choices, ``"minmax_group"`` without groups, a perturbation outside
        [0, 1), ``n_runs < 1`` or ``n_jobs < 1``.

    Notes
    -----
    Each run :math:`r` draws a normalisation :math:`N_r`, a weighting :math:`W_r` and an
    aggregation :math:`A_r`, independently and uniformly, and a perturbation
    :math:`u_{rj} \sim U(1-\delta, 1+\delta)`; its weights are
    :math:`w_{rj} = w^{W_r}_j u_{rj} / \sum_k w^{W_r}_k u_{rk}`: the perturbation is centred
    (:math:`E[u] = 1`) on the base weights of the drawn weighting, so runs drawing the nominal
    weighting perturb the nominal weights. Base weights are computed once
    per weighting from the raw data (global min-max with the directions, as in
    :func:`~nqpf.index.entropy_weights`); each normalised table once per normalisation. All runs
    of one (normalisation, aggregation) cell are then scored as matrix products with the
    indicators × runs weight matrix :math:`W`: linear :math:`ZW`, geometric
    :math:`\exp(\ln Z\,W)`, TOPSIS :math:`D^{\pm} = ((Z - Z^{\pm})^{\circ 2} W^{\circ 2})^{1/2}`
    with the ideals taken over all rows. Ranks are computed within each group; ties share the
    smallest rank. Percentiles use linear interpolation between order statistics. The nominal
    configuration is drawn in only a fraction of the runs, so its rank can lie outside the
    5–95 % interval; :meth:`UncertaintyResult.outside_interval` lists such rows and the input
    that drives each.

    Sensitivity, per row then averaged over rows whose rank varies (:math:`R` = rank):

    * first-order index of a discrete choice :math:`X_i`,
      :math:`S_i = \operatorname{Var}(E[R \mid X_i]) / \operatorname{Var}(R)`, from the mean rank
      at each level (plug-in estimator, biased upward by about :math:`(K-1)/n_{runs}` times the
      within-level variance share);
    * first-order index of the weight perturbation :math:`U` by the pick-freeze estimator
      :math:`S_U = \operatorname{Cov}(R_r, R_{r'}) / \operatorname{Var}(R)` over run pairs
      :math:`(r, r') = (2p, 2p+1)` that share :math:`u` but draw their choices independently
      (every run is still a draw from the same joint distribution);
    * total-order index of :math:`U`,
      :math:`S_{T,U} = E[\operatorname{Var}(R \mid N, W, A)] / \operatorname{Var}(R)`, from the
      variance within each (normalisation, weighting, aggregation) combination.

    The first-order indices sum to at most 1; the remainder is due to interactions. Monte
    Carlo noise can make an index slightly negative when the true value is about 0.

    Sources: Saisana, Saltelli & Tarantola (2005), Uncertainty and sensitivity analysis
    techniques as tools for the quality assessment of composite indicators, *Journal of the
    Royal Statistical Society A* 168(2), 307-323; OECD/JRC (2008), *Handbook on Constructing
    Composite Indicators*, section 7; Becker et al. (2022), COINr: an R package for developing
    composite indicators, *Journal of Open Source Software* 7(78), 4567; Sobol' (1993) and
    Saltelli (2002) for the first-order estimators.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.uniform(1, 10, size=(12, 4)), columns=list("abcd"))
    >>> result = rank_uncertainty(X, groups=np.repeat([2020, 2021], 6), n_runs=200, seed=1)
    >>> result.ranks.shape
    (12, 200)
    >>> list(result.sensitivity.index)
    ['normalization', 'weighting', 'aggregation', 'weight_perturbation']

    """
    frame = as_frame(X)
    columns = frame.columns
    n, m = frame.shape
    signs = resolve_directions(directions, columns)
    labels = np.zeros(n, dtype=np.int64) if groups is None else resolve_groups(groups, frame.index)

    norm_choices = _choice_labels(normalizations, _MC_NORMALIZATIONS, "normalization")
    weight_choices = _choice_labels(weightings, WEIGHTING_METHODS, "weighting")
    agg_choices = _choice_labels(aggregations, AGGREGATION_METHODS, "aggregation")
    nominal_spec = {"normalization": "minmax", "weighting": "entropy", "aggregation": "linear"}
    if nominal is not None:
        unknown = set(nominal) - set(nominal_spec)
        if unknown:
            raise ValueError(
                f"nominal has unknown key(s) {sorted(unknown)}; use {list(nominal_spec)}"
            )
        nominal_spec.update(nominal)
    _choice_labels([nominal_spec["normalization"]], _MC_NORMALIZATIONS, "nominal normalization")
    _choice_labels([nominal_spec["weighting"]], WEIGHTING_METHODS, "nominal weighting")
    _choice_labels([nominal_spec["aggregation"]], AGGREGATION_METHODS, "nominal aggregation")
    if groups is None and "minmax_group" in [*norm_choices, nominal_spec["normalization"]]:
        raise ValueError("normalization 'minmax_group' needs groups=")
    delta = float(weight_perturbation)
    if not (0.0 <= delta < 1.0):
        raise ValueError(f"weight_perturbation must be in [0, 1); got {weight_perturbation!r}")
    if not (isinstance(n_runs, int | np.integer) and n_runs >= 1):
        raise ValueError(f"n_runs must be a positive integer; got {n_runs!r}")
    if not (isinstance(n_jobs, int | np.integer) and n_jobs >= 1):
        raise ValueError(f"n_jobs must be a positive integer; got {n_jobs!r}")
    if not (np.isfinite(geometric_floor) and geometric_floor > 0):
        raise ValueError(f"geometric_floor must be a positive number; got {geometric_floor!r}")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be a callable(done, total) or None")
    if dimensions is not None:
        missing = [c for c in columns if c not in dimensions]
        if missing:
            raise DataValidationError(f"dimensions gives no dimension for indicator(s) {missing}")
    n_runs = int(n_runs)
    source = RandomSource.from_seed(seed)
    rng = source.generator()

    # group order: rows of each group contiguous
    codes, group_values = pd.factorize(pd.Series(labels), sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(group_values) + 1))
    group_size = np.diff(bounds)
    rank_dtype: type = np.int16 if group_size.max() < np.iinfo(np.int16).max else np.int32

    # normalised tables, once each (rows in group order); the global min-max table is also the
    # one every data-driven weighting is computed on
    held = None if basis is None else basis_frame(basis, columns)
    unit = normalize_resolved(frame, signs, basis=held)
    weight_unit = unit if held is None else normalize_resolved(held, signs)
    norm_names = [_choice_name(c, k) for k, c in enumerate(norm_choices)]
    tables: dict[str, pd.DataFrame] = {}
    for name in dict.fromkeys([*norm_names, nominal_spec["normalization"]]):
        if name == "minmax":
            tables[name] = unit
        else:
            groups_here = labels if name == "minmax_group" else None
            tables[name] = normalize_resolved(
                frame, signs, method=name, groups=groups_here, basis=held
            )
    cells = {name: _Cell(tables[name].to_numpy()[order], geometric_floor) for name in norm_names}

    # base weight vectors, once each
    def base(choice: Any) -> np.ndarray:
        if isinstance(choice, pd.Series | IndexWeights):
            return align_weights(choice, columns)
        return weights_from_unit(
            weight_unit, signs, choice, dimensions=dimensions if choice == "equal" else None
        ).weights.to_numpy()

    weight_names = [_choice_name(c, k) for k, c in enumerate(weight_choices)]
    base_weights = np.vstack([base(c) for c in weight_choices])
    nominal_weighting = nominal_spec["weighting"]
    if isinstance(nominal_weighting, str) and nominal_weighting in weight_names:
        nominal_w = base_weights[weight_names.index(nominal_weighting)]
    else:
        nominal_w = base(nominal_weighting)
    agg_names = [str(a) for a in agg_choices]

    # draws (fixed order => reproducible)
    norm_idx = rng.integers(len(norm_names), size=n_runs)
    weight_idx = rng.integers(len(weight_names), size=n_runs)
    agg_idx = rng.integers(len(agg_names), size=n_runs)
    pair = np.arange(n_runs) // 2
    if delta > 0:
        factors = rng.uniform(1.0 - delta, 1.0 + delta, size=(int(pair[-1]) + 1, m))[pair]
    else:
        factors = np.ones((n_runs, m))
    W_runs = base_weights[weight_idx] * factors
    W_runs /= W_runs.sum(axis=1, keepdims=True)

    # batches of runs per (normalisation, aggregation) cell
    tasks = []
    for a, agg in enumerate(agg_names):
        for k, norm in enumerate(norm_names):
            runs_here = np.flatnonzero((norm_idx == k) & (agg_idx == a))
            for start in range(0, len(runs_here), _CHUNK):
                tasks.append((norm, agg, runs_here[start : start + _CHUNK]))
    ranks_sorted = np.empty((n_runs, n), dtype=rank_dtype)

    def work(task: tuple[str, str, np.ndarray]) -> int:
        norm, agg, runs_here = task
        scores = cells[norm].scores(agg, W_runs[runs_here])
        ranks_sorted[runs_here] = _rank_within(scores, bounds, rank_dtype)
        return len(runs_here)

    done = 0
    if n_jobs == 1:
        results: Any = map(work, tasks)
    else:
        joblib = require("joblib", "parallel Monte Carlo runs (n_jobs > 1)")
        Parallel, delayed = joblib.Parallel, joblib.delayed

        for name in cells:  # build caches before threads share them
            for agg in agg_names:
                cells[name].scores(agg, np.full((1, m), 1.0 / m))
        results = Parallel(n_jobs=n_jobs, backend="threading", return_as="generator")(
            delayed(work)(t) for t in tasks
        )
    for count in results:
        done += count
        if progress is not None:
            progress(done, n_runs)

    # nominal specification, unperturbed
    # the one-off aggregation compute_index uses, so that nominal ranks equal the index's ranks
    # exactly (the batched Monte Carlo products may round differently in the last bit)
    nominal_score = aggregate_indicators(
        tables[nominal_spec["normalization"]],
        nominal_w,
        nominal_spec["aggregation"],
        floor=geometric_floor,
    ).scores.to_numpy()
    nominal_rank = np.empty(n, dtype=rank_dtype)
    nominal_rank[order] = _rank_within(nominal_score[order][None, :], bounds, rank_dtype)[0]

    # back to the caller's row order
    ranks = np.empty((n, n_runs), dtype=rank_dtype)
    ranks[order] = ranks_sorted.T

    R = ranks.astype(np.float64)
    p05, median, p95 = np.quantile(R, [0.05, 0.5, 0.95], axis=1)
    mean_rank = R.mean(axis=1)
    total_var = R.var(axis=1)

    row_sens = {
        "normalization": _first_order(R, norm_idx, len(norm_names), total_var),
        "weighting": _first_order(R, weight_idx, len(weight_names), total_var),
        "aggregation": _first_order(R, agg_idx, len(agg_names), total_var),
    }
    n_pairs = n_runs // 2
    if delta > 0 and n_pairs >= 2:
        centred_a = R[:, 0 : 2 * n_pairs : 2] - mean_rank[:, None]
        centred_b = R[:, 1 : 2 * n_pairs : 2] - mean_rank[:, None]
        cov = (centred_a * centred_b).mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            row_sens["weight_perturbation"] = np.where(total_var > 0, cov / total_var, np.nan)
        combo = (norm_idx * len(weight_names) + weight_idx) * len(agg_names) + agg_idx
        n_combos = len(norm_names) * len(weight_names) * len(agg_names)
        closed = _first_order(R, combo, n_combos, total_var)
        total_u = float(np.nanmean(1.0 - closed)) if np.isfinite(closed).any() else np.nan
    else:
        row_sens["weight_perturbation"] = np.where(total_var > 0, 0.0, np.nan)
        total_u = 0.0 if delta == 0 else np.nan
    row_sensitivity = pd.DataFrame(row_sens, index=frame.index, columns=list(UNCERTAIN_INPUTS))
    varies = total_var > 0
    first = [
        float(np.mean(row_sensitivity[c].to_numpy()[varies])) if varies.any() else np.nan
        for c in UNCERTAIN_INPUTS
    ]
    sensitivity = pd.DataFrame(
        {"first_order": first, "total_order": [np.nan, np.nan, np.nan, total_u]},
        index=pd.Index(list(UNCERTAIN_INPUTS), name="input"),
    )

    group_label = np.asarray(group_values)[codes] if groups is not None else np.full(n, "all")
    rank_summary = pd.DataFrame(
        {
            "group": group_label,
            "n_in_group": group_size[codes],
            "nominal_score": nominal_score,
            "nominal_rank": nominal_rank.astype(np.int64),
            "median_rank": median,
            "p05_rank": p05,
            "p95_rank": p95,
            "mean_rank": mean_rank,
        },
        index=frame.index,
    )
    runs = pd.DataFrame(
        {
            "normalization": np.asarray(norm_names, dtype=object)[norm_idx],
            "weighting": np.asarray(weight_names, dtype=object)[weight_idx],
            "aggregation": np.asarray(agg_names, dtype=object)[agg_idx],
            "pair": pair,
        },
        index=pd.RangeIndex(n_runs, name="run"),
    )
    ranks_frame = pd.DataFrame(ranks, index=frame.index, columns=runs.index)
    base_frame = pd.DataFrame(base_weights.T, index=columns, columns=weight_names)
    base_frame.index.name = "indicator"
    return UncertaintyResult(
        ranks=ranks_frame,
        runs=runs,
        rank_summary=rank_summary,
        sensitivity=sensitivity,
        row_sensitivity=row_sensitivity,
        base_weights=base_frame,
        run_weights=pd.DataFrame(W_runs, index=runs.index, columns=columns),
        meta=make_meta(
            "rank_uncertainty",
            n_rows=n,
            n_indicators=m,
            n_groups=len(group_values),
            normalizations=norm_names,
            weightings=weight_names,
            aggregations=agg_names,
            nominal={k: _choice_name(v, 0) for k, v in nominal_spec.items()},
            weight_perturbation=delta,
            n_runs=n_runs,
            seed=source.record,
            geometric_floor=float(geometric_floor),
            rows_with_varying_rank=int(varies.sum()),
            percentile_method="linear",
            ties="min",
        ),
    )
