"""SpatialPanel.fit takes every accepted weights type and finds the region column by itself."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from nqpf.econometrics import SpatialPanel, panel_fe
from nqpf.errors import DataValidationError
from nqpf.geo import SpatialWeights


@pytest.fixture(scope="module")
def data(helpers):
    W = helpers.knn(12, k=3, seed=4)
    frame, *_ = helpers.simulate(W, 6, beta=[1.0, -0.5], theta=[0.3, 0.0], rho=0.4, seed=2)
    return frame, W


def _fit(frame, w, **columns):
    return SpatialPanel("sdm", "twoway", draws=50, seed=1, tests=False).fit(
        frame, y="y", x=["x1", "x2"], w=w, **columns
    )


def test_same_estimates_for_every_weights_type(data):
    frame, W = data
    codes = list(range(W.shape[0]))
    sw = SpatialWeights.from_array(W, codes, row_standardize=False)
    forms = {
        "libpysal W": sw.to_libpysal("W"),
        "libpysal Graph": sw.to_libpysal("graph"),
        "DataFrame": pd.DataFrame(W, index=codes, columns=codes),
        "scipy sparse": sparse.csr_array(W),
        "numpy": W,
    }
    ref = _fit(frame, sw, region="region")
    for name, w in forms.items():
        res = _fit(frame, w, region="region")
        np.testing.assert_allclose(res.params, ref.params, rtol=0, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(
            res.effects.to_numpy(), ref.effects.to_numpy(), rtol=0, atol=1e-12, err_msg=name
        )


def test_region_and_year_columns_are_found(data):
    frame, W = data
    assert "region" in frame and "region_code" not in frame
    found = _fit(frame, W)
    named = _fit(frame, W, region="region", year="year")
    renamed = _fit(frame.rename(columns={"region": "region_code"}), W)
    np.testing.assert_array_equal(found.params, named.params)
    np.testing.assert_array_equal(renamed.params, named.params)
    fe = panel_fe(frame, "y", ["x1", "x2"], effects="twoway")
    assert fe.params.equals(panel_fe(frame, "y", ["x1", "x2"], region="region").params)


def test_missing_region_column_names_the_columns(data):
    frame, W = data
    bad = frame.rename(columns={"region": "province"})
    with pytest.raises(
        DataValidationError, match=r"neither 'region_code' nor 'region'.*'province', 'year'"
    ):
        _fit(bad, W)
    with pytest.raises(DataValidationError, match="neither 'region_code' nor 'region'"):
        panel_fe(bad, "y", ["x1", "x2"])
