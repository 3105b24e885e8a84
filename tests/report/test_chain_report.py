"""The innovation-chain section: its figures draw, its page holds the means and the notes."""

import pytest
from matplotlib import pyplot as plt

from nqpf.report.pages import write_study_page
from nqpf.report.plots import PLOTS, draw
from nqpf.studies import chain_study


@pytest.fixture(scope="module")
def study():
    return chain_study()


def test_the_scatter_has_quadrant_lines_at_the_means(study):
    spec = study.figures()["scatter"]
    assert spec.plot in PLOTS and study.figures()["map"].plot in PLOTS
    fig = draw(spec)
    ax = fig.axes[0]
    latest = study.to_frame().query("year == 2022")
    assert abs(ax.lines[0].get_ydata()[0] - latest["stage2"].mean()) < 1e-12
    assert abs(ax.lines[1].get_xdata()[0] - latest["stage1"].mean()) < 1e-12
    assert len(ax.texts) == 30  # one label per province (Tibet left out)
    plt.close(fig)


@pytest.mark.slow  # draws the province map
def test_the_page_holds_both_figures_the_means_and_the_notes(study, tmp_path):
    page = write_study_page(study, tmp_path / "chain.html").read_text(encoding="utf-8")
    assert "创新链两阶段效率" in page and "Two-stage innovation-chain efficiency" in page
    assert "东北 Northeast" in page and "西藏 2016–2022" in page
    assert page.count('src="data:image/png;base64,') == 2
