"""The :class:`Panel`: a tidy long table of region × year × indicator values with its metadata.

Columns of ``Panel.data``: ``region_code`` (int, GB/T 2260), ``year`` (int), ``indicator`` (str),
``value`` (float; NaN where missing). ``Panel.units`` maps indicator → unit and ``Panel.report``
lists every repair and problem found on the way in.

A panel is never changed in place: :meth:`Panel.derive`, :meth:`Panel.interpolate`,
:meth:`Panel.select` and the helpers return a new panel whose report carries the old issues plus
the new ones.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError, show
from nqpf.regions import Level, check_level, name_of, normalize, spelling_repair
from nqpf.validation import ValidationReport

__all__ = [
    "HEADER_NAMES",
    "MAX_TABLE_BYTES",
    "MISSING_TEXT",
    "Panel",
    "describe_missing",
    "parse_number",
    "parse_numbers",
    "read_table",
]

KEY = ["region_code", "year", "indicator"]

#: Accepted column headers of :meth:`Panel.from_file`, by role (compared without case and spaces).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "region": (
        "地区",
        "省份",
        "省份名称",
        "省",
        "省区市",
        "省市",
        "省级行政区",
        "地区名称",
        "城市",
        "城市名称",
        "地级市",
        "region",
        "province",
        "city",
        "region_name",
        "province_name",
        "city_name",
    ),
    "region_code": (
        "地区代码",
        "行政区划代码",
        "区划代码",
        "代码",
        "region_code",
        "code",
        "adcode",
        "province_code",
        "city_code",
    ),
    "year": ("年份", "年", "年度", "year"),
    "indicator": ("指标", "指标名称", "变量", "变量名", "indicator", "variable"),
    "value": ("数值", "值", "数据", "取值", "value"),
    "unit": ("单位", "计量单位", "unit"),
}

#: Text read as a missing value (besides blank cells); ``nan`` and ``inf`` are refused instead.
MISSING_TEXT: tuple[str, ...] = ("", "-", "—", "--", "…", "...", "NA", "N/A", "null")
#: Files larger than this are refused by :func:`read_table` (aggregate record-level data first).
MAX_TABLE_BYTES = 200 * 1024**2
_UNIT_IN_HEADER = re.compile(r"^(?P<name>.+?)\s*[(（](?P<unit>[^()（）]+)[)）]\s*$")


@dataclass
class Panel:
    """Region × year × indicator values (long layout) with units and a validation report.

    Parameters
    ----------
    data
        Long table with columns ``region_code, year, indicator, value``.
    level
        ``"province"`` or ``"city"``.
    units
        Indicator → unit.
    report
        Every repair and problem found so far.
    attributes
        Text columns kept apart from the indicators (``keep=`` of :meth:`from_file`), one row
        per region-year: ``region_code, year`` and one column each.

    Examples
    --------
    >>> frame = pd.DataFrame({"region": ["北京", "上海"], "year": [2020, 2020],
    ...                       "indicator": ["gdp", "gdp"], "value": [36102.55, 38700.58]})
    >>> panel = Panel.from_long(frame)
    >>> panel
    Panel(level='province', regions=2, years=2020–2020, indicators=1, issues=0)
    >>> panel.wide()
                       gdp
    region_code year
    110000      2020  36102.55
    310000      2020  38700.58

    """

    data: pd.DataFrame
    level: Level = "province"
    units: dict[str, str] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)
    attributes: pd.DataFrame = field(default_factory=lambda: _attribute_frame([]))

    # ------------------------------------------------------------------ construction
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
        keep: Sequence[str] = (),
        decimal: str = ".",
    ) -> Panel:
        """Build a panel from a long table, validating regions, years, numbers and duplicates.

        Parameters
        ----------
        frame
            One row per region, year and indicator.
        region, year, indicator, value, unit
            Column names. ``region`` may hold names (any spelling accepted by
            :func:`nqpf.regions.normalize`) or codes.
        level
            ``"province"`` or ``"city"``.
        aliases
            Extra region spellings, e.g. ``{"江两": "江西"}``; each use is reported, as is every
            other region name that needed a repair (whitespace, full or English name).
        source
            Where the table comes from, used in messages and in the report.
        keep
            Text columns (e.g. a grouping of the regions) kept apart as :attr:`attributes`,
            one value per region-year.
        decimal
            The decimal mark of text cells, ``"."`` or ``","`` (see :func:`parse_numbers`);
            text cells read as missing are listed in the report, one entry per indicator.

        Raises
        ------
        UnknownRegionError
            A region name that is not in the registry (with the row, region column and
            candidates).
        DataValidationError
            A non-numeric value or year (naming the rows; ambiguous separators, ``inf`` and
            ``nan`` included, see :func:`parse_numbers`), an indicator with several units, a
            kept column with two values in one region-year, or an unsupported level.
        DuplicateError
            The same region-year-indicator twice (naming them).

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["江西", "江两"], "year": [2014, 2015],
        ...                       "indicator": "patents", "value": ["1,204", "1300"]})
        >>> panel = Panel.from_long(frame, aliases={"江两": "江西"})
        >>> panel.data.value.tolist(), len(panel.report)
        ([1204.0, 1300.0], 1)

        """
        return cls._from_long(
            frame,
            region=region,
            year=year,
            indicator=indicator,
            value=value,
            unit=unit,
            level=level,
            aliases=aliases,
            source=source,
            report=ValidationReport(),
            keep=keep,
            decimal=decimal,
        )

    @classmethod
    def _from_long(
        cls,
        frame: pd.DataFrame,
        *,
        region: str,
        year: str,
        indicator: str,
        value: str,
        unit: str | None,
        level: Level,
        aliases: Mapping[str, str] | None,
        source: str | None,
        report: ValidationReport,
        keep: Sequence[str] = (),
        decimal: str = ".",
        locate: Callable[[object], str] | None = None,
        region_where: Callable[[object], str] | None = None,
        row_of: Callable[[object], int | None] | None = None,
        value_where: Callable[[object], str] | None = None,
    ) -> Panel:
        """Build from a long table (the common path of every constructor).

        ``locate(i)`` names a cell of row ``i`` in messages, ``region_where(i)`` its region cell,
        ``value_where(i)`` its value cell and ``row_of(i)`` its row number in the file.
        """
        level = check_level(level)
        needed = [c for c in (region, year, indicator, value, unit, *keep) if c is not None]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"columns {missing} not found; the table has {list(frame.columns)}"
            )
        frame = frame.reset_index(drop=True) if not frame.index.is_unique else frame
        if locate is None:

            def locate(i: object) -> str:
                return f"row {i}" + (f" of {source}" if source else "")

        if region_where is None:

            def region_where(i: object) -> str:
                return f"{locate(i)}, column {region!r}"

        if row_of is None:

            def row_of(i: object) -> int | None:
                return int(i) if isinstance(i, int | np.integer) else None

        regions_raw = frame[region]

        def describe(i: object) -> str:
            return f"{locate(i)} ({regions_raw.loc[i]})"

        if value_where is None:

            def value_where(i: object) -> str:
                return f"{describe(i)}, column {value!r}"

        codes = _normalize_column(regions_raw, level, aliases, report, region_where, row_of, source)
        years = parse_numbers(frame[year], decimal=decimal, what="year", where=describe)
        bad_year = years.isna() | (np.mod(years.fillna(0.5), 1) != 0)
        if bad_year.any():
            shown = "; ".join(
                f"{describe(i)}: {frame.at[i, year]!r}" for i in frame.index[bad_year][:5]
            )
            raise DataValidationError(
                f"column {year!r} must hold whole years; {int(bad_year.sum())} cell(s) do not: "
                + shown
            )
        values = parse_numbers(frame[value], decimal=decimal, what="value", where=value_where)
        names = frame[indicator].astype("string").str.strip()
        if names.isna().any() or (names == "").any():
            rows = frame.index[(names.isna() | (names == "")).to_numpy()]
            raise DataValidationError(
                f"{len(rows)} row(s) without an indicator name: "
                + "; ".join(describe(i) for i in rows[:5])
            )
        data = pd.DataFrame(
            {
                "region_code": np.asarray(codes, dtype=np.int64),
                "year": years.to_numpy().astype(np.int64),
                "indicator": names.to_numpy(dtype=object),
                "value": values.to_numpy(dtype=float),
            },
            index=frame.index,
        )
        _check_duplicates(data, level, describe)
        _report_missing(
            frame[value], values, data["indicator"], report, value_where, row_of, source
        )
        units: dict[str, str] = {}
        if unit is not None:
            unit_text = frame[unit].astype("string").str.strip()
            for name, group in unit_text.groupby(data["indicator"].to_numpy()):
                found = sorted(str(u) for u in group.dropna().unique() if str(u) != "")
                if len(found) > 1:
                    raise DataValidationError(
                        f"indicator {name!r} has several units: {found}; convert the values to "
                        "one unit or give them different indicator names"
                    )
                units[str(name)] = found[0] if found else ""
        for name in data.indicator.unique():
            units.setdefault(str(name), "")
        attributes = _attributes(frame, data, keep, level, describe)
        data = data.sort_values(KEY, ignore_index=True)
        return cls(data, level, units, report, attributes)

    @classmethod
    def from_wide(
        cls,
        frame: pd.DataFrame,
        *,
        region: str = "region",
        year: str = "year",
        indicators: Sequence[str] | None = None,
        units: Mapping[str, str] | None = None,
        level: Level = "province",
        aliases: Mapping[str, str] | None = None,
        source: str | None = None,
        keep: Sequence[str] = (),
        decimal: str = ".",
    ) -> Panel:
        """Build a panel from a wide table: region, year, then one column per indicator.

        Parameters
        ----------
        frame
            One row per region and year.
        region, year
            Column names of the region (name or code) and year.
        indicators
            Indicator columns; all other columns (except ``keep``) by default.
        units
            Indicator → unit.
        level, aliases, source, keep, decimal
            As in :meth:`from_long`.

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["广东", "广东"], "year": [2019, 2020],
        ...                       "gdp": [107986.92, 110760.94]})
        >>> Panel.from_wide(frame, units={"gdp": "亿元"}).to_long()
           region_code region  year indicator      value unit
        0       440000    广东省  2019       gdp  107986.92   亿元
        1       440000    广东省  2020       gdp  110760.94   亿元

        """
        return cls._from_wide(
            frame,
            region=region,
            year=year,
            indicators=indicators,
            units=units,
            level=level,
            aliases=aliases,
            source=source,
            report=ValidationReport(),
            keep=keep,
            decimal=decimal,
        )

    @classmethod
    def _from_wide(
        cls,
        frame: pd.DataFrame,
        *,
        region: str,
        year: str,
        indicators: Sequence[str] | None,
        units: Mapping[str, str] | None,
        level: Level,
        aliases: Mapping[str, str] | None,
        source: str | None,
        report: ValidationReport,
        keep: Sequence[str] = (),
        decimal: str = ".",
        row_label: str = "row",
    ) -> Panel:
        for column in (region, year, *keep):
            if column not in frame.columns:
                raise DataValidationError(
                    f"column {column!r} not found; the table has {list(frame.columns)}"
                )
        if indicators is None:
            indicators = [c for c in frame.columns if c not in (region, year, *keep)]
        absent = [c for c in indicators if c not in frame.columns]
        if absent:
            raise DataValidationError(f"indicator columns {absent} not found in the table")
        if not indicators:
            raise DataValidationError("the table has no indicator column besides region and year")
        frame = frame.reset_index(drop=True) if not frame.index.is_unique else frame
        long = frame[[region, year, *keep, *indicators]].copy()
        long["_row"] = long.index
        long = long.melt(
            id_vars=["_row", region, year, *keep],
            value_vars=list(indicators),
            var_name="_indicator",
            value_name="_value",
        )
        long.index = pd.RangeIndex(len(long))
        rows, columns = long["_row"].to_numpy(), long["_indicator"].to_numpy()

        def locate(i: object) -> str:
            return f"{row_label} {rows[i]}, column {columns[i]!r}"

        def region_where(i: object) -> str:
            return f"{row_label} {rows[i]}, column {region!r}"

        def row_of(i: object) -> int | None:
            row = rows[i]
            return int(row) if isinstance(row, int | np.integer) else None

        def value_where(i: object) -> str:
            return f"{locate(i)} ({long.at[i, region]})"

        long["_unit"] = long["_indicator"].map(lambda c: (units or {}).get(c, ""))
        panel = cls._from_long(
            long,
            region=region,
            year=year,
            indicator="_indicator",
            value="_value",
            unit="_unit",
            level=level,
            aliases=aliases,
            source=source,
            report=report,
            keep=keep,
            decimal=decimal,
            locate=locate,
            region_where=region_where,
            row_of=row_of,
            value_where=value_where,
        )
        return panel

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        layout: Literal["auto", "long", "wide"] = "auto",
        sheet: str | int | None = None,
        level: Level = "province",
        aliases: Mapping[str, str] | None = None,
        region: str | None = None,
        year: str | None = None,
        keep: Sequence[str] = (),
        decimal: str = ".",
    ) -> Panel:
        """Read a panel from a CSV or Excel (``.xlsx``) file with Chinese or English headers.

        Long layout: columns region, year, indicator, value and optionally unit. Wide layout:
        region, year, then one column per indicator; a header ``研发经费（万元）`` or
        ``rd_exp (万元)`` gives the indicator ``研发经费`` / ``rd_exp`` with its unit (the name
        that formulas and options use; :meth:`indicator_for` accepts either). Headers are
        matched against :data:`HEADER_NAMES` (case and spaces ignored); the mapping, every
        repaired region name, the encoding of a CSV that is not UTF-8 and the sheet read are
        listed in the report.

        Parameters
        ----------
        path
            ``.csv``, ``.txt`` (comma-separated) or ``.xlsx`` file.
        layout
            ``"long"``, ``"wide"`` or ``"auto"`` (long when both an indicator and a value
            column are recognised).
        sheet
            Excel sheet name or position; the first sheet by default.
        level, aliases
            As in :meth:`from_long`.
        region, year
            Headers of the region and year columns when they are not among
            :data:`HEADER_NAMES`; another column that looks like the same role is then read as
            data.
        keep
            Headers of text columns (e.g. a grouping of the regions such as ``区域``) kept as
            :attr:`attributes` instead of being read as indicators.
        decimal
            ``","`` for a file written with decimal commas (``1.234,5``); see
            :func:`parse_numbers` for what each cell may hold.

        Raises
        ------
        DataValidationError
            A file that is empty, has no data rows, is not a table (an image, a binary file, a
            text file named ``.xlsx``) or is larger than :data:`MAX_TABLE_BYTES`; an unrecognised
            header (the message lists the accepted names), a ``region``,
            ``year`` or ``keep`` column that is not in the file (listing the headers), an
            unsupported file type or level, or bad cells (naming the file row and column).
        UnknownRegionError, DuplicateError
            As in :meth:`from_long`.

        Examples
        --------
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> table = pd.DataFrame({"省份": ["北京", "上海"], "年份": [2020, 2020],
        ...                       "研发经费（亿元）": [2326.6, 1615.7]})
        >>> table.to_csv(f"{folder}/rd.csv", index=False)
        >>> panel = Panel.from_file(f"{folder}/rd.csv")
        >>> panel.units, panel.wide().loc[(310000, 2020), "研发经费"]
        ({'研发经费': '亿元'}, np.float64(1615.7))
        >>> [i.message for i in panel.report][:2]
        ["column '省份' read as region", "column '年份' read as year"]

        """
        path = Path(path)
        level = check_level(level)
        if layout not in ("auto", "long", "wide"):
            raise DataValidationError(f"layout must be 'auto', 'long' or 'wide', not {layout!r}")
        _check_decimal(decimal)
        report = ValidationReport()
        source = path.name
        raw = read_table(path, sheet=sheet, report=report)
        raw = _drop_empty_columns(raw, report, source)
        headers = [str(c) for c in raw.columns]
        keep = [_find_header(headers, k, "keep", source) for k in keep]
        forced = {
            role: _find_header(headers, given, role, source)
            for role, given in (("region", region), ("year", year))
            if given is not None
        }
        clash = sorted(set(keep) & set(forced.values()))
        if clash:
            raise DataValidationError(
                f"{source}: column(s) {clash} cannot be kept and read as keys"
            )
        roles = _map_headers([c for c in headers if c not in keep], forced)
        if layout == "auto":
            layout = "long" if {"indicator", "value"} <= set(roles.values()) else "wide"
        id_roles = {"region", "region_code", "year"}
        if layout == "long":
            unknown = [c for c in headers if c not in roles and c not in keep]
            if unknown:
                raise DataValidationError(
                    f"{source}: header(s) {unknown} not recognised for the long layout; "
                    + _accepted_names(
                        ("region", "region_code", "year", "indicator", "value", "unit")
                    )
                    + "; pass keep=[...] for text columns to carry along"
                )
            needed: tuple[str, ...] = ("year", "indicator", "value")
        else:
            roles = {c: r for c, r in roles.items() if r in id_roles}
            needed = ("year",)
        found = {r: c for c, r in roles.items()}
        for role in needed:
            if role not in found:
                raise DataValidationError(
                    f"{source}: no {role} column among {headers}; "
                    + _accepted_names((role,))
                    + f" (or name it: {role}=...)"
                )
        if "region" not in found and "region_code" not in found:
            raise DataValidationError(
                f"{source}: no region column among {headers}; "
                + _accepted_names(("region", "region_code"))
                + " (or name it: region=...)"
            )
        for column, role in roles.items():
            given = " (as given)" if forced.get(role) == column else ""
            report.add(
                "header",
                "mapped",
                f"column {column!r} read as {role}{given}",
                source=source,
                original=column,
                repaired=role,
            )
        for column in keep:
            report.add(
                "header",
                "mapped",
                f"column {column!r} kept as an attribute",
                source=source,
                original=column,
                repaired="attribute",
            )
        region_column = found.get("region_code") or found["region"]
        if "region" in found and "region_code" in found:
            _check_name_code_agreement(raw, found["region"], found["region_code"], level, source)
        if layout == "long":

            def locate(i: object) -> str:
                return f"{source} row {i}"

            return cls._from_long(
                raw,
                region=region_column,
                year=found["year"],
                indicator=found["indicator"],
                value=found["value"],
                unit=found.get("unit"),
                level=level,
                aliases=aliases,
                source=source,
                report=report,
                keep=keep,
                decimal=decimal,
                locate=locate,
            )
        rest = [c for c in headers if c not in roles and c not in keep]
        text_only = [c for c in rest if _text_only(raw[c])]
        for column in text_only:
            report.add(
                "header",
                "mapped",
                f"column {column!r} holds text only: kept as an attribute, not an indicator",
                source=source,
                original=column,
                repaired="attribute",
            )
        keep = [*keep, *text_only]
        rest = [c for c in rest if c not in text_only]
        renamed: dict[str, str] = {}
        units: dict[str, str] = {}
        for column in rest:
            match = _UNIT_IN_HEADER.match(str(column))
            name = match.group("name").strip() if match else str(column).strip()
            if match:
                units[name] = match.group("unit").strip()
                report.add(
                    "header",
                    "mapped",
                    f"column {column!r} read as indicator {name!r} in {units[name]!r}",
                    source=source,
                    indicator=name,
                    original=column,
                    repaired=name,
                )
            else:
                report.add(
                    "header",
                    "mapped",
                    f"column {column!r} read as indicator {name!r}",
                    source=source,
                    indicator=name,
                    original=column,
                    repaired=name,
                )
            if name in renamed.values():
                raise DataValidationError(f"{source}: two columns give the indicator {name!r}")
            renamed[column] = name
        table = raw.rename(columns=renamed)
        return cls._from_wide(
            table,
            region=region_column,
            year=found["year"],
            indicators=list(renamed.values()),
            units=units,
            level=level,
            aliases=aliases,
            source=source,
            report=report,
            keep=keep,
            decimal=decimal,
            row_label=f"{source} row",
        )

    # ------------------------------------------------------------------ views
    @property
    def indicators(self) -> list[str]:
        """Indicator names, sorted."""
        return sorted(self.data.indicator.unique())

    def indicator_for(self, name: str) -> str:
        """The indicator a user means by ``name``: the indicator itself or its file header.

        A header with a unit in brackets (``研发经费（万元）``) names the indicator without it,
        provided the unit agrees with the panel's.

        Raises
        ------
        DataValidationError
            A name that is no indicator of the panel (with the closest names), or a header
            whose unit differs from the indicator's.

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["北京"], "year": [2020], "研发经费": [2326.6]})
        >>> panel = Panel.from_wide(frame, units={"研发经费": "亿元"})
        >>> panel.indicator_for("研发经费（亿元）"), panel.indicator_for("研发经费")
        ('研发经费', '研发经费')

        """
        known = set(self.data.indicator.unique())
        text = str(name).strip()
        if text in known:
            return text
        match = _UNIT_IN_HEADER.match(text)
        if match and match.group("name").strip() in known:
            found, unit = match.group("name").strip(), match.group("unit").strip()
            held = self.units.get(found, "")
            if held and held != unit:
                raise DataValidationError(
                    f"{name!r}: the panel holds {found!r} in {held!r}, not in {unit!r}"
                )
            return found
        raise DataValidationError(_unknown_indicator_message(text, known))

    @property
    def regions(self) -> list[int]:
        """Region codes, sorted."""
        return sorted(int(c) for c in self.data.region_code.unique())

    @property
    def years(self) -> list[int]:
        """Years, sorted."""
        return sorted(int(y) for y in self.data.year.unique())

    def __repr__(self) -> str:
        years = self.years
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return (
            f"Panel(level={self.level!r}, regions={len(self.regions)}, years={span}, "
            f"indicators={len(self.indicators)}, issues={len(self.report)})"
        )

    def wide(self, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Values with a (region_code, year) index and one column per indicator.

        Raises
        ------
        DataValidationError
            An indicator not in the panel (with the closest names).

        """
        if indicators is not None:
            self._check_indicators(indicators)
        data = self.data if indicators is None else self.data[self.data.indicator.isin(indicators)]
        table = data.pivot(index=["region_code", "year"], columns="indicator", values="value")
        table.columns.name = None
        if indicators is not None:
            table = table[list(indicators)]
        return table

    def to_long(self) -> pd.DataFrame:
        """Tidy long table: ``region_code, region, year, indicator, value, unit``."""
        out = self.data.copy()
        names = {c: _region_name(c, self.level) for c in out.region_code.unique()}
        out.insert(1, "region", out.region_code.map(names))
        out["unit"] = out.indicator.map(lambda i: self.units.get(i, ""))
        return out.reset_index(drop=True)

    def coverage(self, by: Literal["indicator", "region", "year"] = "indicator") -> pd.DataFrame:
        """Coverage summary by indicator, region or year.

        Each indicator spans the years from its first to its last row (over all regions); the
        expected cells are all regions of the panel over that span. ``values`` counts
        non-missing cells, ``missing`` cells present but NaN, ``gaps`` region-years absent
        inside a region's own span, and ``complete`` is ``values`` as a percentage of the
        expected cells.

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["北京", "北京", "上海"], "year": [2019, 2021, 2019],
        ...                       "indicator": "x", "value": [1.0, 2.0, None]})
        >>> Panel.from_long(frame).coverage()[["regions", "first_year", "last_year", "values",
        ...                                    "missing", "gaps", "complete"]]
                   regions  first_year  last_year  values  missing  gaps  complete
        indicator
        x                2        2019       2021       2        1     1  33.333333

        """
        if by not in ("indicator", "region", "year"):
            raise DataValidationError(f"by must be 'indicator', 'region' or 'year', not {by!r}")
        data = self.data
        gaps = self._gaps()
        key = {"indicator": "indicator", "region": "region_code", "year": "year"}[by]
        grouped = data.groupby(key)
        out = pd.DataFrame(
            {
                "regions": grouped.region_code.nunique(),
                "indicators": grouped.indicator.nunique(),
                "first_year": grouped.year.min(),
                "last_year": grouped.year.max(),
                "years": grouped.year.nunique(),
                "values": grouped.value.count(),
            }
        )
        out["missing"] = grouped.size() - out["values"]
        out["gaps"] = gaps.groupby(key).size().reindex(out.index, fill_value=0)
        n_regions = len(self.regions)
        spans = data.groupby("indicator").year.agg(["min", "max"])
        if by == "indicator":
            expected = n_regions * (spans["max"] - spans["min"] + 1)
        elif by == "region":
            expected = pd.Series(int((spans["max"] - spans["min"] + 1).sum()), index=out.index)
        else:
            first, last = spans["min"].to_numpy(), spans["max"].to_numpy()
            expected = pd.Series(
                [n_regions * int(((first <= y) & (y <= last)).sum()) for y in out.index],
                index=out.index,
            )
        out["complete"] = 100.0 * out["values"] / expected.reindex(out.index)
        if by == "indicator":
            out.insert(0, "unit", [self.units.get(i, "") for i in out.index])
            out = out.drop(columns="indicators")
        elif by == "region":
            out.insert(0, "region", [_region_name(c, self.level) for c in out.index])
            out = out.drop(columns="regions")
        else:
            out = out.drop(columns=["first_year", "last_year", "years", "gaps"])
        return out

    # ------------------------------------------------------------------ selection and checks
    def select(
        self,
        *,
        years: Iterable[int] | None = None,
        regions: Iterable[object] | None = None,
        indicators: Sequence[str] | None = None,
    ) -> Panel:
        """Restrict the panel to some years, regions (names or codes) and indicators (new panel).

        Raises
        ------
        DataValidationError
            An indicator or region not in the panel (with a suggestion), or an empty selection.

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["北京", "上海"], "year": 2020, "indicator": "x",
        ...                       "value": [1.0, 2.0]})
        >>> Panel.from_long(frame).select(regions=["上海"]).regions
        [310000]

        """
        mask = pd.Series(True, index=self.data.index)
        if years is not None:
            wanted_years = {int(y) for y in years}
            mask &= self.data.year.isin(wanted_years)
        if regions is not None:
            codes = normalize(list(regions), self.level)
            absent = [c for c in codes if c not in set(self.regions)]
            if absent:
                raise DataValidationError(
                    f"regions {[_region_name(c, self.level) for c in absent]} are not in the panel"
                )
            mask &= self.data.region_code.isin(codes)
        if indicators is not None:
            self._check_indicators(indicators)
            mask &= self.data.indicator.isin(indicators)
        data = self.data[mask].reset_index(drop=True)
        if data.empty:
            raise DataValidationError("the selection is empty")
        units = {k: v for k, v in self.units.items() if k in set(data.indicator)}
        kept = data[["region_code", "year"]].drop_duplicates()
        attributes = self.attributes.merge(kept, on=["region_code", "year"])
        return Panel(data, self.level, units, _copy_report(self.report), attributes)

    def validate(self) -> ValidationReport:
        """Check the panel and list what is found (nothing is changed).

        Kinds of issue: ``gap`` (a year missing inside a region's span of an indicator),
        ``missing`` (a NaN cell), ``non_positive`` (a value ≤ 0, a problem for logarithms and
        ratios), ``constant`` (an indicator with one value everywhere: min–max normalisation
        divides by zero) and ``no_regional_variation`` (same value for every region in every
        year).

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["北京", "北京", "上海", "上海"],
        ...                       "year": [2019, 2021, 2019, 2021], "indicator": "x",
        ...                       "value": [1.0, 0.0, 3.0, None]})
        >>> Panel.from_long(frame).validate().to_frame().kind.tolist()
        ['gap', 'gap', 'missing', 'non_positive']

        """
        report = ValidationReport()
        gaps = self._gaps()
        for row in gaps.itertuples(index=False):
            report.add(
                "gap",
                "flagged",
                f"{_region_name(row.region_code, self.level)} {row.indicator}: no row for year "
                f"{row.year} inside the region's span",
                region=str(row.region_code),
                year=int(row.year),
                indicator=row.indicator,
            )
        data = self.data
        for row in data[data.value.isna()].itertuples(index=False):
            report.add(
                "missing",
                "flagged",
                f"{_region_name(row.region_code, self.level)} {row.year} {row.indicator}: "
                "value missing",
                region=str(row.region_code),
                year=int(row.year),
                indicator=row.indicator,
            )
        for row in data[data.value <= 0].itertuples(index=False):
            report.add(
                "non_positive",
                "flagged",
                f"{_region_name(row.region_code, self.level)} {row.year} {row.indicator} = "
                f"{row.value:g} (≤ 0: no logarithm or growth rate)",
                region=str(row.region_code),
                year=int(row.year),
                indicator=row.indicator,
                original=row.value,
            )
        observed = data.dropna(subset=["value"])
        overall = observed.groupby("indicator").value.agg(["size", "nunique", "first"])
        per_year = observed.groupby(["indicator", "year"]).value.agg(["size", "nunique"])
        per_year = per_year[per_year["size"] > 1]
        flat = (per_year["nunique"] == 1).groupby(level="indicator").all()
        for name, row in overall.iterrows():
            if row["size"] > 1 and row["nunique"] == 1:
                report.add(
                    "constant",
                    "flagged",
                    f"{name} takes the single value {row['first']:g} everywhere",
                    indicator=str(name),
                )
            elif bool(flat.get(name, False)):
                report.add(
                    "no_regional_variation",
                    "flagged",
                    f"{name} has the same value for every region in every year",
                    indicator=str(name),
                )
        return report

    # ------------------------------------------------------------------ derived indicators
    def evaluate(self, expression: str, report: ValidationReport | None = None) -> pd.Series:
        """Evaluate an arithmetic expression over indicator names.

        Allowed: indicator names (Python identifiers, or any name in backticks such as
        ```R&D exp```), numbers, ``+ - * / **``, parentheses and the functions ``log`` (natural),
        ``log10``, ``exp``, ``sqrt`` and ``abs``. Nothing else is evaluated (the expression is
        parsed with :mod:`ast` against a whitelist).

        A cell is NaN where an input is missing. Division by zero and other undefined results
        give NaN and, when ``report`` is given, one issue per cell.

        Parameters
        ----------
        expression
            E.g. ``"rd_exp / (gdp * 1e4) * 100"`` or ``"log(patent_grant_invention + 1)"``.
        report
            Receives an issue for every cell made undefined.

        Returns
        -------
        pandas.Series
            Indexed by ``(region_code, year)``, named after the expression.

        Raises
        ------
        DataValidationError
            A syntax error, a disallowed construct, an unknown indicator (with the closest
            names) or the logarithm / square root of a non-positive / negative value (naming the
            region, year and value).

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["北京", "上海"], "year": 2020,
        ...                       "rd": [2.0, 3.0], "gdp": [100.0, 50.0]})
        >>> Panel.from_wide(frame).evaluate("rd / gdp * 100").tolist()
        [2.0, 6.0]

        """
        parsed, names = _parse_expression(expression, self.indicators)
        table = self.wide(sorted(set(names.values()))) if names else None
        if table is None:
            raise DataValidationError(f"expression {expression!r} uses no indicator")
        evaluator = _Evaluator(table, names, self.level, expression)
        with np.errstate(all="ignore"):
            result = evaluator.visit(parsed.body)
        values = np.broadcast_to(np.asarray(result, dtype=float), (len(table),)).copy()
        inputs_ok = table.notna().all(axis=1).to_numpy()
        undefined = ~np.isfinite(values) & inputs_ok
        if undefined.any():
            values[undefined] = np.nan
            if report is not None:
                for code, year in table.index[undefined]:
                    report.add(
                        "undefined",
                        "set to NaN",
                        f"{_region_name(code, self.level)} {year}: {expression} is undefined "
                        "(division by zero or overflow)",
                        region=str(code),
                        year=int(year),
                        indicator=expression,
                    )
        return pd.Series(values, index=table.index, name=expression)

    def derive(
        self,
        name: str,
        expression: str | Callable[[pd.DataFrame], pd.Series | np.ndarray],
        *,
        unit: str = "",
    ) -> Panel:
        """Add an indicator computed from the others (returns a new panel).

        Parameters
        ----------
        name
            Name of the new indicator (must not exist yet).
        expression
            An expression for :meth:`evaluate`, or a callable that receives :meth:`wide` (all
            indicators) and returns values aligned with its rows.
        unit
            Unit of the new indicator.

        Examples
        --------
        >>> frame = pd.DataFrame({"region": ["北京", "上海"], "year": 2020,
        ...                       "rd": [2.0, 3.0], "gdp": [100.0, 50.0]})
        >>> panel = Panel.from_wide(frame).derive("intensity", "rd / gdp * 100", unit="%")
        >>> panel.wide(["intensity"]).intensity.tolist(), panel.units["intensity"]
        ([2.0, 6.0], '%')

        """
        if name in set(self.indicators):
            raise DataValidationError(
                f"indicator {name!r} already exists; choose another name or select it away first"
            )
        report = _copy_report(self.report)
        if callable(expression):
            table = self.wide()
            result = expression(table)
            values = pd.Series(np.asarray(result, dtype=float), index=table.index)
            label = getattr(expression, "__name__", "callable")
        else:
            values = self.evaluate(expression, report=report)
            label = expression
        return self._with_indicator(name, values, unit, report, label)

    def ratio(
        self,
        name: str,
        numerator: str,
        denominator: str,
        *,
        scale: float = 1.0,
        unit: str | None = None,
    ) -> Panel:
        """Add ``scale × numerator / denominator``.

        Examples
        --------
        >>> frame = pd.DataFrame({"region": "北京", "year": 2020, "a": [3.0], "b": [4.0]})
        >>> Panel.from_wide(frame).ratio("a_b", "a", "b", scale=100).wide(["a_b"]).a_b.item()
        75.0

        """
        self._check_indicators([numerator, denominator])
        if unit is None:
            unit = _ratio_unit(
                self.units.get(numerator, ""), self.units.get(denominator, ""), scale
            )
        expression = f"{_q(numerator)} / {_q(denominator)}"
        if scale != 1:
            expression = f"{scale!r} * {expression}"
        return self.derive(name, expression, unit=unit)

    def per_capita(
        self,
        name: str,
        indicator: str,
        *,
        population: str = "population",
        scale: float = 1.0,
        unit: str | None = None,
    ) -> Panel:
        """Add ``scale × indicator / population`` (mind the units, e.g. 万元 per 万人 = 元/人)."""
        return self.ratio(name, indicator, population, scale=scale, unit=unit)

    def per_gdp(
        self,
        name: str,
        indicator: str,
        *,
        gdp: str = "gdp",
        scale: float = 1.0,
        unit: str | None = None,
    ) -> Panel:
        """Add ``scale × indicator / gdp`` (e.g. R&D in 万元 over GDP in 亿元: scale=0.01 → %)."""
        return self.ratio(name, indicator, gdp, scale=scale, unit=unit)

    def share(
        self, name: str, part: str, total: str, *, scale: float = 100.0, unit: str = "%"
    ) -> Panel:
        """Add ``scale × part / total`` (a percentage by default)."""
        return self.ratio(name, part, total, scale=scale, unit=unit)

    def growth(self, name: str, indicator: str, *, scale: float = 100.0, unit: str = "%") -> Panel:
        r"""Add the year-on-year growth rate ``scale × (x_t / x_{t−1} − 1)``.

        The previous year must be present: where year t−1 is absent or missing, or x_{t−1} ≤ 0,
        the rate is NaN and the report lists the cell. The first year of each region's series
        is NaN (one summary issue).

        .. math:: g_{it} = s \left(\frac{x_{it}}{x_{i,t-1}} - 1\right)

        Examples
        --------
        >>> frame = pd.DataFrame({"region": "北京", "year": [2018, 2019, 2021],
        ...                       "x": [100.0, 110.0, 121.0]})
        >>> panel = Panel.from_wide(frame).growth("x_growth", "x")
        >>> panel.wide(["x_growth"]).x_growth.round(6).tolist()
        [nan, 10.0, nan]
        >>> panel.report.to_frame().kind.tolist()
        ['growth_first_year', 'growth_gap', 'derived']

        """
        self._check_indicators([indicator])
        if name in set(self.indicators):
            raise DataValidationError(f"indicator {name!r} already exists")
        report = _copy_report(self.report)
        series = self.data[self.data.indicator == indicator].set_index(["region_code", "year"])
        values = series.value.sort_index()
        previous = values.copy()
        previous.index = pd.MultiIndex.from_arrays(
            [values.index.get_level_values(0), values.index.get_level_values(1) + 1]
        )
        base = previous.reindex(values.index)
        first = values.groupby(level=0).head(1).index
        firsts = set(first)
        rate = pd.Series(np.nan, index=values.index)
        ok = base.notna() & (base > 0)
        rate[ok] = scale * (values[ok] / base[ok] - 1.0)
        report.add(
            "growth_first_year",
            "set to NaN",
            f"{name}: the first year of each of {len(firsts)} region series has no previous year",
            indicator=name,
        )
        for (code, year), b in base.items():
            if (code, year) in firsts or (b > 0):
                continue
            region = str(code)
            label = _region_name(code, self.level)
            if pd.isna(b):
                why = "absent" if (code, year - 1) not in values.index else "missing"
                report.add(
                    "growth_gap",
                    "set to NaN",
                    f"{label} {name} {year}: {indicator} for {year - 1} is {why}",
                    region=region,
                    year=int(year),
                    indicator=name,
                )
            else:
                report.add(
                    "growth_base",
                    "set to NaN",
                    f"{label} {name} {year}: {indicator} for {year - 1} is {b:g} (≤ 0)",
                    region=region,
                    year=int(year),
                    indicator=name,
                )
        return self._with_indicator(
            name, rate, unit, report, f"year-on-year growth of {indicator} × {scale:g}"
        )

    # ------------------------------------------------------------------ interpolation
    def interpolate(
        self,
        indicators: Sequence[str] | None = None,
        method: Literal["linear"] = "linear",
        limit: int | None = None,
    ) -> Panel:
        r"""Fill interior gaps linearly within each region over years; never extrapolate.

        A gap is a missing value (NaN) or an absent year between the first and the last year
        with a value in a region's series of an indicator. Years before the first or after the
        last value are left alone. With ``limit``, gaps longer than ``limit`` consecutive years
        are not filled at all (and are reported as such). Every filled cell is listed in the
        report of the new panel (region, year, indicator, value).

        .. math:: x_t = x_a + (x_b - x_a) \frac{t - a}{b - a}, \quad a < t < b

        Examples
        --------
        >>> frame = pd.DataFrame({"region": "北京", "year": [2018, 2019, 2021, 2022],
        ...                       "x": [1.0, None, 4.0, None]})
        >>> panel = Panel.from_wide(frame).interpolate()
        >>> panel.wide(["x"]).x.tolist()
        [1.0, 2.0, 3.0, 4.0, nan]
        >>> [(i.year, i.repaired) for i in panel.report if i.kind == "interpolated"]
        [(2019, 2.0), (2020, 3.0)]

        """
        if method != "linear":
            raise DataValidationError(f"method must be 'linear', not {method!r}")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise DataValidationError(f"limit must be a positive integer or None, not {limit!r}")
        names = self.indicators if indicators is None else list(indicators)
        self._check_indicators(names)
        report = _copy_report(self.report)
        data = self.data
        part = data[data.indicator.isin(names)]
        observed = part.dropna(subset=["value"])[KEY + ["value"]]
        spans = observed.groupby(["indicator", "region_code"]).year.agg(["min", "max", "size"])
        spans = spans[spans["max"] - spans["min"] + 1 > spans["size"]]
        if spans.empty:
            return Panel(data.copy(), self.level, dict(self.units), report, self.attributes)
        lengths = (spans["max"] - spans["min"] + 1).to_numpy()
        grid = pd.DataFrame(
            {
                "region_code": np.repeat(spans.index.get_level_values(1), lengths),
                "year": np.concatenate(
                    [np.arange(a, b + 1) for a, b in zip(spans["min"], spans["max"], strict=True)]
                ).astype(np.int64),
                "indicator": np.repeat(spans.index.get_level_values(0), lengths),
            }
        )
        grid = grid.merge(observed, on=KEY, how="left")
        targets = grid[grid.value.isna()][KEY].sort_values("year", kind="stable")
        points = observed.sort_values("year", kind="stable")
        by = ["indicator", "region_code"]
        before = pd.merge_asof(
            targets,
            points.rename(columns={"year": "a", "value": "va"}),
            left_on="year",
            right_on="a",
            by=by,
            direction="backward",
            allow_exact_matches=False,
        )
        after = pd.merge_asof(
            targets,
            points.rename(columns={"year": "b", "value": "vb"}),
            left_on="year",
            right_on="b",
            by=by,
            direction="forward",
            allow_exact_matches=False,
        )
        gaps = before.assign(b=after["b"].to_numpy(), vb=after["vb"].to_numpy())
        gaps = gaps.sort_values(KEY, ignore_index=True)
        a_, b_ = gaps["a"].to_numpy(dtype=float), gaps["b"].to_numpy(dtype=float)
        va, vb = gaps["va"].to_numpy(dtype=float), gaps["vb"].to_numpy(dtype=float)
        gaps["value"] = va + (vb - va) * (gaps["year"].to_numpy() - a_) / (b_ - a_)
        gaps["length"] = (b_ - a_ - 1).astype(np.int64)
        too_long = (
            gaps["length"] > limit if limit is not None else pd.Series(False, index=gaps.index)
        )
        labels = {int(c): _region_name(c, self.level) for c in gaps.region_code.unique()}
        entries: list[tuple[str, int, int, str, dict]] = []
        long_gaps = gaps[too_long].drop_duplicates(["indicator", "region_code", "a"])
        for row in long_gaps.itertuples(index=False):
            a, b = int(row.a), int(row.b)
            entries.append(
                (
                    row.indicator,
                    int(row.region_code),
                    a + 1,
                    "gap_too_long",
                    {
                        "action": "not filled",
                        "message": f"{labels[int(row.region_code)]} {row.indicator}: "
                        f"{row.length} missing years {a + 1}–{b - 1} exceed limit={limit}",
                    },
                )
            )
        filled = gaps[~too_long]
        for row in filled.itertuples(index=False):
            entries.append(
                (
                    row.indicator,
                    int(row.region_code),
                    int(row.year),
                    "interpolated",
                    {
                        "action": "filled",
                        "message": f"{labels[int(row.region_code)]} {row.indicator} {row.year} "
                        f"filled linearly between {int(row.a)} ({row.va:g}) and {int(row.b)} "
                        f"({row.vb:g})",
                        "repaired": float(row.value),
                    },
                )
            )
        for name, code, year, kind, extra in sorted(entries, key=lambda e: e[:3]):
            action = extra.pop("action")
            message = extra.pop("message")
            report.add(kind, action, message, region=str(code), year=year, indicator=name, **extra)
        out = data.copy()
        located = filled[KEY + ["value"]].merge(
            out[KEY].reset_index(), on=KEY, how="left", validate="one_to_one"
        )
        present = located["index"].notna()
        if present.any():
            rows = located.loc[present, "index"].astype(np.int64).to_numpy()
            out.loc[rows, "value"] = located.loc[present, "value"].to_numpy()
        if (~present).any():
            extra_rows = located.loc[~present, KEY + ["value"]]
            out = pd.concat([out, extra_rows], ignore_index=True)
        out = out.sort_values(KEY, ignore_index=True)
        return Panel(out, self.level, dict(self.units), report, self.attributes)

    # ------------------------------------------------------------------ helpers
    def _with_indicator(
        self,
        name: str,
        values: pd.Series,
        unit: str,
        report: ValidationReport,
        definition: str,
    ) -> Panel:
        """A new panel with ``values`` (indexed by region code, year) added as ``name``.

        Records ``derived`` / ``added`` with the message ``"{name} = {definition}"``.
        """
        new = pd.DataFrame(
            {
                "region_code": values.index.get_level_values(0).astype(np.int64),
                "year": values.index.get_level_values(1).astype(np.int64),
                "indicator": name,
                "value": values.to_numpy(dtype=float),
            }
        )
        data = pd.concat([self.data, new], ignore_index=True).sort_values(KEY, ignore_index=True)
        report.add("derived", "added", f"{name} = {definition}", indicator=name)
        return Panel(data, self.level, {**self.units, name: unit}, report, self.attributes)

    def _check_indicators(self, names: Iterable[str]) -> None:
        known = set(self.data.indicator.unique())
        for name in names:
            if name not in known:
                raise DataValidationError(_unknown_indicator_message(name, known))

    def _gaps(self) -> pd.DataFrame:
        """Region-years absent inside each region's observed span of an indicator."""
        data = self.data
        spans = data.groupby(["indicator", "region_code"]).year.agg(["min", "max", "size"])
        spans = spans[spans["max"] - spans["min"] + 1 > spans["size"]]
        if spans.empty:
            return pd.DataFrame({"region_code": [], "year": [], "indicator": []})
        lengths = (spans["max"] - spans["min"] + 1).to_numpy()
        grid = pd.DataFrame(
            {
                "indicator": np.repeat(spans.index.get_level_values(0), lengths),
                "region_code": np.repeat(spans.index.get_level_values(1), lengths),
                "year": np.concatenate(
                    [np.arange(a, b + 1) for a, b in zip(spans["min"], spans["max"], strict=True)]
                ),
            }
        )
        merged = grid.merge(data[KEY], on=KEY, how="left", indicator=True)
        return merged.loc[merged["_merge"] == "left_only", KEY].reset_index(drop=True)


# ---------------------------------------------------------------------- expression evaluator
_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "ln": np.log,
    "log10": np.log10,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
_BINARY = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_BACKTICK = re.compile(r"`([^`]+)`")


def _q(name: str) -> str:
    """Quote an indicator name for an expression when it is not an identifier."""
    plain = name.isidentifier() and not keyword.iskeyword(name) and name not in _FUNCTIONS
    return name if plain else f"`{name}`"


def _parse_expression(expression: str, known: Sequence[str]) -> tuple[ast.Expression, dict]:
    """Parse with backtick names replaced by placeholders; check every node and name.

    An expression that is exactly one known name is that name, whatever characters it holds
    (``R&D人员``). Any other error names the names that need backticks.
    """
    if not isinstance(expression, str) or not expression.strip():
        raise DataValidationError("the expression is empty")
    known_set = set(known)
    text = expression.strip()
    if text in known_set and "`" not in text:
        text = f"`{text}`"
    try:
        return _check_expression(text, expression, known_set)
    except DataValidationError as exc:
        hint = _backtick_hint(expression, known_set)
        if hint is None:
            raise
        raise DataValidationError(f"{exc}; {hint}") from None


def _backtick_hint(expression: str, known: set[str]) -> str | None:
    """Advice for names that are not identifiers written without backticks, if any."""
    bare = _BACKTICK.sub(" ", expression)
    named = sorted((n for n in known if _q(n) != n and n in bare), key=len, reverse=True)
    if named:
        quoted = ", ".join(f"`{n}`" for n in named[:3])
        return f"write names that are not plain identifiers in backticks: {quoted}"
    words = [
        w
        for w in re.findall(r"[^\s()`,]+", bare)
        if any(c.isalpha() for c in w) and not w.isidentifier()
    ]
    for word in words:
        match = _UNIT_IN_HEADER.match(word)
        if match and match.group("name").strip() in known:
            base = match.group("name").strip()
            return f"column {word!r} is the variable {base!r}: write {_q(base)}, without the unit"
    if words:
        return f"if {words[0]!r} is one name, write it in backticks: `{words[0]}`"
    return None


def _check_expression(
    text: str, expression: str, known_set: set[str]
) -> tuple[ast.Expression, dict]:
    names: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"__v{len(names)}__"
        names[key] = match.group(1)
        return key

    text = _BACKTICK.sub(placeholder, text)
    try:
        parsed = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise DataValidationError(f"cannot parse expression {expression!r}: {exc.msg}") from None
    for node in ast.walk(parsed):
        if isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            if isinstance(node, ast.operator) and type(node) not in _BINARY:
                raise DataValidationError(
                    f"operator {type(node).__name__} is not allowed in {expression!r}; "
                    "use + - * / ** and parentheses"
                )
            if isinstance(node, ast.unaryop) and not isinstance(node, ast.USub | ast.UAdd):
                raise DataValidationError(f"{type(node).__name__} is not allowed in {expression!r}")
            continue
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            continue
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise DataValidationError(
                    f"constant {node.value!r} is not a number in {expression!r}"
                )
            continue
        if isinstance(node, ast.Call):
            func = node.func
            if (
                not isinstance(func, ast.Name)
                or func.id not in _FUNCTIONS
                or node.keywords
                or len(node.args) != 1
            ):
                shown = ast.unparse(node)
                raise DataValidationError(
                    f"call {shown!r} is not allowed in {expression!r}; functions take one "
                    f"argument and are {sorted(_FUNCTIONS)}"
                )
            continue
        if isinstance(node, ast.Name):
            if node.id in _FUNCTIONS and _is_called(parsed, node):
                continue
            name = names.get(node.id, node.id)
            if name not in known_set:
                raise DataValidationError(_unknown_indicator_message(name, known_set))
            names[node.id] = name
            continue
        raise DataValidationError(
            f"{type(node).__name__} ({ast.unparse(node)!r}) is not allowed in {expression!r}; "
            "use indicator names, numbers, + - * / **, parentheses and "
            f"{', '.join(sorted(_FUNCTIONS))}"
        )
    used = {k: v for k, v in names.items() if v in known_set}
    return parsed, used


def _is_called(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


class _Evaluator:
    """Walk a checked expression tree over the columns of a wide table."""

    def __init__(
        self, table: pd.DataFrame, names: Mapping[str, str], level: Level, expression: str
    ) -> None:
        self.table = table
        self.names = names
        self.level = level
        self.expression = expression

    def visit(self, node: ast.AST) -> np.ndarray | float:
        if isinstance(node, ast.Constant):
            return float(node.value)  # type: ignore[arg-type]
        if isinstance(node, ast.Name):
            return self.table[self.names[node.id]].to_numpy(dtype=float)
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            func = node.func.id
            argument = self.visit(node.args[0])
            if func in ("log", "ln", "log10", "sqrt"):
                self._check_domain(func, node.args[0], argument, strict=func != "sqrt")
            return _FUNCTIONS[func](np.asarray(argument, dtype=float))
        raise DataValidationError(f"cannot evaluate {ast.unparse(node)!r}")  # pragma: no cover

    def _check_domain(
        self, func: str, node: ast.AST, argument: np.ndarray | float, strict: bool
    ) -> None:
        values = np.broadcast_to(np.asarray(argument, dtype=float), (len(self.table),))
        bad = (values <= 0) if strict else (values < 0)
        if not bad.any():
            return
        cells = [
            f"{_region_name(code, self.level)} {year}: {values[i]:g}"
            for i, (code, year) in enumerate(self.table.index)
            if bad[i]
        ]
        what = "non-positive" if strict else "negative"
        raise DataValidationError(
            f"{func}({ast.unparse(node)}) in {self.expression!r} has {len(cells)} {what} "
            f"argument(s): " + "; ".join(cells[:8]) + (" …" if len(cells) > 8 else "")
        )


def _unknown_indicator_message(name: str, known: Iterable[str]) -> str:
    pool = sorted(known)
    close = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    msg = f"unknown indicator {name!r}"
    if close:
        msg += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    elif len(pool) <= 12:
        msg += f"; the panel has {pool}"
    else:
        msg += f"; the panel has {len(pool)} indicators (see Panel.indicators)"
    return msg


def _ratio_unit(numerator: str, denominator: str, scale: float) -> str:
    if not numerator and not denominator:
        return ""
    unit = f"{numerator or '1'}/{denominator or '1'}"
    return unit if scale == 1 else f"{scale:g}×{unit}"


# ---------------------------------------------------------------------- input helpers
def _region_name(code: object, level: Level) -> str:
    try:
        return name_of(int(code), "zh", level)  # type: ignore[call-overload]
    except UnknownRegionError:
        return str(code)


def _copy_report(report: ValidationReport) -> ValidationReport:
    return ValidationReport(list(report.issues))


def _normalize_column(
    column: pd.Series,
    level: Level,
    aliases: Mapping[str, str] | None,
    report: ValidationReport,
    locate: Callable[[object], str],
    row_of: Callable[[object], int | None],
    source: str | None,
) -> list[int]:
    """Region codes of a column; one report entry per distinct spelling that needed a repair."""
    text = column.astype("string").str.strip()
    empty = (text.isna() | (text == "")).to_numpy()
    if empty.any():
        rows = column.index[empty]
        raise DataValidationError(
            f"{len(rows)} row(s) without a region: " + "; ".join(locate(i) for i in rows[:5])
        )
    positions, uniques = pd.factorize(column.astype("string"))
    first = np.unique(positions, return_index=True)[1]
    codes = np.empty(len(uniques), dtype=np.int64)
    for k, name in enumerate(uniques):
        label = column.index[first[k]]
        where = locate(label)
        found = ValidationReport()
        codes[k] = normalize([name], level, aliases=aliases, where=where, report=found)[0]
        row = row_of(label)
        for issue in found:  # alias or former name, located in the user's file
            report.issues.append(replace(issue, source=source, row=row))
        how = None if found.issues else spelling_repair(name, level)
        if how is not None:
            short = name_of(int(codes[k]), "short", level)
            n_rows = len({row_of(i) for i in column.index[positions == k]})
            report.add(
                "name",
                "repaired",
                f"{name!r} read as {short!r} ({how}; {n_rows} row(s), first {where})",
                source=source,
                row=row,
                region=str(codes[k]),
                original=name,
                repaired=short,
            )
    return codes[positions].tolist()


# ---------------------------------------------------------------------- number cells
_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space
_EXPONENT = "(?:[eE][+-]?[0-9]+)?"
#: A plain number with the decimal mark of the key (ASCII digits only).
_PLAIN = {
    ".": re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)" + _EXPONENT),
    ",": re.compile(r"[+-]?(?:[0-9]+,?[0-9]*|,[0-9]+)" + _EXPONENT),
}
#: Thousands groups of exactly three digits, one separator throughout, then the decimal part.
_GROUPED = {
    ".": re.compile(
        rf"[+-]?[0-9]{{1,3}}(?P<sep>[,{_SPACES}])[0-9]{{3}}(?:(?P=sep)[0-9]{{3}})*(?:\.[0-9]*)?"
    ),
    ",": re.compile(
        rf"[+-]?[0-9]{{1,3}}(?P<sep>[.{_SPACES}])[0-9]{{3}}(?:(?P=sep)[0-9]{{3}})*(?:,[0-9]*)?"
    ),
}
_NOT_FINITE = re.compile(r"[+-]?(?:inf(?:inity)?|nan)", re.IGNORECASE)
_SEPARATED = re.compile(rf"[+-]?[0-9][0-9.,{_SPACES}]*[0-9]?")
_NOT_A_NUMBER = "not a number"


def _read_number(cell: object, decimal: str) -> float | str:
    """The number in one cell (NaN when missing) or why it is not a number, with the fix."""
    if isinstance(cell, str):
        text = cell.strip()
        if _PLAIN[decimal].fullmatch(text):
            normal = text.replace(",", ".") if decimal == "," else text
        elif grouped := _GROUPED[decimal].fullmatch(text):
            normal = text.replace(grouped["sep"], "")
            normal = normal.replace(",", ".") if decimal == "," else normal
        elif text in MISSING_TEXT:
            return math.nan
        else:
            normal = ""
        if normal:
            number = float(normal)
            return number if math.isfinite(number) else "too large for a number"
        if _NOT_FINITE.fullmatch(text):
            return "not a finite number: leave the cell empty if the value is missing"
        return _why_not(text, decimal)
    if isinstance(cell, bool | np.bool_) or not isinstance(cell, int | float | np.number):
        return math.nan if cell is None or cell is pd.NA else _NOT_A_NUMBER
    number = float(cell)
    return number if math.isfinite(number) or math.isnan(number) else "not a finite number"


def _why_not(text: str, decimal: str) -> str:
    """Why a cell of digits and separators is refused, and how to write it."""
    if not _SEPARATED.fullmatch(text):
        return _NOT_A_NUMBER
    if decimal == "." and text.count(",") == 1 and not text.rsplit(",", 1)[1].strip("0123456789"):
        return (
            "a decimal comma? Write it with a decimal point (1234.5) or read the file with "
            "decimal=',' (--decimal , on the command line). Thousands separators need groups of "
            "exactly 3 digits"
        )
    if decimal == "," and text.count(".") == 1 and "," not in text:
        return (
            "a decimal point, but the file is read with decimal=',' where '.' separates "
            "thousands: write 1234,5 or read the file without decimal=','"
        )
    return "ambiguous separators: thousands groups must have exactly 3 digits (1,234,567)"


def _check_decimal(decimal: str) -> str:
    if decimal not in _PLAIN:
        raise DataValidationError(f"decimal must be '.' or ',', not {decimal!r}")
    return decimal


def parse_number(cell: object, *, decimal: str = ".") -> float:
    """One cell as a number by the rules of :func:`parse_numbers` (NaN when missing).

    Raises
    ------
    DataValidationError
        A cell that is not a number, saying why and how to write it.

    Examples
    --------
    >>> parse_number("1,234,567.5"), parse_number("1 234"), parse_number("—")
    (1234567.5, 1234.0, nan)
    >>> parse_number("1.234,5", decimal=",")
    1234.5
    >>> parse_number("1,23")
    Traceback (most recent call last):
    ...
    nqpf.errors.DataValidationError: '1,23' is not read as a number: a decimal comma? Write \
it with a decimal point (1234.5) or read the file with decimal=',' (--decimal , on the \
command line). Thousands separators need \
groups of exactly 3 digits

    """
    number = _read_number(cell, _check_decimal(decimal))
    if isinstance(number, str):
        raise DataValidationError(f"{cell!r} is not read as a number: {number}")
    return number


def parse_numbers(
    cells: pd.Series,
    *,
    decimal: str = ".",
    what: str = "value",
    where: Callable[[object], str] | None = None,
) -> pd.Series:
    """The numbers in a column of user cells: the one number parser of every table reader.

    Plain numbers (ASCII digits, an optional sign and exponent) are read as :func:`float`
    reads them. Thousands separators (``,``, a space or a no-break space; ``.`` or a space
    with ``decimal=","``) are accepted only in groups of exactly three digits, one separator
    throughout (``1,234,567``, ``1 234``). A decimal comma (``1234,5``, ``1.234,5``) is read
    only with ``decimal=","``, which makes ``1,234`` one point two three four. Blank cells and
    :data:`MISSING_TEXT` (``—``, ``-``, ``N/A`` ...) are missing (NaN); ``inf``, ``nan`` as
    text, infinite numbers and everything else are refused.

    Parameters
    ----------
    cells
        The column (text, numbers or a mix, as read from a file).
    decimal
        ``"."`` (default) or ``","``.
    what
        What the cells hold, for the message (``"value"``, ``"year"``).
    where
        Names the cell of an index label in messages (file row and column); the label itself
        by default.

    Raises
    ------
    DataValidationError
        Cells that are not numbers: how many, the first five with their place, text and how
        to write them.

    Examples
    --------
    >>> parse_numbers(pd.Series(["1,204", " 7.5", "—", None, "2e3"])).tolist()
    [1204.0, 7.5, nan, nan, 2000.0]
    >>> parse_numbers(pd.Series(["1,5", "2.000,25"]), decimal=",").tolist()
    [1.5, 2000.25]

    """
    _check_decimal(decimal)
    if pd.api.types.is_numeric_dtype(cells) and not pd.api.types.is_bool_dtype(cells):
        numbers = cells.to_numpy(dtype=float)
        reasons = np.where(np.isinf(numbers), "not a finite number", "")
    else:
        objects = cells.astype(object)
        if pd.api.types.infer_dtype(objects, skipna=True) not in ("string", "empty"):
            flags = objects.map(lambda c: isinstance(c, bool | np.bool_))
            objects = objects.where(~flags, objects.astype(str))  # TRUE/FALSE: not 1 and 0
        codes, uniques = pd.factorize(objects, use_na_sentinel=True)
        read = [_read_number(u, decimal) for u in uniques]
        known = np.array([r if isinstance(r, float) else math.nan for r in read] + [math.nan])
        why = np.array([r if isinstance(r, str) else "" for r in read] + [""], dtype=object)
        numbers, reasons = known[codes], why[codes]
    bad = np.flatnonzero(reasons != "")
    if bad.size:
        name = where or (lambda label: f"row {show(label)}")
        shown = [f"{name(cells.index[k])} ({show(cells.iloc[k])}): {reasons[k]}" for k in bad[:5]]
        raise DataValidationError(f"{bad.size} non-numeric {what} cell(s): " + "; ".join(shown))
    return pd.Series(numbers, index=cells.index, dtype=float)


def _text_only(column: pd.Series) -> bool:
    """Whether a column has values and none of them reads as a number (a label column)."""
    read = [_read_number(c, ".") for c in column.dropna().unique()]
    present = [r for r in read if not (isinstance(r, float) and math.isnan(r))]
    return bool(present) and all(r == _NOT_A_NUMBER for r in present)


def describe_missing(cells: pd.Series) -> str:
    """How many cells of a column were read as missing, by what they held.

    Examples
    --------
    >>> describe_missing(pd.Series(["—", None, " ", "—"]))
    "4 cell(s) read as missing ('—' ×2, blank ×2)"

    """
    marks = cells.astype("string").str.strip().fillna("").value_counts(sort=False)
    kinds = ", ".join(f"{m!r} ×{n}" if m else f"blank ×{n}" for m, n in marks.items())
    return f"{len(cells)} cell(s) read as missing ({kinds})"


def _report_missing(
    cells: pd.Series,
    values: pd.Series,
    indicators: pd.Series,
    report: ValidationReport,
    locate: Callable[[object], str],
    row_of: Callable[[object], int | None],
    source: str | None,
) -> None:
    """One report entry per indicator whose text cells were read as missing (blank or marked)."""
    if pd.api.types.is_numeric_dtype(cells):
        return
    missing = values.isna().to_numpy()
    for name, marks in cells[missing].groupby(indicators[missing].to_numpy(), sort=False):
        first = marks.index[0]
        report.add(
            "missing",
            "read as missing",
            f"{name}: {describe_missing(marks)}, first {locate(first)}",
            source=source,
            row=row_of(first),
            indicator=str(name),
        )


def _check_duplicates(data: pd.DataFrame, level: Level, describe: Callable[[object], str]) -> None:
    dup = data.duplicated(KEY, keep=False)
    if dup.any():
        shown = []
        for key, group in data[dup].groupby(KEY, sort=False):
            code, year, name = key
            rows = ", ".join(describe(i) for i in group.index[:3])
            shown.append(f"{_region_name(code, level)} {year} {name!r} ({rows})")
            if len(shown) == 5:
                break
        raise DuplicateError(
            f"{int(dup.sum())} rows share a region-year-indicator: " + "; ".join(shown)
        )


def _attribute_frame(keep: Sequence[str]) -> pd.DataFrame:
    """An empty attributes table with the given text columns."""
    frame = pd.DataFrame(
        {"region_code": pd.Series(dtype=np.int64), "year": pd.Series(dtype=np.int64)}
    )
    for column in keep:
        frame[column] = pd.Series(dtype="string")
    return frame


def _attributes(
    frame: pd.DataFrame,
    data: pd.DataFrame,
    keep: Sequence[str],
    level: Level,
    describe: Callable[[object], str],
) -> pd.DataFrame:
    """One row per region-year of the kept text columns (two values in one is an error)."""
    if not keep:
        return _attribute_frame([])
    table = data[["region_code", "year"]].copy()
    for column in keep:
        text = frame[column].astype("string").str.strip()
        table[column] = text.mask(text.isin(MISSING_TEXT))
    for column in keep:
        values = table.groupby(["region_code", "year"])[column].nunique()
        clash = values[values > 1]
        if not clash.empty:
            code, year = clash.index[0]
            rows = table.index[(table.region_code == code) & (table.year == year)]
            shown = "; ".join(f"{describe(i)}: {table.at[i, column]!r}" for i in rows[:3])
            raise DataValidationError(
                f"kept column {column!r} has several values for {_region_name(code, level)} "
                f"{year}: {shown}"
            )
    table = table.groupby(["region_code", "year"], as_index=False).first()
    return table.sort_values(["region_code", "year"], ignore_index=True)


def _header_key(text: object) -> str:
    return re.sub(r"[\s_]+", "", str(text)).casefold()


def _find_header(headers: Sequence[str], given: str, what: str, source: str) -> str:
    """The header the user named (exactly, else ignoring case, spaces and underscores)."""
    if given in headers:
        return given
    matches = [h for h in headers if _header_key(h) == _header_key(given)]
    if len(matches) == 1:
        return matches[0]
    raise DataValidationError(
        f"{source}: {what} column {given!r} not found; the headers are {list(headers)}"
    )


def _map_headers(
    columns: Sequence[object], forced: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Role of each recognised header; ``forced`` (role → header) overrides the recognition."""
    forced = dict(forced or {})
    lookup = {_header_key(n): role for role, names in HEADER_NAMES.items() for n in names}
    roles: dict[str, str] = {column: role for role, column in forced.items()}
    taken: dict[str, str] = dict(forced)
    for column in columns:
        role = lookup.get(_header_key(column))
        if role is None or str(column) in roles or role in forced:
            continue
        if role in taken:
            choose = f"; name the one to use ({role}=...)" if role in ("region", "year") else ""
            raise DataValidationError(
                f"columns {taken[role]!r} and {column!r} both look like the {role} column{choose}"
            )
        taken[role] = str(column)
        roles[str(column)] = role
    return roles


def _accepted_names(roles: Iterable[str]) -> str:
    parts = [f"{role}: {', '.join(HEADER_NAMES[role])}" for role in roles]
    return "accepted headers are " + "; ".join(parts)


#: The first bytes of file types that are not tables, and what to call them in messages.
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 (.xls) or password-protected workbook"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xfe", "UTF-16 text (Excel's 'Unicode text')"),
    (b"\xfe\xff", "UTF-16 text (Excel's 'Unicode text')"),
)
_ZIP, _OLE2 = _SIGNATURES[0][1], _SIGNATURES[1][1]


def _file_kind(path: Path) -> str:
    """What the first bytes of a file say it is: one of :data:`_SIGNATURES`, binary or text."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return "a binary file" if b"\x00" in head else "text"


def read_table(
    path: str | Path, *, sheet: str | int | None = None, report: ValidationReport | None = None
) -> pd.DataFrame:
    r"""Read a user table as text cells: CSV/TXT (UTF-8, else GB18030) or one XLSX sheet.

    The index holds the spreadsheet row numbers (the header is row 1). Rows without any value
    are dropped; they, the encoding fallback and the choice of sheet are recorded in
    ``report``. Files above :data:`MAX_TABLE_BYTES` (200 MB) are refused: such tables hold
    record-level data, to be aggregated to region-year values before they are read here.

    Raises
    ------
    FileNotFoundError
        No such file.
    DataValidationError
        An unsupported file type; a file that is empty, too large, or not what its name says
        (an image, a binary file, a text file named ``.xlsx``, a workbook named ``.csv``); an
        undecodable or malformed CSV; an unknown sheet; a table without data rows.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("region,year,x\n北京,2020,1\n\n上海,2020,2\n", encoding="utf-8")
    >>> read_table(path)
      region  year  x
    2     北京  2020  1
    4     上海  2020  2

    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    report = ValidationReport() if report is None else report
    suffix, source = path.suffix.lower(), path.name
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise DataValidationError(
            f"{source}: unsupported file type {suffix!r}; use .csv, .txt or .xlsx"
        )
    size = path.stat().st_size
    if size == 0:
        raise DataValidationError(
            f"{source} is empty (0 bytes); expected a table with a header row and one row per "
            "region and year"
        )
    if size > MAX_TABLE_BYTES:
        raise DataValidationError(
            f"{source} is {size / 1024**2:.0f} MB, above the {MAX_TABLE_BYTES // 1024**2} MB "
            "limit for region-year tables; aggregate record-level data to one value per "
            "region, year and indicator first (e.g. with DuckDB) and read that table"
        )
    kind = _file_kind(path)
    if suffix in (".csv", ".txt"):
        if kind == _ZIP:
            raise DataValidationError(
                f"{source} is {kind} (an Excel .xlsx workbook?), not comma-separated text; "
                "if it is a workbook, rename it .xlsx"
            )
        if kind != "text":
            raise DataValidationError(
                f"{source} is {kind}, not comma-separated text; save the table as CSV "
                "(UTF-8 or GB18030) or .xlsx"
            )
        frame = _read_csv_text(path, report, source)
    else:
        if kind == "text":
            raise DataValidationError(
                f"{source} is a text file, not an Excel workbook; if it is comma-separated, "
                "rename it .csv"
            )
        if kind != _ZIP:
            raise DataValidationError(
                f"{source} is {kind}, not an Excel workbook (.xlsx); save it as .xlsx"
                + (" without a password" if kind == _OLE2 else "")
            )
        frame = _read_excel_text(path, sheet, report, source)
    if frame.columns.empty:
        raise DataValidationError(f"{source} has no header row; expected column headers in row 1")
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # spreadsheet row numbers
    cells = frame.astype("string").apply(lambda c: c.str.strip())
    empty = (cells.isna() | (cells == "")).all(axis=1)
    if empty.any():
        rows = frame.index[empty]
        report.add(
            "empty_row",
            "dropped",
            f"{source}: {len(rows)} row(s) without any value dropped (rows "
            + ", ".join(str(r) for r in rows[:10])
            + (" …" if len(rows) > 10 else "")
            + ")",
            source=source,
            row=int(rows[0]),
        )
        frame = frame[~empty]
    if frame.empty:
        raise DataValidationError(
            f"{source} has a header row ({', '.join(map(str, frame.columns))}) but no data rows"
        )
    return frame


def _read_csv_text(path: Path, report: ValidationReport, source: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                skip_blank_lines=False,
            )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise DataValidationError(
                f"{source} holds no table (only blank lines); expected a header row"
            ) from None
        except pd.errors.ParserError as err:
            raise DataValidationError(
                f"{source} is not a well-formed CSV table ({str(err).strip()}); every row needs "
                "as many cells as the header, and cells holding commas need quotes"
            ) from None
        if encoding != "utf-8-sig":
            report.add(
                "encoding", "read", f"{source} is not UTF-8; read as {encoding}", source=source
            )
        return frame
    raise DataValidationError(
        f"{source}: cannot decode the file as UTF-8 or GB18030; save it as CSV UTF-8"
    )


def _read_excel_text(
    path: Path, sheet: str | int | None, report: ValidationReport, source: str
) -> pd.DataFrame:
    openpyxl = require("openpyxl", "reading Excel workbooks")

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise DataValidationError(
            f"{source} is a ZIP archive but not a readable Excel workbook ({err}); open and "
            "save it again as .xlsx"
        ) from None
    try:
        names = book.sheetnames
    finally:
        book.close()
    if sheet is None:
        sheet = names[0]
        if len(names) > 1:
            report.add(
                "sheet",
                "read",
                f"{source} has sheets {names}; read the first, "
                f"{names[0]!r} (pass sheet= to choose)",
                source=source,
            )
    elif isinstance(sheet, str) and sheet not in names:
        raise DataValidationError(f"{source}: no sheet {sheet!r}; the sheets are {names}")
    elif isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise DataValidationError(f"{source}: sheet position {sheet} out of range; {names}")
    frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _drop_empty_columns(frame: pd.DataFrame, report: ValidationReport, source: str) -> pd.DataFrame:
    keep = []
    for column in frame.columns:
        header = str(column).strip()
        unnamed = header == "" or header.startswith("Unnamed:")
        if not unnamed:
            keep.append(column)
            continue
        cells = frame[column].astype("string").str.strip()
        if (cells.isna() | (cells == "")).all():
            report.add(
                "header",
                "dropped",
                f"{source}: empty column without a header dropped",
                source=source,
                original=header,
            )
        else:
            raise DataValidationError(
                f"{source}: a column without a header holds data (e.g. "
                f"{cells.dropna().iloc[0]!r}); give it a header"
            )
    return frame[keep]


def _check_name_code_agreement(
    frame: pd.DataFrame, name_col: str, code_col: str, level: Level, source: str
) -> None:
    pairs = frame[[name_col, code_col]].astype("string").drop_duplicates()
    for name, code in pairs.itertuples(index=False):
        if pd.isna(name) or pd.isna(code):
            continue
        by_name = normalize([name], level, where=source)[0]
        by_code = normalize([code], level, where=source)[0]
        if by_name != by_code:
            raise DataValidationError(
                f"{source}: region {name!r} does not match its code {code!r} "
                f"({_region_name(by_code, level)})"
            )
