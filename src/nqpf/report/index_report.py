"""Report sections for a composite-index result.

:func:`add_index_sections` turns the result of the index pipeline into report sections: the index
system and weights, rankings, trends, the map of the latest year, the obstacle factors of the
weakest regions, rank uncertainty and the data-repair report. :func:`add_repair_section` adds the
data-repair report on its own, so that a longer report can end with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

import pandas as pd

from nqpf import regions
from nqpf.errors import DataValidationError
from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.base import FigureSpec
from nqpf.studies.index import index_figures, rank_intervals_of_year
from nqpf.studies.inputs import region_level
from nqpf.validation import ValidationReport

__all__ = ["IndexResultLike", "add_index_sections", "add_repair_section"]

Level = Literal["province", "city"]


class IndexResultLike(Protocol):
    """What :func:`add_index_sections` reads from a composite-index result (read-only)."""

    @property
    def scores(self) -> pd.DataFrame:
        """``region_code, year, score, rank``."""

    @property
    def dimension_scores(self) -> pd.DataFrame:
        """``region_code, year, dimension, score``."""

    @property
    def indicator_weights(self) -> pd.DataFrame:
        """``indicator, dimension, weight, label_zh, label_en, direction, unit``."""

    @property
    def obstacles(self) -> pd.DataFrame:
        """``region_code, year, level, factor, obstacle_pct``."""

    @property
    def system_name(self) -> str:
        """Name of the index system."""

    @property
    def meta(self) -> Mapping[str, Any]:
        """Construction settings (normalization, weighting, aggregation ...)."""


_META_ORDER = ("normalization", "weighting", "aggregation")
_META_NAMES = {
    "method": "方法 Method",
    "normalization": "标准化 Normalisation",
    "weighting": "赋权 Weighting",
    "aggregation": "合成 Aggregation",
    "nqpf_version": "nqpf 版本 version",
}

_ISSUE_COLUMNS = {
    "kind": "类型 Kind",
    "action": "处理 Action",
    "message": "说明 Message",
    "source": "来源 Source",
    "table": "表 Table",
    "row": "行 Row",
    "region": "地区 Region",
    "year": "年份 Year",
    "indicator": "指标 Indicator",
    "original": "原值 Original",
    "repaired": "修复值 Repaired",
    "count": "数量 Count",
}


def _require(frame: object, columns: list[str], what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{what} lacks column(s) {missing}; got {list(frame.columns)}")
    return frame


def _names(codes: pd.Series, level: Level) -> pd.DataFrame:
    """Chinese and English names of region codes."""
    zh = [regions.name_of(int(c), "short", level=level) for c in codes]
    en = [regions.name_of(int(c), "en", level=level) for c in codes]
    return pd.DataFrame({"地区 Region": zh, "Region (en)": en}, index=codes.index)


def _weights_table(weights: pd.DataFrame) -> pd.DataFrame:
    columns = {
        "dimension": "维度 Dimension",
        "subdimension": "子维度 Subdimension",
        "indicator": "指标代码 Indicator",
        "label_zh": "指标名称",
        "label_en": "Indicator name",
        "direction": "方向 Direction",
        "unit": "单位 Unit",
        "weight": "权重 Weight",
    }
    present = [c for c in columns if c in weights.columns]
    return weights[present].rename(columns=columns)


def _rank_tables(result: IndexResultLike, level: Level, latest: int) -> tuple[pd.DataFrame, ...]:
    scores = result.scores
    current = scores[scores["year"] == latest].sort_values("rank", kind="stable")
    latest_table = pd.concat(
        [
            current[["rank"]].rename(columns={"rank": "排名 Rank"}),
            _names(current["region_code"], level),
            current[["score"]].rename(columns={"score": "得分 Score"}),
        ],
        axis=1,
    )
    dims = result.dimension_scores
    if isinstance(dims, pd.DataFrame) and not dims.empty:
        _require(dims, ["region_code", "year", "dimension", "score"], "result.dimension_scores")
        block = dims[dims["year"] == latest].pivot_table(
            index="region_code", columns="dimension", values="score", aggfunc="first", sort=False
        )
        block.columns = [str(c) for c in block.columns]
        latest_table = latest_table.join(
            block.reindex(current["region_code"].to_numpy()).set_axis(current.index)
        )
    wide = scores.pivot_table(index="region_code", columns="year", values="rank", aggfunc="first")
    order = current["region_code"].tolist()
    order += [c for c in wide.index if c not in set(order)]
    wide = wide.reindex(order).astype("Int64")
    wide.columns = [str(int(c)) for c in wide.columns]
    codes = pd.Series(wide.index, index=wide.index)
    wide_table = pd.concat([_names(codes, level), wide], axis=1).reset_index(drop=True)
    return latest_table.reset_index(drop=True), wide_table


_RANK_ALIASES = {
    "nominal_rank": "nominal",
    "median_rank": "median",
    "p05_rank": "p05",
    "p95_rank": "p95",
}


def _rank_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank intervals as ``region_code, [year,] nominal, median, p05, p95``.

    Also accepts the ``*_rank`` column names and a long ``statistic, value`` layout.
    """
    if {"statistic", "value"} <= set(frame.columns):
        keys = [c for c in ("region_code", "year") if c in frame.columns]
        frame = frame.pivot_table(
            index=keys, columns="statistic", values="value", aggfunc="first"
        ).reset_index()
        frame.columns.name = None
    return frame.rename(columns=_RANK_ALIASES)


def _sensitivity_frame(frame: object) -> pd.DataFrame | None:
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return None
    if "input" not in frame.columns:
        frame = frame.rename_axis("input").reset_index()
    return frame


def _uncertainty_frames(
    uncertainty: object, sensitivity: pd.DataFrame | None
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    if uncertainty is None:
        return None, _sensitivity_frame(sensitivity)
    if isinstance(uncertainty, pd.DataFrame):
        ranks = uncertainty
    elif hasattr(uncertainty, "summary_frame"):
        ranks = uncertainty.summary_frame()
    elif isinstance(getattr(uncertainty, "ranks", None), pd.DataFrame):
        ranks = uncertainty.ranks  # type: ignore[attr-defined]
    elif hasattr(uncertainty, "to_frame"):
        ranks = uncertainty.to_frame()
    else:
        raise TypeError(
            f"uncertainty must be a DataFrame or a result object, got {type(uncertainty).__name__}"
        )
    if sensitivity is None:
        sensitivity = getattr(uncertainty, "sensitivity", None)
    return _rank_frame(ranks), _sensitivity_frame(sensitivity)


def add_index_sections(
    report: HtmlReport,
    result: IndexResultLike,
    uncertainty: pd.DataFrame | object | None = None,
    validation: ValidationReport | None = None,
    top_obstacles: int = 5,
    *,
    sensitivity: pd.DataFrame | None = None,
    weakest: int = 5,
    label_lang: Literal["zh", "en"] = "zh",
    repairs: bool = True,
) -> HtmlReport:
    """Add the sections of a composite-index study to a report.

    Parameters
    ----------
    report
        The report to extend.
    result
        A composite-index result with ``scores`` (``region_code, year, score, rank``),
        ``dimension_scores`` (``region_code, year, dimension, score``), ``indicator_weights``
        (``indicator, dimension, weight, label_zh, label_en, direction, unit``), ``obstacles``
        (``region_code, year, level, factor, obstacle_pct``), ``system_name`` and ``meta``.
    uncertainty
        Rank uncertainty: a DataFrame ``region_code, year, nominal, median, p05, p95`` or an
        object with such a ``ranks`` frame (or ``to_frame()``) and optionally ``sensitivity``.
    validation
        The data-repair report of the inputs.
    top_obstacles
        Number of obstacle factors listed per weak region.
    sensitivity
        First-order sensitivity of ranks to each construction choice (``input, first_order``).
    weakest
        Number of lowest-ranked regions in the latest year whose obstacles are shown.
    label_lang
        Language of region names in figures.
    repairs
        End with the "数据修复报告 Data repairs" section of ``validation``
        (:func:`add_repair_section`). Pass ``False`` when more sections follow and add that
        section last yourself, as the main report does.

    Returns
    -------
    HtmlReport
        ``report`` itself.

    Raises
    ------
    DataValidationError
        When a frame of ``result`` lacks a required column.
    UnknownRegionError
        For region codes that are neither provinces nor cities of the registry.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> scores = pd.DataFrame({"region_code": [110000, 310000], "year": [2022, 2022],
    ...                        "score": [0.9, 0.8], "rank": [1, 2]})
    >>> weights = pd.DataFrame({"indicator": ["rd"], "dimension": ["劳动者"], "weight": [1.0],
    ...                         "label_zh": ["研发"], "label_en": ["R&D"], "direction": ["+"],
    ...                         "unit": ["%"]})
    >>> result = SimpleNamespace(scores=scores, dimension_scores=pd.DataFrame(),
    ...                          indicator_weights=weights, obstacles=pd.DataFrame(),
    ...                          system_name="demo", meta={"weighting": "entropy"})
    >>> report = add_index_sections(HtmlReport("报告", "Report"), result)
    >>> [en for zh, en in report.section_titles][:3]
    ['Index system and weights', 'Rankings', 'Trends']
    """
    scores = _require(result.scores, ["region_code", "year", "score", "rank"], "result.scores")
    if scores.empty:
        raise DataValidationError("result.scores is empty")
    weights = _require(
        result.indicator_weights, ["indicator", "dimension", "weight"], "result.indicator_weights"
    )
    level = region_level(scores["region_code"])
    ranks, sensitivity = _uncertainty_frames(uncertainty, sensitivity)
    if ranks is not None:
        _require(ranks, ["region_code", "nominal", "median", "p05", "p95"], "uncertainty")
    if isinstance(result.obstacles, pd.DataFrame) and not result.obstacles.empty:
        _require(
            result.obstacles,
            ["region_code", "year", "level", "factor", "obstacle_pct"],
            "result.obstacles",
        )
    figs = index_figures(
        result, ranks, label_lang=label_lang, weakest=weakest, top_obstacles=top_obstacles
    )
    latest = int(scores["year"].max())
    first = int(scores["year"].min())
    labels_zh = dict(
        zip(weights["indicator"], weights.get("label_zh", weights["indicator"]), strict=True)
    )

    # 1. index system and weights
    report.section(
        "指标体系与权重",
        "Index system and weights",
        intro=f"指标体系 Index system: {result.system_name}",
    )
    meta = {str(k): v for k, v in dict(result.meta or {}).items()}
    ordered = [k for k in _META_ORDER if k in meta] + [k for k in meta if k not in _META_ORDER]
    if ordered:
        report.key_values(
            {_META_NAMES.get(k, k): meta[k] for k in ordered}, caption="构建方法 Construction"
        )
    report.table(_weights_table(weights), caption="指标与权重 Indicators and weights")
    by_dimension = (
        weights.groupby("dimension", sort=False)["weight"]
        .agg(["count", "sum"])
        .reset_index()
        .rename(
            columns={
                "dimension": "维度 Dimension",
                "count": "指标数 Indicators",
                "sum": "权重合计 Total weight",
            }
        )
    )
    report.table(by_dimension, caption="维度权重 Dimension weights")
    add_figure(report, figs["weights"])

    # 2. rankings
    latest_table, wide_table = _rank_tables(result, level, latest)
    report.section(
        "排名",
        "Rankings",
        intro=f"{latest} 年综合得分与排名（1 = 最高）Scores and ranks in {latest} (1 = highest).",
    )
    report.table(latest_table, caption=f"{latest} 年得分 Scores, {latest}")
    report.table(wide_table, caption=f"历年排名 Ranks by year, {first}–{latest}")

    # 3. trends
    report.section("时序变化", "Trends")
    mean = (
        scores.groupby("year")["score"]
        .agg(["mean", "std", "min", "max"])
        .reset_index()
        .rename(
            columns={
                "year": "年份 Year",
                "mean": "均值 Mean",
                "std": "标准差 SD",
                "min": "最小值 Min",
                "max": "最大值 Max",
            }
        )
    )
    report.table(mean, caption="得分的年度统计 Score statistics by year")
    if "trends" in figs:
        add_figure(report, figs["trends"])
    else:
        report.text(
            "城市层面不绘制逐条趋势线。Trend lines are drawn for provinces only.", kind="note"
        )

    # 4. map
    report.section("空间分布", "Spatial pattern")
    add_figure(report, figs["map"])

    # 5. obstacles
    _obstacle_section(report, result, level, latest, labels_zh, top_obstacles, weakest, figs)

    # 6. uncertainty
    if ranks is not None:
        _uncertainty_section(report, ranks, sensitivity, level, latest, figs)

    # 7. repairs
    if repairs:
        add_repair_section(report, validation)
    return report


def _obstacle_section(
    report: HtmlReport,
    result: IndexResultLike,
    level: Level,
    latest: int,
    labels_zh: dict[Any, Any],
    top_obstacles: int,
    weakest: int,
    figs: Mapping[str, FigureSpec],
) -> None:
    report.section("障碍因子", "Obstacle factors")
    obstacles = result.obstacles
    if not isinstance(obstacles, pd.DataFrame) or obstacles.empty:
        report.text("结果中没有障碍度。The result has no obstacle degrees.", kind="note")
        return
    _require(
        obstacles, ["region_code", "year", "level", "factor", "obstacle_pct"], "result.obstacles"
    )
    scores = result.scores
    current = scores[scores["year"] == latest].sort_values("rank", ascending=False, kind="stable")
    weak = current["region_code"].head(weakest).tolist()
    report.text(
        f"{latest} 年排名最后的 {len(weak)} 个地区的主要障碍因子（障碍度 %）。"
        f"Main obstacle factors of the {len(weak)} lowest-ranked regions in {latest} "
        "(obstacle degree, %)."
    )
    year = obstacles[(obstacles["year"] == latest) & obstacles["region_code"].isin(weak)]
    indicator = year[year["level"] == "indicator"]
    if not indicator.empty:
        rows = []
        for code in weak:
            block = indicator[indicator["region_code"] == code].nlargest(
                top_obstacles, "obstacle_pct"
            )
            for position, row in enumerate(block.itertuples(index=False), start=1):
                rows.append(
                    {
                        "地区 Region": regions.name_of(int(code), "short", level=level),
                        "Region (en)": regions.name_of(int(code), "en", level=level),
                        "位次 Order": position,
                        "障碍因子 Factor": labels_zh.get(row.factor, row.factor),
                        "指标代码 Indicator": row.factor,
                        "障碍度 Obstacle (%)": row.obstacle_pct,
                    }
                )
        report.table(
            pd.DataFrame(rows),
            caption="指标层障碍因子 Indicator-level obstacles",
            float_format="{:.2f}",
        )
        add_figure(report, figs["obstacles"])
    dimension = year[year["level"] == "dimension"]
    if not dimension.empty:
        wide = dimension.pivot_table(
            index="region_code",
            columns="factor",
            values="obstacle_pct",
            aggfunc="first",
            sort=False,
        )
        wide = wide.reindex([c for c in weak if c in wide.index])
        codes = pd.Series(wide.index, index=wide.index)
        table = pd.concat([_names(codes, level), wide], axis=1).reset_index(drop=True)
        report.table(
            table, caption="维度层障碍度 Dimension-level obstacles (%)", float_format="{:.2f}"
        )


def _uncertainty_section(
    report: HtmlReport,
    ranks: pd.DataFrame,
    sensitivity: pd.DataFrame | None,
    level: Level,
    latest: int,
    figs: Mapping[str, FigureSpec],
) -> None:
    year, data = rank_intervals_of_year(ranks, latest)
    report.section(
        "排名不确定性",
        "Rank uncertainty",
        intro="对标准化、赋权与合成方法的蒙特卡罗模拟所得排名的中位数与 5%–95% 区间"
        "（OECD/JRC 2008）；名义排名为本指数自身配置下的排名。Median and 5–95 % interval of "
        "ranks over Monte Carlo variations of normalisation, weighting and aggregation "
        "(OECD/JRC 2008); the nominal rank is the rank under the index's own configuration.",
    )
    table = pd.concat(
        [_names(data["region_code"], level), data[["nominal", "median", "p05", "p95"]]], axis=1
    )
    table["width"] = table["p95"] - table["p05"]
    for column in ("nominal", "median", "p05", "p95", "width"):
        values = pd.to_numeric(table[column])
        whole = values.dropna() % 1 == 0
        table[column] = values.astype("Int64") if whole.all() else values.astype(float)
    table = table.rename(
        columns={
            "nominal": "名义排名 Nominal",
            "median": "中位数 Median",
            "p05": "P5",
            "p95": "P95",
            "width": "区间宽度 Width",
        }
    )
    report.table(
        table.reset_index(drop=True),
        caption=f"{year} 年排名区间 Rank intervals, {year}",
        float_format="{:.1f}",
    )
    add_figure(report, figs["rank_intervals"])
    shown = ranks[ranks["year"] == year] if "year" in ranks.columns else ranks
    nominal = pd.to_numeric(shown["nominal"])
    outside = shown[
        (nominal < pd.to_numeric(shown["p05"])) | (nominal > pd.to_numeric(shown["p95"]))
    ]
    if not outside.empty:
        lines = []
        for row, (zh, en) in zip(
            outside.itertuples(index=False),
            _names(outside["region_code"], level).itertuples(index=False),
            strict=True,
        ):
            low, high = (
                f"{v:g}" if float(v).is_integer() else f"{v:.1f}" for v in (row.p05, row.p95)
            )
            why = getattr(row, "interval_note", "")
            if not (isinstance(why, str) and why):
                lower = float(row.nominal) < float(row.p05)
                why = (
                    "多数备选方案排名更低 most alternative choices rank it lower"
                    if lower
                    else "多数备选方案排名更高 most alternative choices rank it higher"
                )
            lines.append(
                f"{zh} {en}（名义 nominal {row.nominal:g}，区间 interval {low}–{high}）：{why}"
            )
        report.text(
            "以下地区的名义排名落在其 5%–95% 区间之外：名义配置只是设计空间的一个角落，"
            "其余方法组合给出不同的排名。The nominal rank of these regions lies outside their "
            "5–95 % interval: the nominal configuration is one corner of the design space and "
            "the other combinations of choices agree on a different rank.\n" + "\n".join(lines),
            kind="note",
        )
    if isinstance(sensitivity, pd.DataFrame) and not sensitivity.empty:
        _require(sensitivity, ["input", "first_order"], "sensitivity")
        report.table(
            sensitivity.rename(
                columns={
                    "input": "构建选择 Input",
                    "first_order": "一阶敏感度 First-order index",
                    "total_order": "总效应敏感度 Total-order index",
                }
            ),
            caption="排名对各构建选择的敏感度 Sensitivity of ranks to construction choices",
        )


def add_repair_section(report: HtmlReport, validation: ValidationReport | None) -> HtmlReport:
    """Add the "数据修复报告 Data repairs" section: every repair of the input data.

    Parameters
    ----------
    report
        The report to extend (the section is meant to come last).
    validation
        The data-repair report of the inputs; ``None`` says that none was supplied.

    Returns
    -------
    HtmlReport
        ``report`` itself.

    Examples
    --------
    >>> report = add_repair_section(HtmlReport("报告", "Report"), ValidationReport())
    >>> report.section_titles
    [('数据修复报告', 'Data repairs')]
    """
    report.section("数据修复报告", "Data repairs")
    if validation is None:
        report.text("未提供数据校验报告。No validation report was supplied.", kind="warning")
        return report
    if len(validation) == 0:
        report.text("未发现问题，未作任何修复。No problems found; nothing was repaired.")
        return report
    report.text(f"共 {len(validation)} 条记录。{len(validation)} issues recorded.")
    counts = validation.counts().rename(columns=_ISSUE_COLUMNS)
    report.table(counts, caption="按来源与类型计数 Counts by source and kind")
    frame = validation.to_frame().dropna(axis=1, how="all")
    for column in ("row", "year"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    report.table(frame.rename(columns=_ISSUE_COLUMNS), caption="记录明细 Issues", max_rows=50)
    return report
