"""The scales study on the bundled data: concentration and aggregates against direct pandas
computations from the loaders, membership status in notes, user memberships, report section.

Data: REAL bundled datasets (census 2010/2020, prefecture panel, city connectivity, curated
agglomeration list); the small user tables below are SYNTHETIC.
"""

import numpy as np
import pandas as pd
import pytest

from nqpf.data import (
    load_city_census,
    load_city_connectivity,
    load_prefecture_components,
    load_province_panel,
    load_urban_agglomerations,
)
from nqpf.errors import DataValidationError, NqpfError, UnknownRegionError
from nqpf.paths import MISSING_AGGLOMERATIONS
from nqpf.paths.scales import ALL
from nqpf.studies import STUDIES, MainJob, scales_study


@pytest.fixture(scope="module")
def study():
    return scales_study()


@pytest.fixture(scope="module")
def census() -> pd.DataFrame:
    data = load_city_census().data
    return data[data.indicator == "census_population"]


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return load_urban_agglomerations().data


def _share(study, agglomeration, indicator, year) -> pd.Series:
    t = study.concentration_table()
    return t[(t.agglomeration == agglomeration) & (t.indicator == indicator) & (t.year == year)]


def test_census_shares_against_pandas(study, census, members):
    year = census[census.year == 2020]
    national = year.value.sum()  # every city in the data, as the table says
    for name in ("京津冀城市群", "粤港澳大湾区", "成渝城市群"):
        codes = members.loc[members.agglomeration == name, "region_code"]
        expected = 100 * year[year.region_code.isin(codes)].value.sum() / national
        row = _share(study, name, "census_population", 2020)
        assert row.share.item() == pytest.approx(expected, rel=1e-12)
    union = year[year.region_code.isin(set(members.region_code))].value.sum()
    row = _share(study, ALL, "census_population", 2020)
    assert row.share.item() == pytest.approx(100 * union / national, rel=1e-12)
    assert row.members.item() == members.region_code.nunique()


def test_gdp_and_patent_shares_against_pandas(study, members):
    panel = load_prefecture_components().data
    gdp = panel[(panel.indicator == "gdp_real_1997") & (panel.year == 2018)].dropna(
        subset=["value"]
    )
    yrd = members.loc[members.agglomeration == "长江三角洲城市群", "region_code"]
    row = _share(study, "长江三角洲城市群", "gdp_real_1997", 2018)
    expected = 100 * gdp[gdp.region_code.isin(yrd)].value.sum() / gdp.value.sum()
    assert row.share.item() == pytest.approx(expected, rel=1e-12)
    assert (row.members.item(), row.members_missing.item()) == (25, 1)  # 上海 is not in the panel
    patents = load_city_connectivity().data
    union = patents[patents.region_code.isin(set(members.region_code))].patents.sum()
    row = _share(study, ALL, "patents", 2017)
    assert row.share.item() == pytest.approx(100 * union / patents.patents.sum(), rel=1e-12)


def test_members_with_and_without_data_and_partial_members(study, members):
    jjj = _share(study, "京津冀城市群", "gdp_real_1997", 2018)
    # the prefecture panel lacks the municipalities: 北京 and 天津 are the two missing members
    assert (jjj.members.item(), jjj.members_missing.item()) == (11, 2)
    cy = members[members.agglomeration == "成渝城市群"]
    row = _share(study, "成渝城市群", "census_population", 2020)
    assert row.partial.item() == int(cy.partial_coverage.sum()) == 4
    table = study.member_table()
    beijing = table[(table.region_code == 110100)].iloc[0]
    assert bool(beijing["census_population 2020"]) and not bool(beijing["gdp_real_1997 2018"])


def test_aggregation_totals_equal_the_members_sums(study, census):
    agg = study.aggregates
    pop = census[(census.year == 2020) & (census.region_code < 810000)].dropna(subset=["value"])
    provinces = pop.groupby(pop.region_code // 10000 * 10000).value.sum()
    got = agg[(agg.scale == "province") & (agg.indicator == "census_population")]
    got = got[got.year == 2020].set_index("unit").value
    got.index = got.index.astype(int)
    pd.testing.assert_series_equal(
        got.sort_index(), provinces.sort_index(), check_names=False, rtol=1e-12
    )
    nation = agg[(agg.scale == "nation") & (agg.indicator == "census_population")]
    assert nation[nation.year == 2020].value.item() == pytest.approx(pop.value.sum(), rel=1e-12)
    macro = agg[(agg.scale == "macro_region") & (agg.indicator == "census_population")]
    assert macro[macro.year == 2020].value.sum() == pytest.approx(pop.value.sum(), rel=1e-12)


def test_gdp_per_head_is_total_gdp_over_total_population(study):
    panel = load_prefecture_components().data
    wide = panel[panel.year == 2018].pivot(index="region_code", columns="indicator", values="value")
    both = wide.dropna(subset=["gdp_real_1997", "population"])
    agg = study.aggregates
    row = agg[(agg.scale == "nation") & (agg.indicator == "gdp_per_capita")]
    expected = both.gdp_real_1997.sum() * 1e8 / (both.population.sum() * 1e4)  # 元 per person
    assert row.value.item() == pytest.approx(expected, rel=1e-12)
    assert row.how.item() == "weighted by population"


def test_status_of_the_membership_is_visible(study):
    notes = " | ".join(study.notes)
    assert "NOT checked line by line" in notes
    assert all(name in notes for name in MISSING_AGGLOMERATIONS)
    assert "lacks the 4 municipalities" in notes
    assert study.meta["verified"] is False
    statements = study.statements()
    assert len(statements) == 6  # census 2010, 2020; population, GDP, employment; patents
    assert all("3 national agglomerations missing" in s for s in statements)
    assert any("% of census population in 2020" in s for s in statements)
    assert any("% of real GDP" in s for s in statements)  # an acronym keeps its capitals
    assert set(study.tables()) == {
        "agglomeration_concentration",
        "scales_aggregates",
        "agglomeration_members",
    }
    figures = study.figures()
    assert figures["map"].plot == "city_map" and figures["map"].options["categorical"]
    bars = figures["shares"].data
    assert bars.measure.nunique() == 3 and bars.label.nunique() == 17


def test_a_user_membership_file(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("agglomeration,city\n湾区,广州\n湾区,深圳\n首都圈,北京\n", encoding="utf-8")
    values = pd.DataFrame(  # SYNTHETIC values on real city codes
        {"region_code": [440100, 440300, 110100, 140200], "year": 2020, "x": [1.0, 2.0, 3.0, 4.0]}
    )
    result = scales_study(values, values=["x"], membership=path, scales=["agglomeration"])
    shares = result.concentration_table().set_index("agglomeration").share
    assert shares.to_dict() == pytest.approx({"湾区": 30.0, "首都圈": 30.0, ALL: 60.0})
    assert result.membership.source == "members.csv"
    assert not any("NOT checked" in n for n in result.notes)


def test_membership_names_that_do_not_resolve(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("agglomeration,city\n湾区,广州\n湾区,深圳市x\n", encoding="utf-8")
    with pytest.raises(UnknownRegionError, match=r"深圳市x.*row 3.*did you mean '深圳市'"):
        scales_study(membership=path)


def test_a_city_in_two_agglomerations_unless_marked(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("agglomeration,city\n湾区,广州\n首都圈,广州\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="广州市 .* is in several agglomerations"):
        scales_study(membership=path)


def test_weighted_means_of_a_user_table_and_bad_options():
    values = pd.DataFrame(  # SYNTHETIC
        {
            "region_code": [440100, 440300, 110100],
            "year": 2020,
            "x": [1.0, 3.0, 10.0],
            "population": [1.0, 3.0, 2.0],
        }
    )
    result = scales_study(values, values=["x"], weight="population", scales=["province"])
    got = result.aggregates.set_index("unit").value
    assert got[440000] == pytest.approx((1 * 1 + 3 * 3) / 4) and got[110000] == 10.0
    assert result.concentration is None and "agglomeration_concentration" not in result.tables()
    gap = values.assign(population=[1.0, np.nan, 2.0])
    result = scales_study(gap, values=["x"], weight="population", scales=["province"])
    assert result.aggregates.set_index("unit").value[440000] == 1.0  # 深圳 has no weight
    assert "1 region-years without a population weight are left out" in " ".join(result.notes)
    with pytest.raises(DataValidationError, match="needs a 'gdp' column"):
        scales_study(values, values=["x"], weight="gdp")
    with pytest.raises(DataValidationError, match="scales must be among"):
        scales_study(values, values=["x"], scales=["county"])
    with pytest.raises(DataValidationError, match="give data= too"):
        scales_study(values=["x"])


def test_main_job_runs_it_on_the_bundled_data_only():
    entry = next(s for s in STUDIES if s.key == "scales")
    panel = load_province_panel()
    other = type(panel)(panel.data.iloc[:-1].copy(), panel.level, dict(panel.units))
    with pytest.raises(NqpfError, match="user's table"):
        entry.run(MainJob(other))
    assert "nqpf scales --data" in entry.hint


def test_report_section(study, monkeypatch):
    from nqpf.report import scales_report
    from nqpf.report.html import HtmlReport

    drawn = []
    monkeypatch.setattr(scales_report, "add_figure", lambda report, spec: drawn.append(spec))
    report = scales_report.add_scales_sections(HtmlReport("t", "t"), study)
    html = report.render()
    assert report.section_titles[0] == ("城市群与多尺度", "Urban agglomerations and scales")
    assert "Membership not verified" in html and "海峡西岸城市群" in html
    assert "城市群占全国份额（%）" in html and "成员城市数 Member cities with and without" in html
    assert "The 17 agglomerations hold" in html and "东部 East" in html
    assert [spec.plot for spec in drawn] == ["city_map", "agglomeration_shares"]
    assert np.isfinite(study.concentration_table().share).all()
