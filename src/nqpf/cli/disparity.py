"""Regional differences and their dynamics: ``nqpf disparity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from nqpf.cli._app import (
    AliasOption,
    DataOption,
    DecimalOption,
    InterpolateOption,
    OutOption,
    RegionColOption,
    SheetOption,
    SystemOption,
    ValueOption,
    YearColOption,
    app,
    console,
    friendly,
    print_notes_and_outputs,
    print_validation,
    progress_bar,
    read_options,
    study_frame,
    write_study,
)


@app.command()
@friendly
def disparity(
    by: Annotated[
        str,
        typer.Option(
            help="Groups: macro_region (NBS 东部/中部/西部/东北 East/Central/West/Northeast), "
            "province (cities by province), agglomeration (cities by urban agglomeration, "
            "curated list) or a column of --data."
        ),
    ] = "macro_region",
    value: ValueOption = "score",
    data: DataOption = None,
    sheet: SheetOption = None,
    region_col: RegionColOption = None,
    year_col: YearColOption = None,
    level: Annotated[
        Literal["province", "city"] | None,
        typer.Option(
            help="province or city (--data); default city with --by province/agglomeration, "
            "else province."
        ),
    ] = None,
    alias: AliasOption = None,
    interpolate: InterpolateOption = "none",
    decimal: DecimalOption = ".",
    system: SystemOption = "nqpf-province",
    k: Annotated[
        int | None,
        typer.Option(help="Markov classes (default: about 7 regions per class; 4 for provinces)."),
    ] = None,
    overlap: Annotated[
        Literal["error", "first-plan"],
        typer.Option(
            help="--by agglomeration: cities in several agglomerations: error (list them) or "
            "first-plan (the agglomeration whose plan was issued first)."
        ),
    ] = "error",
    unassigned: Annotated[
        Literal["error", "other", "drop"],
        typer.Option(
            help="--by agglomeration: cities in no agglomeration: error (list them), other "
            "(a group 其他 Other) or drop (leave them out)."
        ),
    ] = "error",
    weights: Annotated[
        str | None,
        typer.Option(
            help="Spatial weights for the spatial Markov chain and spatial β: queen (provinces, "
            "the default for province data), knn:K or distance[:P] (capitals or city seats, "
            "great-circle; any level), or a weights file (.gal/.gwt/.csv)."
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap replications of the Dagum Gini.")
    ] = 199,
    seed: Annotated[int, typer.Option(help="Random seed of the bootstrap.")] = 0,
    out: OutOption = Path("out"),
) -> None:
    """Dagum Gini, Theil, kernel density, convergence, Markov chains → CSVs + disparity.html."""
    from nqpf.studies import disparity_study
    from nqpf.studies.disparity import BUILTIN_GROUPS as BUILTIN

    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=4)
        if level is None:
            level = "city" if by in ("province", "agglomeration") else "province"
        keep = [] if by in BUILTIN else [by]
        frame, value, source, validation = study_frame(
            bar,
            task,
            value,
            system,
            data,
            keep=keep,
            **read_options(locals()),
        )
        bar.advance(task)
        bar.update(task, description="Regional differences 区域差异")
        study = disparity_study(
            frame,
            value,
            by,
            k=k,
            w=weights,
            bootstrap=bootstrap,
            seed=seed,
            overlap=overlap,
            unassigned=unassigned,
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "disparity.html")

    comps = study.dagum.components()
    first, last = comps.index[0], comps.index[-1]
    console.print(
        f"{source}: {study.data['region'].nunique()} regions, {first}–{last}, groups "
        f"{', '.join(map(str, study.groups))}"
    )
    console.print(
        f"Gini {first} {comps.loc[first, 'total']:.4f} → {last} {comps.loc[last, 'total']:.4f}; "
        f"between-group share {100 * comps.loc[last, 'share_between']:.1f}% in {last}; "
        f"β = {study.beta.beta:.4f} (p = {study.beta.coefficients.loc['ln_y', 'p_value']:.4f}), "
        f"{study.beta.half_life_text()}",
        highlight=False,
    )
    sb = study.spatial_beta
    if sb is not None:
        console.print(
            f"spatial β ({sb.model.upper()}, {sb.fixed_effects} FE) = {sb.beta:.4f}, "
            f"{sb.spatial_parameter} = {sb.rho:.4f}, direct effect {sb.direct['estimate']:.4f}; "
            f"{sb.half_life_text()}",
            highlight=False,
        )
    print_validation(validation)
    print_notes_and_outputs(study.notes, out, outputs)
