"""Coupling coordination of the index's elements: ``nqpf coupling``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from nqpf.cli._app import (
    AliasOption,
    DataOption,
    DecimalOption,
    InterpolateOption,
    LevelOption,
    OutOption,
    RegionColOption,
    SheetOption,
    SystemOption,
    YearColOption,
    app,
    console,
    friendly,
    load_source,
    print_notes_and_outputs,
    print_validation,
    progress_bar,
    read_options,
    write_study,
)


@app.command()
@friendly
def coupling(
    variant: Annotated[
        Literal["classic", "revised"],
        typer.Option(
            help="Coupling degree: classic (n·(ΠU)^(1/n)/ΣU) or revised (Wang Shujia et al. 2021)."
        ),
    ] = "classic",
    subsystem: Annotated[
        list[str] | None,
        typer.Option(
            "--subsystem",
            help="A dimension of the index to couple (repeat for several; default: all).",
        ),
    ] = None,
    data: DataOption = None,
    sheet: SheetOption = None,
    level: LevelOption = "province",
    region_col: RegionColOption = None,
    year_col: YearColOption = None,
    alias: AliasOption = None,
    interpolate: InterpolateOption = "none",
    decimal: DecimalOption = ".",
    system: SystemOption = "nqpf-province",
    out: OutOption = Path("out"),
) -> None:
    """Coupling coordination (C, T, D, grades) of the index's elements → CSVs + coupling.html."""
    from nqpf.index import compute_index
    from nqpf.studies import coupling_study

    with progress_bar() as bar:
        task = bar.add_task("Composite index 综合指数", total=4)
        panel, source = load_source(data, **read_options(locals()))
        result = compute_index(panel, system)
        bar.advance(task)
        bar.update(task, description="Coupling coordination 耦合协调")
        study = coupling_study(result, subsystems=subsystem or None, variant=variant)
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "coupling.html")

    table = study.coupling.table
    first, last = study.years[0], study.years[-1]
    mean = table.groupby("year")["D"].mean()
    console.print(
        f"{source}: {', '.join(study.labels)}; {table['region'].nunique()} regions, "
        f"{first}–{last}, {variant}",
        highlight=False,
    )
    console.print(
        f"mean D {first} {mean[first]:.4f} → {last} {mean[last]:.4f}",
        highlight=False,
    )
    print_validation(result.report)
    print_notes_and_outputs(study.notes, out, outputs)
