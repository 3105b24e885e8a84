"""σ-, β-, club and spatial β-convergence of a regional value.

β-convergence is estimated by least squares with region (and year) fixed effects absorbed by the
within transformation and cluster-robust standard errors; the small-sample factor is that of
Stata's ``xtreg, fe vce(cluster region)`` (see :func:`beta_convergence`). Spatial β-convergence
fits the same growth regression as a spatial panel model (spatial Durbin by default) with
:class:`nqpf.econometrics.SpatialPanel` (see :func:`spatial_beta_convergence`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from nqpf._random import Seed
from nqpf.disparity._common import plain, require_columns, show, year_codes
from nqpf.errors import DataValidationError, DuplicateError
from nqpf.results import Result, Summary, make_meta
from nqpf.validation import GAP_FIXES

if TYPE_CHECKING:
    from nqpf.econometrics.spatial_panel import SpatialPanelResults

__all__ = [
    "HALF_LIFE_ALPHA",
    "MIN_TREND_YEARS",
    "BetaConvergenceResult",
    "ClubConvergenceResult",
    "SigmaConvergenceResult",
    "SpatialBetaConvergenceResult",
    "beta_convergence",
    "club_convergence",
    "sigma_convergence",
    "spatial_beta_convergence",
]

Effects = Literal["twoway", "region", "none"]

#: Significance level below which a negative β gets a speed and a half-life.
HALF_LIFE_ALPHA = 0.10

#: Fewest years for which the σ-convergence trend is read without a caution.
MIN_TREND_YEARS = 4


# ---------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------
def _values(
    frame: pd.DataFrame, value: str, years: np.ndarray, region: str | None, positive: bool
) -> np.ndarray:
    raw = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)

    def name(p: int) -> str:
        who = f"region {show(frame[region].iloc[p])}" if region else f"row {show(frame.index[p])}"
        return f"{who} in {years[p]}"

    bad = np.flatnonzero(~np.isfinite(raw))
    if bad.size:
        cells = ", ".join(name(int(p)) for p in bad[:5])
        raise DataValidationError(
            f"column {value!r} has {bad.size} missing or non-numeric value(s): {cells}; "
            + GAP_FIXES
        )
    if positive:
        bad = np.flatnonzero(raw <= 0)
        if bad.size:
            cells = ", ".join(f"{name(int(p))} ({show(raw[p])})" for p in bad[:5])
            raise DataValidationError(
                f"column {value!r} must be strictly positive to take logarithms; "
                f"{bad.size} value(s) <= 0: {cells}"
            )
    return raw


def _ols_trend(t: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Least-squares slope of ``y`` on ``t`` with its conventional t test (df = n - 2)."""
    n = len(t)
    tc = t - t.mean()
    sxx = float(tc @ tc)
    slope = float(tc @ (y - y.mean()) / sxx)
    resid = y - y.mean() - slope * tc
    if n <= 2:
        return {"slope": slope, "std_error": np.nan, "statistic": np.nan, "p_value": np.nan}
    se = float(np.sqrt(resid @ resid / (n - 2) / sxx))
    stat = slope / se if se > 0 else np.copysign(np.inf, slope) if slope else np.nan
    p = float(2 * stats.t.sf(abs(stat), n - 2)) if np.isfinite(stat) else (0.0 if stat else np.nan)
    return {"slope": slope, "std_error": se, "statistic": float(stat), "p_value": p}


# ---------------------------------------------------------------------------------------------
# sigma convergence
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SigmaConvergenceResult(Result):
    """Dispersion by year and its linear trend.

    Attributes
    ----------
    table
        Index ``year``; columns ``n, mean, sd, cv, sd_log``.
    trend
        Index ``measure`` (``cv``, ``sd_log``); columns ``slope, std_error, statistic, p_value``
        of the least-squares trend on the year. A significantly negative slope indicates
        σ-convergence.
    notes
        Cautions: a trend fitted on fewer than :data:`MIN_TREND_YEARS` years.
    """

    table: pd.DataFrame
    trend: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``year, measure, value``."""
        long = self.table.reset_index().melt(id_vars="year", var_name="measure")
        return long.sort_values(["year", "measure"], kind="stable", ignore_index=True)

    def summary(self) -> Summary:
        """Dispersion table and trend tests, bilingual."""
        table = self.table.rename(
            columns={
                "n": "样本数 n",
                "mean": "均值 Mean",
                "sd": "标准差 SD",
                "cv": "变异系数 CV",
                "sd_log": "对数标准差 SD of logs",
            }
        )
        trend = self.trend.rename(index={"cv": "变异系数 CV", "sd_log": "对数标准差 SD of logs"})
        return Summary(
            "σ收敛 σ-convergence",
            (("", table), ("时间趋势 Linear trend on year", trend)),
            notes=("A significantly negative slope indicates σ-convergence.", *self.notes),
        )


def sigma_convergence(
    frame: pd.DataFrame,
    value: str,
    year: str = "year",
    *,
    region: str | None = None,
    ddof: int = 0,
) -> SigmaConvergenceResult:
    r"""σ-convergence: coefficient of variation and SD of logs by year, with a trend test.

    Parameters
    ----------
    frame
        Long table, one row per region and year.
    value, year
        Column names; values must be strictly positive (logarithms).
    region
        Optional column used to name rows in error messages.
    ddof
        Delta degrees of freedom of both standard deviations (0: regions as the population).

    Returns
    -------
    SigmaConvergenceResult

    Notes
    -----
    Barro and Sala-i-Martin (1992), Journal of Political Economy 100:223-251. For year
    :math:`t` with :math:`n_t` regions,

    .. math::

        CV_t = \frac{\sigma_t(y)}{\mu_t(y)},\qquad
        \sigma_t(\ln y) = \sqrt{\frac{1}{n_t - \mathrm{ddof}}\sum_i
        (\ln y_{it} - \overline{\ln y}_t)^2},

    and the trend is the least-squares line :math:`m_t = a + b\,t` with a t test of
    :math:`b = 0` on :math:`T - 2` degrees of freedom. With fewer than
    :data:`MIN_TREND_YEARS` (4) years the test has at most one degree of freedom (none with 2
    years: no p-value); the result then carries a note (the 4 is this package's rule of thumb:
    with 1 degree of freedom a slope needs :math:`|t| > 6.31` to be significant at 10 %).

    Examples
    --------
    >>> df = pd.DataFrame({"year": [1, 1, 2, 2, 3, 3], "y": [1.0, 3.0, 1.5, 2.5, 1.8, 2.2]})
    >>> sigma_convergence(df, "y").table["cv"].round(4).tolist()
    [0.5, 0.25, 0.1]
    """
    require_columns(frame, [value, year, region], " in the σ-convergence frame")
    years = year_codes(frame[year], year)
    raw = _values(frame, value, years, region, positive=True)
    uniq = np.unique(years)
    if len(uniq) < 2:
        raise DataValidationError(f"σ-convergence needs at least 2 years; got {list(uniq)}")
    records = []
    for yr in uniq:
        y = raw[years == yr]
        if len(y) <= max(ddof, 1):
            raise DataValidationError(f"year {yr} has {len(y)} value(s); need at least 2")
        records.append(
            {
                "year": int(yr),
                "n": len(y),
                "mean": y.mean(),
                "sd": y.std(ddof=ddof),
                "cv": y.std(ddof=ddof) / y.mean(),
                "sd_log": np.log(y).std(ddof=ddof),
            }
        )
    table = pd.DataFrame.from_records(records).set_index("year")
    t = table.index.to_numpy(dtype=float)
    trend = pd.DataFrame({m: _ols_trend(t, table[m].to_numpy()) for m in ("cv", "sd_log")}).T
    trend.index.name = "measure"
    notes = []
    if len(uniq) < MIN_TREND_YEARS:
        dof = len(uniq) - 2
        notes.append(
            f"the trend is fitted on {len(uniq)} years (fewer than {MIN_TREND_YEARS}; {dof} "
            f"degree{'' if dof == 1 else 's'} of freedom): its test has little or no power, "
            "read the dispersion by year instead"
        )
    return SigmaConvergenceResult(
        table=table,
        trend=trend,
        notes=tuple(notes),
        meta=make_meta("sigma_convergence", value=value, ddof=ddof, years=len(uniq)),
    )


# ---------------------------------------------------------------------------------------------
# beta convergence
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BetaConvergenceResult(Result):
    r"""β-convergence regression.

    Attributes
    ----------
    coefficients
        Index ``term`` (``ln_y`` for β, then the controls); columns ``estimate, std_error,
        statistic, p_value, ci_lower, ci_upper`` (95 %). Year effects are not listed.
    beta, speed, half_life
        :math:`\beta`, :math:`\lambda = -\ln(1+\beta)/\Delta t` and :math:`\ln 2/\lambda`;
        speed and half-life only when :math:`-1 < \beta < 0` and β is significant at the
        level ``alpha`` (10 % by default), else NaN with the reason in
        :attr:`half_life_reason`.
    interval
        :math:`\Delta t`, the spacing of the years.
    nobs, n_regions, n_periods
        Growth observations, regions and growth periods used.
    effects, cluster
        The fixed effects and the standard-error type.
    r2_within
        :math:`R^2` of the regression after the fixed-effect transformation.
    kind
        ``"absolute"`` (no controls) or ``"conditional"``.
    half_life_reason
        Why speed and half-life are NaN (``None`` when they are given).
    notes
        Cautions (the half-life reason).
    """

    coefficients: pd.DataFrame
    beta: float
    speed: float
    half_life: float
    interval: int
    nobs: int
    n_regions: int
    n_periods: int
    effects: str
    cluster: str | None
    r2_within: float
    kind: str
    half_life_reason: str | None = None
    notes: tuple[str, ...] = ()

    def half_life_text(self) -> str:
        """``"half-life 5.07 years"``, or why there is none (never ``nan``)."""
        return _half_life_text(self.half_life, self.half_life_reason)

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficient frame plus rows ``speed`` and ``half_life``.

        Columns ``term, estimate, std_error, statistic, p_value, ci_lower, ci_upper``; the two
        extra rows carry an estimate only.
        """
        frame = self.coefficients.reset_index()
        extra = pd.DataFrame(
            {"term": ["speed", "half_life"], "estimate": [self.speed, self.half_life]}
        )
        return pd.concat([frame, extra], ignore_index=True)

    def summary(self) -> Summary:
        """Coefficient table and model facts, bilingual."""
        facts = pd.DataFrame(
            {
                "值 Value": [
                    self.kind,
                    self.effects,
                    self.cluster or "none",
                    self.nobs,
                    self.n_regions,
                    self.n_periods,
                    self.interval,
                    self.r2_within,
                    self.speed,
                    self.half_life,
                ]
            },
            index=[
                "类型 Kind",
                "固定效应 Fixed effects",
                "聚类 Cluster",
                "观测数 Observations",
                "地区数 Regions",
                "时期数 Periods",
                "间隔 Δt (years)",
                "组内R² R² within",
                "收敛速度 Speed λ",
                "半衰期 Half-life (years)",
            ],
        )
        coefs = self.coefficients.rename(index={"ln_y": "ln y_t (β)"})
        notes = list(self.notes)
        if self.cluster and self.n_regions < 10:
            notes.append(
                f"Only {self.n_regions} clusters: cluster-robust standard errors are unreliable "
                "with so few clusters."
            )
        if not np.isfinite(self.coefficients["std_error"]).all():
            notes.append(
                "Some standard errors are undefined (NaN): the estimated variance is zero by "
                "construction, as with two clusters and year effects."
            )
        return Summary(
            "β收敛 β-convergence",
            (("", coefs), ("模型 Model", facts.astype(object))),
            notes=tuple(notes),
        )


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise DataValidationError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    return float(alpha)


def _speed(
    beta: float, p_value: float, dt: int, alpha: float, what: str = "β"
) -> tuple[float, float, str | None]:
    r"""Speed :math:`-\ln(1+\beta)/\Delta t` and half-life :math:`\ln 2/\lambda`, or NaN and why.

    Both are given only for a convergence that the data show: :math:`-1 < \beta < 0` with
    :math:`p < \alpha`.
    """
    b, p = float(beta), float(p_value)
    if not np.isfinite(b):
        reason = f"{what} is undefined: no speed, no half-life"
    elif b >= 0:
        reason = f"{what} = {b:.4f} ≥ 0: no convergence, no half-life"
    elif b <= -1:
        reason = f"{what} = {b:.4f} ≤ −1: speed −ln(1 + {what}) undefined, no half-life"
    elif not np.isfinite(p):
        reason = f"{what} = {b:.4f} has no p-value (undefined standard error): no half-life"
    elif p >= alpha:
        reason = (
            f"{what} = {b:.4f} not significant at {100 * alpha:g} % (p = {p:.3g}): no half-life"
        )
    else:
        speed = float(-np.log1p(b) / dt)
        return speed, float(np.log(2) / speed), None
    return np.nan, np.nan, reason


def _half_life_text(half_life: float, reason: str | None) -> str:
    return f"half-life {half_life:.2f} years" if reason is None else reason


def _growth_panel(
    frame: pd.DataFrame,
    value: str,
    region: str,
    year: str,
    controls: Sequence[str],
) -> tuple[pd.DataFrame, int]:
    """Rows with ``region, year, g = ln(y_{t+Δ}/y_t), ln_y`` and the controls at t."""
    years = year_codes(frame[year], year)
    raw = _values(frame, value, years, region, positive=True)
    data = pd.DataFrame({"region": frame[region].to_numpy(), "year": years, "y": raw})
    for c in controls:
        col = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(col))
        if bad.size:
            cells = ", ".join(f"region {show(data.region.iloc[p])} in {years[p]}" for p in bad[:5])
            raise DataValidationError(f"control {c!r} has missing or non-numeric values: {cells}")
        data[f"ctl:{c}"] = col
    missing_region = np.flatnonzero(data.region.isna().to_numpy())
    if missing_region.size:
        raise DataValidationError(
            f"column {region!r} is missing in rows "
            f"{[plain(i) for i in frame.index[missing_region[:5]]]}"
        )
    dup = data.duplicated(["region", "year"], keep=False).to_numpy()
    if dup.any():
        first = int(np.flatnonzero(dup)[0])
        raise DuplicateError(
            f"region {show(data.region.iloc[first])} appears more than once in "
            f"{data.year.iloc[first]} ({int(dup.sum())} duplicated rows)"
        )
    uniq = np.unique(years)
    if len(uniq) < 2:
        raise DataValidationError(f"β-convergence needs at least 2 years; got {list(uniq)}")
    steps = np.unique(np.diff(uniq))
    if len(steps) != 1:
        raise DataValidationError(
            f"the years {list(uniq)} are not evenly spaced (steps {list(steps)}); growth rates "
            "over different intervals cannot share one β. Select evenly spaced years explicitly"
        )
    dt = int(steps[0])
    data = data.sort_values(["region", "year"], kind="stable", ignore_index=True)
    nxt = data.groupby("region", sort=False).shift(-1)
    gap = nxt.year.notna() & (nxt.year - data.year != dt)
    if gap.any():
        first = int(np.flatnonzero(gap.to_numpy())[0])
        start, after = int(data.year.iloc[first]), int(nxt.year.iloc[first])
        raise DataValidationError(
            f"region {show(data.region.iloc[first])} has no observation in {start + dt} between "
            f"{start} and {after}; growth needs consecutive years "
            f"({int(gap.sum())} gap(s) in all); {GAP_FIXES}"
        )
    keep = nxt.year.notna().to_numpy()
    out = data[keep].copy()
    out["g"] = np.log(nxt.y[keep].to_numpy() / out.y.to_numpy())
    out["ln_y"] = np.log(out.y.to_numpy())
    return out.reset_index(drop=True), dt


def _demean(a: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(codes, minlength=k).astype(float)
    if a.ndim == 1:
        return a - (np.bincount(codes, weights=a, minlength=k) / counts)[codes]
    means = np.stack([np.bincount(codes, weights=col, minlength=k) for col in a.T], axis=1)
    return a - (means / counts[:, None])[codes]


def _fit(
    data: pd.DataFrame, controls: Sequence[str], effects: str, cluster: str | None
) -> dict[str, Any]:
    names = ["ln_y", *controls]
    x = data[["ln_y", *[f"ctl:{c}" for c in controls]]].to_numpy(dtype=float)
    y = data["g"].to_numpy(dtype=float)
    rcodes, rlabels = pd.factorize(data.region, sort=True)
    g_count = len(rlabels)
    if effects == "twoway":
        ycodes, ylabels = pd.factorize(data.year, sort=True)
        dummies = (ycodes[:, None] == np.arange(1, len(ylabels))[None, :]).astype(float)
        x = np.column_stack([x, dummies])
    if effects in ("twoway", "region"):
        x = _demean(x, rcodes, g_count)
        y = _demean(y, rcodes, g_count)
        absorbed = g_count - 1
    else:
        x = np.column_stack([x, np.ones(len(y))])
        names = [*names]  # constant kept last, not reported
        absorbed = 0
    n, p = x.shape
    k_df = p + (1 if effects in ("twoway", "region") else 0)  # the absorbed constant counts
    rank = np.linalg.matrix_rank(x)
    if rank < p:
        raise DataValidationError(
            f"the regressors are collinear after removing the {effects} fixed effects (rank "
            f"{rank} < {p}); a control that is constant within regions or years cannot be "
            "estimated with these effects"
        )
    xtx_inv = np.linalg.inv(x.T @ x)
    coef = xtx_inv @ (x.T @ y)
    resid = y - x @ coef
    if cluster == "region":
        if g_count < 2:
            raise DataValidationError("clustered standard errors need at least 2 regions")
        scores = np.zeros((g_count, p))
        np.add.at(scores, rcodes, x * resid[:, None])
        meat = scores.T @ scores
        factor = g_count / (g_count - 1) * (n - 1) / (n - k_df)
        cov = factor * xtx_inv @ meat @ xtx_inv
        df = g_count - 1
    else:
        df = n - k_df - absorbed
        if df <= 0:
            raise DataValidationError(f"no residual degrees of freedom ({n} observations)")
        cov = float(resid @ resid) / df * xtx_inv
    var = np.diag(cov)
    # A variance that is zero by construction leaves the standard error undefined (NaN, with a
    # note): with two clusters and year effects the two regions' residuals cancel year by year
    # and the clustered variance of β is exactly zero, computed as ±1e-15 or so. "Zero" is
    # judged against the scale of the conventional variance e'e/N · (X'X)^-1.
    scale = float(resid @ resid) / n * np.diag(xtx_inv)
    se = np.sqrt(np.where(var > 1e-10 * scale, var, np.nan))
    tstat = coef / se
    pval = 2 * stats.t.sf(np.abs(tstat), df)
    crit = stats.t.ppf(0.975, df)
    m = len(names)
    table = pd.DataFrame(
        {
            "estimate": coef[:m],
            "std_error": se[:m],
            "statistic": tstat[:m],
            "p_value": pval[:m],
            "ci_lower": coef[:m] - crit * se[:m],
            "ci_upper": coef[:m] + crit * se[:m],
        },
        index=pd.Index(names, name="term"),
    )
    tss = float((y - y.mean()) @ (y - y.mean()))
    r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else np.nan
    return {
        "table": table,
        "nobs": n,
        "n_regions": g_count,
        "r2": r2,
        "n_periods": int(data.year.nunique()),
    }


def beta_convergence(
    frame: pd.DataFrame,
    value: str,
    region: str = "region",
    year: str = "year",
    *,
    controls: Sequence[str] | None = None,
    effects: Effects = "twoway",
    cluster: Literal["region"] | None = "region",
    alpha: float = HALF_LIFE_ALPHA,
) -> BetaConvergenceResult:
    r"""Absolute or conditional β-convergence with panel fixed effects.

    Parameters
    ----------
    frame
        Long table, one row per region and year; years evenly spaced (step :math:`\Delta t`),
        and every region observed in consecutive years (it may start late or end early).
    value, region, year
        Column names; values must be strictly positive.
    controls
        Columns of control variables measured in year :math:`t` (conditional convergence);
        ``None`` gives absolute convergence.
    effects
        ``"twoway"`` (region and year effects), ``"region"`` or ``"none"`` (pooled with a
        constant).
    cluster
        ``"region"`` for standard errors clustered by region, ``None`` for conventional ones.
    alpha
        Significance level that β must reach (two-sided p-value below it) for a speed and a
        half-life to be reported.

    Returns
    -------
    BetaConvergenceResult

    Raises
    ------
    DataValidationError
        Non-positive or missing values (naming region and year), unevenly spaced years, a gap in
        a region's years, collinear regressors.
    DuplicateError
        A region observed twice in a year.

    Notes
    -----
    Barro and Sala-i-Martin (1992), Journal of Political Economy 100:223-251; panel form as in
    Islam (1995), Quarterly Journal of Economics 110:1127-1170:

    .. math::

        \ln\frac{y_{i,t+\Delta t}}{y_{i,t}} = \alpha_i + \tau_t + \beta \ln y_{i,t}
        + \gamma' x_{i,t} + \varepsilon_{it},\qquad
        \lambda = -\frac{\ln(1+\beta)}{\Delta t},\qquad
        t_{1/2} = \frac{\ln 2}{\lambda}.

    Region effects are removed by the within transformation and year effects enter as dummies
    (Frisch-Waugh-Lovell; exact for unbalanced panels). Clustered covariance:

    .. math::

        V = \frac{G}{G-1}\frac{N-1}{N-K}(X'X)^{-1}
            \Big(\sum_g X_g' e_g e_g' X_g\Big)(X'X)^{-1},

    with :math:`G` regions, :math:`N` observations and :math:`K` the number of slope
    coefficients (including year dummies) plus one for the constant, which is the factor of
    Stata's ``xtreg, fe vce(cluster)``; p-values and intervals use :math:`t_{G-1}`.
    Conventional errors use :math:`s^2 = e'e/(N - K - G + 1)` with region effects.

    Speed and half-life describe a convergence the data show: they are NaN, with the reason in
    ``half_life_reason`` and ``notes``, when :math:`\beta \ge 0` (no convergence),
    :math:`\beta \le -1`, or β is not significant at ``alpha`` (a short panel often gives
    a large p-value; a half-life computed from such a β is noise).

    Examples
    --------
    >>> years = [2000, 2001, 2002]
    >>> df = pd.DataFrame({"region": list("aaabbbccc"), "year": years * 3,
    ...                    "y": [1.0, 1.3, 1.6, 2.0, 2.2, 2.5, 4.0, 4.1, 4.4]})
    >>> r = beta_convergence(df, "y", effects="none", cluster=None)
    >>> round(r.beta, 4), round(r.speed, 4)
    (-0.1467, 0.1587)
    >>> r.half_life_text()
    'half-life 4.37 years'
    >>> beta_convergence(df, "y", effects="region", cluster=None).half_life_text()
    'β = -0.1289 not significant at 10 % (p = 0.54): no half-life'
    """
    controls = list(controls or [])
    alpha = _check_alpha(alpha)
    if effects not in ("twoway", "region", "none"):
        raise DataValidationError(f"effects must be 'twoway', 'region' or 'none', got {effects!r}")
    if cluster not in ("region", None):
        raise DataValidationError(f"cluster must be 'region' or None, got {cluster!r}")
    require_columns(frame, [value, region, year, *controls], " in the β-convergence frame")
    data, dt = _growth_panel(frame, value, region, year, controls)
    fit = _fit(data, controls, effects, cluster)
    beta = float(fit["table"].loc["ln_y", "estimate"])
    speed, half, why = _speed(beta, fit["table"].loc["ln_y", "p_value"], dt, alpha)
    return BetaConvergenceResult(
        coefficients=fit["table"],
        beta=beta,
        speed=speed,
        half_life=half,
        interval=dt,
        nobs=fit["nobs"],
        n_regions=fit["n_regions"],
        n_periods=fit["n_periods"],
        effects=effects,
        cluster=cluster,
        r2_within=fit["r2"],
        kind="conditional" if controls else "absolute",
        half_life_reason=why,
        notes=() if why is None else (why,),
        meta=make_meta(
            "beta_convergence",
            value=value,
            controls=controls,
            effects=effects,
            cluster=cluster,
            interval=dt,
            alpha=alpha,
            covariance="Stata xtreg-fe cluster factor" if cluster else "conventional",
        ),
    )


# ---------------------------------------------------------------------------------------------
# club convergence
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClubConvergenceResult(Result):
    """β-convergence within each club (group of regions).

    Attributes
    ----------
    results
        The :class:`BetaConvergenceResult` of each club.
    table
        One row per club: ``beta, std_error, p_value, speed, half_life, n_regions, nobs``.
    notes
        Each club's cautions (why it has no half-life), led by the club's name.
    """

    results: dict[Hashable, BetaConvergenceResult]
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: the club table with ``club`` as a column."""
        return self.table.reset_index()

    def summary(self) -> Summary:
        """Club table, bilingual."""
        table = self.table.rename(
            columns={
                "beta": "β",
                "std_error": "标准误 SE",
                "p_value": "p",
                "speed": "收敛速度 Speed",
                "half_life": "半衰期 Half-life",
                "n_regions": "地区数 Regions",
                "nobs": "观测数 Obs",
            }
        )
        notes = []
        few = [str(c) for c, r in self.results.items() if r.cluster and r.n_regions < 10]
        if few:
            notes.append(
                f"Clubs with fewer than 10 regions ({', '.join(few)}): clustered "
                "standard errors are unreliable with so few clusters."
            )
        return Summary("俱乐部收敛 Club convergence", (("", table),), notes=(*notes, *self.notes))


def club_convergence(
    frame: pd.DataFrame,
    value: str,
    club: str,
    region: str = "region",
    year: str = "year",
    *,
    controls: Sequence[str] | None = None,
    effects: Effects = "twoway",
    cluster: Literal["region"] | None = "region",
    alpha: float = HALF_LIFE_ALPHA,
) -> ClubConvergenceResult:
    """β-convergence estimated separately within each club (e.g. macro-region).

    Parameters
    ----------
    frame
        Long table as for :func:`beta_convergence`.
    club
        Column giving each region's club; it must be constant within a region.
    value, region, year, controls, effects, cluster, alpha
        As for :func:`beta_convergence`.

    Returns
    -------
    ClubConvergenceResult

    Notes
    -----
    Club convergence in the sense of convergence within predefined groups (Baumol 1986,
    American Economic Review 76:1072-1085; Durlauf and Johnson 1995): the regression of
    :func:`beta_convergence` is run on each club's regions alone.

    Examples
    --------
    >>> df = pd.DataFrame({"region": list("aaabbbcccddd"), "year": [1, 2, 3] * 4,
    ...                    "club": list("xxxxxxyyyyyy"),
    ...                    "y": [1.0, 1.3, 1.6, 2.0, 2.2, 2.5, 4.0, 4.1, 4.4, 3, 3.3, 3.4]})
    >>> club_convergence(df, "y", "club", effects="none", cluster=None).table.index.tolist()
    ['x', 'y']
    """
    require_columns(frame, [club, region], " in the club-convergence frame")
    clubs_per_region = frame.groupby(region, sort=False)[club].nunique(dropna=False)
    mixed = clubs_per_region[clubs_per_region > 1]
    if len(mixed):
        raise DataValidationError(
            f"region(s) {[plain(m) for m in mixed.index[:5]]} belong to more than one club in "
            f"column {club!r}"
        )
    if frame[club].isna().any():
        rows = list(frame.index[frame[club].isna()][:5])
        raise DataValidationError(f"column {club!r} is missing in rows {rows}")
    results: dict[Hashable, BetaConvergenceResult] = {}
    records = []
    for name, sub in frame.groupby(club, sort=True):
        n_reg = sub[region].nunique()
        if n_reg < 2:
            raise DataValidationError(
                f"club {show(name)} has {n_reg} region; β-convergence within a club needs "
                "at least 2"
            )
        try:
            res = beta_convergence(
                sub,
                value,
                region,
                year,
                controls=controls,
                effects=effects,
                cluster=cluster,
                alpha=alpha,
            )
        except DataValidationError as exc:
            raise DataValidationError(f"club {show(name)}: {exc}") from None
        results[name] = res
        row = res.coefficients.loc["ln_y"]
        records.append(
            {
                "club": name,
                "beta": res.beta,
                "std_error": row.std_error,
                "p_value": row.p_value,
                "speed": res.speed,
                "half_life": res.half_life,
                "n_regions": res.n_regions,
                "nobs": res.nobs,
            }
        )
    table = pd.DataFrame.from_records(records).set_index("club")
    return ClubConvergenceResult(
        results=results,
        table=table,
        notes=tuple(f"{name}: {note}" for name, res in results.items() for note in res.notes),
        meta=make_meta(
            "club_convergence",
            value=value,
            club=club,
            effects=effects,
            cluster=cluster,
            controls=list(controls or []),
            alpha=alpha,
        ),
    )


# ---------------------------------------------------------------------------------------------
# spatial beta convergence
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpatialBetaConvergenceResult(Result):
    r"""Spatial β-convergence: the growth regression as a fixed-effects spatial panel model.

    Attributes
    ----------
    fit
        The full :class:`~nqpf.econometrics.SpatialPanelResults` (coefficients, effects of every
        regressor, tests, log-likelihood); the dependent variable is ``growth``
        (:math:`\ln(y_{i,t+\Delta t}/y_{it})`) and the regressor ``ln_y`` (:math:`\ln y_{it}`).
    model, fixed_effects, lee_yu
        Spatial model (``"sdm"``, ``"sar"``, ``"sem"`` or ``"sdem"``), fixed effects and
        bias correction.
    beta
        Coefficient of :math:`\ln y_{it}`.
    theta
        Coefficient of :math:`W\ln y_{it}` (Durbin models; NaN for SAR and SEM).
    rho
        The spatial parameter: :math:`\rho` of :math:`Wg` (SAR, SDM) or :math:`\lambda` of the
        error (SEM, SDEM); :attr:`spatial_parameter` says which.
    direct, indirect, total
        Effects of :math:`\ln y_{it}` (LeSage and Pace 2009), each a mapping with ``estimate,
        std_error, p_value``.
    speed, half_life
        :math:`\lambda = -\ln(1+\beta)/\Delta t` and :math:`\ln 2/\lambda` from the
        coefficient :math:`\beta` (the usual convention), when :math:`-1 < \beta < 0` is
        significant at ``alpha``; else NaN with the reason in :attr:`half_life_reason`.
    speed_direct, half_life_direct
        The same from the direct effect instead of :math:`\beta` (it includes the feedback
        through the neighbours), with its own p-value; the reason in
        :attr:`half_life_direct_reason`.
    interval
        :math:`\Delta t`, the spacing of the years.
    nobs, n_regions, n_periods
        Growth observations, regions and growth periods.
    kind
        ``"absolute"`` (no controls) or ``"conditional"``.
    """

    fit: SpatialPanelResults
    model: str
    fixed_effects: str
    lee_yu: str
    beta: float
    theta: float
    rho: float
    direct: dict[str, float]
    indirect: dict[str, float]
    total: dict[str, float]
    speed: float
    half_life: float
    speed_direct: float
    half_life_direct: float
    interval: int
    nobs: int
    n_regions: int
    n_periods: int
    kind: str
    half_life_reason: str | None = None
    half_life_direct_reason: str | None = None
    notes: tuple[str, ...] = ()

    def half_life_text(self) -> str:
        """``"half-life 5.07 years"`` (from β), or why there is none (never ``nan``)."""
        return _half_life_text(self.half_life, self.half_life_reason)

    @property
    def spatial_parameter(self) -> str:
        """``"rho"`` for SAR/SDM, ``"lambda"`` for SEM/SDEM."""
        return self.fit.spatial_parameter

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``component, term, estimate, std_error, statistic, p_value``.

        The rows of the model (``component`` ``coefficient``, ``direct``, ``indirect``,
        ``total``) followed by ``component == "convergence"`` rows ``speed``, ``half_life``
        (from β), ``speed_direct`` and ``half_life_direct`` (from the direct effect), which carry
        an estimate only.
        """
        extra = pd.DataFrame(
            {
                "component": "convergence",
                "term": ["speed", "half_life", "speed_direct", "half_life_direct"],
                "estimate": [self.speed, self.half_life, self.speed_direct, self.half_life_direct],
            }
        )
        return pd.concat([self.fit.to_frame(), extra], ignore_index=True)

    def table(self) -> pd.DataFrame:
        """The headline numbers in one bilingual table.

        Rows β (``ln y_t``), θ (``W·ln y_t``, Durbin models), ρ or λ, and the direct, indirect
        and total effects of ``ln y_t``; columns estimate, standard error, p-value, and the
        speed and half-life on the β row (from the coefficient) and on the direct-effect row.
        """
        fit = self.fit
        symbol = self.spatial_parameter
        terms = [("ln_y", "β (ln y_t)")]
        if np.isfinite(self.theta):
            terms.append(("W*ln_y", "θ (W·ln y_t)"))
        terms.append((symbol, "ρ (W·g)" if symbol == "rho" else "λ (W·u)"))
        rows = [
            (label, float(fit.params[t]), float(fit.std_errors[t]), float(fit.p_values[t]))
            for t, label in terms
        ]
        for label, part in (
            ("直接效应 Direct", self.direct),
            ("间接效应 Indirect", self.indirect),
            ("总效应 Total", self.total),
        ):
            rows.append((label, part["estimate"], part["std_error"], part["p_value"]))
        out = pd.DataFrame(
            [r[1:] for r in rows],
            index=pd.Index([r[0] for r in rows], name="项 Term"),
            columns=["估计值 Estimate", "标准误 SE", "p"],
        )
        out["收敛速度 Speed λ"] = np.nan
        out["半衰期 Half-life (years)"] = np.nan
        out.loc["β (ln y_t)", ["收敛速度 Speed λ", "半衰期 Half-life (years)"]] = [
            self.speed,
            self.half_life,
        ]
        out.loc["直接效应 Direct", ["收敛速度 Speed λ", "半衰期 Half-life (years)"]] = [
            self.speed_direct,
            self.half_life_direct,
        ]
        return out

    def summary(self) -> Summary:
        """The headline table (:meth:`table`) and the model facts, bilingual."""
        facts = pd.DataFrame(
            {
                "值 Value": [
                    self.kind,
                    self.model.upper(),
                    self.fixed_effects,
                    self.lee_yu,
                    self.nobs,
                    self.n_regions,
                    self.n_periods,
                    self.interval,
                ]
            },
            index=[
                "类型 Kind",
                "模型 Model",
                "固定效应 Fixed effects",
                "Lee–Yu 偏差校正 bias correction",
                "观测数 Observations",
                "地区数 Regions",
                "时期数 Periods",
                "间隔 Δt (years)",
            ],
        )
        notes = [
            "Speed λ = −ln(1+b)/Δt and half-life ln 2/λ with b = β, the coefficient of ln y_t "
            "(the usual convention), on the β row, and with b = the direct effect (which "
            "includes the feedback through the neighbours) on the direct-effect row.",
            (
                f"Standard errors of the effects from {self.meta.get('draws')} simulated "
                "parameter draws (LeSage & Pace 2009)"
                if self.model in ("sar", "sdm")
                else "Effects of SEM/SDEM are linear in the coefficients: exact standard errors"
            )
            + "; the full model with its tests is in .fit.",
        ]
        notes += self.notes
        return Summary(
            "空间β收敛 Spatial β-convergence",
            (("", self.table()), ("模型 Model", facts.astype(object))),
            notes=tuple(notes),
        )


def spatial_beta_convergence(
    frame: pd.DataFrame,
    value: str,
    w: Any,
    region: str = "region",
    year: str = "year",
    *,
    model: Literal["sdm", "sar", "sem", "sdem"] = "sdm",
    effects: Literal["twoway", "region", "time"] = "twoway",
    controls: Sequence[str] | None = None,
    lee_yu: bool | Literal["transformation", "elhorst"] = True,
    draws: int = 1000,
    seed: Seed = 0,
    alpha: float = HALF_LIFE_ALPHA,
) -> SpatialBetaConvergenceResult:
    r"""Spatial β-convergence: the growth regression fitted as a spatial panel model.

    Parameters
    ----------
    frame
        Long table, one row per region and year; a balanced panel with evenly spaced years.
    value
        Column of the value (strictly positive).
    w
        Spatial weights over the regions (:class:`~nqpf.geo.SpatialWeights`, a
        libpysal ``W``, a labelled DataFrame, or a matrix in the order of the sorted regions);
        row-standardised when the model has time effects.
    region, year
        Column names.
    model
        ``"sdm"`` (spatial Durbin, default), ``"sar"``, ``"sem"`` or ``"sdem"``.
    effects
        Fixed effects: ``"twoway"`` (default), ``"region"`` or ``"time"``.
    controls
        Columns of control variables measured in year :math:`t` (conditional convergence).
        They must not be called ``growth`` or ``ln_y``.
    lee_yu
        Bias correction of Lee and Yu (2010), as in :class:`~nqpf.econometrics.SpatialPanel`.
    draws, seed
        Parameter draws (and their seed, see :mod:`nqpf._random`) for the simulated standard
        errors of the effects.
    alpha
        Significance level that β (and the direct effect, for ``speed_direct``) must reach for
        a speed and a half-life, as in :func:`beta_convergence`.

    Returns
    -------
    SpatialBetaConvergenceResult

    Raises
    ------
    DataValidationError
        Non-positive or missing values, unevenly spaced years, a gap, an unbalanced panel, a
        control named ``growth`` or ``ln_y``, collinear regressors.
    WeightsError
        Weights that do not match the regions, or are not row-standardised with time effects.
    ConvergenceError
        The likelihood could not be maximised (see :class:`~nqpf.econometrics.SpatialPanel`).

    Notes
    -----
    The growth regression of :func:`beta_convergence` with spatial interaction, as in Rey and
    Montouri (1999), *Regional Studies* 33:143-156, and for panels Elhorst, Piras and Arbia
    (2010), *Geographical Analysis* 42:338-355. The spatial Durbin form is

    .. math::

        g_{it} = \ln\frac{y_{i,t+\Delta t}}{y_{it}}
        = \rho \sum_j w_{ij} g_{jt} + \beta \ln y_{it} + \theta \sum_j w_{ij}\ln y_{jt}
        + \mu_i + \tau_t + \varepsilon_{it},

    estimated by maximum likelihood with the Lee and Yu (2010) correction
    (:class:`~nqpf.econometrics.SpatialPanel`). The effects of :math:`\ln y` come from
    :math:`S(W) = (I - \rho W)^{-1}(I\beta + W\theta)` (LeSage and Pace 2009): the direct
    effect is the mean diagonal element, the total effect the mean row sum. The speed of
    convergence and the half-life are

    .. math::

        \lambda = -\frac{\ln(1+\beta)}{\Delta t},\qquad t_{1/2} = \frac{\ln 2}{\lambda},

    computed from the coefficient :math:`\beta` (``speed``, ``half_life``; the common
    convention) and, alternatively, with the direct effect in place of :math:`\beta`
    (``speed_direct``, ``half_life_direct``). Each is NaN, with the reason in
    ``half_life_reason`` / ``half_life_direct_reason`` and ``notes``, unless its value lies in
    :math:`(-1, 0)` and is significant at ``alpha`` (its own p-value).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n, years = 8, range(2000, 2008)
    >>> W = np.zeros((n, n))
    >>> for i in range(n):
    ...     W[i, (i - 1) % n] = W[i, (i + 1) % n] = 0.5
    >>> df = pd.DataFrame({"region": np.repeat(np.arange(n), len(years)),
    ...                    "year": np.tile(list(years), n),
    ...                    "y": np.exp(rng.normal(1, 0.3, n * len(years)))})
    >>> r = spatial_beta_convergence(df, "y", W, draws=50)
    >>> r.beta < 0, r.spatial_parameter
    (True, 'rho')
    """
    from nqpf.econometrics.spatial_panel import MODELS, SpatialPanel

    controls = list(controls or [])
    alpha = _check_alpha(alpha)
    if model not in MODELS:
        raise DataValidationError(f"model must be one of {list(MODELS)}, got {model!r}")
    if effects not in ("twoway", "region", "time"):
        raise DataValidationError(f"effects must be 'twoway', 'region' or 'time', got {effects!r}")
    if int(draws) < 2:
        raise DataValidationError(f"draws must be at least 2, got {draws!r}")
    clash = [c for c in controls if c in ("growth", "ln_y")]
    if clash:
        raise DataValidationError(
            f"control(s) {clash} clash with the names of the growth regression "
            "('growth', 'ln_y'); rename them"
        )
    require_columns(frame, [value, region, year, *controls], " in the spatial β-convergence frame")
    data, dt = _growth_panel(frame, value, region, year, controls)
    table = pd.DataFrame(
        {
            "region": data["region"].to_numpy(),
            "year": data["year"].to_numpy(),
            "growth": data["g"].to_numpy(),
            "ln_y": data["ln_y"].to_numpy(),
            **{c: data[f"ctl:{c}"].to_numpy() for c in controls},
        }
    )
    estimator = SpatialPanel(model, effects, lee_yu=lee_yu, draws=draws, seed=seed)
    fit = estimator.fit(table, y="growth", x=["ln_y", *controls], w=w, region="region")
    row = fit.effects.loc["ln_y"]

    def effect(part: str) -> dict[str, float]:
        return {
            "estimate": float(row[part]),
            "std_error": float(row[f"{part}_se"]),
            "p_value": float(row[f"{part}_p_value"]),
        }

    beta = float(fit.params["ln_y"])
    direct = effect("direct")
    speed, half, why = _speed(beta, fit.p_values["ln_y"], dt, alpha)
    speed_d, half_d, why_d = _speed(
        direct["estimate"], direct["p_value"], dt, alpha, what="direct effect"
    )
    return SpatialBetaConvergenceResult(
        fit=fit,
        model=model,
        fixed_effects=effects,
        lee_yu=fit.lee_yu,
        beta=beta,
        theta=float(fit.params["W*ln_y"]) if "W*ln_y" in fit.params.index else np.nan,
        rho=float(fit.params[fit.spatial_parameter]),
        direct=direct,
        indirect=effect("indirect"),
        total=effect("total"),
        speed=speed,
        half_life=half,
        speed_direct=speed_d,
        half_life_direct=half_d,
        interval=dt,
        nobs=len(table),
        n_regions=fit.n_regions,
        n_periods=fit.n_periods,
        kind="conditional" if controls else "absolute",
        half_life_reason=why,
        half_life_direct_reason=why_d,
        notes=tuple(n for n in (why, why_d) if n is not None),
        meta=make_meta(
            "spatial_beta_convergence",
            value=value,
            model=model,
            effects=effects,
            lee_yu=fit.lee_yu,
            controls=controls,
            interval=dt,
            draws=int(draws),
            seed=fit.meta["seed"],
            alpha=alpha,
            speed_from="coefficient beta (speed_direct: direct effect)",
        ),
    )
