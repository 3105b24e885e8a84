"""Directional distances, Malmquist–Luenberger and global ML: an independent LP, hand-checked
indices, decomposition identities, circularity, DEAPack and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from nqpf.efficiency import (
    DirectionalDistance,
    MalmquistLuenberger,
    directional_distance,
    malmquist_luenberger,
)
from nqpf.errors import DataValidationError, DuplicateError

COLS = {"inputs": ["k", "l"], "good": ["gdp"], "bad": ["co2"], "dmu": "dmu"}


def _reference_ddf(xo, yo, bo, X, Y, B, vrs=False):
    """The DDF of Chung et al. (1997) written out per unit: variables (β, λ), the bad-output
    equality as two inequalities, g = (0, y_o, b_o)."""
    n = len(X)
    c = np.r_[-1.0, np.zeros(n)]
    rows = [np.c_[np.zeros((X.shape[1], 1)), X.T]]  # X'λ ≤ x_o
    rhs = [xo]
    rows.append(np.c_[yo[:, None], -Y.T])  # (1 + β) y_o ≤ Y'λ
    rhs.append(-yo)
    rows.append(np.c_[bo[:, None], B.T])  # B'λ ≤ (1 − β) b_o
    rhs.append(bo)
    rows.append(np.c_[-bo[:, None], -B.T])  # B'λ ≥ (1 − β) b_o
    rhs.append(-bo)
    eq = dict(A_eq=np.r_[0.0, np.ones(n)][None, :], b_eq=[1.0]) if vrs else {}
    res = linprog(
        c,
        A_ub=np.vstack(rows),
        b_ub=np.concatenate(rhs),
        bounds=[(None, None)] + [(0, None)] * n,
        method="highs",
        **eq,
    )
    return res.x[0] if res.status == 0 else math.nan


def _panel(n=7, periods=4, seed=0):
    rng = np.random.default_rng(seed)
    rows = [
        {
            "dmu": f"r{i}",
            "year": 2010 + t,
            "k": rng.uniform(1, 5),
            "l": rng.uniform(1, 5),
            "gdp": rng.uniform(1, 5) * (1 + 0.1 * t),
            "co2": rng.uniform(1, 5),
        }
        for i in range(n)
        for t in range(periods)
    ]
    return pd.DataFrame(rows)


def _one_plus_d(ymax, y):
    """1 + β with x = 1 and b = 2 for every unit (CRS): Σλ = 1 − β, so (1 − β) y_max = (1 + β) y."""
    return 2 * ymax / (ymax + y)


# ------------------------------------------------------------------ directional distance
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_ddf_matches_an_independent_lp_including_infeasible_units(rts):
    rng = np.random.default_rng(3)
    X, Y, B = rng.uniform(1, 5, (12, 2)), rng.uniform(1, 5, (12, 2)), rng.uniform(1, 5, (12, 1))
    # evaluate other units (a different "period") against the first 12: some infeasible
    x, y, b = rng.uniform(1, 6, (15, 2)), rng.uniform(1, 6, (15, 2)), rng.uniform(0.5, 6, (15, 1))
    got = directional_distance(x, y, b, X, Y, B, rts=rts)
    expected = np.array(
        [_reference_ddf(x[i], y[i], b[i], X, Y, B, rts == "vrs") for i in range(15)]
    )
    np.testing.assert_allclose(got.distance, expected, rtol=0, atol=1e-8)
    assert np.isnan(expected).any() and np.isfinite(expected).any()
    assert (got.table.status[np.isnan(expected)] == "infeasible").all()
    assert "without a distance" in got.notes[0]
    # the reference units themselves: β ≥ 0, and 0 for at least one (the frontier)
    own = directional_distance(X, Y, B, X, Y, B, rts=rts).distance
    assert (own > -1e-9).all() and np.isclose(own.min(), 0, atol=1e-9)


def test_ddf_by_hand_and_a_custom_direction():
    # frontier unit: x 1, y 4, b 2; evaluated: x 1, y 2, b 2 → β = 1/3 (see the docstring)
    assert directional_distance([1.0], [2.0], [2.0], [1.0], [4.0], [2.0]).distance[0] == (
        pytest.approx(1 / 3)
    )
    # expand the good output only, bad output held: λ = 1, 4 ≥ 2 + 2β → β = 1
    only_good = directional_distance(
        [1.0], [2.0], [2.0], [1.0], [4.0], [2.0], direction=(0.0, [[2.0]], 0.0)
    )
    assert only_good.distance[0] == pytest.approx(1.0)
    with pytest.raises(DataValidationError, match="non-negative"):
        directional_distance([1.0], [2.0], [2.0], [1.0], [4.0], [2.0], direction=(0, -1, 0))
    with pytest.raises(DataValidationError, match=r"y_ref is negative in row 0"):
        directional_distance([1.0], [2.0], [2.0], [1.0], [-4.0], [2.0])
    with pytest.raises(DataValidationError, match="good outputs: 2 evaluated but 1"):
        directional_distance([1.0], [[2.0, 1.0]], [2.0], [1.0], [4.0], [2.0])
    with pytest.raises(DataValidationError, match="rts"):
        directional_distance([1.0], [2.0], [2.0], [1.0], [4.0], [2.0], rts="drs")  # type: ignore[arg-type]


# ------------------------------------------------------------------ hand-checked indices
HAND = pd.DataFrame(
    {
        "dmu": ["a", "b", "a", "b"],
        "year": [1, 1, 2, 2],
        "x": 1.0,
        "y": [4.0, 2.0, 6.0, 4.0],
        "b": 2.0,
    }
)


def test_adjacent_ml_by_hand():
    # x = 1 and b = 2 everywhere: Σλ = 1 − β ≤ 1, so β ≥ 0 and a unit beyond another period's
    # frontier (a in year 2, y 6 > 4) is out of its reach: infeasible, NaN and a note
    r = malmquist_luenberger(HAND, inputs=["x"], good=["y"], bad=["b"], dmu="dmu")
    f = _one_plus_d
    t = r.table.set_index("dmu")
    ml = math.sqrt(f(4, 2.0) / f(4, 4.0) * f(6, 2.0) / f(6, 4.0))
    assert ml == pytest.approx(math.sqrt(5 / 3))
    assert t.loc["b", "index"] == pytest.approx(ml, abs=1e-12)
    assert t.loc["b", "ec"] == pytest.approx(f(4, 2.0) / f(6, 4.0), abs=1e-12)  # 10/9
    assert t.loc["b", "tc"] == pytest.approx(ml * 9 / 10, abs=1e-12)
    assert math.isnan(t.loc["a", "index"]) and math.isnan(t.loc["a", "tc"])
    assert t.loc["a", "ec"] == pytest.approx(1.0)  # both contemporaneous distances are 0
    assert any("'a' 2 on frontier 1" in n for n in r.notes)


def test_global_ml_by_hand():
    r = malmquist_luenberger(HAND, inputs=["x"], good=["y"], bad=["b"], dmu="dmu", kind="global")
    t = r.table.set_index("dmu")
    # global frontier y_max = 6: a 1.2 → 1, b 1.5 → 1.2; EC_b = (4/3)/1.2 = 10/9
    assert t.loc["a", "index"] == pytest.approx(1.2)
    assert t.loc["b", "index"] == pytest.approx(1.25)
    assert t.loc["b", "ec"] == pytest.approx(10 / 9)
    assert t.loc["b", "bpc"] == pytest.approx(1.125)
    glob = r.distances[r.distances.frontier == "global"].set_index(["dmu", "period"]).distance
    assert glob[("b", 1)] == pytest.approx(0.5)


# ------------------------------------------------------------------ identities and circularity
@pytest.mark.parametrize("kind", ["adjacent", "global"])
def test_decomposition_identity_and_cumulative(kind):
    r = malmquist_luenberger(_panel(), **COLS, kind=kind)
    t = r.table
    third = "tc" if kind == "adjacent" else "bpc"
    ok = t["index"].notna()
    np.testing.assert_allclose(t["index"][ok], (t.ec * t[third])[ok], rtol=1e-13)
    for _, g in t.groupby("dmu"):
        expected = np.cumprod(g["index"].to_numpy())  # NaN propagates from the first gap on
        np.testing.assert_allclose(g.cumulative.to_numpy(), expected, rtol=1e-13)
    means = r.by_period()
    np.testing.assert_allclose(means["index"], means.ec * means[third], rtol=1e-12)
    assert list(t.columns) == ["dmu", "base_period", "period", "index", "ec", third, "cumulative"]


def test_global_ml_is_circular_and_always_feasible():
    data = _panel(n=6, periods=3, seed=5)
    r = malmquist_luenberger(data, **COLS, kind="global")
    assert r.table["index"].notna().all()
    # GML(1→3) on the same global frontier, from distances computed independently
    pooled = data[["k", "l"]].to_numpy(), data[["gdp"]].to_numpy(), data[["co2"]].to_numpy()
    for dmu, g in r.table.groupby("dmu"):
        first = data[(data.dmu == dmu) & (data.year == 2010)].iloc[0]
        last = data[(data.dmu == dmu) & (data.year == 2012)].iloc[0]
        d1, d3 = (
            _reference_ddf(
                o[["k", "l"]].to_numpy(float),
                o[["gdp"]].to_numpy(float),
                o[["co2"]].to_numpy(float),
                *pooled,
            )
            for o in (first, last)
        )
        gml13 = (1 + d1) / (1 + d3)
        assert g["index"].prod() == pytest.approx(gml13, rel=1e-8)
        assert g.cumulative.iloc[-1] == pytest.approx(gml13, rel=1e-8)
    adjacent = malmquist_luenberger(data, **COLS)
    assert adjacent.table["index"].isna().any()
    assert any("infeasible" in n for n in adjacent.notes)


@pytest.mark.parametrize("kind", ["adjacent", "global"])
def test_agrees_with_deapack(kind):
    deapack = pytest.importorskip("deapack")
    data = _panel(n=8, periods=3, seed=2)
    spec = deapack.DEAData.from_frame(
        data, inputs=["k", "l"], outputs=["gdp"], bad_outputs=["co2"], dmu="dmu", period="year"
    )
    model = (
        deapack.MalmquistLuenbergerProductivityIndex()
        if kind == "adjacent"
        else deapack.GlobalMalmquistLuenbergerProductivityIndex()
    )
    theirs = model.fit(spec).summary().rename(columns={"dmu_id": "dmu"})
    ours = malmquist_luenberger(data, **COLS, kind=kind).table
    both = ours.merge(theirs, on=["dmu", "period"], validate="one_to_one")
    assert len(both) == len(ours)
    third = ("tc", "technical_change") if kind == "adjacent" else ("bpc", "best_practice_change")
    for mine, ref in (("index", "productivity_change"), ("ec", "efficiency_change"), third):
        a, b = both[mine].to_numpy(float), both[ref].to_numpy(float)
        if mine != "ec":  # DEAPack leaves EC undefined too when a mixed-period LP fails
            assert (np.isnan(a) == np.isnan(b)).all()
        np.testing.assert_allclose(a[~np.isnan(b)], b[~np.isnan(b)], rtol=0, atol=1e-8)
    assert both.productivity_change.notna().sum() >= len(both) // 2


# ------------------------------------------------------------------ results and bad input
def test_summary_and_dict():
    r = malmquist_luenberger(HAND, inputs=["x"], good=["y"], bad=["b"], dmu="dmu", kind="global")
    text = str(r.summary())
    assert "global Malmquist–Luenberger" in text and "最佳实践差距变化 BPC" in text
    assert r.to_dict()["meta"]["method"] == "global_malmquist_luenberger"
    assert isinstance(r, MalmquistLuenberger)
    assert isinstance(
        directional_distance([1.0], [1.0], [1.0], [1.0], [1.0], [1.0]), DirectionalDistance
    )


def test_bad_input_is_named():
    data = _panel(n=3, periods=3)
    zero = data.copy()
    zero.loc[4, "co2"] = 0.0
    with pytest.raises(DataValidationError, match=r"'co2'.*DMU 'r1', period 2011 has 0.0"):
        malmquist_luenberger(zero, **COLS)
    with pytest.raises(DataValidationError, match="at least 2 periods"):
        malmquist_luenberger(data[data.year == 2010], **COLS)
    with pytest.raises(DuplicateError, match="'r0' appears more than once in period 2010"):
        malmquist_luenberger(pd.concat([data, data.iloc[:1]]), **COLS)
    with pytest.raises(DataValidationError, match="no column 'labour'"):
        malmquist_luenberger(data, **{**COLS, "inputs": ["labour"]})
    with pytest.raises(DataValidationError, match="kind"):
        malmquist_luenberger(data, **COLS, kind="biennial")  # type: ignore[arg-type]


def test_unbalanced_panel_errors_or_drops_with_a_note():
    data = _panel(n=4, periods=3)
    gap = data.drop(index=data[(data.dmu == "r2") & (data.year == 2011)].index)
    with pytest.raises(DataValidationError, match=r"1 DMU-period\(s\) missing \('r2' in 2011\)"):
        malmquist_luenberger(gap, **COLS)
    r = malmquist_luenberger(gap, **COLS, balanced="drop", kind="global")
    assert set(r.table.dmu) == {"r0", "r1", "r3"}
    assert any("dropped 1 DMU" in n and "'r2'" in n for n in r.notes)


def test_global_distances_match_the_direct_lp_on_every_pooled_unit():
    # the global frontier is solved by column generation from the units on their own period's
    # frontier: every distance must equal the full programme's
    data = _panel(n=15, periods=4, seed=11)
    r = malmquist_luenberger(data, **COLS, kind="global")
    glob = r.distances[r.distances.frontier == "global"]
    assert len(glob) == 60
    pooled = data[["k", "l"]].to_numpy(), data[["gdp"]].to_numpy(), data[["co2"]].to_numpy()
    indexed = data.set_index(["dmu", "year"])
    for row in glob.itertuples():
        o = indexed.loc[(row.dmu, row.period)]
        expected = _reference_ddf(
            o[["k", "l"]].to_numpy(float),
            o[["gdp"]].to_numpy(float),
            o[["co2"]].to_numpy(float),
            *pooled,
        )
        assert row.distance == pytest.approx(expected, abs=1e-8)
