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
    reader sees whether a gravity specification is credible before interpreting it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf._random import RandomSource, Seed
from nqpf.data.loaders import load_city_connectivity, load_province_panel, load_technology_market
from nqpf.errors import DataValidationError, UnknownRegionError
from nqpf.geo.geography import distance_matrix, region_coordinates
from nqpf.network.communities import Communities, communities
from nqpf.network.coreperiphery import CorePeriphery, core_periphery
from nqpf.network.graph import FlowNetwork
from nqpf.network.gravity import GravityLinkage, gravity_linkage, linkage_fit
from nqpf.network.interaction import ODEstimate, doubly_constrained
from nqpf.network.metrics import NetworkMetrics, disparity_filter, network_metrics
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
    notes: tuple[str, ...] = ()

    # -- tables ---------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables; those of parts that did not run are left out.

        ``estimated_flows`` (every year, origin × destination, ``estimated_flow`` in 万元),
        ``estimated_flow_margins``, ``network_centrality``, ``network_graph``,
        ``network_communities``, ``core_periphery``, ``resilience_curves``,
        ``resilience_robustness``, ``gravity_totals``, ``gravity_linkage``,
        ``gravity_undefined``, ``city_gravity_fit``, ``city_gravity_scatter``. The tables of
        a network of estimated flows are named ``estimated_…`` (``estimated_network_centrality``).
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
    progress: Callable[[int, int], None] | None = None,
) -> NetworkStudyResult:
    r"""Estimated technology flows, network structure, gravity linkages, modelled vs observed.

    Parameters
    ----------
    index_or_panel
        A composite-index result (its score is the size of the gravity model), a
        :class:`~nqpf.panel.Panel` or long table with a ``score`` column (region, year, score),
        or ``None`` (bundled data only: flows, network and the city check; no index gravity).
    year
        Year of the network: a year of the technology-market data (default: the latest).
    beta, target_mean_cost
        Distance decay of the estimated flows (exponential, per km), or the mean distance (km)
        to calibrate it to in every year. Default: calibrated in every year so that the mean
        distance is :data:`DISTANCE_DECAY` × that of distance-free (β = 0) flows with the same
        margins — an assumption, stated in ``notes``.
    flows
        The user's own O–D table (columns ``origin, destination, flow``) or a
        :class:`~nqpf.network.graph.FlowNetwork`: analysed instead of the estimated flows.
    seed
        Seed of the communities, the core–periphery search and the random attacks (independent
        child streams).
    resilience_replicates
        Replicates of the random attack.
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
    :math:`R_{ij} = k_{ij}\sqrt{P_iG_i}\sqrt{P_jG_j}/(D_{ij}/|g_i-g_j|)^2` (DESIGN.md).
    """
    if beta is not None and target_mean_cost is not None:
        raise DataValidationError("give beta or target_mean_cost, not both")
    source = RandomSource.from_seed(seed)
    notes: list[str] = []
    steps, done = 6, 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    scores, score_notes = _scores(index_or_panel)
    notes += score_notes
    codes = [] if scores is None else sorted(scores["region_code"].unique(), key=order_key)
    provinces_only = scores is None or all(is_province(c) for c in codes)

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
        gravity, gravity_year, c_notes = _index_gravity(scores, index_or_panel)
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
        notes=tuple(notes),
        meta=make_meta(
            "network_study",
            year=year,
            beta=beta,
            target_mean_cost=target_mean_cost,
            flows=flows_source,
            seed=source.record,
            resilience_replicates=int(resilience_replicates),
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


def _province_masses(
    codes: list[Any], year: int, panel: Any
) -> tuple[pd.DataFrame | None, list[str]]:
    """Population (万人) and GDP per capita (元) of ``year`` or the latest earlier year."""
    holds = callable(getattr(panel, "evaluate", None)) and {"population", "gdp"} <= set(
        getattr(panel, "indicators", ())
    )
    if not holds:
        if not all(is_province(c) for c in codes):
            return None, []
        panel = load_province_panel()
    population = panel.evaluate("population").dropna()
    gdp = panel.evaluate("gdp").dropna()
    both = pd.concat({"population": population, "gdp": gdp}, axis=1).dropna().reset_index()
    both = both[both["year"] <= year]
    if both.empty:
        return None, []
    latest = both.sort_values("year").groupby("region_code").tail(1).set_index("region_code")
    latest = latest.reindex(codes)
    if latest["population"].isna().any():
        return None, []
    used = sorted(set(latest["year"].astype(int)))
    notes = []
    if used != [year]:
        notes.append(
            f"引力模型 Gravity: population and GDP of {', '.join(map(str, used))} (the latest "
            f"available up to {year})."
        )
    masses = pd.DataFrame(
        {
            "population": latest["population"].to_numpy(),
            "gdp_per_capita": (latest["gdp"] * 1e4 / latest["population"]).to_numpy(),
        },
        index=pd.Index(codes, name="region"),
    )
    return masses, notes


def _index_gravity(
    scores: pd.DataFrame, source: Any
) -> tuple[GravityLinkage | None, int, list[str]]:
    year = int(scores["year"].max())
    block = scores[scores["year"] == year].set_index("region_code")["value"]
    codes = sorted(block.index, key=order_key)
    notes: list[str] = []
    masses, mass_notes = _province_masses(codes, year, source)
    if masses is not None:
        masses["score"] = block.reindex(codes).to_numpy()
        gravity = gravity_linkage(
            masses, mass="population", size="score", per_capita="gdp_per_capita"
        )
        notes += mass_notes
        notes.append(
            f"引力模型 Gravity {year}: mass = population, size = NQPF score, economic distance "
            "D_ij / |g_i − g_j| with g = GDP per capita (pairs with equal g are undefined and "
            f"listed); {'; '.join(gravity.notes)}."
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
    out.insert(
        list(out.columns).index(column) + 1,
        "name",
        [region_label(c) if isinstance(c, int | np.integer) else str(c) for c in out[column]],
    )
    return out
