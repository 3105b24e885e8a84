"""GWR / MGWR wrappers against calling mgwr directly and against GWR4 output.

References: the Georgia data (159 counties) and the GWR 4.0.90 output files shipped with libpysal
(``georgia_BS_NN_listwise.csv``, ``georgia_BS_NN_summary.txt``: adaptive bisquare, PctBach on
PctRural, PctPov and PctBlack, bandwidth 90 neighbours: AICc 896.462831, R² 0.592415).
Against mgwr called directly the numbers must agree to 1e-10 (same code path); against GWR4 to
1e-4 relative (GWR4 prints six decimals), as in mgwr's own tests.
"""

import json
import warnings

import mgwr.gwr as mgwr_gwr
import numpy as np
import pandas as pd
import pytest
from libpysal import examples
from mgwr.gwr import GWR, MGWR
from mgwr.sel_bw import Sel_BW

from nqpf.data import load_province_panel
from nqpf.errors import DataValidationError
from nqpf.regions import provinces
from nqpf.spatial.gwr import gwr, mgwr

X_COLS = ["PctRural", "PctPov", "PctBlack"]


@pytest.fixture(scope="module")
def georgia():
    return pd.read_csv(examples.get_path("GData_utm.csv"))


def direct(df, y, x, coords, **kw):
    return df[y].to_numpy(float).reshape(-1, 1), df[x].to_numpy(float), df[coords].to_numpy(float)


def test_gwr_matches_mgwr_directly(georgia):
    yv, xv, pts = direct(georgia, "PctBach", X_COLS, ["X", "Y"])
    bw = Sel_BW(pts, yv, xv, kernel="bisquare", fixed=False, n_jobs=1).search(criterion="AICc")
    ref = GWR(pts, yv, xv, bw, kernel="bisquare", fixed=False, n_jobs=1).fit()
    ours = gwr(georgia, "PctBach", X_COLS, coords=("X", "Y"), region="AreaKey")
    assert ours.bandwidth.iloc[0] == bw == 93.0  # mgwr's golden-section result (mgwr tests)
    wide = ours.wide()
    np.testing.assert_allclose(wide.to_numpy(), ref.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.wide("t_value").to_numpy(), ref.tvalues, atol=1e-10)
    np.testing.assert_allclose(ours.wide("std_error").to_numpy(), ref.bse, atol=1e-10)
    assert list(wide.index) == georgia.AreaKey.tolist()
    d = ours.diagnostics
    assert d.aicc == pytest.approx(ref.aicc, abs=1e-10)
    assert d.r2 == pytest.approx(ref.R2, abs=1e-12)
    assert d.enp == pytest.approx(ref.ENP, abs=1e-10)
    crit = ref.critical_tval()
    assert (ours.coefficients.significant == (np.abs(ours.coefficients.t_value) >= crit)).all()
    np.testing.assert_allclose(ours.local.local_r2, ref.localR2.ravel(), atol=1e-12)


def test_gwr_against_gwr4(georgia):
    # GWR4's error variance is RSS / (n - 2 tr(S) + tr(S'S)): sigma2_v1=False
    ours = gwr(
        georgia, "PctBach", X_COLS, coords=("X", "Y"), bw=90, region="AreaKey", sigma2_v1=False
    )
    gwr4 = pd.read_csv(examples.get_path("georgia_BS_NN_listwise.csv"), skipinitialspace=True)
    for term, col in [
        ("Intercept", "est_Intercept"),
        ("PctRural", "est_PctRural"),
        ("PctPov", "est_PctPov"),
    ]:
        np.testing.assert_allclose(ours.wide()[term].to_numpy(), gwr4[col], rtol=1e-4)
    np.testing.assert_allclose(ours.wide("t_value")["PctRural"], gwr4.t_PctRural, rtol=1e-4)
    np.testing.assert_allclose(ours.local.local_r2, gwr4.localR2, rtol=1e-5)
    assert ours.diagnostics.aicc == pytest.approx(896.462831, abs=5e-3)
    assert ours.diagnostics.r2 == pytest.approx(0.592415, abs=5e-6)


def assert_mgwr_matches_mgwr_directly(df, y, cols, coords, region, bw_min, bw_max):
    yv, xv, pts = direct(df, y, cols, list(coords))
    std_y = (yv - yv.mean()) / yv.std()
    std_x = (xv - xv.mean(axis=0)) / xv.std(axis=0)
    selector = Sel_BW(pts, std_y, std_x, multi=True, n_jobs=1)
    selector.search(multi_bw_min=[bw_min], multi_bw_max=[bw_max])
    ref = MGWR(pts, std_y, std_x, selector, n_jobs=1).fit()
    ours = mgwr(df, y, cols, coords=coords, region=region, bw_min=bw_min, bw_max=bw_max)
    np.testing.assert_array_equal(ours.bandwidth.to_numpy(), selector.bw[0])
    np.testing.assert_allclose(ours.wide().to_numpy(), ref.params, atol=1e-10)
    np.testing.assert_allclose(ours.wide("t_value").to_numpy(), ref.tvalues, atol=1e-10)
    crit = np.asarray(ref.critical_tval())
    sig = ours.wide("t_value").abs().to_numpy() >= crit[None, :]
    np.testing.assert_array_equal(ours.coefficients.significant.to_numpy(), sig.ravel())
    assert ours.diagnostics.aicc == pytest.approx(ref.aicc, abs=1e-10)
    assert ours.standardized and ours.model == "MGWR"


@pytest.mark.slow  # about 13 s; the synthetic test below keeps the comparison in `make test`
def test_mgwr_matches_mgwr_directly(georgia):
    cols = ["PctFB", "PctBlack", "PctRural"]
    assert_mgwr_matches_mgwr_directly(georgia, "PctBach", cols, ("X", "Y"), "AreaKey", 2, 159)


def test_mgwr_matches_mgwr_directly_on_synthetic_points():
    # synthetic: 60 random points, one coefficient varying over space and one constant
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"u": rng.uniform(0, 10, 60), "v": rng.uniform(0, 10, 60)})
    df["x1"], df["x2"] = rng.normal(size=60), rng.normal(size=60)
    df["y"] = 1 + (0.5 + 0.2 * df.u) * df.x1 - 0.7 * df.x2 + rng.normal(0, 0.3, 60)
    assert_mgwr_matches_mgwr_directly(df, "y", ["x1", "x2"], ("u", "v"), None, 10, 60)


def test_gwr_provinces_with_registry_coordinates():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = load_province_panel().wide()
    data = panel.xs(2019, level="year").reset_index()
    data = data.assign(log_gdp=np.log(data.gdp))[
        ["region_code", "log_gdp", "share_tertiary", "share_secondary"]
    ]
    ours = gwr(data, "log_gdp", ["share_tertiary", "share_secondary"])
    lonlat = provinces().loc[data.region_code, ["lon", "lat"]].to_numpy()
    yv = data.log_gdp.to_numpy().reshape(-1, 1)
    xv = data[["share_tertiary", "share_secondary"]].to_numpy()
    # mgwr default lower limit (40 + 2 * 3 terms = 46 neighbours) exceeds n = 31: k + 3 = 5 is used
    assert ours.meta["search_range"] == [5.0, 31.0]
    bw = Sel_BW(lonlat, yv, xv, spherical=True, n_jobs=1).search(bw_min=5.0, bw_max=31.0)
    ref = GWR(lonlat, yv, xv, bw, spherical=True, n_jobs=1).fit()
    assert ours.spherical and ours.bandwidth.iloc[0] == bw
    np.testing.assert_allclose(ours.wide().to_numpy(), ref.params, atol=1e-10)
    assert set(ours.coefficients.region_code) == set(provinces().index)
    assert str(ours.summary())


def test_bad_input(georgia):
    bad = georgia.copy()
    bad.loc[4, "PctPov"] = np.nan
    with pytest.raises(DataValidationError, match=r"\['PctPov'\] for regions \[13009\]"):
        gwr(bad, "PctBach", X_COLS, coords=("X", "Y"), region="AreaKey")
    with pytest.raises(DataValidationError, match="constant"):
        gwr(georgia.assign(c=1.0), "PctBach", ["c"], coords=("X", "Y"), region="AreaKey")
    singular = georgia.assign(PctUrban=100 - georgia.PctRural)
    with pytest.raises(DataValidationError, match="singular X: 'PctUrban'"):
        gwr(singular, "PctBach", ["PctRural", "PctUrban"], coords=("X", "Y"), region="AreaKey")
    with pytest.raises(DataValidationError, match="more than once"):
        gwr(
            pd.concat([georgia, georgia.head(1)]),
            "PctBach",
            X_COLS,
            coords=("X", "Y"),
            region="AreaKey",
        )
    with pytest.raises(DataValidationError, match="not found"):
        gwr(georgia, "PctBach", ["Nope"], coords=("X", "Y"))
    with pytest.raises(DataValidationError, match="coordinate columns"):
        gwr(georgia, "PctBach", X_COLS, coords=("lon", "lat"))
    with pytest.raises(DataValidationError, match="registry"):
        gwr(georgia, "PctBach", X_COLS, region="AreaKey")
    with pytest.raises(DataValidationError, match="bw_min"):
        mgwr(georgia, "PctBach", X_COLS, coords=("X", "Y"), bw_min=[2, 3])


def test_frame_columns_and_meta(georgia):
    r = gwr(georgia, "PctBach", X_COLS, coords=("X", "Y"), bw=90, region="AreaKey")
    frame = r.to_frame()
    assert list(frame.columns) == [
        "region_code",
        "term",
        "estimate",
        "std_error",
        "t_value",
        "critical_t",
        "significant",
    ]
    assert len(frame) == 159 * 4
    assert r.to_dict()["meta"]["bandwidth"] == 90.0
    assert r.coefficient_table().loc["PctRural", "bandwidth"] == 90.0


def test_meta_and_local_columns_per_model():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"u": rng.uniform(0, 10, 60), "v": rng.uniform(0, 10, 60)})
    df["x"] = rng.normal(size=60)
    df["y"] = 1 + (0.5 + 0.1 * df.u) * df.x + rng.normal(0, 0.1, 60)
    g = gwr(df, "y", ["x"], coords=("u", "v"), bw=30, region=None)
    assert list(g.meta)[:-1] == [
        "method", "y", "x", "kernel", "fixed", "criterion", "bandwidth", "standardized",
        "spherical", "alpha", "sigma2_v1", "search_range", "n",
    ]  # fmt: skip
    assert g.meta["method"] == "gwr" and g.meta["x"] == ["x"] and g.meta["n"] == 60
    assert list(g.local.columns) == ["region_code", "predicted", "residual", "local_r2"]
    assert g.bandwidth.tolist() == [30.0, 30.0] and g.model == "GWR"
    m = mgwr(df, "y", ["x"], coords=("u", "v"), region=None, bw_min=10, bw_max=60)
    assert list(m.meta)[:-1] == [
        "method", "y", "x", "kernel", "fixed", "criterion", "bandwidths", "standardized",
        "spherical", "alpha", "n",
    ]  # fmt: skip
    assert m.meta["method"] == "mgwr" and m.meta["bandwidths"] == m.bandwidth.tolist()
    assert list(m.local.columns) == ["region_code", "predicted", "residual"]
    json.dumps(m.to_dict(), allow_nan=False)


@pytest.mark.parametrize("n_jobs", [1, 3])
def test_n_jobs_reaches_every_mgwr_pool(monkeypatch, n_jobs):
    # mgwr's own default is n_jobs=-1 (all cores) for Sel_BW and GWR: ours must pass n_jobs on
    seen = []
    real = mgwr_gwr.Parallel

    def spy(n_jobs, **kw):
        seen.append(n_jobs)
        return real(n_jobs=1, **kw)  # run in-process: only the request is checked

    monkeypatch.setattr(mgwr_gwr, "Parallel", spy)
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"u": rng.uniform(0, 10, 60), "v": rng.uniform(0, 10, 60)})
    df["x"] = rng.normal(size=60)
    df["y"] = df.x + rng.normal(0, 0.1, 60)
    kw = dict(coords=("u", "v"), region=None, n_jobs=n_jobs)
    g = gwr(df, "y", ["x"], bw_min=10, bw_max=60, **kw)
    searched = len(seen)
    m = mgwr(df, "y", ["x"], bw_min=10, bw_max=60, **kw)
    assert searched > 1 and len(seen) > searched + 1  # search, fit; back-fitting, inference
    assert set(seen) == {n_jobs}
    assert g.model == "GWR" and m.model == "MGWR"
