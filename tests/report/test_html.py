import base64
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from nqpf.report.html import HtmlReport
from nqpf.results import Summary

EVIL = "<script>alert('x')</script>"


def _small_figure() -> Figure:
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_title("图 figure")
    return fig


@pytest.fixture()
def report() -> HtmlReport:
    report = HtmlReport("新质生产力 " + EVIL, "NQPF report", subtitle=EVIL)
    report.section("第一节 " + EVIL, "First", intro="引言 " + EVIL)
    report.text("para one\n\npara two " + EVIL, kind="note")
    report.table(
        pd.DataFrame({"名称 " + EVIL: [EVIL, "b"], "值 Value": [1.23456, np.nan], "n": [1, 2]}),
        caption=EVIL,
    )
    report.subsection("小节", "Subsection")
    report.figure(_small_figure(), caption="图题 " + EVIL)
    report.section("第二节", "Second")
    report.key_values({"weighting": EVIL})
    return report


def test_report_is_self_contained_and_well_formed(report, parse_html):
    page = report.render()
    checker = parse_html(page)
    assert "script" not in checker.tags
    for tag, name, value in checker.attrs:
        if name in {"src", "href"}:
            assert value is not None
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
            assert value.startswith(("#", "data:image/png;base64,"))
    assert "http://" not in page and "https://" not in page
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page


def test_all_user_text_is_escaped(report):
    page = report.render()
    assert "<script>" not in page
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    # title, subtitle, section title, intro, note, table header/cell/caption, caption, value
    assert page.count(escaped) >= 10


def test_sections_toc_and_numbering(report):
    page = report.render()
    assert report.section_titles[1:] == [("小节", "Subsection"), ("第二节", "Second")]
    for anchor in ("sec-1", "sec-1-1", "sec-2"):
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page
    assert "表 1 Table 1." in page and "图 1 Figure 1. 图题" in page
    assert page.index('href="#sec-1-1"') < page.index('href="#sec-2"')


def test_table_numbers_and_missing_values(report):
    page = report.render()
    assert '<td class="num">1.2346</td>' in page
    assert '<td class="num">2</td>' in page  # integers stay integers
    assert "<td>–</td>" in page


def test_figure_is_an_embedded_png():
    report = HtmlReport("图", "Figure")
    report.figure(_small_figure(), caption="c")
    page = report.render()
    payload = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(payload)[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_figures_are_embedded_too():
    report = HtmlReport("图", "Figure", image_format="svg")
    report.figure(_small_figure())
    page = report.render()
    payload = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert b"<svg" in base64.b64decode(payload)


def test_float_format_and_max_rows():
    report = HtmlReport("t", "t")
    report.table(pd.DataFrame({"x": np.arange(10) / 3}), float_format=".2f", max_rows=3)
    report.table(pd.DataFrame({"y": [0.5]}), float_format=lambda v: f"{v:.0%}")
    page = report.render()
    assert '<td class="num">0.67</td>' in page
    assert '<td class="num">1.00</td>' not in page  # fourth row left out
    assert "first 3 of 10 rows" in page and "50%" in page


def test_index_is_optional():
    report = HtmlReport("t", "t")
    report.table(pd.DataFrame({"v": [1.0]}, index=pd.Index(["北京"], name="地区")), index=True)
    assert '<th scope="col">地区</th>' in report.render()


def test_summary_tables_and_notes():
    summary = Summary("Gini", (("组间 Between", pd.DataFrame({"g": [0.25]})),), notes=(EVIL,))
    report = HtmlReport("t", "t").section("s", "s").summary(summary)
    page = report.render()
    assert "组间 Between" in page and "0.2500" in page and "<script>" not in page


def test_write_creates_the_file(tmp_path, report):
    path = report.write(tmp_path / "sub" / "report.html")
    assert path.read_text(encoding="utf-8") == report.render()


def test_bad_use_raises():
    with pytest.raises(ValueError, match="section"):
        HtmlReport("t", "t").subsection("a", "b")
    with pytest.raises(TypeError, match="DataFrame"):
        HtmlReport("t", "t").table([[1, 2]])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Figure"):
        HtmlReport("t", "t").figure("not a figure")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="image_format"):
        HtmlReport("t", "t", image_format="gif")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        HtmlReport("t", "t").text("x", kind="shout")  # type: ignore[arg-type]
