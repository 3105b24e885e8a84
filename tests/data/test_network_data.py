"""Loaders of the network study: city connectivity and the technology-market margins.

References: the bundled CSV read with the csv module, the registry, and published figures
(2023 national technology-contract turnover 61,475.66 亿元, MOST/NBS statistical bulletin).
"""

import csv
import gzip
from importlib.resources import files

import pytest

from nqpf.data import catalog
from nqpf.data.loaders import Loaded, load_city_connectivity, load_technology_market
from nqpf.regions import cities

CONNECTIVITY = "city_innovation_connectivity_2016_2017"


def _raw_rows():
    path = files("nqpf.data") / "files" / CONNECTIVITY / "cn_city_innovation_connectivity.csv.gz"
    with path.open("rb") as fh, gzip.open(fh, "rt", encoding="utf-8") as text:
        return list(csv.DictReader(text))


def test_city_connectivity_maps_every_urban_district_code_and_reports_it():
    loaded = load_city_connectivity()
    assert isinstance(loaded, Loaded) and loaded.layout == "table" and loaded.level == "city"
    rows = _raw_rows()
    assert len(rows) == 275 == len(loaded.data) + len(loaded.kept_apart)
    registry = cities()
    by_id = loaded.data.set_index("city_id")
    for row in rows:
        city_id = int(row["cityId"])
        if city_id == 371200:
            continue
        code = int(by_id.at[city_id, "region_code"])
        assert code == int(row["cityId"][:4] + "00")
        assert registry.at[code, "short"] == row["cityName_CN"]
        assert int(by_id.at[city_id, "patents"]) == int(row["Patent"])
        assert by_id.at[city_id, "gdp"] == pytest.approx(float(row["GDP"]))
    issues = loaded.report.to_frame()
    mapped = issues[issues.kind == "code_mapping"]
    assert len(mapped) == 274
    assert "cityId 310100 (上海, urban districts) → prefecture 310100 上海市" in set(mapped.message)
    assert loaded.data.region_code.is_unique
    # 莱芜 was merged into 济南 in 2019: kept apart, never added to 济南
    assert loaded.kept_apart.region.tolist() == ["莱芜"]
    assert loaded.kept_apart.reason.tolist() == ["abolished unit"]
    abolished = issues[issues.kind == "abolished_unit"].message.item()
    assert "371200" in abolished and "abolished" in abolished
    assert int(by_id.loc[by_id.region_code == 370100].patents.item()) != 1866


def test_city_connectivity_columns_and_units():
    loaded = load_city_connectivity()
    for column in ("sm_degree", "mob_degree", "pub_degree", "patents", "gdp", "kibs_share"):
        assert column in loaded.data.columns and column in loaded.units
    assert loaded.units["gdp"] == "元"
    assert "cn_city_innovation_connectivity.csv.gz" in catalog().loc[CONNECTIVITY, "files"]


def test_technology_market_margins_and_national_totals():
    loaded = load_technology_market()
    data = loaded.data
    assert list(data.columns) == [
        "region_code",
        "region",
        "year",
        "outflow_amount",
        "outflow_contracts",
        "inflow_amount",
        "inflow_contracts",
    ]
    y2023 = data[data.year == 2023]
    assert len(y2023) == 31
    assert y2023.outflow_amount.sum() == pytest.approx(586_505_782)
    assert y2023.inflow_amount.sum() == pytest.approx(574_001_275)
    national = loaded.aggregates.set_index("year")
    # published: 2023 technology-contract turnover 61,475.66 亿元 = 614,756,600 万元
    assert national.at[2023, "outflow_amount"] == pytest.approx(614_756_600, rel=1e-6)
    gaps = loaded.report.to_frame().query("kind == 'margin_gap'")
    assert sorted(gaps.year) == sorted(data.year.unique())
    line = gaps[gaps.year == 2023].message.item()
    assert "586,505,782" in line and "574,001,275" in line and "+12,504,507" in line
    # Tibet's empty outflow cells stay missing and are listed
    tibet = data[(data.region_code == 540000) & (data.year == 2016)]
    assert tibet.outflow_amount.isna().item() and tibet.inflow_amount.notna().item()
    assert (loaded.report.to_frame().kind == "missing").sum() == 20
