"""A small, self-contained HTML report builder.

The report is one UTF-8 file with inline CSS and figures embedded as base64 images: no external
URL, script, font or stylesheet, so it opens offline and can be e-mailed or archived as is. All
text passed in is escaped; tables are rendered cell by cell with numbers right-aligned.

Analysis features add their own sections to an :class:`HtmlReport` (see
:func:`nqpf.report.index_report.add_index_sections`).
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from matplotlib.figure import Figure

from nqpf.report._common import save_figure
from nqpf.report.fonts import use_cjk_font
from nqpf.results import Summary

__all__ = ["HtmlReport"]

FloatFormat = str | Callable[[float], str]

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --band: #f6f8fa; --accent: #8c1c13; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 2rem 1.5rem 4rem; color: var(--ink);
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.7; background: #fff; }
h1 { font-size: 1.9rem; line-height: 1.3; margin: 0 0 .2rem; color: var(--accent); }
h1 .en, h2 .en, h3 .en { display: block; font-size: .62em; font-weight: 400; color: var(--muted); }
h2 { font-size: 1.4rem; margin: 2.6rem 0 .6rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.12rem; margin: 1.8rem 0 .5rem; }
p { margin: .5rem 0; }
p.note { color: var(--muted); font-size: .9rem; }
p.warning { border-left: 4px solid #bf8700; background: #fff8c5; padding: .4rem .8rem; }
nav.toc { background: var(--band); border: 1px solid var(--rule); border-radius: 6px;
  padding: .8rem 1.2rem; margin: 1.2rem 0 2rem; }
nav.toc ol { margin: .2rem 0; padding-left: 1.4rem; }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1.4rem; }
table { border-collapse: collapse; font-size: .86rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { padding: .28rem .65rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-top: 2px solid var(--ink); border-bottom: 1px solid var(--ink);
  background: #fff; position: sticky; top: 0; text-align: left; }
tbody tr:nth-child(even) { background: var(--band); }
tbody tr:last-child td { border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; white-space: nowrap; }
figure { margin: 1rem 0 1.8rem; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; color: var(--muted); margin-top: .3rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
  font-size: .9rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem;
  border-top: 1px solid var(--rule); padding-top: .6rem; }
@media print { nav.toc { display: none; } h2 { break-before: page; } }
"""


@dataclass
class _Section:
    anchor: str
    title_zh: str
    title_en: str
    level: int
    blocks: list[str] = field(default_factory=list)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _heading_html(tag: str, title_zh: str, title_en: str, anchor: str | None = None) -> str:
    ident = f' id="{_e(anchor)}"' if anchor else ""
    english = f' <span class="en">{_e(title_en)}</span>' if title_en else ""
    return f"<{tag}{ident}>{_e(title_zh)}{english}</{tag}>"


def _formatter(float_format: FloatFormat) -> Callable[[float], str]:
    if callable(float_format):
        return float_format
    if "{" in float_format:
        return float_format.format
    return lambda value: format(value, float_format)


def _cell(value: Any, fmt: Callable[[float], str], na_rep: str) -> tuple[str, bool]:
    """Escaped text of one cell and whether it is numeric."""
    if value is None or value is pd.NA or value is pd.NaT:
        return _e(na_rep), False
    if isinstance(value, bool):
        return _e(value), False
    if isinstance(value, numbers.Integral):
        return _e(int(value)), True
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return _e(na_rep), False
        return _e(fmt(number)), True
    return _e(value), False


class HtmlReport:
    """Builder of a self-contained bilingual HTML report.

    Parameters
    ----------
    title_zh, title_en
        Report title in Chinese and English.
    subtitle
        A line under the title (data source, date range ...).
    dpi
        Resolution of embedded PNG figures (about 110 keeps a 31-province report small).
    image_format
        ``"png"`` (default) or ``"svg"``; both are embedded as base64 data URIs.

    Examples
    --------
    >>> import pandas as pd
    >>> report = HtmlReport("新质生产力报告", "NQPF report")
    >>> _ = report.section("排名", "Ranking", intro="<b>not bold</b>")
    >>> _ = report.table(pd.DataFrame({"省份 Province": ["北京"], "得分 Score": [0.81234]}))
    >>> page = report.render()
    >>> "&lt;b&gt;not bold&lt;/b&gt;" in page, "0.8123" in page, 'lang="zh-CN"' in page
    (True, True, True)
    """

    def __init__(
        self,
        title_zh: str,
        title_en: str,
        *,
        subtitle: str | None = None,
        dpi: int = 110,
        image_format: Literal["png", "svg"] = "png",
    ) -> None:
        if image_format not in ("png", "svg"):
            raise ValueError(f"image_format must be 'png' or 'svg', got {image_format!r}")
        self.title_zh = title_zh
        self.title_en = title_en
        self.subtitle = subtitle
        self.dpi = dpi
        self.image_format = image_format
        self._front: list[str] = []
        self._sections: list[_Section] = []
        self._tables = 0
        self._figures = 0

    # -- structure -------------------------------------------------------------------------
    def section(self, title_zh: str, title_en: str, intro: str | None = None) -> HtmlReport:
        """Start a top-level section (listed in the table of contents)."""
        return self._open(title_zh, title_en, intro, level=2)

    def subsection(self, title_zh: str, title_en: str, intro: str | None = None) -> HtmlReport:
        """Start a subsection of the current section."""
        if not any(s.level == 2 for s in self._sections):
            raise ValueError("subsection() needs a section() first")
        return self._open(title_zh, title_en, intro, level=3)

    def _open(self, title_zh: str, title_en: str, intro: str | None, level: int) -> HtmlReport:
        top = sum(1 for s in self._sections if s.level == 2)
        if level == 2:
            anchor = f"sec-{top + 1}"
        else:
            sub = 0
            for s in reversed(self._sections):
                if s.level == 2:
                    break
                sub += 1
            anchor = f"sec-{top}-{sub + 1}"
        self._sections.append(_Section(anchor, title_zh, title_en, level))
        if intro:
            self.text(intro)
        return self

    def _blocks(self) -> list[str]:
        return self._sections[-1].blocks if self._sections else self._front

    @property
    def section_titles(self) -> list[tuple[str, str]]:
        """(Chinese, English) titles of all sections and subsections, in order."""
        return [(s.title_zh, s.title_en) for s in self._sections]

    # -- content ---------------------------------------------------------------------------
    def text(self, text: str, *, kind: Literal["p", "note", "warning"] = "p") -> HtmlReport:
        """Add escaped text; blank lines separate paragraphs.

        ``kind="note"`` renders small grey text, ``kind="warning"`` a highlighted box.
        """
        if kind not in ("p", "note", "warning"):
            raise ValueError(f"kind must be 'p', 'note' or 'warning', got {kind!r}")
        css = "" if kind == "p" else f' class="{kind}"'
        for paragraph in str(text).split("\n\n"):
            if paragraph.strip():
                body = "<br>".join(_e(line) for line in paragraph.strip().split("\n"))
                self._blocks().append(f"<p{css}>{body}</p>")
        return self

    def key_values(self, items: Mapping[str, object], caption: str | None = None) -> HtmlReport:
        """Add a compact list of settings (e.g. a result's ``meta``)."""
        rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items.items())
        head = f"<p><strong>{_e(caption)}</strong></p>" if caption else ""
        self._blocks().append(f'{head}<dl class="meta">{rows}</dl>')
        return self

    def table(
        self,
        frame: pd.DataFrame,
        caption: str | None = None,
        float_format: FloatFormat = "{:.4f}",
        *,
        index: bool = False,
        na_rep: str = "–",
        max_rows: int | None = None,
    ) -> HtmlReport:
        """Add a numbered table.

        Parameters
        ----------
        frame
            The table; column labels and cells are escaped. MultiIndex column labels are joined
            with " / ".
        caption
            Caption after the automatic "表 n Table n" label.
        float_format
            A ``str.format`` pattern (``"{:.3f}"``), a format spec (``".3f"``) or a callable,
            applied to non-integer numbers.
        index
            Also show the row index.
        na_rep
            Text of missing cells.
        max_rows
            Show only the first rows and say how many were left out.
        """
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table() takes a pandas DataFrame, got {type(frame).__name__}")
        fmt = _formatter(float_format)
        data = frame.reset_index() if index else frame
        shown = data if max_rows is None else data.head(max_rows)
        self._tables += 1
        label = f"表 {self._tables} Table {self._tables}"
        title = f"{label}. {caption}" if caption else label
        columns = [
            " / ".join(str(p) for p in c) if isinstance(c, tuple) else str(c) for c in data.columns
        ]
        numeric = [
            pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
            for c in data.columns
        ]
        head = "".join(
            (
                f'<th scope="col" class="num">{_e(c)}</th>'
                if num
                else f'<th scope="col">{_e(c)}</th>'
            )
            for c, num in zip(columns, numeric, strict=True)
        )
        rows = []
        for record in shown.itertuples(index=False, name=None):
            cells = []
            for value in record:
                text, is_number = _cell(value, fmt, na_rep)
                cells.append(f'<td class="num">{text}</td>' if is_number else f"<td>{text}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        note = ""
        if max_rows is not None and len(data) > max_rows:
            note = (
                f'<p class="note">前 {max_rows} 行，共 {len(data)} 行 '
                f"(first {max_rows} of {len(data)} rows)</p>"
            )
        self._blocks().append(
            f'<div class="table-wrap"><table><caption>{_e(title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{note}"
        )
        return self

    def figure(
        self,
        fig: Figure,
        caption: str | None = None,
        *,
        close: bool = True,
        dpi: int | None = None,
    ) -> HtmlReport:
        """Embed a matplotlib figure as a base64 image with a numbered caption.

        ``close=True`` releases the figure if it is managed by ``pyplot``.
        """
        if not isinstance(fig, Figure):
            raise TypeError(f"figure() takes a matplotlib Figure, got {type(fig).__name__}")
        use_cjk_font()  # generic font families resolve at draw time, so Chinese text renders
        buffer = io.BytesIO()
        save_figure(
            fig,
            buffer,
            format=self.image_format,
            dpi=dpi or self.dpi,
            bbox_inches="tight",
            facecolor="white",
            metadata=_no_metadata(self.image_format),
        )
        mime = "image/png" if self.image_format == "png" else "image/svg+xml"
        payload = base64.b64encode(buffer.getvalue()).decode("ascii")
        if close and "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
        self._figures += 1
        label = f"图 {self._figures} Figure {self._figures}"
        title = f"{label}. {caption}" if caption else label
        self._blocks().append(
            f'<figure><img alt="{_e(caption or label)}" src="data:{mime};base64,{payload}">'
            f"<figcaption>{_e(title)}</figcaption></figure>"
        )
        return self

    def summary(self, summary: Summary, float_format: FloatFormat = "{:.4f}") -> HtmlReport:
        """Add the tables and notes of a result's :class:`~nqpf.results.Summary`."""
        for caption, frame in summary.tables:
            self.table(
                frame,
                caption=caption or summary.title,
                float_format=float_format,
                index=not isinstance(frame.index, pd.RangeIndex),
            )
        for note in summary.notes:
            self.text(note, kind="note")
        return self

    # -- output ----------------------------------------------------------------------------
    def render(self) -> str:
        """The complete HTML document."""
        from nqpf import __version__

        toc = self._toc()
        parts = [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(self.title_zh)} {_e(self.title_en)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<header>",
            _heading_html("h1", self.title_zh, self.title_en),
        ]
        if self.subtitle:
            parts.append(f'<p class="note">{_e(self.subtitle)}</p>')
        parts.append("</header>")
        parts += self._front
        if toc:
            parts.append(toc)
        for section in self._sections:
            tag = "h2" if section.level == 2 else "h3"
            parts.append(f'<section aria-labelledby="{_e(section.anchor)}">')
            parts.append(_heading_html(tag, section.title_zh, section.title_en, section.anchor))
            parts += section.blocks
            parts.append("</section>")
        parts += [
            f"<footer>nqpf {_e(__version__)}</footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    def _toc(self) -> str:
        if not self._sections:
            return ""
        items: list[str] = []
        open_sub = False
        for section in self._sections:
            link = (
                f'<a href="#{_e(section.anchor)}">{_e(section.title_zh)} {_e(section.title_en)}</a>'
            )
            if section.level == 2:
                if open_sub:
                    items.append("</ol></li>")
                    open_sub = False
                elif items:
                    items.append("</li>")
                items.append(f"<li>{link}")
            else:
                if not open_sub:
                    items.append("<ol>")
                    open_sub = True
                items.append(f"<li>{link}</li>")
        items.append("</ol></li>" if open_sub else "</li>")
        return f'<nav class="toc"><strong>目录 Contents</strong><ol>{"".join(items)}</ol></nav>'

    def write(self, path: str | Path) -> Path:
        """Write the report (UTF-8) and return its path; parent folders are created."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.render(), encoding="utf-8")
        return target


def _no_metadata(image_format: str) -> dict[str, Any]:
    """Savefig metadata that keeps output reproducible (no software/date stamps)."""
    if image_format == "png":
        return {"Software": None}
    return {"Date": None, "Creator": None}
