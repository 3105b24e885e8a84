"""Index sections rendered from a fake result built from the documented contract."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from nqpf.errors import DataValidationError, UnknownRegionError
from nqpf.regions import name_of
from nqpf.report.html import HtmlReport
from nqpf.report.index_report import (
    _uncertainty_frames,
    add_index_sections,
    add_repair_section,
)

EXPECTED_SECTIONS = [
    "Index system and weights",
    "Rankings",
    "Trends",
    "Spatial pattern",
    "Obstacle factors",
    "Rank uncertainty",
    "Data repairs",
]


@pytest.fixture(scope="module")
def sensitivity() -> pd.DataFrame:
    return pd.DataFrame(
        {"input": ["normalization", "weighting", "aggregation"], "first_order": [0.12, 0.55, 0.2]}
    )


def _tables(page: str) -> dict[str, str]:
    """Caption → table HTML."""
    out = {}
    for match in re.finditer(r"<table><caption>(.*?)</caption>(.*?)</table>", page, re.S):
        out[match.group(1)] = match.group(2)
    return out


def test_full_report(fake_result, fake_uncertainty, fake_validation, sensitivity, tmp_path):
    report = HtmlReport("新质生产力测度", "NQPF measurement")
    returned = add_index_sections(
        report, fake_result, fake_uncertainty, fake_validation, sensitivity=sensitivity
    )
    assert returned is report
    assert [en for _, en in report.section_titles] == EXPECTED_SECTIONS
    page = report.render()
    assert "<script>" not in page and "&lt;test system&gt;" in page
    # weights, trends, map, obstacles, rank intervals
    assert page.count('src="data:image/png;base64,') == 5
    path = report.write(tmp_path / "report.html")
    assert path.stat().st_size < 8 * 1024 * 1024

    tables = _tables(page)
    latest = fake_result.scores[fake_result.scores.year == 2022].sort_values("rank")
    best, worst_code = latest.iloc[0], int(latest.iloc[-1].region_code)
    scores_table = tables["表 3 Table 3. 2022 年得分 Scores, 2022"]
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", scores_table).group(1)
    assert name_of(int(best.region_code), "short") in first_row
    assert f"{best.score:.4f}" in first_row

    wide = tables["表 4 Table 4. 历年排名 Ranks by year, 2020–2022"]
    assert re.findall(r'<th scope="col" class="num">(\d{4})</th>', wide) == ["2020", "2021", "2022"]
    assert wide.count("<tr>") == 31 + 1

    # obstacles of the five lowest-ranked regions, weakest first, five factors at most each
    obstacle_table = tables["表 6 Table 6. 指标层障碍因子 Indicator-level obstacles"]
    weakest = latest.sort_values("rank", ascending=False).region_code.head(5).tolist()
    rows = re.findall(r"<tr><td>(.*?)</td>", obstacle_table)
    assert list(dict.fromkeys(rows)) == [name_of(c, "short") for c in weakest]
    assert len(rows) == 5 * 4  # only 4 indicators in the fake system
    obstacles = fake_result.obstacles
    worst_obstacles = obstacles[
        (obstacles.year == 2022)
        & (obstacles.level == "indicator")
        & (obstacles.region_code == worst_code)
    ].sort_values("obstacle_pct", ascending=False)
    top = worst_obstacles.iloc[0]
    assert f"{top.obstacle_pct:.2f}" in obstacle_table.split("</tr>")[1]

    assert "一阶敏感度 First-order index" in page and "0.5500" in page
    repairs = tables["表 11 Table 11. 记录明细 Issues"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in repairs and "江两" in repairs


def test_without_optional_parts(fake_result):
    report = add_index_sections(HtmlReport("t", "t"), fake_result)
    titles = [en for _, en in report.section_titles]
    assert "Rank uncertainty" not in titles and titles[-1] == "Data repairs"
    assert "No validation report was supplied" in report.render()


def test_repairs_can_come_last_after_other_sections(fake_result, fake_validation):
    report = add_index_sections(HtmlReport("t", "t"), fake_result, repairs=False)
    titles = [en for _, en in report.section_titles]
    assert "Data repairs" not in titles
    report.section("其他", "Later section")
    assert add_repair_section(report, fake_validation) is report
    titles = [en for _, en in report.section_titles]
    assert titles[-2:] == ["Later section", "Data repairs"]
    page = report.render()
    assert page.count("数据修复报告") == 2  # heading and table of contents
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_uncertainty_object_with_ranks_and_sensitivity(fake_result, fake_uncertainty, sensitivity):
    holder = SimpleNamespace(ranks=fake_uncertainty, sensitivity=sensitivity)
    page = add_index_sections(HtmlReport("t", "t"), fake_result, holder).render()
    assert "排名对各构建选择的敏感度" in page


def test_empty_obstacles_are_stated(fake_result):
    result = SimpleNamespace(**{**fake_result.__dict__, "obstacles": pd.DataFrame()})
    page = add_index_sections(HtmlReport("t", "t"), result).render()
    assert "The result has no obstacle degrees." in page


def test_bad_result_raises(fake_result):
    broken = SimpleNamespace(
        **{**fake_result.__dict__, "scores": fake_result.scores.drop(columns="rank")}
    )
    with pytest.raises(DataValidationError, match="rank"):
        add_index_sections(HtmlReport("t", "t"), broken)
    unknown = SimpleNamespace(
        **{**fake_result.__dict__, "scores": fake_result.scores.replace({110000: 990000})}
    )
    with pytest.raises(UnknownRegionError, match="990000"):
        add_index_sections(HtmlReport("t", "t"), unknown)
    with pytest.raises(DataValidationError, match="p95"):
        add_index_sections(
            HtmlReport("t", "t"),
            fake_result,
            pd.DataFrame({"region_code": [110000], "nominal": [1]}),
        )


def test_rank_intervals_accepted_in_long_and_suffixed_layouts(fake_uncertainty):
    suffixed = fake_uncertainty.rename(
        columns={
            "nominal": "nominal_rank",
            "median": "median_rank",
            "p05": "p05_rank",
            "p95": "p95_rank",
        }
    )
    long = suffixed.melt(id_vars=["region_code", "year"], var_name="statistic")
    sensitivity = pd.DataFrame(
        {"first_order": [0.3], "total_order": [0.4]}, index=pd.Index(["weighting"])
    )
    columns = ["region_code", "year", "nominal", "median", "p05", "p95"]
    expected = fake_uncertainty[columns].sort_values("region_code").reset_index(drop=True)
    for frame in (fake_uncertainty, suffixed, long):
        ranks, sens = _uncertainty_frames(frame, sensitivity)
        got = ranks[columns].sort_values("region_code").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        assert sens.to_dict("list") == {
            "input": ["weighting"],
            "first_order": [0.3],
            "total_order": [0.4],
        }
