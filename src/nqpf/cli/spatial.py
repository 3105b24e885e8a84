"""Spatial structure and drivers: ``nqpf spatial`` and ``nqpf drivers``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._app import (
    AliasOption,
    OutOption,
    RegionColOption,
    SystemOption,
    ValueOption,
    YearColOption,
    app,
    console,
    friendly,
    index_or_table,
    print_notes_and_outputs,
    progress_bar,
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
        int, typer.Option(help="Permutations of Moran's I, LISA and Gi*.")
    ] = 999,
    seed: Annotated[int, typer.Option(help="Random seed of the permutations.")] = 0,
    year: Annotated[
        int | None, typer.Option(help="Year of the LISA and hot-spot maps (default: latest).")
    ] = None,
    alternative: Annotated[
        str,
        typer.Option(
            help="Permutation p-values: two-sided (default) or directed (GeoDa's one-sided "
            "pseudo p)."
        ),
    ] = "two-sided",
    data: Annotated[
        Path | None,
        typer.Option(
            help="User CSV/XLSX, one row per province and year (default: the index of the "
            "bundled data)."
        ),
    ] = None,
    region_col: RegionColOption = "region",
    year_col: YearColOption = "year",
    alias: AliasOption = None,
    system: SystemOption = "nqpf-province",
    out: OutOption = Path("out"),
) -> None:
    """Moran's I by year, LISA clusters, Gi* hot spots → CSVs + spatial.html."""
    from nqpf.studies import spatial_study

    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=4)
        frame, source = index_or_table(
            bar, task, data, system, region_col, year_col, "province", alias
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
            alternative=alternative,  # type: ignore[arg-type]
            region_col="region_code",
            year_col="year" if data is None else year_col,
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
    print_notes_and_outputs(study.notes, out, outputs)


@app.command()
@friendly
def drivers(
    x: Annotated[
        list[str] | None,
        typer.Option(
            "--x",
            help="Driver: an expression over the bundled panel's variables, e.g. 'log(gdp)' or "
            "'gov=100 * budget_total / gdp' (repeat for several; default: ln GDP, budget / GDP "
            "and the agriculture share of the budget). See `nqpf datasets`.",
        ),
    ] = None,
    y: Annotated[
        str, typer.Option("--y", help="Dependent value: 'score' or a dimension of the index.")
    ] = "score",
    model: Annotated[str, typer.Option(help="sdm, sar, sem or sdem.")] = "sdm",
    effects: Annotated[str, typer.Option(help="twoway, region or time fixed effects.")] = (
        "twoway"
    ),
    weights: Annotated[str, typer.Option(help=_WEIGHTS_HELP)] = "queen",
    draws: Annotated[
        int, typer.Option(help="Parameter draws for the standard errors of the effects.")
    ] = 1000,
    gwr_year: Annotated[
        int | None, typer.Option(help="Year of the GWR cross-section (default: latest).")
    ] = None,
    geodetector_scope: Annotated[
        str,
        typer.Option(help="Geographical detector on 'pooled' region-years or the 'map_year'."),
    ] = "pooled",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    system: SystemOption = "nqpf-province",
    out: OutOption = Path("out"),
) -> None:
    """Spatial panel model with effects, geographical detector, GWR → CSVs + drivers.html."""
    from nqpf.data import load_province_panel
    from nqpf.index import compute_index
    from nqpf.report import stars
    from nqpf.studies import drivers_study

    with progress_bar() as bar:
        task = bar.add_task("Composite index 综合指数", total=4)
        panel = load_province_panel()
        result = compute_index(panel, system)
        bar.advance(task)
        bar.update(task, description="Drivers 影响因素")
        study = drivers_study(
            panel,
            result,
            x=x or None,
            model=model,  # type: ignore[arg-type]
            effects=effects,  # type: ignore[arg-type]
            w=weights,
            gwr_year=gwr_year,
            seed=seed,
            y=y,
            draws=draws,
            geodetector_scope=geodetector_scope,  # type: ignore[arg-type]
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
    print_notes_and_outputs(study.notes, out, outputs)
