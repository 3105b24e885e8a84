"""Two-stage network DEA (Kao & Hwang 2008; Chen, Cook, Li & Zhu 2009).

References: a closed form for one variable per table, DEAPack's ``KaoHwangRelationalDEA`` and
``ChenCookLiZhuAdditiveDEA`` (an independent implementation), the decomposition identities and
the standalone CCR bounds. All data here are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.efficiency import dea, two_stage
from nqpf.errors import DataValidationError, DuplicateError

positive = arrays(float, st.integers(3, 8), elements=st.floats(0.5, 20.0))


def synthetic(n: int = 15, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 10, (n, 6))
    cols = ["x1", "x2", "z1", "z2", "y1", "y2"]
    return pd.DataFrame(values, columns=cols, index=[f"u{i}" for i in range(n)])


def run(frame: pd.DataFrame, model: str = "relational"):
    return two_stage(
        frame[["x1", "x2"]], frame[["z1", "z2"]], frame[["y1", "y2"]], model=model
    ).table


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_relational_one_variable_closed_form(data):
    # with one x, z, y: E1 = (z_o/x_o)·min_j x_j/z_j and E = (y_o/x_o)·min x/z·min z/y
    n = data.draw(st.integers(2, 7))
    x, z, y = (data.draw(arrays(float, n, elements=st.floats(0.5, 20.0))) for _ in range(3))
    table = two_stage(x[:, None], z[:, None], y[:, None]).table
    e1 = z / x * np.min(x / z)
    e = y / x * np.min(x / z) * np.min(z / y)
    np.testing.assert_allclose(table["stage1"], e1, rtol=1e-6)
    np.testing.assert_allclose(table["overall"], e, rtol=1e-6)
    np.testing.assert_allclose(table["stage2"], e / e1, rtol=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
def test_relational_matches_deapack(seed):
    network = pytest.importorskip("deapack.network")
    from deapack.network.data import NetworkData
    from deapack.network.specs import TwoStageSeriesSpec

    frame = synthetic(seed=seed)
    spec = TwoStageSeriesSpec(inputs=["x1", "x2"], intermediates=["z1", "z2"], outputs=["y1", "y2"])
    ref = network.KaoHwangRelationalDEA(decomposition="bounds").fit(
        NetworkData.from_frame(frame, spec=spec)
    )
    ref = ref.summary()
    ours = run(frame)
    np.testing.assert_allclose(ours["overall"], ref["system_efficiency"], atol=1e-7)
    np.testing.assert_allclose(ours["stage1"], ref["stage_1_efficiency_upper"], atol=1e-6)
    np.testing.assert_allclose(ours["stage1_min"], ref["stage_1_efficiency_lower"], atol=1e-6)


def test_additive_matches_deapack():
    network = pytest.importorskip("deapack.network")
    from deapack.network.data import NetworkData
    from deapack.network.specs import TwoStageSeriesSpec

    frame = synthetic(seed=3)
    spec = TwoStageSeriesSpec(inputs=["x1", "x2"], intermediates=["z1", "z2"], outputs=["y1", "y2"])
    ref = network.ChenCookLiZhuAdditiveDEA(decomposition="both_priorities").fit(
        NetworkData.from_frame(frame, spec=spec)
    )
    ref = ref.summary()
    ours = run(frame, "additive")
    np.testing.assert_allclose(ours["overall"], ref["system_efficiency"], atol=1e-7)
    np.testing.assert_allclose(
        ours["stage1"], ref["stage_1_efficiency_when_stage_1_prioritized"], atol=1e-6
    )
    np.testing.assert_allclose(
        ours["stage2"], ref["stage_2_efficiency_when_stage_1_prioritized"], atol=1e-6
    )
    np.testing.assert_allclose(ours["weight1"], ref["stage_1_weight"], atol=1e-6)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_identities_and_ccr_bounds(seed):
    frame = synthetic(n=8, seed=seed)
    rel, add = run(frame), run(frame, "additive")
    np.testing.assert_allclose(rel["overall"], rel["stage1"] * rel["stage2"], rtol=1e-7)
    np.testing.assert_allclose(
        add["overall"], add["weight1"] * add["stage1"] + add["weight2"] * add["stage2"], rtol=1e-7
    )
    ccr1 = dea(frame[["x1", "x2"]], frame[["z1", "z2"]]).efficiency.to_numpy()
    ccr2 = dea(frame[["z1", "z2"]], frame[["y1", "y2"]]).efficiency.to_numpy()
    tol = 1e-7
    for table in (rel, add):
        assert (table["stage1"] <= ccr1 + tol).all()
        assert (table["stage2"] <= ccr2 + tol).all()
        assert ((table["overall"] > 0) & (table["overall"] <= 1 + tol)).all()
    # relational: E = E1·E2 ≤ each stage's CCR; additive: a weighted mean of the stages
    assert (rel["overall"] <= np.minimum(ccr1, ccr2) + tol).all()
    assert (add["overall"] <= np.maximum(ccr1, ccr2) + tol).all()


def test_non_unique_decomposition_is_flagged():
    # a small integer example whose optimal multipliers are not unique (DMU1 and DMU2)
    x = [[3.0, 2.0], [2.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    z = [[1.0, 3.0], [2.0, 3.0], [2.0, 2.0], [3.0, 3.0]]
    y = [[2.0], [2.0], [2.0], [3.0]]
    result = two_stage(x, z, y)
    table = result.table
    assert table["unique"].tolist() == [False, False, True, True]
    assert (table["stage1"] >= table["stage1_min"]).all()
    np.testing.assert_allclose(table["overall"], table["stage1"] * table["stage2"])
    assert any("not unique for 2 unit(s) (DMU1, DMU2)" in note for note in result.notes)
    assert result.meta["unique"] is False


def test_panel_is_solved_period_by_period():
    a, b = synthetic(seed=4), synthetic(seed=5)
    panel = pd.concat({2020: a, 2021: b}, names=["period", "dmu"]).swaplevel().sort_index()
    table = two_stage(panel[["x1", "x2"]], panel[["z1", "z2"]], panel[["y1", "y2"]]).table
    for year, frame in ((2020, a), (2021, b)):
        got = table[table["period"] == year].set_index("dmu")["overall"]
        expected = run(frame).set_index("dmu")["overall"]
        pd.testing.assert_series_equal(got.loc[expected.index], expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [(0.0, "intermediate 'z2' of unit 'u3' is 0"), (-1.0, "is -1"), (np.nan, "'z2' of unit 'u3'")],
)
def test_bad_values_name_unit_and_column(value, message):
    frame = synthetic()
    frame.loc["u3", "z2"] = value
    with pytest.raises(DataValidationError, match=message):
        run(frame)


def test_mismatched_units_and_options():
    frame = synthetic()
    with pytest.raises(DataValidationError, match="different units"):
        two_stage(frame[["x1"]], frame[["z1"]].iloc[1:], frame[["y1"]])
    with pytest.raises(DataValidationError, match="unknown two-stage model 'network'"):
        two_stage(frame[["x1"]], frame[["z1"]], frame[["y1"]], model="network")  # type: ignore[arg-type]
    with pytest.raises(DuplicateError, match="repeat"):
        two_stage(frame[["x1"]], frame[["x1"]].rename(columns={}), frame[["y1"]])
