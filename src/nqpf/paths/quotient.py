r"""Location quotients (区位熵): how concentrated a sector is in a region relative to the nation.

For employment (or output) :math:`e_{ij}` of sector :math:`j` in region :math:`i`
(Isard 1960, ch. 7; Miller, Gibson & Wright 1991):

.. math::

    LQ_{ij} = \frac{e_{ij} / e_i}{E_j / E}, \qquad e_i = \sum_j e_{ij}, \quad
    E = \sum_j E_j,

with :math:`E_j` the reference total of sector :math:`j`: the regions' own sum
:math:`\sum_i e_{ij}` by default, or national totals given by the user when the regions do not
cover the nation. :math:`LQ_{ij} > 1` means sector :math:`j` is more concentrated in region
:math:`i` than in the reference economy. With the regions' own sums,
:math:`\sum_i (e_i / E) LQ_{ij} = 1` for every sector.

References: Isard, W. (1960). *Methods of Regional Analysis*. MIT Press. Miller, M. M., Gibson,
L. J. & Wright, N. G. (1991). Location quotient: a basic tool for economic development analysis.
*Economic Development Review* 9(2), 65–68.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError, DuplicateError, show
from nqpf.results import Result, Summary, make_meta

__all__ = ["LocationQuotient", "location_quotient"]


@dataclass(frozen=True)
class LocationQuotient(Result):
    """Location quotients by region, sector (and year).

    Attributes
    ----------
    table
        ``region, [year], sector, lq, share_region, share_nation``: ``share_region`` is
        :math:`e_{ij}/e_i`, ``share_nation`` :math:`E_j/E`, ``lq`` their ratio.
    reference
        ``"regions"`` (the regions' own sector totals) or ``"national"`` (given totals).
    notes
        The reference used and any cell taken as 0.
    """

    table: pd.DataFrame
    reference: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (one row per region, sector and year)."""
        return self.table

    def summary(self) -> Summary:
        """Location quotients as a region (× year) by sector table."""
        index = ["region", "year"] if "year" in self.table.columns else ["region"]
        wide = self.table.pivot_table(index=index, columns="sector", values="lq", sort=False)
        wide = wide.rename_axis(
            index=["地区 Region", "年份 Year"][: len(index)], columns="行业 Sector"
        )
        return Summary(
            "区位熵 Location quotient",
            (("区位熵 LQ_ij = (e_ij/e_i)/(E_j/E)", wide),),
            self.notes,
        )


def location_quotient(
    table: pd.DataFrame,
    *,
    region: str,
    sector: str,
    value: str,
    year: str | None = None,
    national: pd.Series | None = None,
) -> LocationQuotient:
    r"""Location quotients :math:`LQ_{ij} = (e_{ij}/e_i) / (E_j/E)` from a long table.

    Parameters
    ----------
    table
        One row per region, sector (and year) with the value :math:`e_{ij}` (employment or
        output, ≥ 0). A region-sector cell absent from the table is taken as 0 (with a note).
    region, sector, value, year
        Column names; ``year=None`` for a single cross-section.
    national
        Reference sector totals :math:`E_j` when the regions do not cover the nation: a Series
        indexed by sector (the same totals every year) or, with ``year``, by (year, sector).
        Only the table's sectors enter :math:`E`, so that :math:`e_i` and :math:`E` sum the
        same sectors. ``None``: :math:`E_j = \sum_i e_{ij}`.

    Raises
    ------
    DataValidationError
        A missing column; a value missing, not a number or negative (naming the region, sector
        and year); a region whose total is 0; a sector whose reference total is 0 or missing;
        a national total below the regions' sum.
    DuplicateError
        A region-sector(-year) listed twice.

    Examples
    --------
    >>> t = pd.DataFrame({"r": ["a", "a", "b", "b"], "s": ["x", "y", "x", "y"],
    ...                   "e": [3.0, 1.0, 1.0, 3.0]})
    >>> location_quotient(t, region="r", sector="s", value="e").to_frame()
      region sector   lq  share_region  share_nation
    0      a      x  1.5          0.75           0.5
    1      a      y  0.5          0.25           0.5
    2      b      x  0.5          0.25           0.5
    3      b      y  1.5          0.75           0.5
    """
    if not isinstance(table, pd.DataFrame):
        raise DataValidationError("the table must be a DataFrame in long form")
    keys = [region, sector] + ([year] if year is not None else [])
    missing = [c for c in (*keys, value) if c not in table.columns]
    if missing:
        raise DataValidationError(
            f"the table has no column {missing[0]!r}; its columns are "
            f"{list(map(str, table.columns))}"
        )
    frame = table[[*keys, value]].rename(
        columns={
            region: "region",
            sector: "sector",
            value: "value",
            **({year: "year"} if year else {}),
        }
    )
    _check_values(frame)
    duplicated = frame.duplicated(["region", "sector", *(["year"] if year else [])])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise DuplicateError(f"{_where(row, year is not None)} appears more than once")

    notes: list[str] = []
    periods = frame.groupby("year", sort=True) if year else [(None, frame)]
    parts, filled = [], 0
    for period, part in periods:
        e = part.pivot(index="region", columns="sector", values="value").reindex(
            index=part.region.unique(), columns=frame.sector.unique()
        )
        filled += int(e.isna().to_numpy().sum())
        e = e.fillna(0.0)
        lq = _quotients(e, _reference(e, national, period, year is not None), period)
        if period is not None:
            lq.insert(1, "year", period)
        parts.append(lq)
    result = pd.concat(parts, ignore_index=True)
    if filled:
        notes.append(f"{filled} region-sector cell(s) absent from the table taken as 0")
    reference = "national" if national is not None else "regions"
    notes.insert(
        0,
        "reference E_j: the given national sector totals (E sums the table's sectors)"
        if national is not None
        else "reference E_j: the regions' own sector totals Σ_i e_ij",
    )
    return LocationQuotient(
        table=result,
        reference=reference,
        notes=tuple(notes),
        meta=make_meta(
            "location_quotient",
            n=len(result),
            regions=int(frame.region.nunique()),
            sectors=int(frame.sector.nunique()),
            reference=reference,
        ),
    )


def _where(row: pd.Series, with_year: bool) -> str:
    """'region 'a' sector 'x' year 2019' for a row of the renamed table."""
    text = f"region {show(row['region'])} sector {show(row['sector'])}"
    return text + (f" year {show(row['year'])}" if with_year else "")


def _check_values(frame: pd.DataFrame) -> None:
    """Every value a finite number ≥ 0; the error names the region, sector and year."""
    x = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(x) | (x < 0))
    if bad.size:
        row = frame.iloc[int(bad[0])]
        raw = row["value"]
        problem = "is missing" if pd.isna(raw) else f"must be a number ≥ 0, got {show(raw)}"
        raise DataValidationError(f"the value of {_where(row, 'year' in frame)} {problem}")
    frame["value"] = x


def _reference(
    e: pd.DataFrame, national: pd.Series | None, period: Hashable, with_year: bool
) -> pd.Series:
    """E_j by sector of ``e``: the regions' sums or the given national totals."""
    own = e.sum(axis=0)
    if national is None:
        return own
    if not isinstance(national, pd.Series):
        raise DataValidationError("national must be a Series of sector totals")
    given = national
    if national.index.nlevels == 2:
        if not with_year:
            raise DataValidationError(
                "national totals indexed by (year, sector) need the year column"
            )
        if period not in national.index.get_level_values(0):
            raise DataValidationError(f"national totals have no year {show(period)}")
        given = national.xs(period, level=0)
    totals = pd.to_numeric(given.reindex(e.columns), errors="coerce")
    when = f" in {show(period)}" if period is not None else ""
    for name, total in totals.items():
        if not np.isfinite(total) or total <= 0:
            raise DataValidationError(
                f"the national total of sector {show(name)}{when} is missing or not positive "
                f"({show(given.get(name))})"
            )
        if total < own[name] * (1 - 1e-9):
            raise DataValidationError(
                f"the national total of sector {show(name)}{when} ({show(total)}) is below the "
                f"regions' sum ({show(own[name])})"
            )
    return totals.astype(float)


def _quotients(e: pd.DataFrame, reference: pd.Series, period: Hashable) -> pd.DataFrame:
    """Tidy ``region, sector, lq, share_region, share_nation`` of one cross-section."""
    when = f" in {show(period)}" if period is not None else ""
    region_total = e.sum(axis=1)
    zero = region_total.index[region_total.to_numpy() <= 0]
    if len(zero):
        raise DataValidationError(
            f"region {show(zero[0])} has a total of 0 over all sectors{when}: its shares and "
            "location quotients are undefined"
        )
    empty = reference.index[reference.to_numpy() <= 0]
    if len(empty):
        raise DataValidationError(
            f"sector {show(empty[0])} has a total of 0 over all regions{when}: its location "
            "quotients are undefined"
        )
    share_region = e.div(region_total, axis=0)
    share_nation = reference / reference.sum()
    lq = share_region / share_nation
    return pd.DataFrame(
        {
            "region": np.repeat(e.index.to_numpy(dtype=object), e.shape[1]),
            "sector": np.tile(e.columns.to_numpy(dtype=object), e.shape[0]),
            "lq": lq.to_numpy().ravel(),
            "share_region": share_region.to_numpy().ravel(),
            "share_nation": np.tile(share_nation.to_numpy(), e.shape[0]),
        }
    )
