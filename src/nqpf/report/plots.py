"""Drawing the figures that studies declare.

A study's ``figures()`` returns :class:`~nqpf.studies.FigureSpec` entries naming a function of
:data:`PLOTS` with its data, options and caption; :func:`draw` turns one into a matplotlib figure
and :func:`add_figure` puts it into an :class:`~nqpf.report.html.HtmlReport`. The report, the
study pages and the workbench draw every figure this way; :func:`save_figures` writes a study's
figures as files for a journal (300-dpi PNG, SVG), in the style of :mod:`nqpf.report.style`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure

from nqpf.errors import DataValidationError
from nqpf.report import (
    disparity_figures,
    efficiency_figures,
    figures,
    maps,
    network_figures,
    scales_figures,
    spatial_figures,
)
from nqpf.report._common import save_figure
from nqpf.report.html import HtmlReport
from nqpf.report.scenario_figures import scenario_intervals, scenario_series
from nqpf.studies.base import FigureSpec

__all__ = ["FIGURE_FORMATS", "PLOTS", "add_figure", "draw", "save_figures"]

#: File formats of :func:`save_figures`.
FIGURE_FORMATS = ("png", "svg", "pdf")
# text as outlines in SVG, embedded TrueType in PDF; fixed SVG ids so a rerun gives the same file
_VECTOR_RC: dict[Any, Any] = {"svg.fonttype": "path", "svg.hashsalt": "nqpf", "pdf.fonttype": 42}
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

#: Name → drawing function (first argument: the spec's ``data``; keywords: its ``options``).
PLOTS: dict[str, Callable[..., Figure]] = {
    "dagum_contributions": disparity_figures.dagum_contributions,
    "dagum_group_ginis": disparity_figures.dagum_group_ginis,
    "theil_decomposition": disparity_figures.theil_decomposition,
    "density_surface": disparity_figures.density_surface,
    "density_ridges": disparity_figures.density_ridges,
    "sigma_lines": disparity_figures.sigma_lines,
    "transition_heatmaps": disparity_figures.transition_heatmaps,
    "moran_lines": spatial_figures.moran_lines,
    "moran_scatter": spatial_figures.moran_scatter,
    "lisa_map": spatial_figures.lisa_map,
    "hotspot_map": spatial_figures.hotspot_map,
    "effects_plot": spatial_figures.effects_plot,
    "geodetector_bars": spatial_figures.geodetector_bars,
    "interaction_heatmap": spatial_figures.interaction_heatmap,
    "gwr_coefficient_maps": spatial_figures.gwr_coefficient_maps,
    "weights_bar": figures.weights_bar,
    "trend_lines": figures.trend_lines,
    "obstacle_bars": figures.obstacle_bars,
    "rank_intervals": figures.rank_intervals,
    "province_map": maps.province_map,
    "city_map": maps.city_map,
    "flow_map": network_figures.flow_map,
    "fit_scatter": network_figures.fit_scatter,
    "coreness_bars": network_figures.coreness_bars,
    "resilience_curves": network_figures.resilience_curves,
    "agglomeration_shares": scales_figures.agglomeration_shares,
    "scenario_intervals": scenario_intervals,
    "scenario_series": scenario_series,
    "productivity_lines": efficiency_figures.productivity_lines,
    "quadrant_scatter": figures.quadrant_scatter,
}


def draw(spec: FigureSpec, **overrides: Any) -> Figure:
    """The matplotlib figure of ``spec`` (``overrides`` replace options, e.g. an axis label)."""
    try:
        plot = PLOTS[spec.plot]
    except KeyError:
        raise KeyError(f"no drawing function {spec.plot!r}; known: {sorted(PLOTS)}") from None
    return plot(spec.data, **{**spec.options, **overrides})


def add_figure(report: HtmlReport, spec: FigureSpec, **overrides: Any) -> HtmlReport:
    """Draw ``spec`` into ``report`` with its caption."""
    return report.figure(draw(spec, **overrides), caption=spec.caption)


def save_figures(
    study: Any,
    folder: str | Path,
    formats: Iterable[str] = ("png", "svg"),
    dpi: int = 300,
) -> list[Path]:
    """Write every figure of ``study`` (its ``figures()``) as ``<name>.<format>`` in ``folder``.

    PNG is written at ``dpi`` dots per inch (300 by default, what most journals ask for); SVG
    and PDF are vector files. SVG text is stored as outlines (``svg.fonttype = "path"``), so
    the Chinese labels look the same on a computer without the CJK font, at the cost of text
    that cannot be edited or searched; PDF embeds the font (TrueType). Figures are cropped to
    their drawn content with a 0.05-inch margin. Returns the paths written, figure by figure in
    the study's order and format by format in the order given.

    Raises
    ------
    DataValidationError
        For an unknown format, ``dpi`` below 72, or a figure name that is not a safe file name.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from nqpf.studies.base import FigureSpec
    >>> class Demo:  # synthetic: any object with figures() works
    ...     def figures(self):
    ...         data = pd.DataFrame({"indicator": ["a", "b"], "dimension": ["维度 D", "维度 D"],
    ...                              "weight": [0.6, 0.4]})
    ...         return {"weights": FigureSpec("指标权重 Weights", "weights_bar", data)}
    >>> [p.name for p in save_figures(Demo(), tempfile.mkdtemp(), dpi=100)]
    ['weights.png', 'weights.svg']
    """
    chosen = [str(f).lower().lstrip(".") for f in formats]
    unknown = [f for f in chosen if f not in FIGURE_FORMATS]
    if unknown or not chosen:
        raise DataValidationError(
            f"figure format {unknown[0] if unknown else None!r} is not one of {FIGURE_FORMATS}"
        )
    if dpi < 72:
        raise DataValidationError(f"dpi must be at least 72, got {dpi}")
    specs: dict[str, FigureSpec] = study.figures()
    for name in specs:
        if not _SAFE_NAME.fullmatch(name):
            raise DataValidationError(f"figure name {name!r} is not a safe file name")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, spec in specs.items():
        fig = draw(spec)
        for fmt in dict.fromkeys(chosen):
            path = target / f"{name}.{fmt}"
            with rc_context(_VECTOR_RC):
                save_figure(
                    fig,
                    path,
                    format=fmt,
                    dpi=dpi,
                    bbox_inches="tight",
                    pad_inches=0.05,
                    metadata={"Software": "nqpf"}
                    if fmt == "png"
                    else {"Creator": "nqpf", "Date": None},
                )
            written.append(path)
    return written
