"""Benchmark: spatial autocorrelation and the geographical detector, nqpf vs peers in one run.

Sections (run all, or pick with ``--only``):

``moran``
    Global Moran's I with 9,999 permutations on 3,000 SYNTHETIC regions (random points, row-
    standardised 6-nearest-neighbour weights), ``nqpf.spatial.moran`` vs ``esda.Moran`` (same W;
    esda permutes with the global NumPy RNG). Target: nqpf time <= 1.5 x esda's. Best of
    ``--repeat`` runs each. The statistic is checked to agree to 1e-10.
``local``
    Local Moran and Getis-Ord Gi* with 999 conditional permutations on n = 10^4, 5 x 10^4 and
    10^5 SYNTHETIC regions (``--local-sizes``; random points, row-standardised 8-nearest-
    neighbour weights), ``nqpf.spatial.local_moran`` / ``getis_ord(star=True)`` vs
    ``esda.Moran_Local`` / ``esda.G_Local(star=True)`` (numba, ``n_jobs=1``) in the same run.
    Both sides are timed warm: esda's numba kernels are compiled and ours are loaded from numba's
    on-disk cache (or compiled once) by a call on 50 regions first, which is not timed (the
    time of that first call of ours is printed). Pseudo p-values are compared as a check (mean
    |difference|; independent streams, so they agree within Monte Carlo error). Target: nqpf
    time <= esda's at every size. Best of ``--local-repeat`` runs each.
``geodetector``
    The four detectors on 10^6 SYNTHETIC rows x 5 integer factors (5-12 strata), nqpf (R and
    python conventions) vs the PyPI ``geodetector`` package (``GeoDetector.fit``, python
    convention). Also the factor + interaction detectors alone. If the peer is estimated to take
    longer than ``--peer-budget`` seconds (from a 10^5-row run), its 10^6-row time is
    extrapolated linearly from 10^5 rows, and the output says so. Target: >= 30 x faster.
    q-values are checked to agree with the peer to 1e-10.

Run: ``.venv/bin/python bench/spatial.py [--only moran,local,geodetector] [--rows 1000000]``.
More sections can be added as functions taking the parsed arguments and returning a list of
result lines; register them in ``SECTIONS``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from nqpf.spatial import (
    SpatialWeights,
    geodetector,
    getis_ord,
    knn_weights,
    local_moran,
    moran,
)

MORAN_REGIONS = 3000
MORAN_PERMUTATIONS = 9999
MORAN_TARGET = 1.5
GD_TARGET = 30.0
LOCAL_K = 8
LOCAL_PERMUTATIONS = 999
GD_LEVELS = (5, 7, 8, 10, 12)


def timed(call: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = call()
        best = min(best, time.perf_counter() - start)
    return best, out


# ------------------------------------------------------------------------------ Moran / LISA
def synthetic_field(n: int, seed: int = 20240701) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC points in a 20 x 20 degree box and a spatially trending value with noise."""
    rng = np.random.default_rng(seed)
    pts = np.column_stack([rng.uniform(100, 120, n), rng.uniform(20, 40, n)])
    y = 0.1 * pts[:, 0] + 0.05 * pts[:, 1] + rng.normal(size=n)
    return pts, y


def section_moran(args: argparse.Namespace) -> list[str]:
    import esda

    pts, y = synthetic_field(args.regions)
    w = knn_weights(pts, k=6)
    lw = w.to_libpysal()
    t_ours, ours = timed(lambda: moran(y, w, permutations=MORAN_PERMUTATIONS, seed=1), args.repeat)

    def peer() -> object:
        np.random.seed(1)  # noqa: NPY002 - esda's global Moran uses the global RNG
        return esda.Moran(y, lw, permutations=MORAN_PERMUTATIONS)

    t_peer, ref = timed(peer, args.repeat)
    assert abs(ours.statistic - ref.I) < 1e-10  # type: ignore[attr-defined]
    ratio = t_ours / t_peer
    return [
        f"Moran's I, {args.regions} regions, kNN(6), {MORAN_PERMUTATIONS} permutations "
        f"(best of {args.repeat})",
        f"  nqpf.spatial.moran   {t_ours:8.3f} s   p_perm = {ours.p_value_permutation:.4f}",  # type: ignore[attr-defined]
        f"  esda.Moran           {t_peer:8.3f} s   p_sim  = {ref.p_sim:.4f}",  # type: ignore[attr-defined]
        f"  ratio nqpf / esda    {ratio:8.2f}   (target <= {MORAN_TARGET}: "
        f"{'met' if ratio <= MORAN_TARGET else 'NOT met'})",
    ]


def _quiet(call: Callable[[], object]) -> Callable[[], object]:
    """Run an esda call without its notices about a future default alternative and about the
    Gi* self-weight (the row maximum, as in nqpf)."""

    def run() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", "Gi\\* requested", UserWarning)
            return call()

    return run


def _local_calls(
    y: np.ndarray, w: SpatialWeights
) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    """(name, nqpf call, esda call) for local Moran and Gi*, each returning pseudo p-values."""
    import esda

    lw, x, p = w.to_libpysal(), y - y.min() + 1.0, LOCAL_PERMUTATIONS  # Gi*: positive values
    return [
        (
            "Moran_i",
            lambda: local_moran(y, w, permutations=p, seed=1, alternative="directed").p_value,
            _quiet(lambda: esda.Moran_Local(y, lw, permutations=p, n_jobs=1, seed=1).p_sim),
        ),
        (
            "Gi*",
            lambda: (
                getis_ord(x, w, permutations=p, seed=1, alternative="directed").p_value_permutation
            ),
            _quiet(lambda: esda.G_Local(x, lw, star=True, permutations=p, n_jobs=1, seed=1).p_sim),
        ),
    ]


def section_local(args: argparse.Namespace) -> list[str]:
    pts, y = synthetic_field(50)
    warm = _local_calls(y, knn_weights(pts, k=LOCAL_K))  # compile / load the kernels, untimed
    t_first, _ = timed(warm[0][1])
    for _, ours, peer in warm:
        ours()
        peer()
    lines = [
        f"Local statistics, kNN({LOCAL_K}) row-standardised, {LOCAL_PERMUTATIONS} conditional "
        f"permutations, warm calls, best of {args.local_repeat} "
        f"(nqpf's first call in this process, on 50 regions: {t_first:.2f} s)",
        f"  {'n':>7}  {'statistic':<9} {'nqpf s':>8} {'esda s':>8} {'ratio':>6}  mean |dp|",
    ]
    met = True
    for n in (int(v) for v in args.local_sizes.split(",")):
        pts, y = synthetic_field(n)
        for name, ours, peer in _local_calls(y, knn_weights(pts, k=LOCAL_K)):
            t_peer, p_peer = timed(peer, args.local_repeat)
            t_ours, p_ours = timed(ours, args.local_repeat)
            ratio = t_ours / t_peer
            met &= ratio <= 1.0
            dp = float(np.mean(np.abs(np.asarray(p_ours) - np.asarray(p_peer))))
            lines.append(f"  {n:>7,}  {name:<9} {t_ours:8.2f} {t_peer:8.2f} {ratio:6.2f}  {dp:.4f}")
    lines.append(f"  target nqpf / esda <= 1 at every size: {'met' if met else 'NOT met'}")
    return lines


# ------------------------------------------------------------------------------ geodetector
def synthetic_strata(rows: int, seed: int = 20240702) -> pd.DataFrame:
    """SYNTHETIC table: 5 integer factors with 5-12 strata and a response driven by three."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"x{i + 1}": rng.integers(0, k, rows) for i, k in enumerate(GD_LEVELS)})
    df["y"] = 0.5 * df.x1 + np.sin(df.x2) + 0.3 * (df.x3 == 2) * df.x4 + rng.normal(size=rows)
    return df


def section_geodetector(args: argparse.Namespace) -> list[str]:
    from geodetector import GeoDetector

    factors = [f"x{i + 1}" for i in range(len(GD_LEVELS))]
    df = synthetic_strata(args.rows)
    t_all_r, res_r = timed(lambda: geodetector(df, "y", factors), args.repeat)
    t_all_py, res_py = timed(
        lambda: geodetector(df, "y", factors, convention="python"), args.repeat
    )
    t_fi, _ = timed(lambda: geodetector(df, "y", factors, detectors=("interaction",)), args.repeat)

    small_rows = max(1, args.rows // 10)
    small = df.iloc[:small_rows]
    t_small, _ = timed(lambda: GeoDetector(factors=factors, target="y").fit(small))
    estimate = t_small * args.rows / small_rows
    if estimate > args.peer_budget:
        t_peer, ref, how = (
            estimate,
            None,
            (f"extrapolated linearly from {small_rows:,} rows ({t_small:.2f} s)"),
        )
    else:
        t_peer, ref = timed(lambda: GeoDetector(factors=factors, target="y").fit(df))
        how = "measured"
    if ref is not None:
        q_ref = ref.q_values_.set_index("variable").q_value[factors]  # type: ignore[attr-defined]
        assert np.allclose(res_py.q[factors], q_ref, rtol=0, atol=1e-10)  # type: ignore[attr-defined]
    ratio = t_peer / t_all_py
    return [
        f"Geographical detector, {args.rows:,} rows x {len(factors)} factors "
        f"(strata {list(GD_LEVELS)}), best of {args.repeat}",
        f"  nqpf, 4 detectors, convention R        {t_all_r:8.3f} s",
        f"  nqpf, 4 detectors, convention python   {t_all_py:8.3f} s",
        f"  nqpf, factor + interaction only        {t_fi:8.3f} s",
        f"  PyPI geodetector GeoDetector.fit       {t_peer:8.3f} s   ({how})",
        f"  speed-up peer / nqpf (same convention) {ratio:8.1f} x   (target >= {GD_TARGET}: "
        f"{'met' if ratio >= GD_TARGET else 'NOT met'})",
        f"  q (R convention): {np.round(res_r.q.to_numpy(), 4).tolist()}",  # type: ignore[attr-defined]
    ]


SECTIONS: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "moran": section_moran,
    "local": section_local,
    "geodetector": section_geodetector,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--regions", type=int, default=MORAN_REGIONS)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-budget", type=float, default=60.0)
    parser.add_argument("--local-sizes", default="10000,50000,100000")
    parser.add_argument("--local-repeat", type=int, default=1)
    args = parser.parse_args(argv)
    for name in args.only.split(","):
        name = name.strip()
        if name not in SECTIONS:
            raise SystemExit(f"unknown section {name!r}; choose from {list(SECTIONS)}")
        print("\n".join(SECTIONS[name](args)), flush=True)
        print()


if __name__ == "__main__":
    main()
