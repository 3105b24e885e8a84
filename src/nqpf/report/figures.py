"""Standard figures of a composite-index study, with bilingual labels.

Every function takes tidy DataFrames (the ``to_frame()``-style outputs of the analysis layer),
returns a :class:`matplotlib.figure.Figure` built without ``pyplot`` and sets the CJK font
(:func:`nqpf.report.fonts.use_cjk_font`). Region names come from :func:`nqpf.regions.name_of`:
short Chinese names with ``label_lang="zh"``, English names with ``label_lang="en"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from nqpf import regions
from nqpf.errors import DataValidationError, DuplicateError
from nqpf.report.fonts import use_cjk_font
from nqpf.report.style import categorical, series_styles

__all__ = ["obstacle_bars", "quadrant_scatter", "rank_intervals", "trend_lines", "weights_bar"]

LabelLang = Literal["zh", "en"]

_MEAN_LABEL = "全国均值 National mean"
_OTHER_LABEL = "其他 Other"


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{what} lacks column(s) {missing}; expected {list(columns)}, got {list(frame.columns)}"
        )
    if frame.empty:
        raise DataValidationError(f"{what} is empty")


def _numeric(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise DataValidationError(f"{what}: non-numeric {column} {row[column]!r} in row {row.name}")
    return values.astype(float)


def _region_name(code: object, lang: LabelLang) -> str:
    """Short (or English) name of a province or, failing that, a city code."""
    level: regions.Level = "province" if int(code) in regions.provinces().index else "city"  # type: ignore[call-overload]
    return regions.name_of(int(code), "short" if lang == "zh" else "en", level)  # type: ignore[call-overload]


def _check_lang(label_lang: str) -> None:
    if label_lang not in ("zh", "en"):
        raise ValueError(f"label_lang must be 'zh' or 'en', got {label_lang!r}")


def _palette(n: int) -> list[tuple[float, float, float, float]]:
    """Distinguishable colours, also in grey (:func:`nqpf.report.style.categorical`)."""
    return categorical(n)


def trend_lines(
    scores: pd.DataFrame,
    label_lang: LabelLang = "zh",
    highlight: Iterable[int] | None = None,
    *,
    title: str | None = None,
    ylabel: str = "得分 Score",
) -> Figure:
    r"""Score over time, one line per province, in small multiples by macro region.

    Parameters
    ----------
    scores
        Columns ``region_code`` (province codes), ``year``, ``score``.
    label_lang
        Region names in Chinese (``"zh"``, short names) or English (``"en"``).
    highlight
        Region codes drawn with thicker lines and markers.
    title
        Figure title.
    ylabel
        Y-axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per NBS macro region present (East, Central, West, Northeast), sharing the
        y axis; each panel also shows the national mean.

    Raises
    ------
    DataValidationError
        Missing columns, non-numeric scores, or a region-year given twice.
    UnknownRegionError
        A region code that is not a province.

    Notes
    -----
    The national mean is the unweighted mean over the regions in ``scores`` in each year,

    .. math:: \bar s_t = \frac{1}{n_t} \sum_i s_{it},

    drawn in bold black in every panel as a common reference.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"region_code": [110000, 110000, 650000, 650000],
    ...                       "year": [2020, 2021, 2020, 2021], "score": [0.5, 0.6, 0.2, 0.25]})
    >>> [ax.get_title() for ax in trend_lines(frame).axes]
    ['东部 East', '西部 West']
    """
    _check_lang(label_lang)
    _require(scores, ["region_code", "year", "score"], "scores")
    frame = scores[["region_code", "year", "score"]].copy()
    frame["score"] = _numeric(frame, "score", "scores")
    frame["region_code"] = frame["region_code"].astype(int)
    frame["year"] = frame["year"].astype(int)
    duplicated = frame.duplicated(["region_code", "year"])
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise DuplicateError(
            f"scores: region {int(row['region_code'])} year {int(row['year'])} "
            "appears more than once"
        )
    use_cjk_font()
    frame["macro"] = regions.macro_region(frame["region_code"])
    marked = {int(c) for c in highlight} if highlight is not None else set()
    mean = frame.groupby("year")["score"].mean()

    present = [key for key in regions.MACRO_REGIONS if key in set(frame["macro"])]
    ncols = 1 if len(present) == 1 else 2
    nrows = int(np.ceil(len(present) / ncols))
    fig = Figure(figsize=(5.2 * ncols, 3.6 * nrows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False))
    axes = axes.ravel()
    for ax, key in zip(axes, present, strict=False):
        block = frame[frame["macro"] == key]
        codes = list(dict.fromkeys(block.sort_values(["region_code"])["region_code"]))
        for style, code in zip(series_styles(len(codes), markers=False), codes, strict=True):
            series = block[block["region_code"] == code].sort_values("year")
            bold = code in marked
            ax.plot(
                series["year"],
                series["score"],
                **style,
                linewidth=2.2 if bold else 1.1,
                marker="o" if bold else None,
                markersize=3,
                label=_region_name(code, label_lang),
            )
        ax.plot(
            mean.index,
            mean.to_numpy(),
            color="black",
            linestyle="-",
            linewidth=2.6,
            label=_MEAN_LABEL,
            zorder=5,
        )
        zh, en = regions.MACRO_REGIONS[key]
        ax.set_title(f"{zh} {en}", fontsize=10)
        ax.grid(True, linewidth=0.4, alpha=0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(
            fontsize=7,
            ncol=2 if len(codes) > 6 else 1,
            loc="upper left",
            frameon=False,
            handlelength=1.6,
            columnspacing=0.8,
        )
    for ax in axes[len(present) :]:
        ax.set_visible(False)
    fig.supxlabel("年份 Year", fontsize=10)
    fig.supylabel(ylabel, fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def weights_bar(
    weights: pd.DataFrame,
    label_lang: LabelLang = "zh",
    *,
    title: str | None = None,
) -> Figure:
    """Horizontal bars of indicator weights, coloured by dimension.

    Parameters
    ----------
    weights
        Columns ``indicator``, ``dimension``, ``weight`` and optionally ``label_zh``, ``label_en``
        (indicator names; the ``indicator`` id is used where they are missing).
    label_lang
        Which indicator label to show.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Indicators grouped by dimension (dimensions in order of appearance), largest weight first
        within a dimension, with the weight written at each bar end.

    Raises
    ------
    DataValidationError
        Missing columns, non-numeric or negative weights, or an indicator listed twice.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"indicator": ["rd", "pat"], "dimension": ["劳动者", "劳动资料"],
    ...                   "weight": [0.6, 0.4], "label_zh": ["研发", "专利"],
    ...                   "label_en": ["R&D", "Patents"]})
    >>> [t.get_text() for t in weights_bar(w).axes[0].get_yticklabels()]
    ['研发', '专利']
    """
    _check_lang(label_lang)
    _require(weights, ["indicator", "dimension", "weight"], "weights")
    frame = weights.copy()
    frame["weight"] = _numeric(frame, "weight", "weights")
    if (frame["weight"] < 0).any():
        row = frame.loc[frame["weight"] < 0].iloc[0]
        raise DataValidationError(f"weights: indicator {row['indicator']!r} has negative weight")
    if frame["indicator"].duplicated().any():
        name = frame.loc[frame["indicator"].duplicated(), "indicator"].iloc[0]
        raise DuplicateError(f"weights: indicator {name!r} is listed more than once")
    use_cjk_font()
    column = f"label_{label_lang}"
    labels = frame[column] if column in frame else pd.Series(np.nan, index=frame.index)
    frame["label"] = labels.where(labels.notna(), frame["indicator"]).astype(str)
    order = list(dict.fromkeys(frame["dimension"]))
    frame["dim_rank"] = frame["dimension"].map({d: i for i, d in enumerate(order)})
    frame = frame.sort_values(["dim_rank", "weight"], ascending=[True, False], kind="stable")
    colors = dict(zip(order, _palette(len(order)), strict=True))

    n = len(frame)
    fig = Figure(figsize=(7.0, 0.28 * n + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n)
    ax.barh(y, frame["weight"], color=[colors[d] for d in frame["dimension"]], height=0.7)
    for yi, w in zip(y, frame["weight"], strict=True):
        ax.text(w, float(yi), f" {w:.3f}", va="center", fontsize=7)
    ax.set_yticks(y, frame["label"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("权重 Weight", fontsize=10)
    ax.set_xlim(0, float(frame["weight"].max()) * 1.18 or 1.0)
    ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
    handles = [Line2D([], [], color=colors[d], linewidth=6, label=str(d)) for d in order]
    fig.legend(
        handles=handles,
        title="维度 Dimension",
        fontsize=8,
        title_fontsize=8,
        loc="outside lower center",
        ncol=min(len(order), 3),
        frameon=False,
    )
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def rank_intervals(
    frame: pd.DataFrame,
    label_lang: LabelLang = "zh",
    *,
    title: str | None = None,
) -> Figure:
    """Rank uncertainty: the 5–95 % interval, median and nominal rank of every region.

    Parameters
    ----------
    frame
        Columns ``region_code``, ``nominal``, ``median``, ``p05``, ``p95`` (ranks, 1 = best), one
        row per region (select one year first).
    label_lang
        Region names in Chinese or English.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Regions sorted by median rank, best at the top.

    Raises
    ------
    DataValidationError
        Missing columns, non-numeric ranks, ``p05 > median`` or ``median > p95``, or a region
        listed twice (for example several years at once).

    Notes
    -----
    The display follows the uncertainty analysis of the OECD/JRC *Handbook on Constructing
    Composite Indicators* (2008): the nominal rank against the median and 5th–95th percentile of
    the ranks over Monte Carlo variations of the construction choices.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"region_code": [110000, 310000], "nominal": [2, 1],
    ...                   "median": [1.0, 2.0], "p05": [1, 1], "p95": [2, 2]})
    >>> [t.get_text() for t in rank_intervals(f).axes[0].get_yticklabels()]
    ['北京', '上海']
    """
    _check_lang(label_lang)
    columns = ["region_code", "nominal", "median", "p05", "p95"]
    _require(frame, columns, "rank intervals")
    data = frame[columns].copy()
    for column in columns[1:]:
        data[column] = _numeric(data, column, "rank intervals")
    if data["region_code"].duplicated().any():
        code = data.loc[data["region_code"].duplicated(), "region_code"].iloc[0]
        raise DuplicateError(
            f"rank intervals: region {code} appears more than once (select a single year)"
        )
    bad = (data["p05"] > data["median"]) | (data["median"] > data["p95"])
    if bad.any():
        row = data.loc[bad].iloc[0]
        raise DataValidationError(
            f"rank intervals: region {int(row['region_code'])} has p05={row['p05']}, "
            f"median={row['median']}, "
            f"p95={row['p95']}; expected p05 <= median <= p95"
        )
    use_cjk_font()
    data = data.sort_values(["median", "nominal"], kind="stable").reset_index(drop=True)
    n = len(data)
    fig = Figure(figsize=(6.5, 0.24 * n + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n)
    ax.hlines(
        y, data["p05"], data["p95"], color="#6baed6", linewidth=3.0, label="5%–95% 区间 interval"
    )
    ax.plot(data["median"], y, "o", color="#08519c", markersize=4, label="中位数 Median")
    ax.plot(
        data["nominal"],
        y,
        "D",
        markerfacecolor="none",
        markeredgecolor="#cb181d",
        markersize=5,
        label="名义排名 Nominal rank",
    )
    ax.set_yticks(y, [_region_name(c, label_lang) for c in data["region_code"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("排名 Rank (1 = 最优 best)", fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
    fig.legend(fontsize=8, loc="outside lower center", ncol=3, frameon=False)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def obstacle_bars(
    frame: pd.DataFrame,
    label_lang: LabelLang = "zh",
    *,
    top: int = 5,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    r"""Stacked bars of the main obstacle factors of each region.

    Parameters
    ----------
    frame
        Columns ``region_code``, ``factor``, ``obstacle_pct`` (obstacle degree in %), for one year
        and one level; regions are drawn in order of first appearance (put the weakest first).
    label_lang
        Region names in Chinese or English.
    top
        Number of largest factors shown per region; the rest are merged into "其他 Other".
    labels
        Display names of the factors (factor id → label); ids are shown otherwise.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal bar per region; each factor keeps its colour across regions.

    Raises
    ------
    DataValidationError
        Missing columns, non-numeric or negative degrees, a region-factor pair given twice or
        ``top < 1``.

    Notes
    -----
    The obstacle degree of factor :math:`j` in region :math:`i` is

    .. math:: O_{ij} = \frac{w_j (1 - y_{ij})}{\sum_j w_j (1 - y_{ij})} \times 100\%,

    so the segments of one bar add up to 100 % when all factors of a level are given.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"region_code": [540000] * 3, "factor": ["a", "b", "c"],
    ...                   "obstacle_pct": [50.0, 30.0, 20.0]})
    >>> fig = obstacle_bars(f, top=2)
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['a', 'b', '其他 Other']
    """
    _check_lang(label_lang)
    if top < 1:
        raise DataValidationError(f"top must be at least 1, got {top}")
    _require(frame, ["region_code", "factor", "obstacle_pct"], "obstacles")
    data = frame[["region_code", "factor", "obstacle_pct"]].copy()
    data["obstacle_pct"] = _numeric(data, "obstacle_pct", "obstacles")
    if (data["obstacle_pct"] < 0).any():
        row = data.loc[data["obstacle_pct"] < 0].iloc[0]
        raise DataValidationError(
            f"obstacles: region {row['region_code']} factor {row['factor']!r} has a negative degree"
        )
    duplicated = data.duplicated(["region_code", "factor"])
    if duplicated.any():
        row = data.loc[duplicated].iloc[0]
        raise DuplicateError(
            f"obstacles: region {row['region_code']} factor {row['factor']!r} appears more "
            "than once (select one year and one level)"
        )
    use_cjk_font()
    names = dict(labels or {})
    order = list(dict.fromkeys(data["region_code"]))
    kept: list[pd.DataFrame] = []
    for code in order:
        block = data[data["region_code"] == code].sort_values(
            "obstacle_pct", ascending=False, kind="stable"
        )
        kept.append(block.head(top))
    shown = pd.concat(kept)
    factors = list(dict.fromkeys(shown["factor"]))
    colors = dict(zip(factors, _palette(len(factors)), strict=True))
    fig = Figure(figsize=(8.0, 0.45 * len(order) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(order))
    handles: dict[str, Any] = {}
    for yi, code, block in zip(y, order, kept, strict=True):
        left = 0.0
        for row in block.itertuples(index=False):
            bar = ax.barh(
                yi,
                row.obstacle_pct,
                left=left,
                color=colors[row.factor],
                height=0.65,
                edgecolor="white",
                linewidth=0.5,
            )
            handles.setdefault(str(row.factor), bar)
            if row.obstacle_pct >= 6:
                ax.text(
                    left + row.obstacle_pct / 2,
                    float(yi),
                    f"{row.obstacle_pct:.1f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                )
            left += row.obstacle_pct
        total = float(data.loc[data["region_code"] == code, "obstacle_pct"].sum())
        rest = total - left
        if rest > 1e-9:
            bar = ax.barh(
                yi, rest, left=left, color="#d9d9d9", height=0.65, edgecolor="white", linewidth=0.5
            )
            handles.setdefault(_OTHER_LABEL, bar)
    ax.set_yticks(y, [_region_name(c, label_lang) for c in order], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("障碍度 Obstacle degree (%)", fontsize=10)
    ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
    keys = [str(f) for f in factors] + ([_OTHER_LABEL] if _OTHER_LABEL in handles else [])
    fig.legend(
        [handles[k] for k in keys],
        [names.get(k, k) for k in keys],
        fontsize=7,
        ncol=3,
        loc="outside lower center",
        frameon=False,
    )
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def quadrant_scatter(
    points: pd.DataFrame,
    *,
    xlabel: str = "x",
    ylabel: str = "y",
    title: str | None = None,
) -> Figure:
    """Labelled scatter with quadrant lines at the means of x and y.

    Parameters
    ----------
    points
        Columns ``label``, ``x``, ``y``: one labelled point per row.
    xlabel, ylabel
        Axis labels.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The dashed lines cross at (mean x, mean y).

    Examples
    --------
    >>> p = pd.DataFrame({"label": ["a", "b", "c"], "x": [0.2, 0.5, 1.0], "y": [1.0, 0.4, 0.7]})
    >>> round(quadrant_scatter(p).axes[0].lines[1].get_xdata()[0], 4)  # the vertical line
    0.5667
    """
    _require(points, ["label", "x", "y"], "scatter table")
    x = _numeric(points, "x", "scatter table").to_numpy()
    y = _numeric(points, "y", "scatter table").to_numpy()
    use_cjk_font()
    fig = Figure(figsize=(6.4, 5.4), layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(float(np.nanmean(y)), color="#59636e", linewidth=0.8, linestyle="--")
    ax.axvline(float(np.nanmean(x)), color="#59636e", linewidth=0.8, linestyle="--")
    ax.scatter(x, y, s=28, color="#2166ac", edgecolor="#4d4d4d", linewidth=0.5, zorder=3)
    for label, xi, yi in zip(points["label"], x, y, strict=True):
        ax.annotate(str(label), (xi, yi), textcoords="offset points", xytext=(3, 3), fontsize=7)
    ax.set_xlabel(xlabel, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=10)
    ax.grid(True, linewidth=0.4, alpha=0.5)
    if title:
        ax.set_title(title, fontsize=11)
    return fig
