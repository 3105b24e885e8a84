"""Regional-differences report sections, figures and sheets on the bundled real data."""

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from nqpf.data import load_province_panel
from nqpf.data.export import write_excel
from nqpf.errors import DataValidationError
from nqpf.index import compute_index
from nqpf.report import disparity_figures as figs
from nqpf.report.disparity_report import (
    SECTION_TITLES,
    add_disparity_sections,
    spatial_beta_table,
)
from nqpf.report.html import HtmlReport
from nqpf.studies import NATIONAL, disparity_study


@pytest.fixture(scope="module")
def index_result():
    return compute_index(load_province_panel())


@pytest.fixture(scope="module")
def study(index_result):
    return disparity_study(index_result, bootstrap=19, seed=1, grid=64)


@pytest.fixture(scope="module")
def page(study) -> str:
    report = HtmlReport("区域差异", "Regional differences", dpi=40)
    assert add_disparity_sections(report, study) is report
    return report.render()


def test_dagum_total_equals_the_gini_of_the_31_scores(index_result, study):
    scores = index_result.scores.query("year == 2022").score.tolist()
    n = len(scores)
    mu = sum(scores) / n
    gini = sum(abs(a - b) for a in scores for b in scores) / (2 * n * n * mu)
    comps = study.dagum.components()
    assert n == 31
    assert comps.loc[2022, "total"] == pytest.approx(gini, rel=1e-12)
    parts = comps.loc[2022, ["within", "between", "transvariation"]].sum()
    assert parts == pytest.approx(gini, rel=1e-12)


def test_sections_render_as_self_contained_html(study, page, parse_html):
    checker = parse_html(page)
    assert all(u.startswith(("data:image/png;base64,", "#")) for u in checker.urls)
    assert "http://" not in page and "https://" not in page and "url(" not in page
    for zh, en in SECTION_TITLES:
        assert zh in page and en in page
    # contributions, group Ginis, Theil, 3-D surface, ridges, σ, classical and spatial Markov
    assert page.count('src="data:image/png;base64,') == 8
    assert "460000" in page  # Hainan's contiguity repair is reported
    captions = re.findall(r"<caption>(.*?)</caption>", page)
    assert any("Dagum Gini decomposition" in c for c in captions)
    assert any("β- and club convergence" in c for c in captions)
    assert any("Spatial-lag class 4" in c for c in captions)
    assert sum("Homogeneity" in c or "homogeneity" in c for c in captions) == 2


def test_beta_table_shows_half_life_and_clubs(page, study):
    table = re.search(r"β- and club convergence</caption>(.*?)</table>", page, re.S).group(1)
    assert "半衰期 Half-life" in table and "收敛速度 Speed λ" in table
    for group in study.groups:
        assert group in table
    assert f"{study.beta.half_life:.4f}" in table


def test_tables_go_to_the_workbook(study, tmp_path):
    tables = study.tables()
    assert list(tables) == [
        "disparity",
        "dagum",
        "theil",
        "convergence",
        "markov",
        "rank_mobility",
        "density",
    ]
    path = write_excel(tables, tmp_path / "t.xlsx")
    back = pd.read_excel(path, sheet_name="dagum")
    assert len(back) == len(tables["dagum"])
    total = back.query("year == 2022 and component == 'total'").value.iloc[0]
    assert total == pytest.approx(study.dagum.components().loc[2022, "total"], rel=1e-12)


def test_figures_from_the_study(study):
    dagum = study.dagum_frame()
    density = study.density_frame()
    fig = figs.density_surface(density, NATIONAL)
    assert isinstance(fig, Figure) and fig.axes[0].name == "3d"
    ridges = figs.density_ridges(density, [NATIONAL, *study.groups])
    assert [ax.get_title() for ax in ridges.axes if ax.get_visible()] == [NATIONAL, *study.groups]
    sm = study.spatial_markov
    lags = list(sm.steady_states.index)
    heat = figs.transition_heatmaps({f"lag {lag}": sm.matrix(lag) for lag in lags})
    assert len([ax for ax in heat.axes if ax.get_visible()]) == len(lags) + 1  # + colour bar
    ginis = figs.dagum_group_ginis(dagum, study.groups)
    assert len(ginis.axes[1].lines) == 6  # 4 groups → 6 pairs
    assert len(figs.sigma_lines(study.sigma_frame(), study.groups).axes[0].lines) == 5


def test_figure_inputs_are_checked():
    with pytest.raises(DataValidationError, match="lacks component"):
        figs.dagum_contributions(pd.DataFrame({"year": [1], "component": ["total"], "value": [1]}))
    grouped = pd.DataFrame({"year": [1, 1], "group": ["a", "a"], "x": [0, 1], "density": [1, 2]})
    with pytest.raises(DataValidationError, match="pass group="):
        figs.density_surface(grouped)
    with pytest.raises(DataValidationError, match="'b' is not in"):
        figs.density_surface(grouped, "b")
    with pytest.raises(DataValidationError, match="none of the groups"):
        figs.density_ridges(grouped, ["z"])
    with pytest.raises(DataValidationError, match="square"):
        figs.transition_heatmaps({"x": pd.DataFrame(np.ones((2, 3)))})
    with pytest.raises(DataValidationError, match="no transition matrix"):
        figs.transition_heatmaps({})
    with pytest.raises(DataValidationError, match="lacks column"):
        figs.sigma_lines(pd.DataFrame({"scope": ["a"], "year": [1], "cv": [0.1]}))
    with pytest.raises(DataValidationError, match="no within/between"):
        figs.theil_decomposition(
            pd.DataFrame({"year": [1], "kind": ["T"], "component": ["total"], "value": [1.0]})
        )


def test_spatial_beta_block_in_the_convergence_section(page, study):
    sb = study.spatial_beta
    assert sb is not None  # the provinces get queen-contiguity weights by default
    match = re.search(
        r"<caption>([^<]*空间β收敛 Spatial β-convergence[^<]*)</caption>(.*?)</table>", page, re.S
    )
    assert match, "no spatial β table"
    caption, table = match.groups()
    assert "SDM" in caption and "twoway" in caption and "31 regions" in caption
    for label in ("β (ln y_t)", "θ (W·ln y_t)", "ρ (W·g)", "直接效应 Direct", "总效应 Total"):
        assert label in table
    assert f"{sb.beta:.4f}" in table and f"{sb.half_life:.4f}" in table
    assert f"{sb.half_life_direct:.4f}" in table
    # the block follows the β table inside the convergence section
    assert page.index("β- and club convergence") < page.index(caption) < page.index("Class bounds")
    sheet = study.tables()["convergence"]
    rows = sheet[sheet.analysis == "spatial_beta"].set_index(["term", "statistic"]).value
    assert rows[("ln_y", "estimate")] == sb.beta
    frame = spatial_beta_table(study)
    assert frame.iloc[0, 1] == sb.beta and frame.shape == (6, 6)


def test_group_gini_figure_with_many_groups_has_no_layout_warning():
    # 31 groups give 465 pairs: the panels carry a line count instead of a legend
    from nqpf.report.disparity_figures import dagum_group_ginis

    groups = [f"g{i:02d}" for i in range(31)]
    rows = [(y, "group_gini", g, None, 0.1) for y in (2020, 2021) for g in groups]
    rows += [
        (y, "between_gini", a, b, 0.2)
        for y in (2020, 2021)
        for i, a in enumerate(groups)
        for b in groups[i + 1 :]
    ]
    frame = pd.DataFrame(rows, columns=["year", "component", "group", "other_group", "value"])
    fig = dagum_group_ginis(frame)
    fig.canvas.draw()  # warnings are errors: a failed constrained layout would raise here
    left, right = fig.axes[:2]
    assert left.get_legend() is None and len(right.lines) == 465
