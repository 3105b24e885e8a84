r"""The whole regional-differences study in one call.

:func:`disparity_study` takes a composite-index result, a :class:`~nqpf.panel.Panel` or a long
table and runs every measure of :mod:`nqpf.disparity` on one value, grouped by macro-region,
province (cities), urban agglomeration (cities) or a user column: Dagum's Gini decomposition by
year with bootstrap intervals, Theil T and L, the coefficient of variation, kernel densities
(national and per group), σ-, β-, club and spatial β-convergence, classical and spatial Markov
chains with their homogeneity tests, and rank mobility.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf._random import RandomSource, Seed
from nqpf.disparity.convergence import (
    BetaConvergenceResult,
    ClubConvergenceResult,
    SigmaConvergenceResult,
    SpatialBetaConvergenceResult,
    beta_convergence,
    club_convergence,
    sigma_convergence,
    spatial_beta_convergence,
)
from nqpf.disparity.dagum import DagumPanelResult, dagum_gini_panel
from nqpf.disparity.density import MAX_GRID, BandwidthRule, KernelDensityResult, kernel_density
from nqpf.disparity.markov import (
    MarkovResult,
    RankMobilityResult,
    SpatialMarkovResult,
    markov,
    rank_mobility,
    spatial_markov,
)
from nqpf.disparity.theil import DisparityTable, disparity_table, theil
from nqpf.errors import DataValidationError, DuplicateError, NqpfError, show
from nqpf.geo import SpatialWeights
from nqpf.results import Summary, frame_of_tests, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.groups import Overlap, Unassigned, by_agglomeration, by_province
from nqpf.studies.inputs import is_province, study_weights, value_label, value_table

__all__ = [
    "BUILTIN_GROUPS",
    "MAX_BOOTSTRAP",
    "MAX_CLASSES",
    "NATIONAL",
    "DisparityStudyResult",
    "auto_classes",
    "disparity_study",
]

#: Label of the whole sample in per-group tables and figures.
NATIONAL = "全国 National"

#: Groupings the study derives itself from the region codes.
BUILTIN_GROUPS = ("macro_region", "province", "agglomeration")

#: Minimum average number of regions per Markov class that :func:`auto_classes` keeps.
REGIONS_PER_CLASS = 7

#: Most Markov classes a study accepts (besides at most one per region). The spatial chain has
#: k² rows and k³ cells and its figure k panels of k × k: at 20 classes, 8,000 cells that even
#: 300 cities over 20 years (5,700 transitions) cannot fill, and a figure that still fits a page.
MAX_CLASSES = 20

#: Most bootstrap replications of the Dagum decomposition: every replication's parts are kept
#: for the percentile intervals, and 100,000 already pin a 95 % percentile interval's ends to a
#: Monte Carlo error far below the reported digits (the default is 199).
MAX_BOOTSTRAP = 100_000

_MACRO_LABELS = {key: f"{zh} {en}" for key, (zh, en) in regions.MACRO_REGIONS.items()}


def auto_classes(n_regions: int) -> tuple[int, str]:
    r"""Number of Markov classes for ``n_regions`` regions, and the reason in words.

    The rule keeps at least :data:`REGIONS_PER_CLASS` (7) regions per quantile class on average,
    with 2 to 5 classes: :math:`k = \min(5, \max(2, \lfloor n / 7 \rfloor))`. For the 31
    provinces this gives 4 classes of about 7.75 provinces (5 classes would hold 6.2). The
    spatial Markov chain splits the transitions once more by the neighbours' class, into
    :math:`k^2` rows, so each extra class thins every row quickly.

    Examples
    --------
    >>> auto_classes(31)[0], auto_classes(300)[0], auto_classes(10)[0]
    (4, 5, 2)
    """
    if n_regions < 2:
        raise DataValidationError(f"a Markov chain needs at least 2 regions, got {n_regions}")
    k = min(5, max(2, n_regions // REGIONS_PER_CLASS))
    reason = (
        f"k = {k} quantile classes for {n_regions} regions: about {n_regions / k:.2f} regions per "
        f"class and year (the rule keeps at least ~{REGIONS_PER_CLASS}"
        + (f"; k = {k + 1} would leave {n_regions / (k + 1):.2f}" if k < 5 else "")
        + f"); the spatial Markov chain splits the transitions further into {k}×{k} "
        "(neighbour class, start class) rows."
    )
    return k, reason


# ---------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DisparityStudyResult(StudyResult):
    """Every regional-differences measure of one value, by year and group.

    Attributes
    ----------
    value, group
        The measured value and the grouping (``"macro_region"``, ``"province"``,
        ``"agglomeration"`` or a column name).
    groups
        Group labels in display order (NBS order East, Central, West, Northeast for
        macro-regions; province codes for provinces; the curated list for agglomerations, then
        "其他 Other"; sorted otherwise).
    data
        The long table analysed: ``region, year, value, group``.
    k, k_reason
        Number of Markov classes and why.
    measures
        CV, Gini with Dagum's parts, Theil T and L with their parts, by year.
    dagum
        Dagum decomposition by year with bootstrap intervals.
    theil_groups
        Tidy ``year, kind, component, group, value``: Theil T and L with each group's index,
        weight and contribution, by year.
    density, group_density
        Gaussian kernel densities by year for the whole sample and for each group (same grid).
    sigma, group_sigma
        σ-convergence of the whole sample and of each group (groups with fewer than 2 regions
        in some year are left out of the per-group parts; see :attr:`measured_groups`).
    beta
        Absolute β-convergence, two-way fixed effects, standard errors clustered by region.
    clubs
        The same regression within each group (club convergence).
    spatial_beta
        Spatial β-convergence (SDM, two-way fixed effects, Lee–Yu), or ``None`` when there are
        no spatial weights or the model could not be fitted (the reason is in ``notes``).
    markov
        Classical Markov chain on pooled quantile classes, with the time-homogeneity test.
    spatial_markov
        Spatial Markov chain conditioned on the neighbours' class, or ``None`` (see ``notes``).
    mobility
        Kendall's τ between consecutive years and between the first and last year.
    notes
        What the reader must know: spatial-weight repairs, skipped parts, the bootstrap, and
        every part's own notes led by the part's name (short panels: Markov rows with few
        transitions, no half-life for an insignificant or non-negative β, densities of few
        values, a σ trend on few years). :meth:`summary` adds the class rule.
    """

    key = "disparity"
    title = ("区域差异及其动态演进", "Regional differences and their dynamics")

    value: str
    group: str
    groups: tuple[Hashable, ...]
    data: pd.DataFrame
    k: int
    k_reason: str
    measures: DisparityTable
    dagum: DagumPanelResult
    theil_groups: pd.DataFrame
    density: KernelDensityResult
    group_density: KernelDensityResult
    sigma: SigmaConvergenceResult
    group_sigma: dict[Hashable, SigmaConvergenceResult]
    beta: BetaConvergenceResult
    clubs: ClubConvergenceResult
    markov: MarkovResult
    spatial_markov: SpatialMarkovResult | None
    mobility: RankMobilityResult
    spatial_beta: SpatialBetaConvergenceResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years analysed."""
        return sorted(int(y) for y in self.data["year"].unique())

    @property
    def measured_groups(self) -> tuple[Hashable, ...]:
        """Groups with per-group densities, σ- and club convergence (at least 2 regions a year)."""
        return tuple(g for g in self.groups if g in self.group_sigma)

    # -- tidy tables of each part ----------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables (CSV files of ``nqpf disparity``, workbook sheets of the report).

        ``disparity`` (all measures by year), ``dagum`` (decomposition with bootstrap
        intervals), ``theil``, ``convergence``, ``markov``, ``rank_mobility``, ``density``.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"region_code": np.repeat(np.arange(12), 4),
        ...                    "year": np.tile([2019, 2020, 2021, 2022], 12),
        ...                    "zone": np.repeat(list("abc"), 16), "y": rng.uniform(1, 2, 48)})
        >>> list(disparity_study(df, "y", "zone", w=False, bootstrap=0, grid=16).tables())
        ['disparity', 'dagum', 'theil', 'convergence', 'markov', 'rank_mobility', 'density']
        """
        return {
            "disparity": self.measures.table.reset_index(),
            "dagum": self.dagum_frame(),
            "theil": self.theil_frame(),
            "convergence": self.convergence_frame(),
            "markov": self.markov_frame(),
            "rank_mobility": self.mobility_frame(),
            "density": self.density_frame(),
        }

    def figures(self) -> dict[str, FigureSpec]:
        """The study's figures, drawn by :func:`nqpf.report.plots.draw`.

        Dagum contributions and group Ginis, Theil parts, kernel densities, σ-convergence, the
        classical and (if computed) spatial Markov transition heat maps.
        """
        span = f"{self.years[0]}–{self.years[-1]}"
        name = value_label(self.value)
        dagum = self.dagum_frame()
        density = self.density_frame()
        chain = self.markov
        classical = "传统 Classical"
        out = {
            "dagum_contributions": FigureSpec(
                "总体基尼系数与差异来源贡献率 Overall Gini and contributions of its sources",
                "dagum_contributions",
                dagum,
            ),
            "dagum_group_ginis": FigureSpec(
                "组内与组间基尼系数的演变 Within- and between-group Ginis over time",
                "dagum_group_ginis",
                dagum,
                {"groups": self.groups},
            ),
            "theil": FigureSpec(
                "泰尔指数的组内与组间分解 Theil index: within and between parts",
                "theil_decomposition",
                self.theil_frame(),
            ),
            "density_surface": FigureSpec(
                f"全国核密度的三维演变 Kernel density surface (national): {name}, {span}",
                "density_surface",
                density,
                {"group": NATIONAL, "xlabel": name},
            ),
            "density_ridges": FigureSpec(
                f"分组核密度山脊图 Kernel density ridges by group, {span}",
                "density_ridges",
                density,
                {"groups": [NATIONAL, *self.measured_groups], "xlabel": name},
            ),
            "sigma": FigureSpec(
                "σ收敛 σ-convergence: CV and SD of logs",
                "sigma_lines",
                self.sigma_frame(),
                {"groups": self.measured_groups},
            ),
            "markov": FigureSpec(
                "传统马尔可夫转移概率 Classical Markov transition probabilities",
                "transition_heatmaps",
                {classical: chain.transition_matrix},
                {"counts": {classical: chain.counts}},
            ),
        }
        sm = self.spatial_markov
        if sm is not None:
            titles = {lag: f"邻域类型 Lag class {lag}" for lag in sm.steady_states.index}
            out["spatial_markov"] = FigureSpec(
                "空间马尔可夫转移概率 Spatial Markov transition probabilities",
                "transition_heatmaps",
                {title: sm.matrix(lag) for lag, title in titles.items()},
                {"counts": {t: sm.counts.xs(lag, level="lag_class") for lag, t in titles.items()}},
            )
        return out

    def sigma_frame(self) -> pd.DataFrame:
        """σ-convergence by year and scope: ``scope, year, n, mean, sd, cv, sd_log``.

        ``scope`` is :data:`NATIONAL` or a group (display order; groups too small for per-group
        measures are not listed).
        """
        parts = [(NATIONAL, self.sigma)] + [(g, self.group_sigma[g]) for g in self.measured_groups]
        frames = [r.table.reset_index().assign(scope=s) for s, r in parts]
        return pd.concat(frames, ignore_index=True)[
            ["scope", "year", "n", "mean", "sd", "cv", "sd_log"]
        ]

    def dagum_frame(self) -> pd.DataFrame:
        """Dagum decomposition by year with bootstrap standard errors and intervals.

        Columns ``year, component, group, other_group, value, std_error, lower, upper``.
        """
        return self.dagum.to_frame()

    def theil_frame(self) -> pd.DataFrame:
        """Theil T and L by year: ``year, kind, component, group, value``."""
        return self.theil_groups.copy()

    def density_frame(self) -> pd.DataFrame:
        """Kernel densities ``year, group, x, density``.

        ``group`` is :data:`NATIONAL` for the whole sample.
        """
        national = self.density.to_frame()
        national.insert(1, "group", NATIONAL)
        return pd.concat([national, self.group_density.to_frame()], ignore_index=True)

    def convergence_frame(self) -> pd.DataFrame:
        """σ-, β- and club convergence: ``analysis, scope, year, term, statistic, value``.

        ``analysis`` is ``sigma`` (dispersion by year), ``sigma_trend`` (linear trend test),
        ``beta``, ``club`` or ``spatial_beta``; ``scope`` is :data:`NATIONAL` or the group. The
        ``spatial_beta`` terms are the coefficients (``ln_y``, ``W*ln_y``, ``rho``, ``sigma2``),
        the effects as ``direct:ln_y``, ``indirect:ln_y``, ``total:ln_y``, and ``speed``,
        ``half_life``, ``speed_direct``, ``half_life_direct``.
        """
        parts = []
        for scope, res in [(NATIONAL, self.sigma), *self.group_sigma.items()]:
            long = res.table.reset_index().melt(id_vars="year", var_name="term", value_name="value")
            long.insert(0, "analysis", "sigma")
            long.insert(1, "scope", scope)
            long.insert(4, "statistic", "value")
            parts.append(long)
            trend = res.trend.rename_axis("term").reset_index()
            trend = trend.melt(id_vars="term", var_name="statistic", value_name="value")
            trend.insert(0, "analysis", "sigma_trend")
            trend.insert(1, "scope", scope)
            trend.insert(2, "year", np.nan)
            parts.append(trend)
        for analysis, items in self._beta_items():
            for scope, fit in items:
                coefs = fit.to_frame().melt(
                    id_vars="term", var_name="statistic", value_name="value"
                )
                coefs = coefs.dropna(subset=["value"])
                coefs.insert(0, "analysis", analysis)
                coefs.insert(1, "scope", scope)
                coefs.insert(2, "year", np.nan)
                parts.append(coefs)
        if self.spatial_beta is not None:
            sb = self.spatial_beta.to_frame()
            effect = sb["component"].isin(["direct", "indirect", "total"])
            sb["term"] = sb["term"].where(~effect, sb["component"] + ":" + sb["term"])
            sb = sb.drop(columns="component").melt(
                id_vars="term", var_name="statistic", value_name="value"
            )
            sb = sb.dropna(subset=["value"])
            sb.insert(0, "analysis", "spatial_beta")
            sb.insert(1, "scope", NATIONAL)
            sb.insert(2, "year", np.nan)
            parts.append(sb)
        out = pd.concat(parts, ignore_index=True)
        out["year"] = out["year"].astype("Int64")
        return out[["analysis", "scope", "year", "term", "statistic", "value"]]

    def markov_frame(self) -> pd.DataFrame:
        """Markov chains: ``chain, table, lag_class, from_class, to_class, value``.

        ``chain`` is ``classical`` or ``spatial``; ``table`` is ``probability``, ``count``,
        ``mfpt`` (mean first passage time) or ``steady_state``; ``lag_class`` is the
        neighbours' class of the spatial chain.
        """
        classical = self.markov.to_frame()
        classical.insert(0, "chain", "classical")
        classical.insert(2, "lag_class", pd.NA)
        parts = [classical]
        sm = self.spatial_markov
        if sm is not None:
            long = sm.to_frame().melt(
                id_vars=["lag_class", "from_class", "to_class"],
                var_name="table",
                value_name="value",
            )
            steady = sm.steady_states.stack().rename("value").reset_index()
            steady.columns = ["lag_class", "to_class", "value"]
            steady.insert(1, "from_class", np.nan)
            steady.insert(0, "table", "steady_state")
            spatial = pd.concat([long, steady], ignore_index=True)
            spatial.insert(0, "chain", "spatial")
            parts.append(spatial)
        out = pd.concat(parts, ignore_index=True)
        for column in ("lag_class", "from_class", "to_class"):
            out[column] = pd.to_numeric(out[column]).astype("Int64")
        return out[["chain", "table", "lag_class", "from_class", "to_class", "value"]]

    def mobility_frame(self) -> pd.DataFrame:
        """Kendall's τ by pair of years (see :class:`~nqpf.disparity.RankMobilityResult`)."""
        return self.mobility.to_frame()

    def _beta_items(
        self,
    ) -> list[tuple[str, list[tuple[Hashable, BetaConvergenceResult]]]]:
        clubs = [(g, self.clubs.results[g]) for g in self.groups if g in self.clubs.results]
        return [("beta", [(NATIONAL, self.beta)]), ("club", clubs)]

    # -- results contract ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Headline numbers as one tidy frame: ``part, year, group, measure, value``.

        Parts: ``measures`` (CV, Gini and Dagum parts, Theil T/L and parts by year),
        ``dagum_group`` (within-group Gini by year), ``sigma`` (CV and SD of logs by year and
        scope), ``beta`` and ``club`` (β, its standard error and p-value, speed, half-life),
        ``spatial_beta`` (β, its standard error and p-value, θ, ρ, the direct, indirect and
        total effects of ln y, speed and half-life from β and from the direct effect),
        ``steady_state`` (classical chain; ``group`` holds the class) and ``mobility``
        (Kendall's τ; ``year`` is the later year, ``group`` the earlier one).
        """
        rows: list[pd.DataFrame] = []
        m = self.measures.to_frame()
        m.insert(0, "part", "measures")
        m.insert(2, "group", None)
        rows.append(m)
        g = self.dagum.table[self.dagum.table.component == "group_gini"]
        rows.append(
            _part(
                "dagum_group",
                g["year"].to_numpy(),
                g["group"].to_numpy(),
                "group_gini",
                g["value"].to_numpy(),
            )
        )
        for scope, res in [(NATIONAL, self.sigma), *self.group_sigma.items()]:
            for measure in ("cv", "sd_log"):
                rows.append(
                    _part(
                        "sigma",
                        res.table.index.to_numpy(),
                        scope,
                        measure,
                        res.table[measure].to_numpy(),
                    )
                )
        for part, items in self._beta_items():
            for scope, fit in items:
                row = fit.coefficients.loc["ln_y"]
                values = {
                    "beta": fit.beta,
                    "std_error": row["std_error"],
                    "p_value": row["p_value"],
                    "speed": fit.speed,
                    "half_life": fit.half_life,
                }
                rows.append(_part(part, None, scope, list(values), list(values.values())))
        if self.spatial_beta is not None:
            sb = self.spatial_beta
            values = {
                "beta": sb.beta,
                "std_error": float(sb.fit.std_errors["ln_y"]),
                "p_value": float(sb.fit.p_values["ln_y"]),
                "theta": sb.theta,
                sb.spatial_parameter: sb.rho,
                "direct": sb.direct["estimate"],
                "indirect": sb.indirect["estimate"],
                "total": sb.total["estimate"],
                "speed": sb.speed,
                "half_life": sb.half_life,
                "speed_direct": sb.speed_direct,
                "half_life_direct": sb.half_life_direct,
            }
            rows.append(_part("spatial_beta", None, NATIONAL, list(values), list(values.values())))
        ss = self.markov.steady_state
        rows.append(_part("steady_state", None, ss.index.to_numpy(), "probability", ss.to_numpy()))
        mob = self.mobility.table
        rows.append(
            _part(
                "mobility",
                mob["to_year"].to_numpy(),
                mob["from_year"].to_numpy(),
                "kendall_tau",
                mob["tau"].to_numpy(),
            )
        )
        out = pd.concat([r.astype({"group": object}) for r in rows], ignore_index=True)
        out["year"] = pd.to_numeric(out["year"]).astype("Int64")
        out["value"] = out["value"].astype(float)
        return out[["part", "year", "group", "measure", "value"]]

    def summary(self) -> Summary:
        """Headline tables: disparity by year, convergence, Markov chain, rank mobility."""
        measures = self.measures.summary().tables[0][1]
        beta = pd.DataFrame(
            [
                _beta_row(NATIONAL, self.beta),
                *(_beta_row(g, self.clubs.results[g]) for g in self.measured_groups),
            ]
        ).set_index("范围 Scope")
        sigma = self.sigma.trend.rename(index={"cv": "变异系数 CV", "sd_log": "对数标准差 SD log"})
        chain = self.markov.transition_matrix.copy()
        chain.insert(0, "n", self.markov.counts.sum(axis=1))
        steady = self.markov.steady_state.to_frame("稳态 Steady state").T
        tables: list[tuple[str, pd.DataFrame]] = [
            ("区域差异指标 Disparity measures by year", measures),
            ("σ收敛趋势 σ-convergence trend", sigma),
            ("β收敛 β-convergence (two-way FE, clustered by region)", beta),
        ]
        if self.spatial_beta is not None:
            tables.append(
                (
                    "空间β收敛 Spatial β-convergence "
                    f"({self.spatial_beta.model.upper()}, {self.spatial_beta.fixed_effects} FE, "
                    "Lee–Yu)",
                    self.spatial_beta.table(),
                )
            )
        tables += [
            ("马尔可夫转移概率 Markov transition probabilities", chain),
            ("稳态分布 Steady state", steady),
        ]
        if self.markov.homogeneity is not None:
            tables.append(
                (
                    "时间齐性检验 Time homogeneity",
                    frame_of_tests(self.markov.homogeneity).set_index("test")[
                        ["statistic", "df", "p_value"]
                    ],
                )
            )
        if self.spatial_markov is not None:
            tables.append(
                (
                    "空间齐性检验 Spatial homogeneity",
                    frame_of_tests(self.spatial_markov.homogeneity).set_index("test")[
                        ["statistic", "df", "p_value"]
                    ],
                )
            )
        tables.append(("位次流动性 Rank mobility", self.mobility.table.set_index("kind")))
        return Summary(
            f"区域差异及其动态 Regional differences and dynamics: {self.value} by {self.group}",
            tuple(tables),
            notes=(self.k_reason, *self.notes),
        )


def _part_notes(
    density: KernelDensityResult,
    group_density: KernelDensityResult,
    sigma: SigmaConvergenceResult,
    group_sigma: dict[Hashable, SigmaConvergenceResult],
    beta: BetaConvergenceResult,
    clubs: ClubConvergenceResult,
    spatial_beta: SpatialBetaConvergenceResult | None,
    chain: MarkovResult,
    smarkov: SpatialMarkovResult | None,
) -> list[str]:
    """The parts' own notes, each led by the part's name, in the order of the report."""
    sigma_notes = [*sigma.notes]
    sigma_notes += [
        f"{g}: {n}" for g, r in group_sigma.items() for n in r.notes if n not in sigma.notes
    ]
    parts: list[tuple[str, Sequence[str]]] = [
        ("核密度 Kernel density", density.notes),
        ("分组核密度 Kernel density by group", group_density.notes),
        ("σ收敛 σ-convergence", sigma_notes),
        ("β收敛 β-convergence", beta.notes),
        ("俱乐部收敛 Club convergence", clubs.notes),
        ("空间β收敛 Spatial β-convergence", spatial_beta.notes if spatial_beta else ()),
        ("马尔可夫链 Markov", chain.notes),
        ("空间马尔可夫链 Spatial Markov", smarkov.notes if smarkov else ()),
    ]
    return [f"{label}: {note}" for label, notes in parts for note in notes]


def _part(part: str, year: Any, group: Any, measure: Any, value: Any) -> pd.DataFrame:
    """Rows of :meth:`DisparityStudyResult.to_frame` (scalars are repeated along arrays)."""
    return pd.DataFrame(
        {"part": part, "year": year, "group": group, "measure": measure, "value": value}
    )


def _beta_row(scope: Hashable, res: BetaConvergenceResult) -> dict[str, Any]:
    row = res.coefficients.loc["ln_y"]
    return {
        "范围 Scope": scope,
        "β": res.beta,
        "标准误 SE": row["std_error"],
        "p": row["p_value"],
        "收敛速度 Speed λ": res.speed,
        "半衰期 Half-life": res.half_life,
        "地区数 Regions": res.n_regions,
        "观测数 Obs": res.nobs,
    }


# ---------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------
def _macro_labels(codes: pd.Series) -> pd.Series:
    try:
        keys = regions.macro_region(codes.tolist())
    except (TypeError, ValueError, NqpfError):
        raise DataValidationError(
            "group='macro_region' needs province or city codes in the region column (or a "
            "'macro_region' column); got e.g. "
            f"{show(codes.iloc[0])}. Normalise names with nqpf.normalize() or pass another group"
        ) from None
    return pd.Series([_MACRO_LABELS[k] for k in keys], index=codes.index)


def _prepare(
    frame: Any,
    value: str,
    group: str,
    region: str,
    year: str,
    years: Sequence[int] | None,
    overlap: Overlap,
    unassigned: Unassigned,
) -> tuple[pd.DataFrame, tuple[Hashable, ...], list[str]]:
    if group != "agglomeration" and not (
        isinstance(overlap, str) and overlap == "error" and unassigned == "error"
    ):
        raise DataValidationError(
            f"overlap= and unassigned= apply to group='agglomeration' only; group is {group!r}"
        )
    builtin_column = group in BUILTIN_GROUPS
    table, notes = value_table(
        frame,
        value,
        region=region,
        year=year,
        keep=[] if builtin_column else [group],
        optional=[group] if builtin_column else [],
        what="disparity_study",
        hint="; group takes 'macro_region', 'province' (cities by province), 'agglomeration' "
        "(cities by urban agglomeration) or a column of the data",
    )
    out = table.rename(columns={"region_code": "region"})
    if group in ("province", "agglomeration"):
        if group in out.columns:
            notes.append(
                f"分组 Groups: group={group!r} is the built-in grouping of cities; the data's "
                f"own column {group!r} is not used (rename it to group by it)."
            )
        out["group"] = None  # set below, on the years analysed
    elif group == "macro_region" and group not in out.columns:
        out["group"] = _macro_labels(out["region"]).to_numpy()
    else:
        labels = out[group]
        if group == "macro_region":
            labels = labels.map(lambda g: _MACRO_LABELS.get(g, g))
        out["group"] = labels.to_numpy()
    out = out[["region", "year", "value", "group"]]
    if years is not None:
        wanted = {int(y) for y in years}
        absent = sorted(wanted - set(out["year"]))
        if absent:
            raise DataValidationError(
                f"year(s) {absent} are not in the data; it has {sorted(set(out['year']))}"
            )
        out = out[out["year"].isin(wanted)]
    builtin: tuple[Hashable, ...] | None = None
    if group in ("province", "agglomeration"):
        grouping = (
            by_province(out["region"])
            if group == "province"
            else by_agglomeration(out["region"], overlap, unassigned)
        )
        out = out.assign(group=grouping.labels)[grouping.keep]
        builtin = grouping.order
        notes += grouping.notes
    dup = out.duplicated(["region", "year"], keep=False)
    if dup.any():
        first = out[dup].iloc[0]
        raise DuplicateError(
            f"region {show(first['region'])} appears more than once in {int(first['year'])} "
            f"({int(dup.sum())} duplicated rows); the study needs one value per region and year"
        )
    n_years = out["year"].nunique()
    if n_years < 2:
        raise DataValidationError(
            "distribution dynamics (Markov chains, convergence, rank mobility) need at least 2 "
            f"years; the data have {n_years}: {sorted(set(out['year']))}"
        )
    missing_group = out["group"].isna()
    if missing_group.any():
        cells = [f"{show(r)} in {y}" for r, y in out.loc[missing_group, ["region", "year"]].values]
        raise DataValidationError(f"group column {group!r} is missing for {cells[:5]}")
    out["group"] = out["group"].astype(str)
    if builtin is not None:
        order = builtin
    elif group == "macro_region":
        order = tuple(g for g in _MACRO_LABELS.values() if g in set(out["group"]))
        order += tuple(sorted(set(out["group"]) - set(order)))
    else:
        order = tuple(sorted(set(out["group"])))
    return out.sort_values(["year", "region"], kind="stable", ignore_index=True), order, notes


def _spatial_weights(w: Any, codes: list[Hashable]) -> tuple[SpatialWeights | None, list[str]]:
    """Weights for the spatial Markov chain and spatial β aligned to ``codes``, and notes.

    A specification (``None``: queen contiguity of the provinces, ``"knn:K"``, ...) is built
    with :func:`~nqpf.studies.inputs.study_weights` and row-standardised; weights objects are
    aligned and used as given.
    """
    if w is False:
        return None, ["空间马尔可夫链未计算 Spatial Markov chain skipped (w=False)."]
    if w is None and not all(is_province(c) for c in codes):
        return None, [
            "空间马尔可夫链未计算：未提供空间权重 Spatial Markov chain skipped: no spatial "
            "weights given and the regions are not provinces (pass w=)."
        ]
    weights, notes = study_weights(w, codes)
    if w is None or isinstance(w, str):
        weights = weights.standardize()
    return weights, notes


# ---------------------------------------------------------------------------------------------
# the study
# ---------------------------------------------------------------------------------------------
def _check_sizes(bootstrap: int, grid: int | Any) -> None:
    """Refuse a bootstrap or density grid size before any work starts."""
    if isinstance(bootstrap, bool) or int(bootstrap) != bootstrap or bootstrap < 0:
        raise DataValidationError(f"bootstrap must be a non-negative integer, got {bootstrap!r}")
    if bootstrap > MAX_BOOTSTRAP:
        raise DataValidationError(
            f"bootstrap = {bootstrap} replications; at most {MAX_BOOTSTRAP} (MAX_BOOTSTRAP) "
            "are allowed"
        )
    too_many = np.size(grid) > MAX_GRID if np.ndim(grid) else not 2 <= grid <= MAX_GRID
    if too_many:
        raise DataValidationError(
            f"grid = {grid if np.ndim(grid) == 0 else f'{np.size(grid)} points'}: a density grid "
            f"has from 2 to {MAX_GRID} (MAX_GRID) points"
        )


def _check_classes(k: Any, n_regions: int) -> int:
    """The number of Markov classes ``k`` if it is an integer from 2 to ``min(regions, 20)``."""
    top = min(n_regions, MAX_CLASSES)
    if isinstance(k, bool) or int(k) != k or not 2 <= k <= top:
        raise DataValidationError(
            f"k = {k!r} Markov classes, but k must be an integer >= 2 and <= {top} for "
            f"{n_regions} regions (at most one class per region, and at most MAX_CLASSES = "
            f"{MAX_CLASSES})"
        )
    return int(k)


def disparity_study(
    frame: Any,
    value: str = "score",
    group: str = "macro_region",
    *,
    k: int | None = None,
    w: Any = None,
    bootstrap: int = 199,
    seed: Seed = 0,
    region: str = "region_code",
    year: str = "year",
    years: Sequence[int] | None = None,
    bandwidth: BandwidthRule | float = "silverman",
    grid: int = 256,
    overlap: Overlap = "error",
    unassigned: Unassigned = "error",
) -> DisparityStudyResult:
    r"""Regional differences of one value and their dynamics, every measure in one call.

    Parameters
    ----------
    frame
        A composite-index result (``value`` is ``"score"`` or a dimension such as
        ``"labourers"``), a :class:`~nqpf.panel.Panel` (``value`` is an indicator) or a long
        DataFrame with one row per region and year.
    value
        The measured value (non-negative; strictly positive for σ- and β-convergence).
    group
        ``"macro_region"``: the NBS four regions 东部/中部/西部/东北 (East/Central/West/Northeast),
        taken from a ``macro_region`` column or derived from the region codes;
        ``"province"``: cities grouped by their province (city codes needed; labels such as
        "河北 Hebei"); ``"agglomeration"``: cities grouped by urban agglomeration, from
        :func:`nqpf.data.load_urban_agglomerations` (see ``overlap`` and ``unassigned``); or the
        name of a column holding each region's group. The built-in ``"province"`` and
        ``"agglomeration"`` are always derived from the city codes (a data column of that name
        is not used; a note says so).
    k
        Number of Markov quantile classes, from 2 to the number of regions and at most
        :data:`MAX_CLASSES` (20); ``None`` chooses it with :func:`auto_classes` (4 for the 31
        provinces).
    w
        Spatial weights for the spatial Markov chain and spatial β-convergence: a
        :class:`~nqpf.geo.SpatialWeights` or anything
        :func:`~nqpf.disparity.spatial_markov` accepts. ``None``: queen contiguity of the
        provinces (Hainan linked to its nearest province; the repair is listed in ``notes``);
        for other regions both are skipped with a note. ``False`` skips them.
    bootstrap
        Bootstrap replications of the Dagum decomposition per year (0: none; at most
        :data:`MAX_BOOTSTRAP`).
    seed
        Seed of the bootstrap and of the simulated standard errors of the spatial effects.
    region, year
        Column names in a DataFrame ``frame``.
    years
        Restrict to these years.
    bandwidth
        Kernel-density bandwidth rule or number (see :func:`~nqpf.disparity.kde_bandwidth`).
    grid
        Number of kernel-density evaluation points (2 to
        :data:`~nqpf.disparity.density.MAX_GRID`).
    overlap
        ``group="agglomeration"`` only. Cities that the curated list puts in more than one
        agglomeration: ``"error"`` (default) raises a :class:`~nqpf.errors.DataValidationError`
        listing them; ``"first-plan"`` puts each in the agglomeration whose plan was issued
        first; a mapping city (code or name) → agglomeration chooses for each.
    unassigned
        ``group="agglomeration"`` only. Cities in no agglomeration: ``"error"`` (default) raises
        naming them; ``"other"`` puts them in an explicit group "其他 Other"; ``"drop"`` leaves
        them out of the whole study. Every choice is listed in ``notes``.

    Returns
    -------
    DisparityStudyResult

    Raises
    ------
    DataValidationError
        ``k``, ``bootstrap`` or ``grid`` out of range (checked before any work starts), unknown
        columns or group, fewer than 2 years, missing values or groups, values the
        measures cannot take (each message names the region and year); ``"province"`` or
        ``"agglomeration"`` without city codes; cities in several or in no agglomeration
        (unless ``overlap``/``unassigned`` say what to do).
    DuplicateError
        A region observed twice in a year.

    Notes
    -----
    The parts and their sources (see each function):

    - Dagum (1997) Gini decomposition :math:`G = G_w + G_{nb} + G_t`, bootstrap percentile
      intervals resampling within groups (:func:`~nqpf.disparity.dagum_gini_panel`);
    - Theil T and L with :math:`T = \sum_k s_k T_k + \sum_k s_k \ln(\mu_k/\mu)` (Shorrocks
      1980) and the coefficient of variation;
    - Gaussian kernel densities per year, national and per group;
    - σ-convergence (CV and SD of logs with a linear trend test); absolute β-convergence
      :math:`\ln(y_{i,t+1}/y_{it}) = \alpha_i + \tau_t + \beta\ln y_{it} + \varepsilon_{it}`
      with region-clustered errors, speed :math:`\lambda = -\ln(1+\beta)` and half-life
      :math:`\ln 2/\lambda`; the same within each group (club convergence); spatial
      β-convergence, the same growth regression as a spatial Durbin model with two-way
      fixed effects and the Lee-Yu correction (:func:`~nqpf.disparity.spatial_beta_convergence`);
    - classical Markov chain on quantile classes pooled over all region-years (Quah 1993),
      time homogeneity across two sub-periods, and the spatial Markov chain of Rey (2001)
      with the Bickenbach and Bode (2003) homogeneity test across neighbour classes;
    - Kendall's τ-b of the values between years.

    Groups with fewer than 2 regions in some year (a municipality among the provinces' cities)
    stay in the Dagum and Theil decompositions (their within-group Gini is 0) and are left out
    of the per-group densities, σ- and club convergence, with a note.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"region_code": np.repeat(np.arange(12), 4),
    ...                    "year": np.tile([2019, 2020, 2021, 2022], 12),
    ...                    "zone": np.repeat(list("abc"), 16),
    ...                    "y": rng.uniform(1, 2, 48)})
    >>> r = disparity_study(df, "y", "zone", w=False, bootstrap=0)
    >>> r.k, r.groups, round(float(r.dagum.components()["total"].iloc[0]), 4)
    (2, ('a', 'b', 'c'), 0.0893)
    """
    _check_sizes(bootstrap, grid)
    source = RandomSource.from_seed(seed)
    data, order, notes = _prepare(frame, value, group, region, year, years, overlap, unassigned)
    codes = list(pd.unique(data["region"]))
    if k is None:
        k, reason = auto_classes(len(codes))
    else:
        k = _check_classes(k, len(codes))
        reason = f"k = {k} quantile classes (given) for {len(codes)} regions."
    measures = disparity_table(data, "value", "group", region="region")
    dagum = dagum_gini_panel(
        data, "value", "group", region="region", bootstrap=bootstrap, seed=source.seed
    )
    theil_rows = []
    for yr, block in data.groupby("year", sort=True):
        for kind in ("T", "L"):
            vals = pd.Series(block["value"].to_numpy(), index=block["region"].to_numpy())
            res = theil(vals, block["group"].to_numpy(), kind=kind)
            part = res.to_frame()
            part.insert(0, "year", int(yr))
            part.insert(1, "kind", kind)
            theil_rows.append(part)
    theil_groups = pd.concat(theil_rows, ignore_index=True)

    per_year = data.groupby(["group", "year"])["region"].nunique().groupby(level="group").min()
    small = [g for g in order if per_year.get(g, 0) < 2]
    measured = [g for g in order if g not in small]
    if not measured:
        raise DataValidationError(
            f"every group has a single region in some year ({', '.join(map(str, small[:10]))}"
            f"{' ...' if len(small) > 10 else ''}); per-group densities, σ- and club convergence "
            "need at least 2 regions per group"
        )
    sub = data[data["group"].isin(measured)] if small else data
    if small:
        notes.append(
            "单一地区的组 Groups with fewer than 2 regions in some year "
            f"({', '.join(map(str, small))}): kept in the Dagum and Theil decompositions (a "
            "single region's within-group Gini is 0), left out of the per-group densities, "
            "σ- and club convergence."
        )

    # per-group bandwidths are the wider ones (fewer values): their grid covers both
    group_density = kernel_density(
        sub, "value", group="group", region="region", bandwidth=bandwidth, grid=grid
    )
    density = kernel_density(
        data, "value", region="region", bandwidth=bandwidth, grid=group_density.grid
    )
    if small:  # the groups left out may lie outside that grid: one grid spanning both
        wide_grid = kernel_density(data, "value", region="region", bandwidth=bandwidth, grid=grid)
        span = np.linspace(
            min(wide_grid.grid[0], group_density.grid[0]),
            max(wide_grid.grid[-1], group_density.grid[-1]),
            grid,
        )
        group_density = kernel_density(
            sub, "value", group="group", region="region", bandwidth=bandwidth, grid=span
        )
        density = kernel_density(data, "value", region="region", bandwidth=bandwidth, grid=span)

    sigma = sigma_convergence(data, "value", region="region")
    group_sigma = {
        g: sigma_convergence(data[data["group"] == g], "value", region="region") for g in measured
    }
    beta = beta_convergence(data, "value", "region", effects="twoway", cluster="region")
    clubs = club_convergence(sub, "value", "group", "region", effects="twoway", cluster="region")

    wide = data.pivot(index="region", columns="year", values="value")
    chain = markov(wide, k=k, classes="pooled", periods=2)
    weights, w_notes = _spatial_weights(w, list(wide.index))
    notes += w_notes
    smarkov = None if weights is None else spatial_markov(wide, weights, k=k, classes="pooled")
    spatial_beta = None
    if weights is None:
        notes.append(
            "空间β收敛未计算 Spatial β-convergence skipped: no spatial weights (see the note on "
            "the spatial Markov chain)."
        )
    else:
        try:
            spatial_beta = spatial_beta_convergence(data, "value", weights, seed=source.seed)
        except NqpfError as exc:
            notes.append(
                f"空间β收敛未计算 Spatial β-convergence skipped: {type(exc).__name__}: {exc}"
            )
    mobility = rank_mobility(wide)
    notes += _part_notes(
        density, group_density, sigma, group_sigma, beta, clubs, spatial_beta, chain, smarkov
    )
    if bootstrap:
        notes.append(
            f"Dagum 置信区间 Dagum intervals: {bootstrap} bootstrap replications per year, "
            "resampling regions within groups (seeded)."
        )
    return DisparityStudyResult(
        value=value,
        group=group,
        groups=order,
        data=data,
        k=k,
        k_reason=reason,
        measures=measures,
        dagum=dagum,
        theil_groups=theil_groups,
        density=density,
        group_density=group_density,
        sigma=sigma,
        group_sigma=group_sigma,
        beta=beta,
        clubs=clubs,
        markov=chain,
        spatial_markov=smarkov,
        mobility=mobility,
        spatial_beta=spatial_beta,
        notes=tuple(notes),
        meta=make_meta(
            "disparity_study",
            value=value,
            group=group,
            k=k,
            bootstrap=int(bootstrap),
            seed=source.record,
            bandwidth=density.rule,
            regions=len(codes),
            years=int(data["year"].nunique()),
            spatial_markov=smarkov is not None,
            spatial_beta=spatial_beta is not None,
            overlap=overlap if isinstance(overlap, str) else "mapping",
            unassigned=unassigned,
        ),
    )
