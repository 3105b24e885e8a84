"""The Malmquist index: decomposition identities, direct distance functions and DEAPack."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.efficiency import distance_function, malmquist
from nqpf.errors import DataValidationError


def _panel(n: int = 12, periods: int = 3, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [[f"u{i:02d}" for i in range(n)], range(2015, 2015 + periods)], names=["dmu", "period"]
    )
    x = pd.DataFrame(rng.uniform(1, 10, (len(idx), 2)), index=idx, columns=["k", "l"])
    y = pd.DataFrame(rng.uniform(1, 10, (len(idx), 1)), index=idx, columns=["gdp"])
    return x, y


def test_distance_function_by_hand() -> None:
    # frontier y = x through (1, 1); unit (2, 1): input θ = 1/2, output D_o = 1/2;
    # unit (1, 2) lies beyond it: θ = 2 (a super-efficient distance), D_o = 2
    xr, yr = [[1.0], [2.0]], [[1.0], [1.0]]
    np.testing.assert_allclose(distance_function([[2.0], [1.0]], [[1.0], [2.0]], xr, yr), [0.5, 2])
    np.testing.assert_allclose(
        distance_function([[2.0], [1.0]], [[1.0], [2.0]], xr, yr, orientation="output"), [0.5, 2]
    )
    # VRS: output 2 cannot be reached by any convex combination with input ≤ 1 → infeasible
    d = distance_function([[1.0]], [[2.0]], xr, yr, rts="vrs")
    assert np.isnan(d).all()


@pytest.mark.parametrize(
    ("orientation", "rts"),
    [("input", "crs"), ("output", "crs"), ("input", "vrs"), ("output", "vrs")],
)
def test_against_direct_distance_functions_and_identities(orientation: str, rts: str) -> None:
    x, y = _panel()
    r = malmquist(x, y, orientation=orientation, rts=rts)
    t = r.table
    np.testing.assert_allclose(t.malmquist, t.ec * t.tc, rtol=1e-12)
    if rts == "crs":
        np.testing.assert_allclose(t.ec, t.pec * t.sec, rtol=1e-12)
    # direct: the four distance functions for the pair 2016 → 2017
    a, b = (x.xs(p, level="period") for p in (2016, 2017))
    ya, yb = (y.xs(p, level="period") for p in (2016, 2017))

    def d(xe, ye, xr, yr, r=rts):
        return distance_function(xe, ye, xr, yr, rts=r, orientation=orientation)

    m = np.sqrt(d(b, yb, a, ya) / d(a, ya, a, ya) * d(b, yb, b, yb) / d(a, ya, b, yb))
    row = t[t.period_from == 2016]
    np.testing.assert_allclose(row.malmquist, m, rtol=1e-9)  # NaN where infeasible, in both
    if rts == "crs":
        pec = d(b, yb, b, yb, "vrs") / d(a, ya, a, ya, "vrs")
        np.testing.assert_allclose(row.pec, pec, rtol=1e-9)
    assert list(r.to_frame().columns) == ["dmu", "period", "malmquist", "ec", "tc", "pec", "sec"]
    assert r.to_frame().period.iloc[0] == "2015→2016"


def test_global_index_is_ec_times_bpc_and_chains() -> None:
    x, y = _panel()
    g = malmquist(x, y, kind="global")
    t = g.table
    np.testing.assert_allclose(t.malmquist, t.ec * t.tc, rtol=1e-12)
    # the global index is circular: the product over 2015→2016→2017 is the 2015→2017 ratio
    chained = t.groupby("dmu").malmquist.prod()
    first, last = (x.xs(p, level="period") for p in (2015, 2017))
    yf, yl = (y.xs(p, level="period") for p in (2015, 2017))
    direct = distance_function(last, yl, x, y) / distance_function(first, yf, x, y)
    np.testing.assert_allclose(chained.to_numpy(), direct, rtol=1e-9)


def test_agrees_with_deapack() -> None:
    deapack = pytest.importorskip("deapack")
    x, y = _panel(n=8)
    frame = pd.concat([x, y], axis=1).reset_index()
    data = deapack.DEAData.from_frame(
        frame, dmu="dmu", inputs=["k", "l"], outputs=["gdp"], period="period"
    )
    for orientation in ("input", "output"):
        ref = deapack.MalmquistDEA(orientation=orientation).fit(data).summary_frame
        ref = ref.sort_values(["dmu_id", "base_period"], ignore_index=True)
        ours = malmquist(x, y, orientation=orientation).table
        ours = ours.sort_values(["dmu", "period_from"], ignore_index=True)
        for a, b in (
            ("malmquist", "productivity_change"),
            ("ec", "efficiency_change"),
            ("tc", "technical_change"),
        ):
            np.testing.assert_allclose(ours[a], ref[b], atol=1e-6)


def test_vrs_infeasible_cross_period_distance_is_reported() -> None:
    idx = pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["dmu", "period"])
    x = pd.DataFrame({"x": [1.0, 1.0, 1.0, 1.0]}, index=idx)
    # input orientation: period 2 produces at most y = 3, so no input contraction of
    # unit b's period-1 plan (output 4) is in that technology
    y = pd.DataFrame({"y": [1.0, 3.0, 4.0, 2.0]}, index=idx)
    r = malmquist(x, y, rts="vrs")
    b = r.table.set_index("dmu").loc["b"]
    assert np.isnan(b.malmquist) and np.isnan(b.pec)
    assert any("infeasible" in n and "'b'" in n for n in r.notes)


def test_unbalanced_panel_and_columns_input() -> None:
    x, y = _panel(n=6)
    x, y = x.drop(("u03", 2016)), y.drop(("u03", 2016))
    r = malmquist(x.reset_index(), y.reset_index())
    assert "u03" not in set(r.table.dmu)
    assert any("u03" in n for n in r.notes)
    assert np.isfinite(r.by_period().to_numpy()[:, :3]).all()


def test_bad_input() -> None:
    x, y = _panel(n=3)
    with pytest.raises(DataValidationError, match="different rows"):
        malmquist(x, y.iloc[1:])
    bad = x.copy()
    bad.iloc[2, 0] = -1.0
    with pytest.raises(DataValidationError, match=r"'k' of unit \('u00', 2017\)"):
        malmquist(bad, y)
    with pytest.raises(DataValidationError, match="two periods"):
        malmquist(
            x.xs(2015, level="period", drop_level=False),
            y.xs(2015, level="period", drop_level=False),
        )
