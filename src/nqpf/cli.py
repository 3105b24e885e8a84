"""The ``nqpf`` command line: datasets, validate, index, report.

Every command prints errors as one clear line (the region, indicator or year at fault) and exits
with status 2 instead of a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nqpf.errors import NqpfError

app = typer.Typer(
    help="nqpf: measure and explain new quality productive forces (新质生产力).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn nqpf errors into one red line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (NqpfError, FileNotFoundError) as exc:
            console.print(f"[bold red]error[/]: {type(exc).__name__}: {exc}")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def progress_bar() -> Progress:
    """A rich progress bar used by long-running commands."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _aliases(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--alias takes NAME=REGION, got {pair!r}")
        out[key] = value
    return out


def _load_panel(data: Path | None, level: str, aliases: dict[str, str]) -> Any:
    from nqpf.data import load_province_panel
    from nqpf.panel import Panel as DataPanel

    if data is None:
        return load_province_panel()
    return DataPanel.from_file(data, level=level, aliases=aliases)  # type: ignore[arg-type]


@app.command()
@_friendly
def datasets() -> None:
    """List the bundled real datasets with years, sources, licences and caveats."""
    from nqpf.data import catalog

    frame = catalog()
    for row in frame.itertuples(index=False):
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for field in ("title", "level", "years", "units", "source", "licence", "caveats", "loader"):
            table.add_row(field, str(getattr(row, field)))
        console.print(Panel(table, title=f"[bold cyan]{row.name}", title_align="left"))


@app.command()
@_friendly
def validate(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX table, long or wide layout.")],
    level: Annotated[str, typer.Option(help="province or city")] = "province",
    alias: Annotated[list[str] | None, typer.Option(help="Extra spelling, NAME=REGION.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write validation.md here.")] = None,
) -> None:
    """Read a user table, check it and list every problem and repair."""
    from nqpf.panel import Panel as DataPanel

    panel = DataPanel.from_file(file, level=level, aliases=_aliases(alias))  # type: ignore[arg-type]
    report = panel.report
    report.extend(panel.validate())
    years = panel.years
    span = f"year {years[0]}" if len(years) == 1 else f"{len(years)} years ({years[0]}–{years[-1]})"
    console.print(
        f"{file}: {len(panel.regions)} regions, {span}, {len(panel.indicators)} indicators"
    )
    console.print(report.to_markdown(max_rows=50))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "validation.md").write_text(report.to_markdown(max_rows=10_000), encoding="utf-8")


@app.command()
@_friendly
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
    alias: Annotated[list[str] | None, typer.Option(help="Extra spelling, NAME=REGION.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
) -> None:
    """Compute a composite index; write scores.csv, weights.csv, obstacles.csv, validation.md."""
    from nqpf.index import compute_index

    with console.status("Computing the index 计算综合指数…"):
        panel = _load_panel(data, level, _aliases(alias))
        result = compute_index(
            panel, system, weighting=weighting, aggregation=aggregation, normalization=normalization
        )
    out.mkdir(parents=True, exist_ok=True)
    result.table().to_csv(out / "scores.csv", index=False, encoding="utf-8-sig")
    result.indicator_weights.to_csv(out / "weights.csv", index=False, encoding="utf-8-sig")
    result.obstacles.to_csv(out / "obstacles.csv", index=False, encoding="utf-8-sig")
    (out / "validation.md").write_text(result.report.to_markdown(10_000), encoding="utf-8")
    console.print(str(result.summary()), highlight=False)
    console.print(f"[green]wrote[/] {out}/scores.csv, weights.csv, obstacles.csv, validation.md")


@app.command()
@_friendly
def report(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
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


if __name__ == "__main__":  # pragma: no cover
    app()
