"""Shared pieces of the ``nqpf`` command line: the app, the console, error handling, progress."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nqpf.errors import NqpfError

app = typer.Typer(
    help="nqpf: measure and explain new quality productive forces (新质生产力).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

# Options shared by several commands (same flag, same help everywhere).
OutOption = Annotated[Path, typer.Option(help="Output folder.")]
AliasOption = Annotated[list[str] | None, typer.Option(help="Extra spelling, NAME=REGION.")]
RegionColOption = Annotated[str, typer.Option(help="Region column of --data.")]
YearColOption = Annotated[str, typer.Option(help="Year column of --data.")]
SystemOption = Annotated[
    str, typer.Option(help="Index system for the bundled data (name or YAML file).")
]
ValueOption = Annotated[
    str,
    typer.Option(
        help="Value: the index score ('score' or a dimension such as 'labourers'), or a column "
        "of --data."
    ),
]


def friendly(func: F) -> F:
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


def parse_aliases(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--alias takes NAME=REGION, got {pair!r}")
        out[key] = value
    return out


def load_panel(data: Path | None, level: str, aliases: dict[str, str]) -> Any:
    from nqpf.data import load_province_panel
    from nqpf.panel import Panel as DataPanel

    if data is None:
        return load_province_panel()
    return DataPanel.from_file(data, level=level, aliases=aliases)  # type: ignore[arg-type]


def user_frame(
    path: Path, region_col: str, year_col: str, level: str, aliases: dict[str, str]
) -> Any:
    """The user's table with a ``region_code`` column of normalised region codes."""
    from nqpf.errors import DataValidationError
    from nqpf.panel import read_table
    from nqpf.regions import normalize

    frame = read_table(path)
    missing = [c for c in (region_col, year_col) if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{path}: column(s) {missing} not found (set --region-col / --year-col); the table "
            f"has {list(frame.columns)}"
        )
    frame = frame.copy()
    frame["region_code"] = normalize(
        frame[region_col].tolist(),
        level=level,  # type: ignore[arg-type]
        aliases=aliases,
        where=str(path),
    )
    return frame


def index_or_table(
    bar: Progress,
    task: Any,
    data: Path | None,
    system: str,
    region_col: str,
    year_col: str,
    level: str,
    alias: list[str] | None,
) -> tuple[Any, str]:
    """The composite index of the bundled data (``data`` is None) or the user's table.

    Returns the index result or the table with ``region_code``, and a description of the source
    for the summary line.
    """
    if data is None:
        from nqpf.data import load_province_panel
        from nqpf.index import compute_index

        bar.update(task, description="Composite index 综合指数")
        return compute_index(load_province_panel(), system), (
            f"index system {system} on the bundled data"
        )
    return user_frame(data, region_col, year_col, level, parse_aliases(alias)), str(data)


def write_tables(out: Path, tables: Mapping[str, Any]) -> None:
    """Write each frame to ``out / name`` as CSV in UTF-8 with a BOM (so Excel reads Chinese)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(out / name, index=False, encoding="utf-8-sig")


def write_study(bar: Progress, task: Any, out: Path, study: Any, html: str) -> list[str]:
    """The last two steps of a study command: the tables as CSV, then the study's page.

    Every table of ``study.tables()`` becomes ``NAME.csv``; returns the files written, in order.
    """
    from nqpf.report.pages import write_study_page

    bar.update(task, description="Writing tables 写出表格")
    tables = {f"{name}.csv": table for name, table in study.tables().items()}
    write_tables(out, tables)
    bar.advance(task)
    bar.update(task, description="Writing report 生成报告")
    write_study_page(study, out / html)
    bar.advance(task)
    return [*tables, html]


def print_notes_and_outputs(notes: Iterable[str], out: Path, outputs: Iterable[str]) -> None:
    """The study's notes in yellow, then the list of files written."""
    for note in notes:
        console.print(f"[yellow]note[/]: {note}", highlight=False)
    console.print(f"[green]wrote[/] {out}/" + ", ".join(outputs))
