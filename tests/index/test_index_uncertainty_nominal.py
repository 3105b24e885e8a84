"""The nominal configuration of ``index_uncertainty`` is the index's own, and nominal ranks
outside their Monte Carlo interval are listed with the choice that moves them.

Independent references: the ranks ``compute_index`` reports (``result.scores["rank"]``); a
hand-worked three-configuration example for the outside-interval listing.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from nqpf.errors import NqpfError
from nqpf.index import compute_index, index_uncertainty, rank_uncertainty
from nqpf.index.compute import AGGREGATIONS, WEIGHTINGS
from nqpf.panel import Panel

REGIONS = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海")
SYSTEM = {
    "name": "synthetic",
    "dimensions": [
        {
            "name": "d1",
            "indicators": [
                {"name": "a", "formula": "x0", "direction": 1},
                {"name": "b", "formula": "x1", "direction": -1},
            ],
        },
        {
            "name": "d2",
            "indicators": [
                {"name": "c", "formula": "x2", "direction": 1},
                {"name": "d", "formula": "x3", "direction": 1},
                {"name": "e", "formula": "x4", "direction": -1},
            ],
        },
    ],
}
USER_WEIGHTS = {"a": 3.0, "b": 1.0, "c": 2.0, "d": 1.0, "e": 1.0}


def _nominal_vs_index(result, unc):
    nominal = unc.rank_summary["nominal_rank"]
    index_rank = result.scores.set_index(["region_code", "year"])["rank"]
    return nominal.to_numpy(), index_rank.reindex(nominal.index).to_numpy()


@pytest.fixture(scope="module")
def panel():
    """9 provinces x 3 years of skewed indicators, with an exact tie (two identical rows)."""
    rng = np.random.default_rng(8)
    keys = [(r, t) for t in (2019, 2020, 2021) for r in REGIONS]
    frame = pd.DataFrame(keys, columns=["region", "year"])
    values = rng.lognormal(size=(len(keys), 5))
    values[1] = values[0]  # 天津 2019 equals 北京 2019 on every indicator: a shared rank
    for j in range(5):
        frame[f"x{j}"] = values[:, j]
    return Panel.from_wide(frame)


@pytest.fixture(scope="module")
def bundled():
    from nqpf.data import load_province_panel

    return load_province_panel()


@pytest.mark.parametrize(
    ("weighting", "aggregation"), [("critic", "linear"), ("entropy", "topsis")]
)
def test_nominal_rank_is_the_index_rank_on_bundled_data(bundled, weighting, aggregation):
    # the reproduction: before, the nominal configuration was always minmax/entropy/linear, and
    # agreed with the index's rank in 22.6 % (critic) and 38.4 % (TOPSIS) of region-years
    result = compute_index(bundled, weighting=weighting, aggregation=aggregation)
    unc = index_uncertainty(result, n_runs=20, seed=0)
    nominal, expected = _nominal_vs_index(result, unc)
    np.testing.assert_array_equal(nominal, expected)
    assert unc.meta["nominal"] == {
        "normalization": "minmax",
        "weighting": weighting,
        "aggregation": aggregation,
    }


@pytest.mark.parametrize("normalization", ["minmax", "minmax_group", "zscore", "vector"])
@pytest.mark.parametrize("aggregation", AGGREGATIONS)
@pytest.mark.parametrize("weighting", [*WEIGHTINGS, "user"])
def test_nominal_rank_equals_index_rank_for_every_configuration(
    panel, weighting, aggregation, normalization
):
    given = USER_WEIGHTS if weighting == "user" else weighting
    result = compute_index(
        panel, SYSTEM, weighting=given, aggregation=aggregation, normalization=normalization
    )
    unc = index_uncertainty(result, n_runs=6, seed=1)
    nominal, expected = _nominal_vs_index(result, unc)
    np.testing.assert_array_equal(nominal, expected)
    # the tied pair shares its rank in both
    ranks = unc.rank_summary["nominal_rank"]
    assert ranks.loc[(110000, 2019)] == ranks.loc[(120000, 2019)]
    # the nominal configuration is a point of the design space, with the index's own weights
    names = {"normalizations": normalization, "weightings": weighting}
    for key, name in names.items():
        assert name in unc.meta[key]
    own = result.indicator_weights.set_index("indicator")["weight"]
    np.testing.assert_array_equal(unc.base_weights[weighting].to_numpy(), own.to_numpy())


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 3), min_size=27 * 5, max_size=27 * 5),
    weighting=st.sampled_from([*WEIGHTINGS, "user"]),
    aggregation=st.sampled_from(AGGREGATIONS),
    normalization=st.sampled_from(["minmax", "minmax_group", "zscore", "vector"]),
)
def test_nominal_rank_equals_index_rank_on_tied_data(values, weighting, aggregation, normalization):
    # small integers: many tied cells and tied scores, where any difference in rounding
    # between the two computations would show as a different rank
    keys = [(r, t) for t in (2019, 2020, 2021) for r in REGIONS]
    frame = pd.DataFrame(keys, columns=["region", "year"])
    cells = np.asarray(values, dtype=float).reshape(len(keys), 5) + 1.0
    for j in range(5):
        frame[f"x{j}"] = cells[:, j]
    given_weights = USER_WEIGHTS if weighting == "user" else weighting
    try:
        result = compute_index(
            Panel.from_wide(frame),
            SYSTEM,
            weighting=given_weights,
            aggregation=aggregation,
            normalization=normalization,
        )
        unc = index_uncertainty(result, n_runs=2, seed=0)
    except NqpfError:  # constant indicator (in a year), degenerate weights or TOPSIS ideals
        reject()
    nominal, expected = _nominal_vs_index(result, unc)
    np.testing.assert_array_equal(nominal, expected)


def test_default_configuration_keeps_the_design():
    # entropy / minmax is already among the standard choices: the design is the standard one
    rng = np.random.default_rng(3)
    keys = [(r, t) for t in (2020, 2021) for r in REGIONS]
    frame = pd.DataFrame(keys, columns=["region", "year"])
    for j in range(5):
        frame[f"x{j}"] = rng.uniform(1, 5, len(keys))
    result = compute_index(Panel.from_wide(frame), SYSTEM)
    unc = index_uncertainty(result, n_runs=10, seed=0)
    assert unc.meta["normalizations"] == ["minmax", "zscore", "vector"]
    assert unc.meta["weightings"] == ["entropy", "critic", "equal"]
    assert unc.meta["aggregations"] == ["linear", "geometric", "topsis"]


# ------------------------------------------------------------------ outside the interval
@pytest.fixture(scope="module")
def constructed():
    """Five rows, two indicators; the nominal weights (all on ``a``) are not among the runs.

    Min-max scores: a = [0, .25, .5, .75, 1], b = [.8, .7, .2, 0, 1].
    Nominal (a only): ranks 5 4 3 2 1.  Equal weights: scores .40 .475 .35 .375 1 -> ranks
    3 2 5 4 1.  "b-lean" (0.4 a + 0.6 b): .48 .52 .32 .30 1 -> ranks 3 2 4 5 1.
    """
    X = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [4.0, 3.5, 1.0, 0.0, 5.0]},
        index=pd.Index(list("pqrst"), name="region"),
    )
    nominal = pd.Series({"a": 1.0, "b": 0.0}, name="a-only")
    lean = pd.Series({"a": 0.4, "b": 0.6}, name="b-lean")
    return rank_uncertainty(
        X,
        normalizations=["minmax"],
        weightings=["equal", lean],
        aggregations=["linear"],
        weight_perturbation=0.0,
        n_runs=200,
        seed=0,
        nominal={"weighting": nominal},
    )


def test_outside_interval_lists_the_rows_and_why(constructed):
    out = constructed.outside_interval().set_index("region")
    assert sorted(out.index) == ["p", "q", "r", "s"]  # "t" ranks 1 in every configuration
    assert out["nominal_rank"].to_dict() == {"p": 5, "q": 4, "r": 3, "s": 2}
    assert out["runs_rank_it"].to_dict() == {
        "p": "higher",
        "q": "higher",
        "r": "lower",
        "s": "lower",
    }
    # r and s move with the weighting only: it explains all of their rank variance
    assert out.loc["s", "driver"] == "weighting"
    assert out.loc["s", "driver_first_order"] == pytest.approx(1.0)
    assert out.loc["s", "driver_medians"] == "equal 4, b-lean 5"
    assert out.loc["r", "driver_medians"] == "equal 5, b-lean 4"
    # p and q get the same rank in every run: no driver, the note gives that rank
    assert out.loc["p", "driver"] == "" and "every run ranks it 3" in out.loc["p", "note"]
    assert "every run ranks it 2" in out.loc["q", "note"]
    # the nominal weights are never drawn
    assert out["nominal_choices_median"].isna().all()
    assert "rank it lower" in out.loc["s", "note"] and "weighting" in out.loc["s", "note"]


def test_outside_interval_reaches_summary_frame_and_summary(constructed):
    wide = constructed.summary_frame().set_index("region")
    assert wide.loc["t", "interval_note"] == ""
    assert wide.loc["s", "interval_note"] == constructed.outside_interval()["note"].iloc[3]
    assert "4 row(s) have a nominal rank outside" in str(constructed.summary())


def test_nothing_outside_when_the_nominal_choice_is_common():
    # nominal = minmax/equal/linear, drawn in about half the runs
    X = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [4.0, 3.5, 1.0, 0.0, 5.0]},
        index=pd.Index(list("pqrst"), name="region"),
    )
    lean = pd.Series({"a": 0.4, "b": 0.6}, name="b-lean")
    unc = rank_uncertainty(
        X,
        normalizations=["minmax"],
        weightings=["equal", lean],
        aggregations=["linear"],
        weight_perturbation=0.0,
        n_runs=400,
        seed=0,
        nominal={"weighting": "equal"},
    )
    # equal ranks r 5 and s 4, b-lean r 4 and s 5: both ranks are common, nothing is outside
    assert unc.outside_interval().empty
    assert (unc.summary_frame()["interval_note"] == "").all()
    assert "outside" not in " ".join(unc.summary().notes)


def test_hainan_on_bundled_data_is_explained(bundled):
    # the finding: Hainan's nominal rank 19 in 2022 lies outside its interval (about 21-30)
    unc = index_uncertainty(compute_index(bundled), n_runs=1000, seed=0)
    out = unc.outside_interval().set_index(["region_code", "year"])
    hainan = out.loc[(460000, 2022)]
    assert hainan["nominal_rank"] == 19 and hainan["p05_rank"] > 19
    assert hainan["runs_rank_it"] == "lower"
    # runs with the nominal choices (only weights perturbed) agree with the nominal rank: the
    # other choices move it, above all the weighting (entropy is the nominal one)
    assert hainan["nominal_choices_median"] < hainan["p05_rank"]
    assert hainan["driver"] == "weighting"
    assert hainan["driver_medians"].startswith("entropy* ")
