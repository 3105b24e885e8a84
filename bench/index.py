"""Benchmark: Monte Carlo rank uncertainty of a composite index, nqpf vs a pymcdm loop.

Case: SYNTHETIC panel of 300 regions x 20 years x 40 indicators (6,000 rows), seeded.

(a) ``nqpf.index.rank_uncertainty`` with N runs (3 normalisations x 3 weightings x 3
    aggregations, weight perturbation 0.2), ranks within each year; and the same engine restricted
    to min-max + entropy + TOPSIS, the peer's specification.
(b) a straightforward loop with pymcdm doing, per run, min-max normalisation
    (``pymcdm.normalizations.minmax_normalization``), entropy weights
    (``pymcdm.weights.entropy_weights``), a weight perturbation, ``pymcdm.methods.TOPSIS`` and
    ranks within each year. If the full loop is estimated to take more than ~90 s, 100 runs are
    timed and the time is extrapolated (said so in the output).

Run: ``.venv/bin/python bench/index.py [--runs 1000] [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from pymcdm.helpers import normalize_matrix
from pymcdm.methods import TOPSIS
from pymcdm.normalizations import minmax_normalization
from pymcdm.weights import entropy_weights as pymcdm_entropy

from nqpf.index import rank_uncertainty

N_REGIONS, N_YEARS, N_INDICATORS = 300, 20, 40
TARGET_SECONDS = 6.0
TARGET_RATIO = 10.0
PEER_BUDGET_SECONDS = 90.0


def synthetic_panel(seed: int = 20240601) -> tuple[pd.DataFrame, np.ndarray]:
    """SYNTHETIC region-year panel: region level + common trend + noise, lognormal, 1 in 4 cost."""
    rng = np.random.default_rng(seed)
    years = np.arange(2004, 2004 + N_YEARS)
    region = rng.normal(size=(N_REGIONS, 1, N_INDICATORS))
    trend = 0.05 * (years - years[0])[None, :, None] * rng.uniform(0.5, 1.5, N_INDICATORS)
    noise = 0.3 * rng.normal(size=(N_REGIONS, N_YEARS, N_INDICATORS))
    values = np.exp(region + trend + noise).reshape(N_REGIONS * N_YEARS, N_INDICATORS)
    index = pd.MultiIndex.from_product(
        [np.arange(1, N_REGIONS + 1), years], names=["region", "year"]
    )
    columns = [f"x{j:02d}" for j in range(N_INDICATORS)]
    directions = np.where(np.arange(N_INDICATORS) % 4 == 3, -1, 1)
    return pd.DataFrame(values, index=index, columns=columns), directions


def pymcdm_loop(X: pd.DataFrame, directions: np.ndarray, runs: int, seed: int) -> np.ndarray:
    """Per run: min-max, entropy weights, perturbation, TOPSIS, ranks within each year."""
    rng = np.random.default_rng(seed)
    matrix = X.to_numpy()
    year = X.index.get_level_values("year").to_numpy()
    blocks = [np.flatnonzero(year == y) for y in np.unique(year)]
    method = TOPSIS(minmax_normalization)
    ranks = np.empty((runs, len(matrix)), dtype=np.int32)
    for r in range(runs):
        normalized = normalize_matrix(matrix, minmax_normalization, directions)
        weights = pymcdm_entropy(matrix)  # pymcdm sum-normalises the raw matrix itself
        weights = weights * rng.uniform(0.8, 1.2, size=len(weights))
        weights = weights / weights.sum()
        scores = method(matrix, weights, directions)
        for rows in blocks:
            order = np.argsort(-scores[rows])
            ranks[r, rows[order]] = np.arange(1, len(rows) + 1)
        del normalized
    return ranks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs (default 1000)")
    parser.add_argument("--jobs", type=int, default=2, help="threads for nqpf (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    X, directions = synthetic_panel()
    print("SYNTHETIC data (seeded, not real statistics):")
    print(
        f"  {N_REGIONS} regions x {N_YEARS} years x {N_INDICATORS} indicators = "
        f"{X.shape[0]:,} rows; cost indicators: {(directions < 0).sum()}"
    )
    print(f"  machine: {os.cpu_count()} logical CPUs; nqpf n_jobs={args.jobs}; runs={args.runs}")

    rank_uncertainty(X.iloc[:200], directions, groups="year", n_runs=20, seed=0)  # warm-up

    t0 = time.perf_counter()
    full = rank_uncertainty(
        X, directions, groups="year", n_runs=args.runs, seed=args.seed, n_jobs=args.jobs
    )
    t_full = time.perf_counter() - t0

    t0 = time.perf_counter()
    rank_uncertainty(
        X,
        directions,
        groups="year",
        normalizations=["minmax"],
        weightings=["entropy"],
        aggregations=["topsis"],
        n_runs=args.runs,
        seed=args.seed,
        n_jobs=args.jobs,
    )
    t_same = time.perf_counter() - t0

    t0 = time.perf_counter()
    pymcdm_loop(X, directions, 10, args.seed)
    estimate = (time.perf_counter() - t0) / 10 * args.runs
    if estimate > PEER_BUDGET_SECONDS and args.runs > 100:
        timed_runs = 100
        t0 = time.perf_counter()
        pymcdm_loop(X, directions, timed_runs, args.seed)
        t_peer = (time.perf_counter() - t0) / timed_runs * args.runs
        peer_note = f"EXTRAPOLATED from {timed_runs} timed runs x {args.runs / timed_runs:g}"
    else:
        t0 = time.perf_counter()
        pymcdm_loop(X, directions, args.runs, args.seed)
        t_peer = time.perf_counter() - t0
        peer_note = "all runs timed"

    print()
    print(f"(a)  nqpf rank_uncertainty, 3x3x3 choices + perturbation : {t_full:8.2f} s")
    print(f"(a') nqpf rank_uncertainty, minmax+entropy+TOPSIS only   : {t_same:8.2f} s")
    print(
        f"(b)  pymcdm loop, minmax+entropy+TOPSIS                  : {t_peer:8.2f} s ({peer_note})"
    )
    print(f"ratio (b)/(a)  = {t_peer / t_full:7.1f}x")
    print(f"ratio (b)/(a') = {t_peer / t_same:7.1f}x  (same specification)")
    scale = 1000 / args.runs
    met_time = t_full * scale < TARGET_SECONDS
    note = "" if args.runs == 1000 else f" (scaled to 1,000 runs: {t_full * scale:.2f} s)"
    verdict = "MET" if met_time else "NOT MET"
    print(f"target (a) < {TARGET_SECONDS:g} s for 1,000 runs: {verdict}{note}")
    ratio_ok = t_peer / t_full >= TARGET_RATIO
    print(
        f"target >= {TARGET_RATIO:g}x faster than the pymcdm loop: "
        f"{'MET' if ratio_ok else 'NOT MET'}"
    )
    print()
    print("Sensitivity of ranks (first-order, averaged over rows):")
    print(full.sensitivity.round(3).to_string())


if __name__ == "__main__":
    main()
