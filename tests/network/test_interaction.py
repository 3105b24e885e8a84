"""Wilson's doubly constrained model: margins, hand-solved cases, calibration, references."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize

from nqpf.errors import ConvergenceError, DataValidationError, DuplicateError
from nqpf.network.graph import FlowNetwork
from nqpf.network.interaction import ODEstimate, doubly_constrained

LABELS = ["a", "b", "c", "d", "e"]


def problem(seed: int = 3, n: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random margins with equal totals and Euclidean costs between random points."""
    rng = np.random.default_rng(seed)
    o = rng.uniform(1, 10, n)
    d = rng.uniform(1, 10, n)
    d *= o.sum() / d.sum()
    xy = rng.uniform(0, 100, (n, 2))
    c = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    np.fill_diagonal(c, 5.0)
    return o, d, c


def cell(c: pd.DataFrame, i: str, j: str, value) -> pd.DataFrame:
    c = c.astype(object)
    c.loc[i, j] = value
    return c


def labelled(o, d, c, labels=LABELS):
    return pd.Series(o, labels), pd.Series(d, labels), pd.DataFrame(c, labels, labels)


def furness(o, d, f, tol=1e-12, max_iter=100_000):
    """Textbook Furness method (Ortúzar & Willumsen, ch. 6), plain loops: T = a_i b_j f_ij."""
    n = len(o)
    b = [1.0] * n
    for _ in range(max_iter):
        a = [o[i] / sum(b[j] * f[i][j] for j in range(n)) for i in range(n)]
        b = [d[j] / sum(a[i] * f[i][j] for i in range(n)) for j in range(n)]
        rows = [sum(a[i] * b[j] * f[i][j] for j in range(n)) for i in range(n)]
        if max(abs(rows[i] - o[i]) / o[i] for i in range(n)) < tol:
            break
    return np.array([[a[i] * b[j] * f[i][j] for j in range(n)] for i in range(n)])


def entropy_dual(o, d, c, beta, allowed):
    """The entropy-maximising flows (Wilson 1970) from a direct solve of the convex dual.

    max −Σ T (ln T − 1) − β Σ T c s.t. margins  ⇔  T_ij = exp(−λ_i − μ_j − β c_ij) with
    (λ, μ) minimising Σ_ij T_ij + Σ λ_i O_i + Σ μ_j D_j.
    """
    n = len(o)
    scale = o.sum()
    oo, dd = o / scale, d / scale
    cost = np.where(allowed, c, 0.0)

    def flows(z):
        return np.where(allowed, np.exp(-z[:n, None] - z[None, n:] - beta * cost), 0.0)

    def objective(z):
        t = flows(z)
        value = t.sum() + z[:n] @ oo + z[n:] @ dd
        grad = np.concatenate([oo - t.sum(1), dd - t.sum(0)])
        return value, grad

    res = optimize.minimize(
        objective, np.zeros(2 * n), jac=True, method="BFGS", options={"gtol": 1e-13}
    )
    return flows(res.x) * scale


# --------------------------------------------------------------------------- hand-solved
def test_two_by_two_with_self_flows_solved_by_hand():
    # margins (60, 40) / (50, 50); the model keeps the odds ratio T11 T22 / (T12 T21) equal to
    # f11 f22 / (f12 f21) = e^{2β} = 6, so T11 = x solves x (x − 10) = 6 (60 − x)(50 − x):
    # x² − 130 x + 3600 = 0, x = 40, and T = [[40, 20], [10, 30]].
    est = doubly_constrained(
        [60.0, 40.0],
        [50.0, 50.0],
        [[1.0, 2.0], [2.0, 1.0]],
        beta=math.log(6) / 2,
        self_flows="include",
    )
    np.testing.assert_allclose(est.flows.to_numpy(), [[40, 20], [10, 30]], rtol=1e-8)
    assert est.margin_error <= 1e-9


def test_power_deterrence_two_by_two_by_hand():
    # f = c^-β with costs [[1, 2], [2, 1]] and β = log2(6)/2: odds ratio 2^{2β} = 6 as above
    est = doubly_constrained(
        [60.0, 40.0],
        [50.0, 50.0],
        [[1.0, 2.0], [2.0, 1.0]],
        beta=math.log2(6) / 2,
        deterrence="power",
        self_flows="include",
    )
    np.testing.assert_allclose(est.flows.to_numpy(), [[40, 20], [10, 30]], rtol=1e-8)


def test_without_deterrence_flows_are_proportional_to_both_margins():
    # β = 0 with self-flows: T_ij = O_i D_j / T (independence)
    o, d = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
    est = doubly_constrained(o, d, np.full((3, 3), 7.0), beta=0.0, self_flows="include")
    np.testing.assert_allclose(est.flows.to_numpy(), np.outer(o, d) / 6, rtol=1e-12)
    assert est.mean_cost == pytest.approx(7.0)


def test_three_regions_without_self_flows_by_hand():
    # all margins 2, equal costs: by symmetry every off-diagonal flow is 1
    est = doubly_constrained([2.0] * 3, [2.0] * 3, np.ones((3, 3)), beta=1.0)
    np.testing.assert_allclose(est.flows.to_numpy(), 1.0 - np.eye(3), rtol=1e-12)
    assert "self-flows excluded" in est.notes[0]


# --------------------------------------------------------------------------- references
@pytest.mark.parametrize("deterrence, beta", [("exp", 0.03), ("power", 1.2)])
@pytest.mark.parametrize("self_flows", ["exclude", "include"])
def test_equals_entropy_maximising_solution(deterrence, beta, self_flows):
    o, d, c = problem()
    est = doubly_constrained(o, d, c, beta, deterrence=deterrence, self_flows=self_flows)
    allowed = np.ones_like(c, bool) if self_flows == "include" else ~np.eye(5, dtype=bool)
    cost = np.log(c) if deterrence == "power" else c
    reference = entropy_dual(o, d, cost, beta, allowed)
    np.testing.assert_allclose(est.flows.to_numpy(), reference, rtol=1e-6, atol=1e-9)


def test_equals_textbook_furness_loop():
    o, d, c = problem(seed=8, n=6)
    f = np.exp(-0.05 * c)
    np.fill_diagonal(f, 0.0)
    est = doubly_constrained(o, d, c, 0.05)
    np.testing.assert_allclose(est.flows.to_numpy(), furness(o, d, f.tolist()), rtol=1e-8)


def test_balancing_factors_satisfy_wilsons_equations():
    o, d, c = problem()
    est = doubly_constrained(o, d, c, 0.04, self_flows="include")
    a, b = est.balancing.A.to_numpy(), est.balancing.B.to_numpy()
    f = np.exp(-0.04 * c)
    np.testing.assert_allclose(a, 1 / (f @ (b * d)), rtol=1e-8)
    np.testing.assert_allclose(b, 1 / (f.T @ (a * o)), rtol=1e-8)
    np.testing.assert_allclose(np.outer(a * o, b * d) * f, est.flows.to_numpy(), rtol=1e-12)
    assert np.exp(np.log(b).mean()) == pytest.approx(1.0)


# --------------------------------------------------------------------------- margins
margin = st.lists(st.floats(0.5, 50.0), min_size=2, max_size=8)


@settings(max_examples=40, deadline=None)
@given(
    o=margin,
    seed=st.integers(0, 2**32 - 1),
    beta=st.floats(0.0, 0.2),
    include=st.booleans(),
)
def test_both_margins_hold_to_1e_9(o, seed, beta, include):
    rng = np.random.default_rng(seed)
    o = np.array(o)
    d = rng.permutation(o) * rng.uniform(0.5, 1.5, len(o))
    d *= o.sum() / d.sum()
    if not include:
        assume(len(o) >= 3 and np.all(o + d <= 0.9 * o.sum()))
    c = rng.uniform(1.0, 100.0, (len(o), len(o)))
    est = doubly_constrained(
        o, d, c, beta, self_flows="include" if include else "exclude", max_iter=100_000
    )
    t = est.flows.to_numpy()
    assert np.all(np.abs(t.sum(1) - o) <= 1e-9 * o)
    assert np.all(np.abs(t.sum(0) - d) <= 1e-9 * d)
    assert est.margin_error <= 1e-9
    if not include:
        assert np.all(np.diag(t) == 0)


def test_zero_margins_give_zero_rows_and_columns():
    est = doubly_constrained([0.0, 3.0, 2.0, 1.0], [2.0, 0.0, 2.0, 2.0], np.ones((4, 4)), 0.1)
    t = est.flows.to_numpy()
    assert (t[0] == 0).all() and (t[:, 1] == 0).all()
    assert est.balancing.A.isna().tolist() == [True, False, False, False]
    assert est.balancing.B.isna().tolist() == [False, True, False, False]


def test_labelled_inputs_are_aligned():
    o, d, c = labelled(*problem())
    est = doubly_constrained(o, d, c, 0.03)
    shuffled = doubly_constrained(o, d[::-1], c.iloc[[2, 0, 4, 1, 3], [4, 3, 2, 1, 0]], 0.03)
    pd.testing.assert_frame_equal(est.flows, shuffled.flows)
    assert list(est.flows.index) == LABELS == est.balancing.region.tolist()


# --------------------------------------------------------------------------- calibration
@pytest.mark.parametrize("deterrence", ["exp", "power"])
def test_calibrated_beta_hits_the_target_mean_cost(deterrence):
    o, d, c = problem()
    est = doubly_constrained(o, d, c, target_mean_cost=37.5, deterrence=deterrence)
    t = est.flows.to_numpy()
    off = ~np.eye(5, dtype=bool)
    assert (t[off] * c[off]).sum() / t.sum() == pytest.approx(37.5, rel=1e-8)
    assert est.mean_cost == pytest.approx(37.5, rel=1e-8)
    again = doubly_constrained(o, d, c, est.beta, deterrence=deterrence)
    pd.testing.assert_frame_equal(again.flows, est.flows)
    assert again.iterations == est.iterations > 1
    assert any("calibrated" in n for n in est.notes)


def test_unreachable_target_gives_the_range():
    o, d, c = problem()
    free = doubly_constrained(o, d, c, 0.0).mean_cost
    for target in (free * 1.5, 1.0):
        with pytest.raises(DataValidationError, match=r"achievable mean costs lie in \(") as e:
            doubly_constrained(o, d, c, target_mean_cost=target)
        assert f"{free:.6g}]" in str(e.value)


def test_power_range_is_open_at_no_deterrence():
    o, d, c = problem()
    free = doubly_constrained(o, d, c, 0.0).mean_cost
    with pytest.raises(DataValidationError, match=rf"{free:.6g}\) \(β"):
        doubly_constrained(o, d, c, target_mean_cost=free, deterrence="power")
    assert doubly_constrained(o, d, c, target_mean_cost=free).beta == 0.0


def test_range_bottom_is_the_cheapest_transport_plan():
    o, d = np.array([2.0, 1.0, 1.0]), np.array([1.0, 1.0, 2.0])
    c = np.array([[1.0, 1.0, 10.0], [1.0, 1.0, 1.0], [1.0, 10.0, 1.0]])
    # with x = T_ac ∈ [1, 2] the margins fix T_ab = T_bc = T_ca = 2 − x and T_ba = T_cb = x − 1,
    # so the total cost is 18 x − 5, least (13) at x = 1: mean cost 13 / 4 = 3.25
    with pytest.raises(DataValidationError, match=r"lie in \(3\.25, "):
        doubly_constrained(o, d, c, target_mean_cost=2.0)


# --------------------------------------------------------------------------- results
def test_result_parts():
    o, d, c = labelled(*problem())
    est = doubly_constrained(o, d, c, 0.03)
    assert isinstance(est, ODEstimate)
    frame = est.to_frame()
    assert list(frame.columns) == ["origin", "destination", "flow", "cost"]
    assert len(frame) == 20 and not (frame.origin == frame.destination).any()
    assert frame.flow.sum() == pytest.approx(o.sum())
    net = est.network()
    assert isinstance(net, FlowNetwork) and net.labels == tuple(LABELS)
    np.testing.assert_allclose(net.weights, est.flows.to_numpy())
    assert "estimated" in net.notes[0]
    text = str(est.summary())
    assert "估计流量 Estimated flows" in text and "self-flows excluded" in text
    assert est.meta["method"] == "doubly_constrained" and est.meta["beta"] == 0.03
    included = doubly_constrained(o, d, c, 0.03, self_flows="include")
    assert len(included.to_frame()) == 25


# --------------------------------------------------------------------------- failures
def test_convergence_error_carries_the_last_state():
    o, d, c = labelled(*problem())
    with pytest.raises(ConvergenceError, match="after 2 iterations") as e:
        doubly_constrained(o, d, c, 0.03, max_iter=2)
    err = e.value
    assert err.iterations == 2 and err.beta == 0.03 and err.margin_error > 1e-9
    assert f"{err.margin_error:.3g}" in str(err)
    assert list(err.flows.index) == LABELS
    assert pickle.loads(pickle.dumps(err)).iterations == 2


def test_totals_that_differ_are_an_error_saying_by_how_much():
    with pytest.raises(DataValidationError, match=r"differ by \+10 \(\+10 % of the destination"):
        doubly_constrained([60.0, 50.0], [50.0, 50.0], np.ones((2, 2)), 0.1, self_flows="include")


@pytest.mark.parametrize("side, factor", [("origins", 100 / 110), ("destinations", 1.1)])
def test_rescaling_only_when_asked(side, factor):
    o, d = np.array([60.0, 50.0]), np.array([50.0, 50.0])
    est = doubly_constrained(o, d, np.ones((2, 2)), 0.1, self_flows="include", rescale=side)
    t = est.flows.to_numpy()
    if side == "origins":
        np.testing.assert_allclose(t.sum(1), o * factor)
    else:
        np.testing.assert_allclose(t.sum(0), d * factor)
    assert any(n.startswith(f"{side} rescaled") and "+10" in n for n in est.notes)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda o, d, c: (o.where(o.index != "b"), d, c), "origin margin of region 'b' is missing"),
        (lambda o, d, c: (o, d.mask(d.index == "c", -1.0), c), "region 'c' is negative"),
        (
            lambda o, d, c: (o.rename({"a": "x"}), d, c),
            r"destinations lack \['x'\]; the destinations have \['a'\] not in the origins",
        ),
        (lambda o, d, c: (o, d.drop("e"), c), r"the destinations lack \['e'\]"),
        (lambda o, d, c: (o, d.to_numpy()[:4], c), "4 destinations for 5 regions"),
        (lambda o, d, c: (o, d, c.rename(columns={"d": "z"})), "cost columns"),
        (lambda o, d, c: (o, d, cell(c, "a", "c", 0.0)), "from 'a' to 'c' is 0"),
        (lambda o, d, c: (o, d, cell(c, "b", "a", None)), "from 'b' to 'a' is missing"),
        (lambda o, d, c: (o, d, cell(c, "b", "a", "far")), "from 'b' to 'a' is missing"),
        (lambda o, d, c: (o, d, cell(c, "e", "d", -3.0)), "from 'e' to 'd' is -3"),
    ],
)
def test_bad_input_names_what_is_wrong(change, message):
    o, d, c = labelled(*problem())
    with pytest.raises(DataValidationError, match=message):
        doubly_constrained(*change(o, d, c), beta=0.1)


def test_duplicate_regions():
    o, d, c = labelled(*problem())
    with pytest.raises(DuplicateError, match="'a' appears more than once"):
        doubly_constrained(o.rename({"b": "a"}), d, c, 0.1)


def test_self_flows_included_need_positive_diagonal_costs():
    o, d, c = problem()
    c[2, 2] = 0.0
    with pytest.raises(DataValidationError, match="region 2 has 0"):
        doubly_constrained(o, d, c, 0.1, self_flows="include")
    c[2, 2] = np.nan  # ignored when self-flows are excluded
    assert doubly_constrained(o, d, c, 0.1).margin_error <= 1e-9


def test_region_with_a_margin_but_no_feasible_cell():
    with pytest.raises(DataValidationError, match="region 0 has a positive origin margin"):
        doubly_constrained([2.0, 0.0, 0.0], [2.0, 0.0, 0.0], np.ones((3, 3)), 0.1)
    with pytest.raises(DataValidationError, match="region 1 sends 4 and receives 3, together more"):
        doubly_constrained([1.0, 4.0, 1.0], [1.0, 3.0, 2.0], np.ones((3, 3)), 0.1)
    # at equality every flow must touch region 1, which the model reaches only in the limit
    with pytest.raises(DataValidationError, match="region 1 sends 3 and receives 2, together all"):
        doubly_constrained([1.0, 3.0, 1.0], [1.0, 2.0, 2.0], np.ones((3, 3)), 0.1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"beta": 0.0, "deterrence": "power"}, "needs β > 0"),
        ({"beta": -1.0}, "needs β ≥ 0"),
        ({"beta": math.inf}, "finite"),
        ({}, "exactly one of"),
        ({"beta": 0.1, "target_mean_cost": 3.0}, "exactly one of"),
        ({"target_mean_cost": -3.0}, "positive number"),
        ({"beta": 0.1, "deterrence": "gauss"}, "'exp' or 'power'"),
        ({"beta": 0.1, "self_flows": "drop"}, "'exclude' or 'include'"),
        ({"beta": 0.1, "rescale": "both"}, "rescale must be"),
        ({"beta": 0.1, "tol": 0.0}, "tol must"),
        ({"beta": 0.1, "max_iter": 0}, "max_iter"),
    ],
)
def test_bad_parameters(kwargs, message):
    o, d, c = problem()
    with pytest.raises(DataValidationError, match=message):
        doubly_constrained(o, d, c, **kwargs)


def test_all_zero_margins():
    with pytest.raises(DataValidationError, match="all zero"):
        doubly_constrained([0.0, 0.0], [0.0, 0.0], np.ones((2, 2)), 0.1)
