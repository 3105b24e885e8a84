"""Perpetual-inventory capital stock.

References: the figure printed in the CHNCapitalStock README (Beijing 2022 = 40,271.14 亿元 at
1952 prices, quoted in the dataset's SOURCE.md), a direct Python loop over the raw CSV rows, and
algebraic properties of the recursion (linearity in investment; δ = 0 gives K0 + cumulative sum).
"""

import csv
import gzip
import math
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.data import load_capital_stock_inputs
from nqpf.efficiency import CapitalStock, perpetual_inventory
from nqpf.errors import DataValidationError


def _inputs() -> tuple[pd.Series, pd.Series]:
    wide = load_capital_stock_inputs().data.pivot_table(
        index=["region_code", "year"], columns="indicator", values="value"
    )
    return wide.fixed_capital_formation, wide.investment_deflator


def _raw_rows() -> list[dict[str, str]]:
    path = (
        files("nqpf.data")
        / "files"
        / "province_capital_stock_inputs_1952_2022"
        / "capital_stock_inputs.csv.gz"
    )
    with path.open("rb") as handle, gzip.open(handle, "rt", encoding="utf-8") as text:
        return list(csv.DictReader(text))


def test_beijing_2022_matches_the_published_figure():
    stock = perpetual_inventory(*_inputs())
    assert isinstance(stock, CapitalStock)
    assert stock.wide().loc[2022, 110000] == pytest.approx(40_271.14, abs=0.01)
    assert stock.meta["delta"] == 0.096 and stock.meta["initial"] == "rate"
    assert stock.meta["initial_rate"] == 0.10 and stock.meta["base_year"] is None


def test_every_region_equals_a_direct_loop_over_the_raw_rows():
    stock = perpetual_inventory(*_inputs()).wide()
    by_region: dict[str, list[dict[str, str]]] = {}
    for row in _raw_rows():
        by_region.setdefault(row["prv"], []).append(row)
    assert len(by_region) == stock.shape[1] == 31
    codes = {"beijing": 110000, "chongqing": 500000, "shaanxi": 610000, "shanxi": 140000}
    for name, code in codes.items():
        k = math.nan
        for row in sorted(by_region[name], key=lambda r: int(r["yr"])):
            real = float(row["invest"]) / float(row["InvestPrice"])
            k = real / 0.10 if math.isnan(k) else k * (1 - 0.096) + real
            assert stock.loc[int(row["yr"]), code] == pytest.approx(k, rel=1e-12)


def test_chongqing_starts_from_its_own_first_year_and_is_noted():
    result = perpetual_inventory(*_inputs())
    chongqing = result.wide()[500000].dropna()
    assert chongqing.index.min() == 1996
    first = result.stock.query("region_code == 500000 and year == 1996")
    assert first.capital_stock.item() == pytest.approx(first.investment_real.item() / 0.10)
    assert any("500000 starts in 1996" in n for n in result.notes)
    assert not any("110000 starts" in n for n in result.notes)


def test_base_year_rebases_prices():
    investment, deflator = _inputs()
    default = perpetual_inventory(investment, deflator).wide()
    rebased = perpetual_inventory(investment, deflator, base_year=2000)
    p2000 = deflator.xs(2000, level="year")
    expected = default * p2000  # I / (P_t / P_2000)
    pd.testing.assert_frame_equal(rebased.wide(), expected, check_names=False, rtol=1e-12)
    assert rebased.meta["price_base"] == 2000 and "prices of 2000" in rebased.notes


def test_to_frame_columns():
    frame = perpetual_inventory(*_inputs()).to_frame()
    assert list(frame.columns) == ["region_code", "year", "investment_real", "capital_stock"]
    assert len(frame) == 30 * 71 + 27


# ---------------------------------------------------------------------- properties
def _panel(values: list[float], regions: int = 2) -> pd.DataFrame:
    years = len(values) // regions
    data = np.asarray(values[: years * regions]).reshape(years, regions)
    return pd.DataFrame(data, index=range(2000, 2000 + years), columns=range(regions))


amounts = st.lists(st.floats(0.0, 1e4), min_size=4, max_size=20)


@settings(max_examples=40, deadline=None)
@given(amounts, amounts, st.floats(0.1, 5.0), st.floats(-3.0, 3.0), st.floats(0.0, 0.5))
def test_linear_in_investment(a, b, price, scale, delta):
    n = min(len(a), len(b)) // 2 * 2
    ia, ib = _panel(a[:n]), _panel(b[:n])
    deflator = ia * 0 + price
    k = lambda i: perpetual_inventory(i, deflator, delta=delta).wide()  # noqa: E731
    combined = k(ia + scale * ib)
    np.testing.assert_allclose(combined, k(ia) + scale * k(ib), rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(amounts, st.floats(0.5, 2.0), st.floats(0.0, 1e5))
def test_zero_depreciation_is_initial_stock_plus_cumulative_sum(values, price, k0):
    investment = _panel(values)
    deflator = investment * 0 + price
    initial = pd.Series(k0, index=investment.columns)
    stock = perpetual_inventory(investment, deflator, delta=0.0, initial=initial).wide()
    real = investment / price
    expected = k0 + real.cumsum() - real.iloc[0]
    np.testing.assert_allclose(stock, expected, rtol=1e-9, atol=1e-6)


# ---------------------------------------------------------------------- bad input
def test_bad_input_names_the_value():
    investment = pd.DataFrame({"A": [1.0, 2.0, 3.0]}, index=[2000, 2001, 2002])
    deflator = investment * 0 + 1.0
    with pytest.raises(DataValidationError, match="delta"):
        perpetual_inventory(investment, deflator, delta=1.0)
    with pytest.raises(DataValidationError, match="initial_rate"):
        perpetual_inventory(investment, deflator, initial_rate=0.0)
    with pytest.raises(DataValidationError, match="deflator of region 'A' in 2001"):
        perpetual_inventory(investment, deflator.assign(A=[1.0, 0.0, 1.0]))
    with pytest.raises(DataValidationError, match="investment of region 'A' in 2001"):
        perpetual_inventory(investment.assign(A=[1.0, np.nan, 3.0]), deflator)
    with pytest.raises(DataValidationError, match="year 2001 is absent"):
        perpetual_inventory(investment.drop(2001), deflator.drop(2001))
    with pytest.raises(DataValidationError, match="no stock for region 'A'"):
        perpetual_inventory(investment, deflator, initial=pd.Series({"B": 1.0}))
    with pytest.raises(DataValidationError, match="base_year 1999"):
        perpetual_inventory(investment, deflator, base_year=1999)
