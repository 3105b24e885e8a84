"""The other loaders, the combined province panel and the catalogue.

References: the raw bundled CSVs read with the csv module, and the published figures quoted in
each dataset's SOURCE.md (NBS GDP, census totals, yearbook population).
"""

import math
from collections import Counter
from importlib.resources import files

import numpy as np
import pytest

from nqpf.data import (
    TIDY,
    Loaded,
    catalog,
    corrections,
    load_city_census,
    load_city_master,
    load_prefecture_components,
    load_province_components,
    load_province_gdp,
    load_province_panel,
    load_province_sci_tech,
    load_urban_agglomerations,
    variables,
)
from nqpf.errors import DataValidationError
from nqpf.panel import Panel

NO_LICENCE = "none stated — official statistics, attributed"


def kinds(loaded) -> Counter:
    return Counter(i.kind for i in loaded.report)


# ---------------------------------------------------------------------- GDP structure
def test_gdp_published_figures_and_national_apart(raw):
    loaded = load_province_gdp()
    cell = loaded.data.set_index(["region", "indicator", "year"]).value
    assert cell.loc[("广东省", "gdp", 2020)] == 110_760.94
    assert cell.loc[("北京市", "gdp", 2020)] == 36_102.55
    shares = [
        cell.loc[("北京市", f"share_{s}", 2020)] for s in ("primary", "secondary", "tertiary")
    ]
    assert shares == [0.3, 15.8, 83.9]
    assert "中国" not in set(loaded.data.region)
    rows = raw("province_gdp_structure_1952_2022", "province_gdp_structure.csv.gz")
    national = [r for r in rows if r["province"] == "中国"]
    assert (loaded.aggregates.region == "中国").sum() == 4 * len(national)
    per_year = loaded.data.query("indicator == 'gdp'").groupby("year").region_code.nunique()
    assert per_year.loc[1952] == 28 and per_year.loc[1980] == 30 and per_year.loc[1997] == 31


def test_gdp_zero_shares_are_missing_and_reported(raw):
    loaded = load_province_gdp()
    rows = raw("province_gdp_structure_1952_2022", "province_gdp_structure.csv.gz")
    zero = [
        (r["province"], int(r["year"]))
        for r in rows
        if all(
            float(r[c]) == 0
            for c in ("share_primary_pct", "share_secondary_pct", "share_tertiary_pct")
        )
    ]
    assert sorted(zero) == [("上海市", 1990), ("天津市", 1990)]
    cell = loaded.data.set_index(["region", "indicator", "year"]).value
    assert math.isnan(cell.loc[("上海市", "share_secondary", 1990)])
    assert cell.loc[("上海市", "gdp", 1990)] == 744.67
    assert kinds(loaded)["zero_as_missing"] == 6
    assert kinds(loaded)["inconsistent"] == 3  # shares adding to 102.81, 96.45, 97.93


# ---------------------------------------------------------------------- provincial components
def test_components_published_figures_and_missing(raw):
    loaded = load_province_components()
    cell = loaded.data.set_index(["region", "indicator", "year"]).value
    assert cell.loc[("北京市", "population", 2018)] == 2154
    assert cell.loc[("广东省", "gdp_gpi", 2018)] == 99_945.22
    assert cell.loc[("广东省", "gdp_gpi", 2010)] == 46_013.06
    assert cell.loc[("上海市", "average_wage", 2018)] == 140_400
    assert loaded.units["population"] == "万人" and loaded.units["average_wage"] == "元"
    rows = raw("province_panel_gpi_components_1985_2018", "province_components_long.csv.gz")
    assert kinds(loaded)["missing"] == sum(1 for r in rows if r["value"] == "")
    flagged = [i.indicator for i in loaded.report if i.kind == "no_regional_variation"]
    assert flagged == ["weekly_working_hours"]


# ---------------------------------------------------------------------- census and master
def test_census_published_totals(raw):
    loaded = load_city_census()
    pop = loaded.data.query("indicator == 'census_population' and year == 2020")
    assert pop.set_index("region").value.loc["北京市"] == 21_893_095
    guangdong = pop[pop.region_code // 10000 == 44].value.sum()
    assert guangdong == 126_012_510  # the official provincial census total
    assert pop.value.sum() / 1e6 == pytest.approx(1414.04, abs=0.01)
    assert pop.region_code.nunique() == 369
    rows = raw("census_city_population_2010_2020", "census_city_2010_2020.csv.gz")
    blank = sum(1 for r in rows for k, v in r.items() if k.endswith(("2010", "2020")) and v == "")
    assert kinds(loaded)["missing"] == blank


def test_city_master_flags():
    loaded = load_city_master()
    assert loaded.layout == "table" and len(loaded.data) == 369
    no_seat = {i.message.split(":")[0] for i in loaded.report if i.kind == "missing"}
    assert no_seat == {"那曲市", "北屯市", "双河市", "可克达拉市", "昆玉市", "胡杨河市"}
    (centroid,) = [i for i in loaded.report if i.kind == "centroid"]
    assert centroid.message.startswith("三沙市")
    with pytest.raises(DataValidationError, match="not a region × year panel"):
        loaded.to_panel()


def test_report_rows_are_csv_lines(raw):
    # ``row`` of an issue is the line of the bundled CSV (header = line 1): DictReader row i + 2
    gdp = raw("province_gdp_structure_1952_2022", "province_gdp_structure.csv.gz")
    zero = {
        i + 2
        for i, r in enumerate(gdp)
        if all(float(r[f"share_{c}_pct"]) == 0 for c in ("primary", "secondary", "tertiary"))
    }
    issues = [i for i in load_province_gdp().report if i.kind == "zero_as_missing"]
    assert {i.row for i in issues} == zero and len(zero) == 2
    comp = raw("province_panel_gpi_components_1985_2018", "province_components_long.csv.gz")
    blank = {i + 2 for i, r in enumerate(comp) if r["value"] == ""}
    missing = [i for i in load_province_components().report if i.kind == "missing"]
    assert {i.row for i in missing} == blank
    master = raw("city_master", "city_master.csv.gz")
    no_seat = {i + 2 for i, r in enumerate(master) if r["seat_lon"] == "" or r["seat_lat"] == ""}
    flagged = [i for i in load_city_master().report if i.kind == "missing"]
    assert {i.row for i in flagged} == no_seat and len(no_seat) == 6


# ---------------------------------------------------------------------- prefecture panel
def test_prefecture_published_figures():
    loaded = load_prefecture_components()
    cell = loaded.data.set_index(["region", "indicator", "year"]).value
    assert cell.loc[("深圳市", "population", 2018)] == 1302.66
    assert cell.loc[("广州市", "population", 2018)] == 1490.44
    assert cell.loc[("深圳市", "gdp_real_1997", 2018)] == pytest.approx(17_150, rel=1e-3)
    assert loaded.units["gdp_real_1997"] == "亿元（1997年价）"


HOMONYMS = [
    "伊春市",
    "宜春市",
    "台州市",
    "泰州市",
    "宿州市",
    "苏州市",
    "抚州市",
    "福州市",
    "榆林市",
    "玉林市",
]


def test_prefecture_homonyms_separated(raw):
    loaded = load_prefecture_components()
    assert not loaded.data.duplicated(["indicator", "region_code", "year"]).any()
    census = {
        r["city"]: float(r["popu_2010"])
        for r in raw("census_city_population_2010_2020", "census_city_2010_2020.csv.gz")
        if r["popu_2010"]
    }
    cell = loaded.data.set_index(["region", "indicator", "year"]).value
    for city in HOMONYMS:
        # each city now carries the series matching its own 2010 census population (±5 %)
        assert cell.loc[(city, "population", 2010)] * 1e4 == pytest.approx(census[city], rel=0.05)
        for year in range(2006, 2019):  # and its urban + rural = total identity holds
            total = cell.loc[(city, "population", year)]
            parts = (
                cell.loc[(city, "population_urban", year)]
                + cell.loc[(city, "population_rural", year)]
            )
            assert parts == pytest.approx(total, rel=1e-9)
    assert (
        cell.loc[("苏州市", "gdp_real_1997", 2010)]
        > 10 * cell.loc[("宿州市", "gdp_real_1997", 2010)]
    )
    dropped = [i for i in loaded.report if i.kind == "homonym"]
    assert len(dropped) == 10 * 10  # 10 cities × 10 indicators
    # every dropped copy is exactly the series kept for the other city of the same English name
    assert all("identical to the series kept for" in i.message for i in dropped)
    assert {int(i.region) for i in dropped} == set(
        loaded.data[loaded.data.region.isin(HOMONYMS)].region_code
    )


def test_prefecture_laiwu_apart_and_caveats():
    loaded = load_prefecture_components()
    apart = loaded.kept_apart
    assert set(apart.region) == {"莱芜"} and set(apart.region_code) == {371200}
    assert set(apart.reason) == {"abolished unit"} and len(apart) == 130
    assert loaded.aggregates.empty
    assert loaded.data.region_code.nunique() == 286
    assert not {110100, 120100, 310100, 500100} & set(loaded.data.region_code)
    counts = kinds(loaded)
    assert counts["imputed"] == 1 and counts["abolished_unit"] == 1 and counts["coverage"] == 1
    panel = loaded.to_panel()
    assert isinstance(panel, Panel) and panel.level == "city" and len(panel.regions) == 286


# ---------------------------------------------------------------------- urban agglomerations
def test_urban_agglomerations_membership_counts():
    loaded = load_urban_agglomerations()
    sizes = loaded.data.groupby("agglomeration").size().to_dict()
    expected = {  # SOURCE.md coverage list
        "粤港澳大湾区": 11,
        "京津冀城市群": 13,
        "长江三角洲城市群": 26,
        "珠江三角洲城市群": 9,
        "成渝城市群": 16,
        "长江中游城市群": 31,
        "中原城市群": 30,
        "哈长城市群": 11,
        "北部湾城市群": 15,
        "关中平原城市群": 11,
        "呼包鄂榆城市群": 4,
        "兰西城市群": 9,
        "山东半岛城市群": 16,
        "山西中部城市群": 5,
        "滇中城市群": 5,
        "黔中城市群": 6,
        "宁夏沿黄城市群": 4,
    }
    assert sizes == expected
    assert kinds(loaded)["curated"] == 1
    assert {810000, 820000} <= set(loaded.data.region_code)


# ---------------------------------------------------------------------- combined panel
PANEL_UNITS = {
    "rd_exp": "万元",
    "rd_exp_basic": "万元",
    "rd_exp_applied": "万元",
    "rd_exp_experimental": "万元",
    "rd_exp_gov": "万元",
    "rd_exp_enterprise": "万元",
    "rd_exp_foreign": "万元",
    "rd_exp_other": "万元",
    "rd_intensity": "%",
    "rd_fte": "人年",
    "rd_fte_researchers": "人年",
    "papers_sci": "篇",
    "papers_ei": "篇",
    "papers_cpcis": "篇",
    "patent_app_total": "件",
    "patent_app_invention": "件",
    "patent_app_utility": "件",
    "patent_app_design": "件",
    "patent_grant_total": "件",
    "patent_grant_invention": "件",
    "patent_grant_utility": "件",
    "patent_grant_design": "件",
    "patent_valid_total": "件",
    "patent_valid_invention": "件",
    "techmarket_in_amount": "万元",
    "techmarket_in_contracts": "项",
    "techmarket_out_amount": "万元",
    "techmarket_out_contracts": "项",
    "hitech_enterprises": "个",
    "hitech_revenue": "亿元",
    "hitech_profit": "亿元",
    "budget_total": "亿元",
    "budget_education": "亿元",
    "budget_science": "亿元",
    "budget_agriculture": "亿元",
    "hitech_firms_certified": "家",
    "gdp": "亿元",
    "share_primary": "%",
    "share_secondary": "%",
    "share_tertiary": "%",
    "population": "万人",
    "population_urban": "万人",
    "employment": "万人",
    "average_wage": "元",
}


@pytest.fixture(scope="module")
def panel():
    return load_province_panel()


def test_panel_variables_and_units(panel):
    assert len(panel.regions) == 31 and panel.level == "province"
    for name, unit in PANEL_UNITS.items():
        assert panel.units[name] == unit, name
        assert name in panel.indicators
    documented = variables("province", panel_only=True)
    assert set(panel.indicators) == set(documented.name)
    assert dict(zip(documented.name, documented.unit, strict=True)) == panel.units
    for left_out in ("rd_exp_funds_total", "rd_exp_100m", "gdp_gpi", "weekly_working_hours"):
        assert left_out not in panel.indicators


def test_panel_published_figures(panel):
    wide = panel.wide(["rd_intensity", "gdp", "population"])
    assert wide.loc[(110000, 2023), "rd_intensity"] == 6.73
    assert wide.loc[(440000, 2020), "gdp"] == 110_760.94
    assert wide.loc[(110000, 2018), "population"] == 2154
    # R&D intensity recomputed from R&D (万元) and GDP (亿元): Beijing 2020 published 6.44 %
    intensity = panel.evaluate("rd_exp / (gdp * 1e4) * 100").loc[(110000, 2020)]
    assert intensity == pytest.approx(6.44, abs=0.01)


def test_panel_report_carries_loader_repairs(panel):
    counts = Counter(i.kind for i in panel.report)
    assert counts["whitespace"] == 128 and counts["typo"] == 7 and counts["unit"] == 8
    assert counts["zero_as_missing"] == 6
    assert counts["excluded"] == 4
    conflicts = [i for i in panel.report if i.kind == "conflict"]
    assert conflicts and {i.indicator for i in conflicts} == {"gdp"}
    assert all(abs(i.original / i.repaired - 1) > 1e-3 for i in conflicts)


def test_panel_copies_are_independent(panel):
    other = load_province_panel()
    other.data.loc[:, "value"] = 0.0
    other.report.add("x", "x", "x")
    fresh = load_province_panel()
    assert fresh.data.value.ne(0).any() and len(fresh.report) == len(panel.report)


# ---------------------------------------------------------------------- shape of every loader
LOADERS = [
    load_province_sci_tech,
    load_province_gdp,
    load_province_components,
    load_city_census,
    load_prefecture_components,
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_tidy_contract(loader):
    loaded = loader()
    assert isinstance(loaded, Loaded) and loaded.layout == "long"
    assert list(loaded.data.columns) == TIDY
    assert loaded.data.region_code.dtype == np.int64 and loaded.data.year.dtype == np.int64
    assert not loaded.data.duplicated(["indicator", "region_code", "year"]).any()
    assert list(loaded.kept_apart.columns) == [*TIDY, "reason"]
    assert set(loaded.data.indicator) <= set(loaded.units)
    documented = variables(loaded.level)
    assert set(loaded.data.indicator) <= set(documented.name)
    panel = loaded.to_panel()
    assert len(panel.report) == len(loaded.report)


# ---------------------------------------------------------------------- catalogue
def test_catalog_lists_every_bundled_dataset():
    table = catalog()
    folders = {p.name for p in (files("nqpf.data") / "files").iterdir() if p.name != "meta"}
    assert set(table.name) == folders
    for column in ("title", "level", "years", "source", "licence", "caveats"):
        assert (table[column] != "").all(), column
    for name in (
        "province_gdp_structure_1952_2022",
        "province_panel_gpi_components_1985_2018",
        "prefecture_panel_gpi_components_2006_2018",
    ):
        assert table.loc[name, "licence"].startswith(NO_LICENCE)
    assert "IMPUTED" in table.loc["prefecture_panel_gpi_components_2006_2018", "caveats"]
    assert "CURATED" in table.loc["urban_agglomerations_curated", "caveats"]
    assert "vintage" in table.loc["province_gdp_structure_1952_2022", "caveats"]
    assert "9ad60a1" in table.loc["cn_province_sci_tech", "source"]


def test_variables_and_corrections_tables():
    table = variables()
    assert not table.duplicated(["name", "level"]).any()
    assert table.name.str.fullmatch(r"[a-z][a-z0-9_]*").all()
    for column in ("unit", "label_zh", "label_en", "definition"):
        assert (table[column] != "").all(), column
    fixes = corrections()
    assert Counter(fixes.kind) == {"whitespace": 128, "unit": 8, "typo": 7, "aggregate_typo": 1}
    assert (fixes.reason != "").all()


def test_loaded_is_a_result_naming_its_dataset():
    loaded = load_province_gdp()
    frame = loaded.to_frame()
    assert frame.equals(loaded.data) and frame is not loaded.data
    assert loaded.meta["method"] == "load_dataset"
    assert loaded.meta["dataset"] == "province_gdp_structure_1952_2022"
    assert loaded.meta["n"] == len(loaded.data) and loaded.meta["issues"] == len(loaded.report)
    indicators = loaded.summary().tables[0][1]
    gdp = loaded.data[loaded.data.indicator == "gdp"]
    assert indicators.loc["gdp", "值 Values"] == gdp.value.notna().sum()
    assert indicators.loc["gdp", "起始年 First year"] == gdp.year.min() == 1952
    master = load_city_master().summary().tables[0][1]
    assert list(master.index) == list(load_city_master().data.columns)
