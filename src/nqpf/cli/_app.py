"""Shared pieces of the ``nqpf`` command line: the app, the console, options, errors, progress."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

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
_STATE = {"debug": False}
# The running command and its resolved options, for the manifest (set by ``friendly``).
#: The running command: its words (``["network", "records"]``), its parameters, and which of
#: them are positional arguments.
_RUNNING: ContextVar[tuple[list[str], dict[str, Any], set[str]] | None] = ContextVar(
    "nqpf_running", default=None
)

# Fixed choices (checked against the library's own lists in tests/test_cli_options.py).
Weighting = Literal["entropy", "critic", "cv", "equal", "pca", "entropy-critic"]
Aggregation = Literal["linear", "geometric", "topsis"]
Normalization = Literal["minmax", "minmax_group", "zscore", "vector"]
Level = Literal["province", "city"]
Interpolation = Literal["none", "linear"]

# Options shared by several commands (same flag, same help everywhere).
OutOption = Annotated[Path, typer.Option(metavar="DIR", help="Output folder.")]
AliasOption = Annotated[
    list[str] | None,
    typer.Option(metavar="NAME=REGION", help="Extra spelling of a region (repeatable)."),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Your own table: CSV (UTF-8 or GB18030) or XLSX, long or wide, Chinese or English "
        "headers (default: the bundled data). Try `nqpf example`.",
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        metavar="SHEET", help="Sheet of an XLSX --data: name or position (default: first)."
    ),
]
LevelOption = Annotated[Level, typer.Option(help="Regions of --data.")]
RegionColOption = Annotated[
    str | None,
    typer.Option(
        metavar="COLUMN",
        help="Region column of --data (default: recognised, e.g. 地区, 省份, region).",
    ),
]
YearColOption = Annotated[
    str | None,
    typer.Option(
        metavar="COLUMN", help="Year column of --data (default: recognised, e.g. 年份, year)."
    ),
]
SystemOption = Annotated[
    str,
    typer.Option(metavar="NAME|FILE", help="Index system: a built-in name or your YAML file."),
]
WeightingOption = Annotated[Weighting, typer.Option(help="Indicator weights.")]
AggregationOption = Annotated[Aggregation, typer.Option(help="Aggregation of the indicators.")]
NormalizationOption = Annotated[Normalization, typer.Option(help="Normalisation.")]
InterpolateOption = Annotated[
    Interpolation,
    typer.Option(
        help="Fill interior gaps of --data (linear in time within each region; every filled cell "
        "is listed in validation.md) or leave them (none: incomplete region-years are dropped "
        "and listed)."
    ),
]
DecimalOption = Annotated[
    Literal[".", ","],
    typer.Option(
        help="Decimal mark of --data: '.' (thousands may be separated by ',') or ',' (European: "
        "1.234,5). Ambiguous cells such as 1,23 are errors, never guessed.",
    ),
]
ValueOption = Annotated[
    str,
    typer.Option(
        metavar="VALUE",
        help="Value: the index score ('score' or a dimension such as 'labourers'), or an "
        "indicator of --data (its header, with or without the unit).",
    ),
]


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
) -> None:
    """nqpf: measure and explain new quality productive forces (新质生产力)."""
    _STATE["debug"] = debug


def main() -> None:
    """The ``nqpf`` command: usage errors are one red line with exit status 2, like data errors."""
    try:
        status = app(standalone_mode=False)
    except typer.Abort:
        console.print("[bold red]aborted[/]")
        raise SystemExit(1) from None
    except typer.exceptions.TyperException as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        console.print(f"[bold red]error[/]: {message}", highlight=False)
        raise SystemExit(2) from None
    if status == 130:  # Ctrl-C: typer ends the command with status 130 and says nothing
        console.print(
            "[bold red]中断 interrupted[/]: an output folder is only replaced by a complete run",
            highlight=False,
        )
    raise SystemExit(status if isinstance(status, int) else 0)


def _file_error(exc: OSError) -> str:
    """An OS error as one line naming the path: ``PermissionError: Permission denied: out``."""
    if exc.filename is None:
        return str(exc)
    paths = " → ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    return f"{exc.strerror or 'cannot use'}: {paths}"


def friendly(func: F | None = None, *, group: str = "") -> Any:
    """Turn nqpf errors and file-system errors into one red line and exit status 2.

    ``@friendly`` for a top-level command, ``@friendly(group="network")`` for a command of a
    group, so that ``manifest.json`` records the command as it was typed.
    """
    if func is None:
        return functools.partial(friendly, group=group)
    words = [*group.split(), func.__name__.replace("_", "-")]
    arguments = _arguments_of(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        running = _RUNNING.set((words, kwargs, arguments))
        try:
            return func(*args, **kwargs)
        except (NqpfError, OSError) as exc:
            if _STATE["debug"]:
                raise
            message = _file_error(exc) if isinstance(exc, OSError) else str(exc)
            console.print(f"[bold red]error[/]: {type(exc).__name__}: {message}", highlight=False)
            raise typer.Exit(2) from None
        finally:
            _RUNNING.reset(running)

    return wrapper


def _arguments_of(func: Callable[..., Any]) -> set[str]:
    """Names of a command's positional arguments (``Annotated[..., typer.Argument(...)]``)."""
    import inspect

    from typer.models import ArgumentInfo

    hints = inspect.get_annotations(func, eval_str=True)
    return {
        name
        for name, hint in hints.items()
        if any(isinstance(m, ArgumentInfo) for m in getattr(hint, "__metadata__", ()))
    }


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


#: The reading options every command with --data declares (see :func:`read_options`).
READ_OPTIONS = ("sheet", "level", "alias", "region_col", "year_col", "interpolate", "decimal")


def read_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """The reading options of a command's arguments (its ``locals()``) for :func:`load_source`."""
    return {name: values[name] for name in READ_OPTIONS}


def load_source(
    data: Path | None,
    *,
    sheet: str | None = None,
    level: str = "province",
    alias: list[str] | None = None,
    region_col: str | None = None,
    year_col: str | None = None,
    interpolate: str = "none",
    decimal: str = ".",
    keep: Sequence[str] = (),
) -> tuple[Any, str]:
    """The panel of every command: the bundled data, or the user's table read by the one reader.

    Returns the :class:`~nqpf.panel.Panel` and a description of the source for summary lines.
    The user's table goes through :meth:`~nqpf.panel.Panel.from_file` (header mapping, name
    repairs, all listed in ``panel.report``); ``keep`` names text columns kept apart (a grouping).
    """
    from nqpf.data import load_province_panel
    from nqpf.panel import Panel

    if data is None:
        panel, source = load_province_panel(), "the bundled data"
    else:
        position = int(sheet) - 1 if sheet is not None and sheet.isdigit() else sheet
        panel = Panel.from_file(
            data,
            sheet=position,
            level=level,  # type: ignore[arg-type]
            aliases=parse_aliases(alias),
            region=region_col,
            year=year_col,
            keep=tuple(keep),
            decimal=decimal,
        )
        source = str(data)
    if interpolate == "linear":
        panel = panel.interpolate()
    return panel, source


def study_frame(
    bar: Progress,
    task: Any,
    value: str,
    system: str,
    data: Path | None,
    keep: Sequence[str] = (),
    **read: Any,
) -> tuple[Any, str, str, Any]:
    """What a study command analyses: ``(source, value, description, validation report)``.

    Without ``data`` the source is the composite index of the bundled data (``value`` is
    ``score`` or a dimension). With ``data`` it is a long table of the user's panel: an
    indicator (``value`` as mapped or as the raw header) or, for ``score``/a dimension, the
    index computed with ``system`` on it; the ``keep`` columns (a grouping) come along.
    """
    from nqpf.errors import DataValidationError
    from nqpf.index import compute_index, load_system

    panel, source = load_source(data, keep=keep, **read)
    if data is not None and value != "score":
        try:
            name = panel.indicator_for(value)
        except DataValidationError:
            if value not in set(load_system(system).dimensions):
                raise  # neither an indicator nor a dimension: "did you mean" the indicator
            name = None
        if name is not None:
            frame = panel.evaluate(name).rename(name).reset_index()
            if keep:
                frame = frame.merge(panel.attributes, on=["region_code", "year"], how="left")
            return frame, name, source, panel.report
    bar.update(task, description="Composite index 综合指数")
    result = compute_index(panel, system)
    if data is None:
        return result, value, f"index system {system} on {source}", result.report
    table = result.table()
    column = value if value == "score" else f"score_{value}"
    if keep:
        table = table.merge(panel.attributes, on=["region_code", "year"], how="left")
    return table, column, f"index system {system} on {source}", result.report


def print_validation(report: Any, out: Path | None = None) -> None:
    """The validation report's counts and first examples on the console (all in validation.md)."""
    if len(report):
        console.print(report.summary(max_items=3), highlight=False)
        if out is not None:
            console.print(f"every repair and dropped cell: {out / 'validation.md'}")


def run_record() -> dict[str, Any]:
    """What ``manifest.json`` records of the running command: ``command``, ``inputs``, ``seed``.

    The command line is rebuilt from the command's arguments and options as resolved (defaults
    included); the inputs are the ``--data``, ``SOURCE``, ``--flows`` and ``--cost`` files and a
    ``--system`` YAML file, when given.
    """
    import shlex

    running = _RUNNING.get()
    if running is None:
        return {"command": None, "inputs": [], "seed": None}
    command, params, arguments = running
    words = ["nqpf", *command]
    for option, value in params.items():
        flag = "--" + option.replace("_", "-")
        if option in arguments:
            words += [str(item) for item in (value if isinstance(value, list) else [value])]
        elif isinstance(value, bool):
            words.append(flag if value else flag.replace("--", "--no-", 1))
        elif value is not None:
            words += [
                w
                for item in (value if isinstance(value, list) else [value])
                for w in (flag, str(item))
            ]
    inputs = [
        Path(params[k]) for k in ("data", "source", "flows", "cost") if params.get(k) is not None
    ]
    inputs = [path for path in inputs if path.is_file()]
    system = params.get("system")
    if isinstance(system, str) and Path(system).is_file():
        inputs.append(Path(system))
    return {"command": shlex.join(words), "inputs": inputs, "seed": params.get("seed")}


def _write_files(folder: Path, files: Mapping[str, Any]) -> None:
    """Tables as CSV (:func:`~nqpf.data.export.write_csv`), texts as UTF-8 files."""
    from nqpf.data.export import write_csv

    for name, content in files.items():
        if isinstance(content, str):
            (folder / name).write_text(content, encoding="utf-8")
        else:
            write_csv(content, folder / name)


def write_tables(out: Path, tables: Mapping[str, Any]) -> list[str]:
    """Write a command's files into ``out`` at once, with ``manifest.json``; returns their names.

    A DataFrame becomes CSV in UTF-8 with a BOM (so Excel reads Chinese, text cells neutralised
    against formulas), a string a UTF-8 text file. The files appear together or, when the
    command fails or is interrupted, not at all (:func:`~nqpf.data.export.output_folder`).
    """
    from nqpf.data.export import MANIFEST, output_folder

    with output_folder(out, **run_record()) as folder:
        _write_files(folder, tables)
    return [*tables, MANIFEST]


def write_study(bar: Progress, task: Any, out: Path, study: Any, html: str) -> list[str]:
    """The last two steps of a study command: the tables as CSV, then the study's page.

    Every table of ``study.tables()`` becomes ``NAME.csv``; all files move into ``out`` at
    once, with ``manifest.json`` (as :func:`write_tables`). Returns the files written, in order.
    """
    from nqpf.data.export import MANIFEST, output_folder
    from nqpf.report.pages import write_study_page

    with output_folder(out, **run_record()) as folder:
        bar.update(task, description="Writing tables 写出表格")
        tables = {f"{name}.csv": table for name, table in study.tables().items()}
        _write_files(folder, tables)
        bar.advance(task)
        bar.update(task, description="Writing report 生成报告")
        write_study_page(study, folder / html)
        bar.advance(task)
    return [*tables, html, MANIFEST]


def print_notes_and_outputs(notes: Iterable[str], out: Path, outputs: Iterable[str]) -> None:
    """The study's notes in yellow, then the list of files written."""
    for note in notes:
        console.print(f"[yellow]note[/]: {note}", highlight=False)
    console.print(f"[green]wrote[/] {out}/" + ", ".join(outputs))
