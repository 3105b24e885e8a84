r"""How regions are connected: estimated technology flows, network structure, gravity linkages.

:func:`network_study` runs, on the bundled data and the composite-index result (or a user's
table):

(a) **estimated technology flows** — for each year of the technology-market margins
    (:func:`nqpf.data.loaders.load_technology_market`: outflow by seller province, inflow by
    buyer province), Wilson's doubly constrained model
    (:func:`nqpf.network.interaction.doubly_constrained`) on great-circle distances between the
    provincial capitals with each province's internal distance on the diagonal
    (:func:`nqpf.geo.geography.internal_distance`). These are *estimates* from margins, not
    observed flows, and every table says so;
(b) **the network** of the latest year's estimated inter-provincial flows (or the user's own
    O–D table): centralities (:func:`~nqpf.network.metrics.network_metrics`), Leiden
    communities, continuous core–periphery and node-removal resilience;
(c) **gravity linkages** among the regions with the NQPF score as the size variable;
(d) **modelled vs observed** — gravity linkages of 274 cities against their observed degrees in
    three real intercity networks (:func:`nqpf.data.loaders.load_city_connectivity`), so a
    reader sees whether a gravity specification is credible before interpreting it;
(e) **what explains the network** — QAP correlations and an MRQAP regression
    (:mod:`nqpf.network.qap`) of log(1 + flow) on distance and on differences of the NQPF score
    and of GDP per capita between the regions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf._random import RandomSource, Seed, check_permutations
from nqpf.data.loaders import load_city_connectivity, load_province_panel, load_technology_market
from nqpf.errors import DataValidationError, UnknownRegionError
from nqpf.geo.geography import distance_matrix, great_circle_matrix, region_coordinates
from nqpf.network.communities import Communities, communities
from nqpf.network.coreperiphery import CorePeriphery, core_periphery
from nqpf.network.graph import FlowNetwork
from nqpf.network.gravity import GravityLinkage, gravity_linkage, linkage_fit
from nqpf.network.interaction import ODEstimate, doubly_constrained
from nqpf.network.metrics import NetworkMetrics, disparity_filter, network_metrics
from nqpf.network.qap import MRQAP, mrqap, qap_correlation
from nqpf.network.resilience import Resilience, resilience
from nqpf.results import Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import (
    is_province,
    order_key,
    region_label,
    region_level,
    short_name,
    value_table,
)

__all__ = [
    "ATTACKS",
    "CITY_SPECIFICATIONS",
    "DISTANCE_DECAY",
    "OBSERVED_NETWORKS",
    "QAP_PREDICTORS",
    "NetworkStudyResult",
    "network_study",
]

#: Node-removal strategies of the resilience curves.
ATTACKS = ("random", "degree", "betweenness", "strength")
#: Default calibration: mean distance of the estimated flows = this share of the mean distance
#: of distance-free (β = 0) flows with the same margins.
DISTANCE_DECAY = 0.5
#: Observed intercity networks of the connectivity data: column → bilingual name.
OBSERVED_NETWORKS = {
    "mob_degree": "人口流动 Tencent mobility 2016",
    "sm_degree": "社交媒体 Weibo 2015",
    "pub_degree": "科研合作 co-publications 2017",
}
#: Gravity specifications checked against the observed city networks: key → (mass, size, label).
CITY_SPECIFICATIONS = {
    "population_gdp": ("resident_population", "gdp", "人口 × GDP population × GDP"),
    "population_patents": ("resident_population", "patents", "人口 × 专利 population × patents"),
}
#: Relational predictors of the QAP analysis: key → bilingual label.
QAP_PREDICTORS = {
    "distance": "地理距离 Distance (km)",
    "score_difference": "得分差异 NQPF score difference |s_i − s_j|",
    "gdp_pc_difference": "人均 GDP 差异 GDP per capita difference |g_i − g_j| (元)",
}
_BACKBONE_ALPHA = 0.05
_TOP_FLOWS = 30


@dataclass(frozen=True)
class NetworkStudyResult(StudyResult):
    """Estimated technology flows, network structure, gravity linkages, modelled vs observed.

    Attributes
    ----------
    year
        Year of the network (the latest year of the estimated flows, or ``None`` without flows).
    flows_source
        ``"estimated"`` (technology-market margins), ``"user"`` (``flows=``) or ``""`` (none).
    estimates
        Year → :class:`~nqpf.network.interaction.ODEstimate` of the technology flows.
    margins
        Per year: Σ outflow, Σ inflow, their gap, β, mean distance, margin error, share of
        intra-provincial flows.
    network
        The network analysed (self-flows dropped), or ``None``.
    metrics, communities, core, resilience
        Results on :attr:`network`, or ``None``; resilience of estimated flows runs on their
        disparity-filter backbone (the estimated network is complete).
    gravity
        Gravity linkages among the regions with the NQPF score as size, or ``None``.
    gravity_year
        Year of the gravity linkages.
    city_gravity
        Specification key → gravity linkages among the cities of the connectivity data.
    city_fit
        How well modelled total linkage reproduces each observed degree (one row per
        specification and network).
    city_scatter
        Modelled total linkage and observed degrees by city and specification.
    qap_year
        Year of the NQPF score used by the QAP analysis, or ``None`` when it did not run.
    qap_correlations
        QAP correlation of log(1 + flow) with each predictor of :data:`QAP_PREDICTORS`:
        ``predictor, correlation, p_two_sided, p_greater, permutations``.
    mrqap
        MRQAP regression of log(1 + flow) on the predictors (double semi-partialling), or
        ``None``.
    notes
        Every policy applied and every part skipped.
    """

    key = "network"
    title = ("区域联系与创新网络", "Inter-regional flows and innovation networks")

    year: int | None
    flows_source: str
    estimates: Mapping[int, ODEstimate] = field(default_factory=dict)
    margins: pd.DataFrame = field(default_factory=pd.DataFrame)
    network: FlowNetwork | None = None
    metrics: NetworkMetrics | None = None
    communities: Communities | None = None
    core: CorePeriphery | None = None
    resilience: Mapping[str, Resilience] = field(default_factory=dict)
    gravity: GravityLinkage | None = None
    gravity_year: int | None = None
    city_gravity: Mapping[str, GravityLinkage] = field(default_factory=dict)
    city_fit: pd.DataFrame = field(default_factory=pd.DataFrame)
    city_scatter: pd.DataFrame = field(default_factory=pd.DataFrame)
    qap_year: int | None = None
    qap_correlations: pd.DataFrame = field(default_factory=pd.DataFrame)
    mrqap: MRQAP | None = None
    notes: tuple[str, ...] = ()

    # -- tables ---------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables; those of parts that did not run are left out.

        ``estimated_flows`` (every year, origin × destination, ``estimated_flow`` in 万元),
        ``estimated_flow_margins``, ``network_centrality``, ``network_graph``,
        ``network_communities``, ``core_periphery``, ``resilience_curves``,
        ``resilience_robustness``, ``gravity_totals``, ``gravity_linkage``,
        ``gravity_undefined``, ``city_gravity_fit``, ``city_gravity_scatter``,
        ``qap_correlation``, ``mrqap`` (coefficients with R²). The tables of a network of
        estimated flows are named ``estimated_…`` (``estimated_network_centrality``).
        """
        out: dict[str, pd.DataFrame] = {}
        pre = "estimated_" if self.flows_source == "estimated" else ""
        if self.estimates:
            out["estimated_flows"] = self.estimated_flows()
            out["estimated_flow_margins"] = self.margins.copy()
        if self.metrics is not None:
            out[f"{pre}network_centrality"] = self.centrality()
            out[f"{pre}network_graph"] = pd.DataFrame(
                {"measure": list(self.metrics.graph), "value": list(self.metrics.graph.values())}
            )
        if self.communities is not None:
            out[f"{pre}network_communities"] = _named(self.communities.membership, "node")
        if self.core is not None:
            out[f"{pre}core_periphery"] = _named(self.core.nodes, "node")
        if self.resilience:
            out[f"{pre}resilience_curves"] = self.resilience_curves()
            out[f"{pre}resilience_robustness"] = self.robustness()
        if len(self.qap_correlations):
            out[f"{pre}qap_correlation"] = self.qap_correlations.copy()
        if self.mrqap is not None:
            out[f"{pre}mrqap"] = self.mrqap.coefficients.assign(
                r_squared=self.mrqap.r_squared,
                adj_r_squared=self.mrqap.adj_r_squared,
                cells=self.mrqap.cells,
                permutations=self.mrqap.permutations,
            )
        if self.gravity is not None:
            out["gravity_totals"] = _named(self.gravity.totals, "region")
            out["gravity_linkage"] = self.gravity_pairs()
            if len(self.gravity.undefined):
                out["gravity_undefined"] = self.gravity.undefined.copy()
        if len(self.city_fit):
            out["city_gravity_fit"] = self.city_fit.copy()
            out["city_gravity_scatter"] = self.city_scatter.copy()
        return out

    def estimated_flows(self) -> pd.DataFrame:
        """Estimated flows of every year (万元) between province codes.

        Columns ``year, origin, origin_name, destination, destination_name, estimated_flow,
        distance_km``.
        """
        parts = []
        for year, est in sorted(self.estimates.items()):
            frame = est.to_frame().rename(columns={"flow": "estimated_flow", "cost": "distance_km"})
            frame.insert(0, "year", int(year))
            parts.append(frame)
        out = pd.concat(parts, ignore_index=True)
        out.insert(2, "origin_name", [short_name(c) for c in out["origin"]])
        out.insert(4, "destination_name", [short_name(c) for c in out["destination"]])
        return out

    def resilience_curves(self) -> pd.DataFrame:
        """Curves of every attack, with ``efficiency_relative`` (/ intact efficiency).

        Columns ``strategy``, the columns of each curve, ``efficiency_relative``.
        """
        parts = [
            r.curve.assign(
                strategy=s, efficiency_relative=r.curve["efficiency"] / r.intact_efficiency
            )
            for s, r in self.resilience.items()
        ]
        out = pd.concat(parts, ignore_index=True)
        return out[["strategy", *[c for c in out.columns if c != "strategy"]]]

    def robustness(self) -> pd.DataFrame:
        """Robustness index R (Schneider et al. 2011) of every attack."""
        return pd.DataFrame(
            {
                "strategy": list(self.resilience),
                "robustness": [float(r.robustness) for r in self.resilience.values()],
            }
        )

    def gravity_pairs(self) -> pd.DataFrame:
        """Gravity linkages as pairs ``origin, destination, linkage`` (NaN where undefined)."""
        if self.gravity is None:
            return pd.DataFrame(columns=["origin", "destination", "linkage"])
        matrix = self.gravity.linkage
        labels = list(matrix.index)
        i, j = np.nonzero(~np.eye(len(labels), dtype=bool))
        return pd.DataFrame(
            {
                "origin": [labels[k] for k in i],
                "destination": [labels[k] for k in j],
                "linkage": matrix.to_numpy()[i, j],
            }
        )

    # -- figures --------------------------------------------------------------------------
    def centrality(self) -> pd.DataFrame:
        """The network's node metrics with region names (empty without a network)."""
        if self.metrics is None:
            return pd.DataFrame()
        return _named(self.metrics.nodes, "node")

    def figures(self) -> dict[str, FigureSpec]:
        """Flow map, community map, core–periphery bars, resilience curves, fit scatter."""
        out: dict[str, FigureSpec] = {}
        word = "估计的" if self.flows_source == "estimated" else ""
        what = "estimated technology flows" if self.flows_source == "estimated" else "flows"
        when = f"{self.year} " if self.year is not None else ""
        net_zh, net_en = ("估计", "estimated network") if word else ("", "network")
        level = _map_level(self.network.labels) if self.network is not None else None
        if self.network is not None and level is not None:
            edges = (
                self.network.edges()
                .rename(columns={"weight": "flow"})
                .sort_values("flow", ascending=False, ignore_index=True)
            )
            top = min(_TOP_FLOWS, len(edges))
            zh_when = f"{self.year} 年" if self.year is not None else ""
            out["flow_map"] = FigureSpec(
                f"{zh_when}{word}地区间技术流动（前 {top} 条）{when}{what} between regions, "
                f"top {top}",
                "flow_map",
                edges,
                {
                    "top": top,
                    "level": level,
                    "label": "估计流量 Estimated flow, 亿元" if word else "流量 Flow",
                    "scale": 1e4 if word else 1.0,
                },
            )
        if self.communities is not None and level is not None:
            member = self.communities.membership
            values = pd.Series(
                [f"社区 Community {int(c) + 1}" for c in member["community"]],
                index=member["node"].to_numpy(),
            )
            out["community_map"] = FigureSpec(
                f"{net_zh}网络社区（Leiden，模块度 {self.communities.modularity:.3f}）"
                f"Communities of the {when}{net_en} (Leiden, modularity "
                f"{self.communities.modularity:.3f})",
                f"{level}_map",
                values,
                {
                    "categorical": True,
                    "categories_order": sorted(set(values), key=lambda s: int(s.split()[-1])),
                    "label": "社区 Community",
                },
            )
        if self.core is not None:
            out["core_periphery"] = FigureSpec(
                f"{net_zh}网络核心—边缘结构（Borgatti–Everett 连续模型，拟合 {self.core.fit:.3f}）"
                f"{when}{net_en}: core–periphery coreness (continuous Borgatti–Everett model, fit "
                f"{self.core.fit:.3f})",
                "coreness_bars",
                _named(self.core.nodes, "node"),
            )
        if self.resilience:
            out["resilience"] = FigureSpec(
                f"{net_zh}网络韧性：节点移除后的最大连通子图与全局效率 Resilience of the "
                f"{when}{net_en}{' (backbone)' if word else ''} under node removal",
                "resilience_curves",
                self.resilience_curves(),
                {
                    "robustness": dict(
                        zip(*self.robustness().to_dict("list").values(), strict=True)
                    ),
                    "efficiency": "efficiency_relative",
                },
            )
        if len(self.city_fit):
            key = next(iter(CITY_SPECIFICATIONS))
            label = CITY_SPECIFICATIONS[key][2]
            cities = self.city_scatter["region_code"].nunique()
            out["city_fit"] = FigureSpec(
                f"引力模型联系总量与观测网络度数（{label}，{cities} 个城市）Modelled gravity "
                f"linkage vs observed degree ({label}, {cities} cities)",
                "fit_scatter",
                self.city_scatter[self.city_scatter["specification"] == key],
                {"fit": self.city_fit[self.city_fit["specification"] == key]},
            )
        return out

    # -- results contract -----------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Headline numbers: ``part, item, measure, value``."""
        rows: list[tuple[str, str, str, float]] = []
        for row in self.margins.itertuples(index=False):
            for measure in ("beta", "mean_cost_km", "gap_share", "intra_share"):
                rows.append(
                    ("estimated_flows", str(row.year), measure, float(getattr(row, measure)))
                )
        if self.metrics is not None:
            rows += [("network", "graph", k, float(v)) for k, v in self.metrics.graph.items()]
        if self.communities is not None:
            rows.append(("communities", "leiden", "modularity", float(self.communities.modularity)))
        rows += [
            ("resilience", s, "robustness", float(r.robustness)) for s, r in self.resilience.items()
        ]
        for row in self.city_fit.itertuples(index=False):
            rows.append(
                ("city_fit", f"{row.specification}:{row.network}", "spearman", row.spearman)
            )
        for row in self.qap_correlations.itertuples(index=False):
            rows.append(("qap", str(row.predictor), "correlation", float(row.correlation)))
        if self.mrqap is not None:
            for row in self.mrqap.coefficients.itertuples(index=False):
                rows.append(("mrqap", str(row.term), "coefficient", float(row.coefficient)))
            rows.append(("mrqap", "model", "r_squared", float(self.mrqap.r_squared)))
        return pd.DataFrame(rows, columns=["part", "item", "measure", "value"])

    def summary(self) -> Summary:
        """Margins by year, the most central regions, robustness, modelled vs observed."""
        tables: list[tuple[str, pd.DataFrame]] = []
        if len(self.margins):
            tables.append(("估计的技术流动 Estimated technology flows by year", self.margins))
        if self.metrics is not None:
            top = _named(self.metrics.nodes, "node").nlargest(10, "strength")
            tables.append(("强度最高的地区 Regions with the highest strength", top))
        if self.resilience:
            tables.append(("网络韧性 Robustness R", self.robustness()))
        if len(self.city_fit):
            tables.append(("模型与观测 Modelled vs observed", self.city_fit))
        if len(self.qap_correlations):
            tables.append(("QAP 相关分析 QAP correlations", self.qap_correlations))
        if self.mrqap is not None:
            tables.append(
                (
                    f"QAP 回归 MRQAP regression (R² = {self.mrqap.r_squared:.4f})",
                    self.mrqap.coefficients,
                )
            )
        return Summary(
            "区域联系与创新网络 Inter-regional flows and networks", tuple(tables), self.notes
        )


# ---------------------------------------------------------------------------------------------
# the study
# ---------------------------------------------------------------------------------------------
def network_study(
    index_or_panel: Any = None,
    *,
    year: int | None = None,
    beta: float | None = None,
    target_mean_cost: float | None = None,
    flows: pd.DataFrame | FlowNetwork | None = None,
    seed: Seed = 0,
    resilience_replicates: int = 50,
    qap_permutations: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> NetworkStudyResult:
    r"""Estimated flows, network structure, gravity linkages, modelled vs observed, QAP.

    Parameters
    ----------
    index_or_panel
        A composite-index result (its score is the size of the gravity model), a
        :class:`~nqpf.panel.Panel` or long table with a ``score`` column (region, year, score),
        or ``None`` (bundled data only: flows, network and the city check; no index gravity).
    year
        Year of the network: a year of the technology-market data (default: the latest). With
        ``flows=`` it is taken as the year of those flows for the QAP analysis's NQPF score.
    beta, target_mean_cost
        Distance decay of the estimated flows (exponential, per km), or the mean distance (km)
        to calibrate it to in every year. Default: calibrated in every year so that the mean
        distance is :data:`DISTANCE_DECAY` × that of distance-free (β = 0) flows with the same
        margins — an assumption, stated in ``notes``.
    flows
        The user's own O–D table (columns ``origin, destination, flow``) or a
        :class:`~nqpf.network.graph.FlowNetwork`: analysed instead of the estimated flows.
    seed
        Seed of the communities, the core–periphery search, the random attacks and the QAP
        permutations (independent child streams).
    resilience_replicates
        Replicates of the random attack.
    qap_permutations
        Permutations of each QAP correlation and of the MRQAP regression.
    progress
        Called as ``progress(done, total)`` after each step.

    Returns
    -------
    NetworkStudyResult

    Raises
    ------
    DataValidationError
        A year without technology-market data, both ``beta`` and ``target_mean_cost``, an
        unusable ``flows`` table.

    Notes
    -----
    Estimated flows: :math:`T_{ij} = A_i O_i B_j D_j e^{-\beta c_{ij}}` (Wilson 1970) with
    :math:`c_{ij}` the great-circle distance between capitals and
    :math:`c_{ii} = \tfrac23\sqrt{\text{area}_i/\pi}` (Head & Mayer 2002). Intra-provincial
    trade is modelled (``self_flows="include"``) because the margins count it; the network
    drops it. The inflow margins are rescaled to the outflow total (Σ outflow is closer to the
    national turnover in every year of the data), and the gap is reported per year. Gravity:
    :math:`R_{ij} = k_{ij}\sqrt{P_iG_i}\sqrt{P_jG_j}/(D_{ij}/|g_i-g_j|)^2` (DESIGN.md). QAP:
    :math:`Y_{ij} = \ln(1 + T_{ij})` regressed on great-circle km, :math:`|s_i - s_j|` (NQPF
    score) and :math:`|g_i - g_j|` (GDP per capita) by MRQAP with double semi-partialling
    (Dekker, Krackhardt & Snijders 2007); QAP correlations after Krackhardt (1988).
    """
    if beta is not None and target_mean_cost is not None:
        raise DataValidationError("give beta or target_mean_cost, not both")
    source = RandomSource.from_seed(seed)
    qap_permutations = check_permutations(qap_permutations)
    given_year = year
    notes: list[str] = []
    steps, done = 7, 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    scores, score_notes = _scores(index_or_panel)
    notes += score_notes
    codes = [] if scores is None else sorted(scores["region_code"].unique(), key=order_key)
    provinces_only = scores is None or all(is_province(c) for c in codes)
    sizes = None if scores is None else _population_gdp(codes, index_or_panel)

    # (a) estimated technology flows
    estimates: dict[int, ODEstimate] = {}
    margins = pd.DataFrame()
    if provinces_only:
        estimates, margins, year, a_notes = _estimated_flows(year, beta, target_mean_cost)
        notes += a_notes
    else:
        notes.append(
            "估计技术流动未计算 Estimated technology flows skipped: the bundled technology-market "
            "margins are by province and the data are not provinces."
        )
        year = None
    step()

    # (b) the network
    network: FlowNetwork | None = None
    flows_source = ""
    if flows is not None:
        network = _user_network(flows)
        flows_source = "user"
        notes.append(f"网络 Network: the flows given ({network.n} regions), not estimated.")
    elif estimates and year is not None:
        network = estimates[year].network()
        flows_source = "estimated"
        notes.append(
            f"网络 Network {year}: the estimated inter-provincial flows. Their structure "
            "(centrality, communities, core–periphery) follows from the margins and the distance "
            "decay of the model, not from observed ties: read it as what the margins imply."
        )
    metrics = comms = core = None
    attacks: dict[str, Resilience] = {}
    if network is not None:
        metrics = network_metrics(network)
        comms = communities(network, "leiden", seed=source.child("communities").seed)
        core = core_periphery(network, seed=source.child("core_periphery").seed)
        step()
        attacked = network
        if flows_source == "estimated":
            attacked = disparity_filter(network, alpha=_BACKBONE_ALPHA)
            notes.append(
                f"韧性 Resilience on the disparity-filter backbone (Serrano et al. 2009, α = "
                f"{_BACKBONE_ALPHA}): {'; '.join(attacked.notes[-1:])}. The estimated network "
                "is complete, so no removal could disconnect it."
            )
        for strategy in ATTACKS:
            attacks[strategy] = resilience(
                attacked,
                strategy,  # type: ignore[arg-type]
                replicates=resilience_replicates,
                seed=source.child("resilience", strategy).seed,
            )
        step()
    else:
        notes.append(
            "网络结构未计算 Network structure skipped: no flows (give flows= with an O–D table)."
        )
        step()
        step()

    # (c) gravity linkages with the NQPF score
    gravity = None
    gravity_year = None
    if scores is not None:
        gravity, gravity_year, c_notes = _index_gravity(scores, sizes)
        notes += c_notes
    else:
        notes.append(
            "引力联系未计算 Gravity linkages with the NQPF score skipped: no index result given."
        )
    step()

    # (d) modelled vs observed on the city connectivity data
    city_gravity: dict[str, GravityLinkage] = {}
    city_fit = city_scatter = pd.DataFrame()
    if provinces_only:
        city_gravity, city_fit, city_scatter, d_notes = _city_check()
        notes += d_notes
    else:
        notes.append(
            "模型与观测对比未计算 Modelled vs observed skipped: it uses the bundled city data and "
            "is shown with province studies."
        )
    step()

    # (e) QAP: what explains the network
    qap_year = None
    correlations = pd.DataFrame()
    regression = None
    if network is None:
        notes.append("QAP 分析未计算 QAP analysis skipped: no network.")
    elif scores is None:
        notes.append("QAP 分析未计算 QAP analysis skipped: no index score (give an index result).")
    else:
        network_year = year if flows_source == "estimated" else given_year
        qap_year, correlations, regression, e_notes = _qap(
            network,
            flows_source,
            network_year,
            scores,
            sizes,
            qap_permutations,
            source,
        )
        notes += e_notes
    step()

    return NetworkStudyResult(
        year=year,
        flows_source=flows_source,
        estimates=estimates,
        margins=margins,
        network=network,
        metrics=metrics,
        communities=comms,
        core=core,
        resilience=attacks,
        gravity=gravity,
        gravity_year=gravity_year,
        city_gravity=city_gravity,
        city_fit=city_fit,
        city_scatter=city_scatter,
        qap_year=qap_year,
        qap_correlations=correlations,
        mrqap=regression,
        notes=tuple(notes),
        meta=make_meta(
            "network_study",
            year=year,
            beta=beta,
            target_mean_cost=target_mean_cost,
            flows=flows_source,
            seed=source.record,
            resilience_replicates=int(resilience_replicates),
            qap_permutations=int(qap_permutations),
        ),
    )


# ---------------------------------------------------------------------------------------------
# parts
# ---------------------------------------------------------------------------------------------
def _scores(source: Any) -> tuple[pd.DataFrame | None, list[str]]:
    """``region_code, year, value`` of the index score, or ``None`` without an input."""
    if source is None:
        return None, []
    table, notes = value_table(source, "score", what="network_study")
    return table.dropna(subset=["value"]), notes


def _estimated_flows(
    year: int | None, beta: float | None, target: float | None
) -> tuple[dict[int, ODEstimate], pd.DataFrame, int, list[str]]:
    market = load_technology_market().data
    years = sorted(int(y) for y in market["year"].unique())
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise DataValidationError(
            f"year {year} has no technology-market data; years: {years[0]}–{years[-1]} "
            f"({', '.join(map(str, years))})"
        )
    codes = [int(c) for c in regions.provinces().index]
    cost = distance_matrix(codes)
    notes = [
        "估计值 ESTIMATES: province × province technology flows estimated from the margins "
        "(outflow by seller province, inflow by buyer province) with Wilson's doubly "
        "constrained model on great-circle distances between capitals (internal distance "
        "(2/3)√(area/π) on the diagonal); they are not observed flows.",
        "自身流动 Intra-provincial flows are modelled (the margins include them) and dropped "
        "from the network.",
        "边际 Margins: Σ outflow and Σ inflow differ in every year; the inflows are rescaled "
        "to the outflow total (each seller's outflow kept as reported; Σ outflow is the closer "
        "to the national turnover in every year); the gaps are in the margins table.",
    ]
    if beta is None and target is None:
        notes.append(
            f"距离衰减 Distance decay: β calibrated in each year so that the mean distance of the "
            f"estimated flows is {DISTANCE_DECAY:g} × that of distance-free flows (β = 0) with "
            "the same margins — an assumption; give beta or target_mean_cost to change it."
        )
    estimates: dict[int, ODEstimate] = {}
    rows = []
    zeroed: dict[str, list[int]] = {}
    for y in years:
        part = market[market["year"] == y].set_index("region_code").reindex(codes)
        out, into = part["outflow_amount"], part["inflow_amount"]
        for code in part.index[out.isna() | into.isna()]:
            zeroed.setdefault(short_name(code), []).append(y)
        out, into = out.fillna(0.0), into.fillna(0.0)
        kwargs: dict[str, Any] = {
            "self_flows": "include",
            "rescale": "destinations",
            "deterrence": "exp",
        }
        if beta is not None:
            est = doubly_constrained(out, into, cost, beta, **kwargs)
        else:
            goal = target
            if goal is None:
                free = doubly_constrained(out, into, cost, 0.0, **kwargs)
                goal = DISTANCE_DECAY * free.mean_cost
            est = doubly_constrained(out, into, cost, target_mean_cost=goal, **kwargs)
        estimates[y] = est
        flows = est.flows.to_numpy()
        gap = float(out.sum() - into.sum())
        rows.append(
            {
                "year": y,
                "total_outflow": float(out.sum()),
                "total_inflow": float(into.sum()),
                "gap": gap,
                "gap_share": gap / float(into.sum()),
                "beta": est.beta,
                "mean_cost_km": est.mean_cost,
                "margin_error": est.margin_error,
                "intra_share": float(np.trace(flows) / flows.sum()),
            }
        )
    if zeroed:
        listed = "; ".join(f"{name} {', '.join(map(str, ys))}" for name, ys in zeroed.items())
        notes.append(f"缺失边际 Missing margins read as 0 (no estimated flow): {listed}.")
    return estimates, pd.DataFrame(rows), int(year), notes


def _user_network(flows: pd.DataFrame | FlowNetwork) -> FlowNetwork:
    if isinstance(flows, FlowNetwork):
        return flows
    if not isinstance(flows, pd.DataFrame):
        raise DataValidationError(
            f"flows must be an O–D table or a FlowNetwork, got {type(flows).__name__}"
        )
    return FlowNetwork.from_edges(flows, self_flows="drop")


def _population_gdp(codes: list[Any], panel: Any) -> pd.DataFrame | None:
    """Population and GDP by ``region_code, year``, loaded once for the gravity and QAP parts.

    From the input panel when it holds both, else from the bundled province panel when every
    region is a province; ``None`` otherwise.
    """
    holds = callable(getattr(panel, "evaluate", None)) and {"population", "gdp"} <= set(
        getattr(panel, "indicators", ())
    )
    if not holds:
        if not all(is_province(c) for c in codes):
            return None
        panel = load_province_panel()
    population = panel.evaluate("population").dropna()
    gdp = panel.evaluate("gdp").dropna()
    return pd.concat({"population": population, "gdp": gdp}, axis=1).dropna().reset_index()


def _province_masses(
    codes: list[Any], year: int, sizes: pd.DataFrame | None
) -> tuple[pd.DataFrame | None, list[int]]:
    """Population (万人) and GDP per capita (元) of ``year`` or the latest earlier year.

    Returns the masses (``None`` when a region has none) and the years used.
    """
    if sizes is None:
        return None, []
    both = sizes[sizes["year"] <= year]
    if both.empty:
        return None, []
    latest = both.sort_values("year").groupby("region_code").tail(1).set_index("region_code")
    latest = latest.reindex(codes)
    if latest["population"].isna().any():
        return None, []
    masses = pd.DataFrame(
        {
            "population": latest["population"].to_numpy(),
            "gdp_per_capita": (latest["gdp"] * 1e4 / latest["population"]).to_numpy(),
        },
        index=pd.Index(codes, name="region"),
    )
    return masses, sorted(set(latest["year"].astype(int)))


def _index_gravity(
    scores: pd.DataFrame, sizes: pd.DataFrame | None
) -> tuple[GravityLinkage | None, int, list[str]]:
    year = int(scores["year"].max())
    block = scores[scores["year"] == year].set_index("region_code")["value"]
    codes = sorted(block.index, key=order_key)
    notes: list[str] = []
    masses, used = _province_masses(codes, year, sizes)
    if masses is not None:
        masses["score"] = block.reindex(codes).to_numpy()
        gravity = gravity_linkage(
            masses, mass="population", size="score", per_capita="gdp_per_capita"
        )
        if used != [year]:
            notes.append(
                f"引力模型 Gravity: population and GDP of {', '.join(map(str, used))} (the latest "
                f"available up to {year})."
            )
        notes.append(
            f"引力模型 Gravity {year}: mass = population, size = NQPF score, g = GDP per capita "
            f"(pairs with equal g are undefined and listed); {'; '.join(gravity.notes)}."
        )
        return gravity, year, notes
    masses = pd.DataFrame({"score": block.reindex(codes).to_numpy()}, index=pd.Index(codes))
    try:
        region_coordinates(codes)
    except DataValidationError:
        notes.append(
            "引力联系未计算 Gravity skipped: the regions are not registry codes, so there are no "
            "coordinates for the distances."
        )
        return None, year, notes
    gravity = gravity_linkage(masses, mass="score", size="score")
    notes.append(
        f"引力模型 Gravity {year}: the NQPF score as both masses and geographic distance only "
        "(no population or GDP in the data)."
    )
    return gravity, year, notes


def _qap(
    network: FlowNetwork,
    flows_source: str,
    network_year: int | None,
    scores: pd.DataFrame,
    sizes: pd.DataFrame | None,
    permutations: int,
    source: RandomSource,
) -> tuple[int | None, pd.DataFrame, MRQAP | None, list[str]]:
    """QAP correlations and MRQAP of log(1 + flow) on the relational predictors.

    Predictors (:data:`QAP_PREDICTORS`) on the network's regions that have a score: great-circle
    km between seats, |s_i − s_j| of the NQPF score and |g_i − g_j| of GDP per capita; each is
    left out, with a note, when it cannot be built or is constant. Seeds: child streams
    ``("qap", predictor)`` and ``("mrqap",)`` of the study's seed.
    """
    skipped = "QAP 分析未计算 QAP analysis skipped: "
    years = sorted(int(y) for y in scores["year"].unique())
    usable = [y for y in years if network_year is None or y <= network_year]
    if not usable:
        return None, pd.DataFrame(), None, [f"{skipped}no NQPF score up to {network_year}."]
    score_year = usable[-1]
    if network_year is None:
        which = "the latest score year (the flows given carry no year; give year= to choose)"
    elif score_year == network_year:
        which = "the network's year"
    else:
        which = f"the latest score year up to the network's year {network_year}"
    block = scores[scores["year"] == score_year].set_index("region_code")["value"]
    nodes = [label for label in network.labels if label in block.index]
    notes: list[str] = []
    missing = [label for label in network.labels if label not in block.index]
    if missing:
        listed = ", ".join(_label(c) for c in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        notes.append(
            f"QAP 缺少得分 Regions without a {score_year} score left out of the QAP analysis "
            f"({len(missing)}: {listed}{more}); it uses the {len(nodes)} others."
        )
    if len(nodes) < 4:
        notes.append(f"{skipped}{len(nodes)} region(s) with a score; it needs at least 4.")
        return None, pd.DataFrame(), None, notes
    if math.factorial(len(nodes)) < permutations:
        notes.append(
            f"QAP 置换 Permutations: {len(nodes)} regions have only {math.factorial(len(nodes))} "
            f"distinct orders, fewer than the {permutations} permutations drawn; the p-values "
            "are coarse."
        )
    sub = network.subnetwork(nodes)
    index = pd.Index(nodes)
    y = pd.DataFrame(np.log1p(sub.weights), index=index, columns=index)
    unit = "万元" if flows_source == "estimated" else "the units of the flows given"
    kind = "estimated flow" if flows_source == "estimated" else "flow"
    notes.append(
        f"QAP 分析 QAP analysis: Y = ln(1 + {kind}, {unit}) among {len(nodes)} regions "
        f"(diagonal ignored); NQPF score of {score_year}, {which}."
    )
    candidates: dict[str, pd.DataFrame] = {}
    try:
        km = great_circle_matrix(region_coordinates(nodes))
    except DataValidationError:
        notes.append(
            "QAP 距离 Distance left out: the regions are not registry codes, so there are no seats."
        )
    else:
        candidates["distance"] = pd.DataFrame(km, index=index, columns=index)
        if flows_source == "estimated":
            notes.append(
                "QAP 距离 Distance: great-circle km between seats. The estimated flows decay "
                "with this distance by construction (T_ij ∝ exp(−β d_ij)), so its coefficient "
                "partly restates the model: read the MRQAP for how much the score and GDP per "
                "capita differences add beyond geography."
            )
        else:
            notes.append("QAP 距离 Distance: great-circle km between seats.")
    s = block.reindex(nodes).to_numpy(dtype=float)
    candidates["score_difference"] = pd.DataFrame(
        np.abs(s[:, None] - s[None, :]), index=index, columns=index
    )
    masses, used = _province_masses(nodes, score_year, sizes)
    if masses is None:
        notes.append(
            "QAP 人均 GDP GDP per capita difference left out: no population and GDP for these "
            "regions."
        )
    else:
        g = masses["gdp_per_capita"].to_numpy()
        candidates["gdp_pc_difference"] = pd.DataFrame(
            np.abs(g[:, None] - g[None, :]), index=index, columns=index
        )
        notes.append(
            f"QAP 人均 GDP GDP per capita (GDP / population, 元) of {', '.join(map(str, used))} "
            f"(the latest up to {score_year})."
        )
    off = ~np.eye(len(nodes), dtype=bool)
    predictors = {}
    for name, matrix in candidates.items():
        if np.ptp(matrix.to_numpy()[off]) == 0:
            notes.append(f"QAP 常数 {name} left out: it is the same for every pair.")
        else:
            predictors[name] = matrix
    if not predictors or np.ptp(y.to_numpy()[off]) == 0:
        what = "no predictor" if not predictors else "the flows are the same for every pair"
        notes.append(f"{skipped}{what}.")
        return None, pd.DataFrame(), None, notes
    rows = []
    for name, matrix in predictors.items():
        r = qap_correlation(
            matrix, y, permutations=permutations, seed=source.child("qap", name).seed
        )
        rows.append((name, r.correlation, r.p_two_sided, r.p_greater, r.permutations))
    correlations = pd.DataFrame(
        rows, columns=["predictor", "correlation", "p_two_sided", "p_greater", "permutations"]
    )
    try:
        regression = mrqap(
            y, predictors, method="dsp", permutations=permutations, seed=source.child("mrqap").seed
        )
    except DataValidationError as exc:
        notes.append(f"QAP 回归未计算 MRQAP skipped: {exc}")
        return score_year, correlations, None, notes
    notes.append(
        f"QAP 回归 MRQAP: OLS of Y on {', '.join(predictors)} with an intercept; p-values of "
        f"each t by double semi-partialling (Dekker, Krackhardt & Snijders 2007), {permutations} "
        f"permutations; QAP correlations (Krackhardt 1988) permute Y. R² = "
        f"{regression.r_squared:.3f}."
    )
    return score_year, correlations, regression, notes


def _city_check() -> tuple[dict[str, GravityLinkage], pd.DataFrame, pd.DataFrame, list[str]]:
    data = load_city_connectivity().data.set_index("region_code")
    observed = data[list(OBSERVED_NETWORKS)]
    coordinates = data[["lon", "lat"]]
    linkages: dict[str, GravityLinkage] = {}
    fits, scatters = [], []
    for key, (mass, size, _label) in CITY_SPECIFICATIONS.items():
        linkage = gravity_linkage(data, mass=mass, size=size, coordinates=coordinates)
        linkages[key] = linkage
        totals = linkage.totals.set_index("region")["total_linkage"]
        fit = linkage_fit(totals, observed).to_frame()
        fit.insert(0, "specification", key)
        fits.append(fit)
        scatter = observed.join(totals.rename("modelled")).reset_index()
        scatter.insert(1, "region", [short_name(c) for c in scatter["region_code"]])
        scatter.insert(0, "specification", key)
        scatters.append(scatter)
    fit = pd.concat(fits, ignore_index=True)
    best = fit.loc[fit["spearman"].idxmax()]
    notes = [
        f"模型与观测 Modelled vs observed: gravity linkages (geographic distance between city "
        f"centroids) of {len(data)} cities against their observed degrees; the best Spearman ρ "
        f"is {best['spearman']:.3f} ({best['specification']}, {best['network']})."
    ]
    return linkages, fit, pd.concat(scatters, ignore_index=True), notes


def _map_level(labels: Any) -> str | None:
    """``"province"`` or ``"city"`` when every label is a registry code of that level."""
    try:
        return region_level(list(labels))
    except (UnknownRegionError, TypeError, ValueError):
        return None


def _named(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with a ``name`` column (short region name) after ``column``."""
    out = frame.copy()
    out.insert(list(out.columns).index(column) + 1, "name", [_label(c) for c in out[column]])
    return out


def _label(code: Any) -> str:
    """Short region name of a registry code, else the label as text."""
    return region_label(code) if isinstance(code, int | np.integer) else str(code)
