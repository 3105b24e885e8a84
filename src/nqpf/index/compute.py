"""Composite index of a panel under an index system: ``compute_index``.

Pipeline (every step reported): evaluate each indicator formula over the panel variables →
optionally interpolate interior gaps the system names → keep the system's years → set aside
region-years with missing indicators (listed) → normalise (global pooled min–max with directions by
default) → weight → aggregate → dimension sub-scores, ranks within year, obstacle degrees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.data.export import write_excel
from nqpf.errors import DataValidationError, IndexSystemError
from nqpf.index._checks import as_frame
from nqpf.index.aggregate import AGGREGATION_METHODS, aggregate_indicators
from nqpf.index.normalise import basis_frame, normalize_resolved
from nqpf.index.obstacle import obstacle_degree
from nqpf.index.system import IndexSystem, load_system
from nqpf.index.uncertainty import UncertaintyResult, rank_uncertainty
from nqpf.index.weights import WEIGHTING_METHODS, combine_weights, weights_from_unit
from nqpf.panel import Panel
from nqpf.regions import Level, name_of, provinces
from nqpf.results import Result, Summary, make_meta
from nqpf.validation import ValidationReport

__all__ = [
    "AGGREGATIONS",
    "WEIGHTINGS",
    "IndexResult",
    "compute_index",
    "index_of_values",
    "index_uncertainty",
]

#: Weighting names accepted by :func:`compute_index`; ``"entropy-critic"`` is the multiplicative
#: combination of entropy and CRITIC weights.
WEIGHTINGS = (*WEIGHTING_METHODS, "entropy-critic")
AGGREGATIONS = AGGREGATION_METHODS
#: Geometric aggregation translates indicators to this minimum (min-max scores reach 0).
GEOMETRIC_FLOOR = 0.01


@dataclass(frozen=True)
class IndexResult(Result):
    """Scores, sub-scores, ranks, weights and obstacles of a composite index.

    Attributes
    ----------
    scores
        ``region_code, year, score, rank`` (rank 1 = highest score within the year).
    dimension_scores
        ``region_code, year, dimension, score``.
    indicator_weights
        ``indicator, dimension, dimension_zh, dimension_en, subdimension, weight, label_zh,
        label_en, direction, unit``.
    obstacles
        ``region_code, year, level, factor, obstacle_pct`` (indicator and dimension level).
    values, normalized
        Indicator values and their normalised form, indexed by ``(region_code, year)``.
    system
        The :class:`~nqpf.index.system.IndexSystem` used.
    report
        Every repair and exclusion made on the way.
    """

    scores: pd.DataFrame
    dimension_scores: pd.DataFrame
    indicator_weights: pd.DataFrame
    obstacles: pd.DataFrame
    values: pd.DataFrame
    normalized: pd.DataFrame
    system: IndexSystem
    report: ValidationReport

    @property
    def system_name(self) -> str:
        """Name of the index system."""
        return self.system.name

    @property
    def years(self) -> list[int]:
        """Years with scores."""
        return sorted(int(y) for y in self.scores.year.unique())

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """Wide score table: one row per region-year with score, rank and dimension scores."""
        dims = self.dimension_scores.pivot(
            index=["region_code", "year"], columns="dimension", values="score"
        )
        dims.columns = [f"score_{c}" for c in dims.columns]
        out = self.scores.set_index(["region_code", "year"]).join(dims).reset_index()
        out.insert(
            1, "region", [_name(c, "short" if lang == "zh" else "en") for c in out.region_code]
        )
        return out

    def ranking(self, value: str = "rank") -> pd.DataFrame:
        """Regions × years table of ``rank`` or ``score``."""
        wide = self.scores.pivot(index="region_code", columns="year", values=value)
        wide.index = pd.Index([_name(c) for c in wide.index], name="region")
        return wide.sort_values(wide.columns[-1], ascending=value == "rank")

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: ``region_code, year, component, value`` (score, rank, dimensions)."""
        long = self.scores.melt(["region_code", "year"], ["score", "rank"], "component")
        dims = self.dimension_scores.rename(columns={"dimension": "component", "score": "value"})
        dims = dims.assign(component="score_" + dims.component)
        return pd.concat([long, dims], ignore_index=True)

    def summary(self) -> Summary:
        """Weights and the latest year's ranking."""
        latest = self.years[-1]
        top = self.table().query("year == @latest").sort_values("rank")
        weights = self.indicator_weights[["indicator", "dimension", "label_zh", "weight"]]
        return Summary(
            f"{self.system.title_en} ({self.system.title_zh})",
            (
                (
                    f"Weights 指标权重 ({self.meta.get('weighting')})",
                    weights.set_index("indicator"),
                ),
                (f"Ranking 排名 {latest}", top.drop(columns="year").set_index("rank")),
            ),
            (
                f"normalization={self.meta.get('normalization')}, "
                f"aggregation={self.meta.get('aggregation')}, {len(self.report)} validation issues",
            ),
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Workbook sheets: scores, ranks, weights, obstacles, indicators, system, validation."""
        return {
            "scores": self.table(),
            "ranks": self.ranking("rank").reset_index(),
            "weights": self.indicator_weights,
            "obstacles": self.obstacles,
            "indicators": self.values.reset_index(),
            "system": self.system.to_frame(),
            "validation": self.report.to_frame(),
        }

    def to_excel(self, path: str | Path) -> Path:
        """Write :meth:`tables` to an XLSX workbook, one sheet each."""
        return write_excel(self.tables(), path)


def compute_index(
    panel: Panel,
    system: str | Path | IndexSystem | dict[str, Any] = "nqpf-province",
    *,
    weighting: str | Mapping[str, float] | pd.Series = "entropy",
    aggregation: str = "linear",
    normalization: str = "minmax",
    years: Sequence[int] | None = None,
    exclude: Sequence[str] = (),
) -> IndexResult:
    r"""Compute a composite index for every region-year of a panel.

    Parameters
    ----------
    panel
        A :class:`~nqpf.panel.Panel` holding the variables the system's formulas use.
    system
        Built-in system name, YAML path, mapping or :class:`IndexSystem`.
    weighting
        ``"entropy"``, ``"critic"``, ``"cv"``, ``"equal"`` (equal per dimension, shared equally
        by its indicators), ``"pca"``, ``"entropy-critic"`` (multiplicative combination), or
        explicit weights by indicator (e.g. from :func:`~nqpf.index.ahp_weights`).
    aggregation
        ``"linear"`` (weighted sum), ``"geometric"`` (weighted geometric mean; indicators whose
        normalised minimum is below :data:`GEOMETRIC_FLOOR` are translated to it) or
        ``"topsis"``.
    normalization
        Any method of :func:`~nqpf.index.normalize_indicators`; default global pooled min–max.
    years
        Restrict to these years (default: the system's ``years``, else all).
    exclude
        Indicators to leave out (e.g. one that is constant in the user's data).

    Notes
    -----
    Weights are computed once on the pooled panel (all regions and years), so scores are
    comparable across years. With linear aggregation the dimension sub-scores are
    :math:`\sum_{j\in d} w_j y_j` and add up to the total score; with geometric or TOPSIS
    aggregation each dimension is aggregated on its own indicators with weights rescaled to sum
    to one within the dimension.
    """
    system = load_system(system)
    unknown = [name for name in exclude if name not in system.names]
    if unknown:
        raise IndexSystemError(f"cannot exclude {unknown}: not indicators of {system.name!r}")
    indicators = [i for i in system.indicators if i.name not in exclude]
    report = ValidationReport()
    report.extend(panel.report)
    if system.interpolate:
        before = len(panel.report)
        try:
            panel = panel.interpolate(list(system.interpolate))
        except (DataValidationError, KeyError) as exc:
            raise IndexSystemError(f"system {system.name!r}, interpolate: {exc}") from None
        report.extend(panel.report.issues[before:])
    values = pd.DataFrame({i.name: _evaluate(panel, i.name, i.formula, system) for i in indicators})
    first_last = (min(years), max(years)) if years else system.years
    if first_last is not None:
        in_range = values.index.get_level_values("year").to_series().between(*first_last)
        values = values[in_range.to_numpy()]
    values = _drop_incomplete(values, report)
    if values.empty:
        raise DataValidationError(f"no region-year has every indicator of {system.name!r}")
    return index_of_values(
        values,
        system,
        weighting=weighting,
        aggregation=aggregation,
        normalization=normalization,
        report=report,
        exclude=exclude,
    )


def index_of_values(
    values: pd.DataFrame,
    system: str | Path | IndexSystem | dict[str, Any] = "nqpf-province",
    *,
    weighting: str | Mapping[str, float] | pd.Series = "entropy",
    aggregation: str = "linear",
    normalization: str = "minmax",
    basis: pd.DataFrame | None = None,
    report: ValidationReport | None = None,
    exclude: Sequence[str] = (),
) -> IndexResult:
    """The composite index of indicator values already evaluated (:func:`compute_index`'s core).

    ``values`` holds one complete row per region-year (index ``region_code, year``) and one
    column per indicator of ``system`` (those of ``exclude`` left out), e.g. an
    :class:`IndexResult`'s ``values`` with some cells changed. ``basis`` (raw values with the same
    columns, e.g. the baseline's ``values``) fixes the normalisation statistics and the
    data-driven weights (see :func:`~nqpf.index.normalise.normalize_resolved`), so that only
    the changed values move; ``report`` receives nothing new and is kept in the result.
    """
    system = load_system(system)
    if aggregation not in AGGREGATIONS:
        raise DataValidationError(
            f"aggregation must be one of {list(AGGREGATIONS)}, got {aggregation!r}"
        )
    report = ValidationReport() if report is None else report

    # directions and dimensions as resolved when the system was read; the global min-max table
    # is computed once: objective weights always use it, whatever the aggregation's normalisation
    frame = as_frame(values)
    signs = system.directions[frame.columns].to_numpy(dtype=float)
    dimension = system.dimensions[frame.columns]
    held = None if basis is None else basis_frame(basis, frame.columns)
    unit = normalize_resolved(frame, signs, basis=held)
    if normalization == "minmax":
        normalized = unit
    else:
        by_year = {"groups": "year"} if normalization == "minmax_group" else {}
        normalized = normalize_resolved(frame, signs, method=normalization, basis=held, **by_year)
    weight_unit = unit if held is None else normalize_resolved(held, signs)
    weights = _weights(weighting, weight_unit, signs, dimension)
    score = aggregate_indicators(normalized, weights, aggregation, floor=GEOMETRIC_FLOOR).scores

    scores = pd.DataFrame({"score": score}).reset_index()
    scores["rank"] = scores.groupby("year").score.rank(ascending=False, method="min").astype(int)
    dim_scores = _dimension_scores(aggregation, normalized, weights, dimension)
    obstacles = obstacle_degree(
        _unit_interval(normalized, normalization), weights, dimensions=dimension
    ).to_frame()
    table = system.to_frame().set_index("name").loc[weights.index]
    weight_frame = pd.DataFrame(
        {
            "indicator": weights.index,
            "dimension": table.dimension.to_numpy(),
            "dimension_zh": table.dimension_zh.to_numpy(),
            "dimension_en": table.dimension_en.to_numpy(),
            "subdimension": table.subdimension.to_numpy(),
            "weight": weights.to_numpy(),
            "label_zh": table.label_zh.to_numpy(),
            "label_en": table.label_en.to_numpy(),
            "direction": table.direction.to_numpy(),
            "unit": table.unit.to_numpy(),
        }
    )
    meta = make_meta(
        "composite index",
        system=system.name,
        weighting=weighting if isinstance(weighting, str) else "user",
        aggregation=aggregation,
        normalization=normalization,
        n_regions=int(scores.region_code.nunique()),
        n_years=int(scores.year.nunique()),
        excluded_indicators=list(exclude),
    )
    return IndexResult(
        scores=scores,
        dimension_scores=dim_scores,
        indicator_weights=weight_frame,
        obstacles=obstacles,
        values=values,
        normalized=normalized,
        system=system,
        report=report,
        meta=meta,
    )


def _name(code: Any, lang: Literal["short", "en"] = "short") -> str:
    """Short (or English) name of a province or city code."""
    level: Level = "province" if int(code) in provinces().index else "city"
    return name_of(int(code), lang, level)


def _evaluate(panel: Panel, name: str, formula: str, system: IndexSystem) -> pd.Series:
    try:
        return panel.evaluate(formula)
    except DataValidationError as exc:
        raise IndexSystemError(
            f"indicator {name!r} of system {system.name!r} (formula {formula!r}): {exc}"
        ) from None


def _drop_incomplete(values: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    incomplete = values.isna().any(axis=1)
    for (code, year), row in values[incomplete].iterrows():
        missing = [c for c in values.columns if pd.isna(row[c])]
        report.add(
            "missing",
            "excluded",
            f"{_name(code)} {year} left out of the index: no value for " + ", ".join(missing),
            source="compute_index",
            region=str(code),
            year=int(year),
            indicator=", ".join(missing),
        )
    kept = values[~incomplete]
    _report_gaps(values, kept, report)
    return kept


def _report_gaps(values: pd.DataFrame, kept: pd.DataFrame, report: ValidationReport) -> None:
    """List region-years with no row at all and every year that does not rank every region.

    The regions are all those with a row in any year of ``values``; a year of ``kept`` without
    one of them gets a ``gap`` entry naming the regions it leaves out (rows with missing values
    are already listed as ``missing``), so an unbalanced panel is never ranked silently.
    """
    regions = pd.unique(values.index.get_level_values("region_code"))
    present = set(values.index)
    ranked = kept.index.to_frame(index=False).groupby("year")["region_code"].agg(set)
    for year in sorted(pd.unique(values.index.get_level_values("year"))):
        for code in regions:
            if (code, year) not in present:
                report.add(
                    "gap",
                    "excluded",
                    f"{_name(code)} {year} left out of the index: no row for that year",
                    source="compute_index",
                    region=str(code),
                    year=int(year),
                )
        absent = [c for c in regions if c not in ranked.get(year, set())]
        if absent:
            report.add(
                "gap",
                "flagged",
                f"{year}: {len(regions) - len(absent)} of {len(regions)} regions ranked; not in "
                f"that year's index: {', '.join(_name(c) for c in absent)}",
                source="compute_index",
                year=int(year),
                region=", ".join(map(str, absent)),
            )


def _weights(
    weighting: str | Mapping[str, float] | pd.Series,
    unit: pd.DataFrame,
    signs: np.ndarray,
    dimension: pd.Series,
) -> pd.Series:
    """Weights per indicator (in column order) from the global min-max table ``unit``."""
    columns = unit.columns
    if isinstance(weighting, str):
        if weighting not in WEIGHTINGS:
            raise DataValidationError(
                f"weighting must be one of {list(WEIGHTINGS)}, got {weighting!r}"
            )
        if weighting == "entropy-critic":
            combined = combine_weights(
                weights_from_unit(unit, signs, "entropy"),
                weights_from_unit(unit, signs, "critic"),
                method="multiplicative",
            )
            return combined.weights.reindex(columns)
        dimensions = dimension.to_dict() if weighting == "equal" else None
        return weights_from_unit(unit, signs, weighting, dimensions).weights.reindex(columns)
    given = pd.Series(weighting, dtype=float)
    missing = sorted(set(columns) - set(given.index))
    extra = sorted(set(given.index) - set(columns))
    if missing or extra:
        raise IndexSystemError(f"user weights: missing {missing}, unknown {extra}")
    if (given < 0).any() or given.sum() <= 0:
        raise IndexSystemError("user weights must be non-negative with a positive sum")
    return given.reindex(columns) / given.sum()


def _unit_interval(normalized: pd.DataFrame, normalization: str) -> pd.DataFrame:
    """Normalised values on [0, 1] (min–max of the normalised data if the method is not bounded).

    Min–max values outside [0, 1] (bounds held by a ``basis``) are clipped: a value beyond the
    basis's best has no obstacle, one below its worst the full gap.
    """
    if normalization in ("minmax", "minmax_group"):
        return normalized.clip(0.0, 1.0)
    low, high = normalized.min(), normalized.max()
    return (normalized - low) / (high - low)


def _dimension_scores(
    aggregation: str, normalized: pd.DataFrame, weights: pd.Series, dimension: pd.Series
) -> pd.DataFrame:
    parts = []
    for dim, members in dimension.groupby(dimension, sort=False):
        cols = list(members.index)
        if aggregation == "linear":
            score = pd.Series(
                normalized[cols].to_numpy() @ weights[cols].to_numpy(), index=normalized.index
            )
        else:
            local = weights[cols] / weights[cols].sum()
            score = aggregate_indicators(
                normalized[cols], local, aggregation, floor=GEOMETRIC_FLOOR
            ).scores
        parts.append(pd.DataFrame({"dimension": dim, "score": score}).reset_index())
    return pd.concat(parts, ignore_index=True)


def index_uncertainty(
    result: IndexResult,
    *,
    n_runs: int = 1000,
    seed: int | np.random.Generator | None = 0,
    weight_perturbation: float = 0.2,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    basis: pd.DataFrame | None = None,
) -> UncertaintyResult:
    """Monte Carlo rank uncertainty of an index result (see :func:`~nqpf.index.rank_uncertainty`).

    The nominal configuration is the index's own: its system (directions, dimensions), its
    normalisation, its weights (whatever the weighting, user-given ones included) and its
    aggregation (geometric with :data:`GEOMETRIC_FLOOR`), so the nominal ranks equal
    ``result.scores["rank"]``. The runs draw (OECD/JRC 2008, section 7) a normalisation among
    ``minmax``, ``zscore``, ``vector``, a weighting among ``entropy``, ``critic``, ``equal``
    and an aggregation among :data:`AGGREGATIONS`; the index's own normalisation and weights
    are added to these choices when they are not among them (the weights labelled with the
    index's weighting), so the nominal configuration is a point of the design space and the
    weight perturbation is centred on the index's weights whenever they are drawn. Ranks are
    computed within each year. ``basis`` (see :func:`index_of_values`) holds every run's
    normalisation statistics and data-driven weights at those of the basis table.
    """
    columns = result.values.columns
    meta = result.meta
    weights = result.indicator_weights.set_index("indicator")["weight"].reindex(columns)
    weights.name = str(meta["weighting"])
    weightings: list[str | pd.Series] = ["entropy", "critic", "equal"]
    if weights.name not in weightings:
        weightings.append(weights)
    normalizations = list(dict.fromkeys(["minmax", "zscore", "vector", meta["normalization"]]))
    return rank_uncertainty(
        result.values,
        directions=result.system.directions[columns],
        groups=result.values.index.get_level_values("year"),
        dimensions=result.system.dimensions[columns].to_dict(),
        normalizations=normalizations,
        weightings=weightings,
        aggregations=AGGREGATIONS,
        nominal={
            "normalization": meta["normalization"],
            "weighting": weights,
            "aggregation": meta["aggregation"],
        },
        geometric_floor=GEOMETRIC_FLOOR,
        weight_perturbation=weight_perturbation,
        n_runs=n_runs,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        basis=basis,
    )
