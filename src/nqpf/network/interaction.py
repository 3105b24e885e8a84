r"""Origin–destination flows estimated from their margins: Wilson's doubly constrained model.

Given what each region sends (:math:`O_i`, e.g. technology-market outflow by seller province),
what each region receives (:math:`D_j`, inflow by buyer province) and a cost :math:`c_{ij}`
(distance) between them, the most probable flow matrix under a total-cost constraint is
(Wilson 1970; DESIGN.md, "Origin–destination estimation from margins")

.. math::

    T_{ij} = A_i O_i B_j D_j f(c_{ij}), \qquad f(c) = e^{-\beta c} \ \text{or}\ c^{-\beta},

    A_i = 1 \big/ \textstyle\sum_j B_j D_j f(c_{ij}), \qquad
    B_j = 1 \big/ \textstyle\sum_i A_i O_i f(c_{ij}).

The balancing factors are found by iterative proportional fitting (the Furness method,
Ortúzar & Willumsen 2011, ch. 6) until both margins hold to a relative tolerance. β is given,
or calibrated so that the model's mean cost :math:`\sum T_{ij} c_{ij} / \sum T_{ij}` equals a
target (Hyman 1969).

References: Hyman, G. M. (1969). The calibration of trip distribution models. *Environment
and Planning* 1, 105–112. Wilson, A. G. (1970). *Entropy in Urban and Regional Modelling*.
Pion, London. Ortúzar, J. de D. & Willumsen, L. G. (2011). *Modelling Transport*, 4th ed.,
Wiley.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from nqpf.errors import ConvergenceError, DataValidationError, DuplicateError
from nqpf.network.graph import FlowNetwork
from nqpf.results import Result, Summary, make_meta

__all__ = ["Deterrence", "ODEstimate", "doubly_constrained"]

#: Deterrence function f(c): ``"exp"`` is e^(−βc), ``"power"`` is c^(−β).
Deterrence = Literal["exp", "power"]


@dataclass(frozen=True)
class ODEstimate(Result):
    r"""An origin–destination flow matrix estimated from its margins (doubly constrained model).

    Attributes
    ----------
    flows
        Estimated flows, origins × destinations (labelled by region).
    beta, deterrence
        The deterrence parameter (given or calibrated) and function (``"exp"``, ``"power"``).
    iterations
        Balancing iterations of the final fit.
    margin_error
        Largest relative error of any origin or destination margin.
    mean_cost
        :math:`\sum T_{ij} c_{ij} / \sum T_{ij}`.
    balancing
        ``region, A, B``: the balancing factors (NaN for a zero margin). They are defined up to
        a common factor (A·λ, B/λ); B is reported with geometric mean 1.
    cost
        The cost matrix used (labelled like ``flows``).
    notes
        Every policy applied (self-flows, rescaled margins, calibration).
    """

    flows: pd.DataFrame
    beta: float
    deterrence: str
    iterations: int
    margin_error: float
    mean_cost: float
    balancing: pd.DataFrame
    cost: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy ``origin, destination, flow, cost`` (no diagonal if self-flows are excluded)."""
        n = len(self.flows)
        i, j = np.divmod(np.arange(n * n), n)
        if self.meta.get("self_flows") == "exclude":
            i, j = i[i != j], j[i != j]
        labels = np.asarray(self.flows.index, dtype=object)
        return pd.DataFrame(
            {
                "origin": labels[i],
                "destination": labels[j],
                "flow": self.flows.to_numpy()[i, j],
                "cost": self.cost.to_numpy()[i, j],
            }
        )

    def network(self) -> FlowNetwork:
        """The estimated flows as a :class:`FlowNetwork` (self-flows dropped)."""
        net = FlowNetwork.from_matrix(self.flows, self_flows="drop")
        what = f"estimated flows (doubly constrained model, {self.deterrence} β = {self.beta:.6g})"
        return replace(net, notes=(what, *net.notes))

    def summary(self) -> Summary:
        """Model parameters, estimated flows and balancing factors, with bilingual labels."""
        parameters = pd.DataFrame(
            {
                "值 Value": [
                    self.deterrence,
                    f"{self.beta:.6g}",
                    str(self.iterations),
                    f"{self.margin_error:.3g}",
                    f"{self.mean_cost:.6g}",
                ]
            },
            index=pd.Index(
                [
                    "距离衰减函数 Deterrence",
                    "β",
                    "迭代次数 Iterations",
                    "边际误差 Margin error",
                    "平均成本 Mean cost",
                ],
                name="参数 Parameter",
            ),
        )
        return Summary(
            "双约束模型 Doubly constrained model (Wilson 1970)",
            (
                ("", parameters),
                ("估计流量 Estimated flows", self.flows),
                ("平衡因子 Balancing factors", self.balancing.set_index("region")),
            ),
            notes=self.notes,
        )


def doubly_constrained(
    origins: pd.Series | Sequence[float] | np.ndarray,
    destinations: pd.Series | Sequence[float] | np.ndarray,
    cost: pd.DataFrame | np.ndarray,
    beta: float | None = None,
    *,
    deterrence: Deterrence = "exp",
    target_mean_cost: float | None = None,
    self_flows: Literal["exclude", "include"] = "exclude",
    rescale: Literal["origins", "destinations"] | None = None,
    tol: float = 1e-9,
    max_iter: int = 10_000,
) -> ODEstimate:
    r"""Estimate an O–D flow matrix from its margins with Wilson's doubly constrained model.

    :math:`T_{ij} = A_i O_i B_j D_j f(c_{ij})` with :math:`f(c) = e^{-\beta c}` or
    :math:`c^{-\beta}` (Wilson 1970; DESIGN.md), balanced by iterative proportional fitting
    (Furness) until every origin and destination margin holds to the relative tolerance ``tol``.

    Parameters
    ----------
    origins, destinations
        :math:`O_i` and :math:`D_j`: Series indexed by region label, or arrays in the order of
        ``cost``. Labelled inputs must name the same regions (they are aligned to ``origins``).
    cost
        :math:`c_{ij}`, a square DataFrame labelled by region on both axes, or an array.
        Costs between distinct regions must be positive; the diagonal is used only with
        ``self_flows="include"``.
    beta
        The deterrence parameter (≥ 0 for ``"exp"``, > 0 for ``"power"``); or ``None`` with
        ``target_mean_cost``.
    deterrence
        ``"exp"`` (:math:`e^{-\beta c}`) or ``"power"`` (:math:`c^{-\beta}`).
    target_mean_cost
        Calibrate β so that :math:`\sum T_{ij} c_{ij} / \sum T_{ij}` equals this (Brent's method);
        a target outside the achievable range is an error giving that range.
    self_flows
        ``"exclude"`` fixes :math:`T_{ii} = 0`; ``"include"`` models them (positive diagonal
        costs needed).
    rescale
        When the margin totals differ: ``"origins"`` scales the origins to the destination total,
        ``"destinations"`` the other way round; ``None`` (default) makes it an error.
    tol, max_iter
        Relative margin tolerance and the most balancing iterations.

    Raises
    ------
    DataValidationError
        Naming the region or pair at fault: missing or negative margins, totals that differ
        (by how much), labels that do not match, missing or non-positive costs, a region with a
        positive margin and no feasible cell, a bad β or target.
    ConvergenceError
        When balancing does not reach ``tol`` in ``max_iter`` iterations; the error's attributes
        ``iterations``, ``margin_error``, ``flows`` (the last matrix) and ``beta`` hold the
        last state.

    Examples
    --------
    Two regions, flows only between them: the margins fix the matrix whatever β is.

    >>> est = doubly_constrained([3.0, 1.0], [1.0, 3.0], [[1.0, 2.0], [2.0, 1.0]], beta=0.5)
    >>> est.flows.to_numpy()
    array([[0., 3.],
           [1., 0.]])
    """
    if deterrence not in ("exp", "power"):
        raise DataValidationError(f"deterrence must be 'exp' or 'power', not {deterrence!r}")
    if self_flows not in ("exclude", "include"):
        raise DataValidationError(f"self_flows must be 'exclude' or 'include', not {self_flows!r}")
    if rescale not in (None, "origins", "destinations"):
        raise DataValidationError(
            f"rescale must be None, 'origins' or 'destinations', not {rescale!r}"
        )
    if not (math.isfinite(tol) and 0 < tol < 1):
        raise DataValidationError(f"tol must lie between 0 and 1, not {tol!r}")
    if int(max_iter) < 1:
        raise DataValidationError(f"max_iter must be at least 1, not {max_iter!r}")
    if (beta is None) == (target_mean_cost is None):
        raise DataValidationError("give exactly one of beta= or target_mean_cost=")
    if beta is not None:
        _check_beta(float(beta), deterrence)

    labels, o, d, c = _inputs(origins, destinations, cost)
    notes: list[str] = []
    o, d = _balanced_totals(o, d, rescale, tol, notes)
    allowed = _allowed_cells(labels, c, self_flows, notes)
    _check_feasible(labels, o, d, allowed, self_flows)
    model = _Model(
        labels, o, d, np.where(allowed, c, np.nan), deterrence, allowed, tol, int(max_iter)
    )

    if target_mean_cost is None:
        fit = model.fit(float(beta))  # type: ignore[arg-type]
    else:
        fit = model.calibrate(float(target_mean_cost))
        notes.append(
            f"β calibrated to the target mean cost {target_mean_cost:g}: β = {fit.beta:.6g}"
        )

    flows = pd.DataFrame(fit.t, index=list(labels), columns=list(labels))
    balancing = _balancing(labels, o, d, fit, model)
    return ODEstimate(
        flows=flows,
        beta=fit.beta,
        deterrence=deterrence,
        iterations=fit.iterations,
        margin_error=_margin_error(fit.t, o, d),
        mean_cost=model.mean_cost(fit.t),
        balancing=balancing,
        cost=pd.DataFrame(c, index=list(labels), columns=list(labels)),
        notes=tuple(notes),
        meta=make_meta(
            "doubly_constrained",
            n=len(labels),
            beta=fit.beta,
            deterrence=deterrence,
            target_mean_cost=target_mean_cost,
            self_flows=self_flows,
            rescale=rescale,
            tol=tol,
            max_iter=int(max_iter),
        ),
    )


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
def _check_beta(beta: float, deterrence: str) -> None:
    if not math.isfinite(beta):
        raise DataValidationError(f"beta must be a finite number, not {beta!r}")
    if deterrence == "power" and beta <= 0:
        raise DataValidationError(
            f"power deterrence c^(-β) needs β > 0, not {beta:g} (flows would not fall with cost)"
        )
    if beta < 0:
        raise DataValidationError(
            f"exponential deterrence e^(-βc) needs β ≥ 0, not {beta:g} (flows would rise with cost)"
        )


def _labels_of(values: Any) -> list[Hashable] | None:
    return list(values.index) if isinstance(values, pd.Series | pd.DataFrame) else None


def _no_duplicates(labels: Sequence[Hashable], what: str) -> None:
    seen: set[Hashable] = set()
    for label in labels:
        if label in seen:
            raise DuplicateError(f"region {label!r} appears more than once in the {what}")
        seen.add(label)


def _same_regions(
    reference: list[Hashable],
    ref_name: str,
    other: list[Hashable],
    name: str,
    *,
    extra_ok: bool = False,
) -> None:
    """Error naming the regions in which ``other`` differs from ``reference``.

    With ``extra_ok``, ``other`` may hold more regions than ``reference``.
    """
    _no_duplicates(other, name)
    lacking = [x for x in reference if x not in set(other)]
    extra = [] if extra_ok else [x for x in other if x not in set(reference)]
    if not (lacking or extra):
        return
    parts = []
    if lacking:
        parts.append(f"the {name} lack {lacking[:5]}" + (" …" if len(lacking) > 5 else ""))
    if extra:
        parts.append(
            f"the {name} have {extra[:5]}"
            + (" …" if len(extra) > 5 else "")
            + f" not in the {ref_name}"
        )
    raise DataValidationError(
        f"the regions of the {ref_name} and the {name} do not match: " + "; ".join(parts)
    )


def _numbers(values: Any, labels: Sequence[Hashable], what: str) -> np.ndarray:
    """A margin as floats: an error names the region with a missing or non-numeric value."""
    raw = pd.Series(np.asarray(values, dtype=object).ravel())
    x = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise DataValidationError(
            f"the {what} margin of region {labels[k]!r} is missing or not a finite number "
            f"({raw.iloc[k]!r}; {int(bad.sum())} such region(s))"
        )
    if (x < 0).any():
        k = int(np.flatnonzero(x < 0)[0])
        raise DataValidationError(
            f"the {what} margin of region {labels[k]!r} is negative ({x[k]:g})"
        )
    return x


def _square_matrix(
    matrix: pd.DataFrame | np.ndarray,
    labels: Sequence[Hashable],
    what: str,
    *,
    extra_ok: bool = False,
) -> np.ndarray:
    """A square matrix in the order of ``labels``: a DataFrame is aligned by its labels.

    Non-numeric cells become NaN (callers check the cells they use); a DataFrame must be
    labelled by the same regions on both axes (or, with ``extra_ok``, by more regions).
    """
    labels = list(labels)
    if isinstance(matrix, pd.DataFrame):
        for axis, found in (("rows", matrix.index), ("columns", matrix.columns)):
            _same_regions(labels, "regions", list(found), f"{what} {axis}", extra_ok=extra_ok)
        frame = matrix.loc[labels, labels]
    else:
        cells = np.asarray(matrix, dtype=object)
        if cells.shape != (len(labels), len(labels)):
            raise DataValidationError(
                f"the {what} matrix has shape {cells.shape}; {len(labels)} regions need "
                f"({len(labels)}, {len(labels)})"
            )
        frame = pd.DataFrame(cells)
    return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _inputs(
    origins: Any, destinations: Any, cost: Any
) -> tuple[list[Hashable], np.ndarray, np.ndarray, np.ndarray]:
    named = [
        (name, found)
        for name, found in (
            ("origins", _labels_of(origins)),
            ("destinations", _labels_of(destinations)),
            ("cost rows", _labels_of(cost)),
        )
        if found is not None
    ]
    n_o, n_d = np.size(origins), np.size(destinations)
    if named:
        ref_name, labels = named[0]
        _no_duplicates(labels, ref_name)
        for name, other in named[1:]:
            _same_regions(labels, ref_name, other, name)
    else:
        labels = list(range(n_o))
    for name, size in (("origins", n_o), ("destinations", n_d)):
        if size != len(labels):
            raise DataValidationError(
                f"{size} {name} for {len(labels)} regions: give one margin per region"
            )
    if len(labels) < 1:
        raise DataValidationError("no regions: the margins are empty")
    o = _numbers(_aligned(origins, labels), labels, "origin")
    d = _numbers(_aligned(destinations, labels), labels, "destination")
    return labels, o, d, _square_matrix(cost, labels, "cost")


def _aligned(values: Any, labels: list[Hashable]) -> Any:
    return values.loc[labels] if isinstance(values, pd.Series) else values


def _balanced_totals(
    o: np.ndarray, d: np.ndarray, rescale: str | None, tol: float, notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    total_o, total_d = float(o.sum()), float(d.sum())
    if total_o == 0 or total_d == 0:
        which = "origin" if total_o == 0 else "destination"
        raise DataValidationError(f"the {which} margins are all zero: there is no flow to estimate")
    gap = total_o - total_d
    if abs(gap) <= tol * max(total_o, total_d):
        return o, d
    pct = 100 * gap / total_d
    if rescale is None:
        raise DataValidationError(
            f"the origin total ({total_o:.10g}) and the destination total ({total_d:.10g}) "
            f"differ by {gap:+.6g} ({pct:+.4g} % of the destination total); pass "
            "rescale='origins' or rescale='destinations' to scale one side to the other"
        )
    if rescale == "origins":
        notes.append(
            f"origins rescaled by {total_d / total_o:.6g} to the destination total {total_d:.6g} "
            f"(the totals differed by {gap:+.6g}, {pct:+.4g} %)"
        )
        return o * (total_d / total_o), d
    notes.append(
        f"destinations rescaled by {total_o / total_d:.6g} to the origin total {total_o:.6g} "
        f"(the totals differed by {gap:+.6g}, {pct:+.4g} %)"
    )
    return o, d * (total_o / total_d)


def _allowed_cells(
    labels: list[Hashable], c: np.ndarray, self_flows: str, notes: list[str]
) -> np.ndarray:
    """Cells that may carry flow; errors name a pair with a missing or non-positive cost."""
    n = len(labels)
    off = ~np.eye(n, dtype=bool)
    bad = off & ~(np.isfinite(c) & (c > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        value = "missing" if not np.isfinite(c[i, j]) else f"{c[i, j]:g}"
        raise DataValidationError(
            f"the cost from {labels[i]!r} to {labels[j]!r} is {value}; costs between distinct "
            f"regions must be positive numbers ({int(bad.sum())} such pair(s))"
        )
    if self_flows == "exclude":
        notes.append("self-flows excluded: T_ii = 0 for every region")
        return off
    diag = np.diag(c)
    bad_diag = ~(np.isfinite(diag) & (diag > 0))
    if bad_diag.any():
        k = int(np.flatnonzero(bad_diag)[0])
        value = "missing" if not np.isfinite(diag[k]) else f"{diag[k]:g}"
        raise DataValidationError(
            f"self_flows='include' needs a positive cost within each region; region "
            f"{labels[k]!r} has {value}"
        )
    notes.append("self-flows included: T_ii modelled with the diagonal costs")
    return np.ones((n, n), dtype=bool)


def _check_feasible(
    labels: list[Hashable], o: np.ndarray, d: np.ndarray, allowed: np.ndarray, self_flows: str
) -> None:
    """A region with a positive margin must be able to meet it through the allowed cells."""
    reach_d = (allowed & (d > 0)[None, :]).any(axis=1)
    reach_o = (allowed & (o > 0)[:, None]).any(axis=0)
    sides = (("origin", "destination", o, reach_d), ("destination", "origin", d, reach_o))
    for side, other, margin, reach in sides:
        stuck = (margin > 0) & ~reach
        if stuck.any():
            k = int(np.flatnonzero(stuck)[0])
            raise DataValidationError(
                f"region {labels[k]!r} has a positive {side} margin ({margin[k]:g}) but no "
                f"feasible cell: every other region's {other} margin is 0 and self-flows are "
                f"{self_flows}d"
            )
    if self_flows == "exclude":
        # with only the diagonal forbidden, margins can be met iff O_i + D_i ≤ total for all i;
        # at equality every flow must start or end in i, which positive f(c) never reaches
        total = o.sum()
        used = allowed & (o > 0)[:, None] & (d > 0)[None, :]
        for k in map(int, np.flatnonzero(o + d - total >= -1e-12 * total)):
            over = o[k] + d[k] - total > 1e-12 * total
            others = np.delete(np.delete(used, k, axis=0), k, axis=1)
            if over or others.any():
                raise DataValidationError(
                    f"region {labels[k]!r} sends {o[k]:g} and receives {d[k]:g}, together "
                    + ("more than" if over else "all of")
                    + f" the total {total:g}: with self-flows excluded no flow matrix of the "
                    "model meets both margins"
                )


# --------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Fit:
    beta: float
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    shift_rows: np.ndarray
    shift_cols: np.ndarray
    iterations: int


class _Model:
    r"""The margins, costs and deterrence of one problem; fits it for any β.

    The kernel is shifted per row and column, :math:`K_{ij} = e^{-\beta (g_{ij} - r_i - s_j)}`
    with :math:`g = c` (exp) or :math:`\ln c` (power), so that every used row and column holds a
    1 and nothing under- or overflows; the shifts are absorbed into the balancing factors.
    """

    def __init__(
        self,
        labels: list[Hashable],
        o: np.ndarray,
        d: np.ndarray,
        c: np.ndarray,
        deterrence: str,
        allowed: np.ndarray,
        tol: float,
        max_iter: int,
    ) -> None:
        self.labels, self.o, self.d, self.c, self.deterrence = labels, o, d, c, deterrence
        self.tol, self.max_iter = tol, max_iter
        self.used = allowed & (o > 0)[:, None] & (d > 0)[None, :]
        g = np.log(c) if deterrence == "power" else c
        g = np.where(self.used, g, np.inf)
        rows = g.min(axis=1)
        self.shift_rows = np.where(np.isfinite(rows), rows, 0.0)
        cols = (g - self.shift_rows[:, None]).min(axis=0)
        self.shift_cols = np.where(np.isfinite(cols), cols, 0.0)
        self.excess = np.where(self.used, g - self.shift_rows[:, None] - self.shift_cols, 0.0)
        self._warm: np.ndarray | None = None

    def fit(self, beta: float) -> _Fit:
        """Balance the model for ``beta`` (Furness iterations, vectorised)."""
        kernel = np.where(self.used, np.exp(-beta * self.excess), 0.0)
        o, d = self.o, self.d
        y = np.ones_like(d) if self._warm is None else self._warm.copy()
        iteration = 0
        while True:
            iteration += 1
            with np.errstate(over="ignore"):
                x = _ratio(o, kernel @ y)
                y = _ratio(d, kernel.T @ x)
            if not (np.isfinite(x).all() and np.isfinite(y).all()):
                raise self._stopped(
                    beta, iteration, math.inf, x, kernel, y, "the balancing factors overflow"
                )
            rows = x * (kernel @ y)
            error = float(np.max(np.abs(rows - o)[o > 0] / o[o > 0]))
            if error <= self.tol:
                break
            if iteration == self.max_iter:
                raise self._stopped(
                    beta, iteration, error, x, kernel, y, "raise max_iter or check the margins"
                )
        self._warm = y
        t = x[:, None] * kernel * y[None, :]
        return _Fit(beta, t, x, y, self.shift_rows, self.shift_cols, iteration)

    def _stopped(
        self,
        beta: float,
        iteration: int,
        error: float,
        x: np.ndarray,
        kernel: np.ndarray,
        y: np.ndarray,
        hint: str,
    ) -> ConvergenceError:
        """The error of a balancing that stopped, carrying its last state."""
        with np.errstate(invalid="ignore", over="ignore"):
            last = x[:, None] * kernel * y[None, :]
        return ConvergenceError(
            f"balancing did not converge for β = {beta:.6g}: after {iteration} iterations the "
            f"largest relative margin error is {error:.3g} (tolerance {self.tol:g}); {hint}",
            iterations=iteration,
            margin_error=error,
            beta=beta,
            flows=pd.DataFrame(last, index=self.labels, columns=self.labels),
        )

    def mean_cost(self, t: np.ndarray) -> float:
        r""":math:`\sum T_{ij} c_{ij} / \sum T_{ij}` over the cells that carry flow."""
        return float(np.sum(np.where(self.used, t * np.nan_to_num(self.c), 0.0)) / t.sum())

    def calibrate(self, target: float) -> _Fit:
        """β with mean cost ``target``: Brent's method on a bracket grown from β = 0.

        The mean cost falls from its value at β = 0 (no deterrence) towards the cost of the
        cheapest transport plan as β → ∞; a target outside that range is an error giving it.
        """
        if not (math.isfinite(target) and target > 0):
            raise DataValidationError(f"target_mean_cost must be a positive number, not {target!r}")
        free = self.fit(0.0)
        top = self.mean_cost(free.t)
        if self.deterrence == "exp" and abs(target - top) <= 1e-12 * top:
            return free
        if target >= top:
            raise self._out_of_reach(target, top)

        def gap(beta: float) -> float:
            return self.mean_cost(self.fit(beta).t) - target

        steps = self.excess[self.used & (self.excess > 0)]
        if not steps.size:  # all costs alike: the mean cost does not depend on β
            raise self._out_of_reach(target, top)
        low, high = 0.0, 1.0 / float(steps.max())
        try:
            while gap(high) > 0:
                if high * steps.min() > 800:  # e^(−β step) is 0: larger β change nothing
                    raise self._out_of_reach(target, top)
                low, high = high, 2 * high
        except ConvergenceError:
            if target <= self.least_mean_cost() * (1 + 1e-9):
                raise self._out_of_reach(target, top) from None
            raise
        beta = float(optimize.brentq(gap, low, high, xtol=1e-14, rtol=1e-12))
        self._warm = None  # the final fit from a cold start: as if β had been given
        return self.fit(beta)

    def _out_of_reach(self, target: float, top: float) -> DataValidationError:
        bottom = self.least_mean_cost()
        closed = "]" if self.deterrence == "exp" else ")"
        near = " (too close to its lower end)" if bottom < target < top else ""
        return DataValidationError(
            f"target_mean_cost {target:g} is out of reach{near}: the achievable mean costs lie "
            f"in ({bottom:.6g}, {top:.6g}{closed} (β from ∞ down to 0)"
        )

    def least_mean_cost(self) -> float:
        """The mean cost as β → ∞: the minimum-cost transport plan meeting both margins (LP)."""
        n = len(self.o)
        i, j = np.nonzero(self.used)
        cells = np.arange(i.size)
        a_eq = sparse.vstack(
            [
                sparse.csr_array((np.ones(i.size), (i, cells)), shape=(n, i.size)),
                sparse.csr_array((np.ones(i.size), (j, cells)), shape=(n, i.size)),
            ]
        )
        plan = optimize.linprog(
            self.c[i, j], A_eq=a_eq, b_eq=np.concatenate([self.o, self.d]), method="highs"
        )
        return float(plan.fun / self.o.sum())


def _ratio(margin: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """The ratio margin / denominator, 0 where the margin is 0."""
    out = np.zeros_like(margin)
    np.divide(margin, denominator, out=out, where=(margin > 0) & (denominator > 0))
    return out


def _margin_error(t: np.ndarray, o: np.ndarray, d: np.ndarray) -> float:
    """Largest relative error of any positive origin or destination margin."""
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    return float(
        max(
            np.max(np.abs(rows - o)[o > 0] / o[o > 0]),
            np.max(np.abs(cols - d)[d > 0] / d[d > 0]),
        )
    )


def _balancing(
    labels: list[Hashable], o: np.ndarray, d: np.ndarray, fit: _Fit, model: _Model
) -> pd.DataFrame:
    """A_i and B_j of :math:`T_{ij} = A_i O_i B_j D_j f(c_{ij})`, B with geometric mean 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a = np.log(fit.x) + fit.beta * model.shift_rows - np.log(o)
        log_b = np.log(fit.y) + fit.beta * model.shift_cols - np.log(d)
    log_a = np.where(o > 0, log_a, np.nan)
    log_b = np.where(d > 0, log_b, np.nan)
    level = float(np.nanmean(log_b))
    return pd.DataFrame(
        {
            "region": list(labels),
            "A": np.exp(log_a + level),
            "B": np.exp(log_b - level),
        }
    )
