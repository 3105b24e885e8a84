r"""Direct, indirect and total effects of spatial panel models (LeSage & Pace 2009).

For the spatial lag and spatial Durbin models the effect of a change in explanatory variable
:math:`x_k` is the matrix

.. math::

    S_k(W) = (I - \rho W)^{-1} (I \beta_k + W \theta_k),

whose mean diagonal element is the *direct* effect, whose mean row sum is the *total* effect, and
whose difference is the *indirect* (spill-over) effect. Everything is computed from the
eigenvalues :math:`\omega_i` of :math:`W`, computed once, so that thousands of simulated
parameter draws cost almost nothing:

.. math::

    \frac{1}{n}\operatorname{tr}(I - \rho W)^{-1} = \frac{1}{n}\sum_i \frac{1}{1-\rho\omega_i},
    \qquad
    \frac{1}{n}\operatorname{tr}[(I - \rho W)^{-1} W] = \frac{1}{n}\sum_i
    \frac{\omega_i}{1-\rho\omega_i},

and, for a row-standardised :math:`W`, the total effect is :math:`(\beta_k+\theta_k)/(1-\rho)`.
(The trace identities hold for any square matrix; for a :math:`W` that is not row-standardised the
mean row sums use its eigenvectors, or one linear solve per draw when they are ill-conditioned.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from nqpf.econometrics._data import is_row_standardised

__all__ = ["LogdetOperator", "Spectrum", "impacts", "simulate_impacts", "symmetrizer"]


class LogdetOperator(Protocol):
    """What the estimator and the effects need of :math:`W`.

    :class:`Spectrum` (dense, exact) or :class:`~nqpf.econometrics.logdet.SparseLogdet` (sparse).
    """

    matrix: Any
    bounds: tuple[float, float]
    row_standardised: bool

    @property
    def n(self) -> int:
        """Number of regions."""

    def logdet(self, rho: float | np.ndarray) -> np.ndarray:
        r""":math:`\ln|I - \rho W|`, vectorised."""

    def logdet_derivatives(self, rho: float) -> tuple[float, float]:
        """First and second derivatives of :meth:`logdet`."""

    def mean_diagonals(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean diagonals of :math:`(I-\rho W)^{-1}` and :math:`(I-\rho W)^{-1}W`."""

    def mean_row_sums(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean row sums of :math:`(I-\rho W)^{-1}` and :math:`(I-\rho W)^{-1}W`."""


@dataclass
class Spectrum:
    r"""Eigenvalues of a spatial weights matrix and the quantities derived from them.

    Parameters
    ----------
    matrix
        ``n × n`` spatial weights.

    Attributes
    ----------
    eigenvalues
        Real array when the imaginary parts are negligible, complex otherwise.
    bounds
        Admissible interval :math:`(1/\omega_{min}, 1/\omega_{max})` of :math:`\rho`
        (:math:`\omega` the real eigenvalues); the upper bound is 1 for a row-standardised
        :math:`W`.

    Examples
    --------
    >>> W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    >>> s = Spectrum(W)
    >>> np.round(s.bounds, 6).tolist()
    [-1.0, 1.0]
    >>> exact = np.log(np.linalg.det(np.eye(3) - 0.5 * W))
    >>> bool(np.isclose(s.logdet(0.5), exact, atol=1e-12))
    True
    """

    matrix: np.ndarray = field(repr=False)
    eigenvalues: np.ndarray = field(init=False, repr=False)
    row_standardised: bool = field(init=False)
    bounds: tuple[float, float] = field(init=False)
    _vectors: tuple[np.ndarray, ...] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        matrix = self.matrix
        scaling = symmetrizer(matrix)
        if scaling is not None:  # W similar to a symmetric matrix: real spectrum, eigvalsh
            root = np.sqrt(scaling)
            values = np.linalg.eigvalsh(root[:, None] * matrix / root[None, :]).astype(complex)
        else:
            values = np.linalg.eigvals(matrix)
        scale = max(1.0, float(np.abs(values).max()))
        if np.all(np.abs(values.imag) <= 1e-10 * scale):
            self.eigenvalues = values.real.copy()
        else:
            self.eigenvalues = values
        real = values.real[np.abs(values.imag) <= 1e-10 * scale]
        self.row_standardised = is_row_standardised(matrix)
        upper = 1.0 if self.row_standardised else 1.0 / float(real.max())
        lower = 1.0 / float(real.min()) if real.min() < 0 else -upper
        self.bounds = (lower, upper)

    @property
    def n(self) -> int:
        """Number of regions."""
        return int(self.matrix.shape[0])

    def logdet(self, rho: float | np.ndarray) -> np.ndarray:
        r""":math:`\ln|I - \rho W| = \sum_i \ln|1 - \rho\omega_i|` (vectorised over ``rho``)."""
        r = np.asarray(rho, dtype=float)[..., None]
        return np.log(np.abs(1.0 - r * self.eigenvalues)).sum(axis=-1)

    def logdet_derivatives(self, rho: float) -> tuple[float, float]:
        """First and second derivatives of :meth:`logdet` at ``rho``."""
        g = self.eigenvalues / (1.0 - rho * self.eigenvalues)
        return float(-np.sum(g).real), float(-np.sum(g * g).real)

    def mean_diagonals(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean diagonal of :math:`(I-\rho W)^{-1}` and of :math:`(I-\rho W)^{-1}W`."""
        r = np.asarray(rho, dtype=float)[..., None]
        inverse = 1.0 / (1.0 - r * self.eigenvalues)
        return inverse.mean(axis=-1).real, (self.eigenvalues * inverse).mean(axis=-1).real

    def mean_row_sums(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean row sum of :math:`(I-\rho W)^{-1}` and of :math:`(I-\rho W)^{-1}W`."""
        rho = np.asarray(rho, dtype=float)
        if self.row_standardised:
            total = 1.0 / (1.0 - rho)
            return total, total
        vectors = self._eigenvectors()
        n = self.n
        ones = np.ones(n)
        if vectors is None:  # ill-conditioned eigenvectors: solve per value
            flat = np.atleast_1d(rho).ravel()
            out1, out2 = np.empty(flat.size), np.empty(flat.size)
            w1 = self.matrix @ ones
            for i, r in enumerate(flat):
                A = np.eye(n) - r * self.matrix
                s = np.linalg.solve(A, np.column_stack([ones, w1]))
                out1[i], out2[i] = s.sum(axis=0) / n
            return out1.reshape(rho.shape), out2.reshape(rho.shape)
        values, left, right1, right2 = vectors
        inverse = 1.0 / (1.0 - rho[..., None] * values)
        return (
            (inverse * left * right1).sum(axis=-1).real / n,
            (inverse * left * right2).sum(axis=-1).real / n,
        )

    def _eigenvectors(self) -> tuple[np.ndarray, ...] | None:
        if self._vectors is None:
            values, V = np.linalg.eig(self.matrix)
            if np.linalg.cond(V) > 1e8:
                return None
            ones = np.ones(self.n)
            left = ones @ V
            right1 = np.linalg.solve(V, ones)
            right2 = np.linalg.solve(V, self.matrix @ ones)
            self._vectors = (values, left, right1, right2)
        return self._vectors


def symmetrizer(matrix: Any, tol: float = 1e-12) -> np.ndarray | None:
    r"""Positive :math:`d` with :math:`\operatorname{diag}(d)\,W` symmetric, or ``None``.

    ``matrix`` is a dense array or a scipy sparse matrix (handled without densifying).

    A row-standardised symmetric matrix :math:`W = D^{-1}C` has :math:`d = ` the row sums of
    :math:`C`; then :math:`D^{1/2} W D^{-1/2}` is symmetric with the eigenvalues of :math:`W`,
    which are therefore real and computed with a symmetric eigensolver (faster and exact to
    rounding). :math:`d` is propagated along a breadth-first spanning tree of each connected
    component (:math:`d_j = d_i w_{ij} / w_{ji}`) and then verified on every link.

    Examples
    --------
    >>> C = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float)
    >>> d = symmetrizer(C / C.sum(axis=1, keepdims=True))
    >>> np.round(d / d[0], 6).tolist()
    [1.0, 0.5, 0.5]
    >>> symmetrizer(np.array([[0, 1.0, 0], [0, 0, 1], [1, 0, 0]])) is None
    True
    """
    from scipy import sparse
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    n = matrix.shape[0]
    if sparse.issparse(matrix):
        W = sparse.csr_array(matrix, copy=True)  # eliminate_zeros works in place
        W.eliminate_zeros()
        pattern = sparse.csr_array((np.ones(W.nnz), W.indices, W.indptr), shape=W.shape)
        if (pattern != pattern.T).nnz:
            return None
        graph = pattern
        coo = W.tocoo()
        keys = coo.row.astype(np.int64) * n + coo.col
        order_keys = np.argsort(keys)
        keys, data = keys[order_keys], coo.data[order_keys]

        def entries(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
            return data[np.searchsorted(keys, rows.astype(np.int64) * n + cols)]

    else:
        mask = matrix != 0
        if not np.array_equal(mask, mask.T):
            return None
        graph = sparse.csr_array(mask.astype(float))

        def entries(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
            return matrix[rows, cols]

    count, labels = connected_components(graph, directed=False)
    d = np.zeros(n)
    for component in range(count):
        root = int(np.flatnonzero(labels == component)[0])
        order, parent = breadth_first_order(graph, root, directed=False)
        d[root] = 1.0
        nodes = order[1:]
        forward, backward = entries(parent[nodes], nodes), entries(nodes, parent[nodes])
        for node, p, f, b in zip(nodes, parent[nodes], forward, backward, strict=True):
            d[node] = d[p] * f / b
    if not np.all(d > 0) or not np.all(np.isfinite(d)):
        return None
    if sparse.issparse(matrix):
        S = sparse.diags_array(d) @ sparse.csr_array(matrix)
        gap = abs(S - S.T).max() if S.nnz else 0.0
        top = abs(S).max() if S.nnz else 0.0
    else:
        S = d[:, None] * matrix
        gap, top = np.max(np.abs(S - S.T)), np.abs(S).max()
    if gap > tol * max(1.0, float(top)):
        return None
    return d


def impacts(
    beta: np.ndarray,
    theta: np.ndarray,
    rho: float | np.ndarray,
    spectrum: LogdetOperator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Direct, indirect and total effects of a spatial lag / Durbin model.

    Parameters
    ----------
    beta, theta
        Coefficients of :math:`X` and :math:`WX`, shape ``(..., k)`` (``theta`` zero for SAR).
    rho
        Spatial autoregressive parameter, shape ``(...)``.
    spectrum
        :class:`Spectrum` (or sparse operator) of :math:`W`.

    Returns
    -------
    direct, indirect, total
        Arrays of shape ``(..., k)``.

    Notes
    -----
    .. math::

        \bar M_{direct} = n^{-1}\operatorname{tr} S_k(W), \quad
        \bar M_{total} = n^{-1} \iota' S_k(W) \iota, \quad
        \bar M_{indirect} = \bar M_{total} - \bar M_{direct}

    (LeSage & Pace 2009, *Introduction to Spatial Econometrics*, CRC Press, §2.7).

    Examples
    --------
    >>> W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    >>> d, i, t = impacts(np.array([1.0]), np.array([0.5]), 0.4, Spectrum(W))
    >>> S = np.linalg.inv(np.eye(3) - 0.4 * W) @ (np.eye(3) * 1.0 + W * 0.5)
    >>> bool(np.isclose(d[0], np.trace(S) / 3) and np.isclose(t[0], S.sum() / 3))
    True
    """
    rho = np.asarray(rho, dtype=float)
    m1, m2 = spectrum.mean_diagonals(rho)
    t1, t2 = spectrum.mean_row_sums(rho)
    beta = np.asarray(beta, dtype=float)
    theta = np.asarray(theta, dtype=float)
    direct = beta * m1[..., None] + theta * m2[..., None]
    total = beta * np.asarray(t1)[..., None] + theta * np.asarray(t2)[..., None]
    return direct, total - direct, total


def simulate_impacts(
    beta: np.ndarray,
    theta: np.ndarray,
    rho: float,
    cov: np.ndarray,
    spectrum: LogdetOperator,
    names: list[str],
    draws: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, int]]:
    r"""Effects with simulated standard errors (LeSage & Pace 2009, ch. 2; Elhorst 2014, ch. 2).

    The parameters :math:`(\beta, \theta, \rho)` are drawn ``draws`` times from
    :math:`N(\hat\beta, \hat\theta, \hat\rho; \hat V)`; draws with :math:`\rho` outside
    the admissible interval are replaced by new draws. The standard error of an effect is the
    standard deviation of its simulated values; the point estimate is the effect at the
    estimated parameters and the p-value is two-sided normal on estimate / standard error.

    Parameters
    ----------
    beta, theta, rho
        Estimated coefficients of :math:`X` and :math:`WX` (zeros for SAR) and :math:`\rho`.
    cov
        Covariance of ``(beta, theta, rho)`` in that order (``theta`` absent for SAR).
    spectrum
        :class:`Spectrum` (or sparse operator) of :math:`W`.
    names
        Names of the explanatory variables (index of the table).
    draws
        Number of parameter draws.
    rng
        Random generator of the draws.

    Returns
    -------
    table, info
        The effects table and ``{"draws": ..., "replaced_draws": ...}``.
    """
    k = len(beta)
    durbin = theta is not None and len(theta) == k and cov.shape[0] == 2 * k + 1
    mean = np.concatenate([beta, theta, [rho]]) if durbin else np.concatenate([beta, [rho]])
    chol = np.linalg.cholesky(0.5 * (cov + cov.T))
    lower, upper = spectrum.bounds
    samples = np.empty((0, mean.size))
    replaced = 0
    for _ in range(100):
        need = draws - len(samples)
        if need <= 0:
            break
        z = mean + rng.standard_normal((need, mean.size)) @ chol.T
        ok = (z[:, -1] > lower) & (z[:, -1] < upper)
        replaced += int((~ok).sum())
        samples = np.vstack([samples, z[ok]])
    samples = samples[:draws]
    b = samples[:, :k]
    t = samples[:, k : 2 * k] if durbin else np.zeros_like(b)
    theta_hat = theta if durbin else np.zeros(k)
    point = impacts(beta, theta_hat, rho, spectrum)
    simulated = impacts(b, t, samples[:, -1], spectrum)
    table = {}
    for label, est, sim in zip(("direct", "indirect", "total"), point, simulated, strict=True):
        se = sim.std(axis=0, ddof=1)
        table[label] = est
        table[f"{label}_se"] = se
        table[f"{label}_p_value"] = _p_value(est, se)
    frame = pd.DataFrame(table, index=pd.Index(names, name="variable"))
    return frame[_COLUMNS], {"draws": int(len(samples)), "replaced_draws": replaced}


def linear_impacts(
    beta: np.ndarray,
    theta: np.ndarray | None,
    cov: np.ndarray,
    spectrum: LogdetOperator,
    names: list[str],
) -> pd.DataFrame:
    r"""Effects of the spatial error models (SEM, SDEM) with exact standard errors.

    Without a spatial lag of :math:`y`, :math:`S_k(W) = I\beta_k + W\theta_k`: the direct effect
    is :math:`\beta_k + \theta_k \operatorname{tr}(W)/n = \beta_k` (zero diagonal) and the total
    effect :math:`\beta_k + \theta_k \bar c` with :math:`\bar c` the mean row sum of :math:`W`
    (1 when row-standardised). They are linear in the coefficients, so their variances follow
    exactly from the covariance of :math:`(\beta, \theta)`.
    """
    k = len(beta)
    c = float(spectrum.matrix.sum() / spectrum.n)
    diag = float(spectrum.matrix.diagonal().sum() / spectrum.n)
    var_b = np.diag(cov)[:k]
    if theta is None:
        theta = np.zeros(k)
        var_t = np.zeros(k)
        cov_bt = np.zeros(k)
    else:
        var_t = np.diag(cov)[k : 2 * k]
        cov_bt = np.array([cov[j, k + j] for j in range(k)])
    direct = beta + diag * theta
    total = beta + c * theta
    table = {
        "direct": direct,
        "direct_se": np.sqrt(var_b + diag**2 * var_t + 2 * diag * cov_bt),
        "indirect": total - direct,
        "indirect_se": np.sqrt((c - diag) ** 2 * var_t),
        "total": total,
        "total_se": np.sqrt(var_b + c**2 * var_t + 2 * c * cov_bt),
    }
    for label in ("direct", "indirect", "total"):
        table[f"{label}_p_value"] = _p_value(table[label], table[f"{label}_se"])
    return pd.DataFrame(table, index=pd.Index(names, name="variable"))[_COLUMNS]


_COLUMNS = [
    "direct",
    "indirect",
    "total",
    "direct_se",
    "indirect_se",
    "total_se",
    "direct_p_value",
    "indirect_p_value",
    "total_p_value",
]


def _p_value(estimate: np.ndarray, se: np.ndarray) -> np.ndarray:
    estimate = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    out = np.full(estimate.shape, np.nan)
    ok = se > 0
    out[ok] = 2.0 * stats.norm.sf(np.abs(estimate[ok] / se[ok]))
    return out
