"""Benchmark: record-level flows → an O–D table, nqpf on DuckDB vs a pandas groupby, in one run.

All records are SYNTHETIC: seller and buyer provinces drawn from the registry's spellings (short
and full names, codes, names with stray spaces) plus two unknown names, a lognormal amount, a year
(2015–2022) and a field (5 values), written to Parquet in chunks of 10⁶ rows with pyarrow.

Sections (run all, or pick with ``--only``):

``groupby``
    ``--rows`` records (default 10⁷): ``flows_from_records(..., backend="duckdb")`` vs the
    straightforward pandas way (``read_parquet``, map spellings to codes, drop unknown, groupby
    origin, destination, year, field). Each runs in its own subprocess, which reports its peak
    resident memory (``getrusage``). Target: DuckDB ≥ 3× faster, peak memory < 2 GB. The two
    tables are checked to agree (records exactly, flows to 1e-9 relative).
``limit``
    ``--big-rows`` records (default 10⁸) under ``memory_limit="2GB"``: completes, peak memory
    printed (DuckDB spills to a temporary folder beyond the limit).

Run: ``.venv/bin/python bench/network_records.py [--only groupby,limit] [--rows N] [--big-rows N]``.
The Parquet files go to a temporary folder (``--folder`` to keep them); 10⁸ rows take about
1.5 GB of disk.
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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 1_000_000
TARGET_SPEEDUP = 3.0
TARGET_MEMORY_GB = 2.0
FIELDS = ["ict", "bio", "energy", "materials", "equipment"]


def spellings() -> list[str]:
    """Spellings of the 31 provinces as records carry them, and two unknown names."""
    from nqpf.regions import provinces

    table = provinces()
    names = list(table.short) + list(table.name) + [str(c) for c in table.index]
    names += [f" {s} " for s in table.short[:5]]
    return names + ["Atlantis", "火星省"]


def write_records(path: Path, rows: int, seed: int = 20240801) -> Path:
    """SYNTHETIC records in Parquet, written chunk by chunk (never all in memory)."""
    rng = np.random.default_rng(seed)
    names = pa.array(spellings())
    fields = pa.array(FIELDS)
    p = np.full(len(names), 0.99 / (len(names) - 2))
    p[-2:] = 0.005
    schema = pa.schema(
        [
            ("seller", pa.dictionary(pa.int32(), pa.string())),
            ("buyer", pa.dictionary(pa.int32(), pa.string())),
            ("amount", pa.float64()),
            ("year", pa.int32()),
            ("field", pa.dictionary(pa.int32(), pa.string())),
        ]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            codes = [pa.array(rng.choice(len(names), n, p=p).astype(np.int32)) for _ in range(2)]
            batch = pa.table(
                {
                    "seller": pa.DictionaryArray.from_arrays(codes[0], names),
                    "buyer": pa.DictionaryArray.from_arrays(codes[1], names),
                    "amount": rng.lognormal(3.0, 1.0, n),
                    "year": rng.integers(2015, 2023, n, dtype=np.int32),
                    "field": pa.DictionaryArray.from_arrays(
                        pa.array(rng.integers(0, len(FIELDS), n, dtype=np.int32)), fields
                    ),
                },
                schema=schema,
            )
            writer.write_table(batch)
    return path


def timed_write(path: Path, rows: int) -> float:
    start = time.perf_counter()
    write_records(path, rows)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------ workers
def work_duckdb(path: str, memory_limit: str | None) -> pd.DataFrame:
    from nqpf.data.records import flows_from_records

    result = flows_from_records(
        path,
        origin="seller",
        destination="buyer",
        weight="amount",
        year="year",
        by="field",
        memory_limit=memory_limit,
    )
    return result.flows.drop(columns=["origin_name", "destination_name"])


def work_pandas(path: str, memory_limit: str | None) -> pd.DataFrame:
    """The straightforward way: all records in pandas (``memory_limit`` does not apply)."""
    from nqpf.errors import UnknownRegionError
    from nqpf.regions import normalize

    frame = pd.read_parquet(path)
    codes = {}
    for value in set(frame.seller.unique()) | set(frame.buyer.unique()):
        try:
            codes[value] = normalize([value])[0]
        except UnknownRegionError:
            continue
    frame["origin"] = frame.seller.map(codes)
    frame["destination"] = frame.buyer.map(codes)
    frame = frame.dropna(subset=["origin", "destination"])
    grouped = frame.groupby(["origin", "destination", "year", "field"], observed=True)
    table = grouped.agg(flow=("amount", "sum"), records=("amount", "size")).reset_index()
    return table.astype({"origin": "int64", "destination": "int64", "field": str})


WORKERS = {"duckdb": work_duckdb, "pandas": work_pandas}


def worker(name: str, path: str, memory_limit: str | None, table_out: str) -> None:
    """Run one worker in this (child) process; print seconds and peak RSS as JSON.

    Imports happen before the clock starts (pandas is imported by both; ibis and DuckDB once
    per process, about a second).
    """
    import ibis

    ibis.duckdb.connect().disconnect()
    start = time.perf_counter()
    table = WORKERS[name](path, memory_limit)
    seconds = time.perf_counter() - start
    table.to_parquet(table_out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB → GiB
    print(json.dumps({"seconds": seconds, "peak_gb": peak, "rows": len(table)}))


def child(name: str, path: Path, memory_limit: str | None, folder: Path) -> dict:
    table_out = folder / f"{name}-table.parquet"
    command = [sys.executable, __file__, "--worker", name, "--path", str(path)]
    command += ["--table-out", str(table_out)]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["table"] = table_out
    return out


# ------------------------------------------------------------------------------ sections
def section_groupby(args: argparse.Namespace, folder: Path) -> list[str]:
    path = folder / f"records-{args.rows}.parquet"
    made = "reused" if path.exists() else f"written in {timed_write(path, args.rows):.0f} s"
    lines = [
        f"groupby: {args.rows:,} SYNTHETIC records ({path.stat().st_size / 1e6:.0f} MB "
        f"Parquet, {made})"
    ]
    runs = {name: child(name, path, None, folder) for name in ("duckdb", "pandas")}
    keys = ["origin", "destination", "year", "field"]
    duck, pand = (
        pd.read_parquet(runs[n]["table"]).sort_values(keys, ignore_index=True)
        for n in ("duckdb", "pandas")
    )
    assert (duck[keys + ["records"]].to_numpy() == pand[keys + ["records"]].to_numpy()).all()
    assert np.allclose(duck.flow, pand.flow, rtol=1e-9, atol=0)
    for name, run in runs.items():
        lines.append(
            f"  {name:7s} {run['seconds']:7.2f} s   peak RSS {run['peak_gb']:.2f} GB   "
            f"{run['rows']:,} O–D rows"
        )
    ratio = runs["pandas"]["seconds"] / runs["duckdb"]["seconds"]
    ok = ratio >= TARGET_SPEEDUP and runs["duckdb"]["peak_gb"] < TARGET_MEMORY_GB
    lines.append(
        f"  DuckDB {ratio:.1f}x faster than pandas (target >= {TARGET_SPEEDUP:g}x and peak "
        f"< {TARGET_MEMORY_GB:g} GB: "
        f"{'met' if ok else 'NOT met'}); tables agree"
    )
    return lines


def section_limit(args: argparse.Namespace, folder: Path) -> list[str]:
    path = folder / f"records-{args.big_rows}.parquet"
    made = "reused" if path.exists() else f"written in {timed_write(path, args.big_rows):.0f} s"
    run = child("duckdb", path, "2GB", folder)
    return [
        f"limit: {args.big_rows:,} SYNTHETIC records ({path.stat().st_size / 1e9:.2f} GB "
        f"Parquet, {made}) under memory_limit='2GB'",
        f"  duckdb  {run['seconds']:7.1f} s   peak RSS {run['peak_gb']:.2f} GB   "
        f"{run['rows']:,} O–D rows (completed)",
    ]


SECTIONS = {"groupby": section_groupby, "limit": section_limit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--big-rows", type=int, default=100_000_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--table-out", help=argparse.SUPPRESS)
    parser.add_argument("--memory-limit", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.memory_limit, args.table_out)
        return
    with tempfile.TemporaryDirectory(prefix="nqpf-bench-records-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.only.split(","):
            for line in SECTIONS[name](args, folder):
                print(line, flush=True)


if __name__ == "__main__":
    main()
