r"""Geographically weighted regression (GWR) and multiscale GWR (MGWR) through ``mgwr``.

Thin wrappers: bandwidth selection (``mgwr.sel_bw.Sel_BW``) and fitting (``mgwr.gwr.GWR`` /
``MGWR``) are the ``mgwr`` package's own; these functions take a DataFrame, check it, make the
standardisation choice explicit and return tidy frames keyed by region code, ready for maps.

GWR estimates a regression at every location *i* with observations weighted by a distance-decay
kernel of bandwidth *b*:

.. math::

    y_i = \beta_0(u_i, v_i) + \sum_k \beta_k(u_i, v_i) x_{ik} + \varepsilon_i, \qquad
    \hat\beta(u_i, v_i) = (X^\top W_i X)^{-1} X^\top W_i y

with the bisquare kernel :math:`w_{ij} = (1 - (d_{ij}/b)^2)^2` for :math:`d_{ij} < b` (0
otherwise) or the Gaussian :math:`w_{ij} = \exp(-\tfrac12 (d_{ij}/b)^2)`. An *adaptive*
bandwidth (``fixed=False``) is a number of nearest neighbours; a *fixed* one is a distance.
MGWR lets every term have its own bandwidth (back-fitting).

Significance of local coefficients uses the multiple-testing-corrected critical *t* of da Silva
& Fotheringham (2016), as ``mgwr``'s ``critical_tval()``.

References
----------
Brunsdon, C., Fotheringham, A. S. & Charlton, M. (1996). Geographically weighted regression: a
method for exploring spatial nonstationarity. *Geographical Analysis* 28(4), 281–298.
Fotheringham, A. S., Yang, W. & Kang, W. (2017). Multiscale geographically weighted regression
(MGWR). *Annals of the AAG* 107(6), 1247–1265.
Oshan, T. M., Li, Z., Kang, W., Wolf, L. J. & Fotheringham, A. S. (2019). mgwr: A Python
implementation of multiscale geographically weighted regression. *ISPRS IJGI* 8(6), 269.
da Silva, A. R. & Fotheringham, A. S. (2016). The multiple testing issue in geographically
weighted regression. *Geographical Analysis* 48(3), 233–247.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf.errors import DataValidationError
from nqpf.geo.geography import region_coordinates
from nqpf.results import Result, Summary, make_meta

__all__ = ["GWRResult", "gwr", "mgwr"]

Kernel = Literal["bisquare", "gaussian", "exponential"]
Criterion = Literal["AICc", "AIC", "BIC", "CV"]


@dataclass(frozen=True)
class GWRResult(Result):
    """A fitted GWR or MGWR.

    Attributes
    ----------
    model
        ``"GWR"`` or ``"MGWR"``.
    bandwidth
        Series by term (one common value for GWR): neighbours (adaptive) or distance (fixed).
    coefficients
        Tidy frame: ``region_code``, ``term``, ``estimate``, ``std_error``, ``t_value``,
        ``critical_t``, ``significant``.
    local
        One row per region: ``region_code``, ``predicted``, ``residual`` and (GWR) ``local_r2``.
    diagnostics
        Series: ``n``, ``aicc``, ``aic``, ``bic``, ``r2``, ``adj_r2``, ``rss``, ``enp``
        (effective number of parameters), ``sigma2``.
    standardized
        Whether *y* and *x* were z-scored before fitting (then coefficients are in SD units).
    """

    model: str
    bandwidth: pd.Series
    coefficients: pd.DataFrame
    local: pd.DataFrame
    diagnostics: pd.Series
    terms: tuple[str, ...]
    kernel: str
    fixed: bool
    criterion: str
    standardized: bool
    spherical: bool

    def to_frame(self) -> pd.DataFrame:
        """The local coefficients (tidy, one row per region and term)."""
        return self.coefficients.copy()

    def coefficient_table(self) -> pd.DataFrame:
        """Per term: bandwidth, mean, SD, min, median, max of estimates, share significant."""
        grouped = self.coefficients.groupby("term", sort=False)
        table = grouped.estimate.agg(["mean", "std", "min", "median", "max"])
        table["significant_share"] = grouped.significant.mean()
        table.insert(0, "bandwidth", self.bandwidth.reindex(table.index).to_numpy())
        return table.reindex(list(self.terms))

    def wide(self, what: str = "estimate") -> pd.DataFrame:
        """Regions × terms frame of ``estimate``, ``t_value`` or ``std_error`` (for maps)."""
        return self.coefficients.pivot(index="region_code", columns="term", values=what)[
            list(self.terms)
        ]

    def summary(self) -> Summary:
        """Diagnostics and the distribution of local coefficients."""
        diag = self.diagnostics.to_frame("value")
        diag.index = [f"{_DIAG_LABELS.get(k, k)}" for k in diag.index]
        coef = self.coefficient_table()
        coef.columns = [
            "带宽 bandwidth",
            "均值 mean",
            "标准差 SD",
            "最小 min",
            "中位数 median",
            "最大 max",
            "显著比例 share significant",
        ]
        unit = "nearest neighbours" if not self.fixed else "distance"
        return Summary(
            f"地理加权回归 {self.model}",
            (("诊断 Diagnostics", diag), ("局部系数 Local coefficients", coef)),
            (
                f"kernel = {self.kernel}, bandwidth in {unit}, selected by {self.criterion}; "
                f"variables {'standardised (z-scores)' if self.standardized else 'as given'}.",
            ),
        )


_DIAG_LABELS = {
    "n": "样本量 n",
    "aicc": "AICc",
    "aic": "AIC",
    "bic": "BIC",
    "r2": "R²",
    "adj_r2": "调整 R² adjusted R²",
    "rss": "残差平方和 RSS",
    "enp": "有效参数数 ENP",
    "sigma2": "误差方差 σ²",
}


def _prepare(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    coords: Any,
    region: str | None,
    standardize: bool,
    spherical: bool | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Hashable], bool]:
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    x = list(x)
    if not x:
        raise DataValidationError("give at least one explanatory variable x")
    if y in x:
        raise DataValidationError(f"y {y!r} is also an explanatory variable")
    dup = sorted({c for c in x if x.count(c) > 1})
    if dup:
        raise DataValidationError(f"explanatory variables listed twice: {dup}")
    missing = [c for c in [y, *x] if c not in data.columns]
    if missing:
        raise DataValidationError(f"columns not found: {missing}; available: {list(data.columns)}")
    ids: list[Hashable] = (
        data[region].tolist() if region is not None and region in data.columns else list(data.index)
    )
    if len(set(ids)) != len(ids):
        dups = pd.Index(ids)[pd.Index(ids).duplicated()].unique().tolist()
        raise DataValidationError(f"regions appear more than once: {dups}")
    values = data[[y, *x]].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float))
    if bad.to_numpy().any():
        rows = [ids[i] for i in np.flatnonzero(bad.any(axis=1).to_numpy())]
        cols = [c for c in values.columns if bad[c].any()]
        raise DataValidationError(
            f"missing or non-numeric values in {cols} for regions {rows[:10]}; drop or fill them"
        )
    for c in [y, *x]:
        if values[c].nunique() == 1:
            raise DataValidationError(f"variable {c!r} is constant: it cannot enter a regression")
    design = np.column_stack([np.ones(len(values)), values[x].to_numpy(dtype=float)])
    rank = 1
    for k, name in enumerate(x, start=2):
        new_rank = int(np.linalg.matrix_rank(design[:, :k]))
        if new_rank < k:
            raise DataValidationError(
                f"singular X: {name!r} is a linear combination of the intercept and "
                f"{x[: k - 2]}; drop it"
            )
        rank = new_rank
    del rank
    yv = values[y].to_numpy(dtype=float).reshape(-1, 1)
    xv = values[x].to_numpy(dtype=float)
    if standardize:
        yv = (yv - yv.mean()) / yv.std()
        xv = (xv - xv.mean(axis=0)) / xv.std(axis=0)
    if coords is None:
        try:
            pts = region_coordinates(ids)
        except DataValidationError as exc:
            raise DataValidationError(
                f"coords not given and the regions in {region!r} are not registry codes ({exc}); "
                "pass coords=('lon', 'lat') column names or an (n, 2) array"
            ) from None
        spherical = True if spherical is None else spherical
    elif (
        isinstance(coords, tuple | list)
        and len(coords) == 2
        and all(isinstance(c, str) for c in coords)
    ):
        absent = [c for c in coords if c not in data.columns]
        if absent:
            raise DataValidationError(f"coordinate columns not found: {absent}")
        pts = data[list(coords)].to_numpy(dtype=float)
    else:
        pts = np.asarray(coords, dtype=float)
    if pts.shape != (len(ids), 2) or not np.all(np.isfinite(pts)):
        raise DataValidationError(
            f"coords must give finite (n, 2) coordinates for {len(ids)} regions, got {pts.shape}"
        )
    return yv, xv, pts, ids, bool(spherical)


def _tidy(
    results: Any,
    ids: list[Hashable],
    terms: list[str],
    critical: np.ndarray,
) -> pd.DataFrame:
    n, k = results.params.shape
    crit = np.broadcast_to(np.asarray(critical, dtype=float), (k,))
    tvals = np.asarray(results.tvalues)
    return pd.DataFrame(
        {
            "region_code": np.repeat(np.asarray(ids, dtype=object), k),
            "term": np.tile(terms, n),
            "estimate": np.asarray(results.params).ravel(),
            "std_error": np.asarray(results.bse).ravel(),
            "t_value": tvals.ravel(),
            "critical_t": np.tile(crit, n),
            "significant": (np.abs(tvals) >= crit[None, :]).ravel(),
        }
    )


def _diagnostics(results: Any, n: int) -> pd.Series:
    return pd.Series(
        {
            "n": float(n),
            "aicc": float(results.aicc),
            "aic": float(results.aic),
            "bic": float(results.bic),
            "r2": float(results.R2),
            "adj_r2": float(results.adj_R2),
            "rss": float(results.resid_ss),
            "enp": float(results.ENP),
            "sigma2": float(results.sigma2),
        },
        name="value",
    )


def gwr(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    coords: Any = None,
    bw: float | None = None,
    kernel: Kernel = "bisquare",
    fixed: bool = False,
    criterion: Criterion = "AICc",
    *,
    standardize: bool = False,
    spherical: bool | None = None,
    region: str | None = "region_code",
    bw_min: float | None = None,
    bw_max: float | None = None,
    alpha: float | None = None,
    sigma2_v1: bool = True,
    n_jobs: int = 1,
) -> GWRResult:
    r"""Geographically weighted regression (``mgwr.gwr.GWR``) with bandwidth selection.

    Parameters
    ----------
    data
        One row per region.
    y, x
        Response and explanatory columns (an intercept is added).
    coords
        ``None`` (look the ``region`` codes up in the registry: capital or government seats,
        great-circle distances), a pair of column names, or an ``(n, 2)`` array.
    bw
        Bandwidth; ``None`` selects it by ``criterion`` with golden-section search
        (``mgwr.sel_bw.Sel_BW``).
    kernel
        ``"bisquare"`` (default), ``"gaussian"`` or ``"exponential"``.
    fixed
        Fixed distance bandwidth (``True``) or adaptive nearest-neighbour count (``False``).
    criterion
        ``"AICc"`` (default), ``"AIC"``, ``"BIC"`` or ``"CV"``.
    standardize
        Z-score *y* and *x* (population SD) before fitting; coefficients are then in SD units.
        Default ``False`` for GWR (coefficients in the data's units).
    spherical
        Coordinates are lon/lat (great-circle distances in km, as ``mgwr``). Default: ``True``
        with registry coordinates, ``False`` otherwise.
    region
        Column with region codes for the output (default ``region_code``; the index if absent).
    bw_min, bw_max
        Limits of the bandwidth search. ``mgwr`` searches adaptive bandwidths from
        :math:`40 + 2(k + 1)` neighbours up to *n*; when that lower limit is not below *n* (31
        provinces, for instance) the search starts at :math:`k + 3` neighbours instead, and the
        limits used are recorded in ``meta['search_range']``.
    alpha
        Significance level; ``None`` uses the corrected 5 % level of da Silva & Fotheringham
        (2016), as ``mgwr``'s ``critical_tval()``.
    sigma2_v1
        Error variance :math:`\hat\sigma^2 = RSS/(n - \mathrm{tr}(S))` (``True``, ``mgwr``'s
        default) or :math:`RSS/(n - 2\mathrm{tr}(S) + \mathrm{tr}(S^\top S))` (``False``, as
        GWR4); it changes standard errors and t-values, not estimates.
    n_jobs
        Worker processes (joblib) of the bandwidth search and of the local fits, passed to
        ``Sel_BW`` and ``GWR``. Default 1: one process, no pool to start. ``-1`` uses every
        core, as ``mgwr``'s own default does; worth it only for thousands of regions.
        Estimates do not depend on it.

    Returns
    -------
    GWRResult

    Raises
    ------
    DataValidationError
        Missing values (naming the regions), a constant variable, singular X (naming the column),
        coordinates that do not match.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"u": rng.uniform(0, 10, 60), "v": rng.uniform(0, 10, 60)})
    >>> df["x"] = rng.normal(size=60)
    >>> df["y"] = 1 + (0.5 + 0.1 * df.u) * df.x + rng.normal(0, 0.1, 60)
    >>> r = gwr(df, "y", ["x"], coords=("u", "v"), bw=30, region=None)
    >>> r.coefficients.groupby("term").estimate.mean().round(1).to_dict()
    {'Intercept': 1.0, 'x': 1.0}
    """
    mgwr_gwr, sel_bw = _mgwr_modules("GWR")
    yv, xv, pts, ids, sph = _prepare(data, y, x, coords, region, standardize, spherical)
    terms = ["Intercept", *x]
    search_range = None
    if bw is None:
        lo, hi = _search_range(bw_min, bw_max, fixed, len(ids), len(terms))
        search_range = [lo, hi]
        selector = sel_bw.Sel_BW(
            pts, yv, xv, kernel=kernel, fixed=fixed, spherical=sph, n_jobs=n_jobs
        )
        bw = float(selector.search(criterion=criterion, bw_min=lo, bw_max=hi))
    results = mgwr_gwr.GWR(
        pts,
        yv,
        xv,
        bw,
        kernel=kernel,
        fixed=fixed,
        spherical=sph,
        sigma2_v1=sigma2_v1,
        n_jobs=n_jobs,
    ).fit()
    return _result(
        "GWR",
        results,
        ids,
        terms,
        np.full(len(terms), float(results.critical_tval(alpha))),
        float(bw),
        y=y,
        kernel=kernel,
        fixed=fixed,
        criterion=criterion,
        standardize=standardize,
        spherical=sph,
        alpha=alpha,
        sigma2_v1=sigma2_v1,
        search_range=search_range,
    )


def mgwr(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    coords: Any = None,
    kernel: Kernel = "bisquare",
    fixed: bool = False,
    criterion: Criterion = "AICc",
    *,
    standardize: bool = True,
    spherical: bool | None = None,
    region: str | None = "region_code",
    bw_min: float | Sequence[float] | None = None,
    bw_max: float | Sequence[float] | None = None,
    alpha: float | None = None,
    n_jobs: int = 1,
) -> GWRResult:
    r"""Multiscale GWR (``mgwr.gwr.MGWR``): one bandwidth per term, by back-fitting.

    Parameters are as in :func:`gwr`, except:

    standardize
        Default ``True``: MGWR bandwidths are only comparable across terms when the variables
        are on one scale (Fotheringham et al. 2017; ``mgwr`` documentation).
    bw_min, bw_max
        Search limits for the bandwidths: one value for all terms or one per term (intercept
        first).
    n_jobs
        Worker processes (joblib) of the back-fitting and of ``MGWR.fit``'s inference, passed
        to ``Sel_BW`` and ``MGWR`` (default 1).

    Returns
    -------
    GWRResult
        ``bandwidth`` has one value per term; ``critical_t`` uses each term's effective number
        of parameters (``mgwr``'s ``critical_tval()``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"u": rng.uniform(0, 10, 80), "v": rng.uniform(0, 10, 80)})
    >>> df["x"] = rng.normal(size=80)
    >>> df["y"] = 2 + 0.3 * df.u * df.x + rng.normal(0, 0.2, 80)
    >>> r = mgwr(df, "y", ["x"], coords=("u", "v"), region=None)
    >>> list(r.bandwidth.index)
    ['Intercept', 'x']
    """
    mgwr_gwr, sel_bw = _mgwr_modules("MGWR")
    yv, xv, pts, ids, sph = _prepare(data, y, x, coords, region, standardize, spherical)
    terms = ["Intercept", *x]
    k = len(terms)
    lo = _per_term(bw_min, k, "bw_min")
    hi = _per_term(bw_max, k, "bw_max")
    selector = sel_bw.Sel_BW(
        pts, yv, xv, multi=True, kernel=kernel, fixed=fixed, spherical=sph, n_jobs=n_jobs
    )
    selector.search(criterion=criterion, multi_bw_min=lo, multi_bw_max=hi)
    results = mgwr_gwr.MGWR(
        pts, yv, xv, selector, kernel=kernel, fixed=fixed, spherical=sph, n_jobs=n_jobs
    ).fit()
    return _result(
        "MGWR",
        results,
        ids,
        terms,
        np.asarray(results.critical_tval(alpha), dtype=float),
        np.asarray(selector.bw[0], dtype=float),
        y=y,
        kernel=kernel,
        fixed=fixed,
        criterion=criterion,
        standardize=standardize,
        spherical=sph,
        alpha=alpha,
    )


def _mgwr_modules(model: str) -> tuple[Any, Any]:
    """``mgwr.gwr`` and ``mgwr.sel_bw``, imported on first use.

    ``mgwr`` compiles its distance kernel with numba on every process start (about 2.5 s);
    caching the compiled kernel on disk makes later runs start at once.
    """
    purpose = f"{model} (geographically weighted regression)"
    gwr_module, sel_bw = require("mgwr.gwr", purpose), require("mgwr.sel_bw", purpose)
    kernel = require("mgwr.kernels", purpose).local_cdist
    if not kernel.signatures:  # before its first compilation, the only time caching can be set
        kernel.enable_caching()
    return gwr_module, sel_bw


def _result(
    model: Literal["GWR", "MGWR"],
    results: Any,
    ids: list[Hashable],
    terms: list[str],
    critical: np.ndarray,
    bandwidth: float | np.ndarray,
    *,
    y: str,
    kernel: Kernel,
    fixed: bool,
    criterion: Criterion,
    standardize: bool,
    spherical: bool,
    alpha: float | None,
    **extra_meta: Any,
) -> GWRResult:
    """Package a fitted ``mgwr`` GWR/MGWR: local frame, tidy coefficients and meta.

    GWR has one bandwidth (``meta['bandwidth']``) and a local R²; MGWR has one bandwidth per
    term (``meta['bandwidths']``) and no local R² in ``mgwr``.
    """
    local = {
        "region_code": ids,
        "predicted": np.asarray(results.predy).ravel(),
        "residual": np.asarray(results.resid_response).ravel(),
    }
    if model == "GWR":
        local["local_r2"] = np.asarray(results.localR2).ravel()
        bw_meta: dict[str, Any] = {"bandwidth": float(bandwidth)}
    else:
        bw_meta = {"bandwidths": np.asarray(bandwidth, dtype=float).tolist()}
    return GWRResult(
        model=model,
        bandwidth=pd.Series(bandwidth, index=pd.Index(terms, name="term"), name="bandwidth"),
        coefficients=_tidy(results, ids, terms, critical),
        local=pd.DataFrame(local),
        diagnostics=_diagnostics(results, len(ids)),
        terms=tuple(terms),
        kernel=kernel,
        fixed=fixed,
        criterion=criterion,
        standardized=standardize,
        spherical=spherical,
        meta=make_meta(
            model.lower(),
            y=y,
            x=terms[1:],
            kernel=kernel,
            fixed=fixed,
            criterion=criterion,
            **bw_meta,
            standardized=standardize,
            spherical=spherical,
            alpha=alpha,
            **extra_meta,
            n=len(ids),
        ),
    )


def _search_range(
    lo: float | None, hi: float | None, fixed: bool, n: int, n_terms: int
) -> tuple[float | None, float | None]:
    """Adaptive search limits that fit small samples (mgwr's lower limit is 40 + 2k)."""
    if not fixed and lo is None and 40 + 2 * n_terms >= n:
        lo = float(n_terms + 2)
        hi = float(n) if hi is None else hi
    if lo is not None and hi is not None and lo >= hi:
        raise DataValidationError(f"bw_min ({lo}) must be below bw_max ({hi})")
    return lo, hi


def _per_term(value: float | Sequence[float] | None, k: int, name: str) -> list[Any]:
    if value is None:
        return [None]
    if isinstance(value, int | float | np.integer | np.floating):
        return [float(value)]
    vals = list(value)
    if len(vals) != k:
        raise DataValidationError(
            f"{name} needs one value or {k} (intercept first), got {len(vals)}"
        )
    return [float(v) for v in vals]
