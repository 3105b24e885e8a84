"""The city study on the bundled city data (one shared run with few Monte Carlo runs)."""

import numpy as np
import pandas as pd
import pytest

from nqpf.data import load_city_panel, load_province_panel
from nqpf.errors import DataValidationError
from nqpf.studies import city_study
from nqpf.studies.inputs import require_bundled


@pytest.fixture(scope="module")
def study():
    return city_study(runs=20, permutations=99, seed=1)


def test_years_with_every_indicator_are_stated(study):
    assert study.complete == (2016,) and study.year == 2016
    assert "2016" in study.notes[0]


def test_scores_in_unit_interval_and_ranks_consistent(study):
    scores = study.scores()
    assert scores.score.between(0, 1).all()
    expected = scores.score.rank(ascending=False, method="min").astype(int)
    assert (scores["rank"] == expected).all()
    assert (scores.p05_rank <= scores.median_rank).all()
    assert (scores.median_rank <= scores.p95_rank).all()
    assert scores.city.notna().all() and scores.province.notna().all()
    assert set(scores.macro_region) <= {"东部", "中部", "西部", "东北"}
    top = study.top_bottom()
    assert len(top) == 40 and top["rank"].iloc[0] == 1
    assert top["rank"].iloc[-1] == scores["rank"].max()


def test_index_equals_a_direct_entropy_computation(study):
    # hand-written: the indicator formulas of nqpf-city, min-max, entropy weights, weighted sum
    w = load_city_panel().wide().xs(2016, level="year")
    x = pd.DataFrame(
        {
            "kibs": w.kibs_share,
            "wage": w.average_wage,
            "edu": 1e4 * w.public_exp_education / w.population,
            "patents": w.patents / w.population,
            "transport": 1e4 * w.public_exp_transport / w.population,
            "gdp": 1e4 * w.gdp_real_1997 / w.population,
            "co2": 100 * w.co2_emissions / w.gdp_real_1997,
            "urban": 100 * w.population_urban / w.population,
        }
    ).dropna()
    v = x.to_numpy()
    y = (v - v.min(0)) / (v.max(0) - v.min(0))
    y[:, 6] = (v[:, 6].max() - v[:, 6]) / (v[:, 6].max() - v[:, 6].min())  # cost indicator
    p = y / y.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(0) / np.log(len(y))
    weights = (1 - e) / (1 - e).sum()
    expected = pd.Series(y @ weights, index=x.index)
    got = study.index.scores.set_index("region_code").score
    assert sorted(got.index) == sorted(expected.index)
    np.testing.assert_allclose(got[expected.index], expected, rtol=1e-10)
    np.testing.assert_allclose(study.index.indicator_weights.weight, weights, rtol=1e-10)


def test_co2_intensity_by_hand(study):
    # Shenzhen 2016: 35.282289 Mt over 14565.225284 亿元 = 35.282289e6 t / 1.4565225e8 万元
    value = study.index.values.loc[(440300, 2016), "co2_per_gdp"]
    assert value == pytest.approx(35.282288847e6 / 14565.225284399e4, rel=1e-6)


def test_moran_and_tables(study):
    assert -1 < study.moran.statistic < 1 and study.moran.n == len(study.index.scores)
    tables = study.tables()
    assert set(tables) == {
        "city_scores",
        "city_top_bottom",
        "city_weights",
        "city_moran",
        "city_repairs",
    }
    repairs = tables["city_repairs"]
    assert {"year_aligned", "imputed", "coverage", "name_split"} <= set(repairs.kind)
    figures = study.figures()
    assert figures["city_map"].plot == "city_map"
    assert len(figures["city_rank_intervals"].data) == 20


def test_unknown_year_names_the_years_there_are():
    with pytest.raises(DataValidationError, match="year 2010 .* 2016"):
        city_study(year=2010, runs=0)


def test_province_panel_is_refused():
    with pytest.raises(DataValidationError, match="city panel"):
        city_study(load_province_panel(), runs=0)


def test_user_table_is_told_apart_from_the_bundled_data():
    require_bundled(load_province_panel(), "city", "the bundled city data")
    subset = load_province_panel().select(indicators=["gdp", "population"])
    with pytest.raises(DataValidationError, match="user's table"):
        require_bundled(subset, "city", "the bundled city data")
