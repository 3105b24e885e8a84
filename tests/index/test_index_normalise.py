"""Normalisation: hand-worked formulas, pymcdm as peer, and every bad-input case.

References: the min-max and vector formulas are checked against pymcdm 1.4
(``pymcdm.normalizations.minmax_normalization`` / ``vector_normalization``, same cost
conventions), tolerance 1e-12; the other cases are worked by hand in the test.
"""

import numpy as np
import pandas as pd
import pytest
from pymcdm import normalizations as pn

from nqpf.errors import DataValidationError
from nqpf.index import NORMALIZATION_METHODS, normalize_indicators


@pytest.fixture
def raw():
    rng = np.random.default_rng(7)
    idx = pd.MultiIndex.from_product(
        [[110000, 120000, 130000], [2020, 2021]], names=["region_code", "year"]
    )
    return pd.DataFrame(rng.uniform(1, 50, size=(6, 3)), index=idx, columns=["rd", "co2", "pat"])


def test_minmax_hand_worked_with_cost_indicator():
    X = pd.DataFrame({"rd": [1.0, 2.0, 5.0], "pollution": [10.0, 30.0, 20.0]})
    Z = normalize_indicators(X, directions={"rd": 1, "pollution": -1})
    # rd: (x - 1) / 4 ; pollution (cost): (30 - x) / 20
    np.testing.assert_allclose(Z["rd"], [0.0, 0.25, 1.0], atol=1e-15)
    np.testing.assert_allclose(Z["pollution"], [1.0, 0.0, 0.5], atol=1e-15)


@pytest.mark.parametrize(
    "method, peer",
    [("minmax", pn.minmax_normalization), ("vector", pn.vector_normalization)],
    ids=["minmax", "vector"],
)
def test_matches_pymcdm(raw, method, peer):
    dirs = [1, -1, 1]
    Z = normalize_indicators(raw, dirs, method=method)
    for j, column in enumerate(raw.columns):
        expected = peer(raw[column].to_numpy(), cost=dirs[j] < 0)
        np.testing.assert_allclose(Z[column].to_numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("as_numpy", [False, True], ids=["pandas", "numpy"])
def test_accepts_numpy_and_directions_words(raw, as_numpy):
    X = raw.to_numpy() if as_numpy else raw
    a = normalize_indicators(X, ["+", "cost", "正向"])
    b = normalize_indicators(X, [1, -1, 1])
    pd.testing.assert_frame_equal(a, b)


def test_zscore_reverses_cost_by_sign():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]})
    Z = normalize_indicators(X, {"a": 1, "b": -1}, method="zscore")
    # mean 2, sample sd 1
    np.testing.assert_allclose(Z["a"], [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(Z["b"], [1.0, 0.0, -1.0])


def test_minmax_group_is_within_each_year(raw):
    Z = normalize_indicators(raw, method="minmax_group", groups="year")
    for _, block in Z.groupby(level="year"):
        np.testing.assert_allclose(block.min(), 0.0)
        np.testing.assert_allclose(block.max(), 1.0)
    # same with an explicit array of labels
    Z2 = normalize_indicators(
        raw, method="minmax_group", groups=raw.index.get_level_values("year").to_numpy()
    )
    pd.testing.assert_frame_equal(Z, Z2)


def test_reference_ratio():
    X = pd.DataFrame({"a": [1.0, 4.0], "b": [2.0, 8.0]})
    Z = normalize_indicators(X, [1, -1], method="reference", reference={"a": 2.0, "b": 4.0})
    np.testing.assert_allclose(Z["a"], [0.5, 2.0])  # x / r
    np.testing.assert_allclose(Z["b"], [2.0, 0.5])  # r / x


# ------------------------------------------------------------------------------- bad input
def test_constant_indicator_is_named():
    X = pd.DataFrame({"ok": [1.0, 2.0, 3.0], "flat": [5.0, 5.0, 5.0]})
    with pytest.raises(DataValidationError, match="'flat'.*constant"):
        normalize_indicators(X)


def test_constant_within_group_names_indicator_and_group(raw):
    X = raw.copy()
    X.loc[(slice(None), 2021), "co2"] = 3.0
    with pytest.raises(DataValidationError, match=r"'co2'.*within group 2021"):
        normalize_indicators(X, method="minmax_group", groups="year")


def test_nan_names_indicator_and_row(raw):
    X = raw.copy()
    X.loc[(120000, 2021), "pat"] = np.nan
    with pytest.raises(DataValidationError, match=r"'pat'.*region_code=120000, year=2021"):
        normalize_indicators(X)


def test_non_numeric_column_is_named():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(DataValidationError, match="'b' is not numeric"):
        normalize_indicators(X)


def test_wrong_directions_length(raw):
    with pytest.raises(DataValidationError, match="2 entries but there are 3 indicators"):
        normalize_indicators(raw, [1, -1])


@pytest.mark.parametrize("bad", [2, 0, "up", True], ids=["two", "zero", "word", "bool"])
def test_direction_not_plus_minus_one(raw, bad):
    with pytest.raises(DataValidationError, match="direction of indicator 'co2'"):
        normalize_indicators(raw, [1, bad, 1])


def test_directions_mapping_must_cover_every_indicator(raw):
    with pytest.raises(
        DataValidationError, match=r"no direction given for indicator\(s\) \['pat'\]"
    ):
        normalize_indicators(raw, {"rd": 1, "co2": -1})
    with pytest.raises(DataValidationError, match="unknown indicator"):
        normalize_indicators(raw, {"rd": 1, "co2": -1, "pat": 1, "gdp": 1})
    with pytest.raises(
        DataValidationError,
        match=r"^no direction given for indicator\(s\) \['rd'\]; "
        r"directions name unknown indicator\(s\) \['gdp'\]$",
    ):
        normalize_indicators(raw, {"co2": -1, "pat": 1, "gdp": 1})


def test_unknown_method_lists_allowed(raw):
    with pytest.raises(ValueError, match="unknown method 'robust'") as info:
        normalize_indicators(raw, method="robust")
    for name in NORMALIZATION_METHODS:
        assert name in str(info.value)


def test_groups_required_or_rejected(raw):
    with pytest.raises(ValueError, match="needs groups"):
        normalize_indicators(raw, method="minmax_group")
    with pytest.raises(ValueError, match="only used by method='minmax_group'"):
        normalize_indicators(raw, groups="year")


def test_reference_errors():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 8.0]})
    with pytest.raises(ValueError, match="needs reference"):
        normalize_indicators(X, method="reference")
    with pytest.raises(DataValidationError, match="'a'.*must be > 0"):
        normalize_indicators(X, method="reference", reference=[0.0, 1.0])
    with pytest.raises(DataValidationError, match="cost indicator 'b' is 0 at row 0"):
        normalize_indicators(X, [1, -1], method="reference", reference=1.0)
