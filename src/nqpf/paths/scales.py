r"""Scales: urban agglomerations, provinces, macro-regions and the nation.

City (or province) values are summed or averaged to a coarser scale. A unit's value is

.. math::

    \text{sum: } \sum_i s_i x_i, \qquad
    \text{mean: } \frac{\sum_i s_i x_i}{\sum_i s_i}, \qquad
    \text{weighted mean: } \frac{\sum_i s_i w_i x_i}{\sum_i s_i w_i},

over the members *i* with a value, where :math:`s_i` is the share of a partial member inside
the unit (1 for whole members and for partial members without a stated share) and
:math:`w_i` a population or GDP weight. Concentration tables state an agglomeration's share
of the national total, :math:`100 \sum_{i \in A} s_i x_i / X_{\text{nation}}` (the form of
the policy literature: "the 19 agglomerations hold N % of the population").

Membership of the urban agglomerations (城市群) comes from the bundled hand-curated table
(:func:`nqpf.data.load_urban_agglomerations`: plan documents of the State Council and NDRC,
2015–2022) or from the user's own table. Provinces and macro-regions (NBS 2011 division)
come from the region registry (:mod:`nqpf.regions`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.data import load_urban_agglomerations
from nqpf.errors import (
    DataValidationError,
    DuplicateError,
    UnknownRegionError,
    WeightsError,
    show,
)
from nqpf.panel import read_table
from nqpf.regions import MACRO_REGIONS, Level, cities, name_of, normalize, provinces
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "AGGLOMERATION_EN",
    "ALL",
    "MISSING_AGGLOMERATIONS",
    "Aggregated",
    "Concentration",
    "Membership",
    "Scale",
    "aggregate",
    "agglomeration_label",
    "concentration",
    "memberships",
]

#: Target scales of :func:`aggregate`.
Scale = Literal["agglomeration", "province", "macro_region", "nation"]
_SCALES = ("agglomeration", "province", "macro_region", "nation")
_HOWS = ("sum", "mean", "weighted_mean")

#: National agglomerations of the 19 that the bundled membership does not hold: no single
#: official list of prefecture-level members exists for them.
MISSING_AGGLOMERATIONS = ("海峡西岸城市群", "辽中南城市群", "天山北坡城市群")

#: English names of the agglomerations of the bundled membership.
AGGLOMERATION_EN: dict[str, str] = {
    "粤港澳大湾区": "Guangdong–Hong Kong–Macao Greater Bay Area",
    "京津冀城市群": "Beijing–Tianjin–Hebei",
    "长江三角洲城市群": "Yangtze River Delta",
    "珠江三角洲城市群": "Pearl River Delta",
    "成渝城市群": "Chengdu–Chongqing",
    "长江中游城市群": "Middle Yangtze River",
    "中原城市群": "Central Plains",
    "哈长城市群": "Harbin–Changchun",
    "北部湾城市群": "Beibu Gulf",
    "关中平原城市群": "Guanzhong Plain",
    "呼包鄂榆城市群": "Hohhot–Baotou–Ordos–Yulin",
    "兰西城市群": "Lanzhou–Xining",
    "山东半岛城市群": "Shandong Peninsula",
    "山西中部城市群": "Central Shanxi",
    "滇中城市群": "Central Yunnan",
    "黔中城市群": "Central Guizhou",
    "宁夏沿黄城市群": "Ningxia Yellow River",
}

#: Name of the whole country as a unit of :func:`aggregate`.
NATION = ("CN", "全国 China")
#: Label of the union of all agglomerations in :func:`concentration`.
ALL = "全部城市群 All agglomerations"


def agglomeration_label(name: str) -> str:
    """Bilingual label of an agglomeration: "京津冀城市群 Beijing–Tianjin–Hebei".

    The name as given when :data:`AGGLOMERATION_EN` does not know it (a user's agglomeration).
    """
    english = AGGLOMERATION_EN.get(name)
    return f"{name} {english}" if english else name


_TRUE = {"1", "true", "yes", "y", "t", "是", "x"}
_FALSE = {"0", "false", "no", "n", "f", "否", ""}


# --------------------------------------------------------------------------- membership
@dataclass(frozen=True)
class Membership(Result):
    """Which cities belong to which urban agglomeration.

    Attributes
    ----------
    table
        ``agglomeration, region_code, region, partial, share, shared, plan_year``: one row
        per member. ``partial`` marks a city only partly inside; ``share`` is the stated share
        inside (NaN when none is given: the city then counts whole); ``shared`` marks a city
        that the source lists in more than one agglomeration on purpose; ``plan_year`` is the
        year of the agglomeration's plan document (NaN when not given).
    source
        ``"bundled"`` (the curated table) or where the user's membership came from.
    notes
        The status of the source and every policy applied (shared and partial members).
    """

    table: pd.DataFrame
    source: str
    notes: tuple[str, ...] = ()

    @property
    def agglomerations(self) -> tuple[str, ...]:
        """Agglomeration names in the order of the table."""
        return tuple(dict.fromkeys(self.table.agglomeration))

    def to_frame(self) -> pd.DataFrame:
        """One row per member: the columns of :attr:`table`."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Members, partial and shared members per agglomeration."""
        t = self.table
        counts = t.groupby("agglomeration", sort=False).agg(
            members=("region_code", "size"), partial=("partial", "sum"), shared=("shared", "sum")
        )
        counts.index.name = "城市群 Agglomeration"
        counts.columns = ["成员 Members", "部分成员 Partial", "共享成员 Shared"]
        return Summary(
            "城市群成员 Urban-agglomeration membership", (("", counts),), notes=self.notes
        )


def memberships(
    source: pd.DataFrame | str | Path | None = None, *, aliases: Mapping[str, str] | None = None
) -> Membership:
    """The urban-agglomeration membership: the bundled curated table, or the user's own.

    The bundled table (:func:`nqpf.data.load_urban_agglomerations`) holds 16 of the 19 national
    agglomerations and the Greater Bay Area (9 + 2); it was compiled by hand and not checked
    line by line against the plan texts, and :data:`MISSING_AGGLOMERATIONS` are absent. Both
    facts are in ``notes``. Cities that its plan documents list in two agglomerations (the Pearl
    River Delta inside the Greater Bay Area; 邯郸, 邢台, 聊城, 菏泽, 运城 in the Central Plains
    plan and a neighbour's) are marked ``shared`` and listed.

    Parameters
    ----------
    source
        ``None`` for the bundled table, or a DataFrame / CSV or XLSX file with the columns
        ``agglomeration`` and ``city`` (name or 6-digit code) and optionally ``partial``
        (true/false) and ``share`` (0 < share ≤ 1: the part of the city inside; implies
        partial), ``shared`` (true/false: listed in several agglomerations on purpose) and
        ``plan_year`` (year of the agglomeration's plan).
    aliases
        Extra city spellings for :func:`nqpf.regions.normalize`.

    Raises
    ------
    UnknownRegionError
        A city name that the registry does not know, with the closest names and the row.
    DuplicateError
        The same city twice in one agglomeration.
    DataValidationError
        Missing columns, a bad flag or share, a city in two agglomerations that is marked
        neither partial nor shared, or shares of one city adding up to more than 1.

    Examples
    --------
    >>> m = memberships()
    >>> len(m.agglomerations), m.table.query("agglomeration == '京津冀城市群'").shape[0]
    (17, 13)
    """
    if source is None:
        return _bundled()
    if isinstance(source, pd.DataFrame):
        raw, label = source.copy(), "membership table"
        raw.index = pd.RangeIndex(2, len(raw) + 2)  # spreadsheet rows: header is row 1
    else:
        raw, label = read_table(source), Path(source).name
    missing = {"agglomeration", "city"} - set(raw.columns)
    if missing:
        raise DataValidationError(
            f"{label}: missing column(s) {sorted(missing)}; need agglomeration, city "
            "(optional partial, share, shared)"
        )
    codes = [
        normalize([city], "city", aliases=aliases, where=f"{label} row {row}")[0]
        for row, city in raw.city.items()
    ]
    share = _shares(raw, label)
    partial = _flags(raw, "partial", label) | share.notna()
    table = pd.DataFrame(
        {
            "agglomeration": raw.agglomeration.astype(str).str.strip().to_numpy(),
            "region_code": np.asarray(codes, dtype=np.int64),
            "region": [name_of(c, level="city") for c in codes],
            "partial": partial.to_numpy(),
            "share": share.to_numpy(),
            "shared": _flags(raw, "shared", label).to_numpy(),
            "plan_year": _plan_years(raw, label).to_numpy(),
        }
    )
    notes = [f"membership read from {label}: {table.agglomeration.nunique()} agglomerations"]
    _check_members(table, label, strict=True)
    return Membership(
        table=table,
        source=label,
        notes=(*notes, *_member_notes(table)),
        meta=make_meta("memberships", source=label, members=len(table)),
    )


def _bundled() -> Membership:
    loaded = load_urban_agglomerations()
    data = loaded.data
    table = pd.DataFrame(
        {
            "agglomeration": data.agglomeration.to_numpy(),
            "region_code": data.region_code.to_numpy(dtype=np.int64),
            "region": data.region.to_numpy(),
            "partial": data.partial_coverage.to_numpy(dtype=bool),
            "share": np.nan,
            "shared": data.region_code.duplicated(keep=False).to_numpy(),
            "plan_year": data.plan_year.to_numpy(dtype=float),
        }
    )
    _check_members(table, "bundled membership", strict=False)
    notes = (
        "membership compiled by hand from the State Council / NDRC plan documents and NOT "
        "checked line by line against the plan texts (verification status: "
        f"{', '.join(sorted(set(data.verification_status)))}); verify before publishing",
        f"{len(MISSING_AGGLOMERATIONS)} of the 19 national agglomerations are missing "
        f"({', '.join(MISSING_AGGLOMERATIONS)}): no single official list of their members "
        "exists",
        "长江三角洲城市群 holds the 26 cities of the 2016 plan, not the 41 of the 2019 "
        "integration scope; 粤港澳大湾区 (9 + 2) contains all of 珠江三角洲城市群",
        *_member_notes(table),
    )
    return Membership(
        table=table,
        source="bundled",
        notes=notes,
        meta=make_meta(
            "memberships",
            source=loaded.name,
            members=len(table),
            verified=False,
            missing_agglomerations=list(MISSING_AGGLOMERATIONS),
        ),
    )


def _flags(raw: pd.DataFrame, column: str, label: str) -> pd.Series:
    if column not in raw:
        return pd.Series(False, index=raw.index)
    out = []
    for row, cell in raw[column].items():
        text = "" if pd.isna(cell) else str(cell).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text not in _TRUE | _FALSE:
            raise DataValidationError(
                f"{label} row {row}: {column} must be true or false, not {cell!r}"
            )
        out.append(text in _TRUE)
    return pd.Series(out, index=raw.index, dtype=bool)


def _plan_years(raw: pd.DataFrame, label: str) -> pd.Series:
    if "plan_year" not in raw:
        return pd.Series(np.nan, index=raw.index)
    years = pd.to_numeric(raw.plan_year, errors="coerce")
    bad = raw.plan_year.notna() & raw.plan_year.astype(str).str.strip().ne("") & years.isna()
    if bad.any():
        row = bad.idxmax()
        raise DataValidationError(
            f"{label} row {row}: plan_year must be a year, not {raw.plan_year[row]!r}"
        )
    return years.astype(float)


def _shares(raw: pd.DataFrame, label: str) -> pd.Series:
    if "share" not in raw:
        return pd.Series(np.nan, index=raw.index)
    share = pd.to_numeric(raw.share, errors="coerce")
    bad = (raw.share.notna() & raw.share.astype(str).str.strip().ne("") & share.isna()) | ~(
        share.isna() | ((share > 0) & (share <= 1))
    )
    if bad.any():
        row = bad.idxmax()
        raise DataValidationError(
            f"{label} row {row}: share of {raw.city[row]!r} must lie in (0, 1], "
            f"not {raw.share[row]!r}"
        )
    return share.astype(float)


def _check_members(table: pd.DataFrame, label: str, *, strict: bool) -> None:
    dup = table.duplicated(["agglomeration", "region_code"], keep=False)
    if dup.any():
        first = table[dup].iloc[0]
        raise DuplicateError(
            f"{label}: {first.region} ({first.region_code}) is listed twice in "
            f"{first.agglomeration}"
        )
    for code, rows in table.groupby("region_code"):
        if len(rows) < 2:
            continue
        names = ", ".join(rows.agglomeration)
        if strict and not (rows.partial | rows.shared).all():
            raise DataValidationError(
                f"{label}: {rows.region.iloc[0]} ({code}) is in several agglomerations "
                f"({names}); mark it partial (with its share) or shared in every row if "
                "that is intended"
            )
        if rows.share.sum() > 1 + 1e-9:
            raise DataValidationError(
                f"{label}: the shares of {rows.region.iloc[0]} ({code}) in {names} add up to "
                f"{rows.share.sum():g} > 1"
            )


def _member_notes(table: pd.DataFrame) -> list[str]:
    notes = []
    shared = table[table.region_code.duplicated(keep=False)]
    if len(shared):
        listed = "; ".join(
            f"{rows.region.iloc[0]}: {', '.join(rows.agglomeration)}"
            for _, rows in shared.groupby("region_code", sort=True)
        )
        notes.append(
            f"{shared.region_code.nunique()} cities belong to more than one agglomeration "
            f"(each counts in each; once in a union): {listed}"
        )
    whole = table[table.partial & table.share.isna()]
    if len(whole):
        notes.append(
            f"{len(whole)} partial members without a stated share count whole: "
            + ", ".join(f"{r.region} ({r.agglomeration})" for r in whole.itertuples())
        )
    return notes


# --------------------------------------------------------------------------- aggregation
@dataclass(frozen=True)
class Aggregated(Result):
    """Values aggregated from cities (or provinces) to a coarser scale.

    Attributes
    ----------
    table
        ``unit, unit_name, year, value, members, members_missing``: ``members`` counts the
        members with a value that year, ``members_missing`` those of the unit without one.
    scale, how
        The target scale and the aggregation (``"sum"``, ``"mean"``, ``"weighted_mean"``).
    missing
        ``unit, year, region_code, region``: each member without a value.
    unassigned
        ``region_code, region``: regions with values that belong to no unit of the scale
        (a city in no agglomeration; Hong Kong and Macao for provinces); never dropped silently.
    notes
        Every policy applied.
    """

    table: pd.DataFrame
    scale: str
    how: str
    missing: pd.DataFrame
    unassigned: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """``unit, unit_name, year, value, members, members_missing``."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Units × years of the aggregated value, with the notes."""
        wide = self.table.pivot_table(
            index=["unit", "unit_name"], columns="year", values="value", sort=False
        )
        wide.index.names = ["单元 Unit", "名称 Name"]
        title = {
            "agglomeration": "城市群 Urban agglomerations",
            "province": "省份 Provinces",
            "macro_region": "四大区域 Macro-regions",
            "nation": "全国 Nation",
        }[self.scale]
        return Summary(f"尺度汇总 Aggregation: {title} ({self.how})", (("", wide),), self.notes)


def aggregate(
    values: pd.DataFrame,
    *,
    to: Scale = "agglomeration",
    how: Literal["sum", "mean", "weighted_mean"] = "sum",
    weights: str | pd.Series | None = None,
    membership: Membership | None = None,
    region: str = "region_code",
    year: str = "year",
    value: str = "value",
) -> Aggregated:
    """Aggregate city (or province) values to agglomerations, provinces, macro-regions, nation.

    Sums, simple means or weighted means (population or GDP weights) over the members with a
    value, partial members weighted by their share where one is stated (formulas in the
    module docstring; docs/methods-paths.md, "Scales"). Provinces come from the first two
    digits of a GB/T 2260 city code, macro-regions from the NBS division.

    Parameters
    ----------
    values
        Long table with ``region`` (6-digit city or province codes), ``year`` and ``value``
        columns; one row per region and year.
    to
        ``"agglomeration"`` (city values only), ``"province"``, ``"macro_region"``,
        ``"nation"`` (the 31 mainland provinces).
    how
        ``"sum"``, ``"mean"`` or ``"weighted_mean"``.
    weights
        For ``"weighted_mean"``: a column of ``values``, or a Series indexed by region code
        or by (region code, year). Weights must be finite and non-negative.
    membership
        For ``to="agglomeration"``: a :class:`Membership` (default: :func:`memberships`).
    region, year, value
        Column names in ``values``.

    Raises
    ------
    DataValidationError
        A bad scale or aggregation, missing columns, repeated region-years, codes that are
        not in the registry, province values aggregated to agglomerations.
    WeightsError
        Missing, negative or non-finite weights (naming the region and year), or weights
        given without ``how="weighted_mean"``.

    Examples
    --------
    >>> v = pd.DataFrame({"region_code": [440100, 440300, 110100], "year": 2020,
    ...                   "value": [1.0, 2.0, 4.0]})
    >>> aggregate(v, to="province").to_frame()[["unit", "value", "members"]]
         unit  value  members
    0  110000    4.0        1
    1  440000    3.0        2
    """
    if to not in _SCALES:
        raise DataValidationError(f"to must be one of {_SCALES}, not {to!r}")
    if how not in _HOWS:
        raise DataValidationError(f"how must be one of {_HOWS}, not {how!r}")
    if (weights is None) == (how == "weighted_mean"):
        raise WeightsError(
            "how='weighted_mean' needs weights=, and weights= needs how='weighted_mean'"
        )
    data, level = _values(values, region, year, value)
    if how == "weighted_mean":
        data["w"] = _weights(values, data, weights, region, year)
    else:
        data["w"] = 1.0
    groups, notes = _groups(to, level, membership)
    if membership is not None and to != "agglomeration":
        notes.append(f"membership ignored: the {to} grouping comes from the region registry")
    assigned = set(groups.region_code)
    present = data.drop_duplicates("region_code")
    lost = present[~present.region_code.isin(assigned)]
    unassigned = pd.DataFrame(
        {
            "region_code": lost.region_code.to_numpy(),
            "region": [name_of(c, level=level) for c in lost.region_code],
        }
    )
    if len(unassigned):
        notes.append(
            f"{len(unassigned)} regions with values belong to no {to} and are left out: "
            + ", ".join(unassigned.region.head(10))
            + (" ..." if len(unassigned) > 10 else "")
        )
    covered = groups.unit[groups.region_code.isin(present.region_code)].unique()
    absent = groups.unit_name[~groups.unit.isin(covered)].unique()
    if len(absent):
        notes.append(
            f"{len(absent)} units have no member in the data and are not listed: "
            + ", ".join(map(str, absent[:10]))
            + (" ..." if len(absent) > 10 else "")
        )
    groups = groups[groups.unit.isin(covered)]
    years = sorted(data.year.unique())
    grid = groups.merge(pd.DataFrame({"year": years}), how="cross")
    merged = grid.merge(data, on=["region_code", "year"], how="left")
    has = merged.x.notna()
    merged["sw"] = merged.share.fillna(1.0) * merged.w
    merged["swx"] = merged.sw * merged.x
    used = merged[has]
    keys = ["unit", "unit_name", "year"]
    agg = used.groupby(keys, sort=False).agg(
        num=("swx", "sum"), den=("sw", "sum"), members=("region_code", "size")
    )
    table = grid.drop_duplicates(keys)[keys].merge(agg.reset_index(), on=keys, how="left")
    table["members"] = table.members.fillna(0).astype(int)
    if how == "sum":
        table["value"] = table.num.where(table.members > 0)
    else:
        table["value"] = table.num / table.den.where(table.den > 0)
    miss = merged[~has][["unit", "year", "region_code"]]
    missing = miss.assign(region=[name_of(c, level=level) for c in miss.region_code])
    counts = missing.groupby(["unit", "year"]).size()
    table["members_missing"] = [
        int(counts.get((u, y), 0)) for u, y in zip(table.unit, table.year, strict=True)
    ]
    if len(missing):
        notes.append(
            f"{len(missing)} member-years have no value and are left out of their unit "
            f"(see members_missing){'; sums undercount those units' if how == 'sum' else ''}"
        )
    if how == "weighted_mean":
        notes.append(f"weighted by {weights if isinstance(weights, str) else 'the given Series'}")
    order = {u: i for i, u in enumerate(dict.fromkeys(groups.unit))}
    table = (
        table.assign(_order=table.unit.map(order))
        .sort_values(["_order", "year"], kind="stable")
        .reset_index(drop=True)
    )
    columns = ["unit", "unit_name", "year", "value", "members", "members_missing"]
    return Aggregated(
        table=table[columns],
        scale=to,
        how=how,
        missing=missing.reset_index(drop=True),
        unassigned=unassigned,
        notes=tuple(notes),
        meta=make_meta("aggregate", scale=to, how=how, level=level, years=[int(y) for y in years]),
    )


def _values(values: pd.DataFrame, region: str, year: str, value: str) -> tuple[pd.DataFrame, Level]:
    missing = [c for c in (region, year, value) if c not in values]
    if missing:
        raise DataValidationError(
            f"values lack the column(s) {missing}; have {list(values.columns)}"
        )
    codes = pd.to_numeric(values[region], errors="coerce")
    if codes.isna().any():
        bad = values[region][codes.isna()].iloc[0]
        raise DataValidationError(
            f"column {region!r} must hold 6-digit region codes; {bad!r} is not one "
            "(turn names into codes with nqpf.regions.normalize)"
        )
    data = pd.DataFrame(
        {
            "region_code": codes.astype(np.int64).to_numpy(),
            "year": values[year].to_numpy(),
            "x": pd.to_numeric(values[value], errors="coerce").to_numpy(dtype=float),
        }
    )
    dup = data.duplicated(["region_code", "year"])
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DuplicateError(
            f"region {show(data.region_code.iloc[i])} year {show(data.year.iloc[i])} appears "
            "more than once in values"
        )
    level: Level = "province" if data.region_code.isin(provinces().index).all() else "city"
    if level == "city":
        unknown = sorted(set(data.region_code) - set(cities().index))
        if unknown:
            raise UnknownRegionError(unknown[0], "city", [], f"column {region!r}")
    return data, level


def _weights(
    values: pd.DataFrame,
    data: pd.DataFrame,
    weights: str | pd.Series | None,
    region: str,
    year: str,
) -> np.ndarray:
    if isinstance(weights, str):
        if weights not in values:
            raise WeightsError(f"weights column {weights!r} is not in values")
        w = pd.to_numeric(values[weights], errors="coerce").to_numpy(dtype=float)
    elif isinstance(weights, pd.Series):
        if weights.index.nlevels == 2:
            key = pd.MultiIndex.from_arrays([data.region_code, data.year])
        else:
            key = pd.Index(data.region_code)
        w = weights.reindex(key).to_numpy(dtype=float)
    else:
        raise WeightsError(f"weights must be a column name or a Series, not {type(weights)}")
    bad = ~np.isfinite(w) | (w < 0)
    # only rows with a value need a weight
    bad &= data.x.notna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise WeightsError(
            f"weight of region {show(data.region_code.iloc[i])} in {show(data.year.iloc[i])} "
            "must be a "
            f"finite non-negative number, not {show(w[i])}"
        )
    return w


def _groups(to: str, level: Level, membership: Membership | None) -> tuple[pd.DataFrame, list]:
    """``region_code, unit, unit_name, share`` of every member of every unit."""
    notes: list[str] = []
    if to == "agglomeration":
        if level != "city":
            raise DataValidationError(
                "agglomerations are made of cities; got province codes in values"
            )
        member = memberships() if membership is None else membership
        t = member.table
        notes += list(member.notes)
        return (
            pd.DataFrame(
                {
                    "region_code": t.region_code,
                    "unit": t.agglomeration,
                    "unit_name": t.agglomeration,
                    "share": t.share,
                }
            ),
            notes,
        )
    table = cities() if level == "city" else provinces()
    codes = table.index.to_numpy(dtype=np.int64)
    province = codes // 10000 * 10000
    inside = np.isin(province, provinces().index)
    codes, province = codes[inside], province[inside]
    if to == "province":
        unit = province.astype(object)
        names = [name_of(p) for p in province]
    elif to == "macro_region":
        keys = provinces().macro_region.reindex(province).to_numpy()
        unit = keys
        names = [f"{MACRO_REGIONS[k][0]} {MACRO_REGIONS[k][1]}" for k in keys]
    else:
        unit = np.full(len(codes), NATION[0], dtype=object)
        names = [NATION[1]] * len(codes)
    return (
        pd.DataFrame({"region_code": codes, "unit": unit, "unit_name": names, "share": np.nan}),
        notes,
    )


# --------------------------------------------------------------------------- concentration
@dataclass(frozen=True)
class Concentration(Result):
    """Shares of the national total held by urban agglomerations, by measure and year.

    Attributes
    ----------
    table
        ``agglomeration, indicator, year, value, national, share, members, members_missing,
        national_source``: ``share`` in percent; the last row block of each measure-year is
        the union of all agglomerations (each city once).
    notes
        The membership's status and every policy applied.
    """

    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The :attr:`table`."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Agglomerations × (measure, year) of the share of the national total (%)."""
        wide = self.table.pivot_table(
            index="agglomeration", columns=["indicator", "year"], values="share", sort=False
        )
        wide.index.name = "城市群 Agglomeration"
        return Summary(
            "城市群集聚度 Agglomeration concentration (% of national total)",
            (("", wide),),
            self.notes,
        )


def concentration(
    values: pd.DataFrame,
    *,
    measures: Sequence[str] | None = None,
    membership: Membership | None = None,
    national: Mapping[tuple[str, int], float] | None = None,
    region: str = "region_code",
    year: str = "year",
    indicator: str = "indicator",
    value: str = "value",
) -> Concentration:
    r"""The share of the national population / GDP / patents held by each urban agglomeration.

    For each measure and year: the members' total :math:`\sum_{i \in A} s_i x_i` (partial
    members by their stated share, else whole), and its percentage of the national total —
    the sum over all cities in ``values`` (the default) or a given national figure. The last
    row of each measure-year is the union of the agglomerations, each city counted once
    (its shares summed, at most 1).

    Parameters
    ----------
    values
        Long table of city values: ``region`` (6-digit city codes), ``year``, ``indicator``,
        ``value`` (e.g. :func:`nqpf.data.load_city_census` data).
    measures
        Indicators to tabulate (default: all in ``values``).
    membership
        A :class:`Membership` (default: :func:`memberships`).
    national
        Given national totals ``{(indicator, year): total}``; measure-years not in it use the
        sum over all cities in the data.
    region, year, indicator, value
        Column names in ``values``.

    Raises
    ------
    DataValidationError
        Missing columns or measures, a national total that is not positive.
    """
    missing = [c for c in (indicator,) if c not in values]
    if missing:
        raise DataValidationError(f"values lack the column {indicator!r}")
    present = list(dict.fromkeys(values[indicator]))
    chosen = present if measures is None else list(measures)
    unknown = [m for m in chosen if m not in present]
    if unknown:
        raise DataValidationError(
            f"measure(s) {unknown} not in values; available: {', '.join(map(str, present))}"
        )
    member = memberships() if membership is None else membership
    union = _union(member)
    given = dict(national or {})
    frames, notes = [], list(member.notes)
    for measure in chosen:
        part = values[values[indicator] == measure]
        by_agg = aggregate(
            part, to="agglomeration", membership=member, region=region, year=year, value=value
        )
        whole = aggregate(
            part, to="agglomeration", membership=union, region=region, year=year, value=value
        )
        rows = pd.concat([by_agg.table, whole.table], ignore_index=True)
        data, _ = _values(part, region, year, value)
        total = data.groupby("year").x.sum(min_count=1)
        cities_n = data.dropna(subset=["x"]).groupby("year").size()
        nat, src = [], []
        for y in rows.year:
            key = (measure, int(y))
            if key in given:
                if not given[key] > 0:
                    raise DataValidationError(
                        f"national total of {measure} in {y} must be positive, not {given[key]!r}"
                    )
                nat.append(float(given[key]))
                src.append("given")
            else:
                nat.append(float(total.get(y, np.nan)))
                src.append(f"sum over the {int(cities_n.get(y, 0))} cities in the data")
        rows = rows.rename(columns={"unit": "agglomeration"}).drop(columns="unit_name")
        rows.insert(1, "indicator", measure)
        rows["national"] = nat
        rows["share"] = 100 * rows.value / rows.national
        rows["national_source"] = src
        frames.append(rows)
        notes += [n for n in by_agg.notes if n not in notes]
    table = pd.concat(frames, ignore_index=True)
    outside = sorted(set(pd.to_numeric(values[region], errors="coerce")) - set(provinces().index))
    outside = [c for c in outside if int(c) // 10000 * 10000 not in provinces().index]
    if outside and len(given) < len(table):
        notes.append(
            "national totals summed over the data include "
            + ", ".join(name_of(int(c), level="city") for c in outside)
        )
    columns = [
        "agglomeration",
        "indicator",
        "year",
        "value",
        "national",
        "share",
        "members",
        "members_missing",
        "national_source",
    ]
    return Concentration(
        table=table[columns],
        notes=tuple(notes),
        meta=make_meta(
            "concentration",
            measures=chosen,
            agglomerations=list(member.agglomerations),
            national="given" if given else "sum over cities in the data",
        ),
    )


def _union(member: Membership) -> Membership:
    """All agglomerations as one unit, each city once (shares summed, at most 1)."""
    t = member.table
    share = t.share.fillna(1.0).groupby(t.region_code, sort=False).sum().clip(upper=1.0)
    first = t.drop_duplicates("region_code").set_index("region_code")
    table = pd.DataFrame(
        {
            "agglomeration": ALL,
            "region_code": share.index.to_numpy(),
            "region": first.region.reindex(share.index).to_numpy(),
            "partial": (share < 1).to_numpy(),
            "share": share.where(share < 1).to_numpy(),
            "shared": False,
            "plan_year": np.nan,
        }
    )
    return Membership(table=table, source=member.source, notes=(), meta=member.meta)
