"""The results contract for every result type of nqpf.index (to_frame, summary, to_dict, meta)."""

import json

import numpy as np
import pandas as pd
import pytest

from nqpf.index import (
    ahp_weights,
    entropy_weights,
    normalize_indicators,
    obstacle_degree,
    rank_uncertainty,
)
from nqpf.results import Result, Summary


def _panel():
    rng = np.random.default_rng(8)
    idx = pd.MultiIndex.from_product(
        [[110000, 310000, 440000, 510000], [2020, 2021]], names=["region_code", "year"]
    )
    return pd.DataFrame(rng.lognormal(size=(8, 3)), index=idx, columns=["rd", "co2", "pat"])


def _results():
    X = _panel()
    dirs = {"rd": 1, "co2": -1, "pat": 1}
    Z = normalize_indicators(X, dirs)
    return {
        "ahp": ahp_weights([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]),
        "obstacle": obstacle_degree(
            Z, entropy_weights(X, dirs), {"rd": "A", "co2": "B", "pat": "A"}
        ),
        "uncertainty": rank_uncertainty(X, dirs, groups="year", n_runs=30, seed=0),
    }


@pytest.mark.parametrize("name", ["ahp", "obstacle", "uncertainty"])
def test_result_contract(name):
    result = _results()[name]
    assert isinstance(result, Result)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    summary = result.summary()
    assert isinstance(summary, Summary)
    assert summary.as_text() and "<table" in summary.as_html()
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["meta"]["method"] and payload["meta"]["nqpf_version"]
