"""Figures and maps of the spatial and drivers studies, with bilingual labels.

Every function takes the tidy frames of :class:`~nqpf.studies.SpatialStudyResult` and
:class:`~nqpf.studies.DriversStudyResult` (``moran_frame()``, ``lisa_frame()``,
``effects_frame()`` ...) or plain matrices, returns a :class:`matplotlib.figure.Figure` built
without ``pyplot`` and sets the CJK font. Maps are drawn with
:func:`nqpf.report.maps.province_map`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from nqpf.errors import DataValidationError
from nqpf.report._common import stars
from nqpf.report.figures import _numeric, _require
from nqpf.report.fonts import use_cjk_font
from nqpf.report.maps import province_map
from nqpf.spatial.geodetector import INTERACTION_TYPES

__all__ = [
    "CLUSTER_COLORS",
    "HOTSPOT_COLORS",
    "effects_plot",
    "geodetector_bars",
    "gwr_coefficient_maps",
    "hotspot_map",
    "interaction_heatmap",
    "lisa_map",
    "moran_lines",
    "moran_scatter",
]

#: LISA cluster → (legend label, colour), in legend order (GeoDa's colours).
CLUSTER_COLORS: dict[str, tuple[str, str]] = {
    "HH": ("高-高 High-High (HH)", "#d7191c"),
    "LL": ("低-低 Low-Low (LL)", "#2c7bb6"),
    "LH": ("低-高 Low-High (LH)", "#abd9e9"),
    "HL": ("高-低 High-Low (HL)", "#fdae61"),
    "ns": ("不显著 Not significant", "#f7f7f7"),
}

#: Gi* class (−3 … 3) → (legend label, colour), in legend order (ArcGIS's classes).
HOTSPOT_COLORS: dict[int, tuple[str, str]] = {
    3: ("热点 Hot spot, 99%", "#b2182b"),
    2: ("热点 Hot spot, 95%", "#ef8a62"),
    1: ("热点 Hot spot, 90%", "#fddbc7"),
    0: ("不显著 Not significant", "#f7f7f7"),
    -1: ("冷点 Cold spot, 90%", "#d1e5f0"),
    -2: ("冷点 Cold spot, 95%", "#67a9cf"),
    -3: ("冷点 Cold spot, 99%", "#2166ac"),
}

#: Short marks of the interaction types in the heat map.
INTERACTION_MARKS: dict[str, str] = {
    "nonlinear-enhance": "NE",
    "bi-enhance": "BE",
    "independent": "IN",
    "uni-weaken": "UW",
    "nonlinear-weaken": "NW",
}


def moran_lines(
    moran: pd.DataFrame,
    *,
    p_value: str = "p_value_permutation",
    alpha: float = 0.05,
    title: str | None = None,
) -> Figure:
    """Global Moran's I by year with its expectation and significance marks.

    Parameters
    ----------
    moran
        Columns ``year``, ``statistic``, ``expected`` and the p-value column.
    p_value
        Which p-value marks significance: ``"p_value_permutation"`` (default) or ``"p_value"``
        (normal approximation). Filled markers: p < ``alpha``; stars: 10/5/1 %.
    alpha
        Level for filled markers.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataValidationError
        Missing columns or non-numeric values.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2020, 2021], "statistic": [0.3, 0.1], "expected": -0.05,
    ...                   "p_value_permutation": [0.01, 0.4]})
    >>> fig = moran_lines(f)
    >>> len(fig.axes[0].lines) >= 2
    True
    """
    _require(moran, ["year", "statistic", "expected", p_value], "Moran table")
    data = moran.sort_values("year")
    years = _numeric(data, "year", "Moran table").to_numpy()
    stat = _numeric(data, "statistic", "Moran table").to_numpy()
    p = _numeric(data, p_value, "Moran table").to_numpy()
    expected = float(_numeric(data, "expected", "Moran table").iloc[0])
    use_cjk_font()
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(years, stat, color="#8c1c13", linewidth=1.6, zorder=2)
    sig = p < alpha
    ax.scatter(years[sig], stat[sig], color="#8c1c13", s=36, zorder=3)
    ax.scatter(years[~sig], stat[~sig], facecolor="white", edgecolor="#8c1c13", s=36, zorder=3)
    for x, y, pv in zip(years, stat, p, strict=True):
        mark = stars(pv)
        if mark:
            ax.annotate(
                mark, (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
            )
    ax.axhline(expected, color="#59636e", linestyle="--", linewidth=1.0)
    ax.axhline(0.0, color="black", linewidth=0.5)
    low = min(float(np.nanmin(stat)), expected, 0.0)
    high = max(float(np.nanmax(stat)), 0.0)
    pad = 0.15 * (high - low if high > low else 1.0)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlabel("年份 Year", fontsize=10)
    ax.set_ylabel("莫兰指数 Moran's I", fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, linewidth=0.4, alpha=0.5)
    source = "置换 permutation" if p_value == "p_value_permutation" else "正态 normal"
    handles = [
        Line2D([], [], color="#8c1c13", marker="o", linestyle="-", label="Moran's I"),
        Line2D(
            [],
            [],
            color="#8c1c13",
            marker="o",
            markerfacecolor="white",
            linestyle="",
            label=f"p ≥ {alpha:g} ({source})",
        ),
        Line2D([], [], color="#59636e", linestyle="--", label=f"E[I] = {expected:.4f}"),
    ]
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="best")
    _star_legend(ax, 0.99, 0.02)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def moran_scatter(
    lisa: pd.DataFrame,
    *,
    names: Mapping[Any, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Moran scatter plot of one year: standardised value against its spatial lag.

    Parameters
    ----------
    lisa
        One year of local Moran: ``region_code``, ``z`` (standardised value), ``lag`` (its
        spatial lag) and ``cluster`` (HH/LL/HL/LH/ns); points are coloured by cluster.
    names
        Labels of the regions to write next to significant points (default: region codes).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The slope of the least-squares line is Moran's I for row-standardised weights.

    Examples
    --------
    >>> f = pd.DataFrame({"region_code": [1, 2, 3, 4], "z": [-1.2, -0.4, 0.3, 1.3],
    ...                   "lag": [-0.8, -0.5, 0.6, 0.7], "cluster": ["LL", "ns", "ns", "HH"]})
    >>> len(moran_scatter(f).axes[0].collections)
    3
    """
    _require(lisa, ["region_code", "z", "lag", "cluster"], "LISA table")
    z = _numeric(lisa, "z", "LISA table").to_numpy()
    lag = _numeric(lisa, "lag", "LISA table").to_numpy()
    cluster = lisa["cluster"].astype(str).to_numpy()
    use_cjk_font()
    fig = Figure(figsize=(5.6, 5.0), layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(0, color="black", linewidth=0.6)
    ax.axvline(0, color="black", linewidth=0.6)
    for key, (label, color) in CLUSTER_COLORS.items():
        mask = cluster == key
        if mask.any():
            ax.scatter(
                z[mask],
                lag[mask],
                s=34,
                color=color,
                edgecolor="#4d4d4d",
                linewidth=0.5,
                label=label,
                zorder=3,
            )
    slope, intercept = np.polyfit(z, lag, 1)
    grid = np.linspace(z.min(), z.max(), 2)
    ax.plot(grid, intercept + slope * grid, color="#59636e", linewidth=1.0, zorder=2)
    for code, x, y, c in zip(lisa["region_code"], z, lag, cluster, strict=True):
        if c != "ns":
            text = names.get(code, str(code)) if names else str(code)
            ax.annotate(text, (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.set_xlabel("标准化值 Standardised value z", fontsize=10)
    ax.set_ylabel("空间滞后 Spatial lag Wz", fontsize=10)
    ax.text(0.02, 0.98, f"slope = {slope:.4f}", transform=ax.transAxes, va="top", fontsize=8)
    ax.grid(True, linewidth=0.4, alpha=0.5)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def _star_legend(ax: Any, x: float, y: float) -> None:
    """The key of the significance marks, small and grey, at (x, y) in axes coordinates."""
    ax.text(
        x,
        y,
        "* p<0.1  ** p<0.05  *** p<0.01",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#59636e",
    )


def _class_map(
    keys: Any,
    region_codes: pd.Series,
    palette: Mapping[Any, tuple[str, str]],
    legend: str,
    title: str | None,
) -> Figure:
    """Province map of one class per region; ``palette`` maps a class key to (label, colour)."""
    labels = pd.Series([palette[k][0] for k in keys], index=region_codes.to_numpy())
    return province_map(
        labels,
        categorical=True,
        categories_order=[label for label, _ in palette.values()],
        colors=dict(palette.values()),
        label=legend,
        title=title,
    )


def lisa_map(lisa: pd.DataFrame, *, title: str | None = None) -> Figure:
    """LISA cluster map of one year: HH red, LL blue, LH light blue, HL orange, rest pale.

    Parameters
    ----------
    lisa
        One year of local Moran with ``region_code`` and ``cluster`` (HH/LL/HL/LH/ns).
    title
        Map title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataValidationError
        Missing columns or unknown cluster labels.
    """
    _require(lisa, ["region_code", "cluster"], "LISA table")
    unknown = sorted(set(lisa["cluster"].astype(str)) - set(CLUSTER_COLORS))
    if unknown:
        raise DataValidationError(
            f"unknown LISA cluster label(s) {unknown}; expected {list(CLUSTER_COLORS)}"
        )
    return _class_map(
        lisa["cluster"].astype(str),
        lisa["region_code"],
        CLUSTER_COLORS,
        "LISA 聚类 clusters",
        title,
    )


def hotspot_map(hotspots: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Hot- and cold-spot map of one year (Getis–Ord :math:`G_i^*` classes −3 … 3).

    Parameters
    ----------
    hotspots
        One year of Gi* with ``region_code`` and ``hotspot`` (−3 … 3: cold/hot at 99/95/90 %).
    title
        Map title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(hotspots, ["region_code", "hotspot"], "hot-spot table")
    classes = _numeric(hotspots, "hotspot", "hot-spot table").astype(int)
    unknown = sorted(set(classes) - set(HOTSPOT_COLORS))
    if unknown:
        raise DataValidationError(f"hot-spot classes must be -3 … 3, got {unknown}")
    return _class_map(
        [int(c) for c in classes],
        hotspots["region_code"],
        HOTSPOT_COLORS,
        "冷热点 Gi* hot and cold spots",
        title,
    )


def geodetector_bars(
    factors: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Factor-detector *q* of every driver as horizontal bars, largest on top.

    Parameters
    ----------
    factors
        Columns ``factor``, ``q``, ``p_value``; optionally ``method`` and ``classes`` (the
        discretisation, written after the bar).
    labels
        Display name of every factor.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> f = pd.DataFrame({"factor": ["a", "b"], "q": [0.4, 0.2], "p_value": [0.001, 0.3]})
    >>> len(geodetector_bars(f).axes[0].patches)
    2
    """
    _require(factors, ["factor", "q", "p_value"], "factor-detector table")
    data = factors.assign(
        q=_numeric(factors, "q", "factor-detector table"),
        p_value=_numeric(factors, "p_value", "factor-detector table"),
    ).sort_values("q")
    names = [labels.get(f, f) if labels else str(f) for f in data["factor"]]
    use_cjk_font()
    fig = Figure(figsize=(7.5, 0.55 * len(data) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(names, data["q"], color="#4c72b0", height=0.6)
    for i, row in enumerate(data.itertuples(index=False)):
        text = f"{row.q:.3f}{stars(row.p_value)}"
        if "method" in data.columns and "classes" in data.columns:
            text += f"  ({row.method}, {int(row.classes)})"
        ax.text(row.q + 0.01, i, text, va="center", fontsize=8)
    ax.set_xlim(0, min(1.0, float(data["q"].max()) * 1.6 + 0.05))
    ax.set_xlabel("解释力 q statistic", fontsize=10)
    ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
    _star_legend(ax, 1.0, 1.01)
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    return fig


def interaction_heatmap(
    interaction_q: pd.DataFrame,
    interaction_type: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    r"""Interaction-detector heat map: :math:`q(X_a \cap X_b)` annotated with its type.

    Parameters
    ----------
    interaction_q
        Factor × factor *q* (single-factor *q* on the diagonal).
    interaction_type
        Factor × factor type keys (``"bi-enhance"``, ``"nonlinear-enhance"`` …); written under
        the value as NE/BE/IN/UW/NW.
    labels
        Display name of every factor.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> q = pd.DataFrame([[0.3, 0.6], [0.6, 0.2]], index=["a", "b"], columns=["a", "b"])
    >>> t = pd.DataFrame([["", "nonlinear-enhance"], ["nonlinear-enhance", ""]],
    ...                  index=["a", "b"], columns=["a", "b"])
    >>> len(interaction_heatmap(q, t).axes)
    2
    """
    if not isinstance(interaction_q, pd.DataFrame) or interaction_q.empty:
        raise DataValidationError("interaction_q must be a non-empty factor × factor DataFrame")
    factors = list(interaction_q.index)
    if list(interaction_q.columns) != factors:
        raise DataValidationError("interaction_q must have the same factors on rows and columns")
    values = interaction_q.to_numpy(dtype=float)
    kinds = interaction_type.reindex(index=factors, columns=factors)
    names = [labels.get(f, f) if labels else str(f) for f in factors]
    use_cjk_font()
    size = 1.3 * len(factors) + 2.6
    fig = Figure(figsize=(size + 1.2, size), layout="constrained")
    ax = fig.add_subplot()
    mask = np.tril(np.ones_like(values, dtype=bool))  # lower triangle and diagonal
    shown = np.where(mask, values, np.nan)
    image = ax.imshow(shown, cmap=colormaps["YlGnBu"], vmin=0.0, vmax=1.0)
    for i in range(len(factors)):
        for j in range(i + 1):
            v = values[i, j]
            kind = "" if i == j else str(kinds.iloc[i, j] or "")
            mark = INTERACTION_MARKS.get(kind, "")
            color = "white" if v > 0.6 else "black"
            text = f"{v:.3f}" + (f"\n{mark}" if mark else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color=color)
    ax.set_xticks(range(len(factors)), names, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(factors)), names, fontsize=8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("q", fontsize=9)
    legend = "; ".join(
        f"{mark} {INTERACTION_TYPES[key][0]} {key}" for key, mark in INTERACTION_MARKS.items()
    )
    fig.text(0.01, 0.0, legend, fontsize=7, color="#59636e", ha="left", va="bottom")
    if title:
        ax.set_title(title, fontsize=11)
    return fig


_EFFECT_STYLE = {
    "direct": ("直接效应 Direct", "#4c72b0", -0.22),
    "indirect": ("间接效应 Indirect (spillover)", "#dd8452", 0.0),
    "total": ("总效应 Total", "#55a868", 0.22),
}


def effects_plot(
    effects: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    level: float = 0.95,
    title: str | None = None,
) -> Figure:
    """Direct, indirect and total effects with normal confidence intervals (one row per driver).

    Parameters
    ----------
    effects
        Tidy effects: ``term``, ``effect`` (direct/indirect/total), ``estimate``, ``std_error``.
    labels
        Display name of every term.
    level
        Confidence level of the whiskers (estimate ± z·SE).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per driver (their units differ), so each has its own scale.

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["x"] * 3, "effect": ["direct", "indirect", "total"],
    ...                   "estimate": [0.2, 0.1, 0.3], "std_error": [0.05, 0.04, 0.06]})
    >>> len(effects_plot(f).axes)
    1
    """
    from scipy import stats

    _require(effects, ["term", "effect", "estimate", "std_error"], "effects table")
    terms = list(dict.fromkeys(effects["term"]))
    z = float(stats.norm.ppf(0.5 + level / 2))
    use_cjk_font()
    fig = Figure(figsize=(7.5, 1.25 * len(terms) + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(terms), 1, squeeze=False)[:, 0])
    for ax, term in zip(axes, terms, strict=True):
        rows = effects[effects["term"] == term].set_index("effect")
        for part, (label, color, _offset) in _EFFECT_STYLE.items():
            if part not in rows.index:
                continue
            est = float(rows.loc[part, "estimate"])
            se = float(rows.loc[part, "std_error"])
            y = list(_EFFECT_STYLE).index(part)
            ax.errorbar(
                est, y, xerr=z * se, fmt="o", color=color, capsize=3, markersize=5, label=label
            )
        ax.axvline(0.0, color="black", linewidth=0.6)
        ax.set_yticks([])
        ax.set_ylim(-0.7, 2.7)
        ax.invert_yaxis()
        ax.set_ylabel(
            labels.get(term, term) if labels else str(term),
            rotation=0,
            ha="right",
            va="center",
            fontsize=8,
        )
        ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
        ax.tick_params(axis="x", labelsize=8)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        names,
        loc="outside lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
        title=f"点估计与 {100 * level:g}% 置信区间 Estimate and {100 * level:g}% interval",
        title_fontsize=8,
    )
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def gwr_coefficient_maps(
    coefficients: pd.DataFrame,
    terms: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    local_r2: pd.Series | None = None,
    columns: int = 2,
    title: str | None = None,
) -> Figure:
    """Small multiples of GWR local coefficients, one province map per term.

    Parameters
    ----------
    coefficients
        Tidy local coefficients: ``region_code``, ``term``, ``estimate``.
    terms
        Terms to map, in order (for example the drivers without the intercept).
    labels
        Display name of every term (map titles).
    local_r2
        Local R² by region code, drawn as a last map (sequential colours) when given.
    columns
        Maps per row.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Each coefficient map has its own diverging colour scale centred on 0 (blue negative,
        red positive).

    Raises
    ------
    DataValidationError
        Missing columns or a term without coefficients.
    """
    _require(coefficients, ["region_code", "term", "estimate"], "GWR coefficients")
    terms = list(terms)
    if not terms:
        raise DataValidationError("no GWR terms to map")
    absent = [t for t in terms if t not in set(coefficients["term"])]
    if absent:
        raise DataValidationError(f"GWR coefficients have no term(s) {absent}")
    use_cjk_font()
    panels = len(terms) + (local_r2 is not None)
    rows = int(np.ceil(panels / columns))
    ncols = min(columns, panels)
    fig = Figure(figsize=(6.2 * ncols, 5.0 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, ncols, squeeze=False).ravel())
    cmap = colormaps["RdBu_r"]
    for ax, term in zip(axes, terms, strict=False):
        part = coefficients[coefficients["term"] == term]
        values = pd.Series(
            _numeric(part, "estimate", "GWR coefficients").to_numpy(),
            index=part["region_code"].to_numpy(),
        )
        bound = float(np.abs(values).max()) or 1.0
        low, high = float(values.min()), float(values.max())
        if low < 0 < high:
            vmin, vmax = -bound, bound
        else:  # one-signed: keep the diverging map centred on 0 but use the data range
            vmin, vmax = (min(low, 0.0), max(high, 0.0)) if low != high else (low - 1, high + 1)
        province_map(
            values,
            ax=ax,
            cmap=_centred(cmap, vmin, vmax),
            vmin=vmin,
            vmax=vmax,
            label="局部系数 local β",
            title=labels.get(term, term) if labels else str(term),
        )
        ax.title.set_fontsize(9)
    if local_r2 is not None:
        province_map(
            pd.Series(pd.to_numeric(local_r2).to_numpy(dtype=float), index=local_r2.index),
            ax=axes[len(terms)],
            cmap="YlGnBu",
            label="局部 R² local R²",
            title="局部拟合优度 Local R²",
        )
        axes[len(terms)].title.set_fontsize(9)
    for ax in axes[panels:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def _centred(cmap: Any, vmin: float, vmax: float) -> Any:
    """A colormap whose white midpoint sits at 0 on the scale ``[vmin, vmax]``."""
    from matplotlib.colors import ListedColormap

    if not vmin < 0 < vmax or np.isclose(-vmin, vmax):
        if vmin >= 0:
            return ListedColormap(cmap(np.linspace(0.5, 1.0, 256)))
        if vmax <= 0:
            return ListedColormap(cmap(np.linspace(0.0, 0.5, 256)))
        return cmap
    norm = TwoSlopeNorm(0.0, vmin, vmax)
    grid = np.linspace(vmin, vmax, 256)
    return ListedColormap(cmap(norm(grid)))
