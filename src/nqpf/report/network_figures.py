"""Figures of the network study, with bilingual labels.

:func:`flow_map` draws the largest flows as curved arrows (quadratic Bézier curves,
matplotlib's ``arc3`` connection) over the province map of :mod:`nqpf.report.maps` (South China
Sea inset kept); :func:`fit_scatter` shows modelled gravity linkage against observed degrees
(log–log, one panel per network); :func:`coreness_bars` the core–periphery ranking and
:func:`resilience_curves` the node-removal curves. Every function takes the tidy frames of
:class:`~nqpf.studies.network.NetworkStudyResult` and returns a figure built without ``pyplot``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from nqpf.errors import DataValidationError
from nqpf.geo.geography import region_coordinates
from nqpf.report.figures import _numeric, _require
from nqpf.report.fonts import use_cjk_font
from nqpf.report.maps import MAP_CRS, city_map, province_map

__all__ = [
    "OBSERVED_LABELS",
    "STRATEGY_LABELS",
    "TIER_COLORS",
    "coreness_bars",
    "fit_scatter",
    "flow_map",
    "resilience_curves",
]

#: Attack strategy → (legend label, colour).
STRATEGY_LABELS: dict[str, tuple[str, str]] = {
    "random": ("随机 Random", "#4d4d4d"),
    "degree": ("度 Degree", "#b2182b"),
    "betweenness": ("介数 Betweenness", "#2166ac"),
    "strength": ("强度 Strength", "#e08214"),
}
#: Core–periphery tier → (legend label, colour).
TIER_COLORS: dict[str, tuple[str, str]] = {
    "core": ("核心 Core", "#8c1c13"),
    "semi-periphery": ("半边缘 Semi-periphery", "#e6a141"),
    "periphery": ("边缘 Periphery", "#bdbdbd"),
}
#: Observed networks of the city connectivity data → axis label.
OBSERVED_LABELS: dict[str, str] = {
    "mob_degree": "人口流动 Mobility (Tencent 2016)",
    "sm_degree": "社交媒体 Weibo (2015)",
    "pub_degree": "科研合作 Co-publications (WoS 2017)",
}
_FLOW_COLOR = "#7a0177"


def _projected(codes: list[Any]) -> np.ndarray:
    from pyproj import Transformer

    lonlat = region_coordinates(codes)
    transformer = Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def flow_map(
    edges: pd.DataFrame,
    *,
    top: int = 30,
    level: Literal["province", "city"] = "province",
    label: str = "流量 Flow",
    scale: float = 1.0,
    title: str | None = None,
) -> Figure:
    """The ``top`` largest flows as curved arrows over a map of China.

    Parameters
    ----------
    edges
        Columns ``origin``, ``destination`` (region codes) and ``flow``.
    top
        How many of the largest flows to draw.
    level
        Base map: provinces or prefecture-level cities; regions are filled by their total
        outflow among all edges (not only the drawn ones).
    label
        Bilingual name of the flow with its unit (legend title and colour-bar label).
    scale
        Flows are divided by it for display (e.g. ``1e4``: 万元 → 亿元).
    title
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The map; arrows are :class:`~matplotlib.patches.FancyArrowPatch` objects with an
        ``arc3`` (quadratic Bézier) connection, bending to the right of the direction of
        travel, width and opacity growing with the flow. The flow legend sits below the map.

    Raises
    ------
    DataValidationError
        Missing columns, non-numeric or negative flows, no positive flow.

    Examples
    --------
    >>> e = pd.DataFrame({"origin": [110000, 310000], "destination": [310000, 440000],
    ...                   "flow": [5.0, 2.0]})
    >>> fig = flow_map(e, top=2)
    >>> sum(isinstance(p, FancyArrowPatch) for p in fig.axes[0].patches)
    2
    """
    _require(edges, ["origin", "destination", "flow"], "flow table")
    flow = _numeric(edges, "flow", "flow table")
    if (flow < 0).any():
        raise DataValidationError("flows must be non-negative")
    data = edges.assign(flow=flow / scale)[flow > 0].sort_values("flow", ascending=False)
    if data.empty:
        raise DataValidationError("no positive flow to draw")
    totals = data.groupby("origin")["flow"].sum()
    drawn = data.head(top)
    base = province_map if level == "province" else city_map
    fig = base(totals, title=title, label=f"总流出 Total outflow\n{label}", cmap="Greys", vmin=0)
    ax = fig.axes[0]
    for patch in ax.collections[0:1]:
        patch.set_alpha(0.55)
    nodes = sorted(set(drawn["origin"]) | set(drawn["destination"]))
    xy = dict(zip(nodes, _projected(nodes), strict=True))
    biggest = float(drawn["flow"].iloc[0])
    for row in drawn.iloc[::-1].itertuples(index=False):  # largest on top
        share = float(row.flow) / biggest
        ax.add_patch(
            FancyArrowPatch(
                tuple(xy[row.origin]),
                tuple(xy[row.destination]),
                connectionstyle="arc3,rad=-0.25",
                arrowstyle="-|>",
                mutation_scale=6 + 6 * share,
                linewidth=0.4 + 3.6 * share,
                color=_FLOW_COLOR,
                alpha=0.3 + 0.6 * share,
                shrinkA=2,
                shrinkB=3,
                zorder=5,
            )
        )
    points = np.array([xy[n] for n in nodes])
    ax.scatter(points[:, 0], points[:, 1], s=9, color="black", zorder=6)
    for node in nodes:
        ax.annotate(
            _short(node),
            xy[node],
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=6.5,
            zorder=7,
            path_effects=[patheffects.withStroke(linewidth=1.8, foreground="white")],
        )
    shares = (1.0, 0.5, 0.2)
    handles = [
        Line2D(
            [],
            [],
            color=_FLOW_COLOR,
            linewidth=0.4 + 3.6 * s,
            alpha=0.3 + 0.6 * s,
            label=f"{s * biggest:,.0f}",
        )
        for s in shares
    ]
    fig.legend(
        handles=handles,
        title=f"{label}（前 {len(drawn)} 条 top {len(drawn)}）",
        loc="outside lower center",
        ncols=len(handles),
        fontsize=7,
        title_fontsize=8,
        frameon=False,
    )
    return fig


def _short(code: Any) -> str:
    from nqpf import regions

    try:
        return regions.name_of(int(code), "short")
    except (TypeError, ValueError, KeyError):
        return str(code)


def fit_scatter(
    scatter: pd.DataFrame,
    *,
    fit: pd.DataFrame,
    modelled: str = "modelled",
    title: str | None = None,
) -> Figure:
    """Modelled total linkage against each observed degree, log–log, one panel per network.

    Parameters
    ----------
    scatter
        One row per city: the ``modelled`` column and one column per observed network (the
        ``network`` values of ``fit``).
    fit
        Columns ``network``, ``n``, ``spearman``, ``pearson_log`` (as
        :meth:`~nqpf.network.gravity.LinkageFit.to_frame`): ρ goes into each panel's title.
    modelled
        Column of the modelled linkage.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> s = pd.DataFrame({"modelled": [1.0, 10, 100], "mob_degree": [2.0, 30, 200]})
    >>> f = pd.DataFrame({"network": ["mob_degree"], "n": [3], "spearman": [1.0],
    ...                   "pearson_log": [0.99]})
    >>> len(fit_scatter(s, fit=f).axes)
    1
    """
    _require(fit, ["network", "n", "spearman", "pearson_log"], "fit table")
    networks = list(fit["network"])
    _require(scatter, [modelled, *networks], "scatter table")
    use_cjk_font()
    fig = Figure(figsize=(3.2 * len(networks) + 0.4, 3.6), layout="constrained")
    axes = fig.subplots(1, len(networks), squeeze=False)[0]
    x_all = _numeric(scatter, modelled, "scatter table")
    for ax, row in zip(axes, fit.itertuples(index=False), strict=True):
        y_all = _numeric(scatter, row.network, "scatter table")
        ok = (x_all > 0) & (y_all > 0)
        x, y = x_all[ok].to_numpy(), y_all[ok].to_numpy()
        ax.scatter(x, y, s=8, color="#2166ac", alpha=0.6, linewidths=0)
        slope, intercept = np.polyfit(np.log10(x), np.log10(y), 1)
        grid = np.geomspace(x.min(), x.max(), 50)
        ax.plot(grid, 10**intercept * grid**slope, color="#b2182b", linewidth=1.2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(
            f"{OBSERVED_LABELS.get(row.network, row.network)}\nSpearman ρ = {row.spearman:.3f}, "
            f"r(log) = {row.pearson_log:.3f}, n = {int(row.n)}",
            fontsize=8,
        )
        ax.set_xlabel("模型联系总量 Modelled total linkage", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("观测加权度 Observed weighted degree", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def coreness_bars(nodes: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Core–periphery ranking: coreness of every region, coloured by tier, highest on top.

    Parameters
    ----------
    nodes
        Columns ``node``, ``coreness``, ``tier`` and optionally ``name`` (bar labels).
    title
        Axes title.

    Examples
    --------
    >>> n = pd.DataFrame({"node": ["a", "b"], "coreness": [1.0, 0.2],
    ...                   "tier": ["core", "periphery"]})
    >>> len(coreness_bars(n).axes[0].patches)
    2
    """
    _require(nodes, ["node", "coreness", "tier"], "core–periphery table")
    data = nodes.assign(coreness=_numeric(nodes, "coreness", "core–periphery table"))
    data = data.sort_values("coreness", ascending=True)
    unknown = sorted(set(data["tier"]) - set(TIER_COLORS))
    if unknown:
        raise DataValidationError(f"unknown tier(s) {unknown}; expected {list(TIER_COLORS)}")
    names = data["name"] if "name" in data.columns else data["node"].astype(str)
    use_cjk_font()
    fig = Figure(figsize=(6.0, 0.6 + 0.2 * len(data)), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(
        np.arange(len(data)),
        data["coreness"],
        color=[TIER_COLORS[t][1] for t in data["tier"]],
        height=0.75,
    )
    ax.set_yticks(np.arange(len(data)), [str(n) for n in names], fontsize=7)
    ax.set_ylim(-0.6, len(data) - 0.4)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("核心度 Coreness (max = 1)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    present = [t for t in TIER_COLORS if t in set(data["tier"])]
    ax.legend(
        handles=[Patch(color=TIER_COLORS[t][1], label=TIER_COLORS[t][0]) for t in present],
        loc="lower right",
        fontsize=7,
        frameon=False,
    )
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def resilience_curves(
    curves: pd.DataFrame,
    *,
    robustness: Mapping[str, float] | None = None,
    efficiency: str = "efficiency",
    title: str | None = None,
) -> Figure:
    """Largest-component share and global efficiency against the share of nodes removed.

    Parameters
    ----------
    curves
        Columns ``strategy``, ``fraction_removed``, ``largest_component`` and ``efficiency``.
    efficiency
        Column of the efficiency panel, e.g. ``"efficiency_relative"`` (share of the intact
        network's efficiency; the axis label says so).
    robustness
        Strategy → robustness index R, shown in the legend.
    title
        Figure title.

    Examples
    --------
    >>> c = pd.DataFrame({"strategy": ["degree"] * 2, "fraction_removed": [0.0, 1.0],
    ...                   "largest_component": [1.0, 0.0], "efficiency": [1.0, 0.0]})
    >>> len(resilience_curves(c, robustness={"degree": 0.5}).axes)
    2
    """
    _require(curves, ["strategy", "fraction_removed", "largest_component", efficiency], "curves")
    relative = efficiency.endswith("relative")
    use_cjk_font()
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True)
    panels = (
        ("largest_component", "最大连通子图占比 Largest component S(q)"),
        (
            efficiency,
            "相对全局效率 Global efficiency / intact" if relative else "全局效率 Global efficiency",
        ),
    )
    for ax, (column, ylabel) in zip(axes, panels, strict=True):
        for strategy, part in curves.groupby("strategy", sort=False):
            name, color = STRATEGY_LABELS.get(str(strategy), (str(strategy), None))
            if robustness is not None and strategy in robustness:
                name = f"{name} (R = {robustness[strategy]:.3f})"
            part = part.sort_values("fraction_removed")
            ax.plot(
                _numeric(part, "fraction_removed", "curves"),
                _numeric(part, column, "curves"),
                color=color,
                linewidth=1.4,
                label=name,
                drawstyle="steps-post",
            )
        ax.set_xlabel("移除节点比例 Share of nodes removed q", fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, max(1.0, float(_numeric(curves, column, "curves").max())) * 1.02)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
