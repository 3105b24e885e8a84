"""Figures of the scales study: the bars of shares, and class maps with many classes.

Data: SYNTHETIC shares and classes on real province codes.
"""

import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from nqpf.errors import DuplicateError
from nqpf.report.maps import NO_DATA_COLOR, _colors, _legend
from nqpf.report.scales_figures import agglomeration_shares
from nqpf.report.style import OKABE_ITO


def test_share_bars_have_the_given_lengths_grouped_by_agglomeration():
    shares = pd.DataFrame(
        {
            "label": ["A", "A", "B", "B"],
            "measure": ["pop", "gdp", "pop", "gdp"],
            "share": [10.0, 12.0, 5.0, 4.0],
        }
    )
    fig = agglomeration_shares(shares, xlabel="%")
    ax = fig.axes[0]
    widths = [round(p.get_width(), 9) for p in ax.patches]
    assert widths == [10.0, 5.0, 12.0, 4.0]  # measure by measure, agglomerations in order
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["pop", "gdp"]
    with pytest.raises(DuplicateError, match="'A' has the measure 'pop' twice"):
        agglomeration_shares(pd.concat([shares, shares.head(1)]))


def test_many_classes_get_distinct_colours_and_a_legend_below_the_map():
    # the colouring and legend of province_map/city_map, without loading boundaries
    classes = pd.Series([f"class {i:02d}" for i in range(12)], index=range(12))
    options = {"colors": None, "cmap": "YlOrRd", "vmin": None, "vmax": None, "bins": None}
    rgba, legend = _colors(classes, categorical=True, categories_order=None, **options)
    assert len(set(rgba.values())) == 12  # no repeats
    greys = {to_rgba(c) for c in ("#7f7f7f", "#c7c7c7", NO_DATA_COLOR)}
    assert not greys & set(rgba.values())  # no class looks like "no data"
    fig = Figure()
    ax = fig.add_subplot()
    _legend(ax, fig, legend, "类 Class", True, "其他 Outside")
    box = ax.get_legend()
    texts = [t.get_text() for t in box.get_texts()]
    assert texts == [*sorted(classes), "其他 Outside"]
    assert box._ncols == 2
    few, _ = _colors(classes.head(3), categorical=True, categories_order=None, **options)
    assert list(few.values()) == [to_rgba(c) for c in OKABE_ITO[:3]]
