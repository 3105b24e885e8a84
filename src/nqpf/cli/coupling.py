"""Coupling coordination of the index's elements or of the user's scores: ``nqpf coupling``."""

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
    score: Annotated[
        list[str] | None,
        typer.Option(
            "--score",
            metavar="COL",
            help="A column of --data holding a subsystem score in [0, 1] (repeat: at least two; "
            "no index system needed).",
        ),
    ] = None,
    rescale: Annotated[
        Literal["none", "minmax"],
        typer.Option(help="With --score: use the scores as given, or min–max rescale each."),
    ] = "none",
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
    """Coupling coordination (C, T, D, grades) of index elements or --score columns → CSV, HTML."""
    from nqpf.errors import DataValidationError
    from nqpf.index import compute_index
    from nqpf.studies import coupling_study

    if score and data is None:
        raise DataValidationError(
            "--score names columns of --data: give both (nqpf coupling --data FILE --score COL "
            "--score COL)"
        )
    if score and subsystem:
        raise DataValidationError(
            "--subsystem couples dimensions of the index, --score columns of --data: use one"
        )
    if rescale != "none" and not score:
        raise DataValidationError(f"--rescale {rescale} applies to the --score columns of --data")
    with progress_bar() as bar:
        task = bar.add_task(
            "Reading data 读取数据" if score else "Composite index 综合指数", total=4
        )
        panel, source = load_source(data, **read_options(locals()))
        bar.advance(task)
        bar.update(task, description="Coupling coordination 耦合协调")
        if score:
            report = panel.report
            study = coupling_study(panel, scores=score, variant=variant, rescale=rescale)
        else:
            result = compute_index(panel, system)
            report = result.report
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
    print_validation(report)
    print_notes_and_outputs(study.notes, out, outputs)
