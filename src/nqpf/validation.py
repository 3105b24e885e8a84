"""The validation report: every automatic repair and every problem found in the data, listed.

Nothing in nqpf is changed silently. Loaders, :class:`~nqpf.panel.Panel` and the index pipeline add
one :class:`Issue` per repaired or suspicious cell, and the CLI and the report print the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

import pandas as pd

__all__ = ["Issue", "ValidationReport"]

_COLUMNS = [
    "kind",
    "action",
    "message",
    "source",
    "table",
    "row",
    "region",
    "year",
    "indicator",
    "original",
    "repaired",
]


@dataclass(frozen=True)
class Issue:
    """One entry of the validation report.

    ``kind`` says what was found (``"alias"``, ``"whitespace"``, ``"typo"``, ``"missing"``,
    ``"interpolated"``, ``"aggregate_row"``, ``"unit"``, ...); ``action`` what was done
    (``"repaired"``, ``"kept apart"``, ``"dropped"``, ``"filled"``, ``"flagged"``).
    """

    kind: str
    action: str
    message: str
    source: str | None = None
    table: str | None = None
    row: int | None = None
    region: str | None = None
    year: int | None = None
    indicator: str | None = None
    original: object = None
    repaired: object = None


@dataclass
class ValidationReport:
    """An append-only list of :class:`Issue` with tidy and Markdown views."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, kind: str, action: str, message: str, **where: object) -> None:
        """Record one issue; ``where`` takes the optional :class:`Issue` fields."""
        self.issues.append(Issue(kind, action, message, **where))  # type: ignore[arg-type]

    def extend(self, other: ValidationReport | Iterable[Issue]) -> None:
        """Append the issues of another report."""
        self.issues.extend(other.issues if isinstance(other, ValidationReport) else other)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def to_frame(self) -> pd.DataFrame:
        """One row per issue, columns as in :class:`Issue`."""
        return pd.DataFrame([asdict(i) for i in self.issues], columns=_COLUMNS)

    def counts(self) -> pd.DataFrame:
        """Number of issues by source, kind and action."""
        frame = self.to_frame()
        if frame.empty:
            return pd.DataFrame(columns=["source", "kind", "action", "count"])
        keys = ["source", "kind", "action"]
        return frame.fillna({"source": "-"}).groupby(keys).size().rename("count").reset_index()

    def to_markdown(self, max_rows: int = 200) -> str:
        """A Markdown document: counts first, then the first ``max_rows`` issues."""
        if not self.issues:
            return "# Validation report\n\nNo problems found; nothing was repaired.\n"
        lines = ["# Validation report", "", f"{len(self.issues)} issues.", "", "## Counts", ""]
        lines += _markdown_table(self.counts())
        lines += ["", "## Issues", ""]
        frame = self.to_frame().dropna(axis=1, how="all")
        lines += _markdown_table(frame.head(max_rows))
        if len(frame) > max_rows:
            lines.append(f"\n… {len(frame) - max_rows} more (see the full CSV).")
        return "\n".join(lines) + "\n"


def _markdown_table(frame: pd.DataFrame) -> list[str]:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join("" if pd.isna(v) else str(v).replace("|", "\\|") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return [header, rule, *body]
