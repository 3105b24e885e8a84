r"""Data envelopment analysis: CCR, BCC, super-efficiency and SBM with undesirable outputs.

Radial models (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984), input-oriented:

.. math::

    \theta^* = \min \theta \quad \text{s.t.} \quad X\lambda + s^- = \theta x_o,\;
    Y\lambda - s^+ = y_o,\; \lambda, s^-, s^+ \ge 0 \;(\text{BCC: } \textstyle\sum\lambda = 1),

output-oriented :math:`\max \varphi` with :math:`X\lambda + s^- = x_o`,
:math:`Y\lambda - s^+ = \varphi y_o`; the efficiency reported is :math:`1/\varphi^*`. Slacks are
those of the second phase (maximal slack sum at the optimal :math:`\theta^*` or
:math:`\varphi^*`; Cooper, Seiford & Tone 2007, §3.3).

SBM (Tone 2001), non-oriented, constant returns (or variable: :math:`\sum\lambda = 1`), with
undesirable outputs :math:`B` (Tone 2004):

.. math::

    \rho^* = \min \frac{1 - \frac1m \sum_i s^-_i / x_{io}}
    {1 + \frac{1}{s_1 + s_2}\left(\sum_r s^g_r / y_{ro} + \sum_r s^b_r / b_{ro}\right)}
    \quad\text{s.t.}\quad x_o = X\lambda + s^-,\; y_o = Y\lambda - s^g,\; b_o = B\lambda + s^b,

linearised by the Charnes–Cooper transformation :math:`t = 1/\text{denominator}`.

Super-efficiency removes the evaluated unit from its own reference set: Andersen & Petersen
(1993) for the radial models, Tone's (2002) super-SBM for SBM (solved for the SBM-efficient units;
the others keep their SBM score). An infeasible programme is reported as NaN with a note naming the
unit.

All programmes are solved with HiGHS (:func:`scipy.optimize.linprog`), many units at once as one
block-diagonal sparse programme per chunk of units.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from nqpf.errors import DataValidationError, DuplicateError, show
from nqpf.results import Result, Summary, make_meta

__all__ = ["DEAResult", "dea", "distance_function"]

Model = Literal["ccr", "bcc", "sbm"]
Orientation = Literal["input", "output"]

#: Units solved together as one block-diagonal programme (see ``bench/paths.py``).
CHUNK = 32
#: An SBM score of at least 1 − EFFICIENT_TOL counts as efficient (super-SBM is solved for it).
EFFICIENT_TOL = 1e-6
#: A weight above this counts as a peer in the reference set.
PEER_TOL = 1e-9


@dataclass(frozen=True)
class DEAResult(Result):
    """Efficiency scores of a DEA model.

    Attributes
    ----------
    scores
        One row per unit: ``dmu, efficiency``, one ``slack_<variable>`` column per input, output
        and undesirable output, ``lambda_sum`` (Σλ, the returns-to-scale indicator of CCR) and
        ``reference_set`` (the peers, as text). NaN where the programme is infeasible.
    model, orientation, super
        The model solved (``orientation`` is ``"non-oriented"`` for SBM).
    notes
        Conventions applied, infeasible programmes, low discrimination.
    """

    scores: pd.DataFrame
    model: str
    orientation: str
    super: bool = False
    notes: tuple[str, ...] = ()

    @property
    def efficiency(self) -> pd.Series:
        """Efficiency by unit."""
        return self.scores.set_index("dmu")["efficiency"]

    def to_frame(self) -> pd.DataFrame:
        """The scores table (one row per unit)."""
        return self.scores

    def summary(self) -> Summary:
        """Scores with bilingual labels, and how many units are efficient."""
        table = self.scores.set_index("dmu").rename(
            columns={
                "efficiency": "效率 Efficiency",
                "lambda_sum": "Σλ",
                "reference_set": "参考集 Reference set",
            }
        )
        eff = self.scores.efficiency.to_numpy()
        counts = pd.DataFrame(
            {
                "值 Value": [
                    len(eff),
                    int(np.sum(np.isclose(eff, 1.0, atol=1e-7))),
                    int(np.sum(eff > 1.0 + 1e-7)),
                    int(np.sum(np.isnan(eff))),
                    float(np.nanmean(eff)) if np.isfinite(eff).any() else np.nan,
                ]
            },
            index=[
                "单元 Units",
                "有效 Efficient (=1)",
                "超效率 Super-efficient (>1)",
                "不可行 Infeasible",
                "均值 Mean",
            ],
        )
        title = f"数据包络分析 DEA: {self.model.upper()}"
        title += f" ({self.orientation}{', super-efficiency' if self.super else ''})"
        return Summary(
            title,
            (("概况 Overview", counts), ("效率与松弛 Efficiency and slacks", table)),
            self.notes,
        )


# ----------------------------------------------------------------------------- inputs
def _table(
    values: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    what: str,
    prefix: str,
    labels: Sequence[Hashable] | None,
) -> pd.DataFrame:
    """Values as a float DataFrame (index = units); errors name the unit and column."""
    if isinstance(values, pd.DataFrame):
        frame = values.copy()
        if labels is not None:
            frame.index = pd.Index(list(labels))
    else:
        array = np.asarray(values, dtype=object)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise DataValidationError(f"{what} must be a 2-D table (units × variables)")
        index = list(labels) if labels is not None else [f"DMU{i + 1}" for i in range(len(array))]
        if len(index) != len(array):
            raise DataValidationError(
                f"{len(index)} labels given for {len(array)} units in the {what}"
            )
        frame = pd.DataFrame(
            array, index=index, columns=[f"{prefix}{j + 1}" for j in range(array.shape[1])]
        )
    if frame.index.has_duplicates:
        raise DuplicateError(
            f"unit {frame.index[frame.index.duplicated()][0]!r} appears more than once in the "
            f"{what}"
        )
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataValidationError(f"the {what} are empty")
    numbers = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers.to_numpy())
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        raise DataValidationError(
            f"{what[:-1]} {frame.columns[j]!r} of unit {frame.index[i]!r} is missing or not a "
            f"finite number ({show(frame.iat[i, j])})"
        )
    return numbers


def _check_sign(frame: pd.DataFrame, what: str, *, positive: bool) -> None:
    """Raise naming the first unit and column with a negative (or, if ``positive``, zero) value."""
    values = frame.to_numpy()
    bad = values <= 0 if positive else values < 0
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        rule = "positive" if positive else "non-negative"
        raise DataValidationError(
            f"{what[:-1]} {frame.columns[j]!r} of unit {frame.index[i]!r} is {show(values[i, j])}; "
            f"this model needs {rule} {what}"
        )


def _check_radial(inputs: pd.DataFrame, outputs: pd.DataFrame) -> None:
    """Semipositive data (Cooper, Seiford & Tone 2007, §2.2) for the radial models."""
    _check_sign(inputs, "inputs", positive=False)
    _check_sign(outputs, "outputs", positive=False)
    for frame, what in ((inputs, "input"), (outputs, "output")):
        none = ~(frame.to_numpy() > 0).any(axis=1)
        if none.any():
            raise DataValidationError(
                f"unit {frame.index[int(np.argmax(none))]!r} has no positive {what}; radial DEA "
                f"needs at least one positive input and one positive output per unit"
            )


def _check_alignment(x: pd.DataFrame, tables: list[tuple[str, pd.DataFrame]]) -> list[Any]:
    """Every table lists the units of ``x`` in its order; no variable name repeats.

    Returns the variable names, inputs first.
    """
    for what, frame in tables:
        if not frame.index.equals(x.index):
            missing = x.index.symmetric_difference(frame.index)
            raise DataValidationError(
                f"the inputs and {what} list different units (e.g. {missing[0]!r})"
                if len(missing)
                else f"the inputs and {what} list the units in a different order"
            )
    names = [*x.columns, *(c for _, frame in tables for c in frame.columns)]
    if len(set(map(str, names))) != len(names):
        raise DuplicateError(f"variable names repeat across the tables: {list(map(str, names))}")
    return names


# ----------------------------------------------------------------------------- solver
@dataclass(frozen=True)
class _Batch:
    """Linear programmes of identical shape, one per unit: min c·z, A_eq z = b_eq, A_ub z ≤ b_ub."""

    c: np.ndarray  # (K, v)
    a_eq: np.ndarray  # (K, e, v)
    b_eq: np.ndarray  # (K, e)
    lower: np.ndarray  # (K, v)
    upper: np.ndarray  # (K, v)
    a_ub: np.ndarray | None = None  # (K, u, v)
    b_ub: np.ndarray | None = None  # (K, u)

    def take(self, rows: np.ndarray) -> _Batch:
        """The programmes of the units ``rows``."""
        return _Batch(
            self.c[rows],
            self.a_eq[rows],
            self.b_eq[rows],
            self.lower[rows],
            self.upper[rows],
            None if self.a_ub is None else self.a_ub[rows],
            None if self.b_ub is None else self.b_ub[rows],
        )


def _block(a: np.ndarray) -> sparse.csc_matrix:
    """Block-diagonal sparse matrix of the stacked dense blocks ``a`` (K, rows, cols)."""
    k, i, j = np.nonzero(a)
    rows, cols = a.shape[1], a.shape[2]
    return sparse.csc_matrix(
        (a[k, i, j], (k * rows + i, k * cols + j)), shape=(a.shape[0] * rows, a.shape[0] * cols)
    )


def _solve_one(batch: _Batch, sel: slice | np.ndarray) -> tuple[np.ndarray, bool]:
    """Solve the programmes ``sel`` jointly; the solution (K, v) and whether it is optimal."""
    a_ub = None if batch.a_ub is None else _block(batch.a_ub[sel])
    b_ub = None if batch.b_ub is None else batch.b_ub[sel].ravel()
    res = optimize.linprog(
        batch.c[sel].ravel(),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=_block(batch.a_eq[sel]),
        b_eq=batch.b_eq[sel].ravel(),
        bounds=np.column_stack([batch.lower[sel].ravel(), batch.upper[sel].ravel()]),
        method="highs",
        options={"presolve": False},  # presolve costs more than it saves on these small blocks
    )
    k = len(batch.c[sel])
    if res.status != 0:
        return np.full((k, batch.c.shape[1]), np.nan), False
    return res.x.reshape(k, -1), True


def _solve(batch: _Batch, chunk: int = CHUNK) -> np.ndarray:
    """Solutions (K, v) of all programmes, NaN rows where a programme has no optimum.

    The programmes are independent, so one block-diagonal programme of a chunk has as optimum the
    optima of its blocks. A chunk that fails (one infeasible or unbounded block) is solved again
    unit by unit, so that only the failing units get NaN.
    """
    n = len(batch.c)
    out = np.full(batch.c.shape, np.nan)
    for start in range(0, n, chunk):
        sel = slice(start, min(start + chunk, n))
        x, ok = _solve_one(batch, sel)
        if ok:
            out[sel] = x
            continue
        for k in range(sel.start, sel.stop):
            out[k] = _solve_one(batch, np.array([k]))[0][0]
    return out


# ----------------------------------------------------------------------------- radial
def _radial_batch(
    x_eval: np.ndarray,
    y_eval: np.ndarray,
    x_ref: np.ndarray,
    y_ref: np.ndarray,
    *,
    vrs: bool,
    orientation: str,
    exclude: np.ndarray | None,
) -> _Batch:
    """Envelopment programmes z = (θ or φ, λ, s⁻, s⁺), one per evaluated unit."""
    k_units, m = x_eval.shape
    n, s = y_ref.shape
    v = 1 + n + m + s
    rows = m + s + int(vrs)
    shared = np.zeros((rows, v))
    shared[:m, 1 : 1 + n] = x_ref.T
    shared[:m, 1 + n : 1 + n + m] = np.eye(m)
    shared[m : m + s, 1 : 1 + n] = y_ref.T
    shared[m : m + s, 1 + n + m :] = -np.eye(s)
    if vrs:
        shared[-1, 1 : 1 + n] = 1.0
    a_eq = np.repeat(shared[None], k_units, axis=0)
    b_eq = np.zeros((k_units, rows))
    c = np.zeros((k_units, v))
    if orientation == "input":
        a_eq[:, :m, 0] = -x_eval
        b_eq[:, m : m + s] = y_eval
        c[:, 0] = 1.0
    else:
        a_eq[:, m : m + s, 0] = -y_eval
        b_eq[:, :m] = x_eval
        c[:, 0] = -1.0
    if vrs:
        b_eq[:, -1] = 1.0
    upper = np.full((k_units, v), np.inf)
    if exclude is not None:
        upper[np.arange(k_units), 1 + exclude] = 0.0
    return _Batch(c, a_eq, b_eq, np.zeros((k_units, v)), upper)


def distance_function(
    x_eval: np.ndarray | Sequence[Sequence[float]],
    y_eval: np.ndarray | Sequence[Sequence[float]],
    x_ref: np.ndarray | Sequence[Sequence[float]],
    y_ref: np.ndarray | Sequence[Sequence[float]],
    *,
    rts: Literal["crs", "vrs"] = "crs",
    orientation: Orientation = "input",
) -> np.ndarray:
    r"""Distance functions of the evaluated units to the frontier spanned by the reference units.

    Output orientation: the Shephard output distance
    :math:`D_o(x, y) = \min\{\delta : (x, y/\delta) \in T\} = 1/\varphi^*`. Input orientation:
    the reciprocal of the Shephard input distance, :math:`1/D_i(x, y) = \theta^*` (Farrell input
    efficiency). In both, 1 is on the frontier, below 1 inside and above 1 beyond it (possible
    when the reference set does not contain the unit), so that ratios read the same way in the
    Malmquist index (Färe, Grosskopf, Norris & Zhang 1994). :math:`T` is spanned by
    ``x_ref, y_ref`` with constant (``"crs"``) or variable (``"vrs"``, Σλ = 1) returns to scale.

    Parameters
    ----------
    x_eval, y_eval
        Inputs (k × m) and outputs (k × s) of the evaluated units.
    x_ref, y_ref
        Inputs (n × m) and outputs (n × s) of the reference units.
    rts
        ``"crs"`` or ``"vrs"`` returns to scale of the reference technology.
    orientation
        ``"input"`` or ``"output"``.

    Returns
    -------
    numpy.ndarray
        One value per evaluated unit; NaN where the programme is infeasible (possible under VRS
        when a unit lies outside the reference technology).

    Examples
    --------
    >>> distance_function([[2.0]], [[1.0]], [[1.0], [2.0]], [[1.0], [1.0]])
    array([0.5])
    """
    xe, ye, xr, yr = (
        np.atleast_2d(np.asarray(a, dtype=float)) for a in (x_eval, y_eval, x_ref, y_ref)
    )
    if xe.shape[1] != xr.shape[1] or ye.shape[1] != yr.shape[1] or len(xe) != len(ye):
        raise DataValidationError(
            f"shapes do not match: x_eval {xe.shape}, y_eval {ye.shape}, x_ref {xr.shape}, "
            f"y_ref {yr.shape}"
        )
    if rts not in ("crs", "vrs") or orientation not in ("input", "output"):
        raise DataValidationError(f"unknown rts {rts!r} or orientation {orientation!r}")
    batch = _radial_batch(xe, ye, xr, yr, vrs=rts == "vrs", orientation=orientation, exclude=None)
    z = _solve(batch)[:, 0]
    return z if orientation == "input" else 1.0 / z


def _radial(
    x: np.ndarray, y: np.ndarray, *, vrs: bool, orientation: str, super_: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and second-phase solutions (θ or φ, λ, s⁻, s⁺) of the radial models."""
    n = len(x)
    exclude = np.arange(n) if super_ else None
    batch = _radial_batch(x, y, x, y, vrs=vrs, orientation=orientation, exclude=exclude)
    first = _solve(batch)[:, 0]
    ok = np.isfinite(first)
    # second phase: the radial factor fixed, the slack sum maximised
    c2 = np.zeros_like(batch.c)
    c2[:, 1 + n :] = -1.0
    lower, upper = batch.lower.copy(), batch.upper.copy()
    # a tolerance of 1e-9 on the feasible side keeps the second phase feasible after rounding
    lower[ok, 0] = first[ok] - (1e-9 if orientation == "output" else 0.0)
    upper[ok, 0] = first[ok] + (1e-9 if orientation == "input" else 0.0)
    second = np.full(batch.c.shape, np.nan)
    if ok.any():
        second[ok] = _solve(_Batch(c2, batch.a_eq, batch.b_eq, lower, upper).take(ok))
    score = first if orientation == "input" else 1.0 / first
    return score, second


# ----------------------------------------------------------------------------- SBM
def _sbm_batch(
    x: np.ndarray, y: np.ndarray, b: np.ndarray, *, super_: bool, vrs: bool = False
) -> _Batch:
    """Charnes–Cooper programmes z = (t, Λ, S⁻, S^g, S^b) of SBM or super-SBM, one per unit.

    ``vrs`` adds ΣΛ = t (Σλ = 1 before the transformation; Tone 2001).
    """
    n, m = x.shape
    s, k = y.shape[1], b.shape[1]
    v = 1 + n + m + s + k
    col_l, col_x, col_y, col_b = 1, 1 + n, 1 + n + m, 1 + n + m + s
    sign = -1.0 if super_ else 1.0  # super-SBM: slacks move away from the frontier
    c = np.zeros((n, v))
    c[:, 0] = 1.0
    c[:, col_x:col_y] = -sign / (m * x)
    a_norm = np.zeros((n, 1, v))
    a_norm[:, 0, 0] = 1.0
    a_norm[:, 0, col_y:col_b] = sign / ((s + k) * y)
    a_norm[:, 0, col_b:] = sign / ((s + k) * b)
    rows = m + s + k
    body = np.zeros((n, rows, v))
    body[:, :m, col_l:col_x] = x.T
    body[:, m : m + s, col_l:col_x] = y.T
    body[:, m + s :, col_l:col_x] = b.T
    body[:, :m, 0] = -x
    body[:, m : m + s, 0] = -y
    body[:, m + s :, 0] = -b
    body[:, :m, col_x:col_y] = sign * np.eye(m)
    body[:, m : m + s, col_y:col_b] = -sign * np.eye(s)
    body[:, m + s :, col_b:] = sign * np.eye(k)
    upper = np.full((n, v), np.inf)
    convex = np.zeros((n, int(vrs), v))
    convex[:, :, col_l:col_x] = 1.0
    convex[:, :, 0] = -1.0
    if not super_:
        b_eq = np.zeros((n, 1 + rows + int(vrs)))
        b_eq[:, 0] = 1.0
        a_eq = np.concatenate([a_norm, body, convex], axis=1)
        return _Batch(c, a_eq, b_eq, np.zeros((n, v)), upper)
    # super-SBM (Tone 2002): x̄ = x_o + s⁻ ≥ Xλ, ȳ = y_o − s^g ≤ Yλ, b̄ = b_o + s^b ≥ Bλ, ȳ ≥ 0
    body[:, m : m + s] *= -1.0
    nonneg = np.zeros((n, s, v))
    nonneg[:, :, col_y:col_b] = np.eye(s)
    nonneg[:, :, 0] = -y
    upper[np.arange(n), col_l + np.arange(n)] = 0.0
    return _Batch(
        c,
        np.concatenate([a_norm, convex], axis=1),
        np.concatenate([np.ones((n, 1)), np.zeros((n, int(vrs)))], axis=1),
        np.zeros((n, v)),
        upper,
        a_ub=np.concatenate([body, nonneg], axis=1),
        b_ub=np.zeros((n, rows + s)),
    )


def _sbm(
    x: np.ndarray, y: np.ndarray, b: np.ndarray, *, super_: bool, vrs: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """SBM scores and (1, λ, s⁻, s^g, s^b) per unit; super-SBM for the SBM-efficient units."""
    z = _solve(_sbm_batch(x, y, b, super_=False, vrs=vrs))
    scores = z[:, 0] - np.sum(z[:, 1 + len(x) : 1 + len(x) + x.shape[1]] / (x.shape[1] * x), 1)
    if super_:
        efficient = np.flatnonzero(scores >= 1.0 - EFFICIENT_TOL)
        zs = _solve(_sbm_batch(x, y, b, super_=True, vrs=vrs).take(efficient))
        z[efficient] = zs
        n, m = x.shape
        scores[efficient] = zs[:, 0] + np.sum(zs[:, 1 + n : 1 + n + m] / (m * x[efficient]), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        solution = z / z[:, [0]]
    return scores, solution


# ----------------------------------------------------------------------------- public
def dea(
    inputs: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    outputs: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    *,
    model: Model = "ccr",
    orientation: Orientation = "input",
    super: bool = False,  # noqa: A002 - the name used in the DEA literature and the issue
    undesirable: pd.DataFrame | np.ndarray | Sequence[Sequence[float]] | None = None,
    labels: Sequence[Hashable] | None = None,
    rts: Literal["crs", "vrs"] | None = None,
) -> DEAResult:
    """Efficiency of each unit by CCR, BCC or SBM, optionally super-efficiency.

    See the module docstring for the programmes (Charnes, Cooper & Rhodes 1978; Banker, Charnes
    & Cooper 1984; Tone 2001, 2002, 2004; Andersen & Petersen 1993).

    Parameters
    ----------
    inputs, outputs
        Units × variables: DataFrames indexed by unit label (the same labels in both) or arrays.
    model
        ``"ccr"`` (constant returns), ``"bcc"`` (variable returns) or ``"sbm"`` (non-oriented
        slacks-based measure, constant or variable returns: ``rts``).
    orientation
        ``"input"`` or ``"output"`` for the radial models (output: efficiency = 1/φ*); ignored
        by SBM, which is non-oriented.
    super
        Super-efficiency: each unit is left out of its own reference set. Infeasible
        programmes give NaN and a note naming the units.
    undesirable
        Bad outputs (units × k) for SBM (Tone 2004), e.g. CO2 emissions.
    labels
        Unit labels for array input (default ``DMU1``, ``DMU2``, …; arrays of outputs or
        undesirable outputs take the labels of the inputs).
    rts
        Returns to scale of SBM: ``"crs"`` (default) or ``"vrs"`` (Σλ = 1; Tone 2001).
        The radial models take theirs from ``model`` (CCR constant, BCC variable); a
        contradicting ``rts`` is an error.

    Raises
    ------
    DataValidationError
        Missing or non-finite values, negative values, zero values in SBM (all of its data must
        be positive), a unit without any positive input or output in the radial models
        (semipositive data), units that differ between the tables, unknown options.
    DuplicateError
        A unit label that appears twice.

    Examples
    --------
    One input, one output: CCR efficiency is (y/x) / max(y/x).

    >>> r = dea([[2.0], [4.0], [5.0]], [[2.0], [2.0], [10.0]])
    >>> r.efficiency.round(4).tolist()
    [0.5, 0.25, 1.0]
    """
    if model not in ("ccr", "bcc", "sbm"):
        raise DataValidationError(f"unknown DEA model {model!r}; use 'ccr', 'bcc' or 'sbm'")
    if orientation not in ("input", "output"):
        raise DataValidationError(f"unknown orientation {orientation!r}; use 'input' or 'output'")
    implied = {"ccr": "crs", "bcc": "vrs"}.get(model)
    if rts not in (None, "crs", "vrs") or (implied and rts not in (None, implied)):
        raise DataValidationError(
            f"rts {rts!r} does not fit model {model!r}; use 'crs' or 'vrs' with SBM, and "
            "model='ccr' or 'bcc' for the returns to scale of the radial models"
        )
    x = _table(inputs, "inputs", "x", labels)
    y = _table(
        outputs, "outputs", "y", None if isinstance(outputs, pd.DataFrame) else list(x.index)
    )
    tables = [("outputs", y)]
    b = None
    if undesirable is not None:
        if model != "sbm":
            raise DataValidationError(
                "undesirable outputs need model='sbm' (Tone 2004); the radial models have none"
            )
        b = _table(
            undesirable,
            "undesirable outputs",
            "b",
            None if isinstance(undesirable, pd.DataFrame) else list(x.index),
        )
        tables.append(("undesirable outputs", b))
    names = _check_alignment(x, tables)
    notes: list[str] = []
    n, m, s = len(x), x.shape[1], y.shape[1] + (0 if b is None else b.shape[1])
    if n < max(m * s, 3 * (m + s)):
        notes.append(
            f"{n} units for {m} input(s) and {s} output(s): fewer than max(m·s, 3(m+s)) = "
            f"{max(m * s, 3 * (m + s))} (Cooper, Seiford & Tone 2007, rule of thumb); "
            "low discrimination, many units may score 1"
        )
    xv, yv = x.to_numpy(), y.to_numpy()
    if model == "sbm":
        for what, frame in [("inputs", x), *tables]:
            _check_sign(frame, what, positive=True)
        bv = np.zeros((n, 0)) if b is None else b.to_numpy()
        score, solution = _sbm(xv, yv, bv, super_=super, vrs=rts == "vrs")
        orient = "non-oriented"
        notes.append(
            "SBM (Tone 2001), non-oriented, "
            + ("variable returns (Σλ = 1)" if rts == "vrs" else "constant returns")
            + (f"; {bv.shape[1]} undesirable output(s) (Tone 2004)" if b is not None else "")
        )
        if super:
            notes.append(
                "super-SBM (Tone 2002) for the SBM-efficient units; the others keep their SBM "
                "score (< 1); slacks of super-SBM units are distances beyond the frontier"
            )
    else:
        _check_radial(x, y)
        score, solution = _radial(xv, yv, vrs=model == "bcc", orientation=orientation, super_=super)
        orient = orientation
        returns = "constant" if model == "ccr" else "variable"
        notes.append(
            f"{model.upper()} ({returns} returns), {orientation}-oriented"
            + (
                "; efficiency = 1/φ* (φ* the output expansion factor)"
                if orientation == "output"
                else ""
            )
            + "; slacks from the second phase (maximal slack sum)"
        )
        if super:
            notes.append("super-efficiency of Andersen & Petersen (1993)")
    labels_ = list(x.index)
    bad = np.flatnonzero(~np.isfinite(score))
    if bad.size:
        shown = ", ".join(repr(labels_[i]) for i in bad[:10])
        notes.append(
            f"super-efficiency programme infeasible for {bad.size} unit(s) ({shown}"
            f"{' …' if bad.size > 10 else ''}): NaN"
        )
    lam = solution[:, 1 : 1 + n]
    frame = pd.DataFrame({"dmu": pd.Series(labels_, dtype=object), "efficiency": score})
    slacks = solution[:, 1 + n :] + 0.0  # no negative zeros
    for j, name in enumerate(names):
        frame[f"slack_{name}"] = slacks[:, j]
    frame["lambda_sum"] = lam.sum(axis=1)
    frame["reference_set"] = [
        ", ".join(str(labels_[j]) for j in np.flatnonzero(row > PEER_TOL))
        if np.isfinite(row).all()
        else ""
        for row in lam
    ]
    return DEAResult(
        scores=frame,
        model=model,
        orientation=orient,
        super=super,
        notes=tuple(notes),
        meta=make_meta(
            "dea",
            model=model,
            orientation=orient,
            super=super,
            n=n,
            inputs=m,
            outputs=s,
            rts=rts or implied or "crs",
        ),
    )
