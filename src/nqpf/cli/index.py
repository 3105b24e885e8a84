"""Composite-index commands: ``nqpf index`` and the main job ``nqpf report``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._app import (
    AliasOption,
    OutOption,
    app,
    console,
    friendly,
    load_panel,
    parse_aliases,
    progress_bar,
    write_tables,
)


@app.command()
@friendly
def index(
    system: Annotated[
        str, typer.Option(help="Built-in system name or YAML file.")
    ] = "nqpf-province",
    weighting: Annotated[
        str, typer.Option(help="entropy, critic, cv, equal, pca, entropy-critic")
    ] = ("entropy"),
    aggregation: Annotated[str, typer.Option(help="linear, geometric or topsis")] = "linear",
    normalization: Annotated[str, typer.Option(help="minmax, minmax_group, zscore, vector")] = (
        "minmax"
    ),
    data: Annotated[
        Path | None, typer.Option(help="User CSV/XLSX (default: bundled data).")
    ] = None,
    level: Annotated[str, typer.Option(help="province or city (user data)")] = "province",
    alias: AliasOption = None,
    out: OutOption = Path("out"),
) -> None:
    """Compute a composite index; write its tables (scores.csv, weights.csv, …), validation.md."""
    from nqpf.studies import index_study

    with console.status("Computing the index 计算综合指数…"):
        panel = load_panel(data, level, parse_aliases(alias))
        study = index_study(
            panel,
            system,
            weighting=weighting,
            aggregation=aggregation,
            normalization=normalization,
            runs=0,
        )
    tables = {f"{name}.csv": table for name, table in study.tables().items()}
    write_tables(out, tables)
    (out / "validation.md").write_text(study.index.report.to_markdown(10_000), encoding="utf-8")
    console.print(str(study.index.summary()), highlight=False)
    console.print(f"[green]wrote[/] {out}/" + ", ".join([*tables, "validation.md"]))


@app.command()
@friendly
def report(
    out: OutOption = Path("out"),
    system: Annotated[
        str, typer.Option(help="Built-in system name or YAML file.")
    ] = "nqpf-province",
    weighting: Annotated[str, typer.Option(help="Weighting scheme.")] = "entropy",
    aggregation: Annotated[str, typer.Option(help="Aggregation.")] = "linear",
    runs: Annotated[int, typer.Option(help="Monte Carlo runs for rank uncertainty.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """The main job: the full study on the bundled real data → report.html, tables.xlsx."""
    from nqpf.report.build import build_report

    with progress_bar() as bar:
        paths = build_report(
            out,
            system=system,
            weighting=weighting,
            aggregation=aggregation,
            runs=runs,
            seed=seed,
            progress=bar,
        )
    for path in paths:
        console.print(f"[green]wrote[/] {path}")
