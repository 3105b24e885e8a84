"""Benchmark: the main job, ``nqpf report`` on the bundled real data, in a fresh process.

Runs ``nqpf report --out <temporary folder>`` in a new Python process (imports, data loading,
every study and every file included, as a user runs it), then prints the seconds that the report
recorded in its ``manifest.json`` (the analysis, each study, writing, each file), the wall-clock
total of the process and its peak resident memory, against the target of the analysis
(:data:`TARGET_SECONDS`). The first run on a machine also fills the on-disk caches (compiled
functions, boundaries); ``--repeat 2`` shows both the first and a later run.

Run: ``.venv/bin/python bench/report.py [--runs 1000] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 20.0  # the analysis (all studies) on a 2-core machine


def run_report(out: Path, runs: int) -> tuple[float, float, dict]:
    """Wall seconds, peak memory (MB) and manifest timings of one ``nqpf report`` process."""
    command = [sys.executable, "-c", "from nqpf.cli import main; main()"]
    command += ["report", "--out", str(out), "--runs", str(runs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"nqpf report failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    # the largest child so far (kilobytes on Linux): this run unless an earlier one was larger
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return wall, peak, manifest["timings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs (as nqpf report)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(1, args.repeat + 1):
            wall, peak, timings = run_report(Path(folder) / f"run{attempt}", args.runs)
            analysis = timings["analysis"]
            print(f"nqpf report, run {attempt} of {args.repeat} (bundled data, --runs {args.runs})")
            for key, seconds in timings["studies"].items():
                print(f"  study {key:<13} {seconds:6.2f} s")
            for name, seconds in timings["files"].items():
                print(f"  file  {name:<13} {seconds:6.2f} s")
            verdict = "meets" if analysis <= TARGET_SECONDS else "MISSES"
            print(
                f"  analysis {analysis:.1f} s ({verdict} the {TARGET_SECONDS:.0f} s target, "
                f"ratio {analysis / TARGET_SECONDS:.2f}), writing {timings['writing']:.1f} s, "
                f"total {wall:.1f} s wall, peak memory {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
