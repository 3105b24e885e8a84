"""Network figures and report sections: what is drawn, where legends go, what pages say."""

import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from nqpf.errors import DataValidationError
from nqpf.report.network_figures import coreness_bars, fit_scatter, flow_map, resilience_curves
from nqpf.report.network_report import NETWORK_SECTION_TITLES
from nqpf.report.pages import SECTIONS, write_study_page
from nqpf.report.plots import PLOTS, draw
from nqpf.studies.network import network_study


@pytest.fixture(scope="module")
def study():
    scores = pd.DataFrame(
        {"region_code": [110000, 310000, 440000], "year": [2018] * 3, "score": [0.8, 0.7, 0.6]}
    )
    return network_study(scores, resilience_replicates=3)


def test_every_network_figure_draws_and_the_page_names_estimates(study, tmp_path):
    assert "network" in SECTIONS
    figures = study.figures()
    assert set(figures) == {"flow_map", "community_map", "core_periphery", "resilience", "city_fit"}
    for name, spec in figures.items():
        assert spec.plot in PLOTS, name
        fig = draw(spec)
        assert isinstance(fig, Figure) and fig.axes, name
        plt.close(fig)
    page = write_study_page(study, tmp_path / "network.html").read_text(encoding="utf-8")
    for zh, en in NETWORK_SECTION_TITLES:
        assert zh in page and en in page
    assert "ESTIMATED" in page and "Spearman" in page


def test_flow_map_draws_the_top_flows_as_curves_with_the_legend_below_the_map():
    edges = pd.DataFrame(
        {
            "origin": [110000, 310000, 440000, 510000],
            "destination": [310000, 440000, 110000, 110000],
            "flow": [9.0, 4.0, 2.0, 1.0],
        }
    )
    fig = flow_map(edges, top=3, label="流量 Flow")
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 3
    assert all(type(a.get_connectionstyle()).__name__ == "Arc3" for a in arrows)
    widths = sorted(a.get_linewidth() for a in arrows)
    assert widths[0] < widths[-1]
    assert any(c.get_label() == "south_china_sea_inset" for c in ax.child_axes)
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent()
    assert legend.y1 <= ax.get_window_extent().y0 + 1  # below the map, not on the data
    plt.close(fig)
    with pytest.raises(DataValidationError, match="no positive flow"):
        flow_map(edges.assign(flow=0.0))


def test_fit_scatter_titles_carry_rho_and_axes_are_log():
    scatter = pd.DataFrame({"modelled": [1.0, 10.0, 100.0], "a": [3.0, 20.0, 500.0]})
    fit = pd.DataFrame({"network": ["a"], "n": [3], "spearman": [1.0], "pearson_log": [0.98]})
    fig = fit_scatter(scatter, fit=fit)
    ax = fig.axes[0]
    assert "ρ = 1.000" in ax.get_title() and ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(fig)


def test_coreness_bars_put_the_core_on_top_and_reject_unknown_tiers():
    nodes = pd.DataFrame(
        {"node": [1, 2, 3], "coreness": [0.2, 1.0, 0.5], "tier": ["periphery", "core", "core"]}
    )
    fig = coreness_bars(nodes)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "2" and labels[0] == "1"
    plt.close(fig)
    with pytest.raises(DataValidationError, match="tier"):
        coreness_bars(nodes.assign(tier="middle"))


def test_resilience_legend_gives_r_per_strategy():
    curves = pd.DataFrame(
        {
            "strategy": ["degree"] * 3 + ["random"] * 3,
            "fraction_removed": [0.0, 0.5, 1.0] * 2,
            "largest_component": [1.0, 0.3, 0.0, 1.0, 0.6, 0.0],
            "efficiency": [0.5, 0.1, 0.0, 0.5, 0.3, 0.0],
        }
    )
    fig = resilience_curves(curves, robustness={"degree": 0.25, "random": 0.4})
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["度 Degree (R = 0.250)", "随机 Random (R = 0.400)"]
    plt.close(fig)


def test_network_structure_section_shows_the_qap_tables(tmp_path):
    labels = list("ABCDE")  # not registry codes: no maps to draw, no distance predictor
    scores = pd.DataFrame(
        {"region_code": labels, "year": [2020] * 5, "score": [0.9, 0.8, 0.6, 0.5, 0.55]}
    )
    cells = [(o, d, i, j) for i, o in enumerate(labels) for j, d in enumerate(labels) if o != d]
    od = pd.DataFrame(
        [(o, d, float(1 + (3 * i + 5 * j) % 7)) for o, d, i, j in cells],
        columns=["origin", "destination", "flow"],
    )
    study = network_study(scores, flows=od, resilience_replicates=2, qap_permutations=19)
    page = write_study_page(study, tmp_path / "network.html").read_text(encoding="utf-8")
    assert "QAP 相关分析 QAP correlations with ln(1 + 流量 flow) (19 permutations)" in page
    assert "QAP 回归 MRQAP regression of ln(1 + 流量 flow) (double semi-partialling, 19" in page
    assert f"R² = {study.mrqap.r_squared:.3f}" in page
    assert "标准化系数 Standardised" in page and "得分差异 NQPF score difference" in page
    assert "Distance left out" in page
