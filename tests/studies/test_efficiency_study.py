"""The efficiency study: its inputs against the raw loaders, the decompositions, a user panel."""

import numpy as np
import pandas as pd
import pytest

from nqpf.data import load_capital_stock_inputs, load_province_gdp, load_technology_market
from nqpf.errors import DataValidationError, NqpfError
from nqpf.panel import Panel
from nqpf.studies import STUDIES, MainJob, efficiency_study

BEIJING = 110000


@pytest.fixture(scope="module")
def study():
    return efficiency_study()


def _raw(frame: pd.DataFrame, indicator: str, code: int) -> dict[int, float]:
    rows = frame[(frame.indicator == indicator) & (frame.region_code == code)]
    return {int(y): float(v) for y, v in zip(rows.year, rows.value, strict=True)}


def _value(study, variable: str, code: int, year: int) -> float:
    table = study.inputs.table
    row = table[(table.variable == variable) & (table.region_code == code) & (table.year == year)]
    assert len(row) == 1
    return float(row.value.iloc[0])


def test_capital_stock_by_a_plain_loop(study):
    raw = load_capital_stock_inputs().data
    invest = _raw(raw, "fixed_capital_formation", BEIJING)
    price = _raw(raw, "investment_deflator", BEIJING)
    first = min(y for y, v in invest.items() if not np.isnan(v))
    stock = invest[first] / (price[first] / price[2010]) / 0.10
    for year in range(first + 1, 2016):
        stock = stock * (1 - 0.096) + invest[year] / (price[year] / price[2010])
    assert _value(study, "capital_stock", BEIJING, 2015) == pytest.approx(stock, rel=1e-12)


def test_real_gdp_and_interpolated_turnover_by_hand(study):
    price = _raw(load_capital_stock_inputs().data, "investment_deflator", 440000)
    gdp = _raw(load_province_gdp().data, "gdp", 440000)[2016]
    assert _value(study, "gdp_real", 440000, 2016) == pytest.approx(
        gdp / (price[2016] / price[2010])
    )
    market = load_technology_market().data.set_index(["region_code", "year"]).outflow_amount
    real = {y: market[(440000, y)] / 1e4 / (price[y] / price[2010]) for y in (2010, 2012)}
    assert (440000, 2011) not in market.index
    assert _value(study, "techmarket", 440000, 2011) == pytest.approx((real[2010] + real[2012]) / 2)
    assert any("Technology-market turnover is missing in 2011" in n for n in study.notes)


def test_years_drops_and_units_are_stated(study):
    inputs = study.inputs
    assert inputs.years == list(range(2010, 2019))
    assert 540000 not in set(inputs.table.region_code)
    assert any("Tibet (540000: co2" in n for n in inputs.notes)
    assert inputs.units["gdp_real"] == "亿元 (2010 prices)" and inputs.units["co2"] == "Mt"
    assert any("δ = 0.096" in n for n in study.notes)
    assert len(inputs.table) == 30 * 9 * 9


def test_indices_multiply_and_means_are_geometric(study):
    tables = study.tables()
    tfp, green = tables["tfp"], tables["green_tfp"]
    assert len(tfp) == len(green) == 30 * 8
    np.testing.assert_allclose(tfp.tfp, tfp.ec * tfp.tc, rtol=1e-10)
    np.testing.assert_allclose(tfp.ec, tfp.pec * tfp.sec, rtol=1e-10)
    np.testing.assert_allclose(green.gml, green.ec * green.bpc, rtol=1e-10)
    means = tables["tfp_means"]
    national = means[(means.measure == "tfp") & (means.group == "全国 National")].set_index("year")
    assert national.loc[2013, "index"] == pytest.approx(
        np.exp(np.log(tfp[tfp.year == 2013].tfp).mean())
    )
    ratios = national["index"].iloc[1:]
    assert national["cumulative_index"].iloc[-1] == pytest.approx(np.prod(ratios))
    defined = means.dropna(subset=["index"])
    np.testing.assert_allclose(defined["index"], defined.ec * defined.change, rtol=1e-10)
    radial = defined[defined.measure == "tfp"]
    np.testing.assert_allclose(radial.ec, radial.pec * radial.sec, rtol=1e-10)
    assert set(means.group) == {
        "全国 National",
        "东部 East",
        "中部 Central",
        "西部 West",
        "东北 Northeast",
    }
    scores = tables["efficiency_scores"]
    assert scores.efficiency.between(0, 1 + 1e-9).all()
    np.testing.assert_allclose(scores.groupby("year").efficiency.max(), 1.0)


def test_figures_are_declared(study):
    figures = study.figures()
    assert set(figures) == {"tfp_lines", "green_tfp_lines", "green_tfp_map"}
    assert len(figures["green_tfp_map"].data) == 30


def _synthetic_panel(gap: bool = False, zero: bool = False) -> Panel:
    """Synthetic: 4 provinces × 3 years, labour L, output Y, emissions C."""
    years = [2001, 2003, 2004] if gap else [2001, 2002, 2003]
    rows = []
    for i, name in enumerate(["北京", "天津", "上海", "重庆"]):
        for t, year in enumerate(years):
            rows += [
                (name, year, "L", 10.0 + i),
                (name, year, "Y", 0.0 if zero and i == 2 else 20.0 + 3 * i + 2 * t * (i + 1)),
                (name, year, "C", 5.0 + i - 0.5 * t),
            ]
    return Panel.from_long(pd.DataFrame(rows, columns=["region", "year", "indicator", "value"]))


def test_user_panel_one_input_one_output():
    r = efficiency_study(_synthetic_panel(), inputs=["L"], outputs=["Y"], undesirable=["C"])
    tfp = r.tables()["tfp"].set_index(["region_code", "year"])
    # one input, one output, CRS: the Malmquist index is the ratio of productivities Y/L
    for code, i in ((110000, 0), (310000, 2)):
        y1, y2 = 20.0 + 3 * i, 20.0 + 3 * i + 2 * (i + 1)
        assert tfp.loc[(code, 2002), "tfp"] == pytest.approx(y2 / y1)
    green = r.tables()["green_tfp"]
    np.testing.assert_allclose(green.gml, green.ec * green.bpc, rtol=1e-10)
    assert "green_tfp_map" in r.figures() and any("user's panel" in n for n in r.notes)


def test_user_columns_by_their_file_headers_and_a_missing_value_named():
    """Synthetic: a header with its unit names the indicator, as in the other commands."""
    panel = _synthetic_panel()
    panel = Panel(panel.data, panel.level, {"L": "万人", "Y": "亿元", "C": "万吨"})
    by_header = efficiency_study(
        panel, inputs=["L（万人）"], outputs=["Y（亿元）"], undesirable=["C（万吨）"]
    )
    by_name = efficiency_study(panel, inputs=["L"], outputs=["Y"], undesirable=["C"])
    pd.testing.assert_frame_equal(by_header.tables()["tfp"], by_name.tables()["tfp"])
    with pytest.raises(DataValidationError, match="did you mean 'L'"):
        efficiency_study(panel, inputs=["LL"], outputs=["Y"], undesirable=["C"])
    gap = panel.data.copy()
    gap.loc[(gap.region_code == 120000) & (gap.year == 2002) & (gap.indicator == "C"), "value"] = (
        np.nan
    )
    with pytest.raises(DataValidationError, match=r"天津 Tianjin\) in 2002 has no value"):
        efficiency_study(
            Panel(gap, panel.level, panel.units), inputs=["L"], outputs=["Y"], undesirable=["C"]
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inputs": ["K"], "outputs": ["Y"], "undesirable": ["C"]}, "no column 'K'"),
        ({"inputs": ["L"], "outputs": ["Y"], "undesirable": []}, "needs the names"),
    ],
)
def test_user_panel_bad_columns(kwargs, message):
    with pytest.raises(DataValidationError, match=message):
        efficiency_study(_synthetic_panel(), **kwargs)


def test_user_panel_gap_and_zero_are_errors():
    names = {"inputs": ["L"], "outputs": ["Y"], "undesirable": ["C"]}
    with pytest.raises(DataValidationError, match="year 2002 is missing"):
        efficiency_study(_synthetic_panel(gap=True), **names)
    with pytest.raises(DataValidationError, match="'Y' must be positive.*310000"):
        efficiency_study(_synthetic_panel(zero=True), **names)


def test_main_job_on_a_user_table_is_skipped_with_a_hint():
    entry = next(s for s in STUDIES if s.key == "efficiency")
    keys = [s.key for s in STUDIES]
    assert keys.index("coupling") < keys.index("efficiency") < keys.index("drivers")
    with pytest.raises(NqpfError):
        entry.run(MainJob(_synthetic_panel()))
    assert "nqpf efficiency --data FILE" in entry.hint
