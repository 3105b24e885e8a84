"""Commands about data: ``nqpf datasets``, ``nqpf validate`` and ``nqpf example``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from nqpf.cli._app import (
    AliasOption,
    DecimalOption,
    LevelOption,
    app,
    console,
    friendly,
    parse_aliases,
    write_tables,
)


@app.command()
@friendly
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
@friendly
def validate(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX table, long or wide layout.")],
    level: LevelOption = "province",
    alias: AliasOption = None,
    decimal: DecimalOption = ".",
    out: Annotated[Path | None, typer.Option(help="Write validation.md here.")] = None,
) -> None:
    """Read a user table, check it and list every problem and repair."""
    from nqpf.panel import Panel as DataPanel

    panel = DataPanel.from_file(file, level=level, aliases=parse_aliases(alias), decimal=decimal)
    report = panel.report
    report.extend(panel.validate())
    years = panel.years
    span = f"year {years[0]}" if len(years) == 1 else f"{len(years)} years ({years[0]}–{years[-1]})"
    console.print(
        f"{file}: {len(panel.regions)} regions, {span}, {len(panel.indicators)} indicators"
    )
    console.print(report.to_markdown(max_rows=50))
    if out is not None:
        write_tables(out, {"validation.md": report.to_markdown(max_rows=10_000)})


@app.command()
@friendly
def example(
    out: Annotated[Path, typer.Option(help="Folder to write the example into.")] = Path("example"),
) -> None:
    """Write a small real example table (xlsx, GBK csv), a matching index system and a README."""
    from nqpf.data import write_example

    for path in write_example(out):
        console.print(f"[green]wrote[/] {path}")
