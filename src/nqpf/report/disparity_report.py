"""Report sections of a regional-differences study.

:func:`add_disparity_sections` turns a :class:`~nqpf.studies.DisparityStudyResult` into report
sections: regional differences (Dagum's Gini decomposition and Theil indices), distributional
dynamics (kernel densities), convergence (σ, β, clubs, spatial β), Markov chains (classical and
spatial) and rank mobility. The study's own ``tables()`` are the workbook sheets, and
:func:`nqpf.report.pages.write_study_page` writes the sections as a page of their own.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from nqpf.report._common import value_label
from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.results import TestResult, frame_of_tests
from nqpf.studies.disparity import NATIONAL, DisparityStudyResult

__all__ = [
    "SECTION_TITLES",
    "add_disparity_sections",
    "disparity_subtitle",
    "spatial_beta_table",
]

#: (Chinese, English) titles of the top-level sections, in order.
SECTION_TITLES = (
    ("区域差异", "Regional differences"),
    ("动态演进", "Distributional dynamics"),
    ("收敛性", "Convergence"),
    ("马尔可夫链", "Markov chains"),
    ("位次流动性", "Rank mobility"),
)


def _percent(x: float) -> str:
    return f"{x:.1f}"


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------
def _dagum_table(study: DisparityStudyResult) -> pd.DataFrame:
    table = study.dagum.table
    parts = table[table["group"].isna()].set_index(["year", "component"])
    years = study.years
    out = pd.DataFrame({"年份 Year": years})

    def col(component: str, field: str = "value") -> np.ndarray:
        return parts[field].unstack("component").reindex(years)[component].to_numpy(dtype=float)

    out["总体 G"] = col("total")
    if study.dagum.bootstrap:
        level = f"{100 * study.dagum.ci:g}%"
        out[f"{level} 下限 lower"] = col("total", "lower")
        out[f"{level} 上限 upper"] = col("total", "upper")
    out["组内 G_w"] = col("within")
    out["组间净 G_nb"] = col("between")
    out["超变 G_t"] = col("transvariation")
    return out


def _share_table(study: DisparityStudyResult) -> pd.DataFrame:
    comps = study.dagum.components()
    return pd.DataFrame(
        {
            "年份 Year": comps.index.to_numpy(),
            "组内 Within (%)": 100 * comps["share_within"].to_numpy(),
            "组间净差异 Net between (%)": 100 * comps["share_between"].to_numpy(),
            "超变密度 Transvariation (%)": 100 * comps["share_transvariation"].to_numpy(),
        }
    )


def _group_gini_table(study: DisparityStudyResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = study.dagum.table
    within = table[table["component"] == "group_gini"].pivot(
        index="year", columns="group", values="value"
    )
    within = within[[g for g in study.groups if g in within.columns]]
    between = table[table["component"] == "between_gini"].copy()
    rank = {g: i for i, g in enumerate(study.groups)}

    def pair(row: pd.Series) -> str:
        a, b = row["group"], row["other_group"]
        if rank.get(a, 99) > rank.get(b, 99):
            a, b = b, a
        return f"{a} – {b}"

    between["pair"] = between.apply(pair, axis=1)
    order = sorted(
        between["pair"].unique(), key=lambda p: [rank.get(g, 99) for g in p.split(" – ")]
    )
    wide = between.pivot(index="year", columns="pair", values="value")[order]
    within.columns.name = None
    wide.columns.name = None
    return (
        within.rename_axis("年份 Year").reset_index(),
        wide.rename_axis("年份 Year").reset_index(),
    )


def _latest_matrices(study: DisparityStudyResult) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    latest = max(study.dagum.by_year)
    res = study.dagum.by_year[latest]
    order = [g for g in study.groups if g in res.between_gini.index]
    g = res.between_gini.loc[order, order]
    d = res.d.loc[order, order]
    for m in (g, d):
        m.index.name = "组 Group"
        m.columns.name = None
    return latest, g.reset_index(), d.reset_index()


def _theil_table(study: DisparityStudyResult) -> pd.DataFrame:
    t = study.measures.table
    out = pd.DataFrame({"年份 Year": t.index.to_numpy()})
    for kind in ("t", "l"):
        name = kind.upper()
        out[f"泰尔{name} Theil {name}"] = t[f"theil_{kind}"].to_numpy()
        out[f"组内 {name} within"] = t[f"theil_{kind}_within"].to_numpy()
        out[f"组间 {name} between"] = t[f"theil_{kind}_between"].to_numpy()
    out["变异系数 CV"] = t["cv"].to_numpy()
    return out


def _theil_group_table(study: DisparityStudyResult) -> pd.DataFrame:
    """Each group's Theil T and its contribution to the within part, by year."""
    t = study.theil_groups
    t = t[(t["kind"] == "T") & t["component"].isin(["group_index", "group_contribution"])]
    wide = t.pivot_table(
        index="year", columns=["component", "group"], values="value", aggfunc="first"
    )
    out = pd.DataFrame({"年份 Year": wide.index.to_numpy()})
    for g in study.groups:
        if ("group_index", g) in wide.columns:
            out[f"{g} T_k"] = wide[("group_index", g)].to_numpy()
    for g in study.groups:
        if ("group_contribution", g) in wide.columns:
            out[f"{g} s_k·T_k"] = wide[("group_contribution", g)].to_numpy()
    return out


def _sigma_tables(study: DisparityStudyResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = study.sigma_frame()
    scopes = [NATIONAL, *study.measured_groups]
    cv = frame.pivot(index="year", columns="scope", values="cv")[scopes]
    cv.columns = [f"CV {s}" for s in scopes]
    cv = cv.rename_axis("年份 Year").reset_index()
    rows = []
    parts = [(NATIONAL, study.sigma)] + [(g, study.group_sigma[g]) for g in study.measured_groups]
    for scope, res in parts:
        for measure, label in (("cv", "变异系数 CV"), ("sd_log", "对数标准差 SD of logs")):
            t = res.trend.loc[measure]
            rows.append(
                {
                    "范围 Scope": scope,
                    "指标 Measure": label,
                    "斜率 Slope": t["slope"],
                    "标准误 SE": t["std_error"],
                    "t": t["statistic"],
                    "p": t["p_value"],
                }
            )
    return cv, pd.DataFrame(rows)


def _beta_table(study: DisparityStudyResult) -> pd.DataFrame:
    items = [(NATIONAL, study.beta)] + [(g, study.clubs.results[g]) for g in study.measured_groups]
    rows = []
    for scope, res in items:
        c = res.coefficients.loc["ln_y"]
        rows.append(
            {
                "范围 Scope": scope,
                "β": res.beta,
                "标准误 SE": c["std_error"],
                "t": c["statistic"],
                "p": c["p_value"],
                "收敛速度 Speed λ": res.speed,
                "半衰期 Half-life (years)": res.half_life,
                "组内R² R² within": res.r2_within,
                "地区数 Regions": res.n_regions,
                "观测数 Obs": res.nobs,
            }
        )
    return pd.DataFrame(rows)


def spatial_beta_table(study: DisparityStudyResult) -> pd.DataFrame:
    """The spatial β-convergence block: β, θ, ρ and the effects of ln y with speed and half-life.

    Empty when the study has no spatial β-convergence.
    """
    if study.spatial_beta is None:
        return pd.DataFrame()
    return study.spatial_beta.table().reset_index()


def _markov_table(matrix: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    out = matrix.copy()
    out.columns = [f"→ {c}" for c in out.columns]
    out.insert(0, "n", counts.sum(axis=1).astype(int))
    out.insert(0, "t 年类型 From", [int(i) for i in matrix.index])
    return out.reset_index(drop=True)


def _bounds_table(study: DisparityStudyResult) -> pd.DataFrame:
    b = study.markov.class_bounds.reset_index()
    b.columns = ["类型 Class", "下限 Lower (>)", "上限 Upper (≤)"]
    return b


def _homogeneity_table(tests: dict[str, TestResult]) -> pd.DataFrame:
    frame = frame_of_tests(tests)[["test", "statistic", "df", "p_value"]]
    return frame.rename(
        columns={
            "test": "检验 Test",
            "statistic": "统计量 Statistic",
            "df": "自由度 df",
            "p_value": "p",
        }
    )


# ---------------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------------
def _group_sizes(study: DisparityStudyResult) -> str:
    latest = study.data[study.data["year"] == study.data["year"].max()]
    sizes = latest.groupby("group")["region"].nunique()
    return "，".join(f"{g} {int(sizes.get(g, 0))}" for g in study.groups)


def add_disparity_sections(
    report: HtmlReport, study: DisparityStudyResult, *, label: str | None = None
) -> HtmlReport:
    """Add the sections of a regional-differences study to a report.

    Parameters
    ----------
    report
        The report to extend.
    study
        The result of :func:`~nqpf.studies.disparity_study`.
    label
        Bilingual name of the measured value in captions (default: "综合得分 Composite score"
        for the index score, else the column name).

    Returns
    -------
    HtmlReport
        ``report`` itself, with the sections of :data:`SECTION_TITLES`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from nqpf.studies import disparity_study
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"region_code": np.repeat(np.arange(12), 4),
    ...                    "year": np.tile([2019, 2020, 2021, 2022], 12),
    ...                    "zone": np.repeat(list("abc"), 16), "y": rng.uniform(1, 2, 48)})
    >>> study = disparity_study(df, "y", "zone", w=False, bootstrap=0, grid=32)
    >>> report = add_disparity_sections(HtmlReport("报告", "Report"), study)
    >>> tops = [en for zh, en in report.section_titles if en in dict(SECTION_TITLES).values()]
    >>> tops[0], tops[-1], len(tops)
    ('Regional differences', 'Rank mobility', 5)
    """
    name = label or value_label(study.value)
    first, last = study.years[0], study.years[-1]
    span = f"{first}–{last}"
    figs = study.figures()

    # 1. regional differences ---------------------------------------------------------------
    report.section(
        *SECTION_TITLES[0],
        intro=(
            f"{name}的区域差异：Dagum 基尼系数及其分解、泰尔指数，{span}。分组 Groups: "
            f"{_group_sizes(study)}。\n"
            f"Regional differences of {name}, {span}: Dagum's Gini decomposition "
            "G = G_w + G_nb + G_t (Dagum 1997) and Theil's T and L (Shorrocks 1980)."
        ),
    )
    for note in study.notes:
        report.text(note, kind="note")
    report.table(
        _dagum_table(study),
        caption=f"Dagum 基尼系数及其分解 Dagum Gini decomposition by year, {span}",
    )
    report.table(
        _share_table(study),
        caption="差异来源贡献率 Contributions to the overall Gini (%)",
        float_format="{:.2f}",
    )
    add_figure(report, figs["dagum_contributions"])
    report.subsection("组内与组间差异", "Within- and between-group Gini")
    within, between = _group_gini_table(study)
    report.table(within, caption="组内基尼系数 Within-group Gini G_jj")
    report.table(between, caption="组间基尼系数 Between-group Gini G_jh")
    add_figure(report, figs["dagum_group_ginis"])
    latest, g, d = _latest_matrices(study)
    report.table(g, caption=f"{latest} 年组间基尼系数矩阵 Between-group Gini matrix, {latest}")
    report.table(
        d,
        caption=f"{latest} 年相对经济影响 Relative affluence D_jh, {latest} (行组均值较高时为正 "
        "positive when the row group has the higher mean)",
    )
    report.subsection("泰尔指数", "Theil index")
    report.table(_theil_table(study), caption=f"泰尔指数及其分解 Theil T and L, {span}")
    report.table(
        _theil_group_table(study),
        caption="各组泰尔T指数及其对组内差异的贡献 Group Theil T and contribution to within",
    )
    add_figure(report, figs["theil"])

    # 2. distributional dynamics ------------------------------------------------------------
    report.section(
        *SECTION_TITLES[1],
        intro=(
            f"高斯核密度估计，带宽规则 {study.density.rule}。Gaussian kernel density by year; "
            f"bandwidth rule: {study.density.rule} (per year and group)."
        ),
    )
    add_figure(report, figs["density_surface"], xlabel=name)
    add_figure(report, figs["density_ridges"], xlabel=name)
    peaks = study.density.bandwidths.merge(study.density.peaks(), on="year")
    peaks = peaks[["year", "n", "bandwidth", "mode", "peak_density"]].rename(
        columns={
            "year": "年份 Year",
            "n": "样本数 n",
            "bandwidth": "带宽 Bandwidth",
            "mode": "主峰位置 Mode",
            "peak_density": "主峰高度 Peak density",
        }
    )
    report.table(peaks, caption="全国核密度：带宽与主峰 National density: bandwidth and main peak")
    modes = study.group_density.peaks().pivot(index="year", columns="group", values="mode")
    modes = modes[[g for g in study.groups if g in modes.columns]]
    modes.columns = [f"{g} 峰值位置 mode" for g in modes.columns]
    report.table(
        modes.rename_axis("年份 Year").reset_index(),
        caption="分组核密度主峰位置 Main peak of each group's density",
    )

    # 3. convergence --------------------------------------------------------------------------
    report.section(
        *SECTION_TITLES[2],
        intro=(
            "σ收敛：变异系数与对数标准差随时间下降；β收敛：ln(y_{t+1}/y_t) 对 ln y_t 回归，地区与"
            "年份双向固定效应，按地区聚类标准误。σ-convergence: falling CV and SD of logs. "
            "Absolute β-convergence: ln(y_{i,t+1}/y_{it}) = α_i + τ_t + β ln y_{it} + ε, two-way "
            "fixed effects, standard errors clustered by region; speed λ = −ln(1+β), half-life "
            "ln 2/λ. Club convergence: the same regression within each group. Spatial "
            "β-convergence: the same growth regression as a spatial Durbin model, g = ρWg + "
            "β ln y + θW ln y + α_i + τ_t + ε (Lee–Yu correction), with the direct, indirect "
            "and total effects of ln y; speed and half-life from β and from the direct effect."
        ),
    )
    cv, trend = _sigma_tables(study)
    report.table(cv, caption=f"变异系数 Coefficient of variation by year, {span}")
    report.table(trend, caption="σ收敛的时间趋势检验 Linear trend of dispersion (t test)")
    add_figure(report, figs["sigma"])
    report.table(_beta_table(study), caption="β收敛与俱乐部收敛 β- and club convergence")
    for note in study.clubs.summary().notes:
        if note not in study.clubs.notes:  # those are among the study's notes
            report.text(note, kind="note")
    sb = study.spatial_beta
    if sb is None:
        report.text(
            "未计算空间β收敛（见上方说明）。Spatial β-convergence was not estimated (see the "
            "notes above).",
            kind="note",
        )
    else:
        report.table(
            spatial_beta_table(study),
            caption=f"空间β收敛 Spatial β-convergence ({sb.model.upper()}, "
            f"{sb.fixed_effects} FE, Lee–Yu {sb.lee_yu}; {sb.n_regions} regions × "
            f"{sb.n_periods} periods)",
        )
        for note in sb.summary().notes:
            if note not in sb.notes:  # those are among the study's notes
                report.text(note, kind="note")

    # 4. Markov chains ------------------------------------------------------------------------
    report.section(
        *SECTION_TITLES[3],
        intro=(
            "按全部地区-年份混合的分位数划分类型（1 = 最低），统计相邻年份间的类型转移。"
            "Classes are quantiles of all region-years pooled (1 = lowest); transitions between "
            "consecutive years. " + study.k_reason
        ),
    )
    report.table(_bounds_table(study), caption="类型边界 Class bounds")
    chain = study.markov
    report.table(
        _markov_table(chain.transition_matrix, chain.counts),
        caption="传统马尔可夫转移概率矩阵 Classical transition probabilities (t → t+1)",
    )
    steady = chain.steady_state.to_frame("稳态 Steady state").T
    steady.columns = [f"类型 {c}" for c in steady.columns]
    report.table(steady.reset_index(drop=True), caption="稳态分布 Steady-state distribution")
    mfpt = chain.first_mean_passage_times.copy()
    mfpt.columns = [f"→ {c}" for c in mfpt.columns]
    mfpt.insert(0, "t 年类型 From", [int(i) for i in mfpt.index])
    report.table(
        mfpt.reset_index(drop=True),
        caption="首次平均通过时间（年）Mean first passage times (years)",
        float_format="{:.2f}",
    )
    if chain.homogeneity is not None:
        report.table(
            _homogeneity_table(chain.homogeneity),
            caption="时间齐性检验 Time homogeneity (Bickenbach–Bode), periods "
            + ", ".join(chain.homogeneity["LR"].meta["regimes"]),
        )
    add_figure(report, figs["markov"])
    sm = study.spatial_markov
    report.subsection("空间马尔可夫链", "Spatial Markov chain")
    if sm is None:
        report.text(
            "未计算空间马尔可夫链（见上方说明）。The spatial Markov chain was not computed (see "
            "the notes above).",
            kind="note",
        )
    else:
        report.text(
            "以邻域（空间滞后）类型为条件的转移概率（Rey 2001）。Transition probabilities "
            "conditioned on the class of the neighbours' spatial lag (Rey 2001)."
        )
        lags = list(sm.steady_states.index)
        for lag in lags:
            report.table(
                _markov_table(sm.matrix(lag), sm.counts.xs(lag, level="lag_class")),
                caption=f"邻域类型 {lag} Spatial-lag class {lag}",
            )
        ss = sm.steady_states.copy()
        ss.columns = [f"类型 {c}" for c in ss.columns]
        ss.insert(0, "邻域类型 Lag class", [int(i) for i in ss.index])
        report.table(ss.reset_index(drop=True), caption="各邻域类型的稳态 Steady states")
        report.table(
            _homogeneity_table(sm.homogeneity),
            caption="空间齐性检验 Spatial homogeneity (Bickenbach–Bode): H0 "
            + sm.homogeneity["LR"].null,
        )
        add_figure(report, figs["spatial_markov"])

    # 5. rank mobility ------------------------------------------------------------------------
    report.section(
        *SECTION_TITLES[4],
        intro=(
            "相邻年份及首末年份之间地区排序的肯德尔τ-b。τ 越接近 1，位次越稳定。Kendall's τ-b "
            "of the regions' values between consecutive years and between the first and last "
            "year; τ near 1 means stable ranks."
        ),
    )
    mobility = study.mobility.table.rename(
        columns={
            "from_year": "起始年 From",
            "to_year": "终止年 To",
            "kind": "类型 Kind",
            "n": "n",
            "tau": "肯德尔τ Kendall τ",
            "p_value": "p",
            "mean_abs_rank_change": "平均位次变动 Mean |Δrank|",
        }
    )
    report.table(mobility, caption=f"位次流动性 Rank mobility, {span}")
    return report


def disparity_subtitle(study: DisparityStudyResult) -> str:
    """Subtitle of the study's own page: value, years and groups."""
    span = f"{study.years[0]}–{study.years[-1]}"
    groups: tuple[Hashable, ...] = study.groups
    return f"{value_label(study.value)}，{span}，分组 groups: {', '.join(map(str, groups))}"
