"""Built-in groupings of cities for the disparity study: by province and by urban agglomeration.

A Dagum decomposition needs each region in exactly one group. Provinces partition the cities;
the curated urban-agglomeration list does not (some cities are in two agglomerations, most in
none), so the rules for overlapping and unassigned cities are explicit choices that raise by
default and are reported in notes whatever they are.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf.errors import DataValidationError, NqpfError, show
from nqpf.paths import agglomeration_label, memberships

__all__ = ["OTHER", "Grouping", "Overlap", "Unassigned", "by_agglomeration", "by_province"]

Overlap = Literal["error", "first-plan"] | Mapping[Any, str]
Unassigned = Literal["error", "other", "drop"]

#: Label of the cities in no agglomeration (``unassigned="other"``).
OTHER = "其他 Other"

_SHOW = 10  # how many cities a message lists

_SAR_LABELS = {810000: "香港 Hong Kong", 820000: "澳门 Macao"}


@dataclass(frozen=True)
class Grouping:
    """Group label of each row, the display order, rows kept and what the reader must know."""

    labels: np.ndarray
    order: tuple[Hashable, ...]
    keep: np.ndarray
    notes: tuple[str, ...]


def _city_name(code: int) -> str:
    return f"{regions.cities().loc[code, 'name']} {code}"


def _listing(codes: list[int], limit: int | None = _SHOW) -> str:
    """Cities by name and code; the first ``limit`` of them (all with ``None``)."""
    limit = len(codes) if limit is None else limit
    shown = ", ".join(_city_name(c) for c in codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def city_codes(region: pd.Series, group: str) -> np.ndarray:
    """The region column as city codes, or a message saying why ``group`` needs them."""
    table = regions.cities()
    values = pd.unique(region)
    bad = [v for v in values if not (isinstance(v, int | np.integer) and int(v) in table.index)]
    if bad:
        provinces = set(regions.provinces().index)
        kind = (
            "province codes"
            if all(isinstance(v, int | np.integer) and int(v) in provinces for v in bad)
            else "not city codes"
        )
        raise DataValidationError(
            f"group={group!r} groups cities and needs city codes in the region column; "
            f"{len(bad)} region(s) are {kind}, e.g. {[show(v) for v in bad[:5]]}. Read city "
            "data with level='city' (CLI: --level city), or use group='macro_region' or a "
            "column of your own"
        )
    return np.asarray(region, dtype=np.int64)


def by_province(region: pd.Series) -> Grouping:
    """Cities grouped by their province (``cities().province_code``); labels "河北 Hebei"."""
    codes = city_codes(region, "province")
    table = regions.cities()
    province = table.loc[codes, "province_code"].to_numpy(dtype=np.int64)
    names = regions.provinces()
    labels = {}
    for p in np.unique(province):
        if p in names.index:
            labels[p] = f"{names.loc[p, 'short']} {names.loc[p, 'name_en']}"
        else:  # Hong Kong, Macao: not among the 31 mainland provinces
            labels[p] = _SAR_LABELS.get(
                int(p), str(table.loc[table.province_code == p, "province"].iloc[0])
            )
    order = tuple(labels[p] for p in sorted(labels))
    note = (
        "分组 Groups: 城市按所属省份 cities grouped by their province (region registry, "
        f"nqpf.regions.cities); {len(order)} provinces."
    )
    return Grouping(
        labels=np.array([labels[p] for p in province], dtype=object),
        order=order,
        keep=np.ones(len(codes), dtype=bool),
        notes=(note,),
    )


def _membership() -> pd.DataFrame:
    """The bundled membership (:func:`nqpf.paths.memberships`): the one source of the list."""
    return memberships().table[["agglomeration", "plan_year", "region_code", "partial"]]


def _describe(rows: pd.DataFrame) -> str:
    parts = []
    for row in rows.itertuples(index=False):
        partial = ", partly" if bool(row.partial) else ""
        parts.append(f"{row.agglomeration} ({int(row.plan_year)}{partial})")
    return " / ".join(parts)


def _normalise_choices(overlap: Mapping[Any, str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for key, value in overlap.items():
        if isinstance(key, int | np.integer):
            code = int(key)
        else:
            try:
                code = int(regions.normalize([key], level="city")[0])
            except NqpfError as exc:
                raise DataValidationError(f"overlap mapping: {exc}") from None
        out[code] = str(value)
    return out


def by_agglomeration(
    region: pd.Series,
    overlap: Overlap = "error",
    unassigned: Unassigned = "error",
) -> Grouping:
    """Cities grouped by urban agglomeration (curated list), with explicit overlap rules.

    Parameters
    ----------
    region
        City codes, one per row.
    overlap
        Cities in more than one agglomeration: ``"error"`` (default) raises and lists them;
        ``"first-plan"`` puts each in the agglomeration whose plan was issued first
        (``plan_year``); a mapping city (code or name) → agglomeration chooses for each.
    unassigned
        Cities in no agglomeration: ``"error"`` (default) raises and lists them; ``"other"``
        puts them in the group :data:`OTHER`; ``"drop"`` leaves them out of the study.
    """
    if not (isinstance(overlap, Mapping) or overlap in ("error", "first-plan")):
        raise DataValidationError(
            f"overlap must be 'error', 'first-plan' or a mapping city → agglomeration, got "
            f"{overlap!r}"
        )
    if unassigned not in ("error", "other", "drop"):
        raise DataValidationError(
            f"unassigned must be 'error', 'other' or 'drop', got {unassigned!r}"
        )
    codes = city_codes(region, "agglomeration")
    members = _membership()
    present = np.unique(codes)
    rows = members[members.region_code.isin(present)]
    count = rows.groupby("region_code").agglomeration.nunique()
    multi = sorted(int(c) for c in count.index[count.to_numpy() > 1])
    notes = [
        "分组 Groups: 城市群 urban agglomerations from the curated list "
        "(nqpf.paths.memberships; hand-curated from the plan documents, not "
        "checked line by line against the plan texts)."
    ]
    chosen = _normalise_choices(overlap) if isinstance(overlap, Mapping) else {}
    for code, name in chosen.items():
        options = set(members.loc[members.region_code == code, "agglomeration"])
        if name not in options:
            raise DataValidationError(
                f"overlap mapping puts {_city_name(code)} in {name!r}, but the curated list "
                f"has it in {sorted(options) or 'no agglomeration'}"
            )
    unused = sorted(set(chosen) - set(multi))
    if unused:
        notes.append(
            "城市群重叠 Overlap mapping entries not used (city not in the data or in one "
            f"agglomeration only): {_listing(unused)}."
        )
    choice: dict[int, str] = {}
    if multi:
        if isinstance(overlap, Mapping):
            open_ = [c for c in multi if c not in chosen]
            if open_:
                raise DataValidationError(
                    f"overlap mapping leaves {len(open_)} city/cities in more than one "
                    f"agglomeration without a choice: {_listing(open_)}"
                )
            choice = {c: chosen[c] for c in multi}
            rule = "the agglomeration chosen by the user's mapping"
        elif overlap == "first-plan":
            for c in multi:
                options = rows[rows.region_code == c].sort_values("plan_year", kind="stable")
                first = options.plan_year.iloc[0]
                if (options.plan_year == first).sum() > 1:
                    raise DataValidationError(
                        f"overlap='first-plan' cannot choose for {_city_name(c)}: the plans of "
                        f"{_describe(options)} were issued in the same year; pass a mapping"
                    )
                choice[c] = str(options.agglomeration.iloc[0])
            rule = "the agglomeration whose plan was issued first (overlap='first-plan')"
        else:
            listing = "; ".join(
                f"{_city_name(c)}: "
                f"{_describe(rows[rows.region_code == c].sort_values('plan_year'))}"
                for c in multi
            )
            raise DataValidationError(
                f"{len(multi)} city/cities belong to more than one urban agglomeration in the "
                f"curated list, but a Dagum decomposition needs each city in exactly one "
                f"group: {listing}. Choose with overlap='first-plan' (the agglomeration "
                "whose plan was issued first; CLI --overlap first-plan), with a mapping "
                "overlap={city: agglomeration}, or group by a column of your own"
            )
        assigned = "; ".join(f"{_city_name(c)} → {choice[c]}" for c in multi)
        notes.append(
            f"城市群重叠 Cities in more than one agglomeration ({len(multi)}), each put in "
            f"{rule}: {assigned}."
        )
    single = rows[~rows.region_code.isin(multi)].drop_duplicates("region_code")
    name_of = {
        int(c): str(a) for c, a in zip(single.region_code, single.agglomeration, strict=True)
    }
    name_of.update(choice)
    outside = sorted(int(c) for c in present if int(c) not in name_of)
    keep = np.ones(len(codes), dtype=bool)
    if outside:
        if unassigned == "error":
            raise DataValidationError(
                f"{len(outside)} of {len(present)} cities are in no urban agglomeration of the "
                f"curated list: {_listing(outside)}. Choose with unassigned='other' (an explicit "
                "group 其他 Other; CLI --unassigned other) or unassigned='drop' (leave them out "
                "of the study), or group by a column of your own"
            )
        if unassigned == "other":
            notes.append(
                f"未归属城市群 {len(outside)} cities in no agglomeration form the group "
                f"{OTHER} (unassigned='other'): {_listing(outside, None)}."
            )
        else:
            notes.append(
                f"未归属城市群 {len(outside)} cities in no agglomeration are left out of the "
                f"whole study (unassigned='drop'): {_listing(outside, None)}."
            )
            keep = ~np.isin(codes, outside)
    # display order: the order of the curated list, "Other" last
    listed = list(dict.fromkeys(members.agglomeration))
    used = set(name_of.values())
    emptied = [a for a in listed if a in set(rows.agglomeration) and a not in used]
    if emptied:
        notes.append(
            "城市群重叠 Agglomerations left without a city after the overlap rule: "
            + ", ".join(emptied)
            + "."
        )
    order = tuple(agglomeration_label(a) for a in listed if a in used)
    labels = np.array(
        [agglomeration_label(name_of[c]) if c in name_of else OTHER for c in codes.tolist()],
        dtype=object,
    )
    if outside and unassigned == "other":
        order += (OTHER,)
    return Grouping(labels=labels, order=order, keep=keep, notes=tuple(notes))
