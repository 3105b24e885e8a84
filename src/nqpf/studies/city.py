r"""The city scale on the bundled data: the city NQPF index, its rank uncertainty and Moran's I.

:func:`city_study` computes a composite index of prefecture-level cities
(:func:`~nqpf.index.compute_index`, entropy weights, the built-in ``nqpf-city`` system) on
:func:`nqpf.data.load_city_panel`, for the years in which every indicator of the system has
values, the Monte Carlo uncertainty of its ranks (:func:`~nqpf.index.index_uncertainty`,
OECD/JRC 2008) and the global Moran's I of the score (Moran 1950) with the k nearest city seats
as neighbours (row-standardised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nqpf import regions
from nqpf.errors import DataValidationError
from nqpf.index import IndexResult, UncertaintyResult, compute_index, index_uncertainty
from nqpf.index.system import load_system
from nqpf.panel import Panel
from nqpf.results import Summary, make_meta
from nqpf.spatial import MoranResult, moran
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.index import rank_intervals_of_year
from nqpf.studies.inputs import study_weights, weights_description
from nqpf.validation import ValidationReport

__all__ = [
    "CITY_RUNS",
    "CITY_TOP",
    "CityStudyResult",
    "city_study",
    "complete_years",
]

#: Cities in the top and bottom tables and in the rank-interval chart.
CITY_TOP = 20
#: Default Monte Carlo runs of the city ranks (at most these in the main job).
CITY_RUNS = 200


@dataclass(frozen=True)
class CityStudyResult(StudyResult):
    """The city NQPF index of one or more years, its rank intervals and Moran's I.

    Attributes
    ----------
    index
        The composite index of the cities (:class:`~nqpf.index.IndexResult`).
    uncertainty
        Monte Carlo rank uncertainty, or ``None`` with ``runs=0``.
    moran
        Global Moran's I of the score in :attr:`year` (k nearest seats, row-standardised).
    year
        The year shown (map, top and bottom cities, Moran's I).
    complete
        The years in which every indicator of the system has values.
    repairs
        Every repair and merge decision of the city panel and of the index.
    notes
        Years, cities ranked, weights, Monte Carlo runs, imputed values.
    """

    key = "city"
    title = ("城市新质生产力指数", "City NQPF index")

    index: IndexResult
    uncertainty: UncertaintyResult | None
    moran: MoranResult
    year: int
    complete: tuple[int, ...]
    repairs: ValidationReport
    notes: tuple[str, ...] = ()

    def scores(self) -> pd.DataFrame:
        """Score, rank, element scores and rank interval by city-year, with province and region."""
        table = self.index.table().drop(columns="region")
        codes = table["region_code"]
        master = regions.cities()
        table.insert(1, "city", master.loc[codes, "name"].to_numpy())
        table.insert(2, "province", master.loc[codes, "province"].to_numpy())
        table.insert(3, "macro_region", regions.macro_region(codes, "zh"))
        if self.uncertainty is not None:
            ranks = self.uncertainty.summary_frame()[
                ["region_code", "year", "median_rank", "p05_rank", "p95_rank"]
            ]
            table = table.merge(ranks, on=["region_code", "year"], how="left")
        return table.sort_values(["year", "rank"], ignore_index=True)

    def top_bottom(self) -> pd.DataFrame:
        """The :data:`CITY_TOP` highest and lowest ranked cities of :attr:`year`."""
        current = self.scores().query("year == @self.year")
        top = current.head(CITY_TOP).assign(group="前 Top")
        bottom = current.tail(CITY_TOP).assign(group="后 Bottom")
        return pd.concat([top, bottom], ignore_index=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Scores, top and bottom cities, weights, Moran's I and the repairs (``city_*``)."""
        return {
            "city_scores": self.scores(),
            "city_top_bottom": self.top_bottom(),
            "city_weights": self.index.indicator_weights,
            "city_moran": self.moran.to_frame().assign(year=self.year),
            "city_repairs": self.repairs.to_frame(),
        }

    def figures(self) -> dict[str, FigureSpec]:
        """The map of the city score and the rank intervals of the top cities in :attr:`year`."""
        scores = self.index.scores
        current = scores[scores["year"] == self.year].set_index("region_code")["score"]
        out = {
            "city_map": FigureSpec(
                f"{self.year} 年城市新质生产力指数 City NQPF index, {self.year}",
                "city_map",
                current,
                {"label": "得分 Score", "title": f"{self.year}"},
            )
        }
        if self.uncertainty is not None:
            ranks = self.uncertainty.summary_frame()
            ranks = ranks.rename(columns=lambda c: c.removesuffix("_rank"))
            year, data = rank_intervals_of_year(ranks, self.year)
            out["city_rank_intervals"] = FigureSpec(
                f"{year} 年排名前 {CITY_TOP} 的城市及排名区间 "
                f"Top {CITY_TOP} cities with rank intervals, {year}",
                "rank_intervals",
                data.head(CITY_TOP),
            )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The score table (:meth:`scores`)."""
        return self.scores()

    def summary(self) -> Summary:
        """Top and bottom cities, Moran's I, the notes."""
        columns = ["group", "rank", "city", "province", "score"]
        tables = (
            (
                f"{self.year} 年前后 {CITY_TOP} 位 Top and bottom {CITY_TOP}",
                self.top_bottom()[columns],
            ),
            *self.moran.summary().tables,
        )
        return Summary("城市新质生产力指数 City NQPF index", tables, self.notes)


def complete_years(panel: Panel, system: Any = "nqpf-city") -> list[int]:
    """Years in which every indicator of ``system`` has a value for at least one region."""
    system = load_system(system)
    present = [
        set(panel.evaluate(i.formula).dropna().index.get_level_values("year"))
        for i in system.indicators
    ]
    return sorted(int(y) for y in set.intersection(*present))


def city_study(
    panel: Panel | None = None,
    system: Any = "nqpf-city",
    *,
    year: int | None = None,
    runs: int = CITY_RUNS,
    w: Any = "knn:4",
    permutations: int = 999,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> CityStudyResult:
    """The city NQPF index (entropy weights), rank uncertainty and global Moran's I.

    Parameters
    ----------
    panel
        A city panel (default: :func:`nqpf.data.load_city_panel`, the bundled data).
    system
        Index system (default the built-in ``nqpf-city``).
    year
        The year to index and show (default: every year in which all indicators exist, the
        latest shown).
    runs
        Monte Carlo runs of the rank uncertainty (0: none).
    w
        Spatial weights of Moran's I (:func:`~nqpf.studies.study_weights`; default the 4
        nearest city seats), row-standardised.
    permutations, seed
        Permutations of Moran's I and the seed of the runs and permutations.
    progress
        ``progress(done, total)`` as the Monte Carlo runs complete.

    Raises
    ------
    DataValidationError
        A panel that is not of cities, no year with every indicator, or a ``year`` outside
        those years (naming them).
    """
    if panel is None:
        from nqpf.data import load_city_panel

        panel = load_city_panel()
    if panel.level != "city":
        raise DataValidationError(
            f"the city study needs a city panel, got a {panel.level} panel; it runs on the "
            "bundled city data (nqpf.data.load_city_panel)"
        )
    complete = complete_years(panel, system)
    if not complete:
        raise DataValidationError(f"no year has every indicator of the system {system!r}")
    if year is not None and int(year) not in complete:
        raise DataValidationError(
            f"year {year} does not have every city indicator; years with all of them: "
            + ", ".join(map(str, complete))
        )
    span = [int(year)] * 2 if year is not None else [complete[0], complete[-1]]
    index = compute_index(panel, system, weighting="entropy", years=span)
    shown = int(year) if year is not None else int(index.scores["year"].max())
    uncertainty = (
        index_uncertainty(index, n_runs=runs, seed=seed, progress=progress) if runs else None
    )
    current = index.scores[index.scores["year"] == shown].set_index("region_code")["score"]
    raw, w_notes = study_weights(w, list(current.index))
    weights = raw if raw.row_standardized else raw.standardize()
    spatial = moran(current, weights, permutations=permutations, seed=seed)
    ranked = index.scores.groupby("year")["region_code"].nunique()
    notes = [
        "指标齐全的年份 Years with every indicator: " + ", ".join(map(str, complete)),
        "已排名城市 Cities ranked: " + ", ".join(f"{y} {n}" for y, n in ranked.items()),
        f"熵权法 Entropy weights; {runs} Monte Carlo runs of normalisation, weighting and "
        "aggregation (OECD/JRC 2008) for the rank intervals",
        f"全局莫兰指数 Global Moran's I {shown}: {spatial.statistic:.4f} "
        f"(permutation p = {spatial.p_value_permutation:.4f}); " + weights_description(weights, w),
        *w_notes,
        *(i.message for i in index.report if i.kind in {"imputed", "year_aligned"}),
    ]
    return CityStudyResult(
        index=index,
        uncertainty=uncertainty,
        moran=spatial,
        year=shown,
        complete=tuple(complete),
        repairs=index.report,
        notes=tuple(notes),
        meta=make_meta(
            "city study",
            system=index.system_name,
            year=shown,
            years=complete,
            runs=int(runs),
            seed=seed,
            weights=str(w),
            n=int(len(current)),
        ),
    )
