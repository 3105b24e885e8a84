"""One prefecture-level city panel from the bundled city sources: :func:`load_city_panel`.

Merges, on registry city codes, the prefecture components (2006–2018), the CEADs city CO2
emissions (kept for the same years), the census (2010, 2020) and the city innovation
cross-section (2016–2017). Every loader repair is carried over, and every merge decision (years
kept, cities absent from a source, values a source imputed, the year given to the cross-section)
is added to the panel's :class:`~nqpf.validation.ValidationReport`.
"""

from __future__ import annotations

import pandas as pd

from nqpf import regions
from nqpf.data.loaders import (
    CO2,
    CONNECTIVITY,
    load_city_census,
    load_city_connectivity,
    load_co2_emissions,
    load_prefecture_components,
)
from nqpf.errors import DataValidationError
from nqpf.panel import Panel
from nqpf.validation import ValidationReport

__all__ = ["CITY_CROSS_SECTION_YEAR", "CITY_PANEL_CENSUS", "load_city_panel"]

#: Year under which the innovation cross-section (KIBS share 2016, patents 2017) is stored.
CITY_CROSS_SECTION_YEAR = 2016
#: Census indicators carried into the panel.
CITY_PANEL_CENSUS = ("census_population", "census_population_urban")
#: Cross-section columns carried into the panel → unit.
_CONNECTIVITY_COLUMNS = {"kibs_share": "%", "patents": "件"}


def load_city_panel() -> Panel:
    """Prefecture-level cities × years merged from the bundled city sources (level ``"city"``).

    Indicators: the prefecture components (``population``, ``employment``, ``average_wage``,
    ``gdp_real_1997``, public spending on education, health and transport, …; 2006–2018; the
    4 municipalities absent; values IMPUTED by the source authors, unmarked), ``co2_emissions``
    (Mt, CEADs, 2006–2018 of its 1997–2019), ``census_population`` and
    ``census_population_urban`` (persons, 2010 and 2020) and ``kibs_share`` (%, 2016) and
    ``patents`` (2017) of the innovation cross-section, both stored under year
    :data:`CITY_CROSS_SECTION_YEAR`. Years are unbalanced by source; the report says which
    years each source has and which registry cities it lacks.

    Examples
    --------
    >>> panel = load_city_panel()
    >>> panel.level, panel.units["co2_emissions"], panel.units["patents"]
    ('city', 'Mt', '件')
    >>> panel.wide().loc[(440300, 2016), "patents"]
    np.float64(93805.0)

    """
    report = ValidationReport()
    prefecture = load_prefecture_components()
    years = (int(prefecture.data["year"].min()), int(prefecture.data["year"].max()))
    co2 = load_co2_emissions("city")
    census = load_city_census()
    connectivity = load_city_connectivity()
    for loaded in (prefecture, co2, census, connectivity):
        report.extend(loaded.report)

    co2_rows = co2.data[co2.data["year"].between(*years)]
    report.add(
        "years",
        "excluded",
        f"{CO2}: {len(co2.data) - len(co2_rows)} city-years outside {years[0]}–{years[1]} "
        "(the prefecture components' years) left out of the panel",
        source=CO2,
        indicator="co2_emissions",
    )
    census_rows = census.data[census.data["indicator"].isin(CITY_PANEL_CENSUS)]
    cross = connectivity.data.melt(
        id_vars="region_code",
        value_vars=list(_CONNECTIVITY_COLUMNS),
        var_name="indicator",
        value_name="value",
    ).assign(year=CITY_CROSS_SECTION_YEAR)
    report.add(
        "year_aligned",
        "assumed",
        f"{CONNECTIVITY}: one cross-section (kibs_share 2016, patents 2017) stored under "
        f"{CITY_CROSS_SECTION_YEAR}; patents are one year later than the other 2016 values",
        source=CONNECTIVITY,
        year=CITY_CROSS_SECTION_YEAR,
        indicator="patents",
    )
    parts = {
        prefecture.name: prefecture.data,
        CO2: co2_rows,
        census.name: census_rows,
        CONNECTIVITY: cross,
    }
    registry = regions.cities()
    for source, rows in parts.items():
        _report_coverage(source, rows, registry, report)
    report.add(
        "imputed",
        "flagged",
        f"{CO2}, {census.name} and {CONNECTIVITY} mark no imputed values; the values "
        f"{prefecture.name} imputed are not marked (see its own entry)",
        source="city panel",
    )
    columns = ["region_code", "year", "indicator", "value"]
    data = pd.concat([rows[columns] for rows in parts.values()], ignore_index=True)
    data["region_code"] = data["region_code"].astype("int64")
    data["year"] = data["year"].astype("int64")
    data["value"] = data["value"].astype(float)
    outside = sorted(set(data["region_code"]) - set(registry.index))
    if outside:
        raise DataValidationError(f"city panel: codes not in the city registry: {outside[:5]}")
    duplicated = data.duplicated(["region_code", "year", "indicator"])
    if duplicated.any():
        first = data[duplicated].iloc[0]
        raise DataValidationError(
            f"city panel: {first.region_code} {first.year} {first.indicator} comes twice"
        )
    units = {**prefecture.units, **co2.units, **_CONNECTIVITY_COLUMNS}
    units.update({name: census.units[name] for name in CITY_PANEL_CENSUS})
    data = data.sort_values(["region_code", "year", "indicator"], ignore_index=True)
    return Panel(data, "city", units, report)


def _report_coverage(
    source: str, rows: pd.DataFrame, registry: pd.DataFrame, report: ValidationReport
) -> None:
    """Years present and registry cities absent in one source (``coverage`` entries)."""
    per_year = rows.groupby("year")["region_code"].nunique()
    years = ", ".join(f"{year} {n}" for year, n in per_year.items())
    absent = registry.index.difference(pd.Index(rows["region_code"].unique()))
    names = "、".join(registry.loc[absent, "short"])
    report.add(
        "coverage",
        "flagged",
        f"{source}: cities per year {years}; {len(absent)} of {len(registry)} registry cities "
        f"absent: {names or 'none'}",
        source=source,
    )
