"""Drawing the figures that studies declare.

A study's ``figures()`` returns :class:`~nqpf.studies.FigureSpec` entries naming a function of
:data:`PLOTS` with its data, options and caption; :func:`draw` turns one into a matplotlib figure
and :func:`add_figure` puts it into an :class:`~nqpf.report.html.HtmlReport`. The report, the
study pages and the workbench draw every figure this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from nqpf.report import (
    disparity_figures,
    efficiency_figures,
    figures,
    maps,
    network_figures,
    scales_figures,
    spatial_figures,
)
from nqpf.report.html import HtmlReport
from nqpf.report.scenario_figures import scenario_intervals, scenario_series
from nqpf.studies.base import FigureSpec

__all__ = ["PLOTS", "add_figure", "draw"]

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
