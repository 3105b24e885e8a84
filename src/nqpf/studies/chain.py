r"""Two-stage efficiency of the innovation chain: R&D stage → commercialisation stage.

:func:`chain_study` runs :func:`~nqpf.efficiency.two_stage` (relational, Kao & Hwang 2008, or
additive, Chen, Cook, Li & Zhu 2009) on each year's provinces: stage 1 turns R&D personnel and
spending into invention patent applications and SCI/EI papers, stage 2 turns them into
technology-market turnover and high-tech new-product sales. Every year has its own frontier; the
years are those that every variable covers (docs/methods-paths.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nqpf import regions
from nqpf.efficiency import TwoStage, two_stage
from nqpf.efficiency.twostage import TwoStageModel
from nqpf.errors import DataValidationError
from nqpf.results import Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import is_province, region_level, short_name, with_region_names

__all__ = [
    "DEFAULT_CHAIN",
    "ChainStudyResult",
    "chain_study",
]

#: Bundled variables of the chain (indicators of :func:`nqpf.data.load_province_sci_tech`).
DEFAULT_CHAIN: dict[str, tuple[str, ...]] = {
    "inputs": ("rd_fte", "rd_exp"),
    "intermediates": ("patent_app_invention", "papers_sci", "papers_ei"),
    "outputs": ("techmarket_out_amount", "hitech_newproduct_sales"),
}
#: Label of the national mean in the means table.
NATIONAL = "全国 National"


@dataclass(frozen=True)
class ChainStudyResult(StudyResult):
    """Overall, R&D-stage and commercialisation-stage efficiency by province and year.

    Attributes
    ----------
    efficiency
        The :class:`~nqpf.efficiency.TwoStage` result (``dmu`` = region code, ``period`` =
        year).
    variables
        ``inputs``, ``intermediates``, ``outputs``: the indicators of each role.
    notes
        Model, years (the sources' overlap), dropped region-years, uniqueness.
    """

    key = "chain"
    title = ("创新链两阶段效率", "Two-stage innovation-chain efficiency")

    efficiency: TwoStage
    variables: dict[str, tuple[str, ...]]
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years analysed."""
        return sorted(int(y) for y in self.efficiency.table["period"].unique())

    def to_frame(self) -> pd.DataFrame:
        """``region_code, (region), year, overall, stage1, stage2, stage1_min, unique, …``."""
        table = self.efficiency.table.rename(columns={"dmu": "region_code", "period": "year"})
        return with_region_names(table)

    def means(self) -> pd.DataFrame:
        """``year, group, regions, overall, stage1, stage2``: national and macro-region means."""
        frame = self.to_frame()
        cols = ["overall", "stage1", "stage2"]
        national = frame.groupby("year")[cols].agg("mean")
        national.insert(0, "regions", frame.groupby("year").size())
        parts = [national.assign(group=NATIONAL).reset_index()]
        if all(is_province(c) for c in frame["region_code"].unique()):
            table = regions.provinces()
            macro = frame["region_code"].map(
                lambda c: (
                    f"{table.loc[int(c), 'macro_region_zh']} {table.loc[int(c), 'macro_region_en']}"
                )
            )
            grouped = frame.assign(group=macro).groupby(["year", "group"], sort=False)
            by_group = grouped[cols].mean()
            by_group.insert(0, "regions", grouped.size())
            parts.append(by_group.reset_index())
        out = pd.concat(parts, ignore_index=True)
        return out[["year", "group", "regions", *cols]].sort_values(
            ["year"], kind="stable", ignore_index=True
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """``chain_efficiency`` (by region-year) and ``chain_means`` (national, macro-region)."""
        return {"chain_efficiency": self.to_frame(), "chain_means": self.means()}

    def figures(self) -> dict[str, FigureSpec]:
        """Stage 1 vs stage 2 scatter of the latest year and the map of overall efficiency."""
        frame = self.to_frame()
        latest = self.years[-1]
        current = frame[frame["year"] == latest]
        points = pd.DataFrame(
            {
                "label": [short_name(c) for c in current["region_code"]],
                "x": current["stage1"].to_numpy(),
                "y": current["stage2"].to_numpy(),
            }
        )
        overall = current.set_index("region_code")["overall"]
        return {
            "scatter": FigureSpec(
                f"{latest} 年研发阶段与转化阶段效率 Stage 1 (R&D) vs stage 2 "
                f"(commercialisation) efficiency, {latest}",
                "quadrant_scatter",
                points,
                {
                    "xlabel": "研发阶段效率 Stage 1 (R&D) efficiency",
                    "ylabel": "转化阶段效率 Stage 2 (commercialisation) efficiency",
                    "title": f"{latest}",
                },
            ),
            "map": FigureSpec(
                f"{latest} 年创新链总效率 Overall innovation-chain efficiency, {latest}",
                f"{region_level(overall.index)}_map",
                overall,
                {"label": "总效率 Overall efficiency", "title": f"{latest}", "vmin": 0.0},
            ),
        }

    def summary(self) -> Summary:
        """The means by year and group, and the efficiency table, with the study's notes."""
        return Summary(
            f"{self.title[0]} {self.title[1]}",
            (("均值 Means", self.means()), ("效率 Efficiency", self.to_frame())),
            self.notes,
        )


def chain_study(
    panel: Any = None,
    *,
    inputs: Sequence[str] | None = None,
    intermediates: Sequence[str] | None = None,
    outputs: Sequence[str] | None = None,
    model: TwoStageModel = "relational",
) -> ChainStudyResult:
    """Two-stage innovation-chain efficiency by region and year.

    Parameters
    ----------
    panel
        A :class:`~nqpf.panel.Panel` (the user's table, or the bundled province panel), or
        ``None``: the bundled science-and-technology tables
        (:func:`~nqpf.data.load_province_sci_tech`).
    inputs, intermediates, outputs
        Indicators (or the user's column headers) of stage 1's inputs, the intermediates and
        stage 2's outputs; default :data:`DEFAULT_CHAIN`.
    model
        ``"relational"`` or ``"additive"`` (:func:`~nqpf.efficiency.two_stage`).

    Notes
    -----
    The years are those in which every variable has data (the sources' overlap). A region-year
    with a missing, zero or negative value is left out of that year (DEA needs positive data)
    and listed in ``notes``.

    Raises
    ------
    DataValidationError
        A variable the data do not hold, a variable in two roles, no year that every variable
        covers, fewer than three regions in a year.
    """
    if panel is None:
        from nqpf.data import load_province_sci_tech

        panel = load_province_sci_tech().to_panel()
    chosen = {
        "inputs": inputs or DEFAULT_CHAIN["inputs"],
        "intermediates": intermediates or DEFAULT_CHAIN["intermediates"],
        "outputs": outputs or DEFAULT_CHAIN["outputs"],
    }
    roles = {
        role: tuple(panel.indicator_for(str(v)) for v in names) for role, names in chosen.items()
    }
    every = [v for names in roles.values() for v in names]
    if len(set(every)) != len(every):
        raise DataValidationError(
            f"a variable is in two roles (inputs, intermediates, outputs): {every}"
        )
    wide = pd.concat({v: panel.evaluate(v) for v in every}, axis=1)
    covered = [set(wide.index.get_level_values("year")[wide[v].notna()]) for v in every]
    years = sorted(set.intersection(*covered))
    if not years:
        spans = ", ".join(
            f"{v} {min(c)}–{max(c)}" if c else f"{v} none"
            for v, c in zip(every, covered, strict=True)
        )
        raise DataValidationError(f"no year is covered by every chain variable ({spans})")
    wide = wide[wide.index.get_level_values("year").isin(years)]
    bad = wide.isna() | (wide <= 0)
    notes = [
        _roles_note(roles),
        f"years {years[0]}–{years[-1]}: the years every variable covers; each year its own "
        "frontier",
    ]
    dropped = bad.any(axis=1)
    if dropped.any():
        notes.append(_dropped_note(bad[dropped]))
    wide = wide[~dropped]
    counts = wide.groupby(level="year").size().reindex(years, fill_value=0)
    if (counts < 3).any():
        year = int(counts.index[counts < 3][0])
        raise DataValidationError(
            f"year {year} has {int(counts[year])} region(s) with positive data for every chain "
            "variable; two-stage DEA needs at least 3"
        )
    frame = wide.rename_axis(["dmu", "period"])
    result = two_stage(
        frame[list(roles["inputs"])],
        frame[list(roles["intermediates"])],
        frame[list(roles["outputs"])],
        model=model,
    )
    notes.extend(result.notes)
    return ChainStudyResult(
        efficiency=result,
        variables=roles,
        notes=tuple(notes),
        meta=make_meta(
            "chain study",
            model=model,
            years=[years[0], years[-1]],
            n=len(frame),
            **{k: list(v) for k, v in roles.items()},
        ),
    )


def _roles_note(roles: dict[str, tuple[str, ...]]) -> str:
    return (
        "stage 1 (R&D) inputs: "
        + ", ".join(roles["inputs"])
        + "; intermediates (stage-1 outputs, stage-2 inputs): "
        + ", ".join(roles["intermediates"])
        + "; stage 2 (commercialisation) outputs: "
        + ", ".join(roles["outputs"])
    )


def _dropped_note(bad: pd.DataFrame) -> str:
    """'left out (missing, zero or negative value): 西藏 2016–2022 (hitech_newproduct_sales …)'."""
    parts = []
    for code, rows in bad.groupby(level="region_code", sort=False):
        years = sorted(int(y) for y in rows.index.get_level_values("year"))
        variables = sorted({v for v in rows.columns if rows[v].any()})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else f"{years[0]}"
        parts.append(f"{short_name(code)} {span} ({len(years)} year(s); {', '.join(variables)})")
    return "left out (missing, zero or negative value): " + "; ".join(parts)
