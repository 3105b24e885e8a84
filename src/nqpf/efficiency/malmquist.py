r"""The Malmquist productivity index and its decomposition.

Adjacent-period index (Färe, Grosskopf, Norris & Zhang 1994), with :math:`D^t` the distance
function to the frontier of period :math:`t` (:func:`~nqpf.efficiency.dea.distance_function`):

.. math::

    M = \left[\frac{D^t(x^{t+1}, y^{t+1})}{D^t(x^t, y^t)}
        \cdot \frac{D^{t+1}(x^{t+1}, y^{t+1})}{D^{t+1}(x^t, y^t)}\right]^{1/2}
      = \underbrace{\frac{D^{t+1}(x^{t+1}, y^{t+1})}{D^t(x^t, y^t)}}_{EC}
        \cdot \underbrace{\left[\frac{D^t(x^{t+1}, y^{t+1})}{D^{t+1}(x^{t+1}, y^{t+1})}
        \cdot \frac{D^t(x^t, y^t)}{D^{t+1}(x^t, y^t)}\right]^{1/2}}_{TC}.

Global index (Pastor & Lovell 2005): :math:`M^G = D^G(x^{t+1}, y^{t+1}) / D^G(x^t, y^t)` against
the frontier of all periods pooled, :math:`M^G = EC \times BPC` with the same EC and the
best-practice gap change :math:`BPC = M^G / EC` (reported as ``tc``).

With constant returns, EC splits into pure efficiency change
:math:`PEC = D^{t+1}_{VRS}(x^{t+1}, y^{t+1}) / D^t_{VRS}(x^t, y^t)` and scale efficiency change
:math:`SEC = EC / PEC` (Färe et al. 1994). Values above 1 are improvements in every orientation.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.efficiency.dea import _check_radial, _table, distance_function
from nqpf.errors import DataValidationError
from nqpf.results import Result, Summary, make_meta

__all__ = ["Malmquist", "malmquist"]

INDEX_COLUMNS = ["malmquist", "ec", "tc", "pec", "sec"]
#: A unit whose contemporaneous distance is at least 1 − FRONTIER_TOL spans its period's frontier
#: (a few units just inside it are harmless: they change no distance).
FRONTIER_TOL = 1e-6


@dataclass(frozen=True)
class Malmquist(Result):
    """Malmquist indices by unit and pair of periods.

    Attributes
    ----------
    table
        ``dmu, period_from, period_to, malmquist, ec, tc, pec, sec`` (``tc`` is the best-practice
        gap change BPC of the global index); NaN where a distance is infeasible or undefined.
    distances
        The distance functions used: ``dmu, period_from, period_to, d_t_t, d_t_t1, d_t1_t,
        d_t1_t1`` (``d_a_b`` = frontier a, data b; the global index adds ``d_g_t, d_g_t1``).
    kind, rts, orientation
        The index computed.
    notes
        Conventions applied, units dropped, infeasible distances.
    """

    table: pd.DataFrame
    distances: pd.DataFrame
    kind: str
    rts: str
    orientation: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per unit and pair of periods, with ``period`` as text ``"t→t+1"``."""
        frame = self.table.copy()
        frame.insert(
            1,
            "period",
            [f"{a}→{b}" for a, b in zip(frame.period_from, frame.period_to, strict=True)],
        )
        return frame.drop(columns=["period_from", "period_to"])

    def by_period(self) -> pd.DataFrame:
        """Geometric means over units by pair of periods (the usual summary of the literature)."""
        frame = self.to_frame()
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(frame[INDEX_COLUMNS].astype(float))
        logs["period"] = frame["period"]
        return np.exp(logs.groupby("period", sort=False).mean())

    def summary(self) -> Summary:
        """Geometric means by period and the index by unit."""
        labels = {
            "malmquist": "全要素生产率 TFP (M)",
            "ec": "技术效率变化 EC",
            "tc": "技术进步 TC" if self.kind == "adjacent" else "最佳实践差距变化 BPC",
            "pec": "纯技术效率变化 PEC",
            "sec": "规模效率变化 SEC",
        }
        return Summary(
            f"Malmquist 指数 Malmquist index ({self.kind}, {self.rts.upper()}, {self.orientation})",
            (
                ("几何平均 Geometric mean by period", self.by_period().rename(columns=labels)),
                ("单元 By unit", self.to_frame().rename(columns=labels)),
            ),
            self.notes,
        )


def _panel(values: pd.DataFrame, what: str) -> pd.DataFrame:
    """A (dmu, period) indexed float table; columns ``dmu`` and ``period`` become the index."""
    if not isinstance(values, pd.DataFrame):
        raise DataValidationError(f"the panel {what} must be a DataFrame indexed by (dmu, period)")
    if {"dmu", "period"} <= set(values.columns):
        values = values.set_index(["dmu", "period"])
    if values.index.nlevels != 2:
        raise DataValidationError(
            f"the panel {what} need a (dmu, period) index or 'dmu' and 'period' columns"
        )
    frame = _table(values, what, what[0], None)
    frame.index = frame.index.set_names(["dmu", "period"])
    return frame


def malmquist(
    panel_inputs: pd.DataFrame,
    panel_outputs: pd.DataFrame,
    *,
    rts: Literal["crs", "vrs"] = "crs",
    orientation: Literal["input", "output"] = "input",
    kind: Literal["adjacent", "global"] = "adjacent",
) -> Malmquist:
    """Malmquist productivity index of each unit between consecutive periods.

    See the module docstring for the index and its decomposition (Färe et al. 1994; global
    frontier: Pastor & Lovell 2005).

    Parameters
    ----------
    panel_inputs, panel_outputs
        Units × periods in rows (a ``(dmu, period)`` MultiIndex, or ``dmu`` and ``period``
        columns), one column per variable. The frontier of a period is spanned by every unit
        observed in it; a unit's index between two periods needs it in both.
    rts
        ``"crs"``: M, EC, TC under constant returns and EC = PEC × SEC with the VRS distances.
        ``"vrs"``: every distance under variable returns; cross-period distances may be
        infeasible (NaN, with a note), and ``pec``/``sec`` are NaN (EC is then pure).
    orientation
        Of the distance functions (:func:`~nqpf.efficiency.dea.distance_function`).
    kind
        ``"adjacent"`` (frontiers of t and t+1) or ``"global"`` (frontier of all periods).

    Raises
    ------
    DataValidationError
        Tables that list different rows, missing or negative values, a row without a positive
        input or output, fewer than two periods, unknown options.

    Examples
    --------
    One input, one output, two units: unit ``a`` doubles its output, the frontier does not move.

    >>> idx = pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["dmu", "period"])
    >>> x = pd.DataFrame({"x": [1.0, 1.0, 1.0, 1.0]}, index=idx)
    >>> y = pd.DataFrame({"y": [1.0, 2.0, 4.0, 4.0]}, index=idx)
    >>> malmquist(x, y).table[["dmu", "malmquist", "ec", "tc"]]
      dmu  malmquist   ec   tc
    0   a        2.0  2.0  1.0
    1   b        1.0  1.0  1.0
    """
    if rts not in ("crs", "vrs"):
        raise DataValidationError(f"unknown rts {rts!r}; use 'crs' or 'vrs'")
    if orientation not in ("input", "output"):
        raise DataValidationError(f"unknown orientation {orientation!r}; use 'input' or 'output'")
    if kind not in ("adjacent", "global"):
        raise DataValidationError(f"unknown kind {kind!r}; use 'adjacent' or 'global'")
    x = _panel(panel_inputs, "inputs")
    y = _panel(panel_outputs, "outputs")
    if not x.index.equals(y.index):
        diff = x.index.symmetric_difference(y.index)
        raise DataValidationError(
            f"the panel inputs and outputs list different rows (e.g. {diff[0]!r})"
            if len(diff)
            else "the panel inputs and outputs list the rows in a different order"
        )
    _check_radial(x, y)
    periods = sorted(x.index.get_level_values("period").unique())
    if len(periods) < 2:
        raise DataValidationError(f"a Malmquist index needs two periods or more, got {periods}")
    notes = [
        f"{kind} Malmquist index, {rts.upper()}, {orientation}-oriented distance functions; "
        "values above 1 are improvements"
    ]
    notes.append(
        "EC = PEC × SEC with PEC from VRS distances (Färe et al. 1994)"
        if rts == "crs"
        else "VRS distances throughout: EC is pure efficiency change, no PEC/SEC split"
    )

    def dist(frontier: pd.Index, rows: pd.Index, r: Literal["crs", "vrs"]) -> pd.Series:
        d = distance_function(
            x.loc[rows].to_numpy(),
            y.loc[rows].to_numpy(),
            x.loc[frontier].to_numpy(),
            y.loc[frontier].to_numpy(),
            rts=r,
            orientation=orientation,
        )
        return pd.Series(d, index=rows)

    # Contemporaneous distances once per period. The units on a period's frontier (distance 1)
    # span the same technology as all its units (every other unit is dominated by a combination
    # of them), so cross-period and global distances are taken against the frontier units only.
    by_period = {t: x.index[x.index.get_level_values("period") == t] for t in periods}
    own = pd.concat([dist(rows, rows, rts) for rows in by_period.values()])
    frontier = {
        t: rows[own.loc[rows].to_numpy() >= 1.0 - FRONTIER_TOL] for t, rows in by_period.items()
    }
    own_vrs = (
        pd.concat([dist(rows, rows, "vrs") for rows in by_period.values()])
        if rts == "crs"
        else None
    )
    pooled = frontier[periods[0]].append([frontier[t] for t in periods[1:]])
    global_ = dist(pooled, x.index, rts) if kind == "global" else None
    blocks, dropped = [], []
    for t, t1 in zip(periods[:-1], periods[1:], strict=True):
        dmus_t = by_period[t].get_level_values("dmu")
        dmus_t1 = by_period[t1].get_level_values("dmu")
        both = dmus_t.intersection(dmus_t1, sort=False)
        dropped += [str(d) for d in dmus_t.symmetric_difference(dmus_t1)]
        rows_t = pd.MultiIndex.from_arrays([both, [t] * len(both)], names=["dmu", "period"])
        rows_t1 = pd.MultiIndex.from_arrays([both, [t1] * len(both)], names=["dmu", "period"])
        block = pd.DataFrame({"dmu": pd.Series(list(both), dtype=object)})
        block["period_from"], block["period_to"] = t, t1
        d = {
            "d_t_t": own.loc[rows_t],
            "d_t_t1": dist(frontier[t], rows_t1, rts),
            "d_t1_t": dist(frontier[t1], rows_t, rts),
            "d_t1_t1": own.loc[rows_t1],
        }
        if global_ is not None:
            d["d_g_t"], d["d_g_t1"] = global_.loc[rows_t], global_.loc[rows_t1]
        if own_vrs is not None:
            d["v_t_t"], d["v_t1_t1"] = own_vrs.loc[rows_t], own_vrs.loc[rows_t1]
        for name, values in d.items():
            block[name] = values.to_numpy()
        blocks.append(block)
    frame = pd.concat(blocks, ignore_index=True)
    ec = frame.d_t1_t1 / frame.d_t_t
    if kind == "adjacent":
        m = np.sqrt(frame.d_t_t1 / frame.d_t_t * frame.d_t1_t1 / frame.d_t1_t)
        tc = np.sqrt(frame.d_t_t1 / frame.d_t1_t1 * frame.d_t_t / frame.d_t1_t)
    else:
        m = frame.d_g_t1 / frame.d_g_t
        tc = m / ec
    if rts == "crs":
        pec = frame.v_t1_t1 / frame.v_t_t
        sec = ec / pec
    else:
        pec = sec = pd.Series(np.nan, index=frame.index)
    table = frame[["dmu", "period_from", "period_to"]].assign(
        malmquist=m, ec=ec, tc=tc, pec=pec, sec=sec
    )
    distances = frame.drop(columns=[c for c in ("v_t_t", "v_t1_t1") if c in frame])
    infeasible = distances.drop(columns=["dmu", "period_from", "period_to"]).isna().any(axis=1)
    if infeasible.any():
        shown = ", ".join(
            f"{r.dmu!r} {r.period_from}→{r.period_to}"
            for r in distances[infeasible].head(5).itertuples()
        )
        notes.append(
            f"{int(infeasible.sum())} unit-period pair(s) with an infeasible distance function "
            f"({shown}{' …' if infeasible.sum() > 5 else ''}): index NaN"
        )
    if dropped:
        unique = sorted(set(dropped))
        notes.append(
            f"{len(unique)} unit(s) missing in one of two consecutive periods, left out of that "
            f"pair's index but kept in its frontier: {', '.join(unique[:10])}"
            f"{' …' if len(unique) > 10 else ''}"
        )
    return Malmquist(
        table=table,
        distances=distances,
        kind=kind,
        rts=rts,
        orientation=orientation,
        notes=tuple(notes),
        meta=make_meta(
            "malmquist",
            kind=kind,
            rts=rts,
            orientation=orientation,
            n=int(x.index.get_level_values("dmu").nunique()),
            periods=[_plain_period(p) for p in periods],
        ),
    )


def _plain_period(period: Hashable) -> Hashable:
    return period.item() if isinstance(period, np.generic) else period
