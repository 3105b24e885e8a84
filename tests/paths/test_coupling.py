"""Coupling coordination against the direct formulas, its properties, grades and bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.paths import GRADES, CouplingCoordination, coupling_coordination, grade_transitions


def classic_direct(u: list[float]) -> float:
    """Classical form C = [Π U_i / ((Σ U_i)/n)^n]^(1/n), written out."""
    n = len(u)
    return (math.prod(u) / (sum(u) / n) ** n) ** (1 / n)


def revised_direct(u: list[float]) -> float:
    """Wang Shujia et al. (2021), written out.

    C = √[(1 − Σ_{i>j} √((U_i − U_j)²) / Σ_{m=1}^{n−1} m) · Π(U_i / max U)^(1/(n−1))].
    """
    n = len(u)
    spread = sum(math.sqrt((u[i] - u[j]) ** 2) for i in range(n) for j in range(i))
    pairs = sum(range(1, n))
    balance = math.prod(x / max(u) for x in u) ** (1 / (n - 1))
    return math.sqrt((1 - spread / pairs) * balance)


ROWS = {
    2: [[0.3, 0.6], [0.9, 0.1], [0.5, 0.5], [0.05, 0.8]],
    3: [[0.3, 0.6, 0.9], [0.2, 0.2, 0.7], [0.45, 0.5, 0.55]],
    4: [[0.3, 0.6, 0.9, 0.1], [0.25, 0.25, 0.25, 0.75], [0.8, 0.7, 0.9, 0.6]],
}


def frame_of(rows: list[list[float]]) -> pd.DataFrame:
    n = len(rows[0])
    out = pd.DataFrame(rows, columns=[f"u{k}" for k in range(1, n + 1)])
    out.insert(0, "region_code", [f"r{k}" for k in range(len(rows))])
    return out


@pytest.mark.parametrize("variant", ["classic", "revised"])
@pytest.mark.parametrize("n", [2, 3, 4])
def test_against_the_direct_formula(n, variant):
    rows = ROWS[n]
    result = coupling_coordination(frame_of(rows), variant=variant)
    direct = classic_direct if variant == "classic" else revised_direct
    c = [direct(r) for r in rows]
    t = [sum(r) / n for r in rows]
    np.testing.assert_allclose(result.table.C, c, rtol=1e-12)
    np.testing.assert_allclose(result.table["T"], t, rtol=1e-12)
    np.testing.assert_allclose(result.table.D, np.sqrt(np.multiply(c, t)), rtol=1e-12)
    assert isinstance(result, CouplingCoordination) and result.variant == variant


def test_classic_two_and_three_system_forms():
    two = coupling_coordination(frame_of(ROWS[2])).table.C
    expected = [2 * math.sqrt(a * b) / (a + b) for a, b in ROWS[2]]
    np.testing.assert_allclose(two, expected, rtol=1e-12)
    # the older 2-system form {U1 U2 / [(U1 + U2)/2]²}^(1/2) is the same number
    older = [math.sqrt(a * b / ((a + b) / 2) ** 2) for a, b in ROWS[2]]
    np.testing.assert_allclose(two, older, rtol=1e-12)
    three = coupling_coordination(frame_of(ROWS[3])).table.C
    expected3 = [3 * (a * b * c) ** (1 / 3) / (a + b + c) for a, b, c in ROWS[3]]
    np.testing.assert_allclose(three, expected3, rtol=1e-12)


def test_revised_two_systems_by_hand():
    # U = (0.3, 0.6): (1 − 0.3) · (0.3/0.6) = 0.35, C = √0.35
    result = coupling_coordination(frame_of([[0.3, 0.6]]), variant="revised")
    assert result.table.C[0] == pytest.approx(math.sqrt(0.35), rel=1e-12)


def test_weights_and_hand_checked_grade():
    # U = (0.8, 0.2), α = (0.75, 0.25): C = 2·0.4/1 = 0.8, T = 0.65, D = √0.52 = 0.7211 → 中级协调
    result = coupling_coordination(frame_of([[0.8, 0.2]]), {"u1": 0.75, "u2": 0.25})
    row = result.table.iloc[0]
    assert (row.C, row["T"]) == (pytest.approx(0.8), pytest.approx(0.65))
    assert row.D == pytest.approx(math.sqrt(0.52))
    assert (row.grade, row.grade_en, row.grade_level) == (
        "中级协调",
        "intermediate coordination",
        8,
    )
    assert row.lagging == "u2" and result.weights == (0.75, 0.25)


def unit_scores(n_min=2, n_max=5):
    return st.integers(n_min, n_max).flatmap(
        lambda n: st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)
    )


@settings(max_examples=60, deadline=None)
@given(unit_scores(), st.sampled_from(["classic", "revised"]))
def test_properties(u, variant):
    frame = frame_of([u])
    row = coupling_coordination(frame, variant=variant).table.iloc[0]
    if max(u) == 0:
        assert math.isnan(row.C) and pd.isna(row.grade_level)
        return
    assert -1e-12 <= row.C <= 1 + 1e-12
    # D = √(C·T) ≤ √T ≤ √(max U); D ≤ max U itself does not hold (U = (0.25, 0.25): D = 0.5)
    assert row.D <= math.sqrt(max(u)) + 1e-12
    assert 1 <= row.grade_level <= 10
    # permutation invariance
    reverse = frame[["region_code", *frame.columns[1:][::-1]]]
    again = coupling_coordination(reverse, variant=variant).table.iloc[0]
    assert again.C == pytest.approx(row.C, rel=1e-9, abs=1e-12)
    assert again.D == pytest.approx(row.D, rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.001, 1.0), st.integers(2, 5), st.sampled_from(["classic", "revised"]))
def test_equal_scores_give_full_coupling(x, n, variant):
    row = coupling_coordination(frame_of([[x] * n]), variant=variant).table.iloc[0]
    assert row.C == pytest.approx(1.0, rel=1e-12)
    assert row.D == pytest.approx(math.sqrt(x), rel=1e-12)
    assert row.lagging is None


def test_permutation_of_every_order_n4():
    u = [0.3, 0.6, 0.9, 0.1]
    for variant in ("classic", "revised"):
        values = {
            round(coupling_coordination(frame_of([list(p)]), variant=variant).table.C[0], 12)
            for p in itertools.permutations(u)
        }
        assert len(values) == 1


def test_grade_boundaries():
    # equal scores give C = 1 and D = √U: D = 0.1k exactly on the lower edge of grade k + 1
    d = np.array([0.0001, 0.0999, 0.1, 0.3, 0.5, 0.6999, 0.9, 0.95, 1.0])
    result = coupling_coordination(frame_of([[x, x] for x in d**2]))
    assert list(result.table.grade_level) == [1, 1, 2, 4, 6, 7, 10, 10, 10]
    assert result.table.grade[2] == "严重失调" and result.table.grade[0] == "极度失调"
    assert result.table.grade[8] == "优质协调"
    assert [zh for zh, _ in GRADES][4:6] == ["濒临失调", "勉强协调"]


def test_some_zero_and_all_zero_scores():
    result = coupling_coordination(frame_of([[0.0, 0.5], [0.0, 0.0]]))
    assert result.table.C[0] == 0.0 and result.table.D[0] == 0.0
    assert result.table.grade_level[0] == 1 and result.table.lagging[0] == "u1"
    assert math.isnan(result.table.C[1]) and math.isnan(result.table.D[1])
    assert pd.isna(result.table.grade_level[1]) and result.table.grade[1] is None
    assert any("undefined" in n and "'r1'" in n for n in result.notes)
    revised = coupling_coordination(frame_of([[0.0, 0.5], [0.0, 0.0]]), variant="revised")
    assert revised.table.C[0] == 0.0 and math.isnan(revised.table.C[1])


def test_ties_for_the_lagging_subsystem():
    result = coupling_coordination(frame_of([[0.2, 0.2, 0.6], [0.5, 0.1, 0.3]]))
    assert list(result.table.lagging) == ["u1, u2", "u2"]


def test_input_conventions_agree():
    long = pd.DataFrame(
        {
            "region_code": ["a", "b", "a", "b"],
            "year": [2019, 2019, 2020, 2020],
            "x": [0.2, 0.5, 0.3, 0.6],
            "y": [0.4, 0.5, 0.6, 0.1],
        }
    )
    base = coupling_coordination(long).table
    assert list(base.columns) == [
        "region",
        "year",
        "x",
        "y",
        "C",
        "T",
        "D",
        "grade",
        "grade_en",
        "grade_level",
        "lagging",
    ]
    indexed = coupling_coordination(long.set_index(["region_code", "year"])).table
    pd.testing.assert_frame_equal(base, indexed)
    by_name = long.set_index(["region_code", "year"])
    mapping = coupling_coordination({"x": by_name.x, "y": by_name.y}).table
    pd.testing.assert_frame_equal(base, mapping)
    no_year = coupling_coordination(long[long.year == 2019].drop(columns="year"))
    assert "year" not in no_year.table.columns
    np.testing.assert_allclose(no_year.table.D, base.D[:2])


def test_grade_transitions():
    # a: D = 0.5 (6) → 0.7 (8); b: 0.5 (6) → 0.5 (6); c only in the first year
    u = {"a": (0.25, 0.49), "b": (0.25, 0.25), "c": (0.36, None)}
    rows = [
        (r, year, x, x)
        for r, pair in u.items()
        for year, x in zip((2019, 2020), pair, strict=True)
        if x is not None
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "year", "p", "q"])
    table = grade_transitions(coupling_coordination(frame))
    assert table.shape == (10, 10) and table.to_numpy().sum() == 2
    assert table.iloc[5, 7] == 1 and table.iloc[5, 5] == 1
    with pytest.raises(DataValidationError, match="year"):
        grade_transitions(coupling_coordination(frame[frame.year == 2019].drop(columns="year")))


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([[0.2, 1.2]], r"'u2'.*region 'r0'.*1\.2"),
        ([[-0.1, 0.5]], r"'u1'.*region 'r0'.*-0\.1"),
        ([[np.nan, 0.5]], r"'u1'.*region 'r0'.*missing"),
        ([[0.5]], "at least two"),
    ],
)
def test_bad_scores(values, match):
    with pytest.raises(DataValidationError, match=match):
        coupling_coordination(frame_of(values))


def test_bad_score_names_the_year():
    frame = pd.DataFrame(
        {"region_code": ["a", "a"], "year": [2019, 2020], "x": [0.1, 2.0], "y": [0.2, 0.2]}
    )
    with pytest.raises(DataValidationError, match=r"'x'.*region 'a' year 2020.*2\.0"):
        coupling_coordination(frame)
    with pytest.raises(DataValidationError, match="not a number"):
        coupling_coordination(frame.assign(x=["0.1", "high"]))


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([0.5, 0.6], "sum to 1"),
        ([0.5], "1 weight"),
        ([1.5, -0.5], "'u2'.*≥ 0"),
        ({"u1": 0.5, "zz": 0.5}, "unknown"),
    ],
)
def test_bad_weights(weights, match):
    with pytest.raises(DataValidationError, match=match):
        coupling_coordination(frame_of([[0.2, 0.4]]), weights)


def test_duplicates_and_bad_variant():
    frame = frame_of([[0.2, 0.4], [0.3, 0.5]]).assign(region_code="a")
    with pytest.raises(DuplicateError, match="region 'a'"):
        coupling_coordination(frame)
    with pytest.raises(DataValidationError, match="variant"):
        coupling_coordination(frame_of([[0.2, 0.4]]), variant="modified")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="'D' has the name of an output column"):
        coupling_coordination(frame_of([[0.2, 0.4]]).rename(columns={"u2": "D"}))
