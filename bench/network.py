"""Benchmark: flows and networks, nqpf vs the straightforward alternative, in one run.

All data are SYNTHETIC and seeded. Sections (run all, or pick with ``--only``):

``groupby``
    ``--rows`` records (default 10⁷) of seller and buyer provinces (the registry's spellings:
    short and full names, codes, names with stray spaces, plus two unknown names), a lognormal
    amount, a year (2015–2022) and a field (5 values), written to Parquet in chunks of 10⁶ rows:
    ``flows_from_records(..., backend="duckdb")`` vs a pandas groupby (``read_parquet``, map
    spellings to codes, drop unknown, group by origin, destination, year, field). Each runs in
    its own subprocess, which reports its peak resident memory. Target: DuckDB ≥ 3× faster,
    peak memory < 2 GB; the two tables agree (records exactly, flows to 1e-9 relative).
``limit``
    ``--big-rows`` records (default 10⁸, about 1.5 GB of Parquet) under
    ``memory_limit="2GB"``: completes, peak memory printed (DuckDB spills to disk).
``resilience``
    random-attack resilience of a 300-node clustered scale-free network (Holme–Kim graph,
    m = 3, integer flows in both directions) with 100 replicates, against a direct networkx
    loop (remove a node, ``nx.connected_components`` and ``nx.global_efficiency`` after each
    removal) over the same node orders. The loop runs ``--loop-replicates`` replicates (default
    2) and its time is scaled to 100; its curves are checked against nqpf's. Target ≥ 10×.
``qap``
    QAP correlation with 2000 permutations (n = 31 and 100) and MRQAP with double
    semi-partialling (two predictors, n = 31) against plain loops over the same permutations;
    best of 3 runs each.

Run: ``.venv/bin/python bench/network.py [--only groupby,resilience,qap] [--rows N]
[--big-rows N] [--nodes 300] [--replicates 100]``.
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

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nqpf._random import RandomSource, permutation_batches
from nqpf.network.graph import FlowNetwork
from nqpf.network.qap import mrqap, qap_correlation
from nqpf.network.resilience import resilience

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


TARGET_RATIO = 10.0


def synthetic_network(nodes: int, seed: int = 20240601) -> FlowNetwork:
    """SYNTHETIC flows on a Holme–Kim graph: each edge carries 1–9 units one or both ways."""
    rng = np.random.default_rng(seed)
    graph = nx.powerlaw_cluster_graph(nodes, 3, 0.3, seed=seed)
    w = np.zeros((nodes, nodes))
    for i, j in graph.edges():
        w[i, j] = rng.integers(1, 10)
        if rng.uniform() < 0.5:
            w[j, i] = rng.integers(1, 10)
    return FlowNetwork.from_matrix(w, [f"c{i + 1:03d}" for i in range(nodes)])


def networkx_loop(net: FlowNetwork, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The direct evaluation: remove nodes one by one from a networkx graph and measure."""
    n = net.n
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(*np.nonzero(np.triu(net.weights + net.weights.T)), strict=True))
    largest, efficiency = [], []
    for node in [None, *order.tolist()]:
        if node is not None:
            graph.remove_node(node)
        size = graph.number_of_nodes()
        largest.append(max(map(len, nx.connected_components(graph)), default=0) / n)
        efficiency.append(nx.global_efficiency(graph) * size * (size - 1) / (n * (n - 1)))
    return np.array(largest), np.array(efficiency)


def bench_resilience(nodes: int, replicates: int, loop_replicates: int) -> float:
    net = synthetic_network(nodes)
    print(f"resilience: random attacks, {nodes} nodes, {net.adjacency.sum():.0f} directed edges")
    start = time.perf_counter()
    ours = resilience(net, "random", replicates=replicates, seed=0)
    t_ours = time.perf_counter() - start
    source = RandomSource.from_seed(0)
    start = time.perf_counter()
    runs = [
        networkx_loop(net, source.child(r).generator().permutation(nodes))
        for r in range(loop_replicates)
    ]
    t_loop = (time.perf_counter() - start) / loop_replicates * replicates
    check = resilience(net, "random", replicates=loop_replicates, seed=0).curve
    worst = max(
        np.abs(check.largest_component - np.mean([s for s, _ in runs], axis=0)).max(),
        np.abs(check.efficiency - np.mean([e for _, e in runs], axis=0)).max(),
    )
    ratio = t_loop / t_ours
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"    nqpf resilience, {replicates} replicates            {t_ours:9.2f} s")
    print(
        f"    networkx loop, {loop_replicates} replicates scaled to {replicates}  {t_loop:9.2f} s"
        f"   ratio {ratio:,.0f}x (target >= {TARGET_RATIO:.0f}x: {verdict})"
    )
    print(f"    robustness R = {ours.robustness:.4f}; max |difference| of the curves {worst:.1e}\n")
    return t_ours + t_loop / replicates * loop_replicates


def _cells(m: np.ndarray) -> np.ndarray:
    return m[~np.eye(m.shape[0], dtype=bool)]


def _perms(n: int, permutations: int, seed: int) -> np.ndarray:
    batches = permutation_batches(np.arange(n), permutations, np.random.default_rng(seed))
    return np.concatenate(list(batches), axis=1).T


def qap_loop(x: np.ndarray, y: np.ndarray, permutations: int, seed: int) -> float:
    observed = np.corrcoef(_cells(x), _cells(y))[0, 1]
    sims = [
        np.corrcoef(_cells(x), _cells(y[np.ix_(p, p)]))[0, 1]
        for p in _perms(len(y), permutations, seed)
    ]
    return (np.sum(np.array(sims) >= observed - 1e-12) + 1) / (permutations + 1)


def dsp_loop(y: np.ndarray, xs: list[np.ndarray], permutations: int, seed: int) -> list[float]:
    n = len(y)
    off = ~np.eye(n, dtype=bool)
    yv = _cells(y)
    perms = _perms(n, permutations, seed)
    out = []
    for k in range(len(xs)):
        others = np.column_stack(
            [np.ones(yv.size)] + [_cells(x) for i, x in enumerate(xs) if i != k]
        )
        xk = _cells(xs[k])
        e = xk - others @ np.linalg.lstsq(others, xk, rcond=None)[0]
        residual = np.zeros((n, n))
        residual[off] = e

        def t_of(column: np.ndarray, others: np.ndarray = others) -> float:
            design = np.column_stack([others, column])
            beta, rss, *_ = np.linalg.lstsq(design, yv, rcond=None)
            cov = rss[0] / (yv.size - design.shape[1]) * np.linalg.inv(design.T @ design)
            return beta[-1] / np.sqrt(cov[-1, -1])

        observed = t_of(e)
        sims = np.array([t_of(_cells(residual[np.ix_(p, p)])) for p in perms])
        out.append(
            min(
                1.0,
                2
                * (min((sims >= observed).sum(), (sims <= observed).sum()) + 1)
                / (permutations + 1),
            )
        )
    return out


def timed(fn, repeat: int = 3):
    """The value of ``fn()`` and its best time of ``repeat`` runs (the machine may be shared)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return value, min(times)


def bench_qap(permutations: int) -> None:
    rng = np.random.default_rng(7)
    print(f"qap: QAP with {permutations} permutations")
    for n in (31, 100):
        x = rng.gamma(2.0, size=(n, n))
        y = 0.3 * x + rng.normal(size=(n, n))
        ours, t_ours = timed(
            lambda x=x, y=y: qap_correlation(x, y, permutations=permutations, seed=1)
        )
        p_loop, t_loop = timed(lambda x=x, y=y: qap_loop(x, y, permutations, 1))
        same = "same p" if p_loop == ours.p_greater else f"p differs ({p_loop} vs {ours.p_greater})"
        print(
            f"    correlation, n = {n:3d}: nqpf {1e3 * t_ours:8.1f} ms, loop {1e3 * t_loop:8.1f} ms"
            f"   ratio {t_loop / t_ours:,.0f}x ({same})"
        )
    n = 31
    x1, x2 = rng.gamma(2.0, size=(n, n)), rng.normal(size=(n, n))
    y = 0.5 * x1 - 0.2 * x2 + rng.normal(size=(n, n))
    ours, t_ours = timed(lambda: mrqap(y, {"x1": x1, "x2": x2}, permutations=permutations, seed=1))
    p_loop, t_loop = timed(lambda: dsp_loop(y, [x1, x2], permutations, 1))
    same = np.allclose(p_loop, ours.coefficients.p_two_sided[1:])
    print(
        f"    MRQAP (DSP, 2 predictors), n = {n}: nqpf {1e3 * t_ours:8.1f} ms, loop "
        f"{1e3 * t_loop:8.1f} ms   ratio {t_loop / t_ours:,.0f}x "
        f"({'same p' if same else 'p differs'})"
    )


def section_resilience(args: argparse.Namespace, folder: Path) -> list[str]:
    bench_resilience(args.nodes, args.replicates, args.loop_replicates)
    return []


def section_qap(args: argparse.Namespace, folder: Path) -> list[str]:
    bench_qap(args.permutations)
    return []


SECTIONS = {
    "groupby": section_groupby,
    "limit": section_limit,
    "resilience": section_resilience,
    "qap": section_qap,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--big-rows", type=int, default=100_000_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--loop-replicates", type=int, default=2)
    parser.add_argument("--permutations", type=int, default=2000)
    parser.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--table-out", help=argparse.SUPPRESS)
    parser.add_argument("--memory-limit", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.memory_limit, args.table_out)
        return
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nqpf-bench-network-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.only.split(","):
            for line in SECTIONS[name](args, folder):
                print(line, flush=True)
    print(f"\nwhole run {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
