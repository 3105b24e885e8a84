"""Inter-regional flows and networks: ``nqpf network study``, ``nqpf network od``, ``gravity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

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
    console,
    friendly,
    parse_aliases,
    print_notes_and_outputs,
    print_validation,
    progress_bar,
    read_options,
    study_frame,
    write_study,
    write_tables,
)
from nqpf.cli.network_app import network_app

BetaOption = Annotated[
    float | None,
    typer.Option(min=0.0, help="Distance decay β of exp(−β·km), per km (default: calibrated)."),
]
TargetOption = Annotated[
    float | None,
    typer.Option(
        min=0.0, help="Calibrate β so that the mean distance of the flows is this many km."
    ),
]
RegionOption = Annotated[
    str, typer.Option(metavar="COLUMN", help="Region column (names or GB/T 2260 codes).")
]


def _region_codes(
    cells: Any, level: str, alias: list[str] | None, where: str, column: str | None
) -> list[int]:
    """Registry codes of region names in a column (``None``: the header row of a matrix).

    An unknown name is reported with its row (or its position in the header).
    """
    from nqpf.errors import UnknownRegionError
    from nqpf.regions import normalize

    names = [str(c).strip() for c in cells]
    try:
        return normalize(names, level, aliases=parse_aliases(alias))  # type: ignore[arg-type]
    except UnknownRegionError as exc:
        if str(exc.value) in names:
            k = names.index(str(exc.value)) + 1
            place = f"row {k}, column {column!r}" if column else f"header, column {k + 1}"
            exc.where = f"{where} {place}"
        raise


def _read(path: Path, sheet: str | None, columns: list[str]) -> Any:
    """A user table (text cells) with the ``columns`` checked, naming what is missing."""
    from nqpf.errors import DataValidationError
    from nqpf.panel import read_table

    position = int(sheet) - 1 if sheet is not None and sheet.isdigit() else sheet
    table = read_table(path, sheet=position)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataValidationError(
            f"{path.name}: column(s) {missing} not found; the table has {list(table.columns)}"
        )
    return table


def _numbers(table: Any, column: str, decimal: str, source: str) -> Any:
    from nqpf.panel import parse_numbers

    return parse_numbers(
        table[column], decimal=decimal, what=column, where=lambda i: f"{source} row {i}"
    )


@network_app.command("study")
@friendly(group="network")
def study(
    year: Annotated[
        int | None,
        typer.Option(help="Year of the network (a technology-market year; default: latest)."),
    ] = None,
    beta: BetaOption = None,
    target_mean_cost: TargetOption = None,
    flows: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Your own O–D table (CSV/XLSX with origin, destination, flow columns): "
            "analysed instead of the estimated technology flows.",
        ),
    ] = None,
    replicates: Annotated[
        int, typer.Option(min=1, help="Replicates of the random attack (resilience).")
    ] = 50,
    permutations: Annotated[
        int, typer.Option(min=9, help="Permutations of the QAP correlations and MRQAP.")
    ] = 2000,
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
    """Estimated technology flows, network structure, gravity linkages → CSVs + network.html."""
    import pandas as pd

    from nqpf.studies.network import network_study as run

    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=10)
        frame, value, source, validation = study_frame(
            bar, task, "score", system, data, **read_options(locals())
        )
        if isinstance(frame, pd.DataFrame) and value != "score":
            frame = frame.rename(columns={value: "score"})
        bar.advance(task)
        od = None
        if flows is not None:
            table = _read(flows, None, ["origin", "destination", "flow"])
            od = pd.DataFrame(
                {
                    "origin": _region_codes(table.origin, level, alias, flows.name, "origin"),
                    "destination": _region_codes(
                        table.destination, level, alias, flows.name, "destination"
                    ),
                    "flow": _numbers(table, "flow", decimal, flows.name).to_numpy(),
                }
            )
        bar.update(task, description="Networks 网络分析")

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=1 + done)

        study = run(
            frame,
            year=year,
            beta=beta,
            target_mean_cost=target_mean_cost,
            flows=od,
            seed=seed,
            resilience_replicates=replicates,
            qap_permutations=permutations,
            progress=progress,
        )
        bar.update(task, completed=8)
        outputs = write_study(bar, task, out, study, "network.html")

    console.print(f"{source}: {len(study.estimates)} year(s) of estimated flows", highlight=False)
    if study.metrics is not None:
        top = study.centrality().nlargest(3, "strength")["name"]
        console.print(
            f"network {study.year or ''}: {study.network.n} regions; highest strength: "  # type: ignore[union-attr]
            + ", ".join(top),
            highlight=False,
        )
    for row in study.robustness().itertuples(index=False):
        console.print(f"robustness R ({row.strategy}) = {row.robustness:.3f}", highlight=False)
    if study.mrqap is not None:
        slopes = study.mrqap.coefficients.iloc[1:]
        significant = [
            f"{r.term} ({'+' if r.coefficient > 0 else '−'}, p = {r.p_two_sided:.3f})"
            for r in slopes.itertuples(index=False)
            if r.p_two_sided < 0.05
        ]
        console.print(
            f"MRQAP R² = {study.mrqap.r_squared:.3f} ({study.mrqap.permutations} permutations); "
            f"significant at 5 % (two-sided): {', '.join(significant) or 'none'}",
            highlight=False,
        )
    print_validation(validation)
    print_notes_and_outputs(study.notes, out, outputs)


@network_app.command("od")
@friendly(group="network")
def od(
    data: Annotated[
        Path,
        typer.Option(metavar="FILE", help="Margins: one row per region (CSV/XLSX)."),
    ],
    origin_col: Annotated[
        str, typer.Option(metavar="COLUMN", help="Origin margin O_i (e.g. outflow).")
    ],
    destination_col: Annotated[
        str, typer.Option(metavar="COLUMN", help="Destination margin D_j (e.g. inflow).")
    ],
    region: RegionOption = "region",
    cost: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Square cost matrix (CSV, first column and header: regions); default: "
            "great-circle km between seats, internal distance on the diagonal.",
        ),
    ] = None,
    beta: BetaOption = None,
    target_mean_cost: TargetOption = None,
    deterrence: Annotated[
        Literal["exp", "power"], typer.Option(help="Deterrence exp(−βc) or c^(−β).")
    ] = "exp",
    rescale: Annotated[
        Literal["origins", "destinations"] | None,
        typer.Option(help="Scale one margin to the other's total when the totals differ."),
    ] = None,
    self_flows: Annotated[
        Literal["exclude", "include"], typer.Option(help="Model flows within a region.")
    ] = "exclude",
    sheet: SheetOption = None,
    level: LevelOption = "province",
    alias: AliasOption = None,
    decimal: DecimalOption = ".",
    out: OutOption = Path("out"),
) -> None:
    """Estimate an O–D matrix from its margins (doubly constrained model) → CSVs."""
    import pandas as pd

    from nqpf.errors import DataValidationError
    from nqpf.network.interaction import doubly_constrained

    if beta is None and target_mean_cost is None:
        raise typer.BadParameter("give --beta or --target-mean-cost")
    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=3)
        table = _read(data, sheet, [region, origin_col, destination_col])
        codes = _region_codes(table[region], level, alias, data.name, region)
        origins = pd.Series(_numbers(table, origin_col, decimal, data.name).to_numpy(), codes)
        destinations = pd.Series(
            _numbers(table, destination_col, decimal, data.name).to_numpy(), codes
        )
        if cost is None:
            from nqpf.geo.geography import distance_matrix

            costs = distance_matrix(codes)
        else:
            matrix = _read(cost, None, [])
            labels = _region_codes(
                matrix.iloc[:, 0], level, alias, cost.name, str(matrix.columns[0])
            )
            columns = _region_codes(matrix.columns[1:], level, alias, cost.name, None)
            values = {
                c: _numbers(matrix, name, decimal, cost.name).to_numpy()
                for c, name in zip(columns, matrix.columns[1:], strict=True)
            }
            costs = pd.DataFrame(values, index=labels)
            if set(costs.index) != set(codes) or set(costs.columns) != set(codes):
                raise DataValidationError(
                    f"{cost.name}: the cost matrix must have the regions of {data.name} as rows "
                    "and columns"
                )
            costs = costs.loc[codes, codes]
        bar.advance(task)
        bar.update(task, description="Balancing 平衡迭代")
        est = doubly_constrained(
            origins,
            destinations,
            costs,
            beta,
            deterrence=deterrence,
            target_mean_cost=target_mean_cost,
            self_flows=self_flows,
            rescale=rescale,
        )
        bar.advance(task)
        flows = est.to_frame().rename(columns={"flow": "estimated_flow"})
        outputs = write_tables(out, {"estimated_flows.csv": flows, "balancing.csv": est.balancing})
        bar.advance(task)
    console.print(
        f"{data}: {len(codes)} regions; β = {est.beta:.6g} ({deterrence}), mean cost "
        f"{est.mean_cost:.4g}, {est.iterations} iterations, margin error {est.margin_error:.2e}",
        highlight=False,
    )
    print_notes_and_outputs(est.notes, out, outputs)


@network_app.command("gravity")
@friendly(group="network")
def gravity(
    data: Annotated[Path, typer.Option(metavar="FILE", help="One row per region (CSV/XLSX).")],
    mass: Annotated[str, typer.Option(metavar="COLUMN", help="Mass P (e.g. population).")],
    size: Annotated[
        str, typer.Option(metavar="COLUMN", help="Size G (e.g. GDP or the NQPF score).")
    ],
    per_capita: Annotated[
        str | None,
        typer.Option(
            metavar="COLUMN",
            help="Per-capita g for the economic distance D/|g_i − g_j| (default: geographic "
            "distance only).",
        ),
    ] = None,
    region: RegionOption = "region",
    sheet: SheetOption = None,
    level: LevelOption = "province",
    alias: AliasOption = None,
    decimal: DecimalOption = ".",
    out: OutOption = Path("out"),
) -> None:
    """Modified gravity linkages, totals and linkage shares (隶属度) → CSVs."""
    import pandas as pd

    from nqpf.network.gravity import gravity_linkage

    columns = [mass, size, *([per_capita] if per_capita else [])]
    with progress_bar() as bar:
        task = bar.add_task("Reading data 读取数据", total=2)
        table = _read(data, sheet, [region, *columns])
        codes = _region_codes(table[region], level, alias, data.name, region)
        masses = pd.DataFrame(
            {c: _numbers(table, c, decimal, data.name).to_numpy() for c in dict.fromkeys(columns)},
            index=pd.Index(codes),
        )
        bar.advance(task)
        bar.update(task, description="Gravity 引力模型")
        result = gravity_linkage(masses, mass=mass, size=size, per_capita=per_capita)
        linkage = result.linkage.rename_axis(index="origin")
        files: dict[str, Any] = {
            "gravity_totals.csv": result.totals,
            "gravity_linkage.csv": linkage.reset_index(),
        }
        if len(result.undefined):
            files["gravity_undefined.csv"] = result.undefined
        outputs = write_tables(out, files)
        bar.advance(task)
    top = result.totals.nlargest(3, "share")
    console.print(
        f"{data}: {len(codes)} regions; largest linkage shares: "
        + ", ".join(f"{r.region} {r.share:.3f}" for r in top.itertuples(index=False)),
        highlight=False,
    )
    print_notes_and_outputs(result.notes, out, outputs)
