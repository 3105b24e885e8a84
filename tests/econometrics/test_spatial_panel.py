"""SpatialPanel end to end: recovery of a known data generating process, real data through a
Panel with nqpf.spatial weights, input layouts, and the results contract."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from nqpf.econometrics import PanelFEResults, SpatialPanel, SpatialPanelResults, panel_fe
from nqpf.econometrics.effects import Spectrum, impacts
from nqpf.errors import IslandWarning

TRUE = {"beta": [1.0, -0.5], "theta": [0.5, 0.25], "rho": 0.4, "lam": 0.5}


@pytest.mark.parametrize("model", ["sdm", "sar", "sem", "sdem"])
def test_recovers_known_parameters(helpers, model):
    """n = 150, T = 10, seeded: every estimate lies within 4 standard errors of the truth, and
    the SDM/SAR effects within 4 simulated standard errors of the effects of the true values."""
    W = helpers.knn(150, k=5, seed=4)
    lag = model in ("sar", "sdm")
    durbin = model in ("sdm", "sdem")
    frame, *_ = helpers.simulate(
        W,
        10,
        beta=TRUE["beta"],
        theta=TRUE["theta"] if durbin else None,
        rho=TRUE["rho"] if lag else 0.0,
        lam=0.0 if lag else TRUE["lam"],
        seed=31,
    )
    res = SpatialPanel(model, "twoway", seed=2, draws=500, tests=False).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )
    truth = [*TRUE["beta"], *(TRUE["theta"] if durbin else []), TRUE["rho"] if lag else TRUE["lam"]]
    z = (res.params.to_numpy() - truth) / res.std_errors.to_numpy()
    assert np.all(np.abs(z) < 4), z
    assert res.sigma2 == pytest.approx(0.25, rel=0.1)
    if lag:
        theta = np.array(TRUE["theta"] if durbin else [0.0, 0.0])
        d, i, t = impacts(np.array(TRUE["beta"]), theta, TRUE["rho"], Spectrum(W))
        for part, true in zip(("direct", "indirect", "total"), (d, i, t), strict=True):
            zz = (res.effects[part] - true) / res.effects[f"{part}_se"]
            assert np.all(np.abs(zz) < 4), (part, zz)


def test_real_data_panel_with_contiguity_weights(province_data):
    """Real data through a Panel: queen contiguity W of the 31 provinces from cnmaps (Hainan is
    connected to its nearest neighbour with an IslandWarning)."""
    from nqpf.spatial import contiguity_weights

    panel, _ = province_data
    with pytest.warns(IslandWarning, match="460000|Hainan|海南"):
        queen = contiguity_weights()
    res = SpatialPanel("sdm", "twoway", seed=3, draws=300).fit(
        panel, y="ln_patent", x=["ln_rd", "ln_fte", "ln_gdp"], w=queen
    )
    assert res.n_regions == 31 and res.n_periods == 13
    assert res.n_obs == 30 * 12  # Lee–Yu transformation: (n-1)(T-1)
    assert -1 < res.params["rho"] < 1
    assert res.effects.index.tolist() == ["ln_rd", "ln_fte", "ln_gdp"]
    assert res.residuals.index.names == ["region", "year"]
    assert set(res.tests) >= {"lm_lag", "lr_sdm_sar", "wald_sdm_sem", "hausman"}
    text = res.summary().as_text()
    for label in ("直接效应 Direct", "间接效应 Indirect", "总效应 Total", "ρ (rho)", "W*ln_rd"):
        assert label in text


def test_long_frame_multiindex_and_panel_give_the_same_fit(province_data):
    panel, w = province_data
    kw = {"y": "ln_patent", "x": ["ln_rd", "ln_gdp"], "w": w}
    est = SpatialPanel("sar", "region", tests=False, draws=20, seed=0)
    a = est.fit(panel, **kw)
    wide = panel.wide(["ln_patent", "ln_rd", "ln_gdp"])
    b = est.fit(wide, **kw)
    c = est.fit(wide.reset_index().sample(frac=1.0, random_state=0), **kw)
    for other in (b, c):
        np.testing.assert_allclose(other.params, a.params, atol=1e-12)
        pd.testing.assert_frame_equal(other.effects, a.effects)


def test_estimator_keeps_settings_only():
    est = SpatialPanel("sem", "region", lee_yu=False, draws=50, seed=1)
    assert vars(est) == {
        "model": "sem",
        "effects": "region",
        "lee_yu": False,
        "vcov": "information",
        "draws": 50,
        "seed": 1,
        "tests": True,
        "rho_bounds": None,
        "maxiter": 500,
        "logdet": "auto",
    }
    assert "SpatialPanel(model='sem'" in repr(est)


@pytest.fixture(scope="module")
def results(province_data):
    panel, w = province_data
    spatial = SpatialPanel("sdm", "twoway", seed=0, draws=100).fit(
        panel, y="ln_patent", x=["ln_rd", "ln_gdp"], w=w
    )
    error = SpatialPanel("sem", "region", lee_yu=False).fit(
        panel, y="ln_patent", x=["ln_rd", "ln_gdp"], w=w
    )
    fe = panel_fe(panel, "ln_patent", ["ln_rd", "ln_gdp"])
    return {"sdm": spatial, "sem": error, "fe": fe}


@pytest.mark.parametrize("name", ["sdm", "sem", "fe"])
def test_coefficient_columns(results, name):
    result = results[name]
    assert isinstance(result, SpatialPanelResults | PanelFEResults)
    frame = result.to_frame()
    assert {"term", "estimate", "std_error", "statistic", "p_value"} <= set(frame.columns)


def test_tidy_frame_of_spatial_results(results):
    res = results["sdm"]
    tidy = res.to_frame()
    assert tidy.component.unique().tolist() == ["coefficient", "direct", "indirect", "total"]
    coef = tidy[tidy.component == "coefficient"].set_index("term")
    assert coef.loc["rho", "estimate"] == res.params["rho"]
    assert coef.loc["sigma2", "estimate"] == res.sigma2
    direct = tidy[tidy.component == "direct"].set_index("term")
    assert direct.loc["ln_rd", "std_error"] == res.effects.loc["ln_rd", "direct_se"]
    assert res.meta["effects_draws"] == 100 and res.meta["seed"] == 0
    assert res.aic == pytest.approx(-2 * res.log_likelihood + 2 * 6)
    payload = json.loads(json.dumps(res.to_dict()))
    assert payload["fit"]["n_regions"] == 31
    assert {t["name"] for t in payload["tests"]} >= {"lm_lag", "hausman"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res._repr_html_()
