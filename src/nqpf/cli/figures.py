"""``nqpf figures``: the main job's figures as files for a journal (300-dpi PNG, SVG)."""

from __future__ import annotations

from enum import StrEnum
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
)


class FigureFormat(StrEnum):
    """File formats of ``--format``."""

    png = "png"
    svg = "svg"
    pdf = "pdf"


@app.command()
@friendly
def figures(
    out: Annotated[Path, typer.Option(metavar="DIR", help="Output folder.")] = Path("figures"),
    format: Annotated[
        list[FigureFormat] | None,
        typer.Option("--format", help="File format (repeatable; default: png and svg)."),
    ] = None,
    dpi: Annotated[int, typer.Option(min=72, help="Resolution of PNG files.")] = 300,
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
    """The figures of every study of `nqpf report` → DIR/<study>/<figure>.png and .svg."""
    from nqpf.data.export import MANIFEST, output_folder
    from nqpf.report.build import run_main_job
    from nqpf.report.plots import save_figures

    formats = [f.value for f in format] if format else ["png", "svg"]
    panel, source = load_source(data, **read_options(locals()))
    with output_folder(out, **run_record()) as folder, progress_bar() as bar:
        job = run_main_job(
            panel=panel,
            system=system,
            weighting=weighting,
            aggregation=aggregation,
            runs=runs,
            seed=seed,
            progress=bar,
        )
        task = bar.add_task("Drawing figures 绘制图形", total=len(job.results))
        written = []
        for key, result in job.results.items():
            paths = save_figures(result, folder / key, formats=formats, dpi=dpi)
            written += [p.relative_to(folder).as_posix() for p in paths]
            bar.advance(task)
    console.print(f"{source}: index system {job.index.system_name}", highlight=False)
    for key, reason in job.skipped.items():
        console.print(f"[yellow]skipped[/] {key}: {reason}", highlight=False)
    print_validation(job.index.report)
    console.print(f"[green]wrote[/] {len(written)} files to {out}/ (and {MANIFEST})")
