"""Every study's declared figures can be drawn, and every registered study has report sections."""

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from nqpf.data import load_province_panel
from nqpf.index import compute_index
from nqpf.report.pages import SECTIONS, write_study_page
from nqpf.report.plots import PLOTS, draw
from nqpf.studies import (
    STUDIES,
    FigureSpec,
    coupling_study,
    disparity_study,
    index_study,
    spatial_study,
)


@pytest.fixture(scope="module")
def index_result():
    return compute_index(load_province_panel())


def test_every_registered_study_has_report_sections():
    assert [s.key for s in STUDIES] == [
        "index",
        "disparity",
        "spatial",
        "coupling",
        "efficiency",
        "chain",
        "drivers",
        "network",
        "city",
        "scales",
        "scenario",
    ]
    assert {s.key for s in STUDIES} <= set(SECTIONS)


def _check_draws(figures: dict[str, FigureSpec]) -> None:
    assert figures
    for name, spec in figures.items():
        assert spec.plot in PLOTS, name
        fig = draw(spec)
        assert isinstance(fig, Figure) and fig.axes, name
        plt.close(fig)


def test_disparity_figures_draw_and_the_page_is_written(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "region_code": np.repeat(np.arange(12), 4),
            "year": np.tile([2019, 2020, 2021, 2022], 12),
            "zone": np.repeat(list("abc"), 16),
            "y": rng.uniform(1, 2, 48),
        }
    )
    study = disparity_study(df, "y", "zone", w=False, bootstrap=0, grid=16)
    figures = study.figures()
    assert "spatial_markov" not in figures  # not computed without weights
    _check_draws(figures)
    page = write_study_page(study, tmp_path / "d.html").read_text(encoding="utf-8")
    assert "区域差异及其动态演进" in page and "分组 groups: a, b, c" in page


def test_spatial_and_index_figures_draw(index_result):
    _check_draws(spatial_study(index_result, permutations=0).figures())
    study = index_study(load_province_panel(), runs=20, seed=0)
    figures = study.figures()
    assert list(figures) == ["weights", "trends", "map", "obstacles", "rank_intervals"]
    _check_draws(figures)


def test_draw_names_an_unknown_plot():
    with pytest.raises(KeyError, match="no drawing function 'pie'"):
        draw(FigureSpec("c", "pie", None))


def test_coupling_figures_draw_and_the_page_is_written(index_result, tmp_path):
    study = coupling_study(index_result)
    _check_draws(study.figures())
    page = write_study_page(study, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "三要素耦合协调" in page and "Grade transitions" in page
