"""Shared caption and significance helpers of the study reports (hand-worked expectations)."""

import math

import pytest

from nqpf.report._common import stars, value_label


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.001, "***"),
        (0.0099, "***"),
        (0.01, "**"),  # the thresholds are strict: p < 0.01, p < 0.05, p < 0.1
        (0.049, "**"),
        (0.05, "*"),
        (0.099, "*"),
        (0.1, ""),
        (0.7, ""),
        (math.nan, ""),
    ],
    ids=lambda v: str(v),
)
def test_stars(p: float, expected: str) -> None:
    assert stars(p) == expected


def test_value_label() -> None:
    assert value_label("score") == "综合得分 Composite score"
    assert value_label("labourers") == "labourers"
