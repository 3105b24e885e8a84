"""Directions resolved once when a system is read; weights and scores as result objects.

References: directions against their numeric form; entropy / CRITIC / CV details and the pipeline
scores against the formulas written out by hand or as plain loops in the tests.
"""

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import IndexSystemError
from nqpf.index import (
    AHPResult,
    CompositeScores,
    IndexWeights,
    ahp_weights,
    combine_weights,
    compute_index,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    geometric_aggregate,
    indicator_weights,
    linear_aggregate,
    load_system,
    normalize_indicators,
    obstacle_degree,
    pca_weights,
    rank_uncertainty,
    topsis,
)
from nqpf.panel import Panel
from nqpf.results import Result

SPELLINGS = {
    1: ["1", "+1", "'+'", "positive", "Positive", "benefit", "正向", "1.0"],
    -1: ["-1", "'-'", "negative", "cost", "负向", "-1.0"],
}


def _yaml(tmp_path, direction_b):
    path = tmp_path / "system.yaml"
    path.write_text(
        "name: s\ndimensions:\n  - name: d1\n    indicators:\n"
        "      - {name: a, formula: x, direction: 1}\n"
        "  - name: d2\n    indicators:\n"
        f"      - {{name: b, formula: y, direction: {direction_b}}}\n"
        "      - {name: c, formula: x + y, direction: benefit}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "sign, spelling", [(s, w) for s, words in SPELLINGS.items() for w in words]
)
def test_yaml_direction_spellings_resolve_to_the_numeric_form(tmp_path, sign, spelling):
    system = load_system(_yaml(tmp_path, spelling))
    numeric = load_system(_yaml(tmp_path, sign))
    pd.testing.assert_series_equal(system.directions, numeric.directions)
    assert system.directions.tolist() == [1, sign, 1]
    assert list(system.directions.index) == system.names == ["a", "b", "c"]
    assert system.dimensions.tolist() == ["d1", "d2", "d2"]


@pytest.mark.parametrize("bad", ["2", "true", "up", "0"])
def test_yaml_direction_that_is_not_a_sign_is_named(tmp_path, bad):
    with pytest.raises(IndexSystemError, match=r"indicator 'b': direction must be 1 or -1"):
        load_system(_yaml(tmp_path, bad))


def _panel():
    x = [0.0, 5.0, 10.0, 10.0, 1.0, 5.0]
    y = [1.0, 4.0, 2.0, 2.0, 0.0, 4.0]
    keys = [(r, t) for t in (2020, 2021) for r in ("北京", "天津", "河北")]
    frame = pd.DataFrame(keys, columns=["region", "year"]).assign(x=x, y=y)
    return Panel.from_wide(frame), np.array(x), np.array(y)


def _system(direction_b):
    return {
        "name": "toy",
        "dimensions": [
            {"name": "d1", "indicators": [{"name": "a", "formula": "x", "direction": 1}]},
            {"name": "d2", "indicators": [{"name": "b", "formula": "y", "direction": direction_b}]},
        ],
    }


def _entropy_by_hand(columns):
    d = []
    for y in columns:
        p = y / y.sum()
        e = -sum(v * math.log(v) for v in p if v > 0) / math.log(len(y))
        d.append(1 - e)
    return np.array(d) / sum(d)


@pytest.mark.parametrize("normalization", ["minmax", "zscore"])
def test_pipeline_scores_against_hand_computation(normalization):
    # entropy weights always come from the global min-max table, whatever the normalisation
    panel, x, y = _panel()
    result = compute_index(panel, _system("cost"), normalization=normalization)
    again = compute_index(panel, _system(-1), normalization=normalization)
    pd.testing.assert_frame_equal(result.scores, again.scores)
    z_a = (x - x.min()) / (x.max() - x.min())
    z_b = (y.max() - y) / (y.max() - y.min())
    w = _entropy_by_hand([z_a, z_b])
    if normalization == "zscore":
        z_a = (x - x.mean()) / x.std(ddof=1)
        z_b = -(y - y.mean()) / y.std(ddof=1)
    expected = w[0] * z_a + w[1] * z_b
    scores = result.scores.sort_values(["year", "region_code"])
    np.testing.assert_allclose(scores.score, expected, atol=1e-12)
    np.testing.assert_allclose(result.indicator_weights.weight, w, atol=1e-12)


# ------------------------------------------------------------------------- result contract
def _table():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 1.0, 3.0], "c": [3.0, 1.0, 2.0]})


def _weights_results():
    X = _table()
    return {
        "entropy": entropy_weights(X, [1, -1, 1]),
        "critic": critic_weights(X),
        "cv": cv_weights(X),
        "equal": equal_weights(X, dimensions={"a": "L", "b": "L", "c": "M"}),
        "pca": pca_weights(X),
        "combined": combine_weights(entropy_weights(X), critic_weights(X)),
        "dispatch": indicator_weights(X, "critic"),
        "ahp": ahp_weights(pd.DataFrame(np.ones((3, 3)), index=list("abc"), columns=list("abc"))),
    }


def _check_contract(result):
    assert isinstance(result, Result)
    field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["meta"]["method"] and payload["meta"]["nqpf_version"]
    summary = result.summary()
    assert summary.as_text() and "<table" in summary.as_html()
    return payload


@pytest.mark.parametrize("name", list(_weights_results()))
def test_weights_results_keep_the_contract(name):
    result = _weights_results()[name]
    assert isinstance(result, IndexWeights)
    frame = result.to_frame()
    assert list(frame.columns[:2]) == ["indicator", "weight"]
    assert frame.indicator.tolist() == ["a", "b", "c"]  # one row per indicator, tidy
    assert frame.weight.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(frame.weight, result.weights.to_numpy())
    payload = _check_contract(result)
    assert [row["indicator"] for row in payload["data"]] == ["a", "b", "c"]


def test_weights_details_against_hand_computation():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [10.0, 40.0, 20.0]})
    entropy = entropy_weights(X, {"a": 1, "b": -1}).to_frame().set_index("indicator")
    # a: p = [0, 1/3, 2/3]; b (cost): p = [3/5, 0, 2/5]
    e_a = -((1 / 3) * math.log(1 / 3) + (2 / 3) * math.log(2 / 3)) / math.log(3)
    e_b = -((3 / 5) * math.log(3 / 5) + (2 / 5) * math.log(2 / 5)) / math.log(3)
    np.testing.assert_allclose(entropy.entropy, [e_a, e_b], atol=1e-12)
    np.testing.assert_allclose(entropy.divergence, [1 - e_a, 1 - e_b], atol=1e-12)
    # CRITIC (see test_critic_hand_worked): sd 0.5 each, C = [1, 0.5, 1]
    critic = critic_weights(_table()).to_frame().set_index("indicator")
    np.testing.assert_allclose(critic["std"], 0.5, atol=1e-12)
    np.testing.assert_allclose(critic.conflict, [2.0, 1.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(critic.information, [1.0, 0.5, 1.0], atol=1e-12)
    # CV: a -> y = [0, .5, 1] (mean .5, sd .5); b -> y = [1, 0, 2/3] (mean 5/9)
    cv = cv_weights(X, [1, -1]).to_frame().set_index("indicator")
    np.testing.assert_allclose(cv["mean"], [0.5, 5 / 9], atol=1e-12)
    np.testing.assert_allclose(cv["cv"], cv["std"] / cv["mean"], atol=1e-12)
    equal = equal_weights(["a", "b", "c"], dimensions={"a": "L", "b": "L", "c": "M"})
    assert equal.to_frame().dimension.tolist() == ["L", "L", "M"]


def test_ahp_result_is_index_weights_with_consistency_in_meta():
    result = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert isinstance(result, AHPResult) and isinstance(result, IndexWeights)
    assert result.meta["consistency_ratio"] == result.consistency_ratio
    assert result.meta["lambda_max"] == result.lambda_max


@pytest.mark.parametrize("aggregation", ["linear", "geometric", "topsis"])
def test_composite_scores_keep_the_contract(aggregation):
    idx = pd.MultiIndex.from_product(
        [[110000, 310000], [2020, 2021]], names=["region_code", "year"]
    )
    Z = pd.DataFrame({"a": [0.1, 0.5, 0.9, 0.3], "b": [0.8, 0.2, 0.4, 0.6]}, index=idx)
    w = {"a": 0.25, "b": 0.75}
    function = {"linear": linear_aggregate, "geometric": geometric_aggregate, "topsis": topsis}
    kwargs = {"normalization": None} if aggregation == "topsis" else {}
    result = function[aggregation](Z, w, **kwargs)
    assert isinstance(result, CompositeScores)
    frame = result.to_frame()
    assert list(frame.columns) == ["region_code", "year", "score"]
    assert frame.region_code.tolist() == [110000, 110000, 310000, 310000]
    np.testing.assert_array_equal(frame.score, result.scores.to_numpy())
    if aggregation == "linear":
        np.testing.assert_allclose(frame.score, [0.625, 0.275, 0.525, 0.525], atol=1e-15)
    _check_contract(result)


def test_weights_results_are_accepted_as_weights():
    X = _table()
    Z = normalize_indicators(X)
    w = entropy_weights(X)
    pd.testing.assert_series_equal(
        linear_aggregate(Z, w).scores, linear_aggregate(Z, w.weights).scores
    )
    pd.testing.assert_frame_equal(
        obstacle_degree(Z, w).indicator, obstacle_degree(Z, w.weights).indicator
    )
    pd.testing.assert_series_equal(
        combine_weights(w, critic_weights(X)).weights,
        combine_weights(w.weights, critic_weights(X).weights).weights,
    )
    rng = np.random.default_rng(4)
    Y = pd.DataFrame(rng.lognormal(size=(12, 3)), columns=list("abc"))
    expert = ahp_weights(pd.DataFrame(np.ones((3, 3)), index=list("abc"), columns=list("abc")))
    unc = rank_uncertainty(Y, weightings=["entropy", expert], n_runs=10, seed=0)
    assert list(unc.base_weights.columns) == ["entropy", "ahp_weight"]
    np.testing.assert_allclose(unc.base_weights["ahp_weight"], 1 / 3, atol=1e-12)
