r"""Modified gravity linkages between regions, and their check against observed connectivity.

The modified gravity model common in Chinese regional and urban-network studies (DESIGN.md,
"Modified gravity linkage"): the classical gravity term split between the pair by the GDP
coefficient :math:`k_{ij}`, with the distance divided by the gap in per-capita GDP

.. math::

    R_{ij} = k_{ij} \frac{\sqrt{P_i G_i}\,\sqrt{P_j G_j}}{\left(D_{ij} / |g_i - g_j|\right)^2},
    \qquad k_{ij} = \frac{G_i}{G_i + G_j},

with masses :math:`P` (population, or any mass such as the NQPF score or patents), size
:math:`G` (GDP), per-capita level :math:`g` and distance :math:`D_{ij}` (km). Without ``g`` the
economic term is left out and the denominator is :math:`D_{ij}^2`. A region's total linkage
:math:`R_i = \sum_j R_{ij}` and its share :math:`R_i / \sum_k R_k` (隶属度) summarise the matrix.

:func:`linkage_fit` says how well a modelled linkage reproduces observed connectivity
(Spearman, and Pearson on logs), so that a gravity specification is checked before use.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.geo import great_circle_matrix, region_coordinates
from nqpf.network.graph import FlowNetwork
from nqpf.network.interaction import _square_matrix
from nqpf.results import Result, Summary, make_meta

__all__ = ["GravityLinkage", "LinkageFit", "gravity_linkage", "linkage_fit"]


@dataclass(frozen=True)
class GravityLinkage(Result):
    r"""Linkages of the modified gravity model.

    Attributes
    ----------
    linkage
        :math:`R_{ij}`, origins × destinations labelled by region; diagonal 0, NaN for pairs
        with an undefined economic distance.
    totals
        ``region, total_linkage, share``: :math:`R_i = \sum_j R_{ij}` (undefined pairs left
        out) and :math:`R_i / \sum_k R_k` (隶属度).
    undefined
        ``origin, destination`` of the ordered pairs with equal per-capita values.
    notes
        Distances used, the economic distance, undefined pairs.
    """

    linkage: pd.DataFrame
    totals: pd.DataFrame
    undefined: pd.DataFrame
    notes: tuple[str, ...] = ()

    def memberships(self) -> pd.DataFrame:
        r"""Row-normalised linkage :math:`F_{ij} = R_{ij} / \sum_j R_{ij}` (NaN stays NaN)."""
        values = self.linkage.to_numpy()
        rows = np.nansum(values, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(rows > 0, values / rows, np.nan)
        return pd.DataFrame(shares, index=self.linkage.index, columns=self.linkage.columns)

    def network(self) -> FlowNetwork:
        """The linkages as a directed :class:`FlowNetwork` (undefined pairs 0, with a note)."""
        net = FlowNetwork.from_matrix(self.linkage.fillna(0.0))
        notes = ["modified gravity linkages R_ij"]
        if len(self.undefined):
            notes.append(
                f"{len(self.undefined)} undefined linkage(s) (equal per-capita values) set to 0"
            )
        return replace(net, notes=(*notes, *net.notes))

    def to_frame(self) -> pd.DataFrame:
        """Tidy pairs ``origin, destination, linkage`` (no diagonal)."""
        n = len(self.linkage)
        i, j = np.divmod(np.arange(n * n), n)
        i, j = i[i != j], j[i != j]
        labels = np.asarray(self.linkage.index, dtype=object)
        return pd.DataFrame(
            {
                "origin": labels[i],
                "destination": labels[j],
                "linkage": self.linkage.to_numpy()[i, j],
            }
        )

    def summary(self) -> Summary:
        """Total linkage and share by region, the linkage matrix and any undefined pairs."""
        totals = self.totals.set_index("region").rename(
            columns={"total_linkage": "总联系量 Total linkage", "share": "隶属度 Share"}
        )
        tables: list[tuple[str, pd.DataFrame]] = [
            ("总联系量与隶属度 Total linkage and share", totals),
            ("联系强度 Linkage R_ij", self.linkage),
        ]
        if len(self.undefined):
            tables.append(("未定义 Undefined (equal per-capita values)", self.undefined))
        return Summary(
            "引力联系 Gravity linkages (modified gravity model)", tuple(tables), self.notes
        )


@dataclass(frozen=True)
class LinkageFit(Result):
    """How well a modelled linkage reproduces observed connectivity, one row per network.

    Attributes
    ----------
    table
        ``network, n, dropped, spearman, spearman_p, pearson_log, pearson_log_p``.
    points
        ``region, network, modelled, observed, used``: the values compared (for a scatter plot);
        ``used`` is false for rows dropped (missing or non-positive).
    notes
        Rows dropped per network, networks too small to compare.
    """

    table: pd.DataFrame
    points: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The fit table (one row per observed network)."""
        return self.table

    def summary(self) -> Summary:
        """The fit table with bilingual labels."""
        labels = {
            "network": "网络 Network",
            "dropped": "剔除 Dropped",
            "spearman": "Spearman ρ",
            "spearman_p": "p (Spearman)",
            "pearson_log": "Pearson r (log)",
            "pearson_log_p": "p (Pearson)",
        }
        return Summary(
            "模型与观测联系对比 Modelled vs observed linkage",
            (("", self.table.rename(columns=labels).set_index("网络 Network")),),
            self.notes,
        )


def gravity_linkage(
    masses: pd.DataFrame,
    *,
    mass: str = "population",
    size: str = "gdp",
    per_capita: str | None = None,
    distance: pd.DataFrame | np.ndarray | None = None,
    coordinates: pd.DataFrame | None = None,
) -> GravityLinkage:
    r"""Linkages of the modified gravity model between every pair of regions.

    :math:`R_{ij} = k_{ij} \sqrt{P_i G_i} \sqrt{P_j G_j} / (D_{ij} / |g_i - g_j|)^2`,
    :math:`k_{ij} = G_i / (G_i + G_j)` (DESIGN.md; the modified gravity model of Chinese
    regional studies). Without ``per_capita`` the denominator is :math:`D_{ij}^2`.

    Parameters
    ----------
    masses
        One row per region (index = region label) with the columns named below.
    mass, size
        Columns of :math:`P` (e.g. population, NQPF score, patents) and :math:`G` (e.g. GDP);
        both positive.
    per_capita
        Column of :math:`g` (e.g. GDP per capita) for the economic distance, or ``None``.
        Equal values make :math:`D_{ij}/|g_i - g_j|` undefined: the linkage is NaN, listed in
        ``undefined`` and the notes (never infinite).
    distance
        Distances in km: a square DataFrame labelled by region (it may hold more regions), or
        an array in the order of ``masses``. ``None``: great-circle distances
        (:func:`nqpf.geo.great_circle_matrix`).
    coordinates
        With ``distance=None``: ``lon``, ``lat`` columns by region; ``None`` places each region
        at its government seat (:func:`nqpf.geo.region_coordinates`; labels must then be
        GB/T 2260 codes).

    Raises
    ------
    DataValidationError
        A missing column; a missing or non-positive mass (naming the region); a zero or missing
        distance between distinct regions (naming the pair); labels that do not match.

    Examples
    --------
    >>> m = pd.DataFrame({"population": [1.0, 4.0], "gdp": [1.0, 1.0]}, index=["a", "b"])
    >>> gravity_linkage(m, distance=[[0, 2], [2, 0]]).linkage.to_numpy()
    array([[0.  , 0.25],
           [0.25, 0.  ]])
    """
    if not isinstance(masses, pd.DataFrame):
        raise DataValidationError("masses must be a DataFrame indexed by region label")
    columns = [c for c in (mass, size, per_capita) if c is not None]
    missing = [c for c in columns if c not in masses.columns]
    if missing:
        raise DataValidationError(
            f"masses have no column {missing[0]!r}; their columns are "
            f"{list(map(str, masses.columns))}"
        )
    labels = list(masses.index)
    if len(set(labels)) != len(labels):
        dup = masses.index[masses.index.duplicated()][0]
        raise DuplicateError(f"region {dup!r} appears more than once in the masses")
    if len(labels) < 2:
        raise DataValidationError("gravity linkages need at least two regions")
    p = _column(masses, mass, positive=True)
    g_size = _column(masses, size, positive=True)
    notes: list[str] = []
    d = _distances(labels, distance, coordinates, notes)

    term = np.sqrt(p * g_size)
    k = g_size[:, None] / (g_size[:, None] + g_size[None, :])
    off = ~np.eye(len(labels), dtype=bool)
    undefined = np.zeros_like(off)
    economic = np.where(off, d, np.nan)
    if per_capita is None:
        notes.append("no economic distance: R_ij = k_ij √(P_i G_i) √(P_j G_j) / D_ij²")
    else:
        g = _column(masses, per_capita, positive=False)
        gap = np.abs(g[:, None] - g[None, :])
        undefined = off & (gap == 0)
        economic = np.where(undefined, np.nan, economic / np.where(gap == 0, 1.0, gap))
        notes.append(f"economic distance D_ij / |g_i − g_j| with g = {per_capita!r}")
    r = np.where(off, k * np.outer(term, term) / economic**2, 0.0)
    r[undefined] = np.nan
    i, j = np.nonzero(undefined)
    if i.size:
        pairs = sorted({(min(a, b), max(a, b)) for a, b in zip(i, j, strict=True)})
        shown = ", ".join(f"{labels[a]!r}–{labels[b]!r}" for a, b in pairs[:5])
        notes.append(
            f"linkage undefined for {len(pairs)} pair(s) with equal {per_capita!r} "
            f"({shown}{' …' if len(pairs) > 5 else ''}): NaN, left out of the totals"
        )
    totals = np.nansum(r, axis=1)
    frame = pd.DataFrame(r, index=labels, columns=labels)
    return GravityLinkage(
        linkage=frame,
        totals=pd.DataFrame(
            {"region": labels, "total_linkage": totals, "share": totals / totals.sum()}
        ),
        undefined=pd.DataFrame(
            {
                "origin": pd.Series([labels[a] for a in i], dtype=object),
                "destination": pd.Series([labels[b] for b in j], dtype=object),
            }
        ),
        notes=tuple(notes),
        meta=make_meta(
            "gravity_linkage",
            n=len(labels),
            mass=mass,
            size=size,
            per_capita=per_capita,
            distance="given" if distance is not None else "great-circle",
        ),
    )


def linkage_fit(modelled: pd.Series, observed: pd.DataFrame) -> LinkageFit:
    """Compare a modelled linkage (e.g. total linkage by region) with observed networks.

    For each column of ``observed`` (e.g. observed weighted degrees in a mobility, social-media
    or co-publication network), Spearman's rank correlation and Pearson's correlation of the
    logs with ``modelled``, on the regions where both are positive; the other rows are dropped
    and counted.

    Parameters
    ----------
    modelled
        Values by region label.
    observed
        One column per observed network, indexed by region label.

    Raises
    ------
    DataValidationError
        When the two share no region, or a value is not a number.
    """
    if not isinstance(observed, pd.DataFrame):
        raise DataValidationError("observed must be a DataFrame with one column per network")
    for what, index in (("modelled", modelled.index), ("observed", observed.index)):
        if index.has_duplicates:
            raise DuplicateError(
                f"region {index[index.duplicated()][0]!r} appears more than once in the {what} "
                "values"
            )
    common = modelled.index.intersection(observed.index)
    if common.empty:
        raise DataValidationError(
            f"the modelled and observed values share no region (modelled: "
            f"{list(modelled.index[:3])} …, observed: {list(observed.index[:3])} …)"
        )
    regions = modelled.index.append(observed.index.difference(modelled.index, sort=False))
    m = _numbers(modelled.reindex(regions), "modelled")
    rows, points, notes = [], [], []
    for name in observed.columns:
        o = _numbers(observed[name].reindex(regions), f"observed {name!r}")
        used = np.isfinite(m) & np.isfinite(o) & (m > 0) & (o > 0)
        n, dropped = int(used.sum()), int((~used).sum())
        if dropped:
            absent = int((~np.isfinite(m) | ~np.isfinite(o)).sum())
            notes.append(
                f"network {name!r}: {dropped} of {len(regions)} region(s) dropped "
                f"({absent} missing, {dropped - absent} non-positive)"
            )
        x, y = m[used], o[used]
        if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
            notes.append(f"network {name!r}: too few distinct values to correlate (n = {n})")
            rho = rho_p = r = r_p = np.nan
        else:
            rho, rho_p = stats.spearmanr(x, y)
            r, r_p = stats.pearsonr(np.log(x), np.log(y))
        rows.append((str(name), n, dropped, rho, rho_p, r, r_p))
        points.append(
            pd.DataFrame(
                {
                    "region": regions,
                    "network": str(name),
                    "modelled": m,
                    "observed": o,
                    "used": used,
                }
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "network",
            "n",
            "dropped",
            "spearman",
            "spearman_p",
            "pearson_log",
            "pearson_log_p",
        ],
    ).astype({c: float for c in ("spearman", "spearman_p", "pearson_log", "pearson_log_p")})
    return LinkageFit(
        table=table,
        points=pd.concat(points, ignore_index=True),
        notes=tuple(notes),
        meta=make_meta("linkage_fit", n=len(regions), networks=[str(c) for c in observed.columns]),
    )


def _numbers(values: pd.Series, what: str) -> np.ndarray:
    """Floats (NaN where missing); an error names a value that is not a number."""
    x = pd.to_numeric(values, errors="coerce")
    bad = x.isna() & values.notna()
    if bad.any():
        region = values.index[bad.to_numpy()][0]
        raise DataValidationError(
            f"the {what} value of region {region!r} is not a number: {values[region]!r}"
        )
    return x.to_numpy(dtype=float)


def _column(masses: pd.DataFrame, column: str, *, positive: bool) -> np.ndarray:
    """A column of the masses; an error names the region with a missing or non-positive value."""
    x = pd.to_numeric(masses[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise DataValidationError(
            f"{column!r} of region {masses.index[k]!r} is missing or not a finite number "
            f"({masses[column].iloc[k]!r})"
        )
    if positive and (x <= 0).any():
        k = int(np.flatnonzero(x <= 0)[0])
        raise DataValidationError(
            f"{column!r} of region {masses.index[k]!r} is {x[k]:g}; gravity masses must be positive"
        )
    return x


def _distances(
    labels: list[Hashable],
    distance: pd.DataFrame | np.ndarray | None,
    coordinates: pd.DataFrame | None,
    notes: list[str],
) -> np.ndarray:
    """D_ij in km; an error names a pair of distinct regions with a zero or missing distance."""
    if distance is not None and coordinates is not None:
        raise DataValidationError("give distance= or coordinates=, not both")
    if distance is not None:
        d = _square_matrix(distance, labels, "distance", extra_ok=True)
        notes.append("distances as given")
    elif coordinates is not None:
        missing = [c for c in ("lon", "lat") if c not in coordinates.columns]
        if missing:
            raise DataValidationError(f"coordinates have no column {missing[0]!r}")
        lacking = [x for x in labels if x not in coordinates.index]
        if lacking:
            raise DataValidationError(f"no coordinates for regions {lacking[:5]}")
        lonlat = coordinates.loc[labels, ["lon", "lat"]].apply(pd.to_numeric, errors="coerce")
        d = great_circle_matrix(lonlat.to_numpy(dtype=float))
        notes.append("great-circle distances between the given coordinates")
    else:
        d = great_circle_matrix(region_coordinates(labels))
        notes.append("great-circle distances between the regions' government seats")
    bad = ~np.eye(len(labels), dtype=bool) & ~(np.isfinite(d) & (d > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        value = "missing" if not np.isfinite(d[i, j]) else f"{d[i, j]:g}"
        raise DataValidationError(
            f"the distance between {labels[i]!r} and {labels[j]!r} is {value}; distances "
            f"between distinct regions must be positive ({int(bad.sum())} such cell(s))"
        )
    return d
