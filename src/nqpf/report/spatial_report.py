"""Report sections of the spatial and drivers studies.

:func:`add_spatial_sections` turns a :class:`~nqpf.studies.SpatialStudyResult` into the sections
"空间关联 Spatial autocorrelation" (Moran's I by year, Moran scatter plot, LISA map) and
"冷热点 Hot spots" (Getis–Ord :math:`G_i^*` map); :func:`add_drivers_sections` turns a
:class:`~nqpf.studies.DriversStudyResult` into "影响因素 Drivers" (the spatial panel model with its
effects and tests, the panel FE alongside), "地理探测器 Geographical detector" and
"地理加权回归 GWR". The studies' own ``tables()`` are the workbook sheets, and
:func:`nqpf.report.pages.write_study_page` writes the sections as pages of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.report import spatial_figures as figures
from nqpf.report._common import stars, value_label
from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.spatial.autocorrelation import HOTSPOT_CLASSES, QUADRANTS
from nqpf.studies.drivers import DriversStudyResult
from nqpf.studies.inputs import short_name
from nqpf.studies.spatial import SpatialStudyResult

__all__ = [
    "DRIVERS_SECTION_TITLES",
    "SPATIAL_SECTION_TITLES",
    "add_drivers_sections",
    "add_spatial_sections",
    "drivers_subtitle",
    "spatial_subtitle",
]

#: (Chinese, English) titles of the spatial-autocorrelation sections, in order.
SPATIAL_SECTION_TITLES = (
    ("空间关联", "Spatial autocorrelation"),
    ("冷热点", "Hot spots"),
)

#: (Chinese, English) titles of the drivers sections, in order (spatial Durbin model).
DRIVERS_SECTION_TITLES = (
    ("影响因素", "Drivers — spatial Durbin model"),
    ("地理探测器", "Geographical detector"),
    ("地理加权回归", "GWR"),
)

_MODEL_NAMES = {
    "sdm": "spatial Durbin model",
    "sar": "spatial lag model",
    "sem": "spatial error model",
    "sdem": "spatial Durbin error model",
}
_MODEL_ZH = {
    "sdm": "空间杜宾模型",
    "sar": "空间滞后模型",
    "sem": "空间误差模型",
    "sdem": "空间杜宾误差模型",
}
_EFFECTS_NAMES = {
    "twoway": ("地区与年份双向固定效应", "region and year fixed effects"),
    "region": ("地区固定效应", "region fixed effects"),
    "time": ("年份固定效应", "year fixed effects"),
}
_TEST_NAMES = {
    "lm_lag": "LM 空间滞后 LM lag",
    "robust_lm_lag": "稳健 LM 空间滞后 Robust LM lag",
    "lm_error": "LM 空间误差 LM error",
    "robust_lm_error": "稳健 LM 空间误差 Robust LM error",
    "lr_sdm_sar": "LR: SDM → SAR",
    "wald_sdm_sar": "Wald: SDM → SAR",
    "lr_sdm_sem": "LR: SDM → SEM",
    "wald_sdm_sem": "Wald: SDM → SEM",
    "lr_sdem_sem": "LR: SDEM → SEM",
    "wald_sdem_sem": "Wald: SDEM → SEM",
    "hausman": "豪斯曼检验 Hausman (FE vs RE)",
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cell(estimate: float, se: float, p: float) -> str:
    return f"{estimate:.4f}{stars(p)} ({se:.4f})"


# ---------------------------------------------------------------------------------------------
# spatial autocorrelation
# ---------------------------------------------------------------------------------------------
def _moran_table(study: SpatialStudyResult) -> pd.DataFrame:
    t = study.moran.table
    return pd.DataFrame(
        {
            "年份 Year": t["year"].to_numpy(),
            "Moran's I": t["statistic"].to_numpy(),
            "E[I]": t["expected"].to_numpy(),
            "z (正态 normal)": t["z_score"].to_numpy(),
            "p (正态 normal)": t["p_value"].to_numpy(),
            "p (随机化 randomisation)": t["p_value_randomization"].to_numpy(),
            "p (置换 permutation)": t["p_value_permutation"].to_numpy(),
        }
    )


def _cluster_counts(table: pd.DataFrame, key: str, order: list) -> pd.DataFrame:
    counts = table.groupby(["year", key]).size().unstack(fill_value=0)
    return counts.reindex(columns=order, fill_value=0)


def _lisa_by_year(study: SpatialStudyResult) -> pd.DataFrame:
    order = ["HH", "LL", "HL", "LH", "ns"]
    counts = _cluster_counts(study.lisa.table, "cluster", order)
    counts.columns = [f"{QUADRANTS[c][0]} {c}" if c != "ns" else "不显著 ns" for c in order]
    return counts.rename_axis("年份 Year").reset_index()


def _hot_by_year(study: SpatialStudyResult) -> pd.DataFrame:
    order = sorted(HOTSPOT_CLASSES, reverse=True)
    counts = _cluster_counts(study.hotspots.table, "hotspot", order)
    counts.columns = [figures.HOTSPOT_COLORS[c][0] for c in order]
    return counts.rename_axis("年份 Year").reset_index()


def _lisa_regions(study: SpatialStudyResult) -> pd.DataFrame:
    frame = study.local.to_frame()
    frame = frame[frame["significant"]].sort_values(["cluster", "statistic"], ascending=False)
    return pd.DataFrame(
        {
            "地区 Region": [short_name(c) for c in frame["region_code"]],
            "值 Value": frame["value"].to_numpy(),
            "局部莫兰 I_i": frame["statistic"].to_numpy(),
            "p": frame["p_value"].to_numpy(),
            "类型 Cluster": [
                f"{z} {e}" for z, e in zip(frame["cluster_zh"], frame["cluster_en"], strict=True)
            ],
        }
    )


def _hot_regions(study: SpatialStudyResult) -> pd.DataFrame:
    frame = study.hot.to_frame()
    frame = frame[frame["hotspot"] != 0].sort_values("z_score", ascending=False)
    return pd.DataFrame(
        {
            "地区 Region": [short_name(c) for c in frame["region_code"]],
            "值 Value": frame["value"].to_numpy(),
            "Gi* z": frame["z_score"].to_numpy(),
            "p": frame["p_value"].to_numpy(),
            "类型 Class": [figures.HOTSPOT_COLORS[int(b)][0] for b in frame["hotspot"]],
        }
    )


def add_spatial_sections(
    report: HtmlReport, study: SpatialStudyResult, *, label: str | None = None
) -> HtmlReport:
    """Add "空间关联 Spatial autocorrelation" and "冷热点 Hot spots" to a report.

    Parameters
    ----------
    report
        The report to extend.
    study
        The result of :func:`~nqpf.studies.spatial_study`.
    label
        Bilingual name of the value in captions (default: "综合得分 Composite score" for the
        index score, else the value's name).

    Returns
    -------
    HtmlReport
        ``report`` itself, with the sections of :data:`SPATIAL_SECTION_TITLES`.
    """
    name = label or value_label(study.value)
    years = study.years
    span = f"{years[0]}–{years[-1]}"
    year = study.year
    local = study.local
    permutations = local.permutations
    figs = study.figures()

    report.section(
        *SPATIAL_SECTION_TITLES[0],
        intro=(
            f"{name}的全局与局部空间自相关，{span}。空间权重：{study.weights_label}，行标准化。\n"
            f"Global and local spatial autocorrelation of {name}, {span}. Weights: "
            f"{study.weights_label}, row-standardised. Moran's I with normal, randomisation "
            f"and permutation inference ({permutations} permutations, {local.alternative}); "
            "local Moran "
            f"(Anselin 1995) with conditional-permutation p-values, α = {local.alpha}"
            f"{', Benjamini–Hochberg adjusted' if local.fdr else ''}, denominator "
            f"{local.denominator} (esda; R spdep uses n)."
        ),
    )
    for note in study.notes:
        report.text(note, kind="note")
    report.table(_moran_table(study), caption=f"全局莫兰指数 Global Moran's I by year, {span}")
    add_figure(report, figs["moran"])
    report.subsection("局部空间关联", "Local spatial association (LISA)")
    add_figure(report, figs["moran_scatter"])
    add_figure(report, figs["lisa_map"])
    report.table(
        _lisa_regions(study),
        caption=f"{year} 年显著的局部聚类 Significant local clusters, {year}",
    )
    report.table(_lisa_by_year(study), caption=f"历年 LISA 聚类数 LISA clusters by year, {span}")

    report.section(
        *SPATIAL_SECTION_TITLES[1],
        intro=(
            "Getis–Ord Gi* 局部统计量（含自身），按未标准化的空间权重计算；按双侧正态 p 值划分 "
            "99%/95%/90% 置信度的热点与冷点。\n"
            "Getis–Ord Gi* (Getis & Ord 1992; Ord & Getis 1995) on the weights as built (binary "
            "for contiguity and k nearest neighbours, the region itself included); hot and cold "
            "spots at 99/95/90 % confidence from two-sided normal p-values (ArcGIS's Gi_Bin)."
        ),
    )
    add_figure(report, figs["hotspot_map"])
    report.table(_hot_regions(study), caption=f"{year} 年热点与冷点 Hot and cold spots, {year}")
    report.table(_hot_by_year(study), caption=f"历年冷热点数量 Hot and cold spots by year, {span}")
    return report


def spatial_subtitle(study: SpatialStudyResult) -> str:
    """Subtitle of the study's own page: value, years and weights."""
    return f"{value_label(study.value)}，{study.years[0]}–{study.years[-1]}，{study.weights_label}"


# ---------------------------------------------------------------------------------------------
# drivers
# ---------------------------------------------------------------------------------------------
def drivers_titles(model: str) -> tuple[tuple[str, str], ...]:
    """Section titles of :func:`add_drivers_sections` for a spatial model."""
    first = ("影响因素", f"Drivers — {_MODEL_NAMES.get(model, model)}")
    return (first, *DRIVERS_SECTION_TITLES[1:])


def _drivers_table(drivers: DriversStudyResult) -> pd.DataFrame:
    d = drivers.drivers
    return pd.DataFrame(
        {
            "变量 Variable": d["name"].to_numpy(),
            "含义 Meaning": [drivers.labels[n] for n in d["name"]],
            "公式 Formula": d["expression"].to_numpy(),
            "说明 Definition": d["definition"].fillna("").to_numpy(),
        }
    )


def _describe(drivers: DriversStudyResult) -> pd.DataFrame:
    columns = [drivers.y, *drivers.names]
    data = drivers.data[columns]
    vif = drivers.collinearity.set_index("term")["vif"]
    return pd.DataFrame(
        {
            "变量 Variable": columns,
            "观测数 N": [int(data[c].count()) for c in columns],
            "均值 Mean": data.mean().to_numpy(),
            "标准差 SD": data.std().to_numpy(),
            "最小值 Min": data.min().to_numpy(),
            "最大值 Max": data.max().to_numpy(),
            "VIF": [np.nan] + [float(vif[c]) for c in drivers.names],
        }
    )


def _coefficient_table(drivers: DriversStudyResult) -> pd.DataFrame:
    fit = drivers.spatial
    fe = drivers.panel
    durbin = fit.model in ("sdm", "sdem")
    rows = []
    for name in drivers.names:
        row = {
            "变量 Variable": drivers.labels[name],
            f"{fit.model.upper()} β": _cell(
                fit.params[name], fit.std_errors[name], fit.p_values[name]
            ),
        }
        if durbin:
            lag = f"W*{name}"
            row[f"{fit.model.upper()} θ (W·x)"] = _cell(
                fit.params[lag], fit.std_errors[lag], fit.p_values[lag]
            )
        row["面板FE Panel FE"] = _cell(fe.params[name], fe.std_errors[name], fe.p_values[name])
        rows.append(row)
    spatial = fit.spatial_parameter
    extra = {
        f"{'ρ' if spatial == 'rho' else 'λ'} ({spatial})": (
            _cell(fit.params[spatial], fit.std_errors[spatial], fit.p_values[spatial]),
            "",
        ),
        "σ²": (f"{fit.sigma2:.6f}", ""),
        "组内R² within R² (spatial model)": (f"{fit.r2:.4f}", ""),
        "组内R² within R² (linearmodels, entity-demeaned)": ("", f"{fe.r2_within:.4f}"),
        "对数似然 log-L": (f"{fit.log_likelihood:.3f}", ""),
        "AIC / BIC": (f"{fit.aic:.2f} / {fit.bic:.2f}", ""),
        "观测数 N": (f"{fit.n_regions} × {fit.n_periods}", str(fe.n_obs)),
    }
    for label, (spatial_cell, fe_cell) in extra.items():
        row = {"变量 Variable": label, f"{fit.model.upper()} β": spatial_cell}
        if durbin:
            row[f"{fit.model.upper()} θ (W·x)"] = ""
        row["面板FE Panel FE"] = fe_cell
        rows.append(row)
    return pd.DataFrame(rows)


def _effects_table(drivers: DriversStudyResult) -> pd.DataFrame:
    eff = drivers.spatial.effects
    return pd.DataFrame(
        {
            "变量 Variable": [drivers.labels.get(str(t), str(t)) for t in eff.index],
            "直接效应 Direct": [
                _cell(r.direct, r.direct_se, r.direct_p_value) for r in eff.itertuples()
            ],
            "间接效应 Indirect": [
                _cell(r.indirect, r.indirect_se, r.indirect_p_value) for r in eff.itertuples()
            ],
            "总效应 Total": [_cell(r.total, r.total_se, r.total_p_value) for r in eff.itertuples()],
        }
    )


def _tests_table(drivers: DriversStudyResult) -> pd.DataFrame:
    tests = drivers.tests_frame()
    return pd.DataFrame(
        {
            "检验 Test": [_TEST_NAMES.get(t, t) for t in tests["test"]],
            "统计量 Statistic": pd.to_numeric(tests["statistic"]).to_numpy(),
            "自由度 df": pd.to_numeric(tests["df"]).round().astype("Int64").to_numpy(),
            "p": pd.to_numeric(tests["p_value"]).to_numpy(),
            "原假设 Null": tests["null"].fillna("").to_numpy(),
            "说明 Note": tests["note"].fillna("").to_numpy(),
        }
    )


def _discretization_table(drivers: DriversStudyResult) -> pd.DataFrame:
    d = drivers.discretization
    return pd.DataFrame(
        {
            "因子 Factor": [drivers.labels[f] for f in d["factor"]],
            "方法 Method": d["method"].to_numpy(),
            "分类数 Classes": d["classes"].to_numpy(),
            "分层数 Strata": d["n_strata"].to_numpy(),
            "q": d["q"].to_numpy(),
            "断点 Breaks": [", ".join(f"{b:.4g}" for b in br) for br in d["breaks"]],
        }
    )


def _factor_table(drivers: DriversStudyResult) -> pd.DataFrame:
    ft = drivers.geodetector.factor_table.set_index("factor")
    order = ft["q"].sort_values(ascending=False).index
    ft = ft.loc[order]
    return pd.DataFrame(
        {
            "因子 Factor": [drivers.labels[f] for f in order],
            "q": ft["q"].to_numpy(),
            "p": ft["p_value"].to_numpy(),
            "F": ft["f_statistic"].to_numpy(),
            "分层数 Strata": ft["n_strata"].to_numpy(),
            "排序 Rank": np.arange(1, len(order) + 1),
        }
    )


def _interaction_table(drivers: DriversStudyResult) -> pd.DataFrame:
    it = drivers.geodetector.interaction
    return pd.DataFrame(
        {
            "因子1 X1": [drivers.labels[f] for f in it["factor_1"]],
            "因子2 X2": [drivers.labels[f] for f in it["factor_2"]],
            "q(X1)": it["q_1"].to_numpy(),
            "q(X2)": it["q_2"].to_numpy(),
            "q(X1∩X2)": it["q_12"].to_numpy(),
            "交互类型 Interaction": [
                f"{z} {e}" for z, e in zip(it["type_zh"], it["type_en"], strict=True)
            ],
        }
    )


def _gwr_diagnostics(drivers: DriversStudyResult) -> pd.DataFrame:
    diag = drivers.gwr.summary().tables[0][1]
    return diag.rename(columns={"value": "值 Value"}).rename_axis("诊断 Diagnostic").reset_index()


def _gwr_coefficients(drivers: DriversStudyResult) -> pd.DataFrame:
    table = drivers.gwr.coefficient_table()
    labels = {"Intercept": "截距 Intercept", **drivers.labels}
    return pd.DataFrame(
        {
            "变量 Variable": [labels.get(t, t) for t in table.index],
            "带宽 Bandwidth": table["bandwidth"].to_numpy(),
            "均值 Mean": table["mean"].to_numpy(),
            "标准差 SD": table["std"].to_numpy(),
            "最小 Min": table["min"].to_numpy(),
            "中位数 Median": table["median"].to_numpy(),
            "最大 Max": table["max"].to_numpy(),
            "显著比例 Share significant": table["significant_share"].to_numpy(),
        }
    )


def add_drivers_sections(
    report: HtmlReport, drivers: DriversStudyResult, *, label: str | None = None
) -> HtmlReport:
    """Add "影响因素 Drivers", "地理探测器 Geographical detector" and "地理加权回归 GWR".

    Parameters
    ----------
    report
        The report to extend.
    drivers
        The result of :func:`~nqpf.studies.drivers_study`.
    label
        Bilingual name of the dependent value (default "综合得分 Composite score" for the
        index score).

    Returns
    -------
    HtmlReport
        ``report`` itself, with the sections of :func:`drivers_titles` (for the SDM:
        :data:`DRIVERS_SECTION_TITLES`).
    """
    name = label or value_label(drivers.y)
    fit = drivers.spatial
    years = drivers.years
    span = f"{years[0]}–{years[-1]}"
    titles = drivers_titles(fit.model)
    figs = drivers.figures()
    draws = fit.meta.get("effects_draws")
    effects_zh, effects_en = _EFFECTS_NAMES[fit.fixed_effects]

    # 1. spatial panel model ------------------------------------------------------------------
    report.section(
        *titles[0],
        intro=(
            f"被解释变量：{name}；{_MODEL_ZH.get(fit.model, fit.model)}，{effects_zh}，"
            f"{fit.n_regions} 个地区 × {fit.n_periods} 年（{span}）。\n"
            f"Dependent variable: {name}. {_capital(_MODEL_NAMES.get(fit.model, fit.model))} "
            f"with {effects_en}, maximum likelihood with "
            f"the Lee–Yu (2010) bias correction ({fit.lee_yu}), weights {drivers.weights_label} "
            "(row-standardised). Direct, indirect (spillover) and total effects are averages of "
            "S_k(W) = (I − ρW)⁻¹(Iβ_k + Wθ_k) (LeSage & Pace 2009)"
            + (
                f" with standard errors from {draws} simulated parameter draws."
                if fit.model in ("sar", "sdm")
                else "; for SEM/SDEM they are linear in the coefficients."
            )
            + " The non-spatial panel fixed-effects regression (standard errors clustered by "
            "region) is shown alongside."
        ),
    )
    for note in drivers.notes:
        report.text(note, kind="note")
    report.table(_drivers_table(drivers), caption="影响因素的定义 Drivers and their definitions")
    report.table(
        _describe(drivers),
        caption=f"描述性统计与方差膨胀因子 Descriptive statistics and VIF (pooled), {span}",
    )
    report.table(
        _coefficient_table(drivers),
        caption="估计系数（括号内为标准误）Coefficients (standard errors in parentheses)",
    )
    report.table(
        _effects_table(drivers),
        caption="直接效应、间接效应与总效应 Direct, indirect and total effects",
    )
    add_figure(report, figs["effects"])
    report.table(_tests_table(drivers), caption="模型检验 Specification tests")
    report.text("* p<0.1, ** p<0.05, *** p<0.01.", kind="note")

    # 2. geographical detector ----------------------------------------------------------------
    gd = drivers.geodetector
    n_gd = drivers.geodetector_n
    if drivers.geodetector_scope == "pooled":
        scope_zh, scope_en = f"全部 {n_gd} 个地区-年份混合", f"all {n_gd} region-years pooled"
    else:
        scope_zh = f"{drivers.gwr_year} 年 {n_gd} 个地区"
        scope_en = f"the {n_gd} regions of {drivers.gwr_year}"
    report.section(
        *titles[1],
        intro=(
            f"地理探测器（Wang et al. 2010），样本：{scope_zh}。"
            "各因子按最优离散化（方法 × 分类数使 q 最大，Song et al. 2020）分层；"
            "p 值来自非中心 F 分布；约定与 R geodetector 1.0-5 一致。\n"
            f"Geographical detector (Wang et al. 2010) on {scope_en}. Each driver is "
            "cut by the optimal discretisation (the method × number of classes with the largest "
            "q; Song et al. 2020); p-values from the non-central F distribution; conventions of "
            f"R geodetector 1.0-5 (convention = {gd.convention})."
        ),
    )
    report.table(_discretization_table(drivers), caption="最优离散化 Optimal discretisation")
    report.table(_factor_table(drivers), caption="因子探测 Factor detector")
    add_figure(report, figs["geodetector"])
    report.table(_interaction_table(drivers), caption="交互作用探测 Interaction detector")
    add_figure(report, figs["interaction"])
    if len(gd.ecological):
        eco = gd.ecological_matrix()
        eco.index = [drivers.labels[f] for f in eco.index]
        eco.columns = [drivers.labels[f] for f in eco.columns]
        report.table(
            eco.rename_axis("因子 Factor").reset_index(),
            caption="生态探测（Y = 两因子影响差异显著）Ecological detector (Y: effects differ)",
        )

    # 3. GWR ------------------------------------------------------------------------------
    g = drivers.gwr
    unit = "个近邻 nearest neighbours" if not g.fixed else "km"
    report.section(
        *titles[2],
        intro=(
            f"{drivers.gwr_year} 年截面的地理加权回归（mgwr），{g.kernel} 核，自适应带宽由 "
            f"{g.criterion} 选择：{g.bandwidth.iloc[0]:g} {unit}；"
            f"{'变量已标准化（z 分数）' if g.standardized else '变量未标准化'}。\n"
            f"Geographically weighted regression of the {drivers.gwr_year} cross-section "
            f"({int(g.diagnostics['n'])} regions, capital coordinates, great-circle distances) "
            f"with mgwr: {g.kernel} kernel, {'adaptive' if not g.fixed else 'fixed'} bandwidth "
            f"{g.bandwidth.iloc[0]:g} chosen by {g.criterion}; "
            + (
                "variables standardised (z-scores), so local coefficients are comparable across "
                "drivers. "
                if g.standardized
                else "variables as given. "
            )
            + "Significance uses the corrected critical t of da Silva & Fotheringham (2016)."
        ),
    )
    report.text(
        f"小样本提示 Small-sample caution: {int(g.diagnostics['n'])} points and "
        f"{len(g.terms)} local parameters; a bandwidth close to n means an almost global "
        "model. Read the maps as description, not as evidence of local processes.",
        kind="warning",
    )
    report.table(_gwr_diagnostics(drivers), caption="GWR 诊断 GWR diagnostics")
    report.table(
        _gwr_coefficients(drivers), caption="局部系数的分布 Distribution of local coefficients"
    )
    add_figure(report, figs["gwr"])
    return report


def drivers_subtitle(drivers: DriversStudyResult) -> str:
    """Subtitle of the study's own page: dependent value, years and drivers."""
    span = f"{drivers.years[0]}–{drivers.years[-1]}"
    return f"{value_label(drivers.y)}，{span}，{', '.join(drivers.names)}"
