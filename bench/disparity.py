"""Benchmark: Dagum Gini decomposition, nqpf vs the O(n²) direct evaluation and PySAL inequality.

Case: SYNTHETIC data, seeded. n = 5,000 lognormal values in 6 groups of unequal size and level.

(a) one decomposition: ``nqpf.disparity.dagum_gini`` (one sort + cumulative sums) against the
    textbook double sum vectorised with numpy two ways: one n × n matrix of differences (how
    vectorised MATLAB scripts evaluate it; the target's reference), and one block per pair of
    groups (half the work of the full matrix);
(b) where the peer overlaps: the overall Gini (``inequality.gini.Gini``) and the Theil T
    decomposition (``inequality.theil.TheilD``) against ``dagum_gini(...).total`` and
    ``nqpf.disparity.theil``;
(c) ``dagum_gini_panel`` over 20 years × n = 5,000 with 499 bootstrap replications per year;
(d) time and peak memory of one ``dagum_gini`` at n = 10^6 and 10^7 (``--memory-n``; same
    SYNTHETIC generator, 6 groups), each in a fresh subprocess: the growth of the peak resident
    set (``ru_maxrss``) over its value after imports and data creation, and the peak of the
    memory traced by ``tracemalloc`` (numpy reports its arrays to it) during the call; the
    larger of the two is held to the target.

Targets: (a) at least 100 times faster than the direct evaluation; (c) under 5 s in total;
(d) peak memory at n = 10^7 under 1.5 GB.
Run: ``.venv/bin/python bench/disparity.py [--n 5000] [--reps 499] [--years 20]
[--memory-n 1000000,10000000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd
from inequality.gini import Gini
from inequality.theil import TheilD

from nqpf.disparity import dagum_gini, dagum_gini_panel, theil
from nqpf.disparity.dagum import _point, _prepare

TARGET_RATIO = 100.0
TARGET_PANEL_SECONDS = 5.0
TARGET_MEMORY_MB = 1500.0
TARGET_MEMORY_N = 10_000_000


def synthetic(n: int, k: int = 6, seed: int = 20240601) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC values: lognormal with group-specific level, groups of unequal size."""
    rng = np.random.default_rng(seed)
    sizes = rng.dirichlet(np.full(k, 4.0))
    groups = rng.choice(k, size=n, p=sizes)
    level = np.linspace(0.0, 1.0, k)[groups]
    return rng.lognormal(level, 0.6), groups


def _parts(size, mean, pair_abs, pair_pos):
    """Dagum parts from k × k sums of |y_i - y_r| and of max(y_i - y_r, 0) over group pairs."""
    n, mu = size.sum(), (size * mean).sum() / size.sum()
    p, s = size / n, size * mean / (n * mu)
    within = sum(
        pair_abs[j, j] / (2 * size[j] ** 2 * mean[j]) * p[j] * s[j] for j in range(len(size))
    )
    between = trans = 0.0
    for j in range(len(size)):
        for h in range(j + 1, len(size)):
            gjh = pair_abs[j, h] / (size[j] * size[h] * (mean[j] + mean[h]))
            djh = abs(pair_pos[j, h] - pair_pos[h, j]) / (pair_pos[j, h] + pair_pos[h, j])
            weight = p[j] * s[h] + p[h] * s[j]
            between += gjh * weight * djh
            trans += gjh * weight * (1 - djh)
    total = pair_abs.sum() / (2 * n * n * mu)
    return {"total": total, "within": within, "between": between, "transvariation": trans}


def direct_full_matrix(y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """The O(n²) double sum as vectorised scripts write it: one n × n matrix of differences."""
    labels, codes = np.unique(g, return_inverse=True)
    member = (codes[:, None] == np.arange(len(labels))[None, :]).astype(float)
    diff = y[:, None] - y[None, :]
    pair_abs = member.T @ np.abs(diff) @ member
    pair_pos = member.T @ np.maximum(diff, 0.0) @ member
    size = member.sum(axis=0)
    mean = member.T @ y / size
    return _parts(size, mean, pair_abs, pair_pos)


def direct_dagum(y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """Dagum (1997) by the O(n²) double sum, vectorised over each pair of groups."""
    labels = np.unique(g)
    n, mu = len(y), y.mean()
    parts = {j: y[g == j] for j in labels}
    means = {j: v.mean() for j, v in parts.items()}
    p = {j: len(v) / n for j, v in parts.items()}
    s = {j: len(v) * means[j] / (n * mu) for j, v in parts.items()}
    total_sum = 0.0
    within = between = trans = 0.0
    for a, j in enumerate(labels):
        for h in labels[a:]:
            diff = parts[j][:, None] - parts[h][None, :]
            sab = np.abs(diff).sum()
            if j == h:
                total_sum += sab
                within += sab / (2 * len(parts[j]) ** 2 * means[j]) * p[j] * s[j]
                continue
            total_sum += 2 * sab
            gjh = sab / (len(parts[j]) * len(parts[h]) * (means[j] + means[h]))
            d = np.maximum(diff, 0).mean()
            q = np.maximum(-diff, 0).mean()
            djh = abs(d - q) / (d + q)
            weight = p[j] * s[h] + p[h] * s[j]
            between += gjh * weight * djh
            trans += gjh * weight * (1 - djh)
    return {
        "total": total_sum / (2 * n * n * mu),
        "within": within,
        "between": between,
        "transvariation": trans,
    }


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def memory_child(n: int) -> None:
    """In a fresh process: seconds and peak memory (MB) of one ``dagum_gini``, printed as JSON."""
    y, g = synthetic(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    start = time.perf_counter()
    dagum_gini(y, g)
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
    print(json.dumps({"seconds": seconds, "rss_mb": rss / 1024, "traced_mb": traced / 2**20}))


def memory_section(sizes: list[int]) -> None:
    print(
        "\n(d) one dagum_gini, 6 groups, each size in a fresh subprocess (time with tracemalloc on)"
    )
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        peak = max(res["rss_mb"], res["traced_mb"])
        verdict = ""
        if n == TARGET_MEMORY_N:
            ok = peak < TARGET_MEMORY_MB
            verdict = f"   (target < {TARGET_MEMORY_MB:,.0f} MB: {'met' if ok else 'NOT met'})"
        print(
            f"    n = {n:>12,}: {res['seconds']:6.2f} s, peak RSS growth {res['rss_mb']:7.0f} MB, "
            f"tracemalloc peak {res['traced_mb']:7.0f} MB{verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=499)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--memory-n", default=f"1000000,{TARGET_MEMORY_N}")
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return

    y, g = synthetic(args.n)
    print(f"SYNTHETIC data: n = {args.n:,} lognormal values in 6 groups (seeded)\n")

    # (a) one decomposition
    ours = dagum_gini(y, g)
    refs = {"full": direct_full_matrix(y, g), "pairs": direct_dagum(y, g)}
    worst = max(abs(getattr(ours, key) - ref[key]) for ref in refs.values() for key in ref)
    t_ours = best_of(lambda: dagum_gini(y, g), 20)
    t_full = best_of(lambda: direct_full_matrix(y, g), 2)
    t_pairs = best_of(lambda: direct_dagum(y, g), 2)
    ratio = t_full / t_ours
    print("(a) Dagum decomposition, one sample")
    print(f"    nqpf dagum_gini (one sort + cumulative sums)        {1e3 * t_ours:9.2f} ms")
    print(
        f"    direct O(n²): one n × n difference matrix (numpy)   {1e3 * t_full:9.2f} ms"
        f"   ratio {ratio:,.0f}x (target >= {TARGET_RATIO:.0f}x: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    print(
        f"    direct O(n²): one block per pair of groups (numpy)  {1e3 * t_pairs:9.2f} ms"
        f"   ratio {t_pairs / t_ours:,.0f}x"
    )
    yy, w, codes, labels, _ = _prepare(y, g, None)
    t_core = best_of(lambda: _point(yy, w, codes, len(labels)), 20)
    print(
        f"    (nqpf numerical core alone, without building the result: {1e3 * t_core:.2f} ms, "
        f"ratio {t_full / t_core:,.0f}x to the full matrix)"
    )
    print(f"    max |difference| of G, G_w, G_nb, G_t from both direct evaluations = {worst:.1e}")

    # (b) overlap with PySAL inequality
    t_pysal_gini = best_of(lambda: Gini(y), 20)
    t_our_total = t_ours
    print("\n(b) overlap with PySAL inequality")
    print(
        f"    overall Gini: inequality.gini.Gini {1e3 * t_pysal_gini:7.2f} ms (total only), "
        f"nqpf dagum_gini {1e3 * t_our_total:7.2f} ms (full decomposition); "
        f"|difference| = {abs(Gini(y).g - ours.total):.1e}"
    )
    td = TheilD(y, g)
    t_pysal_theil = best_of(lambda: TheilD(y, g), 20)
    t_our_theil = best_of(lambda: theil(y, g), 20)
    ours_theil = theil(y, g)
    print(
        f"    Theil T decomposition: inequality.theil.TheilD {1e3 * t_pysal_theil:7.2f} ms, "
        f"nqpf theil {1e3 * t_our_theil:7.2f} ms (ratio {t_pysal_theil / t_our_theil:.2f}); "
        f"|difference| between = {abs(float(np.squeeze(td.bg)) - ours_theil.between):.1e}"
    )

    # (c) bootstrap panel
    frames = []
    for t in range(args.years):
        yt, gt = synthetic(args.n, seed=1000 + t)
        frames.append(pd.DataFrame({"year": 2000 + t, "group": gt, "value": yt * (1 + 0.02 * t)}))
    panel = pd.concat(frames, ignore_index=True)
    start = time.perf_counter()
    result = dagum_gini_panel(panel, "value", "group", bootstrap=args.reps, seed=11)
    t_panel = time.perf_counter() - start
    per_rep = t_panel / (args.years * args.reps)
    print(
        f"\n(c) dagum_gini_panel: {args.years} years × n = {args.n:,}, "
        f"{args.reps} bootstrap replications per year (seed 11)"
    )
    print(
        f"    total {t_panel:.2f} s ({1e6 * per_rep:.0f} µs per replication; target < "
        f"{TARGET_PANEL_SECONDS:.0f} s: {'met' if t_panel < TARGET_PANEL_SECONDS else 'NOT met'})"
    )
    est_direct = t_full * args.years * (args.reps + 1)
    print(
        f"    the full-matrix direct evaluation would take about {est_direct / 60:,.0f} min "
        f"(ratio ~{est_direct / t_panel:,.0f}x)"
    )
    first = result.to_frame().query("component == 'total'").iloc[0]
    print(
        f"    e.g. {int(first.year)}: G = {first.value:.4f} "
        f"[{first.lower:.4f}, {first.upper:.4f}] (95 % percentile interval)"
    )

    # (d) time and peak memory at large n
    memory_section([int(v) for v in args.memory_n.split(",") if v])


if __name__ == "__main__":
    main()
