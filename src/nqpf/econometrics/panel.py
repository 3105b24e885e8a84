"""Non-spatial panel fixed effects (through ``linearmodels``) and the Hausman test.

:func:`panel_fe` is the non-spatial benchmark shown next to a spatial panel model: least squares
with region and/or year effects absorbed (``linearmodels.PanelOLS``) and, by default, standard
errors clustered by region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf.econometrics._data import EFFECTS, PanelArrays, check_cells, to_frame
from nqpf.econometrics.diagnostics import chi2_test
from nqpf.errors import DataValidationError
from nqpf.panel import Panel
from nqpf.results import Result, Summary, TestResult, make_meta

__all__ = ["PanelFEResults", "hausman", "panel_fe"]

CovType = Literal["clustered", "robust", "unadjusted"]
_EFFECT_FLAGS = {"region": (True, False), "time": (False, True), "twoway": (True, True)}


@dataclass(frozen=True)
class PanelFEResults(Result):
    """A fitted non-spatial fixed-effects panel regression.

    Attributes
    ----------
    dependent, fixed_effects, cov_type
        Name of :math:`y`, ``"region"``/``"time"``/``"twoway"`` and the covariance estimator.
    params, std_errors, statistics, p_values
        Coefficients, standard errors, t statistics and p-values (from ``linearmodels``).
    r2_within
        R² of the within-transformed regression.
    n_obs, n_regions, n_periods
        Observations, regions and years used.
    """

    dependent: str
    fixed_effects: str
    cov_type: str
    params: pd.Series
    std_errors: pd.Series
    statistics: pd.Series
    p_values: pd.Series
    r2_within: float
    n_obs: int
    n_regions: int
    n_periods: int

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``term, estimate, std_error, statistic, p_value``."""
        return pd.DataFrame(
            {
                "term": list(self.params.index),
                "estimate": self.params.to_numpy(),
                "std_error": self.std_errors.to_numpy(),
                "statistic": self.statistics.to_numpy(),
                "p_value": self.p_values.to_numpy(),
            }
        )

    def summary(self) -> Summary:
        """Coefficients with stars and (SE), and the fit."""
        table = pd.DataFrame(
            {
                "系数 Coef.": [
                    _starred(b, p) for b, p in zip(self.params, self.p_values, strict=True)
                ],
                "标准误 (SE)": [f"({s:.4f})" for s in self.std_errors],
            },
            index=self.params.index,
        )
        fit = pd.DataFrame(
            {
                "值 Value": [
                    f"{self.r2_within:.4f}",
                    str(self.n_obs),
                    str(self.n_regions),
                    str(self.n_periods),
                ]
            },
            index=["组内R² within R²", "观测数 obs.", "地区数 regions", "年数 years"],
        )
        return Summary(
            f"面板固定效应 Panel fixed effects ({self.fixed_effects}) · y = {self.dependent}",
            (("系数 Coefficients", table), ("拟合 Fit", fit)),
            notes=(
                "* p<0.1, ** p<0.05, *** p<0.01; standard errors in parentheses "
                f"({self.cov_type}).",
            ),
        )


def _starred(value: float, p: float) -> str:
    stars = "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
    return f"{value:.4f}{stars}"


def panel_fe(
    data: Panel | pd.DataFrame,
    y: str,
    x: Sequence[str],
    effects: Literal["region", "time", "twoway"] = "twoway",
    cov: CovType = "clustered",
    region: str | None = None,
    year: str = "year",
) -> PanelFEResults:
    r"""Least squares with region and/or year fixed effects (``linearmodels.PanelOLS``).

    Parameters
    ----------
    data
        A :class:`nqpf.panel.Panel` or a long DataFrame with region and year columns. The panel
        may be unbalanced, but no cell may be missing.
    y, x
        Dependent and explanatory variables.
    effects
        ``"region"``, ``"time"`` or ``"twoway"``.
    cov
        ``"clustered"`` (by region, default), ``"robust"`` (heteroskedasticity-robust) or
        ``"unadjusted"``. ``linearmodels`` defaults are kept (``debiased=True``): the
        unadjusted and robust (HC1) errors equal those of least squares with region and year
        dummies; the clustered sandwich is scaled by :math:`N/(N-K)` with :math:`K` counting
        the regressors and the absorbed effects.
    region, year
        Column names of a DataFrame (ignored for a Panel); by default the region column is
        ``region_code`` or, failing that, ``region``.

    Returns
    -------
    PanelFEResults

    Notes
    -----
    .. math::

        \tilde y_{it} = \tilde x_{it}'\beta + \tilde\varepsilon_{it}

    where the tilde is the within transformation for the chosen effects (Baltagi 2021,
    *Econometric Analysis of Panel Data*, ch. 2–3).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"region": np.repeat(list("abcde"), 4),
    ...                       "year": np.tile([2001, 2002, 2003, 2004], 5)})
    >>> frame["x"] = rng.normal(size=20)
    >>> frame["y"] = 2 * frame.x + rng.normal(scale=0.1, size=20)
    >>> res = panel_fe(frame, "y", ["x"], effects="region", region="region")
    >>> round(float(res.params["x"]), 1)
    2.0
    """
    PanelOLS = require("linearmodels", "panel fixed effects").PanelOLS

    if effects not in EFFECTS:
        raise ValueError(f"effects must be one of {EFFECTS}, got {effects!r}")
    if cov not in ("clustered", "robust", "unadjusted"):
        raise ValueError(f"cov must be 'clustered', 'robust' or 'unadjusted', got {cov!r}")
    x = list(x)
    frame = to_frame(data, [y, *x], region, year)
    check_cells(frame)
    entity, time = _EFFECT_FLAGS[effects]
    model = PanelOLS(frame[y], frame[x], entity_effects=entity, time_effects=time)
    options: dict[str, object] = {"cov_type": cov}
    if cov == "clustered":
        options["cluster_entity"] = True
    try:
        res = model.fit(**options)
    except ValueError as exc:
        raise DataValidationError(f"panel fixed effects could not be estimated: {exc}") from exc
    index = frame.index
    return PanelFEResults(
        dependent=y,
        fixed_effects=effects,
        cov_type=cov,
        params=res.params.rename("estimate"),
        std_errors=res.std_errors.rename("std_error"),
        statistics=res.tstats.rename("statistic"),
        p_values=res.pvalues.rename("p_value"),
        r2_within=float(res.rsquared_within),
        n_obs=int(res.nobs),
        n_regions=int(index.get_level_values(0).nunique()),
        n_periods=int(index.get_level_values(1).nunique()),
        meta=make_meta(
            "panel fixed effects (linearmodels PanelOLS)",
            y=y,
            x=x,
            effects=effects,
            cov=cov,
        ),
    )


def hausman(
    data: Panel | pd.DataFrame,
    y: str,
    x: Sequence[str],
    time_effects: bool = False,
    region: str | None = None,
    year: str = "year",
) -> TestResult:
    r"""Hausman test of region random effects against region fixed effects.

    Parameters
    ----------
    data, y, x, region, year
        As in :func:`panel_fe`.
    time_effects
        Include year effects in both models (as absorbed effects in the FE model and year
        dummies in the RE model).

    Returns
    -------
    TestResult
        Not applicable when :math:`\hat V_{FE} - \hat V_{RE}` has no positive eigenvalue.

    Notes
    -----
    .. math::

        H = (\hat\beta_{FE} - \hat\beta_{RE})' [\hat V_{FE} - \hat V_{RE}]^{-1}
        (\hat\beta_{FE} - \hat\beta_{RE}) \sim \chi^2(k)

    (Hausman 1978, *Econometrica* 46:1251–1271) on the coefficients of ``x``, with
    ``linearmodels.PanelOLS`` (entity effects) and ``linearmodels.RandomEffects`` and their
    conventional (unadjusted) covariances. When :math:`\hat V_{FE} - \hat V_{RE}` is not
    positive definite, the generalised inverse over its positive eigenvalues is used, the degrees
    of freedom are their number and the result carries a note (Stata's ``hausman`` also falls
    back on a generalised inverse with df = rank in that case).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> frame = pd.DataFrame({"region": np.repeat(np.arange(30), 5),
    ...                       "year": np.tile(np.arange(2001, 2006), 30)})
    >>> frame["x"] = rng.normal(size=150)
    >>> frame["y"] = frame.x + np.repeat(rng.normal(size=30), 5) + rng.normal(size=150)
    >>> hausman(frame, "y", ["x"], region="region").df
    (1.0,)
    """
    x = list(x)
    frame = to_frame(data, [y, *x], region, year)
    check_cells(frame)
    return _hausman_frame(frame, y, x, time_effects)


def hausman_arrays(arrays: PanelArrays, time_effects: bool) -> TestResult:
    """:func:`hausman` on the arrays of a balanced panel."""
    T, n, k = arrays.X.shape
    index = pd.MultiIndex.from_product([range(n), list(arrays.years)], names=["region", "year"])
    columns = {arrays.y_name: arrays.y.T.reshape(-1)}
    for j, name in enumerate(arrays.names):
        columns[name] = arrays.X[:, :, j].T.reshape(-1)
    frame = pd.DataFrame(columns, index=index)
    return _hausman_frame(frame, arrays.y_name, list(arrays.names), time_effects)


def _hausman_frame(frame: pd.DataFrame, y: str, x: list[str], time_effects: bool) -> TestResult:
    linearmodels = require("linearmodels", "the Hausman test")
    PanelOLS, RandomEffects = linearmodels.PanelOLS, linearmodels.RandomEffects

    fe = PanelOLS(frame[y], frame[x], entity_effects=True, time_effects=time_effects).fit()
    exog = frame[x].copy()
    exog.insert(0, "const", 1.0)
    if time_effects:
        years = frame.index.get_level_values(1)
        dummies = pd.get_dummies(years, prefix="year", drop_first=True, dtype=float)
        dummies.index = frame.index
        exog = pd.concat([exog, dummies], axis=1)
    re = RandomEffects(frame[y], exog).fit()
    d = (fe.params[x] - re.params[x]).to_numpy()
    V = (fe.cov.loc[x, x] - re.cov.loc[x, x]).to_numpy()
    values, vectors = np.linalg.eigh(0.5 * (V + V.T))
    null = "region effects uncorrelated with the regressors (random effects consistent)"
    tol = 1e-10 * max(1.0, float(np.abs(values).max()))
    if np.all(values > tol):
        return chi2_test("hausman", float(d @ np.linalg.solve(V, d)), len(x), null)
    rank = int(np.sum(values > tol))
    if rank == 0:
        return TestResult.not_applicable(
            "hausman",
            "V_FE − V_RE has no positive eigenvalue: the random-effects estimator is not "
            "more efficient here",
        )
    keep = values > tol
    projected = vectors[:, keep].T @ d
    statistic = float(projected @ (projected / values[keep]))
    return chi2_test(
        "hausman",
        statistic,
        rank,
        null,
        note=(
            "V_FE − V_RE is not positive definite; generalised inverse over its positive "
            "eigenvalues used, df = their number"
        ),
    )
