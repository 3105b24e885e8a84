"""The city panel: values equal the raw source rows, every merge decision is reported."""

import pandas as pd
import pytest

from nqpf import regions
from nqpf.data import load_city_panel

PREFECTURE = ("prefecture_panel_gpi_components_2006_2018", "prefecture_components_long.csv.gz")
CO2 = ("ceads_co2_emissions_1997_2019", "city_co2_total.csv.gz")
PROVINCE_CO2 = ("ceads_co2_emissions_1997_2019", "province_co2_total.csv.gz")
CONNECTIVITY = (
    "city_innovation_connectivity_2016_2017",
    "cn_city_innovation_connectivity.csv.gz",
)


@pytest.fixture(scope="module")
def panel():
    return load_city_panel()


@pytest.fixture(scope="module")
def wide(panel):
    return panel.wide()


@pytest.fixture(scope="module")
def issues(panel):
    return panel.report.to_frame()


def _raw(raw, source):
    return pd.DataFrame(raw(*source))


def test_prefecture_values_equal_the_raw_rows(raw, wide):
    rows = _raw(raw, PREFECTURE)
    for name, code in [("深圳", 440300), ("安庆", 340800), ("兰州", 620100)]:
        for indicator, source in [
            ("average_wage", "average_wage"),
            ("population", "population_total"),
            ("public_exp_education", "public_exp_education_local"),
            ("gdp_real_1997", "gdp_1997_prices"),
        ]:
            row = rows[
                (rows.prefecture_zh == name) & (rows.year == "2016") & (rows.indicator == source)
            ]
            assert len(row) == 1
            assert wide.loc[(code, 2016), indicator] == pytest.approx(float(row.value.item()))


def test_co2_values_equal_the_raw_rows_under_repaired_names(raw, wide):
    rows = _raw(raw, CO2).set_index("ID")
    # province-prefixed source names resolve to the registry codes
    for name, code, year in [
        ("广东深圳", 440300, 2016),
        ("云南大理", 532900, 2018),
        ("吉林吉林", 220200, 2016),
    ]:
        assert wide.loc[(code, year), "co2_emissions"] == pytest.approx(
            float(rows.loc[f"{name}{year}", "emission"])
        )


def test_co2_is_in_megatonnes_like_the_province_totals_in_tonnes(raw, panel, wide):
    # the province file is in tonnes: 1 Mt = 1e6 t, so Guangdong's city sum in Mt
    # must be of the order of its province total / 1e6 (cities do not cover everything)
    assert panel.units["co2_emissions"] == "Mt"
    province = _raw(raw, PROVINCE_CO2)
    row = province[(province.actor_id == "CN-GD") & (province.year == "2016")]
    total_mt = float(row.total_emissions.item()) / 1e6
    cities = wide.xs(2016, level="year")["co2_emissions"]
    guangdong = cities[[c // 10000 == 44 for c in cities.index]].sum()
    assert 0.5 < guangdong / total_mt < 1.5


def test_cross_section_values_equal_the_raw_rows(raw, wide):
    rows = _raw(raw, CONNECTIVITY).set_index("cityId")
    for code in (440300, 330100, 110100):
        source = rows.loc[str(code)]
        assert wide.loc[(code, 2016), "patents"] == float(source.Patent)
        assert wide.loc[(code, 2016), "kibs_share"] == pytest.approx(float(source.Employ_pct))


def test_no_city_year_indicator_twice_and_all_codes_in_the_registry(panel):
    data = panel.data
    assert not data.duplicated(["region_code", "year", "indicator"]).any()
    assert set(data.region_code) <= set(regions.cities().index)
    assert panel.level == "city"


def test_every_repair_and_merge_decision_is_reported(issues):
    kinds = set(issues.kind)
    # loader repairs carried over: province-prefixed names, abolished units, homonyms
    assert {"name_split", "abolished_unit", "homonym", "code_mapping"} <= kinds
    messages = " ".join(issues.message)
    assert "云南大理" in messages and "吉林吉林" in messages
    assert "巢湖" in messages and "莱芜" in messages
    # merge decisions: years kept, cross-section year, imputed values, coverage per source
    assert {"years", "year_aligned", "imputed", "coverage"} <= kinds
    coverage = issues[issues.kind == "coverage"].message
    for source in (PREFECTURE[0], CO2[0], CONNECTIVITY[0], "census_city_population_2010_2020"):
        assert coverage.str.startswith(source).any(), source
    imputed = issues[issues.kind == "imputed"].message
    assert imputed.str.contains("imputed").all() and len(imputed) >= 2


def test_unbalanced_years_are_stated(panel, issues):
    years = panel.data.groupby("indicator")["year"].agg(["min", "max"])
    assert tuple(years.loc["average_wage"]) == (2006, 2018)
    assert tuple(years.loc["census_population"]) == (2010, 2020)
    assert tuple(years.loc["patents"]) == (2016, 2016)
    prefecture = issues[(issues.kind == "coverage") & issues.message.str.startswith(PREFECTURE[0])]
    assert "2006 286" in prefecture.message.item() and "北京" in prefecture.message.item()
