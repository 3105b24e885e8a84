"""What-if scenarios: the change grammar, hand-checked scores, the hold policies, bad changes."""

import re

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError, IndexSystemError, UnknownRegionError
from nqpf.panel import Panel
from nqpf.studies import Change, parse_change, scenario_study

# NBS macro-regions (国家统计局 2011): the six Central provinces, written out by hand
CENTRAL = {140000, 340000, 360000, 410000, 420000, 430000}

# synthetic panel (made-up numbers): 北京 (East), 山西 and 湖北 (Central), two years;
# a pooled over all rows runs from 1 to 5 and b from 2 to 12
SYNTHETIC = pd.DataFrame(
    {
        "region": ["北京", "北京", "山西", "山西", "湖北", "湖北"],
        "year": [2020, 2021] * 3,
        "a": [5.0, 4.0, 2.0, 1.0, 3.0, 2.0],
        "b": [10.0, 12.0, 4.0, 6.0, 8.0, 2.0],
    }
)
SYSTEM = {
    "name": "synthetic",
    "dimensions": [
        {"name": "d1", "indicators": [{"name": "a", "formula": "a", "direction": 1}]},
        {"name": "d2", "indicators": [{"name": "b", "formula": "b", "direction": 1}]},
    ],
}
WEIGHTS = {"a": 0.6, "b": 0.4}


def synthetic(changes, hold="weights", runs=8):
    return scenario_study(
        Panel.from_wide(SYNTHETIC), SYSTEM, changes, runs=runs, seed=1, hold=hold, weighting=WEIGHTS
    )


def row(study, region, year):
    scores = study.scores().set_index(["region_code", "year"])
    return scores.loc[(region, year)]


# --- grammar ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rd_intensity*1.1@中部", Change("rd_intensity", "*", 1.1, ("中部",))),
        ("rd_intensity*1.1@东部|Central", Change("rd_intensity", "*", 1.1, ("东部", "Central"))),
        ("rd_intensity+0.5@北京,上海", Change("rd_intensity", "+", 0.5, ("北京", "上海"))),
        ("rd_intensity-0.5", Change("rd_intensity", "+", -0.5)),
        ("rd_intensity+10%", Change("rd_intensity", "*", 1.1)),
        ("rd_intensity-20%@山西", Change("rd_intensity", "*", 0.8, ("山西",))),
        ("rd_intensity=3@山西:2023", Change("rd_intensity", "=", 3.0, ("山西",), (2023,))),
        (" x * 2 :2018-2020,2022", Change("x", "*", 2.0, (), (2018, 2019, 2020, 2022))),
    ],
)
def test_good_specs(text, expected):
    assert parse_change(text) == expected


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("rd_intensity^2", "'rd_intensity^2'"),
        ("rd_intensity*", "'rd_intensity*'"),
        ("rd_intensity*x", "'x'"),
        ("rd_intensity=5%", "'5%'"),
        ("rd_intensity*1.1@", "'@'"),
        ("rd_intensity*1.1:", "':'"),
        ("rd_intensity*1.1@北京,,上海", "'北京,,上海'"),
        ("rd_intensity*1.1:20x0", "'20x0'"),
        ("rd_intensity*1.1:2020-2018", "'2020-2018'"),
    ],
)
def test_bad_specs_name_the_token(text, token):
    with pytest.raises(DataValidationError, match=re.escape(f"cannot read {token}")):
        parse_change(text)


# --- hand-checked scores (linear aggregation, fixed weights 0.6 / 0.4) -------------------------
def test_delta_score_is_weight_times_delta_normalised_value():
    # 山西 2020: a 2 → 5 with bounds held at 1..5: Δy = (5 - 2) / 4 = 0.75, Δscore = 0.6 · 0.75
    study = synthetic(["a=5@山西:2020"])
    shanxi = row(study, 140000, 2020)
    assert shanxi["score_baseline"] == pytest.approx(0.6 * 0.25 + 0.4 * 0.2)
    assert shanxi["delta_score"] == pytest.approx(0.45)
    # ranks of 2020: 北京 0.92, 湖北 0.54, 山西 0.23 → 山西 0.68 overtakes 湖北
    assert (shanxi["rank_baseline"], shanxi["rank_scenario"], shanxi["delta_rank"]) == (3, 2, -1)
    assert row(study, 420000, 2020)["delta_rank"] == 1
    for region, year in [(110000, 2020), (110000, 2021), (140000, 2021), (420000, 2020)]:
        assert row(study, region, year)["delta_score"] == 0.0
    assert study.scores()["changed"].sum() == 1


def test_macro_region_change_by_hand_and_the_notes():
    study = synthetic(["a*1.5@中部:2020"])
    assert row(study, 140000, 2020)["delta_score"] == pytest.approx(0.6 * (3 - 2) / 4)
    assert row(study, 420000, 2020)["delta_score"] == pytest.approx(0.6 * (4.5 - 3) / 4)
    assert row(study, 110000, 2020)["delta_score"] == 0.0
    assert "2 of 3 regions, 2 region-years" in study.notes[0]
    assert any("hold='weights'" in n for n in study.notes)


def test_hold_none_moves_the_bounds_for_everyone():
    # a of 山西 2020 set to 9: with bounds recomputed (1..9) 北京 2020 falls from y=1 to y=0.5
    held, free = synthetic(["a=9@山西:2020"]), synthetic(["a=9@山西:2020"], hold="none")
    assert row(free, 110000, 2020)["delta_score"] == pytest.approx(0.6 * (0.5 - 1.0))
    assert row(held, 110000, 2020)["delta_score"] == 0.0
    # held bounds: y = (9 - 1) / 4 = 2, beyond the baseline's maximum, and said so
    assert row(held, 140000, 2020)["delta_score"] == pytest.approx(0.6 * (2.0 - 0.25))
    assert any("outside [0, 1]" in n for n in held.notes)


def test_disparity_and_coupling_follow_the_scores():
    study = synthetic(["a=5@山西:2020"])
    gini = study.disparity().set_index(["year", "measure"])
    # Gini of (0.92, 0.68, 0.54) against (0.92, 0.23, 0.54): mean |y_i - y_j| / (2 μ)
    for year_values, column in (([0.92, 0.23, 0.54], "baseline"), ([0.92, 0.68, 0.54], "scenario")):
        y = np.array(year_values)
        expected = np.abs(y[:, None] - y[None, :]).sum() / (2 * len(y) ** 2 * y.mean())
        assert gini.loc[(2020, "gini"), column] == pytest.approx(expected)
    assert gini.loc[(2021, "gini"), "delta"] == 0.0
    coupling = study.coupling().set_index(["region_code", "year"])
    assert coupling.loc[(140000, 2020), "delta_D"] > 0
    assert coupling.loc[(110000, 2020), "delta_D"] == 0.0


# --- the bundled data ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def central(bundled_panel):
    return scenario_study(bundled_panel, runs=20, seed=3)


def test_a_zero_change_gives_the_baseline_exactly(bundled_panel):
    study = scenario_study(bundled_panel, changes=["rd_intensity*1@中部"], runs=20, seed=3)
    pd.testing.assert_frame_equal(study.baseline.scores, study.scenario.scores, check_exact=True)
    pd.testing.assert_frame_equal(
        study.baseline_uncertainty.rank_summary,
        study.scenario_uncertainty.rank_summary,
        check_exact=True,
    )
    assert (study.disparity()["delta"] == 0).all()
    assert (study.coupling()["delta_D"] == 0).all()


def test_regions_outside_the_selection_are_unchanged(central):
    scores = central.scores()
    inside = scores["region_code"].isin(CENTRAL)
    assert (scores.loc[~inside, "delta_score"] == 0).all()
    assert (scores.loc[inside, "delta_score"] > 0).all()
    assert scores["changed"].equals(inside)
    assert set(central.changed["region_code"]) == CENTRAL
    np.testing.assert_allclose(central.changed["after"], 1.1 * central.changed["before"])
    # same runs for both: the same draws of choices
    pd.testing.assert_frame_equal(
        central.baseline_uncertainty.runs, central.scenario_uncertainty.runs
    )


def test_tables_and_figures(central):
    tables = central.tables()
    assert set(tables) == {
        "scenario_scores",
        "scenario_disparity",
        "scenario_coupling",
        "scenario_changes",
    }
    scores = tables["scenario_scores"]
    assert len(scores) == 31 * 12
    assert {"rank_p05_baseline", "rank_p95_scenario", "delta_rank"} <= set(scores.columns)
    assert set(central.figures()) == {"delta_intervals", "delta_map", "disparity_series"}


def test_english_names_and_agglomerations_select_the_same_provinces(bundled_panel):
    values = scenario_study(bundled_panel, changes=["rd_intensity*1.1@Central"], runs=0).changed
    assert set(values["region_code"]) == CENTRAL
    # 长江中游城市群: cities of 湖北, 湖南 and 江西 (its plan, 2015)
    values = scenario_study(bundled_panel, changes=["rd_intensity*1.1@长江中游"], runs=0).changed
    assert set(values["region_code"]) == {420000, 430000, 360000}


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("rd_intensty*1.1", IndexSystemError, "did you mean 'rd_intensity'"),
        ("rd_intensity*1.1@河楠", UnknownRegionError, "did you mean '河南'"),
        ("rd_intensity*1.1@中布", UnknownRegionError, "'中部'"),
        ("rd_intensity-5@中部", DataValidationError, "negative"),
        ("rd_intensity*1.1@中部:1990", DataValidationError, "year 1990 has no scores"),
    ],
)
def test_bad_changes(bundled_panel, spec, error, message):
    with pytest.raises(error, match=message):
        scenario_study(bundled_panel, changes=[spec], runs=0)


def test_empty_selection_and_bad_hold():
    with pytest.raises(DataValidationError, match="selects no region-year"):
        synthetic(["a*2@哈长城市群"], runs=0)
    with pytest.raises(DataValidationError, match="hold must be one of"):
        synthetic(["a*2"], hold="bounds", runs=0)
