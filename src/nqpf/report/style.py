"""The publication style of every figure: palettes, line styles, font sizes, captions, output.

One place for what journals ask of a figure:

- **grey-scale-safe categorical colours** (:func:`categorical`): the colour-blind-safe palette of
  Okabe & Ito (2008, "Color Universal Design") ordered so that consecutive colours differ in
  lightness (CIE L*, :func:`lightness`) by at least :data:`MIN_LIGHTNESS_STEP`; beyond eight
  classes, dark and light shades of it alternate. Lines also cycle through line styles
  (:data:`LINESTYLES`) and, where a figure asks for them, markers (:data:`MARKERS`), so series
  stay apart when printed in grey. Sequential maps keep their colour maps (YlOrRd, viridis),
  which are monotone in lightness already.
- **font sizes** for a figure printed at its drawn size (7.5 × 6 in at most): 8 pt text, 9 pt
  axis labels, 10 pt titles (:data:`RC`);
- **bilingual captions** "中文 English" with one space between the languages
  (:func:`caption`, checked by :func:`is_bilingual`);
- **output**: SVG with text as outlines (:data:`RC` sets ``svg.fonttype = "path"``), so a
  figure's Chinese renders on a computer without the CJK font; PDF keeps TrueType fonts
  (``pdf.fonttype = 42``); :func:`nqpf.report.plots.save_figures` writes 300-dpi PNG and SVG.

:func:`use_style` applies :data:`RC` to matplotlib's ``rcParams``;
:func:`nqpf.report.fonts.use_cjk_font`, which every drawing function calls, applies it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from cycler import cycler
from matplotlib import rcParams
from matplotlib.colors import to_rgb, to_rgba

__all__ = [
    "LINESTYLES",
    "MARKERS",
    "MIN_LIGHTNESS_STEP",
    "OKABE_ITO",
    "RC",
    "caption",
    "categorical",
    "is_bilingual",
    "lightness",
    "series_styles",
    "use_style",
]

#: Okabe–Ito colours (black replaced by dark grey), in an order whose consecutive lightness
#: differences (cyclically) are at least 15 L* units.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue, L* 46
    "#56B4E9",  # sky blue, 70
    "#D55E00",  # vermillion, 54
    "#E69F00",  # orange, 71
    "#F0E442",  # yellow, 89
    "#009E73",  # bluish green, 58
    "#333333",  # dark grey, 21
    "#CC79A7",  # reddish purple, 61
)
#: Smallest lightness difference (CIE L*, 0–100) between consecutive categorical colours.
MIN_LIGHTNESS_STEP = 12.0
#: Line styles cycled with the colours (solid, dashed, dash-dot, dotted, then custom dashes).
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
#: Markers for series of points or lines that need them.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

_DARK, _LIGHT = 0.6, 0.55  # shade factor; share of white in the light tint

#: Matplotlib settings of the publication style.
RC: dict[Any, Any] = {
    "font.size": 8,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 11,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.3,
    "lines.markersize": 4.5,
    "axes.prop_cycle": cycler(
        color=list(OKABE_ITO), linestyle=[LINESTYLES[i % 4] for i in range(len(OKABE_ITO))]
    ),
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_HAS_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_GLUED = re.compile(f"[{_CJK}][A-Za-z]|[A-Za-z][{_CJK}]")


def lightness(color: Any) -> float:
    """CIE L* (0 black … 100 white) of a colour: its grey level when printed in grey.

    Relative luminance Y from linearised sRGB with the Rec. 709 weights (IEC 61966-2-1), then
    L* = 116 Y^(1/3) − 16 (CIE 1976; linear below Y = 216/24389).

    Examples
    --------
    >>> round(lightness("white")), round(lightness("black")), round(lightness("#777777"))
    (100, 0, 50)
    """
    rgb = np.asarray(to_rgb(color))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    y = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    return 116.0 * np.cbrt(y) - 16.0 if y > 216 / 24389 else 24389 / 27 * y


def categorical(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` categorical colours (RGBA), grey-scale safe between neighbours.

    Up to eight: :data:`OKABE_ITO` in order. More: a dark shade and a light tint of each of them,
    alternating (16 colours), repeated when ``n`` exceeds 16.

    Examples
    --------
    >>> len(categorical(3)), categorical(1)[0][:3] == to_rgb("#0072B2")
    (3, True)
    """
    if n < 0:
        raise ValueError(f"the number of colours must be at least 0, got {n}")
    if n <= len(OKABE_ITO):
        return [to_rgba(c) for c in OKABE_ITO[:n]]
    paired: list[tuple[float, float, float, float]] = []
    for color in OKABE_ITO:
        rgb = np.asarray(to_rgb(color))
        paired.append(to_rgba(tuple(rgb * _DARK)))
        paired.append(to_rgba(tuple(rgb + (1.0 - rgb) * _LIGHT)))
    return [paired[i % len(paired)] for i in range(n)]


def series_styles(n: int, *, markers: bool = True) -> list[dict[str, Any]]:
    """Keyword arguments of ``Axes.plot`` for ``n`` series: colour, line style (and marker).

    Examples
    --------
    >>> [s["linestyle"] for s in series_styles(3)], series_styles(2)[1]["marker"]
    (['-', '--', '-.'], 's')
    """
    colors = categorical(n)
    styles = []
    for i, color in enumerate(colors):
        style: dict[str, Any] = {"color": color, "linestyle": LINESTYLES[i % len(LINESTYLES)]}
        if markers:
            style["marker"] = MARKERS[i % len(MARKERS)]
        styles.append(style)
    return styles


def caption(zh: str, en: str) -> str:
    """A bilingual label: Chinese, one space, English.

    Examples
    --------
    >>> caption("得分", "Score")
    '得分 Score'
    """
    return f"{zh.strip()} {en.strip()}"


def is_bilingual(text: str) -> bool:
    """Whether ``text`` has Chinese and English and a space wherever the two scripts meet.

    Examples
    --------
    >>> is_bilingual("得分 Score"), is_bilingual("得分Score"), is_bilingual("Score")
    (True, False, False)
    """
    return bool(_HAS_CJK.search(text) and _HAS_LATIN_WORD.search(text)) and not _GLUED.search(text)


def use_style() -> None:
    """Apply :data:`RC` to matplotlib's ``rcParams`` (global, like the CJK font)."""
    rcParams.update(RC)
