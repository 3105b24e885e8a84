"""Spatial structure and drivers: ``nqpf spatial`` and ``nqpf drivers``."""

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
    ValueOption,
    YearColOption,
    app,
    console,
    friendly,
    load_source,
    print_notes_and_outputs,
    print_validation,
    progress_bar,
    read_options,
    study_frame,
    write_study,
)

_WEIGHTS_HELP = (
    "Spatial weights: queen (default; Hainan linked to its nearest province), rook, knn:K "
    "(K nearest capitals), distance[:P] (inverse great-circle distance to the power P) or a "
    "weights file (GeoDa .gal/.gwt, or a .csv matrix labelled with region codes)."
)


@app.command()
@friendly
def spatial(
    value: ValueOption = "score",
    weights: Annotated[str, typer.Option(help=_WEIGHTS_HELP)] = "queen",
    permutations: Annotated[
        int, typer.Option(min=0, help="Permutations of Moran's I, LISA and Gi*.")
    ] = 999,
    seed: Annotated[int, typer.Option(help="Random seed of the permutations.")] = 0,
    year: Annotated[
        int | None, typer.Option(help="Year of the LISA and hot-spot maps (default: latest).")
    ] = None,
    alternative: Annotated[
        Literal["two-sided", "directed"],
        typer.Option(
            help="Permutation p-values: two-sided (default) or directed (GeoDa's one-sided "
            "pseudo p)."
        ),
    ] = "two-sided",
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
    """Moran's I by year, LISA clusters, Gi* hot spots → CSVs + spatial.html."""
    from nqpf.studies import spatial_study

    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=4)
        frame, value, source, validation = study_frame(
            bar,
            task,
            value,
            system,
            data,
            **read_options(locals()),
        )
        bar.advance(task)
        bar.update(task, description="Spatial autocorrelation 空间关联")
        study = spatial_study(
            frame,
            value,
            w=weights,
            permutations=permutations,
            seed=seed,
            year=year,
            alternative=alternative,
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "spatial.html")

    moran = study.moran.table.set_index("year")
    first, last = study.years[0], study.years[-1]
    console.print(
        f"{source}: {value}, {study.data['region_code'].nunique()} regions, {first}–{last}; "
        f"weights {study.weights_label}",
        highlight=False,
    )
    console.print(
        f"Moran's I {first} {moran.loc[first, 'statistic']:.4f} (permutation p = "
        f"{moran.loc[first, 'p_value_permutation']:.3f}) → {last} "
        f"{moran.loc[last, 'statistic']:.4f} (p = {moran.loc[last, 'p_value_permutation']:.3f})",
        highlight=False,
    )
    clusters = study.local.counts().to_numpy()
    console.print(
        f"LISA {study.year}: " + ", ".join(f"{kind} {count}" for kind, count in clusters),
        highlight=False,
    )
    hot = study.hot.hotspot
    console.print(
        f"Gi* {study.year}: {int((hot > 0).sum())} hot spot(s), {int((hot < 0).sum())} cold "
        "spot(s) at 90 % or more",
        highlight=False,
    )
    print_validation(validation)
    print_notes_and_outputs(study.notes, out, outputs)


@app.command()
@friendly
def drivers(
    x: Annotated[
        list[str] | None,
        typer.Option(
            "--x",
            help="Driver: an expression over the variables of --data or of the bundled panel, "
            "e.g. 'log(gdp)' or 'gov=100 * budget_total / gdp' (repeat for several; default for "
            "the bundled data: ln GDP, budget / GDP and the agriculture share of the budget). See "
            "`nqpf datasets`.",
        ),
    ] = None,
    y: Annotated[
        str, typer.Option("--y", help="Dependent value: 'score' or a dimension of the index.")
    ] = "score",
    model: Annotated[
        Literal["sdm", "sar", "sem", "sdem"], typer.Option(help="Spatial panel model.")
    ] = "sdm",
    effects: Annotated[
        Literal["twoway", "region", "time"], typer.Option(help="Fixed effects.")
    ] = "twoway",
    weights: Annotated[str, typer.Option(help=_WEIGHTS_HELP)] = "queen",
    draws: Annotated[
        int, typer.Option(min=2, help="Parameter draws for the standard errors of the effects.")
    ] = 1000,
    gwr_year: Annotated[
        int | None, typer.Option(help="Year of the GWR cross-section (default: latest).")
    ] = None,
    geodetector_scope: Annotated[
        Literal["pooled", "map_year"],
        typer.Option(help="Geographical detector on all region-years or the map year."),
    ] = "pooled",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
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
    """Spatial panel model with effects, geographical detector, GWR → CSVs + drivers.html."""
    from nqpf.errors import DataValidationError
    from nqpf.index import compute_index
    from nqpf.report import stars
    from nqpf.studies import drivers_study

    with progress_bar() as bar:
        task = bar.add_task("Composite index 综合指数", total=4)
        panel, source = load_source(
            data,
            **read_options(locals()),
        )
        if data is not None and not x:
            raise DataValidationError(
                "nqpf drivers --data needs the drivers: give --x with expressions over the "
                f"indicators of your table ({', '.join(panel.indicators[:8])}"
                f"{' …' if len(panel.indicators) > 8 else ''}); the default drivers are "
                "variables of the bundled data"
            )
        result = compute_index(panel, system)
        bar.advance(task)
        bar.update(task, description="Drivers 影响因素")
        study = drivers_study(
            panel,
            result,
            x=x or None,
            model=model,
            effects=effects,
            w=weights,
            gwr_year=gwr_year,
            seed=seed,
            y=y,
            draws=draws,
            geodetector_scope=geodetector_scope,
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "drivers.html")

    fit = study.spatial
    param = fit.spatial_parameter
    console.print(
        f"{fit.model.upper()} ({fit.fixed_effects} FE), y = {y}, {fit.n_regions} regions × "
        f"{fit.n_periods} years: {param} = {fit.params[param]:.4f}"
        f"{stars(float(fit.p_values[param]))} (p = {fit.p_values[param]:.4f}), "
        f"log-L = {fit.log_likelihood:.2f}",
        highlight=False,
    )
    for term, row in fit.effects.iterrows():
        console.print(
            f"  {term}: direct {row['direct']:.4f}{stars(row['direct_p_value'])}, indirect "
            f"{row['indirect']:.4f}{stars(row['indirect_p_value'])}, total "
            f"{row['total']:.4f}{stars(row['total_p_value'])}",
            highlight=False,
        )
    q = study.geodetector.q.sort_values(ascending=False)
    console.print(
        f"Geographical detector ({study.geodetector_scope}, n = {study.geodetector_n}): "
        + ", ".join(f"{k} q = {v:.3f}" for k, v in q.items()),
        highlight=False,
    )
    console.print(
        f"GWR {study.gwr_year}: bandwidth {study.gwr.bandwidth.iloc[0]:g}, "
        f"R² = {study.gwr.diagnostics['r2']:.3f}, AICc = {study.gwr.diagnostics['aicc']:.2f}",
        highlight=False,
    )
    print_validation(result.report)
    print_notes_and_outputs(study.notes, out, outputs)
