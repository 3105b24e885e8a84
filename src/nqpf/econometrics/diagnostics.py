"""Specification tests for spatial panels: LM (classic and robust), LR, Wald and Hausman.

Every test returns a :class:`~nqpf.results.TestResult`; one that cannot be computed is
:meth:`~nqpf.results.TestResult.not_applicable` with the reason, so that a report can print
"not applicable: ..." instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from nqpf.results import TestResult, frame_of_tests

__all__ = [
    "lm_tests",
    "lr_test",
    "wald_test",
]


def chi2_test(name: str, statistic: float, df: float, null: str, note: str = "") -> TestResult:
    """A χ² test from its statistic."""
    return TestResult(
        name=name,
        statistic=float(statistic),
        df=(float(df),),
        p_value=float(stats.chi2.sf(statistic, df)),
        distribution=f"chi2({df:g})",
        null=null,
        note=note,
    )


def outcomes_frame(tests: Mapping[str, TestResult]) -> pd.DataFrame:
    """One row per test: ``test, statistic, df, p_value, distribution, null, note``."""
    return frame_of_tests(tests)[
        ["test", "statistic", "df", "p_value", "distribution", "null", "note"]
    ]


def lm_tests(y: np.ndarray, X: np.ndarray, matrix: Any) -> dict[str, TestResult]:
    r"""Classic and robust LM tests for a spatial lag and a spatial error in a panel.

    Computed on the least-squares residuals of the (already within-transformed) non-spatial
    model, as in Elhorst's ``LMsarsem_panel`` (Elhorst 2014, ch. 3; Anselin et al. 1996 for the
    robust forms).

    Parameters
    ----------
    y
        ``(T, n)`` demeaned dependent variable.
    X
        ``(T, n, k)`` demeaned regressors.
    matrix
        ``n × n`` spatial weights, dense or scipy sparse.

    Returns
    -------
    dict
        ``lm_lag``, ``robust_lm_lag``, ``lm_error``, ``robust_lm_error`` (each χ²(1)).

    Notes
    -----
    With :math:`e` the residuals, :math:`\hat\sigma^2 = e'e/(nT)`,
    :math:`T_W = \operatorname{tr}(W'W + WW)` and
    :math:`J = [(I_T\otimes W)X\hat\beta]' M [(I_T\otimes W)X\hat\beta]/\hat\sigma^2 + T T_W`,

    .. math::

        LM_\rho = \frac{[e'(I_T\otimes W)y/\hat\sigma^2]^2}{J}, \qquad
        LM_\lambda = \frac{[e'(I_T\otimes W)e/\hat\sigma^2]^2}{T T_W},

        LM^*_\rho = \frac{[e'(I_T\otimes W)y/\hat\sigma^2 - e'(I_T\otimes W)e/\hat\sigma^2]^2}
                     {J - T T_W}, \qquad
        LM^*_\lambda = \frac{[e'(I_T\otimes W)e/\hat\sigma^2 - (T T_W/J)\,
                     e'(I_T\otimes W)y/\hat\sigma^2]^2}{T T_W (1 - T T_W / J)}.

    References: Anselin, Bera, Florax & Yoon (1996), Regional Science and Urban Economics
    26:77–104; Elhorst (2014), *Spatial Econometrics: From Cross-Sectional Data to Spatial
    Panels*, Springer, ch. 3; Debarsy & Ertur (2010), Regional Science and Urban Economics
    40:453–470.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    >>> X = rng.normal(size=(4, 3, 1)); y = X[..., 0] + rng.normal(size=(4, 3))
    >>> sorted(lm_tests(y, X, W))
    ['lm_error', 'lm_lag', 'robust_lm_error', 'robust_lm_lag']
    """
    T, n = y.shape
    k = X.shape[2]
    yv = y.reshape(-1)
    Xm = X.reshape(-1, k)
    beta, *_ = np.linalg.lstsq(Xm, yv, rcond=None)
    fitted = Xm @ beta
    e = yv - fitted
    sigma2 = float(e @ e) / (n * T)
    lag = lambda v: (v.reshape(T, n) @ matrix.T).reshape(-1)  # noqa: E731
    ewy = float(e @ lag(yv))
    ewe = float(e @ lag(e))
    if sparse.issparse(matrix):  # exact from the sparse entries
        trace_w = float(matrix.multiply(matrix.T).sum() + matrix.multiply(matrix).sum())
    else:
        trace_w = float(np.sum(matrix * matrix.T) + np.sum(matrix * matrix))
    wxb = lag(fitted)
    coef, *_ = np.linalg.lstsq(Xm, wxb, rcond=None)
    mwxb = wxb - Xm @ coef
    t_tw = T * trace_w
    J = float(wxb @ mwxb) / sigma2 + t_tw
    lag_score = ewy / sigma2
    err_score = ewe / sigma2
    null_lag = "no spatially lagged dependent variable (ρ = 0)"
    null_err = "no spatial autocorrelation in the errors (λ = 0)"
    note = ""
    return {
        "lm_lag": chi2_test("lm_lag", lag_score**2 / J, 1, null_lag, note),
        "robust_lm_lag": chi2_test(
            "robust_lm_lag",
            (lag_score - err_score) ** 2 / (J - t_tw),
            1,
            null_lag,
            "robust to a local spatial error",
        ),
        "lm_error": chi2_test("lm_error", err_score**2 / t_tw, 1, null_err, note),
        "robust_lm_error": chi2_test(
            "robust_lm_error",
            (err_score - t_tw / J * lag_score) ** 2 / (t_tw * (1 - t_tw / J)),
            1,
            null_err,
            "robust to a local spatial lag",
        ),
    }


def lr_test(
    name: str, loglik_full: float, loglik_restricted: float, df: int, null: str
) -> TestResult:
    r"""Likelihood-ratio test :math:`LR = 2(\ell_1 - \ell_0) \sim \chi^2(df)`.

    Examples
    --------
    >>> round(lr_test("lr", -10.0, -12.0, 1, "θ = 0").statistic, 6)
    4.0
    """
    return chi2_test(name, 2.0 * (loglik_full - loglik_restricted), df, null)


def wald_test(
    name: str,
    restriction: np.ndarray,
    jacobian: np.ndarray,
    cov: np.ndarray,
    null: str,
) -> TestResult:
    r"""Wald test of :math:`g(\theta) = 0`: :math:`W = g' (J V J')^{-1} g \sim \chi^2(q)`.

    Parameters
    ----------
    name
        Identifier of the test.
    restriction
        :math:`g(\hat\theta)`, length ``q``.
    jacobian
        :math:`J = \partial g / \partial \theta'` at the estimate, ``q × p``.
    cov
        Covariance of the estimate, ``p × p``.
    null
        The null hypothesis in words.

    Examples
    --------
    >>> t = wald_test("w", np.array([2.0]), np.array([[1.0]]), np.array([[1.0]]), "θ = 0")
    >>> t.statistic, t.df
    (4.0, (1.0,))
    """
    g = np.asarray(restriction, dtype=float)
    V = np.asarray(jacobian) @ np.asarray(cov) @ np.asarray(jacobian).T
    try:
        statistic = float(g @ np.linalg.solve(V, g))
    except np.linalg.LinAlgError:
        return TestResult.not_applicable(name, "the covariance of the restrictions is singular")
    return chi2_test(name, statistic, len(g), null)
