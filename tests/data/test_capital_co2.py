"""Capital-stock inputs and CEADs CO2 emissions.

References: the raw bundled CSVs read with the csv module (``raw`` fixture), the facts listed in
each dataset's SOURCE.md (row counts, empty cells, ISO 3166-2 codes) and the registry names.
"""

from collections import Counter

import numpy as np
import pytest

from nqpf.data import (
    PROVINCE_ISO_CODES,
    TIDY,
    load_capital_stock_inputs,
    load_co2_emissions,
    variables,
)
from nqpf.data.loaders import CAPITAL_PINYIN, CO2_CITY_NAMES
from nqpf.errors import DataValidationError
from nqpf.regions import cities, provinces

CAPITAL = "province_capital_stock_inputs_1952_2022"
CO2 = "ceads_co2_emissions_1997_2019"


def kinds(loaded) -> Counter:
    return Counter(i.kind for i in loaded.report)


# ---------------------------------------------------------------------- capital-stock inputs
def test_pinyin_table_maps_to_the_registry_english_names():
    table = provinces()
    special = {"shaanxi": "陕西", "shanxi": "山西", "neimenggu": "内蒙古", "xizang": "西藏"}
    for pinyin, code in CAPITAL_PINYIN.items():
        if pinyin in special:
            assert table.at[code, "short"] == special[pinyin]
        else:
            assert table.at[code, "name_en"].lower().replace(" ", "") == pinyin
    assert sorted(CAPITAL_PINYIN.values()) == sorted(table.index)


def test_capital_inputs_values_and_counts(raw):
    rows = raw(CAPITAL, "capital_stock_inputs.csv.gz")
    loaded = load_capital_stock_inputs()
    assert len(rows) == 2157 and len(loaded.data) == 4 * 2157
    assert list(loaded.data.columns) == TIDY and loaded.level == "province"
    cell = loaded.data.set_index(["region_code", "year", "indicator"]).value
    columns = {
        "invest": "fixed_capital_formation",
        "InvestPrice": "investment_deflator",
        "InvestIndex": "investment_price_index",
        "depr": "depreciation",
    }
    for row in rows[::97]:
        code = CAPITAL_PINYIN[row["prv"]]
        for column, indicator in columns.items():
            value = cell.loc[(code, int(row["yr"]), indicator)]
            if row[column] == "NA":
                assert value != value  # NaN
            else:
                assert value == pytest.approx(float(row[column]), rel=1e-12)
    assert loaded.units == {
        "fixed_capital_formation": "亿元",
        "investment_price_index": "index",
        "investment_deflator": "index (1952 = 1)",
        "depreciation": "亿元",
    }
    assert set(loaded.data.indicator) <= set(variables("province").name)


def test_capital_inputs_report_keeps_the_defects_visible(raw):
    rows = raw(CAPITAL, "capital_stock_inputs.csv.gz")
    report = load_capital_stock_inputs().report.to_frame()
    count = Counter(report.kind)
    assert count["name_mapping"] == 31
    assert set(report[report.kind == "name_mapping"].original) == {r["prv"] for r in rows}
    missing = report[report.kind == "missing"]
    empty_index = sum(r["InvestIndex"] == "NA" for r in rows)
    empty_depr = sum(r["depr"] == "NA" for r in rows)
    assert (empty_index, empty_depr) == (989, 1304)  # SOURCE.md
    assert (missing.indicator == "investment_price_index").sum() == empty_index
    assert (missing.indicator == "depreciation").sum() == empty_depr
    assert count["extrapolated"] == count["proxy"] == 31
    boundary = report[report.kind == "boundary"]
    assert set(boundary.region) == {"500000", "510000"} and set(boundary.year) == {1996}
    negative = report[report.kind == "negative"]
    expected = {
        (int(r["yr"]), c) for r in rows for c in ("invest", "InvestIndex") if r[c].startswith("-")
    }
    assert len(negative) == len(expected) == 4
    assert count["vintage"] == 1 and count["inconsistent"] == 1


# ---------------------------------------------------------------------- CO2, provinces
def test_iso_codes_are_the_iso_3166_2_subdivisions():
    table = provinces()
    source_md = {  # pairs quoted in SOURCE.md
        "CN-AH": "安徽",
        "CN-HA": "河南",
        "CN-HE": "河北",
        "CN-HI": "海南",
        "CN-HB": "湖北",
        "CN-HN": "湖南",
    }
    for iso, short in source_md.items():
        assert table.at[PROVINCE_ISO_CODES[iso], "short"] == short
    assert sorted(PROVINCE_ISO_CODES.values()) == sorted(table.index)
    assert PROVINCE_ISO_CODES["CN-SN"] == 610000 and PROVINCE_ISO_CODES["CN-SX"] == 140000
    assert PROVINCE_ISO_CODES["CN-NM"] == 150000 and PROVINCE_ISO_CODES["CN-XZ"] == 540000


def test_province_co2_in_megatonnes(raw):
    rows = raw(CO2, "province_co2_total.csv.gz")
    loaded = load_co2_emissions("province")
    assert len(rows) == len(loaded.data) == 660
    assert loaded.data.region_code.nunique() == 30 and 540000 not in set(loaded.data.region_code)
    cell = loaded.data.set_index(["region_code", "year"]).value
    for row in rows[::53]:
        code = PROVINCE_ISO_CODES[row["actor_id"]]
        assert cell.loc[(code, int(row["year"]))] == pytest.approx(
            float(row["total_emissions"]) / 1e6, rel=1e-12
        )
    assert loaded.units == {"co2_emissions": "Mt"}
    count = kinds(loaded)
    assert count == {"code_mapping": 30, "unit": 1, "coverage": 1}
    unit = next(i for i in loaded.report if i.kind == "unit")
    assert (unit.original, unit.repaired, unit.action) == ("t", "Mt", "repaired")


# ---------------------------------------------------------------------- CO2, cities
def test_city_names_are_split_against_the_registry(raw):
    rows = raw(CO2, "city_co2_total.csv.gz")
    loaded = load_co2_emissions("city")
    names = {r["city"] for r in rows}
    assert len(rows) == 3929 and len(names) == 290
    splits = {i.original: i.repaired for i in loaded.report if i.kind == "name_split"}
    apart = {i.original for i in loaded.report if i.kind == "abolished_unit"}
    assert set(splits) | apart == names and not set(splits) & apart
    assert splits["云南大理"] == "大理白族自治州"
    assert splits["吉林吉林"] == "吉林市"
    assert splits["北京"] == "北京市" and splits["重庆"] == "重庆市"
    assert splits["内蒙古兴安盟"] == "兴安盟" and splits["黑龙江大兴安岭"] == "大兴安岭地区"
    assert splits["湖北恩施州"] == CO2_CITY_NAMES["恩施州"][0]
    assert splits["新疆伊犁州直属县"] == "伊犁哈萨克自治州"
    registry = cities()
    data = loaded.data
    for name, zh in splits.items():  # every city sits in the province its prefix names
        code = int(registry.index[registry.name == zh][0])
        province = registry.at[code, "province"]
        assert name.startswith(province[:2]) or name == zh.removesuffix("市")
    cell = data.set_index(["region", "year"]).value
    for row in rows[::41]:
        if row["city"] in splits:
            key = (splits[row["city"]], int(row["year"]))
            assert cell.loc[key] == pytest.approx(float(row["emission"]), rel=1e-12)


def test_abolished_units_kept_apart_not_merged(raw):
    rows = raw(CO2, "city_co2_total.csv.gz")
    loaded = load_co2_emissions("city")
    chaohu = [r for r in rows if r["city"] == "安徽巢湖"]
    laiwu = [r for r in rows if r["city"] == "山东莱芜"]
    apart = loaded.kept_apart
    assert list(apart.columns) == [*TIDY, "reason"]
    assert (apart.region == "巢湖").sum() == len(chaohu) and (apart.region == "莱芜").sum() == len(
        laiwu
    )
    assert set(apart.region_code) == {341400, 371200}
    assert len(loaded.data) + len(apart) == len(rows) == 3929
    assert 341400 not in set(loaded.data.region_code)
    hefei_2008 = loaded.data.query("region == '合肥市' and year == 2008").value.item()
    source = next(r for r in rows if r["city"] == "安徽合肥" and r["year"] == "2008")
    assert hefei_2008 == pytest.approx(float(source["emission"]), rel=1e-12)


def test_city_report_has_every_repair_kind():
    loaded = load_co2_emissions("city")
    count = kinds(loaded)
    assert count == {
        "name_split": 288,
        "abolished_unit": 2,
        "unit": 1,
        "unbalanced": 1,
        "stray_year": 1,
    }
    stray = next(i for i in loaded.report if i.kind == "stray_year")
    assert (stray.region, stray.year) == ("520100", 1995)
    unbalanced = next(i for i in loaded.report if i.kind == "unbalanced").message
    assert "1997 7," in unbalanced and "2010 257," in unbalanced and "2019 170" in unbalanced
    assert loaded.units == {"co2_emissions": "Mt"}


def test_co2_level_is_checked():
    with pytest.raises(DataValidationError, match="county"):
        load_co2_emissions("county")  # type: ignore[arg-type]


@pytest.mark.parametrize("level", ["capital", "province", "city"])
def test_tidy_contract_and_panel(level):
    loaded = load_capital_stock_inputs() if level == "capital" else load_co2_emissions(level)
    assert loaded.layout == "long" and loaded.data.region_code.dtype == np.int64
    assert not loaded.data.duplicated(["indicator", "region_code", "year"]).any()
    assert set(loaded.data.indicator) <= set(variables(loaded.level).name)
    panel = loaded.to_panel()
    assert len(panel.report) == len(loaded.report)
    assert loaded.summary().tables[0][1].loc[loaded.data.indicator.iloc[-1], "单位 Unit"]
