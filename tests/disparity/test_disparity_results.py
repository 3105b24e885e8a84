"""Results contract of every nqpf.disparity result (to_frame, summary, to_dict, meta)."""

import json

import numpy as np
import pandas as pd
import pytest

from nqpf import disparity as dp
from nqpf.errors import DataValidationError
from nqpf.results import Result, Summary


def _results(frame: pd.DataFrame, wide: pd.DataFrame) -> dict[str, Result]:
    sub = frame[frame.year.between(2010, 2014)]
    w = np.eye(len(wide), k=1) + np.eye(len(wide), k=-1)  # a chain of neighbours
    return {
        "dagum": dp.dagum_gini(sub.gdp.to_numpy(), sub.macro_region.to_numpy()),
        "dagum_panel": dp.dagum_gini_panel(sub, "gdp", "macro_region", bootstrap=19, seed=1),
        "theil": dp.theil(sub.gdp.to_numpy(), sub.macro_region.to_numpy(), kind="L"),
        "table": dp.disparity_table(sub, "gdp", "macro_region"),
        "density": dp.kernel_density(sub, "gdp", group="macro_region", grid=16),
        "sigma": dp.sigma_convergence(sub, "gdp"),
        "beta": dp.beta_convergence(sub, "gdp", controls=["secondary"]),
        "club": dp.club_convergence(sub, "gdp", "macro_region"),
        "spatial_beta": dp.spatial_beta_convergence(
            sub, "gdp", w / w.sum(axis=1, keepdims=True), draws=20
        ),
        "markov": dp.markov(wide, k=4),
        "spatial_markov": dp.spatial_markov(wide, w, k=3),
        "homogeneity": dp.homogeneity_test([[[3, 1], [1, 3]], [[1, 3], [2, 2]]]),
        "rank": dp.rank_mobility(wide),
    }


NAMES = [
    "dagum",
    "dagum_panel",
    "theil",
    "table",
    "density",
    "sigma",
    "beta",
    "club",
    "spatial_beta",
    "markov",
    "spatial_markov",
    "homogeneity",
    "rank",
]


@pytest.fixture(scope="module")
def results(province_gdp, gdp_wide):
    return _results(province_gdp, gdp_wide.loc[:, 2010:2014])


@pytest.mark.parametrize("name", NAMES)
def test_result_contract(results, name):
    result = results[name]
    assert isinstance(result, Result)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    summary = result.summary()
    assert isinstance(summary, Summary)
    assert summary.as_text() and "<table" in summary.as_html()
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["meta"]["method"] and payload["meta"]["nqpf_version"]
    with pytest.raises(AttributeError):
        result.meta = {}  # frozen


def test_every_public_name_is_exported():
    for name in dp.__all__:
        assert hasattr(dp, name)


@pytest.mark.parametrize(
    "run, advice",
    [
        (lambda f: dp.dagum_gini_panel(f, "v", "g", region="region"), "; fill or drop"),
        (lambda f: dp.disparity_table(f, "v", "g", region="region"), ""),
        (lambda f: dp.kernel_density(f, "v", group="g", region="region"), ""),
    ],
    ids=["dagum_panel", "disparity_table", "density"],
)
def test_long_value_column_errors_name_rows_and_years(run, advice):
    frame = pd.DataFrame(
        {
            "region": ["北京", "上海", "广东", "湖南"] * 2,
            "year": [2019] * 4 + [2020] * 4,
            "g": list("aabb") * 2,
            "v": [1.0, 2.0, "n/a", 4.0, 1.0, np.nan, 3.0, 4.0],
        },
        index=list("pqrstuvw"),
    )
    expected = (
        "column 'v' has 2 missing or non-numeric value(s): region '广东' (row 'r') in 2019, "
        "region '上海' (row 'u') in 2020" + advice
    )
    with pytest.raises(DataValidationError) as info:
        run(frame)
    assert str(info.value).startswith(expected)
