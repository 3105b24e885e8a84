r"""QAP correlation and MRQAP regression between relational matrices of the same regions.

The cells of an n × n matrix are not independent observations (every row and column shares a
region), so ordinary p-values mislead. The quadratic assignment procedure (Krackhardt 1988,
*Social Networks* 10:359–381) keeps that dependence under the null by permuting the *regions*:
one permutation π of the node order is applied to the rows and the columns of a matrix together,
:math:`Y^\pi_{ij} = Y_{\pi(i)\pi(j)}`.

- :func:`qap_correlation`: Pearson correlation of the off-diagonal cells, with permutation
  p-values (``y`` is permuted).
- :func:`mrqap`: OLS of one matrix on several (with an intercept) on the off-diagonal cells;
  coefficients equal OLS on the vectorised cells. Inference on each coefficient's t statistic
  (pivotal, as Dekker, Krackhardt & Snijders 2007, *Psychometrika* 72:563–581 recommend) by
  ``method="dsp"`` (double semi-partialling: permute the residuals of x_k regressed on the other
  predictors, then refit) or ``method="y"`` (permute y, refit).

Permutations: the p-th permutation is column p of
``nqpf._random.permutation_batches(numpy.arange(n), permutations, RandomSource.from_seed(seed)
.generator())``; the same permutations serve every coefficient. p-values are
:math:`(M + 1)/(P + 1)` (Hope 1968): ``p_greater`` counts permuted statistics ≥ the observed one,
``p_less`` those ≤ it, ``p_two_sided`` is twice the smaller one-sided p-value, capped at 1.
When every matrix is symmetric only the cells above the diagonal are used (each pair once).
The diagonal is always ignored.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf._random import (
    RandomSource,
    Seed,
    check_permutations,
    permutation_batches,
    pseudo_p,
    tail_counts,
)
from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.results import Result, Summary, make_meta

__all__ = ["MRQAP", "QAPCorrelation", "mrqap", "qap_correlation"]

#: Cells (matrix entries × permutations) gathered at once when permuting.
_CHUNK_CELLS = 2_000_000


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cells:
    """Matrices of the same regions, aligned, with the cells that enter the analysis."""

    labels: tuple[Hashable, ...]
    matrices: dict[str, np.ndarray]
    rows: np.ndarray
    cols: np.ndarray
    symmetric: bool
    notes: tuple[str, ...]

    def vector(self, name: str) -> np.ndarray:
        return self.matrices[name][self.rows, self.cols]

    def inner(self, vectors: np.ndarray, matrix: np.ndarray, perms: list[np.ndarray]) -> np.ndarray:
        """Inner products of ``vectors`` (q × cells) with the permuted cells of ``matrix``.

        Returns q × P: column p is Σ_cells v_ij · matrix[π(i), π(j)] for the p-th permutation π
        (the columns of the batches in ``perms``). Each permuted matrix is gathered whole by one
        flat index and the unanalysed cells get weight 0.
        """
        n = matrix.shape[0]
        weights = np.zeros((vectors.shape[0], n * n))
        weights[:, self.rows * n + self.cols] = vectors
        flat = matrix.ravel()
        step = max(1, _CHUNK_CELLS // (n * n))
        out = [np.empty((vectors.shape[0], 0))]
        for batch in perms:
            for start in range(0, batch.shape[1], step):
                block = np.ascontiguousarray(batch[:, start : start + step].T)
                index = (block[:, :, None] * n + block[:, None, :]).reshape(len(block), n * n)
                out.append((flat[index] @ weights.T).T)
        return np.concatenate(out, axis=1)


def _as_matrix(name: str, value: Any) -> tuple[tuple[Hashable, ...] | None, np.ndarray]:
    if isinstance(value, FlowNetwork):
        return value.labels, np.array(value.weights, dtype=float)
    if isinstance(value, pd.DataFrame):
        if set(value.columns) != set(value.index) or len(value.columns) != len(value.index):
            raise DataValidationError(
                f"matrix {name!r}: its columns must be the same regions as its rows"
            )
        ordered = value.loc[:, list(value.index)]
        frame = ordered.apply(pd.to_numeric, errors="coerce")
        text = (frame.isna() & ordered.notna()).to_numpy()
        if text.any():
            i, j = np.argwhere(text)[0]
            raise DataValidationError(
                f"matrix {name!r}: cell ({value.index[i]!r}, {value.index[j]!r}) is not a "
                f"number: {ordered.iat[i, j]!r}"
            )
        return tuple(value.index), frame.to_numpy(dtype=float)
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(f"matrix {name!r} is not numeric: {exc}") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise DataValidationError(f"matrix {name!r} must be square; got shape {array.shape}")
    return None, array


def _cells(named: Mapping[str, Any]) -> _Cells:
    """Align the matrices on the first one's labels and pick the analysed cells."""
    labels: tuple[Hashable, ...] | None = None
    matrices: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for name, value in named.items():
        own, array = _as_matrix(name, value)
        if own is not None:
            if labels is None:
                labels = own
            elif set(own) != set(labels) or len(own) != len(labels):
                extra = sorted(map(str, set(own) ^ set(labels)))
                raise DataValidationError(
                    f"matrix {name!r} has other regions than the first labelled matrix "
                    f"(differing: {extra[:5]})"
                )
            elif own != labels:
                position = {label: k for k, label in enumerate(own)}
                idx = np.array([position[x] for x in labels])
                array = array[np.ix_(idx, idx)]
                notes.append(f"matrix {name!r} reordered to the regions of the first")
        matrices[name] = array
    shapes = {a.shape for a in matrices.values()}
    if len(shapes) != 1:
        raise DataValidationError(
            "the matrices must have the same shape; got "
            + ", ".join(f"{k}: {a.shape}" for k, a in matrices.items())
        )
    n = next(iter(shapes))[0]
    if n < 3:
        raise DataValidationError(f"QAP needs at least 3 regions; got {n}")
    if labels is None:
        labels = tuple(range(n))
    off = ~np.eye(n, dtype=bool)
    for name, array in matrices.items():
        bad = off & ~np.isfinite(array)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataValidationError(
                f"matrix {name!r}: cell ({labels[i]!r}, {labels[j]!r}) is {array[i, j]}; "
                f"off-diagonal cells must be finite numbers ({int(bad.sum())} such cells)"
            )
        matrices[name] = np.where(off, array, 0.0)
    symmetric = all(np.array_equal(a, a.T) for a in matrices.values())
    if symmetric:
        rows, cols = np.triu_indices(n, 1)
        notes.append(f"all matrices symmetric: the {rows.size} pairs above the diagonal are used")
    else:
        rows, cols = np.nonzero(off)
    for name in matrices:
        values = matrices[name][rows, cols]
        if np.ptp(values) == 0:
            raise DataValidationError(
                f"matrix {name!r} is constant off the diagonal ({values[0]:g}); a QAP "
                "statistic needs cells that vary"
            )
    return _Cells(labels, matrices, rows, cols, symmetric, tuple(notes))


def _permutations(n: int, permutations: int, source: RandomSource) -> Iterator[np.ndarray]:
    return permutation_batches(np.arange(n), permutations, source.generator())


def _p_values(
    simulated: np.ndarray, observed: np.ndarray, permutations: int
) -> dict[str, np.ndarray]:
    """One-sided and two-sided (M + 1)/(P + 1) p-values, row-wise over ``simulated``."""
    if permutations == 0:
        nan = np.full(observed.shape, np.nan)
        return {"p_greater": nan, "p_less": nan, "p_two_sided": nan}
    n_ge, n_le = tail_counts(simulated, observed[:, None], axis=1)
    return {
        alt_name: pseudo_p(n_ge, n_le, permutations, alt)
        for alt_name, alt in (
            ("p_greater", "greater"),
            ("p_less", "less"),
            ("p_two_sided", "two-sided"),
        )
    }


# --------------------------------------------------------------------------------------------
# QAP correlation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QAPCorrelation(Result):
    """Pearson correlation of two matrices' off-diagonal cells with QAP p-values."""

    correlation: float
    p_greater: float
    p_less: float
    p_two_sided: float
    simulated_mean: float
    simulated_sd: float
    permutations: int
    n: int
    cells: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row: ``correlation``, the three p-values, permutation moments, sizes."""
        cols = [
            "correlation",
            "p_greater",
            "p_less",
            "p_two_sided",
            "simulated_mean",
            "simulated_sd",
            "permutations",
            "n",
            "cells",
        ]
        return pd.DataFrame([[getattr(self, c) for c in cols]], columns=cols)

    def summary(self) -> Summary:
        """The correlation and its permutation p-values."""
        table = pd.DataFrame(
            {
                "值 Value": [
                    self.correlation,
                    self.p_greater,
                    self.p_less,
                    self.p_two_sided,
                    self.simulated_mean,
                    self.simulated_sd,
                ]
            },
            index=[
                "相关系数 Correlation",
                "P(≥) p_greater",
                "P(≤) p_less",
                "双侧 P two-sided",
                "置换均值 Permuted mean",
                "置换标准差 Permuted SD",
            ],
        )
        notes = (f"n = {self.n} regions, {self.cells} cells, {self.permutations} permutations.",)
        return Summary("QAP 相关分析 QAP correlation", (("", table),), notes + self.notes)


def qap_correlation(x: Any, y: Any, *, permutations: int = 2000, seed: Seed = 0) -> QAPCorrelation:
    """QAP correlation (Krackhardt 1988): Pearson r of the off-diagonal cells of ``x`` and ``y``.

    ``x`` and ``y`` are labelled square DataFrames, :class:`FlowNetwork` s or arrays of the same
    shape (arrays are taken in the order of the labelled input). ``y`` is permuted jointly by
    rows and columns; see the module notes for the permutations and p-values.

    >>> x = np.arange(36.0).reshape(6, 6)
    >>> result = qap_correlation(x, 2 * x + 1, permutations=99, seed=1)
    >>> round(result.correlation, 12), result.p_greater
    (1.0, 0.01)
    """
    permutations = check_permutations(permutations)
    source = RandomSource.from_seed(seed)
    cells = _cells({"x": x, "y": y})
    xv = cells.vector("x")
    yv = cells.vector("y")
    xc = xv - xv.mean()
    yc = yv - yv.mean()
    scale = np.linalg.norm(xc) * np.linalg.norm(yc)
    observed = float(xc @ yc / scale)
    # xc sums to 0 and a joint permutation only reorders the analysed cells of y, so the
    # permuted correlation is xc · y^π / (‖xc‖ ‖yc‖)
    perms = list(_permutations(len(cells.labels), permutations, source))
    simulated = cells.inner(xc[None, :], cells.matrices["y"], perms)[0] / scale
    p = _p_values(simulated[None, :], np.array([observed]), permutations)
    return QAPCorrelation(
        correlation=observed,
        p_greater=float(p["p_greater"][0]),
        p_less=float(p["p_less"][0]),
        p_two_sided=float(p["p_two_sided"][0]),
        simulated_mean=float(simulated.mean()) if permutations else np.nan,
        simulated_sd=float(simulated.std(ddof=1)) if permutations > 1 else np.nan,
        permutations=permutations,
        n=len(cells.labels),
        cells=int(cells.rows.size),
        notes=cells.notes,
        meta=make_meta(
            "qap_correlation",
            permutations=permutations,
            seed=source.record,
            permuted="y (rows and columns jointly)",
        ),
    )


# --------------------------------------------------------------------------------------------
# MRQAP
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MRQAP(Result):
    """Multiple regression QAP: OLS on the off-diagonal cells with permutation p-values.

    ``coefficients`` has one row per term (``intercept`` first, no p-value): ``term``,
    ``coefficient``, ``standardized`` (β·sd(x)/sd(y)), ``std_error`` and ``t`` (OLS formulas,
    for reference only), ``p_greater``, ``p_less``, ``p_two_sided`` (permutation p-values of t).
    """

    coefficients: pd.DataFrame
    r_squared: float
    adj_r_squared: float
    method: str
    permutations: int
    n: int
    cells: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table."""
        return self.coefficients.copy()

    def summary(self) -> Summary:
        """Coefficients with their permutation p-values, and the fit."""
        notes = (
            f"R² = {self.r_squared:.4f}, adjusted R² = {self.adj_r_squared:.4f}; n = {self.n} "
            f"regions, {self.cells} cells; {self.permutations} permutations "
            f"({'double semi-partialling' if self.method == 'dsp' else 'Y-permutation'}).",
        )
        return Summary(
            "QAP 回归 MRQAP regression",
            (("", self.coefficients.set_index("term")),),
            notes + self.notes,
        )


def mrqap(
    y: Any,
    predictors: Mapping[str, Any],
    *,
    method: Literal["dsp", "y"] = "dsp",
    permutations: int = 2000,
    seed: Seed = 0,
) -> MRQAP:
    """MRQAP regression of ``y`` on ``predictors`` (name → matrix), with an intercept.

    Coefficients are OLS on the analysed cells. Each slope's t statistic is compared with its
    permutation distribution: ``method="dsp"`` (Dekker et al. 2007) permutes the residual matrix
    of x_k regressed on the other predictors and refits y on the others and the permuted
    residuals; ``method="y"`` permutes y and refits on all predictors. See the module notes.

    >>> x = np.array([[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]])
    >>> y = 3 * x + np.array([[0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 1], [1, 1, 1, 0]])
    >>> fit = mrqap(y, {"x": x}, permutations=99, seed=1)
    >>> fit.coefficients[["term", "coefficient"]].round(4).to_numpy().tolist()
    [['intercept', 0.4667], ['x', 3.0571]]
    """
    if method not in ("dsp", "y"):
        raise DataValidationError(f"method must be 'dsp' or 'y', not {method!r}")
    if not predictors:
        raise DataValidationError("mrqap needs at least one predictor matrix")
    names = list(predictors)
    if "y" in names or "intercept" in names:
        raise DataValidationError("a predictor may not be named 'y' or 'intercept'")
    permutations = check_permutations(permutations)
    source = RandomSource.from_seed(seed)
    cells = _cells({"y": y, **predictors})
    yv = cells.vector("y")
    m, k = yv.size, len(names)
    if m <= k + 1:
        raise DataValidationError(f"{m} cells for {k + 1} coefficients: too few cells")
    X = np.column_stack([np.ones(m), *(cells.vector(name) for name in names)])
    if np.linalg.matrix_rank(X) < k + 1:
        raise DataValidationError(
            f"the predictors {names} are collinear on the analysed cells; drop one"
        )
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ X.T @ yv
    resid = yv - X @ beta
    rss = float(resid @ resid)
    dof = m - k - 1
    se = np.sqrt(rss / dof * np.diag(xtx_inv))
    t = beta / se
    tss = float(((yv - yv.mean()) ** 2).sum())
    r2 = 1 - rss / tss
    n = len(cells.labels)
    perms = list(_permutations(n, permutations, source))
    simulated = np.empty((k, permutations))
    if method == "y":
        simulated[:] = _t_under_y_permutation(cells, X, xtx_inv, perms)
    else:
        for slot in range(k):
            simulated[slot] = _t_under_dsp(cells, X, yv, slot + 1, perms)
    p = _p_values(simulated, t[1:], permutations)
    sd = X[:, 1:].std(axis=0, ddof=1) / yv.std(ddof=1)
    table = pd.DataFrame(
        {
            "term": ["intercept", *names],
            "coefficient": beta,
            "standardized": np.r_[np.nan, beta[1:] * sd],
            "std_error": se,
            "t": t,
            **{key: np.r_[np.nan, value] for key, value in p.items()},
        }
    )
    return MRQAP(
        coefficients=table,
        r_squared=r2,
        adj_r_squared=1 - (1 - r2) * (m - 1) / dof,
        method=method,
        permutations=permutations,
        n=n,
        cells=m,
        notes=cells.notes,
        meta=make_meta(
            "mrqap",
            permutation=method,
            permutations=permutations,
            seed=source.record,
            statistic="t",
        ),
    )


def _t_under_y_permutation(
    cells: _Cells, X: np.ndarray, xtx_inv: np.ndarray, perms: list[np.ndarray]
) -> np.ndarray:
    """The slopes' t statistics with y permuted (refit on all of X), a column per permutation."""
    m, q = X.shape
    yv = cells.vector("y")
    yy = float(yv @ yv)  # a joint permutation only reorders the analysed cells
    xty = cells.inner(X.T, cells.matrices["y"], perms)
    beta = xtx_inv @ xty
    rss = yy - (beta * xty).sum(axis=0)
    se = np.sqrt(np.maximum(rss, 0) / (m - q) * np.diag(xtx_inv)[:, None])
    return beta[1:] / se[1:]


def _t_under_dsp(
    cells: _Cells, X: np.ndarray, yv: np.ndarray, col: int, perms: list[np.ndarray]
) -> np.ndarray:
    """The t statistic of the permuted residual of X[:, col] (Frisch–Waugh–Lovell).

    With Z the other columns and e the residual, for each permuted e^π:
    β = e^π'M_Z y / e^π'M_Z e^π, RSS = y'M_Z y − β² e^π'M_Z e^π, t = β / √(RSS/(m−q) / e^π'M_Z e^π).
    """
    m, q = X.shape
    Z = np.delete(X, col, axis=1)
    ztz_inv = np.linalg.inv(Z.T @ Z)
    e = X[:, col] - Z @ (ztz_inv @ (Z.T @ X[:, col]))
    ry = yv - Z @ (ztz_inv @ (Z.T @ yv))
    ryy = float(ry @ ry)
    ee = float(e @ e)  # a joint permutation only reorders the analysed cells
    residual = np.zeros_like(cells.matrices["y"])
    residual[cells.rows, cells.cols] = e
    if cells.symmetric:
        residual[cells.cols, cells.rows] = e
    products = cells.inner(np.vstack([Z.T, ry]), residual, perms)
    zte, num = products[:-1], products[-1]
    den = ee - (zte * (ztz_inv @ zte)).sum(axis=0)
    beta = num / den
    rss = ryy - beta * num
    return beta / np.sqrt(np.maximum(rss, 0) / (m - q) / den)
