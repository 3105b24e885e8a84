"""The composite-index study: the index of a panel and, optionally, the uncertainty of its ranks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from nqpf.index import IndexResult, UncertaintyResult, compute_index, index_uncertainty
from nqpf.results import Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import region_level

__all__ = ["IndexStudyResult", "index_figures", "index_study", "rank_intervals_of_year"]


@dataclass(frozen=True)
class IndexStudyResult(StudyResult):
    """A composite index and the Monte Carlo uncertainty of its ranks.

    Attributes
    ----------
    index
        The composite index (:class:`~nqpf.index.IndexResult`).
    uncertainty
        Rank uncertainty (:class:`~nqpf.index.UncertaintyResult`), or ``None`` when no runs
        were asked for.
    """

    key = "index"
    title = ("综合指数", "Composite index")

    index: IndexResult
    uncertainty: UncertaintyResult | None = None

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader must know (the number of validation issues)."""
        return (f"{len(self.index.report)} validation issues (see the validation table)",)

    def rank_intervals(self) -> pd.DataFrame | None:
        """Nominal, median, 5 % and 95 % rank of every region-year, or ``None``."""
        return None if self.uncertainty is None else self.uncertainty.summary_frame()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The index sheets (:meth:`~nqpf.index.IndexResult.tables`), then ``rank_uncertainty``."""
        out = self.index.tables()
        intervals = self.rank_intervals()
        if intervals is not None:
            out["rank_uncertainty"] = intervals
        return out

    def figures(self) -> dict[str, FigureSpec]:
        """Weights, trends, the score map, obstacles and rank intervals (:func:`index_figures`)."""
        intervals = self.rank_intervals()
        if intervals is not None:
            intervals = intervals.rename(columns=lambda c: c.removesuffix("_rank"))
        return index_figures(self.index, intervals)

    def to_frame(self) -> pd.DataFrame:
        """The index's tidy frame (:meth:`~nqpf.index.IndexResult.to_frame`)."""
        return self.index.to_frame()

    def summary(self) -> Summary:
        """Weights and the latest ranking, then the sensitivity and rank intervals of the runs."""
        base = self.index.summary()
        tables = list(base.tables)
        if self.uncertainty is not None:
            tables += list(self.uncertainty.summary().tables)
        return Summary(base.title, tuple(tables), base.notes)


def rank_intervals_of_year(ranks: pd.DataFrame, latest: int) -> tuple[int, pd.DataFrame]:
    """The year shown and its ``region_code, nominal, median, p05, p95`` rows, by median rank.

    The year is ``latest`` if ``ranks`` has it (or has no ``year`` column), else its last year.
    """
    year = latest
    if "year" in ranks.columns:
        year = latest if (ranks["year"] == latest).any() else int(ranks["year"].max())
        ranks = ranks[ranks["year"] == year]
    data = ranks[["region_code", "nominal", "median", "p05", "p95"]]
    return year, data.sort_values(["median", "nominal"], kind="stable")


def index_figures(
    result: Any,
    ranks: pd.DataFrame | None = None,
    *,
    label_lang: Literal["zh", "en"] = "zh",
    weakest: int = 5,
    top_obstacles: int = 5,
) -> dict[str, FigureSpec]:
    """The figures of a composite index: name → :class:`~nqpf.studies.FigureSpec`.

    ``weights`` (indicator weights by dimension), ``trends`` (scores over time; provinces
    only), ``map`` (the latest year's scores on a province or city map), ``obstacles`` (the
    leading obstacle factors of the ``weakest`` lowest-ranked regions of the latest year, if the
    result has indicator-level obstacles) and ``rank_intervals`` (median and 5–95 % rank of
    the latest year in ``ranks``, the frame of
    :meth:`~nqpf.index.UncertaintyResult.summary_frame`, if given). ``result`` needs
    ``scores``, ``indicator_weights`` and ``obstacles`` frames as in
    :class:`~nqpf.index.IndexResult`.
    """
    scores = result.scores
    weights = result.indicator_weights
    level = region_level(scores["region_code"])
    first, latest = int(scores["year"].min()), int(scores["year"].max())
    current = scores[scores["year"] == latest]
    out = {"weights": FigureSpec("指标权重 Indicator weights", "weights_bar", weights)}
    if level == "province":
        out["trends"] = FigureSpec(
            f"得分变化 Scores over time, {first}–{latest}",
            "trend_lines",
            scores,
            {"label_lang": label_lang},
        )
    out["map"] = FigureSpec(
        f"{latest} 年得分的空间分布 Spatial distribution of scores, {latest}",
        f"{level}_map",
        current.set_index("region_code")["score"],
        {"label": "得分 Score", "title": f"{latest}"},
    )
    obstacles = result.obstacles
    if isinstance(obstacles, pd.DataFrame) and not obstacles.empty:
        weak = current.sort_values("rank", ascending=False, kind="stable")["region_code"]
        weak = weak.head(weakest).tolist()
        indicator = obstacles[
            (obstacles["year"] == latest)
            & obstacles["region_code"].isin(weak)
            & (obstacles["level"] == "indicator")
        ]
        if not indicator.empty:
            labels: Mapping[str, str] = dict(
                zip(
                    weights["indicator"], weights.get("label_zh", weights["indicator"]), strict=True
                )
            )
            out["obstacles"] = FigureSpec(
                f"{latest} 年薄弱地区的障碍因子 Obstacle factors of the weakest regions, {latest}",
                "obstacle_bars",
                pd.concat([indicator[indicator["region_code"] == c] for c in weak]),
                {
                    "label_lang": label_lang,
                    "top": top_obstacles,
                    "labels": {str(k): str(v) for k, v in labels.items()},
                },
            )
    if ranks is not None and not ranks.empty:
        year, data = rank_intervals_of_year(ranks, latest)
        out["rank_intervals"] = FigureSpec(
            f"{year} 年排名不确定性 Rank uncertainty, {year}",
            "rank_intervals",
            data,
            {"label_lang": label_lang},
        )
    return out


def index_study(
    panel: Any,
    system: Any = "nqpf-province",
    *,
    weighting: str = "entropy",
    aggregation: str = "linear",
    normalization: str = "minmax",
    runs: int = 1000,
    seed: Any = 0,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStudyResult:
    """Compute a composite index (:func:`~nqpf.index.compute_index`) and its rank uncertainty.

    ``runs`` Monte Carlo runs of :func:`~nqpf.index.index_uncertainty` (0: none), seeded with
    ``seed``; ``progress(done, total)`` is called as the runs complete.
    """
    result = compute_index(
        panel, system, weighting=weighting, aggregation=aggregation, normalization=normalization
    )
    uncertainty = (
        index_uncertainty(result, n_runs=runs, seed=seed, progress=progress) if runs else None
    )
    return IndexStudyResult(
        index=result,
        uncertainty=uncertainty,
        meta=make_meta(
            "index_study",
            system=result.system_name,
            weighting=weighting if isinstance(weighting, str) else "given",
            aggregation=aggregation,
            normalization=normalization,
            runs=int(runs),
            seed=uncertainty.meta.get("seed") if uncertainty is not None else None,
        ),
    )
