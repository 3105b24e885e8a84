"""Figures of a regional-differences study, with bilingual labels.

Every function takes the tidy frames of :class:`~nqpf.studies.DisparityStudyResult`
(``dagum_frame()``, ``theil_frame()``, ``density_frame()`` ...) or plain matrices, returns a
:class:`matplotlib.figure.Figure` built without ``pyplot`` and sets the CJK font.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from nqpf.errors import DataValidationError
from nqpf.report.figures import _numeric, _require
from nqpf.report.fonts import use_cjk_font
from nqpf.report.style import categorical, series_styles

__all__ = [
    "dagum_contributions",
    "dagum_group_ginis",
    "density_ridges",
    "density_surface",
    "sigma_lines",
    "theil_decomposition",
    "transition_heatmaps",
    "MAX_ANNOTATED_CLASSES",
    "MAX_FIGURE_INCHES",
    "MAX_HEATMAP_CLASSES",
]

NATIONAL = "全国 National"

_PARTS = {
    "within": ("组内 Within (G_w)", "#4c72b0"),
    "between": ("组间净差异 Net between (G_nb)", "#dd8452"),
    "transvariation": ("超变密度 Transvariation (G_t)", "#55a868"),
}


def _group_colors(groups: Sequence[Hashable]) -> dict[Hashable, Any]:
    return dict(zip(groups, categorical(len(groups)), strict=True))


def _order(values: pd.Series, groups: Sequence[Hashable] | None) -> list[Hashable]:
    present = list(dict.fromkeys(values.dropna()))
    if groups is None:
        return sorted(present, key=str)
    unknown = [g for g in present if g not in set(groups)]
    return [g for g in groups if g in set(present)] + unknown


def _years_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, linewidth=0.4, alpha=0.5)


def dagum_contributions(dagum: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Contribution shares of Dagum's three parts by year (stacked bars) and the total Gini (line).

    Parameters
    ----------
    dagum
        Tidy Dagum table by year: columns ``year, component, value`` and optionally ``lower``,
        ``upper`` (bootstrap interval, drawn as whiskers on the Gini line). Rows with
        ``component`` ``total``, ``within``, ``between`` and ``transvariation`` are used.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Top panel: :math:`G` by year with its bootstrap interval (when given); bottom panel:
        the shares :math:`G_w/G`, :math:`G_{nb}/G`, :math:`G_t/G` in % as stacked bars.

    Raises
    ------
    DataValidationError
        Missing columns or components.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"year": [2020] * 4 + [2021] * 4,
    ...                   "component": ["total", "within", "between", "transvariation"] * 2,
    ...                   "value": [0.3, 0.1, 0.15, 0.05, 0.28, 0.1, 0.13, 0.05]})
    >>> fig = dagum_contributions(f)
    >>> len(fig.axes), len(fig.axes[1].patches)
    (2, 6)
    """
    _require(dagum, ["year", "component", "value"], "Dagum table")
    data = dagum[dagum["component"].isin(["total", *_PARTS])].copy()
    data["value"] = _numeric(data, "value", "Dagum table")
    wide = data.pivot_table(index="year", columns="component", values="value", aggfunc="first")
    missing = [c for c in ["total", *_PARTS] if c not in wide.columns]
    if missing:
        raise DataValidationError(f"Dagum table lacks component(s) {missing}")
    use_cjk_font()
    years = wide.index.to_numpy()
    total = wide["total"].to_numpy()
    fig = Figure(figsize=(8.0, 6.2), layout="constrained")
    top_ax, ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.0, 1.7]})
    tot = data[data["component"] == "total"].set_index("year").reindex(years)
    high = float(np.nanmax(total))
    if {"lower", "upper"} <= set(tot.columns) and tot[["lower", "upper"]].notna().all().all():
        lower = pd.to_numeric(tot["lower"]).to_numpy(dtype=float)
        upper = pd.to_numeric(tot["upper"]).to_numpy(dtype=float)
        top_ax.fill_between(
            years,
            lower,
            upper,
            color="#9e9e9e",
            alpha=0.35,
            linewidth=0,
            label="自助法置信区间 Bootstrap interval",
        )
        high = max(high, float(np.nanmax(upper)))
    top_ax.plot(
        years,
        total,
        color="black",
        marker="o",
        markersize=4,
        linewidth=1.8,
        label="总体基尼系数 Overall Gini G",
    )
    top_ax.set_ylabel("基尼系数 Gini G", fontsize=10)
    top_ax.set_ylim(0.0, 1.15 * high if high > 0 else 1.0)
    top_ax.grid(True, linewidth=0.4, alpha=0.5)
    top_ax.legend(fontsize=8, frameon=False, loc="lower left", ncol=2)
    bottom = np.zeros(len(years))
    for part, (label, color) in _PARTS.items():
        share = 100.0 * wide[part].to_numpy() / total
        ax.bar(years, share, bottom=bottom, color=color, width=0.7, label=label, alpha=0.9)
        for x, b, s in zip(years, bottom, share, strict=True):
            if s >= 8:
                ax.text(x, b + s / 2, f"{s:.0f}", ha="center", va="center", fontsize=7)
        bottom += share
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_ylabel("贡献率 Contribution share (%)", fontsize=10)
    ax.set_xlabel("年份 Year", fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncol=3, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


#: Above this many lines a panel carries a count instead of a legend.
_MAX_LEGEND_LINES = 16


def dagum_group_ginis(
    dagum: pd.DataFrame, groups: Sequence[Hashable] | None = None, *, title: str | None = None
) -> Figure:
    """Within-group Ginis :math:`G_{jj}` and between-group Ginis :math:`G_{jh}` by year.

    Parameters
    ----------
    dagum
        Tidy Dagum table by year with columns ``year, component, group, other_group, value``;
        rows ``group_gini`` and ``between_gini`` are used.
    groups
        Display order of the groups (colours follow it); default sorted.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: one line per group, one line per pair of groups.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"year": [2020, 2020, 2020, 2021, 2021, 2021],
    ...                   "component": ["group_gini", "group_gini", "between_gini"] * 2,
    ...                   "group": ["a", "b", "a"] * 2, "other_group": [None, None, "b"] * 2,
    ...                   "value": [0.1, 0.2, 0.3, 0.1, 0.18, 0.28]})
    >>> [len(ax.lines) for ax in dagum_group_ginis(f).axes]
    [2, 1]
    """
    _require(dagum, ["year", "component", "group", "other_group", "value"], "Dagum table")
    data = dagum[dagum["component"].isin(["group_gini", "between_gini"])].copy()
    if data.empty:
        raise DataValidationError("Dagum table has no group_gini or between_gini rows")
    data["value"] = _numeric(data, "value", "Dagum table")
    order = _order(data["group"], groups)
    colors = _group_colors(order)
    use_cjk_font()
    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    within = data[data["component"] == "group_gini"]
    for g in order:
        series = within[within["group"] == g].sort_values("year")
        if not series.empty:
            left.plot(
                series["year"],
                series["value"],
                marker="o",
                markersize=3,
                color=colors[g],
                label=str(g),
            )
    left.set_title("组内基尼系数 Within-group Gini G_jj", fontsize=10)
    between = data[data["component"] == "between_gini"]
    pairs = list(dict.fromkeys(zip(between["group"], between["other_group"], strict=True)))
    rank = {g: i for i, g in enumerate(order)}
    # G_jh is symmetric: name each pair in display order
    shown = [(a, b) if rank.get(a, 99) <= rank.get(b, 99) else (b, a) for a, b in pairs]
    ordered = sorted(zip(shown, pairs, strict=True), key=lambda s: [rank.get(g, 99) for g in s[0]])
    styles = series_styles(len(ordered), markers=False)
    for i, ((a, b), (ga, gb)) in enumerate(ordered):
        series = between[(between["group"] == ga) & (between["other_group"] == gb)]
        series = series.sort_values("year")
        right.plot(
            series["year"],
            series["value"],
            marker="s",
            markersize=3,
            label=f"{a} – {b}",
            **styles[i],
        )
    right.set_title("组间基尼系数 Between-group Gini G_jh", fontsize=10)
    for ax, n_lines in ((left, len(order)), (right, len(ordered))):
        _years_axis(ax)
        ax.set_xlabel("年份 Year", fontsize=9)
        if n_lines == 0:  # a single group has no pair: say so instead of an empty legend
            ax.text(
                0.5,
                0.5,
                "无组对 No pair of groups",
                transform=ax.transAxes,
                fontsize=9,
                ha="center",
                va="center",
            )
        elif n_lines <= _MAX_LEGEND_LINES:
            ax.legend(fontsize=7, frameon=False, loc="best", ncol=1 if ax is left else 2)
        else:  # a legend of dozens of lines is unreadable and breaks the layout
            ax.text(
                0.02, 0.98, f"{n_lines} 条线 lines", transform=ax.transAxes, fontsize=7, va="top"
            )
    left.set_ylabel("基尼系数 Gini", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def theil_decomposition(theil: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Theil T and L by year, stacked into their within- and between-group parts.

    Parameters
    ----------
    theil
        Tidy Theil table: ``year, kind, component, value`` (``kind`` ``T`` and/or ``L``,
        ``component`` ``within`` and ``between``; other rows are ignored).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per kind; the bar height is the index, the label above it the between-group
        share.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "kind": "T",
    ...                   "component": ["within", "between"] * 2,
    ...                   "value": [0.05, 0.08, 0.04, 0.07]})
    >>> len(theil_decomposition(f).axes[0].patches)
    4
    """
    _require(theil, ["year", "kind", "component", "value"], "Theil table")
    data = theil[theil["component"].isin(["within", "between"])].copy()
    if data.empty:
        raise DataValidationError("Theil table has no within/between rows")
    data["value"] = _numeric(data, "value", "Theil table")
    kinds = [k for k in ("T", "L") if k in set(data["kind"])]
    names = {"T": "泰尔T指数 Theil T", "L": "泰尔L指数 Theil L (MLD)"}
    use_cjk_font()
    fig = Figure(figsize=(5.0 * len(kinds) + 0.6, 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(kinds), sharey=True, squeeze=False)).ravel()
    for ax, kind in zip(axes, kinds, strict=True):
        wide = data[data["kind"] == kind].pivot_table(
            index="year", columns="component", values="value", aggfunc="first"
        )
        years = wide.index.to_numpy()
        w = wide.get("within", pd.Series(0.0, index=wide.index)).to_numpy()
        b = wide.get("between", pd.Series(0.0, index=wide.index)).to_numpy()
        ax.bar(years, w, width=0.7, color="#4c72b0", label="组内 Within")
        ax.bar(years, b, bottom=w, width=0.7, color="#dd8452", label="组间 Between")
        for x, wi, bi in zip(years, w, b, strict=True):
            if wi + bi > 0:
                ax.text(
                    x, wi + bi, f"{100 * bi / (wi + bi):.0f}%", ha="center", va="bottom", fontsize=7
                )
        ax.set_title(names[kind], fontsize=10)
        ax.set_xlabel("年份 Year", fontsize=9)
        _years_axis(ax)
    axes[0].set_ylabel("指数值 Index (组间占比 % between on top)", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncol=2, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def _visible_range(x: np.ndarray, density: np.ndarray, frac: float = 1e-3) -> tuple[float, float]:
    """The x range where the density exceeds ``frac`` of its maximum."""
    keep = density.max(axis=0) > frac * density.max()
    if not keep.any():
        return float(x.min()), float(x.max())
    return float(x[keep].min()), float(x[keep].max())


def density_surface(
    density: pd.DataFrame,
    group: Hashable | None = None,
    *,
    xlabel: str = "得分 Score",
    title: str | None = None,
) -> Figure:
    """Kernel density as a 3-D year × value × density surface.

    Parameters
    ----------
    density
        Tidy densities ``year, x, density`` on one grid shared by all years; with a ``group``
        column, pass ``group`` to choose one (e.g. ``"全国 National"``).
    group
        Group to draw when the frame has a ``group`` column.
    xlabel
        Label of the value axis.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        A 3-D surface (``mpl_toolkits.mplot3d``) clipped to where the density exceeds 0.1 % of
        its maximum.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.linspace(0, 1, 20)
    >>> f = pd.DataFrame({"year": np.repeat([2020, 2021], 20), "x": np.tile(x, 2),
    ...                   "density": np.exp(-((np.tile(x, 2) - 0.5) ** 2) / 0.02)})
    >>> density_surface(f).axes[0].name
    '3d'
    """
    _require(density, ["year", "x", "density"], "density table")
    data = density
    if "group" in data.columns:
        if group is None:
            raise DataValidationError(
                f"the density table is per group; pass group= one of {list(data.group.unique())}"
            )
        data = data[data["group"] == group]
        if data.empty:
            raise DataValidationError(f"group {group!r} is not in the density table")
    surface = data.pivot_table(index="year", columns="x", values="density", aggfunc="first")
    if surface.isna().any().any():
        raise DataValidationError("the density table must use one grid for every year")
    use_cjk_font()
    x = surface.columns.to_numpy(dtype=float)
    years = surface.index.to_numpy(dtype=float)
    z = surface.to_numpy(dtype=float)
    lo, hi = _visible_range(x, z)
    cols = (x >= lo) & (x <= hi)
    xx, yy = np.meshgrid(x[cols], years)
    fig = Figure(figsize=(7.6, 5.6), layout="constrained")
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(
        xx,
        yy,
        z[:, cols],
        cmap="viridis",
        rstride=1,
        cstride=2,
        linewidth=0,
        antialiased=False,
    )
    ax.set_xlabel(xlabel, fontsize=9, labelpad=6)
    ax.set_ylabel("年份 Year", fontsize=9, labelpad=6)
    ax.set_zlabel("核密度 Density", fontsize=9, labelpad=6)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.tick_params(labelsize=7)
    ax.view_init(elev=28, azim=-58)
    heading = title if title is not None else (str(group) if group is not None else None)
    if heading:
        ax.set_title(heading, fontsize=11)
    return fig


def density_ridges(
    density: pd.DataFrame,
    groups: Sequence[Hashable] | None = None,
    *,
    xlabel: str = "得分 Score",
    overlap: float = 1.6,
    scale: Literal["ridge", "panel"] = "ridge",
    title: str | None = None,
) -> Figure:
    """Ridge plots of the kernel density by year, one small multiple per group.

    Parameters
    ----------
    density
        Tidy densities ``year, group, x, density`` (a frame without ``group`` is one panel).
    groups
        Panels in this order (default: :data:`NATIONAL` first, then sorted).
    xlabel
        Label of the value axis.
    overlap
        Height of the tallest ridge in units of the spacing between years.
    scale
        ``"ridge"``: every ridge is scaled to its own peak, so shapes (modes, tails, peaks
        splitting) are compared across years; ``"panel"``: ridges share the panel's largest
        density, so heights are comparable but a very concentrated year flattens the others.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        In each panel the earliest year is at the bottom.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.linspace(0, 1, 20)
    >>> f = pd.DataFrame({"year": np.repeat([2020, 2021], 20), "group": "a", "x": np.tile(x, 2),
    ...                   "density": np.exp(-((np.tile(x, 2) - 0.5) ** 2) / 0.02)})
    >>> [ax.get_title() for ax in density_ridges(f).axes]
    ['a']
    """
    _require(density, ["year", "x", "density"], "density table")
    if scale not in ("ridge", "panel"):
        raise ValueError(f"scale must be 'ridge' or 'panel', got {scale!r}")
    data = density if "group" in density.columns else density.assign(group=NATIONAL)
    present = list(dict.fromkeys(data["group"]))
    if groups is None:
        order = ([NATIONAL] if NATIONAL in present else []) + sorted(
            (g for g in present if g != NATIONAL), key=str
        )
    else:
        order = [g for g in groups if g in set(present)]
        if not order:
            raise DataValidationError(f"none of the groups {list(groups)} is in the table")
    use_cjk_font()
    ncols = min(len(order), 3)
    nrows = int(np.ceil(len(order) / ncols))
    fig = Figure(figsize=(3.6 * ncols + 0.6, 4.4 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
    years_all = sorted(data["year"].unique())
    cmap = colormaps["viridis"]
    norm = Normalize(min(years_all), max(years_all) if len(years_all) > 1 else min(years_all) + 1)
    lo, hi = np.inf, -np.inf
    for ax, g in zip(axes, order, strict=False):
        block = data[data["group"] == g]
        surface = block.pivot_table(index="year", columns="x", values="density", aggfunc="first")
        x = surface.columns.to_numpy(dtype=float)
        z = surface.to_numpy(dtype=float)
        a, b = _visible_range(x, np.nan_to_num(z))
        lo, hi = min(lo, a), max(hi, b)
        peak = np.nanmax(z, axis=1, keepdims=True) if scale == "ridge" else np.nanmax(z)
        heights = overlap * np.divide(z, peak, out=np.zeros_like(z), where=peak > 0)
        for i, (yr, row) in enumerate(zip(surface.index, heights, strict=True)):
            base = float(i)
            top = base + row
            zorder = len(surface) - i
            ax.fill_between(
                x, base, top, color=cmap(norm(yr)), alpha=0.85, linewidth=0, zorder=zorder
            )
            ax.plot(x, top, color="white", linewidth=0.8, zorder=zorder)
        ax.set_yticks(np.arange(len(surface)), [str(int(y)) for y in surface.index], fontsize=7)
        ax.set_title(str(g), fontsize=10)
        ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
        ax.set_ylim(-0.2, len(surface) - 1 + overlap + 0.2)
    for ax in axes[len(order) :]:
        ax.set_visible(False)
    if np.isfinite(lo):
        axes[0].set_xlim(lo, hi)
    fig.supxlabel(xlabel, fontsize=10)
    what = "各年峰值归一 each year scaled to its peak" if scale == "ridge" else "kernel density"
    fig.supylabel(f"年份 Year（核密度 {what}）", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def sigma_lines(
    sigma: pd.DataFrame, groups: Sequence[Hashable] | None = None, *, title: str | None = None
) -> Figure:
    """σ-convergence: coefficient of variation and SD of logs by year, national and per group.

    Parameters
    ----------
    sigma
        Columns ``scope, year, cv, sd_log`` (``scope`` is :data:`NATIONAL` or a group).
    groups
        Order of the groups (colours follow it); the national line is drawn in bold black.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, CV and SD of logs.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"scope": ["全国 National"] * 2 + ["a"] * 2, "year": [2020, 2021] * 2,
    ...                   "cv": [0.5, 0.4, 0.3, 0.35], "sd_log": [0.6, 0.5, 0.3, 0.3]})
    >>> [len(ax.lines) for ax in sigma_lines(f).axes]
    [2, 2]
    """
    _require(sigma, ["scope", "year", "cv", "sd_log"], "σ table")
    order = [g for g in _order(sigma["scope"], groups) if g != NATIONAL]
    colors = _group_colors(order)
    use_cjk_font()
    fig = Figure(figsize=(10.0, 4.0), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, column, label in zip(
        axes, ("cv", "sd_log"), ("变异系数 CV", "对数标准差 SD of logs"), strict=True
    ):
        values = _numeric(sigma, column, "σ table")
        for g in order:
            mask = sigma["scope"] == g
            block = pd.DataFrame({"year": sigma.loc[mask, "year"], "v": values[mask]})
            block = block.sort_values("year")
            ax.plot(
                block["year"], block["v"], marker="o", markersize=3, color=colors[g], label=str(g)
            )
        mask = sigma["scope"] == NATIONAL
        if mask.any():
            block = pd.DataFrame({"year": sigma.loc[mask, "year"], "v": values[mask]})
            block = block.sort_values("year")
            ax.plot(
                block["year"],
                block["v"],
                color="black",
                linewidth=2.4,
                marker="o",
                markersize=4,
                label=NATIONAL,
                zorder=5,
            )
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("年份 Year", fontsize=9)
        _years_axis(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, fontsize=8, loc="outside lower center", ncol=len(labels), frameon=False
    )
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


#: Largest transition matrix and most panels :func:`transition_heatmaps` draws (the studies
#: allow 20 classes); beyond that the figure would be unreadable and costly to render.
MAX_HEATMAP_CLASSES = 30
#: Largest matrix whose probabilities are written into the cells.
MAX_ANNOTATED_CLASSES = 12
#: Longest side of the heat-map figure in inches: panels shrink to fit.
MAX_FIGURE_INCHES = 40.0


def _class_labels(k: int) -> list[str]:
    labels = [str(i) for i in range(1, k + 1)]
    labels[0] = "1 低 Low"
    labels[-1] = f"{k} 高 High"
    return labels


def transition_heatmaps(
    matrices: Mapping[str, pd.DataFrame],
    counts: Mapping[str, pd.DataFrame] | None = None,
    *,
    ncols: int | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmaps of Markov transition-probability matrices with the probabilities written in.

    Parameters
    ----------
    matrices
        Panel title → k × k probability matrix (rows: class at t, columns: class at t+1). A
        classical chain is one matrix; a spatial Markov chain one matrix per neighbour class.
    counts
        Optional matching count matrices: each row's number of transitions is shown in its
        tick label (``n=…``).
    ncols
        Panels per row (default: all in one row up to 4, then 2 per row ... as fits).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Colour scale 0–1 shared by all panels; rows with no transitions are grey. Matrices
        larger than :data:`MAX_ANNOTATED_CLASSES` (12) are drawn without the numbers, and the
        figure is scaled down to at most :data:`MAX_FIGURE_INCHES` (40) inches a side.

    Raises
    ------
    DataValidationError
        No matrix, a matrix that is not square, or more than :data:`MAX_HEATMAP_CLASSES` (30)
        classes or panels.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], index=[1, 2], columns=[1, 2])
    >>> fig = transition_heatmaps({"全部 All": p})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['0.90', '0.10', '0.20', '0.80']
    """
    if not matrices:
        raise DataValidationError("no transition matrix to draw")
    for name, mat in matrices.items():
        if not isinstance(mat, pd.DataFrame) or mat.shape[0] != mat.shape[1] or mat.empty:
            raise DataValidationError(f"matrix {name!r} must be a square, non-empty DataFrame")
    n = len(matrices)
    k_max = max(m.shape[0] for m in matrices.values())
    if max(n, k_max) > MAX_HEATMAP_CLASSES:
        raise DataValidationError(
            f"{n} transition matrices of up to {k_max} classes: a heat map draws at most "
            f"{MAX_HEATMAP_CLASSES} (MAX_HEATMAP_CLASSES) panels of at most that many classes"
        )
    use_cjk_font()
    cols = ncols or (n if n <= 3 else 2 if n == 4 else 3)
    rows = int(np.ceil(n / cols))
    side = 0.62 * min(k_max, MAX_ANNOTATED_CLASSES) + 1.6
    width, height = side * cols + 1.2, side * rows + 0.5
    shrink = min(1.0, MAX_FIGURE_INCHES / max(width, height))
    fig = Figure(figsize=(width * shrink, height * shrink), layout="constrained")
    annotate = k_max <= MAX_ANNOTATED_CLASSES
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    cmap = colormaps["YlOrRd"].with_extremes(bad="#e0e0e0")
    image = None
    for ax, (name, mat) in zip(axes, matrices.items(), strict=False):
        p = mat.to_numpy(dtype=float)
        k = p.shape[0]
        image = ax.imshow(np.ma.masked_invalid(p), cmap=cmap, vmin=0.0, vmax=1.0)
        for i in range(k):
            for j in range(k):
                if annotate and np.isfinite(p[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{p[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if p[i, j] > 0.6 else "black",
                    )
        labels = _class_labels(k)
        row_labels = list(labels)
        if counts is not None and name in counts:
            n_rows = counts[name].to_numpy(dtype=float).sum(axis=1)
            row_labels = [f"{lab} (n={int(c)})" for lab, c in zip(labels, n_rows, strict=True)]
        ax.set_xticks(range(k), labels, fontsize=7)
        ax.set_yticks(range(k), row_labels, fontsize=7)
        ax.set_xlabel("t+1 年类型 Class at t+1", fontsize=8)
        ax.set_ylabel("t 年类型 Class at t", fontsize=8)
        ax.set_title(name, fontsize=9)
        ax.tick_params(length=0)
    for ax in axes[n:]:
        ax.set_visible(False)
    if image is not None:
        fig.colorbar(image, ax=list(axes[:n]), shrink=0.8, label="转移概率 Probability")
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
