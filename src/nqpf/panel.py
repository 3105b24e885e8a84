"""The :class:`Panel`: a tidy long table of region × year × indicator values with its metadata.

Columns of ``Panel.data``: ``region_code`` (int, GB/T 2260), ``year`` (int), ``indicator`` (str),
``value`` (float; NaN where missing). ``Panel.units`` maps indicator → unit and ``Panel.report``
lists every repair and problem found on the way in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.regions import Level, normalize
from nqpf.validation import ValidationReport

__all__ = ["Panel"]

KEY = ["region_code", "year", "indicator"]


@dataclass
class Panel:
    """Region × year × indicator values (long layout) with units and a validation report."""

    data: pd.DataFrame
    level: Level = "province"
    units: dict[str, str] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame,
        *,
        region: str = "region",
        year: str = "year",
        indicator: str = "indicator",
        value: str = "value",
        unit: str | None = None,
        level: Level = "province",
        aliases: Mapping[str, str] | None = None,
        source: str | None = None,
    ) -> Panel:
        """Build a panel from a long table, validating regions, years, numbers and duplicates.

        Raises
        ------
        UnknownRegionError
            A region name that is not in the registry (with the row and candidates).
        DataValidationError
            A non-numeric value or year (naming the rows).
        DuplicateError
            The same region-year-indicator twice (naming them).
        """
        report = ValidationReport()
        missing = [c for c in (region, year, indicator, value) if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"columns {missing} not found; the table has {list(frame.columns)}"
            )
        codes = _normalize_column(frame[region], level, aliases, source, report)
        years = _numeric(frame[year], "year", frame[region], frame.index)
        if not np.all(np.mod(years.dropna(), 1) == 0) or years.isna().any():
            raise DataValidationError(f"column {year!r} must hold whole years")
        values = _numeric(frame[value], "value", frame[region], frame.index)
        data = pd.DataFrame(
            {
                "region_code": codes,
                "year": years.astype(int).to_numpy(),
                "indicator": frame[indicator].astype(str).str.strip().to_numpy(),
                "value": values.to_numpy(dtype=float),
            }
        )
        _check_duplicates(data)
        units: dict[str, str] = {}
        if unit is not None:
            for name, group in frame.groupby(data["indicator"].to_numpy())[unit]:
                found = sorted(group.dropna().astype(str).unique())
                if len(found) > 1:
                    raise DataValidationError(f"indicator {name!r} has several units: {found}")
                units[str(name)] = found[0] if found else ""
        return cls(data.sort_values(KEY, ignore_index=True), level, units, report)

    @property
    def indicators(self) -> list[str]:
        """Indicator names, sorted."""
        return sorted(self.data.indicator.unique())

    @property
    def regions(self) -> list[int]:
        """Region codes, sorted."""
        return sorted(int(c) for c in self.data.region_code.unique())

    @property
    def years(self) -> list[int]:
        """Years, sorted."""
        return sorted(int(y) for y in self.data.year.unique())

    def wide(self, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Values with a (region_code, year) index and one column per indicator."""
        data = self.data if indicators is None else self.data[self.data.indicator.isin(indicators)]
        table = data.pivot(index=["region_code", "year"], columns="indicator", values="value")
        table.columns.name = None
        if indicators is not None:
            absent = [i for i in indicators if i not in table.columns]
            if absent:
                raise KeyError(f"indicators not in the panel: {absent}")
            table = table[list(indicators)]
        return table


def _normalize_column(
    column: pd.Series,
    level: Level,
    aliases: Mapping[str, str] | None,
    source: str | None,
    report: ValidationReport,
) -> list[int]:
    uniques = pd.unique(column.astype(str))
    mapping: dict[str, int] = {}
    for name in uniques:
        rows = column.index[column.astype(str) == name]
        where = f"row {rows[0]}" + (f", {source}" if source else "")
        mapping[name] = normalize([name], level, aliases=aliases, where=where, report=report)[0]
    return [mapping[n] for n in column.astype(str)]


def _numeric(column: pd.Series, what: str, regions: pd.Series, index: pd.Index) -> pd.Series:
    """Convert to numbers; name the rows holding text instead of failing somewhere later."""
    text = column.astype("string").str.strip()
    text = text.str.replace(",", "", regex=False)
    converted = pd.to_numeric(text.replace({"": None, "-": None, "—": None}), errors="coerce")
    bad = converted.isna() & text.notna() & ~text.isin(["", "-", "—", "nan", "NaN"])
    if bad.any():
        shown = [f"row {i} ({regions.loc[i]}): {column.loc[i]!r}" for i in index[bad][:5]]
        raise DataValidationError(
            f"{int(bad.sum())} non-numeric {what} cell(s): " + "; ".join(shown)
        )
    return converted.astype(float)


def _check_duplicates(data: pd.DataFrame) -> None:
    dup = data.duplicated(KEY, keep=False)
    if dup.any():
        shown = data.loc[dup, KEY].drop_duplicates().head(5).to_dict(orient="records")
        raise DuplicateError(f"{int(dup.sum())} rows share a region-year-indicator, e.g. {shown}")
