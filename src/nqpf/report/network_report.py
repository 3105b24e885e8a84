"""Report sections of the network study.

:func:`add_network_sections` turns a :class:`~nqpf.studies.network.NetworkStudyResult` into the
sections "技术流动 Estimated technology flows" (margins by year, flow map), "网络结构 Network
structure" (centrality table, community map, core–periphery ranking, resilience curves, QAP
correlations and the MRQAP regression),
"引力联系 Gravity linkages" and "模型与观测 Modelled vs observed". Parts that did not run are
left out; the study's notes say why.
"""

from __future__ import annotations

import pandas as pd

from nqpf.report.html import HtmlReport
from nqpf.report.network_figures import OBSERVED_LABELS, STRATEGY_LABELS
from nqpf.report.plots import add_figure
from nqpf.studies.network import CITY_SPECIFICATIONS, QAP_PREDICTORS, NetworkStudyResult

__all__ = ["NETWORK_SECTION_TITLES", "add_network_sections", "network_subtitle"]

#: (Chinese, English) titles of the network sections, in order.
NETWORK_SECTION_TITLES = (
    ("技术流动（估计）", "Estimated technology flows"),
    ("网络结构", "Network structure"),
    ("引力联系", "Gravity linkages"),
    ("模型与观测", "Modelled vs observed"),
)


def _number(value: float) -> str:
    """Thousands separated above 1,000, two decimals above 1, four significant digits below."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def _margins(study: NetworkStudyResult) -> pd.DataFrame:
    m = study.margins
    return pd.DataFrame(
        {
            "年份 Year": m["year"].to_numpy(),
            "Σ 输出 Outflow (亿元)": (m["total_outflow"] / 1e4).to_numpy(),
            "Σ 吸纳 Inflow (亿元)": (m["total_inflow"] / 1e4).to_numpy(),
            "差额 Gap (%)": (100 * m["gap_share"]).to_numpy(),
            "β (1/km)": m["beta"].to_numpy(),
            "平均距离 Mean distance (km)": m["mean_cost_km"].to_numpy(),
            "省内占比 Intra-provincial share (%)": (100 * m["intra_share"]).to_numpy(),
        }
    )


def _centrality(study: NetworkStudyResult) -> pd.DataFrame:
    assert study.metrics is not None
    nodes = study.centrality().sort_values("strength", ascending=False)
    estimated = study.flows_source == "estimated"
    unit, scale = (" (亿元)", 1e4) if estimated else ("", 1.0)
    return pd.DataFrame(
        {
            "地区 Region": nodes["name"].to_numpy(),
            f"流出强度 Out-strength{unit}": nodes["out_strength"].to_numpy() / scale,
            f"流入强度 In-strength{unit}": nodes["in_strength"].to_numpy() / scale,
            "介数 Betweenness": nodes["betweenness"].to_numpy(),
            "接近 Closeness": nodes["closeness"].to_numpy(),
            "特征向量 Eigenvector": nodes["eigenvector"].to_numpy(),
            "聚类 Clustering": nodes["clustering"].to_numpy(),
            "约束 Constraint": nodes["constraint"].to_numpy(),
        }
    )


def _qap(report: HtmlReport, study: NetworkStudyResult) -> None:
    """QAP correlations and the MRQAP coefficients, p-values and R²."""
    flow = "估计流量 estimated flow" if study.flows_source == "estimated" else "流量 flow"
    what = f"ln(1 + {flow})"
    if len(study.qap_correlations):
        corr = study.qap_correlations
        report.table(
            pd.DataFrame(
                {
                    "关系变量 Predictor": [QAP_PREDICTORS[p] for p in corr["predictor"]],
                    "相关系数 r": corr["correlation"].to_numpy(),
                    "双侧 p two-sided": corr["p_two_sided"].to_numpy(),
                    "p (r > 0)": corr["p_greater"].to_numpy(),
                }
            ),
            caption=f"QAP 相关分析 QAP correlations with {what} "
            f"({int(corr['permutations'].iloc[0])} permutations)",
            float_format="{:.4g}",
        )
    fit = study.mrqap
    if fit is not None:
        coef = fit.coefficients
        labels = {"intercept": "截距 Intercept", **QAP_PREDICTORS}
        report.table(
            pd.DataFrame(
                {
                    "项 Term": [labels[t] for t in coef["term"]],
                    "系数 Coefficient": coef["coefficient"].to_numpy(),
                    "标准化系数 Standardised": coef["standardized"].to_numpy(),
                    "双侧 p two-sided": coef["p_two_sided"].to_numpy(),
                }
            ),
            caption=f"QAP 回归 MRQAP regression of {what} (double semi-partialling, "
            f"{fit.permutations} permutations): R² = {fit.r_squared:.3f}, adjusted R² = "
            f"{fit.adj_r_squared:.3f}, {fit.n} regions, {fit.cells} pairs",
            float_format="{:.4g}",
        )


def add_network_sections(report: HtmlReport, study: NetworkStudyResult) -> HtmlReport:
    """Add the sections of :data:`NETWORK_SECTION_TITLES` that ran to ``report``."""
    figs = study.figures()
    if study.estimates:
        years = sorted(study.estimates)
        report.section(
            *NETWORK_SECTION_TITLES[0],
            intro=(
                f"由技术市场成交额的输出地（卖方）与流向地（买方）边际，用双约束空间相互作用模型"
                f"估计省际技术流动，{years[0]}–{years[-1]}。这些是估计值，不是观测值。\n"
                f"Province × province technology flows ESTIMATED from the margins of the "
                f"technology market (outflow by seller, inflow by buyer) with Wilson's doubly "
                f"constrained model, {years[0]}–{years[-1]}: estimates, not observed flows."
            ),
        )
        for note in study.notes:
            report.text(note, kind="note")
        report.table(
            _margins(study),
            caption="估计的技术流动：边际与距离衰减 Estimated technology flows: margins and "
            "distance decay by year",
            float_format=_number,
        )
        if "flow_map" in figs:
            add_figure(report, figs["flow_map"])
    if study.metrics is not None:
        kind = "估计的" if study.flows_source == "estimated" else ""
        report.section(
            *NETWORK_SECTION_TITLES[1],
            intro=(
                f"{kind}省际流动网络的中心性、社区、核心—边缘结构与韧性。Centralities, "
                "communities, core–periphery structure and resilience of the "
                f"{'estimated ' if kind else ''}flow network"
                f"{f' of {study.year}' if study.year is not None else ''}."
            ),
        )
        if not study.estimates:
            for note in study.notes:
                report.text(note, kind="note")
        if "flow_map" in figs and not study.estimates:
            add_figure(report, figs["flow_map"])
        report.table(
            _centrality(study),
            caption="中心性 Centrality (sorted by strength)",
            float_format=_number,
        )
        if "community_map" in figs:
            add_figure(report, figs["community_map"])
        if "core_periphery" in figs:
            add_figure(report, figs["core_periphery"])
        if study.resilience:
            r = study.robustness()
            r["strategy"] = [STRATEGY_LABELS.get(s, (s, ""))[0] for s in r["strategy"]]
            report.table(
                r.rename(columns={"strategy": "攻击方式 Attack", "robustness": "R"}),
                caption="鲁棒性指数 Robustness R (Schneider et al. 2011)",
            )
            add_figure(report, figs["resilience"])
        _qap(report, study)
    if study.gravity is not None:
        totals = study.tables()["gravity_totals"].sort_values("share", ascending=False)
        report.section(
            *NETWORK_SECTION_TITLES[2],
            intro=(
                f"以新质生产力得分为规模变量的修正引力模型，{study.gravity_year} 年。Modified "
                f"gravity linkages with the NQPF score as size, {study.gravity_year}."
            ),
        )
        report.table(
            pd.DataFrame(
                {
                    "地区 Region": totals["name"].to_numpy(),
                    "联系总量 Total linkage": totals["total_linkage"].to_numpy(),
                    "隶属度 Share": totals["share"].to_numpy(),
                }
            ),
            caption="引力联系总量与隶属度 Total gravity linkage and linkage share",
            float_format=_number,
        )
    if len(study.city_fit):
        fit = study.city_fit
        report.section(
            *NETWORK_SECTION_TITLES[3],
            intro=(
                "引力模型的联系总量能否再现真实城市网络的加权度？Spearman 与对数 Pearson 相关。"
                "Does modelled total gravity linkage reproduce the weighted degree of cities in "
                "three observed intercity networks? Spearman and log-Pearson correlations."
            ),
        )
        report.table(
            pd.DataFrame(
                {
                    "设定 Specification": [CITY_SPECIFICATIONS[s][2] for s in fit["specification"]],
                    "观测网络 Observed network": [
                        OBSERVED_LABELS.get(n, n) for n in fit["network"]
                    ],
                    "n": fit["n"].to_numpy(),
                    "Spearman ρ": fit["spearman"].to_numpy(),
                    "p": fit["spearman_p"].to_numpy(),
                    "Pearson r (log)": fit["pearson_log"].to_numpy(),
                }
            ),
            caption="模型与观测 Modelled vs observed",
            float_format="{:.4g}",
        )
        add_figure(report, figs["city_fit"])
    return report


def network_subtitle(study: NetworkStudyResult) -> str:
    """Subtitle of the study's own page: the flows and their year."""
    if study.flows_source == "estimated":
        return f"估计的省际技术流动 estimated technology flows, {study.year}"
    if study.flows_source == "user":
        return "用户提供的流动 flows given by the user"
    return "引力联系 gravity linkages"
