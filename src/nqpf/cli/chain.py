"""Two-stage innovation-chain efficiency: ``nqpf chain``."""

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


def _columns(role: str) -> object:
    return typer.Option(
        f"--{role}",
        metavar="COL",
        help=f"A column (indicator) of the {role}s, repeatable (default: the bundled chain's).",
    )


@app.command()
@friendly
def chain(
    input: Annotated[list[str] | None, _columns("input")] = None,  # noqa: A002 - the flag's name
    intermediate: Annotated[list[str] | None, _columns("intermediate")] = None,
    output: Annotated[list[str] | None, _columns("output")] = None,
    model: Annotated[
        Literal["relational", "additive"],
        typer.Option(
            help="relational: overall = stage 1 × stage 2 (Kao & Hwang 2008); additive: a "
            "weighted mean of the stages (Chen, Cook, Li & Zhu 2009)."
        ),
    ] = "relational",
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
    """Two-stage innovation-chain efficiency (R&D → commercialisation) → CSVs + chain.html."""
    from nqpf.studies import chain_study

    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=4)
        if data is None:
            panel, source, report = None, "the bundled science-and-technology data", None
        else:
            panel, source = load_source(data, **read_options(locals()))
            report = panel.report
        bar.advance(task)
        bar.update(task, description="Innovation-chain efficiency 创新链两阶段效率")
        study = chain_study(
            panel, inputs=input, intermediates=intermediate, outputs=output, model=model
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "chain.html")

    frame = study.to_frame()
    first, last = study.years[0], study.years[-1]
    mean = frame.groupby("year")[["overall", "stage1", "stage2"]].mean()
    console.print(
        f"{source}: {frame['region_code'].nunique()} regions, {first}–{last}, {model} model",
        highlight=False,
    )
    console.print(
        f"mean {last}: overall {mean.loc[last, 'overall']:.4f}, stage 1 "
        f"{mean.loc[last, 'stage1']:.4f}, stage 2 {mean.loc[last, 'stage2']:.4f}",
        highlight=False,
    )
    if report is not None:
        print_validation(report)
    print_notes_and_outputs(study.notes, out, outputs)
