"""Figures of the scenario study: Δscore beside both rank intervals, disparity series.

Each function takes a table of :class:`~nqpf.studies.scenario.ScenarioStudyResult` and returns a
:class:`matplotlib.figure.Figure` built without ``pyplot``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nqpf.report.figures import LabelLang
from nqpf.report.fonts import use_cjk_font
from nqpf.studies.inputs import region_label, short_name

__all__ = ["scenario_intervals", "scenario_series"]

_COLORS = {"baseline": "#6baed6", "scenario": "#e6550d"}
_LABELS = {"baseline": "基准 Baseline", "scenario": "情景 Scenario"}


def scenario_intervals(
    frame: pd.DataFrame, label_lang: LabelLang = "zh", *, title: str | None = None
) -> Figure:
    """Δscore by region (left) and the 5–95 % rank interval of baseline and scenario (right).

    ``frame`` has one row per region (one year) with ``region_code, delta_score,
    rank_baseline, rank_scenario`` and, when the study had Monte Carlo runs,
    ``rank_{p05,median,p95}_{baseline,scenario}``. Regions are sorted by scenario rank; the
    intervals follow the OECD/JRC (2008) display of rank uncertainty, the scenario's drawn
    just below the baseline's (a dumbbell of intervals).

    >>> f = pd.DataFrame({"region_code": [110000, 140000], "delta_score": [0.0, 0.01],
    ...                   "rank_baseline": [1, 2], "rank_scenario": [1, 2]})
    >>> len(scenario_intervals(f).axes)
    2
    """
    data = frame.sort_values(["rank_scenario", "rank_baseline"], kind="stable")
    data = data.reset_index(drop=True)
    label = short_name if label_lang == "zh" else region_label
    names = [label(c) for c in data["region_code"]]
    use_cjk_font()
    n = len(data)
    fig = Figure(figsize=(9.0, 0.26 * n + 1.6), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True, width_ratios=(1.0, 1.3))
    y = np.arange(n)
    delta = data["delta_score"].to_numpy(dtype=float)
    left.barh(y, delta, color=np.where(delta >= 0, "#e6550d", "#3182bd"), height=0.6)
    left.axvline(0.0, color="black", linewidth=0.6)
    left.set_xlabel("得分变化 Δscore", fontsize=9)
    left.set_yticks(y, names, fontsize=8)
    left.invert_yaxis()
    for offset, name in ((-0.17, "baseline"), (0.17, "scenario")):
        if f"rank_p05_{name}" in data:
            right.hlines(
                y + offset,
                data[f"rank_p05_{name}"],
                data[f"rank_p95_{name}"],
                color=_COLORS[name],
                linewidth=2.6,
                label=f"{_LABELS[name]} 5%–95%",
            )
        right.plot(
            data[f"rank_{name}"],
            y + offset,
            "D",
            markersize=4,
            markerfacecolor="white",
            markeredgecolor=_COLORS[name],
            label=f"{_LABELS[name]} 名义排名 nominal rank",
        )
    right.set_xlabel("排名 Rank (1 = 最优 best)", fontsize=9)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.grid(True, axis="x", linewidth=0.4, alpha=0.5)
    fig.legend(fontsize=8, loc="outside lower center", ncol=2, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def scenario_series(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
) -> Figure:
    """Each disparity measure by year: baseline (solid) and scenario (dashed), one panel each.

    ``frame`` has the columns ``year, measure, label, baseline, scenario`` of
    :meth:`~nqpf.studies.scenario.ScenarioStudyResult.disparity`.

    >>> f = pd.DataFrame({"year": [2020, 2021], "measure": "gini", "label": "Gini",
    ...                   "baseline": [0.3, 0.28], "scenario": [0.29, 0.27]})
    >>> [len(ax.lines) for ax in scenario_series(f).axes]
    [2]
    """
    measures = list(dict.fromkeys(frame["measure"]))
    use_cjk_font()
    fig = Figure(figsize=(4.6 * len(measures), 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(measures)))
    for ax, measure in zip(axes, measures, strict=True):
        block = frame[frame["measure"] == measure].sort_values("year")
        for name, style in (("baseline", "-"), ("scenario", "--")):
            ax.plot(
                block["year"],
                block[name],
                style,
                marker="o",
                markersize=3,
                color=_COLORS[name],
                label=_LABELS[name],
            )
        ax.set_title(str(block["label"].iloc[0]), fontsize=10)
        ax.set_xlabel("年份 Year", fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, linewidth=0.4, alpha=0.5)
    axes[0].legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
