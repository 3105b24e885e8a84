import io
import warnings

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from nqpf.report.fonts import CJK_FONT_FAMILY, cjk_font_path, use_cjk_font

CHINESE = "新质生产力指数 劳动者 劳动资料 劳动对象 南海诸岛 无数据"


def _render(text: str) -> None:
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([-1, 0, 1], [-0.5, 0.2, -1.0])
    ax.set_title(text)
    ax.set_xlabel("年份 Year")
    fig.savefig(io.BytesIO(), format="png")


def test_use_cjk_font_is_idempotent_and_sets_rcparams():
    assert use_cjk_font() == CJK_FONT_FAMILY
    registered = len(font_manager.fontManager.ttflist)
    assert use_cjk_font() == CJK_FONT_FAMILY
    assert len(font_manager.fontManager.ttflist) == registered  # second call adds nothing
    assert matplotlib.rcParams["font.sans-serif"].count(CJK_FONT_FAMILY) == 1
    assert matplotlib.rcParams["font.sans-serif"][0] == CJK_FONT_FAMILY
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_sans_serif_resolves_to_the_noto_cjk_file():
    use_cjk_font()
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert found == str(cjk_font_path())


def test_chinese_text_renders_without_missing_glyph_warnings():
    use_cjk_font()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _render(CHINESE)
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_the_check_would_catch_missing_glyphs_with_the_default_font():
    # Control: DejaVu Sans alone has no CJK glyphs, so the same figure must warn.
    with matplotlib.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        with pytest.warns(UserWarning, match="missing from font"):
            _render(CHINESE)
