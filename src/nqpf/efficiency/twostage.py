r"""Two-stage network DEA: stage 1 turns inputs X into intermediates Z, stage 2 turns Z into Y.

Both models are constant-returns multiplier programmes with one set of intermediate weights
:math:`w` shared by the two stages (the intermediates are outputs of stage 1 and inputs of
stage 2), solved for every unit :math:`o`:

Relational model (Kao & Hwang 2008, EJOR 185:418–429):

.. math::

    E_o = \max u^\top y_o \quad\text{s.t.}\quad v^\top x_o = 1,\;
    w^\top z_j - v^\top x_j \le 0,\; u^\top y_j - w^\top z_j \le 0\;(\forall j),\;
    u, v, w \ge 0,

with :math:`E^1_o = w^\top z_o / v^\top x_o`, :math:`E^2_o = u^\top y_o / w^\top z_o` and
:math:`E_o = E^1_o E^2_o` exactly.

Additive model (Chen, Cook, Li & Zhu 2009, EJOR 196:1170–1176): overall efficiency is the
weighted mean :math:`E_o = \omega_1 E^1_o + \omega_2 E^2_o` with
:math:`\omega_1 = v^\top x_o / (v^\top x_o + w^\top z_o)`, :math:`\omega_2 = 1 - \omega_1`, so that

.. math::

    E_o = \max w^\top z_o + u^\top y_o \quad\text{s.t.}\quad v^\top x_o + w^\top z_o = 1
    \text{ and the same stage constraints.}

The optimal multipliers need not be unique, and then neither is the split into stages. Both
models report the *stage-1-priority* decomposition: :math:`E^1_o` maximised with :math:`E_o`
held at its optimum (Kao & Hwang 2008; Chen et al. 2009), :math:`E^2_o` from the identity
(:math:`E^2 = E/E^1`, resp. :math:`E^2 = (E(1 + E^1) - E^1)/E^1`). The smallest such
:math:`E^1_o` is solved too; where the two differ the decomposition is flagged not unique.

All programmes are solved with HiGHS, many units at once (the batching of
:mod:`nqpf.efficiency.dea`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from nqpf.efficiency.dea import _Batch, _check_alignment, _check_sign, _solve, _table
from nqpf.efficiency.malmquist import _panel
from nqpf.errors import DataValidationError
from nqpf.results import Result, Summary, make_meta

__all__ = ["TwoStage", "two_stage"]

TwoStageModel = Literal["relational", "additive"]
#: Stage-1 efficiencies within this distance count as one (a unique decomposition).
UNIQUE_TOL = 1e-6
#: Relative slack allowed when the overall efficiency is held at its optimum.
HOLD_TOL = 1e-9

Table: TypeAlias = pd.DataFrame | np.ndarray | Sequence[Sequence[float]]


@dataclass(frozen=True)
class TwoStage(Result):
    """Overall and stage efficiencies of a two-stage network DEA.

    Attributes
    ----------
    table
        One row per unit (and period): ``dmu``, ``period`` (panel input only), ``overall``,
        ``stage1``, ``stage2`` (the stage-1-priority decomposition), ``stage1_min`` (the
        smallest stage-1 efficiency compatible with the overall optimum), ``unique``, and for
        the additive model the stage weights ``weight1``, ``weight2``.
    model
        ``"relational"`` (Kao & Hwang 2008) or ``"additive"`` (Chen, Cook, Li & Zhu 2009).
    notes
        Conventions, uniqueness of the decomposition, per-period frontiers.
    """

    table: pd.DataFrame
    model: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The efficiency table (one row per unit, or unit-period)."""
        return self.table

    def summary(self) -> Summary:
        """Means of the efficiencies and the table, with bilingual labels."""
        labels = {
            "overall": "总效率 Overall",
            "stage1": "研发阶段 Stage 1",
            "stage2": "转化阶段 Stage 2",
            "unique": "分解唯一 Unique",
            "weight1": "阶段1权重 Weight 1",
            "weight2": "阶段2权重 Weight 2",
        }
        numbers = [c for c in ("overall", "stage1", "stage2") if c in self.table]
        means = self.table[numbers].mean().rename(labels).to_frame("均值 Mean")
        title = (
            "两阶段关联网络DEA Relational two-stage DEA (Kao & Hwang 2008)"
            if self.model == "relational"
            else "两阶段加性DEA Additive two-stage DEA (Chen, Cook, Li & Zhu 2009)"
        )
        return Summary(
            title,
            (("均值 Means", means), ("效率 Efficiencies", self.table.rename(columns=labels))),
            self.notes,
        )


def _batch(
    x: np.ndarray, z: np.ndarray, y: np.ndarray, *, model: str, hold: np.ndarray | None, sign: float
) -> _Batch:
    """Multiplier programmes z = (v, w, u), one per unit.

    ``hold`` None: the overall programme. Otherwise the decomposition programme: v·x_o = 1, the
    overall ratio held at ``hold`` (an extra ≤ row), objective ``sign``·w·z_o minimised.
    """
    n, m = x.shape
    q, s = z.shape[1], y.shape[1]
    nv = m + q + s
    stages = np.zeros((2 * n, nv))
    stages[:n, :m] = -x
    stages[:n, m : m + q] = z
    stages[n:, m : m + q] = -z
    stages[n:, m + q :] = y
    a_ub = np.repeat(stages[None], n, axis=0)
    c = np.zeros((n, nv))
    a_eq = np.zeros((n, 1, nv))
    a_eq[:, 0, :m] = x
    if hold is None:
        c[:, m + q :] = -y
        if model == "additive":
            c[:, m : m + q] = -z
            a_eq[:, 0, m : m + q] = z
        b_ub = np.zeros((n, 2 * n))
    else:
        c[:, m : m + q] = sign * z
        # relational: u·y_o ≥ E v·x_o; additive: u·y_o + (1 − E) w·z_o ≥ E v·x_o (with v·x_o = 1)
        row = np.zeros((n, 1, nv))
        row[:, 0, m + q :] = -y
        if model == "additive":
            row[:, 0, m : m + q] = -(1.0 - hold)[:, None] * z
        a_ub = np.concatenate([a_ub, row], axis=1)
        b_ub = np.concatenate([np.zeros((n, 2 * n)), -(hold * (1 - HOLD_TOL))[:, None]], axis=1)
    return _Batch(c, a_eq, np.ones((n, 1)), np.zeros((n, nv)), np.full((n, nv), np.inf), a_ub, b_ub)


def _frontier(x: np.ndarray, z: np.ndarray, y: np.ndarray, model: str) -> dict[str, np.ndarray]:
    """Overall and stage efficiencies of the units ``x, z, y`` against their own frontier."""
    m, q = x.shape[1], z.shape[1]
    sol = _solve(_batch(x, z, y, model=model, hold=None, sign=1.0))
    overall = np.sum(sol[:, m + q :] * y, 1)
    if model == "additive":
        overall = overall + np.sum(sol[:, m : m + q] * z, 1)
    hold = np.minimum(overall, 1.0)
    first = []
    for sign in (-1.0, 1.0):  # stage 1 maximised (priority), then minimised (range)
        zs = _solve(_batch(x, z, y, model=model, hold=hold, sign=sign))
        first.append(np.sum(zs[:, m : m + q] * z, 1))
    e1, e1_min = first
    with np.errstate(divide="ignore", invalid="ignore"):
        e2 = overall / e1 if model == "relational" else (overall * (1 + e1) - e1) / e1
    out = {"overall": overall, "stage1": e1, "stage2": e2, "stage1_min": e1_min}
    if model == "additive":
        out["weight1"] = 1.0 / (1.0 + e1)
        out["weight2"] = e1 / (1.0 + e1)
    return out


def two_stage(
    inputs: Table,
    intermediates: Table,
    outputs: Table,
    *,
    model: TwoStageModel = "relational",
    labels: Sequence[Hashable] | None = None,
) -> TwoStage:
    """Overall, stage-1 and stage-2 efficiency of a two-stage process (CRS, multiplier form).

    See the module docstring for the programmes (Kao & Hwang 2008; Chen, Cook, Li & Zhu 2009).

    Parameters
    ----------
    inputs, intermediates, outputs
        Units × variables: DataFrames indexed by unit (the same labels in all three) or arrays.
        A panel — a ``(dmu, period)`` MultiIndex or ``dmu`` and ``period`` columns — is solved
        period by period, each period against its own frontier.
    model
        ``"relational"`` (overall = stage 1 × stage 2) or ``"additive"`` (overall = weighted
        mean of the stages).
    labels
        Unit labels for array input (default ``DMU1``, ``DMU2``, …).

    Raises
    ------
    DataValidationError
        A missing, non-finite, zero or negative value (naming unit and column), tables that
        list different units, an unknown model.
    DuplicateError
        A unit (or unit-period) that appears twice, or a variable name used in two tables.

    Examples
    --------
    One variable per table: the stage efficiencies are the ratios z/x and y/z relative to
    their best, and overall = stage 1 × stage 2.

    >>> r = two_stage([[1.0], [1.0]], [[2.0], [1.0]], [[1.0], [1.0]])
    >>> r.table[["overall", "stage1", "stage2"]].round(3).values.tolist()
    [[0.5, 1.0, 0.5], [0.5, 0.5, 1.0]]
    """
    if model not in ("relational", "additive"):
        raise DataValidationError(
            f"unknown two-stage model {model!r}; use 'relational' or 'additive'"
        )
    panel = any(
        isinstance(t, pd.DataFrame)
        and (t.index.nlevels == 2 or {"dmu", "period"} <= set(t.columns))
        for t in (inputs, intermediates, outputs)
    )
    frames = []
    for values, what, prefix in (
        (inputs, "inputs", "x"),
        (intermediates, "intermediates", "z"),
        (outputs, "outputs", "y"),
    ):
        if panel:
            frames.append(_panel(values, what))
        else:
            own = (
                labels if not frames or isinstance(values, pd.DataFrame) else list(frames[0].index)
            )
            frames.append(_table(values, what, prefix, own))
    x, z, y = frames
    _check_alignment(x, [("intermediates", z), ("outputs", y)])
    for what, frame in (("inputs", x), ("intermediates", z), ("outputs", y)):
        _check_sign(frame, what, positive=True)
    periods = list(pd.unique(x.index.get_level_values(1))) if panel else [None]
    parts = []
    for period in periods:
        rows = np.ones(len(x), bool) if period is None else x.index.get_level_values(1) == period
        result = _frontier(x[rows].to_numpy(), z[rows].to_numpy(), y[rows].to_numpy(), model)
        part = pd.DataFrame(result)
        if period is None:
            part.insert(0, "dmu", pd.Series(list(x.index), dtype=object))
        else:
            part.insert(0, "period", period)
            part.insert(0, "dmu", pd.Series(list(x.index[rows].get_level_values(0)), dtype=object))
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["unique"] = (table["stage1"] - table["stage1_min"]).abs() <= UNIQUE_TOL
    order = ["dmu", *(["period"] if panel else []), "overall", "stage1", "stage2", "stage1_min"]
    table = table[[*order, "unique", *(["weight1", "weight2"] if model == "additive" else [])]]
    notes = [_model_note(model), _unique_note(table)]
    if panel:
        notes.append(f"{len(periods)} period(s), each against its own frontier")
    n, m, q, s = len(x), x.shape[1], z.shape[1], y.shape[1]
    return TwoStage(
        table=table,
        model=model,
        notes=tuple(notes),
        meta=make_meta(
            "two-stage DEA",
            model=model,
            rts="crs",
            decomposition="stage-1 priority",
            n=n,
            inputs=m,
            intermediates=q,
            outputs=s,
            periods=len(periods) if panel else None,
            unique=bool(table["unique"].all()),
        ),
    )


def _model_note(model: str) -> str:
    if model == "relational":
        return (
            "relational two-stage DEA (Kao & Hwang 2008), constant returns: overall = stage 1 × "
            "stage 2; multipliers bounded below by 0 (no non-Archimedean ε)"
        )
    return (
        "additive two-stage DEA (Chen, Cook, Li & Zhu 2009), constant returns: overall = "
        "weight1 × stage 1 + weight2 × stage 2, weights = each stage's share of the virtual "
        "inputs; multipliers bounded below by 0"
    )


def _unique_note(table: pd.DataFrame) -> str:
    bad = table.loc[~table["unique"]]
    if bad.empty:
        return "stage decomposition unique for every unit"
    keys = bad["dmu"].astype(str)
    if "period" in bad:
        keys = keys + " " + bad["period"].astype(str)
    shown = ", ".join(keys[:10]) + (" …" if len(keys) > 10 else "")
    return (
        f"stage decomposition not unique for {len(bad)} unit(s) ({shown}): the stage-1-"
        "priority decomposition is reported (stage 1 maximised at the optimal overall "
        "efficiency); stage1_min is the smallest stage-1 efficiency of the alternative optima"
    )
