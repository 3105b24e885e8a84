r"""Spatial structure and drivers of a value, each in one call.

:func:`spatial_study` answers *where*: global Moran's I by year (normal, randomisation and
permutation inference), local Moran (LISA) clusters and Getis–Ord :math:`G_i^*` hot and cold
spots, by year and for one map year.

:func:`drivers_study` answers *what drives it and does it spill over*: a fixed-effects spatial
panel model (the spatial Durbin model with two-way effects and the Lee–Yu correction by default)
with LeSage–Pace direct, indirect and total effects, its LM/LR/Wald/Hausman tests and the
non-spatial panel fixed-effects regression alongside; the geographical detector with an optimal
discretisation of every continuous driver; and a GWR of the map year's cross-section.

Both take the composite-index result (``value``/``y`` = ``"score"`` or a dimension), a
:class:`~nqpf.panel.Panel` or a long table, and default to queen contiguity of the provinces
(Hainan linked to its nearest province; the repair is listed in ``notes``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf.econometrics import (
    PanelFEResults,
    SpatialPanel,
    SpatialPanelResults,
    panel_fe,
)
from nqpf.econometrics._data import EFFECTS
from nqpf.econometrics.diagnostics import outcomes_frame
from nqpf.econometrics.spatial_panel import MODELS
from nqpf.errors import DataValidationError, WeightsError
from nqpf.results import Result, Summary, make_meta
from nqpf.spatial._permutation import (
    Alternative,
    Seed,
    check_alternative,
    rng_from,
    seed_for_meta,
)
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
from nqpf.spatial.geodetector import (
    DISCRETIZATION_METHODS,
    GeoDetectorResult,
    geodetector,
    optimal_discretization,
)
from nqpf.spatial.gwr import GWRResult, gwr
from nqpf.spatial.weights import (
    SpatialWeights,
    _contiguity_quietly,
    distance_weights,
    knn_weights,
)
from nqpf.validation import ValidationReport

__all__ = [
    "DEFAULT_DRIVERS",
    "DEFAULT_DRIVERS_NOTE",
    "WEIGHTS_SPECS",
    "Driver",
    "DriversStudyResult",
    "SpatialStudyResult",
    "drivers_study",
    "spatial_study",
    "study_weights",
]

#: Spatial-weights specifications accepted by :func:`study_weights` (``K`` and ``P`` are numbers).
WEIGHTS_SPECS = ("queen", "rook", "knn:K", "distance", "distance:P")


@dataclass(frozen=True)
class Driver:
    """One explanatory variable of :func:`drivers_study`: a formula over panel variables."""

    expression: str
    label_zh: str
    label_en: str
    definition: str = ""

    @property
    def label(self) -> str:
        """Bilingual label ``"中文 English"``."""
        return f"{self.label_zh} {self.label_en}".strip()


#: Default drivers for the bundled provincial data (all 31 provinces, 2011–2022), none of them
#: an indicator of the built-in index system. Not standardised: coefficients are per unit of each
#: expression (ln GDP, percentage points).
DEFAULT_DRIVERS: dict[str, Driver] = {
    "ln_gdp": Driver(
        "log(gdp)",
        "经济发展水平",
        "Economic development (ln GDP)",
        "Natural log of GDP (亿元, current prices): the size of the provincial economy.",
    ),
    "gov_intervention": Driver(
        "100 * budget_total / gdp",
        "政府干预程度",
        "Government intervention (budget expenditure / GDP, %)",
        "General public budget expenditure divided by GDP, in %: the weight of local "
        "government in the economy.",
    ),
    "agri_support": Driver(
        "100 * budget_agriculture / budget_total",
        "财政支农力度",
        "Fiscal support for agriculture (share of budget, %)",
        "Expenditure on agriculture, forestry and water affairs divided by total general public "
        "budget expenditure, in %: how far the budget is oriented to the rural economy.",
    ),
}

#: Why the defaults are what they are (shown in the report and the notes when they are used).
DEFAULT_DRIVERS_NOTE = (
    "默认影响因素 Default drivers: ln GDP, budget expenditure / GDP and the agriculture share of "
    "the budget — the variables of the bundled data that cover all 31 provinces in 2011–2022 and "
    "are not indicators of the index. The secondary-industry share is left out on purpose: it "
    "equals 100 − primary − tertiary share, and both of those are index indicators, so its "
    "coefficient would be partly an accounting identity (add it with x=[..., "
    "'share_secondary'] if wanted). GDP is the denominator of four index indicators, so the "
    "coefficient of ln GDP mixes the effect of economic size with that mechanical link. "
    "Variables are not standardised."
)

_WEIGHT_LABELS = {
    "queen": "Queen 邻接（共边或共点）queen contiguity",
    "rook": "Rook 邻接（共边）rook contiguity",
    "knn": "k 近邻 k nearest neighbours",
    "distance": "反距离 inverse distance",
}


# ---------------------------------------------------------------------------------------------
# shared input handling
# ---------------------------------------------------------------------------------------------
def _values_frame(
    frame: Any, value: str, region_col: str, year_col: str, what: str
) -> tuple[pd.DataFrame, list[str]]:
    """``region_code, year, value`` from an index result, a Panel or a long DataFrame."""
    notes: list[str] = []
    if isinstance(frame, pd.DataFrame):
        missing = [c for c in (region_col, year_col, value) if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"{what}: column(s) {missing} not found; the table has {list(frame.columns)}"
            )
        out = pd.DataFrame(
            {
                "region_code": frame[region_col].to_numpy(),
                "year": frame[year_col].to_numpy(),
                "value": frame[value].to_numpy(),
            }
        )
    elif callable(getattr(frame, "table", None)) and hasattr(frame, "scores"):  # index result
        data = frame.table()
        column = value if value in data.columns else f"score_{value}"
        if column not in data.columns or column in ("region", "region_code", "year", "rank"):
            choices = [c.removeprefix("score_") for c in data.columns if c.startswith("score")]
            raise DataValidationError(
                f"{what}: {value!r} is not in the index result; choose one of {choices}"
            )
        out = data[["region_code", "year", column]].rename(columns={column: "value"})
    elif callable(getattr(frame, "evaluate", None)) and hasattr(frame, "indicators"):  # Panel
        series = frame.evaluate(value)
        out = series.rename("value").reset_index()
        present = out.groupby("year")["value"].transform("count") > 0
        empty = sorted(set(out.loc[~present, "year"]))
        if empty:
            notes.append(
                f"{value}: years without any value are not analysed: {empty[0]}–{empty[-1]} "
                f"({len(empty)} years)"
            )
        out = out[present]
    else:
        raise DataValidationError(
            f"{what} takes a composite-index result, a Panel or a long DataFrame; got "
            f"{type(frame).__name__}"
        )
    years = pd.to_numeric(out["year"], errors="coerce")
    bad = years.isna() | (years % 1 != 0)
    if bad.any():
        raise DataValidationError(
            f"{what}: years must be whole numbers; got {out.loc[bad, 'year'].iloc[0]!r}"
        )
    out["year"] = years.astype(np.int64)
    values = pd.to_numeric(out["value"], errors="coerce")
    bad = values.isna() & out["value"].notna()
    if bad.any():
        row = out[bad].iloc[0]
        raise DataValidationError(
            f"{what}: {value!r} must be numeric; region {_show(row['region_code'])} in "
            f"{int(row['year'])} has {row['value']!r}"
        )
    out["value"] = values.astype(float)
    out["region_code"] = [_plain(c) for c in out["region_code"]]
    if out.empty:
        raise DataValidationError(f"{what}: no values of {value!r}")
    return out.sort_values(["year", "region_code"], ignore_index=True), notes


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _show(value: Any) -> str:
    return repr(_plain(value))


def _region_label(code: Hashable) -> str:
    try:
        return f"{regions.name_of(int(code), 'short')} {regions.name_of(int(code), 'en')}"  # type: ignore[call-overload]
    except (TypeError, ValueError, KeyError):
        return str(code)


def _is_province(code: Hashable) -> bool:
    return isinstance(code, int | np.integer) and int(code) in set(regions.provinces().index)


def study_weights(
    spec: str | SpatialWeights | None, codes: Sequence[Hashable]
) -> tuple[SpatialWeights, list[str]]:
    """Spatial weights for the regions ``codes`` from a short specification, and notes.

    Parameters
    ----------
    spec
        ``None`` or ``"queen"`` (queen contiguity of the provinces' boundaries, the default),
        ``"rook"``, ``"knn:K"`` (``K`` nearest capitals, great-circle; ``"knn"`` is ``K`` = 4),
        ``"distance"`` or ``"distance:P"`` (inverse great-circle distance between capitals to the
        power ``P``, default 1) — built *without* row-standardisation (binary or raw weights);
        callers row-standardise where the statistic needs it. A
        :class:`~nqpf.spatial.weights.SpatialWeights` is aligned to ``codes`` and used as given.
    codes
        Region codes of the data (GB/T 2260 province codes for the built-in weights).

    Returns
    -------
    weights, notes
        The weights in the order of ``codes`` and what the reader must know (island repairs).

    Raises
    ------
    WeightsError
        An unknown specification, regions the built-in weights cannot place, or weights that do
        not match ``codes`` (naming the regions).

    Examples
    --------
    >>> w, notes = study_weights("knn:3", [110000, 120000, 130000, 140000, 150000])
    >>> w.kind, w.row_standardized, w.neighbors(110000), notes
    ('knn', False, (120000, 130000, 140000), [])
    """
    codes = [_plain(c) for c in codes]
    if isinstance(spec, SpatialWeights):
        given = spec.align(codes)
        remarks = [_island_note(given)] if given.added_links else []
        if given.isolated:
            remarks.append(
                "空间权重 Spatial weights: regions without any neighbour (spatial lag 0): "
                + ", ".join(_region_label(c) for c in given.isolated)
            )
        return given, remarks
    text = "queen" if spec is None else str(spec).strip().lower()
    kind, _, arg = text.partition(":")
    if kind not in _WEIGHT_LABELS:
        raise WeightsError(
            f"unknown spatial weights {spec!r}; use one of {', '.join(WEIGHTS_SPECS)} or pass "
            "nqpf SpatialWeights"
        )
    outside = [c for c in codes if not _is_province(c)]
    if outside and kind in ("queen", "rook"):
        raise WeightsError(
            f"built-in {kind} contiguity covers the 31 provinces; regions {outside[:5]} are not "
            "provinces — pass weights built from your own boundaries (contiguity_weights("
            "geometries=...)) or use knn:K / distance"
        )
    notes: list[str] = []
    try:
        if kind in ("queen", "rook"):
            if arg:
                raise WeightsError(f"{kind} contiguity takes no parameter, got {spec!r}")
            w, _ = _contiguity_quietly(codes, kind, row_standardize=False)  # type: ignore[arg-type]
            if w.added_links:
                notes.append(_island_note(w))
        elif kind == "knn":
            k = int(arg) if arg else 4
            w = knn_weights(codes, k=k, row_standardize=False)
        else:
            power = float(arg) if arg else 1.0
            w = distance_weights(codes, power=power, row_standardize=False)
    except ValueError as exc:
        if isinstance(exc, WeightsError | DataValidationError):
            raise
        raise WeightsError(
            f"cannot read the parameter of spatial weights {spec!r} ({exc}); use "
            f"{', '.join(WEIGHTS_SPECS)}"
        ) from None
    return w.align(codes), notes


def _island_note(w: SpatialWeights) -> str:
    links = "; ".join(f"{_region_label(a)} → {_region_label(b)}" for a, b in w.added_links)
    return (
        f"空间权重 Spatial weights ({_WEIGHT_LABELS.get(w.kind, w.kind)}): regions without a "
        f"contiguous neighbour were linked to their nearest region by great-circle distance "
        f"between capitals (both directions): {links}."
    )


def _weights_description(w: SpatialWeights, spec: Any) -> str:
    base = _WEIGHT_LABELS.get(w.kind, w.kind)
    if isinstance(spec, str) and ":" in spec:
        return f"{base} ({spec.strip()})"
    if w.kind == "knn" and spec is not None and not isinstance(spec, SpatialWeights):
        return f"{base} (k = 4)"
    return base


# ---------------------------------------------------------------------------------------------
# spatial autocorrelation study
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpatialStudyResult(Result):
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

    # -- tidy tables (the CLI writes these as CSV) -----------------------------------------
    def moran_frame(self) -> pd.DataFrame:
        """Global Moran's I by year: statistic, expectation, variances, z-scores, p-values."""
        return self.moran.table.copy()

    def lisa_frame(self) -> pd.DataFrame:
        """Local Moran by year and region with bilingual quadrant and cluster labels."""
        return _with_names(self.lisa.table)

    def hotspot_frame(self) -> pd.DataFrame:
        """Getis–Ord :math:`G_i^*` by year and region with bilingual hot/cold-spot classes."""
        return _with_names(self.hotspots.table)

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


def _with_names(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    if all(_is_province(c) for c in out["region_code"].unique()):
        out.insert(2, "region", [regions.name_of(int(c), "short") for c in out["region_code"]])
    return out


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
        :class:`~nqpf.spatial.weights.SpatialWeights`.
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
    data, notes = _values_frame(frame, value, region_col, year_col, "spatial_study")
    codes = sorted(data["region_code"].unique(), key=_order_key)
    years = sorted(set(data["year"]))
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise DataValidationError(f"map year {year} is not in the data; it has {years}")
    year = int(year)
    raw, w_notes = study_weights(w, codes)
    notes = w_notes + notes
    standardized = raw if raw.row_standardized else raw.standardize()
    streams = _streams(seed, 4)
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
    label = _weights_description(raw, w)
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
            seed=seed_for_meta(seed),
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
    rng: np.random.Generator,
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


def _order_key(code: Any) -> tuple[int, Any]:
    return (0, code) if isinstance(code, int | float) else (1, str(code))


def _streams(seed: Seed, n: int) -> list[np.random.Generator]:
    """``n`` independent Generators derived from ``seed``."""
    if isinstance(seed, np.random.Generator):
        return list(seed.spawn(n))
    rng_from(seed)  # validates the type
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


# ---------------------------------------------------------------------------------------------
# drivers study
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DriversStudyResult(Result):
    """Drivers of a value: spatial panel model, geographical detector and GWR.

    Attributes
    ----------
    y
        The dependent value (``"score"`` or a dimension of the index).
    drivers
        One row per explanatory variable: ``name, expression, label_zh, label_en``.
    data
        The panel analysed: ``region_code, year, y`` and one column per driver (named).
    weights, weights_label
        The row-standardised spatial weights of the panel model and their description.
    spatial
        The fitted spatial panel model (:class:`~nqpf.econometrics.SpatialPanelResults`).
    panel
        The non-spatial fixed-effects regression with the same effects, standard errors
        clustered by region (:class:`~nqpf.econometrics.PanelFEResults`).
    collinearity
        Variance inflation factor of every driver on the pooled data.
    geodetector
        The geographical detector (:class:`~nqpf.spatial.GeoDetectorResult`).
    discretization
        The optimal discretisation of every driver: ``factor, method, classes, n_strata, q,
        breaks`` (the method × classes that maximised *q*).
    geodetector_scope, geodetector_n
        ``"pooled"`` (all region-years) or ``"map_year"`` and the number of observations.
    gwr
        GWR of the cross-section of ``gwr_year`` (:class:`~nqpf.spatial.GWRResult`).
    gwr_year
        Year of the GWR cross-section.
    notes
        What the reader must know: small samples, conventions, weight repairs, default drivers.
    """

    y: str
    drivers: pd.DataFrame
    data: pd.DataFrame
    weights: SpatialWeights
    weights_label: str
    spatial: SpatialPanelResults
    panel: PanelFEResults
    collinearity: pd.DataFrame
    geodetector: GeoDetectorResult
    discretization: pd.DataFrame
    geodetector_scope: str
    geodetector_n: int
    gwr: GWRResult
    gwr_year: int
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Names of the drivers, in order."""
        return self.drivers["name"].tolist()

    @property
    def labels(self) -> dict[str, str]:
        """Bilingual label of every driver name (the expression for user drivers)."""
        return {
            r.name: (f"{r.label_zh} {r.label_en}".strip() or r.expression)
            for r in self.drivers.itertuples(index=False)
        }

    @property
    def years(self) -> list[int]:
        """Years of the panel."""
        return sorted(int(y) for y in self.data["year"].unique())

    # -- tidy tables (the CLI writes these as CSV) -----------------------------------------
    def coefficients_frame(self) -> pd.DataFrame:
        """Spatial-model coefficients (``W*x`` lags, ρ/λ, σ²) and the panel FE alongside.

        Columns ``model, term, estimate, std_error, statistic, p_value``; ``model`` is the
        spatial model (``sdm`` …) or ``panel_fe``.
        """
        spatial = self.spatial.to_frame()
        spatial = spatial[spatial["component"] == "coefficient"].drop(columns="component")
        spatial.insert(0, "model", self.spatial.model)
        fe = self.panel.to_frame()
        fe.insert(0, "model", "panel_fe")
        return pd.concat([spatial, fe], ignore_index=True)

    def effects_frame(self) -> pd.DataFrame:
        """Direct, indirect and total effects: ``term, effect, estimate, std_error, p_value``."""
        rows = []
        for term, row in self.spatial.effects.iterrows():
            for part in ("direct", "indirect", "total"):
                rows.append(
                    {
                        "term": term,
                        "effect": part,
                        "estimate": float(row[part]),
                        "std_error": float(row[f"{part}_se"]),
                        "p_value": float(row[f"{part}_p_value"]),
                    }
                )
        return pd.DataFrame(rows)

    def tests_frame(self) -> pd.DataFrame:
        """LM, LR, Wald and Hausman tests: ``test, statistic, df, p_value, distribution, ...``."""
        return outcomes_frame(self.spatial.tests)

    def geodetector_frame(self) -> pd.DataFrame:
        """Every detector's tests (tidy) with the chosen discretisation on the factor rows."""
        tidy = self.geodetector.to_frame()
        disc = self.discretization[["factor", "method", "classes", "n_strata"]]
        disc = disc.assign(detector="factor")
        return tidy.merge(disc, on=["detector", "factor"], how="left")

    def gwr_frame(self) -> pd.DataFrame:
        """Local GWR coefficients by region and term, with local R², fitted values, residuals."""
        out = self.gwr.coefficients.merge(self.gwr.local, on="region_code", how="left")
        return _with_names(out)

    # -- results contract ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Headline numbers: ``part, term, estimate, std_error, statistic, p_value``.

        Parts: the spatial model's ``coefficient`` rows and its ``direct``/``indirect``/``total``
        effects, ``panel_fe`` coefficients, ``geodetector_q`` (factor q and p-value) and
        ``gwr_local_mean`` (mean local coefficient; ``std_error`` holds their SD across regions).
        """
        spatial = self.spatial.to_frame().rename(columns={"component": "part"})
        fe = self.panel.to_frame().assign(part="panel_fe")
        q = pd.DataFrame(
            {
                "part": "geodetector_q",
                "term": self.geodetector.q.index.astype(str),
                "estimate": self.geodetector.q.to_numpy(dtype=float),
                "std_error": np.nan,
                "statistic": self.geodetector.factor_table.set_index("factor")
                .reindex(self.geodetector.q.index)["f_statistic"]
                .to_numpy(dtype=float),
                "p_value": self.geodetector.p_value.to_numpy(dtype=float),
            }
        )
        local = self.gwr.coefficient_table()
        gw = pd.DataFrame(
            {
                "part": "gwr_local_mean",
                "term": local.index.astype(str),
                "estimate": local["mean"].to_numpy(dtype=float),
                "std_error": local["std"].to_numpy(dtype=float),
                "statistic": np.nan,
                "p_value": np.nan,
            }
        )
        cols = ["part", "term", "estimate", "std_error", "statistic", "p_value"]
        return pd.concat([spatial[cols], fe[cols], q, gw], ignore_index=True)

    def summary(self) -> Summary:
        """The spatial model's journal table, the panel FE, geodetector q and GWR diagnostics."""
        spatial = self.spatial.summary()
        tables = list(spatial.tables)
        tables.append(
            ("面板固定效应 Panel fixed effects (non-spatial)", self.panel.summary().tables[0][1])
        )
        gd = self.geodetector.summary()
        tables += list(gd.tables[:2])
        tables += list(self.gwr.summary().tables)
        return Summary(
            f"影响因素 Drivers of {self.y}",
            tuple(tables),
            tuple([*spatial.notes, *self.notes]),
        )


def _parse_drivers(x: Any) -> dict[str, Driver]:
    """Named drivers from a mapping, a list of expressions / ``name=expression`` or ``None``."""
    if x is None:
        return dict(DEFAULT_DRIVERS)
    if isinstance(x, str):
        x = [x]
    out: dict[str, Driver] = {}
    items: list[tuple[str, Any]]
    if isinstance(x, Mapping):
        items = [(str(k), v) for k, v in x.items()]
    else:
        items = []
        for entry in x:
            if isinstance(entry, Driver):
                items.append((entry.expression, entry))
                continue
            text = str(entry).strip()
            name, sep, expression = text.partition("=")
            if sep and re.fullmatch(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*", name.strip()):
                items.append((name.strip(), expression.strip()))
            else:
                items.append((text, text))
    if not items:
        raise DataValidationError("x must name at least one explanatory variable")
    seen: dict[str, str] = {}
    for name, spec in items:
        driver = spec if isinstance(spec, Driver) else Driver(str(spec).strip(), "", "")
        if not driver.expression:
            raise DataValidationError(f"explanatory variable {name!r} has an empty expression")
        key = re.sub(r"\s+", "", driver.expression)
        if key in seen:
            raise DataValidationError(
                f"explanatory variable {driver.expression!r} is listed twice (as {seen[key]!r} "
                f"and {name!r}): identical columns make X singular — list each once"
            )
        if name in out:
            raise DataValidationError(f"two explanatory variables are named {name!r}")
        seen[key] = name
        out[name] = driver
    return out


def _vif(data: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    r"""Variance inflation factors :math:`1/(1-R_j^2)` of the pooled drivers (with a constant)."""
    X = data[names].to_numpy(dtype=float)
    rows = []
    for j, name in enumerate(names):
        others = np.delete(X, j, axis=1)
        design = np.column_stack([np.ones(len(X)), others])
        target = X[:, j]
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        resid = target - design @ coef
        tss = float(((target - target.mean()) ** 2).sum())
        r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else np.nan
        rows.append({"term": name, "r2": r2, "vif": 1.0 / (1.0 - r2) if r2 < 1 else np.inf})
    return pd.DataFrame(rows)


def drivers_study(
    panel: Any,
    index_result: Any,
    x: Sequence[str] | Mapping[str, str | Driver] | None = None,
    model: Literal["sar", "sem", "sdm", "sdem"] = "sdm",
    effects: Literal["region", "time", "twoway"] = "twoway",
    w: str | SpatialWeights | None = None,
    geodetector_classes: Sequence[int] = range(3, 7),
    gwr_year: int | None = None,
    seed: Seed = 0,
    *,
    y: str = "score",
    draws: int = 1000,
    geodetector_scope: Literal["pooled", "map_year"] = "pooled",
    gwr_standardize: bool = True,
) -> DriversStudyResult:
    r"""What drives a value and whether it spills over: spatial panel, geodetector, GWR.

    Parameters
    ----------
    panel
        The :class:`~nqpf.panel.Panel` the drivers are evaluated on.
    index_result
        The composite-index result (``y`` is ``"score"`` or a dimension) or a long DataFrame
        with ``region_code``, ``year`` and ``y`` columns. Its region-years are the sample.
    x
        Drivers: expressions over panel variables (``"log(gdp)"``, ``"name=expression"``) or a
        mapping name → expression or :class:`Driver`; default :data:`DEFAULT_DRIVERS`.
    model, effects
        Spatial panel model (``"sdm"``, ``"sar"``, ``"sem"``, ``"sdem"``) and fixed effects
        (``"twoway"``, ``"region"``, ``"time"``).
    w
        Spatial weights (see :func:`study_weights`); row-standardised for the panel model.
    geodetector_classes
        Numbers of classes tried by the optimal discretisation of every driver (with every
        method of :data:`~nqpf.spatial.DISCRETIZATION_METHODS`).
    gwr_year
        Year of the GWR cross-section (default the latest year); also the year of a
        ``geodetector_scope="map_year"`` detector.
    seed
        Seed of the effects' parameter draws and of the discretisation.
    y
        The dependent value of ``index_result``.
    draws
        Parameter draws for the simulated standard errors of the effects.
    geodetector_scope
        ``"pooled"`` (every region-year, default) or ``"map_year"`` (the regions of ``gwr_year``).
    gwr_standardize
        Fit the GWR on z-scores (default), so that local coefficients of different drivers are
        comparable; the panel models use the variables as given.

    Returns
    -------
    DriversStudyResult

    Raises
    ------
    DataValidationError
        Unknown panel variables (with the closest names), a driver listed twice, collinear
        drivers (named), missing cells (naming the region and year), a year not in the data.
    WeightsError
        Spatial weights that do not match the regions (naming them).
    ConvergenceError
        A spatial model that does not converge or whose Hessian is not negative definite.

    Notes
    -----
    - Spatial panel: :class:`~nqpf.econometrics.SpatialPanel` (ML, Elhorst 2014; Lee & Yu 2010
      transformation approach) with effects from
      :math:`S_k(W) = (I-\rho W)^{-1}(I\beta_k + W\theta_k)` (LeSage & Pace 2009) and ``draws``
      simulated parameter vectors; LM (classic and robust), LR and Wald tests of SDM against
      SAR/SEM and the Hausman test; :func:`~nqpf.econometrics.panel_fe` alongside.
    - Geographical detector (Wang et al. 2010) in the R ``geodetector`` 1.0-5 convention, every
      driver cut by :func:`~nqpf.spatial.optimal_discretization` (Song et al. 2020).
    - GWR with an adaptive bisquare kernel, bandwidth by AICc (``mgwr``; Fotheringham et al.
      2002) on the capitals' coordinates.

    Examples
    --------
    >>> from nqpf.panel import Panel
    >>> rng = np.random.default_rng(0)
    >>> codes = [110000, 120000, 130000, 140000, 150000, 210000, 220000, 230000, 310000, 320000,
    ...          330000, 340000]
    >>> wide = pd.DataFrame({"region": np.repeat(codes, 4), "year": np.tile(range(2019, 2023), 12),
    ...                      "gdp": rng.uniform(1e3, 1e4, 48), "budget": rng.uniform(1e2, 1e3, 48)})
    >>> panel = Panel.from_wide(wide)
    >>> scores = panel.wide(["gdp", "budget"]).reset_index()
    >>> scores["score"] = 0.1 * np.log(scores.gdp) + rng.normal(0, 0.05, 48)
    >>> r = drivers_study(panel, scores[["region_code", "year", "score"]],
    ...                   x=["ln_gdp=log(gdp)", "budget / gdp"], w="knn:3", draws=50,
    ...                   geodetector_classes=[3])
    >>> r.names, list(r.spatial.effects.columns[:3]), r.gwr_year
    (['ln_gdp', 'budget / gdp'], ['direct', 'indirect', 'total'], 2022)
    """
    if model not in MODELS:
        raise DataValidationError(f"model must be one of {list(MODELS)}, got {model!r}")
    if effects not in EFFECTS:
        raise DataValidationError(f"effects must be one of {list(EFFECTS)}, got {effects!r}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 2:
        raise DataValidationError(f"draws must be an integer >= 2, got {draws!r}")
    drivers = _parse_drivers(x)
    names = list(drivers)
    if y in names:
        raise DataValidationError(f"{y!r} is both the dependent value and a driver name")
    if geodetector_scope not in ("pooled", "map_year"):
        raise DataValidationError(
            f"geodetector_scope must be 'pooled' or 'map_year', got {geodetector_scope!r}"
        )
    classes = [int(c) for c in geodetector_classes]
    if not classes or min(classes) < 2:
        raise DataValidationError(
            f"geodetector_classes must be integers >= 2, got {list(geodetector_classes)}"
        )
    target, notes = _values_frame(index_result, y, "region_code", "year", "drivers_study")
    if not (callable(getattr(panel, "evaluate", None)) and hasattr(panel, "indicators")):
        raise DataValidationError(
            f"drivers_study evaluates the drivers on a nqpf Panel; got {type(panel).__name__}"
        )
    repairs = ValidationReport()
    data = target.rename(columns={"value": y})
    for name, driver in drivers.items():
        series = panel.evaluate(driver.expression, report=repairs).rename(name)
        data = data.merge(series.reset_index(), on=["region_code", "year"], how="left")
    if len(repairs):
        first = repairs.to_frame().iloc[0]
        notes.append(
            f"{len(repairs)} driver cell(s) undefined (division by zero); first: {first['message']}"
        )
    codes = sorted(data["region_code"].unique(), key=_order_key)
    years = sorted(set(data["year"]))
    if gwr_year is None:
        gwr_year = years[-1]
    elif int(gwr_year) not in years:
        raise DataValidationError(f"gwr_year {gwr_year} is not in the data; it has {years}")
    gwr_year = int(gwr_year)
    raw, w_notes = study_weights(w, codes)
    notes += w_notes
    standardized = raw if raw.row_standardized else raw.standardize()
    label = _weights_description(raw, w)

    # 1. spatial panel model and the non-spatial FE alongside ---------------------------------
    fitted = SpatialPanel(model, effects, draws=draws, seed=seed).fit(
        data, y=y, x=names, w=standardized
    )
    fe = panel_fe(data, y, names, effects=effects)
    vif = _vif(data, names)

    # 2. geographical detector ----------------------------------------------------------------
    sample = data if geodetector_scope == "pooled" else data[data["year"] == gwr_year]
    disc_rows = []
    breaks: dict[str, list[float]] = {}
    for name in names:
        best = optimal_discretization(
            sample[name].to_numpy(dtype=float),
            sample[y].to_numpy(dtype=float),
            methods=DISCRETIZATION_METHODS,
            classes=classes,
            seed=seed,
        )
        breaks[name] = [float(b) for b in best.breaks]
        disc_rows.append(
            {
                "factor": name,
                "method": best.method,
                "classes": best.classes,
                "n_strata": int(best.table.loc[best.table["best"], "n_strata"].iloc[0]),
                "q": best.q,
                "breaks": breaks[name],
            }
        )
    detector = geodetector(sample, y, names, discretize=breaks, seed=seed)
    discretization = pd.DataFrame(disc_rows)

    # 3. GWR of one cross-section ---------------------------------------------------------------
    cross = data[data["year"] == gwr_year].reset_index(drop=True)
    local = gwr(cross, y, names, standardize=gwr_standardize)

    # notes ---------------------------------------------------------------------------------
    if x is None:
        notes.append(DEFAULT_DRIVERS_NOTE)
    n_regions = len(codes)
    n_gd = len(sample)
    notes.append(
        f"小样本 Small samples: {n_regions} regions × {len(years)} years. The panel model uses "
        f"all {len(data)} region-years; the GWR uses the {len(cross)} regions of {gwr_year} "
        f"alone (bandwidth {local.bandwidth.iloc[0]:g} "
        f"{'neighbours' if not local.fixed else 'km'}), so its local coefficients rest on a "
        "few dozen points and are descriptive rather than inferential."
    )
    at_top = discretization.loc[discretization["classes"] == max(classes), "factor"].tolist()
    if geodetector_scope == "pooled":
        scope_note = (
            f"地理探测器 Geographical detector on all {n_gd} region-years pooled: the "
            "observations are not independent (the same province recurs every year) and q mixes "
            "differences between provinces with change over time, so the p-values are too "
            "optimistic."
        )
    else:
        scope_note = (
            f"地理探测器 Geographical detector on the {n_gd} regions of {gwr_year}: each stratum "
            "holds only a handful of regions, so q and its p-value are fragile."
        )
    if at_top:
        scope_note += (
            f" q grows with the number of strata; the optimum hit the largest number of classes "
            f"allowed ({max(classes)}) for {', '.join(at_top)}."
        )
    notes.append(scope_note)
    high_vif = vif.loc[vif["vif"] > 5, "term"].tolist()
    if high_vif:
        notes.append(
            f"共线性 Collinearity: VIF > 5 for {', '.join(high_vif)}; their separate "
            "coefficients are imprecise."
        )

    drivers_table = pd.DataFrame(
        [
            {
                "name": name,
                "expression": d.expression,
                "label_zh": d.label_zh,
                "label_en": d.label_en,
                "definition": d.definition,
            }
            for name, d in drivers.items()
        ]
    )
    return DriversStudyResult(
        y=y,
        drivers=drivers_table,
        data=data,
        weights=standardized,
        weights_label=label,
        spatial=fitted,
        panel=fe,
        collinearity=vif,
        geodetector=detector,
        discretization=discretization,
        geodetector_scope=geodetector_scope,
        geodetector_n=n_gd,
        gwr=local,
        gwr_year=gwr_year,
        notes=tuple(notes),
        meta=make_meta(
            "drivers_study",
            y=y,
            x={name: d.expression for name, d in drivers.items()},
            model=model,
            effects=effects,
            weights=label,
            draws=int(draws),
            seed=seed_for_meta(seed),
            geodetector_classes=classes,
            geodetector_scope=geodetector_scope,
            gwr_year=gwr_year,
            gwr_standardize=gwr_standardize,
            regions=n_regions,
            years=len(years),
        ),
    )
