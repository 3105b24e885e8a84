"""load_province_sci_tech: every known defect repaired and reported, nothing lost.

References: the raw bundled CSV read with the csv module (no nqpf code), the defect list of
SOURCE.md (plus 两藏 and 山两 found in RDPatentAuthority 2012), and the published yearbook
figures quoted in SOURCE.md.
"""

import math
import re
from collections import Counter, defaultdict

import pytest

from nqpf.data import load_province_sci_tech, variables
from nqpf.regions import provinces

DATASET = "cn_province_sci_tech"
# independent of corrections.csv: the intended province of each look-alike typo
TYPOS = {
    ("RDLaborHour", "2013", "内蒙占"): "内蒙古",
    ("RDPatentAccept", "2014", "江两"): "江西",
    ("RDPatentValid", "2015", "江四"): "江西",
    ("RDPatentValid", "2014", "浙汀"): "浙江",
    ("RDPatentValid", "2014", "四藏"): "西藏",
    ("RDPatentAuthority", "2012", "两藏"): "西藏",
    ("RDPatentAuthority", "2012", "山两"): "山西",
}
AGGREGATES = {"全国", "尔部地区"}
EAST = ["北京", "天津", "河北", "上海", "江苏", "浙江", "福建", "山东", "广东", "海南"]


@pytest.fixture(scope="module")
def loaded():
    return load_province_sci_tech()


@pytest.fixture(scope="module")
def rows(raw):
    return raw(DATASET, "sci_tech_long.csv.gz")


def clean(row: dict[str, str]) -> str:
    name = re.sub(r"\s+", "", row["province"])
    return TYPOS.get((row["table"], row["year"], row["province"]), name)


def issues(loaded, kind):
    return [i for i in loaded.report if i.kind == kind]


def test_whitespace_names_repaired_and_listed(loaded, rows):
    spaced = {
        (r["table"], r["year"], r["province"]) for r in rows if re.search(r"\s", r["province"])
    }
    assert len(spaced) == 128  # 4 tables × 32 names in 2010
    listed = {(i.table, str(i.year), i.original) for i in issues(loaded, "whitespace")}
    assert listed == spaced
    assert not any(re.search(r"\s", name) for name in loaded.data.region.unique())


def test_typos_repaired_and_listed(loaded, rows):
    present = {(r["table"], r["year"], r["province"]) for r in rows}
    assert set(TYPOS) <= present  # the defects are really in the raw file
    listed = {(i.table, str(i.year), i.original): i.repaired for i in issues(loaded, "typo")}
    assert listed == TYPOS
    short = provinces()["short"]
    for (table, year, _), intended in TYPOS.items():
        code = int(short[short == intended].index[0])
        part = loaded.data[
            (loaded.data.table == table)
            & (loaded.data.year == int(year))
            & (loaded.data.region_code == code)
        ]
        assert len(part) > 0 and part.value.notna().all()


def test_aggregate_typo_kept_apart_and_equal_to_east_sum(loaded, rows):
    (issue,) = issues(loaded, "aggregate_typo")
    assert (issue.original, issue.repaired) == ("尔部地区", "东部地区")
    east = loaded.aggregates.query("region == '东部地区'")
    assert len(east) == 4 and set(east.table) == {"RDPatentValid"}
    for row in east.itertuples():
        raw_sum = sum(
            float(r["value"])
            for r in rows
            if r["table"] == "RDPatentValid"
            and r["year"] == "2014"
            and r["code"] == row.code
            and clean(r) in EAST
        )
        assert row.value == raw_sum  # exact: integer counts


def test_aggregates_never_among_provinces(loaded, rows):
    assert loaded.data.region_code.notna().all()
    assert set(loaded.data.region_code) == set(provinces().index)
    national_raw = sum(1 for r in rows if clean(r) == "全国")
    assert (loaded.aggregates.region == "全国").sum() == national_raw
    assert set(loaded.aggregates.reason) == {"aggregate"}
    listed = Counter(i.region for i in issues(loaded, "aggregate_row"))
    assert set(listed) == {"全国", "东部地区"}


def test_no_province_row_lost(loaded, rows):
    """Every raw province cell is in the data with its value; each table-year has 31 provinces."""
    expected = {}
    per_table_year = defaultdict(set)
    for r in rows:
        name = clean(r)
        if name in AGGREGATES:
            continue
        expected[(r["table"], int(r["year"]), r["code"], name)] = r["value"]
        per_table_year[(r["table"], r["year"])].add(name)
    short = provinces()["short"].to_dict()
    data = loaded.data[loaded.data.table != "hitech_firms"]
    got = {
        (t, y, c, short[p]): v
        for t, y, c, p, v in zip(
            data.table, data.year, data.code, data.region_code, data.value, strict=True
        )
    }
    for key, text in expected.items():
        value = got[key]
        if text == "":
            assert math.isnan(value)
        else:
            assert value == float(text)
    assert all(len(names) == 31 for names in per_table_year.values())
    counts = data.groupby(["table", "year"]).region_code.nunique()
    assert (counts == 31).all() and len(counts) == len(per_table_year)
    cells = data.groupby(["table", "year", "code"]).region_code.agg(["size", "nunique"])
    assert (cells["size"] == 31).all() and (cells["nunique"] == 31).all()


def test_absent_rows_added_as_nan_and_listed(loaded, rows):
    have = defaultdict(set)
    for r in rows:
        if clean(r) not in AGGREGATES:
            have[(r["table"], r["year"], r["code"])].add(clean(r))
    absent = sum(31 - len(names) for names in have.values())
    listed = issues(loaded, "absent")
    assert len(listed) == absent == 33
    cells = loaded.data.set_index(["region_code", "year", "indicator"]).value
    for issue in listed:
        assert math.isnan(cells.loc[(int(issue.region), issue.year, issue.indicator)])


def test_empty_values_kept_and_listed(loaded, rows):
    empty = sum(1 for r in rows if r["value"] == "")
    assert empty == 304
    assert len(issues(loaded, "missing")) == 304
    nan_from_source = loaded.data.value.isna().sum() + loaded.aggregates.value.isna().sum()
    assert nan_from_source == 304 + 33


def test_unit_labels_corrected_and_listed(loaded, rows):
    wrong = {
        (r["year"], r["code"])
        for r in rows
        if r["table"] == "IndustryRD"
        and r["unit"] == "万元"
        and r["code"] in {"v4_cy_qyzl_fms", "v4_cy_RDhd_qsdl", "v4_cy_RDhd_yfjgs", "v4_cy_xcp_kfxm"}
    }
    assert len(wrong) == 8
    assert {(str(i.year), i.indicator) for i in issues(loaded, "unit")} == wrong
    expected = {
        "hitech_patent_app_invention": "件",
        "hitech_rd_fte": "人年",
        "hitech_rd_institutions": "个",
        "hitech_newproduct_projects": "项",
    }
    for name, unit in expected.items():
        assert set(loaded.data[loaded.data.indicator == name].unit) == {unit}


def test_every_defect_counted(loaded):
    counts = Counter(i.kind for i in loaded.report)
    assert counts["whitespace"] == 128
    assert counts["typo"] == 7
    assert counts["aggregate_typo"] == 1
    assert counts["unit"] == 8
    assert counts["missing"] == 304
    assert counts["absent"] == 33
    assert counts["conflict"] == 0


def test_indicator_names_unique_and_documented(loaded, rows):
    key = ["indicator", "region_code", "year"]
    assert not loaded.data.duplicated(key).any()
    table = variables("province")
    assert set(loaded.data.indicator) <= set(table.name)
    pairs = {(r["table"], r["code"]) for r in rows}
    assert len(pairs) == len(set(loaded.data.query("table != 'hitech_firms'").indicator))
    # the shared code: RDSource and RDActivity totals agree in every raw cell to rounding
    # (RDSource 2018 is printed in whole 万元), so no conflict is reported
    by_table = {
        (r["table"], r["year"], clean(r)): float(r["value"])
        for r in rows
        if r["code"] == "v4_zh_nbzc_hj"
    }
    shared = [(y, p) for (t, y, p) in by_table if t == "RDActivity"]
    assert len(shared) == 14 * 32
    assert all(
        abs(by_table[("RDActivity", y, p)] - by_table[("RDSource", y, p)]) <= 0.5 for y, p in shared
    )
    assert "rd_exp_funds_total" in set(loaded.data.indicator) and "rd_exp" in set(
        loaded.data.indicator
    )


def test_published_figures(loaded):
    """SOURCE.md: national R&D 2023 = 333,570,688 万元 = 33,357.1 亿元, intensity 2.65 %."""
    agg = loaded.aggregates.set_index(["indicator", "year"]).value
    assert agg.loc[("rd_exp", 2023)] == 333_570_688
    assert agg.loc[("rd_exp_100m", 2023)] == pytest.approx(33_357.1, abs=0.05)
    assert agg.loc[("rd_intensity", 2023)] == 2.65
    cell = loaded.data.set_index(["region", "indicator", "year"]).value
    assert cell.loc[("北京市", "rd_intensity", 2023)] == 6.73
    assert cell.loc[("广东省", "rd_intensity", 2023)] == 3.54


def test_hitech_firms(loaded, raw):
    firms = raw(DATASET, "hitech_firms.csv.gz")
    part = loaded.data.query("indicator == 'hitech_firms_certified'")
    assert len(part) == len(firms) == 217
    beijing = [
        float(r["hitech_firms"]) for r in firms if r["province"] == "北京" and r["year"] == "2024"
    ]
    assert part.query("region == '北京市' and year == 2024").value.item() == beijing[0]


def test_returned_copies_do_not_touch_the_cache(loaded):
    first = load_province_sci_tech()
    first.data.loc[:, "value"] = -1.0
    first.report.add("test", "test", "test")
    again = load_province_sci_tech()
    assert (again.data.value != -1.0).any()
    assert len(again.report) == len(loaded.report)
