"""Spatial β-convergence: the growth variables built independently here and fed to SpatialPanel.

Data: real provincial GDP 2012-2022 (``province_gdp`` fixture, NBS via the bundled dataset) with
k-nearest-neighbour weights (k = 4) between the provincial capitals.

References, each independent of ``spatial_beta_convergence``:

- the growth rate ln(y_{t+1}/y_t) and ln y_t are built here with pandas, and
  ``nqpf.econometrics.SpatialPanel`` is called directly on them: β, θ, ρ/λ and the effects
  must be the same numbers (1e-12 absolute; the same estimator on the same arrays, so only the
  order of floating-point operations could differ);
- the direct/indirect/total effects of ln y at the point estimates are recomputed here from
  S(W) = (I − ρW)⁻¹(Iβ + Wθ) with numpy (1e-10 absolute);
- speed and half-life are the formulas λ = −ln(1 + b)/Δt and ln 2/λ written out below (1e-12
  relative).
"""

import math

import numpy as np
import pandas as pd
import pytest

from nqpf.disparity import spatial_beta_convergence
from nqpf.econometrics import SpatialPanel
from nqpf.errors import DataValidationError, WeightsError
from nqpf.geo import knn_weights
from nqpf.regions import provinces

ABS = 1e-12


@pytest.fixture(scope="module")
def gdp(province_gdp) -> pd.DataFrame:
    return province_gdp[province_gdp.year >= 2012].reset_index(drop=True)


@pytest.fixture(scope="module")
def w():
    return knn_weights(list(provinces().index), k=4)


@pytest.fixture(scope="module")
def growth(gdp) -> pd.DataFrame:
    """ln(y_{t+1}/y_t) and ln y_t (and the control at t), built independently."""
    d = gdp.sort_values(["region", "year"]).copy()
    d["lead"] = d.groupby("region").gdp.shift(-1)
    d = d.dropna(subset=["lead"])
    return pd.DataFrame(
        {
            "region": d.region.to_numpy(),
            "year": d.year.to_numpy(),
            "growth": np.log(d.lead.to_numpy() / d.gdp.to_numpy()),
            "ln_y": np.log(d.gdp.to_numpy()),
            "secondary": d.secondary.to_numpy(),
        }
    )


def _speed(b: float, dt: float = 1.0) -> tuple[float, float]:
    speed = -math.log(1.0 + b) / dt
    return speed, math.log(2.0) / speed


@pytest.mark.parametrize(
    ("model", "effects", "controls"),
    [
        ("sdm", "twoway", None),
        ("sdm", "twoway", ["secondary"]),
        ("sar", "region", None),
        ("sem", "twoway", None),
    ],
    ids=["sdm-twoway", "sdm-conditional", "sar-region", "sem-twoway"],
)
def test_equals_spatial_panel_on_the_growth_variables(gdp, w, growth, model, effects, controls):
    res = spatial_beta_convergence(
        gdp, "gdp", w, model=model, effects=effects, controls=controls, draws=200, seed=4
    )
    x = ["ln_y", *(controls or [])]
    ref = SpatialPanel(model, effects, draws=200, seed=4).fit(
        growth, y="growth", x=x, w=w, region="region"
    )
    spatial = "rho" if model in ("sar", "sdm") else "lambda"
    assert res.spatial_parameter == spatial
    assert res.beta == pytest.approx(ref.params["ln_y"], abs=ABS)
    assert res.rho == pytest.approx(ref.params[spatial], abs=ABS)
    if model == "sdm":
        assert res.theta == pytest.approx(ref.params["W*ln_y"], abs=ABS)
    else:
        assert math.isnan(res.theta)
    for part in ("direct", "indirect", "total"):
        got = getattr(res, part)
        assert got["estimate"] == pytest.approx(ref.effects.loc["ln_y", part], abs=ABS)
        assert got["std_error"] == pytest.approx(ref.effects.loc["ln_y", f"{part}_se"], abs=ABS)
    np.testing.assert_allclose(res.fit.params.to_numpy(), ref.params.to_numpy(), atol=ABS)
    assert res.fit.params.index.tolist() == ref.params.index.tolist()
    assert res.kind == ("conditional" if controls else "absolute")
    assert (res.nobs, res.n_regions, res.n_periods, res.interval) == (31 * 10, 31, 10, 1)


def test_speed_and_half_life_follow_the_formulas(gdp, w):
    res = spatial_beta_convergence(gdp, "gdp", w, draws=100)
    assert res.beta < 0 and res.direct["estimate"] < 0  # the provinces converge here
    speed, half = _speed(res.beta)
    assert res.speed == pytest.approx(speed, rel=1e-12)
    assert res.half_life == pytest.approx(half, rel=1e-12)
    speed_d, half_d = _speed(res.direct["estimate"])
    assert res.speed_direct == pytest.approx(speed_d, rel=1e-12)
    assert res.half_life_direct == pytest.approx(half_d, rel=1e-12)


def test_speed_uses_the_spacing_of_the_years(gdp, w):
    every_other = gdp[gdp.year % 2 == 0]  # 2012, 2014, ..., 2022: Δt = 2
    res = spatial_beta_convergence(every_other, "gdp", w, draws=50)
    assert res.interval == 2
    assert res.speed == pytest.approx(_speed(res.beta, 2.0)[0], rel=1e-12)


def test_effects_of_ln_y_from_s_of_w(gdp, w):
    res = spatial_beta_convergence(gdp, "gdp", w, draws=50)
    W = w.align(list(res.fit.residuals.index.levels[0])).dense
    n = len(W)
    S = np.linalg.solve(np.eye(n) - res.rho * W, res.beta * np.eye(n) + res.theta * W)
    direct, total = np.trace(S) / n, S.sum() / n
    assert res.direct["estimate"] == pytest.approx(direct, abs=1e-10)
    assert res.total["estimate"] == pytest.approx(total, abs=1e-10)
    assert res.indirect["estimate"] == pytest.approx(total - direct, abs=1e-10)


def test_seeded_effect_errors_are_reproducible(gdp, w):
    a = spatial_beta_convergence(gdp, "gdp", w, draws=60, seed=11)
    b = spatial_beta_convergence(gdp, "gdp", w, draws=60, seed=11)
    assert a.direct == b.direct and a.meta["seed"] == 11 and a.meta["draws"] == 60


def test_frame_and_summary(gdp, w):
    res = spatial_beta_convergence(gdp, "gdp", w, draws=50)
    frame = res.to_frame()
    assert list(frame.columns) == [
        "component",
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
    ]
    conv = frame[frame.component == "convergence"].set_index("term").estimate
    assert conv["speed"] == res.speed and conv["half_life_direct"] == res.half_life_direct
    coef = frame[frame.component == "coefficient"].set_index("term").estimate
    assert coef["ln_y"] == res.beta and coef["rho"] == res.rho
    text = str(res.summary())
    assert "空间β收敛 Spatial β-convergence" in text and "θ (W·ln y_t)" in text
    assert res.meta["method"] == "spatial_beta_convergence" and res.meta["lee_yu"]


# ---------------------------------------------------------------------------- bad input
def test_unbalanced_panel_is_named(gdp, w):
    short = gdp.drop(gdp.index[(gdp.region == 110000) & (gdp.year == 2022)])
    with pytest.raises(DataValidationError, match=r"unbalanced panel.*110000 2021"):
        spatial_beta_convergence(short, "gdp", w, draws=50)


def test_non_positive_value_names_region_and_year(gdp, w):
    bad = gdp.copy()
    bad.loc[(bad.region == 650000) & (bad.year == 2015), "gdp"] = 0.0
    with pytest.raises(DataValidationError, match=r"region 650000 in 2015 \(0\.0\)"):
        spatial_beta_convergence(bad, "gdp", w)


def test_weights_that_miss_regions(gdp):
    w = knn_weights(list(provinces().index[:30]), k=4)  # no Xinjiang
    with pytest.raises(WeightsError, match="650000"):
        spatial_beta_convergence(gdp, "gdp", w, draws=50)


def test_twoway_needs_row_standardised_weights(gdp):
    w = knn_weights(list(provinces().index), k=4, row_standardize=False)
    with pytest.raises(WeightsError, match="row-standardised"):
        spatial_beta_convergence(gdp, "gdp", w, draws=50)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "slx"}, r"model must be one of \['sar', 'sem', 'sdm', 'sdem'\], got 'slx'"),
        ({"effects": "none"}, "effects must be 'twoway', 'region' or 'time', got 'none'"),
        ({"draws": 1}, "draws must be at least 2, got 1"),
        ({"controls": ["ln_y"]}, r"control\(s\) \['ln_y'\] clash"),
        ({"controls": ["nope"]}, "nope"),
    ],
    ids=["model", "effects", "draws", "control-name", "unknown-control"],
)
def test_bad_settings(gdp, w, kwargs, message):
    frame = gdp.assign(ln_y=1.0)
    with pytest.raises(DataValidationError, match=message):
        spatial_beta_convergence(frame, "gdp", w, **kwargs)
