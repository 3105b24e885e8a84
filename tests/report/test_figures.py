"""Standard figures: the plotted numbers are checked against hand-computed values."""

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError
from nqpf.report.figures import obstacle_bars, rank_intervals, trend_lines, weights_bar


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    return buffer.getvalue()


@pytest.fixture()
def scores() -> pd.DataFrame:
    # Beijing, Shanghai (East), Hubei (Central), Xinjiang (West), Jilin (Northeast)
    values = {
        110000: [0.6, 0.7],
        310000: [0.5, 0.8],
        420000: [0.3, 0.35],
        650000: [0.1, 0.2],
        220000: [0.2, 0.15],
    }
    rows = [(c, y, v) for c, vs in values.items() for y, v in zip((2021, 2022), vs, strict=True)]
    return pd.DataFrame(rows, columns=["region_code", "year", "score"])


def test_trend_lines_one_panel_per_macro_region_with_the_mean(scores):
    fig = trend_lines(scores, highlight=[310000])
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["东部 East", "中部 Central", "西部 West", "东北 Northeast"]
    east = fig.axes[0]
    lines = {line.get_label(): line for line in east.get_lines()}
    assert set(lines) == {"北京", "上海", "全国均值 National mean"}
    # hand-computed unweighted means of the five regions: 2021 (0.6+0.5+0.3+0.1+0.2)/5 = 0.34,
    # 2022 (0.7+0.8+0.35+0.2+0.15)/5 = 0.44
    np.testing.assert_allclose(
        lines["全国均值 National mean"].get_ydata(), [0.34, 0.44], rtol=0, atol=1e-12
    )
    assert lines["上海"].get_linewidth() > lines["北京"].get_linewidth()
    np.testing.assert_allclose(lines["上海"].get_ydata(), [0.5, 0.8])
    _png(fig)


def test_trend_lines_english_names_and_single_panel(scores):
    fig = trend_lines(scores[scores.region_code.isin([110000, 310000])], label_lang="en")
    assert len(fig.axes) == 1
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels[:2] == ["Beijing", "Shanghai"]


@pytest.mark.parametrize(
    "mutate, error, match",
    [
        (lambda f: f.drop(columns="score"), DataValidationError, "score"),
        (lambda f: pd.concat([f, f.head(1)]), DuplicateError, "110000"),
        (lambda f: f.assign(score=["x"] + [0.1] * (len(f) - 1)), DataValidationError, "'x'"),
        (lambda f: f.replace({"region_code": {110000: 990000}}), UnknownRegionError, "990000"),
        (lambda f: f.head(0), DataValidationError, "empty"),
    ],
    ids=["missing-column", "duplicate", "non-numeric", "unknown-region", "empty"],
)
def test_trend_lines_bad_input(scores, mutate, error, match):
    with pytest.raises(error, match=match):
        trend_lines(mutate(scores))


def test_label_lang_is_checked(scores):
    with pytest.raises(ValueError, match="label_lang"):
        trend_lines(scores, label_lang="fr")  # type: ignore[arg-type]


@pytest.fixture()
def weights() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["a", "b", "c", "d"],
            "dimension": ["劳动者", "劳动对象", "劳动者", "劳动对象"],
            "weight": [0.1, 0.2, 0.3, 0.4],
            "label_zh": ["甲", "乙", "丙", None],
            "label_en": ["A", "B", "C", "D"],
        }
    )


def test_weights_bar_groups_by_dimension_and_sorts_within(weights):
    fig = weights_bar(weights)
    ax = fig.axes[0]
    # dimension order of appearance (劳动者, 劳动对象), larger weight first within a dimension
    assert [t.get_text() for t in ax.get_yticklabels()] == ["丙", "甲", "d", "乙"]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [0.3, 0.1, 0.4, 0.2]
    assert [t.get_text() for t in ax.texts] == [" 0.300", " 0.100", " 0.400", " 0.200"]
    en = weights_bar(weights, label_lang="en").axes[0]
    assert [t.get_text() for t in en.get_yticklabels()] == ["C", "A", "D", "B"]
    _png(fig)


def test_weights_bar_bad_input(weights):
    with pytest.raises(DataValidationError, match="'a' has negative"):
        weights_bar(weights.assign(weight=[-0.1, 0.2, 0.3, 0.6]))
    with pytest.raises(DuplicateError, match="'a'"):
        weights_bar(weights.assign(indicator=["a", "a", "c", "d"]))
    with pytest.raises(DataValidationError, match="dimension"):
        weights_bar(weights.drop(columns="dimension"))
    with pytest.raises(TypeError, match="DataFrame"):
        weights_bar(weights.to_dict())  # type: ignore[arg-type]


@pytest.fixture()
def intervals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": [110000, 310000, 440000],
            "nominal": [2, 1, 3],
            "median": [1.0, 2.0, 3.0],
            "p05": [1, 1, 2],
            "p95": [3, 2, 3],
        }
    )


def test_rank_intervals_sorted_by_median(intervals):
    fig = rank_intervals(intervals)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["北京", "上海", "广东"]
    segments = [c for c in ax.collections if isinstance(c, LineCollection)][0].get_segments()
    assert [(s[0][0], s[1][0]) for s in segments] == [(1, 3), (1, 2), (2, 3)]
    nominal = [line for line in ax.get_lines() if line.get_label() == "名义排名 Nominal rank"][0]
    assert list(nominal.get_xdata()) == [2, 1, 3]
    _png(fig)


def test_rank_intervals_bad_input(intervals):
    with pytest.raises(DataValidationError, match="region 110000 has p05=1.0, median=4.0"):
        rank_intervals(intervals.assign(median=[4.0, 2.0, 3.0]))
    with pytest.raises(DuplicateError, match="single year"):
        rank_intervals(pd.concat([intervals, intervals]))
    with pytest.raises(DataValidationError, match="p95"):
        rank_intervals(intervals.drop(columns="p95"))


@pytest.fixture()
def obstacles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": [540000] * 4 + [630000] * 4,
            "factor": ["a", "b", "c", "d", "a", "b", "c", "d"],
            "obstacle_pct": [40.0, 30.0, 20.0, 10.0, 5.0, 15.0, 35.0, 45.0],
        }
    )


def test_obstacle_bars_top_factors_and_other(obstacles):
    fig = obstacle_bars(obstacles, top=2, labels={"a": "研发", "d": "宽带"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["西藏", "青海"]
    widths = [round(p.get_width(), 9) for p in ax.patches]
    # Tibet: a 40, b 30, other 20 + 10 = 30; Qinghai: d 45, c 35, other 5 + 15 = 20
    assert widths == [40.0, 30.0, 30.0, 45.0, 35.0, 20.0]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["研发", "b", "宽带", "c", "其他 Other"]
    _png(fig)


def test_obstacle_bars_bad_input(obstacles):
    with pytest.raises(DataValidationError, match="negative"):
        obstacle_bars(obstacles.assign(obstacle_pct=-1.0))
    with pytest.raises(DuplicateError, match="540000 factor 'a'"):
        obstacle_bars(pd.concat([obstacles, obstacles.head(1)]))
    with pytest.raises(DataValidationError, match="top"):
        obstacle_bars(obstacles, top=0)
