"""Total-factor productivity and green TFP: ``nqpf efficiency``."""

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


@app.command()
@friendly
def efficiency(
    input_: Annotated[
        list[str] | None,
        typer.Option("--input", help="An input column of --data (repeat for several)."),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option("--output", help="A good-output column of --data (repeat for several)."),
    ] = None,
    undesirable: Annotated[
        list[str] | None,
        typer.Option(help="An undesirable-output column of --data, e.g. CO2 (repeatable)."),
    ] = None,
    model: Annotated[
        Literal["sbm", "ccr", "bcc"],
        typer.Option(help="Yearly DEA scores: SBM with the undesirable outputs, CCR or BCC."),
    ] = "sbm",
    orientation: Annotated[
        Literal["input", "output"],
        typer.Option(help="Orientation of the radial scores and the Malmquist distances."),
    ] = "input",
    malmquist: Annotated[
        Literal["adjacent", "global"],
        typer.Option(
            help="Malmquist TFP index: adjacent frontiers (EC × TC) or global (EC × BPC)."
        ),
    ] = "adjacent",
    delta: Annotated[
        float, typer.Option(help="Depreciation rate of the bundled capital stock.")
    ] = 0.096,
    base_year: Annotated[
        int, typer.Option(help="Price year of the bundled capital stock and real values.")
    ] = 2010,
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
    """TFP (Malmquist) and green TFP (global ML) by region and year → CSVs + efficiency.html."""
    from nqpf.studies import efficiency_study

    names = {"inputs": input_, "outputs": output, "undesirable": undesirable}
    with progress_bar() as bar:
        task = bar.add_task("TFP and green TFP 全要素生产率", total=3)
        panel, source = load_source(data, **read_options(locals()))
        study = efficiency_study(
            panel,
            **{k: v or None for k, v in names.items()},
            model=model,
            orientation=orientation,
            malmquist_kind=malmquist,
            delta=delta,
            base_year=base_year,
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "efficiency.html")

    years = study.years
    decomposition = study.decomposition().set_index(["measure", "group"])
    national = decomposition.xs("全国 National", level="group")
    console.print(
        f"{source}: {study.scores['region_code'].nunique()} regions, {years[0]}–{years[-1]}, "
        f"{model.upper()}; inputs {', '.join(study.inputs.roles['inputs'])}; outputs "
        f"{', '.join(study.inputs.roles['outputs'])}; undesirable "
        f"{', '.join(study.inputs.roles['undesirable'])}",
        highlight=False,
    )
    console.print(
        f"national mean yearly TFP {national.loc['tfp', 'index']:.4f}, green TFP "
        f"{national.loc['green_tfp', 'index']:.4f}",
        highlight=False,
    )
    if data is not None:
        print_validation(panel.report)
    print_notes_and_outputs(study.notes, out, outputs)
