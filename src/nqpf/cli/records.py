"""``nqpf network records``: record files (CSV or Parquet) → an origin–destination table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from nqpf.cli._app import (
    AliasOption,
    Level,
    OutOption,
    console,
    friendly,
    parse_aliases,
    print_notes_and_outputs,
    progress_bar,
    run_record,
)
from nqpf.cli.network_app import network_app

#: The O–D table is also written as a workbook up to this many rows.
XLSX_ROWS = 100_000
_COLUMN = "COLUMN"


@network_app.command("records")
@friendly(group="network")
def records(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="Record files: a CSV or Parquet file or a quoted glob ('contracts/*.parquet').",
        ),
    ],
    origin: Annotated[str, typer.Option(metavar=_COLUMN, help="Origin region column.")],
    destination: Annotated[str, typer.Option(metavar=_COLUMN, help="Destination region column.")],
    weight: Annotated[
        str | None,
        typer.Option(metavar=_COLUMN, help="Numeric column summed into the flow (default: count)."),
    ] = None,
    year: Annotated[str | None, typer.Option(metavar=_COLUMN, help="Year column (a key).")] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(metavar=_COLUMN, help="Further key column, e.g. a field (repeatable)."),
    ] = None,
    level: Annotated[
        Level, typer.Option(help="Regions of the origin and destination columns.")
    ] = "province",
    backend: Annotated[
        Literal["duckdb", "spark"],
        typer.Option(help="Engine: DuckDB on this machine, or Spark ($NQPF_SPARK_MASTER)."),
    ] = "duckdb",
    memory_limit: Annotated[
        str | None,
        typer.Option(metavar="SIZE", help="Memory limit of the engine, e.g. 2GB (spills beyond)."),
    ] = None,
    self_flows: Annotated[
        Literal["keep", "drop"],
        typer.Option(help="Records within one region: keep them (the diagonal) or drop them."),
    ] = "keep",
    alias: AliasOption = None,
    out: OutOption = Path("records"),
) -> None:
    """Aggregate records into an O–D table of regions → od_flows.csv, unknown_regions.csv."""
    from nqpf.data.export import MANIFEST, output_folder, write_csv, write_excel
    from nqpf.data.records import flows_from_records

    with progress_bar() as bar:
        task = bar.add_task(f"Aggregating records on {backend} 汇总记录", total=1)
        result = flows_from_records(
            source,
            origin=origin,
            destination=destination,
            weight=weight,
            year=year,
            by=by,
            level=level,
            backend=backend,
            memory_limit=memory_limit,
            self_flows=self_flows,
            aliases=parse_aliases(alias),
        )
        bar.advance(task)
    flows, unknown = result.flows, result.unknown
    files = ["od_flows.csv", "unknown_regions.csv"]
    with output_folder(out, **run_record()) as folder:
        write_csv(flows, folder / files[0])
        write_csv(unknown, folder / files[1])
        if len(flows) <= XLSX_ROWS:
            files.append("od_flows.xlsx")
            write_excel({"od_flows": flows, "unknown_regions": unknown}, folder / files[2])
    console.print(
        f"{result.records} records → {len(flows)} O–D rows, {int(flows.records.sum())} records "
        f"and total flow {flows.flow.sum():,.6g} in the table",
        highlight=False,
    )
    if len(unknown):
        table = Table(
            "side", "value", "records", "did you mean", title="Unknown regions 未识别地区"
        )
        for row in unknown.head(20).itertuples(index=False):
            table.add_row(row.side, repr(row.value), str(row.records), row.candidates)
        console.print(table)
        if len(unknown) > 20:
            console.print(f"… and {len(unknown) - 20} more in unknown_regions.csv")
    print_notes_and_outputs(result.notes, out, [*files, MANIFEST])
