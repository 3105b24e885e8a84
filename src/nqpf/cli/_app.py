"""Shared pieces of the ``nqpf`` command line: the app, the console, error handling, progress."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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
