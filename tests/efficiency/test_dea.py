"""DEA against hand-solved examples, the multiplier (dual) programmes and DEAPack."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from nqpf.efficiency import dea
from nqpf.errors import DataValidationError, DuplicateError


def _data(n: int = 25, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 10, (n, 2)), rng.uniform(1, 10, (n, 2)), rng.uniform(1, 10, (n, 1))


# ------------------------------------------------------------------ independent references
def multiplier_radial(x: np.ndarray, y: np.ndarray, *, vrs: bool, orientation: str) -> np.ndarray:
    """Efficiency from the multiplier form (the LP dual of the envelopment form), per unit."""
    n, m = x.shape
    s = y.shape[1]
    out = []
    for o in range(n):
        # variables (v, u, u0); rows u·y_j − v·x_j − u0 ≤ 0
        a_ub = np.hstack([-x, y, -np.ones((n, 1))])
        free = [(0, None)] * (m + s) + [(None, None) if vrs else (0, 0)]
        if orientation == "input":  # max u·y_o − u0 s.t. v·x_o = 1
            c = np.concatenate([np.zeros(m), -y[o], [1.0]])
            a_eq = np.concatenate([x[o], np.zeros(s), [0.0]])[None]
            res = linprog(c, a_ub, np.zeros(n), a_eq, [1.0], bounds=free, method="highs")
            out.append(-res.fun)
        else:  # min v·x_o + u0 s.t. u·y_o = 1
            c = np.concatenate([x[o], np.zeros(s), [1.0]])
            a_eq = np.concatenate([np.zeros(m), y[o], [0.0]])[None]
            res = linprog(c, a_ub, np.zeros(n), a_eq, [1.0], bounds=free, method="highs")
            out.append(1.0 / res.fun)
    return np.array(out)


def sbm_dual(x: np.ndarray, y: np.ndarray, b: np.ndarray, vrs: bool = False) -> np.ndarray:
    """SBM from the dual of Tone (2001, 2004): max ξ s.t. ξ + v·x_o − u·y_o + w·b_o − u0 ≤ 1,
    −v·x_j + u·y_j − w·b_j + u0 ≤ 0, v ≥ 1/(m x_o), u ≥ ξ/((s+k) y_o), w ≥ ξ/((s+k) b_o);
    u0 = 0 under constant returns, free under variable returns (the dual of Σλ = 1)."""
    n, m = x.shape
    s, k = y.shape[1], b.shape[1]
    out = []
    for o in range(n):
        # variables (ξ, v, u, w, u0)
        rows = [np.concatenate([[1.0], x[o], -y[o], b[o], [-1.0]])]
        rows += list(np.hstack([np.zeros((n, 1)), -x, y, -b, np.ones((n, 1))]))
        rows += list(
            np.hstack(
                [
                    1 / ((s + k) * y[o])[:, None],
                    np.zeros((s, m)),
                    -np.eye(s),
                    np.zeros((s, k + 1)),
                ]
            )
        )
        rows += list(
            np.hstack(
                [1 / ((s + k) * b[o])[:, None], np.zeros((k, m + s)), -np.eye(k), np.zeros((k, 1))]
            )
        )
        rhs = np.concatenate([[1.0], np.zeros(n + s + k)])
        bounds = [(None, None)] + [(1 / (m * xi), None) for xi in x[o]] + [(0, None)] * (s + k)
        bounds.append((None, None) if vrs else (0.0, 0.0))
        c = np.zeros(2 + m + s + k)
        c[0] = -1.0
        res = linprog(c, np.array(rows), rhs, bounds=bounds, method="highs")
        out.append(-res.fun)
    return np.array(out)


# ------------------------------------------------------------------ hand-checkable examples
def test_one_input_one_output_is_the_productivity_ratio() -> None:
    x = np.array([[2.0], [3.0], [4.0], [5.0]])
    y = np.array([[1.0], [3.0], [2.0], [4.0]])
    ratio = (y / x).ravel()
    np.testing.assert_allclose(dea(x, y).efficiency, ratio / ratio.max(), rtol=1e-9)


def test_two_input_example_of_cooper_seiford_tone() -> None:
    """Stores A–F, inputs (x1, x2), output 1: the kind of two-input example Cooper, Seiford &
    Tone (2007) use; the printed table could not be checked here, so the values are solved by
    hand: C, D, E span the frontier (facets x1 + 4 x2 = 12 through C–D and
    x1 + x2 = 6 through D–E), so θ_A = 6/7 and θ_B = 12/19; F is radially efficient (θ = 1) but
    has an input excess of 2 in x1 over C.
    """
    x = pd.DataFrame(
        {"x1": [4.0, 7, 8, 4, 2, 10], "x2": [3.0, 3, 1, 2, 4, 1]}, index=list("ABCDEF")
    )
    y = pd.DataFrame({"y": 1.0}, index=x.index)
    r = dea(x, y)
    np.testing.assert_allclose(r.efficiency, [6 / 7, 12 / 19, 1, 1, 1, 1], rtol=1e-9)
    f = r.scores.set_index("dmu").loc["F"]
    assert f.slack_x1 == pytest.approx(2.0) and f.slack_x2 == pytest.approx(0.0, abs=1e-9)
    assert r.scores.set_index("dmu").reference_set.to_dict()["A"] == "D, E"


# ------------------------------------------------------------------ independent LP (duality)
@pytest.mark.parametrize("model", ["ccr", "bcc"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_radial_equals_the_multiplier_form(model: str, orientation: str) -> None:
    x, y, _ = _data()
    ours = dea(x, y, model=model, orientation=orientation).efficiency.to_numpy()
    ref = multiplier_radial(x, y, vrs=model == "bcc", orientation=orientation)
    np.testing.assert_allclose(ours, ref, rtol=1e-7)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("bad", [False, True])
def test_sbm_equals_its_dual(bad: bool, rts: str) -> None:
    x, y, b = _data()
    b = b if bad else np.zeros((len(x), 0))
    r = dea(x, y, model="sbm", undesirable=b if bad else None, rts=rts)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        r.efficiency.to_numpy(), sbm_dual(x, y, b, vrs=rts == "vrs"), rtol=1e-7
    )
    if rts == "vrs":
        np.testing.assert_allclose(r.scores["lambda_sum"], 1.0, atol=1e-7)
        assert any("variable returns" in n for n in r.notes)
        # VRS envelops the data more tightly: never below the CRS score
        assert (
            r.efficiency >= dea(x, y, model="sbm", undesirable=b if bad else None).efficiency - 1e-9
        ).all()


def test_slacks_and_weights_reproduce_the_targets() -> None:
    x, y, b = _data()
    r = dea(x, y, model="sbm", undesirable=b)
    s = r.scores
    sx = s[["slack_x1", "slack_x2"]].to_numpy()
    sy = s[["slack_y1", "slack_y2"]].to_numpy()
    m, k = 2, 3
    rho = (1 - (sx / x).sum(1) / m) / (1 + ((sy / y).sum(1) + s.slack_b1 / b[:, 0]) / k)
    np.testing.assert_allclose(r.efficiency, rho, rtol=1e-7)


# ------------------------------------------------------------------ super-efficiency
def test_super_efficiency_radial_and_the_infeasible_case() -> None:
    x = [[2.0], [4.0], [5.0]]
    y = [[2.0], [2.0], [10.0]]
    ccr = dea(x, y, super=True)
    # without itself, DMU3's best peer is DMU1 with y/x = 1: θ = (10/5) / 1 = 2
    np.testing.assert_allclose(ccr.efficiency, [0.5, 0.25, 2.0])
    bcc = dea(x, y, model="bcc", super=True)
    assert np.isnan(bcc.efficiency["DMU3"])  # no other unit produces 10
    assert bcc.efficiency["DMU1"] == pytest.approx(2.0)
    assert any("infeasible" in n and "'DMU3'" in n for n in bcc.notes)
    assert "DMU3" in bcc.summary().as_text()


def test_super_sbm_keeps_inefficient_scores_and_exceeds_one_for_efficient() -> None:
    x, y, b = _data()
    plain = dea(x, y, model="sbm", undesirable=b).efficiency
    sup = dea(x, y, model="sbm", undesirable=b, super=True).efficiency
    efficient = np.isclose(plain, 1.0)
    np.testing.assert_allclose(sup[~efficient], plain[~efficient])
    assert efficient.any() and (sup[efficient] >= 1.0 - 1e-9).all()


# ------------------------------------------------------------------ DEAPack
@pytest.fixture(scope="module")
def deapack_data():
    deapack = pytest.importorskip("deapack")
    x, y, b = _data(14, seed=11)
    frame = pd.DataFrame(np.hstack([x, y, b]), columns=["x1", "x2", "y1", "y2", "b1"])
    frame["dmu"] = [f"u{i}" for i in range(len(frame))]
    kw = {"dmu": "dmu", "inputs": ["x1", "x2"], "outputs": ["y1", "y2"]}
    return (
        deapack,
        x,
        y,
        b,
        deapack.DEAData.from_frame(frame, **kw),
        deapack.DEAData.from_frame(frame, bad_outputs=["b1"], **kw),
    )


def test_agrees_with_deapack(deapack_data) -> None:
    deapack, x, y, b, data, data_bad = deapack_data
    cases = [
        (dea(x, y), deapack.CCR()),
        (dea(x, y, orientation="output"), deapack.CCR(orientation="output")),
        (dea(x, y, model="bcc"), deapack.BCC()),
        (dea(x, y, model="bcc", orientation="output"), deapack.BCC(orientation="output")),
        (dea(x, y, model="sbm"), deapack.SBM(returns_to_scale="crs")),
        (dea(x, y, model="sbm", rts="vrs"), deapack.SBM(returns_to_scale="vrs")),
    ]
    for ours, theirs in cases:
        ref = theirs.fit(data).summary_frame.efficiency.to_numpy()
        np.testing.assert_allclose(ours.efficiency.to_numpy(), ref, atol=1e-6)
    ref = deapack.UndesirableSBM(returns_to_scale="crs").fit(data_bad).summary_frame.score
    np.testing.assert_allclose(dea(x, y, model="sbm", undesirable=b).efficiency, ref, atol=1e-6)
    # DEAPack's super-SBM is defined for the SBM-efficient units only
    ref = deapack.ToneSuperSBM().fit(data).summary_frame.score.to_numpy()
    ours = dea(x, y, model="sbm", super=True).efficiency.to_numpy()
    defined = np.isfinite(ref)
    assert defined.any()
    np.testing.assert_allclose(ours[defined], ref[defined], atol=1e-6)
    ref = deapack.ToneSuperSBM(returns_to_scale="vrs").fit(data).summary_frame.score.to_numpy()
    ours = dea(x, y, model="sbm", super=True, rts="vrs").efficiency.to_numpy()
    defined = np.isfinite(ref)
    assert defined.any()
    np.testing.assert_allclose(ours[defined], ref[defined], atol=1e-6)


# ------------------------------------------------------------------ results and bad input
def test_frame_labels_and_notes() -> None:
    x = pd.DataFrame({"capital": [3.0, 2.0, 4.0]}, index=["甲", "乙", "丙"])
    y = pd.DataFrame({"gdp": [3.0, 1.0, 2.0]}, index=x.index)
    r = dea(x, y, orientation="output")
    assert list(r.to_frame().columns) == [
        "dmu",
        "efficiency",
        "slack_capital",
        "slack_gdp",
        "lambda_sum",
        "reference_set",
    ]
    assert any("1/φ" in n for n in r.notes)
    assert any("low discrimination" in n for n in r.notes)  # 3 units < 3 (1 + 1)


@pytest.mark.parametrize(
    ("kwargs", "x", "match"),
    [
        ({}, [[1.0], [-1.0]], "'x1' of unit 'DMU2' is -1.0; this model needs non-negative"),
        ({"model": "sbm"}, [[1.0], [0.0]], "'x1' of unit 'DMU2' is 0.0; this model needs positive"),
        ({}, [[0.0], [1.0]], "unit 'DMU1' has no positive input"),
        ({}, [[np.nan], [1.0]], "'x1' of unit 'DMU1' is missing"),
        ({"model": "dea"}, [[1.0], [1.0]], "unknown DEA model"),
        ({"undesirable": [[1.0], [1.0]]}, [[1.0], [1.0]], "model='sbm'"),
        ({"model": "ccr", "rts": "vrs"}, [[1.0], [1.0]], "rts 'vrs' does not fit model 'ccr'"),
    ],
)
def test_bad_input(kwargs: dict, x: list, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        dea(x, [[1.0], [2.0]], **kwargs)


def test_array_outputs_take_the_labels_of_the_inputs() -> None:
    x = pd.DataFrame({"k": [1.0, 2.0]}, index=["a", "b"])
    r = dea(x, [[1.0], [1.0]])
    assert r.efficiency.to_dict() == pytest.approx({"a": 1.0, "b": 0.5})


def test_duplicate_labels_and_mismatched_units() -> None:
    with pytest.raises(DuplicateError, match="'a'"):
        dea([[1.0], [2.0]], [[1.0], [2.0]], labels=["a", "a"])
    x = pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"])
    y = pd.DataFrame({"y": [1.0, 2.0]}, index=["a", "c"])
    with pytest.raises(DataValidationError, match="different units"):
        dea(x, y)
