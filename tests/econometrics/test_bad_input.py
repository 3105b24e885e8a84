"""Every bad input raises a specific nqpf error that names what is wrong."""

import libpysal
import numpy as np
import pandas as pd
import pytest

from nqpf.econometrics import SpatialPanel, panel_fe
from nqpf.econometrics.spatial_panel import _check_negative_definite
from nqpf.errors import ConvergenceError, DataValidationError, DuplicateError, WeightsError


@pytest.fixture
def data(helpers):
    W = helpers.ring(10)
    frame, *_ = helpers.simulate(W, 5, beta=[1.0, -0.5], rho=0.4, seed=1)
    return frame, W


def _fit(frame, W, model="sar", effects="twoway", **settings):
    settings.setdefault("draws", 10)
    return SpatialPanel(model, effects, **settings).fit(
        frame, y="y", x=["x1", "x2"], w=W, region="region"
    )


# ------------------------------------------------------------------------------- weights
def test_labelled_weights_that_do_not_match_name_the_regions(data):
    frame, W = data
    labels = [*range(9), 99]  # region 9 missing, 99 extra
    w = pd.DataFrame(W, index=labels, columns=labels)
    with pytest.raises(WeightsError, match=r"not in the weights: \[9\].*not in the data: \[99\]"):
        _fit(frame, w)


def test_spatial_weights_type_alignment_names_regions(data):
    from nqpf.spatial import SpatialWeights

    frame, W = data
    w = SpatialWeights.from_array(W, codes=[f"r{i}" for i in range(10)])
    with pytest.raises(WeightsError, match="not in the weights"):
        _fit(frame, w)


def test_libpysal_weights_are_aligned_by_id(data, helpers):
    frame, W = data
    order = np.random.default_rng(0).permutation(10)
    w = libpysal.weights.full2W(W[np.ix_(order, order)], ids=order.tolist())
    a = _fit(frame, w, tests=False)
    b = _fit(frame, W, tests=False)
    np.testing.assert_allclose(a.params, b.params, atol=1e-12)
    w_bad = libpysal.weights.full2W(W, ids=[f"x{i}" for i in range(10)])
    with pytest.raises(WeightsError, match="do not match"):
        _fit(frame, w_bad)


def test_unlabelled_weights_of_wrong_size(data, helpers):
    frame, _ = data
    with pytest.raises(WeightsError, match=r"11×11 but the data have 10 regions"):
        _fit(frame, helpers.ring(11))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda W: W.__setitem__((0, 1), -0.5), "non-negative"),
        (lambda W: W.__setitem__((3, 3), 0.2), "own neighbour.*3"),
        (lambda W: W.__setitem__(4, 0.0), r"without any neighbour: 4"),
        (lambda W: W.__setitem__((2, 1), np.nan), "NaN"),
    ],
    ids=["negative", "self-neighbour", "island", "nan"],
)
def test_invalid_weights(data, edit, message):
    frame, W = data
    W = W.copy()
    edit(W)
    with pytest.raises(WeightsError, match=message):
        _fit(frame, W, effects="region")


def test_time_effects_need_row_standardised_weights(data, helpers):
    frame, _ = data
    binary = helpers.ring(10, row_standardise=False)
    with pytest.raises(WeightsError, match="row-standardised"):
        _fit(frame, binary, effects="twoway")
    assert _fit(frame, binary, effects="region", tests=False).params["rho"] < 0.5


# ------------------------------------------------------------------------------- data
def test_all_missing_year_is_named(data):
    frame, W = data
    frame = frame.copy()
    frame.loc[frame.year == 2003, "x2"] = np.nan
    with pytest.raises(
        DataValidationError, match=r"'x2' has no value at all in year\(s\) \[2003\]"
    ):
        _fit(frame, W)


def test_missing_cells_are_named(data):
    frame, W = data
    frame = frame.copy()
    frame.loc[(frame.region == 7) & (frame.year == 2002), "y"] = np.nan
    with pytest.raises(DataValidationError, match=r"'y' has 1 missing value\(s\): 7 2002"):
        _fit(frame, W)


def test_unbalanced_panel_names_missing_region_years(data):
    frame, W = data
    frame = frame[~((frame.region == 3) & (frame.year.isin([2004, 2005])))]
    with pytest.raises(
        DataValidationError,
        match=r"unbalanced panel: 2 region-year\(s\) missing \(3 2004, 3 2005\)",
    ):
        _fit(frame, W)


def test_duplicate_rows(data):
    frame, W = data
    with pytest.raises(DuplicateError, match="share a region and year: 0 2001"):
        _fit(pd.concat([frame, frame.iloc[[0]]]), W)


def test_non_numeric_cells_and_unknown_columns(data):
    frame, W = data
    bad = frame.astype({"x1": object})
    bad.loc[5, "x1"] = "n/a"
    with pytest.raises(DataValidationError, match=r"non-numeric.*x1='n/a'"):
        _fit(bad, W)
    with pytest.raises(DataValidationError, match=r"\['x9'\] not found"):
        SpatialPanel("sar").fit(frame, y="y", x=["x9"], w=W, region="region")
    with pytest.raises(DataValidationError, match="both the dependent and an explanatory"):
        SpatialPanel("sar").fit(frame, y="y", x=["y"], w=W, region="region")


def test_panel_without_the_variable(province_data):
    panel, w = province_data
    with pytest.raises(DataValidationError, match=r"\['ln_tfp'\] not in the panel"):
        SpatialPanel("sar").fit(panel, y="ln_tfp", x=["ln_rd"], w=w)


# ------------------------------------------------------------------------------- collinearity
def test_collinear_regressors_are_named(data):
    frame, W = data
    frame = frame.assign(x2=2.0 * frame.x1 - 1.0)
    with pytest.raises(DataValidationError, match=r"'x2' is a linear combination of \['x1'\]"):
        _fit(frame, W)


def test_regressor_absorbed_by_fixed_effects(data):
    frame, W = data
    frame = frame.assign(x2=frame.region * 1.5)  # constant over time within each region
    with pytest.raises(DataValidationError, match="'x2' has no variation left"):
        _fit(frame, W, effects="region")


def test_spatial_lag_collinear_with_regressor_in_sdm(data):
    frame, W = data
    frame = frame.assign(x2=frame.year * 0.1 + 0.0)  # same value in every region: Wx2 = x2
    with pytest.raises(DataValidationError, match=r"'W\*x2' is a linear combination of \['x2'\]"):
        _fit(frame, W, model="sdm", effects="region")


# ------------------------------------------------------------------------------- optimiser
def test_non_convergence_reports_last_values(data):
    frame, W = data
    with pytest.raises(
        ConvergenceError, match=r"did not converge in \d+ iterations \(maxiter=1\); last ρ = "
    ):
        _fit(frame, W, maxiter=1)


def test_estimate_at_the_edge_of_the_range(data):
    frame, W = data  # true ρ = 0.4
    with pytest.raises(ConvergenceError, match=r"upper edge of its admissible range \(-0.5, 0.1\)"):
        _fit(frame, W, rho_bounds=(-0.5, 0.1))
    with pytest.raises(ValueError, match="exceed the admissible interval"):
        _fit(frame, W, rho_bounds=(-2.0, 0.5))


def test_hessian_not_negative_definite_names_the_parameter():
    names = ["x1", "rho", "σ²"]
    H = np.array([[-2.0, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, -1.0]])
    with pytest.raises(ConvergenceError, match="diagonal entry for 'rho'"):
        _check_negative_definite(H, names)
    H = np.array([[-1.0, 1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, -1.0]])  # singular direction
    with pytest.raises(ConvergenceError, match=r"not negative definite.*'x1'"):
        _check_negative_definite(H, names)
    _check_negative_definite(-np.eye(3), names)


# ------------------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"model": "sac"}, "model must be one of"),
        ({"effects": "none"}, "effects must be one of"),
        ({"lee_yu": "yes"}, "lee_yu must be"),
        ({"vcov": "robust"}, "vcov must be"),
        ({"draws": 1}, "draws must be"),
    ],
)
def test_invalid_settings(data, settings, message):
    frame, W = data
    model = settings.pop("model", "sar")
    effects = settings.pop("effects", "twoway")
    with pytest.raises(ValueError, match=message):
        _fit(frame, W, model=model, effects=effects, **settings)


def test_panel_fe_bad_input(data):
    frame, _ = data
    with pytest.raises(ValueError, match="cov must be"):
        panel_fe(frame, "y", ["x1"], cov="hac", region="region")
    bad = frame.copy()
    bad.loc[0, "x1"] = np.nan
    with pytest.raises(DataValidationError, match="missing value"):
        panel_fe(bad, "y", ["x1"], region="region")
