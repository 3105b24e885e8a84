"""The results contract shared by every analysis, and the one type of hypothesis tests."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError
from nqpf.results import TEST_COLUMNS, TestResult, frame_of_tests


def test_result_to_dict_is_strict_json():
    from dataclasses import dataclass

    from nqpf.results import Result

    @dataclass(frozen=True)
    class Toy(Result):
        def to_frame(self):
            return pd.DataFrame({"a": [1.0, np.inf, np.nan], "b": ["x", "y", "z"]})

    text = json.dumps(
        Toy(meta={"n": np.int64(3), "x": np.float64(np.inf)}).to_dict(), allow_nan=False
    )
    assert json.loads(text)["data"][1] == {"a": None, "b": "y"}


# --------------------------------------------------------------------------- TestResult
def test_chi2_test_p_value_and_conclusion_by_hand():
    import math

    from nqpf.econometrics.diagnostics import chi2_test

    t = chi2_test("lr", 4.0, 1, "θ = 0")
    assert t.p_value == pytest.approx(math.erfc(math.sqrt(4.0 / 2)), rel=1e-12)  # χ²(1) tail
    assert t.df == (1.0,) and t.distribution == "chi2(1)" and t.applicable
    assert t.conclusion() == "reject H0 at the 5 % level (p = 0.0455)"
    assert t.conclusion(0.01) == "do not reject H0 at the 1 % level (p = 0.0455)"
    with pytest.raises(DataValidationError, match="alpha must be between 0 and 1, got 5"):
        t.conclusion(5)


def test_not_applicable_state_in_frame_summary_and_json():
    na = TestResult.not_applicable("hausman", "time effects only", null="RE consistent")
    assert not na.applicable and na.reason == "time effects only"
    assert math.isnan(na.statistic) and math.isnan(na.p_value) and na.df is None
    row = na.to_frame().iloc[0]
    assert row.test == "hausman" and row.null == "RE consistent"
    assert row.note == "not applicable: time effects only" and np.isnan(row.statistic)
    assert "not applicable: time effects only" in na.summary().as_text()
    payload = json.loads(json.dumps(na.to_dict(), allow_nan=False))
    assert payload["statistic"] is None and payload["applicable"] is False
    assert payload["reason"] == "time effects only" and payload["meta"]["method"] == "hausman"


def test_two_degrees_of_freedom_and_their_check():
    f = TestResult("f", statistic=3.2, df=(3, 24), p_value=0.041, distribution="F(3, 24)")
    row = f.to_frame().iloc[0]
    assert (row.df, row.df_denom) == (3, 24)
    assert "3, 24" in f.summary().as_text()
    with pytest.raises(DataValidationError, match="test 'f': df must hold one or two"):
        TestResult("f", statistic=1.0, df=(1, 2, 3))


def test_frame_of_tests_and_outcomes_frame_columns():
    from nqpf.econometrics.diagnostics import outcomes_frame

    tests = {"a": TestResult("a", 1.0, (2,), 0.61), "b": TestResult.not_applicable("b", "n < 3")}
    frame = frame_of_tests(tests)
    assert list(frame.columns) == list(TEST_COLUMNS) and frame.test.tolist() == ["a", "b"]
    pd.testing.assert_frame_equal(frame, frame_of_tests(tests.values()))
    assert frame_of_tests({}).empty and list(frame_of_tests({}).columns) == list(TEST_COLUMNS)
    assert list(outcomes_frame(tests).columns) == [
        "test", "statistic", "df", "p_value", "distribution", "null", "note",
    ]  # fmt: skip
