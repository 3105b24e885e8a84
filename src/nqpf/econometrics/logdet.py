r"""Log-determinants and traces of a sparse spatial weights matrix, never densified.

:class:`SparseLogdet` has the interface of the dense :class:`~nqpf.econometrics.effects.Spectrum`
(``bounds``, ``n``, ``row_standardised``, ``logdet``, ``logdet_derivatives``, ``mean_diagonals``,
``mean_row_sums``) plus what the information matrix needs (:meth:`SparseLogdet.information_traces`,
:meth:`SparseLogdet.apply_g`, :meth:`SparseLogdet.solve`). Methods of :math:`\ln|I-\rho W|`:

``"lu"`` (exact)
    Sparse LU factors of :math:`I-\rho W` (SuperLU), :math:`\ln|I-\rho W| = \sum_i\ln|u_{ii}|`,
    on a grid of :math:`\rho` clustered at the ends of the admissible interval (Chebyshev–Lobatto
    nodes), interpolated by a cubic spline (Pace & Barry 1997, *Geographical Analysis*
    29:232–247; LeSage & Pace 2009, *Introduction to Spatial Econometrics*, §4.1). Where
    :math:`W` is similar to a symmetric matrix :math:`D^{1/2}WD^{-1/2}` (:func:`symmetrizer`)
    the symmetric form is factored with a symmetric ordering and no pivoting: it is positive
    definite on the admissible interval. The spline is first fitted on every other node and
    checked against the exact values at the midpoints; that error (an over-estimate for the
    final spline on all nodes) is reported, over the whole grid and over the inner 90 % of the
    interval (the ends, where :math:`\ln|I-\rho W|` turns steeply, dominate the first). The
    spline serves the likelihood's grid search; the optimiser's refinement, the maximised
    log-likelihood and values outside the spline's range are exact LU values.
``"chebyshev"``
    Pace & LeSage (2004, *Computational Statistics & Data Analysis* 45:179–196): with
    :math:`\tilde W` the spectrum of :math:`W` mapped to :math:`[-1, 1]`,
    :math:`\ln|I-\rho W| \approx \sum_{j\le q} c_j(\rho)\operatorname{tr}T_j(\tilde W)`, the
    coefficients :math:`c_j` of the Chebyshev interpolant of :math:`\ln(1-\rho\omega)` and the
    traces by Hutchinson estimates (exact for :math:`j \le 2`). Needs a real spectrum (a
    :math:`W` similar to a symmetric matrix). Bound: :math:`2n\sum_{j>q}|c_j|` (interpolation,
    the tail taken from a degree :math:`4q+3` interpolant) plus
    three Monte Carlo standard errors.
``"mc"``
    Barry & Pace (1999, *Linear Algebra and its Applications* 289:41–54; LeSage & Pace 2009,
    §4.4): :math:`\ln|I-\rho W| = -\sum_{k\ge1}\rho^k\operatorname{tr}(W^k)/k`, truncated at
    :math:`m` terms, traces by Hutchinson estimates (exact for :math:`k \le 2`). Truncation bound
    :math:`n\,(|\rho|r)^{m+1}/((m+1)(1-|\rho|r))` with :math:`r = \|W\|_\infty`, plus three
    Monte Carlo standard errors; valid for :math:`|\rho| < 1/r`, to which the interval is cut.

Effects (LeSage & Pace 2009, §4.2): :math:`n^{-1}\operatorname{tr}(I-\rho W)^{-1} =
\sum_k\rho^k\operatorname{tr}(W^k)/n` and :math:`n^{-1}\operatorname{tr}[(I-\rho W)^{-1}W] =
\sum_k\rho^k\operatorname{tr}(W^{k+1})/n` from the same stochastic traces, truncated at ``terms``
(bound :math:`(|\rho|r)^{q+1}/(1-|\rho|r)`); at a single :math:`\rho` (the estimate) they are
exact (:meth:`SparseLogdet.point_traces`). Mean row sums are :math:`1/(1-\rho)` for a
row-standardised :math:`W`, otherwise exact power sums :math:`\iota'W^k\iota` or sparse solves.

Hutchinson (1990, *Communications in Statistics – Simulation and Computation* 19:433–450)
estimates use Rademacher probes :math:`z` (:math:`E\,z'Az = \operatorname{tr}A`), drawn from
:mod:`nqpf._random` streams, so a seed reproduces them.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy import sparse
from scipy.interpolate import CubicSpline
from scipy.sparse.linalg import ArpackNoConvergence, eigs, eigsh, splu

from nqpf._random import RandomSource
from nqpf.econometrics._data import is_row_standardised
from nqpf.econometrics.effects import symmetrizer
from nqpf.errors import ConvergenceError, WeightsError

__all__ = ["METHODS", "SparseLogdet", "extreme_eigenvalues"]

Method = Literal["lu", "chebyshev", "mc"]
METHODS: tuple[str, ...] = ("lu", "chebyshev", "mc")
#: Monte Carlo standard errors added to a truncation bound in the reported error bounds.
SE_MULTIPLE = 3.0
#: Most power terms of the mean row sums of a W that is not row-standardised (else solves).
ROW_SUM_TERMS = 2000


def extreme_eigenvalues(
    matrix: sparse.csr_array, scaling: np.ndarray | None, row_standardised: bool
) -> tuple[float, float]:
    r"""Smallest and largest real eigenvalue of :math:`W` by ARPACK (shift-invert at the lower end).

    The largest is 1 for a row-standardised :math:`W` (Perron–Frobenius); a symmetric-similar
    :math:`W` uses the symmetric solver on :math:`D^{1/2}WD^{-1/2}`. The shift
    :math:`\sigma = -1.01\|W\|_\infty` lies below every eigenvalue, so the eigenvalue nearest to it
    is the smallest real one (or a complex pair, skipped).
    """
    n = matrix.shape[0]
    radius = float(np.abs(matrix).sum(axis=1).max())
    sigma = -1.01 * radius
    try:
        if scaling is not None:
            root = np.sqrt(scaling)
            S = sparse.diags_array(root) @ matrix @ sparse.diags_array(1 / root)
            S = sparse.csc_array((S + S.T) / 2)
            low = float(eigsh(S, k=1, sigma=sigma, which="LM", return_eigenvectors=False)[0])
            high = (
                1.0
                if row_standardised
                else float(eigsh(S, k=1, which="LA", return_eigenvectors=False)[0])
            )
            return low, high
        A = sparse.csc_array(matrix)
        k = min(6, n - 2)
        near = eigs(A, k=k, sigma=sigma, which="LM", return_eigenvectors=False)
        real = near.real[np.abs(near.imag) <= 1e-10 * max(1.0, radius)]
        if row_standardised:
            high = 1.0
        else:
            top = eigs(A, k=k, which="LR", return_eigenvectors=False)
            top_real = top.real[np.abs(top.imag) <= 1e-10 * max(1.0, radius)]
            high = float(top_real.max()) if top_real.size else float(top.real.max())
    except ArpackNoConvergence as exc:  # pragma: no cover - ARPACK rarely fails here
        raise ConvergenceError(f"ARPACK found no extreme eigenvalue of W (n = {n}): {exc}") from exc
    low = float(real.min()) if real.size else -high
    return low, high


class _PowerTraces:
    r"""Hutchinson estimates of :math:`\operatorname{tr}(W^k)`, ``k = 0..q``, kept per probe."""

    def __init__(self, matrix: sparse.csr_array, q: int, probes: int, rng: np.random.Generator):
        n = matrix.shape[0]
        Z = rng.choice(np.array([-1.0, 1.0]), size=(n, probes))
        per = np.empty((probes, q + 1))
        V = Z
        for k in range(q + 1):
            per[:, k] = np.einsum("ij,ij->j", Z, V)
            if k < q:
                V = matrix @ V
        per[:, 0] = n
        per[:, 1] = matrix.diagonal().sum()
        if q >= 2:
            per[:, 2] = matrix.multiply(matrix.T).sum()
        self.per_probe = per
        self.exact = min(q, 2) + 1  # leading traces that are exact

    def combine(self, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimate and Monte Carlo SE of ``per_probe @ coef`` (``coef``: ``(q+1, ...)``)."""
        values = np.tensordot(self.per_probe, coef, axes=(1, 0))
        m = values.shape[0]
        return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(m)


class SparseLogdet:
    r"""Log-determinant, traces and solves of :math:`I - \rho W` for a sparse :math:`W`.

    Parameters
    ----------
    matrix
        ``n × n`` spatial weights (scipy sparse).
    method
        ``"lu"``, ``"chebyshev"`` or ``"mc"`` (see the module notes).
    source
        Random source of the Hutchinson probes.
    grid
        Nodes of the ``"lu"`` spline (the midpoint check evaluates ``grid - 1`` more).
    degree
        Chebyshev degree :math:`q`.
    terms
        Terms of the power series (``"mc"`` log-determinant and the effects).
    probes
        Hutchinson probes.
    exact_traces
        Largest ``n`` for which the traces of the information matrix and the effects at the
        estimate are computed exactly (blocked sparse solves) instead of by Hutchinson estimates.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    >>> op = SparseLogdet(sparse.csr_array(W), "lu", RandomSource.from_seed(0))
    >>> np.round(op.bounds, 6).tolist()
    [-1.0, 1.0]
    >>> exact = np.log(np.linalg.det(np.eye(3) - 0.5 * W))
    >>> bool(np.isclose(op.logdet(0.5), exact, atol=1e-10))
    True
    """

    def __init__(
        self,
        matrix: Any,
        method: Method = "lu",
        source: RandomSource | None = None,
        *,
        grid: int = 65,
        degree: int = 30,
        terms: int = 100,
        probes: int = 100,
        exact_traces: int = 1000,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.matrix = sparse.csr_array(matrix, dtype=float)
        self.method = method
        self.source = source if source is not None else RandomSource.from_seed(0)
        self.terms, self.probes, self.exact_limit = int(terms), int(probes), int(exact_traces)
        self.row_standardised = is_row_standardised(self.matrix)
        self.radius = float(np.abs(self.matrix).sum(axis=1).max())
        self.scaling = symmetrizer(self.matrix)
        self._symmetric = None
        if self.scaling is not None:
            root = np.sqrt(self.scaling)
            S = sparse.diags_array(root) @ self.matrix @ sparse.diags_array(1 / root)
            self._symmetric = sparse.csc_array((S + S.T) / 2)
        low, high = extreme_eigenvalues(self.matrix, self.scaling, self.row_standardised)
        self.omega = (low, high)
        upper = 1.0 if self.row_standardised else 1.0 / high
        lower = 1.0 / low if low < 0 else -upper
        self.notes: list[str] = []
        self.meta: dict[str, Any] = {
            "method": method,
            "eigenvalue_range": [low, high],
            "symmetric_form": self.scaling is not None,
            "probes": self.probes,
            "series_terms": self.terms,
        }
        if method == "mc":
            cut = 1.0 / self.radius
            if lower < -cut or upper > cut:
                lower, upper = max(lower, -cut * (1 - 1e-9)), min(upper, cut * (1 - 1e-9))
                self.notes.append(
                    f"Monte Carlo log-determinant: the series converges for |ρ| < 1/‖W‖∞ = "
                    f"{cut:.6g}; ρ is searched in ({lower:.6g}, {upper:.6g})"
                )
        self.bounds = (lower, upper)
        self._lu_cache: dict[float, Any] = {}
        self._exact_cache: dict[float, float] = {}
        self._point: dict[float, dict[str, float]] = {}
        self._powers: _PowerTraces | None = None
        if method == "lu":
            self._build_spline(int(grid))
        elif method == "chebyshev":
            self._build_chebyshev(int(degree))

    # ------------------------------------------------------------------ basics
    @property
    def n(self) -> int:
        """Number of regions."""
        return int(self.matrix.shape[0])

    def _lu(self, r: float) -> Any:
        """SuperLU factors of :math:`I - rW` (the last few cached)."""
        key = float(r)
        if key not in self._lu_cache:
            if len(self._lu_cache) > 4:
                self._lu_cache.pop(next(iter(self._lu_cache)))
            A = sparse.csc_array(sparse.identity(self.n, format="csc") - key * self.matrix)
            self._lu_cache[key] = splu(A)
        return self._lu_cache[key]

    def solve(self, r: float, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
        r""":math:`(I - rW)^{-1}` (or its transpose, ``trans="T"``) times ``rhs``.

        Column by column: SuperLU's one-vector solves are much faster than its block solves.
        """
        lu = self._lu(r)
        if rhs.ndim == 1:
            return lu.solve(rhs, trans=trans)
        out = np.empty(rhs.shape)
        for j in range(rhs.shape[1]):
            out[:, j] = lu.solve(np.ascontiguousarray(rhs[:, j]), trans=trans)
        return out

    def apply_g(self, r: float, values: np.ndarray) -> np.ndarray:
        r""":math:`G v_t` for every year of a ``(T, n)`` array, :math:`G = W(I-rW)^{-1}`."""
        return (self.matrix @ self.solve(r, values.T)).T

    def _powers_traces(self) -> _PowerTraces:
        if self._powers is None:
            rng = self.source.child("power-traces").generator()
            self._powers = _PowerTraces(self.matrix, self.terms + 1, self.probes, rng)
        return self._powers

    # ------------------------------------------------------------------ log-determinant
    def _exact_logdet(self, r: float) -> float:
        key = float(r)
        if key not in self._exact_cache:
            if len(self._exact_cache) > 64:
                self._exact_cache.clear()
            self._exact_cache[key] = self._lu_logdet(key)
        return self._exact_cache[key]

    def _lu_logdet(self, r: float) -> float:
        if self._symmetric is not None:
            A = sparse.csc_array(sparse.identity(self.n) - r * self._symmetric)
            lu = splu(
                A,
                permc_spec="MMD_AT_PLUS_A",
                diag_pivot_thresh=0.0,
                options={"SymmetricMode": True},
            )
        else:
            lu = self._lu(r)
        return float(np.log(np.abs(lu.U.diagonal())).sum())

    def _build_spline(self, grid: int) -> None:
        lo, hi = self.bounds
        width = hi - lo
        a, b = lo + 2e-3 * width, hi - 2e-3 * width
        m = 2 * max(grid // 2, 4) + 1
        nodes = (a + b) / 2 - (b - a) / 2 * np.cos(np.pi * np.arange(m) / (m - 1))
        values = np.array([self._exact_logdet(float(r)) for r in nodes])
        coarse = CubicSpline(nodes[::2], values[::2])
        gaps = np.abs(coarse(nodes[1::2]) - values[1::2])
        error = float(gaps.max())
        mid = nodes[1::2]
        inner = float(gaps[(mid > lo + 0.05 * width) & (mid < hi - 0.05 * width)].max())
        self._spline = CubicSpline(nodes, values)
        self._range = (a, b)
        self._lu_error = error
        self.meta.update(
            grid_points=int(m),
            grid_range=[float(a), float(b)],
            grid="Chebyshev–Lobatto nodes, cubic spline",
            interpolation_error=error,
            interpolation_error_inner=inner,
        )

    def _build_chebyshev(self, degree: int) -> None:
        if self.scaling is None:
            raise WeightsError(
                "the Chebyshev log-determinant needs W similar to a symmetric matrix (a real "
                "spectrum, e.g. a row-standardised symmetric contiguity matrix); this W is "
                "not (kNN weights are not): use 'lu' or 'mc'"
            )
        low, high = self.omega
        mid, half = (high + low) / 2, (high - low) / 2
        Wt = (self.matrix - mid * sparse.identity(self.n, format="csr")) / half
        rng = self.source.child("chebyshev").generator()
        Z = rng.choice(np.array([-1.0, 1.0]), size=(self.n, self.probes))
        per = np.empty((self.probes, degree + 1))
        prev, cur = Z, Wt @ Z
        per[:, 0] = self.n
        per[:, 1] = Wt.diagonal().sum()
        for j in range(2, degree + 1):
            prev, cur = cur, 2 * (Wt @ cur) - prev
            per[:, j] = np.einsum("ij,ij->j", Z, cur)
        per[:, 2] = 2 * Wt.multiply(Wt.T).sum() - self.n  # tr T_2 = tr(2 W̃² - I), exact
        self._cheb = (per, mid, half, degree)
        self.meta.update(chebyshev_degree=degree)

    def _chebyshev_coefficients(self, r: np.ndarray, degree: int) -> np.ndarray:
        r"""Chebyshev coefficients ``(len(r), degree + 1)`` of :math:`\ln(1 - r\omega)`."""
        _, mid, half, _ = self._cheb
        m = degree + 1
        x = np.cos(np.pi * (np.arange(m) + 0.5) / m)
        f = np.log(1.0 - r[:, None] * (mid + half * x[None, :]))
        T = np.cos(np.outer(np.arange(m), np.pi * (np.arange(m) + 0.5) / m))
        c = 2.0 / m * f @ T.T
        c[:, 0] /= 2
        return c

    def logdet(self, rho: float | np.ndarray) -> np.ndarray:
        r""":math:`\ln|I - \rho W|` (vectorised over ``rho``).

        With ``"lu"`` an array of values (the likelihood's grid search) comes from the spline and
        a single value (the optimiser's refinement, the maximised log-likelihood) is exact.
        """
        r = np.asarray(rho, dtype=float)
        flat = r.ravel()
        if self.method == "lu":
            a, b = self._range
            out = np.asarray(self._spline(flat), dtype=float)
            exact = (flat < a) | (flat > b) if flat.size > 1 else np.ones(1, dtype=bool)
            for i in np.flatnonzero(exact):
                out[i] = self._exact_logdet(float(flat[i]))
        else:
            out = self._approximation(flat)[0]
        return out.reshape(r.shape)

    def _approximation(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Approximate log-determinant, its Monte Carlo SE and truncation bound at ``r``."""
        if self.method == "chebyshev":
            per, _, _, degree = self._cheb
            c = self._chebyshev_coefficients(r, degree)
            values = per @ c.T
            tail = self._chebyshev_coefficients(r, 4 * degree + 3)[:, degree + 1 :]
            bound = 2.0 * self.n * np.abs(tail).sum(axis=1)  # interpolant: twice the tail
        else:
            powers = self._powers_traces()
            k = np.arange(self.terms + 2)
            coef = np.zeros((k.size, r.size))
            coef[1 : self.terms + 1] = (
                -(r[None, :] ** k[1 : self.terms + 1, None]) / k[1 : self.terms + 1, None]
            )
            values = powers.per_probe @ coef
            q = np.abs(r) * self.radius
            with np.errstate(divide="ignore"):
                bound = np.where(
                    q < 1,
                    self.n * q ** (self.terms + 1) / ((self.terms + 1) * (1 - q)),
                    np.inf,
                )
        m = values.shape[0]
        return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(m), bound

    def logdet_error(self, rho: float) -> dict[str, float]:
        """Error statement of :meth:`logdet` at ``rho`` (recorded in the result's ``meta``)."""
        if self.method == "lu":
            return {
                "interpolation_error": self._lu_error,
                "interpolation_error_inner": self.meta["interpolation_error_inner"],
            }
        _, se, bound = self._approximation(np.array([float(rho)]))
        return {
            "mc_se": float(se[0]),
            "truncation_bound": float(bound[0]),
            "bound": float(bound[0] + SE_MULTIPLE * se[0]),
        }

    def logdet_derivatives(self, rho: float) -> tuple[float, float]:
        r"""First and second derivatives of :math:`\ln|I-\rho W|`.

        They are :math:`-\operatorname{tr}G` and :math:`-\operatorname{tr}G^2`
        (:meth:`point_traces`).
        """
        t = self.point_traces(rho)
        return -t["tr_g"], -t["tr_g2"]

    # ------------------------------------------------------------------ traces of G
    def point_traces(self, rho: float) -> dict[str, float]:
        r"""Traces of :math:`G = W(I-\rho W)^{-1}` at one :math:`\rho` (cached).

        ``tr_g``, ``tr_g2`` (:math:`\operatorname{tr}G^2`), ``tr_gtg`` (:math:`\operatorname
        {tr}G'G`) and ``colsum2`` (:math:`\|\iota'G\|^2`, exact). All exact by blocked sparse
        solves when ``n ≤ exact_traces``; otherwise :math:`\operatorname{tr}G = -\ell'(\rho)` and
        :math:`\operatorname{tr}G^2 = -\ell''(\rho)` from five-point differences of exact LU
        log-determinants :math:`\ell` (step :math:`h \le 10^{-3}`, error :math:`O(h^4)`) and
        :math:`\operatorname{tr}G'G = \operatorname{tr}M'M + E(\|Gz\|^2 - \|Mz\|^2)` by a
        Hutchinson estimate, the leading terms :math:`M = \sum_{k\le3}\rho^kW^{k+1}` of
        :math:`G` (sparse, :math:`\operatorname{tr}M'M` exact) as control variate (its SE as
        ``tr_gtg_se``).
        """
        key = float(rho)
        if key in self._point:
            return self._point[key]
        W, n = self.matrix, self.n
        WT = sparse.csc_array(W.T)
        colsum = self.solve(key, WT @ np.ones(n), trans="T")  # G'ι
        out: dict[str, float] = {"colsum2": float(colsum @ colsum)}
        if n <= self.exact_limit:
            tr_g = tr_g2 = tr_gtg = 0.0
            for start in range(0, n, 256):
                cols = np.arange(start, min(n, start + 256))
                E = np.zeros((n, cols.size))
                E[cols, np.arange(cols.size)] = 1.0
                Gc = W @ self.solve(key, E)  # G[:, cols]
                GTc = self.solve(key, WT[:, cols].toarray(), trans="T")  # G'[:, cols]
                tr_g += float(Gc[cols, np.arange(cols.size)].sum())
                tr_g2 += float(np.sum(Gc * GTc))
                tr_gtg += float(np.sum(Gc * Gc))
            out.update(tr_g=tr_g, tr_g2=tr_g2, tr_gtg=tr_gtg, exact=1.0)
        else:
            lo, hi = self.bounds
            h = min(1e-3, 0.1 * (key - lo), 0.1 * (hi - key))
            f = [self._exact_logdet(key + j * h) for j in (-2, -1, 0, 1, 2)]
            d1 = (f[0] - 8 * f[1] + 8 * f[3] - f[4]) / (12 * h)
            d2 = (-f[0] + 16 * f[1] - 30 * f[2] + 16 * f[3] - f[4]) / (12 * h * h)
            rng = self.source.child("information-traces").generator()
            Z = rng.choice(np.array([-1.0, 1.0]), size=(n, self.probes))
            # control variate M = Σ_{k≤3} ρ^k W^{k+1} (G's leading terms): tr(M'M) exact
            M, P = W.copy(), W
            for k in range(1, 4):
                P = P @ W
                M = M + key**k * P
            GZ, MZ = W @ self.solve(key, Z), M @ Z
            sq = np.einsum("ij,ij->j", GZ, GZ) - np.einsum("ij,ij->j", MZ, MZ)
            out.update(
                tr_g=-d1,
                tr_g2=-d2,
                tr_gtg=float(M.multiply(M).sum() + sq.mean()),
                tr_gtg_se=float(sq.std(ddof=1) / np.sqrt(sq.size)),
                difference_step=h,
                exact=0.0,
            )
        self._point[key] = out
        return out

    def information_traces(self, rho: float, drop_unit: bool) -> tuple[float, float]:
        r""":math:`\operatorname{tr}G` and :math:`\operatorname{tr}(G^2 + G'G)` for the information.

        Of the Lee–Yu transformed :math:`G` when ``drop_unit``, as in the dense information matrix.
        """
        t = self.point_traces(rho)
        tr_g, tr_gg, tr_gtg = t["tr_g"], t["tr_g2"], t["tr_gtg"]
        if drop_unit:
            tr_g -= 1.0 / (1.0 - rho)
            tr_gg -= 1.0 / (1.0 - rho) ** 2
            tr_gtg -= t["colsum2"] / self.n
        return tr_g, tr_gg + tr_gtg

    # ------------------------------------------------------------------ effects
    def _series_weights(self, r: np.ndarray, shift: int) -> np.ndarray:
        k = np.arange(self.terms + 2)
        coef = np.zeros((k.size, r.size))
        coef[shift : self.terms + 1 + shift] = r[None, :] ** k[: self.terms + 1, None]
        return coef / self.n

    def mean_diagonals(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean diagonal of :math:`(I-\rho W)^{-1}` and :math:`(I-\rho W)^{-1}W`.

        A single :math:`\rho` (the estimate) is exact: :math:`1 + \rho\operatorname{tr}G/n` and
        :math:`\operatorname{tr}G/n` (:meth:`point_traces`); arrays (the simulated draws) use the
        power series with the stochastic traces (:meth:`effects_error`).
        """
        r = np.asarray(rho, dtype=float)
        if r.ndim == 0:
            tr_g = self.point_traces(float(r))["tr_g"] / self.n
            return np.asarray(1.0 + float(r) * tr_g), np.asarray(tr_g)
        powers = self._powers_traces()
        flat = r.ravel()
        m1, _ = powers.combine(self._series_weights(flat, 0))
        m2, _ = powers.combine(self._series_weights(flat, 1))
        return m1.reshape(r.shape), m2.reshape(r.shape)

    def effects_error(self, rho: float) -> dict[str, float]:
        """Monte Carlo SEs and truncation bounds of :meth:`mean_diagonals` at ``rho``."""
        powers = self._powers_traces()
        flat = np.array([float(rho)])
        _, se1 = powers.combine(self._series_weights(flat, 0))
        _, se2 = powers.combine(self._series_weights(flat, 1))
        q = abs(float(rho)) * self.radius
        trunc = q ** (self.terms + 1) / (1 - q) if q < 1 else np.inf
        return {
            "mean_diag_inverse_se": float(se1[0]),
            "mean_diag_inverse_w_se": float(se2[0]),
            "truncation_bound": float(trunc),
            "truncation_bound_w": float(trunc * self.radius),
            "exact_at_estimate": True,
        }

    def mean_row_sums(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Mean row sum of :math:`(I-\rho W)^{-1}` and of :math:`(I-\rho W)^{-1}W`.

        :math:`1/(1-\rho)` for a row-standardised :math:`W`; otherwise exact power sums
        :math:`\iota'W^k\iota/n` with as many terms as the truncation bound
        :math:`r\,q^{m+1}/(1-q) < 10^{-12}` (:math:`q = |\rho| r`, :math:`r = \|W\|_\infty`)
        needs, up to ``ROW_SUM_TERMS``; sparse solves where the series converges slower.
        The sums are scaled by :math:`r^k` so that no power overflows.
        """
        rho = np.asarray(rho, dtype=float)
        if self.row_standardised:
            total = 1.0 / (1.0 - rho)
            return total, total
        flat = np.atleast_1d(rho).ravel()
        r = self.radius
        q = np.abs(flat) * r
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.ceil(np.log(1e-12 * (1 - q) / r) / np.log(q))
        needed = np.where(q == 0, 0, needed)
        series = (q < 1) & (needed <= ROW_SUM_TERMS)
        m = int(needed[series].max(initial=0)) + 1
        ones = np.ones(self.n)
        scaled = np.empty(m + 1)  # ι'(W/r)^k ι / n
        v = ones
        for k in range(m + 1):
            scaled[k] = v.sum() / self.n
            v = (self.matrix @ v) / r
        powers = (flat[:, None] * r) ** np.arange(m)[None, :]
        out1, out2 = powers @ scaled[:-1], r * (powers @ scaled[1:])
        for i in np.flatnonzero(~series):
            s = self.solve(float(flat[i]), np.column_stack([ones, self.matrix @ ones]))
            out1[i], out2[i] = s.sum(axis=0) / self.n
        return out1.reshape(rho.shape), out2.reshape(rho.shape)

    # ------------------------------------------------------------------ reporting
    def describe(self, rho: float, *, effects: bool = True) -> dict[str, Any]:
        """``meta`` entry: the method, its settings and its error statements at ``rho``.

        ``effects=False`` (SEM, SDEM: effects linear in the coefficients) leaves out the error of
        the stochastic effects traces, which those models do not use.
        """
        out = dict(self.meta)
        out["logdet_error"] = self.logdet_error(rho)
        t = self.point_traces(rho)
        out["information_traces"] = (
            "exact (blocked sparse solves)"
            if t["exact"]
            else "tr G, tr G² from differences of exact log-determinants; tr G'G Hutchinson"
        )
        out["information_traces_se"] = {k: v for k, v in t.items() if k.endswith("_se")}
        if effects:
            out["effects_traces"] = self.effects_error(rho)
        out["notes"] = list(self.notes)
        return out
