r"""How well the three elements are combined: coupling coordination of the index's dimensions.

:func:`coupling_study` reads the element (dimension) scores of a composite index — labourers,
means of labour, objects of labour in the bundled system — and runs
:func:`~nqpf.paths.coupling_coordination` on them by region and year: coupling degree C,
coordination index T, coupling coordination degree :math:`D = \sqrt{CT}`, its ten grades, the
lagging element, the grade counts by year and the grade transitions (docs/methods-paths.md).
With ``scores=`` it couples the user's own subsystem scores instead (columns of a panel or a
table, e.g. innovation chain ↔ industry chain), through the same tables, map and report section.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.index import IndexResult
from nqpf.panel import Panel
from nqpf.paths import GRADES, CouplingCoordination, CouplingVariant, coupling_coordination
from nqpf.paths import grade_transitions as transitions
from nqpf.results import Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import region_label, region_level, value_table, with_region_names

__all__ = ["CouplingStudyResult", "Rescale", "coupling_study"]

#: Rescaling of the user's subsystem scores: none (used as given) or min–max over region-years.
Rescale = Literal["none", "minmax"]


@dataclass(frozen=True)
class CouplingStudyResult(StudyResult):
    """Coupling coordination of the index's elements by region and year.

    Attributes
    ----------
    coupling
        The :class:`~nqpf.paths.CouplingCoordination` of the element scores.
    labels
        Bilingual label of every subsystem ("劳动者 Labourers"; the column name of a user's
        score), in subsystem order.
    notes
        Variant and source, how the scores were read, the lagging-subsystem counts.
    """

    key = "coupling"
    title = ("耦合协调", "Coupling coordination")

    coupling: CouplingCoordination
    labels: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years analysed."""
        return sorted(int(y) for y in self.coupling.table["year"].unique())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables (CSV files of ``nqpf coupling``, workbook sheets of the report).

        ``coupling`` (C, T, D, grade, lagging by region-year), ``coupling_grades`` (regions per
        grade and year) and ``grade_transitions`` (with two years or more).
        """
        out = {"coupling": self.to_frame(), "coupling_grades": self.grade_counts()}
        if len(self.years) > 1:
            out["grade_transitions"] = transitions(self.coupling).reset_index()
        return out

    def figures(self) -> dict[str, FigureSpec]:
        """The map of D in the latest year."""
        frame = self.coupling.table
        latest = self.years[-1]
        current = frame[frame["year"] == latest].set_index("region")["D"]
        level = region_level(current.index)
        return {
            "map": FigureSpec(
                f"{latest} 年耦合协调度 Coupling coordination degree D, {latest}",
                f"{level}_map",
                current,
                {"label": "耦合协调度 D", "title": f"{latest}", "vmin": 0.0, "vmax": 1.0},
            )
        }

    def grade_counts(self) -> pd.DataFrame:
        """``year, grade_level, grade, grade_en, regions``: all ten grades in every year."""
        frame = self.coupling.table
        counts = (
            pd.crosstab(frame["year"], frame["grade_level"])
            .reindex(columns=range(1, 11), fill_value=0)
            .stack()
            .rename("regions")
            .reset_index()
        )
        counts["grade_level"] = counts["grade_level"].astype(int)
        counts.insert(2, "grade", [GRADES[k - 1][0] for k in counts["grade_level"]])
        counts.insert(3, "grade_en", [GRADES[k - 1][1] for k in counts["grade_level"]])
        return counts

    def to_frame(self) -> pd.DataFrame:
        """The coupling table with ``region_code`` (and short names for provinces)."""
        return with_region_names(self.coupling.table.rename(columns={"region": "region_code"}))

    def summary(self) -> Summary:
        """The coupling summary (grades by year, the table) with the study's notes."""
        inner = self.coupling.summary()
        return Summary(inner.title, inner.tables, self.notes)


def coupling_study(
    source: Any,
    *,
    subsystems: Sequence[str] | None = None,
    variant: CouplingVariant = "classic",
    weights: Sequence[float] | None = None,
    scores: Sequence[str] | None = None,
    rescale: Rescale = "none",
) -> CouplingStudyResult:
    r"""Coupling coordination of an index's elements or of the user's own subsystem scores.

    Parameters
    ----------
    source
        An :class:`~nqpf.index.IndexResult` or an index study result (its ``index``); with
        ``scores``, a :class:`~nqpf.panel.Panel` or a DataFrame with ``region_code``, ``year``
        and the score columns (read by :func:`~nqpf.studies.inputs.value_table`).
    subsystems
        Dimensions of the index to couple (at least two; default: all of the index's dimensions).
    variant
        ``"classic"`` or ``"revised"`` (Wang Shujia et al. 2021), see
        :func:`~nqpf.paths.coupling_coordination`.
    weights
        α_i of T in the order of ``subsystems`` (or ``scores``; default equal).
    scores
        Columns (indicators of a panel) holding the subsystem scores U_i, at least two, used as
        given: each must lie in [0, 1].
    rescale
        ``"minmax"``: min–max rescale each score column over all region-years first,
        :math:`(x - \min x) / (\max x - \min x)` (stated in ``notes``); only with ``scores``.

    Notes
    -----
    With linear aggregation an element's score is :math:`\sum_{j \in k} w_j y_j`, bounded by
    the element's weight share :math:`W_k`; it is divided by :math:`W_k`, so that each element
    is the weighted mean of its normalised indicators (as geometric aggregation already gives),
    in [0, 1]. Elements still outside [0, 1] (a normalisation other than min–max) are min–max
    rescaled over all region-years. Both steps are stated in ``notes``. The user's scores are
    never rescaled unless ``rescale="minmax"`` asks; region-years missing a score are left out
    and listed in ``notes``.

    Raises
    ------
    DataValidationError
        When the index has fewer than two dimensions or ``subsystems`` names an unknown one;
        with ``scores``: fewer than two, an unknown column, a score outside [0, 1] (naming
        region, year and column), a constant column to rescale, ``subsystems`` given as well.

    Examples
    --------
    >>> frame = pd.DataFrame({"region_code": [110000, 310000], "year": [2022, 2022],
    ...                       "innovation_chain": [0.25, 0.8], "industry_chain": [0.25, 0.2]})
    >>> study = coupling_study(frame, scores=["innovation_chain", "industry_chain"])
    >>> study.to_frame()[["region", "C", "T", "D"]].round(4)
      region    C     T       D
    0     北京  1.0  0.25  0.5000
    1     上海  0.8  0.50  0.6325
    """
    if scores is not None:
        if subsystems is not None:
            raise DataValidationError(
                "coupling_study: give either subsystems (dimensions of an index) or scores "
                f"(columns of the data), not both; got subsystems {list(subsystems)}"
            )
        wide, names, read = _score_table(source, [str(s) for s in scores], rescale)
        return _study(wide, names, tuple(names), read, weights, variant, "subsystem", scores=names)
    if rescale != "none":
        raise DataValidationError(
            f"rescale={rescale!r} applies to the user's scores; give scores=[column, …]"
        )
    index = getattr(source, "index", source)
    if not isinstance(index, IndexResult):
        raise DataValidationError(
            f"coupling_study needs a composite-index result (or scores= with a Panel or a "
            f"DataFrame), got {type(source).__name__}"
        )
    dims = index.indicator_weights.drop_duplicates("dimension").set_index("dimension")
    available = [str(d) for d in dims.index]
    names = available if subsystems is None else [str(s) for s in subsystems]
    unknown = [s for s in names if s not in available]
    if unknown:
        raise DataValidationError(
            f"subsystem {unknown[0]!r} is not a dimension of the index {index.system_name!r} "
            f"({', '.join(available)})"
        )
    if len(names) < 2:
        raise DataValidationError(
            f"coupling coordination needs at least two dimensions; the index "
            f"{index.system_name!r} has {', '.join(names) or 'none'}"
        )
    wide = index.dimension_scores.pivot(
        index=["region_code", "year"], columns="dimension", values="score"
    )[names]
    notes: list[str] = []
    if index.meta.get("aggregation") == "linear":
        share = index.indicator_weights.groupby("dimension")["weight"].sum()[names]
        wide = wide / share
        notes.append(
            "element scores: each linear sub-score Σ_{j∈k} w_j y_j divided by its weight share "
            "W_k (" + ", ".join(f"{k} {w:.4f}" for k, w in share.items()) + "), i.e. the "
            "weighted mean of the element's normalised indicators"
        )
    low, high = wide.min(), wide.max()
    outside = [str(k) for k in names if low[k] < 0 or high[k] > 1]
    if outside:
        wide = (wide - low) / (high - low)
        notes.append(
            f"element scores outside [0, 1] ({', '.join(outside)}): every element min–max "
            "rescaled over all region-years"
        )
    labels = tuple(
        f"{dims.loc[k, 'dimension_zh']} {dims.loc[k, 'dimension_en']}".strip() for k in names
    )
    return _study(wide, names, labels, notes, weights, variant, "element", system=index.system_name)


def _study(
    wide: pd.DataFrame,
    names: list[str],
    labels: tuple[str, ...],
    notes: list[str],
    weights: Sequence[float] | None,
    variant: CouplingVariant,
    noun: str,
    **meta: Any,
) -> CouplingStudyResult:
    """The study of subsystem scores ``wide`` (index region_code, year; one column each)."""
    result = coupling_coordination(wide.reset_index(), weights, variant)
    notes.extend(result.notes)
    notes.append(_lagging_note(result, dict(zip(names, labels, strict=True)), noun))
    return CouplingStudyResult(
        coupling=result,
        labels=labels,
        notes=tuple(notes),
        meta=make_meta(
            "coupling study",
            **meta,
            subsystems=list(names),
            variant=variant,
            n=len(result.table),
        ),
    )


def _score_table(
    source: Any, columns: list[str], rescale: Rescale
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The user's scores as ``(region_code, year) × column`` (checked or rescaled) and notes."""
    if rescale not in ("none", "minmax"):
        raise DataValidationError(f"rescale must be 'none' or 'minmax', got {rescale!r}")
    if len(columns) < 2:
        raise DataValidationError(
            f"coupling coordination needs at least two score columns, got {columns}"
        )
    if isinstance(source, Panel):
        columns = [source.indicator_for(c) for c in columns]
    elif not isinstance(source, pd.DataFrame):
        raise DataValidationError(
            f"coupling_study with scores= takes a Panel or a DataFrame, got {type(source).__name__}"
        )
    notes: list[str] = []
    parts = []
    for column in columns:
        long, read = value_table(source, column, what="coupling study")
        parts.append(long.set_index(["region_code", "year"])["value"].rename(column))
        notes.extend(read)
    wide = pd.concat(parts, axis=1).sort_index()
    gaps = wide.isna().any(axis=1)
    if gaps.any():
        shown = ", ".join(f"{region_label(r)} {y}" for r, y in wide.index[gaps][:5])
        notes.append(
            f"{int(gaps.sum())} region-year(s) missing a score are left out ({shown}"
            f"{' …' if gaps.sum() > 5 else ''})"
        )
        wide = wide[~gaps]
    if wide.empty:
        raise DataValidationError(f"coupling study: no region-year has all of {columns}")
    if rescale == "minmax":
        low, high = wide.min(), wide.max()
        constant = [c for c in columns if high[c] == low[c]]
        if constant:
            raise DataValidationError(
                f"score column {constant[0]!r} is constant ({low[constant[0]]:g}): it cannot be "
                "min–max rescaled"
            )
        wide = (wide - low) / (high - low)
        notes.append(
            "scores min–max rescaled over all region-years, (x − min)/(max − min): "
            + ", ".join(f"{c} [{low[c]:g}, {high[c]:g}]" for c in columns)
        )
        return wide, columns, notes
    outside = (wide < 0) | (wide > 1)
    if outside.to_numpy().any():
        region, year, column = outside.stack().loc[lambda s: s].index[0]
        raise DataValidationError(
            f"score {column!r} of {region_label(region)} in {year} is "
            f"{wide.at[(region, year), column]:g}, outside [0, 1]; rescale the scores "
            "yourself or ask for rescale='minmax' (--rescale minmax)"
        )
    return wide, columns, notes


def _lagging_note(result: CouplingCoordination, labels: dict[str, str], noun: str) -> str:
    """'2021: the lagging element is 劳动者 Labourers in 12 regions, …' (or subsystem)."""
    frame = result.table
    latest = int(frame["year"].max())
    lagging = frame.loc[frame["year"] == latest, "lagging"].dropna()
    counts = pd.Series([e for cell in lagging for e in cell.split(", ")]).value_counts()
    parts = [f"{labels[k]} in {n} region(s)" for k, n in counts.items()]
    return (
        f"{latest}: the lagging {noun} is "
        + ("; ".join(parts) or "none")
        + f" (ties count for each tied {noun})"
    )
