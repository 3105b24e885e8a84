"""Composite-index commands: ``nqpf index`` and the main job ``nqpf report``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._app import (
    AggregationOption,
    AliasOption,
    DataOption,
    DecimalOption,
    InterpolateOption,
    LevelOption,
    NormalizationOption,
    OutOption,
    RegionColOption,
    SheetOption,
    SystemOption,
    WeightingOption,
    YearColOption,
    app,
    console,
    friendly,
    load_source,
    print_validation,
    progress_bar,
    read_options,
    run_record,
    write_tables,
)


@app.command()
@friendly
def index(
    system: SystemOption = "nqpf-province",
    weighting: WeightingOption = "entropy",
    aggregation: AggregationOption = "linear",
    normalization: NormalizationOption = "minmax",
    data: DataOption = None,
    sheet: SheetOption = None,
    level: LevelOption = "province",
    region_col: RegionColOption = None,
    year_col: YearColOption = None,
    alias: AliasOption = None,
    interpolate: InterpolateOption = "none",
    decimal: DecimalOption = ".",
    out: OutOption = Path("out"),
) -> None:
    """Compute a composite index; write its tables (scores.csv, weights.csv, …), validation.md."""
    from nqpf.studies import index_study

    with console.status("Computing the index 计算综合指数…"):
        panel, source = load_source(
            data,
            **read_options(locals()),
        )
        study = index_study(
            panel,
            system,
            weighting=weighting,
            aggregation=aggregation,
            normalization=normalization,
            runs=0,
        )
    report = study.index.report
    files = {f"{name}.csv": table for name, table in study.tables().items()}
    outputs = write_tables(out, {**files, "validation.md": report.to_markdown(10_000)})
    console.print(f"{source}: index system {study.index.system_name}", highlight=False)
    console.print(str(study.index.summary()), highlight=False)
    print_validation(report, out)
    console.print(f"[green]wrote[/] {out}/" + ", ".join(outputs))


@app.command()
@friendly
def report(
    out: OutOption = Path("out"),
    system: SystemOption = "nqpf-province",
    weighting: WeightingOption = "entropy",
    aggregation: AggregationOption = "linear",
    runs: Annotated[int, typer.Option(min=0, help="Monte Carlo runs for rank uncertainty.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    data: DataOption = None,
    sheet: SheetOption = None,
    level: LevelOption = "province",
    region_col: RegionColOption = None,
    year_col: YearColOption = None,
    alias: AliasOption = None,
    interpolate: InterpolateOption = "none",
    decimal: DecimalOption = ".",
) -> None:
    """The main job: every study on the bundled data or --data → report.html, tables.xlsx."""
    from nqpf.report.build import build_report

    start = time.perf_counter()
    panel, source = load_source(
        data,
        **read_options(locals()),
    )
    record = run_record()
    with progress_bar() as bar:
        paths, job = build_report(
            out,
            panel=panel,
            system=system,
            weighting=weighting,
            aggregation=aggregation,
            runs=runs,
            seed=seed,
            progress=bar,
            command=record["command"],
            inputs=record["inputs"],
        )
    console.print(f"{source}: index system {job.index.system_name}", highlight=False)
    for key, reason in job.skipped.items():
        console.print(f"[yellow]skipped[/] {key}: {reason}", highlight=False)
    print_validation(job.index.report, out)
    for path in paths:
        console.print(f"[green]wrote[/] {path}")
    console.print(
        f"分析 Analysis {sum(job.seconds.values()):.1f} s, 共计 total "
        f"{time.perf_counter() - start:.1f} s (seconds per step 各步用时: {out}/manifest.json)",
        highlight=False,
    )
