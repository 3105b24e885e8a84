"""Figures of the scales study, with bilingual labels.

:func:`agglomeration_shares` draws each urban agglomeration's share of the national totals
(population, GDP, patents: one bar per measure) as grouped horizontal bars. The agglomeration
map is :func:`nqpf.report.maps.city_map` with categorical colours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nqpf.errors import DuplicateError
from nqpf.report.figures import _numeric, _require
from nqpf.report.fonts import use_cjk_font
from nqpf.report.style import categorical

__all__ = ["agglomeration_shares"]


def agglomeration_shares(
    shares: pd.DataFrame, *, xlabel: str = "%", title: str | None = None
) -> Figure:
    """Grouped horizontal bars: each agglomeration's share of the national total per measure.

    Parameters
    ----------
    shares
        Columns ``label`` (agglomeration), ``measure`` (e.g. "普查人口 Census population
        2020") and ``share`` (percent); agglomerations are drawn in order of first appearance,
        top to bottom, and measures in order of first appearance within each group.
    xlabel
        Axis label.
    title
        Axes title.

    Raises
    ------
    DataValidationError
        Missing columns or a non-numeric share.
    DuplicateError
        An agglomeration-measure pair given twice.

    Examples
    --------
    >>> s = pd.DataFrame({"label": ["A", "A", "B", "B"], "measure": ["pop", "gdp"] * 2,
    ...                   "share": [10.0, 12.0, 5.0, 4.0]})
    >>> len(agglomeration_shares(s).axes[0].patches)
    4
    """
    _require(shares, ["label", "measure", "share"], "agglomeration shares")
    data = shares.assign(share=_numeric(shares, "share", "agglomeration shares"))
    repeated = data.duplicated(["label", "measure"])
    if repeated.any():
        row = data[repeated].iloc[0]
        raise DuplicateError(
            f"agglomeration shares: {row['label']!r} has the measure {row['measure']!r} twice"
        )
    labels = list(dict.fromkeys(data["label"]))
    measures = list(dict.fromkeys(data["measure"]))
    wide = data.pivot(index="label", columns="measure", values="share").reindex(
        index=labels, columns=measures
    )
    use_cjk_font()
    height = 0.8 / len(measures)
    fig = Figure(figsize=(7.0, 0.8 + 0.14 * len(labels) * len(measures)), layout="constrained")
    ax = fig.add_subplot()
    palette = categorical(len(measures))
    base = np.arange(len(labels))[::-1]  # first agglomeration on top
    for k, measure in enumerate(measures):
        ax.barh(
            base + 0.4 - (k + 0.5) * height,
            wide[measure].to_numpy(dtype=float),
            height=height,
            color=palette[k],
            label=str(measure),
        )
    ax.set_yticks(base, [str(x) for x in labels], fontsize=7)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
