"""Scales: agglomeration membership, aggregation across scales and concentration tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.data import load_city_census, load_prefecture_components, load_urban_agglomerations
from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError, WeightsError
from nqpf.paths.scales import (
    ALL,
    MISSING_AGGLOMERATIONS,
    aggregate,
    concentration,
    memberships,
)
from nqpf.regions import cities, provinces

TOY = pd.DataFrame(
    {
        "agglomeration": ["A", "A", "A", "B", "B"],
        "city": ["广州", "深圳市", "440400", "长沙", "株洲"],
    }
)


def _census(indicator: str = "census_population") -> pd.DataFrame:
    data = load_city_census().data
    return data[data.indicator == indicator]


# --------------------------------------------------------------------------- membership
def test_bundled_membership_keeps_its_status_visible():
    m = memberships()
    curated = load_urban_agglomerations().data
    assert len(m.table) == len(curated) and len(m.agglomerations) == 17
    assert "粤港澳大湾区" in m.agglomerations and "京津冀城市群" in m.agglomerations
    text = " ".join(m.notes)
    assert "NOT checked" in text
    assert all(name in text for name in MISSING_AGGLOMERATIONS)
    assert m.meta["verified"] is False
    # the Pearl River Delta lies inside the Greater Bay Area: marked shared, not an error
    prd = set(m.table.query("agglomeration == '珠江三角洲城市群'").region_code)
    assert len(prd) == 9 and m.table[m.table.region_code.isin(prd)].shared.all()


def test_user_membership_resolves_names_codes_and_shares():
    frame = pd.DataFrame(
        {
            "agglomeration": ["X", "X", "Y"],
            "city": ["襄樊", "武汉市", "武汉"],
            "share": [None, 0.6, 0.4],
        }
    )
    m = memberships(frame)
    assert m.table.region_code.tolist() == [420600, 420100, 420100]  # 襄樊 is now 襄阳
    assert m.table.partial.tolist() == [False, True, True]
    assert m.table.share.iloc[1] == 0.6


def test_user_membership_from_a_csv_file(tmp_path):
    path = tmp_path / "m.csv"
    TOY.assign(partial=["", "", "是", "", "false"]).to_csv(path, index=False)
    m = memberships(path)
    assert m.source == "m.csv"
    assert m.table.partial.tolist() == [False, False, True, False, False]
    assert any("count whole" in n and "珠海市" in n for n in m.notes)


def test_city_in_two_agglomerations_is_an_error_unless_marked():
    frame = pd.DataFrame({"agglomeration": ["A", "B"], "city": ["广州", "广州"]})
    with pytest.raises(DataValidationError, match=r"广州市 \(440100\).*A, B"):
        memberships(frame)
    assert memberships(frame.assign(shared=[True, True])).table.shared.all()
    with pytest.raises(DataValidationError, match="add up to 1.2"):
        memberships(frame.assign(share=[0.6, 0.6]))


def test_bad_membership_rows():
    with pytest.raises(UnknownRegionError, match="row 3.*did you mean"):
        memberships(pd.DataFrame({"agglomeration": ["A", "A"], "city": ["广州", "深训"]}))
    with pytest.raises(DuplicateError, match="twice in A"):
        memberships(pd.DataFrame({"agglomeration": ["A", "A"], "city": ["广州", "广州市"]}))
    with pytest.raises(DataValidationError, match="share of '广州' must lie in"):
        memberships(pd.DataFrame({"agglomeration": ["A"], "city": ["广州"], "share": [1.5]}))
    with pytest.raises(DataValidationError, match="missing column"):
        memberships(pd.DataFrame({"group": ["A"], "city": ["广州"]}))


# --------------------------------------------------------------------------- aggregation
CODES = [440100, 440300, 440400, 430100, 430200, 110100]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)), min_size=6, max_size=6),
)
def test_aggregation_totals_equal_the_members_sums(xs):
    values = pd.DataFrame({"region_code": CODES, "year": 2020, "value": xs})
    result = aggregate(values, membership=memberships(TOY)).to_frame().set_index("unit")
    given_ = dict(zip(CODES, xs, strict=True))
    for unit, members in {"A": CODES[:3], "B": CODES[3:5]}.items():
        present = [given_[c] for c in members if given_[c] is not None]
        row = result.loc[unit]
        assert row["members"] == len(present)
        assert row["members_missing"] == len(members) - len(present)
        if present:
            assert row["value"] == pytest.approx(sum(present))
        else:
            assert np.isnan(row["value"])


def test_unassigned_regions_are_reported_not_dropped_silently():
    values = pd.DataFrame({"region_code": CODES, "year": 2020, "value": 1.0})
    result = aggregate(values, membership=memberships(TOY))
    assert result.unassigned.region_code.tolist() == [110100]
    assert any("北京市" in n and "no agglomeration" in n for n in result.notes)


def test_partial_members_weighted_by_share():
    m = memberships(TOY.assign(share=[0.5, None, None, None, None]))
    values = pd.DataFrame({"region_code": CODES[:3], "year": 2020, "value": [10.0, 20.0, 30.0]})
    row = aggregate(values, membership=m).to_frame().iloc[0]
    assert row["value"] == pytest.approx(0.5 * 10 + 20 + 30)
    mean = aggregate(values, how="mean", membership=m).to_frame().iloc[0]
    assert mean["value"] == pytest.approx((0.5 * 10 + 20 + 30) / 2.5)


def test_gdp_per_capita_weighted_by_population_against_a_direct_computation():
    data = load_prefecture_components().data.query("year == 2015")
    wide = data.pivot(index="region_code", columns="indicator", values="value")
    wide = wide[["gdp_real_1997", "population"]].dropna()
    values = pd.DataFrame(
        {
            "region_code": wide.index,
            "year": 2015,
            "value": wide.gdp_real_1997 / wide.population,
            "population": wide.population,
        }
    )
    result = aggregate(values, to="province", how="weighted_mean", weights="population")
    got = result.to_frame().set_index("unit").value
    province = wide.index // 10000 * 10000
    direct = wide.groupby(province).apply(
        lambda g: np.average(g.gdp_real_1997 / g.population, weights=g.population)
    )
    pd.testing.assert_series_equal(
        got.sort_index(), direct.sort_index(), check_names=False, check_index_type=False
    )
    # a weighted mean of GDP per head by population is total GDP over total population
    ratio = wide.groupby(province).gdp_real_1997.sum() / wide.groupby(province).population.sum()
    np.testing.assert_allclose(got.sort_index(), ratio.sort_index())


def test_province_aggregation_matches_the_registry_grouping():
    census = _census()
    result = aggregate(census, to="province").to_frame()
    registry = cities()
    in_data = census.assign(province=census.region_code.map(registry.province_code))
    direct = in_data[in_data.province.isin(provinces().index)].groupby(["province", "year"]).value
    expected = direct.sum()
    got = result.set_index(["unit", "year"]).value
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    assert set(result.unit) == set(provinces().index)
    assert result.unit_name.iloc[0] == "北京市"


def test_macro_regions_and_nation_add_up():
    census = _census()
    macro = aggregate(census, to="macro_region").to_frame()
    nation = aggregate(census, to="nation").to_frame().set_index("year").value
    assert set(macro.unit) == {"east", "central", "west", "northeast"}
    np.testing.assert_allclose(macro.groupby("year").value.sum(), nation)
    # Hong Kong and Macao belong to no mainland province: reported
    assert set(aggregate(census, to="nation").unassigned.region_code) == {810000, 820000}


def test_weights_as_series_and_bad_weights():
    values = pd.DataFrame({"region_code": CODES[:3], "year": 2020, "value": [1.0, 2.0, 4.0]})
    weights = pd.Series([1.0, 1.0, 2.0], index=CODES[:3])
    row = aggregate(values, how="weighted_mean", weights=weights, membership=memberships(TOY))
    assert row.to_frame().value.iloc[0] == pytest.approx((1 + 2 + 8) / 4)
    with pytest.raises(WeightsError, match=r"region 440400 in 2020 .* not -2.0"):
        aggregate(
            values,
            how="weighted_mean",
            weights=weights * [1, 1, -1],
            membership=memberships(TOY),
        )
    with pytest.raises(WeightsError, match="needs weights"):
        aggregate(values, how="weighted_mean")


def test_bad_aggregation_inputs():
    values = pd.DataFrame({"region_code": [440100, 440100], "year": 2020, "value": [1.0, 2.0]})
    with pytest.raises(DuplicateError, match="440100 year 2020"):
        aggregate(values)
    with pytest.raises(DataValidationError, match="to must be one of"):
        aggregate(values.head(1), to="county")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="made of cities"):
        aggregate(pd.DataFrame({"region_code": [440000], "year": 2020, "value": [1.0]}))
    with pytest.raises(DataValidationError, match="'广州' is not one"):
        aggregate(pd.DataFrame({"region_code": ["广州"], "year": 2020, "value": [1.0]}))


# --------------------------------------------------------------------------- concentration
def test_concentration_shares_on_the_census_against_pandas():
    census = _census()
    result = concentration(census).to_frame()
    members = load_urban_agglomerations().data
    total = census.groupby("year").value.sum()
    for name in ("长江三角洲城市群", "粤港澳大湾区"):
        codes = members[members.agglomeration == name].region_code
        direct = census[census.region_code.isin(codes)].groupby("year").value.sum() / total
        got = result.query("agglomeration == @name").set_index("year").share
        np.testing.assert_allclose(got.sort_index(), 100 * direct.sort_index())
    union = census[census.region_code.isin(set(members.region_code))]
    direct = union.groupby("year").value.sum() / total
    got = result[result.agglomeration == ALL].set_index("year").share
    np.testing.assert_allclose(got.sort_index(), 100 * direct.sort_index())
    assert result.national_source.str.startswith("sum over the").all()


def test_concentration_with_a_given_national_total():
    census = _census()
    national = {("census_population", 2020): 1_411_778_724.0}  # 7th census, mainland
    result = concentration(census, national=national).to_frame()
    rows = result.query("year == 2020")
    assert (rows.national_source == "given").all()
    np.testing.assert_allclose(rows.share, 100 * rows.value / 1_411_778_724.0)
    assert (result.query("year == 2010").national_source != "given").all()
    with pytest.raises(DataValidationError, match="must be positive"):
        concentration(census, national={("census_population", 2020): 0.0})
    with pytest.raises(DataValidationError, match="not in values"):
        concentration(census, measures=["patents"])
