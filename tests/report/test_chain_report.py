"""The innovation-chain section: its figures draw, its page holds the means and the notes."""

from matplotlib import pyplot as plt

from nqpf.report.pages import write_study_page
from nqpf.report.plots import PLOTS, draw
from nqpf.studies import chain_study


def test_chain_figures_draw_and_the_page_is_written(tmp_path):
    study = chain_study()
    for name, spec in study.figures().items():
        assert spec.plot in PLOTS, name
        fig = draw(spec)
        assert fig.axes, name
        plt.close(fig)
    scatter = draw(study.figures()["scatter"])
    ax = scatter.axes[0]
    latest = study.to_frame().query("year == 2022")
    # the quadrant lines cross at the mean stage efficiencies of the latest year
    assert abs(ax.lines[0].get_ydata()[0] - latest["stage2"].mean()) < 1e-12
    assert abs(ax.lines[1].get_xdata()[0] - latest["stage1"].mean()) < 1e-12
    assert len(ax.texts) == 30
    plt.close(scatter)
    page = write_study_page(study, tmp_path / "chain.html").read_text(encoding="utf-8")
    assert "创新链两阶段效率" in page and "Two-stage innovation-chain efficiency" in page
    assert "东北 Northeast" in page and "西藏 2016–2022" in page
    assert page.count('src="data:image/png;base64,') == 2
