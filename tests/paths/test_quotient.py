"""Location quotients: a hand-computed 3 × 3 example, the share identity, references, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.paths import LocationQuotient, location_quotient

# e_ij: A (10, 20, 10) = 40, B (30, 10, 0) = 40, C (20, 30, 30) = 80; E_j = (60, 60, 40), E = 160
E = pd.DataFrame(
    [[10.0, 20.0, 10.0], [30.0, 10.0, 0.0], [20.0, 30.0, 30.0]],
    index=["A", "B", "C"],
    columns=["x", "y", "z"],
)


def long(e: pd.DataFrame) -> pd.DataFrame:
    return e.rename_axis(index="region", columns="sector").stack().rename("emp").reset_index()


def lq_matrix(result: LocationQuotient) -> pd.DataFrame:
    return result.table.pivot(index="region", columns="sector", values="lq")


def test_three_by_three_by_hand():
    result = location_quotient(long(E), region="region", sector="sector", value="emp")
    # shares of the nation: x 60/160 = 0.375, y 0.375, z 0.25
    expected = [[2 / 3, 4 / 3, 1.0], [2.0, 2 / 3, 0.0], [2 / 3, 1.0, 1.5]]
    np.testing.assert_allclose(lq_matrix(result).to_numpy(), expected, rtol=1e-12)
    assert list(result.table.columns) == [
        "region",
        "sector",
        "lq",
        "share_region",
        "share_nation",
    ]
    first = result.table.iloc[0]
    assert (first.region, first.sector) == ("A", "x")
    assert (first.share_region, first.share_nation) == (0.25, 0.375)
    assert result.reference == "regions" and "own sector totals" in result.notes[0]


def test_national_reference():
    national = pd.Series({"x": 120.0, "y": 60.0, "z": 60.0})  # E = 240: 0.5, 0.25, 0.25
    result = location_quotient(
        long(E), region="region", sector="sector", value="emp", national=national
    )
    expected = (E.div(E.sum(axis=1), axis=0) / [0.5, 0.25, 0.25]).to_numpy()
    np.testing.assert_allclose(lq_matrix(result).to_numpy(), expected, rtol=1e-12)
    assert result.reference == "national" and "national" in result.notes[0]


def test_years_and_national_by_year():
    table = pd.concat([long(E).assign(year=2019), long(E * 2).assign(year=2020)], ignore_index=True)
    result = location_quotient(table, region="region", sector="sector", value="emp", year="year")
    assert list(result.table.columns[:3]) == ["region", "year", "sector"]
    one = result.table[result.table.year == 2019].lq.to_numpy()
    two = result.table[result.table.year == 2020].lq.to_numpy()
    np.testing.assert_allclose(one, two, rtol=1e-12)  # LQ is scale-free
    national = pd.Series(
        [60.0, 60.0, 40.0, 240.0, 120.0, 120.0],
        index=pd.MultiIndex.from_product([[2019, 2020], ["x", "y", "z"]]),
    )
    by_year = location_quotient(
        table, region="region", sector="sector", value="emp", year="year", national=national
    )
    first = by_year.table[by_year.table.year == 2019].lq.to_numpy()
    np.testing.assert_allclose(first, one, rtol=1e-12)  # 2019 totals equal the regions' sums
    a_x_2020 = by_year.table.query("year == 2020 and region == 'A' and sector == 'x'").lq
    assert a_x_2020.item() == pytest.approx(0.25 / 0.5)  # national shares 0.5, 0.25, 0.25


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.floats(0.5, 1000.0), min_size=3, max_size=3), min_size=2, max_size=6))
def test_weighted_quotients_sum_to_one(rows):
    # Σ_i e_ij = E_j ⇒ Σ_i (e_i / E) LQ_ij = 1 for every sector j
    e = pd.DataFrame(rows, index=[f"r{k}" for k in range(len(rows))], columns=["x", "y", "z"])
    result = location_quotient(long(e), region="region", sector="sector", value="emp")
    weights = (e.sum(axis=1) / e.to_numpy().sum()).to_numpy()
    np.testing.assert_allclose(weights @ lq_matrix(result).loc[e.index, e.columns], 1.0)


def test_absent_cell_is_zero_with_a_note():
    table = long(E).query("not (region == 'B' and sector == 'z')")
    result = location_quotient(table, region="region", sector="sector", value="emp")
    assert lq_matrix(result).loc["B", "z"] == 0.0
    assert any("1 region-sector cell" in n for n in result.notes)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t: t.assign(emp=t.emp.where(t.index != 1, -5.0)), r"region 'A' sector 'y'.*-5"),
        (lambda t: t.assign(emp=t.emp.where(t.index != 0, np.nan)), "'A' sector 'x'.*missing"),
        (lambda t: t.assign(emp=t.emp.where(t.region != "A", 0.0)), "region 'A' has a total of 0"),
        (lambda t: t.assign(emp=t.emp.where(t.sector != "z", 0.0)), "sector 'z' has a total of 0"),
        (lambda t: t.drop(columns="emp"), "no column 'emp'"),
    ],
)
def test_bad_input(change, match):
    with pytest.raises(DataValidationError, match=match):
        location_quotient(change(long(E)), region="region", sector="sector", value="emp")


def test_duplicates_and_bad_national_totals():
    table = long(E)
    with pytest.raises(DuplicateError, match="region 'A' sector 'x'"):
        location_quotient(
            pd.concat([table, table.iloc[:1]]), region="region", sector="sector", value="emp"
        )
    for national, match in [
        (pd.Series({"x": 100.0, "y": 100.0}), "sector 'z' is missing"),
        (pd.Series({"x": 100.0, "y": 100.0, "z": 0.0}), "sector 'z' is missing or not positive"),
        (pd.Series({"x": 50.0, "y": 100.0, "z": 100.0}), "sector 'x'.*below the regions' sum"),
    ]:
        with pytest.raises(DataValidationError, match=match):
            location_quotient(
                table, region="region", sector="sector", value="emp", national=national
            )
