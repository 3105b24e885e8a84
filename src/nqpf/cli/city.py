"""The city scale on the bundled data: ``nqpf city``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._app import (
    OutOption,
    app,
    console,
    friendly,
    print_notes_and_outputs,
    progress_bar,
    write_study,
)


@app.command()
@friendly
def city(
    year: Annotated[
        int | None,
        typer.Option(help="Year to index (default: every year with all city indicators)."),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option(
            min=0, help="Monte Carlo runs for the rank intervals (default: the study's, 200)."
        ),
    ] = None,
    system: Annotated[
        str,
        typer.Option(metavar="NAME|FILE", help="City index system: built-in name or YAML file."),
    ] = "nqpf-city",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: OutOption = Path("out"),
) -> None:
    """City NQPF index of the bundled city data → CSVs and city.html (map, rank intervals)."""
    from nqpf.data import load_city_panel
    from nqpf.studies import city_study
    from nqpf.studies.city import CITY_RUNS

    runs = CITY_RUNS if runs is None else runs
    with progress_bar() as bar:
        task = bar.add_task("Loading city data 读取城市数据", total=4)
        panel = load_city_panel()
        bar.advance(task)
        runs_task = bar.add_task("Monte Carlo runs", total=runs) if runs else None

        def progress(done: int, total: int) -> None:
            bar.update(runs_task, completed=done, total=total)  # type: ignore[arg-type]

        bar.update(task, description="City index 城市新质生产力指数")
        study = city_study(
            panel, system, year=year, runs=runs, seed=seed, progress=progress if runs else None
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "city.html")

    scores = study.index.scores
    current = scores[scores["year"] == study.year].sort_values("rank")
    top = ", ".join(study.scores().query("year == @study.year")["city"].head(5))
    console.print(
        f"{study.index.system_name}: {len(current)} cities, {study.year}; top 5: {top}; "
        f"Moran's I {study.moran.statistic:.4f}",
        highlight=False,
    )
    print_notes_and_outputs(study.notes, out, outputs)
