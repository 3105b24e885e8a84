"""Efficiency figures and report section, on a small synthetic panel (labelled synthetic)."""

import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from nqpf.panel import Panel
from nqpf.report.efficiency_figures import productivity_lines
from nqpf.report.efficiency_report import EFFICIENCY_SECTION_TITLE
from nqpf.report.pages import SECTIONS, write_study_page
from nqpf.report.plots import PLOTS, draw
from nqpf.studies import efficiency_study

# synthetic provinces of the four macro-regions
NAMES = ["北京", "上海", "山西", "重庆", "辽宁"]


@pytest.fixture(scope="module")
def study():
    rows = []
    for i, name in enumerate(NAMES):
        for t, year in enumerate(range(2001, 2005)):
            rows += [
                (name, year, "K", 10.0 + 2 * i + t),
                (name, year, "L", 5.0 + i),
                (name, year, "Y", 20.0 + 3 * i + (t + 1) * (i % 3 + 1)),
                (name, year, "CO2", 8.0 - 0.3 * t + (i % 2)),
            ]
    frame = pd.DataFrame(rows, columns=["region", "year", "indicator", "value"])
    return efficiency_study(
        Panel.from_long(frame), inputs=["K", "L"], outputs=["Y"], undesirable=["CO2"]
    )


def test_every_figure_draws_and_the_page_has_the_section(study, tmp_path):
    assert "efficiency" in SECTIONS
    figures = study.figures()
    assert set(figures) == {"tfp_lines", "green_tfp_lines", "green_tfp_map"}
    for name, spec in figures.items():
        assert spec.plot in PLOTS, name
        if name == "green_tfp_map":
            continue  # the page below draws the map (slow)
        fig = draw(spec)
        assert isinstance(fig, Figure) and fig.axes, name
        plt.close(fig)
    page = write_study_page(study, tmp_path / "efficiency.html").read_text(encoding="utf-8")
    zh, en = EFFICIENCY_SECTION_TITLE
    assert zh in page and en in page
    assert "东北 Northeast" in page and "EC × BPC" in page and "user&#x27;s panel" in page


def test_productivity_lines_one_line_per_group_in_each_panel(study):
    means = study.means()
    tfp = means[means.measure == "tfp"]
    fig = productivity_lines(tfp, parts=("TFP", "EC", "TC"))
    assert [ax.get_title() for ax in fig.axes] == [
        "累计 Cumulative TFP",
        "累计 Cumulative EC",
        "累计 Cumulative TC",
    ]
    # five groups (nation + 4 macro-regions) plus the reference line at 1
    assert all(len(ax.get_lines()) == 5 + 1 for ax in fig.axes)
    first = fig.axes[0].get_lines()[0]
    assert list(first.get_ydata())[0] == 1.0
    plt.close(fig)
