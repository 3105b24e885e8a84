"""Benchmark: fixed-effects spatial panel models, nqpf (dense and sparse) vs spreg, in one run.

Every case runs in its own subprocess, which reports its wall time and its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the baseline after imports, a warm-up fit on 40
regions (so that first-call imports are not timed) and data generation is reported too).
Data are SYNTHETIC, seeded: a spatial Durbin panel with region and year effects (ρ = 0.4,
3 regressors) on a row-standardised 6-nearest-neighbour W of random points, built
sparsely with a KD-tree (:func:`nqpf.geo.knn_weights`). A :class:`Case` takes any
:class:`~nqpf.geo.SpatialWeights`, so a case on real weights is a few lines: a function
building cases, run with :func:`run` and printed with :func:`line`, registered in
``SECTIONS``.

Cases:

``small``
    n = 300 × T = 15 (the original cases). (a) ``SpatialPanel("sdm", "twoway")`` with Lee–Yu
    correction, effects with 1,000 simulated draws and the LM, LR, Wald and Hausman tests
    (target < 10 s), and spreg ``Panel_FE_Lag`` on [X, WX] (region effects, the closest peer);
    (b) SAR region effects without correction, no tests, against ``spreg.Panel_FE_Lag`` (the same
    estimator; coefficients must agree to 1e-4).
``county``
    The same SDM two-way run at n = 2,850 × T = 15 on a county-sized kNN W, and on the real
    queen weights of China's 2,848 mainland county-level units (cnmaps boundaries, islands
    linked to their nearest unit; panel values SYNTHETIC). Target: < 10 s and < 2 GB peak.
    ``--dense`` adds the dense exact path for the ratio (about a minute).
``sar3000``
    SAR region effects, no correction, no tests, n = 3,000 × T = 15: nqpf against
    ``spreg.Panel_FE_Lag``. Target: at least as fast, at most a tenth of the peer's memory
    (memory compared above the common baseline).
``large`` (only with ``--large``)
    SDM two-way with effects and tests at n = 30,000 × T = 10. Target: < 5 min, < 8 GB.
``threshold`` (only with ``--threshold``)
    Dense against sparse LU for the SDM two-way run at n = 500 … 2,000: how ``logdet="auto"``
    chooses (:data:`nqpf.econometrics.spatial_panel.DENSE_MAX_N`).

Run: ``.venv/bin/python bench/spatial_panel.py [--only small,county,sar3000] [--large]
[--threshold] [--dense] [--draws 1000] [--threads 1]`` (``--threads`` pins the BLAS threads
of every case, for stable numbers on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

TARGET_SECONDS = 10.0
TARGET_COUNTY_GB = 2.0
TARGET_LARGE_SECONDS = 300.0
TARGET_LARGE_GB = 8.0


@dataclass
class Case:
    """One timed run: weights, panel length, estimator settings and who runs it."""

    label: str
    weights: Any  # nqpf.geo.SpatialWeights
    years: int
    model: str = "sdm"
    effects: str = "twoway"
    logdet: str = "auto"
    tests: bool = True
    lee_yu: bool = True
    draws: int = 1000
    peer: str = ""  # "", "lag" (spreg on X) or "durbin" (spreg on [X, WX])
    extra: dict[str, Any] = field(default_factory=dict)


def knn6(n: int, seed: int = 20240601) -> Any:
    """SYNTHETIC row-standardised 6-nearest-neighbour weights on ``n`` random points (sparse)."""
    from nqpf.geo import knn_weights

    rng = np.random.default_rng(seed)
    lonlat = np.column_stack([rng.uniform(100, 120, n), rng.uniform(20, 40, n)])
    return knn_weights(lonlat, k=6, codes=list(range(n)))


def synthetic(weights: Any, T: int, k: int = 3, seed: int = 20240601):
    """SYNTHETIC Durbin panel with region and year effects on row-standardised ``weights``."""
    from scipy import sparse
    from scipy.sparse.linalg import splu

    W = weights.sparse
    n = W.shape[0]
    rng = np.random.default_rng(seed)
    mu, alpha = rng.normal(size=n), rng.normal(size=T)
    X = rng.normal(size=(T, n, k)) + 0.5 * mu[None, :, None]
    WX = np.stack([W @ X[t] for t in range(T)])
    beta, theta = np.array([1.0, -0.5, 0.3])[:k], np.array([0.5, 0.2, 0.0])[:k]
    lu = splu(sparse.csc_array(sparse.identity(n, format="csc") - 0.4 * W))
    y = np.stack(
        [
            lu.solve(X[t] @ beta + WX[t] @ theta + mu + alpha[t] + 0.5 * rng.normal(size=n))
            for t in range(T)
        ]
    )
    codes = list(weights.codes)
    frame = pd.DataFrame(
        {
            "region": np.tile(np.array(codes), T),
            "year": np.repeat(np.arange(2001, 2001 + T), n),
            "y": y.ravel(),
        }
    )
    names = [f"x{j + 1}" for j in range(k)]
    for j, name in enumerate(names):
        frame[name] = X[..., j].ravel()
    return frame, y, X, WX, names


# ------------------------------------------------------------------------------ child side
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def run_child(path: str) -> None:
    """Run the pickled case and print one JSON line: seconds, peak and baseline MB, numbers."""
    with open(path, "rb") as fh:
        case: Case = pickle.load(fh)
    import libpysal
    import spreg
    from scipy.sparse import csr_matrix

    from nqpf.econometrics import SpatialPanel, spatial_panel

    weights = case.weights if case.weights.row_standardized else case.weights.standardize()
    frame, y, X, WX, names = synthetic(weights, case.years)
    n, T = len(weights.codes), case.years
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spreg/pandas deprecation chatter, peer side only
        if case.peer:
            w = libpysal.weights.WSP2W(libpysal.weights.WSP(csr_matrix(weights.sparse)))
            w.transform = "r"
            regressors = X if case.peer == "lag" else np.concatenate([X, WX], axis=2)
            args = (y.reshape(-1, 1), regressors.reshape(n * T, -1), w)
            small = knn6(40)
            _, y0, X0, _, _ = synthetic(small, 4)
            w0 = libpysal.weights.WSP2W(libpysal.weights.WSP(csr_matrix(small.sparse)))
            spreg.Panel_FE_Lag(y0.reshape(-1, 1), X0.reshape(160, -1), w0)
            base = _peak_mb()
            start = time.perf_counter()
            fit = spreg.Panel_FE_Lag(*args)
            out["seconds"] = time.perf_counter() - start
            out["params"] = fit.betas.ravel().tolist()
        else:
            method = case.logdet
            if method == "auto":
                method = "dense" if n <= spatial_panel.DENSE_MAX_N else "lu"
            settings = {"lee_yu": case.lee_yu, "seed": 0, "tests": case.tests}
            small = knn6(40)
            SpatialPanel(case.model, case.effects, draws=20, logdet=method, **settings).fit(
                synthetic(small, 4)[0], y="y", x=names, w=small, region="region"
            )
            est = SpatialPanel(
                case.model, case.effects, draws=case.draws, logdet=case.logdet, **settings
            )
            kw = {"y": "y", "x": names, "w": weights, "region": "region"}
            base = _peak_mb()
            start = time.perf_counter()
            fit = est.fit(frame, **kw)
            out["seconds"] = time.perf_counter() - start
            out["params"] = fit.params.to_numpy().tolist()
            out["std_errors"] = fit.std_errors.to_numpy().tolist()
            out["effects"] = fit.effects[["direct", "indirect", "total"]].to_numpy().tolist()
            out["logdet"] = fit.meta["logdet"]
            details = fit.meta.get("logdet_details", {})
            out["logdet_error"] = details.get("logdet_error")
            out["effects_traces"] = details.get("effects_traces")
    out["baseline_mb"] = base
    out["peak_mb"] = _peak_mb()
    print("RESULT " + json.dumps(out))


# ------------------------------------------------------------------------------ parent side
THREADS: dict[str, str] = {}


def run(case: Case) -> dict[str, Any]:
    """Run ``case`` in a fresh interpreter and return what it reported."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "case.pkl")
        with open(path, "wb") as fh:
            pickle.dump(case, fh)
        done = subprocess.run(
            [sys.executable, __file__, "--child", path],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **THREADS},
        )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"case {case.label!r} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def line(case: Case, res: dict[str, Any]) -> str:
    used = res["peak_mb"] - res["baseline_mb"]
    how = f"nqpf logdet={res['logdet']}" if "logdet" in res else "spreg"
    return (
        f"  {case.label:<58s} {how:<20s} {res['seconds']:8.2f} s   peak {res['peak_mb']:7.0f} MB "
        f"(+{used:6.0f} MB over baseline)"
    )


def small(args: argparse.Namespace) -> list[str]:
    w = knn6(300)
    sdm = Case("(a) SDM two-way + effects + tests, n=300 T=15", w, 15, draws=args.draws)
    sdm_fit = Case("    same without tests", w, 15, draws=args.draws, tests=False)
    peer_sdm = Case("    spreg Panel_FE_Lag on [X, WX] (region FE)", w, 15, peer="durbin")
    sar = Case("(b) SAR region FE, no correction, n=300 T=15", w, 15, "sar", "region", tests=False,
               lee_yu=False, draws=2)  # fmt: skip
    peer_sar = Case("    spreg Panel_FE_Lag", w, 15, peer="lag")
    results = [(c, run(c)) for c in (sdm, sdm_fit, peer_sdm, sar, peer_sar)]
    out = [line(c, r) for c, r in results]
    (_, a), (_, a_fit), (_, p_sdm), (_, b), (_, p_sar) = results
    agree = np.max(np.abs(np.array(b["params"]) - np.array(p_sar["params"])))
    met = "met" if a["seconds"] < TARGET_SECONDS else "MISSED"
    out.append(
        f"  (a) target < {TARGET_SECONDS:.0f} s: {met}; ratio spreg / nqpf: full run "
        f"{p_sdm['seconds'] / a['seconds']:.2f}×, estimation + "
        f"effects {p_sdm['seconds'] / a_fit['seconds']:.2f}×"
    )
    out.append(
        f"  (b) ratio spreg / nqpf = {p_sar['seconds'] / b['seconds']:.1f}×; "
        f"max |nqpf − spreg| over coefficients and ρ: {agree:.2e}"
    )
    return out


def county(args: argparse.Namespace) -> list[str]:
    from county import county_weights  # bench/county.py: the real county queen weights

    w = knn6(2850)
    case = Case("SDM two-way + effects + tests, n=2,850 T=15 (kNN-6)", w, 15, draws=args.draws)
    res = run(case)
    out = [line(case, res)]
    gb = res["peak_mb"] / 1024
    met = res["seconds"] < TARGET_SECONDS and gb < TARGET_COUNTY_GB
    out.append(
        f"  target < {TARGET_SECONDS:.0f} s and < {TARGET_COUNTY_GB:.0f} GB: "
        f"{'met' if met else 'MISSED'} ({res['seconds'] / TARGET_SECONDS:.2f} of the time budget, "
        f"{gb / TARGET_COUNTY_GB:.2f} of the memory budget); logdet error "
        f"{res['logdet_error']}"
    )
    queen = county_weights()
    real = Case(f"    same on the real county queen W, n={queen.n:,}", queen, 15, draws=args.draws)
    res_real = run(real)
    out += [line(real, res_real)]
    gb_real = res_real["peak_mb"] / 1024
    real_met = res_real["seconds"] < TARGET_SECONDS and gb_real < TARGET_COUNTY_GB
    out.append(
        f"  real county W (cnmaps boundaries, islands linked; SYNTHETIC values): target "
        f"{'met' if real_met else 'MISSED'}; logdet error {res_real['logdet_error']}"
    )
    if args.dense:
        dense = Case("    same, dense exact path", w, 15, draws=args.draws, logdet="dense")
        ref = run(dense)
        out.append(line(dense, ref))
        out.append(f"  ratio dense / sparse: {ref['seconds'] / res['seconds']:.1f}× time, "
                   f"{ref['peak_mb'] / res['peak_mb']:.1f}× peak memory")  # fmt: skip
        diff = np.max(np.abs(np.array(ref["params"]) - np.array(res["params"])))
        se = np.max(np.abs(np.array(ref["std_errors"]) / np.array(res["std_errors"]) - 1))
        eff = np.max(np.abs(np.array(ref["effects"]) - np.array(res["effects"])))
        out.append(
            f"  max |dense − sparse|: coefficients and ρ {diff:.2e}, effects {eff:.2e}; "
            f"max relative difference of the standard errors {se:.2e}"
        )
    return out


def sar3000(args: argparse.Namespace) -> list[str]:
    w = knn6(3000)
    ours = Case("SAR region FE, no correction, n=3,000 T=15", w, 15, "sar", "region",
                tests=False, lee_yu=False, draws=2)  # fmt: skip
    peer = Case("    spreg Panel_FE_Lag", w, 15, peer="lag")
    a, b = run(ours), run(peer)
    mem_a = a["peak_mb"] - a["baseline_mb"]
    mem_b = b["peak_mb"] - b["baseline_mb"]
    agree = np.max(np.abs(np.array(a["params"]) - np.array(b["params"])))
    ok = a["seconds"] <= b["seconds"] and mem_a <= mem_b / 10
    return [
        line(ours, a),
        line(peer, b),
        f"  ratio spreg / nqpf: {b['seconds'] / a['seconds']:.1f}× time, "
        f"{mem_b / max(mem_a, 1.0):.1f}× memory over baseline; target (≥ 1× time, ≥ 10× memory): "
        f"{'met' if ok else 'MISSED'}; max |nqpf − spreg|: {agree:.2e}",
    ]


def large(args: argparse.Namespace) -> list[str]:
    w = knn6(30000)
    case = Case("SDM two-way + effects + tests, n=30,000 T=10 (kNN-6)", w, 10, draws=args.draws)
    res = run(case)
    gb = res["peak_mb"] / 1024
    met = res["seconds"] < TARGET_LARGE_SECONDS and gb < TARGET_LARGE_GB
    return [
        line(case, res),
        f"  target < {TARGET_LARGE_SECONDS:.0f} s and < {TARGET_LARGE_GB:.0f} GB: "
        f"{'met' if met else 'MISSED'} ({res['seconds'] / TARGET_LARGE_SECONDS:.2f} of the time "
        f"budget, {gb / TARGET_LARGE_GB:.2f} of the memory budget); effects traces "
        f"{res['effects_traces']}",
    ]


def threshold(args: argparse.Namespace) -> list[str]:
    out = []
    for n in (500, 1000, 1500, 2000):
        w = knn6(n)
        pair = [
            Case(
                f"SDM two-way + effects + tests, n={n:,} T=15", w, 15, draws=args.draws, logdet=m
            )  # fmt: skip
            for m in ("dense", "lu")
        ]
        (d, s) = (run(c) for c in pair)
        out += [line(pair[0], d), line(pair[1], s)]
        out.append(f"  ratio dense / lu at n={n:,}: {d['seconds'] / s['seconds']:.2f}×")
    return out


SECTIONS = {"small": small, "county": county, "sar3000": sar3000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--large", action="store_true", help="add the n = 30,000 case")
    parser.add_argument("--threshold", action="store_true", help="dense vs lu, n = 500…2,000")
    parser.add_argument("--dense", action="store_true", help="dense reference at n = 2,850")
    parser.add_argument(
        "--threads", type=int, default=0, help="BLAS threads of the cases (0: as configured)"
    )
    args = parser.parse_args()
    if args.threads:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            THREADS[name] = str(args.threads)
    if args.child:
        run_child(args.child)
        return
    chosen = [s for s in args.only.split(",") if s]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {sorted(SECTIONS)}")
    print("SYNTHETIC spatial panels (kNN-6 on random points, 3 regressors), one subprocess a case")
    if THREADS:
        print(f"BLAS threads per case: {args.threads}")
    for name in chosen:
        print(f"[{name}]")
        for text in SECTIONS[name](args):
            print(text)
    for flag, section in (("large", large), ("threshold", threshold)):
        if getattr(args, flag):
            print(f"[{flag}]")
            for text in section(args):
                print(text)


if __name__ == "__main__":
    main()
