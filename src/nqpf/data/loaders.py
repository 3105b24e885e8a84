"""Loaders of the bundled real datasets.

Every loader returns a :class:`Loaded`: the tidy data, the rows kept apart (national and
regional aggregates, units outside the region registry), the units, and a
:class:`~nqpf.validation.ValidationReport` listing every repair made on the way in. Nothing is
dropped or changed silently.

Tidy columns (``layout == "long"``): ``region_code, region, year, indicator, value, unit,
source, table, code``. ``indicator`` is the stable snake_case name of
:func:`nqpf.data.variables`; ``table`` and ``code`` say where the value sits in the source.
In report issues, ``row`` is the line of the bundled CSV file (the header is line 1).

Parsed files are cached; every call returns fresh copies, so changing a result never changes
what the next call returns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.data._files import raw_table
from nqpf.data.catalog import corrections, variables
from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError
from nqpf.panel import Panel
from nqpf.regions import Level, check_level, cities, normalize, provinces
from nqpf.results import Result, Summary, make_meta
from nqpf.validation import ValidationReport

__all__ = [
    "PROVINCE_ISO_CODES",
    "Loaded",
    "load_capital_stock_inputs",
    "load_city_census",
    "load_city_connectivity",
    "load_city_master",
    "load_co2_emissions",
    "load_prefecture_components",
    "load_province_components",
    "load_province_gdp",
    "load_province_panel",
    "load_province_sci_tech",
    "load_technology_market",
    "load_urban_agglomerations",
]

TIDY = ["region_code", "region", "year", "indicator", "value", "unit", "source", "table", "code"]

SCI_TECH = "cn_province_sci_tech"
GDP = "province_gdp_structure_1952_2022"
COMPONENTS = "province_panel_gpi_components_1985_2018"
CENSUS = "census_city_population_2010_2020"
MASTER = "city_master"
PREFECTURE = "prefecture_panel_gpi_components_2006_2018"
AGGLOMERATIONS = "urban_agglomerations_curated"
CROSSWALK = "prefecture_crosswalk"
CONNECTIVITY = "city_innovation_connectivity_2016_2017"
CAPITAL = "province_capital_stock_inputs_1952_2022"
CO2 = "ceads_co2_emissions_1997_2019"

#: Names of national and macro-regional aggregate rows in yearbook tables.
AGGREGATE_NAMES: dict[str, str] = {
    "全国": "national total",
    "中国": "national total",
    "东部地区": "East (NBS macro-region) total",
    "中部地区": "Central (NBS macro-region) total",
    "西部地区": "West (NBS macro-region) total",
    "东北地区": "Northeast (NBS macro-region) total",
}


@dataclass(frozen=True, repr=False)
class Loaded(Result):
    """A loaded dataset with its validation report.

    A :class:`~nqpf.results.Result`: :meth:`to_frame` is a copy of ``data``, :meth:`summary`
    describes the indicators (or columns) and the repairs, ``meta`` names the dataset.

    Attributes
    ----------
    name
        Dataset name as in :func:`nqpf.data.catalog`.
    data
        Tidy long table (``layout == "long"``, columns :data:`TIDY`) or, for the city master
        list and the urban-agglomeration membership, a plain table (``layout == "table"``).
    report
        Every repair, every missing cell and every flagged problem.
    kept_apart
        Rows not in ``data``: national and regional aggregates (``reason == "aggregate"``) and
        units outside the region registry (``reason == "abolished unit"``), same columns as
        ``data`` plus ``reason``.
    level
        ``"province"`` or ``"city"``.
    units
        Indicator → unit.
    layout
        ``"long"`` (a panel) or ``"table"``.

    """

    name: str
    data: pd.DataFrame
    report: ValidationReport
    kept_apart: pd.DataFrame
    level: Level
    units: dict[str, str] = field(default_factory=dict)
    layout: Literal["long", "table"] = "long"

    def __post_init__(self) -> None:
        if not self.meta:
            meta = make_meta(
                "load_dataset",
                dataset=self.name,
                level=self.level,
                layout=self.layout,
                n=len(self.data),
                kept_apart=len(self.kept_apart),
                issues=len(self.report),
            )
            object.__setattr__(self, "meta", meta)

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`data`."""
        return self.data.copy()

    def summary(self) -> Summary:
        """Indicators (unit, coverage, missing values) or table columns, and the issues."""
        if self.layout == "long":
            by = self.data.groupby("indicator", sort=True)
            content = pd.DataFrame(
                {
                    "单位 Unit": by["unit"].first(),
                    "地区 Regions": by["region_code"].nunique(),
                    "起始年 First year": by["year"].min(),
                    "终止年 Last year": by["year"].max(),
                    "值 Values": by["value"].count(),
                    "缺失 Missing": by["value"].size() - by["value"].count(),
                }
            )
            caption = "指标 Indicators"
        else:
            content = pd.DataFrame(
                {
                    "非空 Non-missing": self.data.notna().sum(),
                    "类型 Type": self.data.dtypes.astype(str),
                }
            )
            caption = "列 Columns"
        tables = [(caption, content)]
        if len(self.report):
            tables.append(("校验 Validation issues", self.report.counts()))
        notes = (f"{len(self.data)} rows; {len(self.kept_apart)} rows kept apart.",)
        return Summary(f"数据集 Dataset: {self.name}", tuple(tables), notes=notes)

    @property
    def aggregates(self) -> pd.DataFrame:
        """The national and macro-regional total rows kept apart from the regions."""
        rows = self.kept_apart[self.kept_apart.reason == "aggregate"]
        return rows.reset_index(drop=True)

    def to_panel(self) -> Panel:
        """Return the data as a :class:`~nqpf.panel.Panel` (report included).

        Raises
        ------
        DataValidationError
            For a dataset that is a plain table, not a region × year panel.

        """
        if self.layout != "long":
            raise DataValidationError(
                f"{self.name} is a {self.layout}, not a region × year panel; use .data"
            )
        data = self.data[["region_code", "year", "indicator", "value"]].copy()
        data["region_code"] = data.region_code.astype(np.int64)
        data = data.sort_values(["region_code", "year", "indicator"], ignore_index=True)
        report = ValidationReport(list(self.report.issues))
        return Panel(data, self.level, dict(self.units), report)

    def copy(self) -> Loaded:
        """Return a deep copy (frames, report list and units)."""
        return Loaded(
            self.name,
            self.data.copy(),
            ValidationReport(list(self.report.issues)),
            self.kept_apart.copy(),
            self.level,
            dict(self.units),
            self.layout,
        )

    def __repr__(self) -> str:
        return (
            f"Loaded({self.name!r}, level={self.level!r}, layout={self.layout!r}, "
            f"rows={len(self.data)}, kept_apart={len(self.kept_apart)}, "
            f"issues={len(self.report)})"
        )


# ---------------------------------------------------------------------- public loaders
def load_province_sci_tech() -> Loaded:
    """Provincial science & technology tables (14 yearbook tables) and certified high-tech firms.

    Repairs, each listed in the report: names with whitespace and look-alike typos, and unit
    labels, through :func:`nqpf.data.corrections`; the aggregate rows (全国, 东部地区 — spelled
    尔部地区 once) are kept apart in ``.aggregates``; the 304 empty cells are kept as NaN
    (kind ``missing``); rows absent from a table-year are added as NaN (kind ``absent``) so that
    each table-year-indicator holds the 31 provinces. RDSource and RDActivity share the code
    ``v4_zh_nbzc_hj``: the former is named ``rd_exp_funds_total`` and checked cell by cell
    against ``rd_exp``; ``rd_exp_100m`` (亿元) is checked against ``rd_exp`` / 10,000.

    Examples
    --------
    >>> loaded = load_province_sci_tech()
    >>> national = loaded.aggregates.query("indicator == 'rd_exp' and year == 2023")
    >>> int(national.value.item())
    333570688
    >>> loaded.data.query("indicator == 'rd_intensity' and year == 2023 "
    ...                   "and region == '北京市'").value.item()
    6.73

    """
    return _sci_tech().copy()


def load_province_gdp() -> Loaded:
    """Provincial GDP (亿元, current prices) and three-sector shares (%), 1952–2022.

    The national total (中国) is kept apart. Sector shares printed as 0, 0, 0 (Shanghai and
    Tianjin 1990) are blanks and set to NaN (kind ``zero_as_missing``); rows whose shares do not
    add up to 100 ± 0.5 are flagged (kind ``inconsistent``).

    Examples
    --------
    >>> data = load_province_gdp().data
    >>> data.query("region == '广东省' and year == 2020 and indicator == 'gdp'").value.item()
    110760.94

    """
    return _gdp().copy()


def load_province_components() -> Loaded:
    """Provincial socio-economic panel 1985–2018 (population, employment, wages, spending …).

    Units are given in Chinese (万人, 元, 亿元 …; the source labels are in
    :func:`nqpf.data.variables`). Missing cells are kept as NaN and listed; an indicator that
    repeats one value for every province (weekly working hours) is flagged.

    Examples
    --------
    >>> data = load_province_components().data
    >>> data.query("region == '北京市' and year == 2018 and indicator == 'population'").value.item()
    2154.0

    """
    return _components().copy()


def load_city_census() -> Loaded:
    """Census 2010 and 2020 by prefecture-level unit (369 units incl. Hong Kong and Macao).

    Indicators ``census_population`` (persons), urban/rural population, household size, sex
    ratio and age shares. Blank cells are kept as NaN and listed.

    Examples
    --------
    >>> data = load_city_census().data
    >>> data.query("region == '北京市' and year == 2020 "
    ...            "and indicator == 'census_population'").value.item()
    21893095.0

    """
    return _census().copy()


def load_city_master() -> Loaded:
    """City master list (``layout == "table"``): codes, province, centroid, seat, entity id.

    Columns: ``region_code, region, province_code, province, admin_type, centroid_lon,
    centroid_lat, seat_lon, seat_lat, entity_id``. Missing seat coordinates and a centroid far
    from the seat (三沙市) are flagged in the report.

    Examples
    --------
    >>> master = load_city_master()
    >>> len(master.data), master.data.admin_type.value_counts()["municipality"]
    (369, np.int64(4))

    """
    return _master().copy()


def load_prefecture_components() -> Loaded:
    """Prefecture-level city panel 2006–2018 (population, employment, wages, real GDP, spending).

    The source authors IMPUTED missing values (see :func:`nqpf.data.catalog`); GDP is at
    constant 1997 prices; the 4 municipalities are absent. Names go through
    :func:`nqpf.regions.normalize` (level ``"city"``). Five pairs of cities sharing an English
    name (Fuzhou 福州/抚州, Suzhou 苏州/宿州, Taizhou 台州/泰州, Yichun 伊春/宜春, Yulin
    榆林/玉林) carry both series in the source; each city keeps the series whose 2010
    population matches its 2010 census population, and the other copy is dropped and reported
    (kind ``homonym``). 莱芜 (merged into 济南 in 2019) is kept apart with its former code.

    Examples
    --------
    >>> data = load_prefecture_components().data
    >>> data.query("region == '深圳市' and year == 2018 and indicator == 'population'").value.item()
    1302.66

    """
    return _prefecture().copy()


def load_urban_agglomerations() -> Loaded:
    """Urban-agglomeration membership (``layout == "table"``), HAND-CURATED.

    Columns: ``agglomeration, plan_document, plan_year, region_code, region,
    partial_coverage, confidence, verification_status``. Member names are checked against
    their codes through the region registry. The list has not been checked line by line
    against the plan texts (flagged in the report).

    Examples
    --------
    >>> table = load_urban_agglomerations().data
    >>> table.groupby("agglomeration").size()["京津冀城市群"]
    np.int64(13)

    """
    return _agglomerations().copy()


def load_province_panel() -> Panel:
    """One province panel combining the science & technology, GDP and socio-economic datasets.

    Variables and units are those of ``nqpf.data.variables("province", panel_only=True)``;
    the report carries every loader repair, the variables left out (duplicates of others, a
    national figure repeated for every province) and the cells where overlapping sources
    disagree (``gdp_gpi`` vs ``gdp``; ``public_exp_education`` vs ``budget_education``).

    Examples
    --------
    >>> panel = load_province_panel()
    >>> len(panel.regions)
    31
    >>> panel.units["rd_exp"], panel.units["gdp"], panel.units["population"]
    ('万元', '亿元', '万人')
    >>> round(panel.evaluate("rd_exp / (gdp * 1e4) * 100").loc[(110000, 2020)], 2)
    np.float64(6.44)

    """
    panel = _province_panel()
    return Panel(
        panel.data.copy(), panel.level, dict(panel.units), ValidationReport(list(panel.report))
    )


def load_city_connectivity() -> Loaded:
    """275 cities' patents, GDP, population and observed intercity network degrees (a table).

    One cross-section (``layout == "table"``, level ``"city"``) from Liang et al., "Intercity
    connectivity and urban innovation" (:func:`nqpf.data.catalog`). Columns: ``region_code``
    (registry prefecture code), ``region`` (registry name), ``city_id`` and ``name_source`` (as
    in the source), ``lon``, ``lat`` (centroid), ``registered_population`` and
    ``resident_population`` (persons; registered 2016, urban-district resident 2016), ``gdp``
    (yuan, 2016), ``kibs_share`` (% employed in information services, finance and research,
    2016), ``patents`` (2017) and the observed weighted degrees ``sm_degree`` (Weibo 2015),
    ``mob_degree`` (Tencent mobility 2016) and ``pub_degree`` (Web of Science co-publications
    2017).

    The source's ``cityId`` is the code of the city's urban districts (市辖区, 310100); it is
    mapped to the prefecture code by its first four digits + ``"00"`` and the source name is
    checked against the registry. Every mapping is listed in the report (kind
    ``code_mapping``); a unit abolished before the registry's 2020 vintage (莱芜, merged into 济南
    in 2019) is kept apart (kind ``abolished_unit``), never merged into another city.

    Examples
    --------
    >>> loaded = load_city_connectivity()
    >>> len(loaded.data), len(loaded.kept_apart)
    (274, 1)
    >>> shanghai = loaded.data.set_index("region_code").loc[310100]
    >>> shanghai.region, int(shanghai.city_id), int(shanghai.patents)
    ('上海市', 310100, 72327)
    >>> loaded.kept_apart.region.tolist()
    ['莱芜']

    """
    return _connectivity().copy()


def load_technology_market() -> Loaded:
    """Technology-market outflow (seller) and inflow (buyer) by province and year (a table).

    From :func:`load_province_sci_tech` (tables MarketPush, 技术输出地域, and MarketPull, 技术流向
    地域): columns ``region_code, region, year, outflow_amount, outflow_contracts,
    inflow_amount, inflow_contracts`` (amounts in 万元, contracts in 项). The national totals
    (全国) are in ``.aggregates`` with the same columns (``region_code`` missing).

    The two margins do not add up to the same total (contracts counted by the seller's and by the
    buyer's province; the source does not reconcile the two tables). For each year the report
    gives Σ provinces of outflow and of inflow, their gap and the national totals (kind
    ``margin_gap``); the empty cells of the source (Tibet's outflow in most years, Hainan and
    Qinghai 2000) stay NaN and are listed (kind ``missing``).

    Examples
    --------
    >>> loaded = load_technology_market()
    >>> y2023 = loaded.data[loaded.data.year == 2023]
    >>> [round(float(y2023[c].sum()) / 1e8, 3) for c in ("outflow_amount", "inflow_amount")]
    [5.865, 5.74]
    >>> loaded.units["outflow_amount"], loaded.aggregates.region.unique().tolist()
    ('万元', ['全国'])

    """
    return _technology_market().copy()


# ---------------------------------------------------------------------- helpers
def _province_codes() -> dict[str, int]:
    table = provinces()
    out = {str(n): int(c) for c, n in table["short"].items()}
    out.update({str(n): int(c) for c, n in table["name"].items()})
    return out


def _province_names() -> dict[int, str]:
    return {int(c): str(n) for c, n in provinces()["name"].items()}


def _city_names() -> dict[int, str]:
    return {int(c): str(n) for c, n in cities()["name"].items()}


def _numbered(raw: pd.DataFrame) -> pd.DataFrame:
    """Add ``line``, the line of the bundled CSV file of each row (the header is line 1)."""
    raw["line"] = np.arange(len(raw)) + 2
    return raw


def _variable_map(dataset: str) -> pd.DataFrame:
    table = variables()
    return table[table.dataset == dataset].set_index(["table", "code"])


def _to_number(text: pd.Series, lines: pd.Series, source: str) -> pd.Series:
    """Numbers from text cells; blanks become NaN, any other text is an error naming the line."""
    stripped = text.str.strip()
    values = pd.to_numeric(stripped.where(stripped != "", None), errors="coerce")
    bad = values.isna() & (stripped != "")
    if bad.any():
        shown = "; ".join(f"line {lines[i]}: {text[i]!r}" for i in text.index[bad][:5])
        raise DataValidationError(f"{source}: {int(bad.sum())} non-numeric cell(s): {shown}")
    return values.astype(float)


def _report_missing(
    frame: pd.DataFrame, report: ValidationReport, source: str, action: str = "kept as NaN"
) -> None:
    """One issue per NaN value of a tidy frame (needs region, year, indicator, table, line)."""
    for row in frame[frame.value.isna()].itertuples(index=False):
        report.add(
            "missing",
            action,
            f"{row.region} {row.year} {row.indicator}: empty in the source",
            source=source,
            table=row.table,
            row=_line(row),
            region=_region_field(row.region_code, row.region),
            year=int(row.year),
            indicator=row.indicator,
        )


def _region_field(code: object, name: object) -> str:
    """The ``region`` of a report issue: the code as text, or the name when there is no code."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return str(name)
    return str(int(code))  # type: ignore[call-overload]


def _line(row: object) -> int | None:
    line = getattr(row, "line", None)
    if line is None or (isinstance(line, float) and math.isnan(line)):
        return None
    return int(line)


def _flag_no_regional_variation(data: pd.DataFrame, report: ValidationReport, source: str) -> None:
    observed = data.dropna(subset=["value"])
    for name, part in observed.groupby("indicator"):
        per_year = part.groupby("year").value.agg(["size", "nunique"])
        several = per_year[per_year["size"] > 1]
        if len(several) and (several["nunique"] == 1).all():
            report.add(
                "no_regional_variation",
                "flagged",
                f"{name} has one value shared by every region in each of its "
                f"{len(several)} years (a national figure repeated)",
                source=source,
                indicator=str(name),
            )


def _cross_check(
    left: pd.Series,
    right: pd.Series,
    *,
    label: str,
    indicator: str,
    tolerance: float,
    relative: bool,
    report: ValidationReport,
    source: str,
    level: Level = "province",
) -> int:
    """Flag cells where two series of the same quantity disagree; return the number flagged."""
    both = pd.concat([left.rename("a"), right.rename("b")], axis=1).dropna()
    diff = (both.a - both.b).abs()
    if relative:
        diff = diff / both.b.abs().where(both.b != 0, np.nan)
    bad = both[diff > tolerance]
    names = _province_names() if level == "province" else _city_names()
    for (code, year), row in bad.iterrows():
        report.add(
            "conflict",
            "flagged",
            f"{names.get(int(code), code)} {year} {label}: {row.a:g} vs {row.b:g}",
            source=source,
            region=str(code),
            year=int(year),
            indicator=indicator,
            original=float(row.a),
            repaired=float(row.b),
        )
    return len(bad)


def _empty_apart(extra: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame(columns=[*TIDY, *extra, "reason"])


def _finish(data: pd.DataFrame) -> pd.DataFrame:
    data = data[TIDY].copy()
    data["region_code"] = data.region_code.astype(np.int64)
    data["year"] = data.year.astype(np.int64)
    data["value"] = data.value.astype(float)
    return data.sort_values(["indicator", "region_code", "year"], ignore_index=True)


def _check_unique(data: pd.DataFrame, source: str) -> None:
    dup = data.duplicated(["indicator", "region_code", "year"], keep=False)
    if dup.any():
        shown = data.loc[dup, ["region", "year", "indicator"]].head(6).to_dict("records")
        raise DuplicateError(f"{source}: {int(dup.sum())} rows share a cell after repair: {shown}")


# ---------------------------------------------------------------------- science & technology
@cache
def _sci_tech() -> Loaded:
    source = SCI_TECH
    report = ValidationReport()
    raw = _numbered(raw_table(SCI_TECH, "sci_tech_long.csv.gz", as_text=True))
    fixes = corrections(SCI_TECH)
    codes = _province_codes()

    # 1. region names: whitespace, typos and the aggregate typo, through the corrections table
    lines = raw.line.to_numpy()
    names = raw.province.to_numpy(dtype=object).copy()
    key: list[tuple[str, ...]] = list(
        zip(raw.table.tolist(), raw.year.tolist(), raw.province.tolist(), strict=True)
    )
    for fix, hit in _matches(fixes[fixes.column == "province"], key, ("table", "year", "original")):
        names[hit] = fix.corrected
        action = "repaired, kept apart" if fix.kind == "aggregate_typo" else "repaired"
        report.add(
            fix.kind,
            action,
            f"{fix.original!r} read as {fix.corrected!r} in {len(hit)} rows: {fix.reason}",
            source=source,
            table=fix.table,
            row=int(lines[hit[0]]),
            region=_region_field(codes.get(fix.corrected), fix.corrected),
            year=int(fix.year),
            original=fix.original,
            repaired=fix.corrected,
        )
    names = pd.Series(names, index=raw.index, dtype=object)

    # 2. unit labels
    units = raw.unit.to_numpy(dtype=object).copy()
    key = list(
        zip(
            raw.table.tolist(), raw.year.tolist(), raw.code.tolist(), raw.unit.tolist(), strict=True
        )
    )
    unit_fixes = fixes[fixes.column == "unit"]
    for fix, hit in _matches(unit_fixes, key, ("table", "year", "code", "original")):
        units[hit] = fix.corrected
        report.add(
            "unit",
            "repaired",
            f"{fix.code}: unit {fix.original!r} read as {fix.corrected!r} in {len(hit)} "
            f"rows: {fix.reason}",
            source=source,
            table=fix.table,
            row=int(lines[hit[0]]),
            year=int(fix.year),
            indicator=fix.code,
            original=fix.original,
            repaired=fix.corrected,
        )
    units = pd.Series(units, index=raw.index, dtype=object)

    # 3. variable names and expected units
    catalogue = _variable_map(SCI_TECH)
    pairs = pd.MultiIndex.from_arrays([raw.table, raw.code])
    unknown = pairs.difference(catalogue.index)
    if len(unknown):
        raise DataValidationError(f"{source}: codes without a variable name: {list(unknown)}")
    matched = catalogue.reindex(pairs)
    expected_unit = matched.unit.to_numpy()
    wrong = units.to_numpy() != expected_unit
    if wrong.any():
        shown = raw.loc[wrong, ["table", "year", "code", "unit"]].drop_duplicates().head(5)
        raise DataValidationError(
            f"{source}: unit labels differ from the variable dictionary and are not in "
            f"corrections.csv: {shown.to_dict('records')}"
        )

    # 4. regions: provinces, aggregates, or an error naming the line
    region_code: dict[str, int | None] = {}
    for name in names.unique():
        if name in codes:
            region_code[name] = codes[name]
        elif name in AGGREGATE_NAMES:
            region_code[name] = None
        else:
            first = int(raw.line[names == name].iloc[0])
            row = raw[names == name].iloc[0]
            where = f"line {first}, table {row.table} {row.year}"
            code = normalize([name], "province", where=where)[0]
            region_code[name] = code
            report.add(
                "spelling",
                "repaired",
                f"{name!r} read as {_province_names()[code]!r} (not in corrections.csv)",
                source=source,
                table=row.table,
                row=first,
                region=str(code),
                original=name,
            )

    tidy = pd.DataFrame(
        {
            "region_code": names.map(region_code),
            "region": names,
            "year": raw.year.astype(int),
            "indicator": matched.name.to_numpy(),
            "value": _to_number(raw.value, raw.line, source),
            "unit": units,
            "source": source + "/" + raw.table,
            "table": raw.table,
            "code": raw.code,
            "line": raw.line,
        }
    )
    is_aggregate = tidy.region_code.isna()
    provinces_part = tidy[~is_aggregate].copy()
    provinces_part["region"] = provinces_part.region_code.map(_province_names())
    apart = tidy[is_aggregate].copy()
    apart["reason"] = "aggregate"
    for (table, name), part in apart.groupby(["table", "region"], sort=False):
        years = sorted(part.year.unique())
        report.add(
            "aggregate_row",
            "kept apart",
            f"{len(part)} rows of {name} ({AGGREGATE_NAMES[str(name)]}), years "
            f"{_span(years)}, kept in .aggregates, not among the provinces",
            source=source,
            table=str(table),
            row=int(part.line.iloc[0]),
            region=str(name),
        )

    # 5. empty cells
    _report_missing(provinces_part, report, source)
    _report_missing(apart, report, source)

    # 6. province rows absent from a table-year-indicator: added as NaN and reported
    everyone = set(_province_names())
    added = []
    for (table, year, _code), part in provinces_part.groupby(["table", "year", "code"], sort=True):
        for absent in sorted(everyone - set(part.region_code)):
            first = part.iloc[0]
            added.append(
                {
                    **first.to_dict(),
                    "region_code": absent,
                    "region": _province_names()[absent],
                    "value": np.nan,
                    "line": None,
                }
            )
            report.add(
                "absent",
                "added as NaN",
                f"{_province_names()[absent]} {year} {first.indicator}: no row for this "
                f"province in {table}",
                source=source,
                table=str(table),
                region=str(absent),
                year=int(year),
                indicator=str(first.indicator),
            )
    if added:
        provinces_part = pd.concat([provinces_part, pd.DataFrame(added)], ignore_index=True)

    # 7. certified high-tech enterprises (separate file)
    firms = _numbered(raw_table(SCI_TECH, "hitech_firms.csv.gz", as_text=True))
    firm_codes = [
        codes[n] if n in codes else normalize([n], where=f"hitech_firms.csv line {ln}")[0]
        for n, ln in zip(firms.province.tolist(), firms.line.tolist(), strict=True)
    ]
    firm_var = catalogue.loc[("hitech_firms", "hitech_firms")]
    firm_rows = pd.DataFrame(
        {
            "region_code": firm_codes,
            "region": [_province_names()[c] for c in firm_codes],
            "year": firms.year.astype(int),
            "indicator": firm_var["name"],
            "value": _to_number(firms.hitech_firms, firms.line, source + "/hitech_firms"),
            "unit": firm_var["unit"],
            "source": source + "/hitech_firms",
            "table": "hitech_firms",
            "code": "hitech_firms",
            "line": firms.line,
        }
    )
    _report_missing(firm_rows, report, source)
    data = pd.concat([provinces_part, firm_rows], ignore_index=True)
    _check_unique(data, source)
    data = _finish(data)

    # 8. duplicated quantities: the same figure under two names must agree
    cell = data.set_index(["region_code", "year", "indicator"]).value
    rd_exp = cell.xs("rd_exp", level="indicator")
    _cross_check(
        cell.xs("rd_exp_funds_total", level="indicator"),
        rd_exp,
        label="RDSource total (rd_exp_funds_total) vs RDActivity total (rd_exp)",
        indicator="rd_exp_funds_total",
        tolerance=0.5,
        relative=False,
        report=report,
        source=source,
    )
    _cross_check(
        cell.xs("rd_exp_100m", level="indicator"),
        rd_exp / 1e4,
        label="RDIntense R&D expenditure in 亿元 vs RDActivity total / 10,000",
        indicator="rd_exp_100m",
        tolerance=0.0501,
        relative=False,
        report=report,
        source=source,
    )
    _flag_no_regional_variation(data, report, source)
    apart = apart.drop(columns="line")
    apart["region_code"] = pd.array([pd.NA] * len(apart), dtype="Int64")
    apart = apart[[*TIDY, "reason"]].sort_values(["indicator", "region", "year"], ignore_index=True)
    units_map = dict(zip(catalogue.name, catalogue.unit, strict=True))
    return Loaded(SCI_TECH, data, report, apart, "province", units_map)


def _matches(
    fixes: pd.DataFrame, keys: Sequence[tuple[str, ...]], fields: tuple[str, ...]
) -> list[tuple[Any, np.ndarray]]:
    """Each correction with the positions of the rows it applies to (it must match some)."""
    positions: dict[tuple[str, ...], list[int]] = {}
    for i, k in enumerate(keys):
        positions.setdefault(k, []).append(i)
    out = []
    for fix in fixes.itertuples(index=False):
        wanted = tuple(getattr(fix, f) for f in fields)
        if wanted not in positions:
            raise DataValidationError(f"corrections.csv: {fix} matches no row")
        out.append((fix, np.asarray(positions[wanted])))
    return out


def _units_of(data: pd.DataFrame) -> dict[str, str]:
    pairs = data[["indicator", "unit"]].drop_duplicates()
    return dict(zip(pairs.indicator.tolist(), pairs.unit.tolist(), strict=True))


def _span(years: list[int]) -> str:
    if not years:
        return "none"
    runs: list[str] = []
    start = prev = years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(runs)


# ---------------------------------------------------------------------- GDP structure
@cache
def _gdp() -> Loaded:
    source = GDP
    report = ValidationReport()
    raw = _numbered(raw_table(GDP, "province_gdp_structure.csv.gz"))
    catalogue = _variable_map(GDP).reset_index().set_index("code")
    codes = _province_codes()
    national = raw.province.isin(["中国"])
    flag = raw.is_national_total.astype(str).str.lower() == "true"
    if (national != flag).any():
        rows = raw.line[national != flag].tolist()[:5]
        raise DataValidationError(f"{source}: is_national_total disagrees with the name, {rows}")
    region_code = [None if n == "中国" else codes.get(n) for n in raw.province]
    for name, code in zip(raw.province, region_code, strict=True):
        if code is None and name != "中国":
            normalize([name], where=f"{source}")  # raises with candidates
    raw["region_code"] = region_code
    shares = ["share_primary_pct", "share_secondary_pct", "share_tertiary_pct"]
    all_zero = (raw[shares] == 0).all(axis=1)
    frames = []
    for code_name, var in catalogue.iterrows():
        part = pd.DataFrame(
            {
                "region_code": raw.region_code,
                "region": raw.province,
                "year": raw.year,
                "indicator": var["name"],
                "value": raw[code_name].astype(float),
                "unit": var["unit"],
                "source": source,
                "table": var["table"],
                "code": code_name,
                "line": raw.line,
            }
        )
        if code_name in shares:
            for row in part[all_zero].itertuples(index=False):
                report.add(
                    "zero_as_missing",
                    "set to NaN",
                    f"{row.indicator} printed as 0 while all three sector shares are 0: a blank",
                    source=source,
                    table=row.table,
                    row=int(row.line),
                    region=str(int(row.region_code)),
                    year=int(row.year),
                    indicator=row.indicator,
                    original=0.0,
                )
            part.loc[all_zero, "value"] = np.nan
        frames.append(part)
    total = raw[shares].sum(axis=1)
    off = (~all_zero) & ((total - 100).abs() > 0.5)
    for row in raw[off].itertuples(index=False):
        report.add(
            "inconsistent",
            "flagged",
            f"sector shares add up to {row.share_primary_pct + row.share_secondary_pct + row.share_tertiary_pct:.2f} %, not 100 %",  # noqa: E501
            source=source,
            table="province_gdp_structure",
            row=int(row.line),
            region=_region_field(row.region_code, row.province),
            year=int(row.year),
            indicator="share_primary, share_secondary, share_tertiary",
        )
    tidy = pd.concat(frames, ignore_index=True)
    is_national = tidy.region_code.isna()
    data = tidy[~is_national].copy()
    data["region"] = data.region_code.map(_province_names())
    _report_missing(data[~data.line.isin(raw.line[all_zero])], report, source)
    first_year = int(raw.year.min())
    starts = data.groupby("region_code").year.min()
    for code, start in starts[starts > first_year].items():
        report.add(
            "coverage",
            "flagged",
            f"{_province_names()[int(code)]}: no rows before {start} (the dataset starts in "
            f"{first_year})",
            source=source,
            region=str(int(code)),
            year=int(start),
        )
    _check_unique(data, source)
    data = _finish(data)
    apart = tidy[is_national].drop(columns="line").copy()
    apart["reason"] = "aggregate"
    apart["region_code"] = pd.array([pd.NA] * len(apart), dtype="Int64")
    apart = apart[[*TIDY, "reason"]].reset_index(drop=True)
    report.add(
        "aggregate_row",
        "kept apart",
        f"{int(national.sum())} rows of 中国 (national total) kept in .aggregates",
        source=source,
        region="中国",
    )
    units_map = dict(zip(catalogue.name, catalogue.unit, strict=True))
    return Loaded(GDP, data, report, apart, "province", units_map)


# ---------------------------------------------------------------------- socio-economic panels
def _gpi_long(
    dataset: str,
    file: str,
    name_col: str,
    level: Level,
    report: ValidationReport,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a GPI-component panel: check variables and units, return raw and tidy frames."""
    raw = _numbered(raw_table(dataset, file))
    catalogue = _variable_map(dataset).reset_index().set_index("code")
    unknown = sorted(set(raw.indicator) - set(catalogue.index))
    if unknown:
        raise DataValidationError(f"{dataset}: indicators without a variable name: {unknown}")
    var = catalogue.loc[raw.indicator]
    wrong = raw.unit.to_numpy() != var.source_unit.to_numpy()
    if wrong.any():
        shown = raw.loc[wrong, ["indicator", "unit"]].drop_duplicates().to_dict("records")
        raise DataValidationError(f"{dataset}: unexpected unit labels {shown}")
    tidy = pd.DataFrame(
        {
            "region_code": pd.NA,
            "region": raw[name_col],
            "year": raw.year,
            "indicator": var["name"].to_numpy(),
            "value": raw.value.astype(float),
            "unit": var["unit"].to_numpy(),
            "source": dataset,
            "table": var["table"].to_numpy(),
            "code": raw.indicator,
            "line": raw.line,
        }
    )
    return raw, tidy


@cache
def _components() -> Loaded:
    source = COMPONENTS
    report = ValidationReport()
    raw, tidy = _gpi_long(
        COMPONENTS, "province_components_long.csv.gz", "province_zh", "province", report
    )
    codes = _province_codes()
    mapping: dict[str, int] = {}
    for zh, en in raw[["province_zh", "province_en"]].drop_duplicates().itertuples(index=False):
        code = codes.get(zh)
        if code is None:
            code = normalize([zh], where=source)[0]
        if normalize([en], where=f"{source} (English name)")[0] != code:
            raise DataValidationError(f"{source}: {zh!r} and {en!r} name different provinces")
        mapping[zh] = code
    tidy["region_code"] = tidy.region.map(mapping)
    tidy["region"] = tidy.region_code.map(_province_names())
    _report_missing(tidy, report, source)
    _check_unique(tidy, source)
    data = _finish(tidy)
    _flag_no_regional_variation(data, report, source)
    units_map = _units_of(data)
    return Loaded(COMPONENTS, data, report, _empty_apart(), "province", units_map)


@cache
def _census_raw() -> pd.DataFrame:
    return raw_table(CENSUS, "census_city_2010_2020.csv.gz", as_text=False)


@cache
def _census() -> Loaded:
    source = CENSUS
    report = ValidationReport()
    raw = _numbered(_census_raw().copy())
    catalogue = _variable_map(CENSUS).reset_index().set_index("code")
    names = _city_names()
    codes = normalize(raw.city_code.astype(str).tolist(), "city", where=source, report=report)
    for code, name, line in zip(codes, raw.city, raw.line, strict=True):
        if names[code] != name:
            raise DataValidationError(
                f"{source} line {line}: {name!r} has the code of {names[code]!r}"
            )
    frames = []
    for stem, var in catalogue.iterrows():
        for year in (2010, 2020):
            frames.append(
                pd.DataFrame(
                    {
                        "region_code": codes,
                        "region": raw.city,
                        "year": year,
                        "indicator": var["name"],
                        "value": raw[f"{stem}_{year}"].astype(float),
                        "unit": var["unit"],
                        "source": source,
                        "table": var["table"],
                        "code": f"{stem}_{year}",
                        "line": raw.line,
                    }
                )
            )
    tidy = pd.concat(frames, ignore_index=True)
    _report_missing(tidy, report, source)
    _check_unique(tidy, source)
    data = _finish(tidy)
    units_map = dict(zip(catalogue.name, catalogue.unit, strict=True))
    return Loaded(CENSUS, data, report, _empty_apart(), "city", units_map)


@cache
def _master() -> Loaded:
    source = MASTER
    report = ValidationReport()
    raw = _numbered(raw_table(MASTER, "city_master.csv.gz"))
    codes = normalize(raw.city_code.astype(str).tolist(), "city", where=source, report=report)
    data = pd.DataFrame(
        {
            "region_code": np.asarray(codes, dtype=np.int64),
            "region": raw.city,
            "province_code": raw.province_code.astype(np.int64),
            "province": raw.province,
            "admin_type": raw.admin_type,
            "centroid_lon": raw.centroid_lon,
            "centroid_lat": raw.centroid_lat,
            "seat_lon": raw.seat_lon,
            "seat_lat": raw.seat_lat,
            "entity_id": raw.cnur_entity_id,
        }
    )
    for row in raw[raw.seat_lon.isna() | raw.seat_lat.isna()].itertuples(index=False):
        report.add(
            "missing",
            "flagged",
            f"{row.city}: seat coordinates unknown (unit created after the 2019 adcode "
            "vintage); use the polygon centroid",
            source=source,
            row=int(row.line),
            region=str(row.city_code),
        )
    distance = np.hypot(raw.centroid_lon - raw.seat_lon, raw.centroid_lat - raw.seat_lat)
    for row, d in zip(raw.itertuples(index=False), distance, strict=True):
        if d > 5:
            report.add(
                "centroid",
                "flagged",
                f"{row.city}: polygon centroid lies {d:.1f}° from the government seat (island "
                "polygons); use the seat coordinates",
                source=source,
                row=int(row.line),
                region=str(row.city_code),
            )
    return Loaded(MASTER, data, report, _empty_apart(), "city", {}, layout="table")


@cache
def _former_codes() -> dict[str, tuple[int, str, int]]:
    """Map former names (full, short) to (last official code, province, last panel year)."""
    links = raw_table(CROSSWALK, "official_codes_by_panel_year_1999_2023.csv.gz")
    links = links.sort_values("panel_year")
    out: dict[str, tuple[int, str, int]] = {}
    for row in links.itertuples(index=False):
        entry = (int(row.source_code), str(row.province_name), int(row.panel_year))
        for key in (row.source_name, str(row.source_name).removesuffix("市")):
            out[key] = entry
    return out


@cache
def _prefecture() -> Loaded:
    source = PREFECTURE
    report = ValidationReport()
    raw, tidy = _gpi_long(
        PREFECTURE, "prefecture_components_long.csv.gz", "prefecture_zh", "city", report
    )
    province_codes = _province_codes()
    names = _city_names()

    # 1. region codes; a unit abolished before 2020 is kept apart with its former code
    mapping: dict[tuple[str, str], int] = {}
    abolished: dict[tuple[str, str], tuple[int, str]] = {}
    pairs = raw[["prefecture_zh", "province_zh", "line"]].drop_duplicates(
        ["prefecture_zh", "province_zh"]
    )
    for zh, province, first in pairs.itertuples(index=False):
        province_code = province_codes.get(province) or normalize([province], where=source)[0]
        try:
            code = normalize([zh], "city", where=f"{source} line {first}", report=report)[0]
        except UnknownRegionError as error:
            former = _former_codes().get(zh)
            if former is None or former[0] // 10000 * 10000 != province_code:
                raise
            abolished[(zh, province)] = (former[0], "; ".join(error.candidates))
            continue
        if code // 10000 * 10000 != province_code:
            raise DataValidationError(
                f"{source} line {first}: {zh!r} ({province}) is {names[code]!r}, "
                f"which is in another province"
            )
        mapping[(zh, province)] = code
    key = list(zip(raw.prefecture_zh.tolist(), raw.province_zh.tolist(), strict=True))
    found = [mapping.get(k) for k in key]
    tidy["region"] = [names[c] if c is not None else k[0] for c, k in zip(found, key, strict=True)]
    tidy["region_code"] = pd.array(found, dtype="Int64")

    # 2. cities sharing an English name carry both series: keep the one matching the census
    cell = ["region", "year", "indicator"]
    tidy["occurrence"] = tidy.groupby(cell, sort=False).cumcount()
    counts = tidy.groupby(cell, sort=False).indicator.transform("size")
    doubled = tidy[counts > 1]
    census = _census_raw().set_index("city_code").popu_2010
    keep_occurrence: dict[str, int] = {}
    for region, part in doubled.groupby("region", sort=True):
        code = int(part.region_code.iloc[0])
        reference = float(census.get(code, np.nan)) / 1e4
        pop = part[(part.indicator == "population") & (part.year == 2010)]
        pop = pop.set_index("occurrence").value
        misfit = (np.log(pop / reference)).abs()
        if not np.isfinite(reference) or misfit.min() > 0.05 or misfit.max() < 0.2:
            raise DataValidationError(
                f"{source}: {region} appears twice per cell and the 2010 census population "
                f"({reference:g} 万人) does not tell the copies apart ({pop.to_dict()})"
            )
        keep_occurrence[str(region)] = int(misfit.idxmin())
    english = dict(zip(tidy.region.tolist(), raw.prefecture_en.tolist(), strict=True))
    drop = tidy.region.isin(keep_occurrence) & (
        tidy.occurrence != tidy.region.map(keep_occurrence).fillna(-1)
    )
    kept = tidy[~drop]
    homonym_kept = kept[kept.region.isin(keep_occurrence)]
    kept_series = {
        key: part.sort_values("year").value.to_numpy()
        for key, part in homonym_kept.groupby(["region", "indicator"], sort=False)
    }
    for (region, indicator), part in tidy[drop].groupby(["region", "indicator"], sort=True):
        en = english[region]
        partners = sorted(r for r, e in english.items() if e == en and r != region)
        dropped = part.sort_values("year").value.to_numpy()
        same = len(partners) == 1 and bool(
            np.allclose(
                dropped,
                kept_series.get((partners[0], indicator), np.array([])),
                equal_nan=True,
            )
            if len(kept_series.get((partners[0], indicator), [])) == len(dropped)
            else False
        )
        relation = (
            f"identical to the series kept for {partners[0]}"
            if same
            else "not matching its own 2010 census population"
        )
        report.add(
            "homonym",
            "dropped",
            f"{region} ({en}) has two {indicator} series in the source, which joined cities "
            f"on the English name; kept the one whose 2010 population matches the census and "
            f"dropped {len(part)} rows ({_span(sorted(part.year.unique()))}) {relation}",
            source=source,
            table=str(part.table.iloc[0]),
            row=int(part.line.iloc[0]),
            region=str(int(part.region_code.iloc[0])),
            indicator=str(indicator),
        )
    tidy = kept.drop(columns="occurrence")

    # 3. abolished units kept apart
    is_apart = tidy.region_code.isna()
    apart = tidy[is_apart].copy()
    for (zh, province), (code, note) in abolished.items():
        rows = apart.region == zh
        apart.loc[rows, "region_code"] = code
        report.add(
            "abolished_unit",
            "kept apart",
            f"{zh} ({province}) is not in the 2020-vintage registry ({note}); its "
            f"{int(rows.sum())} rows are kept in .kept_apart under its former code {code}",
            source=source,
            region=str(code),
        )
    apart["reason"] = "abolished unit"
    apart["region_code"] = apart.region_code.astype("Int64")
    data = tidy[~is_apart].copy()
    _report_missing(data, report, source)
    _check_unique(data, source)
    data = _finish(data)
    apart = apart[[*TIDY, "reason"]].reset_index(drop=True)

    # 4. dataset-level caveats
    report.add(
        "imputed",
        "flagged",
        "the source authors imputed missing values (population by linear interpolation, urban "
        "population from trends, other items from province-level growth rates); imputed cells "
        "are not marked in the source",
        source=source,
    )
    municipalities = [n for c, n in names.items() if c in (110100, 120100, 310100, 500100)]
    report.add(
        "coverage",
        "flagged",
        f"the 4 municipalities ({', '.join(municipalities)}) are not in the source",
        source=source,
    )
    _flag_no_regional_variation(data, report, source)
    units_map = _units_of(data)
    return Loaded(PREFECTURE, data, report, apart, "city", units_map)


@cache
def _agglomerations() -> Loaded:
    source = AGGLOMERATIONS
    report = ValidationReport()
    raw = _numbered(raw_table(AGGLOMERATIONS, "urban_agglomeration_membership.csv.gz"))
    names = _city_names()
    for row in raw.itertuples(index=False):
        code = normalize([row.member], "city", where=f"{source} line {row.line}", report=report)[0]
        if code != int(row.city_code):
            raise DataValidationError(
                f"{source} line {row.line}: member {row.member!r} is {names[code]!r} ({code}) "
                f"but carries the code {row.city_code}"
            )
    data = pd.DataFrame(
        {
            "agglomeration": raw.agglomeration,
            "plan_document": raw.plan_document,
            "plan_year": raw.plan_year.astype(int),
            "region_code": raw.city_code.astype(np.int64),
            "region": raw.member,
            "partial_coverage": raw.partial_coverage.astype(bool),
            "confidence": raw.confidence,
            "verification_status": raw.verification_status,
        }
    )
    dup = data.duplicated(["agglomeration", "region_code"], keep=False)
    if dup.any():
        raise DuplicateError(f"{source}: repeated members {data[dup].to_dict('records')}")
    report.add(
        "curated",
        "flagged",
        f"membership of {data.agglomeration.nunique()} agglomerations compiled by hand from the "
        "plan documents and not checked line by line against the plan texts; verify before "
        "publishing",
        source=source,
    )
    for name, part in data[data.partial_coverage].groupby("agglomeration"):
        report.add(
            "partial_coverage",
            "flagged",
            f"{name}: {', '.join(part.region)} only partly inside the plan area",
            source=source,
        )
    return Loaded(AGGLOMERATIONS, data, report, _empty_apart(), "city", {}, layout="table")


# ---------------------------------------------------------------------- technology market
#: Technology-market variables → columns of :func:`load_technology_market`.
TECHNOLOGY_MARKET = {
    "techmarket_out_amount": "outflow_amount",
    "techmarket_out_contracts": "outflow_contracts",
    "techmarket_in_amount": "inflow_amount",
    "techmarket_in_contracts": "inflow_contracts",
}


@cache
def _technology_market() -> Loaded:
    source = SCI_TECH
    loaded = _sci_tech()
    report = ValidationReport(
        [i for i in loaded.report if i.indicator in TECHNOLOGY_MARKET or i.table in _MARKET_TABLES]
    )
    columns = list(TECHNOLOGY_MARKET.values())

    def wide(frame: pd.DataFrame) -> pd.DataFrame:
        part = frame[frame.indicator.isin(TECHNOLOGY_MARKET)]
        keys = part.region.where(part.region_code.isna(), part.region_code.astype("string"))
        table = (
            part.assign(key=keys.to_numpy(), column=part.indicator.map(TECHNOLOGY_MARKET))
            .pivot_table(
                index=["key", "region", "year"],
                columns="column",
                values="value",
                dropna=False,
                aggfunc="first",
            )
            .reindex(columns=columns)
            .reset_index()
        )
        table = table[table[columns].notna().any(axis=1)]
        return table.drop(columns="key").rename_axis(columns=None)

    data = wide(loaded.data)
    data.insert(0, "region_code", data.region.map({v: k for k, v in _province_names().items()}))
    data["region_code"] = data.region_code.astype(np.int64)
    data = data.sort_values(["year", "region_code"], ignore_index=True)
    apart = wide(loaded.kept_apart)
    apart.insert(0, "region_code", pd.array([pd.NA] * len(apart), dtype="Int64"))
    apart["reason"] = "aggregate"
    apart = apart.sort_values("year", ignore_index=True)
    national = apart.set_index("year")
    for year, part in data.groupby("year"):
        out, into = float(part.outflow_amount.sum()), float(part.inflow_amount.sum())
        gap = out - into
        totals = (
            f"; national totals: outflow {national.at[year, 'outflow_amount']:,.0f}, inflow "
            f"{national.at[year, 'inflow_amount']:,.0f}"
            if year in national.index
            else ""
        )
        report.add(
            "margin_gap",
            "flagged",
            f"{year}: Σ provinces outflow {out:,.0f} 万元 vs inflow {into:,.0f} 万元, gap "
            f"{gap:+,.0f} 万元 ({gap / into:+.2%} of inflow){totals}",
            source=source,
            table="MarketPush/MarketPull",
            year=int(year),
            indicator="techmarket_out_amount",
            original=out,
            repaired=into,
        )
    units = {c: ("万元" if c.endswith("amount") else "项") for c in columns}
    return Loaded(
        SCI_TECH,
        data,
        report,
        apart.reset_index(drop=True),
        "province",
        units,
        layout="table",
    )


_MARKET_TABLES = ("MarketPush", "MarketPull")


# ---------------------------------------------------------------------- city connectivity
#: Source columns of the city connectivity data → loaded columns, with units.
CONNECTIVITY_COLUMNS = {
    "Lon": ("lon", "degrees (WGS84)"),
    "Lat": ("lat", "degrees (WGS84)"),
    "Regis_pop": ("registered_population", "人"),
    "Res_pop": ("resident_population", "人"),
    "GDP": ("gdp", "元"),
    "Employ_pct": ("kibs_share", "%"),
    "Patent": ("patents", "件"),
    "SM_degree": ("sm_degree", "weighted degree"),
    "Mob_degree": ("mob_degree", "weighted degree"),
    "Pub_degree": ("pub_degree", "co-publications"),
}


@cache
def _connectivity() -> Loaded:
    source = CONNECTIVITY
    report = ValidationReport()
    raw = _numbered(raw_table(CONNECTIVITY, "cn_city_innovation_connectivity.csv.gz"))
    table = cities()
    codes, apart_rows = [], []
    for row in raw.itertuples(index=False):
        city_id, zh = int(row.cityId), str(row.cityName_CN)
        code = city_id // 100 * 100
        where = {"source": source, "row": int(row.line), "original": city_id}
        if code in table.index:
            registry = str(table.at[code, "name"])
            if zh not in (registry, table.at[code, "short"]):
                found = normalize([zh], "city", where=f"{source} line {row.line}")[0]
                if found != code:
                    raise DataValidationError(
                        f"{source} line {row.line}: cityId {city_id} maps to {code} "
                        f"{registry!r}, but its name {zh!r} is {table.at[found, 'name']!r} "
                        f"({found})"
                    )
            report.add(
                "code_mapping",
                "repaired",
                f"cityId {city_id} ({zh}, urban districts) → prefecture {code} {registry}",
                region=str(code),
                repaired=code,
                **where,
            )
            codes.append(code)
            continue
        try:
            normalize([zh], "city", where=f"{source} line {row.line}")
        except UnknownRegionError as error:
            former = _former_codes().get(zh)
            if former is None or former[0] != code:
                raise
            report.add(
                "abolished_unit",
                "kept apart",
                f"cityId {city_id} ({zh}) maps to {code}, not in the 2020-vintage registry "
                f"({'; '.join(error.candidates) or 'abolished'}); kept in .kept_apart",
                region=str(code),
                **where,
            )
            codes.append(code)
            apart_rows.append(len(codes) - 1)
            continue
        raise DataValidationError(
            f"{source} line {row.line}: cityId {city_id} ({zh}) maps to {code}, which is not "
            "a prefecture of the registry"
        )
    data = pd.DataFrame(
        {
            "region_code": np.asarray(codes, dtype=np.int64),
            "region": [
                str(table.at[c, "name"]) if c in table.index else str(z)
                for c, z in zip(codes, raw.cityName_CN, strict=True)
            ],
            "city_id": raw.cityId.astype(np.int64),
            "name_source": raw.cityName_CN.astype(str),
        }
    )
    for column, (name, _) in CONNECTIVITY_COLUMNS.items():
        data[name] = raw[column].to_numpy()
    is_apart = np.zeros(len(data), dtype=bool)
    is_apart[apart_rows] = True
    dup = data.region_code.duplicated(keep=False) & ~is_apart
    if dup.any():
        raise DuplicateError(
            f"{source}: several cityIds map to one prefecture: "
            f"{data.loc[dup, ['city_id', 'name_source', 'region_code']].to_dict('records')}"
        )
    missing = data.drop(columns=["region_code", "region"]).isna().sum()
    if missing.any():
        raise DataValidationError(f"{source}: empty cells {missing[missing > 0].to_dict()}")
    apart = data[is_apart].assign(reason="abolished unit").reset_index(drop=True)
    data = data[~is_apart].sort_values("region_code", ignore_index=True)
    report.add(
        "coverage",
        "flagged",
        f"{len(raw)} cities with every attribute present (the source authors' filter); the "
        "observed degrees are weighted degrees in three networks (Weibo 2015, Tencent mobility "
        "2016, Web of Science co-publications 2017)",
        source=source,
    )
    units = {name: unit for name, unit in CONNECTIVITY_COLUMNS.values()}
    return Loaded(CONNECTIVITY, data, report, apart, "city", units, layout="table")


# ---------------------------------------------------------------------- combined panel
@cache
def _province_panel() -> Panel:
    report = ValidationReport()
    chosen = variables("province", panel_only=True)
    parts = []
    loaded = [_sci_tech(), _gdp(), _components()]
    for item in loaded:
        report.extend(item.report)
        parts.append(item.data[item.data.indicator.isin(chosen.name)])
    data = pd.concat(parts, ignore_index=True)
    absent = sorted(set(chosen.name) - set(data.indicator))
    if absent:
        raise DataValidationError(f"panel variables without data: {absent}")
    left_out = variables("province")
    left_out = left_out[~left_out.panel & left_out.dataset.isin([SCI_TECH, GDP, COMPONENTS])]
    for row in left_out.itertuples(index=False):
        report.add(
            "excluded",
            "left out",
            f"{row.name} is not in the combined panel: {row.definition}",
            source=row.dataset,
            table=row.table,
            indicator=row.name,
        )
    everything = pd.concat([item.data for item in loaded], ignore_index=True)
    cell = everything.set_index(["region_code", "year", "indicator"]).value
    _cross_check(
        cell.xs("gdp_gpi", level="indicator"),
        cell.xs("gdp", level="indicator"),
        label="gdp_gpi (GPI dataset) vs gdp (NBS vintage used in the panel), 亿元",
        indicator="gdp",
        tolerance=1e-3,
        relative=True,
        report=report,
        source=f"{COMPONENTS} vs {GDP}",
    )
    _cross_check(
        cell.xs("public_exp_education", level="indicator"),
        cell.xs("budget_education", level="indicator"),
        label="public_exp_education vs budget_education, 亿元",
        indicator="public_exp_education",
        tolerance=1e-3,
        relative=True,
        report=report,
        source=f"{COMPONENTS} vs {SCI_TECH}",
    )
    data = data[["region_code", "year", "indicator", "value"]]
    _check_unique(data.assign(region=data.region_code), "province panel")
    data = data.sort_values(["region_code", "year", "indicator"], ignore_index=True)
    units = dict(zip(chosen.name, chosen.unit, strict=True))
    return Panel(data, "province", units, report)


# ---------------------------------------------------------------------- capital-stock inputs
#: Pinyin province names of the capital-stock inputs → registry codes (陕西 shaanxi vs 山西 shanxi).
CAPITAL_PINYIN: dict[str, int] = {
    "beijing": 110000,
    "tianjin": 120000,
    "hebei": 130000,
    "shanxi": 140000,
    "neimenggu": 150000,
    "liaoning": 210000,
    "jilin": 220000,
    "heilongjiang": 230000,
    "shanghai": 310000,
    "jiangsu": 320000,
    "zhejiang": 330000,
    "anhui": 340000,
    "fujian": 350000,
    "jiangxi": 360000,
    "shandong": 370000,
    "henan": 410000,
    "hubei": 420000,
    "hunan": 430000,
    "guangdong": 440000,
    "guangxi": 450000,
    "hainan": 460000,
    "chongqing": 500000,
    "sichuan": 510000,
    "guizhou": 520000,
    "yunnan": 530000,
    "xizang": 540000,
    "shaanxi": 610000,
    "gansu": 620000,
    "qinghai": 630000,
    "ningxia": 640000,
    "xinjiang": 650000,
}

#: Source columns of the capital-stock inputs → variable codes in :func:`nqpf.data.variables`.
_CAPITAL_COLUMNS = ("invest", "InvestIndex", "InvestPrice", "depr")


def load_capital_stock_inputs() -> Loaded:
    """Provincial investment and deflators for a perpetual-inventory capital stock, 1952–2022.

    The ``asset`` data of the R package CHNCapitalStock (Zhang, Wu & Zhang 2004 method), in the
    tidy layout: indicators ``fixed_capital_formation`` (固定资本形成总额, 亿元, current
    prices), ``investment_price_index`` (index as given), ``investment_deflator`` (1952 = 1)
    and ``depreciation`` (亿元). Build the stock with
    :func:`nqpf.efficiency.perpetual_inventory`.

    Pinyin names are mapped to registry codes through :data:`CAPITAL_PINYIN` (every mapping
    reported once, kind ``name_mapping``). Kept visible in the report: Chongqing from 1996 and
    Sichuan including it before (kind ``boundary``), investment extrapolated after 2018 (kind
    ``extrapolated``), the retail price index standing in for the investment price index after
    2020 (kind ``proxy``), the empty ``InvestIndex``/``depr`` cells (kind ``missing``, one per
    cell, kept as NaN), negative source values (kind ``negative``), index values that cannot be
    previous-year = 100 (kind ``inconsistent``) and the noted differences from Zhang's table
    (kind ``vintage``).

    Examples
    --------
    >>> loaded = load_capital_stock_inputs()
    >>> beijing = loaded.data.query("region == '北京市' and year == 1953")
    >>> beijing.set_index("indicator").value["fixed_capital_formation"]
    np.float64(5.36)
    >>> loaded.data.query("region_code == 500000").year.min()
    np.int64(1996)

    """
    return _capital().copy()


def _province_codes_from(
    raw: pd.DataFrame,
    column: str,
    mapping: Mapping[str, int],
    source: str,
    report: ValidationReport,
    *,
    kind: str,
    what: str,
    **where: Any,
) -> pd.Series:
    """Province codes of a source column spelled its own way (pinyin, ISO 3166-2), via ``mapping``.

    Every spelling is reported once (where it first appears); a spelling outside ``mapping`` is
    an error listing them all.
    """
    unknown = sorted(set(raw[column]) - set(mapping))
    if unknown:
        raise DataValidationError(f"{source}: {what} values without a registry code: {unknown}")
    names = _province_names()
    for value, part in raw.groupby(column, sort=True):
        code = mapping[str(value)]
        report.add(
            kind,
            "repaired",
            f"{what} {value!r} read as {names[code]} ({code})",
            source=source,
            row=int(part.line.iloc[0]),
            region=str(code),
            original=str(value),
            repaired=code,
            **where,
        )
    return raw[column].map(mapping)


@cache
def _capital() -> Loaded:
    source = CAPITAL
    report = ValidationReport()
    raw = _numbered(raw_table(CAPITAL, "capital_stock_inputs.csv.gz"))
    catalogue = _variable_map(CAPITAL).reset_index().set_index("code")
    names = _province_names()
    codes = _province_codes_from(
        raw, "prv", CAPITAL_PINYIN, source, report, kind="name_mapping", what="pinyin name"
    )
    frames = []
    for column in _CAPITAL_COLUMNS:
        var = catalogue.loc[column]
        frames.append(
            pd.DataFrame(
                {
                    "region_code": codes,
                    "region": codes.map(names),
                    "year": raw.yr,
                    "indicator": var["name"],
                    "value": raw[column].astype(float),
                    "unit": var["unit"],
                    "source": source,
                    "table": var["table"],
                    "code": column,
                    "line": raw.line,
                }
            )
        )
    tidy = pd.concat(frames, ignore_index=True)
    _report_missing(tidy, report, source)
    for row in tidy[tidy.value < 0].itertuples(index=False):
        report.add(
            "negative",
            "flagged",
            f"{row.region} {row.year} {row.indicator} is negative ({row.value:g}) in the source",
            source=source,
            row=int(row.line),
            region=str(row.region_code),
            year=int(row.year),
            indicator=row.indicator,
            original=float(row.value),
        )
    index = tidy[tidy.indicator == "investment_price_index"]
    high = index[index.value > 300]
    report.add(
        "inconsistent",
        "flagged",
        f"investment_price_index exceeds 300 in {len(high)} of {int(index.value.count())} "
        "non-empty rows: these cannot be previous-year = 100 indices; the stock uses "
        "investment_deflator instead",
        source=source,
        indicator="investment_price_index",
    )
    chongqing, sichuan = 500000, 510000
    start = int(tidy.loc[tidy.region_code == chongqing, "year"].min())
    report.add(
        "boundary",
        "flagged",
        f"{names[chongqing]} has rows from {start} only (split from {names[sichuan]} in 1997)",
        source=source,
        region=str(chongqing),
        year=start,
    )
    report.add(
        "boundary",
        "flagged",
        f"{names[sichuan]} before {start} includes {names[chongqing]}: its series has a "
        f"territorial break in {start}",
        source=source,
        region=str(sichuan),
        year=start,
    )
    last = int(tidy.year.max())
    for code in sorted(tidy.region_code.unique()):
        report.add(
            "extrapolated",
            "flagged",
            f"{names[code]} fixed_capital_formation 2019–{last}: extrapolated by the compiler "
            "from the growth of fixed-asset investment, not published figures",
            source=source,
            region=str(code),
            year=2019,
            indicator="fixed_capital_formation",
        )
        report.add(
            "proxy",
            "flagged",
            f"{names[code]} investment_deflator 2021–{last}: the retail price index stands in "
            "for the investment price index",
            source=source,
            region=str(code),
            year=2021,
            indicator="investment_deflator",
        )
    report.add(
        "vintage",
        "flagged",
        "the compiler notes differences from Zhang's published table for 湖北省 and 广东省",
        source=source,
    )
    _check_unique(tidy, source)
    data = _finish(tidy)
    units_map = dict(zip(catalogue.name, catalogue.unit, strict=True))
    return Loaded(CAPITAL, data, report, _empty_apart(), "province", units_map)


# ---------------------------------------------------------------------- CO2 emissions
#: ISO 3166-2:CN subdivision codes of the 31 mainland provinces → registry codes.
PROVINCE_ISO_CODES: dict[str, int] = {
    "CN-BJ": 110000,
    "CN-TJ": 120000,
    "CN-HE": 130000,
    "CN-SX": 140000,
    "CN-NM": 150000,
    "CN-LN": 210000,
    "CN-JL": 220000,
    "CN-HL": 230000,
    "CN-SH": 310000,
    "CN-JS": 320000,
    "CN-ZJ": 330000,
    "CN-AH": 340000,
    "CN-FJ": 350000,
    "CN-JX": 360000,
    "CN-SD": 370000,
    "CN-HA": 410000,
    "CN-HB": 420000,
    "CN-HN": 430000,
    "CN-GD": 440000,
    "CN-GX": 450000,
    "CN-HI": 460000,
    "CN-CQ": 500000,
    "CN-SC": 510000,
    "CN-GZ": 520000,
    "CN-YN": 530000,
    "CN-XZ": 540000,
    "CN-SN": 610000,
    "CN-GS": 620000,
    "CN-QH": 630000,
    "CN-NX": 640000,
    "CN-XJ": 650000,
}

#: City names of the CEADs inventories (after the province prefix) that are neither a registry
#: spelling nor the unique start of one, with the registry name they stand for and why.
CO2_CITY_NAMES: dict[str, tuple[str, str]] = {
    "恩施州": ("恩施土家族苗族自治州", "州 abbreviates 土家族苗族自治州"),
    "伊犁州直属县": (
        "伊犁哈萨克自治州",
        "the counties under the prefecture's direct administration; the registry code 654000 "
        "covers exactly these (塔城地区 and 阿勒泰地区 have their own codes)",
    ),
}


def load_co2_emissions(level: Level = "province") -> Loaded:
    """CO2 emissions of provinces (1998–2019) or cities (1997–2019) from CEADs, in Mt.

    Indicator ``co2_emissions`` in million tonnes (Mt) at both levels.

    Provinces: ISO 3166-2 codes (``CN-AH`` …) are mapped to registry codes through
    :data:`PROVINCE_ISO_CODES` (each mapping reported once, kind ``code_mapping``); tonnes are
    converted to Mt (÷ 10⁶, kind ``unit``); Tibet is absent (kind ``coverage``).

    Cities: names written province + city without separator (``云南大理``, ``吉林吉林``,
    ``北京``) are split at the longest province name they begin with and the rest is found in
    the registry within that province: as a registry spelling, as the unique start of a
    registry name (``大理`` → 大理白族自治州) or through :data:`CO2_CITY_NAMES`; every split is
    reported (kind ``name_split``). Units abolished before the registry's 2020 vintage (安徽巢湖,
    山东莱芜) are kept apart under their former codes (kind ``abolished_unit``), never merged.
    The unbalanced panel (cities per year) and the stray 1995 row are reported (kinds
    ``unbalanced``, ``stray_year``).

    Raises
    ------
    DataValidationError
        For a level other than ``"province"`` or ``"city"``.

    Examples
    --------
    >>> provinces_ = load_co2_emissions().data
    >>> round(provinces_.query("region == '安徽省' and year == 1998").value.item(), 3)
    109.875
    >>> cities_ = load_co2_emissions("city")
    >>> cities_.data.query("region_code == 532900").region.unique().tolist()
    ['大理白族自治州']
    >>> sorted(cities_.kept_apart.region.unique())
    ['巢湖', '莱芜']

    """
    level = check_level(level)
    return (_co2_provinces() if level == "province" else _co2_cities()).copy()


@cache
def _co2_provinces() -> Loaded:
    source = CO2
    report = ValidationReport()
    raw = _numbered(raw_table(CO2, "province_co2_total.csv.gz"))
    var = _variable_map(CO2).loc[("province_co2_total", "total_emissions")]
    names = _province_names()
    codes = _province_codes_from(
        raw,
        "actor_id",
        PROVINCE_ISO_CODES,
        source,
        report,
        kind="code_mapping",
        what="ISO 3166-2",
        table="province_co2_total",
    )
    tidy = pd.DataFrame(
        {
            "region_code": codes,
            "region": codes.map(names),
            "year": raw.year,
            "indicator": var["name"],
            "value": raw.total_emissions.astype(float) / 1e6,
            "unit": var["unit"],
            "source": source,
            "table": "province_co2_total",
            "code": "total_emissions",
            "line": raw.line,
        }
    )
    report.add(
        "unit",
        "repaired",
        f"total_emissions in tonnes (t) converted to million tonnes (Mt, ÷ 1,000,000) in "
        f"{len(tidy)} rows, the unit of the city inventories",
        source=source,
        table="province_co2_total",
        indicator=var["name"],
        original="t",
        repaired="Mt",
    )
    for code in sorted(set(names) - set(codes)):
        report.add(
            "coverage",
            "flagged",
            f"{names[code]} is absent from the CEADs provincial inventories",
            source=source,
            region=str(code),
        )
    _report_missing(tidy, report, source)
    _check_unique(tidy, source)
    return Loaded(CO2, _finish(tidy), report, _empty_apart(), "province", {var["name"]: "Mt"})


def _split_city(name: str, where: str) -> tuple[int, str, str, int | None]:
    """Province code, province short name, city part and registry code (None if abolished)."""
    table = provinces()
    starts = sorted((s for s in table.short if name.startswith(s)), key=len, reverse=True)
    if not starts:
        raise DataValidationError(f"{where}: {name!r} does not begin with a province name")
    short = str(starts[0])
    province = int(table.index[table.short == short][0])
    rest = name[len(short) :]
    if not rest:
        municipality = province + 100
        if municipality not in cities().index:
            raise DataValidationError(f"{where}: {name!r} is a province, not a city")
        return province, short, rest, municipality
    if rest in CO2_CITY_NAMES:
        rest_name = CO2_CITY_NAMES[rest][0]
    else:
        inside = cities()[cities().province_code == province]
        begins = [str(n) for n in inside.name if str(n).startswith(rest)]
        rest_name = begins[0] if len(begins) == 1 else rest
    try:
        code = normalize([rest_name], "city", where=where)[0]
    except UnknownRegionError:
        former = _former_codes().get(rest)
        if former is None or former[0] // 10000 * 10000 != province:
            raise
        return province, short, rest, None
    if code // 10000 * 10000 != province:
        raise DataValidationError(
            f"{where}: {name!r} reads as {cities().at[code, 'name']} ({code}), which is not in "
            f"{short}"
        )
    return province, short, rest, code


@cache
def _co2_cities() -> Loaded:
    source = CO2
    report = ValidationReport()
    raw = _numbered(raw_table(CO2, "city_co2_total.csv.gz"))
    var = _variable_map(CO2).loc[("city_co2_total", "emission")]
    names = _city_names()
    found: dict[str, int] = {}
    apart: dict[str, int] = {}
    for name, part in raw.groupby("city", sort=True):
        line = int(part.line.iloc[0])
        where = f"{source} city_co2_total.csv line {line}"
        _, short, rest, code = _split_city(str(name), where)
        span = _span(sorted(part.year.unique()))
        if code is None:
            former = _former_codes()[rest]
            apart[str(name)] = former[0]
            report.add(
                "abolished_unit",
                "kept apart",
                f"{name} ({rest}, {short}) is not in the 2020-vintage registry (last listed "
                f"{former[2]}); its {len(part)} rows ({span}) are kept in .kept_apart under its "
                f"former code {former[0]}, not merged into its successors",
                source=source,
                table="city_co2_total",
                row=line,
                region=str(former[0]),
                original=str(name),
            )
            continue
        found[str(name)] = code
        how = f"; {CO2_CITY_NAMES[rest][1]}" if rest in CO2_CITY_NAMES else ""
        report.add(
            "name_split",
            "repaired",
            f"{name!r} split as province {short!r} + city {rest or short!r} → "
            f"{names[code]} ({code}){how}",
            source=source,
            table="city_co2_total",
            row=line,
            region=str(code),
            original=str(name),
            repaired=names[code],
        )
    if len(set(found.values())) != len(found):
        doubled = {n: c for n, c in found.items() if list(found.values()).count(c) > 1}
        raise DuplicateError(f"{source}: several city names map to one code: {doubled}")
    codes = raw.city.map({**found, **apart})
    tidy = pd.DataFrame(
        {
            "region_code": codes,
            "region": [
                names[c] if n in found else _split_city(n, source)[2]
                for n, c in zip(raw.city, codes, strict=True)
            ],
            "year": raw.year,
            "indicator": var["name"],
            "value": raw.emission.astype(float),
            "unit": var["unit"],
            "source": source,
            "table": "city_co2_total",
            "code": "emission",
            "line": raw.line,
        }
    )
    report.add(
        "unit",
        "flagged",
        f"emission is in million tonnes (Mt) in the source, kept as is ({len(tidy)} rows); "
        "province totals come in tonnes and are converted to Mt",
        source=source,
        table="city_co2_total",
        indicator=var["name"],
    )
    is_apart = raw.city.isin(apart).to_numpy()
    data = tidy[~is_apart]
    per_year = tidy.groupby("year").region_code.nunique()
    report.add(
        "unbalanced",
        "flagged",
        "cities per year in the source (abolished units included): "
        + ", ".join(f"{y} {n}" for y, n in per_year.items()),
        source=source,
        table="city_co2_total",
    )
    usual = per_year[per_year > 1].index.min()
    for row in data[data.year < usual].itertuples(index=False):
        later = data[(data.region_code == row.region_code) & (data.year > row.year)]
        report.add(
            "stray_year",
            "flagged",
            f"{row.region} {row.year}: the only row before {usual} (kept; its next year is "
            f"{int(later.year.min())})",
            source=source,
            table="city_co2_total",
            row=int(row.line),
            region=str(row.region_code),
            year=int(row.year),
            indicator=row.indicator,
        )
    _report_missing(data, report, source)
    _check_unique(data, source)
    kept = tidy[is_apart].drop(columns="line").assign(reason="abolished unit")
    kept["region_code"] = kept.region_code.astype("Int64")
    kept = kept[[*TIDY, "reason"]].sort_values(["region", "year"], ignore_index=True)
    return Loaded(CO2, _finish(data), report, kept, "city", {var["name"]: "Mt"})
