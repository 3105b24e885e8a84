"""What-if scenarios: ``nqpf scenario``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from nqpf.cli._app import (
    AggregationOption,
    AliasOption,
    DataOption,
    DecimalOption,
    InterpolateOption,
    LevelOption,
    OutOption,
    RegionColOption,
    SheetOption,
    SystemOption,
    WeightingOption,
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
def scenario(
    change: Annotated[
        list[str],
        typer.Option(
            "--change",
            metavar="SPEC",
            help="INDICATOR*FACTOR, INDICATOR+DELTA, INDICATOR-10%, INDICATOR=VALUE, then "
            "optionally @REGIONS (macro-region, agglomeration, provinces or cities, separated by "
            "',' or '|') and :YEARS (2023, 2018-2020); repeat for several changes. Example: "
            "'rd_intensity*1.1@中部'.",
        ),
    ],
    hold: Annotated[
        Literal["weights", "none"],
        typer.Option(
            help="weights: keep the baseline's normalisation bounds and weights, so only the "
            "changed values move; none: recompute both on the changed data."
        ),
    ] = "weights",
    runs: Annotated[
        int, typer.Option(min=0, help="Monte Carlo runs for the rank intervals of each index.")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (shared by both indices).")] = 0,
    weighting: WeightingOption = "entropy",
    aggregation: AggregationOption = "linear",
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
    """Baseline vs scenario: scores, ranks and their intervals, disparity → CSVs + scenario.html."""
    from nqpf.studies import parse_change, scenario_study

    changes = [parse_change(spec) for spec in change]
    with progress_bar() as bar:
        task = bar.add_task("情景分析 Scenario analysis", total=3)
        runs_task = bar.add_task("Monte Carlo runs 蒙特卡洛", total=max(2 * runs, 1))
        panel, source = load_source(data, **read_options(locals()))
        study = scenario_study(
            panel,
            system,
            changes,
            runs=runs,
            seed=seed,
            hold=hold,
            weighting=weighting,
            aggregation=aggregation,
            progress=lambda done, _total: bar.update(runs_task, completed=done),
        )
        bar.advance(task)
        outputs = write_study(bar, task, out, study, "scenario.html")

    scores = study.scores()
    latest = study.years[-1]
    current = scores[scores["year"] == latest]
    gini = study.disparity().query("measure == 'gini' and year == @latest").iloc[0]
    console.print(
        f"{source}: {'; '.join(c.describe() for c in study.changes)}; hold={hold}; "
        f"{len(study.changed)} region-years changed",
        highlight=False,
    )
    console.print(
        f"{latest}: mean Δscore {current['delta_score'].mean():+.4g}, "
        f"{int((current['delta_rank'] != 0).sum())} regions change rank; "
        f"Gini {gini['baseline']:.4f} → {gini['scenario']:.4f}",
        highlight=False,
    )
    print_validation(study.baseline.report)
    print_notes_and_outputs(study.notes, out, outputs)
