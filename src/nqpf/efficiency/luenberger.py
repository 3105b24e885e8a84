r"""Green productivity: directional distance functions, Malmquist–Luenberger and global ML.

The directional distance function (DDF) with undesirable outputs of Chung, Färe & Grosskopf
(1997, J Environ Manage 51:229–240) expands the good outputs :math:`y` and contracts the bad
outputs :math:`b` along :math:`g = (0, y_o, -b_o)`:

.. math::

    \vec D(x_o, y_o, b_o) = \max \beta \quad\text{s.t.}\quad
    \textstyle\sum_j \lambda_j y_j \ge (1 + \beta) y_o,\;
    \sum_j \lambda_j b_j = (1 - \beta) b_o,\;
    \sum_j \lambda_j x_j \le x_o,\; \lambda \ge 0

(weak disposability of the bad outputs: an equality; VRS adds :math:`\sum_j \lambda_j = 1`).
:math:`\beta = 0` on the frontier; a unit of another period may lie beyond it (:math:`\beta < 0`)
or outside its reach (the programme is infeasible: NaN, reported).

From these distances, with :math:`D^s(t)` the distance of period-:math:`t` data to the
period-:math:`s` frontier, the adjacent Malmquist–Luenberger index (Chung et al. 1997)

.. math::

    ML = \left[\frac{1 + D^t(t)}{1 + D^t(t+1)}\cdot\frac{1 + D^{t+1}(t)}{1 + D^{t+1}(t+1)}
    \right]^{1/2} = MLEC \times MLTC,\qquad MLEC = \frac{1 + D^t(t)}{1 + D^{t+1}(t+1)},

and the global Malmquist–Luenberger index of Oh (2010, J Prod Anal 34:183–197), on the frontier
:math:`G` of all periods pooled,

.. math::

    GML = \frac{1 + D^G(t)}{1 + D^G(t+1)} = EC \times BPC,\qquad
    BPC = \frac{(1 + D^G(t)) / (1 + D^t(t))}{(1 + D^G(t+1)) / (1 + D^{t+1}(t+1))}.

Values above 1 mean improvement. The linear programmes are solved with HiGHS through
:func:`scipy.optimize.linprog`, many units in one block-diagonal programme.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from nqpf.errors import DataValidationError, DuplicateError, show
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "DirectionalDistance",
    "MalmquistLuenberger",
    "directional_distance",
    "malmquist_luenberger",
]

#: Constraint-matrix entries per block-diagonal programme (bounds memory and solve time).
_BATCH_NONZEROS = 200_000

#: Reference columns entered per unit and round of column generation.
_ENTERING = 3

_STATUS = {0: "optimal", 2: "infeasible", 3: "unbounded"}


@dataclass(frozen=True)
class DirectionalDistance(Result):
    r"""Directional distances of evaluated units to a reference technology.

    Attributes
    ----------
    table
        ``unit, distance, status``: the optimal :math:`\beta` (0 on the frontier, NaN when the
        programme has no optimum) and the solver outcome (``optimal``, ``infeasible``,
        ``unbounded`` or the HiGHS message).
    rts
        ``"crs"`` or ``"vrs"``.
    notes
        Units without a distance.
    """

    table: pd.DataFrame
    rts: str
    notes: tuple[str, ...] = ()

    @property
    def distance(self) -> np.ndarray:
        """The distances in the order of the evaluated units."""
        return self.table["distance"].to_numpy()

    def to_frame(self) -> pd.DataFrame:
        """One row per evaluated unit: ``unit, distance, status``."""
        return self.table

    def summary(self) -> Summary:
        """The distances with bilingual labels."""
        labels = {"unit": "单元 Unit", "distance": "方向距离 Distance β", "status": "状态 Status"}
        return Summary(
            f"方向距离函数 Directional distance function ({self.rts.upper()})",
            (("", self.table.rename(columns=labels).set_index("单元 Unit")),),
            self.notes,
        )


@dataclass(frozen=True)
class MalmquistLuenberger(Result):
    """Malmquist–Luenberger (adjacent) or global Malmquist–Luenberger indices and parts.

    Attributes
    ----------
    table
        One row per DMU and pair of consecutive periods: ``dmu, base_period, period, index,
        ec`` and ``tc`` (adjacent) or ``bpc`` (global), and ``cumulative``, the product of the
        indices of the DMU up to ``period`` (NaN from the first missing index on). Values above
        1 mean improvement (more good output, less bad output). ``ec`` uses only the
        contemporaneous distances and is always defined; ``index`` and ``tc`` are NaN when a
        mixed-period programme is infeasible (adjacent ML only).
    distances
        ``dmu, period, frontier, distance``: every directional distance used; ``frontier`` is
        the period of the reference technology or ``"global"``.
    kind
        ``"adjacent"`` (Chung et al. 1997) or ``"global"`` (Oh 2010).
    rts
        ``"crs"`` or ``"vrs"``.
    notes
        Policies applied: dropped DMUs, infeasible programmes, the returns to scale.
    """

    table: pd.DataFrame
    distances: pd.DataFrame
    kind: str
    rts: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The index table (see :attr:`table`)."""
        return self.table

    def by_period(self) -> pd.DataFrame:
        """Geometric means over DMUs per pair of periods, so that index = EC × TC (or BPC) holds.

        DMUs with a missing index are left out; ``n`` counts the DMUs used.
        """
        parts = ["index", "ec", "tc" if self.kind == "adjacent" else "bpc"]
        used = self.table.dropna(subset=parts)
        logs = used[["base_period", "period"]].join(np.log(used[parts]))
        grouped = logs.groupby(["base_period", "period"], sort=True)
        means = np.exp(grouped[parts].mean())
        return means.assign(n=grouped.size()).reset_index()

    def summary(self) -> Summary:
        """Geometric means by period and the cumulative index by DMU, with bilingual labels."""
        third = "tc" if self.kind == "adjacent" else "bpc"
        labels = {
            "base_period": "基期 From",
            "period": "期 To",
            "index": "指数 Index",
            "ec": "效率变化 EC",
            "tc": "技术变化 TC",
            "bpc": "最佳实践差距变化 BPC",
            "n": "单元数 n",
            "cumulative": "累计 Cumulative",
        }
        means = self.by_period().rename(columns=labels)
        last = self.table.groupby("dmu", sort=False).tail(1)
        cumulative = last.set_index("dmu")[["period", "cumulative"]].rename(columns=labels)
        name = (
            "绿色全要素生产率 Green TFP: Malmquist–Luenberger (Chung et al. 1997)"
            if self.kind == "adjacent"
            else "绿色全要素生产率 Green TFP: global Malmquist–Luenberger (Oh 2010)"
        )
        return Summary(
            name,
            (
                (f"几何平均 Geometric mean by period (index = EC × {third.upper()})", means),
                ("累计指数 Cumulative index by DMU", cumulative),
            ),
            self.notes,
        )


def _matrix(values: object, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise DataValidationError(f"{name} must be a units × variables matrix, got {array.ndim}D")
    if not np.isfinite(array).all():
        row = int(np.nonzero(~np.isfinite(array).all(axis=1))[0][0])
        raise DataValidationError(f"{name} holds a missing or infinite value in row {row}")
    return array


def _solve(
    x_eval: np.ndarray,
    y_eval: np.ndarray,
    b_eval: np.ndarray,
    x_ref: np.ndarray,
    y_ref: np.ndarray,
    b_ref: np.ndarray,
    g: tuple[np.ndarray, np.ndarray, np.ndarray],
    vrs: bool,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Optimal β per evaluated unit (NaN without an optimum) and the solver outcome.

    With ``start`` (positions of reference units likely to span the frontier), the programmes
    are first solved on those columns only and extended by column generation: a solution is
    accepted when no other reference unit has a negative reduced cost under its duals, which
    makes it optimal for the full programme (LP duality); units whose restricted
    programme has no optimum are solved on every column.
    """
    ref_ub = np.vstack([x_ref.T, -y_ref.T])  # columns λ_j; rows inputs, −good outputs (≤)
    ref_eq = np.vstack([b_ref.T, np.ones((1, len(x_ref)))]) if vrs else b_ref.T  # bads, Σλ (=)
    evals = (x_eval, y_eval, b_eval)
    n = len(x_eval)
    if start is None:
        beta, status, _, _ = _solve_batches(np.arange(n), evals, ref_ub, ref_eq, g)
        return beta, status
    beta = np.full(n, np.nan)
    status = ["" for _ in range(n)]
    columns = np.unique(start)
    pending = np.arange(n)
    fallback: list[np.ndarray] = []
    while pending.size:
        b_p, s_p, y_ub, y_eq = _solve_batches(
            pending, evals, ref_ub[:, columns], ref_eq[:, columns], g
        )
        ok = np.array([s == "optimal" for s in s_p])
        fallback.append(pending[~ok])
        reduced = -(y_ub[ok] @ ref_ub + y_eq[ok] @ ref_eq)  # units × all reference columns
        violated = reduced < -1e-9
        violated[:, columns] = False
        done = ~violated.any(axis=1)
        accepted = pending[ok][done]
        beta[accepted] = b_p[ok][done]
        for u in accepted:
            status[u] = "optimal"
        # enter each unit's most negative columns (all violated ones would swell the programme)
        worst = np.argsort(np.where(violated, reduced, 0.0)[~done], axis=1)[:, :_ENTERING]
        entering = worst[np.take_along_axis(violated[~done], worst, axis=1)]
        columns = np.union1d(columns, entering)
        pending = pending[ok][~done]
    rest = np.concatenate(fallback)
    if rest.size:
        b_f, s_f, _, _ = _solve_batches(rest, evals, ref_ub, ref_eq, g)
        beta[rest] = b_f
        for u, outcome in zip(rest, s_f, strict=True):
            status[u] = outcome
    return beta, status


def _solve_batches(
    units: np.ndarray,
    evals: tuple[np.ndarray, np.ndarray, np.ndarray],
    ref_ub: np.ndarray,
    ref_eq: np.ndarray,
    g: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """β's, outcomes and duals of ``units`` against the given reference columns.

    Units are solved in block-diagonal batches (the programmes are independent, so the optimum
    of the sum of the β's is the optimum of each); a batch without an optimum is solved unit by
    unit to find out which units have none. Duals are NaN for units without an optimum.
    """
    n = len(units)
    beta = np.full(n, np.nan)
    status = ["" for _ in range(n)]
    y_ub = np.full((n, ref_ub.shape[0]), np.nan)
    y_eq = np.full((n, ref_eq.shape[0]), np.nan)
    size = max(1, min(n, _BATCH_NONZEROS // max(ref_ub.size + ref_eq.size, 1)))
    for first in range(0, n, size):
        batch = np.arange(first, min(first + size, n))
        solved = _solve_block(units[batch], evals, ref_ub, ref_eq, g)
        if solved[0] is None and batch.size > 1:  # find the units without an optimum
            for i in batch:
                _store(
                    i, _solve_block(units[[i]], evals, ref_ub, ref_eq, g), beta, status, y_ub, y_eq
                )
            continue
        _store(batch, solved, beta, status, y_ub, y_eq)
    return beta, status, y_ub, y_eq


def _store(
    at: np.ndarray | np.intp,
    solved: tuple[np.ndarray | None, str, np.ndarray | None, np.ndarray | None],
    beta: np.ndarray,
    status: list[str],
    y_ub: np.ndarray,
    y_eq: np.ndarray,
) -> None:
    at = np.atleast_1d(at)
    values, outcome, dual_ub, dual_eq = solved
    for i in at:
        status[i] = outcome
    if values is not None and dual_ub is not None and dual_eq is not None:
        beta[at], y_ub[at], y_eq[at] = values, dual_ub, dual_eq


def _solve_block(
    units: np.ndarray,
    evals: tuple[np.ndarray, np.ndarray, np.ndarray],
    ref_ub: np.ndarray,
    ref_eq: np.ndarray,
    g: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray | None, str, np.ndarray | None, np.ndarray | None]:
    """Solve the DDF programmes of ``units`` as one block-diagonal LP.

    Returns the β's, the outcome and the duals (marginals) of the inequality and equality rows
    per unit; ``None`` without an optimum.
    """
    k = len(units)
    x_eval, y_eval, b_eval = (e[units] for e in evals)
    gx, gy, gb = (d[units] for d in g)
    vrs = ref_eq.shape[0] > b_eval.shape[1]  # the convexity row Σλ = 1
    col_ub = np.hstack([gx, gy])  # β column of the inequality rows
    col_eq = np.hstack([gb, np.zeros((k, 1))]) if vrs else gb
    blocks_ub = [np.hstack([ref_ub, col_ub[i][:, None]]) for i in range(k)]
    blocks_eq = [np.hstack([ref_eq, col_eq[i][:, None]]) for i in range(k)]
    b_ub = np.hstack([x_eval, -y_eval]).ravel()
    b_eq = (np.hstack([b_eval, np.ones((k, 1))]) if vrs else b_eval).ravel()
    n_ref = ref_ub.shape[1]
    cost = np.zeros((k, n_ref + 1))
    cost[:, -1] = -1.0
    bounds = np.zeros((k, n_ref + 1, 2))
    bounds[:, :, 1] = np.inf
    bounds[:, -1, 0] = -np.inf
    res = linprog(
        cost.ravel(),
        A_ub=sparse.block_diag(blocks_ub, format="csc"),
        b_ub=b_ub,
        A_eq=sparse.block_diag(blocks_eq, format="csc"),
        b_eq=b_eq,
        bounds=bounds.reshape(-1, 2),
        method="highs",
    )
    outcome = _STATUS.get(res.status, str(res.message))
    if res.status != 0:
        return None, outcome, None, None
    return (
        np.asarray(res.x).reshape(k, n_ref + 1)[:, -1],
        outcome,
        np.asarray(res.ineqlin.marginals).reshape(k, -1),
        np.asarray(res.eqlin.marginals).reshape(k, -1),
    )


def directional_distance(
    x_eval: object,
    y_eval: object,
    b_eval: object,
    x_ref: object,
    y_ref: object,
    b_ref: object,
    *,
    direction: tuple[object, object, object] | None = None,
    rts: Literal["crs", "vrs"] = "crs",
) -> DirectionalDistance:
    r"""Directional distance function with undesirable outputs (Chung, Färe & Grosskopf 1997).

    For each evaluated unit :math:`o`: :math:`\max \beta` s.t.
    :math:`\sum_j \lambda_j x_j \le x_o - \beta g_x`,
    :math:`\sum_j \lambda_j y_j \ge y_o + \beta g_y`,
    :math:`\sum_j \lambda_j b_j = b_o - \beta g_b` (weak disposability), :math:`\lambda \ge 0`
    (VRS: :math:`\sum_j \lambda_j = 1`). The default direction :math:`g = (0, y_o, b_o)`
    expands good and contracts bad outputs proportionally.

    Parameters
    ----------
    x_eval, y_eval, b_eval
        Inputs, good outputs and bad outputs of the evaluated units (units × variables; a 1-D
        array is one variable).
    x_ref, y_ref, b_ref
        The same for the units spanning the reference technology.
    direction
        ``(g_x, g_y, g_b)``: non-negative magnitudes by which inputs and bad outputs contract
        and good outputs expand, each broadcastable to the evaluated matrix; ``None`` for
        :math:`(0, y_o, b_o)`.
    rts
        ``"crs"`` (Chung et al.) or ``"vrs"``.

    Raises
    ------
    DataValidationError
        Mismatched shapes, missing values, negative data or directions, an unknown ``rts``.

    Examples
    --------
    One input, one good, one bad output; the frontier unit produces 4 good with 2 bad from 1
    input, the evaluated unit 2 good with 2 bad: :math:`\lambda = (1 + \beta)/2` and
    :math:`2\lambda = 2(1 - \beta)` give :math:`\beta = 1/3`.

    >>> directional_distance([1.0], [2.0], [2.0], [1.0], [4.0], [2.0]).distance
    array([0.33333333])
    """
    if rts not in ("crs", "vrs"):
        raise DataValidationError(f"rts must be 'crs' or 'vrs', got {rts!r}")
    names = ("x_eval", "y_eval", "b_eval", "x_ref", "y_ref", "b_ref")
    mats = [
        _matrix(v, n)
        for v, n in zip((x_eval, y_eval, b_eval, x_ref, y_ref, b_ref), names, strict=True)
    ]
    for mat, name in zip(mats, names, strict=True):
        if (mat < 0).any():
            row, col = map(int, np.argwhere(mat < 0)[0])
            raise DataValidationError(
                f"{name} is negative in row {row}, column {col}: {show(mat[row, col])}"
            )
    for i, kind in enumerate(("inputs", "good outputs", "bad outputs")):
        ev, ref = mats[i], mats[i + 3]
        if ev.shape[1] != ref.shape[1]:
            raise DataValidationError(
                f"{kind}: {ev.shape[1]} evaluated but {ref.shape[1]} reference column(s)"
            )
    n = len(mats[0])
    if (
        len(mats[1]) != n
        or len(mats[2]) != n
        or len(mats[4]) != len(mats[3])
        or len(mats[5]) != len(mats[3])
    ):
        raise DataValidationError(
            "the evaluated (or reference) matrices differ in their number of units"
        )
    g: tuple[np.ndarray, ...]
    if direction is None:
        g = (np.zeros_like(mats[0]), mats[1], mats[2])
    else:
        g = tuple(
            np.broadcast_to(np.asarray(d, dtype=float), m.shape).astype(float)
            for d, m in zip(direction, mats[:3], strict=True)
        )
        for d, part in zip(g, ("g_x", "g_y", "g_b"), strict=True):
            if not np.isfinite(d).all() or (d < 0).any():
                raise DataValidationError(f"direction {part} must be finite and non-negative")
    x_e, y_e, b_e, x_r, y_r, b_r = mats
    beta, status = _solve(x_e, y_e, b_e, x_r, y_r, b_r, (g[0], g[1], g[2]), rts == "vrs")
    table = pd.DataFrame({"unit": np.arange(n), "distance": beta, "status": status})
    notes = _missing_notes(table)
    return DirectionalDistance(
        table=table,
        rts=rts,
        notes=notes,
        meta=make_meta("directional_distance", rts=rts, n=n, n_reference=len(mats[3])),
    )


def _missing_notes(table: pd.DataFrame) -> tuple[str, ...]:
    bad = table[table.status != "optimal"]
    if bad.empty:
        return ()
    shown = ", ".join(f"{u} ({s})" for u, s in zip(bad.unit[:5], bad.status[:5], strict=True))
    more = " …" if len(bad) > 5 else ""
    return (f"{len(bad)} unit(s) without a distance, NaN: {shown}{more}",)


def _panel(
    data: pd.DataFrame,
    columns: list[str],
    dmu: str,
    period: str,
    balanced: Literal["error", "drop"],
    notes: list[str],
) -> tuple[pd.DataFrame, list[Hashable], list[Hashable]]:
    """Checked balanced panel indexed by (dmu, period), its DMUs and sorted periods."""
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError("data must be a long DataFrame, one row per DMU and period")
    missing = [c for c in (dmu, period, *columns) if c not in data.columns]
    if missing:
        raise DataValidationError(
            f"data have no column {missing[0]!r}; their columns are {list(map(str, data.columns))}"
        )
    if balanced not in ("error", "drop"):
        raise DataValidationError(f"balanced must be 'error' or 'drop', got {balanced!r}")
    frame = data[[dmu, period, *columns]]
    dup = frame.duplicated([dmu, period])
    if dup.any():
        row = frame[dup].iloc[0]
        raise DuplicateError(
            f"DMU {show(row[dmu])} appears more than once in period {show(row[period])}"
        )
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = ~(values > 0) | ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            row = frame[bad.to_numpy()].iloc[0]
            raise DataValidationError(
                f"{column!r} must be positive and finite: DMU {show(row[dmu])}, period "
                f"{show(row[period])} has {show(row[column])}"
            )
    periods = sorted(frame[period].unique())
    if len(periods) < 2:
        raise DataValidationError(
            f"a productivity index needs at least 2 periods, got {len(periods)}"
        )
    dmus = list(pd.unique(frame[dmu]))
    full = pd.MultiIndex.from_product([dmus, periods], names=[dmu, period])
    indexed = frame.set_index([dmu, period])
    absent = full.difference(indexed.index)
    if len(absent):
        if balanced == "error":
            shown = ", ".join(f"{show(d)} in {show(t)}" for d, t in list(absent)[:10])
            raise DataValidationError(
                f"the panel is unbalanced: {len(absent)} DMU-period(s) missing ({shown}"
                f"{' …' if len(absent) > 10 else ''}); pass balanced='drop' to drop those DMUs"
            )
        dropped = sorted(set(absent.get_level_values(0)), key=dmus.index)
        dmus = [d for d in dmus if d not in set(dropped)]
        if not dmus:
            raise DataValidationError("no DMU is observed in every period")
        notes.append(
            f"unbalanced panel: dropped {len(dropped)} DMU(s) not observed in every period "
            f"({', '.join(map(show, dropped[:10]))}{' …' if len(dropped) > 10 else ''})"
        )
        full = pd.MultiIndex.from_product([dmus, periods], names=[dmu, period])
    return indexed.loc[full, columns].astype(float), dmus, periods


def malmquist_luenberger(
    data: pd.DataFrame,
    *,
    inputs: Sequence[str],
    good: Sequence[str],
    bad: Sequence[str],
    dmu: str = "region_code",
    period: str = "year",
    kind: Literal["adjacent", "global"] = "adjacent",
    rts: Literal["crs", "vrs"] = "crs",
    balanced: Literal["error", "drop"] = "error",
) -> MalmquistLuenberger:
    r"""Malmquist–Luenberger (Chung et al. 1997) or global ML (Oh 2010) green productivity.

    Adjacent: :math:`ML = [(1+D^t(t))/(1+D^t(t+1)) \cdot (1+D^{t+1}(t))/(1+D^{t+1}(t+1))]^{1/2}
    = MLEC \times MLTC` with :math:`MLEC = (1+D^t(t))/(1+D^{t+1}(t+1))`. Global:
    :math:`GML = (1+D^G(t))/(1+D^G(t+1)) = EC \times BPC` on the frontier of all periods pooled
    (always feasible, circular). :math:`D` is the directional distance of
    :func:`directional_distance` with :math:`g = (0, y, b)`; values above 1 mean improvement.

    Parameters
    ----------
    data
        Long table, one row per DMU and period, with the columns named below.
    inputs, good, bad
        Columns of the inputs (e.g. capital stock, employment, energy), the good outputs (real
        GDP) and the bad outputs (CO2); all positive.
    dmu, period
        Columns of the unit label and the (orderable) period.
    kind
        ``"adjacent"`` or ``"global"``.
    rts
        ``"crs"`` (as in both sources) or ``"vrs"``.
    balanced
        ``"error"``: a missing DMU-period is an error listing them; ``"drop"``: DMUs not
        observed in every period are dropped, with a note.

    Raises
    ------
    DataValidationError
        A missing column, a non-positive or missing value (naming DMU, period and column), an
        unbalanced panel, fewer than 2 periods.

    Examples
    --------
    >>> data = pd.DataFrame({"dmu": ["a", "b"] * 2, "year": [1, 1, 2, 2],
    ...     "x": [1.0, 1.0, 1.0, 1.0], "y": [4.0, 2.0, 4.0, 3.0], "b": [2.0, 2.0, 2.0, 2.0]})
    >>> r = malmquist_luenberger(data, inputs=["x"], good=["y"], bad=["b"], dmu="dmu",
    ...                          kind="global")
    >>> r.table[["dmu", "index", "ec", "bpc"]].round(4)
      dmu   index      ec  bpc
    0   a  1.0000  1.0000  1.0
    1   b  1.1667  1.1667  1.0

    Unit ``b`` is at distance 1/3 from the frontier in year 1 and 1/7 in year 2 (both years
    share ``a``'s frontier): GML = (4/3)/(8/7) = 7/6.
    """
    if kind not in ("adjacent", "global"):
        raise DataValidationError(f"kind must be 'adjacent' or 'global', got {kind!r}")
    if rts not in ("crs", "vrs"):
        raise DataValidationError(f"rts must be 'crs' or 'vrs', got {rts!r}")
    groups = {"inputs": list(inputs), "good": list(good), "bad": list(bad)}
    for name, named in groups.items():
        if not named:
            raise DataValidationError(f"{name} must name at least one column")
    notes: list[str] = []
    columns = [*groups["inputs"], *groups["good"], *groups["bad"]]
    panel, dmus, periods = _panel(data, columns, dmu, period, balanced, notes)
    n, n_t = len(dmus), len(periods)
    values = panel.to_numpy().reshape(n, n_t, len(columns))
    m, s = len(groups["inputs"]), len(groups["good"])
    x, y, b = values[..., :m], values[..., m : m + s], values[..., m + s :]

    def dist(t_eval: int | None, t_ref: int | None, start: np.ndarray | None = None) -> np.ndarray:
        """Distances of period t_eval data (None: all) to the frontier of t_ref (None: global)."""
        ev = slice(None) if t_eval is None else t_eval
        rf = slice(None) if t_ref is None else t_ref
        x_r, y_r, b_r = (v[:, rf].reshape(-1, v.shape[-1]) for v in (x, y, b))
        x_e, y_e, b_e = (v[:, ev].reshape(-1, v.shape[-1]) for v in (x, y, b))
        g = (np.zeros_like(x_e), y_e, b_e)
        beta, _ = _solve(x_e, y_e, b_e, x_r, y_r, b_r, g, rts == "vrs", start)
        return beta.reshape(n, -1) if t_eval is None else beta

    own = np.column_stack([dist(t, t) for t in range(n_t)])  # D^t(t), n × T
    records: list[tuple[int, str, np.ndarray]] = [
        (t, str(periods[t]), own[:, t]) for t in range(n_t)
    ]
    if kind == "adjacent":
        back = np.column_stack([dist(t + 1, t) for t in range(n_t - 1)])  # D^t(t+1)
        fwd = np.column_stack([dist(t, t + 1) for t in range(n_t - 1)])  # D^{t+1}(t)
        a, d = 1 + own[:, :-1], 1 + own[:, 1:]
        index = np.sqrt(a / (1 + back) * (1 + fwd) / d)
        ec = a / d
        third = np.sqrt((1 + fwd) / a * d / (1 + back))
        records += [(t + 1, str(periods[t]), back[:, t]) for t in range(n_t - 1)]
        records += [(t, str(periods[t + 1]), fwd[:, t]) for t in range(n_t - 1)]
    else:
        # D^G(t), n × T; column generation from the units on their own period's frontier
        glob = dist(None, None, start=np.flatnonzero(own.ravel() <= 1e-9))
        index = (1 + glob[:, :-1]) / (1 + glob[:, 1:])
        ec = (1 + own[:, :-1]) / (1 + own[:, 1:])
        gap = (1 + glob) / (1 + own)  # best-practice gap ratio per period
        third = gap[:, :-1] / gap[:, 1:]
        records += [(t, "global", glob[:, t]) for t in range(n_t)]
    third_name = "tc" if kind == "adjacent" else "bpc"
    rows = np.repeat(np.arange(n), n_t - 1)
    cols = np.tile(np.arange(n_t - 1), n)
    cumulative = np.cumprod(index, axis=1)
    table = pd.DataFrame(
        {
            "dmu": np.asarray(dmus, dtype=object)[rows],
            "base_period": np.asarray(periods, dtype=object)[cols],
            "period": np.asarray(periods, dtype=object)[cols + 1],
            "index": index[rows, cols],
            "ec": ec[rows, cols],
            third_name: third[rows, cols],
            "cumulative": cumulative[rows, cols],
        }
    )
    distances = pd.concat(
        [
            pd.DataFrame(
                {"dmu": dmus, "period": periods[t], "frontier": frontier, "distance": beta}
            )
            for t, frontier, beta in records
        ],
        ignore_index=True,
    )
    missing = distances[distances.distance.isna()]
    if len(missing):
        shown = ", ".join(
            f"{show(r.dmu)} {show(r.period)} on frontier {r.frontier}"
            for r in missing.head(5).itertuples()
        )
        notes.append(
            f"{len(missing)} directional distance programme(s) infeasible (data of one period "
            f"outside the reach of another period's frontier): NaN, and so are the indices "
            f"that use them ({shown}{' …' if len(missing) > 5 else ''})"
        )
    notes.append(
        f"{rts.upper()}, weak disposability of bad outputs, direction g = (0, y, b); "
        "values above 1 mean improvement"
    )
    return MalmquistLuenberger(
        table=table,
        distances=distances,
        kind=kind,
        rts=rts,
        notes=tuple(notes),
        meta=make_meta(
            "malmquist_luenberger" if kind == "adjacent" else "global_malmquist_luenberger",
            kind=kind,
            rts=rts,
            inputs=groups["inputs"],
            good=groups["good"],
            bad=groups["bad"],
            n=n,
            periods=len(periods),
        ),
    )
