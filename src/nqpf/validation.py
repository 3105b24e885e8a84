"""The validation report: every automatic repair and every problem found in the data, listed.

Nothing in nqpf is changed silently. Loaders, :class:`~nqpf.panel.Panel` and the index pipeline add
one :class:`Issue` per repaired or suspicious cell, and the CLI and the report print the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

import pandas as pd

__all__ = ["GAP_FIXES", "Issue", "ValidationReport"]

#: How to deal with a missing cell or an absent year, for the end of error messages that refuse one.
GAP_FIXES = (
    "fill interior gaps linearly (`interpolate: [variable, ...]` in the index-system YAML, "
    "`Panel.interpolate([...])`, or `--interpolate linear` on the command line; every filled "
    "cell is listed in the validation report), or drop the region or year "
    "(`Panel.select(regions=[...])` / `Panel.select(years=[...])`)"
)

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

    ``kind`` says what was found (``"name"``, ``"alias"``, ``"whitespace"``, ``"typo"``,
    ``"missing"``, ``"interpolated"``, ``"aggregate_row"``, ``"unit"``, ...); ``action`` what was
    done (``"repaired"``, ``"kept apart"``, ``"dropped"``, ``"filled"``, ``"flagged"``).
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
        """One row per issue, columns as in :class:`Issue`; ``row`` and ``year`` are integers."""
        frame = pd.DataFrame([asdict(i) for i in self.issues], columns=_COLUMNS)
        return frame.astype({"row": "Int64", "year": "Int64"})

    def counts(self) -> pd.DataFrame:
        """Number of issues by source, kind and action."""
        frame = self.to_frame()
        if frame.empty:
            return pd.DataFrame(columns=["source", "kind", "action", "count"])
        keys = ["source", "kind", "action"]
        return frame.fillna({"source": "-"}).groupby(keys).size().rename("count").reset_index()

    def summary(self, max_items: int = 3) -> str:
        """A few lines for a console: the count of each kind and action with its first issues.

        Examples
        --------
        >>> report = ValidationReport()
        >>> for column in ("地区", "年份", "研发经费"):
        ...     report.add("header", "mapped", f"column {column!r} read")
        >>> report.add("missing", "excluded", "西藏 2021 left out", year=2021)
        >>> print(report.summary(max_items=2))
        4 validation issues:
          header (mapped) × 3: column '地区' read; column '年份' read; … 1 more
          missing (excluded) × 1: 西藏 2021 left out

        """
        if not self.issues:
            return "no validation issues"
        groups: dict[tuple[str, str], list[str]] = {}
        for issue in self.issues:
            groups.setdefault((issue.kind, issue.action), []).append(issue.message)
        lines = [f"{len(self.issues)} validation issue{'s' if len(self.issues) > 1 else ''}:"]
        for (kind, action), messages in groups.items():
            shown = "; ".join(messages[:max_items])
            more = f"; … {len(messages) - max_items} more" if len(messages) > max_items else ""
            lines.append(f"  {kind} ({action}) × {len(messages)}: {shown}{more}")
        return "\n".join(lines)

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
