r"""Where a value clusters: Moran's I by year, LISA clusters and Getis–Ord hot spots, in one call.

:func:`spatial_study` runs global Moran's I by year (normal, randomisation and permutation
inference), local Moran (LISA) clusters and Getis–Ord :math:`G_i^*` hot and cold spots, by year and
for one map year, on the composite-index result (``value`` = ``"score"`` or a dimension), a
:class:`~nqpf.panel.Panel` or a long table, with queen contiguity of the provinces by default
(Hainan linked to its nearest province; the repair is listed in ``notes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from nqpf._random import Alternative, RandomSource, Seed, check_alternative
from nqpf.errors import DataValidationError
from nqpf.geo import SpatialWeights
from nqpf.results import Summary, make_meta
from nqpf.spatial.autocorrelation import (
    HOTSPOT_CLASSES,
    GetisOrdResult,
    LocalMoranResult,
    SpatialPanelStatistic,
    getis_ord_by_year,
    local_moran,
    local_moran_by_year,
    moran_by_year,
)
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import (
    order_key,
    short_name,
    study_weights,
    value_table,
    weights_description,
    with_region_names,
)

__all__ = ["SpatialStudyResult", "spatial_study"]


@dataclass(frozen=True)
class SpatialStudyResult(StudyResult):
    """Global and local spatial autocorrelation of one value by year.

    Attributes
    ----------
    value
        The value analysed (``"score"``, a dimension, an indicator or a column).
    year
        The year of the maps (``map_year``; the latest by default).
    data
        The long table analysed: ``region_code, year, value``.
    weights
        The weights as built (binary contiguity or k-nearest, raw inverse distance), aligned to
        the regions; Moran's I and LISA use their row-standardised form, Gi* the weights as
        built.
    weights_label
        Bilingual description of the weights.
    moran
        Global Moran's I by year (:func:`~nqpf.spatial.moran_by_year`).
    lisa
        Local Moran by region and year (:func:`~nqpf.spatial.local_moran_by_year`).
    hotspots
        Getis–Ord :math:`G_i^*` by region and year (:func:`~nqpf.spatial.getis_ord_by_year`).
    notes
        What the reader must know: island repairs, skipped years, conventions.
    """

    key = "spatial"
    title = ("空间关联与冷热点", "Spatial autocorrelation and hot spots")

    value: str
    year: int
    data: pd.DataFrame
    weights: SpatialWeights
    weights_label: str
    moran: SpatialPanelStatistic
    lisa: SpatialPanelStatistic
    hotspots: SpatialPanelStatistic
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years analysed."""
        return sorted(int(y) for y in self.moran.results)

    @property
    def local(self) -> LocalMoranResult:
        """Local Moran of the map year."""
        result = self.lisa.results[self.year]
        assert isinstance(result, LocalMoranResult)
        return result

    @property
    def hot(self) -> GetisOrdResult:
        """Getis–Ord :math:`G_i^*` of the map year."""
        result = self.hotspots.results[self.year]
        assert isinstance(result, GetisOrdResult)
        return result

    # -- tidy tables ------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables (CSV files of ``nqpf spatial``, workbook sheets of the report).

        ``moran`` (global Moran's I by year), ``lisa`` (local Moran by region and year),
        ``hotspots`` (Getis–Ord Gi* by region and year).
        """
        return {
            "moran": self.moran_frame(),
            "lisa": self.lisa_frame(),
            "hotspots": self.hotspot_frame(),
        }

    def figures(self) -> dict[str, FigureSpec]:
        """Moran's I by year, the Moran scatter plot, the LISA and hot-spot maps of the map year."""
        span = f"{self.years[0]}–{self.years[-1]}"
        year = self.year
        local = self.local.to_frame()
        return {
            "moran": FigureSpec(
                f"全局莫兰指数的演变 Global Moran's I by year, {span} (filled: p < 0.05, "
                "permutation)",
                "moran_lines",
                self.moran_frame(),
            ),
            "moran_scatter": FigureSpec(
                f"{year} 年莫兰散点图 Moran scatter plot, {year}",
                "moran_scatter",
                local,
                {"names": {c: short_name(c) for c in local["region_code"]}},
            ),
            "lisa_map": FigureSpec(
                f"{year} 年 LISA 聚类图 LISA cluster map, {year} (p < {self.local.alpha})",
                "lisa_map",
                local,
                {"title": f"{year}"},
            ),
            "hotspot_map": FigureSpec(
                f"{year} 年冷热点分布 Hot and cold spots, {year}",
                "hotspot_map",
                self.hot.to_frame(),
                {"title": f"{year}"},
            ),
        }

    def moran_frame(self) -> pd.DataFrame:
        """Global Moran's I by year: statistic, expectation, variances, z-scores, p-values."""
        return self.moran.table.copy()

    def lisa_frame(self) -> pd.DataFrame:
        """Local Moran by year and region with bilingual quadrant and cluster labels."""
        return with_region_names(self.lisa.table)

    def hotspot_frame(self) -> pd.DataFrame:
        """Getis–Ord :math:`G_i^*` by year and region with bilingual hot/cold-spot classes."""
        return with_region_names(self.hotspots.table)

    # -- results contract ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Headline numbers: ``part, year, category, measure, value``.

        Parts: ``moran`` (statistic, z-score, p-values by year), ``lisa`` (number of regions
        per cluster type by year; ``category`` is HH/LL/HL/LH/ns) and ``hotspots`` (number of
        regions per Gi* class −3…3 by year).
        """
        parts = []
        moran = self.moran.table.melt(
            id_vars="year",
            value_vars=["statistic", "z_score", "p_value", "p_value_permutation"],
            var_name="measure",
        )
        moran.insert(0, "part", "moran")
        moran.insert(2, "category", None)
        parts.append(moran)
        order = ["HH", "LL", "HL", "LH", "ns"]
        lisa = (
            self.lisa.table.groupby(["year", "cluster"])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=order, fill_value=0)
            .stack()
            .rename("value")
            .reset_index()
            .rename(columns={"cluster": "category"})
        )
        lisa.insert(0, "part", "lisa")
        lisa["measure"] = "regions"
        parts.append(lisa)
        hot = (
            self.hotspots.table.groupby(["year", "hotspot"])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=sorted(HOTSPOT_CLASSES, reverse=True), fill_value=0)
            .stack()
            .rename("value")
            .reset_index()
            .rename(columns={"hotspot": "category"})
        )
        hot["category"] = hot["category"].astype(str)
        hot.insert(0, "part", "hotspots")
        hot["measure"] = "regions"
        parts.append(hot)
        out = pd.concat([p.astype({"category": object}) for p in parts], ignore_index=True)
        out["value"] = out["value"].astype(float)
        return out[["part", "year", "category", "measure", "value"]]

    def summary(self) -> Summary:
        """Moran's I by year, LISA clusters and hot spots of the map year."""
        moran = self.moran.table.set_index("year")[
            ["statistic", "expected", "z_score", "p_value", "p_value_permutation"]
        ]
        moran.columns = ["Moran's I", "E[I]", "z", "p (normal)", "p (permutation)"]
        tables: list[tuple[str, pd.DataFrame]] = [
            ("全局莫兰指数 Global Moran's I by year", moran),
            (f"{self.year} 年 LISA 聚类 LISA clusters, {self.year}", self.local.counts()),
            (
                f"{self.year} 年冷热点 Hot and cold spots (Gi*), {self.year}",
                self.hot.summary().tables[0][1],
            ),
        ]
        notes = [
            f"weights: {self.weights_label}; Moran's I and LISA on row-standardised weights, "
            "Gi* on the weights as built.",
            *self.local.summary().notes,
            *self.notes,
        ]
        return Summary(
            f"空间关联 Spatial autocorrelation · {self.value}", tuple(tables), tuple(notes)
        )


def spatial_study(
    frame: Any,
    value: str = "score",
    w: str | SpatialWeights | None = None,
    permutations: int = 999,
    seed: Seed = 0,
    year: int | None = None,
    *,
    alpha: float = 0.05,
    fdr: bool = False,
    denominator: Literal["n-1", "n"] = "n-1",
    alternative: Alternative = "two-sided",
    region_col: str = "region_code",
    year_col: str = "year",
) -> SpatialStudyResult:
    r"""Spatial autocorrelation of one value: Moran's I by year, LISA clusters, hot spots.

    Parameters
    ----------
    frame
        A composite-index result (``value`` is ``"score"`` or a dimension such as
        ``"labourers"``), a :class:`~nqpf.panel.Panel` (``value`` is an indicator or an
        expression, see :meth:`~nqpf.panel.Panel.evaluate`; years without any value are
        skipped and listed in ``notes``) or a long DataFrame with ``region_col``, ``year_col``
        and ``value`` columns.
    value
        The value analysed.
    w
        Spatial weights: ``None``/``"queen"`` (default), ``"rook"``, ``"knn:K"``,
        ``"distance"`` (see :func:`study_weights`) or a
        :class:`~nqpf.geo.SpatialWeights`.
    permutations
        Permutations of the global and local statistics (0: analytical inference only).
    seed
        Seed of the permutations; the three statistics draw from independent child streams.
    year
        Year of the maps (default: the latest year).
    alpha
        Significance level of LISA clusters.
    fdr
        Benjamini–Hochberg adjusted LISA and Gi* p-values.
    denominator
        Local Moran scaling: ``"n-1"`` (esda, default) or ``"n"`` (R ``spdep``); clusters and
        p-values do not depend on it.
    alternative
        Permutation p-values of Moran's I and LISA: ``"two-sided"`` (default) or
        ``"directed"`` (one-sided in the direction of the observed value: GeoDa's pseudo p and
        esda's ``p_sim``). With the two-sided default, ``notes`` also says how many regions
        GeoDa's convention would call significant in the map year.
    region_col, year_col
        Column names of a DataFrame ``frame``.

    Returns
    -------
    SpatialStudyResult

    Raises
    ------
    DataValidationError
        Unknown value or columns, missing values in a year (naming the regions), a map year not
        in the data.
    WeightsError
        Weights that do not match the regions of a year (naming them).

    Notes
    -----
    Global Moran's I (Moran 1950; Cliff & Ord 1981) on row-standardised weights,

    .. math::

        I = \frac{n}{S_0}\frac{\sum_i\sum_j w_{ij} z_i z_j}{\sum_i z_i^2},

    local Moran :math:`I_i = z_i \sum_j w_{ij} z_j / m_2` with conditional-permutation
    p-values (Anselin 1995; two-sided) and quadrants HH/LL/HL/LH, and Getis–Ord
    :math:`G_i^*` z-scores (Getis & Ord 1992; Ord & Getis 1995) classed ±3/±2/±1 at
    99/95/90 % (two-sided normal p-values, ArcGIS's ``Gi_Bin``) on the weights as built
    (binary contiguity by default, the region itself included).

    Examples
    --------
    >>> codes = [110000, 120000, 130000, 140000, 150000, 210000]
    >>> df = pd.DataFrame({"region_code": codes * 2, "year": [2021] * 6 + [2022] * 6,
    ...                    "y": [5.0, 4, 3, 2, 1, 1, 6, 4, 3, 2, 1, 0.5]})
    >>> r = spatial_study(df, "y", w="knn:2", permutations=99)
    >>> r.year, r.years, round(float(r.moran.table.statistic.iloc[-1]), 4)
    (2022, [2021, 2022], 0.0299)
    """
    data, notes = value_table(frame, value, region=region_col, year=year_col, what="spatial_study")
    data = data.sort_values(["year", "region_code"], ignore_index=True)
    codes = sorted(data["region_code"].unique(), key=order_key)
    years = sorted(set(data["year"]))
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise DataValidationError(f"map year {year} is not in the data; it has {years}")
    year = int(year)
    raw, w_notes = study_weights(w, codes)
    notes = w_notes + notes
    standardized = raw if raw.row_standardized else raw.standardize()
    source = RandomSource.from_seed(seed)
    streams = [source.child(s).seed for s in ("moran", "local_moran", "getis_ord", "directed")]
    moran = moran_by_year(
        data,
        standardized,
        permutations=permutations,
        seed=streams[0],
        alternative=alternative,
    )
    lisa = local_moran_by_year(
        data,
        standardized,
        permutations=permutations,
        seed=streams[1],
        fdr=fdr,
        denominator=denominator,
        alpha=alpha,
        alternative=alternative,
    )
    if permutations and check_alternative(alternative) == "two-sided":
        notes.append(_directed_note(data, standardized, year, permutations, streams[3], alpha, fdr))
    hot = getis_ord_by_year(
        data, raw, permutations=permutations, seed=streams[2], star=True, fdr=fdr
    )
    notes += list(getattr(hot.results[year], "notes", ()))  # undefined Gi* z-scores, if any
    label = weights_description(raw, w)
    return SpatialStudyResult(
        value=value,
        year=year,
        data=data,
        weights=raw,
        weights_label=label,
        moran=moran,
        lisa=lisa,
        hotspots=hot,
        notes=tuple(notes),
        meta=make_meta(
            "spatial_study",
            value=value,
            weights=label,
            permutations=int(permutations),
            seed=source.record,
            map_year=year,
            alpha=alpha,
            fdr=fdr,
            denominator=denominator,
            alternative=alternative,
            regions=len(codes),
            years=len(years),
        ),
    )


def _directed_note(
    data: pd.DataFrame,
    w: SpatialWeights,
    year: int,
    permutations: int,
    rng: Seed,
    alpha: float,
    fdr: bool,
) -> str:
    """How many regions GeoDa's one-sided pseudo p-values would call significant."""
    block = data[data["year"] == year]
    values = pd.Series(block["value"].to_numpy(), index=pd.Index(block["region_code"].tolist()))
    directed = local_moran(
        values,
        w,
        permutations=permutations,
        seed=rng,
        alternative="directed",
        fdr=fdr,
        alpha=alpha,
    )
    counts = pd.Series(directed.cluster).value_counts()
    found = ", ".join(f"{k} {int(counts[k])}" for k in ("HH", "LL", "HL", "LH") if k in counts)
    return (
        f"LISA p 值约定 LISA p-values: two-sided here. GeoDa and esda's p_sim use one-sided "
        f"pseudo p-values in the direction of the observed statistic (alternative='directed'); "
        f"with that convention {int(directed.significant.sum())} region(s) would be significant "
        f"at {alpha} in {year}" + (f" ({found})." if found else ".")
    )
