r"""Urban agglomerations and scales: concentration tables and aggregation from cities upwards.

:func:`scales_study` reads city values — by default the bundled census (population 2010,
2020), prefecture panel (population, real GDP, employment in their latest common year) and
innovation-connectivity table (patents 2017), or a user's city table — and states

- the concentration table of the policy literature: the share of the national total held by
  each urban agglomeration and by all of them, :math:`100 \sum_{i \in A} s_i x_i / X`, with
  the member cities with and without data and the partial members counted
  (:func:`~nqpf.paths.concentration`);
- aggregates from cities to agglomerations, provinces, macro-regions and the nation: sums, and
  population-weighted means of per-capita values :math:`\sum_i w_i x_i / \sum_i w_i`
  (:func:`~nqpf.paths.aggregate`; docs/methods-paths.md, "Scales").

The membership is the bundled curated list (unverified, three of the 19 national
agglomerations missing: stated in ``notes``) or the user's own file
(:func:`~nqpf.paths.memberships`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nqpf.data import (
    load_city_census,
    load_city_connectivity,
    load_prefecture_components,
)
from nqpf.errors import DataValidationError
from nqpf.paths import (
    MISSING_AGGLOMERATIONS,
    Concentration,
    Membership,
    Scale,
    agglomeration_label,
    aggregate,
    concentration,
    memberships,
)
from nqpf.paths.scales import ALL
from nqpf.regions import name_of
from nqpf.results import Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import region_level, value_table

__all__ = [
    "MEASURES",
    "SCALES",
    "ScalesStudyResult",
    "scales_study",
]

#: Target scales of the study, from fine to coarse.
SCALES: tuple[Scale, ...] = ("agglomeration", "province", "macro_region", "nation")

#: Measures of the bundled run: indicator → (Chinese, English label).
MEASURES: dict[str, tuple[str, str]] = {
    "census_population": ("普查人口", "Census population"),
    "population": ("人口（地级市面板）", "Population (prefecture panel)"),
    "gdp_real_1997": ("实际地区生产总值", "Real GDP (1997 prices)"),
    "employment": ("就业人数", "Employment"),
    "patents": ("专利数", "Patents"),
    "gdp_per_capita": ("人均实际地区生产总值", "Real GDP per head"),
    "patents_per_10k": ("每万人专利数", "Patents per 10,000 people"),
}
_PER_CAPITA = {"gdp_per_capita": "元/人", "patents_per_10k": "件/万人"}
_PATENT_YEAR = 2017  # CNIPA patents of city_innovation_connectivity_2016_2017 (SOURCE.md)
#: Measures of the bundled run's bar chart (latest year of each): population, GDP, patents.
_BAR_MEASURES = ("census_population", "gdp_real_1997", "patents")
_OUTSIDE = "不属于所列城市群 Outside the listed agglomerations"


@dataclass(frozen=True)
class ScalesStudyResult(StudyResult):
    """Agglomeration concentration and aggregation across scales.

    Attributes
    ----------
    membership
        The :class:`~nqpf.paths.Membership` used (bundled or the user's).
    values
        ``region_code, year, indicator, value, unit, weight``: the city values read;
        ``weight`` is the weight of a weighted mean (population), NaN for summed values.
    concentration
        Shares of the national totals by agglomeration (:class:`~nqpf.paths.Concentration`),
        ``None`` when only means were aggregated.
    aggregates
        ``scale, unit, unit_name, indicator, year, how, value, members, members_missing``.
    source
        ``"bundled"`` or where the city values came from.
    notes
        Membership status (unverified, missing agglomerations), sources and every rule applied.
    """

    key = "scales"
    title = ("城市群与多尺度", "Urban agglomerations and scales")

    membership: Membership
    values: pd.DataFrame
    concentration: Concentration | None
    aggregates: pd.DataFrame
    source: str
    notes: tuple[str, ...] = ()

    def measure_label(self, indicator: str) -> tuple[str, str]:
        """(Chinese, English) name of a measure.

        From :data:`MEASURES` for the bundled data; a user's indicator keeps its own name.
        """
        if self.source == "bundled" and indicator in MEASURES:
            return MEASURES[indicator]
        return indicator, indicator

    def concentration_table(self) -> pd.DataFrame:
        """The concentration rows with a bilingual ``label`` and ``partial`` members with data.

        ``members`` counts the member cities with a value, ``members_missing`` those without;
        ``partial`` how many of the counted members lie only partly inside.
        """
        if self.concentration is None:
            return pd.DataFrame()
        table = self.concentration.table.copy()
        table.insert(1, "label", [agglomeration_label(a) for a in table["agglomeration"]])
        present = self.values.dropna(subset=["value"])[["region_code", "indicator", "year"]]
        member = self.membership.table
        part = member.loc[member["partial"], ["agglomeration", "region_code"]].merge(
            present, on="region_code"
        )
        keys = ["agglomeration", "indicator", "year"]
        union = part.drop_duplicates(["region_code", "indicator", "year"]).assign(agglomeration=ALL)
        counts = pd.concat([part, union]).groupby(keys).size().rename("partial")
        table = table.merge(counts.reset_index(), on=keys, how="left")
        table["partial"] = table["partial"].fillna(0).astype(int)
        return table

    def member_table(self) -> pd.DataFrame:
        """The membership with, per measure-year, whether the member has a value (True/False)."""
        out = self.membership.table.copy()
        present = self.values.dropna(subset=["value"])
        for (indicator, year), block in present.groupby(["indicator", "year"], sort=False):
            out[f"{indicator} {year}"] = out["region_code"].isin(block["region_code"])
        return out

    def statements(self) -> list[str]:
        """One sentence per measure-year: "the N agglomerations hold X % of …"."""
        table = self.concentration_table()
        if table.empty:
            return []
        n = len(self.membership.agglomerations)
        absent = (
            f"（缺 {len(MISSING_AGGLOMERATIONS)} 个国家级城市群）"
            if self.membership.source == "bundled"
            else ""
        )
        absent_en = (
            f"; {len(MISSING_AGGLOMERATIONS)} national agglomerations missing"
            if self.membership.source == "bundled"
            else ""
        )
        out = []
        for row in table[table["agglomeration"] == ALL].itertuples(index=False):
            zh, en = self.measure_label(str(row.indicator))
            # "census population" mid-sentence, but acronyms (GDP) and names as they are
            en = en[:1].lower() + en[1:] if en[1:2].islower() else en
            out.append(
                f"{row.year} 年 {n} 个城市群{absent}合计占全国{zh}的 {row.share:.1f}%（成员城市 "
                f"{row.members} 个有数据、{row.members_missing} 个无数据）。The {n} "
                f"agglomerations hold {row.share:.1f} % of {en} in {row.year} "
                f"({row.members} member cities with data, {row.members_missing} without"
                f"{absent_en}; national total: {row.national_source})."
            )
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables (CSV files of ``nqpf scales``, workbook sheets of the report).

        ``agglomeration_concentration`` (when sums were taken), ``scales_aggregates`` and
        ``agglomeration_members``.
        """
        out = {}
        if self.concentration is not None:
            out["agglomeration_concentration"] = self.concentration_table()
        out["scales_aggregates"] = self.aggregates.copy()
        out["agglomeration_members"] = self.member_table()
        return out

    def figures(self) -> dict[str, FigureSpec]:
        """The agglomeration map and, with a concentration table, the bar chart of shares.

        The bars show the latest year of each summed measure (bundled data: census population,
        real GDP and patents).
        """
        member = self.membership.table
        first = member.drop_duplicates("region_code")
        shared = sorted(set(member.loc[member["shared"], "region"]))
        order = [agglomeration_label(a) for a in dict.fromkeys(first["agglomeration"])]
        caption = (
            "城市群成员城市 Member cities of the urban agglomerations"
            + (
                " (bundled list: unverified; " + "、".join(MISSING_AGGLOMERATIONS) + " missing)"
                if self.membership.source == "bundled"
                else f" ({self.membership.source})"
            )
            + (
                f"; a city in several agglomerations ({len(shared)}) takes the colour of the "
                "first listed"
                if shared
                else ""
            )
        )
        series = pd.Series(
            [agglomeration_label(a) for a in first["agglomeration"]],
            index=pd.Index(first["region_code"].to_numpy(), name="region"),
        )
        out = {
            "map": FigureSpec(
                caption,
                "city_map",
                series,
                {
                    "categorical": True,
                    "categories_order": order,
                    "label": "城市群 Urban agglomeration",
                    "no_data_label": _OUTSIDE,
                },
            )
        }
        table = self.concentration_table()
        if not table.empty:
            bars = table[table["agglomeration"] != ALL]
            if self.source == "bundled":
                bars = bars[bars["indicator"].isin(_BAR_MEASURES)]
            latest = bars.groupby("indicator")["year"].transform("max")
            bars = bars[bars["year"] == latest].copy()
            bars["measure"] = [
                f"{' '.join(dict.fromkeys(self.measure_label(str(i))))} {y}"
                for i, y in zip(bars["indicator"], bars["year"], strict=True)
            ]
            out["shares"] = FigureSpec(
                "城市群占全国份额 Agglomerations' shares of the national totals (%)",
                "agglomeration_shares",
                bars[["label", "measure", "share"]].reset_index(drop=True),
                {"xlabel": "占全国 % of national total"},
            )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The aggregates across scales."""
        return self.aggregates.copy()

    def summary(self) -> Summary:
        """The concentration summary (or the aggregates) with the study's notes."""
        if self.concentration is not None:
            inner = self.concentration.summary()
            return Summary(inner.title, inner.tables, self.notes)
        return Summary("尺度汇总 Aggregation across scales", (("", self.aggregates),), self.notes)


def scales_study(
    data: Any = None,
    *,
    values: Sequence[str] | None = None,
    membership: Membership | pd.DataFrame | str | Path | None = None,
    scales: Sequence[Scale] = SCALES,
    weight: str = "none",
) -> ScalesStudyResult:
    r"""Concentration in urban agglomerations and aggregation to coarser scales.

    Parameters
    ----------
    data
        ``None`` for the bundled city data (census population 2010 and 2020; prefecture panel
        population, real GDP and employment in their latest common year; patents 2017), or a
        user's city table: a :class:`~nqpf.panel.Panel` or long DataFrame with ``region_code``
        and ``year`` columns (see :func:`~nqpf.studies.inputs.value_table`).
    values
        With ``data``: the indicators (columns) to aggregate (required).
    membership
        A :class:`~nqpf.paths.Membership`, a membership table or CSV/XLSX file (columns
        ``agglomeration, city`` and optionally ``partial, share, shared``), or ``None`` for the
        bundled list.
    scales
        Target scales (default all four: agglomeration, province, macro-region, nation).
    weight
        With ``data``: ``"none"`` sums the values (and tabulates the agglomerations' shares);
        an indicator of ``data`` (``"population"``, ``"gdp"``) takes weighted means
        :math:`\sum w_i x_i/\sum w_i` with it as the weight. The bundled run sums the absolute
        measures and weights GDP per head and patents per 10,000 people by population.

    Raises
    ------
    DataValidationError
        ``values`` without ``data`` or the reverse, an unknown scale, a weight indicator
        missing from ``data``; the errors of :func:`~nqpf.paths.memberships` for a
        bad membership file (names that do not resolve, a city in two agglomerations).

    Examples
    --------
    >>> v = pd.DataFrame({"region_code": [110100, 120100, 130100], "year": 2020,
    ...                   "gdp": [3.6, 1.4, 0.6]})
    >>> s = scales_study(v, values=["gdp"], scales=["nation"])
    >>> s.aggregates[["unit", "indicator", "value", "members"]]
      unit indicator  value  members
    0   CN       gdp    5.6        3
    """
    unknown = [s for s in scales if s not in SCALES]
    if unknown or not scales:
        raise DataValidationError(
            f"scales must be among {', '.join(SCALES)}; got {list(scales) or 'none'}"
        )
    member = membership if isinstance(membership, Membership) else memberships(membership)
    notes = list(member.notes)
    if data is None:
        if values is not None:
            raise DataValidationError("values= names columns of data=; give data= too")
        table, read_notes = _bundled_values()
        sums = [m for m in MEASURES if m not in _PER_CAPITA]
        weighted = {m: "population" for m in _PER_CAPITA}
        source = "bundled"
    else:
        if not values:
            raise DataValidationError("name the value column(s) of data to aggregate (values=)")
        table, read_notes = _user_values(data, values, weight)
        sums = list(values) if weight == "none" else []
        weighted = {} if weight == "none" else dict.fromkeys(values, weight)
        source = "user"
    notes += read_notes
    for indicator, name in weighted.items():
        part = table[table["indicator"] == indicator]
        unweighted = part[part["value"].notna() & part["weight"].isna()]
        if len(unweighted):
            names = ", ".join(
                f"{name_of(int(c), level=region_level([c]))} {y}"
                for c, y in zip(
                    unweighted["region_code"][:10], unweighted["year"][:10], strict=True
                )
            )
            notes.append(
                f"{indicator}: {len(unweighted)} region-years without a {name} weight are left out "
                f"of the weighted means: {names}{' ...' if len(unweighted) > 10 else ''}"
            )
    frames = []
    for scale in scales:
        for indicator in [*sums, *weighted]:
            part = table[table["indicator"] == indicator]
            if part.empty:
                continue
            by = weighted.get(indicator)
            if by is not None:
                part = part.dropna(subset=["value", "weight"]).rename(columns={"weight": by})
            result = aggregate(
                part,
                to=scale,
                how="sum" if by is None else "weighted_mean",
                weights=by,
                membership=member if scale == "agglomeration" else None,
            )
            frames.append(
                result.table.assign(
                    scale=scale,
                    indicator=indicator,
                    how="sum" if by is None else f"weighted by {by}",
                )
            )
            context = f"{scale} · {indicator}: "
            notes += [context + n for n in result.notes if n not in member.notes]
    aggregates = pd.concat(frames, ignore_index=True)[
        [
            "scale",
            "unit",
            "unit_name",
            "indicator",
            "year",
            "how",
            "value",
            "members",
            "members_missing",
        ]
    ]
    shares = None
    if sums:
        shares = concentration(table, measures=sums, membership=member)
        notes += [  # the agglomeration aggregates above already state the rest
            n
            for n in shares.notes
            if n not in member.notes and not any(x.endswith(n) for x in notes)
        ]
    return ScalesStudyResult(
        membership=member,
        values=table,
        concentration=shares,
        aggregates=aggregates,
        source=source,
        notes=tuple(notes),
        meta=make_meta(
            "scales study",
            source=source,
            membership=member.source,
            verified=bool(member.meta.get("verified", member.source != "bundled")),
            scales=list(scales),
            measures=sorted(set(table["indicator"])),
        ),
    )


def _bundled_values() -> tuple[pd.DataFrame, list[str]]:
    """City values of the bundled datasets, long, with units and weights; and the notes."""
    census = load_city_census()
    prefecture = load_prefecture_components()
    connectivity = load_city_connectivity()
    pop = census.data[census.data["indicator"] == "census_population"]
    frames = [pop.assign(unit=census.units["census_population"])]
    wanted = ["population", "gdp_real_1997", "employment"]
    panel = prefecture.data[prefecture.data["indicator"].isin(wanted)].dropna(subset=["value"])
    years = [set(panel.loc[panel["indicator"] == m, "year"]) for m in wanted]
    year = int(max(set.intersection(*years)))
    latest = panel[panel["year"] == year]
    frames.append(latest.assign(unit=latest["indicator"].map(prefecture.units)))
    patents = connectivity.data[["region_code", "patents"]].rename(columns={"patents": "value"})
    frames.append(
        patents.assign(year=_PATENT_YEAR, indicator="patents", unit=connectivity.units["patents"])
    )
    columns = ["region_code", "year", "indicator", "value", "unit"]
    table = pd.concat([f[columns] for f in frames], ignore_index=True)
    table["region_code"] = table["region_code"].astype(np.int64)
    table["year"] = table["year"].astype(np.int64)
    wide = table.pivot_table(
        index=["region_code", "year"], columns="indicator", values="value"
    ).reset_index()
    per_capita = []
    gdp = wide.dropna(subset=["gdp_real_1997", "population"])
    per_capita.append(  # 亿元 / 万人 → 元 per person
        gdp.assign(value=gdp["gdp_real_1997"] * 1e4 / gdp["population"], indicator="gdp_per_capita")
    )
    heads = panel[(panel["indicator"] == "population") & (panel["year"] == _PATENT_YEAR)]
    heads = heads[["region_code", "value"]].rename(columns={"value": "heads"})
    pat = patents.merge(heads, on="region_code").dropna()
    per_capita.append(
        pat.assign(
            value=pat["value"] / pat["heads"],
            population=pat["heads"],
            indicator="patents_per_10k",
            year=_PATENT_YEAR,
        )
    )
    extra = [
        f.assign(unit=_PER_CAPITA[str(f["indicator"].iloc[0])], weight=f["population"])
        for f in per_capita
    ]
    table = pd.concat(
        [table.assign(weight=np.nan), *(f[[*columns, "weight"]] for f in extra)],
        ignore_index=True,
    )
    table["region_code"] = table["region_code"].astype(np.int64)
    table["year"] = table["year"].astype(np.int64)
    notes = [
        f"数据 Data: 普查人口 census population 2010 and 2020 ({census.name}); population, real "
        f"GDP (1997 prices) and employment in {year}, the latest year the three share "
        f"({prefecture.name}); patents {_PATENT_YEAR} (CNIPA, {connectivity.name}, "
        f"{patents['value'].notna().sum()} cities)",
        f"the prefecture panel lacks the 4 municipalities (北京, 天津, 上海, 重庆): its national "
        f"totals and the agglomerations holding them (京津冀, 长江三角洲, 成渝) undercount in "
        f"{year}; their missing members are counted in members_missing",
        "the prefecture panel's source imputed missing values and did not mark them "
        "(population by linear interpolation, other items from province growth rates)",
        f"population-weighted means: GDP per head {year} (元/人 = total GDP / total population) "
        f"and patents per 10,000 people {_PATENT_YEAR} (件/万人), weighted by the prefecture "
        f"panel's population of the same year; cities lacking either are left out",
    ]
    return table, notes


def _user_values(data: Any, values: Sequence[str], weight: str) -> tuple[pd.DataFrame, list[str]]:
    """Long city values ``region_code, year, indicator, value, unit, weight`` of a user's table."""
    frames, notes = [], []
    names = list(dict.fromkeys([*values, *([] if weight == "none" else [weight])]))
    units = getattr(data, "units", {}) or {}
    for name in names:
        hint = (
            f"; weight={weight!r} needs a {weight!r} column (or use weight='none' to sum)"
            if name == weight and name not in values
            else ""
        )
        try:
            table, read = value_table(data, name, what="scales study")
        except DataValidationError as exc:
            raise DataValidationError(f"{exc}{hint}") from None
        frames.append(table.assign(indicator=name, unit=units.get(name, "")))
        notes += read
    table = pd.concat(frames, ignore_index=True)
    if weight != "none":
        w = frames[names.index(weight)][["region_code", "year", "value"]].rename(
            columns={"value": "weight"}
        )
        table = table[table["indicator"].isin(values)].merge(
            w, on=["region_code", "year"], how="left"
        )
    else:
        table["weight"] = np.nan
    table["region_code"] = pd.to_numeric(table["region_code"], errors="coerce")
    if table["region_code"].isna().any():
        raise DataValidationError(
            "scales study: region codes must be 6-digit GB/T 2260 codes (read the table with "
            "level='city' so names are resolved)"
        )
    table["region_code"] = table["region_code"].astype(np.int64)
    return table[["region_code", "year", "indicator", "value", "unit", "weight"]], notes
