"""Urban agglomerations and scales: ``nqpf scales``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from nqpf.cli._app import (
    AliasOption,
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

ScaleChoice = Literal["agglomeration", "province", "macro-region", "nation"]


@app.command()
@friendly
def scales(
    members: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Your urban-agglomeration membership (CSV/XLSX: agglomeration, city; optional "
            "partial, share, shared). Default: the bundled, unverified list.",
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Your city table (region, year and value columns) to aggregate. Default: the "
            "bundled census, prefecture panel and patents.",
        ),
    ] = None,
    value: Annotated[
        list[str] | None,
        typer.Option(
            "--value",
            metavar="COL",
            help="A value column of --data to aggregate (repeat for several).",
        ),
    ] = None,
    to: Annotated[
        ScaleChoice | None,
        typer.Option(help="Aggregate to this scale only (default: all four)."),
    ] = None,
    weight: Annotated[
        Literal["population", "gdp", "none"],
        typer.Option(
            help="With --data: none sums the values; population or gdp takes means weighted by "
            "that column of --data.",
        ),
    ] = "none",
    sheet: SheetOption = None,
    level: LevelOption = "city",
    region_col: RegionColOption = None,
    year_col: YearColOption = None,
    alias: AliasOption = None,
    interpolate: InterpolateOption = "none",
    decimal: DecimalOption = ".",
    out: OutOption = Path("out"),
) -> None:
    """Agglomeration concentration and aggregation across scales → CSVs + scales.html."""
    from nqpf.errors import DataValidationError
    from nqpf.studies import scales_study
    from nqpf.studies.scales import SCALES

    if (data is None) != (not value):
        raise DataValidationError(
            "--value names columns of --data: give both (nqpf scales --data FILE --value COL)"
            if data is None
            else "name the column(s) of --data to aggregate with --value COL"
        )
    if data is None and weight != "none":
        raise DataValidationError(
            "--weight applies to the values of --data; the bundled run sums totals and "
            "weights GDP per head and patents per 10,000 people by population"
        )
    scales_ = SCALES if to is None else (to.replace("-", "_"),)
    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=4)
        panel, source, names, by = None, "the bundled data", None, "none"
        if data is not None:
            panel, source = load_source(data, **read_options(locals()))
            names = [panel.indicator_for(v) for v in value or []]
            try:
                by = weight if weight == "none" else panel.indicator_for(weight)
            except DataValidationError as exc:
                raise DataValidationError(
                    f"--weight {weight}: {exc}; add that column or use --weight none"
                ) from None
        bar.advance(task)
        bar.update(task, description="Urban agglomerations and scales 城市群与多尺度")
        study = scales_study(
            panel,
            values=names,
            membership=members,
            scales=scales_,  # type: ignore[arg-type]
            weight=by,
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "scales.html")

    console.print(
        f"{source}; membership: {study.membership.source} "
        f"({len(study.membership.agglomerations)} agglomerations); scales: " + ", ".join(scales_),
        highlight=False,
    )
    for statement in study.statements():
        console.print(statement, highlight=False)
    if panel is not None:
        print_validation(panel.report)
    print_notes_and_outputs(study.notes, out, outputs)
