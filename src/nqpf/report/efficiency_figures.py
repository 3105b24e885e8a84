"""Figures of the efficiency study, with bilingual labels.

:func:`productivity_lines` draws a cumulative productivity index and its two parts (TFP = EC × TC
or green TFP = EC × BPC) over time, one panel per part and one line per group (the nation and the
macro-regions), from :meth:`~nqpf.studies.efficiency.EfficiencyStudyResult.means`. The map of
mean green-TFP growth is drawn by :func:`nqpf.report.maps.province_map`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from nqpf.report.figures import _numeric, _require
from nqpf.report.fonts import use_cjk_font

__all__ = ["GROUP_COLORS", "productivity_lines"]

#: Group label → colour (the nation in black; other groups take the default cycle).
GROUP_COLORS = {
    "全国 National": "#000000",
    "东部 East": "#b2182b",
    "中部 Central": "#e08214",
    "西部 West": "#2166ac",
    "东北 Northeast": "#1b7837",
}
_COLUMNS = ("cumulative_index", "cumulative_ec", "cumulative_change")


def productivity_lines(
    means: pd.DataFrame,
    *,
    parts: Sequence[str] = ("TFP", "EC", "TC"),
    title: str | None = None,
) -> Figure:
    """Cumulative index and its two parts by year, one panel each, one line per group.

    Parameters
    ----------
    means
        Columns ``group``, ``year``, ``cumulative_index``, ``cumulative_ec`` and
        ``cumulative_change`` (1 in the first year).
    parts
        Panel titles of the index and its two parts, e.g. ``("GTFP (GML)", "EC", "BPC")``.
    title
        Figure title.

    Examples
    --------
    >>> m = pd.DataFrame({"group": ["全国 National"] * 2, "year": [2010, 2011],
    ...     "cumulative_index": [1.0, 1.1], "cumulative_ec": [1.0, 1.0],
    ...     "cumulative_change": [1.0, 1.1]})
    >>> [ax.get_title() for ax in productivity_lines(m).axes]
    ['累计 Cumulative TFP', '累计 Cumulative EC', '累计 Cumulative TC']
    """
    _require(means, ["group", "year", *_COLUMNS], "means")
    use_cjk_font()
    fig = Figure(figsize=(9.0, 3.4), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True, sharey=True)
    for ax, column, part in zip(axes, _COLUMNS, parts, strict=True):
        for group, rows in means.groupby("group", sort=False):
            rows = rows.sort_values("year")
            national = group == "全国 National"
            ax.plot(
                _numeric(rows, "year", "means"),
                _numeric(rows, column, "means"),
                color=GROUP_COLORS.get(str(group)),
                linewidth=2.2 if national else 1.2,
                marker="o" if national else None,
                markersize=3,
                label=str(group),
            )
        ax.axhline(1.0, color="#999999", linewidth=0.6, linestyle=":")
        ax.set_title(f"累计 Cumulative {part}", fontsize=9)
        ax.set_xlabel("年份 Year", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("指数（首年 = 1）Index (first year = 1)", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
