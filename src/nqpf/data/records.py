"""Record-level flows: millions of records (contracts, co-patents, …) → an origin–destination table.

One Ibis expression does the work on DuckDB (embedded, the default) or on Spark (a local session
or a cluster): it joins the records to a small mapping of region spellings to GB/T 2260 codes and
groups them by origin and destination (and year, and any ``by`` columns). Only the aggregated table
comes back to pandas; the records are never materialised in Python.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from nqpf._compat import require
from nqpf.errors import DataValidationError, NqpfError, UnknownRegionError
from nqpf.regions import Level, check_level, name_of, normalize, spelling_repair
from nqpf.results import Result, Summary, make_meta
from nqpf.validation import ValidationReport

__all__ = ["BACKENDS", "SPARK_MASTER", "RecordFlows", "flows_from_records"]

Backend = Literal["duckdb", "spark"]
#: The engines that run the aggregation.
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")
#: Environment variable naming the Spark master of a session nqpf creates (default ``local[2]``).
SPARK_MASTER = "NQPF_SPARK_MASTER"

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT])i?B?\s*$", re.IGNORECASE)
_OUTPUT = ("origin", "destination", "origin_name", "destination_name", "flow", "records")
# Distinct spellings above this many are not a region column (guards against a wrong --origin).
_MAX_DISTINCT = 100_000
_SHOWN = 5


@dataclass(frozen=True)
class RecordFlows(Result):
    """An origin–destination table aggregated from records.

    Attributes
    ----------
    flows
        One row per origin, destination (and year and ``by`` value): ``origin``, ``destination``
        (GB/T 2260 codes), ``origin_name``, ``destination_name``, then ``year`` and the ``by``
        columns when asked, ``flow`` (sum of the weight, or number of records without one) and
        ``records`` (number of records).
    unknown
        Region values that are not in the registry: ``side`` (origin/destination), ``value`` as
        found (missing values are ``None``), ``records``, ``candidates`` (closest known names).
        Their records are not in ``flows``.
    records
        Number of records read.
    notes
        Every policy applied: excluded records, self-flows, repaired spellings, memory limit.
    """

    flows: pd.DataFrame
    unknown: pd.DataFrame
    records: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The O–D table (:attr:`flows`)."""
        return self.flows.copy()

    def summary(self) -> Summary:
        """Counts of records and pairs, the unknown region values and the largest flows."""
        counts = pd.DataFrame(
            {
                "value": [
                    self.records,
                    int(self.flows.records.sum()),
                    len(self.flows),
                    float(self.flows.flow.sum()),
                ]
            },
            dtype=object,
            index=[
                "records read 记录数",
                "records in O–D table",
                "O–D rows 流向对",
                "total flow 总流量",
            ],
        )
        tables: list[tuple[str, pd.DataFrame]] = [("", counts)]
        if len(self.unknown):
            tables.append(("Unknown regions 未识别地区", self.unknown))
        top = self.flows.nlargest(10, "flow")
        tables.append(("Largest flows 最大流量", top.reset_index(drop=True)))
        return Summary("区域间流量 Record flows", tuple(tables), notes=self.notes)


def flows_from_records(
    source: str | Path | Sequence[str | Path] | Any,
    *,
    origin: str,
    destination: str,
    weight: str | None = None,
    year: str | None = None,
    by: str | Sequence[str] | None = None,
    level: Level = "province",
    backend: Backend = "duckdb",
    memory_limit: str | None = None,
    self_flows: Literal["keep", "drop"] = "keep",
    aliases: Mapping[str, str] | None = None,
    spark: Any = None,
) -> RecordFlows:
    """Aggregate records into an origin–destination table of regions.

    Parameters
    ----------
    source
        A CSV or Parquet file, a glob (``"contracts/*.parquet"``) or a list of files, all of one
        kind (by suffix; ``.csv.gz`` is CSV); or an Ibis table, which runs on the backend it is
        bound to (an in-memory table runs on ``backend``).
    origin, destination
        Columns holding the region of each end: names (any spelling :func:`nqpf.regions.normalize`
        accepts) or GB/T 2260 codes.
    weight
        Numeric column summed into ``flow`` (e.g. contract value); ``None`` counts records.
        Missing, non-numeric or negative weights are an error (they are counted, not guessed).
    year, by
        Columns kept as keys of the table (``year`` is cast to an integer).
    level
        ``"province"`` or ``"city"``.
    backend
        ``"duckdb"`` (embedded) or ``"spark"``: the ``spark`` session if given, else a session
        with master ``$NQPF_SPARK_MASTER`` (default ``local[2]``).
    memory_limit
        Such as ``"2GB"`` (binary units: 1 GB = 1024³ bytes): DuckDB's ``memory_limit``, with a
        temporary directory for spilling; the driver memory of a Spark session nqpf creates.
    self_flows
        ``"keep"`` records whose origin and destination are the same region (the diagonal), or
        ``"drop"`` them; either way the note counts them.
    aliases
        Extra spellings, e.g. ``{"江两": "江西"}``.
    spark
        A ``SparkSession`` to run on (``backend="spark"``), e.g. one built with
        ``.master("spark://host:7077")``.

    Records whose origin or destination is not a known region are left out of ``flows``; their
    values and record counts are in ``unknown`` and the notes.
    """
    level = check_level(level)
    if backend not in BACKENDS:
        raise DataValidationError(f"backend {backend!r} is not supported; use one of {BACKENDS}")
    if spark is not None and backend != "spark":
        raise DataValidationError(
            f"a Spark session is given but backend is {backend!r}: pass backend='spark'"
        )
    if self_flows not in ("keep", "drop"):
        raise DataValidationError(f"self_flows must be 'keep' or 'drop', got {self_flows!r}")
    by_columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    keys = [*by_columns, *([year] if year is not None else [])]
    reserved = {*_OUTPUT, "year", "_o", "_d", "_w"}
    clash = [k for k in by_columns if k in reserved]
    if clash:
        raise DataValidationError(
            f"by column(s) {clash} clash with the output columns {sorted(reserved)}; rename them "
            "in the source (a year column goes to year=)"
        )
    megabytes = _megabytes(memory_limit) if memory_limit is not None else None
    ibis = require("ibis", "flows from records")
    notes: list[str] = []
    with _connection(ibis, source, backend, megabytes, spark, notes) as (con, table, where):
        columns = [origin, destination] + ([weight] if weight else []) + keys
        missing = [c for c in dict.fromkeys(columns) if c not in table.columns]
        if missing:
            raise DataValidationError(
                f"column(s) {missing} not in {where}; available: {list(table.columns)}"
            )
        total = _check(con, table, weight, where)
        values = _distinct(con, ibis, table, origin, destination, where)
        mapping, unknown = _mapping(values, level, aliases, notes)
        frame = _aggregate(con, ibis, table, mapping, origin, destination, weight, year, by_columns)
    flow = f"sum of {weight!r}" if weight else "number of records (no weight column)"
    notes[:0] = [f"{total} records read from {where} on {con.name}", f"flow = {flow}"]
    frame, dropped = _self_flows(frame, self_flows, notes)
    if len(unknown):
        excluded = total - int(frame.records.sum()) - dropped
        shown = ", ".join(
            f"{v!r} ({s}, {r} records)"
            for s, v, r in unknown[["side", "value", "records"]]
            .head(_SHOWN)
            .itertuples(index=False)
        )
        more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
        notes.append(
            f"{excluded} records excluded: origin or destination is not a known {level} "
            f"({len(unknown)} values: {shown}{more}; see `unknown`)"
        )
    keys_out = [*(["year"] if year else []), *by_columns]
    frame = frame.sort_values(["origin", "destination", *keys_out], ignore_index=True)
    frame = frame[[*_OUTPUT[:4], *keys_out, "flow", "records"]]
    meta = make_meta(
        "flows_from_records",
        source=where,
        backend=con.name,
        level=level,
        origin=origin,
        destination=destination,
        weight=weight,
        year=year,
        by=by_columns,
        self_flows=self_flows,
        memory_limit=memory_limit,
    )
    return RecordFlows(frame, unknown, total, tuple(notes), meta=meta)


def _megabytes(limit: str) -> int:
    """``"2GB"`` → 2048 (binary units; K, M, G, T with optional ``i``/``B``)."""
    match = _MEMORY.match(str(limit))
    if match is None:
        raise DataValidationError(
            f"memory_limit {limit!r} is not a size; write it like '2GB' or '512MB'"
        )
    number, unit = float(match.group(1)), match.group(2).upper()
    megabytes = int(number * 1024 ** "KMGT".index(unit) / 1024)
    if megabytes < 1:
        raise DataValidationError(f"memory_limit {limit!r} is below 1 MB")
    return megabytes


def _files(source: str | Path | Sequence[str | Path]) -> tuple[list[str], str]:
    """The files of a path, glob or list, and their kind (``csv`` or ``parquet``)."""
    items = [source] if isinstance(source, str | Path) else list(source)
    files: list[str] = []
    for item in items:
        text = str(item)
        found = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not found or not all(os.path.isfile(f) for f in found):
            raise DataValidationError(f"no file matches {text!r}")
        files += found
    if not files:
        raise DataValidationError("no record files given")
    kinds = {_SUFFIXES.get(Path(f.removesuffix(".gz")).suffix.lower()) for f in files}
    kind = kinds.pop()
    if kind is None or kinds:
        raise DataValidationError(
            f"record files must all be CSV (.csv, .csv.gz) or all Parquet (.parquet, .pq); got "
            f"{sorted({Path(f).name for f in files})[:_SHOWN]}"
        )
    return files, kind


@contextmanager
def _connection(
    ibis: Any,
    source: Any,
    backend: Backend,
    megabytes: int | None,
    spark: Any,
    notes: list[str],
) -> Iterator[tuple[Any, Any, str]]:
    """``(backend connection, records table, description)``; a DuckDB nqpf opened is closed."""
    operations = require("ibis.expr.operations", "flows from records")
    if isinstance(source, ibis.expr.types.Table):
        bound = source.op().find(operations.DatabaseTable)
        if bound:
            if megabytes is not None:
                notes.append(
                    "memory_limit not applied: the table is bound to your own connection; "
                    "set the limit there"
                )
            yield next(iter(bound)).source, source, "an Ibis table"
            return
    is_table = isinstance(source, ibis.expr.types.Table)
    files, kind = ([], "") if is_table else _files(source)  # checked before an engine starts
    with tempfile.TemporaryDirectory(prefix="nqpf-records-") as spill:
        if backend == "spark":
            con = ibis.pyspark.connect(_spark_session(spark, megabytes, notes))
        else:
            con = ibis.duckdb.connect()
            if megabytes is not None:
                con.raw_sql(f"SET memory_limit = '{megabytes}MiB'")
                con.raw_sql(f"SET temp_directory = '{spill}'")
                con.raw_sql("SET preserve_insertion_order = false")
                notes.append(f"DuckDB memory limit {megabytes} MiB, spilling to a temporary folder")
        try:
            if is_table:
                yield con, source, "an Ibis table"
            else:
                where = files[0] if len(files) == 1 else f"{len(files)} {kind} files"
                try:
                    table = _read(con, files, kind)
                except Exception as exc:  # each engine has its own error types
                    raise DataValidationError(f"cannot read {where}: {_first_line(exc)}") from exc
                yield con, table, where
        finally:
            if backend == "duckdb":
                con.disconnect()


def _read(con: Any, files: list[str], kind: str) -> Any:
    """The records of ``files`` as one Ibis table (Spark reads Parquet one path at a time)."""
    if kind == "csv":
        return con.read_csv(files)
    if con.name == "duckdb":
        return con.read_parquet(files)
    tables = [con.read_parquet(f) for f in files]
    return tables[0].union(*tables[1:], distinct=False) if len(tables) > 1 else tables[0]


def _spark_session(spark: Any, megabytes: int | None, notes: list[str]) -> Any:
    """The given session, or one with master ``$NQPF_SPARK_MASTER`` (default ``local[2]``)."""
    if spark is not None:
        if megabytes is not None:
            notes.append("memory_limit not applied: the Spark session was given; configure it")
        return spark
    sql = require("pyspark.sql", "flows from records on Spark")
    master = os.environ.get(SPARK_MASTER, "local[2]")
    builder = (
        sql.SparkSession.builder.master(master)
        .appName("nqpf")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if megabytes is not None:
        builder = builder.config("spark.driver.memory", f"{megabytes}m")
        notes.append(
            f"Spark driver memory {megabytes} MiB (applies when this process starts Spark; an "
            "already running session keeps its memory)"
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _execute(con: Any, expr: Any, where: str) -> pd.DataFrame:
    try:
        return con.execute(expr)
    except NqpfError:
        raise
    except Exception as exc:  # each engine has its own error types
        raise DataValidationError(
            f"cannot read the records of {where}: {_first_line(exc)}"
        ) from exc


def _check(con: Any, table: Any, weight: str | None, where: str) -> int:
    """Number of records; an error if there are none or if a weight is not a usable number."""
    aggregates = {"n": table.count()}
    if weight is not None:
        column = table[weight]
        value = column.try_cast("float64") if not column.type().is_numeric() else column
        value = value.cast("float64")
        aggregates |= {
            "missing": column.isnull().sum(),
            "non_numeric": (column.notnull() & value.isnull()).sum(),
            "nan": value.isnan().sum(),
            "negative": (value < 0).sum(),
        }
    counts = _execute(con, table.aggregate(**aggregates), where).iloc[0]
    total = int(counts["n"])
    if total == 0:
        raise DataValidationError(f"{where} holds no records")
    if weight is not None:
        bad = {k: int(counts[k] or 0) for k in ("missing", "non_numeric", "nan", "negative")}
        if any(bad.values()):
            found = ", ".join(f"{n} {k.replace('_', '-')}" for k, n in bad.items() if n)
            raise DataValidationError(
                f"weight column {weight!r} of {where} has {found} value(s) among {total} records; "
                "a flow sums non-negative numbers: fix or filter those records first (nqpf does "
                "not guess a weight)"
            )
    return total


def _distinct(
    con: Any, ibis: Any, table: Any, origin: str, destination: str, where: str
) -> pd.DataFrame:
    """Each spelling of each side with its number of records (``side, value, records``)."""
    parts = [
        table.group_by(value=table[column].cast("string"))
        .aggregate(records=table.count())
        .mutate(side=ibis.literal(side))
        for side, column in (("origin", origin), ("destination", destination))
    ]
    expr = parts[0].union(parts[1], distinct=False).limit(2 * _MAX_DISTINCT + 1)
    values = _execute(con, expr, where)
    for side, column in (("origin", origin), ("destination", destination)):
        if (values.side == side).sum() > _MAX_DISTINCT:
            raise DataValidationError(
                f"{side} column {column!r} of {where} has more than {_MAX_DISTINCT} distinct "
                "values: it does not hold regions"
            )
    return values


def _mapping(
    values: pd.DataFrame,
    level: Level,
    aliases: Mapping[str, str] | None,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spelling → (code, name) for the known values; the unknown ones with their records."""
    rows, unknown, repaired = [], [], []  # repaired: (not an alias or former name, text)
    for value in sorted(set(values.value.dropna())):
        report = ValidationReport()
        try:
            code = normalize([value], level, aliases=aliases, report=report)[0]
        except UnknownRegionError as exc:
            unknown.append((value, "; ".join(exc.candidates[:3])))
            continue
        rows.append((value, code, name_of(code, "zh", level)))
        # aliases and former names first: they change what a value means, not how it is written
        how = "; ".join("user alias" if i.kind == "alias" else i.message for i in report)
        if how or (how := spelling_repair(value, level) or ""):
            repaired.append((not len(report), f"{value!r} → {rows[-1][2]} ({how})"))
    mapping = pd.DataFrame(rows, columns=["value", "code", "name"]).astype({"code": "int64"})
    lost = values[~values.value.isin(mapping.value)].copy()
    candidates = dict(unknown)
    lost["candidates"] = lost.value.map(lambda v: candidates.get(v, ""))
    lost["value"] = lost.value.astype(object).where(lost.value.notna(), None)
    lost = lost.sort_values(
        ["records", "side", "value"], ascending=[False, True, True], ignore_index=True
    )
    lost["records"] = lost.records.astype("int64")
    if repaired:
        more = f" and {len(repaired) - _SHOWN} more" if len(repaired) > _SHOWN else ""
        notes.append(
            f"{len(repaired)} spellings read through the region registry: "
            + ", ".join(text for _, text in sorted(repaired, key=lambda r: r[0])[:_SHOWN])
            + more
        )
    return mapping, lost[["side", "value", "records", "candidates"]]


def _aggregate(
    con: Any,
    ibis: Any,
    table: Any,
    mapping: pd.DataFrame,
    origin: str,
    destination: str,
    weight: str | None,
    year: str | None,
    by: list[str],
) -> pd.DataFrame:
    """The one expression: records ⋈ mapping (both ends), grouped by O, D (+ year, by).

    The groups are keyed by codes; the names are attached to the (small) result afterwards.
    """
    regions = ibis.memtable(mapping[["value", "code"]], schema={"value": "string", "code": "int64"})
    records = table.select(
        _o=table[origin].cast("string"),
        _d=table[destination].cast("string"),
        **({"_w": table[weight].cast("float64")} if weight else {}),
        **({"year": table[year].cast("int64")} if year else {}),
        **{k: table[k] for k in by},
    )
    origins = regions.select(_o="value", origin="code")
    destinations = regions.select(_d="value", destination="code")
    joined = records.inner_join(origins, "_o").inner_join(destinations, "_d")
    keys = ["origin", "destination", *(["year"] if year else []), *by]
    grouped = joined.group_by(keys).aggregate(
        flow=joined._w.sum() if weight else joined.count(), records=joined.count()
    )
    frame = _execute(con, grouped, "the records")
    names = dict(zip(mapping.code, mapping.name, strict=True))
    frame["origin_name"] = frame.origin.map(names)
    frame["destination_name"] = frame.destination.map(names)
    return frame.astype({"origin": "int64", "destination": "int64", "records": "int64"}).astype(
        {"flow": "float64" if weight else "int64"}
    )


def _self_flows(frame: pd.DataFrame, policy: str, notes: list[str]) -> tuple[pd.DataFrame, int]:
    """The table under the self-flow policy and the records dropped, with a note counting them."""
    own = frame.origin == frame.destination
    count = int(frame.records[own].sum())
    if policy == "drop":
        notes.append(f"{count} self-flow records (origin = destination) dropped")
        return frame[~own], count
    notes.append(f"{count} self-flow records (origin = destination) kept as the diagonal")
    return frame, 0
