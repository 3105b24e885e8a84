"""Shared fixtures of the econometrics tests: seeded synthetic spatial panels from a known data
generating process, weights matrices, and the bundled real province panel with a k-nearest W."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def ring_weights(n: int, row_standardise: bool = True) -> np.ndarray:
    """Each region neighbours the two next to it on a circle."""
    W = np.zeros((n, n))
    for i in range(n):
        W[i, (i - 1) % n] = W[i, (i + 1) % n] = 1.0
    return W / W.sum(axis=1, keepdims=True) if row_standardise else W


def knn_weights_matrix(n: int, k: int = 4, seed: int = 0, row_standardise: bool = True):
    """Row-standardised k-nearest-neighbour W on random points (not symmetric)."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(size=(n, 2))
    d = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    np.fill_diagonal(d, np.inf)
    W = np.zeros((n, n))
    nearest = np.argsort(d, axis=1)[:, :k]
    W[np.repeat(np.arange(n), k), nearest.ravel()] = 1.0
    return W / k if row_standardise else W


def simulate(
    W: np.ndarray,
    T: int,
    beta,
    theta=None,
    rho: float = 0.0,
    lam: float = 0.0,
    sigma: float = 0.5,
    region_effects: bool = True,
    time_effects: bool = True,
    seed: int = 0,
):
    """Draw a spatial panel from y_t = ρWy_t + X_tβ + WX_tθ + μ + α_t + u_t, u_t = λWu_t + ε_t.

    Returns the long DataFrame (``region, year, y, x1..xk``) and the arrays (T, n) / (T, n, k).
    Region effects are correlated with the regressors (as fixed effects should allow).
    """
    rng = np.random.default_rng(seed)
    n = W.shape[0]
    beta = np.asarray(beta, dtype=float)
    k = beta.size
    mu = rng.normal(size=n) if region_effects else np.zeros(n)
    alpha = rng.normal(size=T) if time_effects else np.zeros(T)
    X = rng.normal(size=(T, n, k)) + 0.5 * mu[None, :, None]
    WX = np.einsum("ij,tjk->tik", W, X)
    signal = X @ beta + (WX @ np.asarray(theta, dtype=float) if theta is not None else 0.0)
    A = np.eye(n) - rho * W
    B = np.eye(n) - lam * W
    y = np.empty((T, n))
    for t in range(T):
        u = np.linalg.solve(B, sigma * rng.normal(size=n))
        y[t] = np.linalg.solve(A, signal[t] + mu + alpha[t] + u)
    frame = pd.DataFrame(
        {
            "region": np.tile(np.arange(n), T),
            "year": np.repeat(np.arange(2001, 2001 + T), n),
            "y": y.ravel(),
        }
    )
    for j in range(k):
        frame[f"x{j + 1}"] = X[..., j].ravel()
    return frame, y, X


@pytest.fixture(scope="session")
def province_data():
    """Real data: 31 provinces, 2010-2022, from ``nqpf.data.load_province_panel()``.

    Variables (natural logs): ``ln_patent`` invention patents granted (件), ``ln_rd`` R&D
    expenditure (万元), ``ln_fte`` R&D personnel full-time equivalent (人年), ``ln_gdp`` GDP (亿元).
    Source: NBS provincial science & technology and GDP tables bundled with nqpf (SOURCE.md).
    Returns the Panel and a row-standardised 4-nearest-neighbour W (great-circle distance
    between capitals, ``nqpf.spatial.knn_weights``).
    """
    from nqpf.data import load_province_panel
    from nqpf.spatial import knn_weights

    panel = load_province_panel().select(
        indicators=["patent_grant_invention", "rd_exp", "rd_fte", "gdp"],
        years=range(2010, 2023),
    )
    panel = (
        panel.derive("ln_patent", "log(patent_grant_invention)")
        .derive("ln_rd", "log(rd_exp)")
        .derive("ln_fte", "log(rd_fte)")
        .derive("ln_gdp", "log(gdp)")
    )
    return panel, knn_weights(k=4)


@pytest.fixture(scope="session")
def helpers():
    """The helper functions above, for test modules (importlib import mode has no sys.path)."""

    class Helpers:
        ring = staticmethod(ring_weights)
        knn = staticmethod(knn_weights_matrix)
        simulate = staticmethod(simulate)

    return Helpers
